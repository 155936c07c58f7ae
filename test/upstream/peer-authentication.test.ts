/*
 * PeerAuthentication composition, from upstream's tests (istio/istio 1.30.3).
 *
 * Part 1 runs the sidecar cases of pilot/pkg/security/authn/policy_applier_test.go
 * (TestComposePeerAuthentication, TestInboundMTLSSettings) through our EXISTING
 * resolution: manifests → buildMeshModel → resolveServerMode.
 * Part 2 runs the ambient cases of pilot/pkg/serviceregistry/ambient (the
 * PeerAuthentication goldens of TestRBACConvert under testdata/peer-authn-*,
 * and the PeerAuthentication steps of TestAmbientIndex_Policy) through
 * resolveAmbientMode. The goldens test convertPeerAuthentication alone; each
 * row adds the policy references convertedSelectorPeerAuthentications gives the
 * workload (static STRICT policy, converted policy, or none) and states what a
 * plaintext connection meets on each port, as ztunnel's rbac.rs evaluates it.
 *
 * Upstream cases not ported:
 * | source | case | reason |
 * | policy_applier_test.go TestInboundMTLSSettings | every case, TLS half | the rows compare the mode only; the DownstreamTlsContext (SDS, ALPN, ciphers) is Envoy config |
 * | policy_applier_test.go TestJwtFilter, TestConvertToEnvoyJwtConfig, TestBuildSpaceDelimitedClaims | all | RequestAuthentication / JWT, not PeerAuthentication |
 * | authn/utils/utils_test.go TestGetMinTLSVersion, TestGetMTLSCipherSuites | all | TLS versions and ciphers, not modes |
 * | ambient/ambientindex_test.go TestRBACConvert | allow-*, deny-* files | AuthorizationPolicy conversion (another slice) |
 * | ambient/ambientindex_test.go TestRBACConvert | "multicluster (enabled but unused)" | the same files under a feature flag that does not change the conversion |
 * | ambient/ambientindex_test.go TestAmbientIndex_Policy | assertEvent / assertNoEvent steps, AuthorizationPolicy steps | xDS push events and AuthorizationPolicy references, not modes |
 * | ambient/authorization_test.go TestConvertAuthorizationPolicyStatus, TestWaypointPolicyStatusCollection | all | AuthorizationPolicy status conditions |
 *
 * Disagreements with resolveServerMode (rows left out of the sidecar table): none.
 * Five sidecar rows have competing policies whose creationTimestamp decides
 * upstream; manifests carry no age, so our resolution answers `ambiguous` by
 * design, and those rows check that upstream's pick is among the possible modes.
 */
import { describe, expect, it } from 'vitest';
import { buildMeshModel, Manifest } from '../../src/model';
import { AmbientEffectiveMode, resolveAmbientMode } from '../../src/resolution/ambient-peer-authentication';
import { EffectiveMode, peerAuthenticationCandidates, resolveServerMode } from '../../src/resolution/server-mode';
import { deploy, ns, pa } from '../resolution/helpers';

type Mode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

const mtls = (mode: Mode) => ({ mtls: { mode } });
const sel = (labels: Record<string, string>) => ({ selector: { matchLabels: labels } });
const ports = (entries: Record<number, Mode | null>) => ({
  portLevelMtls: Object.fromEntries(Object.entries(entries).map(([p, m]) => [p, m === null ? {} : { mode: m }])),
});

// ---------------------------------------------------------------------------
// Part 1: sidecar composition (policy_applier.go ComposePeerAuthentication)
// ---------------------------------------------------------------------------

const PA_TEST = 'pilot/pkg/security/authn/policy_applier_test.go';
const ROOT = 'root-namespace';
const MY_NS = 'my-ns';

interface SidecarRow {
  readonly source: string;
  readonly policies: readonly Manifest[];
  /** The workload-level mode upstream wants (ComposePeerAuthentication's Mode). */
  readonly mode?: EffectiveMode;
  /** Per-port modes upstream wants (TestInboundMTLSSettings asks about 8080; ComposePeerAuthentication's PerPort). */
  readonly ports?: Readonly<Record<number, EffectiveMode>>;
  /** Upstream picks the oldest of competing policies; we have no ages, so `ambiguous` must include its pick. */
  readonly competing?: true;
}

