import { ContainerPort, Workload } from '../model/inventory';
import { selectorMatches } from '../model/labels';
import { sortedIndexOf } from '../model/lists';
import { ResourceRef } from '../model/manifest';
import { MeshModel } from '../model/mesh-model';
import { PeerAuthenticationMode, PeerAuthenticationPolicy, portLevelOf } from '../model/policies';

/** A mode a server sidecar enforces. */
export type EffectiveMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';
/** `ambiguous` when competing policies at one level would give different modes and only their age decides. */
export type ResolvedMode = EffectiveMode | 'ambiguous';
/** Where a mode came from. */
export type ModeLevel = 'default' | 'mesh' | 'namespace' | 'workload' | 'port';

export interface ModeDecision {
  readonly mode: ResolvedMode;
  /** Every mode Istio could pick (one unless ambiguous), sorted. */
  readonly possibleModes: readonly EffectiveMode[];
  /** The policy that set the mode; null for Istio's PERMISSIVE default or when ambiguous. */
  readonly decidedBy: PeerAuthenticationPolicy | null;
  readonly level: ModeLevel;
}

export interface PortModeDecision extends ModeDecision {
  readonly port: number;
}

export interface ServerModeResolution extends ModeDecision {
  readonly workload: Workload;
  /** The policies Istio considers at each level (more than one means only their age decides). */
  readonly meshPolicies: readonly PeerAuthenticationPolicy[];
  readonly namespacePolicies: readonly PeerAuthenticationPolicy[];
  readonly workloadPolicies: readonly PeerAuthenticationPolicy[];
  /** Policies whose relative age decides the result (empty when no level has a duplicate). */
  readonly competing: readonly ResourceRef[];
  /** Every container port plus every port a workload policy names, sorted. */
  readonly ports: readonly PortModeDecision[];
  /** The mode of one (target) port: its port-level mode, else the workload's. */
  portMode(port: number): ModeDecision;
}

/** One way the composition could end, given which competing policy is oldest. */
interface Outcome {
  readonly mode: EffectiveMode;
  readonly by: PeerAuthenticationPolicy | null;
  readonly level: ModeLevel;
}

const DEFAULT_OUTCOME: Outcome = { mode: 'PERMISSIVE', by: null, level: 'default' };

function applyLevel(state: readonly Outcome[], candidates: readonly PeerAuthenticationPolicy[], level: ModeLevel): Outcome[] {
  if (candidates.length === 0) return state.slice();
  const out: Outcome[] = [];
  for (const c of candidates) {
    if (c.mode === 'UNSET') out.push(...state);
    else out.push({ mode: c.mode, by: c, level });
  }
  return dedupe(out);
}

function dedupe(outcomes: readonly Outcome[]): Outcome[] {
  if (outcomes.length < 2) return [...outcomes];
  const seen = new Set<string>();
  const out: Outcome[] = [];
  for (const o of outcomes) {
    const k = `${o.mode}\u0000${o.by ? o.by.namespace + '/' + o.by.name : ''}\u0000${o.level}`;
    if (!seen.has(k)) { seen.add(k); out.push(o); }
  }
  return out;
}

/** The sorted mode lists decisions use, one frozen copy of each (there are seven). */
const MODE_LISTS = new Map<string, readonly EffectiveMode[]>();

function modeList(outcomes: readonly Outcome[]): readonly EffectiveMode[] {
  // One outcome, the usual case: its mode's list, without building a key.
  if (outcomes.length === 1) return singleMode(outcomes[0].mode);
  const modes = [...new Set(outcomes.map((o) => o.mode))].sort();
  const key = modes.join();
  let list = MODE_LISTS.get(key);
  if (!list) { list = Object.freeze(modes); MODE_LISTS.set(key, list); }
  return list;
}

function singleMode(mode: EffectiveMode): readonly EffectiveMode[] {
  let list = MODE_LISTS.get(mode);
  if (!list) { list = Object.freeze([mode]); MODE_LISTS.set(mode, list); }
  return list;
}

function decide(outcomes: readonly Outcome[]): ModeDecision {
  const modes = modeList(outcomes);
  if (modes.length > 1) return { mode: 'ambiguous', possibleModes: modes, decidedBy: null, level: outcomes[0].level };
  // Same mode whichever competitor is oldest: report the first by name, deterministically.
  const first = outcomes.length === 1 ? outcomes[0] : [...outcomes].sort((a, b) => refKey(a.by).localeCompare(refKey(b.by)))[0];
  return { mode: modes[0], possibleModes: modes, decidedBy: first.by, level: first.level };
}

function refKey(p: PeerAuthenticationPolicy | null): string {
  return p ? `${p.namespace}/${p.name}` : '';
}

function portOutcomes(beforeWorkload: readonly Outcome[], workloadPolicies: readonly PeerAuthenticationPolicy[], port: number): Outcome[] {
  if (workloadPolicies.length === 0) return beforeWorkload.slice();
  const out: Outcome[] = [];
  for (const w of workloadPolicies) {
    const afterW: Outcome[] = w.mode === 'UNSET' ? [...beforeWorkload] : [{ mode: w.mode, by: w, level: 'workload' }];
    const pl = portLevelOf(w, port);
    // A port-level UNSET inherits the workload's mode (ComposePeerAuthentication).
    if (pl && pl.mode !== 'UNSET') out.push({ mode: pl.mode as Exclude<PeerAuthenticationMode, 'UNSET'>, by: w, level: 'port' });
    else out.push(...afterW);
  }
  return dedupe(out);
}

