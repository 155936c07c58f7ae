import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { anchorOf, renderRulesDoc } from '../../scripts/lib/rules-doc';
import { parseManifests } from '../../src/input/parse-manifests';
import { lint } from '../../src/lint';
import { renderLintJson } from '../../src/report/json';
import { failsLint, LintReport } from '../../src/report/lint-report';
import { FINGERPRINT_KEY, renderLintSarif, REPOSITORY_URL, RULES_DOC_URL, toUri } from '../../src/report/sarif';
import { renderLintText } from '../../src/report/text';
import { ALL_RULES } from '../../src/rules-catalog';

const report: LintReport = {
  resources: 3,
  problems: [],
  findings: [
    {
      code: 'IMV401',
      category: 'webhook',
      severity: 'error',
      message: 'portLevelMtls needs a selector',
      fix: 'add spec.selector.matchLabels',
      resource: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'prod', name: 'default' },
      path: '/spec/portLevelMtls',
      file: 'mesh/pa.yaml',
      line: 7,
      column: 3,
    },
    {
      code: 'IMA002',
      category: 'duplicate-namespace-policy',
      severity: 'warning',
      message: 'two namespace-wide policies',
      resource: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'prod', name: 'other' },
      path: '',
      file: 'mesh/pa.yaml',
      line: 12,
      column: 1,
      related: [{ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'prod', name: 'default' }],
    },
  ],
};

describe('lint reports', () => {
  it('text: compiler-style lines, the fix, and a summary', () => {
    expect(renderLintText(report)).toBe([
      'mesh/pa.yaml:7:3: error IMV401 PeerAuthentication prod/default: portLevelMtls needs a selector',
      '  fix: add spec.selector.matchLabels',
      'mesh/pa.yaml:12:1: warning IMA002 PeerAuthentication prod/other: two namespace-wide policies',
      '3 resources, 1 error, 1 warning',
      '',
    ].join('\n'));
  });

  it('json: the documented contract', () => {
    const json = JSON.parse(renderLintJson(report));
    expect(json.summary).toEqual({ resources: 3, errors: 1, warnings: 1, acknowledged: 0 });
    expect(json.findings[0]).toEqual({
      code: 'IMV401',
      category: 'webhook',
      severity: 'error',
      message: 'portLevelMtls needs a selector',
      fix: 'add spec.selector.matchLabels',
      resource: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'prod', name: 'default' },
      file: 'mesh/pa.yaml',
      path: '/spec/portLevelMtls',
      line: 7,
      column: 3,
    });
    expect(json.findings[1].related).toHaveLength(1);
  });

  it('sarif: rules that fired, results located in file and resource', () => {
    const sarif = JSON.parse(renderLintSarif(report, {
      toolVersion: '1.2.3',
      rules: [{ code: 'IMV401', category: 'webhook', severity: 'error', title: 'Port-level mTLS without a selector', explanation: 'Istio rejects it.' }],
    }));
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(['IMA002', 'IMV401']);
    expect(run.tool.driver.rules[1]).toMatchObject({ name: 'PortLevelMTLSWithoutASelector', fullDescription: { text: 'Istio rejects it.' }, defaultConfiguration: { level: 'error' } });
    expect(run.results[0]).toMatchObject({
      ruleId: 'IMV401',
      ruleIndex: 1,
      level: 'error',
      locations: [{
        physicalLocation: { artifactLocation: { uri: 'mesh/pa.yaml' }, region: { startLine: 7, startColumn: 3 } },
        logicalLocations: [{ fullyQualifiedName: 'PeerAuthentication/prod/default/spec/portLevelMtls', kind: 'resource' }],
      }],
    });
    expect(run.results[1].level).toBe('warning');
  });
});