const SIDECAR_ROWS: readonly SidecarRow[] = [
  { source: `${PA_TEST} TestComposePeerAuthentication "no config"`, policies: [], mode: 'PERMISSIVE' },
  { source: `${PA_TEST} TestComposePeerAuthentication "mesh only"`, policies: [pa(ROOT, 'default', mtls('STRICT'))], mode: 'STRICT' },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "mesh vs namespace"`,
    policies: [pa(ROOT, 'default', { selector: { matchLabels: {} }, ...mtls('STRICT') }), pa(MY_NS, 'default', mtls('PERMISSIVE'))],
    mode: 'PERMISSIVE',
  },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "ignore non-emptypb selector in root namespace"`,
    policies: [pa(ROOT, 'default', { ...sel({ app: 'foo' }), ...mtls('STRICT') })],
    mode: 'PERMISSIVE',
  },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "workload vs namespace config"`,
    policies: [pa(MY_NS, 'default', {}), pa(MY_NS, 'foo', sel({ app: 'foo' }))],
    mode: 'PERMISSIVE',
  },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "workload vs mesh config"`,
    policies: [pa(MY_NS, 'default', mtls('PERMISSIVE')), pa(ROOT, 'default', mtls('DISABLE'))],
    mode: 'PERMISSIVE',
  },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "multiple mesh policy"`,
    policies: [pa(ROOT, 'now', mtls('DISABLE')), pa(ROOT, 'second-ago', mtls('PERMISSIVE')), pa(ROOT, 'second-later', mtls('STRICT'))],
    mode: 'PERMISSIVE',
    competing: true,
  },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "multiple namespace policy"`,
    policies: [pa(MY_NS, 'now', mtls('DISABLE')), pa(MY_NS, 'second-ago', mtls('PERMISSIVE')), pa(MY_NS, 'second-later', mtls('STRICT'))],
    mode: 'PERMISSIVE',
    competing: true,
  },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "multiple workload policy"`,
    policies: [
      pa(MY_NS, 'now', { ...sel({ app: 'foo' }), ...mtls('DISABLE') }),
      pa(MY_NS, 'second-ago', { ...sel({ app: 'foo' }), ...mtls('PERMISSIVE') }),
      pa(MY_NS, 'second-later', { ...sel({ stage: 'prod' }), ...mtls('STRICT') }),
    ],
    mode: 'PERMISSIVE',
    competing: true,
  },
  { source: `${PA_TEST} TestComposePeerAuthentication "inheritance: default mesh"`, policies: [pa(ROOT, 'default', mtls('UNSET'))], mode: 'PERMISSIVE' },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "inheritance: mesh to workload"`,
    policies: [pa(ROOT, 'default', mtls('STRICT')), pa(MY_NS, 'foo', sel({ app: 'foo' }))],
    mode: 'STRICT',
  },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "inheritance: namespace to workload"`,
    policies: [pa(MY_NS, 'default', mtls('STRICT')), pa(MY_NS, 'foo', sel({ app: 'foo' }))],
    mode: 'STRICT',
  },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "inheritance: mesh to namespace to workload"`,
    policies: [pa(ROOT, 'default', mtls('STRICT')), pa(MY_NS, 'default', mtls('UNSET')), pa(MY_NS, 'foo', sel({ app: 'foo' }))],
    mode: 'STRICT',
  },
  {
    source: `${PA_TEST} TestComposePeerAuthentication "port level"`,
    policies: [pa(ROOT, 'default', mtls('STRICT')), pa(MY_NS, 'foo', { ...sel({ app: 'foo' }), ...ports({ 80: 'DISABLE', 90: 'UNSET', 100: null }) })],
    mode: 'STRICT',
    ports: { 80: 'DISABLE', 90: 'STRICT', 100: 'STRICT' },
  },
  { source: `${PA_TEST} TestInboundMTLSSettings "No policy - behave as permissive"`, policies: [], ports: { 8080: 'PERMISSIVE' } },
  {
    source: `${PA_TEST} TestInboundMTLSSettings "Single policy - disable mode"`,
    policies: [pa(MY_NS, 'single', mtls('DISABLE'))],
    ports: { 8080: 'DISABLE' },
  },
  {
    source: `${PA_TEST} TestInboundMTLSSettings "Single policy - permissive mode"`,
    policies: [pa(MY_NS, 'single', mtls('PERMISSIVE'))],
    ports: { 8080: 'PERMISSIVE' },
  },
  {
    source: `${PA_TEST} TestInboundMTLSSettings "Single policy - strict mode"`,
    policies: [pa(MY_NS, 'single', mtls('STRICT'))],
    ports: { 8080: 'STRICT' },
  },
  {
    source: `${PA_TEST} TestInboundMTLSSettings "Multiple policies resolved to STRICT"`,
    policies: [pa(MY_NS, 'now', { ...sel({ app: 'foo' }), ...mtls('STRICT') }), pa(MY_NS, 'later', { ...sel({ app: 'foo' }), ...mtls('DISABLE') })],
    ports: { 8080: 'STRICT' },
    competing: true,
  },
  {
    source: `${PA_TEST} TestInboundMTLSSettings "Multiple policies resolved to PERMISSIVE"`,
    policies: [pa(MY_NS, 'now', { ...sel({ app: 'foo' }), ...mtls('DISABLE') }), pa(MY_NS, 'earlier', { ...sel({ app: 'foo' }), ...mtls('PERMISSIVE') })],
    ports: { 8080: 'PERMISSIVE' },
    competing: true,
  },
  {
    source: `${PA_TEST} TestInboundMTLSSettings "Port level hit"`,
    policies: [pa(MY_NS, 'single', { ...sel({ app: 'foo' }), ...mtls('DISABLE'), ...ports({ 8080: 'STRICT' }) })],
    ports: { 8080: 'STRICT' },
  },
  {
    source: `${PA_TEST} TestInboundMTLSSettings "Port level miss"`,
    policies: [pa(MY_NS, 'single', { ...sel({ app: 'foo' }), ...ports({ 7070: 'STRICT' }) })],
    ports: { 8080: 'PERMISSIVE' },
  },
];

