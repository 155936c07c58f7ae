import { ClientTlsResolution, EndpointFacts, HostTlsFacts, WireTls, clientTlsForCluster, protectionOf } from './client-tls';
import { InboundPortProtocol, acceptsOnPort } from './cluster-tls';
import { Dataplane, DataplaneResolution, resolveDataplane } from './dataplane';
import { DestinationRuleLookup, DestinationRuleVariant, destinationRuleVariants, lookupDestinationRule } from './destination-rule-lookup';
import { InboundPort, resolveInbound } from './inbound';
import { RoutedDestination, routeDestinations, virtualServicesForClient, visibleVirtualServices } from './routes';
import { EffectiveMode, ModeDecision, resolveServerMode } from './server-mode';
import { UnmatchedTraffic, hostImported, sidecarFor, unmatchedTraffic } from './sidecar-scope';
import { ServiceInfo, ServicePort, Workload, targetPortOn } from '../model/inventory';
import { selectorMatches } from '../model/labels';
import { ResourceRef } from '../model/manifest';
import { MeshModel } from '../model/mesh-model';
import { DestinationRulePolicy } from '../model/policies';
import {
  ServiceEntryInfo, WorkloadEntryInfo, isDnsOnlyAddress, workloadEntriesOfService, workloadEntryEndpointLabels,
  workloadEntryPortForService, workloadEntryTlsMode,
} from '../model/service-entries';
import { SidecarInfo } from '../model/sidecars';
import { RouteKind, VirtualServiceInfo } from '../model/virtual-services';

export type ConnectionOutcome = 'ok' | 'fails';

export interface ConnectionResolution {
  readonly from: Workload;
  readonly to: Workload;
  readonly service: ServiceInfo;
  readonly servicePort: number;
  /** The container port reached; undefined when a named targetPort is not on the workload (no endpoint). */
  readonly targetPort?: number;
  readonly tls: WireTls;
  readonly outcome: ConnectionOutcome;
  /** One line, naming the policies that decided. */
  readonly reason: string;
  readonly client: ClientTlsResolution;
  readonly serverMode: ModeDecision;
  /** True when a proxy (sidecar or ztunnel) receives the port's traffic and enforces its mode. */
  readonly serverSidecar: boolean;
  readonly clientDataplane: Dataplane;
  readonly serverDataplane: Dataplane;
  /** What the server port takes; undefined when there is no endpoint. */
  readonly inbound?: InboundPort;
  /** The VirtualService whose route sent the traffic; absent for the host's default cluster. */
  readonly route?: RouteRef;
  /** The route destination's subset. */
  readonly subset?: string;
  /** The route destination's weight, when the route splits traffic. */
  readonly weight?: number;
  /** The route's destination host, when it is not the host called. */
  readonly destinationHost?: string;
  /** Set when the client's Sidecar does not import the host: where its sidecar sends the call instead. */
  readonly scope?: UnmatchedTraffic;
  /** The ServiceEntry of the host reached, when it is one. */
  readonly serviceEntry?: ServiceEntryInfo;
  /** The WorkloadEntry the server stands for (`to` is then a workload of kind `WorkloadEntry`). */
  readonly workloadEntry?: WorkloadEntryInfo;
  /** Present (true) when the answer rests on an assumption the input cannot confirm (a VM's proxy). */
  readonly assumed?: true;
  /** Every route destination that reaches the server, when there are several; the fields above are the first failing one's (else the first's). */
  readonly legs?: readonly ConnectionResolution[];
  /** Present (false) when the client's routes send none of its traffic for the port to this server. */
  readonly reached?: false;
  /**
   * Present when what the client sends depends on which competing
   * DestinationRule or PeerAuthentication is oldest (manifests carry no age):
   * every possibility, sorted. `tls` is then the first failing one's, else the
   * least protected.
   */
  readonly possibleTls?: readonly WireTls[];
  /** Present when several DestinationRules of one namespace compete for the host and their age decides the cluster: all of them, sorted. */
  readonly competingDestinationRules?: readonly ResourceRef[];
}