/** The PeerAuthentications Istio weighs for a workload, by level. */
export function peerAuthenticationCandidates(model: MeshModel, namespace: string, labels: Readonly<Record<string, string>> | undefined): {
  mesh: PeerAuthenticationPolicy[]; namespace: PeerAuthenticationPolicy[]; workload: PeerAuthenticationPolicy[];
} {
  const levels = namespaceLevels(model, namespace);
  return { mesh: [...levels.mesh], namespace: [...levels.namespace], workload: workloadCandidates(levels, labels) };
}

/** What every workload of a namespace shares: the mesh and namespace levels and the mode they give. */
interface NamespaceLevels {
  readonly mesh: readonly PeerAuthenticationPolicy[];
  readonly namespace: readonly PeerAuthenticationPolicy[];
  /** The namespace's workload-level policies (a workload's candidates are those whose selector matches it). */
  readonly workloadPolicies: readonly PeerAuthenticationPolicy[];
  readonly beforeWorkload: readonly Outcome[];
  readonly decision: ModeDecision;
  /** The port modes of a workload no workload policy selects: the namespace's mode on every port. */
  readonly portMode: (port: number) => ModeDecision;
  /** The competing policies of the mesh and namespace levels. */
  readonly competing: readonly ResourceRef[];
  /** Port decisions of workloads no workload policy selects, by port (shared: they are the same). */
  readonly portDecisions: Map<number, PortModeDecision>;
  /** The lists of those decisions, by the workload's container port list (`namespacePorts`). */
  readonly portLists: Map<readonly ContainerPort[], readonly PortModeDecision[]>;
  /** The modes of workloads some workload policy selects: by each of their policies in turn, then their container port list (`selectedModes`). */
  readonly selected: Map<object, unknown>;
}

/** What a workload's modes depend on beyond its namespace: the workload policies that select it, and its container ports. */
interface SelectedModes {
  readonly decision: ModeDecision;
  readonly ports: readonly PortModeDecision[];
  readonly portMode: (port: number) => ModeDecision;
}

const NO_POLICIES: readonly PeerAuthenticationPolicy[] = Object.freeze([]);

/** Per model (immutable) and namespace: resolving thousands of workloads shares these instead of rebuilding them. */
const levelsByModel = new WeakMap<MeshModel, Map<string, NamespaceLevels>>();

function namespaceLevels(model: MeshModel, namespace: string): NamespaceLevels {
  let byNamespace = levelsByModel.get(model);
  if (!byNamespace) { byNamespace = new Map(); levelsByModel.set(model, byNamespace); }
  let levels = byNamespace.get(namespace);
  if (!levels) {
    const root = model.options.rootNamespace;
    const mesh = Object.freeze(model.peerAuthenticationsIn(root).filter((p) => p.level === 'mesh'));
    const ns = Object.freeze(namespace === root ? [] : model.peerAuthenticationsIn(namespace).filter((p) => p.level === 'namespace'));
    const workloadPolicies = namespace === root ? [] : model.peerAuthenticationsIn(namespace).filter((p) => p.level === 'workload' && p.selector);
    const beforeWorkload = applyLevel(applyLevel([DEFAULT_OUTCOME], mesh, 'mesh'), ns, 'namespace');
    const decision = decide(beforeWorkload);
    levels = {
      mesh,
      namespace: ns,
      workloadPolicies,
      beforeWorkload,
      decision,
      portMode: () => decision,
      competing: Object.freeze(competingOf([mesh, ns])),
      portDecisions: new Map(),
      portLists: new Map(),
      selected: new Map(),
    };
    byNamespace.set(namespace, levels);
  }
  return levels;
}

function workloadCandidates(levels: NamespaceLevels, labels: Readonly<Record<string, string>> | undefined): PeerAuthenticationPolicy[] {
  if (labels === undefined || levels.workloadPolicies.length === 0) return [];
  return levels.workloadPolicies.filter((p) => selectorMatches(p.selector!, labels));
}

/**
 * The mode a namespace's workloads get from the mesh and namespace policies
 * alone (what a workload with no workload policy enforces).
 */
export function resolveNamespaceMode(model: MeshModel, namespace: string): ModeDecision & { competing: readonly ResourceRef[] } {
  const levels = namespaceLevels(model, namespace);
  const { mode, possibleModes, decidedBy, level } = levels.decision;
  return { mode, possibleModes, decidedBy, level, competing: [...levels.competing] };
}

function competingOf(levels: readonly (readonly PeerAuthenticationPolicy[])[]): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const level of levels) if (level.length > 1) for (const p of level) out.push(p.ref);
  return out;
}

/**
 * The port decisions of a workload no workload policy selects: the
 * namespace's mode on each of its container ports, sorted. One frozen list per
 * namespace and port list (the model shares equal port lists).
 */
