/*
 * prometheus-operator v0.93.0's own tests of PrometheusRule admission, run
 * through validateManifest (CRD schema and CEL, then the webhook):
 * - pkg/admission/admission_test.go: the PrometheusRule objects of the
 *   AdmissionReviews in pkg/admission/testdata/*.golden, sent to the validating
 *   endpoint with legacy (api()) or UTF-8 (apiWithUTF8Validation()) name validation;
 * - pkg/operator/rules_test.go: the cases that assert whether ValidateRule (what
 *   the webhook runs) or generateRulesConfiguration (ValidateRule with the
 *   scheme of a Prometheus or Thanos version: UTF-8 from Prometheus 3.0.0 and
 *   Thanos 0.38.0, pkg/operator/validations.go) returns an error.
 *
 * Upstream cases not ported:
 * | source | case | reason |
 * | admission_test.go | TestMutateRule, TestMutateRuleNoAnnotations, TestMutateNonStringsToStrings | the mutating endpoint, which always allows and patches (annotation, non-string labels to strings); we validate, we do not mutate |
 * | admission_test.go | TestAlertmanagerConfigAdmission, TestAlertmanagerConfigConversion | AlertmanagerConfig, not PrometheusRule |
 * | rules_test.go | shouldAcceptRuleWithExperimentalFunction | needs the webhook's --promql-options=experimental-functions; we validate with its defaults |
 * | rules_test.go | shouldAcceptRuleWithValidPartialResponseStrategyValue, shouldResetRuleWithPartialResponseStrategySet, shouldAcceptRuleWithKeepFiringForPrometheus, shouldDropRuleFiringForThanos, shouldAcceptRuleFiringForThanos, shouldDropKeepFiringForFieldForUnsupportedPrometheusVersion, shouldAcceptRuleWithLimitPrometheus, shouldAcceptRuleWithLimitThanos, shouldDropLimitFieldForUnsupportedPrometheusVersion, shouldDropLimitFieldForUnsupportedThanosVersion, shouldDropGroupLabelsForUnsupportedThanosVersion, shouldDropGroupLabelsForUnsupportedPrometheusVersion | they assert what the rendered file contains for a version, not whether it is valid |
 * | rules_test.go | TestPrometheusRuleSync | ConfigMap sharding, no validation |
 *
 * Rows whose verdict rests on the PromQL parser (promql column):
 * - rejects: admission_test.go TestAdmitBadRule ("vector(1))" is one of its two causes; the template error alone rejects it too),
 *   rules_test.go shouldRejectRuleWithInvalidExpression (invalidfn(1)), shouldRejectRuleWithExperimentalFunction (mad_over_time);
 * - accepts: goodRulesWithUTF8 under UTF-8 (TestAdmitGoodRuleWithUTF8Validation, TestValidationSchemeComparison
 *   utf8_validation_with_utf8_rules): quoted UTF-8 label and metric names in by (...) and {...}.
 */
import { describe, expect, it } from 'vitest';
import { Finding } from '../../src/model/finding';
import { Manifest } from '../../src/model/manifest';
import { validateManifest } from '../../src/validation/validate';

const ADMISSION = 'pkg/admission/admission_test.go';
const RULES = 'pkg/operator/rules_test.go';

type Scheme = 'legacy' | 'utf8';

interface Row {
  readonly source: string;
  readonly manifest: Manifest;
  readonly scheme: Scheme;
  readonly accept: boolean;
  /** Codes of the error findings we give, which stand for upstream's errors (in order, one per error where upstream counts them). */
  readonly codes?: readonly string[];
  readonly promql?: 'rejects' | 'accepts';
}

function prometheusRule(name: string, spec: unknown, annotations?: Record<string, string>): Manifest {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name, namespace: 'monitoring', ...(annotations ? { annotations } : {}) },
    spec,
  } as Manifest;
}

const LAST_APPLIED = {
  'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"monitoring.coreos.com/v1","kind":"PrometheusRule","metadata":{"annotations":{},"name":"test",'
    + '"namespace":"monitoring"},"spec":{"groups":[{"name":"test.rules","rules":[{"alert":"Test","annotations":{"message":"Test rule"},"expr":"vector(1))",'
    + '"for":"5m","labels":{"severity":"critical"}}]}]}}\n',
};

