import { isClusterScoped } from './cluster-scoped';
import { contentFingerprint } from './content-fingerprint';
import { GatewayClassInfo, GatewayInfo, isGatewayClassManifest, isGatewayManifest, parseGateway, parseGatewayClass } from './gateways';
import { hostMatches, hostSpecificity, isWildcardHost, namespaceOfHost } from './hosts';
import {
  NamespaceInfo, ServiceInfo, WORKLOAD_KINDS, Workload, parseNamespace, parseService, parseWorkload,
} from './inventory';
import { LabelIndex, Labels, selectorMatches } from './labels';
import { frozenList } from './lists';
import { Manifest, ResourceRef, groupOf, isPlainObject, refOf } from './manifest';
import { MeshOptions, ResolvedMeshOptions, resolveMeshOptions } from './mesh-options';
import {
  AuthorizationPolicyInfo, DestinationRulePolicy, PeerAuthenticationPolicy,
  parseAuthorizationPolicy, parseDestinationRule, parsePeerAuthentication,
} from './policies';
import { ServiceEntryInfo, WorkloadEntryInfo, parseServiceEntry, parseWorkloadEntry } from './service-entries';
import { SharedValues, UNSHARED, ValueSharing } from './shared-values';
import { SidecarInfo, parseSidecar } from './sidecars';
import { VirtualServiceInfo, parseVirtualService } from './virtual-services';

/** A manifest the model left out, and why. */
export interface SkippedManifest {
  /** Index in the input array. */
  readonly index: number;
  readonly ref: ResourceRef;
  readonly reason: string;
}

/** One definition of an object the input defines more than once. */
export interface ObjectDefinition {
  /** Index in the input (across the parts of the model, in order). */
  readonly index: number;
  /** The manifest's own reference: its apiVersion and namespace as written. */
  readonly ref: ResourceRef;
  /** Definitions of the same content have the same variant: 0 for the first content in input order, 1 for the next, and so on. */
  readonly variant: number;
}

/**
 * An object the input defines more than once with different content: one
 * API group, kind, name and namespace it lands in. The cluster holds the
 * definition applied last, so what it holds depends on apply order.
 */
