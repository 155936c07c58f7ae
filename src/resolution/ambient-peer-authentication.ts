import { PeerAuthenticationPolicy, PortLevelMode, portLevelOf } from '../model/policies';

/*
 * PeerAuthentication as the destination ztunnel enforces it on an ambient pod
 * (istio/istio 1.30.3 pilot/pkg/serviceregistry/ambient/authorization.go,
 * policies.go, workloads.go; istio/ztunnel 1.30.3 src/rbac.rs, src/state.rs).
 *
 * istiod turns the policies into L4 DENY policies that refuse connections
 * without a peer identity: a static STRICT policy, and for a workload policy
 * with port-level modes a converted policy that names its exceptions. A
 * workload references one or both (`convertedSelectorPeerAuthentications`).
 * HBONE always carries an identity, so only plaintext is ever refused.
 */

/** What ztunnel enforces on a port: STRICT refuses plaintext; PERMISSIVE accepts it (there is no DISABLE in ambient). */
export type AmbientEffectiveMode = 'STRICT' | 'PERMISSIVE';
/** `ambiguous` when competing policies at one level would give different modes and only their age decides. */
export type AmbientResolvedMode = AmbientEffectiveMode | 'ambiguous';

export interface AmbientPortMode {
  readonly port: number;
  readonly mode: AmbientResolvedMode;
  /** Every mode istiod could pick (one unless ambiguous), sorted. */
  readonly possibleModes: readonly AmbientEffectiveMode[];
  /** The policy that set the mode; null for the PERMISSIVE default or when ambiguous. */
  readonly decidedBy: PeerAuthenticationPolicy | null;
  /** Why the mode differs from what the policy says, e.g. a DISABLE read as PERMISSIVE or ignored. */
  readonly note?: string;
}

/** A DISABLE that ztunnel does not enforce as written. */
export interface IgnoredDisable {
  readonly policy: PeerAuthenticationPolicy;
  /** Set for a port-level DISABLE. */
  readonly port?: number;
  /** `permissive`: it relaxes to PERMISSIVE; `ignored`: the port keeps the inherited STRICT. */
  readonly effect: 'ignored' | 'permissive';
}

/** A policy sidecars weigh that istiod never applies to ambient workloads. */
export interface UnseenPeerAuthentication {
  readonly policy: PeerAuthenticationPolicy;
  readonly reason: string;
}

export interface AmbientModeResolution {
  /** The mode of every port no port-level entry names. */
  readonly mode: AmbientResolvedMode;
  readonly possibleModes: readonly AmbientEffectiveMode[];
  readonly decidedBy: PeerAuthenticationPolicy | null;
  /** The ports asked for plus every port a workload policy names, sorted. */
  readonly ports: readonly AmbientPortMode[];
  readonly ignoredDisables: readonly IgnoredDisable[];
  readonly unseen: readonly UnseenPeerAuthentication[];
  /**
   * Set when, by the source, istiod attaches no PeerAuthentication at all
   * where the policies ask for STRICT ports [U]; the modes above are those the
   * policies ask for: the divergence is reported, not modelled.
   */
  readonly divergence?: string;
  /** The mode of any (container) port. */
  portMode(port: number): AmbientPortMode;
}

/** The PeerAuthentications Istio weighs for a workload, by level (`peerAuthenticationCandidates()`). */
export interface PeerAuthenticationCandidates {
  readonly mesh: readonly PeerAuthenticationPolicy[];
  readonly namespace: readonly PeerAuthenticationPolicy[];
  readonly workload: readonly PeerAuthenticationPolicy[];
}

const NOTE_DISABLE = 'DISABLE means PERMISSIVE in ambient: ztunnel never refuses HBONE';
const NOTE_PORT_DISABLE_IGNORED = 'port-level DISABLE under an inherited STRICT is ignored by ztunnel (only PERMISSIVE ports make istiod send the exceptions); use PERMISSIVE';
const NOTE_PORT_DISABLE_WITH_PERMISSIVE = 'port-level DISABLE under an inherited STRICT counts as PERMISSIVE only because the same policy has a PERMISSIVE port';
const UNSEEN_ROOT_SELECTOR = 'a root-namespace policy with a `selector` field, even an empty one, is not fetched for ambient workloads '
  + '(workloads.go fetchPeerAuthentications), while sidecars treat it as the mesh policy';

