/**
 * The Sidecar resource's scope (SEMANTICS.md §6, pilot
 * `pilot/pkg/model/sidecar.go` and `push_context.go` `getSidecarScope`):
 * which Sidecar a workload gets, which hosts and VirtualServices its egress
 * listeners import, what happens to everything else, and when an ingress
 * listener's `tls` takes effect.
 */
import { Labels, selectorMatches } from '../model/labels';
import { PeerAuthenticationMode } from '../model/policies';
import { OutboundTrafficPolicyMode, SidecarEgressListener, SidecarInfo, SidecarIngressListener } from '../model/sidecars';
import { RouteMatchInfo, VirtualServiceInfo } from '../model/virtual-services';

/** Where the chosen Sidecar was found. */
export type SidecarSelectionStep = 'workload-selector' | 'namespace' | 'root-namespace';

export interface SidecarSelection {
  /** Null: no Sidecar applies, and the workload imports every host (`*\/*`). */
  readonly sidecar: SidecarInfo | null;
  readonly step?: SidecarSelectionStep;
  /** Other Sidecars with the same claim: Istio takes the oldest, and manifests carry no age, so the choice is ambiguous. */
  readonly competing: readonly SidecarInfo[];
  /** The namespace `.` means in the egress hosts: the workload's, also for a root-namespace Sidecar. */
  readonly configNamespace: string;
}

/** The workload a Sidecar is chosen for. */
export interface SidecarWorkload {
  readonly namespace: string;
  readonly labels: Labels;
}

function firstAndRest(candidates: readonly SidecarInfo[], step: SidecarSelectionStep, configNamespace: string): SidecarSelection {
  return { sidecar: candidates[0], step, competing: candidates.slice(1), configNamespace };
}

/**
 * The Sidecar that applies to a workload: a Sidecar of its namespace whose
 * `workloadSelector` matches, else its namespace's selector-less Sidecar,
 * else the root namespace's selector-less one. Sidecars whose selector does
 * not match are skipped, so a namespace holding only those falls through to
 * the root namespace's.
 */
export function sidecarFor(workload: SidecarWorkload, sidecars: readonly SidecarInfo[], rootNamespace: string): SidecarSelection {
  const local = sidecars.filter((s) => s.namespace === workload.namespace);
  const selected = local.filter((s) => s.workloadSelector !== undefined && selectorMatches(s.workloadSelector, workload.labels));
  if (selected.length > 0) return firstAndRest(selected, 'workload-selector', workload.namespace);
  const namespaceWide = local.filter((s) => s.workloadSelector === undefined);
  if (namespaceWide.length > 0) {
    return firstAndRest(namespaceWide, workload.namespace === rootNamespace ? 'root-namespace' : 'namespace', workload.namespace);
  }
  const root = sidecars.filter((s) => s.namespace === rootNamespace && s.workloadSelector === undefined);
  if (root.length > 0) return firstAndRest(root, 'root-namespace', workload.namespace);
  return { sidecar: null, competing: [], configNamespace: workload.namespace };
}

/** The listener pilot adds when a Sidecar has no egress: it imports everything. */
const IMPORT_EVERYTHING: SidecarEgressListener = Object.freeze({
  index: -1,
  path: '',
  hosts: Object.freeze([Object.freeze({ raw: '*/*', namespace: '*', host: '*' })]),
  invalidHosts: Object.freeze([]),
});

/** An HTTP_PROXY listener is an explicit proxy: it imports hosts on every port (pilot `needsPortMatch`). */
function isHttpProxy(l: SidecarEgressListener): boolean {
  return l.protocol === 'HTTP_PROXY';
}

function egressListeners(sidecar: SidecarInfo | null): readonly SidecarEgressListener[] {
  return sidecar && sidecar.egress.length > 0 ? sidecar.egress : [IMPORT_EVERYTHING];
}

/**
 * The listeners that decide for a call on `port`: the listener declared on
 * that port if any (it owns the port's HTTP listener), else the catch-all one.
 * Without a port, every listener that could import a Service of `ports`
 * (all when the ports are unknown): the question is then whether the host is
 * in the scope at all.
 */
function listenersFor(sidecar: SidecarInfo | null, port?: number, ports?: readonly number[]): SidecarEgressListener[] {
  const all = egressListeners(sidecar);
  if (port === undefined) {
    return all.filter((l) => l.port === undefined || isHttpProxy(l) || ports === undefined || ports.includes(l.port));
  }
  const own = all.find((l) => l.port === port && !isHttpProxy(l));
  if (own) return [own];
  return all.filter((l) => l.port === undefined);
}

