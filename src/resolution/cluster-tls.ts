import { ClientTlsMode, PeerAuthenticationMode } from '../model/policies';
import { TlsInfo } from '../model/traffic-policy';

/**
 * What a client sidecar sends on one outbound cluster, endpoint by endpoint,
 * exactly as istio/istio 1.30.3 pilot builds it (SEMANTICS.md §0): the
 * cluster's TLS (pilot/pkg/networking/core/cluster_tls.go), the service mode
 * hint (pilot/pkg/model/push_context.go `BestEffortInferServiceMTLSMode`) and
 * the per-endpoint check (pilot/pkg/xds/endpoints/mtls_checker.go,
 * endpoint_builder.go). HBONE sending (ambient) is out of scope here.
 */

/** What pilot knows of one endpoint for auto mTLS. */
export interface EndpointTlsFacts {
  /** `security.istio.io/tlsMode` as pilot sees it: the label value verbatim, undefined when absent (pilot reads `disabled`). */
  readonly tlsModeLabel: string | undefined;
  /** The endpoint's effective PeerAuthentication mode on its target port. */
  readonly peerAuthenticationMode: PeerAuthenticationMode;
}

/** What goes on the wire to one endpoint. */
export type SentTls = 'istio-mtls' | 'plaintext' | 'tls-origination';

/** Pilot's `MutualTLSMode` hint for a Service port. */
export type ServiceMtlsHint = 'UNKNOWN' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

/** The facts `BestEffortInferServiceMTLSMode` reads. */
export interface ServiceMtlsFacts {
  readonly meshExternal: boolean;
  /** A headless Service (resolution Passthrough) or the policy's own `loadBalancer.simple: PASSTHROUGH` (S3). */
  readonly passthrough: boolean;
  /** Every endpoint of the Service port, whatever the subset. */
  readonly serviceEndpoints: readonly EndpointTlsFacts[];
  /** The namespace-level mode of the Service's namespace, else the mesh-level one; UNSET when neither sets a mode. */
  readonly namespaceMode: PeerAuthenticationMode;
}

const LABEL_DISABLED = 'disabled';
const LABEL_ISTIO = 'istio';

function labelAsPilotReads(label: string | undefined): string {
  return label ?? LABEL_DISABLED;
}

/**
 * The service mode hint pilot gives auto mTLS: UNKNOWN for MESH_EXTERNAL;
 * DISABLE for a passthrough port with no endpoint or one whose tlsMode is
 * exactly `disabled`; else the namespace (or mesh) mode; else PERMISSIVE.
 * Workload and port-level policies are never consulted here (S1).
 */
export function inferServiceMtlsMode(facts: ServiceMtlsFacts): ServiceMtlsHint {
  if (facts.meshExternal) return 'UNKNOWN';
  if (facts.passthrough) {
    if (facts.serviceEndpoints.length === 0) return 'DISABLE';
    // Only the exact value `disabled` (or no label) counts; `Istio` or `true` pass this check.
    if (facts.serviceEndpoints.some((e) => labelAsPilotReads(e.tlsModeLabel) === LABEL_DISABLED)) return 'DISABLE';
  }
  return facts.namespaceMode === 'UNSET' ? 'PERMISSIVE' : facts.namespaceMode;
}

/** The cluster-level TLS pilot settles on, and whether auto mTLS produced it. */
export interface UpstreamTlsSettings {
  /** Undefined: no TLS on the cluster. */
  readonly mode: ClientTlsMode | undefined;
  /** True when auto mTLS filled it in: then endpoints are matched one by one. */
  readonly autoDetected: boolean;
}

/**
 * cluster_tls.go `buildUpstreamTLSSettings` (without proxy metadata
 * certificates): a set `tls` is used as written; unset, auto mTLS gives
 * ISTIO_MUTUAL unless the Service is MESH_EXTERNAL, auto mTLS is off or the
 * hint is UNKNOWN or DISABLE.
 */
