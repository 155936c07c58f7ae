import { serviceWaypoint, workloadWaypoint } from './ambient-bindings';
import { WireTls } from './client-tls';
import {
  resolveConnectionLegs, serviceEntryService, serversOf, targetPortFor,
} from './connection';
import { Dataplane, resolveDataplane } from './dataplane';
import { Accepts, InboundPort, InboundResolution, resolveInbound } from './inbound';
import { ModeDecision, ResolvedMode, ServerModeResolution, resolveServerMode } from './server-mode';
import { resolveSidecar } from './sidecar';
import { isWildcardHost, namespaceOfHost } from '../model/hosts';
import { ServiceInfo, ServicePort, Workload, targetPortOn } from '../model/inventory';
import { selectorMatches } from '../model/labels';
import { MeshModel } from '../model/mesh-model';
import { AuthorizationPolicyInfo, PeerAuthenticationPolicy } from '../model/policies';
import { ServiceEntryInfo } from '../model/service-entries';
import { exceptionAnnotationKeys } from '../vocabulary/exception-annotations';

/** `{kind, namespace, name}` of the policy that decided. */
export interface ExplainedRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface ExplainedPort {
  readonly port: number;
  /** The mode the policies give the port, as its enforcer reads them (ztunnel has no DISABLE). */
  readonly mode: ResolvedMode;
  readonly decidedBy: ExplainedRef | null;
  /** What the port takes in fact: HBONE counts as mtls; a port no proxy captures takes plaintext whatever its mode. */
  readonly accepts: Accepts;
  /** Whether the port's traffic reaches the sidecar or ztunnel. */
  readonly captured: boolean;
  /** Why `accepts` differs from what the mode alone says, when it does. */
  readonly note?: string;
}

export interface ExplainedWorkload {
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
  /** True when the pods run an Istio sidecar (`dataplane` is `sidecar`). */
  readonly sidecar: boolean;
  /** Which proxy handles the workload's traffic. */
  readonly dataplane: Dataplane;
  /** Why that data plane: the label, annotation, webhook or fact that decided. */
  readonly dataplaneReason: string;
  /** Present (true) when the answer rests on a default the input does not confirm (an absent Namespace, …). */
  readonly assumed?: boolean;
  /** Present (false) when the pods are never created or never start (capture annotations the injector rejects). */
  readonly admitted?: boolean;
  /** The waypoint of an ambient workload: its own (pod traffic), else that of a Service selecting it. */
  readonly waypoint?: { readonly namespace: string; readonly name: string };
  readonly mode: ResolvedMode;
  readonly decidedBy: ExplainedRef | null;
  readonly ports: readonly ExplainedPort[];
  /** Present (true) when a workload or port-level policy that weakens mTLS carries the exception annotations. */
  readonly exception?: boolean;
}

export interface ExplainedConnection {
  readonly from: { readonly namespace: string; readonly name: string };
  readonly to: { readonly namespace: string; readonly name: string; readonly service: string; readonly port: number };
  /**
   * What goes on the wire; `hbone` is mTLS in an HBONE tunnel (ambient);
   * `ambiguous` when it depends on which competing DestinationRule or
   * PeerAuthentication is oldest (manifests carry no age), see `possibleTls`.
   */
  readonly tls: WireTls | 'ambiguous';
  /** Present when `tls` is `ambiguous`: every possibility, sorted. */
  readonly possibleTls?: readonly WireTls[];
  readonly outcome: 'ok' | 'fails';
  readonly reason: string;
  /** The DestinationRule the client's sidecar uses for the host, if any; null as well when several compete (see `competingDestinationRules`). */
  readonly destinationRule: { readonly namespace: string; readonly name: string } | null;
  /** Present when several DestinationRules compete for the host and only their age decides which (or how merged) applies: all of them. */
  readonly competingDestinationRules?: readonly { readonly namespace: string; readonly name: string }[];
  /** The VirtualService whose route sent this traffic; absent when no VirtualService matches (the host's default cluster). */
  readonly route?: ExplainedRef;
  /** The route destination's subset. */
  readonly subset?: string;
  /** The route destination's weight, when the route splits traffic (one entry per destination). */
  readonly weight?: number;
}

