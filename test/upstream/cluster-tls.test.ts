/*
 * Exact auto mTLS: what a client sidecar sends per endpoint, from upstream's
 * tests (istio/istio 1.30.3), run through src/resolution/cluster-tls.ts.
 *
 * Tables:
 * - pilot/pkg/networking/core/cluster_tls_test.go TestBuildAutoMtlsSettings → upstreamTlsSettings
 * - pilot/pkg/networking/core/cluster_tls_test.go TestBuildUpstreamClusterTLSContext → tlsContextOutcome
 *   (nil context, error or a context: whether the cluster gets TLS at all)
 * - pilot/pkg/networking/core/cluster_tls_test.go TestApplyUpstreamTLSSettings → clusterTlsFor
 *   (one transport socket = the same for every endpoint; socket matches = endpoint by endpoint)
 * - pilot/pkg/networking/core/cluster_test.go TestAutoMTLSClusterSubsets, TestAutoMTLSClusterIgnoreWorkloadLevelPeerAuthn
 *   → clusterPolicyFor + endpointLevelTlsFor + clusterTlsFor
 * - pilot/pkg/xds/endpoints/ep_filters_test.go mtlsCases (TestEndpointsWithMTLSFilter) → endpointMtlsEnabled
 * - pilot/pkg/networking/core/sidecar_simulation_test.go TestInbound → acceptsOnPort
 * Then our own cases for SEMANTICS.md §0 S1-S3, §3 rule 7 and §5.
 *
 * Upstream cases not ported:
 * | source | case | reason |
 * | cluster_tls_test.go TestBuildAutoMtlsSettings | "Metadata cert path override ISTIO_MUTUAL", "TLS nil auto build tls with metadata cert path", "Metadata certs with Mesh Exteranl" | proxy metadata certificates (ISTIO_META_TLS_CLIENT_*), which manifests do not carry |
 * | cluster_tls_test.go TestApplyUpstreamTLSSettings | the four "... with h2" cases | same TLS decision as their non-h2 twins; they check ALPN lists only |
 * | cluster_tls_test.go TestApplyUpstreamTLSSettingsHBONE | all 3 | HBONE sending (ambient), outside this module |
 * | cluster_builder_test.go TestApplyDestinationRule | the tls SIMPLE / MUTUAL / ISTIO_MUTUAL cases | they check the alpn_override metadata and subset cluster names, not the TLS sent |
 * | ep_filters_test.go mtlsCases PeerAuthentication rows | how the PA mode is found | the effective mode on the port is an input here (server-mode.ts resolves it); each row states it |
 * | push_context_test.go | BestEffortInferServiceMTLSMode | has no direct test upstream; covered through the cluster_test.go rows and our S1/S3 cases |
 */
import { describe, expect, it } from 'vitest';
import { Manifest } from '../../src/model';
import { PeerAuthenticationMode } from '../../src/model/policies';
import {
  TlsInfo, clusterPolicyFor, endpointLevelTlsFor, readDestinationRuleTraffic, readTls,
} from '../../src/model/traffic-policy';
import {
  ClusterTlsInput,
  EndpointTlsFacts,
  InboundCall,
  InboundFailure,
  InboundPortProtocol,
  SentTls,
  ServiceMtlsHint,
  TlsContextOutcome,
  acceptsOnPort,
  clusterTlsFor,
  endpointMtlsEnabled,
  inboundTlsOf,
  inferServiceMtlsMode,
  tlsContextOutcome,
  upstreamTlsSettings,
} from '../../src/resolution/cluster-tls';

const TLS_TEST = 'pilot/pkg/networking/core/cluster_tls_test.go';
const CLUSTER_TEST = 'pilot/pkg/networking/core/cluster_test.go';
const EP_TEST = 'pilot/pkg/xds/endpoints/ep_filters_test.go';
const SIM_TEST = 'pilot/pkg/networking/core/sidecar_simulation_test.go';

type Mode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';
const tls = (fields: Record<string, unknown>): TlsInfo => readTls(fields, '/spec/trafficPolicy/tls')!;

// ---------------------------------------------------------------------------
// cluster_tls_test.go TestBuildAutoMtlsSettings
// ---------------------------------------------------------------------------

interface AutoMtlsRow {
  readonly source: string;
  readonly tls?: Mode;
  readonly autoMtls: boolean;
  readonly meshExternal: boolean;
  readonly serviceMode: ServiceMtlsHint;
  readonly want: Mode | undefined;
  readonly autoDetected: boolean;
}