export interface ConflictingObject {
  readonly group: string;
  readonly kind: string;
  /** The namespace the object lands in (the default one when a manifest names none); empty for a cluster-scoped kind. */
  readonly namespace: string;
  readonly name: string;
  /** Every definition, in input order; `kubectl apply` of the whole input keeps the last. */
  readonly definitions: readonly ObjectDefinition[];
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
  /** Sorted by namespace, name. */
  readonly virtualServices: readonly VirtualServiceInfo[];
  readonly serviceEntries: readonly ServiceEntryInfo[];
  readonly workloadEntries: readonly WorkloadEntryInfo[];
  /** Istio Sidecar resources. */
  readonly sidecars: readonly SidecarInfo[];
  /** Gateway API Gateways (waypoints among them) and GatewayClasses. */
  readonly gateways: readonly GatewayInfo[];
  readonly gatewayClasses: readonly GatewayClassInfo[];
  /** Manifests left out (owned by another workload in the input, duplicated, unnamed). */
  readonly skipped: readonly SkippedManifest[];
  /** Pods left out of `workloads` because a workload of the input owns them (cluster dumps), for checks on running pods. */
  readonly ownedPods: readonly Workload[];
  /**
   * Objects defined more than once with different content (see
   * `contentFingerprint` for what counts as the same), sorted by namespace,
   * name, kind and group.
   */
  readonly conflictingObjects: readonly ConflictingObject[];

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

function byName<T extends { name: string }>(a: T, b: T): number {
  return cmp(a.name, b.name);
}

/**
 * Sorts `items` by namespace, then with `compare` within one (a stable sort,
 * in place), and gives each namespace's items, sorted.
 */
function sortByNamespace<T extends { namespace: string }>(items: T[], compare: (a: T, b: T) => number): Map<string, T[]> {
  const byNs = new Map<string, T[]>();
  for (const x of items) push(byNs, x.namespace, x);
  let i = 0;
  for (const ns of [...byNs.keys()].sort(cmp)) {
    const list = byNs.get(ns)!;
    if (list.length > 1) list.sort(compare);
    for (const x of list) items[i++] = x;
  }
  return byNs;
}

/** The least key of a non-empty map, as `Object.keys(map).sort()[0]`. */
function firstKey(map: Labels): string {
  let first: string | undefined;
  for (const k in map) if (first === undefined || k < first) first = k;
  return first!;
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

/** `group` is the manifest's API group, undefined when its apiVersion is not a string (then any group matches). */
function kindIs(m: Manifest, group: string | undefined, kind: string, wanted: string): boolean {
  return m.kind === kind && (group === undefined || group === wanted);
}

/**
 * What the model reads of one manifest (see `readForModel`): enough to build
 * the model without keeping the manifest. `ref` is the manifest's own
 * (`refOf`); `namespace` is where it applies (the default namespace when it
 * names none).
 * @internal
 */
export type ModelEntry =
  | { readonly read: 'not-an-object' }
  | { readonly read: 'other'; readonly ref: ResourceRef; readonly namespace: string }
  | { readonly read: 'pa'; readonly ref: ResourceRef; readonly namespace: string; readonly policy: PeerAuthenticationPolicy }
  | { readonly read: 'dr'; readonly ref: ResourceRef; readonly namespace: string; readonly policy: DestinationRulePolicy }
  | { readonly read: 'ap'; readonly ref: ResourceRef; readonly namespace: string; readonly policy: AuthorizationPolicyInfo }
  | { readonly read: 'namespace'; readonly ref: ResourceRef; readonly namespace: string; readonly info?: NamespaceInfo }
  | { readonly read: 'vs'; readonly ref: ResourceRef; readonly namespace: string; readonly info: VirtualServiceInfo }
  | { readonly read: 'se'; readonly ref: ResourceRef; readonly namespace: string; readonly info: ServiceEntryInfo }
  | { readonly read: 'we'; readonly ref: ResourceRef; readonly namespace: string; readonly info: WorkloadEntryInfo }
  | { readonly read: 'sidecar'; readonly ref: ResourceRef; readonly namespace: string; readonly info: SidecarInfo }
  | { readonly read: 'gateway'; readonly ref: ResourceRef; readonly namespace: string; readonly info: GatewayInfo }
  | { readonly read: 'gatewayclass'; readonly ref: ResourceRef; readonly namespace: string; readonly info: GatewayClassInfo }
  | { readonly read: 'crd'; readonly ref: ResourceRef; readonly namespace: string; readonly defines?: DefinedKind }
  | { readonly read: 'service'; readonly ref: ResourceRef; readonly namespace: string; readonly service?: ServiceInfo }
  | {
    readonly read: 'workload';
    readonly ref: ResourceRef;
    readonly namespace: string;
    readonly workload?: Workload;
    readonly owners: readonly { kind: string; name: string }[];
  };

/** The kind a CustomResourceDefinition defines, and whether its objects live outside namespaces (`scope: Cluster`). */
interface DefinedKind {
  readonly group: string;
  readonly kind: string;
  readonly clusterScoped: boolean;
}

/** What a CustomResourceDefinition manifest defines; undefined when it names no group or kind. */
function definedKind(m: Manifest): DefinedKind | undefined {
  const spec = isPlainObject(m.spec) ? m.spec : {};
  const kind = isPlainObject(spec.names) ? spec.names.kind : undefined;
  if (typeof spec.group !== 'string' || typeof kind !== 'string') return undefined;
  return { group: spec.group, kind, clusterScoped: spec.scope === 'Cluster' };
}

const NOT_AN_OBJECT: ModelEntry = Object.freeze({ read: 'not-an-object' });
const NO_OWNERS: readonly never[] = Object.freeze([]);

/**
 * Reads one manifest for the model. Pure: `buildMeshModel` is
 * `modelOfEntries` over the entries of its manifests, so a caller that streams
 * manifests can read each and drop it. Values equal across manifests (ports,
 * port lists, JSON pointers) are shared through `shared`: give every manifest
 * of one mesh the same.
 * @internal
 */
export function readForModel(m: Manifest, opts: ResolvedMeshOptions, shared: ValueSharing = UNSHARED): ModelEntry {
  if (!isPlainObject(m)) return NOT_AN_OBJECT;
  const ref = sharedRefOf(m, shared);
  const namespace = ref.namespace !== '' ? ref.namespace : opts.defaultNamespace;
  // The resources of the model carry the namespace they apply in; most manifests name it, so the ref is shared.
  const placed = ref.namespace === namespace ? ref : { ...ref, namespace };
  const group = typeof m.apiVersion === 'string' ? groupOf(m.apiVersion) : undefined;
  if (kindIs(m, group, 'PeerAuthentication', 'security.istio.io')) return { read: 'pa', ref, namespace, policy: parsePeerAuthentication(m, namespace, opts.rootNamespace, placed, shared) };
  if (kindIs(m, group, 'DestinationRule', 'networking.istio.io')) return { read: 'dr', ref, namespace, policy: parseDestinationRule(m, namespace, opts.clusterDomain, placed, shared) };
  if (kindIs(m, group, 'AuthorizationPolicy', 'security.istio.io')) return { read: 'ap', ref, namespace, policy: parseAuthorizationPolicy(m, namespace, placed, shared) };
  if (kindIs(m, group, 'Namespace', '')) return { read: 'namespace', ref, namespace, info: ref.name ? parseNamespace(m) : undefined };
  if (kindIs(m, group, 'VirtualService', 'networking.istio.io')) return { read: 'vs', ref, namespace, info: parseVirtualService(m, namespace, opts.clusterDomain, placed) };
  if (kindIs(m, group, 'ServiceEntry', 'networking.istio.io')) return { read: 'se', ref, namespace, info: parseServiceEntry(m, namespace) };
  if (kindIs(m, group, 'WorkloadEntry', 'networking.istio.io')) return { read: 'we', ref, namespace, info: parseWorkloadEntry(m, namespace) };
  if (kindIs(m, group, 'Sidecar', 'networking.istio.io')) return { read: 'sidecar', ref, namespace, info: parseSidecar(m, namespace, placed) };
  if (isGatewayManifest(m)) return { read: 'gateway', ref, namespace, info: parseGateway(m, namespace) };
  if (isGatewayClassManifest(m)) return { read: 'gatewayclass', ref, namespace, info: parseGatewayClass(m) };
  if (kindIs(m, group, 'CustomResourceDefinition', 'apiextensions.k8s.io')) return { read: 'crd', ref, namespace, defines: definedKind(m) };
  if (kindIs(m, group, 'Service', '')) return { read: 'service', ref, namespace, service: parseService(m, namespace, opts.clusterDomain, placed, shared) };
  if (WORKLOAD_KINDS.has(ref.kind)) {
    const owners = isPlainObject(m.metadata) && Array.isArray(m.metadata.ownerReferences)
      // Only a reference with a string kind and name can name a workload of the input.
      ? m.metadata.ownerReferences.flatMap((o) => (isPlainObject(o) && typeof o.kind === 'string' && typeof o.name === 'string'
        ? [{ kind: o.kind, name: o.name }] : []))
      : NO_OWNERS;
    return { read: 'workload', ref, namespace, workload: parseWorkload(m, namespace, placed, shared), owners };
  }
  return { read: 'other', ref, namespace };
}

/**
 * `refOf(m)`, with one copy per mesh of its API version, kind and namespace:
 * each repeats across many manifests, and one string for all of them is both
 * smaller and quicker to compare and look up when the model is built.
 */
function sharedRefOf(m: Manifest, shared: ValueSharing): ResourceRef {
  const ref = refOf(m);
  return { apiVersion: shared.string(ref.apiVersion), kind: shared.string(ref.kind), namespace: shared.string(ref.namespace), name: ref.name };
}

/** Builds the model. Never throws: objects of unknown shape are skipped or read leniently. */
export function buildMeshModel(manifests: readonly Manifest[], options?: MeshOptions): MeshModel {
  const opts = resolveMeshOptions(options);
  const entries = new ModelEntries(opts);
  for (const m of Array.isArray(manifests) ? manifests : []) entries.add(m);
  return modelOfEntries(entries, opts);
}

/** A resource the model keeps, which carries its ref and the namespace it applies in. */
type Resource = PeerAuthenticationPolicy | DestinationRulePolicy | AuthorizationPolicyInfo | ServiceInfo | Workload;

/** Marks an entry kept whole, not as its resource. */
const WHOLE = 'whole';

/**
 * What can read a manifest again (a `ManifestSource`, a lint input's source).
 * @internal
 */
export interface Rereadable {
  reread(): Manifest;
}

/**
 * The entries of one mesh's manifests, in input order, read one at a time
 * (`add`) and kept compact: the analysis holds every entry beside the whole
 * cdk8s app while it runs at synth time. An entry whose resource carries the
 * entry's own ref and namespace (most of them) is kept as that resource and
 * what it read; only the others are kept whole.
 * @internal
 */
export class ModelEntries {
  /** What entry i read, or `WHOLE` when `items[i]` is the entry itself. */
  private readonly reads: string[] = [];
  private readonly items: (Resource | ModelEntry)[] = [];
  /** Each entry's `contentFingerprint`: 8 bytes, where keeping the manifest would cost kilobytes. NaN until known. */
  private readonly fingerprints: number[] = [];
  /** How to read entry i's manifest again, when its fingerprint is worked out only if needed. */
  private readonly rereads: (Rereadable | undefined)[] = [];
  private readonly kinds: DefinedKind[] = [];

  /** `shared`: one per mesh (the default); give entries of one mesh the same. */
  constructor(private readonly opts: ResolvedMeshOptions, private readonly shared: ValueSharing = new SharedValues()) {}

  get length(): number {
    return this.items.length;
  }

  /** What the CustomResourceDefinitions among the entries define, in input order. */
  get definedKinds(): readonly DefinedKind[] {
    return this.kinds;
  }

  /**
   * Reads one manifest (`readForModel`) and keeps its entry and the
   * fingerprint of its content. With `again` (whose `reread` gives the
   * manifest again, equal), the fingerprint is worked out only when asked
   * for: the model asks only for objects defined more than once.
   */
  add(m: Manifest, again?: Rereadable): void {
    const e = readForModel(m, this.opts, this.shared);
    if (again) this.push(e, NaN, again);
    else this.push(e, contentFingerprint(m));
  }

  /** `add` without the fingerprint, for a model whose definitions of one object are never compared (duplicate-object). */
  addUncompared(m: Manifest): void {
    this.push(readForModel(m, this.opts, this.shared));
  }

  /**
   * Keeps an entry `readForModel` read with the same options, and its
   * manifest's `contentFingerprint` if known, or how to read the manifest
   * again to work it out (see `add`).
   */
  push(e: ModelEntry, fingerprint = NaN, again?: Rereadable): void {
    this.fingerprints.push(fingerprint);
    this.rereads.push(again);
    if (e.read === 'crd' && e.defines) this.kinds.push(e.defines);
    const r = resourceOf(e);
    if (r && e.read !== 'not-an-object' && r.ref === e.ref && r.namespace === e.namespace && (e.read !== 'workload' || e.owners.length === 0)) {
      this.reads.push(e.read);
      this.items.push(r);
    } else {
      this.reads.push(WHOLE);
      this.items.push(e);
    }
  }

  /** Entry i, as `readForModel` read it. */
  entry(i: number): ModelEntry {
    const read = this.reads[i];
    const item = this.items[i];
    if (read === WHOLE) return item as ModelEntry;
    const r = item as Resource;
    switch (read) {
      case 'pa': return { read, ref: r.ref, namespace: r.namespace, policy: r as PeerAuthenticationPolicy };
      case 'dr': return { read, ref: r.ref, namespace: r.namespace, policy: r as DestinationRulePolicy };
      case 'ap': return { read, ref: r.ref, namespace: r.namespace, policy: r as AuthorizationPolicyInfo };
      case 'service': return { read, ref: r.ref, namespace: r.namespace, service: r as ServiceInfo };
      // 'workload', the last kind `push` keeps as its resource (then with no owners).
      default: return { read: 'workload', ref: r.ref, namespace: r.namespace, workload: r as Workload, owners: NO_OWNERS };
    }
  }

  /** The `contentFingerprint` of entry i's manifest; NaN when not known (also when reading it again fails). */
  fingerprint(i: number): number {
    const again = this.rereads[i];
    if (again !== undefined && Number.isNaN(this.fingerprints[i])) {
      this.rereads[i] = undefined;
      try {
        this.fingerprints[i] = contentFingerprint(again.reread());
      } catch {
        // A caller's reread that fails leaves the definitions uncompared, as `addUncompared` does; the rest of the lint goes on.
      }
    }
    return this.fingerprints[i];
  }

  /** Where entry i applies (the default namespace when its manifest names none); undefined when it was not an object. */
  namespace(i: number): string | undefined {
    const item = this.items[i];
    if (this.reads[i] !== WHOLE) return (item as Resource).namespace;
    const e = item as ModelEntry;
    return e.read === 'not-an-object' ? undefined : e.namespace;
  }

  /** True when entry i is a workload whose manifest names owners. */
  hasOwners(i: number): boolean {
    // An entry kept as its resource has none (see `push`).
    if (this.reads[i] !== WHOLE) return false;
    const e = this.items[i] as ModelEntry;
    return e.read === 'workload' && e.owners.length > 0;
  }

  /** The manifest's own ref of entry i (`refOf`); undefined when it was not an object. */
  ref(i: number): ResourceRef | undefined {
    const item = this.items[i];
    if (this.reads[i] !== WHOLE) return (item as Resource).ref;
    const e = item as ModelEntry;
    return e.read === 'not-an-object' ? undefined : e.ref;
  }
}

function resourceOf(e: ModelEntry): Resource | undefined {
  switch (e.read) {
    case 'pa': case 'dr': case 'ap': return e.policy;
    case 'service': return e.service;
    case 'workload': return e.workload;
    default: return undefined;
  }
}

/**
 * The model of the entries read with the same options, in input order (the
 * entries of each part, then the next part's).
 * @internal
 */
export function modelOfEntries(entries: ModelEntries | readonly ModelEntries[], opts: ResolvedMeshOptions): MeshModel {
  // Two steps, so that the model's lookups keep only the indexes, not what choosing the resources needed.
  return indexResources(chooseResources(entries instanceof ModelEntries ? [entries] : entries), opts);
}

/** Calls `f` with every entry of `parts` and its index across them, in order. */
function forEachEntry(parts: readonly ModelEntries[], f: (e: ModelEntry, index: number) => void): void {
  let index = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) f(part.entry(i), index++);
  }
}

