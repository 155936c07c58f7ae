/*
 * checkGoTemplate, our port of Go's text/template parser, against Go's own
 * parser tests (text/template/parse/parse_test.go, Go 1.23 and later: "else
 * with" chains) as data: TestParse (parseTests), TestErrors (errorTests) and
 * TestNumberParse (numberTests, each number put in an action).
 *
 * Upstream cases not ported:
 * | source | case | reason |
 * | parse_test.go TestParse | the printed tree (result column) | we keep the verdict, not Go's tree; the ok column is compared |
 * | parse_test.go TestNumberParse | int/uint/float/complex values | the value does not change whether the template parses |
 * | parse_test.go TestParseWithComments, TestSkipFuncCheck | all | parse modes rulefmt does not use |
 * | parse_test.go TestKeywordsAndFuncs | "break" as a function | neither Go's builtins nor Prometheus define a function named break |
 * | parse_test.go TestIsEmpty, TestBlock, TestLineNum, TestErrorContextWithTreeCopy | all | tree shape, line numbers, copies |
 * Function names: Go's tests give the parser printf and contains (parseTests) or
 * no functions (errorTests); rulefmt gives Go's builtins and Prometheus'. The
 * rows only call printf, defined in both, or names defined in neither.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGoTemplate, TEMPLATE_FUNCTIONS } from '../../../src/validation/prometheus/go-template';

const PARSE_TEST = 'text/template/parse/parse_test.go';

function verdict(text: string): string {
  const p = checkGoTemplate(text, 'A');
  return p ? `${p.kind}: ${p.message}` : 'ok';
}

/** parseTests: name, input, whether Go parses it. */
const PARSE_TESTS: readonly [string, string, boolean][] = [
  ['empty', '', true],
  ['comment', '{{/*\n\n\n*/}}', true],
  ['spaces', ' \t\n', true],
  ['text', 'some text', true],
  ['emptyAction', '{{}}', false],
  ['field', '{{.X}}', true],
  ['simple command', '{{printf}}', true],
  ['$ invocation', '{{$}}', true],
  ['variable invocation', '{{with $x := 3}}{{$x 23}}{{end}}', true],
  ['variable with fields', '{{$.I}}', true],
  ['multi-word command', '{{printf `%d` 23}}', true],
  ['pipeline', '{{.X|.Y}}', true],
  ['pipeline with decl', '{{$x := .X|.Y}}', true],
  ['nested pipeline', '{{.X (.Y .Z) (.A | .B .C) (.E)}}', true],
  ['field applied to parentheses', '{{(.Y .Z).Field}}', true],
  ['simple if', '{{if .X}}hello{{end}}', true],
  ['if with else', '{{if .X}}true{{else}}false{{end}}', true],
  ['if with else if', '{{if .X}}true{{else if .Y}}false{{end}}', true],
  ['if else chain', '+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+', true],
  ['simple range', '{{range .X}}hello{{end}}', true],
  ['chained field range', '{{range .X.Y.Z}}hello{{end}}', true],
  ['nested range', '{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}', true],
  ['range with else', '{{range .X}}true{{else}}false{{end}}', true],
  ['range over pipeline', '{{range .X|.M}}true{{else}}false{{end}}', true],
  ['range []int', '{{range .SI}}{{.}}{{end}}', true],
  ['range 1 var', '{{range $x := .SI}}{{.}}{{end}}', true],
  ['range 2 vars', '{{range $x, $y := .SI}}{{.}}{{end}}', true],
  ['range with break', '{{range .SI}}{{.}}{{break}}{{end}}', true],
  ['range with continue', '{{range .SI}}{{.}}{{continue}}{{end}}', true],
  ['constants', '{{range .SI 1 -3.2i true false \'a\' nil}}{{end}}', true],
  ['template', '{{template `x`}}', true],
  ['template with arg', '{{template `x` .Y}}', true],
  ['with', '{{with .X}}hello{{end}}', true],
  ['with with else', '{{with .X}}hello{{else}}goodbye{{end}}', true],
  ['with with else with', '{{with .X}}hello{{else with .Y}}goodbye{{end}}', true],
  ['with else chain', '{{with .X}}X{{else with .Y}}Y{{else with .Z}}Z{{end}}', true],
  ['trim left', 'x \r\n\t{{- 3}}', true],
  ['trim right', '{{3 -}}\n\n\ty', true],
  ['trim left and right', 'x \r\n\t{{- 3 -}}\n\n\ty', true],
  ['trim with extra spaces', 'x\n{{-  3   -}}\ny', true],
  ['comment trim left', 'x \r\n\t{{- /* hi */}}', true],
  ['comment trim right', '{{/* hi */ -}}\n\n\ty', true],
  ['comment trim left and right', 'x \r\n\t{{- /* */ -}}\n\n\ty', true],
  ['block definition', '{{block "foo" .}}hello{{end}}', true],
  ['newline in assignment', '{{ $x \n := \n 1 \n }}', true],
  ['newline in empty action', '{{\n}}', false],
  ['newline in pipeline', '{{\n"x"\n|\nprintf\n}}', true],
  ['newline in comment', '{{/*\nhello\n*/}}', true],
  ['newline in comment (trimmed)', '{{-\n/*\nhello\n*/\n-}}', true],
  ['spaces around continue', '{{range .SI}}{{.}}{{ continue }}{{end}}', true],
  ['spaces around break', '{{range .SI}}{{.}}{{ break }}{{end}}', true],
  ['unclosed action', 'hello{{range', false],
  ['unmatched end', '{{end}}', false],
  ['unmatched else', '{{else}}', false],
  ['unmatched else after if', '{{if .X}}hello{{end}}{{else}}', false],
  ['multiple else', '{{if .X}}1{{else}}2{{else}}3{{end}}', false],
  ['missing end', 'hello{{range .x}}', false],
  ['missing end after else', 'hello{{range .x}}{{else}}', false],
  ['undefined function', 'hello{{undefined}}', false],
  ['undefined variable', '{{$x}}', false],
  ['variable undefined after end', '{{with $x := 4}}{{end}}{{$x}}', false],
  ['variable undefined in template', '{{template $v}}', false],
  ['declare with field', '{{with $x.Y := 4}}{{end}}', false],
  ['template with field ref', '{{template .X}}', false],
  ['template with var', '{{template $v}}', false],
  ['invalid punctuation', '{{printf 3, 4}}', false],
  ['multidecl outside range', '{{with $v, $u := 3}}{{end}}', false],
  ['too many decls in range', '{{range $u, $v, $w := 3}}{{end}}', false],
  ['dot applied to parentheses', '{{printf (printf .).}}', false],
  ['adjacent args', '{{printf 3`x`}}', false],
  ['adjacent args with .', '{{printf `x`.}}', false],
  ['extra end after if', '{{if .X}}a{{else if .Y}}b{{end}}{{end}}', false],
  ['break outside range', '{{range .}}{{end}} {{break}}', false],
  ['continue outside range', '{{range .}}{{end}} {{continue}}', false],
  ['break in range else', '{{range .}}{{else}}{{break}}{{end}}', false],
  ['continue in range else', '{{range .}}{{else}}{{continue}}{{end}}', false],
  ['bug0a', '{{$x := 0}}{{$x}}', true],
  ['bug0b', '{{$x += 1}}{{$x}}', false],
  ['bug0c', '{{$x ! 2}}{{$x}}', false],
  ['bug0d', '{{$x % 3}}{{$x}}', false],
  ['bug0e', '{{range $x := $y := 3}}{{end}}', false],
  ['bug1a', '{{$x:=.}}{{$x!2}}', false],
  ['bug1b', '{{$x:=.}}{{$x+2}}', false],
  ['bug1c', '{{$x:=.}}{{$x +2}}', true],
  ['bug2a', '{{range $x := 0}}{{$x}}{{end}}', true],
  ['bug2b', '{{range $x = 0}}{{$x}}{{end}}', true],
  ['dot after integer', '{{1.E}}', false],
  ['dot after float', '{{0.1.E}}', false],
  ['dot after boolean', '{{true.E}}', false],
  ['dot after char', '{{\'a\'.any}}', false],
  ['dot after string', '{{"hello".guys}}', false],
  ['dot after dot', '{{..E}}', false],
  ['dot after nil', '{{nil.E}}', false],
  ['wrong pipeline dot', '{{12|.}}', false],
  ['wrong pipeline number', '{{.|12|printf}}', false],
  ['wrong pipeline string', '{{.|printf|"error"}}', false],
  ['wrong pipeline char', '{{12|printf|\'e\'}}', false],
  ['wrong pipeline boolean', '{{.|true}}', false],
  ['wrong pipeline nil', '{{\'c\'|nil}}', false],
  ['empty pipeline', '{{printf "%d" ( ) }}', false],
  ['block definition without pipeline', '{{block "foo"}}hello{{end}}', false],
];