export function upstreamTlsSettings(
  tls: ClientTlsMode | undefined, autoMtls: boolean, meshExternal: boolean, serviceMode: ServiceMtlsHint,
): UpstreamTlsSettings {
  if (tls !== undefined) return { mode: tls, autoDetected: false };
  if (meshExternal || !autoMtls || serviceMode === 'UNKNOWN' || serviceMode === 'DISABLE') return { mode: undefined, autoDetected: false };
  return { mode: 'ISTIO_MUTUAL', autoDetected: true };
}

/** The outcome of building the TLS context of a set `tls`. */
export type TlsContextOutcome = 'built' | 'none' | 'error';

/** Who builds the cluster: the `credentialName` rule differs for sidecars. */
export interface TlsContextSite {
  /** False for a gateway (router) proxy. */
  readonly sidecar: boolean;
  /** The DestinationRule that gave the policy has a workloadSelector. */
  readonly ruleHasWorkloadSelector: boolean;
}

const CONFIG_MAP_CREDENTIAL = 'configmap://';

/**
 * cluster_tls.go `buildUpstreamClusterTLSContext`: DISABLE builds nothing; a
 * sidecar ignores SIMPLE/MUTUAL with a (non-ConfigMap) `credentialName` unless
 * the rule has a workloadSelector; MUTUAL without `credentialName` needs both
 * `clientCertificate` and `privateKey` or fails. Either way without a context
 * the cluster stays plaintext (`applyUpstreamTLSSettings` logs and returns).
 */
export function tlsContextOutcome(tls: TlsInfo, site: TlsContextSite): TlsContextOutcome {
  if (tls.mode === 'DISABLE') return 'none';
  const privileged = tls.credentialName !== undefined && !tls.credentialName.startsWith(CONFIG_MAP_CREDENTIAL);
  if (privileged && site.sidecar && !site.ruleHasWorkloadSelector && (tls.mode === 'SIMPLE' || tls.mode === 'MUTUAL')) return 'none';
  if (tls.mode === 'MUTUAL' && tls.credentialName === undefined && !(tls.hasClientCertificate && tls.hasPrivateKey)) return 'error';
  return 'built';
}

/**
 * mtls_checker.go `checkMtlsEnabled`: the endpoint-level `tls` decides when
 * set (only ISTIO_MUTUAL enables); otherwise the tlsMode label must be exactly
 * `istio` and the endpoint's PeerAuthentication mode on the port not DISABLE.
 */
export function endpointMtlsEnabled(endpointLevel: TlsInfo | undefined, endpoint: EndpointTlsFacts): boolean {
  if (endpointLevel !== undefined) return endpointLevel.mode === 'ISTIO_MUTUAL';
  if (endpoint.tlsModeLabel !== LABEL_ISTIO) return false;
  return endpoint.peerAuthenticationMode !== 'DISABLE';
}

/** Everything that decides the TLS of one outbound cluster of a sidecar. */
export interface ClusterTlsInput {
  /** The cluster's `tls` after port-level replacement and subset merge (`clusterPolicyFor(...)?.tls`). */
  readonly clusterTls: TlsInfo | undefined;
  /** What mtls_checker reads: rule-level `tls` even when a port entry has none (S2); for subsets only the subset's own. */
  readonly endpointLevelTls: TlsInfo | undefined;
  readonly autoMtls: boolean;
  readonly meshExternal: boolean;
  /** The Service namespace's namespace-level mode (else the mesh's) is DISABLE (S1). */
  readonly serviceNamespaceModeDisable: boolean;
  /** Headless Service, or `loadBalancer.simple: PASSTHROUGH` on the rule's (subset's) own top-level policy (S3). */
  readonly passthrough: boolean;
  /** The cluster's endpoints (a subset's only), in the order results are wanted. */
  readonly endpoints: readonly EndpointTlsFacts[];
  /** Every endpoint of the Service port, for the S3 check; defaults to `endpoints`. */
  readonly serviceEndpoints?: readonly EndpointTlsFacts[];
  /**
   * The cluster is ORIGINAL_DST: headless Service, or PASSTHROUGH on the
   * cluster's effective (port-level or merged) policy. Defaults to `passthrough`.
   */
  readonly originalDstCluster?: boolean;
  /** The chosen DestinationRule has a workloadSelector (matters for `credentialName`). Default false. */
  readonly ruleHasWorkloadSelector?: boolean;
  /** The client is a gateway, not a sidecar (matters for `credentialName`). Default false. */
  readonly gatewayClient?: boolean;
}