/** Whether a server accepts what arrives: STRICT only mTLS, PERMISSIVE both, DISABLE or no sidecar only plaintext. */
export function judgeConnection(tls: WireTls, serverSidecar: boolean, mode: EffectiveMode, protocol: InboundPortProtocol = 'auto'): { outcome: ConnectionOutcome; why: string } {
  if (!serverSidecar) {
    if (tls === 'mtls' || tls === 'hbone') return { outcome: 'fails', why: 'no proxy receives the port\'s traffic to terminate Istio mTLS' };
    return { outcome: 'ok', why: tls === 'plaintext' ? 'no proxy receives the port\'s traffic, and the application takes plaintext' : 'TLS reaches the server application, which must terminate it' };
  }
  if (tls === 'tls-origination' && mode !== 'STRICT' && !acceptsOnPort(mode, protocol, { tls: 'tls', protocol: 'tcp' }).accepted) {
    return { outcome: 'fails', why: `the sidecar reads port traffic as HTTP, and TLS originated by the client is not HTTP (${mode})` };
  }
  switch (mode) {
    case 'STRICT':
      return tls === 'mtls' || tls === 'hbone'
        ? { outcome: 'ok', why: 'STRICT accepts Istio mTLS' }
        : { outcome: 'fails', why: tls === 'plaintext' ? 'STRICT rejects plaintext' : 'STRICT accepts only Istio mTLS, not TLS originated with other certificates' };
    case 'PERMISSIVE':
      return { outcome: 'ok', why: tls === 'mtls' || tls === 'hbone' ? 'PERMISSIVE accepts Istio mTLS' : 'PERMISSIVE accepts plaintext' };
    case 'DISABLE':
      return tls === 'mtls'
        ? { outcome: 'fails', why: 'DISABLE does not terminate Istio mTLS' }
        : { outcome: 'ok', why: tls === 'plaintext' ? 'DISABLE takes plaintext' : tls === 'hbone' ? 'the HBONE tunnel ends at the sidecar [U]' : 'TLS passes through DISABLE to the application' };
  }
}

/** The protocol a server sidecar's inbound listener expects on a port: the Service port's appProtocol, else its name prefix. */
export function inboundProtocolOf(port: ServicePort | undefined): InboundPortProtocol {
  if (!port) return 'unlisted';
  const declared = (port.appProtocol ?? port.name?.split('-')[0] ?? '').toLowerCase();
  if (['http', 'http2', 'grpc', 'grpc-web', 'h2c', 'kubernetes.io/h2c'].includes(declared)) return 'http';
  if (['tcp', 'tls', 'https', 'mongo', 'mysql', 'redis'].includes(declared)) return 'tcp';
  return 'auto';
}

function describeMode(d: ModeDecision, port: number): string {
  const by = d.decidedBy ? `PeerAuthentication ${d.decidedBy.namespace}/${d.decidedBy.name}` : 'Istio default';
  return d.mode === 'ambiguous' ? `port ${port} is ${d.possibleModes.join(' or ')} depending on which competing PeerAuthentication is oldest` : `port ${port} is ${d.mode} (${by})`;
}

/** Precomputed facts, so explain can reuse them; all optional. */
export interface ConnectionFacts {
  /** The client's proxy sends on its behalf (false: a plaintext caller outside the mesh). */
  readonly clientSidecar?: boolean;
  readonly serverSidecar?: boolean;
  readonly serverMode?: ModeDecision;
}

/** What the client's data plane does with a call to the server, before any DestinationRule. */
function clientWire(
  client: DataplaneResolution, server: DataplaneResolution, model: MeshModel, port: number,
): { wire?: WireTls; why?: string; viaSidecar: boolean } {
  if (client.dataplane === 'ambient') {
    return server.hbone
      ? { wire: 'hbone', why: 'ztunnel sends HBONE to a pod that accepts it', viaSidecar: false }
      : { wire: 'plaintext', why: 'ztunnel sends plaintext to a pod that does not accept HBONE', viaSidecar: false };
  }
  if (client.dataplane !== 'sidecar' || !client.admitted) return { viaSidecar: false };
  const outbound = client.capture?.outbound({ port }) ?? 'captured';
  if (outbound === 'bypassed') return { wire: 'plaintext', why: `the client's sidecar does not capture outbound port ${port}: the application's plaintext goes out as is`, viaSidecar: false };
  if (server.dataplane === 'ambient' && model.options.ambient) return { wire: 'hbone', why: 'the client sidecar sends HBONE to an ambient pod', viaSidecar: true };
  return { viaSidecar: true };
}

/** The VirtualService whose route sent the traffic. */
export interface RouteRef {
  readonly kind: 'VirtualService';
  readonly namespace: string;
  readonly name: string;
}

/** A client's traffic for one Service port, as its sidecar routes it: one destination (cluster) of a route, or the default cluster. */
interface Leg {
  /** The destination host, as a Service (a ServiceEntry host becomes one, see `serviceEntryService`). */
  readonly dest: ServiceInfo;
  /** The destination's Service port (the cluster's port). */
  readonly destPort: number;
  readonly routed?: RoutedDestination;
  /** Why the route choice is uncertain (several VirtualServices claim the host). */
  readonly ambiguity?: string;
  /** The client's Sidecar does not import the host. */
  readonly scope?: UnmatchedTraffic;
}