const AUTO_MTLS_ROWS: readonly AutoMtlsRow[] = [
  { source: `${TLS_TEST} TestBuildAutoMtlsSettings "Destination rule TLS sni and SAN override"`, tls: 'ISTIO_MUTUAL', autoMtls: false, meshExternal: false, serviceMode: 'UNKNOWN', want: 'ISTIO_MUTUAL', autoDetected: false },
  { source: `${TLS_TEST} TestBuildAutoMtlsSettings "Auto fill nil settings when mTLS nil for internal service in strict mode"`, autoMtls: true, meshExternal: false, serviceMode: 'STRICT', want: 'ISTIO_MUTUAL', autoDetected: true },
  { source: `${TLS_TEST} TestBuildAutoMtlsSettings "Auto fill nil settings when mTLS nil for internal service in permissive mode"`, autoMtls: true, meshExternal: false, serviceMode: 'PERMISSIVE', want: 'ISTIO_MUTUAL', autoDetected: true },
  { source: `${TLS_TEST} TestBuildAutoMtlsSettings "Auto fill nil settings when mTLS nil for internal service in plaintext mode"`, autoMtls: true, meshExternal: false, serviceMode: 'DISABLE', want: undefined, autoDetected: false },
  { source: `${TLS_TEST} TestBuildAutoMtlsSettings "Auto fill nil settings when mTLS nil for internal service in unknown mode"`, autoMtls: true, meshExternal: false, serviceMode: 'UNKNOWN', want: undefined, autoDetected: false },
  { source: `${TLS_TEST} TestBuildAutoMtlsSettings "Do not auto fill nil settings for external"`, autoMtls: true, meshExternal: true, serviceMode: 'UNKNOWN', want: undefined, autoDetected: false },
  { source: `${TLS_TEST} TestBuildAutoMtlsSettings "Do not auto fill nil settings if server mTLS is disabled"`, autoMtls: false, meshExternal: false, serviceMode: 'DISABLE', want: undefined, autoDetected: false },
  { source: `${TLS_TEST} TestBuildAutoMtlsSettings "Simple TLS"`, tls: 'SIMPLE', autoMtls: false, meshExternal: false, serviceMode: 'UNKNOWN', want: 'SIMPLE', autoDetected: false },
];

describe('upstreamTlsSettings: cluster_tls_test.go TestBuildAutoMtlsSettings', () => {
  it.each(AUTO_MTLS_ROWS)('$source', (row) => {
    expect(upstreamTlsSettings(row.tls, row.autoMtls, row.meshExternal, row.serviceMode)).toEqual({ mode: row.want, autoDetected: row.autoDetected });
  });
});

// ---------------------------------------------------------------------------
// cluster_tls_test.go TestBuildUpstreamClusterTLSContext
// ---------------------------------------------------------------------------

interface ContextRow {
  readonly source: string;
  readonly tls: Record<string, unknown>;
  /** `router: true` upstream: a gateway proxy. */
  readonly router?: true;
  readonly selector?: true;
  readonly want: TlsContextOutcome;
}

const CTX = (name: string) => `${TLS_TEST} TestBuildUpstreamClusterTLSContext "${name}"`;
const CERTS = { clientCertificate: '/path/to/cert', privateKey: '/path/to/key', caCertificates: 'path/to/cacert' };
const CRED = { credentialName: 'some-fake-credential' };

