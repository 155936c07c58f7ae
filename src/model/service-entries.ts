/**
 * ServiceEntries and WorkloadEntries as pilot converts them into Services and
 * endpoints (istio/istio 1.30.3 `pilot/pkg/serviceregistry/serviceentry/conversion.go`
 * and `controller.go`): which endpoints a ServiceEntry has, which `tlsMode`
 * and identity each carries (what auto mTLS reads), and which WorkloadEntries
 * a Kubernetes Service selects.
 */
import { Labels, NO_LABELS, isEmptyLabels, selectorMatches, stringMap } from './labels';
import { frozenList } from './lists';
import { Manifest, ResourceRef, isPlainObject, listOrEmpty, objectOrEmpty, refOf } from './manifest';
import { portNumber } from './policies';

/** `location`; pilot treats anything but MESH_INTERNAL as external (`MeshExternal`). */
export type ServiceEntryLocation = 'MESH_EXTERNAL' | 'MESH_INTERNAL';

/** `resolution`; absent means NONE, the proto default. */
export type ServiceEntryResolution = 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'DYNAMIC_DNS';

export interface ServiceEntryPort {
  readonly number: number;
  readonly name?: string;
  readonly protocol?: string;
  readonly targetPort?: number;
}

/** A WorkloadEntry as written inline in a ServiceEntry's `endpoints[]` (it has no metadata of its own). */
export interface InlineEndpoint {
  readonly address?: string;
  readonly labels: Labels;
  readonly serviceAccount?: string;
  /** `ports`: Service port name → endpoint port. */
  readonly ports: Readonly<Record<string, number>>;
  readonly network?: string;
  readonly locality?: string;
}

export interface ServiceEntryInfo {
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  /** Lower-cased, as the engine compares hosts (pilot keeps the case in its registry and lower-cases routes). */
  readonly hosts: readonly string[];
  readonly addresses: readonly string[];
  readonly location: ServiceEntryLocation;
  /** True when `location` is not written: the default is MESH_EXTERNAL, which turns auto mTLS off. */
  readonly locationDefaulted: boolean;
  readonly resolution: ServiceEntryResolution;
  readonly ports: readonly ServiceEntryPort[];
  /** `exportTo` with `.` replaced by the entry's namespace; empty means exported everywhere. */
  readonly exportTo: readonly string[];
  /**
   * The selector's labels when `workloadSelector` is written, else undefined.
   * A written but empty selector selects every workload of the namespace (validation only warns).
   */
  readonly workloadSelector?: Labels;
  readonly endpoints: readonly InlineEndpoint[];
  /** `subjectAltNames`: the SANs clients verify under ISTIO_MUTUAL. */
  readonly subjectAltNames: readonly string[];
  /** Metadata labels (e.g. `istio.io/use-waypoint`). */
  readonly labels: Labels;
}

export interface WorkloadEntryInfo extends InlineEndpoint {
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  /** `spec.labels` merged with `metadata.labels`, metadata wins (conversion.go `ConvertWorkloadEntry`). */
  readonly labels: Labels;
  /**
   * False when health checks are on (`proxy.istio.io/health-checks-enabled`) and the
   * status has no `Healthy: True` condition: pilot then leaves the entry out everywhere.
   */
  readonly healthy: boolean;
}

/** A pod (or a workload's pod template) that a ServiceEntry's `workloadSelector` can select. */
export interface SelectablePod {
  readonly namespace: string;
  readonly name: string;
  /** The labels of the running pod: the injector adds `security.istio.io/tlsMode` (see `sidecarInjected`). */
  readonly labels: Labels;
  /** Empty stands for `default`, as the API server fills it in. */
  readonly serviceAccount: string;
  /** Container ports; only named TCP ones can stand for a ServiceEntry port name. */
  readonly ports?: readonly { readonly port: number; readonly name?: string; readonly protocol?: string }[];
  /** True for a pod the injector mutates: it writes `tlsMode: istio` unless the label is already set. */
  readonly sidecarInjected?: boolean;
  /** The pod IP when known; manifests carry none. */
  readonly address?: string;
}