/** errorTests: name, input, text Go's error contains (its "NAME:LINE:" prefix left out). */
const ERROR_TESTS: readonly [string, string, string][] = [
  ['unclosed1', 'line1\n{{', 'unclosed action'],
  ['unclosed2', 'line1\n{{define `x`}}line2\n{{', 'unclosed action'],
  ['unclosed3', 'line1\n{{"x"\n"y"\n', 'unclosed action'],
  ['unclosed4', '{{\n\n\n\n\n', 'unclosed action'],
  ['var1', 'line1\n{{\nx\n}}', 'function "x" not defined'],
  ['function', '{{foo}}', 'function "foo" not defined'],
  ['comment1', '{{/*}}', 'unclosed comment'],
  ['comment2', '{{/*\nhello\n}}', 'unclosed comment'],
  ['lparen', '{{.X (1 2 3}}', 'unclosed left paren'],
  ['rparen', '{{.X 1 2 3 ) }}', 'unexpected right paren'],
  ['rparen2', '{{(.X 1 2 3', 'unclosed action'],
  ['space', '{{`x`3}}', 'in operand'],
  ['idchar', '{{a#}}', '\'#\''],
  ['charconst', '{{\'a}}', 'unterminated character constant'],
  ['stringconst', '{{"a}}', 'unterminated quoted string'],
  ['rawstringconst', '{{`a}}', 'unterminated raw quoted string'],
  ['number', '{{0xi}}', 'number syntax'],
  ['multidefine', '{{define `a`}}a{{end}}{{define `a`}}b{{end}}', 'multiple definition of template'],
  ['eof', '{{range .X}}', 'unexpected EOF'],
  ['variable', '{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}', 'unexpected ":="'],
  ['multidecl', '{{$a,$b,$c := 23}}', 'too many declarations'],
  ['undefvar', '{{$a}}', 'undefined variable'],
  ['wrongdot', '{{true.any}}', 'unexpected . after term'],
  ['wrongpipeline', '{{12|false}}', 'non executable command in pipeline'],
  ['emptypipeline', '{{ ( ) }}', 'missing value for parenthesized pipeline'],
  ['multilinerawstring', '{{ $v := `\n` }} {{', 'unclosed action'],
  ['rangeundefvar', '{{range $k}}{{end}}', 'undefined variable'],
  ['rangeundefvars', '{{range $k, $v}}{{end}}', 'undefined variable'],
  ['rangemissingvalue1', '{{range $k,}}{{end}}', 'missing value for range'],
  ['rangemissingvalue2', '{{range $k, $v := }}{{end}}', 'missing value for range'],
  ['rangenotvariable1', '{{range $k, .}}{{end}}', 'range can only initialize variables'],
  ['rangenotvariable2', '{{range $k, 123 := .}}{{end}}', 'range can only initialize variables'],
];

