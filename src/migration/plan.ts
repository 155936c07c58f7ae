import { GateScope, gatePrometheusRule, gateQuery } from './gate';
import { namespacesOfInput, unknownNamespaceMessage } from './namespaces';
import { DeclaredCaller, MigrationPlanOptions, PlaintextCaller, ServiceTarget, batchesOf, migrationOptionErrors } from './options';
import { phaseCommands } from './verification';
import { Workload, parseWorkload } from '../model/inventory';
import { Manifest, ResourceRef, isPlainObject, refOf } from '../model/manifest';
import { MeshModel, buildMeshModel } from '../model/mesh-model';
import { resolveConnection, ConnectionResolution } from '../resolution/connection';
import { explainMesh } from '../resolution/explain';
import { ModeDecision, resolveServerMode } from '../resolution/server-mode';
import { resolveSidecar } from '../resolution/sidecar';

export type PhaseKind = 'inject' | 'mesh-permissive' | 'namespace-strict' | 'mesh-strict';

/** A PeerAuthentication mode the plan writes. */
export type PlannedMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';

/** What a phase's gate checks before it is applied. */
export interface PhaseGate {
  /** The namespaces the phase tightens; empty for the mesh phase (every namespace). */
  readonly namespaces: readonly string[];
  /** Must return 0 before the phase is applied. */
  readonly query: string;
  /** Workloads (`namespace/name`) left out because they keep a documented exception. */
  readonly exceptions: readonly string[];
  /** The PrometheusRule that alerts on plaintext into the scope once the phase is applied. */
  readonly rule: ResourceRef;
}

/** A connection a phase makes fail. */
export interface PhaseFailure {
  readonly phase: string;
  /** `Kind namespace/name`, or `plaintext caller namespace/name`. */
  readonly client: string;
  /** How the plan knows of the call. */
  readonly source: 'caller' | 'plaintext-caller' | 'inventory';
  readonly service: { readonly namespace: string; readonly name: string; readonly port: number };
  /** `Kind namespace/name`. */
  readonly server: string;
  readonly targetPort?: number;
  /** Why it fails, in one line. */
  readonly why: string;
  /** The whole message: client, server, port and phase. */
  readonly message: string;
}

/** One row of the before → after tables. */
export interface ModeChange {
  readonly subject: string;
  readonly before: string;
  readonly after: string;
}

export interface PhaseChanges {
  readonly namespaces: readonly ModeChange[];
  readonly workloads: readonly ModeChange[];
  /** How many workloads keep their sidecar status and modes. */
  readonly unchangedWorkloads: number;
}

export interface PhaseRollback {
  /** The phase to re-apply, or undefined for the first phase. */
  readonly reapply?: string;
  /** Objects of this phase that the previous state does not have (delete them after re-applying). */
  readonly remove: readonly ResourceRef[];
  /** Shell commands, in order. */
  readonly commands: readonly string[];
}

export interface MigrationPhase {
  /** 1-based. */
  readonly number: number;
  /** `01-inject`, `02-mesh-permissive`, `03-strict-staging`, …: chart id and file name stem. */
  readonly id: string;
  readonly kind: PhaseKind;
  readonly title: string;
  /** The namespaces the phase labels (inject) or tightens (namespace-strict). */
  readonly namespaces: readonly string[];
  /** The objects of this complete state, the same names in every phase. */
  readonly manifests: readonly Manifest[];
  readonly meshMode: PlannedMode;
  /** Planned namespace → mode of its namespace-wide policy. */
  readonly namespaceModes: Readonly<Record<string, PlannedMode>>;
  readonly gate?: PhaseGate;
  /** Commands that roll the phase out (after `kubectl apply`). */
  readonly apply: readonly string[];
  /** Commands that check the phase took effect. */
  readonly verify: readonly string[];
  readonly rollback: PhaseRollback;
  readonly changes: PhaseChanges;
  readonly failures: readonly PhaseFailure[];
}