/** A ServiceEntry host seen as a Service, and the WorkloadEntry a pseudo workload stands for. */
const entryOfService = new WeakMap<ServiceInfo, { readonly se: ServiceEntryInfo; readonly host: string }>();
const servicesOfEntry = new WeakMap<ServiceEntryInfo, Map<string, ServiceInfo>>();
const entryOfWorkload = new WeakMap<Workload, WorkloadEntryInfo>();
const workloadOfEntry = new WeakMap<WorkloadEntryInfo, Workload>();

/**
 * One host of a ServiceEntry as a Service (same object on every call): name
 * and hostname are the host, the ports are the entry's (protocol as
 * `appProtocol`), the selector its `workloadSelector`; `headless` for
 * resolution NONE (pilot's Passthrough). The ServiceEntry stays known to
 * `resolveConnection`.
 */
export function serviceEntryService(se: ServiceEntryInfo, host: string): ServiceInfo {
  let byHost = servicesOfEntry.get(se);
  if (!byHost) { byHost = new Map(); servicesOfEntry.set(se, byHost); }
  let s = byHost.get(host);
  if (!s) {
    s = Object.freeze({
      ref: se.ref,
      namespace: se.namespace,
      name: host,
      key: `${se.namespace}/${host}`,
      hostname: host,
      ...(se.workloadSelector ? { selector: se.workloadSelector } : {}),
      ports: Object.freeze(se.ports.map((p) => Object.freeze({
        port: p.number,
        ...(p.name !== undefined ? { name: p.name } : {}),
        targetPort: p.targetPort ?? p.number,
        protocol: 'TCP',
        ...(p.protocol !== undefined ? { appProtocol: p.protocol.toLowerCase() } : {}),
      }))),
      headless: se.resolution === 'NONE',
      labels: se.labels,
    });
    byHost.set(host, s);
    entryOfService.set(s, { se, host });
  }
  return s;
}

/** A WorkloadEntry as a workload (kind `WorkloadEntry`, same object on every call), so connections can name it as their server. */
export function workloadEntryWorkload(we: WorkloadEntryInfo): Workload {
  let w = workloadOfEntry.get(we);
  if (!w) {
    w = Object.freeze({
      ref: we.ref,
      kind: 'WorkloadEntry',
      namespace: we.namespace,
      name: we.name,
      key: `${we.namespace}/WorkloadEntry/${we.name}`,
      labels: workloadEntryEndpointLabels(we),
      podAnnotations: Object.freeze({}),
      ports: Object.freeze(Object.entries(we.ports).map(([name, port]) => Object.freeze({ port, name, protocol: 'TCP' }))),
      serviceAccount: we.serviceAccount ?? '',
      hostNetwork: false,
      hasProxyContainer: false,
    });
    workloadOfEntry.set(we, w);
    entryOfWorkload.set(w, we);
  }
  return w;
}

/** The ServiceEntry and host a Service made by `serviceEntryService` stands for. */
export function serviceEntryOf(service: ServiceInfo): { readonly se: ServiceEntryInfo; readonly host: string } | undefined {
  return entryOfService.get(service);
}

/** The WorkloadEntry a workload made by `workloadEntryWorkload` stands for. */
export function workloadEntryOf(w: Workload): WorkloadEntryInfo | undefined {
  return entryOfWorkload.get(w);
}

/** Per-model indexes for routing: VirtualServices by host and by destination, ServiceEntries by host, each host's servers. */
interface RouteIndex {
  readonly vsByHost: Map<string, VirtualServiceInfo[]>;
  readonly wildcardVs: VirtualServiceInfo[];
  readonly vsByDestination: Map<string, VirtualServiceInfo[]>;
  readonly seByHost: Map<string, ServiceEntryInfo[]>;
  readonly servers: WeakMap<ServiceInfo, readonly Workload[]>;
  /** The Sidecars that can apply to a namespace's workloads: its own, then the root namespace's. */
  readonly sidecarsFor: Map<string, readonly SidecarInfo[]>;
}

const routeIndexes = new WeakMap<MeshModel, RouteIndex>();

function push<V>(map: Map<string, V[]>, key: string, v: V): void {
  const l = map.get(key);
  if (!l) map.set(key, [v]); else if (!l.includes(v)) l.push(v);
}

