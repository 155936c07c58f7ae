/*
 * The anchors' own test cases for the issue #26 checks on AuthorizationPolicy
 * identities and sidecar injection, and for the fixes to authz-requires-mtls,
 * plaintext-client-to-strict and dr-disables-tls-to-strict. Each row names its
 * source (Kiali v2.30.0 or istio/istio 1.30.3 file, test function, case), the
 * input translated to manifests, and what the anchor reports, in our terms
 * (resource and JSON pointer). A row where we deliberately report something
 * else says what (`ours`) and why. Agreement, per table:
 *
 * | table | anchor | our rule | agree |
 * | A | KIA0105 mtls_enabled_checker_test.go | IMA009 authz-requires-mtls | 39/46 |
 * | A2 | KIA0105 TestNeedsIdentities (needsMtls) | identity uses of the model | 11/11 |
 * | B | KIA0101, IST0101 (authz) | IMA039 authz-unknown-namespace | 3/3 |
 * | C | KIA0106 principals_checker_test.go, integration | IMA040 authz-unknown-service-account | 8/12 |
 * | C2 | KIA0108 principals_checker_test.go | IMA011 unknown-trust-domain | 2/2 |
 * | D | IST0103 analyzers_test.go istioInjection | IMA041 pod-missing-proxy | 8/9 |
 * | E | IST0144 analyzers_test.go | IMA042 proxy-uid-conflict | 4/4 |
 * | F | IST0107 analyzers_test.go misannoted | IMA043 inject-label-on-wrong-object | 8/10 |
 * | G | KIA0207/KIA0208 disabled_*_mtls_checker_test.go | IMA007 dr-disables-tls-to-strict | 22/22 |
 * | H | KIA0401/KIA0501 mesh_ and namespace_mtls_checker_test.go | IMA012 plaintext-client-to-strict | 14/16 |
 *
 * Deliberate differences (the row's `why` says more):
 * - A: a STRICT port resets plaintext before authorization (fixtures 2 off, 15), so the policy is not at fault there;
 *   an ISTIO_MUTUAL rule makes mesh clients send mTLS even without a PeerAuthentication (6 off, 12 off); a DENY on a
 *   PERMISSIVE workload port is bypassed by plaintext callers, whatever the DestinationRules (21).
 * - C: principals with two `*` or without `/ns/…/sa/…` never match in Istio and are principal-format's (IMA010);
 *   a namespace whose workloads are not in the input is not judged.
 * - D: istioctl takes every Pod of its input as running; we judge Pods that carry what only the API server writes
 *   (the rows add `status`), since a Pod manifest still to be applied will be injected.
 * - F: `kubernetes.io/ingress.class` on a Pod or Namespace is an Ingress matter, not injection or mTLS.
 * - H: a DestinationRule in namespace `default` applies only to clients and hosts of `default`; the one finding for a
 *   DISABLE rule is dr-disables-tls-to-strict's.
 * IST0123 (the #26 category multiple-injection-labels) is IMA018 dataplane-conflict, whose istioctl cases are ported in
 * test/analysis/pod-dataplane-rules.test.ts. exception-denied-by-authz (IMA044) has no anchor check.
 *
 * Upstream cases not ported:
 * | source | case | reason |
 * | Kiali principals_checker_test.go | TestRemoteClusterServiceAccount, TestRemoteClusterWithAlias, TestMultiPrimaryFederation | KIA0107: service accounts of other clusters; one cluster here |
 * | Kiali principals_checker_test.go | TestForeignDomainWithEmptyKnownDomains, TestForeignDomainWithNilKnownDomains | the mesh trust domain is always known here (default cluster.local) |
 * | Kiali principals_checker_test.go | TestMixedValidationsInSinglePolicy, west cluster's service accounts | only the local cluster's half is expressible (ported) |
 * | Kiali namespace_method_checker_test.go | TestToMethodWrongHTTP | KIA0102, HTTP methods: out of scope |
 * | Kiali namespace_method_checker_test.go | both cases' `when: request.headers` | the webhook rejects a map attribute without [name] (IMV527); dropped |
 * | istio analyzers_test.go | misannoted: UnknownAnnotation, InvalidAnnotation, DeprecatedAnnotation | IST0108/IST0125/IST0135: spelling, values and deprecation of annotations, not placement |
 * | istio analyzers_test.go | istioInjection: NamespaceNotInjected, NamespaceMultipleInjectionLabels | IST0102 and IST0123: IMA013 and IMA018, ported with them |
 */
import { describe, expect, it } from 'vitest';
import { analyzeMesh } from '../../src/analysis';
import { Manifest } from '../../src/model/manifest';
import { buildMeshModel } from '../../src/model/mesh-model';
import { MeshOptions } from '../../src/model/mesh-options';
import { parseAuthorizationPolicy } from '../../src/model/policies';
import { ap, deploy, dr, ns, pa, svc } from '../resolution/helpers';

interface Row {
  readonly source: string;
  readonly input: readonly Manifest[];
  readonly options?: MeshOptions;
  /** What the anchor reports, as `Kind namespace/name /json/pointer` (no pointer when it names none). */
  readonly anchor: readonly string[];
  /** What we report instead, when we deliberately differ. */
  readonly ours?: readonly string[];
  readonly why?: string;
  /** Another rule that reports the same place, as `CODE Kind namespace/name /pointer`. */
  readonly elsewhere?: readonly string[];
}

/** Our findings of `codes`, as rows write them; `withPath: false` leaves the pointer out. */
function flagged(codes: readonly string[], row: Pick<Row, 'input' | 'options'>, withPath = true, withCode = false): string[] {
  const model = buildMeshModel([...row.input], { now: new Date('2026-06-15T12:00:00Z'), ...row.options });
  return analyzeMesh(model, { only: [...codes] }).map((f) => `${withCode ? `${f.code} ` : ''}${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`
    + `${withPath && f.path ? ` ${f.path}` : ''}`).sort();
}

/** A Kiali path (`spec/rules[0]/from[0]/source/principals[1]`) as a JSON pointer. */
const kiali = (path: string) => `/${path.replace(/\[(\d+)\]/g, '/$1')}`;

/** Runs a table: each row gives what it says, and the agreement is the one the header states. */
function table(name: string, codes: readonly string[], rows: readonly Row[], agree: number, withPath = true): void {
  describe(name, () => {
    it.each(rows.map((r) => [r.source, r] as const))('%s', (_source, row) => {
      expect(flagged(codes, row, withPath)).toEqual([...(row.ours ?? row.anchor)].sort());
      if (row.elsewhere) {
        const elsewhereCodes = [...new Set(row.elsewhere.map((e) => e.split(' ')[0]))];
        expect(flagged(elsewhereCodes, row, withPath, true)).toEqual([...row.elsewhere].sort());
      }
    });
    it(`agrees on ${agree} of ${rows.length} cases; every difference says why`, () => {
      expect(rows.filter((r) => r.ours === undefined).length).toBe(agree);
      expect(rows.filter((r) => r.ours !== undefined && !r.why)).toEqual([]);
    });
  });
}

