/*
 * Prometheus' rule-file tests (prometheus/prometheus v3.13.1
 * model/rulefmt/rulefmt_test.go and model/rulefmt/testdata/*.yaml), each rule
 * file expressed as a PrometheusRule manifest (the file's groups under
 * spec.groups, read as kubectl reads YAML) and run through validateManifest:
 * the CRD schema and CEL first, then prometheus-operator v0.93.0's webhook
 * with the name validation scheme the upstream test passes to rulefmt.
 * A row agrees when we reject exactly when upstream reports an error; `codes`
 * names the findings that stand for upstream's error.
 *
 * Upstream cases not ported:
 * | source | case | reason |
 * | rulefmt_test.go TestError, TestWrappedError, TestErrorUnwrap | all | formatting and unwrapping of rulefmt's Go error values: no rule file |
 * | rulefmt_test.go TestMultiDocParse | multi, multiEmpty | a second YAML document inside one rule file: a PrometheusRule is one object, rendered as one document |
 * | rulefmt_test.go TestParseFileSuccessWithAliases | the field-by-field asserts | anchors and merge keys are resolved by the YAML reader before the cluster sees the object; the verdict is ported |
 *
 * Rows whose verdict rests on the PromQL parser (promql column):
 * - rejects: TestParseFileFailure "bad_expr.bad.yaml" (rate(hi)), TestUniqueErrorNodes (up ===== 0);
 * - accepts: TestParseFileSuccess "test.yaml", TestParseFileSuccessWithAliases "test_aliases.yaml"
 *   (sum without(instance) (rate(...[5m])) / ... over several lines); every other row's expressions are 1 or up == 0.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../src/input/parse-manifests';
import { Finding } from '../../src/model/finding';
import { Manifest } from '../../src/model/manifest';
import { validateManifest } from '../../src/validation/validate';

const DATA = path.join(__dirname, 'data', 'rulefmt');
const TEST = 'model/rulefmt/rulefmt_test.go';

type Scheme = 'legacy' | 'utf8';

interface Row {
  readonly source: string;
  /** A file of test/upstream/data/rulefmt (model/rulefmt/testdata), or the rule file itself. */
  readonly file?: string;
  readonly text?: string;
  readonly scheme: Scheme;
  readonly accept: boolean;
  /** Codes of the error findings we give, which stand for upstream's error. */
  readonly codes?: readonly string[];
  /** The verdict rests on the PromQL parser rejecting an expression, or accepting non-trivial ones. */
  readonly promql?: 'rejects' | 'accepts';
}

/** The rule file as the spec of a PrometheusRule, read as kubectl reads YAML. */
function manifestOf(ruleFile: string): Manifest {
  const indented = ruleFile.split('\n').map((line) => (line === '' ? '' : `  ${line}`));
  const text = ['apiVersion: monitoring.coreos.com/v1', 'kind: PrometheusRule', 'metadata:', '  name: rulefmt', '  namespace: monitoring', 'spec:', ...indented].join('\n');
  const parsed = parseManifests(text);
  expect(parsed.problems).toEqual([]);
  expect(parsed.manifests).toHaveLength(1);
  return parsed.manifests[0].manifest;
}

function errorsOf(row: Row): Finding[] {
  const ruleFile = row.file !== undefined ? fs.readFileSync(path.join(DATA, row.file), 'utf8') : row.text!;
  const options = { nameValidationScheme: row.scheme };
  return validateManifest(manifestOf(ruleFile), options).filter((f) => f.severity === 'error');
}