// The objects of pkg/admission/testdata/*.golden (request.object).
const GOOD_RULES_WITH_ANNOTATIONS = prometheusRule('test', {
  groups: [{
    name: 'test.rules',
    partial_response_strategy: 'abort',
    rules: [{
      alert: 'Test',
      annotations: { message: 'Test rule', humanizePercentage: 'Should work {{ $value | humanizePercentage }}' },
      expr: 'vector(1)',
      for: '5m',
      labels: { severity: 'critical' },
    }],
  }],
}, LAST_APPLIED);

const GOOD_RULES_WITH_EXTERNAL_LABELS = prometheusRule('test', {
  groups: [{
    name: 'test.rules',
    rules: [{ alert: 'Test', annotations: { message: 'Test externalLabels {{ $externalLabels.cluster }}' }, expr: 'vector(1)', for: '5m', labels: { severity: 'critical' } }],
  }],
}, LAST_APPLIED);

const BAD_RULES_NO_ANNOTATIONS = prometheusRule('test', {
  groups: [{
    name: 'test.rules',
    rules: [{
      alert: 'Test',
      annotations: { message: 'Test rule', val: '{{ print “%f“ $value }}' },
      expr: 'vector(1))',
      for: '5m',
      labels: { severity: 'critical' },
    }],
  }],
});

const BAD_RULES_WITH_BOOLEAN_IN_ANNOTATIONS = prometheusRule('test', {
  groups: [{
    name: 'test.rules',
    rules: [{
      alert: 'Test',
      annotations: { badBoolean: false, message: 'Test rule', humanizePercentage: 'Should work {{ $value | humanizePercentage }}' },
      expr: 'vector(1)',
      for: '5m',
      labels: { severity: 'critical' },
    }],
  }],
}, LAST_APPLIED);

const GOOD_RULES_WITH_UTF8 = prometheusRule('test-utf8', {
  groups: [{
    name: 'test.utf8.rules',
    rules: [
      {
        alert: 'TestUTF8Alert',
        annotations: { message: 'UTF-8 test rule with émojis 🚀 and ünicöde', description: '测试 UTF-8 characters in annotations' },
        expr: 'up{app="myapp",service="测试服务"} > 0',
        for: '5m',
        labels: { severity: 'critical', team: 'platform', 测试标签: '测试_label_with_中文' },
      },
      {
        record: 'http.requests.rate_5m',
        expr: 'sum by(service,job,"http.request") (rate({"http.requests.total","error.type"!=""}[5m]))',
        labels: { type: 'recording', 描述: 'Recording rule with UTF-8 characters 🎯' },
      },
    ],
  }],
});

/** A rules_test.go spec: one group "group" holding the rule, with the group's extra fields. */
function ruleSpec(rule: Record<string, unknown>, group: Record<string, unknown> = {}): Manifest {
  return prometheusRule('rules-test', { groups: [{ name: 'group', ...group, rules: [rule] }] });
}

// MaxConfigMapDataSize+1 bytes of label value (shouldErrorOnTooLargePrometheusRule).
const TOO_LARGE = ruleSpec({ record: 'record', expr: 'vector(1)', alert: 'alert', labels: { label: 'a'.repeat(524289) } });
const UTF8_RULE = ruleSpec({ alert: 'alert', expr: 'vector(1)', labels: { unicode_测试: 'utf8_value' } });

