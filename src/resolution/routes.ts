/**
 * Which VirtualService a sidecar client uses for a host, and where its routes
 * send that client's traffic (SEMANTICS.md §3 rules 2–4): visibility by
 * `gateways` and `exportTo` (pilot `push_context.go` `initVirtualServices`),
 * the Sidecar's imports (`sidecar-scope.ts`), the most specific host, the
 * routes a client's labels, namespace and port select (`route.go`, `tls.go`),
 * and each destination's cluster port (`route.go` `GetDestinationCluster`).
 */
import { virtualServiceImported } from './sidecar-scope';
import { Labels, selectorMatches } from '../model/labels';
import { SidecarInfo } from '../model/sidecars';
import {
  MESH_GATEWAY, RouteDestinationInfo, RouteKind, RouteMatchInfo, VirtualServiceInfo, VirtualServiceRoute,
} from '../model/virtual-services';

/** The client side of a route lookup: its namespace and, when it is a known workload, its pod labels. */
export interface RouteClient {
  readonly namespace: string;
  /** Undefined for a hypothetical client: then matches on `sourceLabels` never select it. */
  readonly labels?: Labels;
}

export interface VisibilityOptions {
  /** meshConfig `defaultVirtualServiceExportTo`, for VirtualServices without `exportTo`. @default ['*'] */
  readonly defaultExportTo?: readonly string[];
  /** The gateway asking: `mesh` for sidecars, or `namespace/name`. @default 'mesh' */
  readonly gateway?: string;
}

/** How a VirtualService reaches a namespace; pilot lists them in this order. */
type Reach = 'private' | 'exported' | 'public';
const REACH_ORDER: readonly Reach[] = ['private', 'exported', 'public'];

/** How `vs` reaches `namespace`, or undefined when it does not (pilot `initVirtualServices`). */
function reachOf(vs: VirtualServiceInfo, namespace: string, defaultExportTo: readonly string[]): Reach | undefined {
  const exportTo = vs.exportTo.length > 0 ? vs.exportTo : defaultExportTo;
  if (exportTo.includes('*')) return 'public';
  // `~` hides the VirtualService from everyone, whatever else is listed (but `*`).
  if (exportTo.includes('~')) return undefined;
  if (namespace === vs.namespace) return exportTo.some((e) => e === '.' || e === vs.namespace) ? 'private' : undefined;
  return exportTo.includes(namespace) ? 'exported' : undefined;
}

function boundTo(vs: VirtualServiceInfo, gateway: string): boolean {
  return vs.gateways.length === 0 ? gateway === MESH_GATEWAY : vs.gateways.includes(gateway);
}

/**
 * The VirtualServices a proxy in `namespace` sees for a gateway (pilot
 * `VirtualServicesForGateway`), in pilot's order: those private to the
 * namespace, then those exported to it by name, then the public ones; input
 * order within each group (pilot's is creation time).
 */
export function visibleVirtualServices(
  vss: readonly VirtualServiceInfo[], namespace: string, options: VisibilityOptions = {},
): VirtualServiceInfo[] {
  const gateway = options.gateway ?? MESH_GATEWAY;
  const defaults = options.defaultExportTo ?? ['*'];
  const bound = vss.filter((vs) => boundTo(vs, gateway));
  return REACH_ORDER.flatMap((reach) => bound.filter((vs) => reachOf(vs, namespace, defaults) === reach));
}

export interface VirtualServiceLookupOptions {
  /** meshConfig `defaultVirtualServiceExportTo`. @default ['*'] */
  readonly defaultExportTo?: readonly string[];
  /** The client's Sidecar (see `sidecarFor`): only VirtualServices its egress listener for the port imports count. */
  readonly sidecar?: SidecarInfo | null;
  /** The route list the port uses (by the Service port's protocol). @default - per VirtualService, the first non-empty of http, tls, tcp */
  readonly protocol?: RouteKind;
}

