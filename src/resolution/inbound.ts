import { AmbientModeResolution, resolveAmbientMode } from './ambient-peer-authentication';
import { DataplaneResolution, ambientInboundBypassed, resolveDataplane } from './dataplane';
import { EffectiveMode, ModeDecision, ModeLevel, ResolvedMode, peerAuthenticationCandidates, resolveServerMode } from './server-mode';
import { Workload } from '../model/inventory';
import { MeshModel } from '../model/mesh-model';
import { PeerAuthenticationPolicy, portLevelOf } from '../model/policies';

/** What a port takes in fact: Istio mTLS (HBONE counts), both, only plaintext, or it depends on which competing policy is oldest. */
export type Accepts = 'mtls' | 'mtls+plaintext' | 'plaintext' | 'ambiguous';

/** Who enforces the port's PeerAuthentication: the pod's sidecar, ztunnel, or nothing. */
export type InboundEnforcer = 'sidecar' | 'ztunnel' | 'none';

export interface InboundPort extends ModeDecision {
  readonly port: number;
  /** The mode the policies give the port, as the enforcer reads them (ztunnel has no DISABLE). */
  readonly mode: ResolvedMode;
  readonly possibleModes: readonly EffectiveMode[];
  readonly decidedBy: PeerAuthenticationPolicy | null;
  /** Whether the port's traffic reaches the enforcer; a port it does not capture takes plaintext whatever its mode. */
  readonly captured: boolean;
  readonly accepts: Accepts;
  readonly enforcedBy: InboundEnforcer;
  /** Why `accepts` differs from what the mode alone says, when it does. */
  readonly note?: string;
}

export interface InboundResolution {
  readonly workload: Workload;
  readonly dataplane: DataplaneResolution;
  /** Every container port plus every port a workload policy names, sorted. */
  readonly ports: readonly InboundPort[];
  /** Set for ambient pods: ztunnel's reading of the policies (DISABLE ignored or relaxed, divergences). */
  readonly ambient?: AmbientModeResolution;
  /** Any (target) port, listed or not. */
  port(port: number): InboundPort;
}

function acceptsOf(mode: ResolvedMode): Accepts {
  switch (mode) {
    case 'STRICT': return 'mtls';
    case 'PERMISSIVE': return 'mtls+plaintext';
    case 'DISABLE': return 'plaintext';
    default: return 'ambiguous';
  }
}

// An inner Map: its workloads live as long as the model, and WeakMaps cost the collector per entry.
const inboundByModel = new WeakMap<MeshModel, Map<Workload, InboundResolution>>();

/**
 * What each port of a workload takes in fact: the PeerAuthentication mode as
 * its sidecar or ztunnel enforces it, unless the traffic never reaches them
 * (no proxy, a port the sidecar does not capture, ambient inbound capture
 * bypassed), where plaintext reaches the application. Memoized per model.
 */
export function resolveInbound(model: MeshModel, workload: Workload): InboundResolution {
  let byWorkload = inboundByModel.get(model);
  if (!byWorkload) { byWorkload = new Map(); inboundByModel.set(model, byWorkload); }
  let r = byWorkload.get(workload);
  if (!r) { r = resolve(model, workload); byWorkload.set(workload, r); }
  return r;
}

/** A sidecar's or unproxied port; a note means the port is not captured. One literal: this runs for every port of every workload. */
function inboundPort(port: number, d: ModeDecision, accepts: Accepts, enforcedBy: InboundEnforcer, note?: string): InboundPort {
  if (note === undefined) {
    return { port, mode: d.mode, possibleModes: d.possibleModes, decidedBy: d.decidedBy, level: d.level, captured: true, accepts, enforcedBy };
  }
  return { port, mode: d.mode, possibleModes: d.possibleModes, decidedBy: d.decidedBy, level: d.level, captured: false, accepts, enforcedBy, note };
}

function resolve(model: MeshModel, workload: Workload): InboundResolution {
  const dataplane = resolveDataplane(model, workload);
  if (dataplane.dataplane === 'ambient') return resolveAmbient(model, workload, dataplane);
  const server = resolveServerMode(model, workload);
  const capture = dataplane.dataplane === 'sidecar' && dataplane.admitted ? dataplane.capture : undefined;
  const portOf = (d: ModeDecision, port: number): InboundPort => {
    if (dataplane.dataplane === 'none') return inboundPort(port, d, 'plaintext', 'none', 'no proxy: nothing enforces the mode');
    if (!dataplane.admitted) return inboundPort(port, d, 'plaintext', 'none', 'the pod is never created');
    if (!capture?.inboundCaptured(port)) {
      return inboundPort(port, d, 'plaintext', 'sidecar', `the sidecar does not capture port ${port}: plaintext reaches the application`);
    }
    return inboundPort(port, d, acceptsOf(d.mode), 'sidecar');
  };
  const ports = server.ports.map((p) => portOf(p, p.port));
  return {
    workload,
    dataplane,
    ports,
    port: (port) => ports.find((p) => p.port === port) ?? portOf(server.portMode(port), port),
  };
}

function resolveAmbient(model: MeshModel, workload: Workload, dataplane: DataplaneResolution): InboundResolution {
  const ambient = resolveAmbientMode(peerAuthenticationCandidates(model, workload.namespace, workload.labels), workload.ports.map((p) => p.port));
  const bypassed = ambientInboundBypassed(workload);
  const portOf = (port: number): InboundPort => {
    const a = ambient.portMode(port);
    const level = a.decidedBy === null ? 'default' : portLevelOf(a.decidedBy, port) !== undefined ? 'port' : a.decidedBy.level === 'mesh' || a.decidedBy.level === 'namespace' ? a.decidedBy.level : 'workload';
    const base = { port, mode: a.mode, possibleModes: a.possibleModes, decidedBy: a.decidedBy, level: level as ModeLevel, enforcedBy: 'ztunnel' as const };
    if (bypassed) {
      return { ...base, captured: false, accepts: 'mtls+plaintext', note: 'ambient.istio.io/bypass-inbound-capture: plaintext bypasses ztunnel, HBONE still arrives' };
    }
    return { ...base, captured: true, accepts: acceptsOf(a.mode), ...(a.note ? { note: a.note } : {}) };
  };
  const ports = ambient.ports.map((p) => portOf(p.port));
  return { workload, dataplane, ports, port: (port) => ports.find((p) => p.port === port) ?? portOf(port), ambient };
}
