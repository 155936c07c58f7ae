import { describe, expect, it } from 'vitest';
import { ap, deploy, DeployOpts, DISABLE, dr, findings, ns, pa, PERMISSIVE, sel, STRICT, svc, tls } from './helpers';
import { Manifest } from '../../src/model/manifest';
import { MeshOptions } from '../../src/model/mesh-options';

/*
 * The DestinationRule, authorization, client and injection rules judged by
 * the data plane each workload really gets (SEMANTICS.md §0 S2, §1, §2):
 * ambient pods receive HBONE from client sidecars whatever the
 * DestinationRule says, ports a sidecar does not capture take plaintext,
 * ztunnel enforces PeerAuthentication (no DISABLE) and AuthorizationPolicy on
 * ambient pods. Server: Deployment `api` (ports 8080, 9090) behind Service
 * `api` (80 → 8080, 90 → 9090) in namespace `shop`; clients in `web`.
 */

const AMBIENT_NS = { 'istio.io/dataplane-mode': 'ambient' };
const INJECTED = { 'istio-injection': 'enabled' };
const A: MeshOptions = { ambient: true };
const PORTS = [{ port: 80, targetPort: 8080 }, { port: 90, targetPort: 9090 }];
const HOST = 'api.shop.svc.cluster.local';
const EXCLUDE_8080 = { 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' };
const BYPASS = { 'ambient.istio.io/bypass-inbound-capture': 'true' };

/** Namespace `shop` with the server, namespace `web` with an injected client. */
function mesh(shopLabels: Record<string, string>, server: DeployOpts = {}, headless = false): Manifest[] {
  const service = svc('shop', 'api', { app: 'api' }, PORTS);
  return [
    ns('shop', shopLabels), ns('web', INJECTED),
    deploy('shop', 'api', { ports: [8080, 9090], ...server }),
    headless ? { ...service, spec: { ...(service.spec as object), clusterIP: 'None' } } : service,
    deploy('web', 'client'),
  ];
}

const ruleFor = (mode: string, extra: Record<string, unknown> = {}) => dr('web', 'to-api', { host: HOST, ...tls(mode), ...extra });
/** A rule-level tls plus a port-level entry for port 80 that sets no tls of its own (S2). */
const portEntryWithoutTls = (mode: string) => dr('web', 'to-api', {
  host: HOST, trafficPolicy: { tls: { mode }, portLevelSettings: [{ port: { number: 80 }, connectionPool: { tcp: { maxConnections: 10 } } }] },
});

describe('IMA017 dr-disables-tls-to-permissive, by data plane', () => {
  it('Compliance: a DISABLE rule toward ambient pods (client sidecars send HBONE whatever the rule says)', () => {
    expect(findings('IMA017', [...mesh(AMBIENT_NS), ruleFor('DISABLE')], A)).toEqual([]);
  });
  it('Noncompliance 1: the same rule toward injected pods (the trap above can fail)', () => {
    const f = findings('IMA017', [...mesh(INJECTED), ruleFor('DISABLE')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Deployment shop/api:8080 (Service api:80), Deployment shop/api:9090 (Service api:90) has a sidecar and is PERMISSIVE');
  });
  it('Noncompliance 2: a headless Service over ambient pods: an explicit tls gets no HBONE, so the plaintext is accepted', () => {
    const f = findings('IMA017', [...mesh(AMBIENT_NS, {}, true), ruleFor('DISABLE')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Deployment shop/api:8080 (Service api:80, headless: no HBONE)');
    expect(f[0].message).toContain('is in ambient and is PERMISSIVE (Istio default)');
  });
  it('Noncompliance 3: a port entry without tls still sends the rule-level DISABLE (endpoint metadata, S2)', () => {
    const f = findings('IMA017', [...mesh(INJECTED), portEntryWithoutTls('DISABLE')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Deployment shop/api:8080 (Service api:80)');
    expect(f[0].path).toBe('/spec/trafficPolicy/tls/mode');
  });
  it('trap: IMA017 does not fire toward ambient servers (a DISABLE left over from a migration, SEMANTICS §1 traps)', () => {
    expect(findings('IMA017', [...mesh(AMBIENT_NS), pa('shop', 'default', PERMISSIVE), ruleFor('DISABLE')], A)).toEqual([]);
    // ztunnel reads DISABLE as PERMISSIVE: still HBONE.
    expect(findings('IMA017', [...mesh(AMBIENT_NS), pa('shop', 'default', DISABLE), ruleFor('DISABLE')], A)).toEqual([]);
  });
  it('trap: a port the server sidecar does not capture takes plaintext anyway', () => {
    const f = findings('IMA017', [...mesh(INJECTED, { podAnnotations: EXCLUDE_8080 }), ruleFor('DISABLE')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).not.toContain(':8080');
    expect(f[0].message).toContain('Deployment shop/api:9090 (Service api:90)');
  });
  it('trap: without the ambient option the namespace label enrols nothing and pods have no proxy', () => {
    expect(findings('IMA017', [...mesh(AMBIENT_NS), ruleFor('DISABLE')])).toEqual([]);
  });
});

describe('IMA007 dr-disables-tls-to-strict, by data plane', () => {
  const strict = pa('shop', 'default', STRICT);
  it('Compliance: DISABLE toward ambient STRICT pods (HBONE replaces the rule\'s tls)', () => {
    expect(findings('IMA007', [...mesh(AMBIENT_NS), strict, ruleFor('DISABLE')], A)).toEqual([]);
  });
  it('Noncompliance 1: DISABLE toward injected STRICT pods', () => {
    expect(findings('IMA007', [...mesh(INJECTED), strict, ruleFor('DISABLE')], A)).toHaveLength(1);
  });
  it('Noncompliance 2: a headless Service over ambient STRICT pods: plaintext without HBONE, ztunnel refuses it', () => {
    const f = findings('IMA007', [...mesh(AMBIENT_NS, {}, true), strict, ruleFor('DISABLE')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('(Service api:80, ambient, headless: no HBONE)');
  });
  it('Noncompliance 3: a port entry without tls keeps the rule-level DISABLE on the endpoints (S2 quirk)', () => {
    const f = findings('IMA007', [...mesh(INJECTED), strict, portEntryWithoutTls('DISABLE')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('(a portLevelSettings entry without tls still leaves the endpoints marked DISABLE)');
    expect(f[0].message).toContain('Deployment shop/api:8080 (Service api:80)');
  });
  it('trap: a port the server sidecar does not capture takes the plaintext (only the captured port is reported)', () => {
    const f = findings('IMA007', [...mesh(INJECTED, { podAnnotations: EXCLUDE_8080 }), strict, ruleFor('DISABLE')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).not.toContain(':8080');
    const only8080 = dr('web', 'to-api', { host: HOST, trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'DISABLE' } }] } });
    expect(findings('IMA007', [...mesh(INJECTED, { podAnnotations: EXCLUDE_8080 }), strict, only8080], A)).toEqual([]);
  });
  it('trap: a port entry with its own tls takes precedence over the rule-level DISABLE', () => {
    const rule = dr('web', 'to-api', { host: HOST, trafficPolicy: { tls: { mode: 'DISABLE' }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }] } });
    const f = findings('IMA007', [...mesh(INJECTED), strict, rule], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).not.toContain('Service api:80');
  });
  it('trap: a namespace labelled for ambient, its workloads not in the input: its pods receive HBONE', () => {
    const input = [ns('pay', AMBIENT_NS), pa('pay', 'default', STRICT), dr('pay', 'off', { host: '*.pay.svc.cluster.local', ...tls('DISABLE') })];
    expect(findings('IMA007', input, A)).toEqual([]);
    expect(findings('IMA007', [ns('pay', INJECTED), ...input.slice(1)], A)).toHaveLength(1);
  });
});

describe('IMA008 dr-mtls-to-non-mtls-server, by data plane', () => {
  it('Compliance: ISTIO_MUTUAL toward ambient pods (HBONE)', () => {
    expect(findings('IMA008', [...mesh(AMBIENT_NS), ruleFor('ISTIO_MUTUAL')], A)).toEqual([]);
  });
  it('Noncompliance 1: ISTIO_MUTUAL to a port the server sidecar does not capture', () => {
    const f = findings('IMA008', [...mesh(INJECTED, { podAnnotations: EXCLUDE_8080 }), ruleFor('ISTIO_MUTUAL')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toBe('DestinationRule web/to-api sets tls ISTIO_MUTUAL for api.shop.svc.cluster.local, but Deployment shop/api:8080 '
      + 'is not captured by its sidecar (plaintext reaches the application); those connections fail');
  });
  it('Noncompliance 2: a port entry without tls keeps ISTIO_MUTUAL on the endpoints (S2 quirk): mTLS to a DISABLE port', () => {
    const disable8080 = pa('shop', 'api', { ...sel({ app: 'api' }), portLevelMtls: { 8080: { mode: 'DISABLE' } } });
    const f = findings('IMA008', [...mesh(INJECTED), disable8080, portEntryWithoutTls('ISTIO_MUTUAL')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toBe('DestinationRule web/to-api sets tls ISTIO_MUTUAL for api.shop.svc.cluster.local (a portLevelSettings entry without tls '
      + 'still leaves the endpoints marked ISTIO_MUTUAL), but Deployment shop/api:8080 is DISABLE (PeerAuthentication shop/api); those connections fail');
  });
  it('trap: a port entry without tls toward pods without a sidecar: their tlsMode is not istio, so auto mTLS sends plaintext there', () => {
    const f = findings('IMA008', [...mesh({}), portEntryWithoutTls('ISTIO_MUTUAL')], A);
    // Only port 90 (the rule-level ISTIO_MUTUAL in force) fails; port 80 gets plaintext.
    expect(f).toHaveLength(1);
    expect(f[0].message).not.toContain('portLevelSettings');
    const entries = [{ port: { number: 80 }, connectionPool: { tcp: { maxConnections: 10 } } }, { port: { number: 90 }, tls: { mode: 'DISABLE' } }];
    const only80 = dr('web', 'to-api', { host: HOST, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: entries } });
    expect(findings('IMA008', [...mesh({}), only80], A)).toEqual([]);
  });
  it('Noncompliance 3: a headless Service over ambient pods: Istio mTLS without HBONE, which ztunnel cannot terminate', () => {
    const f = findings('IMA008', [...mesh(AMBIENT_NS, {}, true), ruleFor('ISTIO_MUTUAL')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Deployment shop/api:8080 is ambient behind headless Service api, so no HBONE');
  });
  it('trap: ambient pods whose PeerAuthentication is DISABLE (ztunnel reads it as PERMISSIVE, the rule is replaced by HBONE)', () => {
    expect(findings('IMA008', [...mesh(AMBIENT_NS), pa('shop', 'default', DISABLE), ruleFor('ISTIO_MUTUAL')], A)).toEqual([]);
    // The same policies with sidecars: the trap can fail.
    expect(findings('IMA008', [...mesh(INJECTED), pa('shop', 'default', DISABLE), ruleFor('ISTIO_MUTUAL')], A)).toHaveLength(1);
  });
  it('trap: pods the injector rejects never exist (another rule reports the annotation)', () => {
    const rejected = { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8, 172.16.0.0/12', ...EXCLUDE_8080 };
    expect(findings('IMA008', [...mesh(INJECTED, { podAnnotations: rejected }), ruleFor('ISTIO_MUTUAL')], A)).toEqual([]);
  });
  it('trap: a namespace labelled for ambient, its workloads not in the input, DISABLE: HBONE, not mTLS', () => {
    const input = [ns('pay', AMBIENT_NS), pa('pay', 'default', DISABLE), dr('pay', 'on', { host: '*.pay.svc.cluster.local', ...tls('ISTIO_MUTUAL') })];
    expect(findings('IMA008', input, A)).toEqual([]);
    expect(findings('IMA008', input)).toHaveLength(1);
  });
});

describe('IMA009 authz-requires-mtls, by what each port accepts', () => {
  const P = 'cluster.local/ns/web/sa/client';
  const allow = (extra: Record<string, unknown> = {}) => ap('shop', 'allow', { ...sel({ app: 'api' }), rules: [{ from: [{ source: { principals: [P] } }], ...extra }] });
  const deny = ap('shop', 'deny', { ...sel({ app: 'api' }), action: 'DENY', rules: [{ from: [{ source: { namespaces: ['evil'] } }] }] });
  it('Compliance: ambient STRICT with ALLOW or DENY on identities; ambient PERMISSIVE with ALLOW (mesh callers send HBONE)', () => {
    expect(findings('IMA009', [...mesh(AMBIENT_NS), pa('shop', 'default', STRICT), allow(), deny], A)).toEqual([]);
    expect(findings('IMA009', [...mesh(AMBIENT_NS), allow()], A)).toEqual([]);
  });
  it('Noncompliance 1: DENY on namespaces on ambient PERMISSIVE pods is bypassed by plaintext callers (ztunnel)', () => {
    const f = findings('IMA009', [...mesh(AMBIENT_NS), deny], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Deployment shop/api:8080, Deployment shop/api:9090 the port is PERMISSIVE (Istio default) in ambient (ztunnel)');
    expect(f[0].message).toContain('the DENY is silently bypassed');
  });
  it('Noncompliance 2: an ambient DISABLE is PERMISSIVE: DENY bypassed, but ALLOW still sees HBONE identities', () => {
    expect(findings('IMA009', [...mesh(AMBIENT_NS), pa('shop', 'default', DISABLE), deny], A)).toHaveLength(1);
    expect(findings('IMA009', [...mesh(AMBIENT_NS), pa('shop', 'default', DISABLE), allow()], A)).toEqual([]);
  });
  it('Noncompliance 3: a port the sidecar does not capture: ALLOW and DENY are not applied to it', () => {
    const server = mesh(INJECTED, { podAnnotations: EXCLUDE_8080 });
    const f = findings('IMA009', [...server, pa('shop', 'default', STRICT), allow()], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('on Deployment shop/api:8080 the sidecar does not capture the port');
    expect(f[0].message).toContain('the ALLOW is not applied to them');
    expect(findings('IMA009', [...server, pa('shop', 'default', STRICT), deny], A)).toHaveLength(1);
    // Limited to the captured STRICT port: fine.
    expect(findings('IMA009', [...server, pa('shop', 'default', STRICT), allow({ to: [{ operation: { ports: ['9090'] } }] })], A)).toEqual([]);
  });
  it('Noncompliance 4: an ambient pod with bypass-inbound-capture: plaintext never reaches ztunnel', () => {
    const f = findings('IMA009', [...mesh(AMBIENT_NS, { podAnnotations: BYPASS }), pa('shop', 'default', STRICT), deny], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('plaintext bypasses ztunnel');
  });
  it('Noncompliance 5: a workload with no proxy: nothing enforces the DENY', () => {
    const f = findings('IMA009', [...mesh({}), deny], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('no proxy receives its traffic');
  });
  it('trap: a DestinationRule DISABLE does not make mesh callers of an ambient pod send plaintext (ALLOW stays fine)', () => {
    const off = dr('shop', 'off', { host: 'api', ...tls('DISABLE') });
    expect(findings('IMA009', [...mesh(AMBIENT_NS), off, allow()], A)).toEqual([]);
    // The same with sidecars: the trap can fail.
    expect(findings('IMA009', [...mesh(INJECTED), off, allow()], A)).toHaveLength(1);
  });
  it('trap: an ALLOW rule ztunnel never receives (an HTTP attribute) is left to the ztunnel rules', () => {
    const server = mesh(AMBIENT_NS, { podAnnotations: BYPASS });
    expect(findings('IMA009', [...server, allow({ to: [{ operation: { methods: ['GET'] } }] })], A)).toEqual([]);
    expect(findings('IMA009', [...server, allow()], A)).toHaveLength(1);
  });
  it('trap: a workload whose data plane is only assumed (Namespace not in the input, assumed not injected)', () => {
    const input = [deploy('shop', 'api', { ports: [8080] }), deny];
    expect(findings('IMA009', input, { assumeInjectedWhenNamespaceUnknown: false })).toEqual([]);
    expect(findings('IMA009', [ns('shop', {}), ...input])).toHaveLength(1);
  });
  it('trap: workloads not in the input of a namespace labelled for ambient: a namespace DISABLE is PERMISSIVE to ztunnel', () => {
    const input = [ns('pay', AMBIENT_NS), pa('pay', 'default', DISABLE), ap('pay', 'allow', { rules: [{ from: [{ source: { principals: [P] } }] }] })];
    expect(findings('IMA009', input, A)).toEqual([]);
    expect(findings('IMA009', input)).toHaveLength(1);
  });
});

describe('IMA012 plaintext-client-to-strict, by data plane', () => {
  const job = (labels: Record<string, string>, podAnnotations?: Record<string, string>) =>
    deploy('shop', 'job', { labels: { app: 'job', ...labels }, ...(podAnnotations ? { podAnnotations } : {}) });
  const optOutAmbient = { 'istio.io/dataplane-mode': 'none' };
  it('Compliance: an ambient client beside ambient STRICT servers sends HBONE', () => {
    expect(findings('IMA012', [...mesh(AMBIENT_NS), pa('shop', 'default', STRICT), job({})], A)).toEqual([]);
  });
  it('Noncompliance 1: SEMANTICS §1 example 1, same namespace: a pod opted out of ambient calls an ambient STRICT server', () => {
    const f = findings('IMA012', [...mesh(AMBIENT_NS), pa('shop', 'default', STRICT), job(optOutAmbient)], A);
    expect(f).toHaveLength(1);
    expect(f[0].resource.name).toBe('job');
    expect(f[0].message).toContain('has no sidecar and is not in ambient');
    expect(f[0].message).toContain('Service api:80 → Deployment shop/api:8080 STRICT (PeerAuthentication shop/default) in ambient (ztunnel)');
  });
  it('Noncompliance 2: auto mTLS off toward a sidecar STRICT server, reported on the policy', () => {
    const f = findings('IMA012', [...mesh(INJECTED), pa('shop', 'default', STRICT)], { ...A, autoMtls: false });
    expect(f).toHaveLength(1);
    expect(f[0].resource.name).toBe('default');
  });
  it('trap: ambient clients are never reported here, even toward a sidecar without the tunnel label (ambient-to-sidecar rule)', () => {
    const input = [ns('shop', INJECTED), deploy('shop', 'api'), svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]),
      pa('shop', 'default', STRICT), job(AMBIENT_NS)];
    expect(findings('IMA012', input, { ...A, sidecarHbone: false })).toEqual([]);
  });
  it('trap: a client sidecar whose outbound capture skips the port is left to the outbound-bypass rule', () => {
    expect(findings('IMA012', [...mesh(INJECTED), pa('shop', 'default', STRICT), job({}, { 'traffic.sidecar.istio.io/excludeOutboundPorts': '80' })], A)).toEqual([]);
  });
  it('trap: servers that take plaintext: a port the sidecar does not capture, an ambient pod with bypass-inbound-capture', () => {
    const uncaptured = [ns('shop', INJECTED), deploy('shop', 'api', { podAnnotations: EXCLUDE_8080 }),
      svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]), pa('shop', 'default', STRICT), job({ 'sidecar.istio.io/inject': 'false' })];
    expect(findings('IMA012', uncaptured, A)).toEqual([]);
    expect(findings('IMA012', [...mesh(AMBIENT_NS, { podAnnotations: BYPASS }), pa('shop', 'default', STRICT), job(optOutAmbient)], A)).toEqual([]);
  });
  it('trap: auto mTLS off toward ambient STRICT servers: client sidecars send HBONE', () => {
    expect(findings('IMA012', [...mesh(AMBIENT_NS), pa('shop', 'default', STRICT)], { ...A, autoMtls: false })).toEqual([]);
    expect(findings('IMA012', [ns('pay', AMBIENT_NS), pa('pay', 'default', STRICT)], { ...A, autoMtls: false })).toEqual([]);
    expect(findings('IMA012', [ns('pay', INJECTED), pa('pay', 'default', STRICT)], { ...A, autoMtls: false })).toHaveLength(1);
  });
});

/**
 * istioctl's injection analyzer (IST0102 NamespaceNotInjected), ported from
 * istio/istio 1.30.3 pkg/config/analysis/analyzers/testdata/injection.yaml
 * (analyzers_test.go case "istioInjection": only Namespace bar). Our rule
 * needs a workload in the namespace, so each gets one Pod; run with ambient on.
 */
const UPSTREAM_INJECTION: { ns: string; labels: Record<string, string>; ist0102: boolean }[] = [
  { ns: 'default', labels: { 'istio-injection': 'enabled' }, ist0102: false },
  { ns: 'ambient', labels: { 'istio.io/dataplane-mode': 'ambient' }, ist0102: false },
  { ns: 'foo', labels: { 'istio-injection': 'disabled' }, ist0102: false },
  { ns: 'bar', labels: {}, ist0102: true },
  { ns: 'canary-test', labels: { 'istio.io/rev': 'canary' }, ist0102: false },
  { ns: 'pidgeon-test', labels: { 'istio.io/rev': 'pidgeon' }, ist0102: false },
  { ns: 'busted', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }, ist0102: false },
  { ns: 'multi-ns-1', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'test' }, ist0102: false },
  { ns: 'multi-ns-2', labels: { 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' }, ist0102: false },
  { ns: 'multi-ns-3', labels: { 'istio.io/rev': 'test', 'istio.io/dataplane-mode': 'ambient' }, ist0102: false },
  { ns: 'not-conflict-ns-1', labels: { 'istio-injection': 'disabled', 'istio.io/dataplane-mode': 'ambient' }, ist0102: false },
  { ns: 'not-conflict-ns-2', labels: { 'istio-injection': 'disabled', 'istio.io/rev': 'test' }, ist0102: false },
];

describe('IMA013 namespace-not-injected, by data plane', () => {
  it.each(UPSTREAM_INJECTION.map((r) => ({ ...r, source: 'istio/istio 1.30.3 analyzers/testdata/injection.yaml, case istioInjection' })))(
    'agrees with istioctl IST0102 on namespace $ns ($source)', ({ ns: name, labels, ist0102 }) => {
      const pod = deploy(name, 'app', { kind: 'Pod' });
      expect(findings('IMA013', [ns(name, labels), pod], A).map((f) => f.resource.name)).toEqual(ist0102 ? [name] : []);
    });
  it('Compliance: pods opting in to ambient in an unlabelled namespace', () => {
    expect(findings('IMA013', [ns('legacy', {}), deploy('legacy', 'db', { labels: { app: 'db', ...AMBIENT_NS } })], A)).toEqual([]);
  });
  it('Noncompliance 1: with ambient on, an unlabelled namespace names the ambient label too', () => {
    const f = findings('IMA013', [ns('legacy', {}), deploy('legacy', 'db')], A);
    expect(f).toHaveLength(1);
    expect(f[0].message).toBe('Namespace legacy has no istio-injection=enabled, istio.io/rev or istio.io/dataplane-mode=ambient label, '
      + 'so none of its 1 workload(s) (db) gets a proxy or mTLS');
  });
  it('Noncompliance 2: labelled for ambient while ambient is not installed (istioctl, unaware of the install, says nothing)', () => {
    const f = findings('IMA013', [ns('shop', AMBIENT_NS), deploy('shop', 'api')]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('is labelled istio.io/dataplane-mode=ambient, but ambient is not installed (mesh option ambient)');
  });
  it('trap: a namespace whose workloads are ambient is not "without a proxy"', () => {
    expect(findings('IMA013', [ns('shop', AMBIENT_NS), deploy('shop', 'api')], A)).toEqual([]);
  });
  it('trap: a namespace explicitly kept out of ambient (istio.io/dataplane-mode=none)', () => {
    expect(findings('IMA013', [ns('ops', { 'istio.io/dataplane-mode': 'none' }), deploy('ops', 'cron')], A)).toEqual([]);
  });
});
