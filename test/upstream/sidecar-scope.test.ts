/**
 * Upstream tables for the Sidecar resource's scope (SEMANTICS.md §6), from
 * istio/istio 1.30.3. Each row names its source file and case.
 *
 * Upstream cases not ported, and why:
 * | source | case | reason |
 * | --- | --- | --- |
 * | pilot/pkg/model/push_context_test.go TestSidecarScope | "gateway sidecar scope" | gateways (Router proxies) always get the default scope; we model sidecar proxies only |
 * | pilot/pkg/model/sidecar_test.go TestCreateSidecarScope | the port-merging, ServiceEntry-merging, alias and DestinationRule cases ("no-sidecar-config-merge-service-ports", "serviceentry not merge …", "sidecar-scope-with-*-workloadselector-dr", …) | they assert the merged Service objects and DestinationRules of the scope, not which hosts are imported |
 * | pilot/pkg/model/sidecar_test.go TestCreateSidecarScope | "virtual-service-pick-*", "virtual-service-prefer-*", "virtual-service-bad-host", "virtual-service-2-match-*" | they pick among Services of one hostname in several namespaces by creation time or alphabetically; we take the target Service as given |
 * | pilot/pkg/model/sidecar_test.go TestContainsEgressDependencies | "No Sidecar Other Namespace", "clusterScope resource" | they assert push dependencies on objects that do not exist, and AuthorizationPolicy scoping |
 * | pilot/pkg/model/sidecar_test.go TestRootNsSidecarDependencies, TestSidecarScopeAuthnPolicies, TestInboundConnectionPoolForPort, TestComputeWildcardHostVirtualServiceIndex | all | push dependencies, PeerAuthentication filtering, connection pools and pilot's internal index: not part of the scope we model |
 * | pilot/pkg/networking/core/listener_inbound.go (no unit table for Sidecar ingress tls) | — | §6 rule 4 is covered by our own rows below; the client outcome needs a cluster [U] |
 */
import { describe, expect, it } from 'vitest';
import { Manifest } from '../../src/model/manifest';
import { PeerAuthenticationMode } from '../../src/model/policies';
import { OutboundTrafficPolicyMode, parseSidecar, SidecarInfo } from '../../src/model/sidecars';
import { parseVirtualService } from '../../src/model/virtual-services';
import {
  hostImported, ImportTarget, ingressListenerFor, ingressTlsEffective, sidecarFor, unmatchedTraffic, UnmatchedTraffic, virtualServiceImported,
} from '../../src/resolution/sidecar-scope';

function sidecar(namespace: string, name: string, spec: Record<string, unknown>): SidecarInfo {
  return parseSidecar({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace }, spec }, namespace);
}

function vsManifest(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace }, spec };
}

const listener = (hosts: string[], port?: { number: number; protocol: string }): Record<string, unknown> => (port ? { port, hosts } : { hosts });

// ---------------------------------------------------------------------------
// Which Sidecar a workload gets.

const selectorSidecar = sidecar('default', 'foo', {
  workloadSelector: { labels: { app: 'foo' } }, egress: [listener(['default/*'])], outboundTrafficPolicy: {},
});
const rootSidecar = sidecar('istio-system', 'global', { egress: [listener(['default/*'])], outboundTrafficPolicy: {} });

interface SelectionRow {
  readonly source: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** `<config namespace>/<Sidecar name>`, as upstream's scopeToSidecar prints it. */
  readonly expected: string;
}

const SELECTION: SelectionRow[] = [
  { source: 'istio/istio 1.30.3 pilot/pkg/model/push_context_test.go TestSidecarScope "match local sidecar"', namespace: 'default', labels: { app: 'foo' }, expected: 'default/foo' },
  { source: 'istio/istio 1.30.3 pilot/pkg/model/push_context_test.go TestSidecarScope "no match local sidecar"', namespace: 'default', labels: { app: 'bar' }, expected: 'default/global' },
  { source: 'istio/istio 1.30.3 pilot/pkg/model/push_context_test.go TestSidecarScope "no sidecar"', namespace: 'nosidecar', labels: { app: 'bar' }, expected: 'nosidecar/global' },
];

