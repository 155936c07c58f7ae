/**
 * ServiceEntry and WorkloadEntry conversion, checked against istio/istio 1.30.3's own tests.
 *
 * Upstream cases not ported, and why:
 * | source | case | reason |
 * | --- | --- | --- |
 * | conversion_test.go TestConvertService | addresses, auto-allocated IPs (`tcpDNSAutoAssigned*`, `multiAddrInternal` VIPs) | VIPs and status addresses do not decide mTLS; only hosts, location, resolution and SANs are ported |
 * | conversion_test.go TestConvertService | canonical-service labels (`canonicalServiceForMeshExternal`) | an istiod feature flag adding telemetry labels to the Service, not to endpoints |
 * | conversion_test.go TestConvertWorkloadEntryToServiceInstances | "augment label": `topology.istio.io/cluster` | the label names istiod's cluster ID, which manifests do not carry; the row is kept without that one label |
 * | conversion_test.go TestConvertWorkloadEntryToWorkloadInstance | every row: `topology.istio.io/cluster` | as above; kept without that one label |
 * | conversion_test.go TestConvertWorkloadEntryToWorkloadInstance | "augment labels: networkID get from cb" | the network comes from istiod's meshNetworks callback at run time |
 * | conversion_test.go TestConvertServicesNamespaceTrafficDistribution | all | traffic distribution does not affect mTLS |
 * | controller_test.go TestServiceDiscoveryServiceUpdate etc. | push events, EDS event counts, merging of entries by host | xDS push machinery, not conversion |
 * | controller_test.go TestServiceDiscoveryServiceInstancesForDnsRoundRobinLB | all | dedup of DNS_ROUND_ROBIN endpoints across entries of one host: cluster building, not endpoint tlsMode |
 * | kube/controller/controller_test.go TestEndpoints_WorkloadInstances | `[2001:1::2]:8083` | a second (dual-stack) address of a WorkloadInstance; a WorkloadEntry has one `address` |
 * | kube/controller/controller_test.go TestWorkloadInstanceHandlerMultipleEndpoints | all | needs pods with IPs and EndpointSlices of a live controller |
 */
import { describe, expect, it } from 'vitest';
import { Labels } from '../../src/model/labels';
import { Manifest } from '../../src/model/manifest';
import {
  SelectablePod, ServiceEntryEndpoint, WorkloadEntryInfo, isDnsOnlyAddress, parseServiceEntry, parseWorkloadEntry,
  serviceEntryEndpoints, serviceWorkloadEntryEndpoints, spiffeIdentity, workloadEntriesOfService, workloadEntryEndpointLabels,
  workloadEntryPortForService, workloadEntryTlsMode,
} from '../../src/model/service-entries';

const CONVERSION_TEST = 'istio/istio 1.30.3 pilot/pkg/serviceregistry/serviceentry/conversion_test.go';
const CONTROLLER_TEST = 'istio/istio 1.30.3 pilot/pkg/serviceregistry/serviceentry/controller_test.go';
const KUBE_CONTROLLER_TEST = 'istio/istio 1.30.3 pilot/pkg/serviceregistry/kube/controller/controller_test.go';
const TLS = 'security.istio.io/tlsMode';
const TRUST_DOMAIN = 'cluster.local';
const CLUSTER_LABEL = 'topology.istio.io/cluster';

function serviceEntry(namespace: string, name: string, spec: Record<string, unknown>, labels?: Record<string, string>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec };
}

function workloadEntry(namespace: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name, namespace, ...metadata }, spec };
}

/** Rows as `[source, row]`: `%s` prints the whole source in the test name (`$source` is cut at 40 characters). */
const bySource = <T extends { source: string }>(rows: readonly T[]) => rows.map((row) => [row.source, row] as const);

const port = (number: number, name: string, protocol: string, targetPort?: number) =>
  ({ number, name, protocol, ...(targetPort ? { targetPort } : {}) });

