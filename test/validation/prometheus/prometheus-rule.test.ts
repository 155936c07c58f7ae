import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { IstioMtlsValidation } from '../../../src/cdk8s/validation-plugin';
import { Finding } from '../../../src/model/finding';
import { Manifest, refOf } from '../../../src/model/manifest';
import {
  decodeRuleSpec, PROMETHEUS_RULES, PrometheusRuleOptions, renderedRulesSize, renderRules, validatePrometheusRule,
} from '../../../src/validation/prometheus';
import { cli } from '../../cli/support';
import { REALWORLD, SHARED } from '../../realworld';


function validate(m: unknown, options: PrometheusRuleOptions = {}): Finding[] {
  return validatePrometheusRule(m as Manifest, refOf((m ?? {}) as Manifest), options);
}

const UTF8: PrometheusRuleOptions = { nameValidationScheme: 'utf8' };

function rule(spec: unknown): Record<string, unknown> {
  return { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r', namespace: 'monitoring' }, spec };
}

/** One group holding the given rules. */
function withRules(...rules: unknown[]): Record<string, unknown> {
  return rule({ groups: [{ name: 'g', rules }] });
}

function codes(m: unknown, options: PrometheusRuleOptions = {}): string[] {
  return validate(m, options).map((f) => f.code);
}

const ALERT = { alert: 'Up', expr: 'up == 0', for: '5m' };

function prometheusRulesIn(text: string): Manifest[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Manifest).filter((m) => m && m.kind === 'PrometheusRule');
}