export interface MigrationPlan {
  readonly name: string;
  readonly rootNamespace: string;
  readonly phases: readonly MigrationPhase[];
  /** Planned namespaces the inventory does not have, then declared callers it cannot place (unknown workload or Service port). */
  readonly problems: readonly string[];
  /** Every failure of every phase, in phase order. */
  readonly failures: readonly PhaseFailure[];
  /** Namespace-level modes and injection before the first phase. */
  readonly start: readonly ModeChange[];
}

/** Thrown for invalid options: one line per problem. */
export class MigrationPlanError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

interface Schedule {
  readonly kind: PhaseKind;
  readonly id: string;
  readonly title: string;
  readonly namespaces: string[];
  readonly meshMode: PlannedMode | 'current';
  readonly strict: ReadonlySet<string>;
  readonly nsMode: 'current' | 'plan';
}

function pad(n: number, total: number): string {
  return String(n).padStart(Math.max(2, String(total).length), '0');
}

function schedule(batches: string[][]): Schedule[] {
  const total = batches.length + 3;
  const out: Schedule[] = [];
  const all = batches.flat();
  out.push({ kind: 'inject', id: `${pad(1, total)}-inject`, title: 'Enable sidecar injection', namespaces: all, meshMode: 'current', strict: new Set(), nsMode: 'current' });
  out.push({ kind: 'mesh-permissive', id: `${pad(2, total)}-mesh-permissive`, title: 'Mesh PERMISSIVE', namespaces: [], meshMode: 'PERMISSIVE', strict: new Set(), nsMode: 'plan' });
  const strict = new Set<string>();
  batches.forEach((batch, i) => {
    for (const ns of batch) strict.add(ns);
    let id = `${pad(i + 3, total)}-strict-${batch.join('-')}`;
    if (id.length > 63) id = `${pad(i + 3, total)}-strict-batch-${i + 1}`;
    out.push({ kind: 'namespace-strict', id, title: `STRICT in ${batch.join(', ')}`, namespaces: batch, meshMode: 'PERMISSIVE', strict: new Set(strict), nsMode: 'plan' });
  });
  out.push({ kind: 'mesh-strict', id: `${pad(total, total)}-mesh-strict`, title: 'Mesh STRICT', namespaces: [], meshMode: 'STRICT', strict: new Set(all), nsMode: 'plan' });
  return out;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const refKey = (r: ResourceRef) => `${r.apiVersion.split('/').length > 1 ? r.apiVersion.split('/')[0] : ''}\u0000${r.kind}\u0000${r.namespace}\u0000${r.name}`;

/** The selector-less PeerAuthentication a namespace already has (the plan takes it over), or undefined. */
function existingDefault(model: MeshModel, ns: string) {
  const own = model.peerAuthenticationsIn(ns).filter((p) => !p.selector);
  if (own.length === 0) return undefined;
  return own.find((p) => p.name === 'default') ?? (own.length === 1 ? own[0] : undefined);
}

function peerAuthentication(namespace: string, name: string, mode: PlannedMode): Manifest {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace },
    spec: { mtls: { mode } },
  };
}

/** A pod with no labels in `namespace`: what the namespace-wide policies give a workload no selector names. */
function namespaceProbe(ns: string): Workload {
  return parseWorkload({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'namespace-probe' }, spec: {} }, ns)!;
}

function modeText(d: ModeDecision): string {
  return d.mode === 'ambiguous' ? `ambiguous (${d.possibleModes.join('/')})` : d.mode;
}

function namespaceState(model: MeshModel, ns: string): string {
  const labels = model.namespace(ns)?.labels;
  const injection = labels === undefined ? 'unknown'
    : labels['istio-injection'] === 'disabled' ? 'off'
      : labels['istio-injection'] === 'enabled' || labels['istio.io/rev'] !== undefined ? 'on' : 'off';
  return `injection ${injection}, ${modeText(resolveServerMode(model, namespaceProbe(ns)))}`;
}

function workloadState(model: MeshModel, w: Workload): string {
  if (!resolveSidecar(model, w).injected) return 'no sidecar (plaintext only)';
  const r = resolveServerMode(model, w);
  const ports = r.ports.filter((p) => p.mode !== r.mode).map((p) => `port ${p.port} ${modeText(p)}`);
  return [`sidecar, ${modeText(r)}`, ...ports].join('; ');
}