export interface VirtualServiceChoice {
  /** The VirtualService whose routes the client uses for the host on the port; null: the default route to the host's own cluster. */
  readonly chosen: VirtualServiceInfo | null;
  /**
   * Others with the same claim (same host pattern, same visibility group):
   * Istio takes the oldest and manifests carry no age, so the choice is
   * ambiguous (what Istio's analyzer reports as IST0109).
   */
  readonly competing: readonly VirtualServiceInfo[];
  /** Others that name the host but lose to the chosen one for this client (less specific host, or a later visibility group). */
  readonly shadowed: readonly VirtualServiceInfo[];
}

/** Lower-case, as pilot compares VirtualService hosts with Service hostnames (`separateVSHostsAndServices`). */
function matchedHost(vs: VirtualServiceInfo, host: string): { pattern: string; exact: boolean } | undefined {
  let best: { pattern: string; exact: boolean } | undefined;
  for (const raw of vs.fqdns) {
    const pattern = raw.toLowerCase();
    if (pattern === host) return { pattern, exact: true };
    const matches = pattern === '*' || (pattern.startsWith('*') && host.endsWith(pattern.slice(1)));
    if (matches && (!best || pattern.length > best.pattern.length)) best = { pattern, exact: false };
  }
  return best;
}

function routesOf(vs: VirtualServiceInfo, protocol?: RouteKind): readonly VirtualServiceRoute[] {
  if (protocol) return vs[protocol];
  return vs.http.length > 0 ? vs.http : vs.tls.length > 0 ? vs.tls : vs.tcp;
}

/**
 * The VirtualService a sidecar client uses for `host` on `port`: among those
 * visible to its namespace on `mesh` (and imported by its Sidecar), one whose
 * host equals the Service host wins over wildcards, the longest wildcard over
 * shorter ones, and an earlier visibility group over a later one. A
 * VirtualService with an exact host and no route for this client and port
 * yields the default route (pilot keeps no wildcard fallback then), as does a
 * most specific wildcard one without such a route.
 */
export function virtualServicesForClient(
  vss: readonly VirtualServiceInfo[], client: RouteClient, host: string, port: number, options: VirtualServiceLookupOptions = {},
): VirtualServiceChoice {
  const wanted = host.toLowerCase();
  let visible = visibleVirtualServices(vss, client.namespace, { defaultExportTo: options.defaultExportTo });
  if (options.sidecar) visible = visible.filter((vs) => virtualServiceImported(options.sidecar ?? null, vs, client.namespace, port));
  const defaults = options.defaultExportTo ?? ['*'];
  const candidates = visible
    .map((vs) => ({ vs, match: matchedHost(vs, wanted), reach: reachOf(vs, client.namespace, defaults) }))
    .filter((c): c is { vs: VirtualServiceInfo; match: { pattern: string; exact: boolean }; reach: Reach } => c.match !== undefined);
  if (candidates.length === 0) return { chosen: null, competing: [], shadowed: [] };
  const exact = candidates.filter((c) => c.match.exact);
  // A VirtualService with no route for this client and port builds no virtual host (pilot: "no routes matched").
  const routed = (c: { vs: VirtualServiceInfo }): boolean => selectedEntries(c.vs, client, port, MESH_GATEWAY, options.protocol).length > 0;
  let winner: typeof candidates[number] | undefined;
  let peers: typeof candidates;
  if (exact.length > 0) {
    // Every exact VirtualService builds a virtual host; the first one with routes for this port keeps the domain.
    winner = exact.find(routed);
    peers = exact;
  } else {
    const longest = Math.max(...candidates.map((c) => c.match.pattern.length));
    peers = candidates.filter((c) => c.match.pattern.length === longest);
    winner = peers[0];
    if (!routed(winner)) winner = undefined;
  }
  if (!winner) return { chosen: null, competing: [], shadowed: candidates.map((c) => c.vs) };
  const chosen = winner;
  const competing = peers
    .filter((c) => c !== chosen && c.reach === chosen.reach && c.match.pattern === chosen.match.pattern && routed(c))
    .map((c) => c.vs);
  const shadowed = candidates.filter((c) => c !== chosen && !competing.includes(c.vs)).map((c) => c.vs);
  return { chosen: chosen.vs, competing, shadowed };
}