export type ServiceEntryEndpointKind = 'inline' | 'workload-entry' | 'pod' | 'dns-host';

/** One endpoint for one Service port, as pilot builds a `ServiceInstance`. */
export interface ServiceEntryEndpoint {
  readonly kind: ServiceEntryEndpointKind;
  /** IP or host name; for a `unix://` address, the socket path; for a pod, its IP when known, else empty. */
  readonly address: string;
  /** The labels PeerAuthentication selectors and auto mTLS see (WorkloadEntries: merged, plus locality and network labels). */
  readonly labels: Labels;
  /** `security.istio.io/tlsMode` as pilot computes it: only `istio` gets auto mTLS. */
  readonly tlsMode: string;
  readonly serviceAccount?: string;
  /** `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`. */
  readonly identity?: string;
  readonly workloadEntry?: { readonly namespace: string; readonly name: string };
  readonly pod?: { readonly namespace: string; readonly name: string };
  /** Index in `spec.endpoints` for inline endpoints. */
  readonly endpointIndex?: number;
  /** The entry host a `dns-host` endpoint stands for. */
  readonly host?: string;
  /** The ServiceEntry (or Service) port this endpoint serves. */
  readonly servicePort: number;
  readonly servicePortName?: string;
  /** The port the connection reaches (PeerAuthentication port-level modes key on it); undefined for unix sockets. */
  readonly port?: number;
}

const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
const HEALTH_CHECKS_ANNOTATION = 'proxy.istio.io/health-checks-enabled';
const UNIX_PREFIX = 'unix://';
const RESOLUTIONS: ReadonlySet<string> = new Set(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS']);

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function strings(v: unknown): string[] {
  return listOrEmpty(v).filter((x): x is string => typeof x === 'string');
}

/** A WorkloadEntry `ports` map; zero and non-numbers are dropped (pilot only uses ports > 0). */
function portMap(v: unknown): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(objectOrEmpty(v))) {
    const port = portNumber(value);
    if (port !== undefined) out[name] = port;
  }
  return Object.freeze(out);
}

function inlineEndpointOf(v: unknown): InlineEndpoint {
  const spec = objectOrEmpty(v);
  return Object.freeze({
    address: typeof spec.address === 'string' ? spec.address : undefined,
    labels: stringMap(spec.labels),
    serviceAccount: optionalString(spec.serviceAccount),
    ports: portMap(spec.ports),
    network: optionalString(spec.network),
    locality: optionalString(spec.locality),
  });
}

function servicePortOf(v: unknown): ServiceEntryPort | undefined {
  const p = objectOrEmpty(v);
  const number = portNumber(p.number);
  if (number === undefined) return undefined;
  const targetPort = portNumber(p.targetPort);
  return Object.freeze({
    number,
    ...(typeof p.name === 'string' ? { name: p.name } : {}),
    ...(typeof p.protocol === 'string' ? { protocol: p.protocol } : {}),
    ...(targetPort !== undefined ? { targetPort } : {}),
  });
}

/** Reads a ServiceEntry placed in `namespace`. */
export function parseServiceEntry(m: Manifest, namespace: string): ServiceEntryInfo {
  const ref = { ...refOf(m), namespace };
  const spec = objectOrEmpty(m.spec);
  const location = spec.location === 'MESH_INTERNAL' || spec.location === 'MESH_EXTERNAL' ? spec.location : undefined;
  const resolution = typeof spec.resolution === 'string' && RESOLUTIONS.has(spec.resolution) ? spec.resolution as ServiceEntryResolution : 'NONE';
  const ports: ServiceEntryPort[] = [];
  for (const p of listOrEmpty(spec.ports)) {
    const port = servicePortOf(p);
    if (port) ports.push(port);
  }
  // A written selector, even `{}`, switches endpoints from `endpoints[]` to selected workloads.
  const workloadSelector = isPlainObject(spec.workloadSelector) ? stringMap(spec.workloadSelector.labels) : undefined;
  return Object.freeze({
    ref,
    namespace,
    name: ref.name,
    hosts: frozenList(strings(spec.hosts).map((h) => h.toLowerCase())),
    addresses: frozenList(strings(spec.addresses)),
    location: location ?? 'MESH_EXTERNAL',
    locationDefaulted: location === undefined,
    resolution,
    ports: frozenList(ports),
    exportTo: frozenList(strings(spec.exportTo).map((e) => (e === '.' ? namespace : e))),
    workloadSelector,
    endpoints: frozenList(listOrEmpty(spec.endpoints).map(inlineEndpointOf)),
    subjectAltNames: frozenList(strings(spec.subjectAltNames)),
    labels: stringMap(objectOrEmpty(m.metadata).labels),
  });
}