// ---------------------------------------------------------------------------------------------- A: KIA0105

const K105 = 'kiali v2.30.0 business/checkers/authorization/mtls_enabled_checker_test.go';
const mtls = (mode: string) => ({ mtls: { mode } });
const drTls = (namespace: string, name: string, host: string, mode: string) => dr(namespace, name, { host, trafficPolicy: { tls: { mode } } });
const sel = (app: string) => ({ selector: { matchLabels: { app } } });
/** The policy of fixtures 1–17: ALLOW on productpage for one principal. */
const productpage = ap('bookinfo', 'policy', {
  ...sel('productpage'),
  rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-productpage'] } }], to: [{ operation: { methods: ['GET'] } }] }],
});
/** Fixtures 71 and 101: the same selector, no rules. */
const productpageNoRules = ap('bookinfo', 'policy', sel('productpage'));
/** The policy of fixtures 18–22: DENY on ratings for one principal. */
const ratingsDeny = ap('bookinfo', 'policy', {
  action: 'DENY', rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-details'] } }] }], ...sel('ratings'),
});
/** The checker's harness adds data.CreateFakeServicesWithSelector("ratings", "bookinfo") to every case. */
const ratingsService = svc('bookinfo', 'ratings', { app: 'ratings' }, [{ port: 9080, name: 'http' }]);
const FLAGGED = ['AuthorizationPolicy bookinfo/policy /spec/rules/0/from/0/source/principals'];

const fixtures: Record<string, Manifest[]> = {
  1: [productpage],
  2: [productpage, pa('bookinfo', 'default', mtls('STRICT'))],
  3: [productpage, pa('bookinfo', 'default', mtls('PERMISSIVE'))],
  4: [productpage, pa('bookinfo', 'default', mtls('STRICT')), drTls('bookinfo', 'enable-mtls', '*.bookinfo.svc.cluster.local', 'ISTIO_MUTUAL')],
  5: [productpage, pa('bookinfo', 'default', mtls('PERMISSIVE')), drTls('bookinfo', 'enable-mtls', '*.bookinfo.svc.cluster.local', 'ISTIO_MUTUAL')],
  6: [productpage, drTls('bookinfo', 'enable-mtls', '*.bookinfo.svc.cluster.local', 'ISTIO_MUTUAL')],
  7: [productpage, pa('bookinfo', 'default', mtls('DISABLE'))],
  71: [productpageNoRules, pa('bookinfo', 'default', mtls('DISABLE'))],
  8: [productpage, drTls('bookinfo', 'enable-mtls', '*.bookinfo.svc.cluster.local', 'DISABLE')],
  9: [productpage, pa('istio-system', 'default', mtls('DISABLE'))],
  10: [productpage, drTls('istio-system', 'enable-mtls', '*.local', 'DISABLE')],
  101: [productpageNoRules, drTls('istio-system', 'enable-mtls', '*.local', 'DISABLE')],
  11: [productpage, pa('istio-system', 'default', mtls('PERMISSIVE'))],
  12: [productpage, drTls('istio-system', 'enable-mtls', '*.local', 'ISTIO_MUTUAL')],
  13: [productpage, pa('istio-system', 'default', mtls('PERMISSIVE')), drTls('istio-system', 'enable-mtls', '*.local', 'ISTIO_MUTUAL')],
  14: [productpage, pa('istio-system', 'default', mtls('STRICT')), drTls('istio-system', 'enable-mtls', '*.local', 'ISTIO_MUTUAL')],
  15: [productpage, drTls('bookinfo', 'disable-mtls', '*.bookinfo.svc.cluster.local', 'DISABLE'), pa('istio-system', 'default', mtls('STRICT')),
    drTls('istio-system', 'default', '*.local', 'ISTIO_MUTUAL')],
  16: [productpage, drTls('bookinfo', 'disable-mtls', '*.bookinfo.svc.cluster.local', 'DISABLE'), pa('istio-system', 'default', mtls('PERMISSIVE')),
    drTls('istio-system', 'default', '*.local', 'ISTIO_MUTUAL')],
  17: [productpage, drTls('bookinfo', 'disable-mtls', '*.bookinfo.svc.cluster.local', 'DISABLE')],
  // 18–22: the fixtures' nameless `v1 Service` is left out (Kiali ignores it); the harness Service stands for it.
  18: [pa('istio-system', 'default', mtls('PERMISSIVE')), pa('bookinfo', 'default-policy', mtls('PERMISSIVE')),
    pa('bookinfo', 'details-policy', { ...sel('details'), ...mtls('STRICT') }), pa('bookinfo', 'ratings-policy', { ...sel('ratings'), ...mtls('STRICT') }),
    drTls('bookinfo', 'ratings-mtls', 'ratings', 'ISTIO_MUTUAL'), drTls('bookinfo', 'details-mtls', 'details', 'ISTIO_MUTUAL'), ratingsDeny],
  19: [pa('istio-system', 'default', mtls('PERMISSIVE')), pa('bookinfo', 'default-policy', mtls('STRICT')),
    pa('bookinfo', 'details-policy', { ...sel('details'), ...mtls('DISABLE') }), pa('bookinfo', 'ratings-policy', { ...sel('ratings'), ...mtls('DISABLE') }),
    drTls('bookinfo', 'mtls-strict-namespace', '*.bookinfo.svc.cluster.local', 'MUTUAL'), drTls('bookinfo', 'ratings-mtls', 'ratings', 'DISABLE'),
    drTls('bookinfo', 'details-mtls', 'details', 'DISABLE'), ratingsDeny],
  20: [pa('istio-system', 'default', mtls('PERMISSIVE')), pa('bookinfo', 'default-policy', mtls('STRICT')),
    pa('bookinfo', 'details-policy', { ...sel('details'), ...mtls('DISABLE') }), pa('bookinfo', 'ratings-policy', { ...sel('ratings'), ...mtls('DISABLE') }), ratingsDeny],
  21: [pa('istio-system', 'default', mtls('PERMISSIVE')), pa('bookinfo', 'default-policy', mtls('STRICT')),
    pa('bookinfo', 'details-policy', { ...sel('details'), ...mtls('DISABLE') }), pa('bookinfo', 'ratings-policy', { ...sel('ratings'), ...mtls('PERMISSIVE') }),
    drTls('bookinfo', 'mtls-strict-namespace', '*.bookinfo.svc.cluster.local', 'MUTUAL'), drTls('bookinfo', 'ratings-mtls', 'ratings', 'ISTIO_MUTUAL'),
    drTls('bookinfo', 'details-mtls', 'details', 'DISABLE'), ratingsDeny],
  22: [pa('istio-system', 'default', mtls('PERMISSIVE')), pa('bookinfo', 'default-policy', mtls('STRICT')),
    pa('bookinfo', 'details-policy', { ...sel('details'), ...mtls('DISABLE') }), pa('bookinfo', 'ratings-policy', { ...sel('ratings'), ...mtls('PERMISSIVE') }),
    drTls('bookinfo', 'mtls-strict-namespace', '*.bookinfo.svc.cluster.local', 'MUTUAL'), drTls('bookinfo', 'ratings-mtls', 'ratings', 'DISABLE'),
    drTls('bookinfo', 'details-mtls', 'details', 'DISABLE'), ratingsDeny],
};

