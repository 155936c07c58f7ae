import { describe, expect, it } from 'vitest';
import { renderLintJson } from '../../src/report/json';
import { LintReport } from '../../src/report/lint-report';
import { renderLintSarif } from '../../src/report/sarif';
import { renderLintText } from '../../src/report/text';

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
    expect(json.summary).toEqual({ resources: 3, errors: 1, warnings: 1 });
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