// The upstream fixtures (conversion_test.go package vars), written as the manifests they stand for.
const fixtures = {
  httpNone: serviceEntry('httpNone', 'httpNone', {
    hosts: ['*.google.com'],
    ports: [port(80, 'http-number', 'http'), port(8080, 'http2-number', 'http2')],
    location: 'MESH_EXTERNAL',
    resolution: 'NONE',
  }),
  tcpNone: serviceEntry('tcpNone', 'tcpNone', {
    hosts: ['tcpnone.com'],
    addresses: ['172.217.0.0/16'],
    ports: [port(444, 'tcp-444', 'tcp')],
    location: 'MESH_EXTERNAL',
    resolution: 'NONE',
  }),
  httpStatic: serviceEntry('httpStatic', 'httpStatic', {
    hosts: ['*.google.com'],
    ports: [port(80, 'http-port', 'http'), port(8080, 'http-alt-port', 'http')],
    endpoints: [
      { address: '2.2.2.2', ports: { 'http-port': 7080, 'http-alt-port': 18080 }, labels: { [TLS]: 'istio' } },
      { address: '3.3.3.3', ports: { 'http-port': 1080 }, labels: { [TLS]: 'istio' } },
      { address: '4.4.4.4', ports: { 'http-port': 1080 }, labels: { foo: 'bar' } },
    ],
    location: 'MESH_EXTERNAL',
    resolution: 'STATIC',
  }),
  httpDNSnoEndpoints: serviceEntry('httpDNSnoEndpoints', 'httpDNSnoEndpoints', {
    hosts: ['google.com', 'www.wikipedia.org'],
    ports: [port(80, 'http-port', 'http'), port(8080, 'http-alt-port', 'http')],
    location: 'MESH_EXTERNAL',
    resolution: 'DNS',
    subjectAltNames: ['google.com'],
  }),
  httpDNSRRnoEndpoints: serviceEntry('httpDNSRRnoEndpoints', 'httpDNSRRnoEndpoints', {
    hosts: ['api.istio.io'],
    ports: [port(80, 'http-port', 'http'), port(8080, 'http-alt-port', 'http')],
    location: 'MESH_EXTERNAL',
    resolution: 'DNS_ROUND_ROBIN',
    subjectAltNames: ['api.istio.io'],
  }),
  dnsTargetPort: serviceEntry('dnsTargetPort', 'dnsTargetPort', {
    hosts: ['google.com'], ports: [port(80, 'http-port', 'http', 8080)], location: 'MESH_EXTERNAL', resolution: 'DNS',
  }),
  httpDNS: serviceEntry('httpDNS', 'httpDNS', {
    hosts: ['*.google.com'],
    ports: [port(80, 'http-port', 'http'), port(8080, 'http-alt-port', 'http')],
    endpoints: [
      { address: 'us.google.com', ports: { 'http-port': 7080, 'http-alt-port': 18080 }, labels: { [TLS]: 'istio' } },
      { address: 'uk.google.com', ports: { 'http-port': 1080 }, labels: { [TLS]: 'istio' } },
      { address: 'de.google.com', labels: { foo: 'bar', [TLS]: 'istio' } },
    ],
    location: 'MESH_EXTERNAL',
    resolution: 'DNS',
  }),
  tcpDNS: serviceEntry('tcpDNS', 'tcpDNS', {
    hosts: ['tcpdns.com'],
    ports: [port(444, 'tcp-444', 'tcp')],
    endpoints: [{ address: 'lon.google.com', labels: { [TLS]: 'istio' } }, { address: 'in.google.com', labels: { [TLS]: 'istio' } }],
    location: 'MESH_EXTERNAL',
    resolution: 'DNS',
  }),
  tcpDNSAutoAssignedSingleHost: serviceEntry('tcpDNSAutoAssignedSingleHost', 'tcpDNSAutoAssignedSingleHost', {
    hosts: ['singlehosttcpdns.com'], ports: [port(444, 'tcp-444', 'tcp')], location: 'MESH_EXTERNAL', resolution: 'DNS',
  }),
  tcpDNSAutoAssignedMultiHost: serviceEntry('tcpDNSAutoAssignedMultiHost', 'tcpDNSAutoAssignedMultiHost', {
    hosts: ['multihosttcpdns.com', 'secondhosttcpdns.com'], ports: [port(444, 'tcp-444', 'tcp')], location: 'MESH_EXTERNAL', resolution: 'DNS',
  }),
  tcpStatic: serviceEntry('tcpStatic', 'tcpStatic', {
    hosts: ['tcpstatic.com'],
    addresses: ['172.217.0.1'],
    ports: [port(444, 'tcp-444', 'tcp')],
    endpoints: [{ address: '1.1.1.1', labels: { [TLS]: 'istio' } }, { address: '2.2.2.2', labels: { [TLS]: 'istio' } }],
    location: 'MESH_EXTERNAL',
    resolution: 'STATIC',
  }),
  httpNoneInternal: serviceEntry('httpNoneInternal', 'httpNoneInternal', {
    hosts: ['*.google.com'],
    ports: [port(80, 'http-number', 'http'), port(8080, 'http2-number', 'http2')],
    location: 'MESH_INTERNAL',
    resolution: 'NONE',
  }),
  tcpNoneInternal: serviceEntry('tcpNoneInternal', 'tcpNoneInternal', {
    hosts: ['tcpinternal.com'],
    addresses: ['172.217.0.0/16'],
    ports: [port(444, 'tcp-444', 'tcp')],
    location: 'MESH_INTERNAL',
    resolution: 'NONE',
  }),
  multiAddrInternal: serviceEntry('multiAddrInternal', 'multiAddrInternal', {
    hosts: ['tcp1.com', 'tcp2.com'],
    addresses: ['1.1.1.0/16', '2.2.2.0/16'],
    ports: [port(444, 'tcp-444', 'tcp')],
    location: 'MESH_INTERNAL',
    resolution: 'NONE',
  }),
  udsLocal: serviceEntry('udsLocal', 'udsLocal', {
    hosts: ['uds.cluster.local'],
    ports: [port(6553, 'grpc-1', 'grpc')],
    endpoints: [{ address: 'unix:///test/sock', labels: { [TLS]: 'istio' } }],
    resolution: 'STATIC',
  }, { [TLS]: 'istio' }),
  selectorDNS: serviceEntry('selector', 'selector', {
    hosts: ['selector.com'],
    ports: [port(444, 'tcp-444', 'tcp'), port(445, 'http-445', 'http')],
    workloadSelector: { labels: { app: 'wle' } },
    resolution: 'DNS',
  }),
  selector: serviceEntry('selector', 'selector', {
    hosts: ['selector.com'],
    ports: [port(444, 'tcp-444', 'tcp'), port(445, 'http-445', 'http')],
    workloadSelector: { labels: { app: 'wle' } },
    resolution: 'STATIC',
  }),
  dnsSelector: serviceEntry('dns-selector', 'dns-selector', {
    hosts: ['dns.selector.com'],
    ports: [port(444, 'tcp-444', 'tcp'), port(445, 'http-445', 'http')],
    workloadSelector: { labels: { app: 'dns-wle' } },
    resolution: 'DNS',
  }, { [TLS]: 'istio' }),
  httpStaticOverlay: serviceEntry('httpStatic', 'httpStaticOverlay', {
    hosts: ['*.google.com'],
    ports: [port(4567, 'http-port', 'http')],
    endpoints: [{ address: '5.5.5.5', labels: { overlay: 'bar' } }],
    location: 'MESH_EXTERNAL',
    resolution: 'STATIC',
  }),
};