/** Namespaces shown in the tables: the planned ones and every namespace with workloads, root first excluded. */
function shownNamespaces(model: MeshModel, planned: readonly string[]): string[] {
  const set = new Set(planned);
  for (const w of model.workloads) set.add(w.namespace);
  set.delete(model.options.rootNamespace);
  return [...set].sort();
}

function diff(before: MeshModel, after: MeshModel, planned: readonly string[]): PhaseChanges {
  const namespaces: ModeChange[] = [];
  for (const ns of shownNamespaces(after, planned)) {
    const b = namespaceState(before, ns);
    const a = namespaceState(after, ns);
    if (a !== b) namespaces.push({ subject: ns, before: b, after: a });
  }
  const workloads: ModeChange[] = [];
  let unchanged = 0;
  const beforeByKey = new Map(before.workloads.map((w) => [w.key, w]));
  for (const w of after.workloads) {
    const old = beforeByKey.get(w.key);
    const b = old ? workloadState(before, old) : 'absent';
    const a = workloadState(after, w);
    if (a === b) unchanged++;
    else workloads.push({ subject: `${w.kind} ${w.namespace}/${w.name}`, before: b, after: a });
  }
  return { namespaces, workloads, unchangedWorkloads: unchanged };
}

interface Call {
  readonly key: string;
  readonly client: string;
  readonly source: PhaseFailure['source'];
  readonly resolution: ConnectionResolution;
}

function describeServer(r: ConnectionResolution): string {
  return `${r.to.kind} ${r.to.namespace}/${r.to.name}`;
}

function why(r: ConnectionResolution, client: string): string {
  const sends = r.tls === 'mtls' ? 'Istio mTLS' : r.tls === 'plaintext' ? 'plaintext' : 'TLS it originates';
  if (r.targetPort === undefined) return r.reason;
  if (!r.serverSidecar) return `${client} sends ${sends}, but ${describeServer(r)} has no sidecar`;
  const by = r.serverMode.decidedBy ? ` (PeerAuthentication ${r.serverMode.decidedBy.namespace}/${r.serverMode.decidedBy.name})` : '';
  return `${client} sends ${sends}, but container port ${r.targetPort} is ${modeText(r.serverMode)}${by}`;
}

/** Every call the plan knows of in one state: the inventory's, the declared callers', the plaintext callers'. */
function calls(model: MeshModel, options: MigrationPlanOptions): Call[] {
  const out: Call[] = [];
  const byName = (ns: string, name: string) => model.workloadsIn(ns).find((w) => w.name === name);
  const endpoints = (t: ServiceTarget) => {
    const s = model.servicesIn(t.namespace).find((x) => x.name === t.service);
    if (!s || !s.ports.some((p) => p.port === t.port)) return [];
    return model.workloadsOf(s).map((server) => ({ service: s, server }));
  };
  const key = (client: string, r: ConnectionResolution) => `${client}\u0000${r.service.key}\u0000${r.servicePort}\u0000${r.to.key}`;
  for (const c of options.callers ?? []) {
    const w = byName(c.from.namespace, c.from.name);
    if (!w) continue;
    for (const ep of endpoints(c.to)) {
      const r = resolveConnection(model, w, ep.service, c.to.port, ep.server);
      const client = `${w.kind} ${w.namespace}/${w.name}`;
      out.push({ key: key(client, r), client, source: 'caller', resolution: r });
    }
  }
  for (const c of options.plaintextCallers ?? []) {
    const fake = parseWorkload({ apiVersion: 'v1', kind: 'Pod', metadata: { name: c.name }, spec: {} }, c.namespace)!;
    for (const ep of endpoints(c.to)) {
      const r = resolveConnection(model, fake, ep.service, c.to.port, ep.server, { clientSidecar: false });
      const client = `plaintext caller ${c.namespace}/${c.name}`;
      out.push({ key: key(client, r), client, source: 'plaintext-caller', resolution: r });
    }
  }
  const seen = new Set(out.map((c) => c.key));
  const explained = explainMesh(model, { connections: true }).connections ?? [];
  for (const e of explained) {
    const w = byName(e.from.namespace, e.from.name);
    const s = model.servicesIn(e.to.namespace).find((x) => x.name === e.to.service);
    const server = model.workloadsIn(e.to.namespace).find((x) => x.name === e.to.name);
    if (!w || !s || !server) continue;
    const r = resolveConnection(model, w, s, e.to.port, server);
    const client = `${w.kind} ${w.namespace}/${w.name}`;
    const k = key(client, r);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ key: k, client, source: 'inventory', resolution: r });
  }
  return out;
}

