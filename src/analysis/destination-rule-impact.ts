import { ANY_OTHER_NAMESPACE, AnalysisContext } from './context';
import { isWildcardHost, namespaceOfHost } from '../model/hosts';
import { ServiceInfo, Workload } from '../model/inventory';
import { ClientTlsSetting, DestinationRulePolicy } from '../model/policies';
import { EndpointFacts, WireTls, clientTlsFromLookup, tlsSettingFor, wireTlsOf } from '../resolution/client-tls';
import { Dataplane, DataplaneResolution, resolveDataplane } from '../resolution/dataplane';
import { InboundPort } from '../resolution/inbound';
import { ModeDecision } from '../resolution/server-mode';

/**
 * How a DestinationRule TLS setting reaches an endpoint: `setting`, it is
 * the one in force on the Service port; `endpoint-metadata`, the port has a
 * `portLevelSettings` entry without `tls` (so the cluster has none), but
 * pilot still marks the endpoints with the rule-level mode
 * (pilot/pkg/xds/endpoints/mtls_checker.go trafficPolicyTLSModeForPort), and
 * that mode decides what auto mTLS sends to each of them.
 */
export type ImpactVia = 'setting' | 'endpoint-metadata';

/** A Service endpoint a DestinationRule TLS setting reaches, before what goes on the wire is known. */
export interface ImpactedServer {
  readonly service: ServiceInfo;
  readonly servicePort: number;
  readonly server: Workload;
  readonly targetPort: number;
  /** The server's pods run a sidecar. */
  readonly sidecar: boolean;
  readonly dataplane: Dataplane;
  /**
   * The target port: its mode as its enforcer reads it (ztunnel has no
   * DISABLE), and what it takes in fact (a port no proxy captures takes
   * plaintext whatever its mode).
   */
  readonly inbound: InboundPort;
}

/** A Service endpoint a DestinationRule TLS setting reaches. */
export interface ImpactedEndpoint extends ImpactedServer {
  /**
   * What a client sidecar using the rule sends to this endpoint: `hbone`
   * toward an ambient pod (with ambient installed, HBONE replaces the
   * rule's tls, except on a headless Service whose cluster has a tls of its
   * own: pilot/pkg/networking/core/cluster_tls.go applyHBONETransportSocketMatches).
   */
  readonly wire: WireTls;
  readonly via: ImpactVia;
}

/** Which endpoints a rule asks about: the rest are skipped before what goes on the wire is worked out. */
export interface ImpactFilter {
  /** Asked first, before the port's mode is resolved. */
  readonly server?: (server: Workload, dataplane: DataplaneResolution, targetPort: number) => boolean;
  readonly endpoint?: (e: ImpactedServer) => boolean;
}

/** A namespace (or the mesh, as `~other~`) whose workloads are not in the input, judged at policy level. */
export interface ImpactedNamespace {
  readonly namespace: string;
  readonly mode: ModeDecision;
}

export interface DestinationRuleImpact {
  readonly endpoints: readonly ImpactedEndpoint[];
  readonly namespaces: readonly ImpactedNamespace[];
}

/**
 * What a DestinationRule's TLS setting reaches, for rules that compare it with
 * the servers: endpoints of Services in the input for which some client
 * actually chooses this rule (and this setting is the one in force on that
 * port); and, for hosts in namespaces without workloads in the input, the
 * namespace-level mode (the mesh level for mesh-wide hosts when the input has
 * no Services at all).
 */