/** pilot's `model.Resolution` names in the upstream expectations, as ServiceEntry resolutions. */
const PILOT_RESOLUTION = { Passthrough: 'NONE', ClientSideLB: 'STATIC', DNSLB: 'DNS', DNSRoundRobinLB: 'DNS_ROUND_ROBIN' } as const;

interface ServiceRow {
  source: string;
  entry: Manifest;
  /** The hostnames of the Services `makeService` expects (one Service per host and address). */
  hostnames: string[];
  external: boolean;
  resolution: keyof typeof PILOT_RESOLUTION;
  ports: Record<string, number>;
  serviceAccounts: string[];
  labelSelectors?: Labels;
}

const svcRow = (name: keyof typeof fixtures, hostnames: string[], ports: Record<string, number>, external: boolean, resolution: ServiceRow['resolution'],
  serviceAccounts: string[] = [], labelSelectors?: Labels): ServiceRow =>
  ({ source: `${CONVERSION_TEST} TestConvertService "${name}"`, entry: fixtures[name], hostnames, external, resolution, ports, serviceAccounts, labelSelectors });

const convertServiceRows: ServiceRow[] = [
  svcRow('httpNone', ['*.google.com'], { 'http-number': 80, 'http2-number': 8080 }, true, 'Passthrough'),
  svcRow('tcpNone', ['tcpnone.com'], { 'tcp-444': 444 }, true, 'Passthrough'),
  svcRow('httpStatic', ['*.google.com'], { 'http-port': 80, 'http-alt-port': 8080 }, true, 'ClientSideLB'),
  svcRow('httpDNSnoEndpoints', ['google.com', 'www.wikipedia.org'], { 'http-port': 80, 'http-alt-port': 8080 }, true, 'DNSLB', ['google.com']),
  svcRow('httpDNS', ['*.google.com'], { 'http-port': 80, 'http-alt-port': 8080 }, true, 'DNSLB'),
  svcRow('dnsTargetPort', ['google.com'], { 'http-port': 80 }, true, 'DNSLB'),
  svcRow('tcpDNS', ['tcpdns.com'], { 'tcp-444': 444 }, true, 'DNSLB'),
  svcRow('tcpDNSAutoAssignedSingleHost', ['singlehosttcpdns.com'], { 'tcp-444': 444 }, true, 'DNSLB'),
  svcRow('tcpDNSAutoAssignedMultiHost', ['multihosttcpdns.com', 'secondhosttcpdns.com'], { 'tcp-444': 444 }, true, 'DNSLB'),
  svcRow('tcpStatic', ['tcpstatic.com'], { 'tcp-444': 444 }, true, 'ClientSideLB'),
  svcRow('httpNoneInternal', ['*.google.com'], { 'http-number': 80, 'http2-number': 8080 }, false, 'Passthrough'),
  svcRow('tcpNoneInternal', ['tcpinternal.com'], { 'tcp-444': 444 }, false, 'Passthrough'),
  svcRow('multiAddrInternal', ['tcp1.com', 'tcp1.com', 'tcp2.com', 'tcp2.com'], { 'tcp-444': 444 }, false, 'Passthrough'),
  svcRow('selector', ['selector.com'], { 'tcp-444': 444, 'http-445': 445 }, true, 'ClientSideLB', [], { app: 'wle' }),
];

const nsOf = (m: Manifest) => String(m.metadata?.namespace);

describe('parseServiceEntry: hosts, location, resolution, ports and SANs as pilot converts them', () => {
  it.each(bySource(convertServiceRows))('%s', (_source, row) => {
    const se = parseServiceEntry(row.entry, nsOf(row.entry));
    expect(se.hosts).toEqual([...new Set(row.hostnames)]);
    expect(se.location === 'MESH_EXTERNAL').toBe(row.external);
    expect(se.resolution).toBe(PILOT_RESOLUTION[row.resolution]);
    expect(Object.fromEntries(se.ports.map((p) => [p.name, p.number]))).toEqual(row.ports);
    expect(se.subjectAltNames).toEqual(row.serviceAccounts);
    expect(se.workloadSelector).toEqual(row.labelSelectors);
  });
});

/** The parts of a pilot `ServiceInstance` that decide mTLS, as upstream's `makeInstance` builds them. */
interface Instance {
  address: string;
  port?: number;
  servicePort: number;
  labels: Labels;
  tlsMode: string;
  identity?: string;
}

type MtlsMode = 'MTLS' | 'MTLSUnlabelled' | 'PlainText';

/**
 * Upstream's `makeInstance`: MTLS adds the tlsMode label; MTLS and MTLSUnlabelled give tlsMode `istio`.
 * Endpoint port 0 (a unix socket) is our `port: undefined`.
 */
function makeInstance(address: string, endpointPort: number, servicePort: number, labels: Labels | null, mode: MtlsMode): Instance {
  const all = mode === 'MTLS' ? { ...(labels ?? {}), [TLS]: 'istio' } : { ...(labels ?? {}) };
  return { address, ...(endpointPort !== 0 ? { port: endpointPort } : {}), servicePort, labels: all, tlsMode: mode === 'PlainText' ? 'disabled' : 'istio' };
}

/** Upstream's `makeInstanceWithServiceAccount`: MTLSUnlabelled plus the spiffe identity in the Service's namespace. */
function makeInstanceWithServiceAccount(
  namespace: string, address: string, endpointPort: number, servicePort: number, labels: Labels, sa: string,
): Instance {
  return { ...makeInstance(address, endpointPort, servicePort, labels, 'MTLSUnlabelled'), identity: spiffeIdentity(TRUST_DOMAIN, namespace, sa) };
}

function asInstance(e: ServiceEntryEndpoint): Instance {
  return {
    address: e.address,
    ...(e.port !== undefined ? { port: e.port } : {}),
    servicePort: e.servicePort,
    labels: { ...e.labels },
    tlsMode: e.tlsMode,
    ...(e.identity ? { identity: e.identity } : {}),
  };
}