function routeIndex(model: MeshModel): RouteIndex {
  let idx = routeIndexes.get(model);
  if (idx) return idx;
  const vsByHost = new Map<string, VirtualServiceInfo[]>();
  const wildcardVs: VirtualServiceInfo[] = [];
  const vsByDestination = new Map<string, VirtualServiceInfo[]>();
  for (const vs of model.virtualServices) {
    for (const h of vs.fqdns) {
      const host = h.toLowerCase();
      if (host.startsWith('*')) { if (!wildcardVs.includes(vs)) wildcardVs.push(vs); } else {push(vsByHost, host, vs);}
    }
    for (const r of [...vs.http, ...vs.tls, ...vs.tcp]) for (const d of [...r.destinations, ...r.mirrors]) push(vsByDestination, d.fqdn, vs);
  }
  const seByHost = new Map<string, ServiceEntryInfo[]>();
  for (const se of model.serviceEntries) for (const h of se.hosts) push(seByHost, h, se);
  idx = { vsByHost, wildcardVs, vsByDestination, seByHost, servers: new WeakMap(), sidecarsFor: new Map() };
  routeIndexes.set(model, idx);
  return idx;
}

/** The host as a Service: a Kubernetes Service of that hostname, else the first ServiceEntry (by namespace, name) that declares it. */
export function serviceForHost(model: MeshModel, hostname: string): ServiceInfo | undefined {
  const s = model.serviceByHostname(hostname);
  if (s) return s;
  const se = routeIndex(model).seByHost.get(hostname.toLowerCase())?.[0];
  return se ? serviceEntryService(se, hostname.toLowerCase()) : undefined;
}

/**
 * The servers of a host in the input: a Service's pods plus the
 * WorkloadEntries its selector matches (pilot also gives Kubernetes Services
 * WorkloadEntries); a ServiceEntry's pods and WorkloadEntries by its
 * `workloadSelector` (inline endpoints and DNS hosts are no servers of the
 * input). Memoized per model.
 */
export function serversOf(model: MeshModel, service: ServiceInfo): readonly Workload[] {
  const idx = routeIndex(model);
  let r = idx.servers.get(service);
  if (r) return r;
  const entry = entryOfService.get(service);
  if (!entry) {
    const wes = model.workloadEntries.length === 0 || !service.selector ? []
      : workloadEntriesOfService(service.selector, service.namespace, model.workloadEntries, { headless: service.headless });
    r = wes.length === 0 ? model.workloadsOf(service) : [...model.workloadsOf(service), ...wes.map(workloadEntryWorkload)];
  } else {
    const sel = entry.se.workloadSelector;
    const dns = entry.se.resolution === 'DNS' || entry.se.resolution === 'DNS_ROUND_ROBIN';
    r = !sel ? [] : [
      ...model.workloadsMatching(entry.se.namespace, sel),
      ...model.workloadEntries.filter((we) => we.namespace === entry.se.namespace && we.healthy && (dns || !isDnsOnlyAddress(we.address))
        && selectorMatches(sel, workloadEntryEndpointLabels(we))).map(workloadEntryWorkload),
    ];
  }
  idx.servers.set(service, r);
  return r;
}

/** The port a Service (or ServiceEntry) port reaches on a server (pod or WorkloadEntry); undefined when it is no endpoint of it. */
export function targetPortFor(service: ServiceInfo, sp: ServicePort, server: Workload): number | undefined {
  const we = entryOfWorkload.get(server);
  const entry = entryOfService.get(service);
  if (!entry) return we ? workloadEntryPortForService(sp, we) : targetPortOn(sp, server);
  // ServiceEntry ports: the workload's port named like the entry port, else targetPort, else the number.
  const named = we ? we.ports[sp.name ?? ''] : server.ports.find((p) => p.name === sp.name && p.protocol === 'TCP')?.port;
  return named !== undefined && named > 0 ? named : typeof sp.targetPort === 'number' ? sp.targetPort : sp.port;
}

/** The route list a Service port uses, by its declared protocol; undefined when the sidecar detects it. */
function routeKindOf(sp: ServicePort | undefined): RouteKind | undefined {
  const declared = (sp?.appProtocol ?? sp?.name?.split('-')[0] ?? '').toLowerCase();
  if (['http', 'http2', 'grpc', 'grpc-web', 'h2c', 'kubernetes.io/h2c'].includes(declared)) return 'http';
  if (['tls', 'https'].includes(declared)) return 'tls';
  if (['tcp', 'mongo', 'mysql', 'redis'].includes(declared)) return 'tcp';
  return undefined;
}

function hostFacts(model: MeshModel, service: ServiceInfo): HostTlsFacts {
  const entry = entryOfService.get(service);
  const endpoints = service.headless ? serversOf(model, service).map((w) => endpointFactsOf(model, w)) : undefined;
  return {
    namespace: service.namespace,
    headless: service.headless,
    meshExternal: entry !== undefined && entry.se.location !== 'MESH_INTERNAL',
    ...(endpoints ? { endpoints } : {}),
  };
}

function endpointFactsOf(model: MeshModel, w: Workload): EndpointFacts {
  const we = entryOfWorkload.get(w);
  if (we) {
    const tlsMode = workloadEntryTlsMode(we);
    return { sidecar: tlsMode === 'istio', mode: 'PERMISSIVE', tlsMode };
  }
  const d = resolveDataplane(model, w);
  return { sidecar: d.dataplane === 'sidecar', mode: 'PERMISSIVE', tlsMode: d.tlsMode };
}