const ROWS: readonly Row[] = [
  { source: `${ADMISSION} TestAdmitGoodRule (goodRulesWithAnnotations.golden)`, manifest: GOOD_RULES_WITH_ANNOTATIONS, scheme: 'legacy', accept: true },
  {
    source: `${ADMISSION} TestAdmitGoodRuleExternalLabels (goodRulesWithExternalLabelsInAnnotations.golden)`,
    manifest: GOOD_RULES_WITH_EXTERNAL_LABELS,
    scheme: 'legacy',
    accept: true,
  },
  // Two causes: "unexpected right parenthesis ')'" and "unrecognized character in action: U+201C".
  {
    source: `${ADMISSION} TestAdmitBadRule (badRulesNoAnnotations.golden)`,
    manifest: BAD_RULES_NO_ANNOTATIONS,
    scheme: 'legacy',
    accept: false,
    codes: ['IMV706', 'IMV718'],
    promql: 'rejects',
  },
  // "json: cannot unmarshal bool into Go struct field Rule.spec.groups.rules.annotations of type string": the CRD schema says it first.
  {
    source: `${ADMISSION} TestAdmitBadRuleWithBooleanInAnnotations (badRulesWithBooleanInAnnotations.golden)`,
    manifest: BAD_RULES_WITH_BOOLEAN_IN_ANNOTATIONS,
    scheme: 'legacy',
    accept: false,
    codes: ['IMV202'],
  },
  {
    source: `${ADMISSION} TestAdmitGoodRuleWithUTF8Validation (goodRulesWithUTF8.golden)`,
    manifest: GOOD_RULES_WITH_UTF8,
    scheme: 'utf8',
    accept: true,
    promql: 'accepts',
  },
  {
    source: `${ADMISSION} TestAdmitUTF8RuleWithLegacyValidation (goodRulesWithUTF8.golden)`,
    manifest: GOOD_RULES_WITH_UTF8,
    scheme: 'legacy',
    accept: false,
    codes: ['IMV714', 'IMV711'],
  },
  {
    source: `${ADMISSION} TestValidationSchemeComparison "legacy_validation_with_ascii_rules"`,
    manifest: GOOD_RULES_WITH_ANNOTATIONS,
    scheme: 'legacy',
    accept: true,
  },
  {
    source: `${ADMISSION} TestValidationSchemeComparison "utf8_validation_with_ascii_rules"`,
    manifest: GOOD_RULES_WITH_ANNOTATIONS,
    scheme: 'utf8',
    accept: true,
  },
  {
    source: `${ADMISSION} TestValidationSchemeComparison "legacy_validation_with_utf8_rules"`,
    manifest: GOOD_RULES_WITH_UTF8,
    scheme: 'legacy',
    accept: false,
    codes: ['IMV714', 'IMV711'],
  },
  {
    source: `${ADMISSION} TestValidationSchemeComparison "utf8_validation_with_utf8_rules"`,
    manifest: GOOD_RULES_WITH_UTF8,
    scheme: 'utf8',
    accept: true,
    promql: 'accepts',
  },
  // pkg/operator/rules_test.go; DefaultPrometheusVersion and DefaultThanosVersion (v0.42.2) validate under UTF-8.
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldAcceptValidRule`,
    manifest: ruleSpec({ alert: 'alert', expr: 'vector(1)', labels: { valid_label: 'valid_value' } }),
    scheme: 'utf8',
    accept: true,
  },
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldAcceptRulesWithEmptyDurations`,
    manifest: ruleSpec({ alert: 'alert', expr: 'vector(1)', labels: { valid_label: 'valid_value' }, for: '' }, { interval: '' }),
    scheme: 'utf8',
    accept: true,
  },
  // Prometheus 2.55.0: legacy.
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldRejectRuleWithInvalidLabels`,
    manifest: ruleSpec({ alert: 'alert', expr: 'vector(1)', labels: { 'invalid/label': 'value' } }),
    scheme: 'legacy',
    accept: false,
    codes: ['IMV714'],
  },
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldRejectRuleWithInvalidExpression`,
    manifest: ruleSpec({ alert: 'alert', expr: 'invalidfn(1)' }),
    scheme: 'utf8',
    accept: false,
    promql: 'rejects',
  },
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldErrorOnTooLargePrometheusRule (UTF8Validation)`,
    manifest: TOO_LARGE,
    scheme: 'utf8',
    accept: false,
    codes: ['IMV720', 'IMV704'],
  },
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldErrorOnTooLargePrometheusRule (LegacyValidation)`,
    manifest: TOO_LARGE,
    scheme: 'legacy',
    accept: false,
    codes: ['IMV720', 'IMV704'],
  },
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldAcceptRuleWithQueryOffsetPrometheus`,
    manifest: ruleSpec({ alert: 'alert', expr: 'vector(1)' }, { query_offset: '30s' }),
    scheme: 'utf8',
    accept: true,
  },
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldAcceptRuleWithQueryOffsetThanos`,
    manifest: ruleSpec({ alert: 'alert', expr: 'vector(1)' }, { query_offset: '30s' }),
    scheme: 'utf8',
    accept: true,
  },
  // Thanos 0.37.0 and Prometheus 2.52.0 drop the field and validate under legacy; the webhook keeps it: valid either way.
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldDropQueryOffsetFieldForUnsupportedThanosVersion`,
    manifest: ruleSpec({ alert: 'alert', expr: 'vector(1)' }, { query_offset: '30s' }),
    scheme: 'legacy',
    accept: true,
  },
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldDropQueryOffsetFieldForUnsupportedPrometheusVersion`,
    manifest: ruleSpec({ alert: 'alert', expr: 'vector(1)' }, { query_offset: '30s' }),
    scheme: 'legacy',
    accept: true,
  },
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldAcceptRuleWithGroupLabelsThanos`,
    manifest: ruleSpec({ alert: 'alert', expr: 'vector(1)' }, { labels: { key: 'value' } }),
    scheme: 'utf8',
    accept: true,
  },
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldAcceptRuleWithGroupLabels`,
    manifest: ruleSpec({ alert: 'alert', expr: 'vector(1)' }, { labels: { key: 'value' } }),
    scheme: 'utf8',
    accept: true,
  },
  { source: `${RULES} TestUTF8Validation "Prometheus 3.0.0 accepts UTF-8"`, manifest: UTF8_RULE, scheme: 'utf8', accept: true },
  { source: `${RULES} TestUTF8Validation "Prometheus 2.55.0 rejects UTF-8"`, manifest: UTF8_RULE, scheme: 'legacy', accept: false, codes: ['IMV714'] },
  { source: `${RULES} TestUTF8Validation "Thanos 0.38.0 accepts UTF-8"`, manifest: UTF8_RULE, scheme: 'utf8', accept: true },
  { source: `${RULES} TestUTF8Validation "Thanos 0.37.0 rejects UTF-8"`, manifest: UTF8_RULE, scheme: 'legacy', accept: false, codes: ['IMV714'] },
  {
    source: `${RULES} TestMakeRulesConfigMaps/shouldRejectRuleWithExperimentalFunction`,
    manifest: ruleSpec({ record: 'record', expr: 'mad_over_time(some_metric[5m])' }),
    scheme: 'legacy',
    accept: false,
    codes: ['IMV708'],
    promql: 'rejects',
  },
];

