import { ClientTlsResolution, EndpointFacts, WireTls, clientTlsFromLookup } from './client-tls';
import { InboundPortProtocol, acceptsOnPort } from './cluster-tls';
import { Dataplane, DataplaneResolution, resolveDataplane } from './dataplane';
import { lookupDestinationRule } from './destination-rule-lookup';
import { InboundPort, resolveInbound } from './inbound';
import { EffectiveMode, ModeDecision } from './server-mode';
import { ServiceInfo, ServicePort, Workload, targetPortOn } from '../model/inventory';
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
  /** True when a proxy (sidecar or ztunnel) receives the port's traffic and enforces its mode. */
  readonly serverSidecar: boolean;
  readonly clientDataplane: Dataplane;
  readonly serverDataplane: Dataplane;
  /** What the server port takes; undefined when there is no endpoint. */
  readonly inbound?: InboundPort;
}

/** Whether a server accepts what arrives: STRICT only mTLS, PERMISSIVE both, DISABLE or no sidecar only plaintext. */
export function judgeConnection(tls: WireTls, serverSidecar: boolean, mode: EffectiveMode, protocol: InboundPortProtocol = 'auto'): { outcome: ConnectionOutcome; why: string } {
  if (!serverSidecar) {
    if (tls === 'mtls' || tls === 'hbone') return { outcome: 'fails', why: 'no proxy receives the port\'s traffic to terminate Istio mTLS' };
    return { outcome: 'ok', why: tls === 'plaintext' ? 'no proxy receives the port\'s traffic, and the application takes plaintext' : 'TLS reaches the server application, which must terminate it' };
  }
  if (tls === 'tls-origination' && mode !== 'STRICT' && !acceptsOnPort(mode, protocol, { tls: 'tls', protocol: 'tcp' }).accepted) {
    return { outcome: 'fails', why: `the sidecar reads port traffic as HTTP, and TLS originated by the client is not HTTP (${mode})` };
  }
  switch (mode) {
    case 'STRICT':
      return tls === 'mtls' || tls === 'hbone'
        ? { outcome: 'ok', why: 'STRICT accepts Istio mTLS' }
        : { outcome: 'fails', why: tls === 'plaintext' ? 'STRICT rejects plaintext' : 'STRICT accepts only Istio mTLS, not TLS originated with other certificates' };
    case 'PERMISSIVE':
      return { outcome: 'ok', why: tls === 'mtls' || tls === 'hbone' ? 'PERMISSIVE accepts Istio mTLS' : 'PERMISSIVE accepts plaintext' };
    case 'DISABLE':
      return tls === 'mtls'
        ? { outcome: 'fails', why: 'DISABLE does not terminate Istio mTLS' }
        : { outcome: 'ok', why: tls === 'plaintext' ? 'DISABLE takes plaintext' : tls === 'hbone' ? 'the HBONE tunnel ends at the sidecar [U]' : 'TLS passes through DISABLE to the application' };
  }
}

/** The protocol a server sidecar's inbound listener expects on a port: the Service port's appProtocol, else its name prefix. */
export function inboundProtocolOf(port: ServicePort | undefined): InboundPortProtocol {
  if (!port) return 'unlisted';
  const declared = (port.appProtocol ?? port.name?.split('-')[0] ?? '').toLowerCase();
  if (['http', 'http2', 'grpc', 'grpc-web', 'h2c', 'kubernetes.io/h2c'].includes(declared)) return 'http';
  if (['tcp', 'tls', 'https', 'mongo', 'mysql', 'redis'].includes(declared)) return 'tcp';
  return 'auto';
}

function describeMode(d: ModeDecision, port: number): string {
  const by = d.decidedBy ? `PeerAuthentication ${d.decidedBy.namespace}/${d.decidedBy.name}` : 'Istio default';
  return d.mode === 'ambiguous' ? `port ${port} is ${d.possibleModes.join(' or ')} depending on which competing PeerAuthentication is oldest` : `port ${port} is ${d.mode} (${by})`;
}

/** Precomputed facts, so explain can reuse them; all optional. */
export interface ConnectionFacts {
  /** The client's proxy sends on its behalf (false: a plaintext caller outside the mesh). */
  readonly clientSidecar?: boolean;
  readonly serverSidecar?: boolean;
  readonly serverMode?: ModeDecision;
}

/** What the client's data plane does with a call to the server, before any DestinationRule. */
function clientWire(
  client: DataplaneResolution, server: DataplaneResolution, model: MeshModel, port: number,
): { wire?: WireTls; why?: string; viaSidecar: boolean } {
  if (client.dataplane === 'ambient') {
    return server.hbone
      ? { wire: 'hbone', why: 'ztunnel sends HBONE to a pod that accepts it', viaSidecar: false }
      : { wire: 'plaintext', why: 'ztunnel sends plaintext to a pod that does not accept HBONE', viaSidecar: false };
  }
  if (client.dataplane !== 'sidecar' || !client.admitted) return { viaSidecar: false };
  const outbound = client.capture?.outbound({ port }) ?? 'captured';
  if (outbound === 'bypassed') return { wire: 'plaintext', why: `the client's sidecar does not capture outbound port ${port}: the application's plaintext goes out as is`, viaSidecar: false };
  if (server.dataplane === 'ambient' && model.options.ambient) return { wire: 'hbone', why: 'the client sidecar sends HBONE to an ambient pod', viaSidecar: true };
  return { viaSidecar: true };
}