/** The workload upstream's proxy stands for: labels app=foo (plus stage=prod, which the "multiple workload policy" case assumes). */
function sidecarResolution(row: SidecarRow) {
  const model = buildMeshModel(
    [ns(MY_NS), deploy(MY_NS, 'foo', { labels: { app: 'foo', stage: 'prod' }, ports: [8080] }), ...row.policies],
    { rootNamespace: ROOT },
  );
  return resolveServerMode(model, model.workloads.find((w) => w.name === 'foo')!);
}

describe('upstream: sidecar PeerAuthentication composition through resolveServerMode', () => {
  it.each(SIDECAR_ROWS.filter((r) => !r.competing).map((r) => [r.source, r] as const))('%s', (_source, row) => {
    const r = sidecarResolution(row);
    if (row.mode) expect(r.mode).toBe(row.mode);
    for (const [port, mode] of Object.entries(row.ports ?? {})) expect([Number(port), r.portMode(Number(port)).mode]).toEqual([Number(port), mode]);
  });

  it.each(SIDECAR_ROWS.filter((r) => r.competing).map((r) => [r.source, r] as const))('%s (oldest wins upstream: ambiguous here, with its pick possible)', (_source, row) => {
    const r = sidecarResolution(row);
    const wanted = row.mode ? [r] : Object.keys(row.ports ?? {}).map((port) => r.portMode(Number(port)));
    const upstreamPick = row.mode ?? Object.values(row.ports ?? {})[0];
    expect(wanted.map((d) => d.mode)).toEqual(wanted.map(() => 'ambiguous'));
    for (const d of wanted) expect(d.possibleModes).toContain(upstreamPick);
    expect(r.competing.length).toBeGreaterThan(1);
  });
});

// ---------------------------------------------------------------------------
// Part 2: ambient (ztunnel) enforcement
// ---------------------------------------------------------------------------

const AMBIENT_INDEX = 'pilot/pkg/serviceregistry/ambient/ambientindex_test.go';
const RBAC_CONVERT = `${AMBIENT_INDEX} TestRBACConvert testdata/`;
const POLICY_STEPS = `${AMBIENT_INDEX} TestAmbientIndex_Policy`;
const SYSTEM_NS = 'istio-system';
const FOO = 'foo';
const NS1 = 'ns1';

interface AmbientRow {
  readonly source: string;
  readonly namespace: string;
  readonly policies: readonly Manifest[];
  /** Pod labels; app=a unless stated. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Mode of a port no port-level entry names (7070 here). */
  readonly mode: AmbientEffectiveMode;
  /** Modes of the ports the policies name. */
  readonly ports: Readonly<Record<number, AmbientEffectiveMode>>;
}

const POD_PORTS = [7070, 8080, 9090];

/*
 * Each golden's expected modes: a STRICT top rule or a merged STRICT rule
 * (notPrincipals presence) denies plaintext everywhere except the ports of
 * its notDestinationPorts rule; a group with destinationPorts denies
 * plaintext on those ports only; an empty golden means no converted policy,
 * so the workload gets the static STRICT policy when the effective mode is
 * STRICT, and nothing otherwise.
 */