function isWildcard(host: string): boolean {
  return host.startsWith('*');
}

/** `n` is covered by `o` (pilot `host.Name.SubsetOf`). */
function hostSubsetOf(n: string, o: string): boolean {
  if (isWildcard(n)) return isWildcard(o) && n.length >= o.length && n.slice(1).endsWith(o.slice(1));
  if (isWildcard(o)) return n.endsWith(o.slice(1));
  return n === o;
}

/** `n` and `o` overlap, in either direction (pilot `host.Name.Matches`). */
function hostsOverlap(n: string, o: string): boolean {
  if (isWildcard(n) && isWildcard(o)) return n.length < o.length ? o.slice(1).endsWith(n.slice(1)) : n.slice(1).endsWith(o.slice(1));
  if (isWildcard(n)) return o.endsWith(n.slice(1));
  if (isWildcard(o)) return n.endsWith(o.slice(1));
  return n === o;
}

/** The host patterns a listener imports from `namespace`, counting `*\/…` entries and `.` as the config namespace. */
function importsFrom(listener: SidecarEgressListener, namespace: string, configNamespace: string): string[] {
  return listener.hosts
    .filter((h) => h.namespace === '*' || (h.namespace === '.' ? configNamespace : h.namespace) === namespace)
    .map((h) => h.host);
}

/** A Service hostname matches an imported pattern (pilot `hostClassification.Matches`). */
function serviceHostImported(patterns: readonly string[], hostname: string): boolean {
  return patterns.some((p) => (isWildcard(p) || isWildcard(hostname) ? hostSubsetOf(hostname, p) : p === hostname));
}

/** A VirtualService host matches an imported pattern, in either direction (pilot `hostClassification.VSMatches`). */
function virtualServiceHostImported(patterns: readonly string[], vsHost: string): boolean {
  return patterns.some((p) => (isWildcard(p) || isWildcard(vsHost) ? hostsOverlap(vsHost, p) : p === vsHost));
}

function listenerImportsVirtualService(listener: SidecarEgressListener, vs: VirtualServiceInfo, configNamespace: string): boolean {
  const patterns = importsFrom(listener, vs.namespace, configNamespace);
  return vs.fqdns.some((h) => virtualServiceHostImported(patterns, h));
}

/**
 * True when a route of `vs` is kept for a workload of `configNamespace`
 * (pilot `virtualServiceDestinationsFilteredBySourceNamespace`): some match
 * names that namespace, or none names any.
 */
function routeKeptForNamespace(matches: readonly RouteMatchInfo[], configNamespace: string): boolean {
  const named = matches.filter((m) => m.sourceNamespace !== undefined);
  return named.length === 0 || named.some((m) => m.sourceNamespace === configNamespace);
}

/** The ports a VirtualService sends `hostname` to; `undefined` among them means "every port". */
function virtualServiceDestinationPorts(vs: VirtualServiceInfo, hostname: string, configNamespace: string): (number | undefined)[] {
  const ports: (number | undefined)[] = [];
  for (const r of vs.http) {
    if (!routeKeptForNamespace(r.matches, configNamespace)) continue;
    for (const d of [...r.destinations, ...r.mirrors]) if (d.fqdn === hostname) ports.push(d.port);
  }
  for (const r of [...vs.tcp, ...vs.tls]) {
    for (const d of r.destinations) if (d.fqdn === hostname) ports.push(d.port);
  }
  return ports;
}

/** A Service as an import target: its hostname and namespace, and its ports when known. */
export interface ImportTarget {
  readonly hostname: string;
  readonly namespace: string;
  /** The Service's ports; when unknown, a listener declared on any port may import it. */
  readonly ports?: readonly number[];
  /** Other namespaces with a Service of the same hostname (ServiceEntries): one imported from the workload's namespace wins. */
  readonly alsoIn?: readonly string[];
}

export interface ImportContext {
  /** The workload's namespace, which `.` means; defaults to the Sidecar's namespace. */
  readonly configNamespace?: string;
  /**
   * The VirtualServices visible to the workload (see `visibleVirtualServices`).
   * A listener that imports one of them also imports the hosts it routes to.
   */
  readonly virtualServices?: readonly VirtualServiceInfo[];
}