/** One row per fixture and auto mTLS setting, as the Kiali test asserts it. */
function k105(test: string, fixture: number, autoMtls: boolean, present: boolean, differ?: { ours: string[]; why: string }): Row {
  return {
    source: `${K105} ${test} (mtls_enabled_checker_${fixture}.yaml, auto mTLS ${autoMtls ? 'on' : 'off'})`,
    input: [...fixtures[fixture], ratingsService],
    options: { autoMtls },
    anchor: present ? FLAGGED : [],
    ...differ,
  };
}

const STRICT_RESETS = 'the port is STRICT: plaintext is reset before authorization runs, so no caller reaches the policy without an identity '
  + '(the plaintext senders are plaintext-client-to-strict\'s or dr-disables-tls-to-strict\'s finding)';
const CLIENTS_SEND_MTLS = 'the ISTIO_MUTUAL rule makes mesh clients send Istio mTLS, so they carry their identity to the PERMISSIVE port; '
  + 'only callers without a sidecar, which hold no identity, are refused, as the ALLOW intends';

const K105_ROWS: Row[] = [
  k105('TestAutoAuthzNoConfig', 1, true, false),
  k105('TestAutoAuthzNoConfig', 1, false, true),
  k105('TestAutoAuthzPeerAuthnValid', 2, true, false),
  k105('TestAutoAuthzPeerAuthnValid', 2, false, true, { ours: [], why: STRICT_RESETS }),
  k105('TestAutoAuthzPeerAuthnValid', 3, true, false),
  k105('TestAutoAuthzPeerAuthnValid', 3, false, true),
  k105('TestAutoAuthzPeerAuthnValidDestRuleValid', 4, true, false),
  k105('TestAutoAuthzPeerAuthnValidDestRuleValid', 4, false, false),
  k105('TestAutoAuthzPeerAuthnValidDestRuleValid', 5, true, false),
  k105('TestAutoAuthzPeerAuthnValidDestRuleValid', 5, false, false),
  k105('TestPeerAuthnNotFoundDestRuleIstioMutual', 6, true, false),
  k105('TestPeerAuthnNotFoundDestRuleIstioMutual', 6, false, true, { ours: [], why: CLIENTS_SEND_MTLS }),
  k105('TestAutoAuthzPeerAuthnDisable', 7, true, true),
  k105('TestAutoAuthzPeerAuthnDisable', 71, true, false),
  k105('TestAutoAuthzPeerAuthnDisable', 7, false, true),
  k105('TestAutoAuthzPeerAuthnDisable', 71, false, false),
  k105('TestAutoAuthzDestRuleDisable', 8, true, true),
  k105('TestAutoAuthzDestRuleDisable', 8, false, true),
  k105('TestAutoAuthzMeshPeerAuthnDisable', 9, true, true),
  k105('TestAutoAuthzMeshPeerAuthnDisable', 9, false, true),
  k105('TestAutoAuthzMeshDestRuleDisable', 10, true, true),
  k105('TestAutoAuthzMeshDestRuleDisable', 101, true, false),
  k105('TestAutoAuthzMeshDestRuleDisable', 10, false, true),
  k105('TestAutoAuthzMeshDestRuleDisable', 101, false, false),
  k105('TestAutoAuthzMeshPeerAuthnEnabled', 11, true, false),
  k105('TestAutoAuthzMeshPeerAuthnEnabled', 11, false, true),
  k105('TestAutoAuthzMeshDestRuleEnabled', 12, true, false),
  k105('TestAutoAuthzMeshDestRuleEnabled', 12, false, true, { ours: [], why: CLIENTS_SEND_MTLS }),
  k105('TestAutoAuthzMeshMTLSEnabled', 13, true, false),
  k105('TestAutoAuthzMeshMTLSEnabled', 14, true, false),
  k105('TestAutoAuthzMeshMTLSEnabled', 13, false, false),
  k105('TestAutoAuthzMeshMTLSEnabled', 14, false, false),
  k105('TestAuthozDisabled', 15, true, true, { ours: [], why: `${STRICT_RESETS}; here the namespace-wide DISABLE rule sends it to the STRICT mesh` }),
  k105('TestAuthozDisabled', 16, true, true),
  k105('TestAuthozDisabled', 17, true, true),
  k105('TestAuthozDisabled', 15, false, true, { ours: [], why: `${STRICT_RESETS}; here the namespace-wide DISABLE rule sends it to the STRICT mesh` }),
  k105('TestAuthozDisabled', 16, false, true),
  k105('TestAuthozDisabled', 17, false, true),
  k105('TestMTLSEnabledWorkloadLevel', 18, true, false),
  k105('TestMTLSEnabledWorkloadLevel', 18, false, false),
  k105('TestMTLSDisabledWorkloadLevel', 19, false, true),
  k105('TestMTLSDisabledWorkloadLevel', 20, true, true),
  k105('TestMTLSPermissiveWorkloadLevel', 21, true, false, {
    ours: FLAGGED,
    why: 'ratings-policy makes the ratings port PERMISSIVE: callers without a sidecar send plaintext, carry no principal and get past the DENY; '
      + 'Kiali counts the ISTIO_MUTUAL rule of mesh clients as enough',
  }),
  k105('TestMTLSPermissiveWorkloadLevel', 21, false, false, {
    ours: FLAGGED,
    why: 'as with auto mTLS on: plaintext callers bypass a DENY on a PERMISSIVE port',
  }),
  k105('TestMTLSPermissiveDisabledWorkloadLevel', 22, true, true),
  k105('TestMTLSPermissiveDisabledWorkloadLevel', 22, false, true),
];

table('A: Kiali KIA0105 (mtls_enabled_checker) → IMA009 authz-requires-mtls', ['IMA009'], K105_ROWS, 39);