/** numberTests: the number, and whether newNumber accepts it (rows with values accept). */
const NUMBER_TESTS: readonly [string, boolean][] = [
  ['0', true], ['-0', true], ['73', true], ['7_3', true], ['0b10_010_01', true], ['0B10_010_01', true], ['073', true], ['0o73', true],
  ['0O73', true], ['0x73', true], ['0X73', true], ['0x7_3', true], ['-73', true], ['+73', true], ['100', true], ['1e9', true],
  ['-1e9', true], ['-1.2', true], ['1e19', true], ['1e1_9', true], ['1E19', true], ['-1e19', true], ['0x_1p4', true], ['0X_1P4', true],
  ['0x_1p-4', true], ['4i', true], ['-1.2+4.2i', true], ['073i', true], ['0i', true], ['-1.2+0i', true], ['-12+0i', true], ['13+0i', true],
  ['0123', true], ['-0x0', true], ['0xdeadbeef', true], ['\'a\'', true], ['\'\\n\'', true], ['\'\\\\\'', true], ['\'\\\'\'', true],
  ['\'\\xFF\'', true], ['\'パ\'', true], ['\'\\u30d1\'', true], ['\'\\U000030d1\'', true],
  ['+-2', false], ['0x123.', false], ['1e.', false], ['0xi.', false], ['1+2.', false], ['\'x', false], ['\'xx\'', false],
  ['\'433937734937734969526500969526500\'', false], ['0xef', true],
];