export interface ClusterTls {
  /** One value per entry of `endpoints`. */
  readonly perEndpoint: SentTls[];
  /** Which rule decided, one line. */
  readonly source: string;
}

function all(input: ClusterTlsInput, sent: SentTls, source: string): ClusterTls {
  return { perEndpoint: input.endpoints.map(() => sent), source };
}

function explicitTls(input: ClusterTlsInput, tls: TlsInfo): ClusterTls {
  const at = `DestinationRule tls ${tls.mode}${tls.modeSource === 'written' ? '' : ` (mode ${tls.modeSource === 'default' ? 'not written' : 'invalid'}, read as DISABLE)`} at ${tls.path}`;
  if (tls.mode === 'DISABLE') return all(input, 'plaintext', `${at}: plaintext to every endpoint`);
  const outcome = tlsContextOutcome(tls, { sidecar: input.gatewayClient !== true, ruleHasWorkloadSelector: input.ruleHasWorkloadSelector === true });
  if (outcome === 'none') {
    return all(input, 'plaintext', `${at} with credentialName is ignored by sidecars unless the rule has a workloadSelector: plaintext`);
  }
  if (outcome === 'error') {
    return all(input, 'plaintext', `${at} without clientCertificate and privateKey: pilot cannot build the TLS context and leaves the cluster plaintext`);
  }
  if (tls.mode === 'ISTIO_MUTUAL') return all(input, 'istio-mtls', `${at}: Istio mTLS to every endpoint`);
  return all(input, 'tls-origination', `${at}: TLS origination to every endpoint`);
}

/**
 * The TLS a sidecar sends to each endpoint of one cluster (SEMANTICS.md §0):
 * a set `tls` decides for every endpoint; unset, auto mTLS is off for
 * MESH_EXTERNAL, when disabled, when the Service namespace (or mesh) mode is
 * DISABLE (S1) or a passthrough port has an endpoint without a sidecar (S3);
 * an ORIGINAL_DST cluster then sends mTLS to every endpoint (one transport
 * socket), any other cluster matches endpoints one by one: mTLS iff the
 * tlsMode label is exactly `istio` and {@link endpointMtlsEnabled}.
 */
export function clusterTlsFor(input: ClusterTlsInput): ClusterTls {
  if (input.clusterTls !== undefined) return explicitTls(input, input.clusterTls);
  if (input.meshExternal) return all(input, 'plaintext', 'no tls set and the Service is MESH_EXTERNAL: auto mTLS never applies, plaintext');
  if (!input.autoMtls) return all(input, 'plaintext', 'no tls set and auto mTLS is off: plaintext');
  const serviceEndpoints = input.serviceEndpoints ?? input.endpoints;
  const hint = inferServiceMtlsMode({
    meshExternal: false,
    passthrough: input.passthrough,
    serviceEndpoints,
    namespaceMode: input.serviceNamespaceModeDisable ? 'DISABLE' : 'UNSET',
  });
  if (hint === 'DISABLE') {
    // The passthrough check runs first in pilot, so it names the cause when both hold.
    const passthroughCause = !input.passthrough ? undefined
      : serviceEndpoints.length === 0 ? 'has no endpoints'
        : serviceEndpoints.some((e) => labelAsPilotReads(e.tlsModeLabel) === LABEL_DISABLED) ? 'has an endpoint whose tlsMode is disabled' : undefined;
    if (passthroughCause === undefined) {
      return all(input, 'plaintext', 'no tls set and the Service namespace (or mesh) PeerAuthentication is DISABLE: auto mTLS sends plaintext to every endpoint');
    }
    return all(input, 'plaintext', `no tls set and the passthrough port ${passthroughCause}: auto mTLS sends plaintext to every endpoint`);
  }
  if (input.originalDstCluster ?? input.passthrough) {
    return all(input, 'istio-mtls', 'auto mTLS on an ORIGINAL_DST cluster: one transport socket, Istio mTLS to every endpoint');
  }
  const perEndpoint = input.endpoints.map((e): SentTls =>
    (e.tlsModeLabel === LABEL_ISTIO && endpointMtlsEnabled(input.endpointLevelTls, e) ? 'istio-mtls' : 'plaintext'));
  const by = input.endpointLevelTls !== undefined
    ? `the endpoint-level tls ${input.endpointLevelTls.mode} at ${input.endpointLevelTls.path}`
    : 'each endpoint\'s PeerAuthentication mode';
  return { perEndpoint, source: `auto mTLS per endpoint: mTLS where tlsMode is exactly istio and ${by} allows it, plaintext elsewhere` };
}

