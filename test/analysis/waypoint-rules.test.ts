import { describe, expect, it } from 'vitest';
import { ap, deploy, DISABLE, findings, ns, pa, PERMISSIVE, sel, STRICT, svc } from './helpers';
import { Manifest } from '../../src/model/manifest';

/*
 * IMA020-IMA022: who enforces an AuthorizationPolicy once ambient and
 * waypoints are in the mesh (SEMANTICS.md §1 rules 8-9, examples 5-6).
 */

const AMBIENT = { ambient: true };
const ambientNs = (name: string, labels: Record<string, string> = {}) => ns(name, { 'istio.io/dataplane-mode': 'ambient', ...labels });
const plainNs = (name: string, labels: Record<string, string> = {}) => ns(name, labels);

function labelled(m: Manifest, labels: Record<string, string>): Manifest {
  return { ...m, metadata: { ...m.metadata, labels: { ...(m.metadata?.labels as Record<string, string> | undefined), ...labels } } };
}

function gateway(namespace: string, name: string, gatewayClassName = 'istio-waypoint', ready = true): Manifest {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace },
    spec: { gatewayClassName, listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    ...(ready ? { status: { addresses: [{ type: 'Hostname', value: `${name}.${namespace}.svc.cluster.local` }] } } : {}),
  };
}

function gatewayClass(name: string, controllerName: string): Manifest {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name }, spec: { controllerName } };
}

function serviceEntry(namespace: string, name: string, labels: Record<string, string> = {}): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace, labels }, spec: { hosts: [`${name}.example.com`] } };
}

const ref = (kind: string, name: string) => ({
  group: kind === 'Service' ? '' : kind === 'ServiceEntry' ? 'networking.istio.io' : 'gateway.networking.k8s.io', kind, name,
});

/** SEMANTICS §1 example 6: Service reviews with waypoint wp, an ALLOW policy from ns front attached to it. */
const reviewsSvc = svc('shop', 'reviews', { app: 'reviews' }, [{ port: 9080 }]);
const reviews = [ambientNs('shop'), deploy('shop', 'reviews', { ports: [9080] })];
const withWaypoint = [...reviews, labelled(reviewsSvc, { 'istio.io/use-waypoint': 'wp' }), gateway('shop', 'wp')];
const reviewsPolicy = ap('shop', 'reviews-from-front', { targetRefs: [ref('Service', 'reviews')], rules: [{ from: [{ source: { namespaces: ['front'] } }] }] });
const frontClient = [ambientNs('front'), deploy('front', 'web')];
const legacyClient = [ns('legacy'), deploy('legacy', 'client')];

/** SEMANTICS §1 example 5: ambient api, ALLOW GET by selector, no waypoint. */
const api = [ambientNs('shop'), deploy('shop', 'api'), svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }])];
const allowGet = ap('shop', 'api-get', { ...sel({ app: 'api' }), rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });

describe('IMA020 ambient-l7-policy-without-waypoint', () => {
  it('Compliance: an L4-only selector policy on an ambient workload', () => {
    const l4 = ap('shop', 'l4', { ...sel({ app: 'api' }), rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['8080'] } }] }] });
    expect(findings('IMA020', [...api, l4], AMBIENT)).toEqual([]);
  });
  it('Noncompliance 1: ALLOW on methods by selector denies every connection (SEMANTICS §1 example 5)', () => {
    const f = findings('IMA020', [...api, allowGet], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].path).toBe('/spec/rules/0/to/0/operation/methods');
    expect(f[0].message).toContain('ambient Deployment shop/api');
    expect(f[0].message).toContain('HTTP attributes (methods)');
    expect(f[0].message).toContain('every connection is denied');
    expect(f[0].message).toContain('no waypoint is in front');
    expect(f[0].fix).toContain('targetRefs');
  });
  it('Noncompliance 2: ALLOW with one L4 rule and one HTTP rule denies what only the HTTP rule allowed (warning)', () => {
    const mixed = ap('shop', 'mixed', { ...sel({ app: 'api' }), rules: [{ to: [{ operation: { ports: ['8080'] } }] }, { to: [{ operation: { paths: ['/health'] } }] }] });
    const f = findings('IMA020', [...api, mixed], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].path).toBe('/spec/rules/1/to/0/operation/paths');
    expect(f[0].message).toContain('leaves out rule 1');
  });
  it('Noncompliance 3: DENY whose entry mixes a port and a method is broadened to the whole port (warning)', () => {
    const deny = ap('shop', 'no-post', { ...sel({ app: 'api' }), action: 'DENY', rules: [{ to: [{ operation: { ports: ['8080'], methods: ['POST'] } }] }] });
    const f = findings('IMA020', [...api, deny], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('rule 0 loses its HTTP conditions');
  });
  it('Noncompliance 4: DENY on an HTTP-only entry never matches in ztunnel (warning; ambient testdata deny-groups "Only L7")', () => {
    const deny = ap('shop', 'no-admin', { ...sel({ app: 'api' }), action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] });
    const f = findings('IMA020', [...api, deny], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('never matches');
    expect(f[0].message).toContain('should deny are allowed');
  });
  it('Noncompliance 5: AUDIT and CUSTOM are not enforced at all on ambient workloads', () => {
    for (const action of ['AUDIT', 'CUSTOM']) {
      const f = findings('IMA020', [...api, ap('shop', 'a', { ...sel({ app: 'api' }), action, rules: [{ to: [{ operation: { ports: ['8080'] } }] }] })], AMBIENT);
      expect(f).toHaveLength(1);
      expect(f[0].severity).toBe('error');
      expect(f[0].path).toBe('/spec/action');
      expect(f[0].message).toContain(`does not support the ${action} action`);
    }
  });
  it('Noncompliance 6: namespace-wide and root-namespace ALLOW on a request header reach every ambient workload', () => {
    const header = { rules: [{ when: [{ key: 'request.headers[x-token]', values: ['ok'] }] }] };
    const f1 = findings('IMA020', [...api, deploy('shop', 'cart'), ap('shop', 'hdr', header)], AMBIENT);
    expect(f1).toHaveLength(1);
    expect(f1[0].message).toContain('Deployment shop/api, Deployment shop/cart');
    expect(f1[0].path).toBe('/spec/rules/0/when/0');
    expect(findings('IMA020', [...api, ap('istio-system', 'hdr', header)], AMBIENT)).toHaveLength(1);
  });
  it('Noncompliance 7: a waypoint in front does not help: it ignores selector policies, ztunnel still drops the rule', () => {
    const front = [...api.slice(0, 2), labelled(svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]), { 'istio.io/use-waypoint': 'wp' }), gateway('shop', 'wp')];
    const f = findings('IMA020', [...front, allowGet], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('waypoint shop/wp ignores selector and namespace policies');
  });

  // pilot/pkg/serviceregistry/ambient/authorization_test.go TestConvertAuthorizationPolicyStatus: istiod writes an
  // UnsupportedValue status exactly where IMA020 reports (applied to an ambient workload).
  const statusCases: { source: string; spec: Record<string, unknown>; fires: boolean; mentions?: string }[] = [
    { source: 'no status - targetRef is not for ztunnel', spec: { targetRef: { kind: 'Service', name: 'test-svc' }, rules: [] }, fires: false },
    {
      source: 'no status - policy is fine',
      spec: { ...sel({ app: 'api' }), rules: [{ from: [{ source: { principals: ['trust/ns/echo-1234/'] } }], to: [{ operation: { ports: ['http'] } }] }] },
      fires: false,
    },
    {
      source: 'unsupported AUDIT action',
      spec: { ...sel({ app: 'api' }), action: 'AUDIT', rules: [{ from: [{ source: { principals: ['trust/ns/echo-1234/'] } }], to: [{ operation: { ports: ['http'] } }] }] },
      fires: true,
      mentions: 'does not support the AUDIT action',
    },
    {
      source: 'unsupported CUSTOM action',
      spec: { ...sel({ app: 'api' }), action: 'CUSTOM', rules: [{ from: [{ source: { principals: ['trust/ns/echo-1234/'] } }], to: [{ operation: { ports: ['http'] } }] }] },
      fires: true,
      mentions: 'does not support the CUSTOM action',
    },
    {
      source: 'unsupported HTTP methods',
      spec: {
        ...sel({ app: 'api' }),
        rules: [{
          from: [{ source: { requestPrincipals: ['example.com/sub-1'] } }],
          to: [{ operation: { methods: ['GET'] } }],
          when: [{ key: 'request.auth.presenter', values: ['presenter.example.com'] }],
        }],
      },
      fires: true,
      mentions: 'HTTP attributes (methods, request.auth.presenter, requestPrincipals)',
    },
  ];
  for (const c of statusCases) {
    it(`upstream TestConvertAuthorizationPolicyStatus "${c.source}"`, () => {
      const f = findings('IMA020', [...api, ap('shop', 'p', c.spec)], AMBIENT);
      expect(f).toHaveLength(c.fires ? 1 : 0);
      if (c.mentions) expect(f[0].message).toContain(c.mentions);
    });
  }

  // pilot/pkg/serviceregistry/ambient/testdata/{allow,deny}-groups-in.yaml and their goldens (ambientindex_test.go
  // TestRBACConvert): the rules the goldens leave out, strip or turn into a never-matching `{}` are the ones IMA020 names.
  const groupRules = (withNotValues: boolean) => [
    { from: [{ source: { principals: ['from-mix-principal'], requestPrincipals: ['from-mix-requestPrincipals'], namespaces: ['from-mix-ns'] } }], to: [{ operation: { ports: ['80'] } }] },
    { from: [{ source: { principals: ['to-mix-principal'], namespaces: ['to-mix-ns'] } }], to: [{ operation: { ports: ['80'], methods: ['to-mix-method'] } }] },
    { from: [{ source: { principals: ['only-l4-principals'], namespaces: ['only-l4-ns'] } }], to: [{ operation: { ports: ['80'] } }] },
    { from: [{ source: { requestPrincipals: ['l7-principal'] } }], to: [{ operation: { paths: ['/l7-foo'], methods: ['l7-method'] } }] },
    { when: [{ key: 'source.namespace', values: ['when-l4-l7-ns'] }, { key: 'connection.sni', values: ['when-l4-l7-sni'] }] },
    { when: [{ key: 'source.namespace', values: ['when-l4-ns'] }, { key: 'source.ip', values: ['10.10.10.10'], ...(withNotValues ? { notValues: ['20.20.20.20'] } : {}) }] },
    { when: [{ key: 'connection.sni', values: ['when-l7-sni'] }, { key: 'request.headers[X-header]', values: ['when-l7-header'] }] },
  ];
  const groupCases = [
    // allow-groups.yaml keeps only the groups of rules 2 and 5.
    { source: 'testdata/allow-groups-in.yaml', spec: { rules: groupRules(false) }, expect: ['leaves out rules 0, 1, 3, 4, 6'] },
    // deny-groups.yaml: rules 0 and 1 keep their L4 part only; rules 3, 4 and 6 carry a `{}` match ztunnel never matches.
    {
      source: 'testdata/deny-groups-in.yaml',
      spec: { action: 'DENY', rules: groupRules(true) },
      expect: ['rules 0, 1 lose their HTTP conditions', 'rules 3, 4, 6 keep HTTP-only entries ztunnel never matches'],
    },
  ];
  for (const c of groupCases) {
    it(`upstream ${c.source}`, () => {
      const f = findings('IMA020', [...api, ap('shop', 'groups', c.spec)], AMBIENT);
      expect(f).toHaveLength(1);
      expect(f[0].severity).toBe('warning');
      for (const e of c.expect) expect(f[0].message).toContain(e);
    });
  }

  it('trap: the same HTTP policy on sidecar workloads (sidecars evaluate HTTP attributes)', () => {
    expect(findings('IMA020', [ns('shop'), deploy('shop', 'api'), allowGet], AMBIENT)).toEqual([]);
    expect(findings('IMA020', [...api, allowGet])).toEqual([]);
  });
  it('trap: a workload opted out of ambient with istio.io/dataplane-mode=none', () => {
    expect(findings('IMA020', [ambientNs('shop'), deploy('shop', 'api', { labels: { 'app': 'api', 'istio.io/dataplane-mode': 'none' } }), allowGet], AMBIENT)).toEqual([]);
  });
  it('trap: a targetRefs policy with HTTP rules is for the waypoint, not ztunnel', () => {
    const l7 = ap('shop', 'wp-get', { targetRefs: [ref('Service', 'reviews')], rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
    expect(findings('IMA020', [...withWaypoint, l7], AMBIENT)).toEqual([]);
  });
  it('trap: deny-all `spec: {}` and L4 when keys (source.namespace, destination.port) are enforced as written', () => {
    const l4When = ap('shop', 'w', { ...sel({ app: 'api' }), rules: [{ when: [{ key: 'source.namespace', values: ['shop'] }, { key: 'destination.port', values: ['8080'] }] }] });
    expect(findings('IMA020', [...api, ap('shop', 'deny-all', {}), l4When], AMBIENT)).toEqual([]);
  });
  it('trap: a dry-run policy only logs (and is not sent to ztunnel)', () => {
    const dry = { ...allowGet, metadata: { ...allowGet.metadata, annotations: { 'istio.io/dry-run': 'true' } } };
    expect(findings('IMA020', [...api, dry], AMBIENT)).toEqual([]);
  });
  it('trap: a policy whose workloads are not in the input', () => {
    expect(findings('IMA020', [ap('elsewhere', 'get', { ...sel({ app: 'api' }), rules: [{ to: [{ operation: { methods: ['GET'] } }] }] })], AMBIENT)).toEqual([]);
  });
});

