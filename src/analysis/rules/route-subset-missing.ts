import { Finding, findingOf } from '../../model/finding';
import { hostMatches, isWildcardHost, namespaceOfHost } from '../../model/hosts';
import { ServiceInfo, ServicePort, Workload } from '../../model/inventory';
import { Labels, formatLabels, selectorMatches } from '../../model/labels';
import { ResourceRef } from '../../model/manifest';
import { DestinationRulePolicy } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { SidecarInfo } from '../../model/sidecars';
import { SubsetInfo } from '../../model/traffic-policy';
import { RouteDestinationInfo, RouteKind, VirtualServiceInfo } from '../../model/virtual-services';
import { inboundProtocolOf } from '../../resolution/connection';
import { resolveDataplane } from '../../resolution/dataplane';
import { DestinationRuleLookup } from '../../resolution/destination-rule-lookup';
import { RouteClient, RoutedDestination, routeDestinations, virtualServicesForClient, visibleVirtualServices } from '../../resolution/routes';
import { sidecarFor, virtualServiceImported } from '../../resolution/sidecar-scope';
import { ANY_OTHER_NAMESPACE, AnalysisContext, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const ROUTE_SUBSET_MISSING: RuleInfo = {
  code: 'IMA027',
  category: 'route-subset-missing',
  severity: 'error',
  title: 'A route sends traffic to a subset the client\'s DestinationRule does not define, or that selects no pod',
  explanation: 'A VirtualService route with `subset: v2` sends the traffic to the cluster `outbound|port|v2|host`. A client '
    + 'sidecar builds that cluster only from the DestinationRule its own lookup picks for the destination host: its own '
    + 'namespace first, then the Service\'s, then the root namespace, the most specific host at each step; rules for one '
    + 'host in one namespace are merged and their subsets concatenated. When that rule has no such subset the cluster does '
    + 'not exist and the route fails (HTTP 503, no cluster; TCP connections are closed), even if another DestinationRule '
    + 'elsewhere defines the subset. istioctl\'s IST0101 only asks whether any DestinationRule in any namespace defines '
    + 'host+subset, so it misses a client-namespace rule that shadows the one with the subset; this rule judges each '
    + 'VirtualService a sidecar client actually uses (gateways empty or `mesh`, exportTo, the client\'s Sidecar imports, '
    + 'the most specific host, the route matches that select the client) from the sidecar clients in the input, or from a '
    + 'client in the VirtualService\'s namespace when none is there. A mirror to a missing subset only loses the copies '
    + '(warning). A subset that exists but whose labels, with the Service selector, select none of the Service\'s pod '
    + 'templates in the input gives an empty cluster, so its requests also get 503 (warning; the exact Envoy response flag is '
    + 'unverified). Labels pilot adds to endpoints from the node and cluster (topology.*, kubernetes.io/hostname) are not '
    + 'known offline and are taken to match. Ingress gateways and waypoints are not judged.',
  source: 'pilot/pkg/model/push_context.go (destinationRule), pilot/pkg/model/destination_rule.go (mergeDestinationRule), '
    + 'pilot/pkg/networking/core/route/route.go (GetDestinationCluster), '
    + 'pkg/config/analysis/analyzers/virtualservice/destinationrules.go (IST0101)',
};

/** Endpoint labels pilot adds from the node, cluster and network (`AugmentLabels`): unknown offline. */
export const AUGMENTED_LABELS: ReadonlySet<string> = new Set([
  'topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone',
  'topology.istio.io/cluster', 'topology.istio.io/network', 'kubernetes.io/hostname',
]);

/** A sidecar client: a workload of the input, or a stand-in for a namespace's clients. */
interface Client extends RouteClient {
  readonly workload?: Workload;
  /** The workloads of the client's class (they meet the same routes and rules), the first being `workload`. */
  readonly members?: Workload[];
}

/** `a, b, c and N more`, naming the workloads of the classes in order. */
function describeClients(classes: ReadonlySet<Client>): string {
  const names: string[] = [];
  let total = 0;
  for (const c of classes) {
    const members = c.members ?? [];
    total += members.length || 1;
    for (const w of members.length > 0 ? members : [undefined]) {
      if (names.length > 3) break;
      names.push(w ? describeWorkload(w) : describeClient(c));
    }
  }
  return total <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${total - 3} more`;
}

function describeClient(c: Client): string {
  if (c.workload) return describeWorkload(c.workload);
  return c.namespace === ANY_OTHER_NAMESPACE ? 'clients in any namespace' : `clients in namespace ${c.namespace}`;
}

/**
 * Sidecar clients of the input, plus a stand-in for namespaces whose
 * workloads are not in it, one per class of clients that meet the same
 * routes and rules: same namespace and Sidecar resource, and same labels
 * only where a route match (sourceLabels) or a DestinationRule
 * (workloadSelector) of the mesh reads them.
 */
function clientsOf(ctx: AnalysisContext): Client[] {
  const m = ctx.model;
  const matchesLabels = (vs: VirtualServiceInfo) => [...vs.http, ...vs.tls, ...vs.tcp]
    .some((r) => r.matches.some((mt) => Object.keys(mt.sourceLabels).length > 0));
  const readsLabels = m.virtualServices.some(matchesLabels) || m.destinationRules.some((d) => d.workloadSelector !== undefined);
  const plain = plainNamespaces(ctx);
  const classes = new Map<string, Client>();
  for (const w of m.workloads) {
    const d = resolveDataplane(m, w);
    if (d.dataplane !== 'sidecar' || !d.admitted) continue;
    // Namespaces with nothing of their own that routes, scopes or picks rules see the mesh alike: one class for all of them.
    const namespace = plain.has(w.namespace) ? ANY_OTHER_NAMESPACE : w.namespace;
    const sidecar = sidecarFor({ namespace: w.namespace, labels: w.labels }, m.sidecars, m.options.rootNamespace).sidecar;
    const labels = readsLabels ? JSON.stringify(Object.entries(w.labels).sort()) : '';
    const key = [namespace, sidecar ? `${sidecar.namespace}/${sidecar.name}` : '', labels].join('\u0000');
    const known = classes.get(key);
    if (known) known.members!.push(w);
    else classes.set(key, { namespace, labels: w.labels, workload: w, members: [w] });
  }
  const out = [...classes.values()];
  for (const vs of m.virtualServices) {
    if (!ctx.hasWorkloads(vs.namespace) && !out.some((c) => !c.workload && c.namespace === vs.namespace)) out.push({ namespace: vs.namespace });
  }
  if (m.workloads.length === 0) out.push({ namespace: ANY_OTHER_NAMESPACE });
  return out;
}

/** The workloads of the classes outside `own`, listed when a message first asks. */
function lazyMembers(plain: readonly { client: Client }[], own: ReadonlySet<string>): () => Workload[] {
  let members: Workload[] | undefined;
  return () => (members ??= plain.filter((c) => !own.has(c.client.namespace)).flatMap((c) => c.client.members ?? []));
}

/**
 * Namespaces whose clients see the mesh's routes and rules exactly as a
 * client of any other such namespace: no DestinationRule, VirtualService or
 * Sidecar of their own, named by no exportTo, and no root Sidecar whose `./`
 * would read their name.
 */
function plainNamespaces(ctx: AnalysisContext): Set<string> {
  const m = ctx.model;
  const out = new Set<string>();
  if (m.sidecars.some((s) => s.namespace === m.options.rootNamespace)) return out;
  const named = new Set<string>([m.options.rootNamespace]);
  for (const vs of m.virtualServices) { named.add(vs.namespace); for (const e of vs.exportTo) named.add(e); }
  for (const d of m.destinationRules) { named.add(d.namespace); for (const e of d.exportTo) named.add(e); }
  for (const s of m.sidecars) named.add(s.namespace);
  for (const w of m.workloads) if (!named.has(w.namespace)) out.add(w.namespace);
  return out;
}

/** The VirtualServices whose hosts cover `host`, in the model's order: the only ones the choice for the host weighs. */
function candidatesFor(m: AnalysisContext['model'], cache: Map<string, readonly VirtualServiceInfo[]>, host: string): readonly VirtualServiceInfo[] {
  let list = cache.get(host);
  if (!list) {
    list = m.virtualServices.filter((vs) => vs.fqdns.some((raw) => hostMatches(raw.toLowerCase(), host)));
    cache.set(host, list);
  }
  return list;
}

/**
 * The route lists a call on a Service port may use: HTTP routes for an HTTP
 * port, TLS and TCP routes for an opaque one, any of them for a port whose
 * protocol pilot detects (undefined: the first non-empty list, pilot's order).
 */
function routeKindsOf(port: ServicePort): (RouteKind | undefined)[] {
  switch (inboundProtocolOf(port)) {
    case 'http': return ['http'];
    case 'tcp': return ['tls', 'tcp'];
    default: return ['http', 'tls', 'tcp'];
  }
}

/** The Services a VirtualService host stands for; a host without a Service in the input stands for itself. */
function calledHosts(ctx: AnalysisContext, vs: VirtualServiceInfo): { host: string; service?: ServiceInfo }[] {
  const out: { host: string; service?: ServiceInfo }[] = [];
  for (const raw of vs.fqdns) {
    const host = raw.toLowerCase();
    if (isWildcardHost(host)) {
      for (const s of ctx.model.services) if (hostMatches(host, s.hostname)) out.push({ host: s.hostname, service: s });
      continue;
    }
    const service = ctx.model.serviceByHostname(host);
    out.push(service ? { host, service } : { host });
  }
  return out;
}

/** The ports (and the route list each uses) on which a client may call the host. */
function callsOf(vs: VirtualServiceInfo, service: ServiceInfo | undefined): { port: number; kinds: (RouteKind | undefined)[] }[] {
  if (service && service.ports.length > 0) return service.ports.map((p) => ({ port: p.port, kinds: routeKindsOf(p) }));
  // Unknown Service: every port a match names, and one no match names.
  const ports = new Set<number>([0]);
  for (const r of [...vs.http, ...vs.tls, ...vs.tcp]) for (const mt of r.matches) if (mt.port !== undefined) ports.add(mt.port);
  return [...ports].map((port) => ({ port, kinds: [undefined] }));
}

function serviceNamespaceOf(ctx: AnalysisContext, host: string, fallback: string): string {
  const m = ctx.model;
  const s = m.serviceByHostname(host);
  if (s) return s.namespace;
  const se = m.serviceEntries.find((e) => e.hosts.includes(host));
  if (se) return se.namespace;
  return namespaceOfHost(host, m.options.clusterDomain) ?? fallback;
}

/** The subset of that name in the rule a lookup picked (and the rules merged with it), the first one as pilot keeps it. */
function subsetIn(lookup: DestinationRuleLookup, name: string): SubsetInfo | undefined {
  const rules = lookup.rule ? [lookup.rule, ...lookup.competing] : [];
  for (const r of rules) {
    const s = r.traffic.subsets.find((x) => x.name === name);
    if (s) return s;
  }
  return undefined;
}

function subsetPath(d: RouteDestinationInfo): string {
  // A route entry and a `mirrors[]` entry hold a `destination`; `mirror` is the destination itself.
  return /\/mirror$/.test(d.path) ? `${d.path}/subset` : `${d.path}/destination/subset`;
}

function describeRule(r: DestinationRulePolicy): string {
  return `DestinationRule ${r.namespace}/${r.name}`;
}

interface Missing {
  vs: VirtualServiceInfo;
  dest: RouteDestinationInfo;
  mirror: boolean;
  where: string;
  clients: Set<Client>;
  lookup: DestinationRuleLookup;
}

interface Empty {
  subset: SubsetInfo;
  service: ServiceInfo;
  routes: string[];
}

function subsetSelectsSomething(ctx: AnalysisContext, service: ServiceInfo, labels: Labels): boolean | undefined {
  const m = ctx.model;
  const selector = service.selector;
  if (!selector) return undefined;
  const pods = m.workloadsOf(service);
  const entries = m.workloadEntries.filter((we) => we.namespace === service.namespace && selectorMatches(selector, we.labels));
  if (pods.length === 0 && entries.length === 0) return undefined;
  const known: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!AUGMENTED_LABELS.has(k)) known[k] = v;
  return pods.some((w) => selectorMatches(known, w.labels)) || entries.some((we) => selectorMatches(known, we.labels));
}

/** The subset legs of one routed destination: the destination itself, and the mirrors of its route. */
interface Leg {
  readonly dest: RouteDestinationInfo;
  readonly mirror: boolean;
  /** `http[0]`, with the weight when it is not the whole route, or `http[0] mirror`. */
  readonly where: string;
}

function legsOf(vs: VirtualServiceInfo, d: RoutedDestination): Leg[] {
  const kind: RouteKind = d.matchPath.startsWith('http') ? 'http' : d.matchPath.startsWith('tls') ? 'tls' : 'tcp';
  const route = vs[kind].find((r) => d.matchPath.startsWith(`${r.kind}[${r.index}]`));
  if (!route) return [];
  const share = d.share < 1 ? `, weight ${Math.round(d.share * 100)}%` : '';
  const legs: Leg[] = [];
  const own = route.destinations.find((x) => x.path === d.path);
  if (own?.subset !== undefined) legs.push({ dest: own, mirror: false, where: `${d.matchPath}${share}` });
  for (const mir of route.mirrors) if (mir.subset !== undefined) legs.push({ dest: mir, mirror: true, where: `${d.matchPath} mirror` });
  return legs;
}

/**
 * What of a client's namespace its routes and rules depend on, for one
 * VirtualService or host: the namespace itself where it holds a
 * DestinationRule or VirtualService for the hosts, is the VirtualService's
 * own, or is named by an exportTo; else any other namespace's view. Labels
 * count where a route match or a DestinationRule selects by them.
 */
class Viewpoints {
  private readonly named = new Set<string>();
  readonly readsLabels: boolean;
  private vsByNs?: Map<string, VirtualServiceInfo[]>;
  private ruleHosts?: { exact: Map<string, Set<string>>; wildcard: { host: string; namespace: string }[] };
  /** The hosts of each VirtualService and of its destinations. */
  private readonly hostsOf = new Map<VirtualServiceInfo, string[]>();

  constructor(private readonly ctx: AnalysisContext) {
    const m = ctx.model;
    for (const vs of m.virtualServices) for (const e of vs.exportTo) this.named.add(e);
    for (const d of m.destinationRules) for (const e of d.exportTo) this.named.add(e);
    const matchesLabels = (vs: VirtualServiceInfo) => [...vs.http, ...vs.tls, ...vs.tcp]
      .some((r) => r.matches.some((mt) => Object.keys(mt.sourceLabels).length > 0));
    this.readsLabels = m.virtualServices.some(matchesLabels) || m.destinationRules.some((d) => d.workloadSelector !== undefined);
  }

  /** The viewpoint of `client` on `vs`: its routes, their hosts and the rules for them. */
  of(client: Client, vs: VirtualServiceInfo): string {
    const hosts = this.hostsOfVs(vs);
    const own = client.namespace === vs.namespace || this.named.has(client.namespace)
      || hosts.some((h) => this.ctx.model.destinationRulesForHost(client.namespace, h.toLowerCase()).length > 0)
      || (this.vsNamespaces().get(client.namespace) ?? []).some((o) => o.fqdns.some((h) => hosts.includes(h)));
    return `${own ? client.namespace : ANY_OTHER_NAMESPACE}\u0000${this.readsLabels ? JSON.stringify(Object.entries(client.labels ?? {}).sort()) : ''}`;
  }

  /**
   * The namespaces whose view of `vs` is their own (see `of`): the
   * VirtualService's, those an exportTo names, those holding a
   * DestinationRule or VirtualService for its hosts. Every other
   * namespace sees it as any other does.
   */
  ownViewNamespaces(vs: VirtualServiceInfo): Set<string> {
    const m = this.ctx.model;
    const out = new Set<string>([vs.namespace, ...this.named]);
    if (!this.ruleHosts) {
      this.ruleHosts = { exact: new Map(), wildcard: [] };
      for (const d of m.destinationRules) this.index(this.ruleHosts, d.fqdn, d.namespace);
      for (const v of m.virtualServices) for (const h of v.fqdns) this.index(this.ruleHosts, h.toLowerCase(), v.namespace);
    }
    for (const h of this.hostsOfVs(vs)) {
      for (const ns of this.ruleHosts.exact.get(h.toLowerCase()) ?? []) out.add(ns);
      for (const w of this.ruleHosts.wildcard) if (hostMatches(w.host, h.toLowerCase()) || hostMatches(h.toLowerCase(), w.host)) out.add(w.namespace);
    }
    return out;
  }

  /** The viewpoint of `client` on the rules for `fqdn`. */
  forHost(client: Client, fqdn: string): string {
    const own = this.named.has(client.namespace) || this.ctx.model.destinationRulesForHost(client.namespace, fqdn).length > 0;
    return `${own ? client.namespace : ANY_OTHER_NAMESPACE}\u0000${this.readsLabels ? JSON.stringify(Object.entries(client.labels ?? {}).sort()) : ''}`;
  }

  private index(into: { exact: Map<string, Set<string>>; wildcard: { host: string; namespace: string }[] }, host: string, namespace: string): void {
    if (isWildcardHost(host)) {
      into.wildcard.push({ host, namespace });
      return;
    }
    const set = into.exact.get(host);
    if (set) set.add(namespace); else into.exact.set(host, new Set([namespace]));
  }

  private hostsOfVs(vs: VirtualServiceInfo): string[] {
    let hosts = this.hostsOf.get(vs);
    if (!hosts) {
      hosts = [...new Set([...vs.fqdns, ...[...vs.http, ...vs.tls, ...vs.tcp].flatMap((r) => [...r.destinations, ...r.mirrors].map((d) => d.fqdn))])];
      this.hostsOf.set(vs, hosts);
    }
    return hosts;
  }

  private vsNamespaces(): Map<string, VirtualServiceInfo[]> {
    if (!this.vsByNs) {
      this.vsByNs = new Map();
      for (const vs of this.ctx.model.virtualServices) {
        const l = this.vsByNs.get(vs.namespace);
        if (l) l.push(vs); else this.vsByNs.set(vs.namespace, [vs]);
      }
    }
    return this.vsByNs;
  }
}

/** Gathers what every client meets, one entry per route leg (missing) or per subset (empty). */
class Collector {
  readonly missing = new Map<string, Missing>();
  readonly empty = new Map<string, Empty>();
  private readonly lookups = new Map<string, DestinationRuleLookup>();
  /** Whether a subset selects any pod of a Service, by Service, rule and subset. */
  private readonly selects = new Map<string, boolean | undefined>();

  constructor(private readonly ctx: AnalysisContext) {}

  record(client: Client, vs: VirtualServiceInfo, leg: Leg, view: Viewpoints): void {
    const m = this.ctx.model;
    const fqdn = leg.dest.fqdn;
    const serviceNamespace = serviceNamespaceOf(this.ctx, fqdn, client.namespace);
    const lookupKey = `${view.forHost(client, fqdn)}\u0000${fqdn}\u0000${serviceNamespace}`;
    let lookup = this.lookups.get(lookupKey);
    if (!lookup) {
      lookup = this.ctx.lookup(client, fqdn, serviceNamespace);
      this.lookups.set(lookupKey, lookup);
    }
    const found = subsetIn(lookup, leg.dest.subset!);
    if (!found) {
      const key = `${vs.ref.namespace}/${vs.name}\u0000${leg.dest.path}`;
      const e = this.missing.get(key);
      if (!e) this.missing.set(key, { vs, dest: leg.dest, mirror: leg.mirror, where: leg.where, clients: new Set([client]), lookup });
      else e.clients.add(client);
      return;
    }
    const target = m.serviceByHostname(fqdn);
    if (!target) return;
    const selectsKey = `${target.key}\u0000${found.rule.namespace}/${found.rule.name}\u0000${found.path}`;
    let selects = this.selects.get(selectsKey);
    if (!this.selects.has(selectsKey)) {
      selects = subsetSelectsSomething(this.ctx, target, found.labels);
      this.selects.set(selectsKey, selects);
    }
    if (selects !== false) return;
    const key = `${found.rule.namespace}/${found.rule.name}\u0000${found.path}\u0000${target.key}`;
    const label = `VirtualService ${vs.namespace}/${vs.name} ${leg.where}`;
    const e = this.empty.get(key);
    if (!e) this.empty.set(key, { subset: found, service: target, routes: [label] });
    else if (!e.routes.includes(label)) e.routes.push(label);
  }
}

export const routeSubsetMissing: AnalysisRule = {
  info: ROUTE_SUBSET_MISSING,
  check(ctx): Finding[] {
    const m = ctx.model;
    const withSubsets = m.virtualServices.filter((vs) => [...vs.http, ...vs.tls, ...vs.tcp]
      .some((r) => [...r.destinations, ...r.mirrors].some((d) => d.subset !== undefined)));
    if (withSubsets.length === 0) return [];
    const found = new Collector(ctx);
    const servicePorts = (h: string) => m.serviceByHostname(h)?.ports.map((p) => p.port);
    const byHost = new Map<string, readonly VirtualServiceInfo[]>();
    const view = new Viewpoints(ctx);
    // Classes that see a VirtualService alike meet the same legs: each viewpoint is judged once, for all its classes.
    const groups = new Map<string, { vs: VirtualServiceInfo; sidecar: SidecarInfo | null; classes: Client[] }>();
    const add = (vs: VirtualServiceInfo, client: Client, sidecar: SidecarInfo | null) => {
      const key = `${vs.namespace}/${vs.name}\u0000${view.of(client, vs)}\u0000${sidecar ? `${sidecar.namespace}/${sidecar.name}` : ''}`;
      const group = groups.get(key);
      if (group) group.classes.push(client);
      else groups.set(key, { vs, sidecar, classes: [client] });
    };
    const classes = clientsOf(ctx).map((client) => ({
      client,
      sidecar: sidecarFor({ namespace: client.namespace, labels: client.labels ?? {} }, m.sidecars, m.options.rootNamespace).sidecar,
    }));
    const byNamespace = new Map<string, typeof classes>();
    for (const c of classes) {
      const list = byNamespace.get(c.client.namespace);
      if (list) list.push(c); else byNamespace.set(c.client.namespace, [c]);
    }
    const visibleTo = new Map<string, Set<VirtualServiceInfo>>();
    const sees = (namespace: string, vs: VirtualServiceInfo) => {
      let set = visibleTo.get(namespace);
      if (!set) { set = new Set(visibleVirtualServices(withSubsets, namespace)); visibleTo.set(namespace, set); }
      return set.has(vs);
    };
    const plain = classes.filter((c) => c.sidecar === null);
    const scoped = classes.filter((c) => c.sidecar !== null);
    for (const vs of withSubsets) {
      const own = view.ownViewNamespaces(vs);
      for (const ns of own) for (const c of byNamespace.get(ns) ?? []) if (sees(ns, vs)) add(vs, c.client, c.sidecar);
      if (view.readsLabels) {
        // Labels may set classes apart: each is judged on its own.
        for (const c of classes) if (!own.has(c.client.namespace) && sees(c.client.namespace, vs)) add(vs, c.client, c.sidecar);
        continue;
      }
      // Every other namespace sees the VirtualService alike (exported to all, or to none of them).
      const first = plain.find((c) => !own.has(c.client.namespace));
      if (first && sees(first.client.namespace, vs)) {
        const members = lazyMembers(plain, own);
        const others: Client = {
          namespace: first.client.namespace, labels: first.client.labels, workload: first.client.workload, get members() { return members(); },
        };
        add(vs, others, null);
      }
      for (const c of scoped) {
        if (own.has(c.client.namespace) || !sees(c.client.namespace, vs)) continue;
        // A Sidecar that imports none of the VirtualService's hosts hides its routes.
        if (!virtualServiceImported(c.sidecar, vs, c.client.namespace)) continue;
        add(vs, c.client, c.sidecar);
      }
    }
    for (const { vs, sidecar, classes: alike } of groups.values()) {
      const client = alike[0];
      const all: Client = alike.length === 1 ? client : { ...client, members: alike.flatMap((c) => c.members ?? []) };
      for (const { host, service } of calledHosts(ctx, vs)) {
        for (const { port, kinds } of callsOf(vs, service)) {
          for (const protocol of kinds) {
            const options = { sidecar, ...(protocol ? { protocol } : {}) };
            const choice = virtualServicesForClient(candidatesFor(m, byHost, host), client, host, port, options);
            // Several VirtualServices with the same claim: the oldest wins, which manifests do not show, so each may be the one.
            if (choice.chosen !== vs && !choice.competing.includes(vs)) continue;
            for (const d of routeDestinations(vs, client, host, port, { servicePorts, ...(protocol ? { protocol } : {}) })) {
              for (const leg of legsOf(vs, d)) found.record(all, vs, leg, view);
            }
          }
        }
      }
    }
    return [...[...found.missing.values()].map((x) => missingFinding(ctx, x)), ...[...found.empty.values()].map((x) => emptyFinding(ctx, x))];
  },
};

function missingFinding(ctx: AnalysisContext, x: Missing): Finding {
  const subset = x.dest.subset!;
  const picked = x.lookup.rule;
  const elsewhere = ctx.model.destinationRules.filter((r) => r !== picked && !x.lookup.competing.includes(r)
    && hostMatches(r.fqdn, x.dest.fqdn) && r.traffic.subsets.some((s) => s.name === subset));
  const ruleText = picked
    ? `${describeRule(picked)}, the rule these clients pick for ${x.dest.fqdn}, defines no subset ${subset}`
    : `no DestinationRule for ${x.dest.fqdn} is visible to these clients, so subset ${subset} is defined nowhere they look`;
  const also = elsewhere.length > 0 ? ` (${listSome(elsewhere.map(describeRule))} defines it, but is not the rule they pick)` : '';
  const effect = x.mirror ? 'the mirrored copies go to a cluster that does not exist and are lost' : 'the cluster does not exist and the traffic fails with 503';
  const related: ResourceRef[] = [...(picked ? [picked.ref] : []), ...elsewhere.map((r) => r.ref)];
  const fix = picked
    ? `add subset ${subset} (with its labels) to ${describeRule(picked)}, or route to a subset it defines`
    : `define subset ${subset} in a DestinationRule for ${x.dest.fqdn} that these clients see, or route without a subset`;
  return findingOf(ROUTE_SUBSET_MISSING, {
    resource: x.vs.ref,
    path: subsetPath(x.dest),
    message: `VirtualService ${x.vs.namespace}/${x.vs.name} ${x.where} sends ${describeClients(x.clients)} to subset ${subset} of `
      + `${x.dest.fqdn}, but ${ruleText}${also}; ${effect}`,
    fix: elsewhere.length > 0 && picked
      ? `${fix}; a DestinationRule in the client's namespace hides the others for that host, so copy the subset into it`
      : fix,
    related,
    ...(x.mirror ? { severity: 'warning' as const } : {}),
  });
}

function emptyFinding(ctx: AnalysisContext, x: Empty): Finding {
  const pods = ctx.model.workloadsOf(x.service).map(describeWorkload);
  return findingOf(ROUTE_SUBSET_MISSING, {
    resource: x.subset.rule,
    path: `${x.subset.path}/labels`,
    severity: 'warning',
    message: `Subset ${x.subset.name} of DestinationRule ${x.subset.rule.namespace}/${x.subset.rule.name} selects `
      + `${formatLabels(x.subset.labels) || 'every pod'} of Service ${x.service.namespace}/${x.service.name}, but none of its pod templates `
      + `(${listSome(pods)}) carries those labels; ${listSome(x.routes)} sends traffic to an empty cluster, which gets 503`,
    fix: `set the subset's labels to ones the pods of Service ${x.service.name} carry, or deploy the version it names`,
  });
}
