import { EndpointTlsFacts, SentTls, clusterTlsFor } from './cluster-tls';
import {
  ClientContext, DestinationRuleLookup, DestinationRuleVariant, destinationRuleVariants, lookupDestinationRule,
} from './destination-rule-lookup';
import { EffectiveMode, resolveNamespaceMode } from './server-mode';
import { resolveSidecar } from './sidecar';
import { ServiceInfo, Workload } from '../model/inventory';
import { ResourceRef } from '../model/manifest';
import { MeshModel } from '../model/mesh-model';
import { ClientTlsSetting, DestinationRulePolicy } from '../model/policies';
import { TlsInfo, clusterPolicyFor, endpointLevelTlsFor, isPassthroughLoadBalancer } from '../model/traffic-policy';

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
  /**
   * Present when competing rules would make the client send different
   * things and only their age decides: every possibility, sorted (`tls` is
   * then the least protected of them).
   */
  readonly possibleTls?: readonly WireTls[];
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
  const host: HostTlsFacts | undefined = service
    ? { namespace: service.service.namespace, headless: service.service.headless, meshExternal: false, endpoints: service.endpoints }
    : undefined;
  const variants = destinationRuleVariants(lookup);
  const results = (variants.length > 0 ? variants : [null])
    .map((variant) => clientTlsForCluster(model, clientSidecar, lookup, { variant, port: servicePort }, endpoint, host));
  return undecided(results, variants);
}

/** Least protected first: a contested choice is never reported as more protected than it may be. */
const PROTECTION: Record<WireTls, number> = { 'plaintext': 0, 'tls-origination': 1, 'mtls': 2, 'hbone': 2 };

/** How much a wire TLS protects: plaintext 0, TLS the client originates 1, Istio mTLS or HBONE 2. */
export function protectionOf(tls: WireTls): number {
  return PROTECTION[tls];
}

/**
 * One resolution for the outcomes of competing rules: the first when they
 * agree on what goes on the wire, else the least protected, marked with
 * every possibility (`possibleTls`).
 */
export function undecided(results: readonly ClientTlsResolution[], variants: readonly DestinationRuleVariant[]): ClientTlsResolution {
  const possible = [...new Set(results.map((r) => r.tls))].sort();
  if (possible.length <= 1) return results[0];
  const weakest = results.reduce((a, b) => (PROTECTION[b.tls] < PROTECTION[a.tls] ? b : a));
  const rules = [...new Set(variants.flatMap((v) => v.merged.map((d) => `${d.namespace}/${d.name}`)))].sort();
  return {
    ...weakest,
    possibleTls: possible,
    reason: `${weakest.reason}; DestinationRules ${rules.join(', ')} compete for the host and only their age decides, so the client sends `
      + `${possible.join(' or ')}`,
  };
}

/** The cluster a sidecar sends on: the DestinationRule (merged) it uses, the subset a route names, the destination Service port. */
export interface ClusterChoice {
  /** Null when no DestinationRule applies. */
  readonly variant: DestinationRuleVariant | null;
  /** The route's subset; undefined for the host's default cluster. */
  readonly subset?: string;
  /** The destination Service port: port-level settings key on it. */
  readonly port: number;
}

/** The host called, for auto mTLS's host-wide checks. */
export interface HostTlsFacts {
  /** The namespace whose namespace-level (else mesh) PeerAuthentication mode pilot reads (S1). */
  readonly namespace: string;
  /** Headless Service or ServiceEntry with resolution NONE: pilot's Passthrough resolution (S3). */
  readonly headless: boolean;
  /** A ServiceEntry host whose `location` is not MESH_INTERNAL: auto mTLS never applies. */
  readonly meshExternal: boolean;
  /** Every endpoint of the host's port (S3). */
  readonly endpoints?: readonly EndpointFacts[];
}

/**
 * What a sidecar sends on one cluster (SEMANTICS.md §0 and §3 rules 6–7):
 * the cluster's `tls` after port-level replacement and, for a subset, the
 * field-by-field merge; the endpoint-level `tls` of the rule (a subset's own
 * only); the subset's own load balancer for the passthrough check; auto mTLS
 * never for MESH_EXTERNAL hosts. See {@link clientTlsFromLookup}.
 */