/** One place a route sends the client's traffic. */
export interface RoutedDestination {
  /** The destination host, qualified against the VirtualService's namespace. */
  readonly host: string;
  readonly subset?: string;
  /** The cluster port: `destination.port`, else the Service's only port, else the port called. */
  readonly port?: number;
  /** The weight as Envoy gets it: 100 for a lone destination, else as written (zero-weight ones are dropped). */
  readonly weight: number;
  /** `weight` over the route's total: the share of the traffic. */
  readonly share: number;
  readonly route: { readonly kind: 'VirtualService'; readonly namespace: string; readonly name: string };
  /** Which route and match selected the client: `http[0].match[1]`, or `tcp[2]` for a route without matches. */
  readonly matchPath: string;
  /** JSON pointer of the destination entry. */
  readonly path: string;
}

export interface RouteDestinationOptions {
  /** The gateway asking (only `match.gateways` read it). @default 'mesh' */
  readonly gateway?: string;
  /** The route list the port uses. @default - the first non-empty of http, tls, tcp */
  readonly protocol?: RouteKind;
  /** The ports of a destination host's Service, when known: a Service with one port gives that port to destinations without one. */
  readonly servicePorts?: (host: string) => readonly number[] | undefined;
}

/** Whether a match selects the client on the port (pilot `sourceMatchHTTP`, `matchTLS`, `matchTCP`). */
function matchSelects(kind: RouteKind, m: RouteMatchInfo, client: RouteClient, port: number, gateway: string): boolean {
  if (m.port !== undefined && m.port !== port) return false;
  const labelsMatch = client.labels !== undefined ? selectorMatches(m.sourceLabels, client.labels) : Object.keys(m.sourceLabels).length === 0;
  const namespaceMatch = m.sourceNamespace === undefined || m.sourceNamespace === client.namespace;
  // HTTP: listed gateways decide alone, ignoring sourceLabels and sourceNamespace; TLS and TCP require all.
  if (kind === 'http' && m.gateways.length > 0) return m.gateways.includes(gateway);
  const gatewayMatch = m.gateways.length === 0 || m.gateways.includes(gateway);
  return gatewayMatch && labelsMatch && namespaceMatch;
}

/** Route entries selecting the client, in order, each with whether it ends the search (catches all the client's traffic). */
function selectedEntries(
  vs: VirtualServiceInfo, client: RouteClient, port: number, gateway: string, protocol?: RouteKind,
): { route: VirtualServiceRoute; matchPath: string; terminal: boolean }[] {
  const out: { route: VirtualServiceRoute; matchPath: string; terminal: boolean }[] = [];
  for (const route of routesOf(vs, protocol)) {
    const base = `${route.kind}[${route.index}]`;
    if (route.matches.length === 0) {
      out.push({ route, matchPath: base, terminal: true });
      return out;
    }
    for (const m of route.matches) {
      if (!matchSelects(route.kind, m, client, port, gateway)) continue;
      // TLS routes always leave the choice to the SNI, so none of them ends the search.
      const terminal = route.kind !== 'tls' && !m.narrowsRequests;
      out.push({ route, matchPath: `${base}.match[${m.index}]`, terminal });
      if (terminal) return out;
    }
  }
  return out;
}

function clusterPort(d: RouteDestinationInfo, calledPort: number, servicePorts?: (host: string) => readonly number[] | undefined): number {
  if (d.port !== undefined) return d.port;
  const ports = servicePorts?.(d.fqdn);
  return ports && ports.length === 1 ? ports[0] : calledPort;
}

/**
 * Where `vs`'s routes send a client's traffic for `host` on `port`: every
 * route match that selects the client (by `sourceLabels`, `sourceNamespace`,
 * `gateways` and `port`), in order, up to the first that catches all its
 * traffic; for each, the destinations with their cluster port and weight.
 * Redirects, direct responses and delegated routes send nowhere and yield no
 * destination. The third argument names the host called, for the reader: the
 * VirtualService is assumed to be the one chosen for it (`virtualServicesForClient`),
 * and pilot builds a VirtualService's routes without looking at its hosts.
 */