/** The listener protocol of a server port: from the Service port, `auto` when unknown, `unlisted` when no Service names it. */
export type InboundPortProtocol = 'tcp' | 'http' | 'auto' | 'unlisted';

/** How a call arrives at the server sidecar. */
export interface InboundCall {
  readonly tls: 'none' | 'tls' | 'mtls';
  readonly protocol: 'tcp' | 'http' | 'http2';
}

/** Why the server sidecar refuses a call. */
export type InboundFailure = 'no-filter-chain' | 'mtls-error' | 'protocol-error';

export interface InboundAcceptance {
  readonly accepted: boolean;
  readonly failure?: InboundFailure;
}

/** The wire form of what a client sends. */
export function inboundTlsOf(sent: SentTls): InboundCall['tls'] {
  return sent === 'istio-mtls' ? 'mtls' : sent === 'tls-origination' ? 'tls' : 'none';
}

const ACCEPTED: InboundAcceptance = Object.freeze({ accepted: true });

function refused(failure: InboundFailure): InboundAcceptance {
  return { accepted: false, failure };
}

/**
 * Whether a server sidecar's inbound listener takes a call, per
 * sidecar_simulation_test.go `TestInbound` (istio/istio 1.30.3
 * pilot/pkg/networking/core): STRICT takes only mTLS; on TCP, auto-detected
 * and unlisted ports PERMISSIVE and DISABLE take anything (DISABLE forwards
 * TLS and mTLS untouched); an HTTP port takes only HTTP, so TLS origination
 * there fails under PERMISSIVE (no filter chain) and DISABLE (protocol error),
 * and DISABLE also refuses mTLS. An accepted TLS call reaches the app still
 * encrypted. Combinations outside that table (mTLS-wrapped TCP to an HTTP
 * port) follow the same rule: the HTTP port needs HTTP inside.
 */
export function acceptsOnPort(serverMode: PeerAuthenticationMode, port: InboundPortProtocol, call: InboundCall): InboundAcceptance {
  const mode = serverMode === 'UNSET' ? 'PERMISSIVE' : serverMode;
  const httpInside = call.protocol !== 'tcp';
  if (mode === 'STRICT') {
    if (call.tls === 'none') return refused('no-filter-chain');
    if (call.tls === 'tls') return refused('mtls-error');
    return port === 'http' && !httpInside ? refused('protocol-error') : ACCEPTED;
  }
  if (port !== 'http') return ACCEPTED;
  if (mode === 'PERMISSIVE') {
    if (call.tls === 'tls') return refused('no-filter-chain');
    return httpInside ? ACCEPTED : refused('protocol-error');
  }
  // DISABLE: nothing is terminated, so the HTTP listener must see HTTP in the clear.
  return call.tls === 'none' && httpInside ? ACCEPTED : refused('protocol-error');
}