// TestNeedsIdentities asserts needsMtls' boolean per policy of authz_policy_requires_mtls.yaml; ours is "has an identity use".
describe('A2: Kiali TestNeedsIdentities (authz_policy_requires_mtls.yaml) → identity uses the model reads', () => {
  const rule = (extra: Record<string, unknown>) => ({ to: [{ operation: { methods: ['GET'] } }], ...extra });
  const jwt = { from: [{ source: { requestPrincipals: ['bookinfo'] } }] };
  const policies: [string, Record<string, unknown> | undefined, boolean][] = [
    ['policy-0', rule({ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-productpage'] } }] }), true],
    ['policy-1', rule({ from: [{ source: { notPrincipals: ['cluster.local/ns/default/sa/bookinfo-productpage'] } }] }), true],
    ['policy-2', rule({ ...jwt, when: [{ key: 'destination.port', values: ['80', '443'] }] }), false],
    ['policy-3', rule({ ...jwt, when: [{ key: 'source.principal', values: ['cluster.local/ns/default/sa/productpage'] }] }), true],
    ['policy-4', rule({ ...jwt, when: [{ key: 'source.namespace', values: ['front-ns'] }] }), true],
    ['policy-5', rule({ ...jwt, when: [{ key: 'connection.sni', values: ['www.example.com'] }] }), true],
    ['policy-6', undefined, false],
    ['policy-7', rule({ ...jwt, when: [{ key: 'source.ip', values: ['10.12.0.12'] }] }), false],
    ['policy-8', rule({ from: [{ source: { namespaces: ['bookinfo'] } }] }), true],
    ['policy-9', rule({ from: [{ source: { notNamespaces: ['bookinfo'] } }] }), true],
    ['policy-10', rule({ ...jwt, when: [{ key: 'source.ip', values: ['10.1.2.3'] }] }), false],
  ];
  it.each(policies)(`${K105} TestNeedsIdentities %s`, (name, r, needs) => {
    const policy = parseAuthorizationPolicy(ap('bookinfo', name, { ...sel('productpage'), ...(r ? { rules: [r] } : {}) }), 'bookinfo');
    expect(policy.rules.some((x) => x.identityUses.length > 0)).toBe(needs);
  });
});

// ---------------------------------------------------------------------------------------------- B: KIA0101, IST0101

const K101 = 'kiali v2.30.0 business/checkers/authorization/namespace_method_checker_test.go';
/** data.CreateAuthorizationPolicy, without its `when: request.headers` condition (see the header). */
const sourceNamespaces = (namespaces: string[]) => ap('bookinfo', 'auth-policy', {
  ...sel('details'),
  rules: [{ from: [{ source: { namespaces } }], to: [{ operation: { methods: ['GET', 'PUT', 'PATCH'], hosts: ['details'] } }] }],
});

const IST = 'istio/istio 1.30.3 pkg/config/analysis/analyzers/analyzers_test.go';
/** testdata/authorizationpolicies.yaml: the rule body its policies share, with `from[1]` varying. */
const httpbinRule = (second: Record<string, unknown>) => ({
  rules: [{
    from: [{ source: { principals: ['cluster.local/ns/default/sa/sleep'] } }, { source: second }],
    to: [{ operation: { methods: ['GET'], paths: ['/info*'] } }, { operation: { methods: ['POST'], paths: ['/data'] } }],
    when: [{ key: 'request.auth.claims[iss]', values: ['https://accounts.google.com'] }],
  }],
});
const httpbinV1 = { selector: { matchLabels: { app: 'httpbin', version: 'v1' } } };
const patterns = ['prod-*', '*-test', '*-bogus', 'bogus-*', '*', 'httpbin'];
const AUTHORIZATION_POLICIES_YAML: Manifest[] = [
  ns('httpbin'), ns('prod-httpbin'), ns('httpbin-test'),
  svc('httpbin', 'httpbin', { app: 'httpbin' }, [{ name: 'http', port: 8000, targetPort: 80 }]),
  deploy('httpbin', 'httpbin', { labels: { app: 'httpbin', version: 'v1' }, ports: [80] }),
  ap('httpbin', 'httpbin', { ...httpbinV1, ...httpbinRule({ namespaces: ['httpbin'] }) }),
  ap('istio-system', 'meshwide-httpbin', {}),
  ap('istio-system', 'meshwide-httpbin-v1', { selector: { matchLabels: { version: 'bogus-version' } } }),
  ap('httpbin-empty', 'httpbin-empty-namespace-wide', httpbinRule({ namespaces: ['httpbin'] })),
  ap('httpbin', 'httpbin-namespace-wide', httpbinRule({ namespaces: ['httpbin'] })),
  ap('httpbin', 'httpbin-nopods', { selector: { matchLabels: { app: 'bogus-label', version: 'v1' } }, ...httpbinRule({ namespaces: ['httpbin'] }) }),
  ap('httpbin', 'httpbin-bogus-not-ns', { ...httpbinV1, ...httpbinRule({ notNamespaces: patterns }) }),
  ap('httpbin', 'httpbin-bogus-ns', { ...httpbinV1, ...httpbinRule({ namespaces: patterns }) }),
  deploy('httpbin', 'httpbin-55bf89f8c9-wzfrh', { kind: 'Pod', labels: { app: 'httpbin', version: 'v1' } }),
  ap('test-ambient', 'no-workload', { ...httpbinV1, ...httpbinRule({ namespaces: ['httpbin'] }) }),
  ap('test-ambient', 'valid-policy', { selector: { matchLabels: { app: 'sleep', version: 'v1' } }, ...httpbinRule({ namespaces: ['httpbin'] }) }),
  deploy('test-ambient', 'sleep-55bf89f8c9-wzfrh', {
    kind: 'Pod',
    labels: { app: 'sleep', version: 'v1' },
    podAnnotations: { 'ambient.istio.io/redirection': 'enabled' },
  }),
];

const NAMESPACE_ROWS: Row[] = [
  {
    source: `${K101} TestSourceNamespaceExisting`,
    input: [ns('bookinfo'), ns('bookinfo2'), sourceNamespaces(['bookinfo', 'bookinfo2'])],
    anchor: [],
  },
  {
    source: `${K101} TestSourceNamespaceNotFound`,
    input: [ns('bookinfo'), sourceNamespaces(['wrong1', 'wrong2'])],
    anchor: [0, 1].map((i) => `AuthorizationPolicy bookinfo/auth-policy ${kiali(`spec/rules[0]/from[0]/source/namespaces[${i}]`)}`),
  },
  {
    source: `${IST} authorizationpolicies (ReferencedResourceNotFound)`,
    input: AUTHORIZATION_POLICIES_YAML,
    anchor: ['namespaces', 'notNamespaces'].flatMap((field) => [2, 3].map((i) =>
      `AuthorizationPolicy httpbin/httpbin-bogus-${field === 'namespaces' ? 'ns' : 'not-ns'} /spec/rules/0/from/1/source/${field}/${i}`)),
  },
];

table('B: Kiali KIA0101 and istioctl IST0101 → IMA039 authz-unknown-namespace', ['IMA039'], NAMESPACE_ROWS, 3);

// ---------------------------------------------------------------------------------------------- C: KIA0106 (and KIA0108)

const K106 = 'kiali v2.30.0 business/checkers/authorization/principals_checker_test.go';
/** data.CreateAuthorizationPolicyWithPrincipals("auth-policy", "bookinfo", list). */
const withPrincipals = (principals: string[]) => ap('bookinfo', 'auth-policy', { rules: [{ from: [{ source: { principals } }] }] });
/** Kiali's known service accounts, as workloads running as them. */
const runningAs = (namespace: string, ...accounts: string[]) => accounts.map((sa) => deploy(namespace, `as-${sa}`, { serviceAccount: sa }));
const principal = (i: number) => `AuthorizationPolicy bookinfo/auth-policy ${kiali(`spec/rules[0]/from[0]/source/principals[${i}]`)}`;

/** samples/bookinfo/platform/kube/bookinfo.yaml's workloads and service accounts. */
const BOOKINFO: Manifest[] = [
  deploy('bookinfo', 'details-v1', { labels: { app: 'details', version: 'v1' }, serviceAccount: 'bookinfo-details', ports: [9080] }),
  deploy('bookinfo', 'ratings-v1', { labels: { app: 'ratings', version: 'v1' }, serviceAccount: 'bookinfo-ratings', ports: [9080] }),
  ...['v1', 'v2', 'v3'].map((v) => deploy('bookinfo', `reviews-${v}`, { labels: { app: 'reviews', version: v }, serviceAccount: 'bookinfo-reviews', ports: [9080] })),
  deploy('bookinfo', 'productpage-v1', { labels: { app: 'productpage', version: 'v1' }, serviceAccount: 'bookinfo-productpage', ports: [9080] }),
];

const TWO_STARS = 'two `*` make Istio match a suffix ending in a literal `*`, which no identity has: principal-format (IMA010) reports it';
const PRINCIPAL_ROWS: Row[] = [
  {
    source: `${K106} TestPresentServiceAccount`,
    input: [...runningAs('bookinfo', 'default', 'test'), withPrincipals(['cluster.local/ns/bookinfo/sa/default', 'cluster.local/ns/bookinfo/sa/test'])],
    anchor: [],
  },
  {
    source: `${K106} TestRegexPrincipalFound`,
    input: [...runningAs('bookinfo', 'default-a', 'test-1'), withPrincipals(['*local/ns/bookinfo/sa/default*', '*.local/ns/bookinfo/sa/test*'])],
    anchor: [],
    elsewhere: [0, 1].map((i) => `IMA010 ${principal(i)}`),
  },
  {
    source: `${K106} TestRegexPrincipalNotFound`,
    input: [...runningAs('bookinfo', 'default-a', 'test-1'), withPrincipals(['*wronglocal/ns/bookinfo/sa/default*', '*.local/ns/bookinfo/sa/test1*'])],
    anchor: [principal(0), principal(1)],
    ours: [],
    why: TWO_STARS,
    elsewhere: [0, 1].map((i) => `IMA010 ${principal(i)}`),
  },
  {
    source: `${K106} TestEmptyPrincipals`,
    input: [...runningAs('bookinfo', 'default', 'test'), withPrincipals([])],
    anchor: [],
  },
  {
    source: `${K106} TestNotPresentServiceAccount`,
    input: [...runningAs('bookinfo', 'default', 'test'), withPrincipals(['cluster.local/ns/bookinfo/sa/wrong', 'test'])],
    anchor: [principal(0), principal(1)],
    ours: [principal(0)],
    why: '"test" is not of the form <trust-domain>/ns/<namespace>/sa/<service-account>: principal-format (IMA010) reports it',
    elsewhere: [`IMA010 ${principal(1)}`],
  },
  {
    source: `${K106} TestEmptyServiceAccount`,
    input: [withPrincipals(['cluster.local/ns/bookinfo/sa/wrong'])],
    anchor: [principal(0)],
    ours: [],
    why: 'no workload of bookinfo is in the input, so its service accounts are unknown: not judged (Kiali knows the namespace has none)',
  },
  {
    source: `${K106} TestWildcardPrincipal`,
    input: [...runningAs('bookinfo', 'default'), withPrincipals(['*'])],
    anchor: [],
  },
  {
    source: `${K106} TestPrincipalWithTrustDomainAlias`,
    input: [...runningAs('pokemon-trainers', 'ash', 'red'), withPrincipals(['central.example.com/ns/pokemon-trainers/sa/ash', 'north.example.com/ns/pokemon-trainers/sa/red'])],
    options: { trustDomain: 'central.example.com', trustDomainAliases: ['north.example.com'] },
    anchor: [],
  },
  {
    source: `${K106} TestPrincipalWithKnownDomainButMissingSA`,
    input: [...runningAs('bookinfo', 'default'), withPrincipals(['cluster.local/ns/bookinfo/sa/nonexistent'])],
    options: { trustDomainAliases: ['central.example.com'] },
    anchor: [principal(0)],
  },
  {
    source: `${K106} TestPrincipalWithNoNamespaceSegment`,
    input: [...runningAs('bookinfo', 'default'), withPrincipals(['just-a-string', 'another/one'])],
    anchor: [principal(0), principal(1)],
    ours: [],
    why: 'neither is a principal Istio can match to a service account: principal-format (IMA010) reports both',
    elsewhere: [0, 1].map((i) => `IMA010 ${principal(i)}`),
  },
  {
    source: `${K106} TestMixedValidationsInSinglePolicy (the local cluster)`,
    input: [...runningAs('bookinfo', 'valid'), withPrincipals([
      'cluster.local/ns/bookinfo/sa/valid', 'cluster.local/ns/bookinfo/sa/typo', 'foreign.example.com/ns/bookinfo/sa/something',
    ])],
    anchor: [principal(1)],
    elsewhere: [`IMA011 ${principal(2)}`],
  },
  {
    source: 'kiali v2.30.0 tests/integration/tests/config_validations_test.go TestAuthPolicyPrincipalsError (bookinfo-auth-policy-principals.yaml, '
      + 'applied to Bookinfo; a workload of default added so that default is judged)',
    input: [...BOOKINFO, deploy('default', 'curl', { serviceAccount: 'curl' }), ap('bookinfo', 'ratings-policy', {
      action: 'DENY',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-wrong', 'cluster.local/ns/bookinfo/sa/bookinfo-details'] } }] }],
      ...sel('ratings'),
    })],
    anchor: ['AuthorizationPolicy bookinfo/ratings-policy /spec/rules/0/from/0/source/principals/0'],
  },
];

table('C: Kiali KIA0106 → IMA040 authz-unknown-service-account', ['IMA040'], PRINCIPAL_ROWS, 8);

const FOREIGN_ROWS: Row[] = [
  {
    source: `${K106} TestPrincipalWithForeignTrustDomain`,
    input: [...runningAs('bookinfo', 'default'), withPrincipals(['unknown.example.com/ns/bookinfo/sa/default'])],
    options: { trustDomainAliases: ['central.example.com'] },
    anchor: [principal(0)],
  },
  {
    source: `${K106} TestMultipleForeignDomains`,
    input: [...runningAs('default', 'default'), withPrincipals(['alpha.unknown.org/ns/default/sa/svc1', 'beta.unknown.org/ns/default/sa/svc2'])],
    anchor: [principal(0), principal(1)],
  },
];

table('C2: Kiali KIA0108 → IMA011 unknown-trust-domain', ['IMA011'], FOREIGN_ROWS, 2);

// ---------------------------------------------------------------------------------------------- D: IST0103

/** testdata/injection.yaml's Pods; `running` adds the status a cluster dump carries. */
function injectionPod(name: string, namespace: string, opts: {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  hostNetwork?: boolean;
  proxy?: boolean;
} = {}, running = true): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: {
      ...(opts.hostNetwork ? { hostNetwork: true } : {}),
      containers: [
        { image: 'gcr.io/google-samples/microservices-demo/adservice:v0.1.1', name: 'server' },
        ...(opts.proxy ? [{ image: 'registry.istio.io/release/proxyv2:1.3.0-rc.2', name: 'istio-proxy' }] : []),
      ],
    },
    ...(running ? { status: { phase: 'Running' } } : {}),
  };
}

const INJECTION_NAMESPACES: Manifest[] = [
  ns('default', { 'istio-injection': 'enabled' }), ns('ambient', { 'istio.io/dataplane-mode': 'ambient' }), ns('foo', { 'istio-injection': 'disabled' }),
  ns('bar', {}), ns('canary-test', { 'istio.io/rev': 'canary' }), ns('pidgeon-test', { 'istio.io/rev': 'pidgeon' }),
  ns('busted', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }), ns('multi-ns-1', { 'istio-injection': 'enabled', 'istio.io/rev': 'test' }),
  ns('multi-ns-2', { 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' }),
  ns('multi-ns-3', { 'istio.io/rev': 'test', 'istio.io/dataplane-mode': 'ambient' }),
  ns('not-conflict-ns-1', { 'istio-injection': 'disabled', 'istio.io/dataplane-mode': 'ambient' }),
  ns('not-conflict-ns-2', { 'istio-injection': 'disabled', 'istio.io/rev': 'test' }),
];

const injectionPods = (running: boolean): Manifest[] => [
  injectionPod('injectedpod', 'default', { proxy: true }, running),
  injectionPod('noninjectedpod', 'default', {}, running),
  injectionPod('podinjectiondisabled', 'default', { annotations: { 'sidecar.istio.io/inject': 'false' } }, running),
  injectionPod('istiod-canary-1234567890-12345', 'istio-system', { labels: { 'app': 'istiod', 'istio': 'pilot', 'istio.io/rev': 'canary' } }, running),
  injectionPod('podinjectiondisabled-label', 'default', { labels: { 'sidecar.istio.io/inject': 'false' } }, running),
  injectionPod('podinjectiondisabled-label-and-anno', 'default', { labels: { 'sidecar.istio.io/inject': 'false' }, annotations: { 'sidecar.istio.io/inject': 'true' } }, running),
  injectionPod('noninjectedpodhostnetwork', 'default', { hostNetwork: true }, running),
];
const podKey = (p: Manifest) => `${(p.metadata as { namespace: string }).namespace}/${(p.metadata as { name: string }).name}`;

const INJECTION_ROWS: Row[] = [
  // One row per Pod: istioctl expects IST0103 for noninjectedpod only.
  ...injectionPods(true).map((pod): Row => ({
    source: `${IST} istioInjection (testdata/injection.yaml, each Pod with status), Pod ${podKey(pod)}`,
    input: [...INJECTION_NAMESPACES, pod],
    anchor: podKey(pod) === 'default/noninjectedpod' ? [`Pod ${podKey(pod)}`] : [],
  })),
  {
    source: `${IST} istioInjectionEnableNamespacesByDefault (testdata/injection.yaml with status, and the injector ConfigMap)`,
    // The ConfigMap only turns IST0102 on namespace bar into IST0148; bar has no Pod, so the IST0103 list is the same.
    input: [...INJECTION_NAMESPACES, ...injectionPods(true)],
    anchor: ['Pod default/noninjectedpod'],
  },
  {
    source: `${IST} istioInjection (testdata/injection.yaml as written)`,
    input: [...INJECTION_NAMESPACES, ...injectionPods(false)],
    anchor: ['Pod default/noninjectedpod'],
    ours: [],
    why: 'the Pods carry nothing the API server writes (uid, creationTimestamp, resourceVersion, status): manifests still to be '
      + 'applied, which the webhook injects on creation',
  },
];

table('D: istioctl IST0103 → IMA041 pod-missing-proxy', ['IMA041'], INJECTION_ROWS, 8, false);

// ---------------------------------------------------------------------------------------------- E: IST0144

const helloworld = (securityContext?: Record<string, unknown>) => ({
  name: 'helloworld', image: 'registry.istio.io/release/examples-helloworld-v1', ports: [{ containerPort: 5000 }], ...(securityContext ? { securityContext } : {}),
});
const helloPod = (name: string, podSecurity?: Record<string, unknown>, containerSecurity?: Record<string, unknown>): Manifest => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'helloworld', version: 'v1' } },
  spec: { ...(podSecurity ? { securityContext: podSecurity } : {}), containers: [helloworld(containerSecurity)] },
});
const helloDeployment = (name: string, podSecurity?: Record<string, unknown>, containerSecurity?: Record<string, unknown>): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: 'helloworld', version: 'v1' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'helloworld', version: 'v1' } },
    template: {
      metadata: { labels: { app: 'helloworld', version: 'v1' } },
      spec: { ...(podSecurity ? { securityContext: podSecurity } : {}), containers: [helloworld(containerSecurity)] },
    },
  },
});
const UID = { runAsUser: 1337 };