/** Go's `strconv.ParseBool` true values. */
function parsesTrue(v: string | undefined): boolean {
  return v !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}

function healthyOf(m: Manifest): boolean {
  if (!parsesTrue(stringMap(objectOrEmpty(m.metadata).annotations)[HEALTH_CHECKS_ANNOTATION])) return true;
  // Health-checked entries count as unhealthy until a probe reports `Healthy: True` (conversion.go `isHealthy`).
  const condition = listOrEmpty(objectOrEmpty(m.status).conditions).map(objectOrEmpty).find((c) => c.type === 'Healthy');
  return condition?.status === 'True';
}

/** Reads a WorkloadEntry placed in `namespace`. */
export function parseWorkloadEntry(m: Manifest, namespace: string): WorkloadEntryInfo {
  const ref = { ...refOf(m), namespace };
  const spec = inlineEndpointOf(m.spec);
  const metadataLabels = stringMap(objectOrEmpty(m.metadata).labels);
  const merged = isEmptyLabels(spec.labels) ? metadataLabels : Object.freeze({ ...spec.labels, ...metadataLabels });
  return Object.freeze({
    ref,
    namespace,
    name: ref.name,
    address: spec.address,
    labels: merged,
    serviceAccount: spec.serviceAccount,
    ports: spec.ports,
    network: spec.network,
    locality: spec.locality,
    healthy: healthyOf(m),
  });
}

/**
 * The `tlsMode` pilot gives an inline endpoint or WorkloadEntry: the label when
 * present (any value, even empty), else `istio` when a service account is set,
 * else `disabled` (conversion.go `getTLSModeFromWorkloadEntry`).
 */
export function workloadEntryTlsMode(entry: { readonly labels: Labels; readonly serviceAccount?: string }): string {
  if (Object.prototype.hasOwnProperty.call(entry.labels, TLS_MODE_LABEL)) return entry.labels[TLS_MODE_LABEL];
  return entry.serviceAccount ? 'istio' : 'disabled';
}

/** The `tlsMode` pilot gives a pod endpoint: the pod label verbatim, else `disabled` (model/service.go `GetTLSModeFromEndpointLabels`). */
export function podTlsMode(pod: Pick<SelectablePod, 'labels' | 'sidecarInjected'>): string {
  if (Object.prototype.hasOwnProperty.call(pod.labels, TLS_MODE_LABEL)) return pod.labels[TLS_MODE_LABEL];
  return pod.sidecarInjected ? 'istio' : 'disabled';
}

/** `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`. */
export function spiffeIdentity(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** A dotted-quad IPv4 address without leading zeros, as Go's `netip.ParseAddr` reads it. */
function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  const zone = s.indexOf('%');
  const addr = zone < 0 ? s : s.slice(0, zone);
  if (zone === 0 || zone === s.length - 1 || !addr.includes(':')) return false;
  const halves = addr.split('::');
  if (halves.length > 2) return false;
  let groups = 0;
  for (let h = 0; h < halves.length; h++) {
    if (halves[h] === '') continue;
    const parts = halves[h].split(':');
    for (let i = 0; i < parts.length; i++) {
      const last = h === halves.length - 1 && i === parts.length - 1;
      if (last && parts[i].includes('.')) {
        if (!isIPv4(parts[i])) return false;
        groups += 2;
      } else if (/^[0-9a-fA-F]{1,4}$/.test(parts[i])) {
        groups += 1;
      } else {
        return false;
      }
    }
  }
  return halves.length === 2 ? groups < 8 : groups === 8;
}

