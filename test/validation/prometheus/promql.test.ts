import { execFileSync } from 'child_process';
import * as path from 'path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPromQL, lineColumn } from '../../../src/validation/prometheus/promql';

function problems(expr: string) {
  return checkPromQL(expr).problems.map((p) => [p.kind, p.message]);
}

describe('checkPromQL', () => {
  describe('Compliance (false-positive traps)', () => {
    it.each([
      ['time() arithmetic', '(istio_agent_cert_expiry_timestamp_seconds - time()) < 14400', 'vector'],
      ['multi-line block with comment', 'sum by (destination_workload) (\n  rate(istio_requests_total{connection_security_policy!="mutual_tls"}[5m])  # plaintext\n) > 0\n', 'vector'],
      ['by (le) before the body', 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))', 'vector'],
      ['by (le) after the body', 'histogram_quantile(0.99, sum(rate(x_bucket[5m])) by (le, destination_workload)) > 0.2', 'vector'],
      ['offset', 'rate(http_requests_total[5m] offset 1w)', 'vector'],
      ['negative offset', 'up offset -5m', 'vector'],
      ['@ modifier', 'http_requests_total @ 1609746000', 'vector'],
      ['@ start()', 'rate(http_requests_total[5m] @ end())', 'vector'],
      ['@ and offset together', 'up @ 100 offset 5m', 'vector'],
      ['subquery', 'max_over_time(rate(http_requests_total[5m])[30m:1m])', 'vector'],
      ['subquery with default step', 'min_over_time(up[1h:])', 'vector'],
      ['comparison with bool', '1 > bool 0', 'scalar'],
      ['vector matching', 'a * on(instance) group_left(job) b', 'vector'],
      ['set operator', 'up unless on(job) absent(up)', 'vector'],
      ['raw string regex', 'up{job=~`api-\\d+`}', 'vector'],
      ['escaped backslash regex', 'up{job=~"api-\\\\d+"}', 'vector'],
      ['UTF-8 quoted metric name', '{"istio.request.count", job="x"}', 'vector'],
      ['quoted label in grouping', 'sum by ("k8s.pod") (up)', 'vector'],
      ['count_values', 'count_values("version", build_info)', 'vector'],
      ['topk', 'topk(5, rate(x[5m]))', 'vector'],
      ['label_replace', 'label_replace(up, "host", "$1", "instance", "(.*):.*")', 'vector'],
      ['label_join variadic', 'label_join(up, "foo", ",", "a", "b", "c")', 'vector'],
      ['round with one arg', 'round(x)', 'vector'],
      ['scalar function', 'scalar(sum(up)) * 2', 'scalar'],
      ['hex and exponent numbers', '0x1F + 1e3 - Inf', 'scalar'],
      ['absent with regex non-empty matcher', 'absent(up{job=~".+"})', 'vector'],
      ['vector(1)', 'vector(1)', 'vector'],
      ['duration as number', 'time() - process_start_time_seconds > 5m', 'vector'],
      ['string literal (type is string)', '"x"', 'string'],
      ['offset binds to the right operand', '(time() - process_start_time_seconds offset 1h) > 600', 'vector'],
      ['@ binds to the right operand', 'a > 0 and b @ 100 offset 5m', 'vector'],
      ['offset under unary minus', '-up offset 1h', 'vector'],
    ])('accepts %s', (_, expr, type) => {
      expect(checkPromQL(expr)).toEqual({ problems: [], type });
    });
  });

  describe('Compliance (issue #25: what Prometheus v3.13.1 accepts with the webhook\'s options)', () => {
    it.each([
      ['histogram trim operator </', 'a </ b', 'vector'],
      ['histogram trim operator >/', 'a >/ b', 'vector'],
      ['offset +(5)', 'foo offset +(5)', 'vector'],
      ['offset -(5)', 'foo offset -(5)', 'vector'],
      ['number 5.', '5.', 'scalar'],
      ['number 1.e2', '1.e2', 'scalar'],
      ['number 0x1_2_34', '0x1_2_34', 'scalar'],
      ['octal 0755', '0755', 'scalar'],
      ['offset as a metric name', 'offset', 'vector'],
      ['fill as a metric name', 'fill + fill', 'vector'],
      ['an @ timestamp inside int64 seconds', 'foo @ 9223372036854775.807', 'vector'],
      ['an offset of 292 years', 'foo offset 292y', 'vector'],
      ['a comment after the expression', 'up # why', 'vector'],
      ['an alternation of literals is not compiled', 'up{job=~"a|b"}', 'vector'],
    ])('accepts %s', (_, expr, type) => {
      expect(checkPromQL(expr)).toEqual({ problems: [], type });
    });
  });

  describe('Noncompliance', () => {
    it('1: rate() of an instant vector needs a range', () => {
      expect(checkPromQL('rate(foo)').problems).toEqual([
        { kind: 'semantic', message: 'expected type range vector in call to function "rate", got instant vector', from: 5, to: 8 },
      ]);
    });

    it('2: unknown functions', () => {
      expect(problems('foo(bar)')).toEqual([['semantic', 'unknown function with name "foo"']]);
      expect(problems('sum(ratee(x[5m]))')).toEqual([['semantic', 'unknown function with name "ratee"']]);
    });

    it('3: lexer and grammar errors carry Prometheus\' own message and position', () => {
      expect(checkPromQL('sum(rate(x[5m])').problems).toEqual([
        { kind: 'syntax', message: 'unclosed left parenthesis', from: 15, to: 15 },
        { kind: 'semantic', message: 'no arguments for aggregate expression provided', from: 0, to: 15 },
      ]);
      expect(problems('up{job="a"')).toEqual([['syntax', 'unexpected end of input inside braces']]);
      expect(problems('up ==')).toEqual([['syntax', 'unexpected end of input']]);
      expect(checkPromQL('up{job="a"} by (x)').problems).toEqual([{ kind: 'syntax', message: 'unexpected <by>', from: 12, to: 14 }]);
      expect(problems('up{job="a}')).toEqual([['syntax', 'unterminated quoted string']]);
      expect(problems('')).toEqual([['syntax', 'no expression found in input']]);
      expect(problems('atan2')).toEqual([['syntax', 'unexpected <op:atan2>']]);
      expect(problems('foo bar')).toEqual([['syntax', 'unexpected identifier "bar"']]);
      expect(problems('sum(x,)')).toEqual([['syntax', 'trailing commas not allowed in function call args']]);
    });

    it('4: argument counts and types', () => {
      expect(problems('abs(x, y)')).toEqual([['semantic', 'expected 1 argument(s) in call to "abs", got 2']]);
      expect(problems('round(x, 1, 2)')).toEqual([['semantic', 'expected at most 2 argument(s) in call to "round", got 3']]);
      expect(problems('label_join(up)')).toEqual([['semantic', 'expected at least 3 argument(s) in call to "label_join", got 1']]);
      expect(problems('histogram_quantile(x, y)')).toEqual([['semantic', 'expected type scalar in call to function "histogram_quantile", got instant vector']]);
      expect(problems('abs(x[5m])')).toEqual([['semantic', 'expected type instant vector in call to function "abs", got range vector']]);
    });

    it('5: aggregations', () => {
      expect(problems('topk(x)')).toEqual([['semantic', 'wrong number of arguments for aggregate expression provided, expected 2, got 1']]);
      expect(problems('sum()')).toEqual([['semantic', 'no arguments for aggregate expression provided']]);
      expect(problems('sum(x[5m])')).toEqual([['semantic', 'expected type instant vector in aggregation expression, got range vector']]);
      expect(problems('count_values(1, x)')).toEqual([['semantic', 'expected type string in aggregation parameter, got scalar']]);
    });

    it('6: binary operators', () => {
      // Prometheus' operator range ends on the operator's last character.
      expect(checkPromQL('1 > 2').problems).toEqual([{ kind: 'semantic', message: 'comparisons between scalars must use BOOL modifier', from: 2, to: 2 }]);
      expect(problems('x + bool y')).toEqual([['semantic', 'bool modifier can only be used on comparison operators']]);
      expect(problems('x and 1')).toEqual([['semantic', 'set operator "and" not allowed in binary scalar expression']]);
      expect(problems('x and on(a) group_left y')).toEqual([
        ['semantic', 'no grouping allowed for "and" operation'],
        ['semantic', 'set operations must always be many-to-many'],
      ]);
      expect(problems('x * on(a) group_left(a) y')).toEqual([['semantic', 'label "a" must not occur in ON and GROUP clause at once']]);
      expect(problems('x[5m] + 1')).toEqual([['semantic', 'binary expression must contain only scalar and instant vector types']]);
      expect(problems('1 + on(a) x')).toEqual([['semantic', 'vector matching only allowed between instant vectors']]);
    });

    it('7: selectors and modifiers', () => {
      expect(problems('{job=""}')).toEqual([['semantic', 'vector selector must contain at least one non-empty matcher']]);
      expect(problems('{job=~".*"}')).toEqual([['semantic', 'vector selector must contain at least one non-empty matcher']]);
      expect(problems('up{__name__="x"}')).toEqual([['semantic', 'metric name must not be set twice: "up" or "x"']]);
      expect(problems('(up) offset 5m')).toEqual([['semantic', 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery']]);
      expect(problems('rate(x[5m]) @ 100')).toEqual([['semantic', '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery']]);
      expect(problems('up offset 5m offset 1m')).toEqual([['semantic', 'offset may not be set multiple times']]);
      expect(problems('up offset 5m[5m]')).toEqual([['semantic', 'no offset modifiers allowed before range']]);
      expect(problems('sum(up)[5m]')).toEqual([['semantic', 'ranges only allowed for vector selectors']]);
      expect(problems('sum(up)[5m:]')).toEqual([]);
      expect(problems('rate(x[5m])[5m:] + 1')).toEqual([['semantic', 'binary expression must contain only scalar and instant vector types']]);
      expect(problems('(x[5m])[10m:]')).toEqual([['semantic', 'subquery is only allowed on instant vector, got matrix instead']]);
    });

    it('8: ranges and subqueries bind to the right operand, as in Prometheus', () => {
      expect(checkPromQL('a - b[5m]').problems).toEqual([
        { kind: 'semantic', message: 'binary expression must contain only scalar and instant vector types', from: 4, to: 9 },
      ]);
      expect(problems('a - rate(b[5m])[5m:]')).toEqual([['semantic', 'binary expression must contain only scalar and instant vector types']]);
      expect(problems('-b[5m]')).toEqual([['semantic', 'unary expression only allowed on expressions of type scalar or instant vector, got "range vector"']]);
    });

    it('9: strings and regexes', () => {
      expect(checkPromQL('up{job=~"api-\\d+"}').problems).toEqual([{ kind: 'syntax', message: 'unknown escape sequence U+0064 \'d\'', from: 8, to: 18 }]);
      expect(problems('up{job="a\\.b"}')).toEqual([['syntax', 'unknown escape sequence U+002E \'.\'']]);
      expect(problems('up{job=~"(?=x)"}')).toEqual([['semantic', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`']]);
      expect(problems('up{job=~"(a)\\\\1"}')).toEqual([['semantic', 'error parsing regexp: invalid escape sequence: `\\1`']]);
      expect(problems('up{job=~"\\xff.*"}')).toEqual([['semantic', 'error parsing regexp: invalid UTF-8: `\uFFFD.*`']]);
      expect(problems('up{job=~"(unclosed"}')).toEqual([['semantic', 'error parsing regexp: missing closing ): `(unclosed`']]);
      expect(problems('up{job=~"a**"}')).toEqual([['semantic', 'error parsing regexp: invalid nested repetition operator: `**`']]);
      expect(problems('up{job=~"x{1001}"}')).toEqual([['semantic', 'error parsing regexp: invalid repeat count: `{1001}`']]);
      expect(problems('up{job=~"[z-a]"}')).toEqual([['semantic', 'error parsing regexp: invalid character class range: `z-a`']]);
      expect(problems('up{job=~`\\q`}')).toEqual([['semantic', 'error parsing regexp: invalid escape sequence: `\\q`']]);
      expect(problems('up{job=~`\\u00e9`}')).toEqual([['semantic', 'error parsing regexp: invalid escape sequence: `\\u`']]);
      expect(problems('up{job=~"(?<=a)b"}')).toEqual([['semantic', 'error parsing regexp: invalid named capture: `(?<=a)b`']]);
      expect(problems('up{job=~"*"}')).toEqual([['semantic', 'error parsing regexp: missing argument to repetition operator: `*`']]);
      expect(problems('up{job=~"(?i)api"}')).toEqual([]);
      expect(problems('up{job=~`[[:alpha:]]+\\pL\\Q.*\\E`}')).toEqual([]);
    });

    it('13: whether a regex matches the empty string is judged on RE2 syntax, not JavaScript\'s', () => {
      // JavaScript reads [[:alpha:]]* as "[[:alph] then ]*", which never matches "".
      expect(problems('{job=~"[[:alpha:]]*"}')).toEqual([['semantic', 'vector selector must contain at least one non-empty matcher']]);
      expect(problems('{job=~"\\\\b"}')).toEqual([]);
      expect(problems('{job=~"\\\\B|x"}')).toEqual([['semantic', 'vector selector must contain at least one non-empty matcher']]);
      expect(problems('{job=~"a|"}')).toEqual([['semantic', 'vector selector must contain at least one non-empty matcher']]);
      expect(problems('{job!~"a*"}')).toEqual([]);
      expect(problems('{job=~"(a{0,2})+"}')).toEqual([['semantic', 'vector selector must contain at least one non-empty matcher']]);
      expect(problems('{job=~"[[:alpha:]]*", env="prod"}')).toEqual([]);
    });

    it('10: experimental features the webhook does not enable', () => {
      expect(problems('sort_by_label(up, "job")')).toEqual([['experimental', 'function "sort_by_label" is not enabled']]);
      expect(problems('limitk(2, up)')).toEqual([['experimental', 'limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions']]);
      expect(problems('rate(x[5m+1m])')).toEqual([['experimental', 'experimental duration expression is not enabled']]);
      expect(problems('up offset (1m*2)')).toEqual([
        ['experimental', 'experimental duration expression is not enabled'],
        ['experimental', 'experimental duration expression is not enabled'],
      ]);
      expect(problems('up smoothed')).toEqual([['experimental', 'smoothed modifier is experimental and not enabled']]);
      expect(problems('up + fill(0) down')).toEqual([['experimental', 'binop fill modifiers are experimental and not enabled']]);
    });

    it('11: the same features parse when their options are on, as the webhook\'s --promql-options allows', () => {
      const all = { experimentalFunctions: true, durationExpressions: true, extendedRangeSelectors: true, binopFillModifiers: true };
      for (const expr of ['sort_by_label(up, "job")', 'limitk(2, up)', 'rate(x[5m+1m])', 'up offset (1m*2)', 'up smoothed', 'up + fill(0) down']) {
        expect(checkPromQL(expr, all).problems).toEqual([]);
      }
    });

    it('12: numbers, durations and timestamps out of range (issue #25)', () => {
      expect(problems('1e400')).toEqual([['semantic', 'error parsing number: strconv.ParseFloat: parsing "1e400": value out of range']]);
      expect(problems('foo @ Inf')).toEqual([['semantic', 'timestamp out of bounds for @ modifier: +Inf']]);
      expect(problems('foo @ -Inf')).toEqual([['semantic', 'timestamp out of bounds for @ modifier: -Inf']]);
      expect(problems('foo @ NaN')).toEqual([['semantic', 'timestamp out of bounds for @ modifier: NaN']]);
      expect(problems('foo @ 9223372036854775807')).toEqual([['semantic', 'timestamp out of bounds for @ modifier: 9223372036854775808.000000']]);
      expect(problems('foo[0m]')).toEqual([['semantic', 'duration must be greater than 0']]);
      expect(problems('foo offset 300y')).toEqual([['semantic', 'duration out of range']]);
      expect(problems('foo[300y]')).toEqual([['semantic', 'duration out of range'], ['semantic', 'duration must be greater than 0']]);
    });
  });

  it('reports line and column inside multi-line expressions', () => {
    const expr = 'sum(\n  rate(foo)\n)';
    const [p] = checkPromQL(expr).problems;
    expect(lineColumn(expr, p.from)).toEqual({ line: 2, column: 8 });
  });

  it('reports JavaScript offsets when the expression has multi-byte characters (Prometheus counts bytes)', () => {
    expect(checkPromQL('up{a="ä"} + "ö').problems).toEqual([{ kind: 'syntax', message: 'unterminated quoted string', from: 12, to: 14 }]);
    expect(checkPromQL('{"ä"=~"x"} + ')).toEqual({ problems: [{ kind: 'syntax', message: 'unexpected end of input', from: 13, to: 13 }] });
  });

  it('does not need the lezer grammar any more', () => {
    const script = [
      "const m = require('./src/validation/prometheus');",
      "m.checkPromQL('sum(rate(x[5m]))');",
      "console.log(JSON.stringify(Object.keys(require.cache).some((k) => k.includes('lezer'))));",
    ].join('\n');
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toBe(false);
  });

  it('survives operator chains thousands deep, as upstream\'s own tests use', () => {
    const expr = `(${'-{}-1'.repeat(5000)})`;
    const { problems: found } = checkPromQL(expr);
    expect(found).toHaveLength(5000);
    expect(found[0]).toEqual({ kind: 'semantic', message: 'vector selector must contain at least one non-empty matcher', from: 2, to: 4 });
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(() => checkPromQL(s)).not.toThrow();
    }), { numRuns: 300 });
    const alphabet = fc.constantFrom('(', ')', '[', ']', '{', '}', '"', 'rate', 'sum', 'by', ' ', 'x', '5m', ':', ',', '=~', '@', 'offset', '1', '+', 'bool', 'on');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 25 }), (parts) => {
      expect(() => checkPromQL(parts.join(''))).not.toThrow();
    }), { numRuns: 500 });
    for (const odd of [undefined, null, 5, {}, [], '\uD800', '\uFFFD', 'up{a="\uD800"}'] as unknown[]) {
      expect(() => checkPromQL(odd as string)).not.toThrow();
    }
  });
});