const UID_ROWS: Row[] = [
  { source: `${IST} Application Pod SecurityContext with UID 1337 (pod-sec-uid.yaml)`, input: [helloPod('pod-sec-uid', UID)], anchor: ['Pod default/pod-sec-uid'] },
  { source: `${IST} Application Container SecurityContext with UID 1337 (pod-con-sec-uid.yaml)`, input: [helloPod('con-sec-uid', undefined, UID)], anchor: ['Pod default/con-sec-uid'] },
  {
    source: `${IST} Deployment Pod SecurityContext with UID 1337 (deployment-pod-sec-uid.yaml)`,
    input: [helloDeployment('deploy-pod-sec-uid', UID)],
    anchor: ['Deployment default/deploy-pod-sec-uid'],
  },
  {
    source: `${IST} Deployment Container SecurityContext with UID 1337 (deployment-con-sec-uid.yaml)`,
    input: [helloDeployment('deploy-con-sec-uid', UID, UID)],
    anchor: ['Deployment default/deploy-con-sec-uid'],
  },
];

table('E: istioctl IST0144 → IMA042 proxy-uid-conflict', ['IMA042'], UID_ROWS, 4, false);

// ---------------------------------------------------------------------------------------------- F: IST0107

type Strings = Record<string, string>;
const object = (apiVersion: string, kind: string, name: string, annotations: Strings, extra: Record<string, unknown> = {}): Manifest => ({
  apiVersion, kind, metadata: { name, annotations, ...extra }, spec: {},
});
const podWith = (name: string, annotations: Record<string, string>, labels: Record<string, string> = {}) => ({
  ...object('v1', 'Pod', name, annotations, { labels }), spec: { containers: [{ name: 'c', command: ['curl'] }] },
});
const MISANNOTATED: Record<string, Manifest> = {
  'Service default/httpbin': {
    ...object('v1', 'Service', 'httpbin', { 'networking.istio.io/exportThree': 'bar', 'networking.istio.io/exportTo': 'baz' }),
    spec: { ports: [{ name: 'http', port: 8000, targetPort: 80 }], selector: { app: 'httpbin' } },
  },
  'Pod default/invalid-annotations': podWith('invalid-annotations', { 'readiness.status.sidecar.istio.io/initialDelaySeconds': 'bar', 'readiness.status.sidecar.istio.io/periodSeconds': '10' }),
  'Service default/details': {
    ...object('v1', 'Service', 'details', { 'kubernetes.io/psp': 'my-privileged-psp' }),
    spec: { ports: [{ name: 'http', port: 80, targetPort: 9080 }], selector: { app: 'details' } },
  },
  'Ingress default/gateway': object('networking.k8s.io/v1', 'Ingress', 'gateway', { 'istio.io/ingress.class': 'istio' }),
  'Pod default/grafana-test': podWith('grafana-test', {
    'proxy.istio.io/config': '{}', 'helm.sh/hook': 'test-success', 'kubernetes.io/ingress.class': 'istio', 'gateway.istio.io/controller-version': '5',
  }, { app: 'grafana-test', istio: 'grafana' }),
  'Pod default/annotation-set-by-default': podWith('annotation-set-by-default', {
    'sidecar.istio.io/interceptionMode': 'REDIRECT',
    'traffic.sidecar.istio.io/excludeInboundPorts': '15020',
    'traffic.sidecar.istio.io/includeInboundPorts': '*',
    'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
    'gateway.istio.io/controller-version': '5',
  }),
  'Pod default/anno-not-set-by-default': podWith('anno-not-set-by-default', {
    'sidecar.istio.io/interceptionMode': 'REDIRECT',
    'traffic.sidecar.istio.io/excludeInboundPorts': '15020',
    'traffic.sidecar.istio.io/includeInboundPorts': '*',
    'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
    'gateway.istio.io/controller-version': '5',
  }),
  'Deployment default/fortio-deploy': {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'fortio-deploy', annotations: { 'sidecar.istio.io/statsInclusionPrefixes': 'cluster.outbound' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'fortio' } }, template: { metadata: { labels: { app: 'fortio' } }, spec: { containers: [{ name: 'fortio' }] } } },
  },
  'Namespace /staging': object('v1', 'Namespace', 'staging', { 'kubernetes.io/ingress.class': 'foo' }),
  'Pod default/ignore-istio-annotations': podWith('ignore-istio-annotations', { 'istio.io/rev': 'rev', 'ambient.istio.io/redirection': 'enabled' }),
};
const INGRESS_CLASS = 'kubernetes.io/ingress.class is an Ingress annotation misplaced on another kind: not an injection or mTLS key, out of scope';