const CONTEXT_ROWS: readonly ContextRow[] = [
  { source: CTX('tls mode disabled'), tls: { mode: 'DISABLE' }, want: 'none' },
  { source: CTX('tls mode ISTIO_MUTUAL'), tls: { mode: 'ISTIO_MUTUAL', sni: 'some-sni.com' }, want: 'built' },
  { source: CTX('tls mode ISTIO_MUTUAL and H2'), tls: { mode: 'ISTIO_MUTUAL', sni: 'some-sni.com' }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with no certs specified in tls'), tls: { mode: 'SIMPLE' }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with no certs specified in tls insecure'), tls: { mode: 'SIMPLE', insecureSkipVerify: true }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with AutoSni enabled and no sni specified in tls'), tls: { mode: 'SIMPLE' }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with AutoSni enabled and sni specified in tls'), tls: { mode: 'SIMPLE', sni: 'some-sni.com' }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with VerifyCert and AutoSni enabled with SubjectAltNames set'), tls: { mode: 'SIMPLE', subjectAltNames: ['SAN'] }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with VerifyCert and AutoSni enabled without SubjectAltNames set'), tls: { mode: 'SIMPLE' }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with certs specified in tls'), tls: { mode: 'SIMPLE', ...CERTS }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with certs specified in tls, with crl'), tls: { mode: 'SIMPLE', ...CERTS, caCrl: 'path/to/crl' }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with certs specified in tls with h2'), tls: { mode: 'SIMPLE', ...CERTS }, want: 'built' },
  { source: `${CTX('tls mode SIMPLE, with certs specified in tls')} (second of that name)`, tls: { mode: 'SIMPLE', ...CERTS }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with SANs specified in service entries'), tls: { mode: 'SIMPLE', ...CERTS }, want: 'built' },
  { source: CTX('tls mode MUTUAL, with no client certificate'), tls: { mode: 'MUTUAL', clientCertificate: '', privateKey: 'some-fake-key' }, want: 'error' },
  { source: CTX('tls mode MUTUAL, with no client key'), tls: { mode: 'MUTUAL', clientCertificate: 'some-fake-cert', privateKey: '' }, want: 'error' },
  { source: CTX('tls mode MUTUAL, with node metadata sdsEnabled true no root CA specified'), tls: { mode: 'MUTUAL', clientCertificate: '/path/to/cert', privateKey: '/path/to/key' }, want: 'built' },
  { source: CTX('tls mode MUTUAL, with node metadata sdsEnabled true'), tls: { mode: 'MUTUAL', ...CERTS }, want: 'built' },
  { source: CTX('tls mode MUTUAL, with node metadata sdsEnabled true, with crl'), tls: { mode: 'MUTUAL', ...CERTS, caCrl: 'path/to/crl' }, want: 'built' },
  { source: CTX('tls mode SIMPLE, with CredentialName specified'), tls: { mode: 'SIMPLE', ...CRED }, router: true, want: 'built' },
  { source: CTX('tls mode SIMPLE, with CredentialName specified with h2 and no SAN'), tls: { mode: 'SIMPLE', ...CRED }, router: true, want: 'built' },
  { source: CTX('tls mode MUTUAL, with CredentialName specified'), tls: { mode: 'MUTUAL', ...CRED }, router: true, want: 'built' },
  { source: CTX('tls mode MUTUAL, with CredentialName specified with h2 and no SAN'), tls: { mode: 'MUTUAL', ...CRED }, router: true, want: 'built' },
  { source: CTX('tls mode MUTUAL, credentialName is set with proxy type Sidecar'), tls: { mode: 'MUTUAL', credentialName: 'fake-cred' }, want: 'none' },
  { source: CTX('tls mode SIMPLE, credentialName is set with proxy type Sidecar'), tls: { mode: 'SIMPLE', credentialName: 'fake-cred' }, want: 'none' },
  { source: CTX('tls mode SIMPLE, CredentialName is set with proxy type Sidecar and destinationRule has workload Selector'), tls: { mode: 'SIMPLE', ...CRED }, selector: true, want: 'built' },
  { source: CTX('tls mode SIMPLE, with EcdhCurves specified in Mesh Config'), tls: { mode: 'SIMPLE', ...CRED }, selector: true, want: 'built' },
  { source: CTX('tls mode MUTUAL, with EcdhCurves specified in Mesh Config'), tls: { mode: 'MUTUAL', ...CRED }, selector: true, want: 'built' },
  { source: CTX('tls mode ISTIO_MUTUAL with EcdhCurves specified in Mesh Config'), tls: { mode: 'ISTIO_MUTUAL' }, want: 'built' },
  { source: CTX('tls mode MUTUAL, CredentialName is set with proxy type Sidecar and destinationRule has workload Selector'), tls: { mode: 'MUTUAL', ...CRED }, selector: true, want: 'built' },
  // Our own: a ConfigMap credential is not a privileged lookup, so a sidecar keeps it.
  { source: 'ours: credentialName configmap://ca on a sidecar without selector', tls: { mode: 'SIMPLE', credentialName: 'configmap://ca' }, want: 'built' },
];

describe('tlsContextOutcome: cluster_tls_test.go TestBuildUpstreamClusterTLSContext', () => {
  it.each(CONTEXT_ROWS)('$source', (row) => {
    expect(tlsContextOutcome(tls(row.tls), { sidecar: row.router !== true, ruleHasWorkloadSelector: row.selector === true })).toBe(row.want);
  });
});

// ---------------------------------------------------------------------------
// cluster_tls_test.go TestApplyUpstreamTLSSettings and cluster_test.go auto mTLS clusters
// ---------------------------------------------------------------------------

/** One endpoint with a sidecar and one without: a socket match tells them apart, one transport socket does not. */
const PROBES: readonly EndpointTlsFacts[] = [
  { tlsModeLabel: 'istio', peerAuthenticationMode: 'PERMISSIVE' },
  { tlsModeLabel: undefined, peerAuthenticationMode: 'UNSET' },
];

type Shape = 'per-endpoint' | SentTls;
function shapeOf(perEndpoint: readonly SentTls[]): Shape {
  return perEndpoint.every((s) => s === perEndpoint[0]) ? perEndpoint[0] : 'per-endpoint';
}

const BASE: ClusterTlsInput = {
  clusterTls: undefined,
  endpointLevelTls: undefined,
  autoMtls: true,
  meshExternal: false,
  serviceNamespaceModeDisable: false,
  passthrough: false,
  endpoints: PROBES,
};