/** The resources of the mesh, in input order: the last definition of each, unless owned by a workload of the input. */
interface ChosenResources {
  readonly namespaces: Map<string, NamespaceInfo>;
  readonly workloads: Workload[];
  readonly services: ServiceInfo[];
  readonly pas: PeerAuthenticationPolicy[];
  readonly drs: DestinationRulePolicy[];
  readonly aps: AuthorizationPolicyInfo[];
  readonly vss: VirtualServiceInfo[];
  readonly ses: ServiceEntryInfo[];
  readonly wes: WorkloadEntryInfo[];
  readonly sidecars: SidecarInfo[];
  readonly gateways: GatewayInfo[];
  readonly gatewayClasses: GatewayClassInfo[];
  readonly skipped: SkippedManifest[];
  readonly ownedPods: Workload[];
  readonly conflictingObjects: ConflictingObject[];
}

function chooseResources(parts: readonly ModelEntries[]): ChosenResources {
  const skipped: SkippedManifest[] = [];
  // Last definition wins, as with `kubectl apply` of a stream. `previous[i]`
  // is the index of the definition of the same object before entry i (-1
  // for none), and `superseded[i]` marks an entry defined again later:
  // found through a map by API group, kind, namespace and name, whose keys
  // are the entries' own strings, so no identity string is built per entry.
  const count = parts.reduce((n, p) => n + p.length, 0);
  const previous = new Int32Array(count).fill(-1);
  const superseded = new Uint8Array(count);
  const latest: ScopeMap = new Map();
  const clusterScoped = scopeOfKinds(parts);
  let owned = false;
  // Read through the entries' refs and namespaces: no entry is made for these passes.
  let at = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++, at++) {
      const ref = part.ref(i);
      if (ref === undefined) continue;
      const names = namesIn(latest, ref, part.namespace(i)!, clusterScoped);
      const before = names.get(ref.name);
      if (before !== undefined) { previous[at] = before; superseded[before] = 1; }
      names.set(ref.name, at);
      if (part.hasOwners(i)) owned = true;
    }
  }
  // Workload names for ownerReferences, only when some workload has an owner (cluster dumps).
  const workloadNames = new Set<string>();
  if (owned) {
    for (const part of parts) {
      for (let i = 0; i < part.length; i++) {
        const ref = part.ref(i);
        if (ref !== undefined && WORKLOAD_KINDS.has(ref.kind)) workloadNames.add(`${part.namespace(i)}/${ref.kind}/${ref.name}`);
      }
    }
  }

  const namespaces = new Map<string, NamespaceInfo>();
  const workloads: Workload[] = [];
  const services: ServiceInfo[] = [];
  const pas: PeerAuthenticationPolicy[] = [];
  const drs: DestinationRulePolicy[] = [];
  const aps: AuthorizationPolicyInfo[] = [];
  const vss: VirtualServiceInfo[] = [];
  const ses: ServiceEntryInfo[] = [];
  const wes: WorkloadEntryInfo[] = [];
  const sidecars: SidecarInfo[] = [];
  const gateways: GatewayInfo[] = [];
  const gatewayClasses: GatewayClassInfo[] = [];
  const ownedPods: Workload[] = [];
  const conflictingObjects: ConflictingObject[] = [];

  forEachEntry(parts, (e, index) => {
    if (e.read === 'not-an-object') {
      skipped.push({ index, ref: { apiVersion: '', kind: '', namespace: '', name: '' }, reason: 'not an object' });
      return;
    }
    const ref = e.ref;
    if (superseded[index]) {
      skipped.push({ index, ref, reason: 'redefined later in the input' });
      return;
    }
    // An unnamed manifest is no object yet: with generateName each makes a new one.
    if (ref.name && previous[index] >= 0) {
      const defs: { index: number; ref: ResourceRef }[] = [{ index, ref }];
      for (let i = previous[index]; i >= 0; i = previous[i]) defs.push({ index: i, ref: refAt(parts, i)! });
      const conflict = conflictOf(parts, e, defs.reverse(), clusterScoped);
      if (conflict) conflictingObjects.push(conflict);
    }
    switch (e.read) {
      case 'pa': pas.push(e.policy); break;
      case 'dr': drs.push(e.policy); break;
      case 'ap': aps.push(e.policy); break;
      case 'namespace': if (e.info) namespaces.set(e.info.name, e.info); break;
      case 'vs': vss.push(e.info); break;
      case 'se': ses.push(e.info); break;
      case 'we': wes.push(e.info); break;
      case 'sidecar': sidecars.push(e.info); break;
      case 'gateway': gateways.push(e.info); break;
      case 'gatewayclass': gatewayClasses.push(e.info); break;
      case 'service':
        if (e.service) services.push(e.service); else skipped.push({ index, ref, reason: 'Service without a name' });
        break;
      case 'workload': {
        const owner = e.owners.find((o) => workloadNames.has(`${e.namespace}/${o.kind}/${o.name}`));
        if (owner) {
          skipped.push({ index, ref, reason: `owned by ${owner.kind} ${e.namespace}/${owner.name} in the input` });
          if (e.workload && e.ref.kind === 'Pod') ownedPods.push(e.workload);
          return;
        }
        if (e.workload) workloads.push(e.workload); else skipped.push({ index, ref, reason: 'workload without a name or pod template' });
        break;
      }
    }
  });
  return {
    namespaces, workloads, services, pas, drs, aps, vss, ses, wes, sidecars, gateways, gatewayClasses, skipped, ownedPods, conflictingObjects,
  };
}