export function clientTlsForCluster(
  model: MeshModel, clientSidecar: boolean, lookup: DestinationRuleLookup, cluster: ClusterChoice, endpoint: EndpointFacts | undefined,
  host?: HostTlsFacts,
): ClientTlsResolution {
  const rule = cluster.variant?.rule ?? null;
  const traffic = cluster.variant?.traffic;
  const servicePort = cluster.port;
  const subset = cluster.subset;
  const competing = lookup.competing.map((d) => d.ref);
  if (!clientSidecar) {
    return { tls: 'plaintext', source: 'no-client-sidecar', destinationRule: rule, setting: null, competing, reason: 'the client has no sidecar and sends plaintext' };
  }
  const policy = traffic ? clusterPolicyFor(traffic, subset, servicePort) : undefined;
  const target = endpointTlsFacts(endpoint ?? { sidecar: true, mode: 'PERMISSIVE' });
  const headless = host?.headless ?? false;
  const namespaceMode = host ? resolveNamespaceMode(model, host.namespace) : undefined;
  const ownPolicy = subset === undefined ? traffic?.trafficPolicy : traffic?.subsets.find((s) => s.name === subset)?.trafficPolicy;
  const meshExternal = host?.meshExternal ?? false;
  const cluster0 = clusterTlsFor({
    clusterTls: policy?.tls,
    endpointLevelTls: traffic ? endpointLevelTlsFor(traffic, subset, servicePort) : undefined,
    autoMtls: model.options.autoMtls,
    meshExternal,
    serviceNamespaceModeDisable: namespaceMode?.mode === 'DISABLE',
    passthrough: headless || isPassthroughLoadBalancer(ownPolicy),
    originalDstCluster: headless || isPassthroughLoadBalancer(subset === undefined ? policy : ownPolicy),
    endpoints: [target],
    serviceEndpoints: host?.endpoints?.map(endpointTlsFacts),
    ruleHasWorkloadSelector: rule?.traffic.hasWorkloadSelector ?? false,
  });
  const tls = wireOf(cluster0.perEndpoint[0]);
  const at = subset !== undefined ? ` (subset ${subset})` : '';
  if (rule && policy?.tls) {
    const portLevel = policy.portLevel;
    const fromSubset = subset !== undefined && policy.tls.path.includes('/subsets/');
    return {
      tls,
      source: portLevel ? 'destination-rule-port' : 'destination-rule',
      destinationRule: rule,
      setting: subset === undefined ? settingOf(rule, policy.tls, servicePort) : { mode: policy.tls.mode, path: policy.tls.modePath },
      competing,
      reason: `DestinationRule ${rule.namespace}/${rule.name}${at} sets tls ${policy.tls.mode}${portLevel ? ` for port ${servicePort}` : ''}`
        + `${subset !== undefined && !fromSubset ? ' (inherited from the rule\'s top-level policy)' : ''}`
        + `${tls === 'plaintext' && policy.tls.mode !== 'DISABLE' ? `, but ${cluster0.source}` : ''}`,
    };
  }
  if (meshExternal) {
    return {
      tls,
      source: 'auto-mtls-off',
      destinationRule: rule,
      setting: null,
      competing,
      reason: `no DestinationRule sets tls${at} and the host is MESH_EXTERNAL: auto mTLS never applies, plaintext`,
    };
  }
  if (!model.options.autoMtls) {
    return { tls, source: 'auto-mtls-off', destinationRule: rule, setting: null, competing, reason: 'auto mTLS is off and no DestinationRule sets tls' };
  }
  const reason = autoReason(tls, cluster0.source, endpoint, namespaceMode?.decidedBy ?? null)
    + (subset !== undefined ? ` (subset ${subset}${policy?.portLevel ? `: its port-level entry for ${servicePort} resets tls` : ''})` : '');
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