/** True for an IPv4 or IPv6 address (pkg/util/net `IsValidIPAddress`). */
export function isIpAddress(address: string): boolean {
  return isIPv4(address) || isIPv6(address);
}

/**
 * True for a WorkloadEntry only DNS ServiceEntries may select: its address is a
 * unix socket or a host name. Kubernetes Services never select it, nor do
 * STATIC or NONE ServiceEntries (conversion.go `DNSServiceEntryOnly`).
 */
export function isDnsOnlyAddress(address: string | undefined): boolean {
  if (address === undefined || address === '') return false;
  return address.startsWith(UNIX_PREFIX) || !isIpAddress(address);
}

/** Go's `strings.Split(locality, "/")` into region, zone and subzone. */
function splitLocality(locality: string): [string, string, string] {
  const items = locality.split('/');
  return [items[0] ?? '', items[1] ?? '', items[2] ?? ''];
}

/**
 * The labels pilot puts on a WorkloadEntry endpoint: the entry's labels plus
 * the locality and network topology labels (pilot's `AugmentLabels`). The
 * cluster label (`topology.istio.io/cluster`) is left out: it names the
 * istiod cluster ID, which manifests do not carry.
 */
export function workloadEntryEndpointLabels(entry: { readonly labels: Labels; readonly locality?: string; readonly network?: string }): Labels {
  let locality = entry.locality ?? '';
  if (locality === '') {
    const label = entry.labels['topology.istio.io/locality'] ?? entry.labels['istio-locality'] ?? '';
    // An old-style `region.zone` label is read with `.` as the separator unless it already has `/`.
    locality = label.includes('/') ? label : label.split('.').join('/');
  }
  const [region, zone, subzone] = splitLocality(locality);
  if (!region && !zone && !subzone && !entry.network) return entry.labels;
  const out: Record<string, string> = { ...entry.labels };
  if (region) out['topology.kubernetes.io/region'] = region;
  if (zone) out['topology.kubernetes.io/zone'] = zone;
  if (subzone) out['topology.istio.io/subzone'] = subzone;
  // The network label already on the entry wins over `spec.network`.
  if (entry.network && !out['topology.istio.io/network']) out['topology.istio.io/network'] = entry.network;
  return Object.freeze(out);
}

/**
 * Address and endpoint port of one workload for one ServiceEntry port:
 * a unix socket has no port; else the workload's port of that name, else
 * the entry's `targetPort`, else the port number
 * (conversion.go `convertWorkloadInstanceToServiceInstance`).
 */
function endpointAddressAndPort(
  address: string, portsByName: Readonly<Record<string, number>>, sePort: ServiceEntryPort,
): { address: string; port?: number } {
  if (address.startsWith(UNIX_PREFIX)) return { address: address.slice(UNIX_PREFIX.length) };
  const named = portsByName[sePort.name ?? ''];
  if (named !== undefined && named > 0) return { address, port: named };
  return { address, port: sePort.targetPort ?? sePort.number };
}

/** The named TCP container ports of a pod, first of a name wins (pod.go `getPortMap`). */
function podPortMap(pod: SelectablePod): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const p of pod.ports ?? []) {
    if (!p.name || (p.protocol ?? 'TCP') !== 'TCP' || p.name in out) continue;
    out[p.name] = p.port;
  }
  return out;
}

function portFields(sePort: ServiceEntryPort, at: { address: string; port?: number }) {
  return {
    address: at.address,
    servicePort: sePort.number,
    ...(sePort.name !== undefined ? { servicePortName: sePort.name } : {}),
    ...(at.port !== undefined ? { port: at.port } : {}),
  };
}