/** Whether objects of an API group and kind live outside namespaces. */
type ScopeOfKind = (group: string, kind: string) => boolean;

/**
 * `ScopeOfKind` for the entries of `parts`: the kinds of Kubernetes and the
 * Gateway API (`isClusterScoped`), and those a CustomResourceDefinition of
 * the input declares `scope: Cluster`. The first definition of a CRD
 * counts: the API server refuses to change the scope of one that exists.
 */
function scopeOfKinds(parts: readonly ModelEntries[]): ScopeOfKind {
  const custom = new Map<string, boolean>();
  for (const part of parts) {
    for (const d of part.definedKinds) {
      const key = `${d.group}\u0000${d.kind}`;
      if (!custom.has(key)) custom.set(key, d.clusterScoped);
    }
  }
  if (custom.size === 0) return isClusterScoped;
  return (group, kind) => custom.get(`${group}\u0000${kind}`) ?? isClusterScoped(group, kind);
}

/** The definitions of one object (the last is `e`), when their contents differ; undefined when they agree or one is not known. */
function conflictOf(
  parts: readonly ModelEntries[], e: NamedEntry, defs: readonly { index: number; ref: ResourceRef }[],
  clusterScoped: ScopeOfKind,
): ConflictingObject | undefined {
  const variants = new Map<number, number>();
  const definitions: ObjectDefinition[] = [];
  for (const { index, ref } of defs) {
    const fingerprint = fingerprintAt(parts, index);
    if (Number.isNaN(fingerprint)) return undefined;
    let variant = variants.get(fingerprint);
    if (variant === undefined) { variant = variants.size; variants.set(fingerprint, variant); }
    definitions.push({ index, ref, variant });
  }
  if (variants.size < 2) return undefined;
  const group = groupOf(e.ref.apiVersion);
  const namespace = clusterScoped(group, e.ref.kind) ? '' : e.namespace;
  return { group, kind: e.ref.kind, namespace, name: e.ref.name, definitions };
}

