import { hostMatches, hostSpecificity, isWildcardHost, namespaceOfHost } from './hosts';
import {
  NamespaceInfo, ServiceInfo, WORKLOAD_KINDS, Workload, parseNamespace, parseService, parseWorkload,
} from './inventory';
import { LabelIndex, Labels, selectorMatches } from './labels';
import { Manifest, ResourceRef, groupOf, isPlainObject, refOf } from './manifest';
import { MeshOptions, ResolvedMeshOptions, resolveMeshOptions } from './mesh-options';
import {
  AuthorizationPolicyInfo, DestinationRulePolicy, PeerAuthenticationPolicy,
  parseAuthorizationPolicy, parseDestinationRule, parsePeerAuthentication,
} from './policies';

/** A manifest the model left out, and why. */
export interface SkippedManifest {
  /** Index in the input array. */
  readonly index: number;
  readonly ref: ResourceRef;
  readonly reason: string;
}

/**
 * A whole mesh as the engine sees it: policies and inventory, immutable and
 * indexed by namespace and label so every lookup stays linear in the mesh.
 */
export interface MeshModel {
  readonly options: ResolvedMeshOptions;
  /** Namespaces present as Namespace objects in the input, sorted by name. */
  readonly namespaces: readonly NamespaceInfo[];
  /** Sorted by namespace, name, kind. */
  readonly workloads: readonly Workload[];
  /** Sorted by namespace, name. */
  readonly services: readonly ServiceInfo[];
  /** Sorted by namespace, name. */
  readonly peerAuthentications: readonly PeerAuthenticationPolicy[];
  readonly destinationRules: readonly DestinationRulePolicy[];
  readonly authorizationPolicies: readonly AuthorizationPolicyInfo[];
  /** Manifests left out (owned by another workload in the input, duplicated, unnamed). */
  readonly skipped: readonly SkippedManifest[];

  /** Every namespace any input object names or lives in, plus the root namespace, sorted. */
  readonly namespaceNames: readonly string[];

  namespace(name: string): NamespaceInfo | undefined;
  peerAuthenticationsIn(namespace: string): readonly PeerAuthenticationPolicy[];
  destinationRulesIn(namespace: string): readonly DestinationRulePolicy[];
  authorizationPoliciesIn(namespace: string): readonly AuthorizationPolicyInfo[];
  workloadsIn(namespace: string): readonly Workload[];
  servicesIn(namespace: string): readonly ServiceInfo[];
  /** Workloads of `namespace` whose pod labels match `selector` (all of them for an empty selector). */
  workloadsMatching(namespace: string, selector: Labels): readonly Workload[];
  /** Workloads of any namespace whose pod labels match `selector`. */
  workloadsMatchingAnywhere(selector: Labels): readonly Workload[];
  /** Services of the workload's namespace whose selector matches its pod labels. */
  servicesSelecting(workload: Workload): readonly ServiceInfo[];
  /** Workloads a Service selects. */
  workloadsOf(service: ServiceInfo): readonly Workload[];
  serviceByHostname(hostname: string): ServiceInfo | undefined;
  /** Services whose hostname a (possibly wildcard) DestinationRule host covers. */
  servicesMatchingHost(fqdn: string): readonly ServiceInfo[];
  /**
   * DestinationRules of `namespace` whose host covers `hostname`, most
   * specific host first (ties by name).
   */
  destinationRulesForHost(namespace: string, hostname: string): readonly DestinationRulePolicy[];
  workloadsWithServiceAccount(namespace: string, serviceAccount: string): readonly Workload[];
}

const EMPTY: readonly never[] = Object.freeze([]);

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byNsName<T extends { namespace: string; name: string }>(a: T, b: T): number {
  return cmp(a.namespace, b.namespace) || cmp(a.name, b.name);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const l = map.get(key);
  if (l) l.push(value); else map.set(key, [value]);
}

interface DrNamespaceIndex {
  readonly exact: Map<string, DestinationRulePolicy[]>;
  /** Wildcard rules, most specific first. */
  readonly wildcards: DestinationRulePolicy[];
}

function kindIs(m: Manifest, kind: string, group: string): boolean {
  if (m.kind !== kind) return false;
  const g = typeof m.apiVersion === 'string' ? groupOf(m.apiVersion) : group;
  return g === group;
}