/** One way istiod could pick the oldest policy of each level. */
interface Scenario {
  readonly mesh: PeerAuthenticationPolicy | null;
  readonly namespace: PeerAuthenticationPolicy | null;
  /** The namespace policy the conversion sees: it looks up only policies without a `selector` field (policies.go PeerAuthByNamespace). */
  readonly namespaceForConversion: PeerAuthenticationPolicy | null;
  readonly workload: PeerAuthenticationPolicy | null;
}

/** The mode the mesh and namespace policies give, as `isEffectiveStrictPolicy` tracks it. */
interface Parent {
  readonly strict: boolean;
  readonly by: PeerAuthenticationPolicy | null;
}

interface Verdict {
  readonly mode: AmbientEffectiveMode;
  readonly by: PeerAuthenticationPolicy | null;
  readonly note?: string;
  readonly disable?: IgnoredDisable;
}

function orNone<T>(list: readonly T[]): readonly (T | null)[] {
  return list.length === 0 ? [null] : list;
}

function conversionNamespaces(
  chosen: PeerAuthenticationPolicy | null, all: readonly PeerAuthenticationPolicy[],
): readonly (PeerAuthenticationPolicy | null)[] {
  if (chosen === null || !chosen.hasSelectorField) return [chosen];
  // The oldest of the others is younger than `chosen`, but any of them may be it.
  return orNone(all.filter((p) => !p.hasSelectorField));
}

function scenariosOf(mesh: readonly PeerAuthenticationPolicy[], c: PeerAuthenticationCandidates): Scenario[] {
  const out: Scenario[] = [];
  for (const m of orNone(mesh)) {
    for (const n of orNone(c.namespace)) {
      for (const nc of conversionNamespaces(n, c.namespace)) {
        for (const w of orNone(c.workload)) out.push({ mesh: m, namespace: n, namespaceForConversion: nc, workload: w });
      }
    }
  }
  return out;
}

function parentOf(s: Scenario): Parent {
  let parent: Parent = { strict: false, by: null };
  if (s.mesh && s.mesh.mode !== 'UNSET') parent = { strict: s.mesh.mode === 'STRICT', by: s.mesh };
  // A namespace policy with mode UNSET inherits the mesh's.
  if (s.namespace && s.namespace.mode !== 'UNSET') parent = { strict: s.namespace.mode === 'STRICT', by: s.namespace };
  return parent;
}

function hasPortMode(w: PeerAuthenticationPolicy, ...modes: string[]): boolean {
  return w.portLevel.some((p) => modes.includes(p.mode));
}

/** PERMISSIVE set by `by` (null: Istio's default); a DISABLE is noted as read as PERMISSIVE. */
function relaxed(by: PeerAuthenticationPolicy | null): Verdict {
  if (by?.mode !== 'DISABLE') return { mode: 'PERMISSIVE', by };
  return { mode: 'PERMISSIVE', by, note: NOTE_DISABLE, disable: { policy: by, effect: 'permissive' } };
}

/** The mode the workload policy gives a port with no port-level mode of its own. */
function workloadDefault(w: PeerAuthenticationPolicy | null, parent: Parent): Verdict {
  if (w === null || w.mode === 'UNSET') return parent.strict ? { mode: 'STRICT', by: parent.by } : relaxed(parent.by);
  return w.mode === 'STRICT' ? { mode: 'STRICT', by: w } : relaxed(w);
}

