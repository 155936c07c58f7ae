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

    it('3: syntax errors say what was found and what is unclosed', () => {
      expect(problems('sum(rate(x[5m])')).toEqual([['syntax', 'unexpected end of input; "(" is not closed, expected ")"']]);
      expect(problems('up{job="a"')).toEqual([['syntax', 'unexpected end of input; "{" is not closed, expected "}"']]);
      expect(problems('up ==')).toEqual([['syntax', 'unexpected end of input']]);
      expect(problems('up{job="a"} by (x)')[0]).toEqual(['syntax', 'unexpected "by"']);
      expect(problems('up{job="a}')).toEqual([['syntax', 'unterminated quoted string']]);
      expect(problems('')[0][0]).toBe('syntax');
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
      expect(problems('1 > 2')).toEqual([['semantic', 'comparisons between scalars must use BOOL modifier']]);
      expect(problems('x + bool y')).toEqual([['semantic', 'bool modifier can only be used on comparison operators']]);
      expect(problems('x and 1')).toEqual([['semantic', 'set operator "and" not allowed in binary scalar expression']]);
      expect(problems('x and on(a) group_left y')).toEqual([['semantic', 'no grouping allowed for "and" operation']]);
      expect(problems('x * on(a) group_left(a) y')).toEqual([['semantic', 'label "a" must not occur in ON and GROUP clause at once']]);
      expect(problems('x[5m] + 1')).toEqual([['semantic', 'binary expression must contain only scalar and instant vector types']]);
      expect(problems('1 + on(a) x')).toEqual([['semantic', 'vector matching only allowed between instant vectors']]);
    });

    it('7: selectors and modifiers', () => {
      expect(problems('{job=""}')).toEqual([['semantic', 'vector selector must contain at least one non-empty matcher']]);
      expect(problems('{job=~".*"}')).toEqual([['semantic', 'vector selector must contain at least one non-empty matcher']]);
      expect(problems('up{__name__="x"}')).toEqual([['semantic', 'metric name must not be set twice: "up" and a __name__ matcher']]);
      expect(problems('(up) offset 5m')).toEqual([['semantic', 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery']]);
      expect(problems('rate(x[5m]) @ 100')).toEqual([['semantic', '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery']]);
      expect(problems('up offset 5m offset 1m')).toEqual([['semantic', 'offset may not be set multiple times']]);
      expect(problems('sum(up)[5m]')).toEqual([['semantic', 'ranges only allowed for vector selectors']]);
      expect(problems('sum(up)[5m:]')).toEqual([]);
      expect(problems('rate(x[5m])[5m:] + 1')).toEqual([['semantic', 'binary expression must contain only scalar and instant vector types']]);
      expect(problems('(x[5m])[10m:]')).toEqual([['semantic', 'subquery is only allowed on instant vector, got range vector instead']]);
    });

    it('8: ranges and subqueries bind to the right operand, as in Prometheus', () => {
      expect(checkPromQL('a - b[5m]').problems).toEqual([
        { kind: 'semantic', message: 'binary expression must contain only scalar and instant vector types', from: 4, to: 9 },
      ]);
      expect(problems('a - rate(b[5m])[5m:]')).toEqual([['semantic', 'binary expression must contain only scalar and instant vector types']]);
      expect(problems('-b[5m]')).toEqual([['semantic', 'unary expression only allowed on expressions of type scalar or instant vector, got "range vector"']]);
    });

    it('9: strings and regexes', () => {
      const [p] = checkPromQL('up{job=~"api-\\d+"}').problems;
      expect(p.kind).toBe('semantic');
      expect(p.message).toBe('invalid escape sequence \\d in string "api-\\d+"; in PromQL strings a regex backslash is written \\\\ (e.g. "\\\\d"), or use a `raw` string');
      expect(problems('up{job="a\\.b"}')[0][1]).toMatch(/^invalid escape sequence \\\. in string/);
      expect(problems('up{job=~"(?=x)"}')).toEqual([['semantic', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=` in "(?=x)" (RE2 has no lookaround)']]);
      expect(problems('up{job=~"(a)\\\\1"}')).toEqual([['semantic', 'error parsing regexp: invalid escape sequence: `\\1` in "(a)\\\\1" (RE2 has no backreferences)']]);
      expect(problems('up{job=~"(unclosed"}').map(([k]) => k)).toEqual(['doubtful']);
      expect(problems('up{job=~"(?i)api"}')).toEqual([]);
    });

    it('10: experimental features the webhook does not enable', () => {
      expect(problems('sort_by_label(up, "job")')).toEqual([['experimental', 'function "sort_by_label" is not enabled']]);
      expect(problems('limitk(2, up)')).toEqual([['experimental', 'limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions']]);
      expect(problems('rate(x[5m+1m])')).toEqual([['experimental', 'experimental duration expression is not enabled']]);
      expect(problems('up offset (1m*2)')).toEqual([['experimental', 'experimental duration expression is not enabled']]);
      expect(problems('up smoothed')).toEqual([['experimental', 'smoothed modifier is experimental and not enabled']]);
      expect(problems('up + fill(0) down')).toEqual([['experimental', 'binop fill modifiers are experimental and not enabled']]);
    });
  });

  it('reports line and column inside multi-line expressions', () => {
    const expr = 'sum(\n  rate(foo)\n)';
    const [p] = checkPromQL(expr).problems;
    expect(lineColumn(expr, p.from)).toEqual({ line: 2, column: 8 });
  });

  it('loads the PromQL grammar only on first use', () => {
    const script = [
      "const m = require('./src/validation/prometheus');",
      "const loaded = () => Object.keys(require.cache).some((k) => k.includes('lezer-promql'));",
      'const before = loaded();',
      "m.checkPromQL('up');",
      'console.log(JSON.stringify([before, loaded()]));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual([false, true]);
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(() => checkPromQL(s)).not.toThrow();
    }), { numRuns: 300 });
    const alphabet = fc.constantFrom('(', ')', '[', ']', '{', '}', '"', 'rate', 'sum', 'by', ' ', 'x', '5m', ':', ',', '=~', '@', 'offset', '1', '+', 'bool', 'on');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 25 }), (parts) => {
      expect(() => checkPromQL(parts.join(''))).not.toThrow();
    }), { numRuns: 500 });
  });
});
