/**
 * The plugin under the real `cdk8s synth` (cdk8s-cli from node_modules), in
 * apps written to a temp dir outside the repository.
 *
 * cdk8s-cli `require()`s a local plugin by path. Rather than compiling the
 * project first (tens of seconds, and a stale lib/ could pass), the app loads
 * a two-line JS shim that registers tsx and requires the TypeScript source:
 * the test always runs the code in the work tree. The compiled form is what
 * scripts/test-package.sh exercises from the packed tarball.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '..', '..');
const CDK8S_CLI = path.join(REPO, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
const TSX_CLI = path.join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-mtls-plugin-e2e-'));
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

interface AppSpec {
  /** The app: `main.js` (plain JS, run by node) or `main.ts` (run by tsx). */
  readonly main: { file: 'main.js' | 'main.ts'; source: string };
  /** YAML of the plugin's `properties:` (indented by the caller), if any. */
  readonly properties?: string;
}

/** Writes an app with the plugin in `validations:` (a local path) and runs `cdk8s synth` in it. */
function synth(name: string, spec: AppSpec) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'plugin.js'), [
    `require(${JSON.stringify(require.resolve('tsx/cjs', { paths: [REPO] }))});`,
    `module.exports = require(${JSON.stringify(path.join(REPO, 'src', 'cdk8s', 'validation-plugin.ts'))});`,
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, spec.main.file), spec.main.source);
  const app = spec.main.file === 'main.js' ? 'node main.js' : `node ${JSON.stringify(TSX_CLI)} main.ts`;
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
    'language: typescript',
    `app: ${app}`,
    'validations:',
    '  - package: ./plugin.js',
    '    class: IstioMtlsValidation',
    '    version: 0.0.0',
    ...(spec.properties ? ['    properties:', ...spec.properties.split('\n').map((l) => `      ${l}`)] : []),
    '',
  ].join('\n'));
  const result = spawnSync(process.execPath, [CDK8S_CLI, 'synth', '--no-check-upgrade', '--plugins-dir', path.join(dir, '.plugins'),
    '--validation-reports-output-file', 'reports.json'], {
    cwd: dir,
    encoding: 'utf8',
    // Plain-JS apps find cdk8s in the repository's node_modules.
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules'), NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 60_000,
  });
  const reportsFile = path.join(dir, 'reports.json');
  const reports = fs.existsSync(reportsFile) ? JSON.parse(fs.readFileSync(reportsFile, 'utf8')).reports : undefined;
  // eslint-disable-next-line no-control-regex
  const output = `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  return { status: result.status, output, reports, dir };
}

/** Plain ApiObjects (the synth-time hook is off for them): only the plugin can catch these. */
function plainApp(objects: object[]): AppSpec['main'] {
  return {
    file: 'main.js',
    source: [
      "const { App, Chart, ApiObject } = require('cdk8s');",
      'const app = new App();',
      "const chart = new Chart(app, 'Mesh');",
      `for (const [id, props] of ${JSON.stringify(objects.map((o, i) => [`obj${i}`, o]))}) new ApiObject(chart, id, props);`,
      'app.synth();',
      '',
    ].join('\n'),
  };
}

const pa = (namespace: string, name: string, spec: object) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace }, spec });

describe('cdk8s synth with the IstioMtlsValidation plugin', () => {
  it('a violating app exits non-zero and prints each violation with Kind namespace/name, code and location', () => {
    const r = synth('violating', {
      main: plainApp([
        pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
        // Same name as the mesh policy, other namespace: cdk8s's metadata collides on "default".
        pa('prod', 'default', { mtls: { mode: 'STRIC' } }),
        pa('billing', 'billing-ports', { portLevelMtls: { 8443: { mode: 'DISABLE' } } }),
      ]),
    });
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toContain('IMV204 error:');
    expect(r.output).toContain('Resource Name: PeerAuthentication prod/default');
    expect(r.output).toMatch(/> dist\/mesh-[0-9a-f]+\.k8s\.yaml:\d+:\d+ \/spec\/mtls\/mode/);
    expect(r.output).toContain('How to fix: did you mean STRICT?');
    expect(r.output).toContain('Resource Name: PeerAuthentication billing/billing-ports');
    expect(r.output).toContain('Validation failed');
    const violations = r.reports[0].violations as { ruleName: string; violatingConstructs: { resourceName: string; constructPath?: string }[] }[];
    const byResource = new Map(violations.flatMap((v) => v.violatingConstructs.map((c) => [c.resourceName, c.constructPath])));
    // A unique name is traced to its construct; a shared one is never given the other object's path.
    expect(byResource.get('PeerAuthentication billing/billing-ports')).toBe('Mesh/obj2');
    expect(byResource.get('PeerAuthentication prod/default')).toBeUndefined();
  });

  it('a clean app built with the constructs exits 0', () => {
    const src = (p: string) => JSON.stringify(path.join(REPO, p));
    const r = synth('clean', {
      main: {
        file: 'main.ts',
        source: [
          `import { App, Chart } from ${src('node_modules/cdk8s')};`,
          `import { Identity, MeshStrictMtls, MtlsMode, NamespaceMtls, ServiceAccess, WorkloadMtls, WorkloadSelector } from ${src('src/index')};`,
          'const app = new App();',
          "const chart = new Chart(app, 'Mesh');",
          "new MeshStrictMtls(chart, 'Mesh');",
          "new NamespaceMtls(chart, 'Shop', { namespace: 'shop' });",
          "new WorkloadMtls(chart, 'Api', { namespace: 'shop', name: 'api', selector: WorkloadSelector.of({ app: 'api' }), mode: MtlsMode.STRICT });",
          "new ServiceAccess(chart, 'ApiAccess', { namespace: 'shop', name: 'api', selector: WorkloadSelector.of({ app: 'api' }),",
          "  rules: [{ identities: [Identity.serviceAccount('shop', 'web')] }] });",
          'app.synth();',
          '',
        ].join('\n'),
      },
    });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('Validations ended succesfully');
    expect(r.reports[0].summary).toMatchObject({ status: 'success' });
    expect(r.reports[0].summary.metadata).toMatchObject({ Errors: '0', Warnings: '0' });
    expect(Number(r.reports[0].summary.metadata.Resources)).toBeGreaterThanOrEqual(4);
  });

  it('properties from cdk8s.yaml apply: failOn warning fails on a warning, a trust domain alias clears it', () => {
    const objects = [
      pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'allow-frontend', namespace: 'prod' },
        spec: { action: 'ALLOW', rules: [{ from: [{ source: { principals: ['example.org/ns/web/sa/frontend'] } }] }] },
      },
    ];
    const strict = synth('warning-strict', { main: plainApp(objects), properties: 'failOn: warning' });
    expect(strict.status, strict.output).not.toBe(0);
    expect(strict.output).toContain('IMA011 warning:');
    expect(strict.output).toContain('Resource Name: AuthorizationPolicy prod/allow-frontend');
    const aliased = synth('warning-aliased', { main: plainApp(objects), properties: 'failOn: warning\ntrustDomainAliases: [example.org]' });
    expect(aliased.status, aliased.output).toBe(0);
  });
});