const AMBIENT_ROWS: readonly AmbientRow[] = [
  { source: `${RBAC_CONVERT}peer-authn-disable-in.yaml`, namespace: FOO, policies: [pa(FOO, 'disable-mtls', mtls('DISABLE'))], mode: 'PERMISSIVE', ports: {} },
  {
    source: `${RBAC_CONVERT}peer-authn-disable-port-mtls-strict-in.yaml`,
    namespace: FOO,
    policies: [pa(FOO, 'disable-strict-mtls', { ...sel({ app: 'a' }), ...mtls('DISABLE'), ...ports({ 9090: 'STRICT' }) })],
    mode: 'PERMISSIVE',
    ports: { 9090: 'STRICT' },
  },
  { source: `${RBAC_CONVERT}peer-authn-permissive-in.yaml`, namespace: FOO, policies: [pa(FOO, 'permissive-mtls', mtls('PERMISSIVE'))], mode: 'PERMISSIVE', ports: {} },
  {
    source: `${RBAC_CONVERT}peer-authn-permissive-port-mtls-strict-and-permissive-in.yaml`,
    namespace: FOO,
    policies: [pa(FOO, 'permissive-strict-mtls', { ...sel({ app: 'a' }), ...mtls('PERMISSIVE'), ...ports({ 9090: 'STRICT', 8080: 'PERMISSIVE' }) })],
    mode: 'PERMISSIVE',
    ports: { 8080: 'PERMISSIVE', 9090: 'STRICT' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-permissive-port-mtls-strict-in.yaml`,
    namespace: FOO,
    policies: [pa(FOO, 'permissive-strict-mtls', { ...sel({ app: 'a' }), ...mtls('PERMISSIVE'), ...ports({ 9090: 'STRICT' }) })],
    mode: 'PERMISSIVE',
    ports: { 9090: 'STRICT' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-permissive-root-permissive-namespace-strict-workload-ports-in.yaml`,
    namespace: FOO,
    policies: [
      pa(SYSTEM_NS, 'default-mesh', mtls('PERMISSIVE')),
      pa(FOO, 'default-foo', mtls('PERMISSIVE')),
      pa(FOO, 'workload', { ...sel({ app: 'a' }), ...ports({ 9090: 'STRICT', 8080: 'STRICT' }) }),
    ],
    mode: 'PERMISSIVE',
    ports: { 8080: 'STRICT', 9090: 'STRICT' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-permissive-root-permissive-workload-in.yaml`,
    namespace: FOO,
    policies: [pa(SYSTEM_NS, 'default-mesh', mtls('PERMISSIVE')), pa(FOO, 'workload', { ...sel({ app: 'a' }), ...ports({ 9090: 'PERMISSIVE' }) })],
    mode: 'PERMISSIVE',
    ports: { 9090: 'PERMISSIVE' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-permissive-root-strict-namespace-permissive-workload-in.yaml`,
    namespace: FOO,
    policies: [
      pa(SYSTEM_NS, 'default-mesh', mtls('PERMISSIVE')),
      pa(FOO, 'default-foo', mtls('STRICT')),
      pa(FOO, 'workload', { ...sel({ app: 'a' }), ...ports({ 9090: 'PERMISSIVE' }) }),
    ],
    mode: 'STRICT',
    ports: { 9090: 'PERMISSIVE' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-permissive-root-unset-namespace-mixed-workload-ports-in.yaml`,
    namespace: FOO,
    policies: [
      pa(SYSTEM_NS, 'default-mesh', mtls('PERMISSIVE')),
      pa(FOO, 'default-foo', mtls('UNSET')),
      pa(FOO, 'workload', { ...sel({ app: 'a' }), ...ports({ 9090: 'STRICT', 8080: 'PERMISSIVE' }) }),
    ],
    mode: 'PERMISSIVE',
    ports: { 8080: 'PERMISSIVE', 9090: 'STRICT' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-and-disable-port-mtls-in.yaml`,
    namespace: FOO,
    policies: [pa(FOO, 'strict-and-disable-mtls', { ...sel({ app: 'a' }), ...mtls('STRICT'), ...ports({ 9090: 'DISABLE' }) })],
    mode: 'STRICT',
    ports: { 9090: 'PERMISSIVE' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-and-permissive-port-mtls-in.yaml`,
    namespace: FOO,
    policies: [pa(FOO, 'strict-and-permissive-mtls', { ...sel({ app: 'a' }), ...mtls('STRICT'), ...ports({ 9090: 'PERMISSIVE' }) })],
    mode: 'STRICT',
    ports: { 9090: 'PERMISSIVE' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-and-strict-port-mtls-in.yaml`,
    namespace: FOO,
    policies: [pa(FOO, 'strict-mtls', { ...sel({ app: 'a' }), ...mtls('STRICT'), ...ports({ 8080: 'STRICT' }) })],
    mode: 'STRICT',
    ports: { 8080: 'STRICT' },
  },
  { source: `${RBAC_CONVERT}peer-authn-strict-in.yaml`, namespace: FOO, policies: [pa(FOO, 'strict-mtls', mtls('STRICT'))], mode: 'STRICT', ports: {} },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-port-mtls-strict-and-permissive-in.yaml`,
    namespace: FOO,
    policies: [pa(FOO, 'permissive-strict-mtls', { ...sel({ app: 'a' }), ...mtls('STRICT'), ...ports({ 9090: 'STRICT', 8080: 'PERMISSIVE' }) })],
    mode: 'STRICT',
    ports: { 8080: 'PERMISSIVE', 9090: 'STRICT' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-root-permissive-namespace-strict-workload-in.yaml`,
    namespace: FOO,
    policies: [
      pa(SYSTEM_NS, 'default-mesh', mtls('STRICT')),
      pa(FOO, 'default-foo', mtls('PERMISSIVE')),
      pa(FOO, 'workload', { ...sel({ app: 'a' }), ...ports({ 9090: 'STRICT' }) }),
    ],
    mode: 'PERMISSIVE',
    ports: { 9090: 'STRICT' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-root-permissive-workload-in.yaml`,
    namespace: FOO,
    policies: [pa(SYSTEM_NS, 'default-mesh', mtls('STRICT')), pa(FOO, 'workload', { ...sel({ app: 'a' }), ...ports({ 9090: 'PERMISSIVE' }) })],
    mode: 'STRICT',
    ports: { 9090: 'PERMISSIVE' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-root-unset-workload-port-mtls-strict-and-permissive-in.yaml`,
    namespace: FOO,
    policies: [pa(SYSTEM_NS, 'default-mesh', mtls('STRICT')), pa(FOO, 'workload', { ...sel({ app: 'a' }), ...ports({ 9090: 'PERMISSIVE', 8080: 'STRICT' }) })],
    mode: 'STRICT',
    ports: { 8080: 'STRICT', 9090: 'PERMISSIVE' },
  },
  {
    source: `${RBAC_CONVERT}peer-authn-strict-workload-in.yaml`,
    namespace: FOO,
    policies: [pa(FOO, 'strict-mtls', { ...sel({ app: 'a' }), ...mtls('STRICT') })],
    mode: 'STRICT',
    ports: {},
  },
  {
    source: `${RBAC_CONVERT}peer-authn-unset-port-mtls-strict-in.yaml`,
    namespace: FOO,
    policies: [pa(FOO, 'strict-mtls', { ...sel({ app: 'a' }), ...mtls('UNSET'), ...ports({ 8080: 'STRICT' }) })],
    mode: 'PERMISSIVE',
    ports: { 8080: 'STRICT' },
  },

  // TestAmbientIndex_Policy: the policy references pod1 (app=a) or pod2 get after each PeerAuthentication step.
  ...policySteps(),
];

function policySteps(): AmbientRow[] {
  const globalPermissive = pa(SYSTEM_NS, 'global', mtls('PERMISSIVE'));
  const nsStrict = pa(NS1, 'namespace', mtls('STRICT'));
  const nsPermissive = pa(NS1, 'namespace', mtls('PERMISSIVE'));
  const selector = (spec: Record<string, unknown>) => pa(NS1, 'selector', { ...sel({ app: 'a' }), ...spec });
  const selectorStrict = (spec: Record<string, unknown>) => pa(NS1, 'selector-strict', { ...sel({ app: 'a' }), ...spec });
  const meshStrict = pa(SYSTEM_NS, 'strict', mtls('STRICT'));
  const step = (
    n: number, what: string, policies: Manifest[], mode: AmbientEffectiveMode,
    portModes: Record<number, AmbientEffectiveMode> = {}, labels?: Record<string, string>,
  ): AmbientRow => ({ source: `${POLICY_STEPS} step ${n} "${what}"`, namespace: NS1, policies, mode, ports: portModes, ...(labels ? { labels } : {}) });
  return [
    step(1, 'namespace STRICT: static STRICT policy', [globalPermissive, nsStrict], 'STRICT'),
    step(2, 'workload STRICT: effective policy unchanged', [globalPermissive, nsStrict, selector(mtls('STRICT'))], 'STRICT'),
    step(3, 'workload PERMISSIVE: static policy removed', [globalPermissive, nsStrict, selector(mtls('PERMISSIVE'))], 'PERMISSIVE'),
    step(4, 'port-level STRICT exception: converted policy', [globalPermissive, nsStrict, selector({ ...mtls('PERMISSIVE'), ...ports({ 9090: 'STRICT' }) })], 'PERMISSIVE', { 9090: 'STRICT' }),
    step(5, 'pod not in selector policy: namespace STRICT', [globalPermissive, nsStrict, selector({ ...mtls('PERMISSIVE'), ...ports({ 9090: 'STRICT' }) })], 'STRICT', {}, { app: 'not-a' }),
    step(6, 'global selector policy ignored', [
      globalPermissive, nsStrict, selector({ ...mtls('PERMISSIVE'), ...ports({ 9090: 'STRICT' }) }),
      pa(SYSTEM_NS, 'global-selector', { ...sel({ app: 'a' }), ...mtls('STRICT') }),
    ], 'PERMISSIVE', { 9090: 'STRICT' }),
    step(7, 'workload PERMISSIVE with PERMISSIVE port: no policy', [globalPermissive, nsStrict, selector({ ...mtls('PERMISSIVE'), ...ports({ 9090: 'PERMISSIVE' }) })], 'PERMISSIVE', { 9090: 'PERMISSIVE' }),
    step(8, 'namespace PERMISSIVE: still no policy', [globalPermissive, nsPermissive, selector({ ...mtls('PERMISSIVE'), ...ports({ 9090: 'PERMISSIVE' }) })], 'PERMISSIVE', { 9090: 'PERMISSIVE' }),
    step(9, 'workload STRICT, port-level removed: static policy', [globalPermissive, nsPermissive, selector(mtls('STRICT'))], 'STRICT'),
    step(10, 'workload STRICT with PERMISSIVE port: converted policy', [globalPermissive, nsPermissive, selector({ ...mtls('STRICT'), ...ports({ 9090: 'PERMISSIVE' }) })], 'STRICT', { 9090: 'PERMISSIVE' }),
    step(11, 'workload UNSET with STRICT port under PERMISSIVE: converted policy', [globalPermissive, nsPermissive, selector(ports({ 9090: 'STRICT' }))], 'PERMISSIVE', { 9090: 'STRICT' }),
    step(12, 'namespace back to STRICT: static policy', [globalPermissive, nsStrict, selector(ports({ 9090: 'STRICT' }))], 'STRICT', { 9090: 'STRICT' }),
    step(13, 'workload UNSET with PERMISSIVE port: merged converted policy, no static', [globalPermissive, nsStrict, selector(ports({ 9090: 'PERMISSIVE' }))], 'STRICT', { 9090: 'PERMISSIVE' }),
    step(14, 'workload policy deleted: static policy', [globalPermissive, nsStrict], 'STRICT'),
    step(15, 'all PeerAuthentications deleted: no policy', [], 'PERMISSIVE'),
    step(16, 'mesh STRICT: static policy', [meshStrict], 'STRICT'),
    step(17, 'workload STRICT: only the static policy', [meshStrict, selectorStrict(mtls('STRICT'))], 'STRICT'),
    step(18, 'workload PERMISSIVE: static policy disappears', [meshStrict, selectorStrict(mtls('PERMISSIVE'))], 'PERMISSIVE'),
    step(19, 'workload DISABLE: static policy disappears', [meshStrict, selectorStrict(mtls('DISABLE'))], 'PERMISSIVE'),
    step(20, 'workload STRICT with PERMISSIVE port: converted policy', [meshStrict, selectorStrict({ ...mtls('STRICT'), ...ports({ 9090: 'PERMISSIVE' }) })], 'STRICT', { 9090: 'PERMISSIVE' }),
    step(21, 'workload policy deleted: static policy from the mesh', [meshStrict], 'STRICT'),
    step(22, 'mesh policy deleted: no policy', [], 'PERMISSIVE'),
  ];
}

function ambient(namespace: string, policies: readonly Manifest[], labels: Readonly<Record<string, string>> = { app: 'a' }, podPorts = POD_PORTS) {
  const model = buildMeshModel([ns(namespace, { 'istio.io/dataplane-mode': 'ambient' }), deploy(namespace, 'pod', { labels: { ...labels }, ports: podPorts }), ...policies]);
  const w = model.workloads.find((x) => x.name === 'pod')!;
  return {
    ambient: resolveAmbientMode(peerAuthenticationCandidates(model, namespace, w.labels), w.ports.map((p) => p.port)),
    sidecar: resolveServerMode(model, w),
  };
}

describe('upstream: PeerAuthentication on ambient pods through resolveAmbientMode', () => {
  it.each(AMBIENT_ROWS.map((r) => [r.source, r] as const))('%s', (_source, row) => {
    const { ambient: r } = ambient(row.namespace, row.policies, row.labels);
    const want = POD_PORTS.map((port) => [port, row.ports[port] ?? row.mode]);
    expect(r.mode).toBe(row.mode);
    expect(POD_PORTS.map((port) => [port, r.portMode(port).mode])).toEqual(want);
    expect(r.divergence).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Our own cases: the traps of SEMANTICS.md §1 rule 3
// ---------------------------------------------------------------------------

describe('resolveAmbientMode: DISABLE in ambient', () => {
  const hook = (spec: Record<string, unknown>) => [pa(SYSTEM_NS, 'mesh', mtls('STRICT')), pa('shop', 'hook', { ...sel({ app: 'hook' }), ...spec })];

  it('ignores a port-level DISABLE under an inherited STRICT (SEMANTICS example 3), where the sidecar disables it', () => {
    const { ambient: r, sidecar } = ambient('shop', hook(ports({ 9443: 'DISABLE' })), { app: 'hook' }, [9443]);
    expect(r.portMode(9443)).toMatchObject({ mode: 'STRICT', possibleModes: ['STRICT'] });
    expect(r.portMode(9443).decidedBy?.name).toBe('mesh');
    expect(r.portMode(9443).note).toMatch(/ignored/);
    expect(r.ignoredDisables.map((d) => [d.policy.name, d.port, d.effect])).toEqual([['hook', 9443, 'ignored']]);
    expect(sidecar.portMode(9443).mode).toBe('DISABLE');
  });

  it.each([
    ['workload mode STRICT', { ...mtls('STRICT'), ...ports({ 9443: 'DISABLE' }) }, 'permissive'],
    ['port PERMISSIVE', ports({ 9443: 'PERMISSIVE' }), undefined],
  ])('relaxes 9443 to PERMISSIVE with %s instead (SEMANTICS example 3)', (_what, spec, effect) => {
    const { ambient: r } = ambient('shop', hook(spec), { app: 'hook' }, [8080, 9443]);
    expect([r.portMode(9443).mode, r.portMode(8080).mode]).toEqual(['PERMISSIVE', 'STRICT']);
    expect(r.portMode(9443).decidedBy?.name).toBe('hook');
    expect(r.ignoredDisables.map((d) => d.effect)).toEqual(effect ? [effect] : []);
  });

  it('counts a port-level DISABLE as PERMISSIVE when the same policy has a PERMISSIVE port (the converted policy exempts both)', () => {
    const { ambient: r } = ambient('shop', hook(ports({ 8080: 'DISABLE', 9090: 'PERMISSIVE' })), { app: 'hook' });
    expect(POD_PORTS.map((p) => r.portMode(p).mode)).toEqual(['STRICT', 'PERMISSIVE', 'PERMISSIVE']);
    expect(r.portMode(8080).note).toMatch(/PERMISSIVE port/);
    expect(r.ignoredDisables.map((d) => [d.port, d.effect])).toEqual([[8080, 'permissive']]);
  });

  it.each([
    ['mesh', [pa(SYSTEM_NS, 'off', mtls('DISABLE'))]],
    ['namespace', [pa(SYSTEM_NS, 'mesh', mtls('STRICT')), pa('shop', 'off', mtls('DISABLE'))]],
    ['workload', [pa(SYSTEM_NS, 'mesh', mtls('STRICT')), pa('shop', 'off', { ...sel({ app: 'a' }), ...mtls('DISABLE') })]],
  ])('reads a %s-level DISABLE as PERMISSIVE', (_level, policies) => {
    const { ambient: r, sidecar } = ambient('shop', policies);
    expect(r.mode).toBe('PERMISSIVE');
    expect(r.decidedBy?.name).toBe('off');
    expect(r.portMode(8080).note).toMatch(/DISABLE means PERMISSIVE/);
    expect(r.ignoredDisables.map((d) => [d.policy.name, d.port, d.effect])).toEqual([['off', undefined, 'permissive']]);
    expect(sidecar.mode).toBe('DISABLE');
  });

  it('lists a port a workload policy names even when the pod does not have it', () => {
    const { ambient: r } = ambient('shop', [pa('shop', 'w', { ...sel({ app: 'a' }), ...mtls('STRICT'), ...ports({ 5000: 'DISABLE' }) })], { app: 'a' }, [8080]);
    expect(r.ports.map((p) => [p.port, p.mode])).toEqual([[5000, 'PERMISSIVE'], [8080, 'STRICT']]);
    expect(r.portMode(6000)).toMatchObject({ port: 6000, mode: 'STRICT' });
  });
});

describe('resolveAmbientMode: precedence and competing policies', () => {
  it('gives the PERMISSIVE default, decided by nobody, with no policy', () => {
    const { ambient: r } = ambient('shop', []);
    expect([r.mode, r.decidedBy, r.ignoredDisables.length, r.unseen.length]).toEqual(['PERMISSIVE', null, 0, 0]);
  });

  it('inherits through UNSET levels: mesh STRICT, namespace UNSET, workload UNSET', () => {
    const { ambient: r } = ambient('shop', [pa(SYSTEM_NS, 'mesh', mtls('STRICT')), pa('shop', 'n', mtls('UNSET')), pa('shop', 'w', sel({ app: 'a' }))]);
    expect(r.mode).toBe('STRICT');
    expect(r.decidedBy?.name).toBe('mesh');
  });

  it('is ambiguous when two namespace policies give STRICT and PERMISSIVE', () => {
    const { ambient: r } = ambient('shop', [pa('shop', 'a', mtls('STRICT')), pa('shop', 'b', mtls('PERMISSIVE'))]);
    expect(r).toMatchObject({ mode: 'ambiguous', possibleModes: ['PERMISSIVE', 'STRICT'], decidedBy: null });
    expect(r.portMode(8080).mode).toBe('ambiguous');
  });

  it('is not ambiguous when competing PERMISSIVE and DISABLE both mean PERMISSIVE (the sidecar resolution is)', () => {
    const { ambient: r, sidecar } = ambient('shop', [pa('shop', 'a', mtls('PERMISSIVE')), pa('shop', 'b', mtls('DISABLE'))]);
    expect([r.mode, r.decidedBy?.name]).toEqual(['PERMISSIVE', 'a']);
    expect(sidecar.mode).toBe('ambiguous');
  });

  it('is ambiguous on a port only when competing workload policies disagree there', () => {
    const { ambient: r } = ambient('shop', [
      pa('shop', 'w1', { ...sel({ app: 'a' }), ...mtls('STRICT'), ...ports({ 9090: 'PERMISSIVE' }) }),
      pa('shop', 'w2', { ...sel({ app: 'a' }), ...mtls('STRICT') }),
    ]);
    expect(POD_PORTS.map((p) => r.portMode(p).mode)).toEqual(['STRICT', 'STRICT', 'ambiguous']);
    expect(r.portMode(9090).possibleModes).toEqual(['PERMISSIVE', 'STRICT']);
  });

  it('never sees a root-namespace policy with `selector: {}`, which sidecars take as the mesh policy', () => {
    const { ambient: r, sidecar } = ambient('shop', [pa(SYSTEM_NS, 'default', { selector: {}, ...mtls('STRICT') })]);
    expect(r.mode).toBe('PERMISSIVE');
    expect(r.unseen.map((u) => u.policy.name)).toEqual(['default']);
    expect(sidecar.mode).toBe('STRICT');
  });
});

describe('resolveAmbientMode: source-derived divergences [U] (reported, not modelled)', () => {
  it('mesh STRICT + namespace UNSET + workload UNSET with a PERMISSIVE port: STRICT except the port, with a divergence', () => {
    const { ambient: r, sidecar } = ambient('shop', [
      pa(SYSTEM_NS, 'mesh', mtls('STRICT')), pa('shop', 'n', mtls('UNSET')), pa('shop', 'w', { ...sel({ app: 'a' }), ...ports({ 9090: 'PERMISSIVE' }) }),
    ]);
    expect(POD_PORTS.map((p) => r.portMode(p).mode)).toEqual(['STRICT', 'STRICT', 'PERMISSIVE']);
    expect(POD_PORTS.map((p) => sidecar.portMode(p).mode)).toEqual(['STRICT', 'STRICT', 'PERMISSIVE']);
    expect(r.divergence).toMatch(/\[U\] shop\/w: .*no rule/);
    expect(r.divergence).toContain('namespace policy shop/n, mesh policy istio-system/mesh');
  });

  it('without the namespace policy the same workload policy converts, and nothing diverges', () => {
    const { ambient: r } = ambient('shop', [pa(SYSTEM_NS, 'mesh', mtls('STRICT')), pa('shop', 'w', { ...sel({ app: 'a' }), ...ports({ 9090: 'PERMISSIVE' }) })]);
    expect(POD_PORTS.map((p) => r.portMode(p).mode)).toEqual(['STRICT', 'STRICT', 'PERMISSIVE']);
    expect(r.divergence).toBeUndefined();
  });

  it('mesh STRICT + workload PERMISSIVE with a STRICT port: the mesh STRICT skips the port in the conversion', () => {
    const { ambient: r } = ambient('shop', [pa(SYSTEM_NS, 'mesh', mtls('STRICT')), pa('shop', 'w', { ...sel({ app: 'a' }), ...mtls('PERMISSIVE'), ...ports({ 9090: 'STRICT' }) })]);
    expect(POD_PORTS.map((p) => r.portMode(p).mode)).toEqual(['PERMISSIVE', 'PERMISSIVE', 'STRICT']);
    expect(r.divergence).toMatch(/STRICT on port 9090$/);
  });

  it('a namespace STRICT written with `selector: {}` is not seen by the conversion', () => {
    const { ambient: r } = ambient('shop', [pa('shop', 'n', { selector: {}, ...mtls('STRICT') }), pa('shop', 'w', { ...sel({ app: 'a' }), ...ports({ 9090: 'PERMISSIVE' }) })]);
    expect(POD_PORTS.map((p) => r.portMode(p).mode)).toEqual(['STRICT', 'STRICT', 'PERMISSIVE']);
    expect(r.divergence).toContain('namespace policy none, mesh policy none');
  });
});