/** The part holding the entry at `index` across `parts`, and its index there. */
function locate(parts: readonly ModelEntries[], index: number): [ModelEntries, number] | undefined {
  let i = index;
  for (const part of parts) {
    if (i < part.length) return [part, i];
    i -= part.length;
  }
  return undefined;
}

/** The fingerprint of the entry at `index` across `parts`. */
function fingerprintAt(parts: readonly ModelEntries[], index: number): number {
  const at = locate(parts, index);
  return at ? at[0].fingerprint(at[1]) : NaN;
}

/** The manifest's own ref of the entry at `index` across `parts`. */
function refAt(parts: readonly ModelEntries[], index: number): ResourceRef | undefined {
  const at = locate(parts, index);
  return at ? at[0].ref(at[1]) : undefined;
}

type NamedEntry = Exclude<ModelEntry, { read: 'not-an-object' }>;

/** Entry indexes by API group, kind, namespace (none for a cluster-scoped kind) and name: what identifies a resource. */
type ScopeMap = Map<string, Map<string, Map<string, Map<string, number>>>>;

/** The map by name of the entries of `ref`'s API group and kind in namespace `placed` in `latest`, made at first use. */
function namesIn(latest: ScopeMap, ref: ResourceRef, placed: string, clusterScoped: ScopeOfKind): Map<string, number> {
  const group = groupOf(ref.apiVersion);
  let kinds = latest.get(group);
  if (!kinds) { kinds = new Map(); latest.set(group, kinds); }
  let namespaces = kinds.get(ref.kind);
  if (!namespaces) { namespaces = new Map(); kinds.set(ref.kind, namespaces); }
  // The API server clears the namespace of a cluster-scoped object: one object whatever namespace its manifests write.
  const namespace = clusterScoped(group, ref.kind) ? '' : placed;
  let names = namespaces.get(namespace);
  if (!names) { names = new Map(); namespaces.set(namespace, names); }
  return names;
}