/** Whose names the problems use: the option (`'namespaces[1]'`), or a CLI flag. */
function namespaceProblemsOf(model: MeshModel, manifests: readonly Manifest[], options: MigrationPlanOptions, flag?: string): string[] {
  const known = namespacesOfInput(model, manifests);
  // The root namespace is never planned, so never suggested.
  const candidates = [...known].filter((n) => n !== model.options.rootNamespace);
  const problems: string[] = [];
  batchesOf(options).forEach((batch, i) => batch.forEach((ns, j) => {
    if (known.has(ns)) return;
    const prop = flag ?? `'namespaces[${i}]${typeof options.namespaces[i] === 'string' ? '' : `[${j}]`}'`;
    problems.push(unknownNamespaceMessage(prop, ns, candidates, 'the inventory'));
  }));
  return problems;
}

/**
 * One line per planned namespace the input does not have (a typo plans a
 * namespace nothing lives in, and the migration would never reach the real
 * one), with the nearest existing name when one is close. `flag` replaces the
 * option name in the lines (the CLI's `--namespaces`). Empty when every
 * planned namespace exists; {@link planMigration} reports the same lines
 * first among its problems.
 */
export function unknownNamespaceProblems(manifests: readonly Manifest[], options: MigrationPlanOptions, flag?: string): string[] {
  return namespaceProblemsOf(buildMeshModel(manifests, options.mesh), manifests, options, flag);
}

function problemsOf(model: MeshModel, manifests: readonly Manifest[], options: MigrationPlanOptions): string[] {
  const problems: string[] = namespaceProblemsOf(model, manifests, options);
  const target = (prop: string, t: ServiceTarget) => {
    const s = model.servicesIn(t.namespace).find((x) => x.name === t.service);
    if (!s) {problems.push(`'${prop}' names Service ${t.namespace}/${t.service}, which is not in the inventory`);} else if (!s.ports.some((p) => p.port === t.port)) {
      problems.push(`'${prop}' names port ${t.port} of Service ${t.namespace}/${t.service}, which has ports ${s.ports.map((p) => p.port).join(', ') || 'none'}`);
    }
  };
  (options.callers ?? []).forEach((c: DeclaredCaller, i) => {
    if (!model.workloadsIn(c.from.namespace).some((w) => w.name === c.from.name)) {
      problems.push(`'callers[${i}].from' names workload ${c.from.namespace}/${c.from.name}, which is not in the inventory; declare callers outside it with 'plaintextCallers'`);
    }
    target(`callers[${i}].to`, c.to);
  });
  (options.plaintextCallers ?? []).forEach((c: PlaintextCaller, i) => target(`plaintextCallers[${i}].to`, c.to));
  return problems;
}

/** Workloads (`namespace/name`) whose workload or port-level policy keeps them below STRICT, in the given namespaces (all when undefined). */
function exceptionWorkloads(model: MeshModel, namespaces?: readonly string[]): string[] {
  const out = new Set<string>();
  for (const w of model.workloads) {
    if (namespaces && !namespaces.includes(w.namespace)) continue;
    const r = resolveServerMode(model, w);
    const weak = (d: ModeDecision) => d.mode !== 'STRICT' && (d.level === 'workload' || d.level === 'port');
    if (weak(r) || r.ports.some(weak)) out.add(`${w.namespace}/${w.name}`);
  }
  return [...out].sort();
}

