import { EndpointTlsFacts, SentTls, clusterTlsFor } from './cluster-tls';
import { ClientContext, DestinationRuleLookup, lookupDestinationRule } from './destination-rule-lookup';
import { EffectiveMode, resolveNamespaceMode } from './server-mode';
import { resolveSidecar } from './sidecar';
import { ServiceInfo, Workload } from '../model/inventory';
import { ResourceRef } from '../model/manifest';
import { MeshModel } from '../model/mesh-model';
import { ClientTlsSetting, DestinationRulePolicy } from '../model/policies';
import { TlsInfo, clusterPolicyFor, endpointLevelTlsFor, isPassthroughLoadBalancer, portLevelEntryFor } from '../model/traffic-policy';

/** What goes on the wire from the client's proxy (or the bare client); `hbone` is mTLS in an HBONE tunnel. */
export type WireTls = 'mtls' | 'plaintext' | 'tls-origination' | 'hbone';

/** Why the client sends what it sends. */
export type ClientTlsSource = 'no-client-sidecar' | 'destination-rule' | 'destination-rule-port' | 'auto-mtls' | 'auto-mtls-off';

export interface ClientTlsResolution {
  readonly tls: WireTls;
  readonly source: ClientTlsSource;
  /** The DestinationRule chosen for the host, whether or not it sets TLS. */
  readonly destinationRule: DestinationRulePolicy | null;
  /** The TLS setting that decided, when a DestinationRule's did. */
  readonly setting: ClientTlsSetting | null;
  /** Rules that compete with the chosen one at the same host (only their age decides). */
  readonly competing: readonly ResourceRef[];
  readonly reason: string;
}

/** What the client knows of the endpoint it reaches, for auto mTLS. */
export interface EndpointFacts {
  /** The server's port is captured by a sidecar. */
  readonly sidecar: boolean;
  /** The server's mode on the target port; auto mTLS sends plaintext to DISABLE. */
  readonly mode: EffectiveMode;
  /**
   * `security.istio.io/tlsMode` as pilot reads it for the endpoint; only
   * `istio` gets mTLS from auto mTLS.
   * @default - `istio` for an endpoint with a sidecar, else `disabled`
   */
  readonly tlsMode?: string;
}

/** The Service the client calls, for auto mTLS's Service-wide checks. */
export interface ServiceTlsFacts {
  readonly service: ServiceInfo;
  /** Every endpoint of the Service port (a headless Service sends plaintext to all if one lacks `tlsMode: istio`). */
  readonly endpoints?: readonly EndpointFacts[];
}

/**
 * The TLS setting a DestinationRule gives one Service port: a port-level
 * entry replaces the rule's whole policy for its port, so an entry without
 * `tls` leaves the port with none (auto mTLS), not the rule's.
 */
export function tlsSettingFor(rule: DestinationRulePolicy, servicePort: number): ClientTlsSetting | undefined {
  const port = rule.portTls.find((t) => t.port === servicePort);
  if (port) return port;
  return rule.portEntries.includes(servicePort) ? undefined : rule.tls;
}

export function wireTlsOf(setting: ClientTlsSetting): WireTls {
  switch (setting.mode) {
    case 'ISTIO_MUTUAL': return 'mtls';
    case 'DISABLE': return 'plaintext';
    default: return 'tls-origination';
  }
}

function wireOf(sent: SentTls): WireTls {
  return sent === 'istio-mtls' ? 'mtls' : sent;
}

function endpointTlsFacts(e: EndpointFacts): EndpointTlsFacts {
  return { tlsModeLabel: e.tlsMode ?? (e.sidecar ? 'istio' : 'disabled'), peerAuthenticationMode: e.mode };
}

/** The model's setting for a TLS the traffic policy reader found. */
function settingOf(rule: DestinationRulePolicy, tls: TlsInfo, servicePort: number): ClientTlsSetting {
  return tlsSettingFor(rule, servicePort) ?? { mode: tls.mode, path: tls.modePath };
}

/**
 * The TLS a client sends to a host:port given the DestinationRule lookup and
 * the endpoint, as pilot builds the cluster (SEMANTICS.md §0): a client
 * without a sidecar sends plaintext; a set `tls` (a port-level entry replaces
 * the rule's policy) is used as written; unset, auto mTLS sends plaintext
 * when it is off, when the Service's namespace (or mesh) policy is DISABLE,
 * or when a headless Service has an endpoint without `tlsMode: istio`; else
 * Istio mTLS to an endpoint whose tlsMode label is `istio` and whose port is
 * not DISABLE (the endpoint-level `tls` decides instead when the rule sets one).
 * Without `endpoint`, the endpoint is taken to be a sidecar that accepts mTLS.
 */
