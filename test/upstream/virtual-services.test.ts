/**
 * Upstream tables for VirtualService visibility, selection and routes
 * (SEMANTICS.md §3 rules 1–4), from istio/istio 1.30.3. Each row names its
 * source file and case.
 *
 * Upstream cases not ported, and why:
 * | source | case | reason |
 * | --- | --- | --- |
 * | pilot/pkg/model/virtualservice_test.go TestMergeHttpRoutes, TestMergeHTTPMatchRequests, TestHasConflict, TestFuzz* | all | VirtualService delegation (`delegate`): we report delegated routes as sending nowhere and do not merge them |
 * | pilot/pkg/model/push_context_test.go TestInitVirtualService | all | delegate merging and per-gateway destination filtering (`FilterGatewayClusterConfig`): gateway-only features |
 * | pilot/pkg/networking/core/route/route_test.go TestBuildHTTPRoutes | timeouts, retries, hash policies, header operations, rewrites, redirects, direct responses, CORS, mirrors' percentages, inference pools | they assert Envoy route fields other than which routes a client gets and where they send it |
 * | pilot/pkg/networking/core/route/route_test.go TestBuildHTTPRoutes | "for virtualservices and services with overlapping wildcard hosts", "… with wildcard hosts outside of the serviceregistry (on port 80)" | they need the Service registry and pilot's wildcard index; our `virtualServicesForClient` rows below cover the most-specific-host rule |
 * | pilot/pkg/networking/core/route/route_test.go TestSortVHostRoutes, TestInboundHTTPRoute | all | route ordering inside Envoy and inbound routes |
 * | route.go GetDestinationCluster (the destination port rule) | — | upstream has no table for it (only through full Envoy configs); our own rows below cover destination port > the Service's only port > the port called |
 */
import { describe, expect, it } from 'vitest';
import { Manifest } from '../../src/model/manifest';
import { parseSidecar } from '../../src/model/sidecars';
import { parseVirtualService, qualifyVirtualServiceHost, resolveGatewayName, VirtualServiceInfo } from '../../src/model/virtual-services';
import { meshHostConflicts, routeDestinations, virtualServicesForClient, visibleVirtualServices } from '../../src/resolution/routes';

function vs(namespace: string, name: string, spec: Record<string, unknown>): VirtualServiceInfo {
  const m: Manifest = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace }, spec };
  return parseVirtualService(m, namespace, 'cluster.local');
}

const fullName = (v: VirtualServiceInfo): string => `${v.namespace}/${v.name}`;

// ---------------------------------------------------------------------------
// Gateway names.

const G = 'istio/istio 1.30.3 pilot/pkg/model/virtualservice_test.go TestResolveGatewayName (gatewayNameTests)';
const GATEWAY_NAMES: { source: string; gateway: string; namespace: string; resolved: string }[] = [
  { source: `${G} "./gateway-default"`, gateway: './gateway', namespace: 'default', resolved: 'default/gateway' },
  { source: `${G} "gateway-default"`, gateway: 'gateway', namespace: 'default', resolved: 'default/gateway' },
  { source: `${G} "default/gateway-foo"`, gateway: 'default/gateway', namespace: 'foo', resolved: 'default/gateway' },
  { source: `${G} "gateway.default-default"`, gateway: 'gateway.default', namespace: 'default', resolved: 'default/gateway' },
  { source: `${G} "gateway.default-foo"`, gateway: 'gateway.default', namespace: 'foo', resolved: 'default/gateway' },
  { source: `${G} "private.ingress.svc.cluster.local-foo"`, gateway: 'private.ingress.svc.cluster.local', namespace: 'foo', resolved: 'ingress/private' },
];

describe('resolveGatewayName: upstream table', () => {
  it.each(GATEWAY_NAMES)('$source', (row) => {
    expect(resolveGatewayName(row.gateway, row.namespace)).toBe(row.resolved);
  });
});

// ---------------------------------------------------------------------------
// Visibility by gateway and exportTo.