describe('sidecarFor: upstream selection', () => {
  it.each(SELECTION)('$source', (row) => {
    const got = sidecarFor({ namespace: row.namespace, labels: row.labels }, [selectorSidecar, rootSidecar], 'istio-system');
    expect(`${got.configNamespace}/${got.sidecar?.name}`).toBe(row.expected);
    expect(got.competing).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Outbound traffic policy.

interface PolicyRow {
  readonly source: string;
  readonly mesh: OutboundTrafficPolicyMode;
  readonly sidecarPolicy: 'none' | 'no-policy' | OutboundTrafficPolicyMode;
  readonly expected: UnmatchedTraffic;
}

const T = 'istio/istio 1.30.3 pilot/pkg/model/sidecar_test.go TestSidecarOutboundTrafficPolicy';
const POLICY: PolicyRow[] = [
  { source: `${T} "default MeshConfig, no Sidecar"`, mesh: 'ALLOW_ANY', sidecarPolicy: 'none', expected: 'passthrough' },
  { source: `${T} "default MeshConfig, sidecar without OutboundTrafficPolicy"`, mesh: 'ALLOW_ANY', sidecarPolicy: 'no-policy', expected: 'passthrough' },
  { source: `${T} "default MeshConfig, Sidecar with registry only"`, mesh: 'ALLOW_ANY', sidecarPolicy: 'REGISTRY_ONLY', expected: 'blackhole' },
  { source: `${T} "default MeshConfig, Sidecar with allow any"`, mesh: 'ALLOW_ANY', sidecarPolicy: 'ALLOW_ANY', expected: 'passthrough' },
  { source: `${T} "MeshConfig registry only, no Sidecar"`, mesh: 'REGISTRY_ONLY', sidecarPolicy: 'none', expected: 'blackhole' },
  { source: `${T} "MeshConfig registry only, sidecar without OutboundTrafficPolicy"`, mesh: 'REGISTRY_ONLY', sidecarPolicy: 'no-policy', expected: 'blackhole' },
  { source: `${T} "MeshConfig registry only, Sidecar with registry only"`, mesh: 'REGISTRY_ONLY', sidecarPolicy: 'REGISTRY_ONLY', expected: 'blackhole' },
  { source: `${T} "MeshConfig registry only, Sidecar with allow any"`, mesh: 'REGISTRY_ONLY', sidecarPolicy: 'ALLOW_ANY', expected: 'passthrough' },
];

describe('unmatchedTraffic: upstream outbound traffic policy', () => {
  it.each(POLICY)('$source', (row) => {
    const sc = row.sidecarPolicy === 'none' ? null
      : sidecar('not-default', 'foo', row.sidecarPolicy === 'no-policy' ? {} : { outboundTrafficPolicy: { mode: row.sidecarPolicy } });
    expect(unmatchedTraffic(sc, row.mesh)).toBe(row.expected);
  });
});

// ---------------------------------------------------------------------------
// Which Services a Sidecar imports.

interface ImportRow {
  readonly source: string;
  /** Egress listeners of a Sidecar in `namespace`, or null for no Sidecar. */
  readonly egress: Record<string, unknown>[] | null;
  readonly sidecarNamespace?: string;
  /** The workload's namespace. */
  readonly configNamespace: string;
  readonly target: ImportTarget;
  readonly port?: number;
  readonly virtualServices?: Manifest[];
  readonly imported: boolean;
}

const C = 'istio/istio 1.30.3 pilot/pkg/model/sidecar_test.go TestCreateSidecarScope';
const W = 'istio/istio 1.30.3 pilot/pkg/model/sidecar_test.go TestIstioEgressListenerWrapper';
const D = 'istio/istio 1.30.3 pilot/pkg/model/sidecar_test.go TestContainsEgressDependencies';
const R = 'istio/istio 1.30.3 pilot/pkg/model/push_context_test.go TestRootSidecarScopePropagation';
const svc = (hostname: string, namespace: string, ports?: number[], alsoIn?: string[]): ImportTarget => (
  { hostname, namespace, ports, ...(alsoIn ? { alsoIn } : {}) }
);

// Upstream fixtures, as Sidecar egress listeners (sidecar_test.go configs3, 4, 9, 10, 11, 13, 14, 15, 16, 17, 24).
const configs3 = [listener(['foo/bar', '*/*'])];
const configs4 = [listener(['foo/*'], { number: 8000, protocol: 'HTTP' })];
const configs9 = [listener(['*/*'], { number: 7443, protocol: 'GRPC' }), listener(['ns2/*'], { number: 7442, protocol: 'HTTP' })];
const configs10 = [listener(['*/*'], { number: 7443, protocol: 'http_proxy' })];
const configs11 = [listener(['foo/virtualbar.foo'], { number: 7443, protocol: 'http_proxy' })];
const configs13 = [listener(['foo', 'foo/bar'], { number: 7443, protocol: 'http_proxy' })];
const configs14 = [...configs9, listener(['*/*'])];
const configs15 = [listener(['*/*'], { number: 7443, protocol: 'http' })];
const configs16 = [listener(['*/en.wikipedia.org'])];
const configs17 = [listener(['*/*.wikipedia.org'])];
const configs24 = [listener(['foo/virtualbar.foo'])];
// Upstream's fake config store resolves `virtualbar` in foo without a cluster domain: `virtualbar.foo`.
const virtualServices1 = [vsManifest('foo', 'virtualbar', {
  hosts: ['virtualbar.foo'],
  http: [{ mirror: { host: 'foo.svc.cluster.local' }, route: [{ destination: { host: 'baz.svc.cluster.local' } }] }],
})];
const virtualServices6 = [vsManifest('foo', 'virtualbar', {
  hosts: ['virtualbar.foo'],
  http: [
    { match: [{ sourceNamespace: 'mynamespace' }], route: [{ destination: { host: 'baz.svc.cluster.local' } }] },
    { match: [{ sourceNamespace: 'foo' }], route: [{ destination: { host: 'foo.svc.cluster.local' } }] },
    { route: [{ destination: { host: 'bar.svc.cluster.local' } }] },
  ],
})];
const M = 'mynamespace';

const IMPORTS: ImportRow[] = [
  { source: `${C} "no-sidecar-config-with-service"`, egress: null, configNamespace: M, target: svc('bar', ''), imported: true },
  { source: `${C} "sidecar-with-multiple-egress-noport-with-services" (bar)`, egress: configs3, configNamespace: M, target: svc('bar', ''), imported: true },
  { source: `${C} "sidecar-with-multiple-egress-noport-with-services" (barprime)`, egress: configs3, configNamespace: M, target: svc('barprime', ''), imported: true },
  { source: `${C} "sidecar-with-egress-port-match-with-services-with-and-without-port" (bar:8000)`, egress: configs4, configNamespace: M, target: svc('bar', 'foo', [8000]), imported: true },
  { source: `${C} "sidecar-with-egress-port-match-with-services-with-and-without-port" (barprime, no port)`, egress: configs4, configNamespace: M, target: svc('barprime', 'foo', []), imported: false },
  { source: `${C} "wild-card-egress-listener-match" (foo ns1:7443)`, egress: configs9, configNamespace: M, target: svc('foo.svc.cluster.local', 'ns1', [7443]), imported: true },
  { source: `${C} "wild-card-egress-listener-match" (baz ns3:7443)`, egress: configs9, configNamespace: M, target: svc('baz.svc.cluster.local', 'ns3', [7443]), imported: true },
  { source: `${C} "wild-card-egress-listener-match" (bar ns2:7442)`, egress: configs9, configNamespace: M, target: svc('bar.svc.cluster.local', 'ns2', [7442]), imported: true },
  { source: `${C} "wild-card-egress-listener-match" (barprime ns3:7442)`, egress: configs9, configNamespace: M, target: svc('barprime.svc.cluster.local', 'ns3', [7442]), imported: false },
  { source: `${C} "wild-card-egress-listener-match-and-all-hosts" (barprime ns3:7442)`, egress: configs14, configNamespace: M, target: svc('barprime.svc.cluster.local', 'ns3', [7442]), imported: true },
  { source: `${C} "wild-card-egress-listener-match-and-all-hosts" (random randomns:9999)`, egress: configs14, configNamespace: M, target: svc('random.svc.cluster.local', 'randomns', [9999]), imported: true },
  { source: `${C} "wild-card-egress-listener-match-with-two-ports" (bar ns2:7443,7442)`, egress: configs9, configNamespace: M, target: svc('bar.svc.cluster.local', 'ns2', [7443, 7442]), imported: true },
  { source: `${C} "wild-card-egress-listener-match-with-two-ports" (barprime ns3:7442)`, egress: configs9, configNamespace: M, target: svc('barprime.svc.cluster.local', 'ns3', [7442]), imported: false },
  { source: `${C} "http-proxy-protocol-matches-any-port" (bar foo:8000,7000)`, egress: configs10, configNamespace: M, target: svc('bar', 'foo', [8000, 7000]), imported: true },
  { source: `${C} "http-proxy-protocol-matches-any-port" (foo foo:8000,7000,9000)`, egress: configs10, configNamespace: M, target: svc('foo', 'foo', [8000, 7000, 9000]), imported: true },
  { source: `${C} "virtual-service" (baz, a route destination)`, egress: configs11, configNamespace: M, target: svc('baz.svc.cluster.local', 'ns3', [7443]), virtualServices: virtualServices1, imported: true },
  { source: `${C} "virtual-service" (foo, a mirror)`, egress: configs11, configNamespace: M, target: svc('foo.svc.cluster.local', 'ns1', [7443]), virtualServices: virtualServices1, imported: true },
  { source: `${C} "virtual-service" (bar, not routed to)`, egress: configs11, configNamespace: M, target: svc('bar.svc.cluster.local', 'ns2', [7443, 7442]), virtualServices: virtualServices1, imported: false },
  { source: `${C} "virtual-service-destinations-matching-ports" (foo ns1:7443)`, egress: configs15, configNamespace: M, target: svc('foo.svc.cluster.local', 'ns1', [7443]), virtualServices: virtualServices1, imported: true },
  { source: `${C} "virtual-service-destinations-matching-ports" (baz ns3:7442)`, egress: configs15, configNamespace: M, target: svc('baz.svc.cluster.local', 'ns3', [7442]), virtualServices: virtualServices1, imported: false },
  { source: `${C} "virtual-service-6-match-source-namespace" (baz: sourceNamespace mynamespace)`, egress: configs24, configNamespace: M, target: svc('baz.svc.cluster.local', 'ns1'), virtualServices: virtualServices6, imported: true },
  { source: `${C} "virtual-service-6-match-source-namespace" (foo: sourceNamespace foo)`, egress: configs24, configNamespace: M, target: svc('foo.svc.cluster.local', 'ns1'), virtualServices: virtualServices6, imported: false },
  { source: `${C} "virtual-service-6-match-source-namespace" (bar: no match)`, egress: configs24, configNamespace: M, target: svc('bar.svc.cluster.local', 'ns2'), virtualServices: virtualServices6, imported: true },
  { source: `${C} "sidecar-scope-with-illegal-host"`, egress: configs13, configNamespace: M, target: svc('bar', 'foo', [7443]), imported: true },
  { source: `${C} "sidecar-scope-with-specific-host" (en.wikipedia.org)`, egress: configs16, configNamespace: M, target: svc('en.wikipedia.org', 'ns1'), imported: true },
  { source: `${C} "sidecar-scope-with-specific-host" (*.wikipedia.org)`, egress: configs16, configNamespace: M, target: svc('*.wikipedia.org', 'ns1'), imported: false },
  { source: `${C} "sidecar-scope-with-wildcard-host" (en.wikipedia.org)`, egress: configs17, configNamespace: M, target: svc('en.wikipedia.org', 'ns1'), imported: true },
  { source: `${C} "sidecar-scope-with-wildcard-host" (*.wikipedia.org)`, egress: configs17, configNamespace: M, target: svc('*.wikipedia.org', 'ns1'), imported: true },
  // TestIstioEgressListenerWrapper: `host` and `alt` exist in namespaces a and b; the proxy is in `namespace`.
  { source: `${W} "*/* imports only those in a" (host in a)`, egress: [listener(['*/*'])], configNamespace: 'a', target: svc('host', 'a', undefined, ['b']), imported: true },
  { source: `${W} "*/* imports only those in a" (host in b)`, egress: [listener(['*/*'])], configNamespace: 'a', target: svc('host', 'b', undefined, ['a']), imported: false },
  { source: `${W} "*/* imports only those in a" (alt in b)`, egress: [listener(['*/*'])], configNamespace: 'a', target: svc('alt', 'b', undefined, ['a']), imported: false },
  { source: `${W} "a/* imports only those in a" (alt in a)`, egress: [listener(['a/*'])], configNamespace: 'a', target: svc('alt', 'a', undefined, ['b']), imported: true },
  { source: `${W} "a/* imports only those in a" (host in b)`, egress: [listener(['a/*'])], configNamespace: 'a', target: svc('host', 'b', undefined, ['a']), imported: false },
  { source: `${W} "b/*, b/* imports only those in b" (host in b)`, egress: [listener(['b/*', 'b/*'])], configNamespace: 'a', target: svc('host', 'b', undefined, ['a']), imported: true },
  { source: `${W} "b/*, b/* imports only those in b" (alt in a)`, egress: [listener(['b/*', 'b/*'])], configNamespace: 'a', target: svc('alt', 'a', undefined, ['b']), imported: false },
  { source: `${W} "*/alt imports alt in namespace a" (alt in a)`, egress: [listener(['*/alt'])], configNamespace: 'a', target: svc('alt', 'a', undefined, ['b']), imported: true },
  { source: `${W} "*/alt imports alt in namespace a" (alt in b)`, egress: [listener(['*/alt'])], configNamespace: 'a', target: svc('alt', 'b', undefined, ['a']), imported: false },
  { source: `${W} "*/alt imports alt in namespace a" (host in a)`, egress: [listener(['*/alt'])], configNamespace: 'a', target: svc('host', 'a', undefined, ['b']), imported: false },
  { source: `${W} "b/alt imports alt in a namespaces" (alt in b)`, egress: [listener(['b/alt'])], configNamespace: 'a', target: svc('alt', 'b', undefined, ['a']), imported: true },
  { source: `${W} "b/alt imports alt in a namespaces" (host in b)`, egress: [listener(['b/alt'])], configNamespace: 'a', target: svc('host', 'b', undefined, ['a']), imported: false },
  { source: `${W} "b/* imports doesn't import in namespace a with proxy in a"`, egress: [listener(['b/*'])], configNamespace: 'a', target: svc('host', 'a'), imported: false },
  { source: `${W} "multiple hosts selected same service"`, egress: [listener(['a/*', '*/*'])], configNamespace: 'a', target: svc('host', 'a'), imported: true },
  { source: `${W} "fall back to wildcard namespace" (host in a)`, egress: [listener(['*/host', 'a/alt'])], configNamespace: 'a', target: svc('host', 'a', undefined, ['b']), imported: true },
  { source: `${W} "fall back to wildcard namespace" (alt in a)`, egress: [listener(['*/host', 'a/alt'])], configNamespace: 'a', target: svc('alt', 'a', undefined, ['b']), imported: true },
  { source: `${W} "fall back to wildcard namespace" (host in b)`, egress: [listener(['*/host', 'a/alt'])], configNamespace: 'a', target: svc('host', 'b', undefined, ['a']), imported: false },
  { source: `${W} "fall back to wildcard namespace" (alt in b)`, egress: [listener(['*/host', 'a/alt'])], configNamespace: 'a', target: svc('alt', 'b', undefined, ['a']), imported: false },
  { source: `${W} "service is wildcard, but not listener's subset"`, egress: [listener(['b/wildcard.com'])], configNamespace: 'b', target: svc('*.test.wildcard.com', 'b'), imported: false },
  { source: `${W} "service is wildcard"`, egress: [listener(['b/*.wildcard.com'])], configNamespace: 'b', target: svc('*.test.wildcard.com', 'b'), imported: true },
  { source: `${D} "Just wildcard"`, egress: [listener(['*/*'])], sidecarNamespace: 'default', configNamespace: 'default', target: svc('svc1.com', 'ns'), imported: true },
  { source: `${D} "Namespace and wildcard"`, egress: [listener(['ns/*', '*/*'])], sidecarNamespace: 'default', configNamespace: 'default', target: svc('svc1.com', 'ns'), imported: true },
  { source: `${D} "Just Namespace"`, egress: [listener(['ns/*'])], sidecarNamespace: 'default', configNamespace: 'default', target: svc('svc1.com', 'ns'), imported: true },
  { source: `${D} "Wrong Namespace"`, egress: [listener(['ns/*'])], sidecarNamespace: 'default', configNamespace: 'default', target: svc('svc1.com', 'other-ns'), imported: false },
  { source: `${D} "No Sidecar"`, egress: null, configNamespace: 'default', target: svc('svc1.com', 'ns'), imported: true },
  // TestRootSidecarScopePropagation: root Sidecar `./*` + `istio-system/*`, asked for workloads of foo and default.
  { source: `${R} (ns foo: svc2 in foo)`, egress: [listener(['./*', 'istio-system/*'])], sidecarNamespace: 'istio-system', configNamespace: 'foo', target: svc('svc2', 'foo'), imported: true },
  { source: `${R} (ns foo: svc4 in istio-system)`, egress: [listener(['./*', 'istio-system/*'])], sidecarNamespace: 'istio-system', configNamespace: 'foo', target: svc('svc4', 'istio-system'), imported: true },
  { source: `${R} (ns foo: svc1 in default)`, egress: [listener(['./*', 'istio-system/*'])], sidecarNamespace: 'istio-system', configNamespace: 'foo', target: svc('svc1', 'default'), imported: false },
  { source: `${R} (ns default: svc1 in default)`, egress: [listener(['./*', 'istio-system/*'])], sidecarNamespace: 'istio-system', configNamespace: 'default', target: svc('svc1', 'default'), imported: true },
  { source: `${R} (ns default: svc3 in foo)`, egress: [listener(['./*', 'istio-system/*'])], sidecarNamespace: 'istio-system', configNamespace: 'default', target: svc('svc3', 'foo'), imported: false },
];

describe('hostImported: upstream scope tables', () => {
  it.each(IMPORTS)('$source', (row) => {
    const sc = row.egress === null ? null : sidecar(row.sidecarNamespace ?? 'not-default', 'foo', { egress: row.egress });
    const virtualServices = (row.virtualServices ?? []).map((m) => parseVirtualService(m, String(m.metadata?.namespace), 'cluster.local'));
    expect(hostImported(sc, row.target, row.port, { configNamespace: row.configNamespace, virtualServices })).toBe(row.imported);
  });
});

// ---------------------------------------------------------------------------
// Which VirtualServices a Sidecar imports.

interface VsImportRow {
  readonly source: string;
  readonly vs: Manifest;
  readonly imported: boolean;
}

// TestSelectVirtualService imports these Service hosts per namespace; as a Sidecar that is one `ns/host` entry each.
const selectHosts = [
  'default/bookinfo.com', 'default/private.com', 'not-default/test.com', 'not-default/test-private.com', 'not-default/test-private-2.com',
  'not-default/test-headless.com', 'some-other-ns/test-headless-someother.com', 'default/a.test1.wildcard.com', 'default/*.test2.wildcard.com',
];
const S = 'istio/istio 1.30.3 pilot/pkg/model/virtualservice_test.go TestSelectVirtualService';
const routeTo = (host: string, port?: number): Record<string, unknown>[] => (
  [{ route: [{ destination: { host, ...(port ? { port: { number: port } } : {}) }, weight: 100 }] }]
);
const VS_IMPORTS: VsImportRow[] = [
  { source: `${S} virtualService1 "acme2-v1"`, vs: vsManifest('not-default', 'acme2-v1', { hosts: ['test-private-2.com'], gateways: ['mesh'], http: routeTo('example.org', 61) }), imported: true },
  { source: `${S} virtualService2 "acme-v2"`, vs: vsManifest('not-default', 'acme-v2', { hosts: ['test-private-2.com'], gateways: ['mesh'], http: routeTo('test.org', 62) }), imported: true },
  { source: `${S} virtualService3 "acme-v3"`, vs: vsManifest('not-default', 'acme-v3', { hosts: ['test-private-3.com'], gateways: ['mesh'], http: routeTo('test.org', 63) }), imported: false },
  { source: `${S} virtualService4 "acme-v4"`, vs: vsManifest('not-default', 'acme-v4', { hosts: ['test-headless.com', 'example.com'], gateways: ['mesh'], http: routeTo('test.org', 64) }), imported: true },
  { source: `${S} virtualService5 "acme-v3" (test-svc.testns)`, vs: vsManifest('not-default', 'acme-v3', { hosts: ['test-svc.testns.svc.cluster.local'], gateways: ['mesh'], http: routeTo('test-svc.testn.svc.cluster.local') }), imported: false },
  { source: `${S} virtualService6 "acme-v3" (match-no-service)`, vs: vsManifest('not-default', 'acme-v3', { hosts: ['match-no-service'], gateways: ['mesh'], http: routeTo('non-exist-service') }), imported: false },
  { source: `${S} virtualService7 "acme2-v1" (some-other-ns)`, vs: vsManifest('some-other-ns', 'acme2-v1', { hosts: ['test-headless-someother.com'], gateways: ['mesh'], http: routeTo('test.org', 64) }), imported: true },
  { source: `${S} virtualService8 "vs-wildcard-v1"`, vs: vsManifest('default', 'vs-wildcard-v1', { hosts: ['*.test1.wildcard.com'], gateways: ['mesh'], http: routeTo('test.org', 64) }), imported: true },
  { source: `${S} virtualService9 "service-wildcard-v1"`, vs: vsManifest('default', 'service-wildcard-v1', { hosts: ['foo.test2.wildcard.com'], gateways: ['mesh'], http: routeTo('test.org', 64) }), imported: true },
];

const dependencyVs = vsManifest('ns', 'vs1', { hosts: ['svc1.com'] });
const VS_DEPENDENCIES: { source: string; egress: string[] | null; imported: boolean }[] = [
  { source: `${D} "Just wildcard" (vs1)`, egress: ['*/*'], imported: true },
  { source: `${D} "Namespace and wildcard" (vs1)`, egress: ['ns/*', '*/*'], imported: true },
  { source: `${D} "Just Namespace" (vs1)`, egress: ['ns/*'], imported: true },
  { source: `${D} "No Sidecar" (vs1)`, egress: null, imported: true },
];

describe('virtualServiceImported: upstream tables', () => {
  it.each(VS_IMPORTS)('$source', (row) => {
    const sc = sidecar('some-ns', 'scope', { egress: [listener(selectHosts)] });
    const vs = parseVirtualService(row.vs, String(row.vs.metadata?.namespace), 'cluster.local');
    expect(virtualServiceImported(sc, vs, 'some-ns')).toBe(row.imported);
  });

  it.each(VS_DEPENDENCIES)('$source', (row) => {
    const sc = row.egress ? sidecar('default', 'foo', { egress: [listener(row.egress)] }) : null;
    expect(virtualServiceImported(sc, parseVirtualService(dependencyVs, 'ns', 'cluster.local'), 'default')).toBe(row.imported);
  });

  it('does not import a VirtualService of another namespace through `ns/*` (TestContainsEgressDependencies "Wrong Namespace")', () => {
    const sc = sidecar('default', 'foo', { egress: [listener(['ns/*'])] });
    expect(virtualServiceImported(sc, parseVirtualService(vsManifest('other-ns', 'vs1', { hosts: ['svc1.com'] }), 'other-ns', 'cluster.local'), 'default')).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// Our own cases: the traps of SEMANTICS.md §6.

describe('sidecar scope: SEMANTICS.md §6 traps', () => {
  const sidecars = [
    sidecar('web', 'default', { egress: [listener(['./*', 'istio-system/*'])] }),
    sidecar('web', 'canary', { workloadSelector: { labels: { track: 'canary' } }, egress: [listener(['*/*'])] }),
  ];

  it('prefers a matching selector Sidecar over the namespace one, and that over the root one', () => {
    expect(sidecarFor({ namespace: 'web', labels: { track: 'canary' } }, sidecars, 'istio-system')).toMatchObject({ sidecar: { name: 'canary' }, step: 'workload-selector' });
    expect(sidecarFor({ namespace: 'web', labels: {} }, sidecars, 'istio-system')).toMatchObject({ sidecar: { name: 'default' }, step: 'namespace' });
    expect(sidecarFor({ namespace: 'other', labels: {} }, sidecars, 'istio-system')).toMatchObject({ sidecar: null, competing: [] });
  });

  it('treats an empty workloadSelector as a selector that matches every workload and wins', () => {
    const all = [...sidecars, sidecar('web', 'everyone', { workloadSelector: {}, egress: [listener(['*/*'])] })];
    expect(sidecarFor({ namespace: 'web', labels: { app: 'x' } }, all, 'istio-system').sidecar?.name).toBe('everyone');
  });

  it('reports two namespace-wide Sidecars (or two matching selectors) as competing', () => {
    const two = [...sidecars, sidecar('web', 'second', { egress: [listener(['*/*'])] })];
    const got = sidecarFor({ namespace: 'web', labels: {} }, two, 'istio-system');
    expect(got.sidecar?.name).toBe('default');
    expect(got.competing.map((s) => s.name)).toEqual(['second']);
  });

  it('ignores selector Sidecars of the root namespace for other namespaces', () => {
    const root = [sidecar('istio-system', 'sel', { workloadSelector: { labels: { app: 'a' } }, egress: [listener(['*/*'])] })];
    expect(sidecarFor({ namespace: 'web', labels: { app: 'a' } }, root, 'istio-system').sidecar).toBeNull();
  });

  it('example 1: `./*` + `istio-system/*` does not import pay.payments, so the call is passthrough plaintext', () => {
    const web = sidecarFor({ namespace: 'web', labels: {} }, sidecars, 'istio-system');
    expect(hostImported(web.sidecar, { hostname: 'pay.payments.svc.cluster.local', namespace: 'payments' }, 8080, { configNamespace: 'web' })).toBe(false);
    expect(hostImported(web.sidecar, { hostname: 'api.web.svc.cluster.local', namespace: 'web' }, 8080, { configNamespace: 'web' })).toBe(true);
    expect(unmatchedTraffic(web.sidecar)).toBe('passthrough');
  });

  it('example 2: REGISTRY_ONLY sends unmatched traffic to the BlackHoleCluster', () => {
    const sc = sidecar('web', 'default', { egress: [listener(['./*'])], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(unmatchedTraffic(sc, 'ALLOW_ANY')).toBe('blackhole');
  });

  it('reads `outboundTrafficPolicy: {}` as REGISTRY_ONLY (the enum zero value), not as unset', () => {
    expect(unmatchedTraffic(sidecar('web', 'default', { egress: [listener(['./*'])], outboundTrafficPolicy: {} }), 'ALLOW_ANY')).toBe('blackhole');
  });

  it('sends ALLOW_ANY traffic to the egress proxy when the Sidecar names one', () => {
    const sc = sidecar('web', 'default', { outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'egress.istio-system.svc.cluster.local', port: { number: 80 } } } });
    expect(unmatchedTraffic(sc)).toBe('egress-proxy');
  });

  it('imports nothing from `~/*`, and skips entries without exactly one slash', () => {
    const sc = sidecar('web', 'default', { egress: [listener(['~/*', 'pay.payments', 'a/b/c'])] });
    expect(sc.egress[0].invalidHosts).toEqual(['pay.payments', 'a/b/c']);
    expect(hostImported(sc, { hostname: 'pay.payments.svc.cluster.local', namespace: 'payments' }, 80)).toBe(false);
    expect(hostImported(sc, { hostname: 'api.web.svc.cluster.local', namespace: 'web' }, 80)).toBe(false);
  });

  it('lets a listener declared on a port decide alone for that port', () => {
    const sc = sidecar('web', 'default', { egress: [listener(['./*'], { number: 9080, protocol: 'HTTP' }), listener(['*/*'])] });
    const pay = { hostname: 'pay.payments.svc.cluster.local', namespace: 'payments', ports: [9080, 8080] };
    expect(hostImported(sc, pay, 9080, { configNamespace: 'web' })).toBe(false);
    expect(hostImported(sc, pay, 8080, { configNamespace: 'web' })).toBe(true);
    expect(hostImported(sc, pay, undefined, { configNamespace: 'web' })).toBe(true);
  });

  it('imports the hosts a local VirtualService routes to, even from a namespace the hosts do not name', () => {
    const sc = sidecar('web', 'default', { egress: [listener(['./*'])] });
    const vs = parseVirtualService(vsManifest('web', 'to-pay', { hosts: ['pay-alias'], http: routeTo('pay.payments.svc.cluster.local') }), 'web', 'cluster.local');
    expect(hostImported(sc, { hostname: 'pay.payments.svc.cluster.local', namespace: 'payments' }, 8080, { configNamespace: 'web', virtualServices: [vs] })).toBe(true);
  });

  interface IngressRow { readonly mode: PeerAuthenticationMode; readonly flag: boolean; readonly tls: boolean; readonly effective: boolean }
  const INGRESS: IngressRow[] = [
    { mode: 'STRICT', flag: true, tls: true, effective: false },
    { mode: 'PERMISSIVE', flag: true, tls: true, effective: false },
    { mode: 'DISABLE', flag: false, tls: true, effective: false },
    { mode: 'DISABLE', flag: true, tls: true, effective: true },
    { mode: 'DISABLE', flag: true, tls: false, effective: false },
  ];
  it.each(INGRESS)('ingress tls on a $mode port with ENABLE_TLS_ON_SIDECAR_INGRESS=$flag (tls: $tls) is effective: $effective', (row) => {
    const sc = sidecar('web', 'default', {
      ingress: [{ port: { number: 8443, protocol: 'HTTPS', name: 'https' }, defaultEndpoint: '127.0.0.1:8443', ...(row.tls ? { tls: { mode: 'SIMPLE' } } : {}) }],
    });
    const l = ingressListenerFor(sc, 8443);
    expect(l).toMatchObject({ port: 8443, protocol: 'HTTPS', hasTls: row.tls });
    expect(ingressTlsEffective(l!, row.mode, row.flag)).toBe(row.effective);
    expect(ingressListenerFor(sc, 9090)).toBeUndefined();
  });
});
