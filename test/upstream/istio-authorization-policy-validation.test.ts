/*
 * AuthorizationPolicy validation, from upstream's tests (istio/istio 1.30.3):
 * pkg/config/validation/validation_test.go TestValidateAuthorizationPolicy,
 * every case. (The file has no separate test of the helpers this validation
 * calls — validateWorkloadSelector, validatePolicyTargetReference,
 * validateOneOfSelectorType, checkDryRunAnnotation; the pkg/config/security
 * helpers are ported in istio-security.test.ts.)
 *
 * Each row is written as the manifest a user would apply and runs through
 * validateManifest, as the cluster sees it: object checks, then the CRD
 * schema and its CEL rules (API server), then istiod's webhook. A row is
 * rejected when any finding is an error, and warned when any finding is a
 * warning, as upstream's `valid` and `Warning` columns say. Rows marked
 * `crd` are rejected by the CRD schema or CEL before istiod sees them; the
 * row checks that the rejection comes from there. Upstream's test calls the
 * webhook function alone, so every row also runs through our webhook layer
 * alone (validateIstioWebhook), which must give upstream's verdict too.
 *
 * Upstream cases not expressible as a manifest:
 * | source | case | reason |
 * | validation_test.go TestValidateAuthorizationPolicy | "from-empty" | builds `From: []*Rule_From{}`, a non-nil empty list; a manifest's `from: []` is decoded by istiod (jsonpb) as an unset list, which istiod accepts — the row below "from-empty, as a manifest" checks that |
 * | validation_test.go TestValidateAuthorizationPolicy | "to-empty" | same for `To: []*Rule_To{}` and `to: []` |
 */
import { describe, expect, it } from 'vitest';
import { Finding } from '../../src/model/finding';
import { Manifest, refOf } from '../../src/model/manifest';
import { validateIstioWebhook } from '../../src/validation/istio';
import { validateManifest } from '../../src/validation/validate';

const FILE = 'pkg/config/validation/validation_test.go';
const TEST = 'TestValidateAuthorizationPolicy';

type Spec = Record<string, unknown>;

interface Row {
  /** The upstream case name; `source` adds file and test. */
  readonly name: string;
  readonly spec: Spec;
  readonly annotations?: Record<string, string>;
  readonly valid: boolean;
  readonly warning?: boolean;
  /** Rejected by the CRD schema or its CEL rules before the webhook. */
  readonly crd?: true;
  /** Not an upstream case: how a case that a manifest cannot express reads as a manifest. */
  readonly manifestForm?: true;
}

const httpbinV1 = { matchLabels: { app: 'httpbin', version: 'v1' } };
const httpbin = { matchLabels: { app: 'httpbin' } };
const gateway = { group: 'gateway.networking.k8s.io', kind: 'Gateway' };
/** The DENY rule of the targetRef cases: a principal, and GET/DELETE on port 8080. */
const portRule = {
  from: [{ source: { principals: ['temp'] } }],
  to: [{ operation: { ports: ['8080'], methods: ['GET', 'DELETE'] } }],
};
const fromSource = (source: Spec): Spec => ({ rules: [{ from: [{ source }] }] });
const toOperation = (operation: Spec): Spec => ({ rules: [{ to: [{ operation }] }] });
const when = (condition: Spec, selector?: Spec): Spec => ({ ...(selector ? { selector } : {}), rules: [{ when: [condition] }] });