/** What the policies of one scenario ask ztunnel to enforce on a port (`entry` is the port's port-level mode, if any). */
function verdictOf(s: Scenario, parent: Parent, entry: PortLevelMode | undefined): Verdict {
  const w = s.workload;
  if (w === null || entry === undefined || entry.mode === 'UNSET') return workloadDefault(w, parent);
  if (entry.mode === 'STRICT') return { mode: 'STRICT', by: w };
  if (entry.mode === 'PERMISSIVE') return { mode: 'PERMISSIVE', by: w };
  // DISABLE: inherited STRICT keeps it only when the policy has no PERMISSIVE port (authorization.go:174-194).
  if (w.mode === 'UNSET' && parent.strict) {
    if (!hasPortMode(w, 'PERMISSIVE')) return { mode: 'STRICT', by: parent.by, note: NOTE_PORT_DISABLE_IGNORED, disable: { policy: w, port: entry.port, effect: 'ignored' } };
    return { mode: 'PERMISSIVE', by: w, note: NOTE_PORT_DISABLE_WITH_PERMISSIVE, disable: { policy: w, port: entry.port, effect: 'permissive' } };
  }
  return { mode: 'PERMISSIVE', by: w, note: NOTE_DISABLE, disable: { policy: w, port: entry.port, effect: 'permissive' } };
}

/** True when the workload references its converted policy rather than (or besides) the static STRICT one. */
function referencesConversion(w: PeerAuthenticationPolicy, parent: Parent): boolean {
  if (w.portLevel.length === 0) return false;
  if (w.mode === 'STRICT') return hasPortMode(w, 'PERMISSIVE', 'DISABLE');
  if (w.mode === 'PERMISSIVE' || w.mode === 'DISABLE') return hasPortMode(w, 'STRICT');
  return parent.strict ? hasPortMode(w, 'PERMISSIVE') : hasPortMode(w, 'STRICT');
}

/**
 * Whether `convertPeerAuthentication` produces a policy, with its conditions
 * as written: they test the namespace and mesh policies literally, so a
 * namespace policy with mode UNSET does not pass on the mesh's STRICT, and the
 * mesh's STRICT skips STRICT ports whatever the workload mode.
 */
function conversionExists(w: PeerAuthenticationPolicy, ns: PeerAuthenticationPolicy | null, root: PeerAuthenticationPolicy | null): boolean {
  const nsStrict = ns?.mode === 'STRICT';
  const rootStrict = root?.mode === 'STRICT';
  const nsUnsetOrNone = ns === null || ns.mode === 'UNSET';
  let rules = w.mode === 'STRICT' ? 1 : 0;
  let groups = 0;
  let nonStrictPort = false;
  for (const p of w.portLevel) {
    if (p.mode === 'STRICT') {
      const skip = w.mode === 'STRICT' || (w.mode === 'UNSET' && nsStrict) || (nsUnsetOrNone && rootStrict);
      if (!skip) groups++;
    } else if (p.mode === 'PERMISSIVE' || p.mode === 'DISABLE') {
      if (w.mode === 'PERMISSIVE' || w.mode === 'DISABLE') continue;
      const parentNotStrict = (ns !== null && !nsStrict) || (ns === null && root !== null && !rootStrict) || (ns === null && root === null);
      if (w.mode === 'UNSET' && parentNotStrict) continue;
      nonStrictPort = true;
      rules++;
    }
  }
  if (w.mode === 'STRICT' && !nonStrictPort) return false;
  return rules > 0 || groups > 0;
}

function refKey(p: PeerAuthenticationPolicy | null): string {
  return p ? `${p.namespace}/${p.name}` : '';
}

function aggregate(port: number, verdicts: readonly Verdict[]): AmbientPortMode {
  const possibleModes = [...new Set(verdicts.map((v) => v.mode))].sort();
  if (possibleModes.length > 1) return { port, mode: 'ambiguous', possibleModes, decidedBy: null };
  // Same mode whichever competitor is oldest: report the first by name, deterministically.
  const first = [...verdicts].sort((a, b) => refKey(a.by).localeCompare(refKey(b.by)))[0];
  const base = { port, mode: first.mode, possibleModes, decidedBy: first.by };
  return first.note ? { ...base, note: first.note } : base;
}

function strictPortsText(ports: readonly number[], defaultStrict: boolean): string {
  const listed = ports.length > 0 ? `port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}` : '';
  if (defaultStrict) return listed ? `every port but the exceptions (${listed} included)` : 'every port but the exceptions';
  return listed;
}