const exportToRules = [
  vs('test1', 'rule1', { hosts: ['rule1.com'], exportTo: ['.', 'ns1'] }),
  vs('test2', 'rule2', { hosts: ['rule2.com'], exportTo: ['test2', 'ns1', 'test1'] }),
  vs('test3', 'rule3', { gateways: ['mesh'], hosts: ['rule3.com'], exportTo: ['test1', 'test2', '*'] }),
  vs('test2', 'rule2Gw', { gateways: ['default/gateway', 'mesh'], hosts: ['rule2gw.com'], exportTo: ['test2', 'ns1', 'test1'] }),
  vs('test3', 'rule3Gw', { gateways: ['default/gateway'], hosts: ['rule3gw.com'], exportTo: ['test1', 'test2', '*'] }),
  vs('zzz', 'zzz', { hosts: ['rootNS.com'] }),
];
const E = 'istio/istio 1.30.3 pilot/pkg/model/push_context_test.go TestVirtualServiceWithExportTo';
const defaultExportRules = [
  vs('test1', 'mesh-rule1', { hosts: ['mesh-rule1.com'] }),
  vs('test2', 'mesh-rule2', { hosts: ['mesh-rule2.com'] }),
  vs('test1', 'gw-rule', { gateways: ['default/gateway'], hosts: ['gw-rule.com'] }),
];
const F = 'istio/istio 1.30.3 pilot/pkg/model/push_context_test.go TestVirtualServiceWithDefaultExportTo';

interface VisibilityRow {
  readonly source: string;
  readonly rules: readonly VirtualServiceInfo[];
  readonly defaultExportTo?: string[];
  readonly proxyNamespace: string;
  readonly gateway: string;
  readonly wantHosts: string[];
}

const VISIBILITY: VisibilityRow[] = [
  { source: `${E} "test1-mesh"`, rules: exportToRules, proxyNamespace: 'test1', gateway: 'mesh', wantHosts: ['rule1.com', 'rule2.com', 'rule2gw.com', 'rule3.com', 'rootNS.com'] },
  { source: `${E} "test2-mesh"`, rules: exportToRules, proxyNamespace: 'test2', gateway: 'mesh', wantHosts: ['rule2.com', 'rule2gw.com', 'rule3.com', 'rootNS.com'] },
  { source: `${E} "ns1-mesh"`, rules: exportToRules, proxyNamespace: 'ns1', gateway: 'mesh', wantHosts: ['rule1.com', 'rule2.com', 'rule2gw.com', 'rule3.com', 'rootNS.com'] },
  { source: `${E} "random-mesh"`, rules: exportToRules, proxyNamespace: 'random', gateway: 'mesh', wantHosts: ['rule3.com', 'rootNS.com'] },
  { source: `${E} "test1-default/gateway"`, rules: exportToRules, proxyNamespace: 'test1', gateway: 'default/gateway', wantHosts: ['rule2gw.com', 'rule3gw.com'] },
  { source: `${E} "test2-default/gateway"`, rules: exportToRules, proxyNamespace: 'test2', gateway: 'default/gateway', wantHosts: ['rule2gw.com', 'rule3gw.com'] },
  { source: `${E} "ns1-default/gateway"`, rules: exportToRules, proxyNamespace: 'ns1', gateway: 'default/gateway', wantHosts: ['rule2gw.com', 'rule3gw.com'] },
  { source: `${E} "random-default/gateway"`, rules: exportToRules, proxyNamespace: 'random', gateway: 'default/gateway', wantHosts: ['rule3gw.com'] },
  { source: `${F} "own namespace sees private default virtual service exactly once"`, rules: defaultExportRules, defaultExportTo: ['.', 'ns1'], proxyNamespace: 'test1', gateway: 'mesh', wantHosts: ['mesh-rule1.com'] },
  { source: `${F} "additional default namespace sees virtual services exported from all namespaces"`, rules: defaultExportRules, defaultExportTo: ['.', 'ns1'], proxyNamespace: 'ns1', gateway: 'mesh', wantHosts: ['mesh-rule1.com', 'mesh-rule2.com'] },
  { source: `${F} "unrelated namespace only sees its own private default virtual service"`, rules: defaultExportRules, defaultExportTo: ['.', 'ns1'], proxyNamespace: 'test2', gateway: 'mesh', wantHosts: ['mesh-rule2.com'] },
  { source: `${F} "unrelated namespace sees no default-private virtual services"`, rules: defaultExportRules, defaultExportTo: ['.', 'ns1'], proxyNamespace: 'random', gateway: 'mesh', wantHosts: [] },
  { source: `${F} "gateway-scoped virtual service visible to its own namespace exactly once"`, rules: defaultExportRules, defaultExportTo: ['.', 'ns1'], proxyNamespace: 'test1', gateway: 'default/gateway', wantHosts: ['gw-rule.com'] },
  { source: `${F} "gateway-scoped virtual service exported to additional default namespace"`, rules: defaultExportRules, defaultExportTo: ['.', 'ns1'], proxyNamespace: 'ns1', gateway: 'default/gateway', wantHosts: ['gw-rule.com'] },
  { source: `${F} "gateway-scoped virtual service not visible to unrelated namespace"`, rules: defaultExportRules, defaultExportTo: ['.', 'ns1'], proxyNamespace: 'random', gateway: 'default/gateway', wantHosts: [] },
];