function entryEndpoints(
  kind: 'inline' | 'workload-entry', entry: InlineEndpoint, identityNamespace: string, se: ServiceEntryInfo, trustDomain: string,
  extra: Pick<ServiceEntryEndpoint, 'workloadEntry' | 'endpointIndex'>,
): ServiceEntryEndpoint[] {
  const labels = workloadEntryEndpointLabels(entry);
  const tlsMode = workloadEntryTlsMode(entry);
  const identity = entry.serviceAccount ? spiffeIdentity(trustDomain, identityNamespace, entry.serviceAccount) : undefined;
  return se.ports.map((sePort) => Object.freeze({
    kind,
    labels,
    tlsMode,
    ...(entry.serviceAccount ? { serviceAccount: entry.serviceAccount, identity } : {}),
    ...extra,
    ...portFields(sePort, endpointAddressAndPort(entry.address ?? '', entry.ports, sePort)),
  }));
}

function podEndpoints(pod: SelectablePod, se: ServiceEntryInfo, trustDomain: string): ServiceEntryEndpoint[] {
  const serviceAccount = pod.serviceAccount || 'default';
  const ports = podPortMap(pod);
  const tlsMode = podTlsMode(pod);
  // The injector writes the label onto the pod it mutates, so selectors see it too.
  const labels = TLS_MODE_LABEL in pod.labels || !pod.sidecarInjected ? pod.labels : Object.freeze({ ...pod.labels, [TLS_MODE_LABEL]: tlsMode });
  return se.ports.map((sePort) => Object.freeze({
    kind: 'pod' as const,
    labels,
    tlsMode,
    serviceAccount,
    identity: spiffeIdentity(trustDomain, pod.namespace, serviceAccount),
    pod: { namespace: pod.namespace, name: pod.name },
    ...portFields(sePort, endpointAddressAndPort(pod.address ?? '', ports, sePort)),
  }));
}

function isDnsResolution(se: ServiceEntryInfo): boolean {
  return se.resolution === 'DNS' || se.resolution === 'DNS_ROUND_ROBIN';
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The endpoints pilot builds for a ServiceEntry, one per workload and entry
 * port (conversion.go `services`, `convertServiceEntryToInstances`):
 * - with a `workloadSelector`: the pods, then the healthy WorkloadEntries, of
 *   the entry's namespace whose labels match, each by name (`endpoints[]` is
 *   ignored); WorkloadEntries with a host-name or unix address only for DNS
 *   entries;
 * - else the inline `endpoints[]`;
 * - a DNS or DNS_ROUND_ROBIN entry with neither: one `dns-host` endpoint per
 *   host, `tlsMode: disabled`.
 *
 * The endpoints are the same for every host of the entry (pilot repeats them
 * per host); only `dns-host` endpoints differ per host.
 */
export function serviceEntryEndpoints(
  se: ServiceEntryInfo, workloadEntries: readonly WorkloadEntryInfo[], pods: readonly SelectablePod[], trustDomain: string,
): ServiceEntryEndpoint[] {
  const out: ServiceEntryEndpoint[] = [];
  const selector = se.workloadSelector;
  if (selector) {
    const selectedPods = pods.filter((p) => p.namespace === se.namespace && selectorMatches(selector, p.labels)).sort(byName);
    for (const pod of selectedPods) out.push(...podEndpoints(pod, se, trustDomain));
    const dns = isDnsResolution(se);
    const selectedEntries = workloadEntries.filter((we) => we.namespace === se.namespace && we.healthy
      && (dns || !isDnsOnlyAddress(we.address))
      && selectorMatches(selector, workloadEntryEndpointLabels(we))).sort(byName);
    for (const we of selectedEntries) {
      out.push(...entryEndpoints('workload-entry', we, we.namespace, se, trustDomain, { workloadEntry: { namespace: we.namespace, name: we.name } }));
    }
    return out;
  }
  if (se.endpoints.length === 0 && isDnsResolution(se)) {
    for (const host of se.hosts) {
      for (const sePort of se.ports) {
        out.push(Object.freeze({
          kind: 'dns-host' as const,
          labels: NO_LABELS,
          tlsMode: 'disabled',
          host,
          ...portFields(sePort, { address: host, port: sePort.targetPort ?? sePort.number }),
        }));
      }
    }
    return out;
  }
  se.endpoints.forEach((endpoint, endpointIndex) => {
    out.push(...entryEndpoints('inline', endpoint, se.namespace, se, trustDomain, { endpointIndex }));
  });
  return out;
}