function divergenceOf(s: Scenario, strictPorts: readonly number[], defaultStrict: boolean): string {
  const w = s.workload!;
  const given = `namespace policy ${s.namespaceForConversion ? refKey(s.namespaceForConversion) : 'none'}, mesh policy ${s.mesh ? refKey(s.mesh) : 'none'}`;
  return `[U] ${refKey(w)}: istiod references its converted policy instead of the static STRICT one `
    + '(istio/istio 1.30.3 pilot/pkg/serviceregistry/ambient/authorization.go convertedSelectorPeerAuthentications), '
    + `but convertPeerAuthentication, given ${given}, yields no rule, so by the source ztunnel enforces no PeerAuthentication `
    + `and accepts plaintext everywhere; the policies ask for STRICT on ${strictPortsText(strictPorts, defaultStrict)}`;
}

function disableKey(d: IgnoredDisable): string {
  return `${refKey(d.policy)}\u0000${d.port ?? ''}\u0000${d.effect}`;
}

/**
 * What the destination ztunnel enforces on each port of an ambient pod, from
 * the PeerAuthentications Istio weighs for it: mesh → namespace → workload
 * precedence with UNSET inheriting, DISABLE read as PERMISSIVE, a port-level
 * DISABLE under an inherited STRICT ignored unless the policy also has a
 * PERMISSIVE port, and a root-namespace policy with a `selector` field never
 * seen. Competing policies at one level give `ambiguous`.
 */
export function resolveAmbientMode(candidates: PeerAuthenticationCandidates, ports: readonly number[]): AmbientModeResolution {
  const mesh = candidates.mesh.filter((p) => !p.hasSelectorField);
  const unseen = candidates.mesh.filter((p) => p.hasSelectorField).map((policy) => ({ policy, reason: UNSEEN_ROOT_SELECTOR }));
  const portSet = new Set<number>(ports);
  for (const w of candidates.workload) for (const p of w.portLevel) portSet.add(p.port);
  const listed = [...portSet].sort((a, b) => a - b);

  const scenarios = scenariosOf(mesh, candidates).map((s) => ({ s, parent: parentOf(s) }));
  const defaults: Verdict[] = [];
  const byPort = new Map<number, Verdict[]>(listed.map((port) => [port, []]));
  const disables = new Map<string, IgnoredDisable>();
  const divergences = new Set<string>();
  const note = (d: IgnoredDisable | undefined) => { if (d) disables.set(disableKey(d), d); };
  for (const { s, parent } of scenarios) {
    const def = verdictOf(s, parent, undefined);
    defaults.push(def);
    note(def.disable);
    const strictPorts: number[] = [];
    for (const port of listed) {
      const v = verdictOf(s, parent, s.workload ? portLevelOf(s.workload, port) : undefined);
      byPort.get(port)!.push(v);
      note(v.disable);
      if (v.mode === 'STRICT') strictPorts.push(port);
    }
    // Port-level DISABLEs of ports the pod does not have still say what ztunnel makes of them.
    for (const p of s.workload?.portLevel ?? []) note(verdictOf(s, parent, p).disable);
    const w = s.workload;
    if (w && referencesConversion(w, parent) && !conversionExists(w, s.namespaceForConversion, s.mesh) && (def.mode === 'STRICT' || strictPorts.length > 0)) {
      divergences.add(divergenceOf(s, strictPorts, def.mode === 'STRICT'));
    }
  }

  const workloadDecision = aggregate(0, defaults);
  const portDecisions = listed.map((port) => aggregate(port, byPort.get(port)!));
  const portMode = (port: number): AmbientPortMode => {
    const i = listed.indexOf(port);
    return i >= 0 ? portDecisions[i] : { ...workloadDecision, port };
  };
  const ignoredDisables = [...disables.values()].sort((a, b) => disableKey(a).localeCompare(disableKey(b)));
  const result: AmbientModeResolution = {
    mode: workloadDecision.mode,
    possibleModes: workloadDecision.possibleModes,
    decidedBy: workloadDecision.decidedBy,
    ports: portDecisions,
    portMode,
    ignoredDisables,
    unseen,
  };
  return divergences.size > 0 ? { ...result, divergence: [...divergences].sort().join('; ') } : result;
}