function injectionLabels(model: MeshModel, options: MigrationPlanOptions, ns: string): Record<string, string> {
  const inj = options.injection ?? { key: 'istio-injection', value: 'enabled' };
  const own = options.namespaceLabels?.[ns] ?? model.namespace(ns)?.labels ?? {};
  const labels: Record<string, string> = { ...own };
  // istio-injection=disabled would win over a revision label.
  if (inj.key !== 'istio-injection' && labels['istio-injection'] !== undefined) delete labels['istio-injection'];
  labels[inj.key] = inj.value;
  return Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/**
 * Plans the migration of `manifests` (an app's other objects, or a cluster
 * dump) from plaintext to STRICT: inject, mesh PERMISSIVE, each batch of
 * namespaces STRICT, mesh STRICT. Each phase is a complete state whose objects
 * have the same names in every phase, so re-applying the previous phase rolls
 * one back. Pure and deterministic. Throws {@link MigrationPlanError} on
 * invalid options.
 */
export function planMigration(manifests: readonly Manifest[], options: MigrationPlanOptions): MigrationPlan {
  const errors = migrationOptionErrors(options);
  if (errors.length > 0) throw new MigrationPlanError(errors);
  const batches = batchesOf(options);
  const planned = batches.flat();
  const name = options.name ?? 'mtls-migration';
  const current = buildMeshModel(manifests, options.mesh);
  const root = current.options.rootNamespace;

  // The objects the plan owns replace those of the same name in the input.
  const meshExisting = existingDefault(current, root);
  const meshName = meshExisting?.name ?? 'default';
  const nsExisting = new Map(planned.map((ns) => [ns, existingDefault(current, ns)]));
  const owned = new Set<string>();
  const paRef = (ns: string, n: string) => refKey({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: ns, name: n });
  owned.add(paRef(root, meshName));
  for (const ns of planned) {
    owned.add(paRef(ns, nsExisting.get(ns)?.name ?? 'default'));
    owned.add(refKey({ apiVersion: 'v1', kind: 'Namespace', namespace: '', name: ns }));
  }
  const base = manifests.filter((m) => !isPlainObject(m) || !owned.has(refKey({ ...refOf(m), namespace: m.kind === 'Namespace' ? '' : refOf(m).namespace || current.options.defaultNamespace })));

  const scheduled = schedule(batches);
  const phases: MigrationPhase[] = [];
  let previousModel = current;
  let previousManifests: readonly Manifest[] = manifests;
  let previousFailing = new Set(calls(current, options).filter((c) => c.resolution.outcome === 'fails').map((c) => c.key));
  const allFailures: PhaseFailure[] = [];

  scheduled.forEach((s, i) => {
    const meshMode: PlannedMode = s.meshMode === 'current' ? (meshExisting?.mode ?? 'UNSET') : s.meshMode;
    const namespaceModes: Record<string, PlannedMode> = {};
    for (const ns of [...planned].sort()) {
      namespaceModes[ns] = s.nsMode === 'current' ? (nsExisting.get(ns)?.mode ?? 'UNSET') : s.strict.has(ns) ? 'STRICT' : 'UNSET';
    }
    const own: Manifest[] = [];
    for (const ns of [...planned].sort()) {
      own.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: injectionLabels(current, options, ns) } });
    }
    own.push(peerAuthentication(root, meshName, meshMode));
    for (const ns of [...planned].sort()) own.push(peerAuthentication(ns, nsExisting.get(ns)?.name ?? 'default', namespaceModes[ns]));

    // The state without gates first: the gates leave out the exceptions of that state.
    const policyState = buildMeshModel([...base, ...own], options.mesh);
    const gates: { scope: GateScope; ns: string; target: string }[] = [];
    for (const ns of [...s.strict].sort()) {
      gates.push({ ns, target: `namespace ${ns}`, scope: { namespaces: [ns], exceptions: exceptionWorkloads(policyState, [ns]) } });
    }
    if (s.kind === 'mesh-strict') {
      gates.push({ ns: root, target: 'the mesh', scope: { excludedNamespaces: [root], exceptions: exceptionWorkloads(policyState) } });
    }
    const ruleRefs = new Map<string, ResourceRef>();
    for (const g of gates) {
      const ruleName = `${name}-plaintext-${g.ns === root && s.kind === 'mesh-strict' && g.target === 'the mesh' ? 'mesh' : g.ns}`;
      const rule = gatePrometheusRule(ruleName, options.alertsNamespace ?? g.ns, `${name}.${g.target === 'the mesh' ? 'mesh' : g.ns}`, g.scope, g.target, options.alertLabels ?? {});
      own.push(rule);
      ruleRefs.set(g.target, refOf(rule));
    }
    const model = buildMeshModel([...base, ...own], options.mesh);

    let gate: PhaseGate | undefined;
    if (s.kind === 'namespace-strict') {
      const scope: GateScope = { namespaces: s.namespaces, exceptions: exceptionWorkloads(policyState, s.namespaces) };
      gate = { namespaces: [...s.namespaces], query: gateQuery(scope), exceptions: scope.exceptions, rule: ruleRefs.get(`namespace ${s.namespaces[0]}`)! };
    } else if (s.kind === 'mesh-strict') {
      const scope: GateScope = { excludedNamespaces: [root], exceptions: exceptionWorkloads(policyState) };
      gate = { namespaces: [], query: gateQuery(scope), exceptions: scope.exceptions, rule: ruleRefs.get('the mesh')! };
    }

    const phaseCalls = calls(model, options);
    const failures: PhaseFailure[] = [];
    for (const c of phaseCalls) {
      if (c.resolution.outcome !== 'fails' || previousFailing.has(c.key)) continue;
      const r = c.resolution;
      const port = r.targetPort !== undefined && r.targetPort !== r.servicePort ? ` (container port ${r.targetPort})` : '';
      const w = why(r, c.client);
      failures.push({
        phase: s.id,
        client: c.client,
        source: c.source,
        service: { namespace: r.service.namespace, name: r.service.name, port: r.servicePort },
        server: describeServer(r),
        ...(r.targetPort !== undefined ? { targetPort: r.targetPort } : {}),
        why: w,
        message: `phase ${s.id} breaks ${c.client} → Service ${r.service.namespace}/${r.service.name} port ${r.servicePort}`
          + ` on ${describeServer(r)}${port}: ${w}`,
      });
    }
    failures.sort((a, b) => cmp(a.message, b.message));
    allFailures.push(...failures);
    previousFailing = new Set(phaseCalls.filter((c) => c.resolution.outcome === 'fails').map((c) => c.key));

    const prevKeys = new Set(previousManifests.filter(isPlainObject).map((m) => refKey(refOf(m))));
    const remove = own.filter((m) => m.kind !== 'Namespace' && !prevKeys.has(refKey(refOf(m)))).map(refOf);
    const previous = i > 0 ? phases[i - 1] : undefined;
    const { apply, verify, rollback } = phaseCommands({
      kind: s.kind,
      id: s.id,
      namespaces: s.namespaces,
      planned,
      model,
      previous: previous?.id,
      remove,
      injection: options.injection ?? { key: 'istio-injection', value: 'enabled' },
      root,
    });

    phases.push({
      number: i + 1,
      id: s.id,
      kind: s.kind,
      title: s.title,
      namespaces: [...s.namespaces],
      manifests: own,
      meshMode,
      namespaceModes,
      ...(gate ? { gate } : {}),
      apply,
      verify,
      rollback: { ...(previous ? { reapply: previous.id } : {}), remove, commands: rollback },
      changes: diff(previousModel, model, planned),
      failures,
    });
    previousModel = model;
    previousManifests = own;
  });

  const start = shownNamespaces(current, planned).map((ns) => {
    const state = namespaceState(current, ns);
    return { subject: ns, before: state, after: state };
  });
  return { name, rootNamespace: root, phases, problems: problemsOf(current, manifests, options), failures: allFailures, start };
}

/** The explanation of one phase as a whole cluster: `base` (the input without the plan's objects) plus the phase. */
export function phaseState(manifests: readonly Manifest[], phase: MigrationPhase, options: MigrationPlanOptions): MeshModel {
  const ownKeys = new Set(phase.manifests.map((m) => refKey(refOf(m))));
  const base = manifests.filter((m) => !isPlainObject(m) || !ownKeys.has(refKey(refOf(m))));
  return buildMeshModel([...base, ...phase.manifests], options.mesh);
}

