/**
 * VirtualServices as the sidecar sees them: hosts and route destinations
 * qualified against the VirtualService's namespace, gateway names in
 * `namespace/name` form, and for every route the match conditions that decide
 * which clients use it (pilot `ResolveVirtualServiceShortnames`,
 * `route.go` `sourceMatchHTTP`, `tls.go` `matchTLS`/`matchTCP`).
 */
import { pointer } from './finding';
import { Labels, stringMap } from './labels';
import { frozenList } from './lists';
import { Manifest, ResourceRef, isPlainObject, listOrEmpty, objectOrEmpty, refOf } from './manifest';
import { portNumber } from './policies';

/** The gateway name that stands for every sidecar of the mesh. */
export const MESH_GATEWAY = 'mesh';

/** The three route lists of a VirtualService; a sidecar uses the one of the port's protocol. */
export type RouteKind = 'http' | 'tls' | 'tcp';

/** What an HTTP route does instead of, or besides, forwarding. */
export type RouteAction = 'route' | 'redirect' | 'direct-response' | 'delegate';

/** One `route[]` entry: where the traffic goes. */
export interface RouteDestinationInfo {
  /** `destination.host` as written. */
  readonly host: string;
  /** The host qualified against the VirtualService's namespace (`reviews` → `reviews.<ns>.svc.<domain>`). */
  readonly fqdn: string;
  readonly subset?: string;
  /** `destination.port.number`, when set. */
  readonly port?: number;
  /** `weight` as written; 0 when absent (a lone destination gets all traffic whatever it says). */
  readonly weight: number;
  /** JSON pointer of the entry. */
  readonly path: string;
}

/** One `match[]` entry, reduced to what narrows clients plus a flag for what narrows requests. */
export interface RouteMatchInfo {
  readonly index: number;
  readonly path: string;
  /** `sourceLabels`; empty matches every client. */
  readonly sourceLabels: Labels;
  /** `gateways`, resolved to `namespace/name` (`mesh` kept). */
  readonly gateways: readonly string[];
  readonly port?: number;
  readonly sourceNamespace?: string;
  /**
   * True when the match also tests each request or connection (uri other than
   * prefix `/` or regex `.*`, headers, query parameters, method, authority,
   * scheme, SNI hosts, destination subnets): later routes can still see traffic
   * of the clients it selects.
   */
  readonly narrowsRequests: boolean;
}

/** One entry of `http`, `tls` or `tcp`. */
export interface VirtualServiceRoute {
  readonly kind: RouteKind;
  readonly index: number;
  /** `name` of an HTTP route, when set. */
  readonly name?: string;
  readonly path: string;
  /** Empty: the route applies to every client and request. */
  readonly matches: readonly RouteMatchInfo[];
  readonly destinations: readonly RouteDestinationInfo[];
  /** HTTP `mirror` and `mirrors[].destination`: copies of the traffic, whose answers are dropped. */
  readonly mirrors: readonly RouteDestinationInfo[];
  readonly action: RouteAction;
}

export interface VirtualServiceInfo {
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  /** `hosts` as written. */
  readonly hosts: readonly string[];
  /** `hosts` qualified against the VirtualService's namespace, in the same order. */
  readonly fqdns: readonly string[];
  /** `gateways` resolved to `namespace/name` (`mesh` kept); empty means `mesh` only. */
  readonly gateways: readonly string[];
  /** `exportTo` as written (`.` not yet replaced); empty means the mesh default. */
  readonly exportTo: readonly string[];
  readonly http: readonly VirtualServiceRoute[];
  readonly tls: readonly VirtualServiceRoute[];
  readonly tcp: readonly VirtualServiceRoute[];
  readonly annotations: Labels;
}

/**
 * Qualifies a VirtualService host or destination host against the
 * VirtualService's namespace (pilot `ResolveShortnameToFQDN`): only a name
 * without a dot is expanded; `*`, IP addresses and dotted names stay as written.
 */
export function qualifyVirtualServiceHost(host: string, namespace: string, clusterDomain: string): string {
  // IPv6 addresses carry no dot but a colon, and are never expanded.
  if (host === '' || host === '*' || host.includes('.') || host.includes(':')) return host;
  return `${host}.${namespace}.svc.${clusterDomain}`;
}

/**
 * Resolves a gateway reference to `namespace/name` (pilot `resolveGatewayName`):
 * `gw` and `./gw` name the VirtualService's namespace, the legacy
 * `gw.ns[.svc.cluster.local]` form names `ns`; `mesh` is kept as is.
 */
export function resolveGatewayName(gateway: string, namespace: string): string {
  if (gateway === MESH_GATEWAY) return gateway;
  const slash = gateway.indexOf('/');
  if (slash >= 0) return gateway.slice(0, slash) === '.' ? `${namespace}/${gateway.slice(slash + 1)}` : gateway;
  const dot = gateway.indexOf('.');
  if (dot < 0) return `${namespace}/${gateway}`;
  const rest = gateway.slice(dot + 1);
  const nextDot = rest.indexOf('.');
  return `${nextDot < 0 ? rest : rest.slice(0, nextDot)}/${gateway.slice(0, dot)}`;
}

function strings(v: unknown): string[] {
  return listOrEmpty(v).filter((x): x is string => typeof x === 'string');
}

function nonEmptyMap(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length > 0;
}

/** True when a `uri` StringMatch matches every path (absent, prefix `/`, regex `.*`): Envoy's catch-all test. */
function uriMatchesAll(uri: unknown): boolean {
  if (!isPlainObject(uri)) return true;
  if (uri.prefix === '/') return true;
  if (uri.regex === '.*') return true;
  return !('exact' in uri) && !('prefix' in uri) && !('regex' in uri);
}

