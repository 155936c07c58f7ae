import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// Types from the files, the class from the package's public `./plugins` export
// (tsc's node10 resolution does not read `exports`; vite does, and refuses lib/ paths).
import type { Validation, ValidationContext as Cdk8sValidationContext } from 'cdk8s-cli/lib/plugins';
import { beforeAll, describe, expect, it } from 'vitest';
import { IstioMtlsValidation, IstioMtlsValidationProperties } from '../../src/cdk8s/validation-plugin';
import { ALL_RULES } from '../../src/rules-catalog';

const titleOf = (code: string) => ALL_RULES.find((r) => r.code === code)!.title;
const FIXTURES = path.join('test', 'fixtures', 'plugin');
const fixture = (name: string) => path.resolve(FIXTURES, name);

// The class satisfies cdk8s-cli's own plugin contract (checked by tsc).
const asCdk8sPlugin: Validation = new IstioMtlsValidation();
void asCdk8sPlugin;

let ValidationContext: typeof Cdk8sValidationContext;
beforeAll(async () => {
  ({ ValidationContext } = (await import('cdk8s-cli/plugins' as string)) as { ValidationContext: typeof Cdk8sValidationContext });
});

/** Runs the plugin as cdk8s-cli does: its real ValidationContext and report. */
async function runPlugin(files: string[], props: IstioMtlsValidationProperties = {}, metadata: Record<string, { path: string }> = {}) {
  const context = new ValidationContext(files, 'cdk8s-istio-mtls', '0.0.0', metadata, false);
  await new IstioMtlsValidation(props).validate(context);
  const json = context.report.toJson();
  // eslint-disable-next-line no-control-regex
  return { success: context.report.success, json, text: context.report.toString().replace(/\x1b\[[0-9;]*m/g, '') };
}

/** What cdk8s writes: construct paths keyed by metadata.name (the last `default` wins). */
const VIOLATING_METADATA = {
  'default': { path: 'Violating/prod-default' },
  'billing-ports': { path: 'Violating/billing-ports' },
};

describe('IstioMtlsValidation (cdk8s-cli plugin)', () => {
  it('Compliance: a clean mesh passes with no violations', async () => {
    const r = await runPlugin([fixture('clean.k8s.yaml')]);
    expect(r.success).toBe(true);
    expect(r.json.violations).toEqual([]);
    expect(r.json.summary.metadata).toMatchObject({ Resources: '2', Errors: '0', Warnings: '0' });
  });

  it('Noncompliance 1: errors fail, each reported with Kind namespace/name, code, message, fix and file:line:col', async () => {
    const r = await runPlugin([fixture('violating.k8s.yaml')], {}, VIOLATING_METADATA);
    expect(r.success).toBe(false);
    const typo = r.json.violations.find((v) => v.ruleName.startsWith('IMV204'))!;
    expect(typo).toEqual({
      ruleName: `IMV204 error: ${titleOf('IMV204')}`,
      recommendation: 'PeerAuthentication prod/default: spec.mtls.mode: unsupported value "STRIC"; allowed: UNSET, DISABLE, PERMISSIVE, STRICT',
      fix: 'did you mean STRICT? (values are case-sensitive)',
      violatingConstructs: [{
        resourceName: 'PeerAuthentication prod/default',
        locations: [`${FIXTURES}/violating.k8s.yaml:17:11 /spec/mtls/mode`.split(path.sep).join('/')],
        manifestPath: fixture('violating.k8s.yaml'),
        // Two resources are named "default": cdk8s's metadata cannot tell which construct made this one.
        constructPath: undefined,
      }],
    });
    // Both prod policies are rejected, so the analysis never sees them: no IMA002 against the mesh policy.
    expect(r.json.violations.map((v) => v.ruleName.split(' ')[0]).sort()).toEqual(['IMV204', 'IMV301']);
    expect(r.json.summary.metadata).toMatchObject({ Resources: '3', Errors: '2', Warnings: '0', Notes: '1' });
  });

  it('Noncompliance 2: a uniquely named resource gets its construct path; a shared name never gets another construct\'s path', async () => {
    const r = await runPlugin([fixture('violating.k8s.yaml')], {}, VIOLATING_METADATA);
    const ports = r.json.violations.find((v) => v.ruleName.startsWith('IMV301'))!;
    expect(ports.violatingConstructs[0]).toMatchObject({ resourceName: 'PeerAuthentication prod/billing-ports', constructPath: 'Violating/billing-ports' });
    expect(r.text).toContain('Construct Path: Violating/billing-ports');
    expect(r.text).not.toContain('Violating/prod-default');
    expect(r.text).toContain('Resource Name: PeerAuthentication prod/default');
    expect(r.text).toMatch(/Status +│ failure/);
  });

  it('Noncompliance 3: warnings are reported but pass, unless failOn is warning', async () => {
    const loose = await runPlugin([fixture('warning-only.k8s.yaml')]);
    expect(loose.success).toBe(true);
    expect(loose.json.violations.map((v) => v.ruleName)).toEqual([`IMA011 warning: ${titleOf('IMA011')}`]);
    expect(loose.json.violations[0].recommendation).toMatch(/^AuthorizationPolicy prod\/allow-frontend:? principal "example.org\/ns\/web\/sa\/frontend"/);
    const strict = await runPlugin([fixture('warning-only.k8s.yaml')], { failOn: 'warning' });
    expect(strict.success).toBe(false);
  });

  it('mesh properties reach the analysis: a trust domain alias silences the unknown-domain warning', async () => {
    const r = await runPlugin([fixture('warning-only.k8s.yaml')], { trustDomainAliases: ['example.org'], failOn: 'warning' });
    expect(r.success).toBe(true);
    expect(r.json.violations).toEqual([]);
    const asDomain = await runPlugin([fixture('warning-only.k8s.yaml')], { trustDomain: 'example.org', failOn: 'warning' });
    expect(asDomain.success).toBe(true);
  });

  it('analyze: false runs per-resource validation only', async () => {
    const r = await runPlugin([fixture('violating.k8s.yaml')], { analyze: false });
    expect(r.json.violations.map((v) => v.ruleName.split(' ')[0]).sort()).toEqual(['IMV204', 'IMV301']);
  });

  it('crds: validates against the user\'s CRD file, relative to the working directory', async () => {
    const without = await runPlugin([fixture('widget.k8s.yaml')]);
    expect(without.json.violations).toEqual([]);
    const r = await runPlugin([fixture('widget.k8s.yaml')], { crds: `${FIXTURES}/widget-crd.yaml` });
    expect(r.success).toBe(false);
    expect(r.json.violations[0]).toMatchObject({ ruleName: expect.stringMatching(/^IMV202 error: /), recommendation: expect.stringContaining('Widget prod/big: spec.size') });
  });

  it('fails with a clear message on an unreadable crds file', async () => {
    await expect(runPlugin([fixture('clean.k8s.yaml')], { crds: 'no/such/crds.yaml' })).rejects.toThrow('IstioMtlsValidation: crds no/such/crds.yaml: cannot read');
  });

  it('reports a manifest that is not YAML as a failure, and still checks the others', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-mtls-plugin-'));
    try {
      const broken = path.join(dir, 'broken.k8s.yaml');
      fs.writeFileSync(broken, 'apiVersion: v1\nkind: [unclosed\n');
      const r = await runPlugin([broken, fixture('violating.k8s.yaml')]);
      expect(r.success).toBe(false);
      expect(r.json.violations[0]).toMatchObject({ ruleName: 'error: unreadable manifest', recommendation: expect.stringContaining('YAML syntax error') });
      expect(r.json.violations.some((v) => v.ruleName.startsWith('IMV204'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves an object the cluster would reject out of the analysis, and reports why it is rejected', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-mtls-plugin-'));
    try {
      const file = path.join(dir, 'mesh.k8s.yaml');
      const policy = (labels: string) => [
        'apiVersion: security.istio.io/v1', 'kind: PeerAuthentication', `metadata: {name: api-legacy, namespace: shop${labels}}`,
        'spec: {selector: {matchLabels: {app: api}}, mtls: {mode: DISABLE}}',
      ].join('\n');
      const mesh = [
        'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}',
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}',
        'spec: {selector: {matchLabels: {app: api}}, template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: x}]}}}',
      ];
      const rules = async (labels: string) => {
        fs.writeFileSync(file, [...mesh.slice(0, 2), mesh.slice(2).join('\n'), policy(labels)].join('\n---\n') + '\n');
        return (await runPlugin([file])).json.violations.map((v) => v.ruleName.split(' ')[0]);
      };
      // Stored, the policy weakens the workload without the exception annotations (IMA016); rejected, only its error remains.
      expect(await rules('')).toEqual(['IMA016']);
      expect(await rules(', labels: {team: payments team}')).toEqual(['IMV109']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails early on properties cdk8s.yaml got wrong', () => {
    expect(() => new IstioMtlsValidation({ failon: 'warning' } as IstioMtlsValidationProperties))
      .toThrow("IstioMtlsValidation: unknown property 'failon'; expected one of rootNamespace, trustDomain, trustDomainAliases, autoMtls, ambient, istioCni, sidecarHbone, serviceCidrs, podCidrs, "
        + 'outboundTrafficPolicy, knownRevisions, enableTlsOnSidecarIngress, captureDefaults, maxReviewDays, crds, nameValidationScheme, analyze, failOn');
    expect(() => new IstioMtlsValidation({ failOn: 'info' as 'error' })).toThrow("IstioMtlsValidation: property 'failOn' must be 'error' or 'warning', got \"info\"");
    expect(() => new IstioMtlsValidation({ autoMtls: 'false' as unknown as boolean })).toThrow("property 'autoMtls' must be true or false, got \"false\"");
    expect(() => new IstioMtlsValidation({ rootNamespace: 'Istio_System' })).toThrow("property 'rootNamespace' must be a namespace name (DNS-1123 label)");
    expect(() => new IstioMtlsValidation({ serviceCidrs: ['10.96.0.0'] })).toThrow("property 'serviceCidrs' must be a list of CIDRs such as 10.96.0.0/12; \"10.96.0.0\" is not one");
    expect(() => new IstioMtlsValidation({ captureDefaults: { statusPort: 'x' as unknown as number } }))
      .toThrow("property 'captureDefaults.statusPort' must be a port number (1-65535), got \"x\"");
    expect(() => new IstioMtlsValidation({ maxReviewDays: 0 })).toThrow("property 'maxReviewDays' must be a whole number of days from 1 to 3650, got 0");
  });

  it('reports an acknowledged error marked, without failing; an expired acknowledgment fails, naming the owner', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-mtls-plugin-'));
    try {
      const file = path.join(dir, 'mesh.k8s.yaml');
      const today = new Date().toISOString().slice(0, 10);
      const policy = (reviewBy: string) => [
        'apiVersion: security.istio.io/v1', 'kind: AuthorizationPolicy',
        'metadata:', '  name: spiffe', '  namespace: shop', '  annotations:',
        `    mtls.acknowledge/IMA010: "owner=team-shop; review-by=${reviewBy}; reason=fixed in the next release; see SHOP-1"`,
        'spec: {selector: {matchLabels: {app: x}}, rules: [{from: [{source: {principals: ["spiffe://cluster.local/ns/a/sa/b"]}}]}]}',
      ].join('\n') + '\n';
      fs.writeFileSync(file, policy(today));
      const acknowledged = await runPlugin([file]);
      expect(acknowledged.success).toBe(true);
      expect(acknowledged.json.violations.map((v) => [v.ruleName, v.recommendation.endsWith(
        `(acknowledged by team-shop until ${today}: fixed in the next release; see SHOP-1)`)])).toEqual([[`IMA010 acknowledged error: ${titleOf('IMA010')}`, true]]);
      expect(acknowledged.json.summary.metadata).toMatchObject({ Errors: '0', Acknowledged: '1' });

      fs.writeFileSync(file, policy('2020-01-31'));
      const expired = await runPlugin([file]);
      expect(expired.success).toBe(false);
      expect(expired.json.violations.map((v) => v.ruleName.split(' ')[0]).sort()).toEqual(['IMA010', 'IMA046']);
      expect(expired.json.violations.find((v) => v.ruleName.startsWith('IMA046'))!.recommendation)
        .toBe(`AuthorizationPolicy shop/spiffe: acknowledgment of IMA010 by team-shop expired on 2020-01-31 (today is ${today}), so IMA010 counts again`);
      expect(expired.json.summary.metadata).toMatchObject({ Errors: '2' });
      expect(expired.json.summary.metadata).not.toHaveProperty('Acknowledged');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maxReviewDays reaches the acknowledgments: a review date beyond it is an error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-mtls-plugin-'));
    try {
      const file = path.join(dir, 'mesh.k8s.yaml');
      const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
      fs.writeFileSync(file, [
        'apiVersion: security.istio.io/v1', 'kind: AuthorizationPolicy',
        'metadata: {name: spiffe, namespace: shop, annotations: {mtls.acknowledge/IMA010: "owner=o; review-by=' + inDays(60) + '; reason=r"}}',
        'spec: {selector: {matchLabels: {app: x}}, rules: [{from: [{source: {principals: ["spiffe://cluster.local/ns/a/sa/b"]}}]}]}',
      ].join('\n') + '\n');
      expect((await runPlugin([file])).success).toBe(true);
      const strict = await runPlugin([file], { maxReviewDays: 30 });
      expect(strict.success).toBe(false);
      expect(strict.json.violations.map((v) => v.ruleName.split(' ')[0]).sort()).toEqual(['IMA010', 'IMA045']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic whatever the order cdk8s lists the manifests in', async () => {
    const files = [fixture('violating.k8s.yaml'), fixture('warning-only.k8s.yaml')];
    const a = await runPlugin(files, {}, VIOLATING_METADATA);
    const b = await runPlugin([...files].reverse(), {}, VIOLATING_METADATA);
    expect(b.text).toBe(a.text);
  });

  it('loads neither cdk8s nor cdk8s-plus, and the engine only when it validates', async () => {
    const { execFileSync } = await import('child_process');
    const script = [
      "require('tsx/cjs');",
      'const loaded = () => Object.keys(require.cache);',
      'const cdk8s = (keys) => keys.filter((k) => /node_modules[\\\\/](cdk8s|cdk8s-plus-[0-9]+|constructs)[\\\\/]/.test(k));',
      'const engine = (keys) => keys.some((k) => /src[\\\\/]engine\\.ts$/.test(k));',
      "const { IstioMtlsValidation } = require('./src/cdk8s/validation-plugin.ts');",
      'const atImport = loaded();',
      "const { ValidationContext } = require('cdk8s-cli/plugins');",
      "new IstioMtlsValidation().validate(new ValidationContext(['test/fixtures/plugin/clean.k8s.yaml'], 'p', '0.0.0', {}, false)).then(() => {",
      '  process.stdout.write(JSON.stringify({ cdk8s: cdk8s(loaded()), engineAtImport: engine(atImport), engineAfter: engine(loaded()) }));',
      '});',
    ].join('\n');
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ cdk8s: [], engineAtImport: false, engineAfter: true });
  });
});