const instanceKey = (i: Instance) => `${i.address}|${i.servicePort}|${i.port}|${JSON.stringify(Object.entries(i.labels).sort())}`;
const sorted = (list: Instance[]) => [...list].sort((a, b) => (instanceKey(a) < instanceKey(b) ? -1 : 1));

interface InstancesRow {
  source: string;
  entry: Manifest;
  workloadEntries?: Manifest[];
  want: Instance[];
}

const convertInstancesRows: InstancesRow[] = [
  { source: `${CONVERSION_TEST} TestConvertInstances "httpNone"`, entry: fixtures.httpNone, want: [] },
  { source: `${CONVERSION_TEST} TestConvertInstances "tcpNone"`, entry: fixtures.tcpNone, want: [] },
  {
    source: `${CONVERSION_TEST} TestConvertInstances "httpStatic"`,
    entry: fixtures.httpStatic,
    want: [
      makeInstance('2.2.2.2', 7080, 80, null, 'MTLS'), makeInstance('2.2.2.2', 18080, 8080, null, 'MTLS'),
      makeInstance('3.3.3.3', 1080, 80, null, 'MTLS'), makeInstance('3.3.3.3', 8080, 8080, null, 'MTLS'),
      makeInstance('4.4.4.4', 1080, 80, { foo: 'bar' }, 'PlainText'), makeInstance('4.4.4.4', 8080, 8080, { foo: 'bar' }, 'PlainText'),
    ],
  },
  {
    source: `${CONVERSION_TEST} TestConvertInstances "httpDNSnoEndpoints"`,
    entry: fixtures.httpDNSnoEndpoints,
    want: [
      makeInstance('google.com', 80, 80, null, 'PlainText'), makeInstance('google.com', 8080, 8080, null, 'PlainText'),
      makeInstance('www.wikipedia.org', 80, 80, null, 'PlainText'), makeInstance('www.wikipedia.org', 8080, 8080, null, 'PlainText'),
    ],
  },
  {
    source: `${CONVERSION_TEST} TestConvertInstances "httpDNSRRnoEndpoints"`,
    entry: fixtures.httpDNSRRnoEndpoints,
    want: [
      makeInstance('api.istio.io', 80, 80, null, 'PlainText'), makeInstance('api.istio.io', 8080, 8080, null, 'PlainText'),
    ],
  },
  { source: `${CONVERSION_TEST} TestConvertInstances "selectorDNS"`, entry: fixtures.selectorDNS, want: [] },
  {
    source: `${CONVERSION_TEST} TestConvertInstances "httpDNS"`,
    entry: fixtures.httpDNS,
    want: [
      makeInstance('us.google.com', 7080, 80, null, 'MTLS'), makeInstance('us.google.com', 18080, 8080, null, 'MTLS'),
      makeInstance('uk.google.com', 1080, 80, null, 'MTLS'), makeInstance('uk.google.com', 8080, 8080, null, 'MTLS'),
      makeInstance('de.google.com', 80, 80, { foo: 'bar' }, 'MTLS'), makeInstance('de.google.com', 8080, 8080, { foo: 'bar' }, 'MTLS'),
    ],
  },
  {
    source: `${CONVERSION_TEST} TestConvertInstances "dnsTargetPort"`,
    entry: fixtures.dnsTargetPort,
    want: [makeInstance('google.com', 8080, 80, null, 'PlainText')],
  },
  {
    source: `${CONVERSION_TEST} TestConvertInstances "tcpDNS"`,
    entry: fixtures.tcpDNS,
    want: [makeInstance('lon.google.com', 444, 444, null, 'MTLS'), makeInstance('in.google.com', 444, 444, null, 'MTLS')],
  },
  {
    source: `${CONVERSION_TEST} TestConvertInstances "tcpStatic"`,
    entry: fixtures.tcpStatic,
    want: [makeInstance('1.1.1.1', 444, 444, null, 'MTLS'), makeInstance('2.2.2.2', 444, 444, null, 'MTLS')],
  },
  {
    source: `${CONVERSION_TEST} TestConvertInstances "udsLocal"`,
    entry: fixtures.udsLocal,
    want: [makeInstance('/test/sock', 0, 6553, null, 'MTLS')],
  },
];

// TestConvertWorkloadEntryToServiceInstances converts a WorkloadEntry (no metadata labels) against `selector`.
const wleLabels = { app: 'wle' };
const convertWorkloadEntryToServiceInstancesRows: InstancesRow[] = [
  {
    source: `${CONVERSION_TEST} TestConvertWorkloadEntryToServiceInstances "simple"`,
    entry: fixtures.selector,
    workloadEntries: [workloadEntry('selector', 'wle', { address: '1.1.1.1', labels: wleLabels })],
    want: [makeInstance('1.1.1.1', 444, 444, wleLabels, 'PlainText'), makeInstance('1.1.1.1', 445, 445, wleLabels, 'PlainText')],
  },
  {
    source: `${CONVERSION_TEST} TestConvertWorkloadEntryToServiceInstances "mtls"`,
    entry: fixtures.selector,
    workloadEntries: [workloadEntry('selector', 'wle', { address: '1.1.1.1', labels: wleLabels, serviceAccount: 'default' })],
    want: [
      makeInstanceWithServiceAccount('selector', '1.1.1.1', 444, 444, wleLabels, 'default'),
      makeInstanceWithServiceAccount('selector', '1.1.1.1', 445, 445, wleLabels, 'default'),
    ],
  },
  {
    source: `${CONVERSION_TEST} TestConvertWorkloadEntryToServiceInstances "replace-port"`,
    entry: fixtures.selector,
    workloadEntries: [workloadEntry('selector', 'wle', { address: '1.1.1.1', labels: wleLabels, ports: { 'http-445': 8080 } })],
    want: [makeInstance('1.1.1.1', 444, 444, wleLabels, 'PlainText'), makeInstance('1.1.1.1', 8080, 445, wleLabels, 'PlainText')],
  },
  {
    // Upstream augments the expected labels with AugmentLabels(labels, "fakeCluster", locality, "", network); the cluster label is not modelled.
    source: `${CONVERSION_TEST} TestConvertWorkloadEntryToServiceInstances "augment label"`,
    entry: fixtures.selector,
    workloadEntries: [workloadEntry('selector', 'wle', {
      address: '1.1.1.1', labels: wleLabels, locality: 'region1/zone1/sunzone1', network: 'network1', serviceAccount: 'default',
    })],
    want: [444, 445].map((p) => makeInstanceWithServiceAccount('selector', '1.1.1.1', p, p, {
      ...wleLabels,
      'topology.kubernetes.io/region': 'region1',
      'topology.kubernetes.io/zone': 'zone1',
      'topology.istio.io/subzone': 'sunzone1',
      'topology.istio.io/network': 'network1',
      [CLUSTER_LABEL]: 'fakeCluster',
    }, 'default')),
  },
];