const ANNOTATION_ROWS: Row[] = Object.keys(MISANNOTATED).map((key): Row => {
  const misplaced = ['Pod default/grafana-test', 'Deployment default/fortio-deploy', 'Namespace /staging'].includes(key);
  const outOfScope = key !== 'Deployment default/fortio-deploy' && misplaced;
  return {
    source: `${IST} misannoted (testdata/misannotated.yaml), ${key}`,
    // The whole file, so that every object is judged beside the others.
    input: Object.values(MISANNOTATED),
    anchor: misplaced ? [key] : [],
    ...(outOfScope ? { ours: [], why: INGRESS_CLASS } : {}),
  };
});

describe('F: istioctl IST0107 → IMA043 inject-label-on-wrong-object', () => {
  it.each(ANNOTATION_ROWS.map((r) => [r.source, r] as const))('%s', (_source, row) => {
    const key = row.source.split(', ').pop()!;
    expect(flagged(['IMA043'], row, false).filter((f) => f === key)).toEqual(row.ours ?? row.anchor);
  });
  it('agrees on 8 of 10 cases; every difference says why', () => {
    expect(ANNOTATION_ROWS.filter((r) => r.ours === undefined).length).toBe(8);
    expect(ANNOTATION_ROWS.filter((r) => r.ours !== undefined && !r.why)).toEqual([]);
    // Nothing beyond the objects the rows name.
    expect(flagged(['IMA043'], ANNOTATION_ROWS[0], false)).toEqual(['Deployment default/fortio-deploy']);
  });
});