export function routeDestinations(
  vs: VirtualServiceInfo, client: RouteClient, _calledHost: string, port: number, options: RouteDestinationOptions = {},
): RoutedDestination[] {
  const gateway = options.gateway ?? MESH_GATEWAY;
  const out: RoutedDestination[] = [];
  for (const entry of selectedEntries(vs, client, port, gateway, options.protocol)) {
    if (entry.route.action !== 'route') continue;
    const all = entry.route.destinations;
    // Envoy drops zero-weight clusters of a weighted route; a lone destination takes everything.
    const kept = all.length === 1 ? all : all.filter((d) => d.weight > 0);
    const weights = kept.map((d) => (all.length === 1 ? 100 : d.weight));
    const total = weights.reduce((a, b) => a + b, 0);
    kept.forEach((d, i) => {
      out.push(Object.freeze({
        host: d.fqdn,
        ...(d.subset !== undefined ? { subset: d.subset } : {}),
        port: clusterPort(d, port, options.servicePorts),
        weight: weights[i],
        share: total > 0 ? weights[i] / total : 0,
        route: { kind: 'VirtualService' as const, namespace: vs.namespace, name: vs.name },
        matchPath: entry.matchPath,
        path: d.path,
      }));
    });
  }
  return out;
}

/** One host that several mesh VirtualServices claim in one export scope (Istio's analyzer IST0109). */
export interface MeshHostConflict {
  readonly virtualService: VirtualServiceInfo;
  /** `<scope>/<fqdn>`: the export scope (`*` or a namespace) and the host. */
  readonly scopedHost: string;
  /** Every VirtualService in the conflict, this one included. */
  readonly conflicting: readonly VirtualServiceInfo[];
}

/**
 * The VirtualServices Istio's `ConflictingMeshGatewayHostsAnalyzer` reports
 * (IST0109): those bound to `mesh` that share a host with another in the same
 * export scope (`exportTo` empty or containing `*` is the scope `*`, else each
 * listed namespace, `.` being the VirtualService's own). A namespace-scoped
 * host also conflicts with any `*`-scoped host that overlaps it, wildcards
 * included. Each VirtualService is reported once, with the first conflict
 * found. The analyzer ignores `defaultVirtualServiceExportTo`, and so does this.
 */
export function meshHostConflicts(vss: readonly VirtualServiceInfo[]): MeshHostConflict[] {
  const byScopedHost = new Map<string, VirtualServiceInfo[]>();
  for (const vs of vss) {
    if (!(vs.gateways.length === 0 || vs.gateways.includes(MESH_GATEWAY))) continue;
    const scopes = vs.exportTo.length === 0 || vs.exportTo.includes('*')
      ? ['*']
      : [...new Set(vs.exportTo.map((e) => (e === '.' ? vs.namespace : e)))];
    for (const scope of scopes) {
      for (const fqdn of vs.fqdns) {
        const key = `${scope}/${fqdn}`;
        byScopedHost.set(key, [...(byScopedHost.get(key) ?? []), vs]);
      }
    }
  }
  const out: MeshHostConflict[] = [];
  const reported = new Set<VirtualServiceInfo>();
  for (const [key, list] of byScopedHost) {
    const slash = key.indexOf('/');
    const scope = key.slice(0, slash);
    const fqdn = key.slice(slash + 1);
    let all = list;
    if (scope !== '*') {
      for (const [other, publicList] of byScopedHost) {
        if (other.startsWith('*/') && overlaps(fqdn, other.slice(2))) all = [...all, ...publicList];
      }
    }
    if (all.length < 2) continue;
    for (const vs of all) {
      if (reported.has(vs)) continue;
      reported.add(vs);
      out.push({ virtualService: vs, scopedHost: key, conflicting: all });
    }
  }
  return out;
}

/** Host names overlap, wildcards in either direction (pilot `host.Name.Matches`). */
function overlaps(a: string, b: string): boolean {
  const wa = a.startsWith('*');
  const wb = b.startsWith('*');
  if (wa && wb) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (wa) return b.endsWith(a.slice(1));
  if (wb) return a.endsWith(b.slice(1));
  return a === b;
}