const ROWS: readonly Row[] = [
  // TestParseFileSuccess
  { source: `${TEST} TestParseFileSuccess "testdata/test.yaml"`, file: 'test.yaml', scheme: 'utf8', accept: true, promql: 'accepts' },
  { source: `${TEST} TestParseFileSuccess "testdata/utf-8_lname.good.yaml"`, file: 'utf-8_lname.good.yaml', scheme: 'utf8', accept: true },
  { source: `${TEST} TestParseFileSuccess "testdata/utf-8_annotation.good.yaml"`, file: 'utf-8_annotation.good.yaml', scheme: 'utf8', accept: true },
  {
    source: `${TEST} TestParseFileSuccess "testdata/legacy_validation_annotation.good.yaml"`,
    file: 'legacy_validation_annotation.good.yaml',
    scheme: 'legacy',
    accept: true,
  },
  // TestParseFileSuccessWithAliases
  { source: `${TEST} TestParseFileSuccessWithAliases "testdata/test_aliases.yaml"`, file: 'test_aliases.yaml', scheme: 'utf8', accept: true, promql: 'accepts' },
  // TestParseFileFailure: upstream's expected message, then what stands for it here.
  // "groupname: \"yolo\" is repeated in the same file": the CRD's list-map key rejects it first.
  { source: `${TEST} TestParseFileFailure "duplicate_grp.bad.yaml"`, file: 'duplicate_grp.bad.yaml', scheme: 'utf8', accept: false, codes: ['IMV211'] },
  // "parse error"
  { source: `${TEST} TestParseFileFailure "bad_expr.bad.yaml"`, file: 'bad_expr.bad.yaml', scheme: 'utf8', accept: false, promql: 'rejects' },
  // "only one of 'record' and 'alert' must be set"
  { source: `${TEST} TestParseFileFailure "record_and_alert.bad.yaml"`, file: 'record_and_alert.bad.yaml', scheme: 'utf8', accept: false, codes: ['IMV704'] },
  // "one of 'record' or 'alert' must be set"
  { source: `${TEST} TestParseFileFailure "no_rec_alert.bad.yaml"`, file: 'no_rec_alert.bad.yaml', scheme: 'utf8', accept: false, codes: ['IMV704'] },
  // "field 'expr' must be set in rule": the CRD requires expr.
  { source: `${TEST} TestParseFileFailure "noexpr.bad.yaml"`, file: 'noexpr.bad.yaml', scheme: 'utf8', accept: false, codes: ['IMV203'] },
  // "braces present in the recording rule name; should it be in expr?: strawberry{flavor=\"sweet\"}"
  { source: `${TEST} TestParseFileFailure "invalid_record_name.bad.yaml"`, file: 'invalid_record_name.bad.yaml', scheme: 'utf8', accept: false, codes: ['IMV711'] },
  // "field annotation not found": unknown fields are rejected by the API server's strict field validation.
  { source: `${TEST} TestParseFileFailure "bad_field.bad.yaml"`, file: 'bad_field.bad.yaml', scheme: 'utf8', accept: false, codes: ['IMV201'] },
  // "invalid label name"
  { source: `${TEST} TestParseFileFailure "invalid_label_name.bad.yaml"`, file: 'invalid_label_name.bad.yaml', scheme: 'utf8', accept: false, codes: ['IMV714'] },
  // "invalid field 'for' in recording rule"
  { source: `${TEST} TestParseFileFailure "record_and_for.bad.yaml"`, file: 'record_and_for.bad.yaml', scheme: 'utf8', accept: false, codes: ['IMV712'] },
  // "invalid field 'keep_firing_for' in recording rule"
  {
    source: `${TEST} TestParseFileFailure "record_and_keep_firing_for.bad.yaml"`,
    file: 'record_and_keep_firing_for.bad.yaml',
    scheme: 'utf8',
    accept: false,
    codes: ['IMV712'],
  },
  // "invalid annotation name: ins-tance"
  {
    source: `${TEST} TestParseFileFailure "legacy_validation_annotation.bad.yaml"`,
    file: 'legacy_validation_annotation.bad.yaml',
    scheme: 'legacy',
    accept: false,
    codes: ['IMV716'],
  },
  // TestTemplateParsing
  {
    source: `${TEST} TestTemplateParsing case 1 ($labels.instance)`,
    scheme: 'utf8',
    accept: true,
    text: 'groups:\n- name: example\n  rules:\n  - alert: InstanceDown\n    expr: up == 0\n    for: 5m\n    labels:\n      severity: "page"\n'
      + '    annotations:\n      summary: "Instance {{ $labels.instance }} down"\n',
  },
  {
    source: `${TEST} TestTemplateParsing case 2 (group labels)`,
    scheme: 'utf8',
    accept: true,
    text: 'groups:\n- name: example\n  labels:\n    team: myteam\n  rules:\n  - alert: InstanceDown\n    expr: up == 0\n    for: 5m\n'
      + '    labels:\n      severity: "page"\n    annotations:\n      summary: "Instance {{ $labels.instance }} down"\n',
  },
  {
    source: `${TEST} TestTemplateParsing case 3 ($label instead of $labels)`,
    scheme: 'utf8',
    accept: false,
    codes: ['IMV718'],
    text: 'groups:\n- name: example\n  rules:\n  - alert: InstanceDown\n    expr: up == 0\n    for: 5m\n    labels:\n      severity: "page"\n'
      + '    annotations:\n      summary: "Instance {{ $label.instance }} down"\n',
  },
  {
    source: `${TEST} TestTemplateParsing case 4 ($this_is_wrong)`,
    scheme: 'utf8',
    accept: false,
    codes: ['IMV718'],
    text: 'groups:\n- name: example\n  rules:\n  - alert: InstanceDown\n    expr: up == 0\n    for: 5m\n    labels:\n      severity: "{{$this_is_wrong}}"\n'
      + '    annotations:\n      summary: "Instance {{ $labels.instance }} down"\n',
  },
  {
    source: `${TEST} TestTemplateParsing case 5 ($labels.quantile * 100)`,
    scheme: 'utf8',
    accept: false,
    codes: ['IMV718'],
    text: 'groups:\n- name: example\n  rules:\n  - alert: InstanceDown\n    expr: up == 0\n    for: 5m\n    labels:\n      severity: "page"\n'
      + '    annotations:\n      summary: "Instance {{ $labels.instance }} down"\n      description: "{{$labels.quantile * 100}}"\n',
  },
  // TestUniqueErrorNodes: two rules, two errors.
  {
    source: `${TEST} TestUniqueErrorNodes`,
    scheme: 'utf8',
    accept: false,
    promql: 'rejects',
    text: 'groups:\n- name: example\n  rules:\n  - alert: InstanceDown\n    expr: up ===== 0\n    for: 5m\n    labels:\n      severity: "page"\n'
      + '    annotations:\n      summary: "Instance {{ $labels.instance }} down"\n  - alert: InstanceUp\n    expr: up ===== 1\n    for: 5m\n'
      + '    labels:\n      severity: "page"\n    annotations:\n      summary: "Instance {{ $labels.instance }} up"\n',
  },
  // TestMultiDocParse
  {
    source: `${TEST} TestMultiDocParse valid`,
    scheme: 'utf8',
    accept: true,
    text: '\ngroups:\n- name: example\n  rules:\n  - alert: InstanceDown\n    expr: up == 0\n',
  },
];