export function destinationRuleImpact(
  ctx: AnalysisContext, dr: DestinationRulePolicy, setting: ClientTlsSetting, wanted: ImpactFilter = {},
): DestinationRuleImpact {
  const m = ctx.model;
  const endpoints: ImpactedEndpoint[] = [];
  for (const s of m.servicesMatchingHost(dr.fqdn)) {
    if (!ctx.hasWorkloads(s.namespace)) continue;
    // Whether a client chooses the rule for this Service: asked once, and only for an endpoint the caller wants.
    let chosen: boolean | undefined;
    for (const ep of ctx.cache.endpointsOf(s)) {
      const inForce = tlsSettingFor(dr, ep.port.port);
      const viaMetadata = inForce === undefined && setting === dr.tls && dr.portEntries.includes(ep.port.port);
      if (inForce !== setting && !viaMetadata) continue;
      const dataplane = ctx.dataplane(ep.server);
      if (wanted.server && !wanted.server(ep.server, dataplane, ep.targetPort)) continue;
      chosen ??= ctx.isChosen(dr, s.hostname, s.namespace);
      if (!chosen) break;
      const inbound = ctx.inbound(ep.server).port(ep.targetPort);
      const server: ImpactedServer = {
        service: s,
        servicePort: ep.port.port,
        server: ep.server,
        targetPort: ep.targetPort,
        sidecar: dataplane.dataplane === 'sidecar',
        dataplane: dataplane.dataplane,
        inbound,
      };
      // What goes on the wire is the costly part: only for the endpoints the caller asks about.
      if (wanted.endpoint && !wanted.endpoint(server)) continue;
      const wire = wireTo(ctx, dr, s, ep.port.port, ep.server, inbound, !viaMetadata);
      // Through the endpoint metadata only when the rule-level mode is what in fact goes on the wire.
      if (viaMetadata && wire !== wireTlsOf(setting)) continue;
      endpoints.push({ ...server, wire, via: viaMetadata ? 'endpoint-metadata' : 'setting' });
    }
  }
  const namespaces: ImpactedNamespace[] = [];
  const clusterDomain = m.options.clusterDomain;
  const judge = (ns: string, host: string, hostNs: string) => {
    if (ctx.hasWorkloads(ns)) return;
    // Pods of an ambient namespace receive HBONE from client sidecars, whatever the rule's tls.
    if (ctx.hypotheticalDataplane(ns, {}).dataplane === 'ambient') return;
    if (!ctx.isChosen(dr, host, hostNs)) return;
    namespaces.push({ namespace: ns, mode: ctx.namespaceMode(ns) });
  };
  const hostNs = namespaceOfHost(dr.fqdn, clusterDomain);
  if (hostNs !== undefined) {
    if (!isWildcardHost(dr.fqdn)) {
      // A named Service whose pods are unknown: only sure when no workload policy in its namespace could differ.
      const workloadPolicies = m.peerAuthenticationsIn(hostNs).some((p) => p.level === 'workload');
      if (!m.serviceByHostname(dr.fqdn) && !workloadPolicies) judge(hostNs, dr.fqdn, hostNs);
    } else {
      judge(hostNs, ctx.placeholder(hostNs), hostNs);
    }
  } else if (isWildcardHost(dr.fqdn) && m.services.length === 0) {
    const namespaceLevel = new Set(m.peerAuthentications.filter((p) => p.level === 'namespace').map((p) => p.namespace));
    for (const ns of [...namespaceLevel].sort()) judge(ns, ctx.placeholder(ns), ns);
    judge(ANY_OTHER_NAMESPACE, ctx.placeholder(ANY_OTHER_NAMESPACE), ANY_OTHER_NAMESPACE);
  }
  return { endpoints, namespaces };
}

/**
 * What a client sidecar that uses `dr` sends to `server` through
 * `service:servicePort`: HBONE to an ambient pod (unless the Service is
 * headless and the cluster has a tls of its own); otherwise the cluster's
 * TLS and auto mTLS as pilot builds them, for this endpoint.
 */
function wireTo(
  ctx: AnalysisContext, dr: DestinationRulePolicy, service: ServiceInfo, servicePort: number, server: Workload,
  inbound: InboundPort, clusterTls: boolean,
): WireTls {
  const m = ctx.model;
  const plane = ctx.dataplane(server);
  if (plane.dataplane === 'ambient' && m.options.ambient && !(service.headless && clusterTls)) return 'hbone';
  const endpoint: EndpointFacts = {
    sidecar: plane.dataplane === 'sidecar' && inbound.captured,
    // The mode matters only to auto mTLS (DISABLE gets plaintext); a rule's tls decides whatever it is.
    mode: inbound.possibleModes.includes('DISABLE') ? 'DISABLE' : inbound.possibleModes[0] ?? 'PERMISSIVE',
    tlsMode: plane.tlsMode,
  };
  const endpoints = service.headless ? m.workloadsOf(service).map((w): EndpointFacts => {
    const d = resolveDataplane(m, w);
    return { sidecar: d.dataplane === 'sidecar', mode: 'PERMISSIVE', tlsMode: d.tlsMode };
  }) : undefined;
  return clientTlsFromLookup(m, true, { rule: dr, competing: [] }, servicePort, endpoint, { service, endpoints }).tls;
}

/** The settings of a rule in one mode: top-level and port-level. */
export function settingsWithMode(dr: DestinationRulePolicy, mode: ClientTlsSetting['mode']): ClientTlsSetting[] {
  return [...(dr.tls ? [dr.tls] : []), ...dr.portTls].filter((s) => s.mode === mode);
}

export function describeNamespaceScope(ns: string): string {
  return ns === ANY_OTHER_NAMESPACE ? 'the mesh' : `namespace ${ns}`;
}