/**
 * Whether a workload with this Sidecar (null: none) imports a Service for a
 * call on `port` (omit it to ask whether the Service is in scope at all).
 * Egress `hosts` entries are `namespace/host`: `.` is the workload's
 * namespace, `*` any namespace, `~` none; the host is exact, `*` or `*.suffix`
 * and is matched against the Service's namespace. A listener declared on a
 * port decides for that port alone (for HTTP ports; a TCP port's per-address
 * listeners also take the catch-all listener's hosts, which is not modelled);
 * an HTTP_PROXY listener imports on every port. Hosts the imported
 * VirtualServices route to are imported too. Of one hostname defined in
 * several namespaces, the workload's own namespace wins; between others pilot
 * picks arbitrarily, which is not modelled. Whether the Service is exported
 * to the workload's namespace is not checked here.
 */
export function hostImported(sidecar: SidecarInfo | null, host: ImportTarget, port?: number, context: ImportContext = {}): boolean {
  const configNamespace = context.configNamespace ?? sidecar?.namespace ?? host.namespace;
  const hostname = host.hostname;
  for (const listener of listenersFor(sidecar, port, host.ports)) {
    if (serviceHostImported(importsFrom(listener, host.namespace, configNamespace), hostname)) {
      // A listener keeps one namespace per hostname, the workload's own first (pilot `selectServices`).
      const ownWins = host.namespace !== configNamespace && (host.alsoIn ?? []).includes(configNamespace)
        && serviceHostImported(importsFrom(listener, configNamespace, configNamespace), hostname);
      if (!ownWins) return true;
    }
    for (const vs of context.virtualServices ?? []) {
      if (!listenerImportsVirtualService(listener, vs, configNamespace)) continue;
      const ports = virtualServiceDestinationPorts(vs, hostname, configNamespace);
      if (ports.length === 0) continue;
      // A listener on a port imports the Service on that port; otherwise the routes' ports do.
      const onPort = listener.port !== undefined && !isHttpProxy(listener) ? listener.port : port;
      if (onPort === undefined || ports.includes(undefined) || ports.includes(onPort)) return true;
    }
  }
  return false;
}

/**
 * Whether the egress listener that handles `port` (any listener when omitted)
 * imports a VirtualService (pilot `SelectVirtualServices`): one of its hosts
 * overlaps an imported host of the VirtualService's namespace or of `*`.
 */
export function virtualServiceImported(sidecar: SidecarInfo | null, vs: VirtualServiceInfo, configNamespace: string, port?: number): boolean {
  return listenersFor(sidecar, port).some((l) => listenerImportsVirtualService(l, vs, configNamespace));
}

/** Where a sidecar sends traffic to a host it does not import. */
export type UnmatchedTraffic = 'passthrough' | 'blackhole' | 'egress-proxy';

/**
 * What happens to a call to a host the workload does not import: the
 * Sidecar's `outboundTrafficPolicy` (a present policy without `mode` is
 * REGISTRY_ONLY), else the mesh's. ALLOW_ANY goes to the PassthroughCluster
 * (plaintext, no auto mTLS) or the Sidecar's `egressProxy`; REGISTRY_ONLY to
 * the BlackHoleCluster (the call fails).
 */
export function unmatchedTraffic(sidecar: SidecarInfo | null, meshOutboundTrafficPolicy: OutboundTrafficPolicyMode = 'ALLOW_ANY'): UnmatchedTraffic {
  const mode = sidecar?.outboundTrafficPolicy ?? meshOutboundTrafficPolicy;
  if (mode === 'REGISTRY_ONLY') return 'blackhole';
  // Only the Sidecar's own policy can carry an egress proxy; the mesh's has a mode alone.
  return sidecar?.outboundTrafficPolicy !== undefined && sidecar.hasEgressProxy ? 'egress-proxy' : 'passthrough';
}

/** The Sidecar's ingress listener for a container port, if it declares one. */
export function ingressListenerFor(sidecar: SidecarInfo | null, port: number): SidecarIngressListener | undefined {
  return sidecar?.ingress.find((l) => l.port === port);
}

/**
 * Whether an ingress listener's `tls` takes effect (pilot
 * `listener_inbound.go`): only with istiod's `ENABLE_TLS_ON_SIDECAR_INGRESS`
 * and only where the port's effective PeerAuthentication mode is DISABLE.
 * Otherwise it is ignored and the port keeps its mode.
 */
export function ingressTlsEffective(listener: SidecarIngressListener, portMode: PeerAuthenticationMode, enableTlsOnSidecarIngress: boolean): boolean {
  return listener.hasTls && enableTlsOnSidecarIngress && portMode === 'DISABLE';
}