describe('acknowledged findings in every report', () => {
  const ack = { owner: 'team-payments', reviewBy: '2026-12-31', reason: 'legacy client | PAY-42' };
  const acknowledged: LintReport = {
    ...report,
    findings: [{ ...report.findings[0], acknowledged: ack }, report.findings[1]],
  };

  it('text: marked as acknowledged, with owner, review date and reason; counted apart from errors', () => {
    expect(renderLintText(acknowledged)).toBe([
      'mesh/pa.yaml:7:3: acknowledged error IMV401 PeerAuthentication prod/default: portLevelMtls needs a selector',
      '  acknowledged by team-payments, review by 2026-12-31: legacy client | PAY-42',
      '  fix: add spec.selector.matchLabels',
      'mesh/pa.yaml:12:1: warning IMA002 PeerAuthentication prod/other: two namespace-wide policies',
      '3 resources, 0 errors, 1 warning, 1 acknowledged',
      '',
    ].join('\n'));
  });

  it('json: the acknowledgment on the finding, and `acknowledged` in the summary; errors count only the others', () => {
    const json = JSON.parse(renderLintJson(acknowledged));
    expect(json.findings[0].acknowledged).toEqual(ack);
    expect(json.findings[1]).not.toHaveProperty('acknowledged');
    expect(json.summary).toEqual({ resources: 3, errors: 0, warnings: 1, acknowledged: 1 });
  });

  it('sarif: an accepted in-source suppression with the reason as justification', () => {
    const sarif = JSON.parse(renderLintSarif(acknowledged, { toolVersion: '1.2.3', rules: [] }));
    expect(sarif.runs[0].results[0].suppressions).toEqual([
      { kind: 'inSource', status: 'accepted', justification: 'legacy client | PAY-42', properties: { owner: 'team-payments', reviewBy: '2026-12-31' } },
    ]);
    // The severity stays what the rule says: the suppression is what code scanning acts on.
    expect(sarif.runs[0].results[0].level).toBe('error');
    expect(sarif.runs[0].results[1]).not.toHaveProperty('suppressions');
  });

  it.each([
    ['an error', [{}], 'error', true],
    ['an acknowledged error', [{ acknowledged: ack }], 'error', false],
    ['a warning', [{ severity: 'warning' }], 'error', false],
    ['a warning, --fail-on warning', [{ severity: 'warning' }], 'warning', true],
    ['an acknowledged warning, --fail-on warning', [{ severity: 'warning', acknowledged: ack }], 'warning', false],
    ['an info, --fail-on warning', [{ severity: 'info' }], 'warning', false],
    ['an acknowledged error and an error', [{ acknowledged: ack }, {}], 'error', true],
  ] as const)('exit 1 for %s: %s', (_, overrides, failOn, fails) => {
    const findings = overrides.map((o) => ({ ...report.findings[0], ...o }));
    expect(failsLint(findings, failOn)).toBe(fails);
  });
});