/** An object of the input the cluster would reject: it does not exist there, so the explanation leaves it out. */
export interface ExplainedLeftOut {
  readonly apiVersion: string;
  readonly kind: string;
  /** Empty for a cluster-scoped object or one that names no namespace. */
  readonly namespace: string;
  readonly name: string;
  /** Where the error is, when the object was read from a file. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** The first error the cluster would give. */
  readonly code: string;
  readonly message: string;
}

/** The `explain` JSON contract. */
export interface MeshExplanation {
  readonly workloads: readonly ExplainedWorkload[];
  readonly connections?: readonly ExplainedConnection[];
  /**
   * Objects left out because the cluster would reject them, sorted by
   * namespace, name, kind, file and line; absent when none was (or when the
   * caller did not validate the input, as `explainMesh` alone does not).
   */
  readonly leftOut?: readonly ExplainedLeftOut[];
}

export interface ExplainOptions {
  /**
   * List connections as well as workloads.
   * @default false
   */
  readonly connections?: boolean;
  /**
   * Which client→service pairs to list. `representative`: one client per
   * equivalence class (same namespace, same sidecar status, same
   * workloadSelector DestinationRules — they behave identically) toward the
   * Services of its namespace and the Services its namespace's DestinationRules
   * name; plus the callers ALLOW AuthorizationPolicies declare (by principal or
   * service account: those workloads; by namespace: its representatives)
   * toward the workloads they protect. Linear in the mesh plus the policies. `all`: every workload toward every Service endpoint;
   * quadratic, for small meshes.
   * @default 'representative'
   */
  readonly connectionScope?: 'representative' | 'all';
}

/** One ref per policy, shared by every workload and port it decides (an explanation names each policy thousands of times). */
const refsOfPolicies = new WeakMap<PeerAuthenticationPolicy, ExplainedRef>();