describe('checkGoTemplate', () => {
  describe(`${PARSE_TEST} TestParse`, () => {
    it.each(PARSE_TESTS)('%s: %j parses: %s', (_name, input, ok) => {
      expect(verdict(input) === 'ok').toBe(ok);
    });
  });

  describe(`${PARSE_TEST} TestErrors`, () => {
    it.each(ERROR_TESTS)('%s: %j fails with %j', (_name, input, message) => {
      expect(verdict(input)).toContain(message);
    });
  });

  describe(`${PARSE_TEST} TestNumberParse`, () => {
    it.each(NUMBER_TESTS)('%s: accepted: %s', (text, ok) => {
      expect(verdict(`{{${text}}}`) === 'ok').toBe(ok);
    });
  });

  describe('rulefmt testTemplateParsing', () => {
    it.each([
      'Certificate for {{ $labels.pod }} expires in less than 4 hours',
      '{{ $value | humanizeDuration }} left on {{ $labels.instance }}',
      '{{ printf "%.2f" $value }}% of {{ .Labels.job }}',
      '{{- if gt $value 0.5 -}} high {{- else -}} low {{- end }}',
      '{{ range $i, $l := $labels }}{{ $i }}={{ $l }} {{ end }}',
      '{{ index $labels "k8s.pod" }} {{ $externalLabels.cluster }} {{ $externalURL }}',
      'literal braces: {{ "{{" }} and }} alone',
      '{{ with query "up" }}{{ . | first | value | humanize }}{{ end }}',
      '{{ . | }}',
      '{{ $x = 1 }}',
      '{{ define "__alert_A" }}{{ end }}',
    ])('accepts %j', (text) => {
      expect(checkGoTemplate(text, 'A')).toBeUndefined();
    });

    it('declares $labels, $externalLabels, $externalURL and $value at the top level only', () => {
      expect(checkGoTemplate('{{ $labels }}{{ $externalLabels }}{{ $externalURL }}{{ $value }}', 'A')).toBeUndefined();
      expect(checkGoTemplate('{{ define "x" }}{{ $labels }}{{ end }}', 'A')?.message).toBe('undefined variable "$labels"');
      expect(checkGoTemplate('{{ block "x" . }}{{ $value }}{{ end }}', 'A')?.message).toBe('undefined variable "$value"');
    });

    it('ends a declaration\'s scope at the {{end}} of its control', () => {
      expect(checkGoTemplate('{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}')).toEqual({ kind: 'syntax', message: 'undefined variable "$y"', offset: 38 });
      expect(checkGoTemplate('{{ if true }}{{ $y := 1 }}{{ else }}{{ $y }}{{ end }}')).toBeUndefined();
    });

    it('defines every function of Prometheus\' template package and Go\'s builtins, and nothing else', () => {
      expect(TEMPLATE_FUNCTIONS.size).toBe(48);
      for (const f of TEMPLATE_FUNCTIONS) expect(checkGoTemplate(`{{ ${f} }}`)).toBeUndefined();
      expect(checkGoTemplate('{{ $value | humanise }}')).toEqual({ kind: 'function', message: 'function "humanise" not defined', offset: 12 });
      expect(checkGoTemplate('{{ toupper "x" }}')?.kind).toBe('function');
    });

    it('rejects a second non-empty definition of the alert\'s own template', () => {
      expect(checkGoTemplate('{{define "__alert_A"}}x{{end}}', 'A')?.message).toBe('template: multiple definition of template "__alert_A"');
      expect(checkGoTemplate('{{define "__alert_B"}}x{{end}}', 'A')).toBeUndefined();
    });

    it('reports the character Go does not accept in an action', () => {
      expect(checkGoTemplate('{{ print “%f“ $value }}')).toEqual({ kind: 'syntax', message: 'unrecognized character in action: U+201C \'“\'', offset: 9 });
      expect(checkGoTemplate('{{$labels.quantile * 100}}')?.message).toBe('unexpected "*" in operand');
      expect(checkGoTemplate('{{ 99999999999999999999 }}')?.message).toBe('integer overflow: "99999999999999999999"');
      expect(checkGoTemplate('{{ "\\q" }}')?.message).toBe('invalid syntax');
    });
  });

  it('never fails internally', () => {
    const alphabet = fc.constantFrom('{{', '}}', '{{-', ' -}}', '$labels', '.pod', 'if', 'end', 'else', 'range', 'define', 'block', '"', '`',
      '\'', '(', ')', ' ', '\n', 'x', '/*', '*/', '|', ':=', '=', ',', '$v', '1', '0x', 'e', 'i', '.', 'printf', 'break', '😀');
    // An internal failure would come back as "the template check failed".
    const internal = (text: string) => checkGoTemplate(text)?.message.startsWith('the template check failed') ?? false;
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 24 }), (parts) => {
      expect(internal(parts.join(''))).toBe(false);
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.string(), (s) => {
      expect(internal(`{{${s}}}`)).toBe(false);
    }));
  });
});