describe('visibleVirtualServices: upstream tables', () => {
  it.each(VISIBILITY)('$source', (row) => {
    const got = visibleVirtualServices(row.rules, row.proxyNamespace, { gateway: row.gateway, defaultExportTo: row.defaultExportTo });
    expect(got.flatMap((v) => v.hosts)).toEqual(row.wantHosts);
  });
});

// ---------------------------------------------------------------------------
// IST0109: several mesh VirtualServices for one host.

const A = 'istio/istio 1.30.3 pkg/config/analysis/analyzers/analyzers_test.go';
const route = (host: string): Record<string, unknown>[] => [{ route: [{ destination: { host } }] }];
const conflictingHosts = [
  vs('foo', 'productpage', { hosts: ['productpage'], http: route('productpage') }),
  vs('foo', 'bogus-productpage', { hosts: ['productpage'], http: route('reviews') }),
  vs('foo', 'reviews', { hosts: ['reviews'], http: route('reviews') }),
  vs('bar', 'reviews', { hosts: ['reviews.foo.svc.cluster.local'], gateways: ['istio-ingressgateway'], http: route('reviews') }),
  vs('foo', 'ratings', { hosts: ['ratings'], gateways: ['mesh'], http: route('ratings') }),
  vs('bar', 'ratings', { hosts: ['ratings.foo.svc.cluster.local', 'google.com'], gateways: ['istio-ingressgateway', 'mesh'], http: route('ratings') }),
  vs('team1', 'ratings', { hosts: ['ratings'], gateways: ['mesh'], exportTo: ['.'], http: route('ratings') }),
  vs('team2', 'ratings', { hosts: ['ratings.team1.svc.cluster.local', 'google.com'], exportTo: ['.'], gateways: ['istio-ingressgateway', 'mesh'], http: route('ratings') }),
  vs('team3', 'ratings', { hosts: ['ratings'], gateways: ['mesh'], exportTo: ['*'], http: route('ratings') }),
  vs('team4', 'ratings', { hosts: ['ratings.team3.svc.cluster.local'], gateways: ['istio-ingressgateway', 'mesh'], http: route('ratings') }),
];
const conflictingWithExportTo = [
  vs('foo', 'productpage', { hosts: ['*.productpage'], http: route('productpage') }),
  vs('bar', 'productpage', { hosts: ['*.productpage'], http: route('productpage') }),
  vs('foo', 'productpage-b', { hosts: ['*.productpage.b'], exportTo: ['foo'], http: route('productpage') }),
  vs('bar', 'productpage-b', { hosts: ['*.productpage.b'], exportTo: ['.'], http: route('productpage') }),
  vs('foo', 'productpage-c', { hosts: ['*.productpage.c'], exportTo: ['foo'], http: route('productpage') }),
  vs('bar', 'productpage-c', { hosts: ['*.productpage.c'], exportTo: ['*'], http: route('productpage') }),
  vs('foo', 'productpage-d', { hosts: ['*.productpage.d'], exportTo: ['.'], http: route('productpage') }),
  vs('bar', 'productpage-d', { hosts: ['*.d'], exportTo: ['*'], http: route('productpage') }),
];
const C1 = `${A} "virtualServiceConflictingMeshGatewayHosts" (testdata/virtualservice_conflictingmeshgatewayhosts.yaml)`;
const C2 = `${A} "virtualServiceConflictingMeshGatewayHostsWithExportTo" (testdata/virtualservice_conflictingmeshgatewayhosts_with_exportto.yaml)`;
const CONFLICTS: { source: string; input: readonly VirtualServiceInfo[]; virtualService: string; reported: boolean }[] = [
  ...['team3/ratings', 'team4/ratings', 'foo/ratings', 'bar/ratings', 'foo/productpage', 'foo/bogus-productpage', 'team2/ratings']
    .map((v) => ({ source: `${C1} ${v}`, input: conflictingHosts, virtualService: v, reported: true })),
  ...['foo/reviews', 'bar/reviews', 'team1/ratings'].map((v) => ({ source: `${C1} ${v} (not expected)`, input: conflictingHosts, virtualService: v, reported: false })),
  ...['foo/productpage', 'bar/productpage', 'foo/productpage-c', 'bar/productpage-c', 'foo/productpage-d', 'bar/productpage-d']
    .map((v) => ({ source: `${C2} ${v}`, input: conflictingWithExportTo, virtualService: v, reported: true })),
  ...['foo/productpage-b', 'bar/productpage-b'].map((v) => ({ source: `${C2} ${v} (not expected)`, input: conflictingWithExportTo, virtualService: v, reported: false })),
];

