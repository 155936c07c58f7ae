import { describe, expect, it } from 'vitest';
import { LEGACY_CALLER, deployment, dump, namespace, portException, shop } from './helpers';
import { MigrationPlanError, phaseState, planMigration, renderRunbook, unknownNamespaceProblems } from '../../src/migration';
import { refOf } from '../../src/model/manifest';
import { buildMeshModel } from '../../src/model/mesh-model';
import { explainMesh } from '../../src/resolution/explain';
import { validateManifest } from '../../src/validation/validate';

const OPTIONS = { namespaces: ['web', 'shop'] };
const NOW = { now: new Date('2026-11-24T12:00:00Z') };

function modeOf(model: ReturnType<typeof buildMeshModel>, ns: string, name: string) {
  const w = explainMesh(model).workloads.find((x) => x.namespace === ns && x.name === name)!;
  return { sidecar: w.sidecar, mode: w.mode, ports: w.ports.map((p) => `${p.port}:${p.mode}`) };
}

describe('planMigration: phase order', () => {
  it('plans inject, mesh PERMISSIVE, each namespace STRICT in order, mesh STRICT', () => {
    const plan = planMigration(shop(), OPTIONS);
    expect(plan.phases.map((p) => p.id)).toEqual(['01-inject', '02-mesh-permissive', '03-strict-web', '04-strict-shop', '05-mesh-strict']);
    expect(plan.phases.map((p) => p.kind)).toEqual(['inject', 'mesh-permissive', 'namespace-strict', 'namespace-strict', 'mesh-strict']);
    expect(plan.phases.map((p) => p.meshMode)).toEqual(['UNSET', 'PERMISSIVE', 'PERMISSIVE', 'PERMISSIVE', 'STRICT']);
    expect(plan.phases.map((p) => p.namespaceModes)).toEqual([
      { shop: 'UNSET', web: 'UNSET' },
      { shop: 'UNSET', web: 'UNSET' },
      { shop: 'UNSET', web: 'STRICT' },
      { shop: 'STRICT', web: 'STRICT' },
      { shop: 'STRICT', web: 'STRICT' },
    ]);
  });

  it('tightens a batch in one phase', () => {
    const plan = planMigration(shop(), { namespaces: [['web', 'shop']] });
    expect(plan.phases.map((p) => p.id)).toEqual(['01-inject', '02-mesh-permissive', '03-strict-web-shop', '04-mesh-strict']);
    expect(plan.phases[2].namespaceModes).toEqual({ shop: 'STRICT', web: 'STRICT' });
    expect(plan.phases[2].gate!.namespaces).toEqual(['web', 'shop']);
  });

  it('keeps the modes the cluster has in the first phase and takes over the existing policies by name', () => {
    const plan = planMigration(dump(), OPTIONS);
    expect(plan.phases[0].meshMode).toBe('PERMISSIVE');
    const mesh = plan.phases[0].manifests.find((m) => m.kind === 'PeerAuthentication' && refOf(m).namespace === 'istio-system')!;
    expect(refOf(mesh).name).toBe('default');
    const renamed = dump().map((m) => (m.kind === 'PeerAuthentication' ? { ...m, metadata: { ...m.metadata, name: 'mesh-wide' } } : m));
    expect(planMigration(renamed, OPTIONS).phases.every((p) => p.manifests.some((m) => refOf(m).name === 'mesh-wide'))).toBe(true);
  });
});