describe('IMA021 policy-enforced-nowhere', () => {
  it('Compliance: a targetRefs policy on a Service bound to a waypoint (SEMANTICS §1 example 6)', () => {
    expect(findings('IMA021', [...withWaypoint, reviewsPolicy, ...frontClient], AMBIENT)).toEqual([]);
  });
  it('Noncompliance 1: the same policy without a waypoint is enforced nowhere (SEMANTICS §1 example 6, second half)', () => {
    const f = findings('IMA021', [...reviews, reviewsSvc, reviewsPolicy], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].path).toBe('/spec/targetRefs/0');
    expect(f[0].message).toContain('targets Service shop/reviews');
    expect(f[0].message).toContain('AncestorNotBound');
    expect(f[0].message).toContain('ztunnel and sidecars ignore targetRefs');
  });
  it('Noncompliance 2: a Service that opts out with istio.io/use-waypoint=none, or whose waypoint takes only workload traffic', () => {
    const f = findings('IMA021', [ambientNs('shop', { 'istio.io/use-waypoint': 'wp' }), gateway('shop', 'wp'), labelled(reviewsSvc, { 'istio.io/use-waypoint': 'none' }), reviewsPolicy], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Service shop/reviews has istio.io/use-waypoint=none');
    const workloadOnly = labelled(gateway('shop', 'wp'), { 'istio.io/waypoint-for': 'workload' });
    const g = findings('IMA021', [...reviews, labelled(reviewsSvc, { 'istio.io/use-waypoint': 'wp' }), workloadOnly, reviewsPolicy], AMBIENT);
    expect(g).toHaveLength(1);
    expect(g[0].message).toContain("is for 'workload' traffic, not service traffic");
  });
  it('Noncompliance 3: the legacy targetRef naming a Service missing from a namespace whose Services are in the input', () => {
    const f = findings('IMA021', [...withWaypoint, ap('shop', 'p', { targetRef: ref('Service', 'ratings') })], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/spec/targetRef');
    expect(f[0].message).toContain('TargetNotFound');
  });
  it('Noncompliance 4: a Service target in another namespace binds no waypoint', () => {
    const other = ap('front', 'p', { targetRefs: [{ ...ref('Service', 'reviews'), namespace: 'shop' }] });
    const f = findings('IMA021', [...withWaypoint, other], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain("outside the policy's namespace");
  });
  it('Noncompliance 5: a PeerAuthentication STRICT whose workloads all run without a proxy (issue #24)', () => {
    const f = findings('IMA021', [plainNs('batch'), deploy('batch', 'a'), deploy('batch', 'b'), pa('batch', 'default', STRICT)]);
    expect(f).toHaveLength(1);
    expect(f[0].resource.kind).toBe('PeerAuthentication');
    expect(f[0].path).toBe('/spec/mtls/mode');
    expect(f[0].message).toContain('Deployment batch/a, Deployment batch/b');
    expect(f[0].message).toContain('accept plaintext');
    const port = findings('IMA021', [plainNs('batch'), deploy('batch', 'a'), pa('batch', 'p', { ...sel({ app: 'a' }), portLevelMtls: { 8080: { mode: 'STRICT' } } })]);
    expect(port).toHaveLength(1);
    expect(port[0].path).toBe('/spec/portLevelMtls/8080/mode');
  });
  it('Noncompliance 6: an AuthorizationPolicy whose selected workloads have no proxy (issue #24)', () => {
    const deny = ap('batch', 'deny', { ...sel({ app: 'a' }), action: 'DENY', rules: [{ from: [{ source: { namespaces: ['evil'] } }] }] });
    const f = findings('IMA021', [plainNs('batch'), deploy('batch', 'a'), deny]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('the requests it denies are allowed');
    expect(f[0].path).toBe('/spec/selector');
  });

  // pilot/pkg/serviceregistry/ambient/authorization_test.go TestWaypointPolicyStatusCollection. Upstream ns1 carries
  // istio.io/use-waypoint=waypoint and holds the ready Gateway `waypoint` (class istio-waypoint here, which upstream's
  // simplified waypoint collection does not check); its fake client keeps every case's objects, so the world here is
  // the union of them all. IMA021 reports exactly the targets upstream marks Bound: false.
  const NS1 = 'ns1';
  const statusWorld: Manifest[] = [
    plainNs(NS1, { 'istio.io/use-waypoint': 'waypoint' }),
    gateway(NS1, 'waypoint'),
    ...['working-se', 'working-se-tr', 'multi-working-se-1', 'multi-working-se-2', 'multi-partial-bound-se-1'].map((n) => serviceEntry(NS1, n)),
    ...['no-waypoint-se', 'multi-partial-no-waypoint-se-1'].map((n) => serviceEntry(NS1, n, { 'istio.io/use-waypoint': 'none' })),
    svc(NS1, 'working-service', {}, [{ port: 80 }]),
    svc(NS1, 'working-service-tr', {}, [{ port: 80 }]),
    labelled(svc(NS1, 'no-waypoint-service', {}, [{ port: 80 }]), { 'istio.io/use-waypoint': 'none' }),
    gatewayClass('istio-waypoint', 'istio.io/mesh-controller'),
    gatewayClass('not-for-waypoint', 'random-controller'),
    gatewayClass('waypoint', 'istio.io/mesh-controller'),
  ];
  const refs = (...r: [string, string][]) => r.map(([k, n]) => ref(k, n));
  const policyCases: { source: string; namespace?: string; spec: Record<string, unknown>; unbound: number[] }[] = [
    { source: 'single-bind-success-serviceentry', spec: { targetRefs: refs(['ServiceEntry', 'working-se']) }, unbound: [] },
    { source: 'single-bind-success-serviceentry-targetRef', spec: { targetRef: ref('ServiceEntry', 'working-se-tr') }, unbound: [] },
    { source: 'single-bind-no-waypoint-serviceentry', spec: { targetRefs: refs(['ServiceEntry', 'no-waypoint-se']) }, unbound: [0] },
    { source: 'single-bind-missing-ref-serviceentry', spec: { targetRefs: refs(['ServiceEntry', 'missing-se']) }, unbound: [0] },
    { source: 'multi-bind-success-serviceentry', spec: { targetRefs: refs(['ServiceEntry', 'multi-working-se-1'], ['ServiceEntry', 'multi-working-se-2']) }, unbound: [] },
    {
      source: 'multi-partial-bind-serviceentry',
      spec: { targetRefs: refs(['ServiceEntry', 'multi-partial-no-waypoint-se-1'], ['ServiceEntry', 'multi-partial-bound-se-1'], ['ServiceEntry', 'multi-partial-missing-se-1']) },
      unbound: [0, 2],
    },
    { source: 'single-bind-success-service', spec: { targetRefs: refs(['Service', 'working-service']) }, unbound: [] },
    { source: 'single-bind-success-service-targetRef', spec: { targetRef: ref('Service', 'working-service-tr') }, unbound: [] },
    { source: 'single-bind-no-waypoint-service', spec: { targetRefs: refs(['Service', 'no-waypoint-service']) }, unbound: [0] },
    { source: 'single-bind-no-service', spec: { targetRefs: refs(['Service', 'no-service']) }, unbound: [0] },
    { source: 'single-bind-success-gateway', spec: { targetRefs: refs(['Gateway', 'waypoint']) }, unbound: [] },
    { source: 'single-bind-no-gateway', spec: { targetRefs: refs(['Gateway', 'not-a-waypoint']) }, unbound: [0] },
    {
      source: 'multi-bind-partial-all-resources',
      spec: {
        targetRefs: refs(['ServiceEntry', 'working-se'], ['ServiceEntry', 'no-waypoint-se'], ['ServiceEntry', 'missing-se'], ['Service', 'working-service'],
          ['Service', 'no-waypoint-service'], ['Service', 'no-service'], ['Gateway', 'waypoint'], ['Gateway', 'not-a-waypoint']),
      },
      unbound: [1, 2, 4, 5, 7],
    },
    { source: 'single-bind-gateway-class', namespace: 'istio-system', spec: { targetRefs: refs(['GatewayClass', 'istio-waypoint']) }, unbound: [] },
    { source: 'nonexistent-gateway-class', namespace: 'istio-system', spec: { targetRefs: refs(['GatewayClass', 'nonexistent-gateway-class']) }, unbound: [0] },
    { source: 'non-waypoint-gateway-class', namespace: 'istio-system', spec: { targetRefs: refs(['GatewayClass', 'not-for-waypoint']) }, unbound: [0] },
    { source: 'gateway-class-ap-not-in-root-ns', namespace: 'other-ns', spec: { targetRefs: refs(['GatewayClass', 'waypoint']) }, unbound: [0] },
  ];
  for (const c of policyCases) {
    it(`upstream TestWaypointPolicyStatusCollection "${c.source}"`, () => {
      const f = findings('IMA021', [...statusWorld, ap(c.namespace ?? NS1, 'pol', { rules: [], ...c.spec })], AMBIENT);
      const path = (i: number) => (c.spec.targetRef ? '/spec/targetRef' : `/spec/targetRefs/${i}`);
      expect(f.map((x) => x.path).sort()).toEqual(c.unbound.map(path).sort());
    });
  }
  it('upstream status reasons and messages appear in the findings', () => {
    const msg = (spec: Record<string, unknown>, namespace = NS1) => findings('IMA021', [...statusWorld, ap(namespace, 'pol', spec)], AMBIENT)[0].message;
    expect(msg({ targetRefs: refs(['ServiceEntry', 'no-waypoint-se']) })).toContain('AncestorNotBound, ServiceEntry ns1/no-waypoint-se is not bound to a waypoint');
    expect(msg({ targetRefs: refs(['GatewayClass', 'not-for-waypoint']) }, 'istio-system')).toContain('Invalid, GatewayClass must use controller name `istio.io/mesh-controller`');
    expect(msg({ targetRefs: refs(['GatewayClass', 'waypoint']) }, 'other-ns')).toContain('must be in the root namespace `istio-system`');
  });

  it('trap: a Service labelled with a waypoint Gateway that is not in the input may well be bound', () => {
    expect(findings('IMA021', [...reviews, labelled(reviewsSvc, { 'istio.io/use-waypoint': 'wp' }), reviewsPolicy], AMBIENT)).toEqual([]);
  });
  it('trap: a target whose namespace has no object of its kind in the input (partial input)', () => {
    expect(findings('IMA021', [ap('shop', 'p', { targetRefs: [ref('Service', 'reviews'), ref('ServiceEntry', 'ext'), ref('Gateway', 'wp')] })], AMBIENT)).toEqual([]);
  });
  it('trap: a Gateway target that is an ingress gateway is enforced by it', () => {
    expect(findings('IMA021', [gateway('shop', 'ingress', 'istio'), ap('shop', 'p', { targetRefs: [ref('Gateway', 'ingress')] })])).toEqual([]);
  });
  it('trap: PERMISSIVE and DISABLE ask nothing a proxy-less pod does not already do', () => {
    expect(findings('IMA021', [plainNs('batch'), deploy('batch', 'a'), pa('batch', 'default', PERMISSIVE), pa('batch', 'a', { ...sel({ app: 'a' }), ...DISABLE })])).toEqual([]);
  });
  it('trap: a namespace where some workloads have a proxy, and ambient workloads (ztunnel enforces)', () => {
    const mixed = [plainNs('batch'), deploy('batch', 'a'), deploy('batch', 'b', { labels: { 'app': 'b', 'sidecar.istio.io/inject': 'true' } }), pa('batch', 'default', STRICT)];
    expect(findings('IMA021', mixed)).toEqual([]);
    expect(findings('IMA021', [ambientNs('batch'), deploy('batch', 'a'), pa('batch', 'default', STRICT), ap('batch', 'deny', { action: 'DENY', rules: [{}] })], AMBIENT)).toEqual([]);
  });
  it('trap: an ALLOW-everything policy loses nothing without a proxy', () => {
    expect(findings('IMA021', [plainNs('batch'), deploy('batch', 'a'), ap('batch', 'all', { rules: [{}] })])).toEqual([]);
  });
  it('trap: policies in a namespace without workloads in the input, and mesh-wide policies', () => {
    expect(findings('IMA021', [plainNs('batch'), pa('batch', 'default', STRICT), ap('batch', 'deny', { action: 'DENY', rules: [{}] })])).toEqual([]);
    expect(findings('IMA021', [plainNs('batch'), deploy('batch', 'a'), pa('istio-system', 'default', STRICT), ap('istio-system', 'deny', { action: 'DENY', rules: [{}] })])).toEqual([]);
  });
  it('trap: a Namespace absent from the input is assumed injected (assumeInjectedWhenNamespaceUnknown)', () => {
    expect(findings('IMA021', [deploy('batch', 'a'), pa('batch', 'default', STRICT)])).toEqual([]);
  });
});

describe('IMA022 waypoint-bypassed', () => {
  it('Compliance: only ambient clients call the Service, through its waypoint', () => {
    expect(findings('IMA022', [...withWaypoint, reviewsPolicy, ...frontClient], AMBIENT)).toEqual([]);
  });
  it('Noncompliance 1: a sidecar client in ns legacy goes straight to the pods (SEMANTICS §1 example 6, first half)', () => {
    const f = findings('IMA022', [...withWaypoint, reviewsPolicy, ...frontClient, ...legacyClient], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].path).toBe('/spec/targetRefs/0');
    expect(f[0].message).toContain('enforced only by waypoint shop/wp for Service shop/reviews');
    expect(f[0].message).toContain('sidecar clients (Deployment legacy/client)');
    expect(f[0].message).not.toContain('front/web');
  });
  it('Noncompliance 2: clients without a proxy', () => {
    const f = findings('IMA022', [...withWaypoint, reviewsPolicy, plainNs('batch'), deploy('batch', 'job', { kind: 'CronJob' })], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('clients without a proxy (CronJob batch/job)');
  });
  it('Noncompliance 3: an ingress gateway without istio.io/ingress-use-waypoint=true on the Service or its namespace', () => {
    const ingress = [ns('istio-ingress'), deploy('istio-ingress', 'istio-ingressgateway', { labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } })];
    const f = findings('IMA022', [...withWaypoint, reviewsPolicy, ...ingress], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('ingress gateways without istio.io/ingress-use-waypoint=true (Deployment istio-ingress/istio-ingressgateway)');
    expect(f[0].fix).toContain('label Service shop/reviews istio.io/ingress-use-waypoint=true');
    const optedIn = [...reviews, labelled(reviewsSvc, { 'istio.io/use-waypoint': 'wp', 'istio.io/ingress-use-waypoint': 'True' }), gateway('shop', 'wp')];
    expect(findings('IMA022', [...optedIn, reviewsPolicy, ...ingress], AMBIENT)).toEqual([]);
    const nsOptIn = [ambientNs('shop', { 'istio.io/ingress-use-waypoint': 'true' }), ...reviews.slice(1), labelled(reviewsSvc, { 'istio.io/use-waypoint': 'wp' }), gateway('shop', 'wp')];
    expect(findings('IMA022', [...nsOptIn, reviewsPolicy, ...ingress], AMBIENT)).toEqual([]);
    // ParseBool: "yes" is not true, so ingress still bypasses.
    const yes = [...reviews, labelled(reviewsSvc, { 'istio.io/use-waypoint': 'wp', 'istio.io/ingress-use-waypoint': 'yes' }), gateway('shop', 'wp')];
    expect(findings('IMA022', [...yes, reviewsPolicy, ...ingress], AMBIENT)).toHaveLength(1);
  });
  it('Noncompliance 4: a Gateway API ingress Gateway whose pods istiod deploys', () => {
    const f = findings('IMA022', [...withWaypoint, reviewsPolicy, gateway('istio-ingress', 'public', 'istio')], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('(Gateway istio-ingress/public)');
  });
  it('Noncompliance 5: a policy on the waypoint Gateway itself covers every Service bound to it', () => {
    const gwPolicy = ap('shop', 'on-wp', { targetRefs: [ref('Gateway', 'wp')], action: 'DENY', rules: [{ from: [{ source: { namespaces: ['evil'] } }] }] });
    const f = findings('IMA022', [...withWaypoint, gwPolicy, ...legacyClient], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('(DENY) is enforced only by waypoint shop/wp for Service shop/reviews');
  });
  it('trap: the Service\'s own sidecar pods, waypoint pods and egress gateways are not callers', () => {
    const sidecarBackends = [ns('shop', { 'istio-injection': 'enabled', 'istio.io/use-waypoint': 'wp' }), deploy('shop', 'reviews', { ports: [9080] }), reviewsSvc, gateway('shop', 'wp')];
    const wpPods = deploy('shop', 'wp', { labels: { 'gateway.networking.k8s.io/gateway-name': 'wp' } });
    const egress = [ns('istio-egress'), deploy('istio-egress', 'egress', { labels: { istio: 'egressgateway' } })];
    expect(findings('IMA022', [...sidecarBackends, wpPods, ...egress, reviewsPolicy], AMBIENT)).toEqual([]);
  });
  it('trap: a policy with no waypoint bound is IMA021\'s, not a bypass', () => {
    expect(findings('IMA022', [...reviews, reviewsSvc, reviewsPolicy, ...legacyClient], AMBIENT)).toEqual([]);
  });
  it('trap: selector policies are enforced at the destination whatever the client', () => {
    const selector = ap('shop', 'sel', { ...sel({ app: 'reviews' }), rules: [{ from: [{ source: { namespaces: ['front'] } }] }] });
    expect(findings('IMA022', [...withWaypoint, selector, ...legacyClient], AMBIENT)).toEqual([]);
  });
});