describe('meshHostConflicts: upstream IST0109 tables', () => {
  it.each(CONFLICTS)('$source', (row) => {
    const reported = meshHostConflicts(row.input).map((c) => fullName(c.virtualService));
    expect(reported.includes(row.virtualService)).toBe(row.reported);
  });

  it('reports each VirtualService once, with everything it conflicts with', () => {
    const got = meshHostConflicts(conflictingHosts);
    expect(got.map((c) => fullName(c.virtualService)).sort()).toEqual(
      ['bar/ratings', 'foo/bogus-productpage', 'foo/productpage', 'foo/ratings', 'team2/ratings', 'team3/ratings', 'team4/ratings'],
    );
    const productpage = got.find((c) => fullName(c.virtualService) === 'foo/productpage');
    expect(productpage?.scopedHost).toBe('*/productpage.foo.svc.cluster.local');
    expect(productpage?.conflicting.map(fullName)).toEqual(['foo/productpage', 'foo/bogus-productpage']);
  });
});

// ---------------------------------------------------------------------------
// Which routes a client gets (route.go BuildHTTPRoutesForVirtualService / TranslateRoute).

const dest = (host: string, port?: number, extra: Record<string, unknown> = {}): Record<string, unknown> => (
  { destination: { host, ...(port ? { port: { number: port } } : {}) }, ...extra }
);
const acmeCatchAll = vs('default', 'acme', {
  hosts: [],
  gateways: ['some-gateway'],
  http: [{ name: 'route', match: [{ name: 'non-catch-all', uri: { prefix: '/route/v1' } }, { name: 'catch-all', uri: { prefix: '/' } }], route: [dest('*.example.org', 8484, { weight: 100 })] }],
});
const acmeCatchAllPort = vs('default', 'acme', {
  hosts: [],
  gateways: ['some-gateway'],
  http: [
    { name: 'route 1', match: [{ name: 'catch-all for 8080', port: 8080 }], route: [dest('example1.default.svc.cluster.local', 8484)] },
    { name: 'route 2', match: [{ name: 'header match', headers: { cookie: { exact: 'canary' } } }], route: [dest('example2.default.svc.cluster.local', 8484)] },
  ],
});
const acmeMultiPrefix = vs('default', 'acme', {
  hosts: [],
  gateways: ['some-gateway'],
  http: [{
    match: [{ name: 'catch-all', uri: { prefix: '/' }, sourceLabels: { matchingNoSrc: 'xxx' } }, { name: 'specific match', uri: { prefix: '/a' } }],
    route: [dest('*.example.org', 8484, { weight: 100 })],
  }],
});
const acmeWeightedTopLevel = vs('default', 'acme', {
  hosts: ['headers.test.istio.io'],
  gateways: ['some-gateway'],
  http: [
    { match: [{ name: 'headers-only', headers: { version: { exact: 'v2' } }, sourceLabels: { version: 'v1' } }], route: [{ destination: { host: 'c-weighted.extsvc.com', subset: 'v2' }, weight: 100 }] },
    { route: [{ destination: { host: 'c-weighted.extsvc.com', subset: 'v1' }, weight: 100 }] },
  ],
});
const acmePlain = vs('default', 'acme', { hosts: [], gateways: ['some-gateway'], http: [{ name: 'routeA', route: [dest('*.example.org', 8484, { weight: 100 })] }] });
const acmeSourceNamespace = vs('default', 'acme', {
  hosts: [],
  http: [
    { name: 'foo', match: [{ sourceNamespace: 'foo' }], route: [dest('foo.example.org', 8484, { weight: 100 })] },
    { name: 'bar', match: [{ sourceNamespace: 'bar' }], route: [dest('bar.example.org', 8484, { weight: 100 })] },
  ],
});