function namespacePorts(levels: NamespaceLevels, containerPorts: readonly ContainerPort[]): readonly PortModeDecision[] {
  let ports = levels.portLists.get(containerPorts);
  if (!ports) {
    const listed = [...new Set(containerPorts.map((p) => p.port))].sort((a, b) => a - b);
    ports = Object.freeze(listed.map((port) => {
      let p = levels.portDecisions.get(port);
      if (!p) { p = Object.freeze(portDecision(port, levels.decision)); levels.portDecisions.set(port, p); }
      return p;
    }));
    levels.portLists.set(containerPorts, ports);
  }
  return ports;
}

function portDecision(port: number, d: ModeDecision): PortModeDecision {
  return { port, mode: d.mode, possibleModes: d.possibleModes, decidedBy: d.decidedBy, level: d.level };
}

/**
 * The modes of a workload that `workloadPolicies` select, worked out once per
 * namespace, policies and container port list (the model shares equal port
 * lists): a policy that selects thousands of workloads and lists thousands of
 * ports would otherwise decide every port for every workload.
 */
function selectedModes(
  levels: NamespaceLevels, workloadPolicies: readonly PeerAuthenticationPolicy[], containerPorts: readonly ContainerPort[],
): SelectedModes {
  let node = levels.selected;
  for (const p of workloadPolicies) {
    let next = node.get(p) as Map<object, unknown> | undefined;
    if (!next) { next = new Map(); node.set(p, next); }
    node = next;
  }
  let modes = node.get(containerPorts) as SelectedModes | undefined;
  if (!modes) {
    const { beforeWorkload } = levels;
    const portSet = new Set<number>(containerPorts.map((p) => p.port));
    for (const w of workloadPolicies) for (const p of w.portLevel) portSet.add(p.port);
    const listed = [...portSet].sort((a, b) => a - b);
    const decisions = listed.map((port) => decide(portOutcomes(beforeWorkload, workloadPolicies, port)));
    modes = {
      decision: decide(applyLevel(beforeWorkload, workloadPolicies, 'workload')),
      ports: Object.freeze(listed.map((port, i) => portDecision(port, decisions[i]))),
      portMode: portModeOf(listed, decisions, beforeWorkload, workloadPolicies),
    };
    node.set(containerPorts, modes);
  }
  return modes;
}

/**
 * The mode of any port of a workload with workload policies: the decisions of
 * its listed ports are kept (the analysis holds one resolution per workload
 * while it runs, so this closure holds nothing else); any other port is
 * decided when asked.
 */
function portModeOf(
  listed: readonly number[], decisions: readonly ModeDecision[],
  beforeWorkload: readonly Outcome[], workloadPolicies: readonly PeerAuthenticationPolicy[],
): (port: number) => ModeDecision {
  return (port) => {
    const i = sortedIndexOf(listed, (p) => p, port);
    return i >= 0 ? decisions[i] : decide(portOutcomes(beforeWorkload, workloadPolicies, port));
  };
}

// An inner Map: its workloads live as long as the model, and WeakMaps cost the collector per entry.
const serversByModel = new WeakMap<MeshModel, Map<Workload, ServerModeResolution>>();

/**
 * The mode Istio enforces on a workload and each of its ports: start at
 * PERMISSIVE, then apply the mesh, namespace and workload policies where
 * their mode is set; port-level modes come only from the workload policy.
 * Memoized per model: asking again about a workload of the same model gives
 * the same resolution (the inbound resolution and explain both ask).
 */
export function resolveServerMode(model: MeshModel, workload: Workload): ServerModeResolution {
  let byWorkload = serversByModel.get(model);
  if (!byWorkload) { byWorkload = new Map(); serversByModel.set(model, byWorkload); }
  let r = byWorkload.get(workload);
  if (!r) { r = resolveUncached(model, workload); byWorkload.set(workload, r); }
  return r;
}

function resolveUncached(model: MeshModel, workload: Workload): ServerModeResolution {
  const levels = namespaceLevels(model, workload.namespace);
  const workloadPolicies = workloadCandidates(levels, workload.labels);
  const shared = workloadPolicies.length === 0;
  let portMode: (port: number) => ModeDecision;
  let decision: ModeDecision;
  let ports: readonly PortModeDecision[];
  if (shared) {
    decision = levels.decision;
    portMode = levels.portMode;
    ports = namespacePorts(levels, workload.ports);
  } else {
    ({ decision, ports, portMode } = selectedModes(levels, workloadPolicies, workload.ports));
  }
  // Fields listed rather than spread: V8 gives every object built by spreading and then adding fields a hidden class of its own.
  return {
    mode: decision.mode,
    possibleModes: decision.possibleModes,
    decidedBy: decision.decidedBy,
    level: decision.level,
    workload,
    meshPolicies: levels.mesh,
    namespacePolicies: levels.namespace,
    workloadPolicies: shared ? NO_POLICIES : workloadPolicies,
    competing: shared ? levels.competing : competingOf([levels.mesh, levels.namespace, workloadPolicies]),
    ports,
    portMode,
  };
}
