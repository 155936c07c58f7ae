import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

/**
 * The README's first TypeScript block under a heading, with the package's
 * imports pointed at the source: `cdk8s-istio-mtls` at src/index.ts,
 * `cdk8s-istio-mtls/engine` at src/engine.ts.
 */
function readmeBlock(heading: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(`## ${heading}`)[1];
  if (!section) throw new Error(`README has no "## ${heading}" section`);
  const code = section.split('```ts\n')[1]?.split('```')[0];
  if (!code) throw new Error(`README section "${heading}" has no ts block`);
  const src = path.join(ROOT, 'src').replace(/\\/g, '/');
  return code
    .replace(/from 'cdk8s-istio-mtls'/g, `from '${src}'`)
    .replace(/from 'cdk8s-istio-mtls\/engine'/g, `from '${src}/engine'`);
}

describe('README', () => {
  it('quick start synthesizes as written', () => {
    // Inside the repository's node_modules so 'cdk8s' and 'cdk8s-plus-27' resolve.
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.readme-'));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-out-'));
    try {
      fs.writeFileSync(path.join(dir, 'main.ts'), readmeBlock('Quick start'));
      const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], {
        cwd: dir, env: { ...process.env, CDK8S_OUTDIR: out }, encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      // No warning either: the exception on 8443 must admit the plaintext billing batch (IMA044 otherwise).
      expect(run.stdout + run.stderr).not.toMatch(/IM[AV]\d{3}/);
      const payments = fs.readFileSync(path.join(out, 'payments.k8s.yaml'), 'utf8');
      expect(payments).toContain('mtls.exception/owner: payments-team@example.com');
      expect(payments).toContain('- cluster.local/ns/shop/sa/checkout');
      expect(fs.readFileSync(path.join(out, 'mesh.k8s.yaml'), 'utf8')).toContain('kind: PrometheusRule');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('README migration example', () => {
  it('synthesizes the phases and writes the runbook', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.readme-'));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-out-'));
    try {
      fs.writeFileSync(path.join(dir, 'main.ts'), readmeBlock('Migration'));
      execFileSync(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], { cwd: dir, env: { ...process.env, CDK8S_OUTDIR: out }, stdio: 'pipe' });
      expect(fs.readdirSync(out).sort()).toEqual([
        '01-inject.k8s.yaml', '02-mesh-permissive.k8s.yaml', '03-strict-web.k8s.yaml',
        '04-strict-shop-billing.k8s.yaml', '05-mesh-strict.k8s.yaml', 'billing.k8s.yaml', 'mtls-runbook.md', 'shop.k8s.yaml', 'web.k8s.yaml',
      ]);
      expect(fs.readFileSync(path.join(out, 'mtls-runbook.md'), 'utf8')).toContain('## Phase 4: STRICT in shop, billing');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('README engine example', () => {
  it('reads, lints and explains a YAML file with cdk8s-istio-mtls/engine alone', () => {
    const block = readmeBlock('Validation and analysis');
    expect(block, 'the example imports the engine from its subpath').toMatch(/from '[^']*\/src\/engine'/);
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.readme-'));
    try {
      // A principal written with spiffe:// (IMA010), in the file the example reads.
      fs.writeFileSync(path.join(dir, 'mesh.yaml'), [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: payment, namespace: production }',
        'spec:',
        '  selector: { matchLabels: { app: payment } }',
        '  template:',
        '    metadata: { labels: { app: payment } }',
        '    spec: { containers: [{ name: app, image: payment:1, ports: [{ containerPort: 8080 }] }] }',
        '---',
        'apiVersion: security.istio.io/v1',
        'kind: AuthorizationPolicy',
        'metadata: { name: payment, namespace: production }',
        'spec:',
        '  selector: { matchLabels: { app: payment } }',
        '  action: ALLOW',
        '  rules:',
        '    - from:',
        '        - source:',
        '            principals: ["spiffe://cluster.local/ns/shop/sa/checkout"]',
        '',
      ].join('\n'));
      const report = 'console.log(JSON.stringify({ findings: findings.map((f) => [f.code, f.line]), workloads: explanation.workloads.length }));\n';
      fs.writeFileSync(path.join(dir, 'main.ts'), block + report);
      const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      const result = JSON.parse(out.trim().split('\n').pop()!) as { findings: [string, number | undefined][]; workloads: number };
      expect(result.findings).toContainEqual(['IMA010', 19]);
      expect(result.workloads).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