interface ApplyRow {
  readonly source: string;
  /** userSupplied upstream: the DR's tls (undefined: auto mTLS gave none); autoDetected: auto mTLS filled ISTIO_MUTUAL. */
  readonly ctx: 'userSupplied' | 'autoDetected';
  readonly tls?: Record<string, unknown>;
  readonly expectTransportSocket: boolean;
  readonly expectTransportSocketMatch: boolean;
}

const APPLY_ROWS: readonly ApplyRow[] = [
  { source: `${TLS_TEST} TestApplyUpstreamTLSSettings "user specified without tls"`, ctx: 'userSupplied', expectTransportSocket: false, expectTransportSocketMatch: false },
  { source: `${TLS_TEST} TestApplyUpstreamTLSSettings "user specified with istio_mutual tls"`, ctx: 'userSupplied', tls: { mode: 'ISTIO_MUTUAL', sni: 'custom.foo.com' }, expectTransportSocket: true, expectTransportSocketMatch: false },
  { source: `${TLS_TEST} TestApplyUpstreamTLSSettings "user specified simple tls"`, ctx: 'userSupplied', tls: { mode: 'SIMPLE', caCertificates: 'root-cert.pem' }, expectTransportSocket: true, expectTransportSocketMatch: false },
  { source: `${TLS_TEST} TestApplyUpstreamTLSSettings "user specified mutual tls"`, ctx: 'userSupplied', tls: { mode: 'MUTUAL', caCertificates: 'root-cert.pem', clientCertificate: 'cert-chain.pem', privateKey: 'key.pem' }, expectTransportSocket: true, expectTransportSocketMatch: false },
  { source: `${TLS_TEST} TestApplyUpstreamTLSSettings "auto detect with tls"`, ctx: 'autoDetected', expectTransportSocket: false, expectTransportSocketMatch: true },
];

describe('clusterTlsFor: cluster_tls_test.go TestApplyUpstreamTLSSettings', () => {
  it.each(APPLY_ROWS)('$source', (row) => {
    const input: ClusterTlsInput = row.ctx === 'autoDetected'
      ? BASE
      : { ...BASE, clusterTls: row.tls ? tls(row.tls) : undefined, autoMtls: row.tls !== undefined };
    const shape = shapeOf(clusterTlsFor(input).perEndpoint);
    expect(shape === 'per-endpoint').toBe(row.expectTransportSocketMatch);
    expect(shape !== 'per-endpoint' && shape !== 'plaintext').toBe(row.expectTransportSocket);
  });
});

interface ClusterRow {
  readonly source: string;
  readonly rule: Manifest;
  readonly port: number;
  readonly subset?: string;
  readonly want: Shape;
  readonly sni?: string;
}

const dr = (spec: Record<string, unknown>, name = 'dr'): Manifest => ({
  apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: 'default' }, spec: { host: 'foo.default.svc.cluster.local', ...spec },
});
const SUBSETS_RULE = dr({
  subsets: [{
    name: 'foobar',
    trafficPolicy: {
      connectionPool: { http: { maxRequestsPerConnection: 1 } },
      portLevelSettings: [{ port: { number: 8080 }, tls: { mode: 'ISTIO_MUTUAL', sni: 'custom.sni.com' } }],
    },
  }],
});
const IGNORE_PA_RULE = dr({
  trafficPolicy: {
    connectionPool: { http: { maxRequestsPerConnection: 1 } },
    portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }],
  },
});

const CLUSTER_ROWS: readonly ClusterRow[] = [
  { source: `${CLUSTER_TEST} TestAutoMTLSClusterSubsets clusters[0] (8080, default)`, rule: SUBSETS_RULE, port: 8080, want: 'per-endpoint' },
  { source: `${CLUSTER_TEST} TestAutoMTLSClusterSubsets clusters[1] (8080, foobar)`, rule: SUBSETS_RULE, port: 8080, subset: 'foobar', want: 'istio-mtls', sni: 'custom.sni.com' },
  { source: `${CLUSTER_TEST} TestAutoMTLSClusterSubsets clusters[2] (9090, default)`, rule: SUBSETS_RULE, port: 9090, want: 'per-endpoint' },
  { source: `${CLUSTER_TEST} TestAutoMTLSClusterSubsets clusters[3] (9090, foobar)`, rule: SUBSETS_RULE, port: 9090, subset: 'foobar', want: 'per-endpoint' },
  { source: `${CLUSTER_TEST} TestAutoMTLSClusterIgnoreWorkloadLevelPeerAuthn clusters[0] (8080)`, rule: IGNORE_PA_RULE, port: 8080, want: 'per-endpoint' },
  { source: `${CLUSTER_TEST} TestAutoMTLSClusterIgnoreWorkloadLevelPeerAuthn clusters[1] (9090, DR DISABLE)`, rule: IGNORE_PA_RULE, port: 9090, want: 'plaintext' },
];