/**
 * Where a sidecar client's traffic for `service:port` goes (SEMANTICS.md §3,
 * §6): nowhere of its own when its Sidecar does not import the host
 * (passthrough or blackhole); else along the VirtualService it uses for the
 * host (each destination of the routes that select it; competing
 * VirtualServices each count); else the host's default cluster.
 */
function legsOf(model: MeshModel, client: Workload, service: ServiceInfo, servicePort: number): Leg[] {
  const idx = routeIndex(model);
  const hostname = service.hostname.toLowerCase();
  const defaultLeg: Leg = { dest: service, destPort: servicePort };
  let sidecars = idx.sidecarsFor.get(client.namespace);
  if (!sidecars) {
    const root = model.options.rootNamespace;
    sidecars = model.sidecars.filter((x) => x.namespace === client.namespace || x.namespace === root);
    idx.sidecarsFor.set(client.namespace, sidecars);
  }
  const selection = sidecars.length === 0
    ? { sidecar: null, configNamespace: client.namespace }
    : sidecarFor(client, sidecars, model.options.rootNamespace);
  const sidecar = selection.sidecar;
  const routing = [...(idx.vsByDestination.get(hostname) ?? [])];
  if (sidecar) {
    const visible = visibleVirtualServices(routing, client.namespace);
    const imported = hostImported(sidecar, { hostname, namespace: service.namespace, ports: service.ports.map((p) => p.port) }, servicePort, {
      configNamespace: selection.configNamespace, virtualServices: visible,
    });
    if (!imported) return [{ ...defaultLeg, scope: unmatchedTraffic(sidecar, model.options.outboundTrafficPolicy) }];
  }
  const candidates = [...(idx.vsByHost.get(hostname) ?? []), ...idx.wildcardVs];
  if (candidates.length === 0) return [defaultLeg];
  const who = { namespace: client.namespace, labels: client.labels };
  const sp = service.ports.find((p) => p.port === servicePort);
  const protocol = routeKindOf(sp);
  const choice = virtualServicesForClient(candidates, who, hostname, servicePort, { sidecar, ...(protocol ? { protocol } : {}) });
  if (!choice.chosen) return [defaultLeg];
  const all = [choice.chosen, ...choice.competing];
  const ambiguity = choice.competing.length === 0 ? undefined
    : `VirtualServices ${all.map((v) => `${v.namespace}/${v.name}`).join(', ')} all claim host ${hostname}: Istio uses the oldest (IST0109)`;
  const servicePorts = (h: string): readonly number[] | undefined => serviceForHost(model, h)?.ports.map((p) => p.port);
  const legs: Leg[] = [];
  for (const vs of all) {
    for (const d of routeDestinations(vs, who, hostname, servicePort, { ...(protocol ? { protocol } : {}), servicePorts })) {
      const dest = serviceForHost(model, d.host);
      if (!dest) continue;
      legs.push({ dest, destPort: d.port ?? servicePort, routed: d, ...(ambiguity ? { ambiguity } : {}) });
    }
  }
  return legs;
}

/**
 * What happens when `client` calls `service:servicePort` and reaches `server`:
 * what each data plane sends (sidecar: the Sidecar scope, the VirtualService
 * route and subset, the DestinationRule or auto mTLS; ambient: HBONE to a pod
 * that accepts it; no proxy: plaintext) and whether the server port takes it
 * (its sidecar's or ztunnel's mode, or the application itself where no proxy
 * captures the port). With competing PeerAuthentications, DestinationRules
 * or VirtualServices the outcome is `ok` only if it is ok whichever of them
 * Istio picks. When the client's routes reach the server by several
 * destinations (weights, subsets), the result is the first failing one (else
 * the first) and `legs` lists them all; when they never reach it, `reached`
 * is false (outcome `ok`: no such call happens). `service` may be a
 * ServiceEntry host (`serviceEntryService`) and `server` a WorkloadEntry
 * (`workloadEntryWorkload`).
 */
export function resolveConnection(
  model: MeshModel, client: Workload, service: ServiceInfo, servicePort: number, server: Workload, facts: ConnectionFacts = {},
): ConnectionResolution {
  const legs = resolveConnectionLegs(model, client, service, servicePort, server, facts);
  if (legs.length === 0) {
    const base = resolveLeg(model, client, service, servicePort, server, facts, { dest: service, destPort: servicePort });
    const why = `the client's routes for ${service.hostname}:${servicePort} send none of its traffic to ${server.kind} ${server.namespace}/${server.name}`;
    return { ...base, outcome: 'ok', reason: why, reached: false };
  }
  if (legs.length === 1) return legs[0];
  const worst = legs.find((l) => l.outcome === 'fails') ?? legs[0];
  return { ...worst, legs };
}