const ROWS: readonly Row[] = [
  {
    name: 'good',
    spec: {
      selector: httpbinV1,
      rules: [{
        from: [{ source: { principals: ['sa1'] } }, { source: { principals: ['sa2'] } }],
        to: [{ operation: { methods: ['GET'] } }, { operation: { methods: ['POST'] } }],
        when: [{ key: 'source.ip', values: ['1.2.3.4', '5.6.7.0/24'] }, { key: 'request.headers[:authority]', values: ['v1', 'v2'] }],
      }],
    },
    valid: true,
  },
  {
    name: 'good serviceAccounts',
    spec: {
      selector: httpbinV1,
      rules: [{ from: [{ source: { serviceAccounts: ['ns1/sa1', 'ns2/sa2'] } }, { source: { principals: ['sa2'] } }] }],
    },
    valid: true,
  },
  {
    name: 'serviceAccounts and namespaces',
    spec: { selector: httpbinV1, rules: [{ from: [{ source: { serviceAccounts: ['ns1/sa1', 'ns2/sa2'], namespaces: ['ns'] } }] }] },
    valid: false,
    crd: true,
  },
  { name: 'custom-good', spec: { action: 'CUSTOM', provider: { name: 'my-custom-authz' }, rules: [{}] }, valid: true },
  { name: 'custom-empty-provider', spec: { action: 'CUSTOM', provider: { name: '' }, rules: [{}] }, valid: false },
  { name: 'custom-nil-provider', spec: { action: 'CUSTOM', rules: [{}] }, valid: false },
  {
    name: 'custom-invalid-rule',
    spec: {
      action: 'CUSTOM',
      provider: { name: 'my-custom-authz' },
      rules: [{
        from: [{
          source: {
            namespaces: ['ns'],
            notNamespaces: ['ns'],
            principals: ['id'],
            notPrincipals: ['id'],
            requestPrincipals: ['req'],
            notRequestPrincipals: ['req'],
          },
        }],
        when: [
          { key: 'source.namespace', values: ['source.namespace1'], notValues: ['source.namespace2'] },
          { key: 'source.principal', values: ['source.principal1'], notValues: ['source.principal2'] },
          { key: 'request.auth.claims[a]', values: ['claims1'], notValues: ['claims2'] },
        ],
      }],
    },
    valid: false,
  },
  { name: 'provider-wrong-action', spec: { action: 'ALLOW', provider: { name: '' }, rules: [{}] }, valid: false },
  { name: 'allow-rules-nil', spec: { action: 'ALLOW' }, valid: true },
  { name: 'dry-run-valid-allow', annotations: { 'istio.io/dry-run': 'true' }, spec: { action: 'ALLOW' }, valid: true },
  { name: 'dry-run-valid-deny', annotations: { 'istio.io/dry-run': 'false' }, spec: { action: 'DENY', rules: [{}] }, valid: true },
  { name: 'dry-run-invalid-value', annotations: { 'istio.io/dry-run': 'foo' }, spec: { action: 'ALLOW' }, valid: false },
  { name: 'dry-run-invalid-action-custom', annotations: { 'istio.io/dry-run': 'true' }, spec: { action: 'CUSTOM' }, valid: false },
  { name: 'dry-run-invalid-action-audit', annotations: { 'istio.io/dry-run': 'true' }, spec: { action: 'AUDIT' }, valid: false },
  { name: 'deny-rules-nil', spec: { action: 'DENY' }, valid: false },
  { name: 'selector-empty-value', spec: { selector: { matchLabels: { app: '', version: 'v1' } } }, valid: true },
  { name: 'selector-empty-key', spec: { selector: { matchLabels: { 'app': 'httpbin', '': 'v1' } } }, valid: false, crd: true },
  { name: 'selector-empty-labels', spec: { selector: {} }, valid: true, warning: true },
  { name: 'selector-wildcard-value', spec: { selector: { matchLabels: { app: 'httpbin-*' } } }, valid: false, crd: true },
  { name: 'selector-wildcard-key', spec: { selector: { matchLabels: { 'app-*': 'httpbin' } } }, valid: false, crd: true },
  { name: 'target-ref-good', spec: { action: 'DENY', targetRef: { ...gateway, name: 'foo' }, rules: [portRule] }, valid: true },
  { name: 'target-refs-good', spec: { action: 'DENY', targetRefs: [{ ...gateway, name: 'foo' }], rules: [portRule] }, valid: true },
  {
    name: 'target-refs-good-service',
    spec: { action: 'DENY', targetRefs: [{ group: '', kind: 'Service', name: 'foo' }], rules: [portRule] },
    valid: true,
  },
  {
    name: 'target-ref-non-empty-namespace',
    spec: { action: 'DENY', targetRef: { ...gateway, name: 'foo', namespace: 'bar' }, rules: [portRule] },
    valid: false,
    crd: true,
  },
  { name: 'target-ref-empty-name', spec: { action: 'DENY', targetRef: { ...gateway }, rules: [portRule] }, valid: false, crd: true },
  {
    name: 'target-ref-wrong-group',
    spec: { action: 'DENY', targetRef: { group: 'wrong-group', kind: 'Gateway', name: 'foo' }, rules: [portRule] },
    valid: false,
  },
  {
    name: 'target-ref-wrong-kind',
    spec: { action: 'DENY', targetRef: { group: gateway.group, kind: 'wrong-kind', name: 'foo' }, rules: [portRule] },
    valid: false,
  },
  {
    name: 'target-ref-and-selector-cannot-both-be-set',
    spec: { action: 'DENY', targetRef: { ...gateway, name: 'foo' }, selector: httpbin, rules: [portRule] },
    valid: false,
    crd: true,
  },
  {
    name: 'target-refs-and-selector-cannot-both-be-set',
    spec: { action: 'DENY', targetRefs: [{ ...gateway, name: 'foo' }], selector: httpbin, rules: [portRule] },
    valid: false,
    crd: true,
  },
  { name: 'from-empty, as a manifest', spec: { rules: [{ from: [] }] }, valid: true, manifestForm: true },
  { name: 'source-nil', spec: { rules: [{ from: [{}] }] }, valid: false },
  { name: 'source-empty', spec: fromSource({}), valid: false },
  { name: 'to-empty, as a manifest', spec: { rules: [{ to: [] }] }, valid: true, manifestForm: true },
  { name: 'operation-nil', spec: { rules: [{ to: [{}] }] }, valid: false },
  { name: 'operation-empty', spec: toOperation({}), valid: false },
  { name: 'Principals-empty', spec: fromSource({ principals: ['p1', ''] }), valid: false },
  { name: 'NotPrincipals-empty', spec: fromSource({ notPrincipals: ['p1', ''] }), valid: false },
  { name: 'RequestPrincipals-empty', spec: fromSource({ requestPrincipals: ['p1', ''] }), valid: false },
  { name: 'NotRequestPrincipals-empty', spec: fromSource({ notRequestPrincipals: ['p1', ''] }), valid: false },
  { name: 'Namespaces-empty', spec: fromSource({ namespaces: ['ns', ''] }), valid: false },
  { name: 'ServiceAccounts-empty', spec: fromSource({ serviceAccounts: ['ns/sa', ''] }), valid: false },
  { name: 'NotNamespaces-empty', spec: fromSource({ notNamespaces: ['ns', ''] }), valid: false },
  { name: 'IpBlocks-empty', spec: fromSource({ ipBlocks: ['1.2.3.4', ''] }), valid: false },
  { name: 'NotIpBlocks-empty', spec: fromSource({ notIpBlocks: ['1.2.3.4', ''] }), valid: false },
  { name: 'RemoteIpBlocks-empty', spec: fromSource({ remoteIpBlocks: ['1.2.3.4', ''] }), valid: false },
  { name: 'NotRemoteIpBlocks-empty', spec: fromSource({ notRemoteIpBlocks: ['1.2.3.4', ''] }), valid: false },
  { name: 'Hosts-empty', spec: toOperation({ hosts: ['host', ''] }), valid: false },
  { name: 'NotHosts-empty', spec: toOperation({ notHosts: ['host', ''] }), valid: false },
  { name: 'Ports-empty', spec: toOperation({ ports: ['80', ''] }), valid: false },
  { name: 'NotPorts-empty', spec: toOperation({ notPorts: ['80', ''] }), valid: false },
  { name: 'Methods-empty', spec: toOperation({ methods: ['GET', ''] }), valid: false },
  { name: 'NotMethods-empty', spec: toOperation({ notMethods: ['GET', ''] }), valid: false },
  { name: 'Paths-empty', spec: toOperation({ paths: ['/path', ''] }), valid: false },
  { name: 'NotPaths-empty', spec: toOperation({ notPaths: ['/path', ''] }), valid: false },
  { name: 'value-empty', spec: when({ key: 'request.headers[:authority]', values: ['v1', ''] }), valid: false },
  {
    name: 'invalid ip and port in ipBlocks',
    spec: {
      rules: [{
        from: [{ source: { ipBlocks: ['1.2.3.4', 'ip1'], notIpBlocks: ['5.6.7.8', 'ip2'] } }],
        to: [{ operation: { ports: ['80', 'port1'], notPorts: ['90', 'port2'] } }],
      }],
    },
    valid: false,
  },
  {
    name: 'invalid ip and port in remoteIpBlocks',
    spec: {
      rules: [{
        from: [{ source: { remoteIpBlocks: ['1.2.3.4', 'ip1'], notRemoteIpBlocks: ['5.6.7.8', 'ip2'] } }],
        to: [{ operation: { ports: ['80', 'port1'], notPorts: ['90', 'port2'] } }],
      }],
    },
    valid: false,
  },
  { name: 'condition-key-missing', spec: when({ values: ['v1', 'v2'] }, httpbin), valid: false, crd: true },
  { name: 'condition-key-empty', spec: when({ key: '', values: ['v1', 'v2'] }, httpbin), valid: false },
  { name: 'condition-value-missing', spec: when({ key: 'source.principal' }, httpbin), valid: false },
  { name: 'condition-value-invalid', spec: when({ key: 'source.ip', values: ['a.b.c.d'] }), valid: false },
  { name: 'condition-notValue-invalid', spec: when({ key: 'source.ip', notValues: ['a.b.c.d'] }), valid: false },
  { name: 'condition-unknown', spec: when({ key: 'key1', values: ['v1'] }, httpbin), valid: false },
  {
    name: 'L7DenyWithFrom',
    spec: { action: 'DENY', selector: httpbin, rules: [{ from: [{ source: { requestPrincipals: ['example.com/sub-1'] } }] }] },
    valid: true,
    warning: true,
  },
  {
    name: 'L7DenyWithTo',
    spec: { action: 'DENY', selector: httpbin, rules: [{ to: [{ operation: { methods: ['GET', 'DELETE'] } }] }] },
    valid: true,
    warning: true,
  },
  {
    name: 'L7DenyWithFromAndTo',
    spec: {
      action: 'DENY',
      selector: httpbin,
      rules: [{ from: [{ source: { principals: ['temp'] } }], to: [{ operation: { methods: ['GET', 'DELETE'] } }] }],
    },
    valid: true,
    warning: true,
  },
  { name: 'L7DenyWithFromAndToWithPort', spec: { action: 'DENY', selector: httpbin, rules: [portRule] }, valid: true },
];