describe('clusterTlsFor over DestinationRules: cluster_test.go auto mTLS clusters', () => {
  it.each(CLUSTER_ROWS)('$source', (row) => {
    const rule = readDestinationRuleTraffic(row.rule);
    const policy = clusterPolicyFor(rule, row.subset, row.port);
    const got = clusterTlsFor({ ...BASE, clusterTls: policy?.tls, endpointLevelTls: endpointLevelTlsFor(rule, row.subset, row.port) });
    expect(shapeOf(got.perEndpoint)).toBe(row.want);
    if (row.sni) expect(policy?.tls?.sni).toBe(row.sni);
  });
});

// ---------------------------------------------------------------------------
// ep_filters_test.go mtlsCases: the endpoint-level check
// ---------------------------------------------------------------------------

interface EndpointRow {
  readonly source: string;
  /** The DestinationRule the endpoint builder gets for example.ns.svc.cluster.local, if any. */
  readonly rule?: Manifest;
  readonly subset?: string;
  /** The endpoint's (app: example, port 8080) effective PeerAuthentication mode, and why. */
  readonly paMode: PeerAuthenticationMode;
  readonly isMtlsDisabled: boolean;
}

const EP = (group: string, name: string) => `${EP_TEST} mtlsCases ${group} "${name}"`;
const exampleRule = (spec: Record<string, unknown>) => ({ ...dr(spec), spec: { host: 'example.ns.svc.cluster.local', ...spec } });
const topTls = (mode: Mode) => ({ trafficPolicy: { tls: { mode } } });
const portTls = (mode: Mode) => ({ trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode } }] } });

const ENDPOINT_ROWS: readonly EndpointRow[] = [
  // PeerAuthentication rows: the mode is what composition gives the endpoint on port 8080.
  { source: EP('PeerAuthentication', 'mtls-off-ineffective'), paMode: 'PERMISSIVE', isMtlsDisabled: false }, // selector app=b does not match
  { source: EP('PeerAuthentication', 'mtls-on-strict'), paMode: 'STRICT', isMtlsDisabled: false },
  { source: EP('PeerAuthentication', 'mtls-off-global'), paMode: 'DISABLE', isMtlsDisabled: true },
  { source: EP('PeerAuthentication', 'mtls-off-namespace'), paMode: 'DISABLE', isMtlsDisabled: true },
  { source: EP('PeerAuthentication', 'mtls-off-workload'), paMode: 'DISABLE', isMtlsDisabled: true },
  { source: EP('PeerAuthentication', 'mtls-off-port'), paMode: 'DISABLE', isMtlsDisabled: true }, // portLevelMtls 8080 DISABLE
  // DestinationRule rows.
  { source: EP('DestinationRule', 'mtls-on-override-pa'), rule: exampleRule(topTls('ISTIO_MUTUAL')), paMode: 'DISABLE', isMtlsDisabled: false },
  { source: EP('DestinationRule', 'mtls-off-innefective'), paMode: 'PERMISSIVE', isMtlsDisabled: false }, // the rule is for other.ns: none applies
  { source: EP('DestinationRule', 'mtls-on-destination-level'), rule: exampleRule(topTls('ISTIO_MUTUAL')), paMode: 'PERMISSIVE', isMtlsDisabled: false },
  { source: EP('DestinationRule', 'mtls-on-port-level'), rule: exampleRule(portTls('ISTIO_MUTUAL')), paMode: 'PERMISSIVE', isMtlsDisabled: false },
  { source: EP('DestinationRule', 'mtls-off-destination-level'), rule: exampleRule(topTls('DISABLE')), paMode: 'PERMISSIVE', isMtlsDisabled: true },
  { source: EP('DestinationRule', 'mtls-off-port-level'), rule: exampleRule(portTls('DISABLE')), paMode: 'PERMISSIVE', isMtlsDisabled: true },
  {
    source: EP('DestinationRule', 'mtls-off-subset-level'),
    rule: exampleRule({ ...topTls('ISTIO_MUTUAL'), subsets: [{ name: 'disable-tls', labels: { app: 'example' }, ...topTls('DISABLE') }] }),
    subset: 'disable-tls',
    paMode: 'PERMISSIVE',
    isMtlsDisabled: true,
  },
  {
    source: EP('DestinationRule', 'mtls-on-subset-level'),
    rule: exampleRule({ ...topTls('DISABLE'), subsets: [{ name: 'enable-tls', labels: { app: 'example' }, ...topTls('ISTIO_MUTUAL') }] }),
    subset: 'enable-tls',
    paMode: 'PERMISSIVE',
    isMtlsDisabled: false,
  },
];

describe('endpointMtlsEnabled: ep_filters_test.go mtlsCases (TestEndpointsWithMTLSFilter)', () => {
  it.each(ENDPOINT_ROWS)('$source', (row) => {
    const rule = row.rule ? readDestinationRuleTraffic(row.rule) : undefined;
    const endpoint: EndpointTlsFacts = { tlsModeLabel: 'istio', peerAuthenticationMode: row.paMode };
    expect(endpointMtlsEnabled(endpointLevelTlsFor(rule, row.subset, 80), endpoint)).toBe(!row.isMtlsDisabled);
  });
});

