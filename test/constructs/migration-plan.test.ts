import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, Testing, YamlOutputType } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { MigrationPlan, MigrationPlanProps } from '../../src/constructs/migration-plan';
import { WorkloadException } from '../../src/constructs/workload-exception';
import { MtlsMode } from '../../src/vocabulary/mtls-mode';
import { SidecarInjection } from '../../src/vocabulary/sidecar-injection';
import { WorkloadSelector } from '../../src/vocabulary/workload-selector';
import { LEGACY_CALLER, shop } from '../migration/helpers';

const TODAY = () => new Date('2026-11-24T12:00:00Z');

/** The shop's workloads and Services (no Namespace of a planned namespace: the phases own those). */
function shopApp(app: App): Chart {
  const chart = new Chart(app, 'shop');
  shop().filter((m) => !(m.kind === 'Namespace' && m.metadata!.name !== 'legacy')).forEach((m, i) => new ApiObject(chart, `o${i}`, m as any));
  return chart;
}

function exception(chart: Chart, port = 8443): WorkloadException {
  return new WorkloadException(chart, 'PaymentsLegacy', {
    namespace: 'shop',
    selector: WorkloadSelector.of({ app: 'payments' }),
    mode: MtlsMode.PERMISSIVE,
    ports: [port],
    reason: 'legacy/report has no sidecar',
    owner: 'team-payments',
    reviewBy: '2027-09-30',
    clock: TODAY,
  });
}

function plan(app: App, props: Partial<MigrationPlanProps> = {}): MigrationPlan {
  return new MigrationPlan(app, 'mtls', { namespaces: ['web', 'shop'], ...props });
}