// ---------------------------------------------------------------------------------------------- G: KIA0207/KIA0208

const KDR = 'kiali v2.30.0 business/checkers/destinationrules';
const TLS_MODE = '/spec/trafficPolicy/tls/mode';
const disableBookinfo = (name = 'disable-mtls') => drTls('bookinfo', name, '*.bookinfo.svc.cluster.local', 'DISABLE');
const meshwide: Record<number, Manifest[]> = {
  1: [drTls('istio-system', 'disable-mesh-mtls', '*.local', 'DISABLE'), pa('istio-system', 'disable-mesh-mtls', mtls('DISABLE'))],
  2: [drTls('bookinfo', 'disable-mesh-mtls', '*.local', 'DISABLE'), pa('istio-system', 'disable-mesh-mtls', mtls('STRICT'))],
  3: [drTls('istio-system', 'mesh-enable-mtls', '*.local', 'DISABLE'), pa('bookinfo', 'disable-grafana-mtls', { ...sel('grafana'), ...mtls('DISABLE') })],
  4: [drTls('bookinfo', 'enable-mesh-mtls', '*.local', 'DISABLE'), pa('istio-system', 'permissive-mesh-mtls', mtls('PERMISSIVE'))],
};
const namespacewide: [string, Manifest[], string[]][] = [
  ['TestDRNSWideDisablingTLSPolicyPermissive', [disableBookinfo(), pa('bookinfo', 'default', mtls('PERMISSIVE'))], []],
  ['TestDRNSWideDisablingTLSPolicyDisable', [disableBookinfo(), pa('bookinfo', 'default', mtls('DISABLE'))], []],
  ['TestDRNSWideDisablingTLSPolicyPermissiveMeshStrict', [disableBookinfo(), pa('bookinfo', 'default', mtls('PERMISSIVE')), pa('istio-system', 'default', mtls('STRICT'))], []],
  ['TestDRNSWideDisablingTLSPolicyStrict', [disableBookinfo(), pa('bookinfo', 'default', mtls('STRICT'))], [`DestinationRule bookinfo/disable-mtls ${TLS_MODE}`]],
  ['TestDRNSWideDisablingTLSMeshPolicyStrict', [disableBookinfo(), pa('istio-system', 'default', mtls('STRICT'))], [`DestinationRule bookinfo/disable-mtls ${TLS_MODE}`]],
  ['TestDRNSWideDisablingTLSMeshPolicyPermissive', [disableBookinfo(), pa('istio-system', 'default', mtls('PERMISSIVE'))], []],
  ['TestDRNSWideDisablingTLSWithoutPolicy', [disableBookinfo()], []],
  ['TestDRNonTLSRelated', [drTls('bookinfo', 'dr-mtls', '*.local', 'DISABLE')], []],
  ['TestMtlsStrictNsDisable', [disableBookinfo('dr-mtls-disabled'), pa('istio-system', 'default', mtls('STRICT')), pa('bookinfo', 'disable-bookinfo', mtls('DISABLE')),
    drTls('istio-system', 'dr-mtls', '*.local', 'ISTIO_MUTUAL')], []],
];

