import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseManifests } from '../../src/input/parse-manifests';
import { lint, LintInput } from '../../src/lint';
import { LintReport } from '../../src/report/lint-report';
import { renderLintSarif } from '../../src/report/sarif';
import { ALL_RULES } from '../../src/rules-catalog';

/** The official SARIF 2.1.0 schema (OASIS errata rtm.5), shipped in @microsoft/jest-sarif. */
const SCHEMA_FILE = path.resolve(__dirname, '../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

/** Bad manifests as files (positions known): a typo'd mode, a spiffe:// principal, port-level mTLS without a selector. */
const BAD_FILE = `apiVersion: security.istio.io/v1
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
  selector:
    matchLabels:
      app: payment
  rules:
  - from:
    - source:
        principals:
        - spiffe://cluster.local/ns/production/sa/checkout
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ports
  namespace: billing
spec:
  portLevelMtls:
    "8443":
      mode: DISABLE
`;

/** Manifests without a file (as from a cdk8s app): two mesh-wide policies, a DestinationRule disabling TLS. */
const UNFILED = [
  { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } },
  { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'second', namespace: 'istio-system' }, spec: { mtls: { mode: 'PERMISSIVE' } } },
  { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'no-tls', namespace: 'billing' }, spec: { host: '*.billing.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' } } } },
];

function sarifValidator(): ValidateFunction {
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
  // The file declares draft-04, which Ajv 8 does not ship; the schema uses no keyword whose
  // meaning changed after draft-04 except the top-level `id`, so validate it as draft-07.
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  // unicodeRegExp off: the schema's `language` pattern has a stray `]`, legal only without the u flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  // ajv-formats is not installed: the three formats the schema uses, checked here.
  ajv.addFormat('uri', (s: string) => /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/.test(s) && canParseUrl(s));
  ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s) && canParseUrl(s, 'file:///base/'));
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !isNaN(Date.parse(s)));
  return ajv.compile(schema);
}

function canParseUrl(s: string, base?: string): boolean {
  try {
    new URL(s, base);
    return true;
  } catch {
    return false;
  }
}

function realReport(): LintReport {
  // A file name with what URIs must encode: a space, `#`, `%` and non-ASCII.
  const inputs: LintInput[] = parseManifests(BAD_FILE).manifests.map((m) => ({ manifest: m.manifest, file: 'mesh dir/bad #1 100% ü.yaml', locate: m.locate }));
  inputs.push(...UNFILED.map((manifest) => ({ manifest })));
  // One input from standard input, with no position (the whole resource).
  inputs.push({ manifest: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'x', namespace: 'stdin-ns' }, spec: { mtls: { mode: 'NOPE' } } }, file: '-' });
  const findings = lint(inputs);
  // One acknowledged finding (an accepted suppression) and one unreadable document (a tool execution notification).
  const acknowledged = { ...findings[0], acknowledged: { owner: 'team-mesh', reviewBy: '2026-12-31', reason: 'migration phase 01' } };
  return { findings: [acknowledged, ...findings.slice(1)], resources: inputs.length, problems: [{ file: 'mesh dir/broken.yaml', line: 3, column: 7, message: 'YAML syntax error' }] };
}

describe('SARIF output against the SARIF 2.1.0 schema', () => {
  let validate: ValidateFunction;
  beforeAll(() => {
    validate = sarifValidator();
  });

  it('a real lint run with several codes, positioned and unpositioned results, validates', () => {
    const report = realReport();
    const codes = new Set(report.findings.map((f) => f.code));
    // The run must exercise what the renderer varies on: several rules, with and without file/line.
    expect(codes.size).toBeGreaterThanOrEqual(4);
    expect(report.findings.some((f) => f.file && f.line !== undefined)).toBe(true);
    expect(report.findings.some((f) => !f.file)).toBe(true);
    expect(report.findings.some((f) => f.fix)).toBe(true);
    expect(report.findings.some((f) => f.acknowledged)).toBe(true);
    const sarif = JSON.parse(renderLintSarif(report, { rules: ALL_RULES, toolVersion: '1.2.3', informationUri: 'https://github.com/cdk8s-istio-mtls/cdk8s-istio-mtls' }));
    const ok = validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(sarif.runs[0].results.length).toBe(report.findings.length);
    // The parts code scanning reads: a fingerprint and a help link per result, the suppression, the encoded file.
    expect(sarif.runs[0].results.every((r: any) => /^[0-9a-f]{64}$/.test(r.partialFingerprints['istioMtlsFinding/v1']))).toBe(true);
    expect(sarif.runs[0].tool.driver.rules.every((r: any) => r.helpUri.startsWith('https://'))).toBe(true);
    expect(sarif.runs[0].results.filter((r: any) => r.suppressions)).toHaveLength(1);
    const uris = new Set(sarif.runs[0].results.map((r: any) => r.locations[0].physicalLocation?.artifactLocation.uri));
    expect([...uris].sort()).toEqual(['mesh%20dir/bad%20%231%20100%25%20%C3%BC.yaml', 'stdin', undefined]);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications).toHaveLength(1);
  });

  it('an empty run (no findings) validates', () => {
    const sarif = JSON.parse(renderLintSarif({ findings: [], resources: 0, problems: [] }, { rules: ALL_RULES, toolVersion: '0.0.0' }));
    expect(validate(sarif)).toBe(true);
  });

  it('fails on output that breaks the schema (the check is real)', () => {
    const sarif = JSON.parse(renderLintSarif(realReport(), { rules: ALL_RULES, toolVersion: '1.2.3' }));
    sarif.runs[0].results[0].level = 'fatal';
    sarif.runs[0].tool.driver.informationUri = 'not a uri';
    expect(validate(sarif)).toBe(false);
    const where = (validate.errors ?? []).map((e) => e.instancePath);
    expect(where).toContain('/runs/0/results/0/level');
    expect(where).toContain('/runs/0/tool/driver/informationUri');
  });
});
