import { describe, expect, it } from 'vitest';
import { deploy, DeployOpts, DISABLE, dr, findings, ns, pa, PERMISSIVE, sel, STRICT, svc, tls, UNSET } from './helpers';
import { Manifest } from '../../src/model/manifest';

/*
 * IMA019 ambient-disable-ignored and IMA023 ambient-to-sidecar-plaintext
 * (SEMANTICS.md §1 rules 3 and 4, examples 3 and 4).
 *
 * Upstream has no istioctl analyzer for either (pkg/config/analysis/analyzers
 * has none for ambient PeerAuthentication or the tunnel label). The ambient
 * PeerAuthentication goldens of istio/istio 1.30.3 pilot/pkg/serviceregistry/
 * ambient (TestRBACConvert testdata/peer-authn-*, TestAmbientIndex_Policy) are
 * ported below as IMA019 rows: every golden with a DISABLE must give the
 * finding its reading implies, every other golden none.
 */

const AMBIENT = { ambient: true };
const AMBIENT_NS = { 'istio.io/dataplane-mode': 'ambient' };
const INJECTED = { 'istio-injection': 'enabled' };
const ROOT = 'istio-system';
const meshStrict = pa(ROOT, 'mesh', STRICT);
const ports = (entries: Record<number, string>) => ({
  portLevelMtls: Object.fromEntries(Object.entries(entries).map(([p, mode]) => [p, { mode }])),
});

/** An ambient namespace `shop` with Deployment `hook` (ports 8080, 9443). */
const shop = (...extra: Manifest[]): Manifest[] => [ns('shop', AMBIENT_NS), deploy('shop', 'hook', { ports: [8080, 9443] }), ...extra];
const hookPolicy = (spec: Record<string, unknown>) => pa('shop', 'hook', { ...sel({ app: 'hook' }), ...spec });