/**
 * Every way `client`'s calls to `service:servicePort` reach `server`: one
 * resolution per route destination (weight, subset) that reaches it, or one
 * for the default cluster; empty when the client's routes send nothing there.
 */
export function resolveConnectionLegs(
  model: MeshModel, client: Workload, service: ServiceInfo, servicePort: number, server: Workload, facts: ConnectionFacts = {},
): ConnectionResolution[] {
  const clientPlane = resolveDataplane(model, client);
  const viaSidecar = facts.clientSidecar !== false && clientPlane.dataplane === 'sidecar' && clientPlane.admitted
    && (clientPlane.capture?.outbound({ port: servicePort }) ?? 'captured') !== 'bypassed';
  const legs = viaSidecar ? legsOf(model, client, service, servicePort) : [{ dest: service, destPort: servicePort }];
  const out: ConnectionResolution[] = [];
  for (const leg of legs) {
    // A route's destination reaches only that host's servers; the default cluster is asked about the server given.
    if (leg.routed && !serversOf(model, leg.dest).includes(server)) continue;
    const r = resolveLeg(model, client, service, servicePort, server, facts, leg);
    if (r.reached !== false) out.push(r);
  }
  return out;
}

function describeDest(leg: Leg): string {
  const r = leg.routed;
  if (!r) return '';
  const share = r.share < 1 ? `, weight ${r.weight}` : '';
  return `VirtualService ${r.route.namespace}/${r.route.name} routes to ${r.host}${r.port !== undefined ? `:${r.port}` : ''}`
    + `${r.subset !== undefined ? ` subset ${r.subset}` : ''}${share}; `;
}