// controller_test.go TestServiceDiscoveryWorkloadUpdate: WorkloadEntries selected by `selector` / `dnsSelector`, one step each.
const wl = workloadEntry('selector', 'wl', { address: '2.2.2.2', labels: { app: 'wle' }, serviceAccount: 'default' });
const wl2 = workloadEntry('selector', 'wl2', { address: '3.3.3.3', labels: { app: 'wle' }, serviceAccount: 'default' });
const wl3 = workloadEntry('selector', 'wl3', { address: 'abc.def', labels: { app: 'wle' }, serviceAccount: 'default' });
const dnsWl = workloadEntry('dns-selector', 'dnswl', { address: '4.4.4.4', labels: { app: 'dns-wle' }, serviceAccount: 'default' });
const withSa = (namespace: string, address: string, app: string) => [444, 445].map((p) => makeInstanceWithServiceAccount(namespace, address, p, p, { app }, 'default'));

const workloadUpdateRows: InstancesRow[] = [
  { source: `${CONTROLLER_TEST} TestServiceDiscoveryWorkloadUpdate "service entry"`, entry: fixtures.selector, workloadEntries: [], want: [] },
  { source: `${CONTROLLER_TEST} TestServiceDiscoveryWorkloadUpdate "add workload"`, entry: fixtures.selector, workloadEntries: [wl], want: withSa('selector', '2.2.2.2', 'wle') },
  { source: `${CONTROLLER_TEST} TestServiceDiscoveryWorkloadUpdate "add dns service entry"`, entry: fixtures.dnsSelector, workloadEntries: [wl], want: [] },
  { source: `${CONTROLLER_TEST} TestServiceDiscoveryWorkloadUpdate "add dns workload"`, entry: fixtures.dnsSelector, workloadEntries: [wl, dnsWl], want: withSa('dns-selector', '4.4.4.4', 'dns-wle') },
  {
    source: `${CONTROLLER_TEST} TestServiceDiscoveryWorkloadUpdate "another workload"`,
    entry: fixtures.selector,
    workloadEntries: [wl, dnsWl, wl2],
    want: [...withSa('selector', '2.2.2.2', 'wle'), ...withSa('selector', '3.3.3.3', 'wle')],
  },
  {
    source: `${CONTROLLER_TEST} TestServiceDiscoveryWorkloadUpdate "ignore host workload"`,
    entry: fixtures.selector,
    workloadEntries: [wl, dnsWl, wl2, wl3],
    want: [...withSa('selector', '2.2.2.2', 'wle'), ...withSa('selector', '3.3.3.3', 'wle')],
  },
];

// controller_test.go TestServiceDiscoveryServiceUpdate: inline endpoints of `httpStaticOverlay` and its updates.
const overlaySpec = fixtures.httpStaticOverlay.spec as Record<string, unknown>;
const overlayUpdated = serviceEntry('httpStatic', 'httpStaticOverlay', {
  ...overlaySpec, endpoints: [...(overlaySpec.endpoints as unknown[]), { address: '6.6.6.6', labels: { other: 'bar' } }],
});
const overlayTargetPort = serviceEntry('httpStatic', 'httpStaticOverlay', {
  ...(overlayUpdated.spec as Record<string, unknown>), ports: [port(4567, 'http-port', 'http', 33333)],
});
const serviceUpdateRows: InstancesRow[] = [
  {
    source: `${CONTROLLER_TEST} TestServiceDiscoveryServiceUpdate "add entry" (httpStaticOverlay part)`,
    entry: fixtures.httpStaticOverlay,
    want: [makeInstance('5.5.5.5', 4567, 4567, { overlay: 'bar' }, 'PlainText')],
  },
  {
    source: `${CONTROLLER_TEST} TestServiceDiscoveryServiceUpdate "add endpoint" (httpStaticOverlay part)`,
    entry: overlayUpdated,
    want: [makeInstance('5.5.5.5', 4567, 4567, { overlay: 'bar' }, 'PlainText'), makeInstance('6.6.6.6', 4567, 4567, { other: 'bar' }, 'PlainText')],
  },
  {
    source: `${CONTROLLER_TEST} TestServiceDiscoveryServiceUpdate "change target port" (httpStaticOverlay part)`,
    entry: overlayTargetPort,
    want: [makeInstance('5.5.5.5', 33333, 4567, { overlay: 'bar' }, 'PlainText'), makeInstance('6.6.6.6', 33333, 4567, { other: 'bar' }, 'PlainText')],
  },
];

const withoutClusterLabel = (i: Instance): Instance => {
  const { [CLUSTER_LABEL]: _cluster, ...labels } = i.labels;
  return { ...i, labels };
};