describe('validatePrometheusRule', () => {
  describe('Compliance', () => {
    it('accepts a complete, valid rule set', () => {
      expect(validate(rule({
        groups: [
          {
            name: 'istio.mtls',
            interval: '1m',
            query_offset: '30s',
            limit: 10,
            labels: { team: 'platform' },
            rules: [
              { record: 'namespace:istio_requests_plaintext:rate5m', expr: 'sum by (destination_workload_namespace) (rate(istio_requests_total{connection_security_policy!="mutual_tls"}[5m]))' },
              { record: 'job:up:sum', expr: 'sum by (job) (up)', for: '0s', labels: { source: 'recording' } },
              {
                alert: 'PlaintextTraffic',
                expr: 'namespace:istio_requests_plaintext:rate5m > 0\n  and on(destination_workload_namespace)\n  (time() - process_start_time_seconds offset 1h) > 600\n',
                for: '10m',
                keep_firing_for: '5m',
                labels: { severity: 'warning', namespace: '{{ $labels.destination_workload_namespace }}' },
                annotations: {
                  summary: 'Plaintext traffic in {{ $labels.destination_workload_namespace }}',
                  description: '{{ $value | humanize }} req/s without mTLS; {{ if gt $value 1.0 }}high{{ else }}low{{ end }}',
                },
              },
              { alert: 'CertChain', expr: 'histogram_quantile(0.99, sum(rate(citadel_server_csr_sign_duration_bucket[5m] @ end())) by (le))', for: '' },
              { alert: 'Subquery', expr: 'max_over_time(rate(istio_requests_total[5m])[1h:5m]) > 100' },
              { alert: 'NumberExpr', expr: 1 },
            ],
          },
          { name: 'empty-interval', interval: '', rules: [] },
        ],
      }))).toEqual([]);
    });

    it('accepts duplicate rule names (Prometheus does)', () => {
      expect(validate(withRules({ record: 'a', expr: 'vector(1)' }, { record: 'a', expr: 'vector(2)' }, ALERT, ALERT))).toEqual([]);
    });

    it('accepts the PrometheusRules of coralogix-operator (real world)', () => {
      const dir = path.join(REALWORLD, 'coralogix__coralogix-operator');
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
      expect(files.length).toBeGreaterThan(0);
      let count = 0;
      for (const f of files) {
        for (const m of prometheusRulesIn(fs.readFileSync(path.join(dir, f), 'utf8'))) {
          count++;
          expect({ f, findings: validate(m) }).toEqual({ f, findings: [] });
        }
      }
      expect(count).toBe(3);
    });

    it('accepts the stability alerts of istio/tools (real world, 24 expressions)', () => {
      const file = path.join(REALWORLD, 'istio__tools', 'perf__stability__alertmanager__prometheusrule.yaml');
      const rules = prometheusRulesIn(fs.readFileSync(file, 'utf8'));
      expect(rules.length).toBeGreaterThan(0);
      for (const m of rules) expect(validate(m)).toEqual([]);
    });

    it('accepts the certificate alert of the guide', () => {
      const guide = fs.readFileSync(path.join(SHARED, 'seed', 'istio-mtls-guide.md'), 'utf8');
      const blocks = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
      const rules = blocks.flatMap(prometheusRulesIn);
      expect(rules.map((m) => m.metadata?.name)).toEqual(['istio-certificate-alerts']);
      expect(validate(rules[0])).toEqual([]);
    });

    it('accepts what the operator\'s types render as a valid rule: no groups, null values, a missing expr (the int 0)', () => {
      expect(validate(rule(undefined))).toEqual([]);
      expect(validate(rule({}))).toEqual([]);
      expect(validate(rule({ groups: [{ name: 'g', labels: null, rules: [{ alert: 'A', expr: 'up', labels: { a: null } }] }] }))).toEqual([]);
      expect(validate(withRules({ alert: 'A' }))).toEqual([]);
    });
  });

  describe('Noncompliance', () => {
    it('1: IMV701 fails on a group without a name', () => {
      const [f] = validate(rule({ groups: [{ name: '', rules: [] }] }));
      expect(f).toMatchObject({ code: 'IMV701', severity: 'error', category: 'promql', path: '/spec/groups/0/name' });
      expect(f.message).toBe('spec.groups[0].name is empty: Groupname must not be empty');
      expect(codes(rule({ groups: [{ rules: [] }] }))).toEqual(['IMV701']);
    });

    it('2: IMV702 fails on a repeated group name', () => {
      const [f] = validate(rule({ groups: [{ name: 'a', rules: [] }, { name: 'b', rules: [] }, { name: 'a', rules: [] }] }));
      expect(f).toMatchObject({ code: 'IMV702', path: '/spec/groups/2/name' });
      expect(f.message).toBe('groupname "a" is repeated in the same PrometheusRule (first at spec.groups[0])');
    });

    it('3: IMV703 fails on invalid durations in every duration field', () => {
      const fs3 = validate(rule({
        groups: [{
          name: 'g',
          interval: '1.5m',
          query_offset: '',
          rules: [{ alert: 'A', expr: 'up', for: '5', keep_firing_for: '1h-5m' }],
        }],
      }));
      expect(fs3.map((f) => [f.code, f.path])).toEqual([
        ['IMV703', '/spec/groups/0/interval'],
        ['IMV703', '/spec/groups/0/query_offset'],
        ['IMV703', '/spec/groups/0/rules/0/for'],
        ['IMV703', '/spec/groups/0/rules/0/keep_firing_for'],
      ]);
      expect(fs3[0].message).toBe('interval of group "g" is "1.5m": unknown unit "." in duration "1.5m"; expected a Prometheus duration such as "30s", "5m" or "1h30m"');
      expect(fs3[2].message).toBe('for of alert "A" in group "g" is "5": not a valid duration string: "5"; expected a Prometheus duration such as "30s", "5m" or "1h30m"');
      expect(fs3[2].fix).toBe('add a unit: "5s" or "5m"');
    });

    it('4: IMV704 fails on a rule with both or neither of record and alert', () => {
      const both = validate(withRules({ record: 'a', alert: 'B', expr: 'up' }));
      expect(both.map((f) => f.code)).toEqual(['IMV704']);
      expect(both[0].message).toBe('alert "B" in group "g" sets both record and alert: only one of \'record\' and \'alert\' must be set');
      expect(codes(withRules({ expr: 'up' }))).toEqual(['IMV704']);
    });

    it('5: IMV705 fails on a rule with an empty expr', () => {
      const [f] = validate(withRules({ alert: 'A', expr: '' }));
      expect(f).toMatchObject({ code: 'IMV705', path: '/spec/groups/0/rules/0/expr' });
      expect(f.message).toBe('alert "A" in group "g" has no expr: field \'expr\' must be set in rule');
    });

    it('6: IMV706 fails on a PromQL syntax error, with line and column', () => {
      const [f] = validate(withRules({ alert: 'A', expr: 'sum(\n  rate(x[5m])\n' }));
      expect(f).toMatchObject({ code: 'IMV706', severity: 'error', path: '/spec/groups/0/rules/0/expr' });
      expect(f.message).toMatch(/^expr of alert "A" in group "g" does not parse at line \d+, column \d+/);
    });

    it('7: IMV707 fails on expressions Prometheus\' parser rejects', () => {
      const [f] = validate(withRules({ alert: 'A', expr: 'foo(bar)' }));
      expect(f).toMatchObject({ code: 'IMV707', severity: 'error', path: '/spec/groups/0/rules/0/expr' });
      expect(f.message).toMatch(/^expr of alert "A" in group "g" is rejected by the PromQL parser at line 1, column 1 near "foo": /);
    });

    it('8: IMV708 fails on experimental PromQL', () => {
      const [f] = validate(withRules({ record: 'x', expr: 'sort_by_label(up, "job")' }));
      expect(f).toMatchObject({ code: 'IMV708', severity: 'error' });
      expect(f.message).toBe('expr of record "x" in group "g" uses an experimental PromQL feature at line 1, column 1 near "sort_by_label": function "sort_by_label" is not enabled');
    });

    it('9: IMV707 fails on a regex that RE2 rejects (IMV709, "may not compile", is retired: regexes are parsed as RE2 does)', () => {
      const fs9 = validate(withRules({ record: 'x', expr: 'up{job=~"(a"}' }));
      expect(fs9.map((f) => [f.code, f.severity, f.message])).toEqual([['IMV707', 'error',
        'expr of record "x" in group "g" is rejected by the PromQL parser at line 1, column 4 near "job=~\\"(a\\"": error parsing regexp: missing closing ): `(a`']]);
    });

    it('10: IMV710 warns on a rule that evaluates to a range vector', () => {
      const [f] = validate(withRules({ record: 'x', expr: 'up[5m]' }));
      expect(f).toMatchObject({ code: 'IMV710', severity: 'warning' });
      expect(f.message).toBe('expr of record "x" in group "g" evaluates to a range vector; a rule needs an instant vector or a scalar');
    });

    it('11: IMV711 fails on an invalid recording rule name', () => {
      const fs11 = validate(withRules({ record: 'errors{job="a"}', expr: 'up' }));
      expect(fs11.map((f) => f.message)).toEqual([
        'invalid recording rule name: "errors{job=\\"a\\"}" (record "errors{job="a"}" in group "g"): not a metric name under the webhook\'s legacy name validation scheme ([a-zA-Z_:][a-zA-Z0-9_:]*)',
        'braces present in the recording rule name; should it be in expr?: errors{job="a"}',
      ]);
      // Braces are rejected under the UTF-8 scheme too.
      expect(validate(withRules({ record: 'errors{job="a"}', expr: 'up' }), UTF8).map((f) => [f.code, f.severity])).toEqual([['IMV711', 'error']]);
      expect(codes(withRules({ record: 'x\uD800', expr: 'up' }), UTF8)).toEqual(['IMV711']);
      const [dotted] = validate(withRules({ record: 'istio.requests:rate5m', expr: 'up' }));
      expect(dotted).toMatchObject({ code: 'IMV711', severity: 'error', path: '/spec/groups/0/rules/0/record' });
      expect(dotted.fix).toBe('use a metric name such as "istio_requests:rate5m" (level:metric:operations), or, if your webhook runs with --name-validation-scheme=utf8, validate with nameValidationScheme \'utf8\'');
    });

    it('12: IMV712 fails on for / keep_firing_for in a recording rule', () => {
      const fs12 = validate(withRules({ record: 'x', expr: 'up', for: '5m', keep_firing_for: '1m' }));
      expect(fs12.map((f) => [f.code, f.path])).toEqual([
        ['IMV712', '/spec/groups/0/rules/0/for'],
        ['IMV712', '/spec/groups/0/rules/0/keep_firing_for'],
      ]);
      expect(fs12[0].message).toBe('record "x" in group "g": invalid field \'for\' in recording rule (5m)');
    });

    it('13: IMV713 fails on annotations in a recording rule', () => {
      expect(codes(withRules({ record: 'x', expr: 'up', annotations: { summary: 's' } }))).toEqual(['IMV713']);
      expect(codes(withRules({ record: 'x', expr: 'up', annotations: {} }))).toEqual([]);
    });

    it('14: IMV714 fails on invalid label names, including __name__', () => {
      const fs14 = validate(rule({ groups: [{ name: 'g', labels: { '': 'x' }, rules: [{ ...ALERT, labels: { '__name__': 'x', 'app.kubernetes.io/part-of': 'mesh' } }] }] }));
      expect(fs14.map((f) => [f.code, f.path])).toEqual([
        ['IMV714', '/spec/groups/0/labels/'],
        ['IMV714', '/spec/groups/0/rules/0/labels/__name__'],
        ['IMV714', '/spec/groups/0/rules/0/labels/app.kubernetes.io~1part-of'],
      ]);
      expect(fs14[0].message).toBe('invalid label name: "" in labels of group "g": empty');
      expect(fs14[1].message).toBe('invalid label name: "__name__" in labels of alert "Up" in group "g"');
      expect(fs14[2].message).toBe('invalid label name: "app.kubernetes.io/part-of" in labels of alert "Up" in group "g": not a label name under the webhook\'s legacy name validation scheme ([a-zA-Z_][a-zA-Z0-9_]*)');
      expect(codes(rule({ groups: [{ name: 'g', labels: { '': 'x' }, rules: [{ ...ALERT, labels: { __name__: 'x' } }] }] }), UTF8)).toEqual(['IMV714', 'IMV714']);
    });

    it('15: IMV715 fails on a label value that is not valid UTF-8', () => {
      expect(codes(withRules({ ...ALERT, labels: { a: 'bad \uDC00' } }))).toEqual(['IMV715']);
    });

    it('16: IMV716 fails on an invalid annotation name', () => {
      expect(codes(withRules({ ...ALERT, annotations: { '': 'x' } }), UTF8)).toEqual(['IMV716']);
      const [f] = validate(withRules({ ...ALERT, annotations: { 'runbook-url': 'x' } }));
      expect(f).toMatchObject({ code: 'IMV716', severity: 'error', path: '/spec/groups/0/rules/0/annotations/runbook-url' });
      expect(f.message).toBe('invalid annotation name: "runbook-url" on alert "Up" in group "g": not a label name under the webhook\'s legacy name validation scheme ([a-zA-Z_][a-zA-Z0-9_]*)');
    });

    it('17: IMV717 warns, under the UTF-8 scheme, on names only that scheme accepts', () => {
      const manifest = withRules(
        { ...ALERT, labels: { 'app.kubernetes.io/part-of': 'mesh' }, annotations: { 'runbook-url': 'x' } },
        { record: 'istio.requests:rate5m', expr: 'up' },
      );
      const fs17 = validate(manifest, UTF8);
      expect(fs17.map((f) => [f.code, f.severity, f.path])).toEqual([
        ['IMV717', 'warning', '/spec/groups/0/rules/0/labels/app.kubernetes.io~1part-of'],
        ['IMV717', 'warning', '/spec/groups/0/rules/0/annotations/runbook-url'],
        ['IMV717', 'warning', '/spec/groups/0/rules/1/record'],
      ]);
      expect(fs17[0].message).toBe('label name "app.kubernetes.io/part-of" in labels of alert "Up" in group "g" is valid only under the UTF-8 name validation scheme; '
        + 'Prometheus before 3.0 and Thanos Ruler before 0.38 validate names under the legacy scheme: the operator leaves the rules out of their configuration');
      expect(fs17[0].fix).toBe('use "app_kubernetes_io_part_of" to work everywhere');
      // Under the legacy default the same names are errors.
      expect(validate(manifest).map((f) => [f.code, f.severity])).toEqual([['IMV714', 'error'], ['IMV716', 'error'], ['IMV711', 'error']]);
    });

    it('18: IMV718 fails on alert templates that do not parse', () => {
      const [f] = validate(withRules({ ...ALERT, annotations: { description: 'pod {{ $labels.pod ' } }));
      expect(f).toMatchObject({ code: 'IMV718', severity: 'error', path: '/spec/groups/0/rules/0/annotations/description' });
      expect(f.message).toBe('template of annotation "description" of alert "Up" in group "g" does not parse at line 1, column 5 near "{{ $labels.pod ": unclosed action');
      expect(codes(withRules({ ...ALERT, labels: { team: '{{ $label.team }}' } }))).toEqual(['IMV718']);
      // Recording rules are not templated.
      expect(codes(withRules({ record: 'x', expr: 'up', labels: { team: '{{' } }))).toEqual([]);
    });

    it('19: IMV719 fails on unknown template functions', () => {
      const [f] = validate(withRules({ ...ALERT, annotations: { d: '{{ $value | humanise }}' } }));
      expect(f).toMatchObject({ code: 'IMV719', severity: 'error', path: '/spec/groups/0/rules/0/annotations/d' });
      expect(f.message).toBe('template of annotation "d" of alert "Up" in group "g" does not parse at line 1, column 13 near "humanise }}": function "humanise" not defined');
    });

    it('22: IMV722 says a template nested deeper than the checker parses was not checked; past Go\'s limit it is IMV718', () => {
      const nested = (n: number) => `{{ ${'('.repeat(n)}printf "%f" $value${')'.repeat(n)} }}`;
      expect(codes(withRules({ ...ALERT, annotations: { d: nested(1000) } }))).toEqual([]);
      const [f] = validate(withRules({ ...ALERT, annotations: { d: nested(1001) } }));
      expect(f).toMatchObject({ code: 'IMV722', severity: 'warning', path: '/spec/groups/0/rules/0/annotations/d' });
      expect(f.message).toBe('template of annotation "d" of alert "Up" in group "g" was not checked: its parentheses nest more than 1000 levels deep, '
        + 'deeper than this checker parses');
      expect(codes(withRules({ ...ALERT, annotations: { d: nested(10_000) } }))).toEqual(['IMV722']);
      // text/template/parse's maxStackDepth: the 10,001st parenthesis is an error, reported where it opens.
      const [g] = validate(withRules({ ...ALERT, annotations: { d: nested(10_001) } }));
      expect(g).toMatchObject({ code: 'IMV718', severity: 'error' });
      expect(g.message).toMatch(/at line 1, column 10004 near .*: max expression depth exceeded$/);
    });

    it('20: IMV720 fails when the rendered rules exceed the operator limit, to the byte', () => {
      const big = 'x'.repeat(300_000);
      const [f] = validate(rule({ groups: [{ name: 'g', rules: [{ ...ALERT, annotations: { a: big, b: big } }] }] }));
      expect(f.code).toBe('IMV720');
      expect(f.message).toBe('the length of rendered Prometheus Rule is 600108 bytes which is above the maximum limit of 524288 bytes');
      // "groups:\n- name: g\n  rules:\n  - alert: Up\n    expr: up == 0\n    for: 5m\n    annotations:\n      a: " is 97 bytes, then the value and "\n".
      const fits = (n: number) => rule({ groups: [{ name: 'g', rules: [{ ...ALERT, annotations: { a: 'x'.repeat(n) } }] }] });
      expect(codes(fits(524288 - 98))).toEqual([]);
      expect(codes(fits(524288 - 97))).toEqual(['IMV720']);
      // Every field counts, durations too (here an invalid one, which the CRD schema would stop first).
      expect(codes(withRules({ ...ALERT, for: '5'.repeat(600_000) }))).toEqual(['IMV720', 'IMV703']);
      // Escapes: go-yaml writes a 4-byte character as \UXXXXXXXX, 10 bytes.
      expect(codes(withRules({ ...ALERT, annotations: { a: '🚀'.repeat(52_420) } }))).toEqual(['IMV720']);
      expect(codes(withRules({ ...ALERT, annotations: { a: '🚀'.repeat(52_410) } }))).toEqual([]);
    });

    it('21: IMV721 fails on values the webhook cannot decode into the operator\'s types', () => {
      const fs21 = validate(rule({ groups: [{ name: 5, limit: 1.5, rules: [{ alert: 7, expr: 3_000_000_000 }, { record: ['x'], expr: true, labels: { a: 1 } }] }] }));
      expect(fs21.filter((f) => f.code === 'IMV721').map((f) => [f.path, f.message])).toEqual([
        ['/spec/groups/0/rules/0/alert', 'the webhook cannot decode the PrometheusRule: json: cannot unmarshal number 7 into Go struct field Rule.spec.groups.rules.alert of type string'],
        ['/spec/groups/0/rules/0/expr', 'the webhook cannot decode the PrometheusRule: json: cannot unmarshal number 3000000000 into Go value of type int32'],
        ['/spec/groups/0/rules/1/record', 'the webhook cannot decode the PrometheusRule: json: cannot unmarshal array into Go struct field Rule.spec.groups.rules.record of type string'],
        ['/spec/groups/0/rules/1/expr', 'the webhook cannot decode the PrometheusRule: json: cannot unmarshal bool into Go value of type int32'],
        ['/spec/groups/0/rules/1/labels/a', 'the webhook cannot decode the PrometheusRule: json: cannot unmarshal number 1 into Go struct field Rule.spec.groups.rules.labels of type string'],
        ['/spec/groups/0/name', 'the webhook cannot decode the PrometheusRule: json: cannot unmarshal number 5 into Go struct field RuleGroup.spec.groups.name of type string'],
        ['/spec/groups/0/limit', 'the webhook cannot decode the PrometheusRule: json: cannot unmarshal number 1.5 into Go struct field RuleGroup.spec.groups.limit of type int'],
      ]);
      expect(codes(rule({ groups: 'x' }))).toEqual(['IMV721']);
      expect(codes(rule({ groups: [1] }))).toEqual(['IMV721']);
      expect(codes(rule('spec'))).toEqual(['IMV721']);
    });
  });

  describe('the name validation scheme option', () => {
    const yamlRule = [
      'apiVersion: monitoring.coreos.com/v1', 'kind: PrometheusRule', 'metadata: {name: r, namespace: monitoring}',
      'spec:', '  groups:', '  - name: g', '    rules:', '    - alert: Up', '      expr: up == 0', '      annotations: {runbook-url: "https://runbooks/up"}', '',
    ].join('\n');

    it('fails with a clear error on a bad value, through the API, the CLI and the cdk8s plugin', () => {
      expect(() => validate(withRules(ALERT), { nameValidationScheme: 'UTF-8' as 'utf8' }))
        .toThrow('nameValidationScheme must be \'legacy\' or \'utf8\' (the webhook\'s --name-validation-scheme), got "UTF-8"');
      for (const command of ['lint', 'explain']) {
        const r = cli([command, '--name-validation-scheme', 'utf-8', '-'], yamlRule);
        expect([r.code, r.stderr]).toEqual([2, 'istio-mtls: --name-validation-scheme must be legacy or utf8 (prometheus-operator\'s webhook flag), got "utf-8"\n']);
      }
      expect(() => new IstioMtlsValidation({ nameValidationScheme: 'utf-8' as 'utf8' }))
        .toThrow('IstioMtlsValidation: property \'nameValidationScheme\' must be \'legacy\' or \'utf8\' (prometheus-operator\'s --name-validation-scheme), got "utf-8"');
    });

    it('is legacy by default and utf8 on request in lint', () => {
      const legacy = cli(['lint', '--no-analysis', '--format', 'json', '-'], yamlRule);
      expect(legacy.code).toBe(1);
      expect(legacy.stdout).toContain('IMV716');
      const utf8 = cli(['lint', '--no-analysis', '--format', 'json', '--name-validation-scheme', 'utf8', '-'], yamlRule);
      expect(utf8.code).toBe(0);
      expect(utf8.stdout).toContain('IMV717');
      expect(utf8.stdout).not.toContain('IMV716');
    });
  });

  it('documents every code, and every documented code can be emitted', () => {
    const documented = PROMETHEUS_RULES.map((r) => r.code);
    expect(new Set(documented).size).toBe(documented.length);
    for (const r of PROMETHEUS_RULES) {
      expect(r.code).toMatch(/^IMV7\d\d$/);
      expect(r.category).toBe('promql');
      expect(r.explanation.length).toBeGreaterThan(20);
    }
    const emitted = new Set<string>();
    const samples = [
      rule({ groups: [{ name: '', rules: [] }, { name: 'a', rules: [] }, { name: 'a', interval: '1', rules: [] }] }),
      withRules({ record: 'a', alert: 'b', expr: 'up' }, { alert: 'A' }, { alert: 'A', expr: 'up +' }, { alert: 'A', expr: 'rate(x)' }),
      withRules({ record: 'x', expr: 'limitk(1, x)' }, { record: 'x', expr: 'up{a=~"("}' }, { record: 'x', expr: 'up[1m]' }),
      withRules({ record: 'x{}', expr: 'up', for: '1m', annotations: { a: 'b' }, labels: { '': 'x', 'a.b': '\uD800' } }),
      withRules({ alert: 'A', expr: 'up', annotations: { '': '{{ if }}', 'b': '{{ nope }}', 'c': `{{ ${'('.repeat(1001)}1${')'.repeat(1001)} }}` } }),
      rule({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up', annotations: { a: 'x'.repeat(600_000) } }] }] }),
      withRules({ alert: 'A', expr: 'up', labels: { 'a.b': 'x' } }, { alert: 'B', expr: 2 ** 40 }, { alert: 'C', expr: '' }),
    ];
    for (const s of samples) for (const f of [...validate(s), ...validate(s, UTF8)]) emitted.add(f.code);
    expect([...emitted].sort()).toEqual([...documented].sort());
  });

  it('is deterministic, never throws and never fails internally, whatever the types', () => {
    const m = withRules({ alert: 'A', expr: 'rate(x) +', labels: { b: '{{', a: '{{' } });
    expect(validate(m)).toEqual(validate(JSON.parse(JSON.stringify(m))));
    // A crash inside the layer comes back as an "internal error" finding.
    const internal = (x: unknown) => validate(x).filter((f) => f.message.startsWith('internal error'));
    fc.assert(fc.property(fc.anything(), (spec) => {
      expect(internal(rule(spec))).toEqual([]);
      expect(internal(spec)).toEqual([]);
    }));
    const ruleArb = fc.record({
      alert: fc.option(fc.string()),
      record: fc.option(fc.string()),
      expr: fc.anything(),
      for: fc.anything(),
      keep_firing_for: fc.anything(),
      labels: fc.dictionary(fc.string(), fc.anything()),
      annotations: fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.string())),
    });
    fc.assert(fc.property(fc.array(ruleArb, { maxLength: 4 }), fc.anything(), fc.anything(), (rules, name, limit) => {
      expect(internal(rule({ groups: [{ name, interval: name, query_offset: name, limit, labels: name, rules }] }))).toEqual([]);
    }));
  });
});