// ---------------------------------------------------------------------------
// sidecar_simulation_test.go TestInbound: what the server's inbound listener takes
// ---------------------------------------------------------------------------

type Outcome = 'ok' | InboundFailure;
type InboundCase = readonly [name: string, port: InboundPortProtocol, protocol: InboundCall['protocol'], tls: InboundCall['tls'], disabled: Outcome, permissive: Outcome, strict: Outcome];

// Port 70 is TCP, 80 HTTP, 81 has no protocol (auto), 82 is in no Service (passthrough chains).
const INBOUND_CASES: readonly InboundCase[] = [
  ['tcp', 'tcp', 'tcp', 'none', 'ok', 'ok', 'no-filter-chain'],
  ['http to tcp', 'tcp', 'http', 'none', 'ok', 'ok', 'no-filter-chain'],
  ['tls to tcp', 'tcp', 'tcp', 'tls', 'ok', 'ok', 'mtls-error'],
  ['https to tcp', 'tcp', 'http', 'tls', 'ok', 'ok', 'mtls-error'],
  ['mtls tcp to tcp', 'tcp', 'tcp', 'mtls', 'ok', 'ok', 'ok'],
  ['mtls http to tcp', 'tcp', 'http', 'mtls', 'ok', 'ok', 'ok'],
  ['http', 'http', 'http', 'none', 'ok', 'ok', 'no-filter-chain'],
  ['tls to http', 'http', 'tcp', 'tls', 'protocol-error', 'no-filter-chain', 'mtls-error'],
  ['https to http', 'http', 'http', 'tls', 'protocol-error', 'no-filter-chain', 'mtls-error'],
  ['mtls to http', 'http', 'http', 'mtls', 'protocol-error', 'ok', 'ok'],
  ['tcp to http', 'http', 'tcp', 'none', 'protocol-error', 'protocol-error', 'no-filter-chain'],
  ['auto port http', 'auto', 'http', 'none', 'ok', 'ok', 'no-filter-chain'],
  ['auto port http2', 'auto', 'http2', 'none', 'ok', 'ok', 'no-filter-chain'],
  ['auto port tcp', 'auto', 'tcp', 'none', 'ok', 'ok', 'no-filter-chain'],
  ['tls to auto port', 'auto', 'tcp', 'tls', 'ok', 'ok', 'mtls-error'],
  ['https to auto port', 'auto', 'http', 'tls', 'ok', 'ok', 'mtls-error'],
  ['mtls tcp to auto port', 'auto', 'tcp', 'mtls', 'ok', 'ok', 'ok'],
  ['mtls http to auto port', 'auto', 'http', 'mtls', 'ok', 'ok', 'ok'],
  ['passthrough http', 'unlisted', 'http', 'none', 'ok', 'ok', 'no-filter-chain'],
  ['passthrough tcp', 'unlisted', 'tcp', 'none', 'ok', 'ok', 'no-filter-chain'],
  ['passthrough tls', 'unlisted', 'tcp', 'tls', 'ok', 'ok', 'mtls-error'],
  ['passthrough https', 'unlisted', 'http', 'tls', 'ok', 'ok', 'mtls-error'],
  ['passthrough mtls', 'unlisted', 'http', 'mtls', 'ok', 'ok', 'ok'],
];

const INBOUND_ROWS = INBOUND_CASES.flatMap(([name, port, protocol, callTls, disabled, permissive, strict]) =>
  ([['DISABLE', disabled], ['PERMISSIVE', permissive], ['STRICT', strict]] as const).map(([mode, want]) => ({
    source: `${SIM_TEST} TestInbound/${mode[0]}${mode.slice(1).toLowerCase()} "${name}"`,
    mode,
    port,
    call: { protocol, tls: callTls } as InboundCall,
    want,
  })));

describe('acceptsOnPort: sidecar_simulation_test.go TestInbound', () => {
  it.each(INBOUND_ROWS)('$source', (row) => {
    const got = acceptsOnPort(row.mode, row.port, row.call);
    expect(got.accepted ? 'ok' : got.failure).toBe(row.want);
  });
});

// ---------------------------------------------------------------------------
// Our own cases: SEMANTICS.md §0 S1-S3, §3 rule 7, §5
// ---------------------------------------------------------------------------

const ep = (tlsModeLabel: string | undefined, peerAuthenticationMode: PeerAuthenticationMode = 'PERMISSIVE'): EndpointTlsFacts =>
  ({ tlsModeLabel, peerAuthenticationMode });