function resolveLeg(
  model: MeshModel, client: Workload, service: ServiceInfo, servicePort: number, server: Workload, facts: ConnectionFacts, leg: Leg,
): ConnectionResolution {
  const dest = leg.dest;
  const destPort = leg.destPort;
  const sp = dest.ports.find((p) => p.port === destPort);
  const targetPort = sp ? targetPortFor(dest, sp, server) : undefined;
  const clientPlane = resolveDataplane(model, client);
  const we = entryOfWorkload.get(server);
  const serverPlane = we ? undefined : resolveDataplane(model, server);
  const bareClient = facts.clientSidecar === false;
  const lookup = lookupDestinationRule(model, { namespace: client.namespace, labels: client.labels }, dest.hostname, dest.namespace);
  const variants = destinationRuleVariants(lookup);
  const serverSide = we ? entryServer(model, we, server, targetPort ?? destPort) : undefined;
  const inbound = serverSide?.inbound ?? (targetPort === undefined ? undefined : resolveInbound(model, server).port(targetPort));
  // Plaintext that bypasses ztunnel reaches the application, while HBONE still arrives: as PERMISSIVE.
  const ambientBypass = inbound !== undefined && inbound.enforcedBy === 'ztunnel' && !inbound.captured;
  const serverMode: ModeDecision = facts.serverMode ?? (ambientBypass ? { ...inbound, mode: 'PERMISSIVE', possibleModes: ['PERMISSIVE'] }
    : inbound ?? (we ? serverSide!.inbound : resolveInbound(model, server).port(servicePort)));
  const serverProxy = facts.serverSidecar ?? (inbound !== undefined && inbound.enforcedBy !== 'none' && (inbound.captured || ambientBypass));
  const serverDataplane: Dataplane = serverPlane?.dataplane ?? (serverSide!.proxy ? 'sidecar' : 'none');
  const routeFields = {
    ...(leg.routed ? { route: leg.routed.route } : {}),
    ...(leg.routed?.subset !== undefined ? { subset: leg.routed.subset } : {}),
    ...(leg.routed && leg.routed.share < 1 ? { weight: leg.routed.weight } : {}),
    ...(dest !== service ? { destinationHost: dest.hostname } : {}),
    ...(leg.scope ? { scope: leg.scope } : {}),
    ...(we ? { workloadEntry: we, assumed: true as const } : {}),
    ...(entryOfService.has(dest) ? { serviceEntry: entryOfService.get(dest)!.se } : {}),
  };
  const base = {
    from: client,
    to: server,
    service,
    servicePort,
    targetPort,
    serverSidecar: serverProxy,
    serverMode,
    clientDataplane: bareClient ? 'none' as const : clientPlane.dataplane,
    serverDataplane,
    inbound,
    ...routeFields,
  };
  const prefix = describeDest(leg);
  const destSubset = leg.routed?.subset;
  // A subset is looked up in the rule the client uses for the destination host; a missing one has no cluster.
  const missingIn = destSubset === undefined ? []
    : variants.length === 0 ? [null] : variants.filter((v) => !v.traffic.subsets.some((x) => x.name === destSubset));
  if (missingIn.length > 0) {
    const v = missingIn[0];
    const by = v ? `DestinationRule ${v.rule.namespace}/${v.rule.name}, which the client uses for ${dest.hostname}, has no subset ${destSubset}`
      : `no DestinationRule the client uses for ${dest.hostname} defines subset ${destSubset}`;
    const client0 = noCluster(lookup, v?.rule ?? null, 'plaintext');
    return { ...base, tls: 'plaintext', client: client0, outcome: 'fails', reason: `${prefix}${by}: the route has no cluster and answers 503` };
  }
  if (destSubset !== undefined) {
    const labelsOf = (v: DestinationRuleVariant) => v.traffic.subsets.find((x) => x.name === destSubset)!.labels;
    const empty = variants.find((v) => !serversOf(model, dest).some((w) => selectorMatches(labelsOf(v), w.labels)));
    if (empty) {
      return {
        ...base,
        tls: 'plaintext',
        client: noCluster(lookup, empty.rule, 'plaintext'),
        outcome: 'fails',
        reason: `${prefix}subset ${destSubset} of DestinationRule ${empty.rule.namespace}/${empty.rule.name} selects no endpoint: 503 [U]`,
      };
    }
    if (!variants.some((v) => selectorMatches(labelsOf(v), server.labels))) {
      return { ...base, tls: 'plaintext', client: noCluster(lookup, null, 'plaintext'), outcome: 'ok', reason: '', reached: false };
    }
  }
  if (leg.scope === 'blackhole') {
    return {
      ...base,
      tls: 'plaintext',
      client: noCluster(lookup, null, 'plaintext'),
      outcome: 'fails',
      reason: `the client's Sidecar does not import ${dest.hostname} and its outbound traffic policy is REGISTRY_ONLY: BlackHoleCluster, the call fails`,
    };
  }
  const wire: { wire?: WireTls; why?: string; viaSidecar: boolean } = bareClient ? { viaSidecar: false }
    : leg.scope ? {
      wire: 'plaintext',
      viaSidecar: false,
      why: `the client's Sidecar does not import ${dest.hostname}: ALLOW_ANY sends it to the ${leg.scope === 'egress-proxy' ? 'Sidecar\'s egress proxy' : 'PassthroughCluster'}`
        + ' as plaintext, without auto mTLS',
    }
      // A WorkloadEntry never takes HBONE here, and a sidecar client sends it what its cluster says.
      : clientWire(clientPlane, serverPlane ?? ({ dataplane: serverDataplane, hbone: false } as DataplaneResolution), model, servicePort);
  const host = hostFacts(model, dest);
  const ruleVariants: (DestinationRuleVariant | null)[] = variants.length > 0 ? [...variants] : [null];
  const tlsFor = (mode: EffectiveMode, variant: DestinationRuleVariant | null): ClientTlsResolution => {
    if (wire.wire !== undefined) {
      const viaRule = wire.viaSidecar ? variant?.rule ?? null : null;
      return { tls: wire.wire, source: wire.viaSidecar ? 'auto-mtls' : 'no-client-sidecar', destinationRule: viaRule, setting: null, competing: [], reason: wire.why! };
    }
    const endpoint: EndpointFacts = serverSide
      ? { sidecar: serverSide.proxy, mode, tlsMode: serverSide.tlsMode }
      : { sidecar: serverProxy && serverDataplane === 'sidecar', mode, tlsMode: serverPlane!.tlsMode };
    const cluster = { variant, port: destPort, ...(destSubset !== undefined ? { subset: destSubset } : {}) };
    return clientTlsForCluster(model, wire.viaSidecar, lookup, cluster, endpoint, host);
  };
  if (!sp || targetPort === undefined) {
    const client0 = tlsFor('PERMISSIVE', ruleVariants[0]);
    const reason = !sp
      ? `${prefix}${entryOfService.has(dest) ? 'ServiceEntry host' : 'Service'} ${dest.namespace}/${dest.name} has no port ${destPort}`
      : `${prefix}${server.kind} ${server.namespace}/${server.name} has no container port named "${String(sp.targetPort)}", so it is no endpoint of port ${destPort}`;
    return { ...base, tls: client0.tls, client: client0, outcome: 'fails', reason };
  }
  if ((serverPlane && !serverPlane.admitted) || (!clientPlane.admitted && !bareClient)) {
    const client0 = tlsFor('PERMISSIVE', ruleVariants[0]);
    const who = serverPlane && !serverPlane.admitted ? server : client;
    return { ...base, tls: client0.tls, client: client0, outcome: 'fails', reason: `${who.kind} ${who.namespace}/${who.name} has no pods: ${(who === server ? serverPlane! : clientPlane).reason}` };
  }
  const protocol = inboundProtocolOf(sp);
  let weakest: { client: ClientTlsResolution; outcome: ConnectionOutcome; why: string } | undefined;
  let failure: typeof weakest;
  const possible = new Set<WireTls>();
  for (const variant of ruleVariants) {
    for (const mode of serverMode.possibleModes) {
      const c = tlsFor(mode, variant);
      const j = judgeConnection(c.tls, serverProxy, mode, protocol);
      const r = { client: c, ...j };
      possible.add(c.tls);
      // A choice only age decides is never shown as more protected than it may be.
      if (!weakest || protectionOf(c.tls) < protectionOf(weakest.client.tls)) weakest = r;
      if (j.outcome === 'fails' && !failure) failure = r;
    }
  }
  const chosen = failure ?? weakest!;
  const undecided = {
    ...(possible.size > 1 ? { possibleTls: [...possible].sort() } : {}),
    ...(ruleVariants.length > 1 && lookup.rule
      ? { competingDestinationRules: [lookup.rule, ...lookup.competing].map((d) => d.ref).sort((a, b) => cmpRef(a, b)) } : {}),
  };
  const serverPart = serverSide ? serverSide.describe(serverMode, targetPort)
    : serverProxy
      ? `${describeMode(serverMode, targetPort)}${serverDataplane === 'ambient' ? ' in ambient (ztunnel)' : ''}`
      : inbound?.note ? `${server.kind} ${server.namespace}/${server.name}: ${inbound.note}` : `${server.kind} ${server.namespace}/${server.name} has no sidecar`;
  const merged = undecided.competingDestinationRules
    ? `; DestinationRules ${undecided.competingDestinationRules.map((d) => `${d.namespace}/${d.name}`).join(', ')} merge differently depending on which is oldest`
      + `${undecided.possibleTls ? ` (the client sends ${undecided.possibleTls.join(' or ')})` : ''}`
    : '';
  const reason = `${prefix}${chosen.client.reason}; ${serverPart}; ${chosen.why}${merged}${leg.ambiguity ? `; ${leg.ambiguity}` : ''}`;
  return { ...base, tls: chosen.client.tls, client: chosen.client, outcome: chosen.outcome, reason, ...undecided };
}