describe('MigrationPlan', () => {
  it('creates one chart per phase at the app root, in order', () => {
    const app = Testing.app();
    shopApp(app);
    const p = plan(app, { callers: [LEGACY_CALLER] });
    expect(p.phaseIds).toEqual(['01-inject', '02-mesh-permissive', '03-strict-web', '04-strict-shop', '05-mesh-strict']);
    expect(p.phases.map((c) => c.node.path)).toEqual(p.phaseIds);
    expect(app.charts.map((c) => c.node.id)).toEqual(['shop', ...p.phaseIds]);
  });

  it('synthesizes each phase as a complete state', () => {
    const app = Testing.app();
    exception(shopApp(app));
    const p = plan(app, { callers: [LEGACY_CALLER] });
    const modes = p.phases.map((c) => Testing.synth(c).filter((m) => m.kind === 'PeerAuthentication').map((m) => `${m.metadata.namespace}:${m.spec.mtls.mode}`));
    expect(modes).toEqual([
      ['istio-system:UNSET', 'shop:UNSET', 'web:UNSET'],
      ['istio-system:PERMISSIVE', 'shop:UNSET', 'web:UNSET'],
      ['istio-system:PERMISSIVE', 'shop:UNSET', 'web:STRICT'],
      ['istio-system:PERMISSIVE', 'shop:STRICT', 'web:STRICT'],
      ['istio-system:STRICT', 'shop:STRICT', 'web:STRICT'],
    ]);
    const ns = Testing.synth(p.phases[0]).filter((m) => m.kind === 'Namespace');
    expect(ns).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web', labels: { 'istio-injection': 'enabled' } } },
    ]);
  });

  it('analyses each phase alone: mesh STRICT (last) and mesh PERMISSIVE (phase 2) do not clash', () => {
    const app = Testing.app();
    exception(shopApp(app));
    plan(app, { callers: [LEGACY_CALLER] });
    expect(() => app.synthYaml()).not.toThrow();
  });

  it('writes one ordered file per phase', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mig-'));
    const app = new App({ outdir: dir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
    exception(shopApp(app));
    const p = plan(app, { callers: [LEGACY_CALLER] });
    app.synth();
    const written = p.writeRunbook();
    expect(path.basename(written)).toBe('mtls-runbook.md');
    expect(fs.readdirSync(dir).sort()).toEqual([
      '01-inject.k8s.yaml', '02-mesh-permissive.k8s.yaml', '03-strict-web.k8s.yaml', '04-strict-shop.k8s.yaml', '05-mesh-strict.k8s.yaml',
      'mtls-runbook.md', 'shop.k8s.yaml',
    ]);
    expect(fs.readFileSync(written, 'utf8')).toBe(p.runbook());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails synth when a phase would break the sidecar-less caller, naming client, server, port and phase', () => {
    const app = Testing.app();
    shopApp(app);
    const p = plan(app, { callers: [LEGACY_CALLER] });
    // The whole message: only phase 4 is reported.
    let message = '';
    try {
      Testing.synth(p.phases[3]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('Validation failed with the following errors:\n'
      + '  [04-strict-shop] MigrationPlan: phase 04-strict-shop breaks CronJob legacy/report → Service shop/payments port 443 on Deployment shop/payments '
      + '(container port 8443): CronJob legacy/report sends plaintext, but container port 8443 is STRICT (PeerAuthentication shop/default). '
      + 'Fix: inject a sidecar into the client, or add a WorkloadException for container port 8443 of Deployment shop/payments');
    expect(() => app.synthYaml()).toThrow(/\[04-strict-shop\] MigrationPlan: phase 04-strict-shop breaks CronJob legacy\/report/);
  });

  it('is safe with a WorkloadException for the port, which carries through every phase', () => {
    const app = Testing.app();
    exception(shopApp(app));
    const p = plan(app, { callers: [LEGACY_CALLER] });
    expect(p.plan().failures).toEqual([]);
    expect(p.runbook()).toContain('| Deployment shop/payments | sidecar, PERMISSIVE | sidecar, STRICT; port 8443 PERMISSIVE |');
  });

  it('plans each synth over the app as it is then, even within one synchronous run', () => {
    const app = Testing.app();
    const shopChart = shopApp(app);
    exception(shopChart);
    const p = plan(app, { callers: [LEGACY_CALLER] });
    expect(() => Testing.synth(p.phases[3])).not.toThrow();
    // Without the exception, the sidecar-less caller breaks in phase 4: the next synth and the plan see it.
    expect(shopChart.node.tryRemoveChild('PaymentsLegacy')).toBe(true);
    expect(p.plan().failures.map((f) => f.phase)).toEqual(['04-strict-shop']);
    expect(() => Testing.synth(p.phases[3])).toThrow(/\[04-strict-shop\] MigrationPlan: phase 04-strict-shop breaks CronJob legacy\/report/);
    expect(() => app.synthYaml()).toThrow(/\[04-strict-shop\] MigrationPlan: phase 04-strict-shop breaks CronJob legacy\/report/);
  });

  it('fails synth for plaintext callers outside the app', () => {
    const app = Testing.app();
    exception(shopApp(app));
    const p = plan(app, { plaintextCallers: [{ namespace: 'monitoring', name: 'prometheus', to: { namespace: 'web', service: 'frontend', port: 80 } }] });
    expect(() => Testing.synth(p.phases[2])).toThrow(/\[03-strict-web\] MigrationPlan: phase 03-strict-web breaks plaintext caller monitoring\/prometheus → Service web\/frontend port 80/);
  });

  it('includes the gate PrometheusRules, validated at synth', () => {
    const app = Testing.app();
    exception(shopApp(app));
    const p = plan(app, { callers: [LEGACY_CALLER], alertLabels: { release: 'prom' } });
    const rules = Testing.synth(p.phases[3]).filter((m) => m.kind === 'PrometheusRule');
    expect(rules.map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual(['shop/mtls-plaintext-shop', 'web/mtls-plaintext-web']);
    expect(rules[0].spec.groups[0].rules[0].expr).toContain('destination_workload_namespace="shop",destination_workload!~"payments"');
    expect(rules[0].metadata.labels).toEqual({ release: 'prom' });
  });

  it('uses a revision label when asked', () => {
    const app = Testing.app();
    shopApp(app);
    const p = plan(app, { sidecarInjection: SidecarInjection.revision('canary'), namespaceLabels: { web: { team: 'web' } } });
    expect(Testing.synth(p.phases[0]).filter((m) => m.kind === 'Namespace').map((m) => m.metadata.labels)).toEqual([
      { 'istio.io/rev': 'canary' }, { 'istio.io/rev': 'canary', 'team': 'web' },
    ]);
  });

  it('fails synth when the app also sets the mesh or a planned namespace policy, or defines a planned Namespace', () => {
    const app = Testing.app();
    const chart = shopApp(app);
    new ApiObject(chart, 'Mesh', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } } as any);
    new ApiObject(chart, 'Web', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } });
    const p = plan(app);
    expect(() => Testing.synth(p.phases[0])).toThrow(
      '[01-inject] MigrationPlan: PeerAuthentication istio-system/default at "shop/Mesh" competes with the plan, which sets the mesh policy in every phase: remove it from the app');
    expect(() => Testing.synth(p.phases[0])).toThrow(
      '[01-inject] MigrationPlan: Namespace web at "shop/Web" is also in every phase (with its injection label): remove it from the app and give its labels in \'namespaceLabels\'');
  });

  it('fails synth on declared callers the app does not have', () => {
    const app = Testing.app();
    shopApp(app);
    const p = plan(app, { callers: [{ from: { namespace: 'legacy', name: 'gone' }, to: { namespace: 'shop', service: 'payments', port: 443 } }] });
    expect(() => Testing.synth(p.phases[0])).toThrow(
      "[01-inject] MigrationPlan: 'callers[0].from' names workload legacy/gone, which is not in the inventory; declare callers outside it with 'plaintextCallers'");
  });

  describe('namespaces that must exist in the app', () => {
    it('Compliance: planned namespaces where the app has objects', () => {
      const app = Testing.app();
      shopApp(app);
      plan(app);
      expect(() => app.synthYaml()).not.toThrow();
    });
    it('Noncompliance 1: a typo fails synth at the plan\'s path with the nearest name', () => {
      const app = Testing.app();
      shopApp(app);
      plan(app, { namespaces: ['web', 'shopp'] });
      expect(() => app.synthYaml()).toThrow(
        '[mtls] [MigrationPlan] \'namespaces[1]\' names namespace "shopp", which is not in the inventory; did you mean "shop"?');
    });
    it('Noncompliance 2: a batch entry nothing is close to lists the app\'s namespaces, once, not again among the phase problems', () => {
      const app = Testing.app();
      shopApp(app);
      const p = plan(app, { namespaces: [['web', 'billing']] });
      let message = '';
      try {
        app.synthYaml();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message.split('\n').filter((l) => l.includes('billing'))).toEqual([
        '  [mtls] [MigrationPlan] \'namespaces[0][1]\' names namespace "billing", which is not in the inventory (it has legacy, shop, web)',
      ]);
      expect(p.plan().problems).toEqual(['\'namespaces[0][1]\' names namespace "billing", which is not in the inventory (it has legacy, shop, web)']);
    });
    it('Noncompliance 3: a namespace added to the app after the plan is seen at the next synth', () => {
      const app = Testing.app();
      const chart = shopApp(app);
      plan(app, { namespaces: ['web', 'batch'] });
      expect(() => app.synthYaml()).toThrow('names namespace "batch", which is not in the inventory');
      new ApiObject(chart, 'BatchConfig', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'batch' } });
      expect(() => app.synthYaml()).not.toThrow();
    });
  });

  describe('fails early on bad props', () => {
    const cases: [string, Partial<MigrationPlanProps>, string][] = [
      ['empty namespaces', { namespaces: [] }, "[MigrationPlan] 'namespaces' must list at least one namespace to tighten, got []"],
      ['a bad namespace name', { namespaces: ['web', 'Shop'] },
        "[MigrationPlan] 'namespaces[1]' must be a DNS-1123 label, got \"Shop\": must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"],
      ['a duplicate namespace', { namespaces: ['web', ['shop', 'web']] },
        "[MigrationPlan] 'namespaces' lists \"web\" twice (namespaces[0] and namespaces[1][1]): each namespace is tightened in exactly one phase"],
      ['an empty batch', { namespaces: ['web', []] }, "[MigrationPlan] 'namespaces[1]' must be a namespace name or a non-empty batch of names, got []"],
      ['the root namespace', { namespaces: ['istio-system'] },
        "[MigrationPlan] 'namespaces[0]' is the root namespace \"istio-system\": the mesh phases set its policy; list application namespaces only"],
      ['a bad caller port', { callers: [{ from: { namespace: 'legacy', name: 'report' }, to: { namespace: 'shop', service: 'payments', port: 70000 } }] },
        "[MigrationPlan] 'callers[0].to.port' must be an integer port number between 1 and 65535, got 70000"],
      ['a bad plaintext caller', { plaintextCallers: [{ namespace: 'monitoring', name: 'Prom', to: { namespace: 'web', service: 'frontend', port: 80 } }] },
        "[MigrationPlan] 'plaintextCallers[0].name' must be a DNS-1123 subdomain, got \"Prom\": must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"],
      ['a bad alerts namespace', { alertsNamespace: 'Mon' },
        "[MigrationPlan] 'alertsNamespace' must be a DNS-1123 label, got \"Mon\": must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"],
      ['labels for a namespace not planned', { namespaceLabels: { legacy: { a: 'b' } } }, "[MigrationPlan] 'namespaceLabels' names \"legacy\", which is not in 'namespaces'"],
      ['a runbook file with a directory', { runbookFile: 'docs/runbook.md' }, "[MigrationPlan] 'runbookFile' must be a file name without directories, got \"docs/runbook.md\""],
      ['a sidecarInjection that is not one', { sidecarInjection: 'enabled' as any },
        "[MigrationPlan] 'sidecarInjection' must be a SidecarInjection (SidecarInjection.enabled() or SidecarInjection.revision(...)), got \"enabled\""],
    ];
    for (const [what, props, message] of cases) {
      it(`fails on ${what}`, () => {
        expect(() => plan(Testing.app(), props)).toThrow(message);
      });
    }
    it('fails when a phase id is taken', () => {
      const app = Testing.app();
      new Chart(app, '01-inject');
      expect(() => plan(app)).toThrow('[MigrationPlan] the app already has a construct with id "01-inject"; phase charts are created at the app root');
    });
  });
});
