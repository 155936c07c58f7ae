/**
 * The migration example: a small shop with a sidecar-less legacy CronJob that
 * calls payments, migrated phase by phase; its one WorkloadException makes
 * every phase safe.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing, YamlOutputType } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { PAYMENTS_PORT, buildShop } from '../../examples/migration/shop';

const TODAY = () => new Date('2026-11-24T12:00:00Z');

describe('examples/migration', () => {
  it('plans five safe phases', () => {
    const { plan } = buildShop(Testing.app(), { clock: TODAY });
    expect(plan.phaseIds).toEqual(['01-inject', '02-mesh-permissive', '03-strict-web', '04-strict-shop', '05-mesh-strict']);
    expect(plan.plan().failures).toEqual([]);
    expect(plan.plan().phases[3].gate!.exceptions).toEqual(['shop/payments']);
  });

  it('would break the legacy job in phase 4 without its exception', () => {
    const app = Testing.app();
    const { app: chart, plan } = buildShop(app, { clock: TODAY });
    chart.node.tryRemoveChild('payments-legacy-billing');
    expect(plan.plan().failures.map((f) => f.message)).toEqual([
      'phase 04-strict-shop breaks CronJob legacy/billing-export → Service shop/payments port 443 on Deployment shop/payments '
      + `(container port ${PAYMENTS_PORT}): CronJob legacy/billing-export sends plaintext, but container port ${PAYMENTS_PORT} is STRICT (PeerAuthentication shop/default)`,
    ]);
  });

  it('synthesizes the phases and the runbook', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-'));
    const app = new App({ outdir: dir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
    const { plan } = buildShop(app, { clock: TODAY });
    app.synth();
    plan.writeRunbook();
    expect(fs.readdirSync(dir).sort()).toEqual([
      '01-inject.k8s.yaml', '02-mesh-permissive.k8s.yaml', '03-strict-web.k8s.yaml', '04-strict-shop.k8s.yaml', '05-mesh-strict.k8s.yaml',
      'mtls-runbook.md', 'shop.k8s.yaml',
    ]);
    const runbook = fs.readFileSync(path.join(dir, 'mtls-runbook.md'), 'utf8');
    expect(runbook).toContain(`| Deployment shop/payments | sidecar, PERMISSIVE | sidecar, STRICT; port ${PAYMENTS_PORT} PERMISSIVE |`);
    expect(runbook).toContain('Left out because they keep a documented exception: shop/payments.');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails synth once the exception is past its review date', () => {
    const app = Testing.app();
    buildShop(app, { clock: () => new Date('2027-10-01T00:00:00Z') });
    expect(() => app.synthYaml()).toThrow(/mTLS exception "shop\/payments-legacy-billing" owned by team-payments expired on 2027-09-30/);
  });

  it('is what `npm run synth` builds (main.ts), byte for byte on a second run', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
    const synth = () => spawnSync(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], {
      cwd: path.join(__dirname, '..', '..', 'examples', 'migration'), env: { ...process.env, CDK8S_OUTDIR: out }, encoding: 'utf8',
    });
    expect(synth().status).toBe(0);
    const first = Object.fromEntries(fs.readdirSync(out).sort().map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
    expect(Object.keys(first)).toContain('mtls-runbook.md');
    expect(synth().status).toBe(0);
    const second = Object.fromEntries(fs.readdirSync(out).sort().map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
    expect(second).toEqual(first);
    fs.rmSync(out, { recursive: true, force: true });
  });
});
