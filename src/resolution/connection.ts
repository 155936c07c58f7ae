import { ClientTlsResolution, WireTls, clientTlsFromLookup } from './client-tls';
import { lookupDestinationRule } from './destination-rule-lookup';
import { EffectiveMode, ModeDecision, resolveServerMode } from './server-mode';
import { resolveSidecar } from './sidecar';
import { ServiceInfo, Workload, targetPortOn } from '../model/inventory';
import { MeshModel } from '../model/mesh-model';

export type ConnectionOutcome = 'ok' | 'fails';

export interface ConnectionResolution {
  readonly from: Workload;
  readonly to: Workload;
  readonly service: ServiceInfo;
  readonly servicePort: number;
  /** The container port reached; undefined when a named targetPort is not on the workload (no endpoint). */
  readonly targetPort?: number;
  readonly tls: WireTls;
  readonly outcome: ConnectionOutcome;
  /** One line, naming the policies that decided. */
  readonly reason: string;
  readonly client: ClientTlsResolution;
  readonly serverMode: ModeDecision;
  readonly serverSidecar: boolean;
}

/** Whether a server accepts what arrives: STRICT only mTLS, PERMISSIVE both, DISABLE or no sidecar only plaintext. */
export function judgeConnection(tls: WireTls, serverSidecar: boolean, mode: EffectiveMode): { outcome: ConnectionOutcome; why: string } {
  if (!serverSidecar) {
    if (tls === 'mtls') return { outcome: 'fails', why: 'the server has no sidecar to terminate Istio mTLS' };
    return { outcome: 'ok', why: tls === 'plaintext' ? 'the server has no sidecar and takes plaintext' : 'TLS reaches the server application, which must terminate it' };
  }
  switch (mode) {
    case 'STRICT':
      return tls === 'mtls'
        ? { outcome: 'ok', why: 'STRICT accepts Istio mTLS' }
        : { outcome: 'fails', why: tls === 'plaintext' ? 'STRICT rejects plaintext' : 'STRICT accepts only Istio mTLS, not TLS originated with other certificates' };
    case 'PERMISSIVE':
      return { outcome: 'ok', why: tls === 'mtls' ? 'PERMISSIVE accepts Istio mTLS' : 'PERMISSIVE accepts plaintext' };
    case 'DISABLE':
      return tls === 'mtls'
        ? { outcome: 'fails', why: 'DISABLE does not terminate Istio mTLS' }
        : { outcome: 'ok', why: tls === 'plaintext' ? 'DISABLE takes plaintext' : 'TLS passes through DISABLE to the application' };
  }
}

function describeMode(d: ModeDecision, port: number): string {
  const by = d.decidedBy ? `PeerAuthentication ${d.decidedBy.namespace}/${d.decidedBy.name}` : 'Istio default';
  return d.mode === 'ambiguous' ? `port ${port} is ${d.possibleModes.join(' or ')} depending on which competing PeerAuthentication is oldest` : `port ${port} is ${d.mode} (${by})`;
}

/** Precomputed facts, so explain can reuse them; all optional. */
export interface ConnectionFacts {
  readonly clientSidecar?: boolean;
  readonly serverSidecar?: boolean;
  readonly serverMode?: ModeDecision;
}

/**
 * What happens when `client` calls `service:servicePort` and reaches `server`:
 * the TLS sent and whether the server's sidecar (or its absence) accepts it.
 * With competing PeerAuthentications the outcome is `ok` only if it is ok
 * whichever of them Istio picks.
 */
export function resolveConnection(
  model: MeshModel, client: Workload, service: ServiceInfo, servicePort: number, server: Workload, facts: ConnectionFacts = {},
): ConnectionResolution {
  const sp = service.ports.find((p) => p.port === servicePort);
  const targetPort = sp ? targetPortOn(sp, server) : undefined;
  const clientSidecar = facts.clientSidecar ?? resolveSidecar(model, client).injected;
  const serverSidecar = facts.serverSidecar ?? resolveSidecar(model, server).injected;
  const lookup = lookupDestinationRule(model, { namespace: client.namespace, labels: client.labels }, service.hostname, service.namespace);
  const serverMode = facts.serverMode ?? resolveServerMode(model, server).portMode(targetPort ?? servicePort);
  const base = { from: client, to: server, service, servicePort, targetPort, serverSidecar, serverMode };
  if (!sp || targetPort === undefined) {
    const client0 = clientTlsFromLookup(model, clientSidecar, lookup, servicePort, undefined);
    const reason = !sp
      ? `Service ${service.namespace}/${service.name} has no port ${servicePort}`
      : `${server.kind} ${server.namespace}/${server.name} has no container port named "${String(sp.targetPort)}", so it is no endpoint of port ${servicePort}`;
    return { ...base, tls: client0.tls, client: client0, outcome: 'fails', reason };
  }
  let first: { client: ClientTlsResolution; outcome: ConnectionOutcome; why: string } | undefined;
  let failure: typeof first;
  for (const mode of serverMode.possibleModes) {
    const c = clientTlsFromLookup(model, clientSidecar, lookup, servicePort, { sidecar: serverSidecar, mode });
    const j = judgeConnection(c.tls, serverSidecar, mode);
    const r = { client: c, ...j };
    if (!first) first = r;
    if (j.outcome === 'fails' && !failure) failure = r;
  }
  const chosen = failure ?? first!;
  const serverPart = serverSidecar ? describeMode(serverMode, targetPort) : `${server.kind} ${server.namespace}/${server.name} has no sidecar`;
  const reason = `${chosen.client.reason}; ${serverPart}; ${chosen.why}`;
  return { ...base, tls: chosen.client.tls, client: chosen.client, outcome: chosen.outcome, reason };
}