/** Builds the model. Never throws: objects of unknown shape are skipped or read leniently. */
export function buildMeshModel(manifests: readonly Manifest[], options?: MeshOptions): MeshModel {
  const opts = resolveMeshOptions(options);
  const skipped: SkippedManifest[] = [];
  const nsOf = (m: Manifest): string => {
    const ns = isPlainObject(m.metadata) ? m.metadata.namespace : undefined;
    return typeof ns === 'string' && ns ? ns : opts.defaultNamespace;
  };

  // Last definition wins, as with `kubectl apply` of a stream.
  const latest = new Map<string, number>();
  const input = Array.isArray(manifests) ? manifests : [];
  input.forEach((m, i) => {
    if (!isPlainObject(m)) return;
    const r = refOf(m);
    latest.set(`${groupOf(r.apiVersion)}\u0000${r.kind}\u0000${nsOf(m)}\u0000${r.name}`, i);
  });

  const workloadNames = new Set<string>();
  input.forEach((m) => {
    if (isPlainObject(m) && typeof m.kind === 'string' && WORKLOAD_KINDS.has(m.kind)) {
      workloadNames.add(`${nsOf(m)}/${m.kind}/${refOf(m).name}`);
    }
  });

  const namespaces = new Map<string, NamespaceInfo>();
  const workloads: Workload[] = [];
  const services: ServiceInfo[] = [];
  const pas: PeerAuthenticationPolicy[] = [];
  const drs: DestinationRulePolicy[] = [];
  const aps: AuthorizationPolicyInfo[] = [];

  input.forEach((m, index) => {
    if (!isPlainObject(m)) {
      skipped.push({ index, ref: { apiVersion: '', kind: '', namespace: '', name: '' }, reason: 'not an object' });
      return;
    }
    const ref = refOf(m);
    const ns = nsOf(m);
    if (latest.get(`${groupOf(ref.apiVersion)}\u0000${ref.kind}\u0000${ns}\u0000${ref.name}`) !== index) {
      skipped.push({ index, ref, reason: 'redefined later in the input' });
      return;
    }
    if (kindIs(m, 'PeerAuthentication', 'security.istio.io')) {pas.push(parsePeerAuthentication(m, ns, opts.rootNamespace));} else if (kindIs(m, 'DestinationRule', 'networking.istio.io')) {drs.push(parseDestinationRule(m, ns, opts.clusterDomain));} else if (kindIs(m, 'AuthorizationPolicy', 'security.istio.io')) {aps.push(parseAuthorizationPolicy(m, ns));} else if (kindIs(m, 'Namespace', '')) {
      if (ref.name) namespaces.set(ref.name, parseNamespace(m));
    } else if (kindIs(m, 'Service', '')) {
      const s = parseService(m, ns, opts.clusterDomain);
      if (s) services.push(s); else skipped.push({ index, ref, reason: 'Service without a name' });
    } else if (WORKLOAD_KINDS.has(ref.kind)) {
      const owners = isPlainObject(m.metadata) && Array.isArray(m.metadata.ownerReferences) ? m.metadata.ownerReferences : [];
      const owner = owners.find((o) => isPlainObject(o) && workloadNames.has(`${ns}/${String(o.kind)}/${String(o.name)}`));
      if (owner) {
        skipped.push({ index, ref, reason: `owned by ${String((owner as Record<string, unknown>).kind)} ${ns}/${String((owner as Record<string, unknown>).name)} in the input` });
        return;
      }
      const w = parseWorkload(m, ns);
      if (w) workloads.push(w); else skipped.push({ index, ref, reason: 'workload without a name or pod template' });
    }
  });

  workloads.sort((a, b) => byNsName(a, b) || cmp(a.kind, b.kind));
  services.sort(byNsName);
  pas.sort(byNsName);
  drs.sort(byNsName);
  aps.sort(byNsName);

  const paByNs = new Map<string, PeerAuthenticationPolicy[]>();
  for (const p of pas) push(paByNs, p.namespace, p);
  const drByNs = new Map<string, DestinationRulePolicy[]>();
  for (const d of drs) push(drByNs, d.namespace, d);
  const apByNs = new Map<string, AuthorizationPolicyInfo[]>();
  for (const a of aps) push(apByNs, a.namespace, a);
  const wByNs = new Map<string, Workload[]>();
  const labelIndexByNs = new Map<string, LabelIndex<Workload>>();
  const globalIndex = new LabelIndex<Workload>();
  const bySa = new Map<string, Workload[]>();
  for (const w of workloads) {
    push(wByNs, w.namespace, w);
    let idx = labelIndexByNs.get(w.namespace);
    if (!idx) { idx = new LabelIndex<Workload>(); labelIndexByNs.set(w.namespace, idx); }
    idx.add(w, w.labels);
    globalIndex.add(w, w.labels);
    push(bySa, `${w.namespace}\u0000${w.serviceAccount}`, w);
  }
  const sByNs = new Map<string, ServiceInfo[]>();
  const sByHost = new Map<string, ServiceInfo>();
  // Services indexed by their first selector label, so a workload finds its Services without scanning the namespace.
  const sBySelectorLabel = new Map<string, ServiceInfo[]>();
  for (const s of services) {
    push(sByNs, s.namespace, s);
    sByHost.set(s.hostname, s);
    if (s.selector) {
      const k = Object.keys(s.selector).sort()[0];
      push(sBySelectorLabel, `${s.namespace}\u0000${k}\u0000${s.selector[k]}`, s);
    }
  }
  const drIndex = new Map<string, DrNamespaceIndex>();
  for (const d of drs) {
    let idx = drIndex.get(d.namespace);
    if (!idx) { idx = { exact: new Map(), wildcards: [] }; drIndex.set(d.namespace, idx); }
    if (isWildcardHost(d.fqdn)) idx.wildcards.push(d); else push(idx.exact, d.fqdn, d);
  }
  for (const idx of drIndex.values()) {
    idx.wildcards.sort((a, b) => hostSpecificity(b.fqdn) - hostSpecificity(a.fqdn) || cmp(a.name, b.name));
  }

  const allNs = new Set<string>([opts.rootNamespace]);
  for (const n of namespaces.keys()) allNs.add(n);
  for (const x of [...workloads, ...services, ...pas, ...drs, ...aps]) allNs.add(x.namespace);
  const namespaceNames = Object.freeze([...allNs].sort());

  const workloadsOfCache = new Map<string, readonly Workload[]>();
  const servicesMatchingCache = new Map<string, readonly ServiceInfo[]>();

  const model: MeshModel = {
    options: opts,
    namespaces: Object.freeze([...namespaces.values()].sort((a, b) => cmp(a.name, b.name))),
    workloads: Object.freeze(workloads),
    services: Object.freeze(services),
    peerAuthentications: Object.freeze(pas),
    destinationRules: Object.freeze(drs),
    authorizationPolicies: Object.freeze(aps),
    skipped: Object.freeze(skipped),
    namespaceNames,
    namespace: (name) => namespaces.get(name),
    peerAuthenticationsIn: (ns) => paByNs.get(ns) ?? EMPTY,
    destinationRulesIn: (ns) => drByNs.get(ns) ?? EMPTY,
    authorizationPoliciesIn: (ns) => apByNs.get(ns) ?? EMPTY,
    workloadsIn: (ns) => wByNs.get(ns) ?? EMPTY,
    servicesIn: (ns) => sByNs.get(ns) ?? EMPTY,
    workloadsMatching: (ns, selector) => labelIndexByNs.get(ns)?.matching(selector, (w) => w.labels) ?? EMPTY,
    workloadsMatchingAnywhere: (selector) => globalIndex.matching(selector, (w) => w.labels),
    servicesSelecting: (w) => {
      const out: ServiceInfo[] = [];
      for (const k in w.labels) {
        for (const s of sBySelectorLabel.get(`${w.namespace}\u0000${k}\u0000${w.labels[k]}`) ?? EMPTY) {
          if (s.selector && selectorMatches(s.selector, w.labels)) out.push(s);
        }
      }
      return out.sort(byNsName);
    },
    workloadsOf: (s) => {
      let r = workloadsOfCache.get(s.key);
      if (!r) {
        r = s.selector ? labelIndexByNs.get(s.namespace)?.matching(s.selector, (w) => w.labels) ?? EMPTY : EMPTY;
        workloadsOfCache.set(s.key, r);
      }
      return r;
    },
    serviceByHostname: (h) => sByHost.get(h),
    servicesMatchingHost: (fqdn) => {
      let r = servicesMatchingCache.get(fqdn);
      if (r) return r;
      if (!isWildcardHost(fqdn)) {
        const s = sByHost.get(fqdn);
        r = s ? [s] : EMPTY;
      } else {
        // A namespace-confined wildcard only needs that namespace's Services.
        const ns = namespaceOfHost(fqdn, opts.clusterDomain);
        r = (ns !== undefined ? sByNs.get(ns) ?? EMPTY : services).filter((s) => hostMatches(fqdn, s.hostname));
      }
      servicesMatchingCache.set(fqdn, r);
      return r;
    },
    destinationRulesForHost: (ns, hostname) => {
      const idx = drIndex.get(ns);
      if (!idx) return EMPTY;
      const out: DestinationRulePolicy[] = [...(idx.exact.get(hostname) ?? EMPTY)];
      for (const d of idx.wildcards) if (hostMatches(d.fqdn, hostname)) out.push(d);
      return out;
    },
    workloadsWithServiceAccount: (ns, sa) => bySa.get(`${ns}\u0000${sa}`) ?? EMPTY,
  };
  return Object.freeze(model);
}