/** What pilot needs to know of a Kubernetes Service to add WorkloadEntries to it. */
export interface WorkloadEntrySelectingService {
  readonly namespace: string;
  /** Undefined or empty: the Service has no selector, so it selects nothing. */
  readonly selector?: Labels;
  /** Headless (`clusterIP: None`) Services are not load-balanced by pilot and get no WorkloadEntries. */
  readonly headless?: boolean;
}

/**
 * The WorkloadEntries a Kubernetes Service selects (on by default,
 * `PILOT_ENABLE_K8S_SELECT_WORKLOAD_ENTRIES`): healthy entries of the
 * Service's namespace whose labels match its selector, except entries whose
 * address is a host name or unix socket (kube controller
 * `serviceInstancesFromWorkloadInstances`). A headless Service selects none.
 */
export function workloadEntriesOfService(
  serviceSelector: Labels, namespace: string, workloadEntries: readonly WorkloadEntryInfo[], options: { readonly headless?: boolean } = {},
): WorkloadEntryInfo[] {
  if (options.headless || isEmptyLabels(serviceSelector)) return [];
  return workloadEntries.filter((we) => we.namespace === namespace && we.healthy && !isDnsOnlyAddress(we.address)
    && selectorMatches(serviceSelector, workloadEntryEndpointLabels(we)));
}

/** A Kubernetes Service port as `workloadEntryPortForService` reads it. */
export interface ServicePortForWorkloadEntry {
  readonly port: number;
  readonly name?: string;
  /** A number, or the name of a port (looked up in the WorkloadEntry's `ports`). */
  readonly targetPort: number | string;
}

/**
 * The port a Kubernetes Service port reaches on a WorkloadEntry, or undefined
 * when the entry is left out for that port (kube controller
 * `serviceInstanceFromWorkloadInstance`):
 * - a named `targetPort`: the entry's port of that name; an entry without it
 *   gets no endpoint for this port;
 * - a numeric `targetPort`: the entry's port named like the *Service port*
 *   when it has one, else the number.
 */
export function workloadEntryPortForService(servicePort: ServicePortForWorkloadEntry, entry: Pick<WorkloadEntryInfo, 'ports'>): number | undefined {
  if (typeof servicePort.targetPort === 'string') return entry.ports[servicePort.targetPort];
  const byServicePortName = servicePort.name ? entry.ports[servicePort.name] : undefined;
  return byServicePortName ?? (servicePort.targetPort > 0 ? servicePort.targetPort : servicePort.port);
}

/**
 * The endpoints a Kubernetes Service gets from WorkloadEntries, one per
 * selected entry and Service port that reaches it: `workloadEntriesOfService`
 * and `workloadEntryPortForService` together, with `tlsMode` and identity as
 * for a ServiceEntry.
 */
export function serviceWorkloadEntryEndpoints(
  service: WorkloadEntrySelectingService & { readonly ports: readonly ServicePortForWorkloadEntry[] },
  workloadEntries: readonly WorkloadEntryInfo[], trustDomain: string,
): ServiceEntryEndpoint[] {
  const selected = workloadEntriesOfService(service.selector ?? NO_LABELS, service.namespace, workloadEntries, { headless: service.headless });
  const out: ServiceEntryEndpoint[] = [];
  for (const servicePort of service.ports) {
    for (const we of selected) {
      const port = workloadEntryPortForService(servicePort, we);
      if (port === undefined) continue;
      out.push(Object.freeze({
        kind: 'workload-entry' as const,
        address: we.address ?? '',
        labels: workloadEntryEndpointLabels(we),
        tlsMode: workloadEntryTlsMode(we),
        ...(we.serviceAccount ? { serviceAccount: we.serviceAccount, identity: spiffeIdentity(trustDomain, we.namespace, we.serviceAccount) } : {}),
        workloadEntry: { namespace: we.namespace, name: we.name },
        servicePort: servicePort.port,
        ...(servicePort.name !== undefined ? { servicePortName: servicePort.name } : {}),
        port,
      }));
    }
  }
  return out;
}