export function clientTlsFromLookup(
  model: MeshModel, clientSidecar: boolean, lookup: DestinationRuleLookup, servicePort: number, endpoint: EndpointFacts | undefined,
  service?: ServiceTlsFacts,
): ClientTlsResolution {
  const rule = lookup.rule;
  const competing = lookup.competing.map((d) => d.ref);
  if (!clientSidecar) {
    return { tls: 'plaintext', source: 'no-client-sidecar', destinationRule: rule, setting: null, competing, reason: 'the client has no sidecar and sends plaintext' };
  }
  const policy = rule ? clusterPolicyFor(rule.traffic, undefined, servicePort) : undefined;
  const target = endpointTlsFacts(endpoint ?? { sidecar: true, mode: 'PERMISSIVE' });
  const headless = service?.service.headless ?? false;
  const namespaceMode = service ? resolveNamespaceMode(model, service.service.namespace) : undefined;
  const cluster = clusterTlsFor({
    clusterTls: policy?.tls,
    endpointLevelTls: rule ? endpointLevelTlsFor(rule.traffic, undefined, servicePort) : undefined,
    autoMtls: model.options.autoMtls,
    meshExternal: false,
    serviceNamespaceModeDisable: namespaceMode?.mode === 'DISABLE',
    passthrough: headless || isPassthroughLoadBalancer(rule?.traffic.trafficPolicy),
    originalDstCluster: headless || isPassthroughLoadBalancer(policy),
    endpoints: [target],
    serviceEndpoints: service?.endpoints?.map(endpointTlsFacts),
    ruleHasWorkloadSelector: rule?.traffic.hasWorkloadSelector ?? false,
  });
  const tls = wireOf(cluster.perEndpoint[0]);
  if (rule && policy?.tls) {
    const portLevel = portLevelEntryFor(rule.traffic.trafficPolicy, servicePort) !== undefined;
    return {
      tls,
      source: portLevel ? 'destination-rule-port' : 'destination-rule',
      destinationRule: rule,
      setting: settingOf(rule, policy.tls, servicePort),
      competing,
      reason: `DestinationRule ${rule.namespace}/${rule.name} sets tls ${policy.tls.mode}${portLevel ? ` for port ${servicePort}` : ''}${tls === 'plaintext' && policy.tls.mode !== 'DISABLE' ? `, but ${cluster.source}` : ''}`,
    };
  }
  if (!model.options.autoMtls) {
    return { tls, source: 'auto-mtls-off', destinationRule: rule, setting: null, competing, reason: 'auto mTLS is off and no DestinationRule sets tls' };
  }
  const reason = autoReason(tls, cluster.source, endpoint, namespaceMode?.decidedBy ?? null);
  return { tls, source: 'auto-mtls', destinationRule: rule, setting: null, competing, reason };
}

function autoReason(
  tls: WireTls, source: string, endpoint: EndpointFacts | undefined, namespacePolicy: { namespace: string; name: string } | null,
): string {
  if (tls === 'mtls') return 'auto mTLS sends Istio mTLS to a sidecar endpoint';
  if (/namespace \(or mesh\) PeerAuthentication is DISABLE/.test(source)) {
    const by = namespacePolicy ? ` (PeerAuthentication ${namespacePolicy.namespace}/${namespacePolicy.name})` : '';
    return `auto mTLS sends plaintext to the whole Service: its namespace (or the mesh) is DISABLE${by}, whatever the workload's own policy`;
  }
  if (/passthrough port/.test(source)) return 'auto mTLS sends plaintext to every endpoint of a headless Service when one of them has no sidecar (tlsMode istio)';
  if (endpoint && !endpoint.sidecar) return 'auto mTLS sends plaintext to an endpoint without a sidecar';
  if (endpoint && endpoint.mode === 'DISABLE') return 'auto mTLS sends plaintext to a port whose mode is DISABLE';
  if (endpoint?.tlsMode !== undefined && endpoint.tlsMode !== 'istio') return `auto mTLS sends plaintext to an endpoint labelled security.istio.io/tlsMode: ${endpoint.tlsMode}`;
  return `auto mTLS sends plaintext: ${source}`;
}

/**
 * The TLS `client` sends to `service:servicePort` (a Service port, as
 * DestinationRule port-level settings are). `endpoint` describes the server
 * reached; without it, auto mTLS is taken to reach a sidecar that accepts mTLS.
 */
export function resolveClientTls(
  model: MeshModel, client: Workload, service: ServiceInfo, servicePort: number, endpoint?: EndpointFacts,
): ClientTlsResolution {
  const clientSidecar = resolveSidecar(model, client).injected;
  const ctx: ClientContext = { namespace: client.namespace, labels: client.labels };
  const lookup = lookupDestinationRule(model, ctx, service.hostname, service.namespace);
  return clientTlsFromLookup(model, clientSidecar, lookup, servicePort, endpoint, { service });
}