describe('planMigration: complete states', () => {
  it('emits the same objects (by kind, namespace, name) in every phase, plus the gates of the namespaces already STRICT', () => {
    const plan = planMigration(shop(), OPTIONS);
    const policies = plan.phases.map((p) => p.manifests.filter((m) => m.kind !== 'PrometheusRule').map((m) => `${m.kind} ${refOf(m).namespace}/${refOf(m).name}`));
    for (const p of policies) expect(p).toEqual(policies[0]);
    expect(policies[0]).toEqual(['Namespace /shop', 'Namespace /web', 'PeerAuthentication istio-system/default', 'PeerAuthentication shop/default', 'PeerAuthentication web/default']);
    expect(plan.phases.map((p) => p.manifests.filter((m) => m.kind === 'PrometheusRule').map((m) => `${refOf(m).namespace}/${refOf(m).name}`))).toEqual([
      [], [], ['web/mtls-migration-plaintext-web'],
      ['shop/mtls-migration-plaintext-shop', 'web/mtls-migration-plaintext-web'],
      ['shop/mtls-migration-plaintext-shop', 'web/mtls-migration-plaintext-web', 'istio-system/mtls-migration-plaintext-mesh'],
    ]);
  });

  it('labels the planned namespaces for injection in every phase, keeping their labels; a revision label drops istio-injection', () => {
    const input = [...shop().filter((m) => refOf(m).name !== 'web'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web', labels: { 'team': 'web', 'istio-injection': 'disabled' } } }];
    const labelsOf = (plan: ReturnType<typeof planMigration>) => plan.phases[3].manifests.find((m) => m.kind === 'Namespace' && refOf(m).name === 'web')!.metadata!.labels;
    expect(labelsOf(planMigration(input, OPTIONS))).toEqual({ 'istio-injection': 'enabled', 'team': 'web' });
    expect(labelsOf(planMigration(input, { ...OPTIONS, injection: { key: 'istio.io/rev', value: 'canary' } }))).toEqual({ 'istio.io/rev': 'canary', 'team': 'web' });
  });

  it('analyses each phase as a whole cluster: effective modes per phase', () => {
    const input = shop();
    const plan = planMigration(input, OPTIONS);
    const at = (i: number) => phaseState(input, plan.phases[i], OPTIONS);
    expect(modeOf(buildMeshModel(input), 'shop', 'payments')).toEqual({ sidecar: false, mode: 'PERMISSIVE', ports: ['8443:PERMISSIVE'] });
    expect(modeOf(at(0), 'shop', 'payments')).toEqual({ sidecar: true, mode: 'PERMISSIVE', ports: ['8443:PERMISSIVE'] });
    expect(modeOf(at(2), 'web', 'frontend').mode).toBe('STRICT');
    expect(modeOf(at(2), 'shop', 'payments').mode).toBe('PERMISSIVE');
    expect(modeOf(at(3), 'shop', 'payments').mode).toBe('STRICT');
    expect(modeOf(at(4), 'legacy', 'report')).toEqual({ sidecar: false, mode: 'STRICT', ports: [] });
  });
});

describe('planMigration: rollback', () => {
  it('re-applying phase N-1 over phase N gives phase N-1 effective modes', () => {
    const input = [...shop(), portException('shop', 'payments', 8443)];
    const plan = planMigration(input, OPTIONS);
    for (let n = 1; n < plan.phases.length; n++) {
      const prev = plan.phases[n - 1];
      const cur = plan.phases[n];
      const applied = buildMeshModel([...input, ...cur.manifests, ...prev.manifests]);
      const expected = phaseState(input, prev, OPTIONS);
      expect(explainMesh(applied, { connections: true })).toEqual(explainMesh(expected, { connections: true }));
      // And phase N differs from N-1 somewhere, so the check is not vacuous (phase 2 only renames the state).
      if (n !== 1) expect(explainMesh(phaseState(input, cur, OPTIONS))).not.toEqual(explainMesh(expected));
    }
  });

  it('lists the re-apply and the objects the phase added', () => {
    const plan = planMigration(shop(), OPTIONS);
    expect(plan.phases[3].rollback).toEqual({
      reapply: '03-strict-web',
      remove: [{ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', namespace: 'shop', name: 'mtls-migration-plaintext-shop' }],
      commands: ['kubectl apply -f 03-strict-web.k8s.yaml', 'kubectl delete prometheusrule mtls-migration-plaintext-shop -n shop'],
    });
    expect(plan.phases[0].rollback.commands).toEqual([
      'kubectl label namespace web istio-injection-',
      'kubectl label namespace shop istio-injection-',
      'kubectl rollout restart deployment -n web',
      'kubectl rollout restart deployment -n shop',
      'kubectl delete peerauthentication default -n istio-system',
      'kubectl delete peerauthentication default -n shop',
      'kubectl delete peerauthentication default -n web',
    ]);
  });
});

describe('planMigration: safety', () => {
  it('fails the phase that makes the sidecar-less caller fail, naming client, server, port and phase', () => {
    const plan = planMigration(shop(), { ...OPTIONS, callers: [LEGACY_CALLER] });
    expect(plan.failures.map((f) => f.message)).toEqual([
      'phase 04-strict-shop breaks CronJob legacy/report → Service shop/payments port 443 on Deployment shop/payments (container port 8443): '
      + 'CronJob legacy/report sends plaintext, but container port 8443 is STRICT (PeerAuthentication shop/default)',
    ]);
    expect(plan.failures[0]).toMatchObject({ phase: '04-strict-shop', client: 'CronJob legacy/report', source: 'caller', server: 'Deployment shop/payments', targetPort: 8443 });
    // Reported once: the mesh phase does not break it again.
    expect(plan.phases[4].failures).toEqual([]);
  });

  it('is safe when a WorkloadException keeps the port PERMISSIVE, and the gate leaves that workload out', () => {
    const plan = planMigration([...shop(), portException('shop', 'payments', 8443)], { ...OPTIONS, callers: [LEGACY_CALLER], mesh: NOW });
    expect(plan.failures).toEqual([]);
    expect(plan.phases[3].gate!.exceptions).toEqual(['shop/payments']);
    expect(plan.phases[3].gate!.query).toContain('destination_workload_namespace="shop",destination_workload!~"payments"');
  });

  it('an exception on another port does not help', () => {
    const plan = planMigration([...shop(), portException('shop', 'payments', 9090)], { ...OPTIONS, callers: [LEGACY_CALLER] });
    expect(plan.failures.map((f) => f.phase)).toEqual(['04-strict-shop']);
  });

  it('checks plaintext callers outside the inventory', () => {
    const caller = { namespace: 'monitoring', name: 'prometheus', to: { namespace: 'web', service: 'frontend', port: 80 } };
    const plan = planMigration(shop(), { ...OPTIONS, plaintextCallers: [caller] });
    expect(plan.failures.map((f) => f.message)).toEqual([
      'phase 03-strict-web breaks plaintext caller monitoring/prometheus → Service web/frontend port 80 on Deployment web/frontend (container port 8080): '
      + 'plaintext caller monitoring/prometheus sends plaintext, but container port 8080 is STRICT (PeerAuthentication web/default)',
    ]);
    expect(planMigration([...shop(), portException('web', 'frontend', 8080)], { ...OPTIONS, plaintextCallers: [caller] }).failures).toEqual([]);
  });

  it('finds sidecar-less workloads of a tightened namespace from the inventory alone', () => {
    const input = [...shop(), deployment('shop', 'worker', 9000, { 'sidecar.istio.io/inject': 'false' })];
    const failures = planMigration(input, OPTIONS).failures;
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((f) => f.phase === '04-strict-shop' && f.client === 'Deployment shop/worker' && f.source === 'inventory')).toBe(true);
  });

  it('assumes a namespace it has no Namespace object for is injected, unless the pod opts out', () => {
    const caller = { from: { namespace: 'batch', name: 'sync' }, to: { namespace: 'shop', service: 'payments', port: 443 } };
    expect(planMigration([...shop(), deployment('batch', 'sync', 7000)], { ...OPTIONS, callers: [caller] }).failures).toEqual([]);
    const optedOut = deployment('batch', 'sync', 7000, { 'sidecar.istio.io/inject': 'false' });
    expect(planMigration([...shop(), optedOut], { ...OPTIONS, callers: [caller] }).failures.map((f) => `${f.phase} ${f.client}`))
      .toEqual(['04-strict-shop Deployment batch/sync']);
  });

  it('reports declared callers the inventory cannot place', () => {
    const plan = planMigration(shop(), {
      ...OPTIONS,
      callers: [{ from: { namespace: 'legacy', name: 'nope' }, to: { namespace: 'shop', service: 'payments', port: 8443 } }],
    });
    expect(plan.problems).toEqual([
      "'callers[0].from' names workload legacy/nope, which is not in the inventory; declare callers outside it with 'plaintextCallers'",
      "'callers[0].to' names port 8443 of Service shop/payments, which has ports 443",
    ]);
  });
});

describe('planMigration: gates', () => {
  it('gives each tightening phase the PromQL that must be 0 and a valid PrometheusRule', () => {
    const plan = planMigration(shop(), OPTIONS);
    expect(plan.phases[0].gate).toBeUndefined();
    expect(plan.phases[1].gate).toBeUndefined();
    expect(plan.phases[2].gate!.query).toBe(
      '(sum(rate(istio_requests_total{reporter="destination",connection_security_policy!="mutual_tls",destination_workload_namespace="web"}[5m])) or vector(0))'
      + ' + (sum(rate(istio_tcp_connections_opened_total{reporter="destination",connection_security_policy!="mutual_tls",destination_workload_namespace="web"}[5m])) or vector(0))');
    expect(plan.phases[4].gate!.query).toContain('destination_workload_namespace!~"istio-system"');
    for (const phase of plan.phases) {
      for (const rule of phase.manifests.filter((m) => m.kind === 'PrometheusRule')) {
        expect(validateManifest(rule).filter((f) => f.severity === 'error')).toEqual([]);
      }
    }
    const web = plan.phases[2].manifests.find((m) => m.kind === 'PrometheusRule')! as any;
    expect(web.spec.groups[0].rules.map((r: any) => r.expr)).toEqual([
      'sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{reporter="destination",connection_security_policy!="mutual_tls",destination_workload_namespace="web"}[5m])) > 0',
      'sum by (destination_workload_namespace, destination_workload) (rate(istio_tcp_connections_opened_total{reporter="destination",connection_security_policy!="mutual_tls",destination_workload_namespace="web"}[5m])) > 0',
    ]);
  });

  it('puts the rules where asked, with the labels asked', () => {
    const plan = planMigration(shop(), { ...OPTIONS, alertsNamespace: 'monitoring', alertLabels: { release: 'prom' } });
    const rules = plan.phases[4].manifests.filter((m) => m.kind === 'PrometheusRule');
    expect(rules.map((m) => [refOf(m).namespace, m.metadata!.labels])).toEqual([
      ['monitoring', { release: 'prom' }], ['monitoring', { release: 'prom' }], ['monitoring', { release: 'prom' }],
    ]);
  });
});

describe('planMigration: runbook', () => {
  it('shows before → after, gate, verification and rollback of each phase', () => {
    const md = renderRunbook(planMigration([...shop(), portException('shop', 'payments', 8443)], { ...OPTIONS, callers: [LEGACY_CALLER] }));
    expect(md).toContain('## Phase 4: STRICT in shop (`04-strict-shop.k8s.yaml`)');
    expect(md).toContain('| shop | injection on, PERMISSIVE | injection on, STRICT |');
    expect(md).toContain('| Deployment shop/checkout | sidecar, PERMISSIVE | sidecar, STRICT |');
    expect(md).toContain('| Deployment shop/payments | sidecar, PERMISSIVE | sidecar, STRICT; port 8443 PERMISSIVE |');
    expect(md).toContain('| Deployment web/frontend | no sidecar (plaintext only) | sidecar, PERMISSIVE |');
    expect(md).toContain('Left out because they keep a documented exception: shop/payments.');
    expect(md).toContain('kubectl rollout restart deployment -n shop');
    expect(md).toContain('kubectl get pods -n shop -o jsonpath=\'{range .items[*]}{.metadata.name}{"\\t"}{.spec.containers[*].name}{"\\n"}{end}\' | grep -v istio-proxy');
    expect(md).toContain('istioctl x describe pod $POD -n shop');
    expect(md).toContain('kubectl exec test-no-sidecar -- curl -sS -m 5 http://payments.shop.svc.cluster.local:443');
    expect(md).toContain('Re-apply the previous phase, `03-strict-web.k8s.yaml`');
    expect(md).toContain('so rolling a phase back is re-applying the previous phase with `kubectl apply`');
    expect(md).not.toContain('Blocked');
  });

  it('lists the blocking failures in the phase', () => {
    const md = renderRunbook(planMigration(shop(), { ...OPTIONS, callers: [LEGACY_CALLER] }));
    expect(md).toContain('| 4 | STRICT in shop | `04-strict-shop.k8s.yaml` | yes (1) |');
    expect(md).toContain('### Blocked: this phase breaks connections\n\n- phase 04-strict-shop breaks CronJob legacy/report');
  });

  it('is deterministic whatever the input order', () => {
    const a = planMigration(shop(), { ...OPTIONS, callers: [LEGACY_CALLER] });
    const b = planMigration([...shop()].reverse(), { ...OPTIONS, callers: [LEGACY_CALLER] });
    expect(renderRunbook(b)).toBe(renderRunbook(a));
    expect(JSON.stringify(b.phases.map((p) => p.manifests))).toBe(JSON.stringify(a.phases.map((p) => p.manifests)));
  });
});

describe('planMigration: options', () => {
  const fails = (options: any) => {
    try {
      planMigration(shop(), options);
    } catch (e) {
      expect(e).toBeInstanceOf(MigrationPlanError);
      return (e as MigrationPlanError).problems;
    }
    throw new Error('did not throw');
  };
  it('fails on empty, invalid, duplicate and root namespaces, and on empty batches', () => {
    expect(fails({ namespaces: [] })).toEqual(["'namespaces' must list at least one namespace to tighten, got []"]);
    expect(fails({ namespaces: ['Prod'] })).toEqual([
      "'namespaces[0]' must be a DNS-1123 label, got \"Prod\": must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    ]);
    expect(fails({ namespaces: ['shop', ['web', 'shop']] })).toEqual([
      "'namespaces' lists \"shop\" twice (namespaces[0] and namespaces[1][1]): each namespace is tightened in exactly one phase",
    ]);
    expect(fails({ namespaces: ['web', []] })).toEqual(["'namespaces[1]' must be a namespace name or a non-empty batch of names, got []"]);
    expect(fails({ namespaces: ['istio-system'] })).toEqual([
      "'namespaces[0]' is the root namespace \"istio-system\": the mesh phases set its policy; list application namespaces only",
    ]);
  });
  it('fails on malformed callers', () => {
    expect(fails({ namespaces: ['web'], callers: [{ from: { namespace: 'legacy', name: 'report' }, to: { namespace: 'shop', service: 'payments', port: 0 } }] }))
      .toEqual(["'callers[0].to.port' must be an integer port number between 1 and 65535, got 0"]);
    expect(fails({ namespaces: ['web'], plaintextCallers: [{ namespace: 'Mon', name: 'prom', to: { namespace: 'web', service: 'frontend', port: 80 } }] }))
      .toEqual(["'plaintextCallers[0].namespace' must be a DNS-1123 label, got \"Mon\": must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"]);
  });
});

describe('planMigration: namespaces that must exist', () => {
  const configMap = (ns: string | undefined) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...(ns ? { namespace: ns } : {}) } });
  it('Compliance: a namespace of a Namespace object, of any object, or the default namespace of objects without one', () => {
    const input = [namespace('empty'), configMap('settings'), deployment('', 'api', 8080)];
    expect(unknownNamespaceProblems(input, { namespaces: ['empty', 'settings', 'default'] })).toEqual([]);
    expect(planMigration(input, { namespaces: ['empty', 'settings', 'default'] }).problems).toEqual([]);
  });
  it('Noncompliance 1: a typo is a problem with the nearest name, first among the problems', () => {
    const plan = planMigration(shop(), { namespaces: ['web', 'shopp'], callers: [{ from: { namespace: 'legacy', name: 'gone' }, to: { namespace: 'shop', service: 'payments', port: 443 } }] });
    expect(plan.problems).toEqual([
      '\'namespaces[1]\' names namespace "shopp", which is not in the inventory; did you mean "shop"?',
      "'callers[0].from' names workload legacy/gone, which is not in the inventory; declare callers outside it with 'plaintextCallers'",
    ]);
    expect(renderRunbook(plan)).toContain('## Problems\n\n- \'namespaces[1]\' names namespace "shopp", which is not in the inventory; did you mean "shop"?\n');
  });
  it('Noncompliance 2: batch entries are named by position, and a name nothing is close to lists the namespaces (never the root)', () => {
    expect(unknownNamespaceProblems(shop(), { namespaces: [['web', 'wbe'], ['billing']] })).toEqual([
      '\'namespaces[0][1]\' names namespace "wbe", which is not in the inventory; did you mean "web"?',
      '\'namespaces[1][0]\' names namespace "billing", which is not in the inventory (it has legacy, shop, web)',
    ]);
  });
  it('Noncompliance 3: an empty input, a long list cut short, and a flag name in place of the option', () => {
    expect(unknownNamespaceProblems([], { namespaces: ['web'] }, '--namespaces')).toEqual([
      '--namespaces names namespace "web", which is not in the inventory (it has no namespace to suggest)',
    ]);
    const many = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7'].map((n) => namespace(n));
    expect(unknownNamespaceProblems(many, { namespaces: ['zzzzzz'] })).toEqual([
      '\'namespaces[0]\' names namespace "zzzzzz", which is not in the inventory (it has a1, b2, c3, d4, e5 and 2 more)',
    ]);
  });
  it('trap: the root namespace counts as known but is never suggested', () => {
    expect(unknownNamespaceProblems([namespace('istio-system')], { namespaces: ['istio-systen'] })).toEqual([
      '\'namespaces[0]\' names namespace "istio-systen", which is not in the inventory (it has no namespace to suggest)',
    ]);
  });
});

describe('planMigration: cluster dump', () => {
  it('plans the dump fixture', () => {
    const input = dump();
    const plan = planMigration(input, { namespaces: ['web', 'shop'], callers: [{ from: { namespace: 'legacy', name: 'billing-export' }, to: { namespace: 'shop', service: 'payments', port: 443 } }] });
    expect(plan.start).toEqual([
      { subject: 'legacy', before: 'injection off, PERMISSIVE', after: 'injection off, PERMISSIVE' },
      { subject: 'shop', before: 'injection off, PERMISSIVE', after: 'injection off, PERMISSIVE' },
      { subject: 'web', before: 'injection off, PERMISSIVE', after: 'injection off, PERMISSIVE' },
    ]);
    expect(plan.failures.map((f) => `${f.phase} ${f.client} ${f.server}:${f.targetPort}`)).toEqual(['04-strict-shop Deployment legacy/billing-export Deployment shop/payments:8443']);
  });
});
