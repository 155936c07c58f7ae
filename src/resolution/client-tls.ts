import { ClientContext, DestinationRuleLookup, lookupDestinationRule } from './destination-rule-lookup';
import { EffectiveMode } from './server-mode';
import { resolveSidecar } from './sidecar';
import { ServiceInfo, Workload } from '../model/inventory';
import { ResourceRef } from '../model/manifest';
import { MeshModel } from '../model/mesh-model';
import { ClientTlsSetting, DestinationRulePolicy } from '../model/policies';

/** What goes on the wire from the client sidecar (or the bare client). */
export type WireTls = 'mtls' | 'plaintext' | 'tls-origination';

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
  readonly sidecar: boolean;
  /** The server's mode on the target port; auto mTLS sends plaintext to DISABLE. */
  readonly mode: EffectiveMode;
}

/** The TLS setting a DestinationRule gives one Service port: port-level settings override the rule's. */
export function tlsSettingFor(rule: DestinationRulePolicy, servicePort: number): ClientTlsSetting | undefined {
  return rule.portTls.find((t) => t.port === servicePort) ?? rule.tls;
}

export function wireTlsOf(setting: ClientTlsSetting): WireTls {
  switch (setting.mode) {
    case 'ISTIO_MUTUAL': return 'mtls';
    case 'DISABLE': return 'plaintext';
    default: return 'tls-origination';
  }
}

/**
 * The TLS a client sends to a host:port given the DestinationRule lookup and
 * the endpoint: a client without a sidecar sends plaintext; a DestinationRule
 * `tls` (port-level first) is used as written; with none, auto mTLS sends
 * Istio mTLS to endpoints with a sidecar whose port is not DISABLE
 * (`buildAutoMtlsSettings`, endpoint `mtlsChecker`), plaintext otherwise.
 */
export function clientTlsFromLookup(
  model: MeshModel, clientSidecar: boolean, lookup: DestinationRuleLookup, servicePort: number, endpoint: EndpointFacts | undefined,
): ClientTlsResolution {
  const rule = lookup.rule;
  const competing = lookup.competing.map((d) => d.ref);
  if (!clientSidecar) {
    return { tls: 'plaintext', source: 'no-client-sidecar', destinationRule: rule, setting: null, competing, reason: 'the client has no sidecar and sends plaintext' };
  }
  const setting = rule ? tlsSettingFor(rule, servicePort) : undefined;
  if (rule && setting) {
    const at = setting.port !== undefined ? ` for port ${setting.port}` : '';
    return {
      tls: wireTlsOf(setting),
      source: setting.port !== undefined ? 'destination-rule-port' : 'destination-rule',
      destinationRule: rule,
      setting,
      competing,
      reason: `DestinationRule ${rule.namespace}/${rule.name} sets tls ${setting.mode}${at}`,
    };
  }
  if (!model.options.autoMtls) {
    return { tls: 'plaintext', source: 'auto-mtls-off', destinationRule: rule, setting: null, competing, reason: 'auto mTLS is off and no DestinationRule sets tls' };
  }
  if (endpoint && !endpoint.sidecar) {
    return { tls: 'plaintext', source: 'auto-mtls', destinationRule: rule, setting: null, competing, reason: 'auto mTLS sends plaintext to an endpoint without a sidecar' };
  }
  if (endpoint && endpoint.mode === 'DISABLE') {
    return { tls: 'plaintext', source: 'auto-mtls', destinationRule: rule, setting: null, competing, reason: 'auto mTLS sends plaintext to a port whose mode is DISABLE' };
  }
  return { tls: 'mtls', source: 'auto-mtls', destinationRule: rule, setting: null, competing, reason: 'auto mTLS sends Istio mTLS to a sidecar endpoint' };
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
  return clientTlsFromLookup(model, clientSidecar, lookup, servicePort, endpoint);
}