const B = 'istio/istio 1.30.3 pilot/pkg/networking/core/route/route_test.go TestBuildHTTPRoutes';
interface RouteRow {
  readonly source: string;
  readonly vs: VirtualServiceInfo;
  readonly clientNamespace: string;
  /** The matches that make routes, in order (`http[i]` or `http[i].match[j]`). */
  readonly matchPaths: string[];
  readonly hosts: string[];
}
const ROUTES: RouteRow[] = [
  { source: `${B} "for virtual service"`, vs: acmePlain, clientNamespace: 'default', matchPaths: ['http[0]'], hosts: ['*.example.org'] },
  { source: `${B} "for virtual service with catch all route"`, vs: acmeCatchAll, clientNamespace: 'default', matchPaths: ['http[0].match[0]', 'http[0].match[1]'], hosts: ['*.example.org', '*.example.org'] },
  { source: `${B} "for virtual service with catch all route：port match"`, vs: acmeCatchAllPort, clientNamespace: 'default', matchPaths: ['http[0].match[0]'], hosts: ['example1.default.svc.cluster.local'] },
  { source: `${B} "for virtual service with top level catch all route"`, vs: acmeWeightedTopLevel, clientNamespace: 'default', matchPaths: ['http[1]'], hosts: ['c-weighted.extsvc.com'] },
  { source: `${B} "for virtual service with multi prefix catch all route"`, vs: acmeMultiPrefix, clientNamespace: 'default', matchPaths: ['http[0].match[1]'], hosts: ['*.example.org'] },
  { source: `${B} "for virtual service with source namespace matching" (foo)`, vs: acmeSourceNamespace, clientNamespace: 'foo', matchPaths: ['http[0].match[0]'], hosts: ['foo.example.org'] },
  { source: `${B} "for virtual service with source namespace matching" (bar)`, vs: acmeSourceNamespace, clientNamespace: 'bar', matchPaths: ['http[1].match[0]'], hosts: ['bar.example.org'] },
];

describe('routeDestinations: upstream route selection', () => {
  it.each(ROUTES)('$source', (row) => {
    const got = routeDestinations(row.vs, { namespace: row.clientNamespace, labels: {} }, 'any', 8080, { gateway: 'some-gateway' });
    expect(got.map((d) => d.matchPath)).toEqual(row.matchPaths);
    expect(got.map((d) => d.host)).toEqual(row.hosts);
  });
});

// ---------------------------------------------------------------------------
// Our own cases: SEMANTICS.md §3 rules 2–4 and their traps.

const REVIEWS = 'reviews.bookinfo.svc.cluster.local';
const subsetRoute = (weights: [string, number][]): Record<string, unknown>[] => [{ route: weights.map(([subset, weight]) => ({ destination: { host: 'reviews', subset }, weight })) }];