interface OwnRow {
  readonly source: string;
  readonly input: Partial<ClusterTlsInput>;
  readonly want: readonly SentTls[];
  /** A word the one-line source must contain. */
  readonly because: string;
}

const IM = tls({ mode: 'ISTIO_MUTUAL' });
const rules = {
  s2Simple: readDestinationRuleTraffic(dr({ trafficPolicy: { tls: { mode: 'SIMPLE' }, portLevelSettings: [{ port: { number: 80 }, connectionPool: {} }] } })),
  s2Mutual: readDestinationRuleTraffic(dr({ trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [{ port: { number: 80 }, connectionPool: {} }] } })),
  bookinfo: readDestinationRuleTraffic(dr({
    trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
    subsets: [
      { name: 'v1', trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, connectionPool: {} }] } },
      { name: 'v2', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } },
    ],
  })),
};
const forRule = (rule: typeof rules.s2Simple, subset: string | undefined, port: number): Partial<ClusterTlsInput> => ({
  clusterTls: clusterPolicyFor(rule, subset, port)?.tls, endpointLevelTls: endpointLevelTlsFor(rule, subset, port),
});

const OWN_ROWS: readonly OwnRow[] = [
  {
    source: 'S1: namespace PeerAuthentication DISABLE sends plaintext even to a workload-STRICT sidecar',
    input: { serviceNamespaceModeDisable: true, endpoints: [ep('istio', 'STRICT'), ep('istio')] },
    want: ['plaintext', 'plaintext'],
    because: 'namespace',
  },
  {
    source: 'S1: a DR ISTIO_MUTUAL is untouched by the namespace mode',
    input: { serviceNamespaceModeDisable: true, clusterTls: IM, endpoints: [ep('istio', 'STRICT')] },
    want: ['istio-mtls'],
    because: 'ISTIO_MUTUAL',
  },
  {
    source: 'S2: port entry without tls under a rule-level SIMPLE: the cluster is auto mTLS but every endpoint gets plaintext',
    input: { ...forRule(rules.s2Simple, undefined, 80), endpoints: [ep('istio', 'STRICT'), ep(undefined)] },
    want: ['plaintext', 'plaintext'],
    because: 'SIMPLE',
  },
  {
    source: 'S2: port entry without tls under a rule-level ISTIO_MUTUAL: mTLS to sidecars whatever their PeerAuthentication, plaintext elsewhere',
    input: { ...forRule(rules.s2Mutual, undefined, 80), endpoints: [ep('istio', 'DISABLE'), ep(undefined)] },
    want: ['istio-mtls', 'plaintext'],
    because: 'endpoint-level',
  },
  {
    source: 'S2: ports without an entry keep the rule-level tls on the cluster',
    input: { ...forRule(rules.s2Simple, undefined, 81), endpoints: [ep('istio')] },
    want: ['tls-origination'],
    because: 'SIMPLE',
  },
  {
    source: 'S3: headless Service with one endpoint without a sidecar: plaintext to all',
    input: { passthrough: true, endpoints: [ep('istio', 'STRICT'), ep(undefined)] },
    want: ['plaintext', 'plaintext'],
    because: 'passthrough',
  },
  {
    source: 'S3: headless Service with sidecars only: one mTLS socket, even to a PeerAuthentication DISABLE endpoint',
    input: { passthrough: true, endpoints: [ep('istio', 'DISABLE'), ep('istio')] },
    want: ['istio-mtls', 'istio-mtls'],
    because: 'ORIGINAL_DST',
  },
  {
    source: 'S3: headless Service with no endpoints is DISABLE',
    input: { passthrough: true, endpoints: [] },
    want: [],
    because: 'no endpoints',
  },
  {
    source: 'S3 with §5: tlsMode `Istio` is not `disabled`, so a headless cluster sends mTLS to it too',
    input: { passthrough: true, endpoints: [ep('Istio'), ep('istio')] },
    want: ['istio-mtls', 'istio-mtls'],
    because: 'ORIGINAL_DST',
  },
  {
    source: 'S3: a subset checks every endpoint of the Service port, not only its own',
    input: { passthrough: true, endpoints: [ep('istio')], serviceEndpoints: [ep('istio'), ep('disabled')] },
    want: ['plaintext'],
    because: 'passthrough',
  },
  {
    source: 'ORIGINAL_DST from a port-level PASSTHROUGH only (no S3 check): mTLS even to an endpoint without a sidecar',
    input: { passthrough: false, originalDstCluster: true, endpoints: [ep(undefined), ep('istio')] },
    want: ['istio-mtls', 'istio-mtls'],
    because: 'ORIGINAL_DST',
  },
  {
    source: '§5: only the exact tlsMode `istio` gets mTLS on an EDS cluster',
    input: { endpoints: [ep('istio'), ep('Istio'), ep('true'), ep('disabled'), ep(undefined), ep('istio', 'DISABLE')] },
    want: ['istio-mtls', 'plaintext', 'plaintext', 'plaintext', 'plaintext', 'plaintext'],
    because: 'per endpoint',
  },
  {
    source: '§4: MESH_EXTERNAL without tls is plaintext',
    input: { meshExternal: true, endpoints: [ep('istio')] },
    want: ['plaintext'],
    because: 'MESH_EXTERNAL',
  },
  {
    source: '§4: MESH_EXTERNAL with a DR tls uses it as written',
    input: { meshExternal: true, clusterTls: tls({ mode: 'SIMPLE' }), endpoints: [ep(undefined)] },
    want: ['tls-origination'],
    because: 'SIMPLE',
  },
  {
    source: 'auto mTLS off: plaintext',
    input: { autoMtls: false, endpoints: [ep('istio', 'STRICT')] },
    want: ['plaintext'],
    because: 'auto mTLS is off',
  },
  {
    source: 'credentialName on a sidecar without workloadSelector: pilot drops the TLS context, plaintext',
    input: { clusterTls: tls({ mode: 'SIMPLE', credentialName: 'db-ca' }), endpoints: [ep(undefined)] },
    want: ['plaintext'],
    because: 'credentialName',
  },
  {
    source: 'credentialName in a rule with workloadSelector: TLS origination',
    input: { clusterTls: tls({ mode: 'SIMPLE', credentialName: 'db-ca' }), ruleHasWorkloadSelector: true, endpoints: [ep(undefined)] },
    want: ['tls-origination'],
    because: 'SIMPLE',
  },
  {
    source: 'MUTUAL without client certificate: the context fails to build, plaintext',
    input: { clusterTls: tls({ mode: 'MUTUAL', caCertificates: '/ca' }), endpoints: [ep(undefined)] },
    want: ['plaintext'],
    because: 'clientCertificate',
  },
  {
    source: '`tls: {}` (no mode) is DISABLE',
    input: { clusterTls: tls({ sni: 'x' }), endpoints: [ep('istio', 'STRICT')] },
    want: ['plaintext'],
    because: 'not written',
  },
  {
    source: '§3 example 1: subset v2 inherits ISTIO_MUTUAL and sends mTLS to pods without a sidecar',
    input: { ...forRule(rules.bookinfo, 'v2', 9080), endpoints: [ep(undefined)] },
    want: ['istio-mtls'],
    because: 'ISTIO_MUTUAL',
  },
  {
    source: '§3 example 4: a v1 port entry resets tls; auto mTLS reads only the subset\'s own tls, so PeerAuthentication DISABLE gives plaintext',
    input: { ...forRule(rules.bookinfo, 'v1', 9080), endpoints: [ep('istio'), ep('istio', 'DISABLE')] },
    want: ['istio-mtls', 'plaintext'],
    because: 'PeerAuthentication',
  },
];