function policy(row: Row): Manifest {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'name', namespace: 'namespace', ...(row.annotations ? { annotations: row.annotations } : {}) },
    spec: row.spec,
  };
}

function verdict(findings: Finding[]): { valid: boolean; warning: boolean; rejectedBy: string[] } {
  const errors = findings.filter((f) => f.severity === 'error');
  return {
    valid: errors.length === 0,
    warning: findings.some((f) => f.severity === 'warning'),
    rejectedBy: [...new Set(errors.map((f) => (f.category === 'cel' ? 'schema' : f.category)))].sort(),
  };
}

describe(`${FILE} ${TEST}, as manifests through validateManifest`, () => {
  for (const row of ROWS) {
    const source = row.manifestForm ? `${FILE} ${TEST} ${row.name}` : `${FILE} ${TEST} "${row.name}"`;
    it(`${source}: ${row.valid ? 'accepted' : 'rejected'}${row.warning ? ' with a warning' : ''}${row.crd ? ' (by the CRD)' : ''}`, () => {
      const findings = validateManifest(policy(row));
      const got = verdict(findings);
      const detail = JSON.stringify(findings.map((f) => [f.code, f.path, f.message]));
      expect({ valid: got.valid, warning: got.warning }, detail).toEqual({ valid: row.valid, warning: !!row.warning });
      if (!row.valid) expect(got.rejectedBy, detail).toEqual([row.crd ? 'schema' : 'webhook']);
    });
  }

  // Upstream tests the webhook function alone: ours alone must give the same verdict, CRD-rejected rows included.
  for (const row of ROWS) {
    it(`${row.name}: the webhook layer alone agrees`, () => {
      const manifest = policy(row);
      const got = verdict(validateIstioWebhook(manifest, refOf(manifest)));
      expect({ valid: got.valid, warning: got.warning }).toEqual({ valid: row.valid, warning: !!row.warning });
    });
  }

  it('ports every upstream case (67, of which 2 as their manifest form)', () => {
    expect(ROWS.length).toBe(67);
    expect(ROWS.filter((r) => r.manifestForm).map((r) => r.name)).toEqual(['from-empty, as a manifest', 'to-empty, as a manifest']);
    expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length);
  });
});