function indexResources(chosen: ChosenResources, opts: ResolvedMeshOptions): MeshModel {
  const {
    namespaces, workloads, services, pas, drs, aps, vss, ses, wes, sidecars, gateways, gatewayClasses, skipped, ownedPods, conflictingObjects,
  } = chosen;

  // Sorted within each namespace, then the namespaces in order: fewer and cheaper comparisons than sorting the whole list.
  const workloadsByNs = sortByNamespace(workloads, (a, b) => cmp(a.name, b.name) || cmp(a.kind, b.kind));
  const sByNs = sortByNamespace(services, byName);
  const paByNs = sortByNamespace(pas, byName);
  const drByNs = sortByNamespace(drs, byName);
  const apByNs = sortByNamespace(aps, byName);
  for (const list of [vss, ses, wes, sidecars, gateways]) (list as { namespace: string; name: string }[]).sort(byNsName);
  gatewayClasses.sort(byName);

  // A namespace's workloads are its label index's items.
  const labelIndexByNs = new Map<string, LabelIndex<Workload>>();
  for (const [ns, list] of workloadsByNs) {
    const idx = new LabelIndex<Workload>();
    for (const w of list) idx.add(w, w.labels);
    labelIndexByNs.set(ns, idx);
  }
  // Indexes few lookups need are built at their first use: the model lives
  // beside the whole cdk8s app while it analyses at synth time.
  let globalIndex: LabelIndex<Workload> | undefined;
  const anywhere = (): LabelIndex<Workload> => {
    if (!globalIndex) {
      globalIndex = new LabelIndex<Workload>();
      for (const w of workloads) globalIndex.add(w, w.labels);
    }
    return globalIndex;
  };
  let bySa: Map<string, Workload[]> | undefined;
  const byServiceAccount = (): Map<string, Workload[]> => {
    if (!bySa) {
      bySa = new Map();
      for (const w of workloads) push(bySa, `${w.namespace}\u0000${w.serviceAccount}`, w);
    }
    return bySa;
  };
  const sByHost = new Map<string, ServiceInfo>();
  // Services indexed by their first selector label, so a workload finds its Services without scanning the namespace.
  const sBySelectorLabel = new Map<string, LabelIndex<ServiceInfo>>();
  for (const s of services) {
    sByHost.set(s.hostname, s);
    if (s.selector) {
      const k = firstKey(s.selector);
      let idx = sBySelectorLabel.get(s.namespace);
      if (!idx) { idx = new LabelIndex<ServiceInfo>(); sBySelectorLabel.set(s.namespace, idx); }
      idx.post(k, s.selector[k], s);
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
  for (const byNs of [namespaces, workloadsByNs, sByNs, paByNs, drByNs, apByNs]) for (const n of byNs.keys()) allNs.add(n);
  for (const list of [vss, ses, wes, sidecars, gateways]) for (const x of list) allNs.add(x.namespace);
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
    virtualServices: Object.freeze(vss),
    serviceEntries: Object.freeze(ses),
    workloadEntries: Object.freeze(wes),
    sidecars: Object.freeze(sidecars),
    gateways: Object.freeze(gateways),
    gatewayClasses: Object.freeze(gatewayClasses),
    skipped: Object.freeze(skipped),
    ownedPods: Object.freeze(ownedPods.sort(byNsName)),
    conflictingObjects: Object.freeze(conflictingObjects.sort((a, b) => byNsName(a, b) || cmp(a.kind, b.kind) || cmp(a.group, b.group))),
    namespaceNames,
    namespace: (name) => namespaces.get(name),
    peerAuthenticationsIn: (ns) => paByNs.get(ns) ?? EMPTY,
    destinationRulesIn: (ns) => drByNs.get(ns) ?? EMPTY,
    authorizationPoliciesIn: (ns) => apByNs.get(ns) ?? EMPTY,
    workloadsIn: (ns) => labelIndexByNs.get(ns)?.items ?? EMPTY,
    servicesIn: (ns) => sByNs.get(ns) ?? EMPTY,
    workloadsMatching: (ns, selector) => labelIndexByNs.get(ns)?.matching(selector, (w) => w.labels) ?? EMPTY,
    workloadsMatchingAnywhere: (selector) => anywhere().matching(selector, (w) => w.labels),
    servicesSelecting: (w) => {
      const out: ServiceInfo[] = [];
      const idx = sBySelectorLabel.get(w.namespace);
      if (!idx) return out;
      const take = (s: ServiceInfo): void => {
        if (s.selector && selectorMatches(s.selector, w.labels)) out.push(s);
      };
      for (const k in w.labels) idx.forEachPosted(k, w.labels[k], take);
      return out.sort(byNsName);
    },
    workloadsOf: (s) => {
      let r = workloadsOfCache.get(s.key);
      if (!r) {
        // Kept for the model's lifetime: copied to its own length (a filtered array keeps room for more).
        r = s.selector ? frozenList(labelIndexByNs.get(s.namespace)?.matching(s.selector, (w) => w.labels) ?? []) : EMPTY;
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
        r = frozenList((ns !== undefined ? sByNs.get(ns) ?? EMPTY : services).filter((s) => hostMatches(fqdn, s.hostname)));
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
    workloadsWithServiceAccount: (ns, sa) => byServiceAccount().get(`${ns}\u0000${sa}`) ?? EMPTY,
  };
  return Object.freeze(model);
}