describe('serviceEntryEndpoints: endpoint addresses, ports, labels, tlsMode and identities', () => {
  it.each(bySource([...convertInstancesRows, ...convertWorkloadEntryToServiceInstancesRows, ...workloadUpdateRows, ...serviceUpdateRows]))('%s', (_source, row) => {
    const se = parseServiceEntry(row.entry, nsOf(row.entry));
    const entries = (row.workloadEntries ?? []).map((m) => parseWorkloadEntry(m, nsOf(m)));
    const got = serviceEntryEndpoints(se, entries, [], TRUST_DOMAIN).map(asInstance);
    expect(sorted(got)).toEqual(sorted(row.want.map(withoutClusterLabel)));
  });
});

interface WorkloadInstanceRow {
  source: string;
  entry: Manifest;
  labels: Labels;
  address: string;
  identity?: string;
  tlsMode: string;
  dnsServiceEntryOnly: boolean;
}

const clusterID = 'fakeCluster';
const instanceRow = (name: string, spec: Record<string, unknown>, metadataLabels: Labels | undefined, want: Omit<WorkloadInstanceRow, 'source' | 'entry'>): WorkloadInstanceRow => ({
  source: `${CONVERSION_TEST} TestConvertWorkloadEntryToWorkloadInstance "${name}"`,
  entry: workloadEntry('ns1', '', spec, metadataLabels ? { labels: metadataLabels } : {}),
  ...want,
});
const scooby = spiffeIdentity(TRUST_DOMAIN, 'ns1', 'scooby');

const workloadInstanceRows: WorkloadInstanceRow[] = [
  instanceRow('simple', { address: '1.1.1.1', labels: { app: 'wle' }, ports: { http: 80 }, serviceAccount: 'scooby' }, undefined,
    { labels: { app: 'wle', [CLUSTER_LABEL]: clusterID }, address: '1.1.1.1', identity: scooby, tlsMode: 'istio', dnsServiceEntryOnly: false }),
  instanceRow('simple - tls mode disabled', { address: '1.1.1.1', labels: { [TLS]: 'disabled' }, ports: { http: 80 }, serviceAccount: 'scooby' }, undefined,
    { labels: { [TLS]: 'disabled', [CLUSTER_LABEL]: clusterID }, address: '1.1.1.1', identity: scooby, tlsMode: 'disabled', dnsServiceEntryOnly: false }),
  instanceRow('unix domain socket', { address: 'unix://foo/bar', serviceAccount: 'scooby' }, undefined,
    { labels: { [CLUSTER_LABEL]: clusterID }, address: 'unix://foo/bar', identity: scooby, tlsMode: 'istio', dnsServiceEntryOnly: true }),
  instanceRow('DNS address', { address: 'scooby.com', serviceAccount: 'scooby' }, undefined,
    { labels: { [CLUSTER_LABEL]: clusterID }, address: 'scooby.com', identity: scooby, tlsMode: 'istio', dnsServiceEntryOnly: true }),
  instanceRow('metadata labels only', { address: '1.1.1.1', ports: { http: 80 }, serviceAccount: 'scooby' }, { app: 'wle' },
    { labels: { app: 'wle', [CLUSTER_LABEL]: clusterID }, address: '1.1.1.1', identity: scooby, tlsMode: 'istio', dnsServiceEntryOnly: false }),
  instanceRow('labels merge', { address: '1.1.1.1', labels: { app: 'wle' }, ports: { http: 80 }, serviceAccount: 'scooby' }, { 'my-label': 'bar' },
    { labels: { 'my-label': 'bar', 'app': 'wle', [CLUSTER_LABEL]: clusterID }, address: '1.1.1.1', identity: scooby, tlsMode: 'istio', dnsServiceEntryOnly: false }),
  instanceRow('augment labels', {
    address: '1.1.1.1', labels: { app: 'wle' }, ports: { http: 80 }, locality: 'region1/zone1/subzone1', network: 'network1', serviceAccount: 'scooby',
  }, undefined, {
    labels: {
      'app': 'wle',
      'topology.kubernetes.io/region': 'region1',
      'topology.kubernetes.io/zone': 'zone1',
      'topology.istio.io/subzone': 'subzone1',
      'topology.istio.io/network': 'network1',
      [CLUSTER_LABEL]: clusterID,
    },
    address: '1.1.1.1',
    identity: scooby,
    tlsMode: 'istio',
    dnsServiceEntryOnly: false,
  }),
];

describe('WorkloadEntry conversion: label merge, tlsMode, identity, DNS-only addresses', () => {
  it.each(bySource(workloadInstanceRows))('%s', (_source, row) => {
    const we = parseWorkloadEntry(row.entry, 'ns1');
    const { [CLUSTER_LABEL]: _cluster, ...wantLabels } = row.labels;
    expect({ ...workloadEntryEndpointLabels(we) }).toEqual(wantLabels);
    expect(we.address).toBe(row.address);
    expect(we.serviceAccount ? spiffeIdentity(TRUST_DOMAIN, we.namespace, we.serviceAccount) : undefined).toBe(row.identity);
    expect(workloadEntryTlsMode(we)).toBe(row.tlsMode);
    expect(isDnsOnlyAddress(we.address)).toBe(row.dnsServiceEntryOnly);
  });
});

// kube/controller/controller_test.go TestEndpoints_WorkloadInstances: Service `ratings` port 8080 → targetPort "http", selector app=ratings.
const ratingsEntries = [
  workloadEntry('bookinfo-ratings', 'ratings-1', { address: '2.2.2.2', labels: { app: 'ratings' } }),
  workloadEntry('bookinfo-ratings', 'ratings-2', { address: '2.2.2.2', labels: { app: 'ratings' }, ports: { http: 8082 } }),
  workloadEntry('bookinfo-ratings', 'ratings-3', { address: '2.2.2.2', labels: { app: 'ratings' }, ports: { http: 8083 } }),
];
const endpointsWorkloadInstancesRows = [{
  source: `${KUBE_CONTROLLER_TEST} TestEndpoints_WorkloadInstances`,
  want: ['2.2.2.2:8082', '2.2.2.2:8083'],
}];