function cmpRef(a: ResourceRef, b: ResourceRef): number {
  const x = `${a.namespace}/${a.name}`;
  const y = `${b.namespace}/${b.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

function noCluster(lookup: DestinationRuleLookup, rule: DestinationRulePolicy | null, tls: WireTls): ClientTlsResolution {
  return { tls, source: 'destination-rule', destinationRule: rule, setting: null, competing: lookup.competing.map((d) => d.ref), reason: 'no cluster' };
}

/** The server side of a WorkloadEntry: its VM's proxy cannot be seen, so one is assumed iff its tlsMode is `istio`. */
function entryServer(model: MeshModel, we: WorkloadEntryInfo, w: Workload, port: number): {
  proxy: boolean; tlsMode: string; inbound: InboundPort; describe: (mode: ModeDecision, port: number) => string;
} {
  const tlsMode = workloadEntryTlsMode(we);
  const proxy = tlsMode === 'istio';
  // The VM's proxy selects PeerAuthentications by its bootstrap labels, taken to be the entry's [U].
  const d = resolveServerMode(model, w).portMode(port);
  const accepts = !proxy ? 'plaintext' as const : d.mode === 'STRICT' ? 'mtls' as const : d.mode === 'PERMISSIVE' ? 'mtls+plaintext' as const
    : d.mode === 'DISABLE' ? 'plaintext' as const : 'ambiguous' as const;
  const inbound: InboundPort = {
    port,
    mode: d.mode,
    possibleModes: d.possibleModes,
    decidedBy: d.decidedBy,
    level: d.level,
    captured: proxy,
    accepts,
    enforcedBy: proxy ? 'sidecar' : 'none',
    note: `WorkloadEntry: the VM's proxy cannot be seen; ${proxy ? 'assumed present' : 'assumed absent'} because its tlsMode is ${tlsMode} [assumed]`,
  };
  const describe = (mode: ModeDecision, p: number): string => (proxy
    ? `WorkloadEntry ${we.namespace}/${we.name}: the VM's proxy cannot be seen, assumed present as its tlsMode is istio [assumed]; ${describeMode(mode, p)}`
    : `WorkloadEntry ${we.namespace}/${we.name}: the VM's proxy cannot be seen, assumed absent as its tlsMode is ${tlsMode} [assumed]`);
  return { proxy, tlsMode, inbound, describe };
}