function requestNarrowing(kind: RouteKind, m: Record<string, unknown>): boolean {
  if (kind === 'http') {
    return !uriMatchesAll(m.uri) || nonEmptyMap(m.headers) || nonEmptyMap(m.withoutHeaders) || nonEmptyMap(m.queryParams)
      || isPlainObject(m.method) || isPlainObject(m.authority) || isPlainObject(m.scheme);
  }
  // SNI hosts are checked per connection; destination subnets per address.
  return strings(m.sniHosts).length > 0 || strings(m.destinationSubnets).length > 0;
}

function parseMatch(kind: RouteKind, raw: unknown, index: number, basePath: string, namespace: string): RouteMatchInfo {
  const m = objectOrEmpty(raw);
  const port = portNumber(m.port);
  const sourceNamespace = typeof m.sourceNamespace === 'string' && m.sourceNamespace !== '' ? m.sourceNamespace : undefined;
  return Object.freeze({
    index,
    path: `${basePath}/match/${index}`,
    sourceLabels: stringMap(m.sourceLabels),
    gateways: frozenList(strings(m.gateways).map((g) => resolveGatewayName(g, namespace))),
    ...(port !== undefined ? { port } : {}),
    ...(sourceNamespace !== undefined ? { sourceNamespace } : {}),
    narrowsRequests: requestNarrowing(kind, m),
  });
}

/** A destination from a `route[]` entry (`destination` inside) or, with `bare`, a `mirror` (the Destination itself). */
function parseDestination(raw: unknown, path: string, namespace: string, clusterDomain: string, bare = false): RouteDestinationInfo | undefined {
  const entry = objectOrEmpty(raw);
  const d = bare ? entry : objectOrEmpty(entry.destination);
  if (typeof d.host !== 'string') return undefined;
  const port = portNumber(objectOrEmpty(d.port).number);
  const weight = typeof entry.weight === 'number' && Number.isFinite(entry.weight) ? entry.weight : 0;
  return Object.freeze({
    host: d.host,
    fqdn: qualifyVirtualServiceHost(d.host, namespace, clusterDomain),
    ...(typeof d.subset === 'string' && d.subset !== '' ? { subset: d.subset } : {}),
    ...(port !== undefined ? { port } : {}),
    weight,
    path,
  });
}

function actionOf(kind: RouteKind, r: Record<string, unknown>): RouteAction {
  if (kind !== 'http') return 'route';
  if (isPlainObject(r.delegate)) return 'delegate';
  if (isPlainObject(r.redirect)) return 'redirect';
  if (isPlainObject(r.directResponse)) return 'direct-response';
  return 'route';
}

function parseRoutes(kind: RouteKind, list: unknown, namespace: string, clusterDomain: string): readonly VirtualServiceRoute[] {
  return frozenList(listOrEmpty(list).map((raw, index) => {
    const r = objectOrEmpty(raw);
    const path = pointer('spec', kind, index);
    const destinations: RouteDestinationInfo[] = [];
    listOrEmpty(r.route).forEach((d, di) => {
      const parsed = parseDestination(d, `${path}/route/${di}`, namespace, clusterDomain);
      if (parsed) destinations.push(parsed);
    });
    const mirrors: RouteDestinationInfo[] = [];
    if (kind === 'http') {
      const single = parseDestination(r.mirror, `${path}/mirror`, namespace, clusterDomain, true);
      if (single) mirrors.push(single);
      listOrEmpty(r.mirrors).forEach((mp, mi) => {
        const parsed = parseDestination(mp, `${path}/mirrors/${mi}`, namespace, clusterDomain);
        if (parsed) mirrors.push(parsed);
      });
    }
    return Object.freeze({
      kind,
      index,
      ...(kind === 'http' && typeof r.name === 'string' && r.name !== '' ? { name: r.name } : {}),
      path,
      matches: frozenList(listOrEmpty(r.match).map((m, mi) => parseMatch(kind, m, mi, path, namespace))),
      destinations: frozenList(destinations),
      mirrors: frozenList(mirrors),
      action: actionOf(kind, r),
    });
  }));
}

/**
 * Reads a VirtualService placed in `namespace`. `ref` defaults to the
 * manifest's, placed in `namespace`.
 */
export function parseVirtualService(
  m: Manifest, namespace: string, clusterDomain: string, ref: ResourceRef = { ...refOf(m), namespace },
): VirtualServiceInfo {
  const spec = objectOrEmpty(m.spec);
  const hosts = strings(spec.hosts);
  return Object.freeze({
    ref,
    namespace,
    name: ref.name,
    hosts: frozenList(hosts),
    fqdns: frozenList(hosts.map((h) => qualifyVirtualServiceHost(h, namespace, clusterDomain))),
    gateways: frozenList(strings(spec.gateways).map((g) => resolveGatewayName(g, namespace))),
    exportTo: frozenList(strings(spec.exportTo)),
    http: parseRoutes('http', spec.http, namespace, clusterDomain),
    tls: parseRoutes('tls', spec.tls, namespace, clusterDomain),
    tcp: parseRoutes('tcp', spec.tcp, namespace, clusterDomain),
    annotations: stringMap(objectOrEmpty(m.metadata).annotations),
  });
}

/** True when sidecars (the `mesh` gateway) use the VirtualService: no `gateways`, or `mesh` among them. */
export function appliesToMesh(vs: VirtualServiceInfo): boolean {
  return vs.gateways.length === 0 || vs.gateways.includes(MESH_GATEWAY);
}