function refOfPolicy(p: PeerAuthenticationPolicy | null): ExplainedRef | null {
  if (!p) return null;
  let ref = refsOfPolicies.get(p);
  if (!ref) { ref = Object.freeze({ kind: 'PeerAuthentication', namespace: p.namespace, name: p.name }); refsOfPolicies.set(p, ref); }
  return ref;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One endpoint of a Service port: the workload behind it and the container port reached. */
interface Endpoint {
  readonly service: ServiceInfo;
  readonly port: ServicePort;
  readonly server: Workload;
  readonly targetPort: number;
}

/** The memoized facts of one namespace's workloads and Services. */
class NamespaceFacts {
  readonly sidecars = new Map<Workload, boolean>();
  readonly connectionEndpoints = new Map<ServiceInfo, readonly Endpoint[]>();
}

/**
 * Memoized per-workload facts, for the namespaces used most recently. An
 * explanation or analysis walks the mesh namespace by namespace, several
 * times over, so each fact is computed about once per walk, and what is kept
 * stays bounded (the analysis runs at synth time, beside the whole cdk8s
 * app). A fact asked again after its namespace was dropped is computed again,
 * equal to the first. The endpoints of Services are kept for every Service:
 * several rules walk them all, and they are no larger than the model.
 */
export class ResolutionCache {
  /** By namespace, least recently used first. */
  private readonly recent = new Map<string, NamespaceFacts>();
  private readonly endpoints = new Map<ServiceInfo, readonly Endpoint[]>();
  private lastNamespace?: string;
  private lastFacts?: NamespaceFacts;

  /** `namespaces`: how many namespaces' facts are kept. */
  constructor(readonly model: MeshModel, private readonly namespaces = 64) {}

  sidecar(w: Workload): boolean {
    const facts = this.factsOf(w.namespace);
    let s = facts.sidecars.get(w);
    if (s === undefined) { s = resolveSidecar(this.model, w).injected; facts.sidecars.set(w, s); }
    return s;
  }

  /** What makes two clients of a namespace send alike: data plane, HBONE, outbound capture annotations. */
  dataplaneKey(w: Workload): string {
    const d = resolveDataplane(this.model, w);
    const capture = d.dataplane === 'sidecar' ? Object.entries(w.podAnnotations).filter(([k]) => k.startsWith('traffic.sidecar.istio.io/')).sort().join(';') : '';
    return `${d.dataplane}\u0000${d.admitted}\u0000${capture}`;
  }

  server(w: Workload): ServerModeResolution {
    return resolveServerMode(this.model, w);
  }

  endpointsOf(service: ServiceInfo): readonly Endpoint[] {
    let e = this.endpoints.get(service);
    if (!e) {
      const out: Endpoint[] = [];
      for (const port of service.ports) {
        for (const server of this.model.workloadsOf(service)) {
          const targetPort = targetPortOn(port, server);
          if (targetPort !== undefined) out.push({ service, port, server, targetPort });
        }
      }
      e = out;
      this.endpoints.set(service, e);
    }
    return e;
  }

  /** Like `endpointsOf`, plus WorkloadEntry servers and ServiceEntry hosts (see `serversOf`): what connections reach. */
  connectionEndpointsOf(service: ServiceInfo): readonly Endpoint[] {
    const facts = this.factsOf(service.namespace);
    let e = facts.connectionEndpoints.get(service);
    if (!e) {
      const servers = serversOf(this.model, service);
      if (servers === this.model.workloadsOf(service)) {
        e = this.endpointsOf(service);
      } else {
        const out: Endpoint[] = [];
        for (const port of service.ports) {
          for (const server of servers) {
            const targetPort = targetPortFor(service, port, server);
            if (targetPort !== undefined) out.push({ service, port, server, targetPort });
          }
        }
        e = out;
      }
      facts.connectionEndpoints.set(service, e);
    }
    return e;
  }

  private factsOf(namespace: string): NamespaceFacts {
    if (namespace === this.lastNamespace) return this.lastFacts!;
    let facts = this.recent.get(namespace);
    if (facts) {
      this.recent.delete(namespace);
    } else {
      facts = new NamespaceFacts();
      if (this.recent.size >= this.namespaces) this.recent.delete(this.recent.keys().next().value!);
    }
    this.recent.set(namespace, facts);
    this.lastNamespace = namespace;
    this.lastFacts = facts;
    return facts;
  }
}

function weakens(p: PeerAuthenticationPolicy | null, mode: ResolvedMode): boolean {
  return p !== null && (p.level === 'workload') && (mode === 'PERMISSIVE' || mode === 'DISABLE');
}

function explainWorkload(cache: ResolutionCache, w: Workload): ExplainedWorkload {
  const r = cache.server(w);
  const inbound: InboundResolution = resolveInbound(cache.model, w);
  const plane = inbound.dataplane;
  const reasonKey = exceptionAnnotationKeys(cache.model.options.exceptionAnnotationPrefix).reason;
  const decisions: ModeDecision[] = [r, ...r.ports];
  const exception = decisions.some((d) => weakens(d.decidedBy, d.mode) && Boolean(d.decidedBy!.annotations[reasonKey]));
  // In ambient the workload's mode is ztunnel's reading of the policies (no DISABLE).
  const own = inbound.ambient ?? r;
  return {
    namespace: w.namespace,
    name: w.name,
    kind: w.kind,
    sidecar: plane.dataplane === 'sidecar',
    dataplane: plane.dataplane,
    dataplaneReason: plane.reason,
    ...(plane.assumed ? { assumed: true } : {}),
    ...(plane.admitted ? {} : { admitted: false }),
    ...waypointOf(cache.model, w, plane.dataplane),
    mode: own.mode,
    decidedBy: refOfPolicy(own.decidedBy),
    ports: inbound.ports.map(explainPort),
    ...(exception ? { exception: true } : {}),
  };
}

function explainPort(p: InboundPort): ExplainedPort {
  // Two literals rather than a spread: this runs for every port of every workload.
  const decidedBy = refOfPolicy(p.decidedBy);
  if (!p.note) return { port: p.port, mode: p.mode, decidedBy, accepts: p.accepts, captured: p.captured };
  return { port: p.port, mode: p.mode, decidedBy, accepts: p.accepts, captured: p.captured, note: p.note };
}

function waypointOf(model: MeshModel, w: Workload, dataplane: Dataplane): { waypoint?: { namespace: string; name: string } } {
  if (dataplane !== 'ambient') return {};
  const own = workloadWaypoint(model, w).waypoint;
  const bound = own ?? model.servicesSelecting(w).map((s) => serviceWaypoint(model, s).waypoint).find((x) => x !== null);
  return bound ? { waypoint: { namespace: bound.namespace, name: bound.name } } : {};
}

/** The class of clients that behave alike toward every host: namespace, sidecar, matching workloadSelector DestinationRules. */
function clientClassKey(cache: ResolutionCache, w: Workload): string {
  const selectorRules = cache.model.destinationRulesIn(w.namespace)
    .filter((d) => d.workloadSelector && selectorMatches(d.workloadSelector, w.labels))
    .map((d) => d.name);
  return `${w.namespace}\u0000${cache.dataplaneKey(w)}\u0000${selectorRules.join(',')}`;
}

function representatives(cache: ResolutionCache): Map<string, Workload[]> {
  const byNs = new Map<string, Workload[]>();
  const seen = new Set<string>();
  for (const w of cache.model.workloads) {
    const k = clientClassKey(cache, w);
    if (seen.has(k)) continue;
    seen.add(k);
    const l = byNs.get(w.namespace);
    if (l) l.push(w); else byNs.set(w.namespace, [w]);
  }
  return byNs;
}

function apTargets(model: MeshModel, ap: AuthorizationPolicyInfo): readonly Workload[] {
  const root = model.options.rootNamespace;
  if (ap.hasTargetRefs) return [];
  if (ap.namespace === root) return ap.selector ? model.workloadsMatchingAnywhere(ap.selector) : [];
  return model.workloadsMatching(ap.namespace, ap.selector ?? {});
}

/** The namespaces and service accounts an ALLOW policy names as sources (positive, exact values). */
export function declaredCallers(model: MeshModel, ap: AuthorizationPolicyInfo): { namespace: string; serviceAccount?: string }[] {
  const td = new Set([model.options.trustDomain, ...model.options.trustDomainAliases]);
  const out: { namespace: string; serviceAccount?: string }[] = [];
  for (const rule of ap.rules) {
    for (const use of rule.identityUses) {
      if (use.negative) continue;
      for (const v of use.values) {
        if (v.includes('*')) continue;
        if (use.field === 'principals' || use.field === 'when:source.principal') {
          const m = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(v);
          if (m && td.has(m[1])) out.push({ namespace: m[2], serviceAccount: m[3] });
        } else if (use.field === 'serviceAccounts') {
          const m = /^([^/]+)\/([^/]+)$/.exec(v);
          if (m) out.push({ namespace: m[1], serviceAccount: m[2] });
        } else if (use.field === 'namespaces' || use.field === 'when:source.namespace') {
          out.push({ namespace: v });
        }
      }
    }
  }
  return out;
}

function listConnections(cache: ResolutionCache, scope: 'representative' | 'all'): ExplainedConnection[] {
  const model = cache.model;
  const pairs = new Map<string, { client: Workload; ep: Endpoint }>();
  const add = (client: Workload, ep: Endpoint) => {
    const k = `${client.key}\u0000${ep.service.key}\u0000${ep.port.port}\u0000${ep.server.key}`;
    if (!pairs.has(k)) pairs.set(k, { client, ep });
  };
  if (scope === 'all') {
    const hosts = [...model.services, ...model.serviceEntries.flatMap((se) => se.hosts.map((h) => serviceEntryService(se, h)))];
    for (const client of model.workloads) for (const s of hosts) for (const ep of cache.connectionEndpointsOf(s)) add(client, ep);
  } else {
    const reps = representatives(cache);
    // ServiceEntry hosts: those of the client's namespace, and those its DestinationRules name.
    const entryHosts = new Map<string, ServiceInfo[]>();
    const entriesByHost = new Map<string, ServiceEntryInfo[]>();
    for (const se of model.serviceEntries) {
      for (const h of se.hosts) {
        const list = entryHosts.get(se.namespace);
        if (list) list.push(serviceEntryService(se, h)); else entryHosts.set(se.namespace, [serviceEntryService(se, h)]);
        const byHost = entriesByHost.get(h);
        if (byHost) byHost.push(se); else entriesByHost.set(h, [se]);
      }
    }
    const repOf = new Map<string, Workload>();
    for (const w of model.workloads) {
      const k = clientClassKey(cache, w);
      if (!repOf.has(k)) repOf.set(k, w);
    }
    for (const [ns, clients] of reps) {
      const targets = new Map<string, ServiceInfo>();
      for (const s of model.servicesIn(ns)) targets.set(s.key, s);
      for (const s of entryHosts.get(ns) ?? []) targets.set(s.key, s);
      for (const d of model.destinationRulesIn(ns)) {
        // Mesh-wide wildcards would pull in every Service; the same-namespace pairs already show their effect.
        if (isWildcardHost(d.fqdn) && namespaceOfHost(d.fqdn, model.options.clusterDomain) === undefined) continue;
        for (const s of model.servicesMatchingHost(d.fqdn)) targets.set(s.key, s);
        for (const se of entriesByHost.get(d.fqdn) ?? []) { const s = serviceEntryService(se, d.fqdn); targets.set(s.key, s); }
      }
      for (const client of clients) for (const s of targets.values()) for (const ep of cache.connectionEndpointsOf(s)) add(client, ep);
    }
    for (const ap of model.authorizationPolicies) {
      if (ap.action !== 'ALLOW') continue;
      const callers = declaredCallers(model, ap);
      if (callers.length === 0) continue;
      const clients = new Map<string, Workload>();
      for (const c of callers) {
        const ws = c.serviceAccount !== undefined ? model.workloadsWithServiceAccount(c.namespace, c.serviceAccount) : model.workloadsIn(c.namespace);
        // Named service accounts are listed as themselves (the policy names them); whole namespaces by representative.
        for (const w of ws) {
          const client = c.serviceAccount !== undefined ? w : repOf.get(clientClassKey(cache, w))!;
          clients.set(client.key, client);
        }
      }
      for (const target of apTargets(model, ap)) {
        for (const s of model.servicesSelecting(target)) {
          for (const ep of cache.endpointsOf(s)) {
            if (ep.server !== target) continue;
            for (const client of clients.values()) add(client, ep);
          }
        }
      }
    }
  }
  const out: ExplainedConnection[] = [];
  for (const { client, ep } of pairs.values()) {
    for (const r of resolveConnectionLegs(model, client, ep.service, ep.port.port, ep.server)) {
      // A choice only age decides is marked as such, never settled by name.
      const dr = r.competingDestinationRules ? null : r.client.destinationRule;
      out.push({
        from: { namespace: client.namespace, name: client.name },
        to: { namespace: ep.server.namespace, name: ep.server.name, service: ep.service.name, port: ep.port.port },
        tls: r.possibleTls ? 'ambiguous' : r.tls,
        ...(r.possibleTls ? { possibleTls: r.possibleTls } : {}),
        outcome: r.outcome,
        reason: r.reason,
        destinationRule: dr ? { namespace: dr.namespace, name: dr.name } : null,
        ...(r.competingDestinationRules
          ? { competingDestinationRules: r.competingDestinationRules.map((d) => ({ namespace: d.namespace, name: d.name })) } : {}),
        ...(r.route ? { route: { kind: r.route.kind, namespace: r.route.namespace, name: r.route.name } } : {}),
        ...(r.subset !== undefined ? { subset: r.subset } : {}),
        ...(r.weight !== undefined ? { weight: r.weight } : {}),
      });
    }
  }
  return out.sort((a, b) => cmp(a.from.namespace, b.from.namespace) || cmp(a.from.name, b.from.name)
    || cmp(a.to.namespace, b.to.namespace) || cmp(a.to.service, b.to.service) || a.to.port - b.to.port
    || cmp(a.to.name, b.to.name) || cmp(a.subset ?? '', b.subset ?? '') || (a.weight ?? 0) - (b.weight ?? 0) || cmp(a.reason, b.reason));
}

/**
 * `explanation` with the objects left out of it (see `MeshExplanation.leftOut`), sorted; unchanged when there are none.
 * @internal
 */
export function withLeftOut(explanation: MeshExplanation, leftOut: readonly ExplainedLeftOut[]): MeshExplanation {
  if (leftOut.length === 0) return explanation;
  const sorted = [...leftOut].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind)
    || cmp(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || cmp(a.code, b.code) || cmp(a.message, b.message));
  return { ...explanation, leftOut: sorted };
}

/**
 * What Istio will do on every workload and port, and (optionally) on the
 * connections between them. Deterministic: sorted by namespace, name, port.
 */
export function explainMesh(model: MeshModel, options: ExplainOptions = {}): MeshExplanation {
  const cache = new ResolutionCache(model);
  const workloads = model.workloads.map((w) => explainWorkload(cache, w))
    .sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind));
  if (!options.connections) return { workloads };
  return { workloads, connections: listConnections(cache, options.connectionScope ?? 'representative') };
}