function errorsOf(row: Row): Finding[] {
  const options = { nameValidationScheme: row.scheme };
  return validateManifest(row.manifest, options).filter((f) => f.severity === 'error');
}

describe('prometheus-operator v0.93.0 PrometheusRule admission tests through validateManifest', () => {
  it.each(ROWS.map((r) => [r.source, r]))('%s', (_source, row) => {
    const errors = errorsOf(row);
    expect({ accept: errors.length === 0, errors: errors.map((f) => `${f.code} ${f.path}: ${f.message}`) })
      .toMatchObject({ accept: row.accept });
    if (row.codes) expect([...new Set(errors.map((f) => f.code))]).toEqual(row.codes);
    if (row.promql === 'rejects') expect(errors.some((f) => f.path.endsWith('/expr'))).toBe(true);
  });

  it('gives TestAdmitBadRule\'s two causes, one per problem', () => {
    const row = ROWS.find((r) => r.source.includes('TestAdmitBadRule ('))!;
    const errors = errorsOf(row);
    expect(errors.map((f) => f.path)).toEqual(['/spec/groups/0/rules/0/expr', '/spec/groups/0/rules/0/annotations/val']);
    expect(errors[1].message).toContain('unrecognized character in action: U+201C');
  });

  it('agrees on every row', () => {
    const agree = ROWS.filter((row) => (errorsOf(row).length === 0) === row.accept).length;
    expect(`${agree}/${ROWS.length}`).toBe(`${ROWS.length}/${ROWS.length}`);
  });
});
