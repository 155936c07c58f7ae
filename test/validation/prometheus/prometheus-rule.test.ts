import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Finding } from '../../../src/model/finding';
import { Manifest, refOf } from '../../../src/model/manifest';
import { PROMETHEUS_RULES, validatePrometheusRule } from '../../../src/validation/prometheus';
import { REALWORLD, SHARED } from '../../realworld';


function validate(m: unknown): Finding[] {
  return validatePrometheusRule(m as Manifest, refOf((m ?? {}) as Manifest));
}

function rule(spec: unknown): Record<string, unknown> {
  return { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r', namespace: 'monitoring' }, spec };
}

/** One group holding the given rules. */
function withRules(...rules: unknown[]): Record<string, unknown> {
  return rule({ groups: [{ name: 'g', rules }] });
}

function codes(m: unknown): string[] {
  return validate(m).map((f) => f.code);
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

    it('leaves shapes the CRD schema rejects to the schema layer', () => {
      expect(validate(rule(undefined))).toEqual([]);
      expect(validate(rule({ groups: 'x' }))).toEqual([]);
      expect(validate(rule({ groups: [1, null, { name: 'g', rules: 'x' }] }))).toEqual([]);
      expect(validate(rule({ groups: [{ name: 5, rules: [{ alert: 7, expr: 'up' }, { record: ['x'], expr: true }] }] }))).toEqual([]);
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

    it('5: IMV705 fails on a rule without expr', () => {
      const [f] = validate(withRules({ alert: 'A' }));
      expect(f).toMatchObject({ code: 'IMV705', path: '/spec/groups/0/rules/0/expr' });
      expect(f.message).toBe('alert "A" in group "g" has no expr: field \'expr\' must be set in rule');
      expect(codes(withRules({ alert: 'A', expr: '' }))).toEqual(['IMV705']);
    });

    it('6: IMV706 fails on a PromQL syntax error, with line, column and snippet', () => {
      const [f] = validate(withRules({ alert: 'A', expr: 'sum(\n  rate(x[5m])\n' }));
      expect(f).toMatchObject({ code: 'IMV706', severity: 'error', path: '/spec/groups/0/rules/0/expr' });
      expect(f.message).toBe('expr of alert "A" in group "g" does not parse at line 3, column 1: unexpected end of input; "(" is not closed, expected ")"');
      const [g] = validate(withRules({ alert: 'A', expr: 'up{job="a"} by (x)' }));
      expect(g.message).toBe('expr of alert "A" in group "g" does not parse at line 1, column 13 near "by": unexpected "by"');
    });

    it('7: IMV707 fails on expressions Prometheus\' parser rejects', () => {
      const [f] = validate(withRules({ alert: 'A', expr: 'rate(istio_requests_total) > 0' }));
      expect(f.code).toBe('IMV707');
      expect(f.message).toBe('expr of alert "A" in group "g" is rejected by the PromQL parser at line 1, column 6 near "istio_requests_total": expected type range vector in call to function "rate", got instant vector');
      expect(f.fix).toBe('add a range selector to the argument, e.g. rate(http_requests_total[5m])');
      expect(codes(withRules({ record: 'x', expr: 'up{job=~"a\\d"}' }))).toEqual(['IMV707']);
      expect(codes(withRules({ record: 'x', expr: 'foo(bar)' }))).toEqual(['IMV707']);
    });

    it('8: IMV708 fails on experimental PromQL', () => {
      const [f] = validate(withRules({ record: 'x', expr: 'sort_by_label(up, "job")' }));
      expect(f).toMatchObject({ code: 'IMV708', severity: 'error' });
      expect(f.message).toBe('expr of record "x" in group "g" uses an experimental PromQL feature at line 1, column 1 near "sort_by_label": function "sort_by_label" is not enabled');
    });

    it('9: IMV709 warns on a regex that probably does not compile', () => {
      const fs9 = validate(withRules({ record: 'x', expr: 'up{job=~"(a"}' }));
      expect(fs9.map((f) => [f.code, f.severity])).toEqual([['IMV709', 'warning']]);
    });

    it('10: IMV710 warns on a rule that evaluates to a range vector', () => {
      const [f] = validate(withRules({ record: 'x', expr: 'up[5m]' }));
      expect(f).toMatchObject({ code: 'IMV710', severity: 'warning' });
      expect(f.message).toBe('expr of record "x" in group "g" evaluates to a range vector; a rule needs an instant vector or a scalar');
    });

    it('11: IMV711 fails on an invalid recording rule name', () => {
      const [f] = validate(withRules({ record: 'errors{job="a"}', expr: 'up' }));
      expect(f.code).toBe('IMV711');
      expect(f.message).toBe('braces present in the recording rule name; should it be in expr?: errors{job="a"}');
      expect(codes(withRules({ record: 'x\uD800', expr: 'up' }))).toEqual(['IMV711']);
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
      const fs14 = validate(rule({ groups: [{ name: 'g', labels: { '': 'x' }, rules: [{ ...ALERT, labels: { __name__: 'x' } }] }] }));
      expect(fs14.map((f) => [f.code, f.path])).toEqual([
        ['IMV714', '/spec/groups/0/labels/'],
        ['IMV714', '/spec/groups/0/rules/0/labels/__name__'],
      ]);
      expect(fs14[1].message).toBe('invalid label name: "__name__" in labels of alert "Up" in group "g"');
    });

    it('15: IMV715 fails on a label value that is not valid UTF-8', () => {
      expect(codes(withRules({ ...ALERT, labels: { a: 'bad \uDC00' } }))).toEqual(['IMV715']);
    });

    it('16: IMV716 fails on an invalid annotation name', () => {
      expect(codes(withRules({ ...ALERT, annotations: { '': 'x' } }))).toEqual(['IMV716']);
    });

    it('17: IMV717 warns on names valid only under UTF-8 validation', () => {
      const fs17 = validate(withRules(
        { ...ALERT, labels: { 'app.kubernetes.io/part-of': 'mesh' }, annotations: { 'runbook-url': 'x' } },
        { record: 'istio.requests:rate5m', expr: 'up' },
      ));
      expect(fs17.map((f) => [f.code, f.severity, f.path])).toEqual([
        ['IMV717', 'warning', '/spec/groups/0/rules/0/labels/app.kubernetes.io~1part-of'],
        ['IMV717', 'warning', '/spec/groups/0/rules/0/annotations/runbook-url'],
        ['IMV717', 'warning', '/spec/groups/0/rules/1/record'],
      ]);
      expect(fs17[0].message).toBe('label name "app.kubernetes.io/part-of" in labels of alert "Up" in group "g" is valid only under UTF-8 validation (Prometheus 3+); Prometheus 2 and Thanos Ruler reject it');
      expect(fs17[0].fix).toBe('use "app_kubernetes_io_part_of" to work everywhere');
    });

    it('18: IMV718 fails on alert templates that do not parse', () => {
      const [f] = validate(withRules({ ...ALERT, annotations: { description: 'pod {{ $labels.pod expired' } }));
      expect(f).toMatchObject({ code: 'IMV718', path: '/spec/groups/0/rules/0/annotations/description' });
      expect(f.message).toBe('template of annotation "description" of alert "Up" in group "g" does not parse at line 1, column 5 near "{{ $labels.pod expired": unclosed action');
      expect(codes(withRules({ ...ALERT, labels: { team: '{{ $label.team }}' } }))).toEqual(['IMV718']);
      // Recording rules are not templated.
      expect(codes(withRules({ record: 'x', expr: 'up', labels: { team: '{{' } }))).toEqual([]);
    });

    it('19: IMV719 warns on unknown template functions', () => {
      const fs19 = validate(withRules({ ...ALERT, annotations: { d: '{{ $value | humanise }}' } }));
      expect(fs19.map((f) => [f.code, f.severity])).toEqual([['IMV719', 'warning']]);
    });

    it('20: IMV720 fails when the rendered rules exceed the operator limit', () => {
      const big = 'x'.repeat(300_000);
      const [f] = validate(rule({ groups: [{ name: 'g', rules: [{ ...ALERT, annotations: { a: big, b: big } }] }] }));
      expect(f.code).toBe('IMV720');
      expect(f.message).toMatch(/^the length of rendered Prometheus Rule is \d+ bytes which is above the maximum limit of 524288 bytes$/);
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
      withRules({ alert: 'A', expr: 'up', annotations: { '': '{{ if }}', 'b': '{{ nope }}' } }),
      rule({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up', annotations: { a: 'x'.repeat(600_000) } }] }] }),
    ];
    for (const s of samples) for (const f of validate(s)) emitted.add(f.code);
    expect([...emitted].sort()).toEqual([...documented].sort());
  });

  it('is deterministic and never throws', () => {
    const m = withRules({ alert: 'A', expr: 'rate(x) +', labels: { b: '{{', a: '{{' } });
    expect(validate(m)).toEqual(validate(JSON.parse(JSON.stringify(m))));
    fc.assert(fc.property(fc.anything(), (spec) => {
      expect(() => validate(rule(spec))).not.toThrow();
      expect(() => validate(spec)).not.toThrow();
    }));
    const ruleArb = fc.record({
      alert: fc.option(fc.string()),
      record: fc.option(fc.string()),
      expr: fc.anything(),
      for: fc.anything(),
      labels: fc.dictionary(fc.string(), fc.anything()),
      annotations: fc.anything(),
    });
    fc.assert(fc.property(fc.array(ruleArb, { maxLength: 4 }), fc.anything(), (rules, name) => {
      expect(() => validate(rule({ groups: [{ name, interval: name, rules }] }))).not.toThrow();
    }));
  });
});