const DR_ROWS: Row[] = [
  ...[[1, 'TestDestRuleDisabledPeerAuthnDisabled'], [4, 'TestDestRuleDisabledPeerAuthnPermissive'], [3, 'TestDestRuleDisabledNoPeerAuthn'],
    [2, 'TestDestRuleDisabledPeerAuthnEnabled']].map(([n, test]): Row => ({
    source: `${KDR}/disabled_meshwide_mtls_checker_test.go ${test} (disabled_meshwide_checker_${n}.yaml)`,
    input: meshwide[n as number],
    anchor: n === 2 ? [`DestinationRule bookinfo/disable-mesh-mtls ${TLS_MODE}`] : [],
  })),
  ...namespacewide.flatMap(([test, input, anchor]) => [true, false].map((autoMtls): Row => ({
    source: `${KDR}/disabled_namespacewide_mtls_checker_test.go ${test} (auto mTLS ${autoMtls ? 'on' : 'off'})`,
    input,
    options: { autoMtls },
    anchor,
  }))),
];

table('G: Kiali KIA0207/KIA0208 → IMA007 dr-disables-tls-to-strict', ['IMA007'], DR_ROWS, 22);

// ---------------------------------------------------------------------------------------------- H: KIA0401/KIA0501

const KPA = 'kiali v2.30.0 business/checkers/peerauthentications';
const MESH_PA = 'PeerAuthentication istio-system/default';
const OFF = { autoMtls: false };
const meshRows: [string, string, Manifest[], boolean][] = [
  ['TestMeshPolicymTLSEnabled', 'STRICT', [drTls('default', 'default', '*.local', 'ISTIO_MUTUAL')], false],
  ['TestMeshPolicyEnabledDRNamespaceWide', 'STRICT', [drTls('bookinfo', 'default', '*.bookinfo.svc.cluster.local', 'ISTIO_MUTUAL')], true],
  ['TestMeshPolicyEnabledDRmTLSDisabled', 'STRICT', [dr('bar', 'default', { host: '*.bar.svc.cluster.local' })], true],
  ['TestMeshPolicymTLSEnabledDestinationRuleMissing', 'STRICT', [], true],
  ['TestMeshPolicymTLSDisabledDestinationRulePresent', 'PERMISSIVE', [drTls('default', 'default', '*.local', 'ISTIO_MUTUAL')], false],
  ['TestMeshPolicyDisabledDRNamespaceWide', 'PERMISSIVE', [drTls('bookinfo', 'default', '*.bookinfo.svc.cluster.local', 'ISTIO_MUTUAL')], false],
  ['TestMeshPolicyDisabledDRmTLSDisabled', 'PERMISSIVE', [dr('bar', 'default', { host: '*.bar.svc.cluster.local' })], false],
  ['TestMeshPolicymTLSDisabledDestinationRuleMissing', 'PERMISSIVE', [], false],
];
const nsRows: [string, string, Manifest[], boolean][] = [
  ['TestPeerAuthnmTLSEnabled', 'STRICT', [dr('bar', 'default', { host: '*.bar.svc.cluster.local' })], true],
  ['TestPolicyEnabledDRmTLSEnabled', 'STRICT', [drTls('bar', 'default', '*.bar.svc.cluster.local', 'ISTIO_MUTUAL')], false],
  ['TestPolicyEnabledDRmTLSMeshWideEnabled', 'STRICT', [drTls('bar', 'default', '*.local', 'ISTIO_MUTUAL')], false],
  ['TestPolicyPermissive', 'PERMISSIVE', [dr('bar', 'default', { host: '*.bar.svc.cluster.local' })], false],
];

const PA_ROWS: Row[] = [
  ...meshRows.map(([test, mode, rules, present]): Row => ({
    source: `${KPA}/mesh_mtls_checker_test.go ${test}`,
    input: [pa('istio-system', 'default', mtls(mode)), ...rules],
    options: OFF,
    anchor: present ? [MESH_PA] : [],
    ...(test === 'TestMeshPolicymTLSEnabled' ? {
      ours: [MESH_PA],
      why: 'the ISTIO_MUTUAL rule lives in namespace default: istiod applies it only to clients in default and to hosts of default, '
        + 'so clients elsewhere send plaintext to the STRICT mesh',
    } : {}),
  })),
  {
    source: `${KPA}/mesh_mtls_checker_test.go TestNoValidationsAddedWhenStrictAndAutoMtlsEnabled`,
    input: [pa('istio-system', 'default', mtls('STRICT'))],
    anchor: [],
  },
  ...nsRows.map(([test, mode, rules, present]): Row => ({
    source: `${KPA}/namespace_mtls_checker_test.go ${test}`,
    input: [pa('bar', 'default', mtls(mode)), ...rules],
    options: OFF,
    anchor: present ? ['PeerAuthentication bar/default'] : [],
  })),
  {
    // The test runs MeshMtlsChecker (a copy of the mesh case), not the namespace checker its name says.
    source: `${KPA}/namespace_mtls_checker_test.go TestNoNamespaceWideValidationsAddedWhenStrictAndAutoMtlsEnabled`,
    input: [pa('istio-system', 'default', mtls('STRICT'))],
    anchor: [],
  },
  {
    // MeshMtlsChecker on the objects of TestDestRuleDisabledPeerAuthnEnabled: KIA0401 beside that test's KIA0208. Both hold:
    // the DISABLE rule of bookinfo reaches clients and hosts of bookinfo only, the other clients send plaintext for want of a rule.
    source: `${KPA}/mesh_mtls_checker.go (MeshMtlsChecker) on disabled_meshwide_checker_2.yaml, auto mTLS off`,
    input: meshwide[2],
    options: OFF,
    anchor: ['PeerAuthentication istio-system/disable-mesh-mtls'],
    elsewhere: ['IMA007 DestinationRule bookinfo/disable-mesh-mtls'],
  },
  {
    // NamespaceMtlsChecker on the objects of TestDRNSWideDisablingTLSPolicyStrict: KIA0501 beside that test's KIA0207.
    source: `${KPA}/namespace_mtls_checker.go (NamespaceMtlsChecker) on the objects of ${KDR}/disabled_namespacewide_mtls_checker_test.go `
      + 'TestDRNSWideDisablingTLSPolicyStrict, auto mTLS off',
    input: [disableBookinfo(), pa('bookinfo', 'default', mtls('STRICT'))],
    options: OFF,
    anchor: ['PeerAuthentication bookinfo/default'],
    ours: [],
    why: 'every client of bookinfo\'s hosts sends plaintext because the namespace-wide rule sets tls DISABLE: one finding, on the rule, '
      + 'by dr-disables-tls-to-strict (its message would say that no rule sets ISTIO_MUTUAL)',
    elsewhere: ['IMA007 DestinationRule bookinfo/disable-mtls'],
  },
];

table('H: Kiali KIA0401/KIA0501 → IMA012 plaintext-client-to-strict', ['IMA012'], PA_ROWS, 14, false);