describe('VirtualService parsing', () => {
  it('qualifies short hosts against the VirtualService namespace, and leaves `*`, IPs and dotted names alone', () => {
    expect(qualifyVirtualServiceHost('reviews', 'bookinfo', 'cluster.local')).toBe(REVIEWS);
    expect(qualifyVirtualServiceHost('*', 'bookinfo', 'cluster.local')).toBe('*');
    expect(qualifyVirtualServiceHost('10.0.0.1', 'bookinfo', 'cluster.local')).toBe('10.0.0.1');
    expect(qualifyVirtualServiceHost('::1', 'bookinfo', 'cluster.local')).toBe('::1');
    expect(qualifyVirtualServiceHost('reviews.other', 'bookinfo', 'cluster.local')).toBe('reviews.other');
  });

  it('reads hosts, gateways, matches, destinations and mirrors', () => {
    const v = vs('bookinfo', 'r', {
      hosts: ['reviews'],
      gateways: ['ingress', 'mesh'],
      exportTo: ['.'],
      http: [{
        match: [{ sourceLabels: { app: 'web' }, gateways: ['./gw'], port: 9080, sourceNamespace: 'web', uri: { prefix: '/' } }, { headers: { a: { exact: 'b' } } }],
        route: [{ destination: { host: 'reviews', subset: 'v2', port: { number: 9080 } }, weight: 30 }],
        mirror: { host: 'shadow' },
      }],
      tcp: [{ match: [{ destinationSubnets: ['10.0.0.0/8'] }], route: [{ destination: { host: 'db' } }] }],
    });
    expect(v).toMatchObject({ fqdns: [REVIEWS], gateways: ['bookinfo/ingress', 'mesh'], exportTo: ['.'] });
    expect(v.http[0].matches[0]).toMatchObject({ sourceLabels: { app: 'web' }, gateways: ['bookinfo/gw'], port: 9080, sourceNamespace: 'web', narrowsRequests: false });
    expect(v.http[0].matches[1].narrowsRequests).toBe(true);
    expect(v.http[0].destinations[0]).toMatchObject({ fqdn: REVIEWS, subset: 'v2', port: 9080, weight: 30, path: '/spec/http/0/route/0' });
    expect(v.http[0].mirrors[0]).toMatchObject({ fqdn: 'shadow.bookinfo.svc.cluster.local', path: '/spec/http/0/mirror' });
    expect(v.tcp[0].matches[0].narrowsRequests).toBe(true);
  });
});

