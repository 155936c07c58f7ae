import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

/** The README's TypeScript block under a heading, with the package import pointed at the source. */
function readmeBlock(heading: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(`## ${heading}`)[1];
  if (!section) throw new Error(`README has no "## ${heading}" section`);
  const code = section.split('```ts\n')[1]?.split('```')[0];
  if (!code) throw new Error(`README section "${heading}" has no ts block`);
  return code.replace(/from 'cdk8s-istio-mtls'/g, `from '${path.join(ROOT, 'src').replace(/\\/g, '/')}'`);
}

describe('README', () => {
  it('quick start synthesizes as written', () => {
    // Inside the repository's node_modules so 'cdk8s' and 'cdk8s-plus-27' resolve.
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.readme-'));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-out-'));
    try {
      fs.writeFileSync(path.join(dir, 'main.ts'), readmeBlock('Quick start'));
      execFileSync(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], { cwd: dir, env: { ...process.env, CDK8S_OUTDIR: out }, stdio: 'pipe' });
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
        '04-strict-shop-billing.k8s.yaml', '05-mesh-strict.k8s.yaml', 'mtls-runbook.md',
      ]);
      expect(fs.readFileSync(path.join(out, 'mtls-runbook.md'), 'utf8')).toContain('## Phase 4: STRICT in shop, billing');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