describe('IMA019 ambient-disable-ignored', () => {
  it('Compliance: PERMISSIVE exceptions under a STRICT mesh, and STRICT alone, give nothing', () => {
    expect(findings('IMA019', shop(meshStrict, hookPolicy(ports({ 9443: 'PERMISSIVE' }))), AMBIENT)).toEqual([]);
    expect(findings('IMA019', shop(meshStrict, pa('shop', 'default', PERMISSIVE)), AMBIENT)).toEqual([]);
    expect(findings('IMA019', shop(meshStrict), AMBIENT)).toEqual([]);
  });

  it('Noncompliance 1: SEMANTICS §1 example 3, a port-level DISABLE under an inherited STRICT stays STRICT (error)', () => {
    const f = findings('IMA019', shop(meshStrict, hookPolicy(ports({ 9443: 'DISABLE' }))), AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '/spec/portLevelMtls/9443/mode', resource: { namespace: 'shop', name: 'hook' } });
    expect(f[0].message).toBe('PeerAuthentication shop/hook sets port 9443 DISABLE under a workload mode that inherits STRICT '
      + '(PeerAuthentication istio-system/mesh); ztunnel ignores it on ambient Deployment shop/hook, so port 9443 stays STRICT and '
      + 'plaintext callers (kube-apiserver webhooks, pods outside the mesh) are refused, where a sidecar would take plaintext');
    expect(f[0].fix).toMatch(/^set port 9443 to PERMISSIVE/);
    expect(f[0].related?.map((r) => r.name)).toEqual(['mesh']);
  });

  it('Noncompliance 2: SEMANTICS §1 example 3 with `mtls: STRICT`, the port DISABLE means PERMISSIVE (info)', () => {
    const f = findings('IMA019', shop(meshStrict, hookPolicy({ ...STRICT, ...ports({ 9443: 'DISABLE' }) })), AMBIENT);
    expect(f.map((x) => [x.severity, x.path])).toEqual([['info', '/spec/portLevelMtls/9443/mode']]);
    expect(f[0].message).toContain('sets port 9443 DISABLE, which ztunnel reads as PERMISSIVE on ambient Deployment shop/hook: port 9443 takes HBONE (mTLS) and plaintext');
    expect(f[0].fix).toContain('write PERMISSIVE instead of DISABLE for port 9443');
  });

  it.each([
    ['mesh', [pa(ROOT, 'off', DISABLE)], 'mesh'],
    ['namespace', [meshStrict, pa('shop', 'off', DISABLE)], 'namespace'],
    ['workload', [meshStrict, pa('shop', 'off', { ...sel({ app: 'hook' }), ...DISABLE })], 'workload'],
  ])('Noncompliance 3: a %s-level DISABLE is read as PERMISSIVE (info)', (_level, policies, level) => {
    const f = findings('IMA019', shop(...policies), AMBIENT);
    expect(f.map((x) => [x.severity, x.resource.name, x.path])).toEqual([['info', 'off', '/spec/mtls/mode']]);
    expect(f[0].message).toContain(`sets mode DISABLE (${level} level), which ztunnel reads as PERMISSIVE`);
  });

  it('Noncompliance 4: a port DISABLE beside a PERMISSIVE port relaxes only thanks to it, and says so (info)', () => {
    const f = findings('IMA019', shop(meshStrict, hookPolicy(ports({ 8080: 'PERMISSIVE', 9443: 'DISABLE' }))), AMBIENT);
    expect(f.map((x) => x.severity)).toEqual(['info']);
    expect(f[0].message).toContain('only because the policy also has a PERMISSIVE port');
  });

  it('Noncompliance 5: one finding per policy, naming every ambient workload it applies to', () => {
    const f = findings('IMA019', [...shop(pa(ROOT, 'off', DISABLE)), ns('pay', AMBIENT_NS), deploy('pay', 'api')], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('on ambient Deployment pay/api, Deployment shop/hook:');
  });

  it('Noncompliance 6: a [U] source-derived divergence is a warning that says it is read from source only', () => {
    const f = findings('IMA019', shop(meshStrict, pa('shop', 'n', UNSET), hookPolicy(ports({ 9443: 'PERMISSIVE' }))), AMBIENT);
    expect(f.map((x) => [x.severity, x.resource.name, x.path])).toEqual([['warning', 'hook', '/spec/portLevelMtls']]);
    expect(f[0].message).toMatch(/^PeerAuthentication shop\/hook on ambient Deployment shop\/hook, read from istiod's source only \[U\]: /);
    expect(f[0].message).toContain('namespace policy shop/n, mesh policy istio-system/mesh');
    expect(f[0].message).not.toContain('[U] shop/hook:');
  });

  it('Noncompliance 7: a root-namespace STRICT written with `selector: {}` is never seen by ambient workloads (warning)', () => {
    const f = findings('IMA019', shop(pa(ROOT, 'default', { selector: {}, ...STRICT })), AMBIENT);
    expect(f.map((x) => [x.severity, x.resource.name, x.path])).toEqual([['warning', 'default', '/spec/selector']]);
    expect(f[0].message).toContain('so Deployment shop/hook fall back to PERMISSIVE and accept plaintext');
  });

  it('trap: ambient not installed, the namespace label does nothing and sidecar rules apply', () => {
    expect(findings('IMA019', shop(meshStrict, hookPolicy(ports({ 9443: 'DISABLE' })), pa(ROOT, 'x', { selector: {}, ...STRICT })))).toEqual([]);
  });

  it('trap: DISABLE on sidecar workloads, with ambient installed, is a sidecar DISABLE', () => {
    const m = [ns('shop', INJECTED), deploy('shop', 'hook', { ports: [8080, 9443] }), meshStrict, hookPolicy(ports({ 9443: 'DISABLE' })), pa('shop', 'off', DISABLE)];
    expect(findings('IMA019', m, AMBIENT)).toEqual([]);
  });

  it('trap: sidecar injection wins over the ambient label (both on the namespace)', () => {
    const m = [ns('shop', { ...INJECTED, ...AMBIENT_NS }), deploy('shop', 'hook', { ports: [8080, 9443] }), meshStrict, hookPolicy(ports({ 9443: 'DISABLE' }))];
    expect(findings('IMA019', m, AMBIENT)).toEqual([]);
  });

  it('trap: a pod opted out with `istio.io/dataplane-mode: none` is not ambient', () => {
    const m = [ns('shop', AMBIENT_NS), deploy('shop', 'hook', { labels: { 'app': 'hook', 'istio.io/dataplane-mode': 'none' }, ports: [9443] }),
      meshStrict, hookPolicy(ports({ 9443: 'DISABLE' }))];
    expect(findings('IMA019', m, AMBIENT)).toEqual([]);
  });

  it('trap: an ignored port DISABLE on a port the pod does not listen on changes nothing (port-level-not-container-port reports the key)', () => {
    expect(findings('IMA019', shop(meshStrict, hookPolicy(ports({ 443: 'DISABLE' }))), AMBIENT)).toEqual([]);
  });

  it('trap: a `selector: {}` root policy that every ambient workload overrides with its namespace policy, or that is PERMISSIVE', () => {
    expect(findings('IMA019', shop(pa(ROOT, 'default', { selector: {}, ...STRICT }), pa('shop', 'default', STRICT)), AMBIENT)).toEqual([]);
    expect(findings('IMA019', shop(pa(ROOT, 'default', { selector: {}, ...PERMISSIVE })), AMBIENT)).toEqual([]);
  });

  it('trap: competing PERMISSIVE and DISABLE namespace policies are both PERMISSIVE in ambient: only the DISABLE is noted', () => {
    const f = findings('IMA019', shop(pa('shop', 'a', PERMISSIVE), pa('shop', 'b', DISABLE)), AMBIENT);
    expect(f.map((x) => [x.severity, x.resource.name])).toEqual([['info', 'b']]);
  });
});

// ---------------------------------------------------------------------------
// IMA019 over upstream's ambient PeerAuthentication cases
// ---------------------------------------------------------------------------

const RBAC_CONVERT = 'istio/istio 1.30.3 pilot/pkg/serviceregistry/ambient/ambientindex_test.go TestRBACConvert testdata/';
const POLICY_STEPS = 'istio/istio 1.30.3 pilot/pkg/serviceregistry/ambient/ambientindex_test.go TestAmbientIndex_Policy';
const FOO = 'foo';
const a = (spec: Record<string, unknown>) => ({ ...sel({ app: 'a' }), ...spec });

interface UpstreamRow {
  readonly source: string;
  readonly policies: readonly Manifest[];
  /** [severity, policy name, path] of each IMA019 finding the reading implies. */
  readonly want: readonly (readonly [string, string, string])[];
}

const UPSTREAM_ROWS: readonly UpstreamRow[] = [
  { source: `${RBAC_CONVERT}peer-authn-disable-in.yaml`, policies: [pa(FOO, 'disable-mtls', DISABLE)], want: [['info', 'disable-mtls', '/spec/mtls/mode']] },
  {
    source: `${RBAC_CONVERT}peer-authn-disable-port-mtls-strict-in.yaml`,
    policies: [pa(FOO, 'disable-strict-mtls', a({ ...DISABLE, ...ports({ 9090: 'STRICT' }) }))],
    want: [['info', 'disable-strict-mtls', '/spec/mtls/mode']],
  },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-and-disable-port-mtls-in.yaml`,
    policies: [pa(FOO, 'strict-and-disable-mtls', a({ ...STRICT, ...ports({ 9090: 'DISABLE' }) }))],
    want: [['info', 'strict-and-disable-mtls', '/spec/portLevelMtls/9090/mode']],
  },
  {
    source: `${POLICY_STEPS} step 19 "workload DISABLE: static policy disappears"`,
    policies: [pa('istio-system', 'strict', STRICT), pa(FOO, 'selector-strict', a(DISABLE))],
    want: [['info', 'selector-strict', '/spec/mtls/mode']],
  },
  { source: `${RBAC_CONVERT}peer-authn-permissive-in.yaml`, policies: [pa(FOO, 'permissive-mtls', PERMISSIVE)], want: [] },
  { source: `${RBAC_CONVERT}peer-authn-strict-in.yaml`, policies: [pa(FOO, 'strict-mtls', STRICT)], want: [] },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-and-permissive-port-mtls-in.yaml`,
    policies: [pa(FOO, 'strict-and-permissive-mtls', a({ ...STRICT, ...ports({ 9090: 'PERMISSIVE' }) }))],
    want: [],
  },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-root-permissive-workload-in.yaml`,
    policies: [pa('istio-system', 'default-mesh', STRICT), pa(FOO, 'workload', a(ports({ 9090: 'PERMISSIVE' })))],
    want: [],
  },
  {
    source: `${RBAC_CONVERT}peer-authn-permissive-root-unset-namespace-mixed-workload-ports-in.yaml`,
    policies: [pa('istio-system', 'default-mesh', PERMISSIVE), pa(FOO, 'default-foo', UNSET), pa(FOO, 'workload', a(ports({ 9090: 'STRICT', 8080: 'PERMISSIVE' })))],
    want: [],
  },
  {
    source: `${RBAC_CONVERT}peer-authn-unset-port-mtls-strict-in.yaml`,
    policies: [pa(FOO, 'strict-mtls', a({ ...UNSET, ...ports({ 8080: 'STRICT' }) }))],
    want: [],
  },
  {
    source: `${POLICY_STEPS} step 6 "global selector policy ignored"`,
    policies: [pa('istio-system', 'global', PERMISSIVE), pa(FOO, 'namespace', STRICT), pa(FOO, 'selector', a({ ...PERMISSIVE, ...ports({ 9090: 'STRICT' }) })),
      pa('istio-system', 'global-selector', a(STRICT))],
    want: [],
  },
];

describe('IMA019 on upstream ambient PeerAuthentication cases', () => {
  it.each(UPSTREAM_ROWS.map((r) => [r.source, r] as const))('%s', (_source, row) => {
    const m = [ns(FOO, AMBIENT_NS), deploy(FOO, 'pod', { labels: { app: 'a' }, ports: [7070, 8080, 9090] }), ...row.policies];
    expect(findings('IMA019', m, AMBIENT).map((f) => [f.severity, f.resource.name, f.path])).toEqual(row.want);
  });
});

// ---------------------------------------------------------------------------
// IMA023 ambient-to-sidecar-plaintext
// ---------------------------------------------------------------------------

const STATUS = { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' };
const TUN = 'networking.istio.io/tunnel';

/** Ambient client `web/web` and Service `pay/pay:80` → 8080 over `server`. */
function toPay(server: DeployOpts, extra: Manifest[] = [], payNs: Record<string, string> = INJECTED): Manifest[] {
  return [
    ns('web', AMBIENT_NS), deploy('web', 'web'),
    ns('pay', payNs), deploy('pay', 'pay', { ports: [8080, 9090], ...server }),
    svc('pay', 'pay', { app: 'pay' }, [{ port: 80, targetPort: 8080, name: 'http' }]),
    ...extra,
  ];
}
const preInjected: DeployOpts = { podAnnotations: STATUS };
const payStrict = pa('pay', 'default', STRICT);
const NO_HBONE = { ambient: true, sidecarHbone: false };

describe('IMA023 ambient-to-sidecar-plaintext', () => {
  it('Compliance: SEMANTICS §1 example 4(a), a sidecar injected under the ambient profile takes HBONE', () => {
    expect(findings('IMA023', toPay({}, [payStrict]), AMBIENT)).toEqual([]);
  });

  it('Noncompliance 1: SEMANTICS §1 example 4(b), a pre-injected template without the tunnel label under STRICT (error)', () => {
    const f = findings('IMA023', toPay(preInjected, [payStrict]), AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '/spec/template/metadata/labels', resource: { kind: 'Deployment', namespace: 'pay', name: 'pay' } });
    expect(f[0].message).toBe('ambient clients (Deployment web/web) calling Service pay/pay:80 reach Deployment pay/pay:8080, a sidecar pod that '
      + 'does not accept HBONE (it was injected without HBONE (the template already carries the sidecar and no networking.istio.io/tunnel label)), '
      + 'so ztunnel sends plaintext TCP; port 8080 is STRICT (PeerAuthentication pay/default): the sidecar refuses it and the connections are reset');
    expect(f[0].related?.map((r) => `${r.kind}/${r.name}`)).toEqual(['Service/pay', 'PeerAuthentication/default']);
    expect(f[0].fix).toContain('ISTIO_META_ENABLE_HBONE=true');
  });

  it('Noncompliance 2: SEMANTICS §1 example 4(b) under PERMISSIVE: accepted but unencrypted (warning)', () => {
    const f = findings('IMA023', toPay(preInjected, [pa('pay', 'default', PERMISSIVE)]), AMBIENT);
    expect(f.map((x) => x.severity)).toEqual(['warning']);
    expect(f[0].message).toContain('port 8080 is PERMISSIVE (PeerAuthentication pay/default): the sidecar accepts it: unencrypted');
  });

  it('Noncompliance 3: the mesh does not set ISTIO_META_ENABLE_HBONE (sidecarHbone: false), with no policy: PERMISSIVE default (warning)', () => {
    const f = findings('IMA023', toPay({}), NO_HBONE);
    expect(f.map((x) => x.severity)).toEqual(['warning']);
    expect(f[0].message).toContain('mesh option sidecarHbone: false');
    expect(f[0].message).toContain('PERMISSIVE (Istio default)');
  });

  it('Noncompliance 4: one finding per Service port', () => {
    const m = toPay({}, [payStrict, svc('pay', 'pay2', { app: 'pay' }, [{ port: 80, targetPort: 8080 }, { port: 90, targetPort: 9090 }])]);
    expect(findings('IMA023', m, NO_HBONE).map((x) => x.message.match(/Service (\S+)/)![1]).sort()).toEqual(['pay/pay2:80', 'pay/pay2:90', 'pay/pay:80']);
  });

  it('Noncompliance 5: a tunnel label that does not list http (the list is not trimmed)', () => {
    const f = findings('IMA023', toPay({ labels: { app: 'pay', [TUN]: 'h2, http' } }, [payStrict]), AMBIENT);
    expect(f.map((x) => x.severity)).toEqual(['error']);
    expect(f[0].message).toContain('its networking.istio.io/tunnel label "h2, http" does not list http');
  });

  it('Noncompliance 6: competing STRICT and PERMISSIVE namespace policies: it fails if the STRICT one is oldest (error)', () => {
    const f = findings('IMA023', toPay(preInjected, [pa('pay', 'a', STRICT), pa('pay', 'b', PERMISSIVE)]), AMBIENT);
    expect(f.map((x) => x.severity)).toEqual(['error']);
    expect(f[0].message).toContain('PERMISSIVE or STRICT (competing PeerAuthentications)');
  });

  it('Noncompliance 7: a port-level STRICT under a PERMISSIVE workload judges that port alone', () => {
    const m = toPay(preInjected, [pa('pay', 'w', { ...sel({ app: 'pay' }), ...PERMISSIVE, ...ports({ 8080: 'STRICT' }) }),
      svc('pay', 'admin', { app: 'pay' }, [{ port: 90, targetPort: 9090 }])]);
    expect(findings('IMA023', m, AMBIENT).map((x) => [x.severity, x.message.match(/Service (\S+)/)![1]])).toEqual([['error', 'pay/pay:80'], ['warning', 'pay/admin:90']]);
  });

  it('trap: ambient to ambient is HBONE', () => {
    expect(findings('IMA023', toPay({}, [payStrict], AMBIENT_NS), NO_HBONE)).toEqual([]);
  });

  it('trap: ambient to a sidecar with `networking.istio.io/tunnel: http` is HBONE, even pre-injected or without ENABLE_HBONE', () => {
    expect(findings('IMA023', toPay({ ...preInjected, labels: { app: 'pay', [TUN]: 'http' } }, [payStrict]), AMBIENT)).toEqual([]);
    expect(findings('IMA023', toPay({ labels: { app: 'pay', [TUN]: 'h2,http' } }, [payStrict]), NO_HBONE)).toEqual([]);
  });

  it('trap: without ambient clients (ambient off, or no ambient workload) sidecars talk classic Istio mTLS', () => {
    expect(findings('IMA023', toPay(preInjected, [payStrict]))).toEqual([]);
    expect(findings('IMA023', toPay(preInjected, [payStrict]).filter((m) => m.metadata?.name !== 'web' || m.kind === 'Namespace'), AMBIENT)).toEqual([]);
  });

  it('trap: a DISABLE server port asks for plaintext, and a port the sidecar does not capture takes it anyway', () => {
    expect(findings('IMA023', toPay(preInjected, [pa('pay', 'default', DISABLE)]), AMBIENT)).toEqual([]);
    const bypass = { podAnnotations: { ...STATUS, 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' } };
    expect(findings('IMA023', toPay(bypass, [payStrict]), AMBIENT)).toEqual([]);
    expect(findings('IMA023', toPay(bypass, [pa('pay', 'default', PERMISSIVE)]), AMBIENT)).toEqual([]);
  });

  it('trap: a server without any proxy takes plaintext', () => {
    expect(findings('IMA023', toPay({}, [payStrict], {}), AMBIENT)).toEqual([]);
  });

  it('trap: IMA017 does not fire for a DestinationRule DISABLE toward an ambient server (HBONE wins), but does toward a sidecar', () => {
    const base = [ns('cli', INJECTED), deploy('cli', 'client'), dr('cli', 'off', { host: 'pay.pay.svc.cluster.local', ...tls('DISABLE') }), pa('pay', 'default', PERMISSIVE)];
    const payAmbient = [ns('pay', AMBIENT_NS), deploy('pay', 'pay'), svc('pay', 'pay', { app: 'pay' }, [{ port: 80, targetPort: 8080 }])];
    expect(findings('IMA017', [...base, ...payAmbient], AMBIENT)).toEqual([]);
    const ambientClient = [ns('cli', AMBIENT_NS), deploy('cli', 'client'), dr('cli', 'off', { host: 'pay.pay.svc.cluster.local', ...tls('DISABLE') })];
    expect(findings('IMA017', [...ambientClient, pa('pay', 'default', PERMISSIVE), ...payAmbient], AMBIENT)).toEqual([]);
    // Control: the same rule toward a sidecar server is reported, so the case above can fail.
    const paySidecar = [ns('pay', INJECTED), deploy('pay', 'pay'), svc('pay', 'pay', { app: 'pay' }, [{ port: 80, targetPort: 8080 }])];
    expect(findings('IMA017', [...base, ...paySidecar], AMBIENT).map((f) => f.code)).toEqual(['IMA017']);
  });
});

// ---------------------------------------------------------------------------
// IMA023 over the tunnel-label cases upstream tests (hboneCapable rows)
// ---------------------------------------------------------------------------

const INJECT_GOLDEN = 'istio/istio 1.30.3 pkg/kube/inject/inject_test.go TestInjection golden';
const TUNNEL_ROWS: readonly { source: string; server: DeployOpts; options: Record<string, boolean>; fires: boolean }[] = [
  { source: `${INJECT_GOLDEN} hello.yaml.injected (no ENABLE_HBONE, no tunnel label)`, server: {}, options: NO_HBONE, fires: true },
  { source: 'istio/istio 1.30.3 manifests/charts/istio-control/istio-discovery/files/injection-template.yaml:35-37 (ENABLE_HBONE adds tunnel: http)', server: {}, options: AMBIENT, fires: false },
  {
    source: 'istio/istio 1.30.3 pilot/pkg/serviceregistry/ambient/workloads_test.go TestWorkloadEntryWorkloads "we with tunnel label is HBONE" (as a pod label)',
    server: { labels: { app: 'pay', [TUN]: 'http' } },
    options: NO_HBONE,
    fires: false,
  },
  { source: `${INJECT_GOLDEN} merge-probers.yaml.injected (already injected: the injector keeps its labels)`, server: preInjected, options: AMBIENT, fires: true },
];

describe('IMA023 on upstream tunnel-label cases', () => {
  it.each(TUNNEL_ROWS.map((r) => [r.source, r] as const))('%s', (_source, row) => {
    expect(findings('IMA023', toPay(row.server, [payStrict]), row.options).length > 0).toBe(row.fires);
  });
});
