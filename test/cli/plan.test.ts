import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../../src/cli/command';
import { runPlan } from '../../src/cli/plan';
import { DUMP } from '../migration/helpers';

function run(args: string[], stdin?: string) {
  let stdout = '';
  let stderr = '';
  let code: number;
  try {
    code = runPlan(args, {
      stdout: (s) => { stdout += s; },
      stderr: (s) => { stderr += s; },
      readStdin: () => Buffer.from(stdin ?? ''),
    });
  } catch (e) {
    // main.ts turns a UsageError into one line on stderr and exit 2.
    if (!(e instanceof UsageError)) throw e;
    stderr += `istio-mtls: ${e.message}\n`;
    code = 2;
  }
  return { code, stdout, stderr };
}

const CALLER = ['--caller', 'legacy/billing-export=shop/payments:443'];

describe('istio-mtls plan', () => {
  it('prints the runbook of the dump and exits 0 when every phase is safe', () => {
    const r = run(['--namespaces', 'web,shop', DUMP]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^# mTLS migration runbook: mtls-migration\n/);
    expect(r.stdout).toContain('| shop | injection off, PERMISSIVE |');
    expect(r.stdout).toContain('| Deployment shop/payments | no sidecar (plaintext only) | sidecar, PERMISSIVE |');
    expect(r.stdout).toContain('## Phase 5: Mesh STRICT (`05-mesh-strict.k8s.yaml`)');
  });

  it('exits 1 and names client, server, port and phase when a phase breaks a declared caller', () => {
    const r = run(['--namespaces', 'web,shop', ...CALLER, DUMP]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('istio-mtls plan: phase 04-strict-shop breaks Deployment legacy/billing-export → Service shop/payments port 443 on Deployment shop/payments '
      + '(container port 8443): Deployment legacy/billing-export sends plaintext, but container port 8443 is STRICT (PeerAuthentication shop/default)\n');
    expect(r.stdout).toContain('| 4 | STRICT in shop | `04-strict-shop.k8s.yaml` | yes (1) |');
  });

  it('exits 1 for a plaintext caller outside the dump', () => {
    const r = run(['--namespaces', 'web', '--plaintext-caller', 'monitoring/prometheus=web/frontend:80', DUMP]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('istio-mtls plan: phase 03-strict-web breaks plaintext caller monitoring/prometheus → Service web/frontend port 80');
  });

  it('writes the phase files and the runbook with --out, the same with every run', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
    const r = run(['--namespaces', 'web+shop', '--out', dir, DUMP]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['01-inject.k8s.yaml', '02-mesh-permissive.k8s.yaml', '03-strict-web-shop.k8s.yaml', '04-mesh-strict.k8s.yaml', 'mtls-migration-runbook.md']);
    expect(fs.readFileSync(path.join(dir, 'mtls-migration-runbook.md'), 'utf8')).toBe(r.stdout);
    const docs = parseAllDocuments(fs.readFileSync(path.join(dir, '03-strict-web-shop.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name}`)).toEqual([
      'Namespace /shop', 'Namespace /web', 'PeerAuthentication istio-system/default', 'PeerAuthentication shop/default', 'PeerAuthentication web/default',
      'PrometheusRule shop/mtls-migration-plaintext-shop', 'PrometheusRule web/mtls-migration-plaintext-web',
    ]);
    expect(docs[0].metadata.labels).toEqual({ 'istio-injection': 'enabled', 'kubernetes.io/metadata.name': 'shop', 'team': 'shop' });
    expect(docs[2].spec.mtls.mode).toBe('PERMISSIVE');
    const first = fs.readFileSync(path.join(dir, '01-inject.k8s.yaml'));
    run(['--namespaces', 'web+shop', '--out', dir, DUMP]);
    expect(fs.readFileSync(path.join(dir, '01-inject.k8s.yaml'))).toEqual(first);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads standard input', () => {
    const r = run(['--namespaces', 'web,shop', '-'], fs.readFileSync(DUMP, 'utf8'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(run(['--namespaces', 'web,shop', DUMP]).stdout);
  });

  it('injects with a revision label', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
    run(['--namespaces', 'web', '--revision', 'canary', '--out', dir, DUMP]);
    const ns = parseAllDocuments(fs.readFileSync(path.join(dir, '01-inject.k8s.yaml'), 'utf8'))[0].toJS();
    expect(ns.metadata.labels['istio.io/rev']).toBe('canary');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exits 2 with one line for usage and input problems', () => {
    expect(run([DUMP])).toEqual({ code: 2, stdout: '', stderr: 'istio-mtls: plan: --namespaces is required, e.g. --namespaces staging,production\n' });
    expect(run(['--namespaces', 'web'])).toEqual({ code: 2, stdout: '', stderr: 'istio-mtls: plan: give files, directories, or - to read standard input\n' });
    expect(run(['--namespaces', 'Web', DUMP]).stderr).toBe(
      "istio-mtls: plan: --namespaces must be a DNS-1123 label, got \"Web\": must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character\n");
    expect(run(['--namespaces', 'web,web', DUMP]).stderr).toBe(
      'istio-mtls: plan: --namespaces lists "web" twice (namespaces[0] and namespaces[1]): each namespace is tightened in exactly one phase\n');
    expect(run(['--namespaces', 'web', '--caller', 'legacy=shop', DUMP]).stderr).toBe(
      'istio-mtls: plan: --caller must be NS/NAME=NS/SERVICE:PORT, got "legacy=shop"\n');
    expect(run(['--namespaces', 'web', '--bogus', DUMP]).code).toBe(2);
    const missing = run(['--namespaces', 'web', 'no-such-file.yaml']);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'no-such-file.yaml:1:1: cannot read: no such file or directory\n' });
    const unknown = run(['--namespaces', 'web', '--caller', 'legacy/gone=shop/payments:443', DUMP]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("istio-mtls plan: 'callers[0].from' names workload legacy/gone, which is not in the inventory; declare callers outside it with 'plaintextCallers'\n");
  });

  describe('namespaces that must exist in the dump', () => {
    it('Compliance: every planned namespace has a Namespace object or objects in the dump', () => {
      expect(run(['--namespaces', 'legacy+web,shop', DUMP]).code).toBe(0);
    });
    it('Noncompliance 1: a typo exits 2 with the nearest name, printing no runbook', () => {
      expect(run(['--namespaces', 'web,shopp', DUMP])).toEqual({
        code: 2,
        stdout: '',
        stderr: 'istio-mtls plan: --namespaces names namespace "shopp", which is not in the inventory; did you mean "shop"?\n',
      });
    });
    it('Noncompliance 2: a namespace nothing is close to lists the namespaces the dump has (never the root)', () => {
      expect(run(['--namespaces', 'billing', DUMP]).stderr).toBe(
        'istio-mtls plan: --namespaces names namespace "billing", which is not in the inventory (it has legacy, shop, web)\n');
    });
    it('Noncompliance 3: one line per unknown namespace, batches included, and nothing written with --out', () => {
      const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'plan-')), 'out');
      const r = run(['--namespaces', 'wbe+shop,legacyy', '--out', dir, DUMP]);
      expect(r).toEqual({
        code: 2,
        stdout: '',
        stderr: 'istio-mtls plan: --namespaces names namespace "wbe", which is not in the inventory; did you mean "web"?\n'
          + 'istio-mtls plan: --namespaces names namespace "legacyy", which is not in the inventory; did you mean "legacy"?\n',
      });
      expect(fs.existsSync(dir)).toBe(false);
    });
  });

  it('prints its usage with --help', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: istio-mtls plan --namespaces/);
  });
});