/**
 * What happens when `client` calls `service:servicePort` and reaches `server`:
 * what each data plane sends (sidecar: the DestinationRule or auto mTLS;
 * ambient: HBONE to a pod that accepts it; no proxy: plaintext) and whether
 * the server port takes it (its sidecar's or ztunnel's mode, or the
 * application itself where no proxy captures the port). With competing
 * PeerAuthentications the outcome is `ok` only if it is ok whichever of them
 * Istio picks.
 */
export function resolveConnection(
  model: MeshModel, client: Workload, service: ServiceInfo, servicePort: number, server: Workload, facts: ConnectionFacts = {},
): ConnectionResolution {
  const sp = service.ports.find((p) => p.port === servicePort);
  const targetPort = sp ? targetPortOn(sp, server) : undefined;
  const clientPlane = resolveDataplane(model, client);
  const serverPlane = resolveDataplane(model, server);
  const bareClient = facts.clientSidecar === false;
  const lookup = lookupDestinationRule(model, { namespace: client.namespace, labels: client.labels }, service.hostname, service.namespace);
  const inbound = targetPort === undefined ? undefined : resolveInbound(model, server).port(targetPort);
  // Plaintext that bypasses ztunnel reaches the application, while HBONE still arrives: as PERMISSIVE.
  const ambientBypass = inbound !== undefined && inbound.enforcedBy === 'ztunnel' && !inbound.captured;
  const serverMode: ModeDecision = facts.serverMode ?? (ambientBypass ? { ...inbound, mode: 'PERMISSIVE', possibleModes: ['PERMISSIVE'] }
    : inbound ?? resolveInbound(model, server).port(servicePort));
  const serverProxy = facts.serverSidecar ?? (inbound !== undefined && inbound.enforcedBy !== 'none' && (inbound.captured || ambientBypass));
  const base = {
    from: client,
    to: server,
    service,
    servicePort,
    targetPort,
    serverSidecar: serverProxy,
    serverMode,
    clientDataplane: bareClient ? 'none' as const : clientPlane.dataplane,
    serverDataplane: serverPlane.dataplane,
    inbound,
  };
  const wire = bareClient ? { viaSidecar: false } : clientWire(clientPlane, serverPlane, model, servicePort);
  const tlsFor = (mode: EffectiveMode): ClientTlsResolution => {
    if (wire.wire !== undefined) {
      const viaRule = wire.viaSidecar ? lookup.rule : null;
      return { tls: wire.wire, source: wire.viaSidecar ? 'auto-mtls' : 'no-client-sidecar', destinationRule: viaRule, setting: null, competing: [], reason: wire.why! };
    }
    const endpoint: EndpointFacts = { sidecar: serverProxy && serverPlane.dataplane === 'sidecar', mode, tlsMode: serverPlane.tlsMode };
    return clientTlsFromLookup(model, wire.viaSidecar, lookup, servicePort, endpoint, { service, endpoints: headlessEndpoints(model, service) });
  };
  if (!sp || targetPort === undefined) {
    const client0 = tlsFor('PERMISSIVE');
    const reason = !sp
      ? `Service ${service.namespace}/${service.name} has no port ${servicePort}`
      : `${server.kind} ${server.namespace}/${server.name} has no container port named "${String(sp.targetPort)}", so it is no endpoint of port ${servicePort}`;
    return { ...base, tls: client0.tls, client: client0, outcome: 'fails', reason };
  }
  if (!serverPlane.admitted || (!clientPlane.admitted && !bareClient)) {
    const client0 = tlsFor('PERMISSIVE');
    const who = !serverPlane.admitted ? server : client;
    return { ...base, tls: client0.tls, client: client0, outcome: 'fails', reason: `${who.kind} ${who.namespace}/${who.name} has no pods: ${(who === server ? serverPlane : clientPlane).reason}` };
  }
  const protocol = inboundProtocolOf(sp);
  let first: { client: ClientTlsResolution; outcome: ConnectionOutcome; why: string } | undefined;
  let failure: typeof first;
  for (const mode of serverMode.possibleModes) {
    const c = tlsFor(mode);
    const j = judgeConnection(c.tls, serverProxy, mode, protocol);
    const r = { client: c, ...j };
    if (!first) first = r;
    if (j.outcome === 'fails' && !failure) failure = r;
  }
  const chosen = failure ?? first!;
  const serverPart = serverProxy
    ? `${describeMode(serverMode, targetPort)}${serverPlane.dataplane === 'ambient' ? ' in ambient (ztunnel)' : ''}`
    : inbound?.note ? `${server.kind} ${server.namespace}/${server.name}: ${inbound.note}` : `${server.kind} ${server.namespace}/${server.name} has no sidecar`;
  const reason = `${chosen.client.reason}; ${serverPart}; ${chosen.why}`;
  return { ...base, tls: chosen.client.tls, client: chosen.client, outcome: chosen.outcome, reason };
}

/** Every endpoint of a headless Service (auto mTLS sends plaintext to all if one lacks `tlsMode: istio`); undefined otherwise. */
function headlessEndpoints(model: MeshModel, service: ServiceInfo): EndpointFacts[] | undefined {
  if (!service.headless) return undefined;
  return model.workloadsOf(service).map((w) => {
    const d = resolveDataplane(model, w);
    return { sidecar: d.dataplane === 'sidecar', mode: 'PERMISSIVE' as const, tlsMode: d.tlsMode };
  });
}
