import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGoTemplate } from '../../../src/validation/prometheus/go-template';

function messages(text: string) {
  return checkGoTemplate(text).map((p) => [p.severity, p.message]);
}

describe('checkGoTemplate', () => {
  describe('Compliance', () => {
    it.each([
      'Certificate for {{ $labels.pod }} expires in less than 4 hours',
      '{{ $value | humanizeDuration }} left on {{ $labels.instance }}',
      '{{ printf "%.2f" $value }}% of {{ .Labels.job }}',
      '{{- if gt $value 0.5 -}} high {{- else -}} low {{- end }}',
      '{{ range $i, $l := $labels }}{{ $i }}={{ $l }} {{ end }}',
      '{{ with $labels.namespace }}ns={{ . }}{{ end }}',
      '{{/* a comment */}}plain',
      '{{ index $labels "k8s.pod" }} {{ $externalLabels.cluster }} {{ $externalURL }}',
      '{{ $x := 1 }}{{ $x }}',
      'literal braces: {{ "{{" }} and }} alone',
      '{{ with query "up" }}{{ . | first | value | humanize }}{{ end }}',
      '{{ `raw }} string` }}',
      'no template at all',
    ])('accepts %j', (text) => {
      expect(checkGoTemplate(text)).toEqual([]);
    });
  });

  describe('Noncompliance', () => {
    it('1: unclosed action', () => {
      expect(checkGoTemplate('pod {{ $labels.pod ')).toEqual([{ severity: 'error', message: 'unclosed action', offset: 4 }]);
    });
    it('2: undefined variable', () => {
      expect(messages('{{ $label.pod }}')).toEqual([['error', 'undefined variable "$label"']]);
    });
    it('3: unbalanced control structures', () => {
      expect(messages('{{ if $value }}x')).toEqual([['error', 'unexpected EOF: {{if}} has no matching {{end}}']]);
      expect(messages('x{{ end }}')).toEqual([['error', 'unexpected {{end}}']]);
      expect(messages('{{ else }}')).toEqual([['error', 'unexpected {{else}}']]);
      expect(messages('{{ break }}')).toEqual([['error', '{{break}} outside {{range}}']]);
      expect(messages('{{ if }}{{ end }}')).toEqual([['error', 'missing value for if']]);
    });
    it('4: lexical errors', () => {
      expect(messages('{{ "abc }}')).toEqual([['error', 'unterminated quoted string']]);
      expect(messages('{{ (len $labels }}')).toEqual([['error', 'unclosed left paren']]);
      expect(messages('{{ len $labels) }}')).toEqual([['error', 'unexpected right paren ")"']]);
      expect(messages('{{ }}')).toEqual([['error', 'missing value for command']]);
      expect(messages('{{/* open ')).toEqual([['error', 'unclosed comment']]);
      expect(messages('{{ $value # }}')).toEqual([['error', 'unexpected "#" in command']]);
    });
    it('5: unknown functions are warnings', () => {
      expect(messages('{{ $value | humanise }}')).toEqual([['warning', 'function "humanise" not defined']]);
    });
  });

  it('never throws', () => {
    const alphabet = fc.constantFrom('{{', '}}', '{{-', ' -}}', '$labels', '.pod', 'if', 'end', 'range', '"', '`', '(', ')', ' ', 'x', '/*', '*/', '|', ':=', '$v');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 20 }), (parts) => {
      expect(() => checkGoTemplate(parts.join(''))).not.toThrow();
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.string(), (s) => {
      expect(() => checkGoTemplate(s)).not.toThrow();
    }));
  });
});