describe('sarif for code scanning', () => {
  it.each([
    ['mesh/pa.yaml', 'mesh/pa.yaml'],
    ['./mesh/pa.yaml', 'mesh/pa.yaml'],
    ['mesh dir/a#1 100%.yaml', 'mesh%20dir/a%231%20100%25.yaml'],
    ['über/grüße ü.yaml', '%C3%BCber/gr%C3%BC%C3%9Fe%20%C3%BC.yaml'],
    ['what?.yaml', 'what%3F.yaml'],
    // A relative name with a colon must not read as a URI scheme.
    ['c:x.yaml', 'c%3Ax.yaml'],
    ['/abs/dir/p q.yaml', 'file:///abs/dir/p%20q.yaml'],
    ['../up/x.yaml', '../up/x.yaml'],
    ['-', 'stdin'],
  ])('file %j is the URI %j', (file, uri) => {
    expect(toUri(file)).toBe(uri);
  });

  it('every rule of the catalogue links to its own anchor in RULES.md, and RULES.md has that anchor', () => {
    const doc = renderRulesDoc();
    const sarif = JSON.parse(renderLintSarif({
      resources: 1,
      problems: [],
      findings: ALL_RULES.map((r) => ({ ...report.findings[0], code: r.code })),
    }, { toolVersion: '1.2.3', rules: ALL_RULES }));
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules).toHaveLength(ALL_RULES.length);
    for (const rule of rules) {
      expect(rule.helpUri).toBe(`${RULES_DOC_URL}#${rule.id.toLowerCase()}`);
      // One anchor per code, on the code's own row.
      const rows = doc.split('\n').filter((l) => l.includes(anchorOf(rule.id)));
      expect(rows, rule.id).toHaveLength(1);
      expect(rows[0].startsWith(`| ${rule.id} |`)).toBe(true);
    }
    // A code the catalogue does not know gets no link rather than a dead one.
    const unknown = JSON.parse(renderLintSarif(report, { toolVersion: '1', rules: [] }));
    expect(unknown.runs[0].tool.driver.rules[0]).not.toHaveProperty('helpUri');
  });

  it('links to the repository package.json names', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(pkg.repository.url.replace(/\.git$/, '')).toBe(REPOSITORY_URL);
    expect(RULES_DOC_URL.startsWith(`${REPOSITORY_URL}/blob/`)).toBe(true);
  });

  it('fingerprints: the same across runs, line shifts and file renames; different for different findings', () => {
    const manifests = parseManifests(BAD).manifests;
    const fingerprints = (text: string, file: string) => {
      const inputs = parseManifests(text).manifests.map((m) => ({ manifest: m.manifest, file, locate: m.locate }));
      const sarif = JSON.parse(renderLintSarif({ findings: lint(inputs), resources: inputs.length, problems: [] }, { toolVersion: '1', rules: ALL_RULES }));
      return sarif.runs[0].results.map((r: any) => ({
        id: r.ruleId,
        line: r.locations[0].physicalLocation.region.startLine,
        fp: r.partialFingerprints[FINGERPRINT_KEY],
      }));
    };
    expect(manifests.length).toBe(2);
    const before = fingerprints(BAD, 'mesh.yaml');
    const after = fingerprints(`# moved down by a comment\n\n${BAD.replace('spec:\n  mtls', 'spec:\n  # why\n  mtls')}`, 'renamed.yaml');
    expect(before.length).toBeGreaterThanOrEqual(3);
    // The lines moved…
    expect(after.map((r: any) => r.line)).not.toEqual(before.map((r: any) => r.line));
    // …the alerts did not.
    expect(after.map((r: any) => [r.id, r.fp])).toEqual(before.map((r: any) => [r.id, r.fp]));
    expect(new Set(before.map((r: any) => r.fp)).size).toBe(before.length);
    // Another resource is another alert.
    const other = fingerprints(BAD.replace('name: default', 'name: other'), 'mesh.yaml');
    expect(other.find((r: any) => r.id === 'IMV204').fp).not.toBe(before.find((r: any) => r.id === 'IMV204').fp);
  });

  it('fingerprints: two findings alike in code, resource and path still differ', () => {
    const twin = { ...report.findings[0], message: 'another message' };
    const sarif = JSON.parse(renderLintSarif({ ...report, findings: [report.findings[0], twin] }, { toolVersion: '1', rules: [] }));
    const [a, b] = sarif.runs[0].results.map((r: any) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(a).not.toBe(b);
  });

  it('unreadable input: tool execution notifications at its position, and the run not successful', () => {
    const sarif = JSON.parse(renderLintSarif({ ...report, problems: [{ file: 'bad dir/x.yaml', line: 4, column: 1, message: 'YAML syntax error' }] }, { toolVersion: '1', rules: [] }));
    expect(sarif.runs[0].invocations).toEqual([{
      executionSuccessful: false,
      toolExecutionNotifications: [{
        level: 'error',
        message: { text: 'YAML syntax error' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'bad%20dir/x.yaml' }, region: { startLine: 4, startColumn: 1 } } }],
      }],
    }]);
    expect(JSON.parse(renderLintSarif(report, { toolVersion: '1', rules: [] })).runs[0].invocations).toEqual([{ executionSuccessful: true }]);
  });
});

const BAD = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: production
spec:
  mtls:
    mode: STRIC
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: payment
  namespace: production
spec:
  rules:
  - from:
    - source:
        principals:
        - spiffe://cluster.local/ns/production/sa/checkout
`;