describe(`prometheus ${TEST} and testdata through validateManifest`, () => {
  it.each(ROWS.map((r) => [r.source, r]))('%s', (_source, row) => {
    const errors = errorsOf(row);
    expect({ accept: errors.length === 0, errors: errors.map((f) => `${f.code} ${f.path}: ${f.message}`) })
      .toMatchObject({ accept: row.accept });
    if (row.codes) expect([...new Set(errors.map((f) => f.code))]).toEqual(row.codes);
    // A rejection by the PromQL parser is a finding on the expression.
    if (row.promql === 'rejects') expect(errors.every((f) => f.path.endsWith('/expr'))).toBe(true);
  });

  it('reports one error per rule in TestUniqueErrorNodes, as upstream does', () => {
    const row = ROWS.find((r) => r.source.endsWith('TestUniqueErrorNodes'))!;
    expect(errorsOf(row).map((f) => f.path)).toEqual(['/spec/groups/0/rules/0/expr', '/spec/groups/0/rules/1/expr']);
  });

  it('covers every file of model/rulefmt/testdata', () => {
    const files = fs.readdirSync(DATA).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toHaveLength(16);
    expect([...new Set(ROWS.map((r) => r.file).filter((f) => f !== undefined))].sort()).toEqual(files);
  });

  it('agrees on every row', () => {
    const agree = ROWS.filter((row) => (errorsOf(row).length === 0) === row.accept).length;
    expect(`${agree}/${ROWS.length}`).toBe(`${ROWS.length}/${ROWS.length}`);
  });
});