describe('virtualServicesForClient: §3 rule 2 visibility and rule 3 ambiguity', () => {
  const web = { namespace: 'web', labels: { app: 'web' } };

  it('example 2: a VirtualService without gateways routes sidecar clients', () => {
    const r = vs('bookinfo', 'reviews', { hosts: ['reviews'], http: subsetRoute([['v1', 90], ['v2', 10]]) });
    expect(virtualServicesForClient([r], web, REVIEWS, 9080).chosen).toBe(r);
  });

  it('example 3: exportTo ["."] hides it from other namespaces', () => {
    const r = vs('bookinfo', 'reviews', { hosts: ['reviews'], exportTo: ['.'], http: subsetRoute([['v2', 100]]) });
    expect(virtualServicesForClient([r], web, REVIEWS, 9080).chosen).toBeNull();
    expect(virtualServicesForClient([r], { namespace: 'bookinfo', labels: {} }, REVIEWS, 9080).chosen).toBe(r);
  });

  it('example 5: gateways naming only an ingress gateway leave sidecars on the default route', () => {
    const r = vs('bookinfo', 'reviews', { hosts: ['reviews'], gateways: ['istio-system/ingress'], http: subsetRoute([['v2', 100]]) });
    expect(virtualServicesForClient([r], web, REVIEWS, 9080).chosen).toBeNull();
  });

  it('mesh defaultVirtualServiceExportTo ["."] hides VirtualServices without exportTo', () => {
    const r = vs('bookinfo', 'reviews', { hosts: ['reviews'], http: subsetRoute([['v2', 100]]) });
    expect(virtualServicesForClient([r], web, REVIEWS, 9080, { defaultExportTo: ['.'] }).chosen).toBeNull();
  });

  it('resolves a short host against the VirtualService namespace, not the client\'s', () => {
    const r = vs('web', 'reviews', { hosts: ['reviews'], http: subsetRoute([['v2', 100]]) });
    expect(virtualServicesForClient([r], web, REVIEWS, 9080).chosen).toBeNull();
    expect(virtualServicesForClient([r], web, 'reviews.web.svc.cluster.local', 9080).chosen).toBe(r);
  });

  it('reports two public VirtualServices for one host as competing (IST0109)', () => {
    const a = vs('bookinfo', 'a', { hosts: ['reviews'], http: subsetRoute([['v1', 100]]) });
    const b = vs('other', 'b', { hosts: [REVIEWS], http: subsetRoute([['v2', 100]]) });
    const got = virtualServicesForClient([a, b], web, REVIEWS, 9080);
    expect(got.chosen).toBe(a);
    expect(got.competing).toEqual([b]);
  });

  it('lets a VirtualService private to the client namespace win over a public one, without ambiguity', () => {
    const pub = vs('bookinfo', 'pub', { hosts: ['reviews'], http: subsetRoute([['v1', 100]]) });
    const own = vs('web', 'own', { hosts: [REVIEWS], exportTo: ['.'], http: subsetRoute([['v2', 100]]) });
    const got = virtualServicesForClient([pub, own], web, REVIEWS, 9080);
    expect(got).toMatchObject({ chosen: own, competing: [], shadowed: [pub] });
  });

  it('prefers an exact host over wildcards, and the longest wildcard over shorter ones', () => {
    const star = vs('bookinfo', 'star', { hosts: ['*.svc.cluster.local'], http: subsetRoute([['v1', 100]]) });
    const ns = vs('bookinfo', 'ns', { hosts: ['*.bookinfo.svc.cluster.local'], http: subsetRoute([['v1', 100]]) });
    const exact = vs('bookinfo', 'exact', { hosts: ['reviews'], http: subsetRoute([['v2', 100]]) });
    expect(virtualServicesForClient([star, ns], web, REVIEWS, 9080).chosen).toBe(ns);
    expect(virtualServicesForClient([star, ns, exact], web, REVIEWS, 9080)).toMatchObject({ chosen: exact, competing: [] });
  });

  it('falls back to the default route, not to a wildcard, when the exact VirtualService has no route for the port', () => {
    const exact = vs('bookinfo', 'exact', { hosts: ['reviews'], http: [{ match: [{ port: 9090 }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] });
    const star = vs('bookinfo', 'star', { hosts: ['*.bookinfo.svc.cluster.local'], http: subsetRoute([['v1', 100]]) });
    expect(virtualServicesForClient([exact, star], web, REVIEWS, 9080).chosen).toBeNull();
    expect(virtualServicesForClient([exact, star], web, REVIEWS, 9090).chosen).toBe(exact);
  });

  it('ignores VirtualServices the client Sidecar does not import', () => {
    const sc = parseSidecar({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default', namespace: 'web' }, spec: { egress: [{ hosts: ['./*'] }] } }, 'web');
    const r = vs('bookinfo', 'reviews', { hosts: ['reviews'], http: subsetRoute([['v2', 100]]) });
    expect(virtualServicesForClient([r], web, REVIEWS, 9080, { sidecar: sc }).chosen).toBeNull();
    expect(virtualServicesForClient([r], web, REVIEWS, 9080, { sidecar: null }).chosen).toBe(r);
  });
});

describe('routeDestinations: §3 rule 4 ports and weights', () => {
  const web = { namespace: 'web', labels: { app: 'web', version: 'v1' } };

  it('judges weighted destinations one by one, each with its weight and share', () => {
    const r = vs('bookinfo', 'reviews', { hosts: ['reviews'], http: subsetRoute([['v1', 90], ['v2', 10]]) });
    const got = routeDestinations(r, web, REVIEWS, 9080);
    expect(got.map((d) => [d.subset, d.weight, d.share])).toEqual([['v1', 90, 0.9], ['v2', 10, 0.1]]);
    expect(got[0]).toMatchObject({ host: REVIEWS, route: { kind: 'VirtualService', namespace: 'bookinfo', name: 'reviews' }, matchPath: 'http[0]' });
  });

  it('drops zero-weight destinations of a weighted route, and gives a lone destination all the traffic', () => {
    const r = vs('bookinfo', 'reviews', { hosts: ['reviews'], http: subsetRoute([['v1', 0], ['v2', 50], ['v3', 50]]) });
    expect(routeDestinations(r, web, REVIEWS, 9080).map((d) => d.subset)).toEqual(['v2', 'v3']);
    const lone = vs('bookinfo', 'lone', { hosts: ['reviews'], http: subsetRoute([['v2', 0]]) });
    expect(routeDestinations(lone, web, REVIEWS, 9080).map((d) => [d.weight, d.share])).toEqual([[100, 1]]);
  });

  it('takes the destination port, else the Service\'s only port, else the port called', () => {
    const r = vs('bookinfo', 'reviews', {
      hosts: ['reviews'],
      http: [{ route: [dest('reviews', 9999, { weight: 50 }), dest('ratings', undefined, { weight: 25 }), dest('details', undefined, { weight: 25 })] }],
    });
    const ports: Record<string, number[]> = { 'ratings.bookinfo.svc.cluster.local': [9080], 'details.bookinfo.svc.cluster.local': [9080, 9443] };
    const got = routeDestinations(r, web, REVIEWS, 8000, { servicePorts: (h) => ports[h] });
    expect(got.map((d) => [d.host, d.port])).toEqual([
      [REVIEWS, 9999], ['ratings.bookinfo.svc.cluster.local', 9080], ['details.bookinfo.svc.cluster.local', 8000],
    ]);
  });

  it('selects HTTP routes by sourceLabels and stops at the first match that catches all the client\'s traffic', () => {
    const r = vs('bookinfo', 'reviews', {
      hosts: ['reviews'],
      http: [
        { match: [{ sourceLabels: { version: 'v2' } }], route: [dest('reviews', undefined, { weight: 100 })] },
        { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
        { match: [{ sourceLabels: { app: 'web' } }], route: [{ destination: { host: 'reviews', subset: 'v3' } }] },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    });
    expect(routeDestinations(r, web, REVIEWS, 9080).map((d) => [d.matchPath, d.subset])).toEqual([['http[1].match[0]', 'v2'], ['http[2].match[0]', 'v3']]);
    // A hypothetical client (no labels known) never matches on sourceLabels.
    expect(routeDestinations(r, { namespace: 'web' }, REVIEWS, 9080).map((d) => d.subset)).toEqual(['v2', 'v1']);
  });

  it('lets HTTP match.gateways decide alone (sourceLabels ignored) but requires both for TCP', () => {
    const http = vs('bookinfo', 'h', { hosts: ['reviews'], http: [{ match: [{ gateways: ['mesh'], sourceLabels: { app: 'other' } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] });
    expect(routeDestinations(http, web, REVIEWS, 9080).map((d) => d.subset)).toEqual(['v2']);
    const tcp = vs('bookinfo', 't', { hosts: ['reviews'], tcp: [{ match: [{ gateways: ['mesh'], sourceLabels: { app: 'other' } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] });
    expect(routeDestinations(tcp, web, REVIEWS, 9080)).toEqual([]);
  });

  it('reads TCP routes: subnet matches do not end the search, a plain match does', () => {
    const tcp = vs('bookinfo', 'db', {
      hosts: ['db'],
      tcp: [
        { match: [{ destinationSubnets: ['10.0.0.0/8'] }], route: [{ destination: { host: 'db', subset: 'a' } }] },
        { match: [{ port: 5432 }], route: [{ destination: { host: 'db', subset: 'b' } }] },
        { route: [{ destination: { host: 'db', subset: 'c' } }] },
      ],
    });
    expect(routeDestinations(tcp, web, 'db.bookinfo.svc.cluster.local', 5432).map((d) => d.subset)).toEqual(['a', 'b']);
    expect(routeDestinations(tcp, web, 'db.bookinfo.svc.cluster.local', 3306).map((d) => d.subset)).toEqual(['a', 'c']);
    expect(routeDestinations(tcp, web, 'db.bookinfo.svc.cluster.local', 5432, { protocol: 'http' })).toEqual([]);
  });

  it('gives no destination for a redirect or a direct response, which still own the host', () => {
    const r = vs('bookinfo', 'moved', { hosts: ['reviews'], http: [{ redirect: { uri: '/v2' } }] });
    expect(routeDestinations(r, web, REVIEWS, 9080)).toEqual([]);
    expect(virtualServicesForClient([r], web, REVIEWS, 9080).chosen).toBe(r);
  });
});