describe('Kubernetes Services select WorkloadEntries', () => {
  it.each(bySource(endpointsWorkloadInstancesRows))('%s', (_source, row) => {
    const entries = ratingsEntries.map((m) => parseWorkloadEntry(m, nsOf(m)));
    const service = { namespace: 'bookinfo-ratings', selector: { app: 'ratings' }, ports: [{ port: 8080, name: 'http-port', targetPort: 'http' }] };
    const got = serviceWorkloadEntryEndpoints(service, entries, TRUST_DOMAIN).map((e) => `${e.address}:${e.port}`).sort();
    expect(got).toEqual(row.want);
  });
});

// Our own cases: the traps of SEMANTICS.md §4.
const pod = (name: string, labels: Labels, extra: Partial<SelectablePod> = {}): SelectablePod => ({ namespace: 'vms', name, labels, serviceAccount: '', ...extra });
const vmEntry = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}, name = 'vm-1', namespace = 'vms'): WorkloadEntryInfo =>
  parseWorkloadEntry(workloadEntry(namespace, name, spec, metadata), namespace);

describe('ServiceEntry and WorkloadEntry traps (SEMANTICS §4)', () => {
  it('defaults location to MESH_EXTERNAL and says it was not written', () => {
    const se = parseServiceEntry(serviceEntry('vms', 'vm-api', { hosts: ['vm-api.corp'], workloadSelector: { labels: { app: 'vm-api' } } }), 'vms');
    expect(se).toMatchObject({ location: 'MESH_EXTERNAL', locationDefaulted: true, resolution: 'NONE' });
    const internal = parseServiceEntry(serviceEntry('vms', 'vm-api', { hosts: ['vm-api.corp'], location: 'MESH_INTERNAL' }), 'vms');
    expect(internal).toMatchObject({ location: 'MESH_INTERNAL', locationDefaulted: false });
  });

  it('gives a WorkloadEntry with a service account tlsMode istio and its spiffe identity (example 1/2)', () => {
    const se = parseServiceEntry(serviceEntry('vms', 'vm-api', {
      hosts: ['vm-api.corp'], ports: [port(8080, 'http', 'HTTP')], workloadSelector: { labels: { app: 'vm-api' } },
    }), 'vms');
    const [ep] = serviceEntryEndpoints(se, [vmEntry({ address: '10.1.2.3', serviceAccount: 'vm-api', labels: { app: 'vm-api' } })], [], 'corp.example');
    expect(ep).toMatchObject({ kind: 'workload-entry', address: '10.1.2.3', port: 8080, tlsMode: 'istio', serviceAccount: 'vm-api', identity: 'spiffe://corp.example/ns/vms/sa/vm-api', workloadEntry: { namespace: 'vms', name: 'vm-1' } });
  });

  it('lets metadata.labels win over spec.labels, tlsMode included (example 3)', () => {
    const we = vmEntry({ address: '10.1.2.3', serviceAccount: 'vm-api', labels: { app: 'vm-api', [TLS]: 'istio' } }, { labels: { [TLS]: 'disabled' } });
    expect(we.labels).toEqual({ app: 'vm-api', [TLS]: 'disabled' });
    expect(workloadEntryTlsMode(we)).toBe('disabled');
  });

  it('keeps a tlsMode label verbatim, even empty or mis-cased, over the service account', () => {
    expect(workloadEntryTlsMode(vmEntry({ serviceAccount: 'sa', labels: { [TLS]: '' } }))).toBe('');
    expect(workloadEntryTlsMode(vmEntry({ serviceAccount: 'sa', labels: { [TLS]: 'Istio' } }))).toBe('Istio');
    expect(workloadEntryTlsMode(vmEntry({ labels: { app: 'x' } }))).toBe('disabled');
  });

  it('gives a DNS entry without endpoints or selector one disabled hostname endpoint per host and port (example 5)', () => {
    const se = parseServiceEntry(serviceEntry('data', 'db', {
      hosts: ['DB.Internal'], location: 'MESH_INTERNAL', resolution: 'DNS', ports: [port(5432, 'tcp', 'TCP')],
    }), 'data');
    expect(se.hosts).toEqual(['db.internal']);
    expect(serviceEntryEndpoints(se, [], [], TRUST_DOMAIN)).toEqual([
      { kind: 'dns-host', labels: {}, tlsMode: 'disabled', host: 'db.internal', address: 'db.internal', servicePort: 5432, servicePortName: 'tcp', port: 5432 },
    ]);
    const staticEntry = parseServiceEntry(serviceEntry('data', 'db', { hosts: ['db.internal'], resolution: 'STATIC', ports: [port(5432, 'tcp', 'TCP')] }), 'data');
    expect(serviceEntryEndpoints(staticEntry, [], [], TRUST_DOMAIN)).toEqual([]);
  });

  it('selects pods of the namespace: tlsMode from the pod label, istio when injected without it, else disabled', () => {
    const se = parseServiceEntry(serviceEntry('vms', 'api', {
      hosts: ['api.corp'], ports: [port(80, 'http', 'HTTP')], workloadSelector: { labels: { app: 'api' } },
    }), 'vms');
    const pods = [
      pod('c-handset', { app: 'api', [TLS]: 'Istio' }),
      pod('b-injected', { app: 'api' }, { sidecarInjected: true, serviceAccount: 'api', ports: [{ port: 8080, name: 'http', protocol: 'TCP' }] }),
      pod('a-plain', { app: 'api' }),
      pod('other-ns', { app: 'api' }, { namespace: 'elsewhere' }),
      pod('other-app', { app: 'web' }),
    ];
    const got = serviceEntryEndpoints(se, [], pods, TRUST_DOMAIN).map((e) => [e.pod?.name, e.tlsMode, e.port, e.identity]);
    expect(got).toEqual([
      ['a-plain', 'disabled', 80, 'spiffe://cluster.local/ns/vms/sa/default'],
      ['b-injected', 'istio', 8080, 'spiffe://cluster.local/ns/vms/sa/api'],
      ['c-handset', 'Istio', 80, 'spiffe://cluster.local/ns/vms/sa/default'],
    ]);
  });

  it('uses the selector, not endpoints[], when both are written; an empty selector selects the whole namespace', () => {
    const both = parseServiceEntry(serviceEntry('vms', 'x', {
      hosts: ['x.corp'], ports: [port(80, 'http', 'HTTP')], workloadSelector: {}, endpoints: [{ address: '9.9.9.9' }],
    }), 'vms');
    expect(both.workloadSelector).toEqual({});
    const got = serviceEntryEndpoints(both, [vmEntry({ address: '10.0.0.1' }), vmEntry({ address: '10.0.0.2' }, {}, 'vm-2', 'other')], [], TRUST_DOMAIN);
    expect(got.map((e) => e.address)).toEqual(['10.0.0.1']);
  });

  it('names inline endpoints by index and gives them identities in the entry namespace', () => {
    const se = parseServiceEntry(serviceEntry('ext', 'x', {
      hosts: ['x.corp'], ports: [port(443, 'tls', 'TLS')], resolution: 'STATIC', endpoints: [{ address: '9.9.9.9', serviceAccount: 'x' }],
    }), 'ext');
    expect(serviceEntryEndpoints(se, [], [], TRUST_DOMAIN)[0]).toMatchObject({ kind: 'inline', endpointIndex: 0, tlsMode: 'istio', identity: 'spiffe://cluster.local/ns/ext/sa/x' });
  });

  it('leaves out health-checked WorkloadEntries until they report Healthy', () => {
    const annotations = { 'proxy.istio.io/health-checks-enabled': 'true' };
    expect(vmEntry({ address: '10.0.0.1' }, { annotations }).healthy).toBe(false);
    const healthy = { ...workloadEntry('vms', 'vm-1', { address: '10.0.0.1', labels: { app: 'a' } }, { annotations }), status: { conditions: [{ type: 'Healthy', status: 'True' }] } };
    expect(parseWorkloadEntry(healthy, 'vms').healthy).toBe(true);
    const unhealthy = vmEntry({ address: '10.0.0.2', labels: { app: 'a' } }, { annotations }, 'vm-2');
    expect(workloadEntriesOfService({ app: 'a' }, 'vms', [parseWorkloadEntry(healthy, 'vms'), unhealthy]).map((w) => w.name)).toEqual(['vm-1']);
  });

  it('lets Kubernetes Services select WorkloadEntries by merged labels in their namespace, but not host-name ones, not for headless or selector-less Services', () => {
    const entries = [
      vmEntry({ address: '10.0.0.1' }, { labels: { app: 'api' } }, 'by-metadata'),
      vmEntry({ address: 'vm.corp', labels: { app: 'api' } }, {}, 'hostname'),
      vmEntry({ address: '10.0.0.3', labels: { app: 'api' } }, {}, 'other-ns', 'elsewhere'),
    ];
    expect(workloadEntriesOfService({ app: 'api' }, 'vms', entries).map((w) => w.name)).toEqual(['by-metadata']);
    expect(workloadEntriesOfService({ app: 'api' }, 'vms', entries, { headless: true })).toEqual([]);
    expect(workloadEntriesOfService({}, 'vms', entries)).toEqual([]);
  });

  it('maps a numeric targetPort through the WorkloadEntry port named like the Service port', () => {
    const we = vmEntry({ address: '10.0.0.1', ports: { 'http-port': 9090, 'web': 7070 } });
    expect(workloadEntryPortForService({ port: 80, name: 'http-port', targetPort: 8080 }, we)).toBe(9090);
    expect(workloadEntryPortForService({ port: 80, name: 'other', targetPort: 8080 }, we)).toBe(8080);
    expect(workloadEntryPortForService({ port: 80, name: 'other', targetPort: 'web' }, we)).toBe(7070);
    expect(workloadEntryPortForService({ port: 80, name: 'other', targetPort: 'missing' }, we)).toBeUndefined();
  });

  it('reads an address as pilot does: leading zeros and host names are not IPs', () => {
    expect([isDnsOnlyAddress('10.0.0.1'), isDnsOnlyAddress('2001:db8::1'), isDnsOnlyAddress('::ffff:1.2.3.4'), isDnsOnlyAddress('')]).toEqual([false, false, false, false]);
    expect([isDnsOnlyAddress('010.0.0.1'), isDnsOnlyAddress('vm.corp'), isDnsOnlyAddress('unix:///s'), isDnsOnlyAddress('1::2::3')]).toEqual([true, true, true, true]);
  });

  it('replaces "." in exportTo with the entry namespace and keeps subjectAltNames and metadata labels', () => {
    const se = parseServiceEntry(serviceEntry('vms', 'x', {
      hosts: ['x.corp'], exportTo: ['.', 'web'], subjectAltNames: ['spiffe://cluster.local/ns/vms/sa/x'],
    }, { 'istio.io/use-waypoint': 'waypoint' }), 'vms');
    expect(se).toMatchObject({ exportTo: ['vms', 'web'], subjectAltNames: ['spiffe://cluster.local/ns/vms/sa/x'], labels: { 'istio.io/use-waypoint': 'waypoint' } });
  });
});