describe('clusterTlsFor: the traps of SEMANTICS.md', () => {
  it.each(OWN_ROWS)('$source', (row) => {
    const got = clusterTlsFor({ ...BASE, ...row.input });
    expect(got.perEndpoint).toEqual(row.want);
    expect(got.source).toContain(row.because);
  });

  it('inferServiceMtlsMode: MESH_EXTERNAL is UNKNOWN, the namespace mode is used as is, UNSET falls back to PERMISSIVE', () => {
    const facts = { meshExternal: false, passthrough: false, serviceEndpoints: [], namespaceMode: 'STRICT' as const };
    expect(inferServiceMtlsMode({ ...facts, meshExternal: true })).toBe('UNKNOWN');
    expect(inferServiceMtlsMode(facts)).toBe('STRICT');
    expect(inferServiceMtlsMode({ ...facts, namespaceMode: 'UNSET' })).toBe('PERMISSIVE');
    expect(inferServiceMtlsMode({ ...facts, passthrough: true })).toBe('DISABLE');
  });

  it('the issue\'s defect: TLS origination to a plain HTTP port fails under PERMISSIVE and DISABLE, mTLS does not', () => {
    const sent = clusterTlsFor({ ...BASE, clusterTls: tls({ mode: 'SIMPLE' }), endpoints: [ep('istio')] }).perEndpoint[0];
    const call: InboundCall = { tls: inboundTlsOf(sent), protocol: 'http' };
    expect(acceptsOnPort('PERMISSIVE', 'http', call)).toEqual({ accepted: false, failure: 'no-filter-chain' });
    expect(acceptsOnPort('DISABLE', 'http', call)).toEqual({ accepted: false, failure: 'protocol-error' });
    expect(acceptsOnPort('UNSET', 'http', { tls: inboundTlsOf('istio-mtls'), protocol: 'http' })).toEqual({ accepted: true });
    expect(acceptsOnPort('STRICT', 'http', { tls: 'mtls', protocol: 'tcp' })).toEqual({ accepted: false, failure: 'protocol-error' });
  });
});