describe('renderRules (the operator\'s rendering of the rule file, for its size)', () => {
  it('renders as go-yaml v2 emits it: quoting, escapes, literal blocks and folding at 80 columns', () => {
    const { groups } = decodeRuleSpec({
      groups: [{
        name: 'g',
        interval: '',
        rules: [{
          alert: 'A',
          expr: 'sum(x)\n/\nsum(y)\n',
          labels: { yes: 'yes', n: '10', empty: '', colon: 'a: b' },
          annotations: { emoji: 'go 🚀', long: 'word '.repeat(20) },
        }, { record: 'r', expr: 5 }],
      }],
    });
    expect(renderRules(groups)).toBe([
      'groups:',
      '- name: g',
      '  rules:',
      '  - alert: A',
      // A string with a line break is a literal block; its final break keeps the default chomping.
      '    expr: |',
      '      sum(x)',
      '      /',
      '      sum(y)',
      '    labels:',
      // Strings that would read back as something else (YAML 1.1: n is false) are double-quoted; ": " forbids plain style.
      '      colon: \'a: b\'',
      '      empty: ""',
      '      "n": "10"',
      '      "yes": "yes"',
      '    annotations:',
      // go-yaml does not print 4-byte characters: it escapes them.
      '      emoji: "go \\U0001F680"',
      // A trailing space forbids plain style; single-quoted scalars fold at the first space past column 80.
      '      long: \'word word word word word word word word word word word word word word',
      '        word word word word word word \'',
      '  - record: r',
      '    expr: 5',
      '',
    ].join('\n'));
    expect(renderedRulesSize(groups)).toBe(Buffer.byteLength(renderRules(groups)));
    expect(renderRules([])).toBe('{}\n');
  });
});
