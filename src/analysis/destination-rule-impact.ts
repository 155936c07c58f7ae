import { ANY_OTHER_NAMESPACE, AnalysisContext } from './context';
import { isWildcardHost, namespaceOfHost } from '../model/hosts';
import { ServiceInfo, Workload } from '../model/inventory';
import { ClientTlsSetting, DestinationRulePolicy } from '../model/policies';
import { tlsSettingFor } from '../resolution/client-tls';
import { ModeDecision } from '../resolution/server-mode';

/** A Service endpoint a DestinationRule TLS setting reaches. */
export interface ImpactedEndpoint {
  readonly service: ServiceInfo;
  readonly servicePort: number;
  readonly server: Workload;
  readonly targetPort: number;
  readonly sidecar: boolean;
  readonly mode: ModeDecision;
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
export function destinationRuleImpact(ctx: AnalysisContext, dr: DestinationRulePolicy, setting: ClientTlsSetting): DestinationRuleImpact {
  const m = ctx.model;
  const endpoints: ImpactedEndpoint[] = [];
  for (const s of m.servicesMatchingHost(dr.fqdn)) {
    if (!ctx.hasWorkloads(s.namespace) || !ctx.isChosen(dr, s.hostname, s.namespace)) continue;
    for (const ep of ctx.cache.endpointsOf(s)) {
      if (tlsSettingFor(dr, ep.port.port) !== setting) continue;
      endpoints.push({
        service: s,
        servicePort: ep.port.port,
        server: ep.server,
        targetPort: ep.targetPort,
        sidecar: ctx.sidecar(ep.server),
        mode: ctx.server(ep.server).portMode(ep.targetPort),
      });
    }
  }
  const namespaces: ImpactedNamespace[] = [];
  const clusterDomain = m.options.clusterDomain;
  const judge = (ns: string, host: string, hostNs: string) => {
    if (ctx.hasWorkloads(ns)) return;
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

/** The settings of a rule in one mode: top-level and port-level. */
export function settingsWithMode(dr: DestinationRulePolicy, mode: ClientTlsSetting['mode']): ClientTlsSetting[] {
  return [...(dr.tls ? [dr.tls] : []), ...dr.portTls].filter((s) => s.mode === mode);
}

export function describeNamespaceScope(ns: string): string {
  return ns === ANY_OTHER_NAMESPACE ? 'the mesh' : `namespace ${ns}`;
}
