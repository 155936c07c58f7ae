/**
 * VirtualService, ServiceEntry, WorkloadEntry and Sidecar against their
 * Istio 1.30.3 CRDs: structural schema, unknown fields and the CEL rules
 * (`x-kubernetes-validations`), through `validateManifest` as users call it.
 *
 * Upstream truth:
 *  - istio/istio 1.30.3 pkg/config/validation/testdata/crds/{serviceentry,workloadentry}-{valid,invalid}.yaml,
 *    run by pkg/config/validation/openapi_test.go TestCRDs against the CRD validator; each `_err` is the
 *    API server's answer;
 *  - istio/istio 1.30.3 pkg/test/datasets/validation/dataset/networking-{v1,v1alpha3,v1beta1}-{VirtualService,
 *    ServiceEntry,WorkloadEntry,Sidecar}.yaml, applied to a real cluster by tests/integration/pilot/validation_test.go
 *    TestValidation (the valid=true half must be accepted).
 *
 * Upstream cases not ported:
 * | source | case | why |
 * | --- | --- | --- |
 * | serviceentry-invalid.yaml | bad-selector-key, bad-host-wildcard-suffix, bad-cidr | commented out upstream ("TODO"): the CRD does not reject them |
 * | serviceentry-invalid.yaml, workloadentry-invalid.yaml | trailing "TODO" lists (cidr, port names, protocol, DNS endpoints, exportTo, fqdn, labels) | not test cases, and the CRD does not decide them |
 * | openapi_test.go TestCRDs | the webhook half of compareCRDandWebhookValidation | istiod's webhook rules for these kinds are out of scope (only the three mTLS kinds have them) |
 * | openapi_test.go FuzzCRDs | fuzzing the Go CRD validator | needs Go's fuzzer; test/validation/schema/precompiled.test.ts mutates these kinds instead |
 * | tests/integration/pilot/validation_test.go TestValidation | the valid=false half (the `always-reject` annotation) | rejected by istiod's webhook in a live cluster, not by the CRD |
 * | tests/integration/pilot/validation_test.go TestEnsureNoMissingCRDs | every CRD has a dataset | a property of the dataset folder, not of a manifest |
 *
 * The VirtualService and Sidecar CEL rules (durations, ingress TLS credentials, selector wildcards) have no upstream
 * CRD test case: our own rows cover each of them, and a check below fails if any CEL rule of the four CRDs is not
 * made to fail by some row.
 */
import { describe, expect, test } from 'vitest';
import { Finding } from '../../../src/model/finding';
import { Manifest, refOf } from '../../../src/model/manifest';
import { builtinSchemaSet, validateStructure } from '../../../src/validation/schema';
import { StructuralSchema } from '../../../src/validation/schema/structural';
import { validateManifest } from '../../../src/validation/validate';

const KINDS = ['VirtualService', 'ServiceEntry', 'WorkloadEntry', 'Sidecar'] as const;
type Kind = (typeof KINDS)[number];
const SERVED = ['v1', 'v1alpha3', 'v1beta1'];

interface Row {
  /** Upstream file and case, or `ours:` and the trap it guards. */
  readonly source: string;
  readonly manifest: Manifest;
  /** `code path` of every finding, in the validator's order; empty when the cluster accepts the manifest. */
  readonly findings: readonly string[];
  /** Text an error's message contains: upstream's `_err` where the API server words it as the CRD does. */
  readonly message?: string;
}

function object(kind: Kind, name: string, spec: unknown, version = 'v1'): Manifest {
  return { apiVersion: `networking.istio.io/${version}`, kind, metadata: { name, namespace: 'mesh' }, ...(spec === undefined ? {} : { spec }) };
}

const SE_TESTDATA = 'istio/istio 1.30.3 pkg/config/validation/testdata/crds/serviceentry';
const WE_TESTDATA = 'istio/istio 1.30.3 pkg/config/validation/testdata/crds/workloadentry';
const DATASET = 'istio/istio 1.30.3 pkg/test/datasets/validation/dataset/networking';

/** The four kinds' integration datasets, one file per served version, all applied successfully by TestValidation. */
const DATASET_ROWS: Row[] = SERVED.flatMap((v) => [
  {
    source: `${DATASET}-${v}-VirtualService.yaml TestValidation "valid-virtual-service"`,
    manifest: object('VirtualService', 'valid-virtual-service', {
      hosts: ['c'],
      http: [{ route: [{ destination: { host: 'c', subset: 'v1' }, weight: 75 }, { destination: { host: 'c', subset: 'v2' }, weight: 25 }] }],
    }, v),
    findings: [],
  },
  {
    source: `${DATASET}-${v}-ServiceEntry.yaml TestValidation "valid-service-entry"`,
    manifest: object('ServiceEntry', 'valid-service-entry', {
      hosts: ['eu.bookinfo.com'],
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
      resolution: 'DNS',
      endpoints: [{ address: 't.istio-system.svc.cluster.local', ports: { http: 8080 } }],
    }, v),
    findings: [],
  },
  {
    source: `${DATASET}-${v}-WorkloadEntry.yaml TestValidation "valid-workload-entry"`,
    manifest: object('WorkloadEntry', 'valid-workload-entry', { address: '1.2.3.4' }, v),
    findings: [],
  },
  {
    source: `${DATASET}-${v}-Sidecar.yaml TestValidation "valid-sidecar-config"`,
    manifest: object('Sidecar', 'valid-sidecar-config', { egress: [{ hosts: ['abc/*'] }] }, v),
    findings: [],
  },
]);

/** serviceentry-{valid,invalid}.yaml and workloadentry-{valid,invalid}.yaml, every active document. */
const CRD_TESTDATA_ROWS: Row[] = [
  {
    source: `${SE_TESTDATA}-valid.yaml TestCRDs "full"`,
    manifest: object('ServiceEntry', 'full', {
      hosts: ['example.com'],
      workloadSelector: { labels: { foo: 'bar' } },
      addresses: ['1.2.3.4', '001:db8::'],
      exportTo: ['foo', '.'],
      location: 'MESH_EXTERNAL',
      ports: [{ name: 'foo', protocol: 'HTTP', number: 1234, targetPort: 2345 }],
      subjectAltNames: ['sa'],
      resolution: 'DNS',
    }),
    findings: [],
  },
  {
    source: `${SE_TESTDATA}-valid.yaml TestCRDs "static-endpoints"`,
    manifest: object('ServiceEntry', 'static-endpoints', {
      hosts: ['example.com'],
      endpoints: [{ address: 'sub.example.com' }],
      ports: [{ name: 'foo', protocol: 'HTTP', number: 1234, targetPort: 2345 }],
      resolution: 'DNS',
    }),
    findings: [],
  },
  {
    source: `${SE_TESTDATA}-valid.yaml TestCRDs "empty-selector"`,
    manifest: object('ServiceEntry', 'empty-selector', { workloadSelector: {}, hosts: ['example.com'] }, 'v1alpha3'),
    findings: [],
  },
  {
    source: `${SE_TESTDATA}-valid.yaml TestCRDs "partial-wildcard"`,
    manifest: object('ServiceEntry', 'partial-wildcard', { hosts: ['*x'] }, 'v1alpha3'),
    findings: [],
  },
  {
    source: `${SE_TESTDATA}-valid.yaml TestCRDs "none-cidr"`,
    manifest: object('ServiceEntry', 'none-cidr', { hosts: ['example.com'], addresses: ['1.1.1.1/32'] }, 'v1alpha3'),
    findings: [],
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "no-spec"`,
    manifest: object('ServiceEntry', 'no-spec', undefined),
    findings: ['IMV303 ', 'IMV203 /spec'],
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "missing-host"`,
    manifest: object('ServiceEntry', 'missing-host', {}),
    findings: ['IMV303 ', 'IMV203 /spec/hosts'],
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "bad-selector-value"`,
    manifest: object('ServiceEntry', 'bad-selector-value', { hosts: ['example.com'], workloadSelector: { labels: { val: '*' } } }, 'v1alpha3'),
    findings: ['IMV301 /spec/workloadSelector/labels/val'],
    message: 'wildcard is not supported in selector',
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "selector-and-endpoints"`,
    manifest: object('ServiceEntry', 'selector-and-endpoints', { hosts: ['example.com'], workloadSelector: {}, endpoints: [{ address: '1.2.3.4' }] }, 'v1alpha3'),
    // resolution defaults to NONE, so the NONE rule fails as well
    findings: ['IMV301 /spec', 'IMV301 /spec'],
    message: 'only one of WorkloadSelector or Endpoints can be set',
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "bad-host-wildcard"`,
    manifest: object('ServiceEntry', 'bad-host-wildcard', { hosts: ['*'] }, 'v1alpha3'),
    findings: ['IMV301 /spec/hosts/0'],
    message: 'hostname cannot be wildcard',
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "bad-cidr-resolution"`,
    manifest: object('ServiceEntry', 'bad-cidr-resolution', { hosts: ['example.com'], addresses: ['1.2.3.4/16'], resolution: 'DNS' }, 'v1alpha3'),
    findings: ['IMV301 /spec'],
    message: 'CIDR addresses are allowed only for NONE/STATIC resolution types',
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "duplicate-ports-name"`,
    manifest: object('ServiceEntry', 'duplicate-ports-name', { hosts: ['example.com'], ports: [{ name: 'a', number: 1 }, { name: 'a', number: 12 }] }, 'v1alpha3'),
    // "Duplicate value": ports is a list-type map keyed by name
    findings: ['IMV211 /spec/ports/1'],
    message: 'duplicate key',
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "duplicate-ports-number"`,
    manifest: object('ServiceEntry', 'duplicate-ports-number', { hosts: ['example.com'], ports: [{ name: 'a', number: 1 }, { name: 'b', number: 1 }] }, 'v1alpha3'),
    findings: ['IMV301 /spec/ports'],
    message: 'port number cannot be duplicated',
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "bad-port"`,
    manifest: object('ServiceEntry', 'bad-port', { hosts: ['example.com'], ports: [{ name: 'a', number: 99999 }] }, 'v1alpha3'),
    findings: ['IMV301 /spec/ports/0/number'],
    message: 'port must be between 1-65535',
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "bad-port-target"`,
    manifest: object('ServiceEntry', 'bad-port-target', { hosts: ['example.com'], ports: [{ name: 'a', number: 1, targetPort: 99999 }] }, 'v1alpha3'),
    findings: ['IMV301 /spec/ports/0/targetPort'],
    message: 'port must be between 1-65535',
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "none-with-endpoints"`,
    manifest: object('ServiceEntry', 'none-with-endpoints', { hosts: ['example.com'], endpoints: [{ address: '1.2.3.4' }], resolution: 'NONE' }, 'v1alpha3'),
    findings: ['IMV301 /spec'],
    message: 'NONE mode cannot set endpoints',
  },
  {
    source: `${SE_TESTDATA}-invalid.yaml TestCRDs "dns-rr-with-multiple-endpoints"`,
    manifest: object('ServiceEntry', 'dns-rr-with-multiple-endpoints', {
      hosts: ['example.com'], resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'sub1.example.com' }, { address: 'sub2.example.com' }],
    }, 'v1alpha3'),
    findings: ['IMV301 /spec'],
    message: 'DNS_ROUND_ROBIN mode cannot have multiple endpoints',
  },
  {
    source: `${WE_TESTDATA}-valid.yaml TestCRDs "full"`,
    manifest: object('WorkloadEntry', 'full', {
      address: '1.2.3.4', serviceAccount: 'sa', network: 'net', labels: { app: 'app' }, ports: { http: 1 }, weight: 2, locality: 'foo/bar/baz',
    }, 'v1alpha3'),
    findings: [],
  },
  {
    source: `${WE_TESTDATA}-valid.yaml TestCRDs "missing-address-network-set"`,
    manifest: object('WorkloadEntry', 'missing-address-network-set', { network: 'net' }, 'v1alpha3'),
    findings: [],
  },
  {
    source: `${WE_TESTDATA}-valid.yaml TestCRDs "uds-abstract"`,
    manifest: object('WorkloadEntry', 'uds-abstract', { address: 'unix://@foo' }, 'v1alpha3'),
    findings: [],
  },
  {
    source: `${WE_TESTDATA}-valid.yaml TestCRDs "uds-path"`,
    manifest: object('WorkloadEntry', 'uds-path', { address: 'unix:///foo/bar' }, 'v1alpha3'),
    findings: [],
  },
  {
    source: `${WE_TESTDATA}-valid.yaml TestCRDs "fqdn"`,
    manifest: object('WorkloadEntry', 'fqdn', { address: 'example.com' }, 'v1alpha3'),
    findings: [],
  },
  {
    source: `${WE_TESTDATA}-invalid.yaml TestCRDs "no-spec"`,
    manifest: object('WorkloadEntry', 'no-spec', undefined, 'v1alpha3'),
    findings: ['IMV303 ', 'IMV203 /spec'],
  },
  {
    source: `${WE_TESTDATA}-invalid.yaml TestCRDs "missing-address"`,
    manifest: object('WorkloadEntry', 'missing-address', {}, 'v1alpha3'),
    findings: ['IMV301 /spec'],
    message: 'Address is required',
  },
  {
    source: `${WE_TESTDATA}-invalid.yaml TestCRDs "bad-uds-dir"`,
    manifest: object('WorkloadEntry', 'bad-uds-dir', { address: 'unix:///dir/' }, 'v1alpha3'),
    findings: ['IMV301 /spec/address'],
    message: 'UDS may not be a dir',
  },
  {
    source: `${WE_TESTDATA}-invalid.yaml TestCRDs "bad-uds-relative"`,
    manifest: object('WorkloadEntry', 'bad-uds-relative', { address: 'unix://relative' }, 'v1alpha3'),
    findings: ['IMV301 /spec/address'],
    message: 'UDS must be an absolute path or abstract socket',
  },
  {
    source: `${WE_TESTDATA}-invalid.yaml TestCRDs "uds-with-ports"`,
    manifest: object('WorkloadEntry', 'uds-with-ports', { address: 'unix://@foo', ports: { http: 80 } }, 'v1alpha3'),
    findings: ['IMV301 /spec'],
    message: 'UDS may not include ports',
  },
  {
    source: `${WE_TESTDATA}-invalid.yaml TestCRDs "high-port"`,
    manifest: object('WorkloadEntry', 'high-port', { address: '1.1.1.1', ports: { http: 99999 } }, 'v1alpha3'),
    findings: ['IMV301 /spec/ports/http'],
    message: 'port must be between 1-65535',
  },
  {
    source: `${WE_TESTDATA}-invalid.yaml TestCRDs "bad-port-name"`,
    manifest: object('WorkloadEntry', 'bad-port-name', { address: '1.1.1.1', ports: { '@': 80 } }, 'v1alpha3'),
    // "spec.ports: Invalid value": the port-name rule
    findings: ['IMV301 /spec/ports'],
    message: 'port name must be valid',
  },
];

const vs = (http: unknown[], more: Record<string, unknown> = {}): Manifest => object('VirtualService', 'reviews', { hosts: ['reviews'], http, ...more });
const route = [{ destination: { host: 'reviews' } }];
const se = (spec: Record<string, unknown>): Manifest => object('ServiceEntry', 'external', { hosts: ['api.example.com'], ...spec });
const we = (spec: Record<string, unknown>): Manifest => object('WorkloadEntry', 'vm', spec);
const sidecar = (spec: Record<string, unknown>): Manifest => object('Sidecar', 'default', spec);
const ingress = (more: Record<string, unknown>): Record<string, unknown> => ({ port: { number: 8443, protocol: 'HTTPS', name: 'https' }, ...more });
const LONG_63 = `p${'a'.repeat(62)}`;

/** Each CEL rule of VirtualService and Sidecar (no upstream CRD case), and the traps of all four kinds. */
const OUR_ROWS: Row[] = [
  // VirtualService: every duration rule, its 1ms boundary, a Go duration without unit, and the webhook-only rules
  { source: 'ours: VS http[].timeout below 1ms', manifest: vs([{ route, timeout: '0s' }]), findings: ['IMV301 /spec/http/0/timeout'], message: 'must be a valid duration greater than 1ms' },
  { source: 'ours: VS http[].timeout of exactly 1ms is allowed', manifest: vs([{ route, timeout: '1ms' }]), findings: [] },
  { source: 'ours: VS http[].timeout of 500µs is below 1ms', manifest: vs([{ route, timeout: '500us' }]), findings: ['IMV301 /spec/http/0/timeout'] },
  { source: 'ours: VS http[].timeout without unit fails to evaluate (Go duration)', manifest: vs([{ route, timeout: '10' }]), findings: ['IMV302 /spec/http/0/timeout'], message: 'missing unit' },
  { source: 'ours: VS http[].timeout as a number is a type error that blocks the CEL rules', manifest: vs([{ route, timeout: 10 }]), findings: ['IMV303 ', 'IMV202 /spec/http/0/timeout'] },
  { source: 'ours: VS http[].retries.perTryTimeout below 1ms', manifest: vs([{ route, retries: { attempts: 3, perTryTimeout: '0s' } }]), findings: ['IMV301 /spec/http/0/retries/perTryTimeout'] },
  { source: 'ours: VS http[].retries.backoff below 1ms', manifest: vs([{ route, retries: { attempts: 3, backoff: '0.5ms' } }]), findings: ['IMV301 /spec/http/0/retries/backoff'] },
  { source: 'ours: VS http[].fault.delay.fixedDelay below 1ms', manifest: vs([{ route, fault: { delay: { fixedDelay: '0s' } } }]), findings: ['IMV301 /spec/http/0/fault/delay/fixedDelay'] },
  { source: 'ours: VS http[].fault.delay.exponentialDelay below 1ms', manifest: vs([{ route, fault: { delay: { exponentialDelay: '0ms' } } }]), findings: ['IMV301 /spec/http/0/fault/delay/exponentialDelay'] },
  { source: 'ours: VS http[].corsPolicy.maxAge below 1ms', manifest: vs([{ route, corsPolicy: { maxAge: '0s' } }]), findings: ['IMV301 /spec/http/0/corsPolicy/maxAge'] },
  { source: 'ours: VS fault.delay fixedDelay and exponentialDelay are a oneOf', manifest: vs([{ route, fault: { delay: { fixedDelay: '5s', exponentialDelay: '5s' } } }]), findings: ['IMV213 /spec/http/0/fault/delay'] },
  { source: 'ours: VS unknown field in a destination', manifest: vs([{ route: [{ destination: { host: 'reviews', subsets: 'v1' } }] }]), findings: ['IMV201 /spec/http/0/route/0/destination/subsets'] },
  { source: 'ours: VS hosts must be a list', manifest: object('VirtualService', 'reviews', { hosts: 'reviews' }), findings: ['IMV303 ', 'IMV202 /spec/hosts'] },
  { source: 'ours: VS without hosts passes the CRD (only istiod\'s webhook requires hosts; no webhook layer for VS)', manifest: object('VirtualService', 'reviews', { http: [{ route }] }), findings: [] },
  { source: 'ours: VS destination.port.number 0 passes the CRD (no CEL rule there)', manifest: vs([{ route: [{ destination: { host: 'reviews', port: { number: 0 } } }] }]), findings: [] },

  // ServiceEntry: the endpoint rules upstream has no CRD case for, defaults, enums and sizes
  { source: 'ours: SE endpoints[] need an address or a network', manifest: se({ resolution: 'STATIC', endpoints: [{ labels: { app: 'a' } }] }), findings: ['IMV301 /spec/endpoints/0'], message: 'Address is required' },
  { source: 'ours: SE endpoints[] with only a network is allowed', manifest: se({ resolution: 'STATIC', endpoints: [{ network: 'vpc-1' }] }), findings: [] },
  { source: 'ours: SE endpoints[] UDS with ports', manifest: se({ resolution: 'STATIC', endpoints: [{ address: 'unix:///var/run/a.sock', ports: { http: 80 } }] }), findings: ['IMV301 /spec/endpoints/0'], message: 'UDS may not include ports' },
  { source: 'ours: SE endpoints[].address relative UDS', manifest: se({ resolution: 'STATIC', endpoints: [{ address: 'unix://run/a.sock' }] }), findings: ['IMV301 /spec/endpoints/0/address'], message: 'UDS must be an absolute path or abstract socket' },
  { source: 'ours: SE endpoints[].address UDS directory', manifest: se({ resolution: 'STATIC', endpoints: [{ address: 'unix:///var/run/' }] }), findings: ['IMV301 /spec/endpoints/0/address'], message: 'UDS may not be a dir' },
  {
    source: 'ours: SE endpoints[].address "unix://" alone: substring(7, 8) is out of range (an evaluation error) and it ends in "/"',
    manifest: se({ resolution: 'STATIC', endpoints: [{ address: 'unix://' }] }),
    findings: ['IMV301 /spec/endpoints/0/address', 'IMV302 /spec/endpoints/0/address'],
  },
  { source: 'ours: SE endpoints[].ports names follow the port-name rule', manifest: se({ resolution: 'STATIC', ports: [{ name: 'http', number: 80 }], endpoints: [{ address: '10.0.0.1', ports: { http_1: 8080 } }] }), findings: ['IMV301 /spec/endpoints/0/ports'], message: 'port name must be valid' },
  { source: 'ours: SE endpoints[].ports values 1-65535 (0 passes the schema minimum)', manifest: se({ resolution: 'STATIC', endpoints: [{ address: '10.0.0.1', ports: { http: 0 } }] }), findings: ['IMV301 /spec/endpoints/0/ports/http'], message: 'port must be between 1-65535' },
  { source: 'ours: SE without resolution is NONE, so endpoints are rejected', manifest: se({ endpoints: [{ address: '10.0.0.1' }] }), findings: ['IMV301 /spec'], message: 'NONE mode cannot set endpoints' },
  { source: 'ours: SE DNS_ROUND_ROBIN with one endpoint is allowed', manifest: se({ resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.example.com' }] }), findings: [] },
  { source: 'ours: SE CIDR addresses with STATIC resolution are allowed', manifest: se({ addresses: ['10.0.0.0/8'], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1' }] }), findings: [] },
  { source: 'ours: SE location enum is case-sensitive', manifest: se({ location: 'mesh_internal' }), findings: ['IMV303 ', 'IMV204 /spec/location'] },
  { source: 'ours: SE resolution enum', manifest: se({ resolution: 'DNS_RR' }), findings: ['IMV303 ', 'IMV204 /spec/resolution'] },
  { source: 'ours: SE ports[].name is required (unlike a Service port)', manifest: se({ ports: [{ number: 443, protocol: 'TLS' }] }), findings: ['IMV303 ', 'IMV203 /spec/ports/0/name'] },
  { source: 'ours: SE hosts must not be empty (minItems does not block CEL)', manifest: object('ServiceEntry', 'external', { hosts: [] }), findings: ['IMV207 /spec/hosts'] },
  { source: 'ours: SE port above the uint32 maximum: schema and CEL both reject', manifest: se({ ports: [{ name: 'a', number: 4294967296 }] }), findings: ['IMV209 /spec/ports/0/number', 'IMV301 /spec/ports/0/number'] },
  { source: 'ours: SE unknown field', manifest: se({ resolutions: 'DNS' }), findings: ['IMV201 /spec/resolutions'] },

  // WorkloadEntry: types, the port-name length limit and the bare "unix://" trap
  { source: 'ours: WE port name of 63 characters is rejected (the rule wants fewer than 63)', manifest: we({ address: '10.0.0.1', ports: { [LONG_63]: 80 } }), findings: ['IMV301 /spec/ports'], message: 'port name must be valid' },
  { source: 'ours: WE port name of 62 characters is allowed', manifest: we({ address: '10.0.0.1', ports: { [LONG_63.slice(1)]: 80 } }), findings: [] },
  { source: 'ours: WE address "unix://" alone', manifest: we({ address: 'unix://' }), findings: ['IMV301 /spec/address', 'IMV302 /spec/address'] },
  { source: 'ours: WE weight must be an integer', manifest: we({ address: '10.0.0.1', weight: '2' }), findings: ['IMV303 ', 'IMV202 /spec/weight'] },
  { source: 'ours: WE unknown field (field names are case-sensitive)', manifest: we({ address: '10.0.0.1', serviceaccount: 'vm' }), findings: ['IMV201 /spec/serviceaccount'] },

  // Sidecar: every duration rule, the three ingress TLS rules, the selector rule, enums and required fields
  ...[
    ['inboundConnectionPool', 'http', 'idleTimeout'],
    ['inboundConnectionPool', 'tcp', 'connectTimeout'],
    ['inboundConnectionPool', 'tcp', 'maxConnectionDuration'],
    ['inboundConnectionPool', 'tcp', 'tcpKeepalive', 'interval'],
    ['inboundConnectionPool', 'tcp', 'tcpKeepalive', 'time'],
    ['ingress', '0', 'connectionPool', 'http', 'idleTimeout'],
    ['ingress', '0', 'connectionPool', 'tcp', 'connectTimeout'],
    ['ingress', '0', 'connectionPool', 'tcp', 'maxConnectionDuration'],
    ['ingress', '0', 'connectionPool', 'tcp', 'tcpKeepalive', 'interval'],
    ['ingress', '0', 'connectionPool', 'tcp', 'tcpKeepalive', 'time'],
  ].map((at): Row => ({
    source: `ours: Sidecar ${at.join('.')} below 1ms`,
    manifest: sidecar(at[0] === 'ingress' ? { ingress: [ingress(nested(at.slice(2), '0s'))] } : nested(at, '0s')),
    findings: [`IMV301 /spec/${at.join('/')}`],
    message: 'must be a valid duration greater than 1ms',
  })),
  { source: 'ours: Sidecar inboundConnectionPool.tcp.idleTimeout has no CEL rule, so 0s passes', manifest: sidecar(nested(['inboundConnectionPool', 'tcp', 'idleTimeout'], '0s')), findings: [] },
  {
    source: 'ours: Sidecar ingress[].tls credentialName with credentialNames',
    manifest: sidecar({ ingress: [ingress({ tls: { mode: 'SIMPLE', credentialName: 'a', credentialNames: ['b'] } })] }),
    findings: ['IMV301 /spec/ingress/0/tls'],
    message: 'only one of credentialName or credentialNames can be set',
  },
  {
    source: 'ours: Sidecar ingress[].tls tlsCertificates with credentialNames fails the first and the third rule (same expression)',
    manifest: sidecar({ ingress: [ingress({ tls: { mode: 'SIMPLE', credentialNames: ['b'], tlsCertificates: [{ serverCertificate: '/c.pem', privateKey: '/k.pem' }] } })] }),
    findings: ['IMV301 /spec/ingress/0/tls', 'IMV301 /spec/ingress/0/tls'],
    message: 'only one of credentialNames or tlsCertificates can be set',
  },
  {
    source: 'ours: Sidecar ingress[].tls credentialName with tlsCertificates passes: the rule whose message names them tests credentialNames',
    manifest: sidecar({ ingress: [ingress({ tls: { mode: 'SIMPLE', credentialName: 'a', tlsCertificates: [{ serverCertificate: '/c.pem', privateKey: '/k.pem' }] } })] }),
    findings: [],
  },
  { source: 'ours: Sidecar workloadSelector label values cannot hold a wildcard', manifest: sidecar({ workloadSelector: { labels: { app: 'web*' } } }), findings: ['IMV301 /spec/workloadSelector/labels/app'], message: 'wildcard is not supported in selector' },
  { source: 'ours: Sidecar outboundTrafficPolicy.mode enum is case-sensitive', manifest: sidecar({ outboundTrafficPolicy: { mode: 'allow_any' } }), findings: ['IMV303 ', 'IMV204 /spec/outboundTrafficPolicy/mode'] },
  { source: 'ours: Sidecar ingress[].captureMode enum', manifest: sidecar({ ingress: [ingress({ captureMode: 'TPROXY' })] }), findings: ['IMV303 ', 'IMV204 /spec/ingress/0/captureMode'] },
  { source: 'ours: Sidecar ingress[] needs a port', manifest: sidecar({ ingress: [{ defaultEndpoint: '127.0.0.1:8080' }] }), findings: ['IMV303 ', 'IMV203 /spec/ingress/0/port'] },
  { source: 'ours: Sidecar egress[] needs hosts', manifest: sidecar({ egress: [{ port: { number: 80 } }] }), findings: ['IMV303 ', 'IMV203 /spec/egress/0/hosts'] },
  { source: 'ours: Sidecar unknown field (egress is a list of listeners, not of hosts)', manifest: sidecar({ egress: [{ hosts: ['./*'] }], egressHosts: ['./*'] }), findings: ['IMV201 /spec/egressHosts'] },
];

/** `{ a: { b: { c: value } } }` for the path a.b.c. */
function nested(at: readonly string[], value: unknown): Record<string, unknown> {
  return at.reduceRight<Record<string, unknown>>((inner, key, i) => (i === at.length - 1 ? { [key]: value } : { [key]: inner }), {});
}

function described(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.code} ${f.path}`);
}

const ALL_ROWS = [...DATASET_ROWS, ...CRD_TESTDATA_ROWS, ...OUR_ROWS];

describe('networking kinds against their CRDs (validateManifest)', () => {
  test.each(ALL_ROWS.map((r) => [r.source, r]))('%s', (_source, row) => {
    const findings = validateManifest(row.manifest);
    expect(described(findings)).toEqual(row.findings);
    if (row.message !== undefined) expect(findings.filter((f) => f.severity === 'error').map((f) => f.message).join(' | ')).toContain(row.message);
  });

  test('the upstream tables hold every active document of the four testdata files and the twelve datasets', () => {
    // serviceentry-valid 5, serviceentry-invalid 12, workloadentry-valid 5, workloadentry-invalid 7
    expect(CRD_TESTDATA_ROWS.filter((r) => r.source.includes('serviceentry-valid')).length).toBe(5);
    expect(CRD_TESTDATA_ROWS.filter((r) => r.source.includes('serviceentry-invalid')).length).toBe(12);
    expect(CRD_TESTDATA_ROWS.filter((r) => r.source.includes('workloadentry-valid')).length).toBe(5);
    expect(CRD_TESTDATA_ROWS.filter((r) => r.source.includes('workloadentry-invalid')).length).toBe(7);
    expect(DATASET_ROWS.map((r) => `${r.manifest.apiVersion} ${r.manifest.kind}`).sort())
      .toEqual(SERVED.flatMap((v) => KINDS.map((k) => `networking.istio.io/${v} ${k}`)).sort());
  });
});

/** One CEL rule of a CRD: where it sits (`*` for list items and map values) and its message. */
interface CelRuleSite { readonly kind: Kind; readonly at: readonly string[]; readonly message: string }

function celRuleSites(kind: Kind, schema: StructuralSchema): CelRuleSite[] {
  const out: CelRuleSite[] = [];
  const walk = (node: StructuralSchema | undefined, at: string[]): void => {
    if (!node) return;
    for (const rule of node['x-kubernetes-validations'] ?? []) out.push({ kind, at, message: rule.message ?? rule.rule });
    for (const [key, sub] of Object.entries(node.properties ?? {})) walk(sub, [...at, key]);
    walk(node.items, [...at, '*']);
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, [...at, '*']);
  };
  walk(schema, []);
  return out;
}

function matches(site: CelRuleSite, path: string): boolean {
  const tokens = path.split('/').slice(1);
  return tokens.length === site.at.length && site.at.every((t, i) => t === '*' || t === tokens[i]);
}

describe('CEL rule coverage', () => {
  const set = builtinSchemaSet();
  const sites = KINDS.flatMap((kind) => celRuleSites(kind, set.lookup('networking.istio.io/v1', kind)!.schema));

  test('the four CRDs have the CEL rules this file was written against', () => {
    // ServiceEntry 15, Sidecar 14, VirtualService 6, WorkloadEntry 6 (listed from the CRDs of Istio 1.30.3)
    expect(KINDS.map((k) => sites.filter((s) => s.kind === k).length)).toEqual([6, 15, 6, 14]);
  });

  test.each(sites.map((s) => [`${s.kind} ${s.at.join('.')}: ${s.message}`, s]))('some row makes %s fail', (_name, site) => {
    const failing = ALL_ROWS.filter((r) => r.manifest.kind === site.kind).some((r) => validateManifest(r.manifest)
      .some((f) => f.code === 'IMV301' && matches(site, f.path) && f.message.endsWith(`: ${site.message}`)));
    expect(failing).toBe(true);
  });
});

describe('served versions', () => {
  test.each(KINDS.flatMap((k) => SERVED.map((v) => [k, v])))('%s is served in %s', (kind, version) => {
    expect(builtinSchemaSet().has(`networking.istio.io/${version}`, kind)).toBe(true);
  });

  test('all three versions of a kind share one schema', () => {
    for (const kind of KINDS) {
      const schemas = SERVED.map((v) => builtinSchemaSet().lookup(`networking.istio.io/${v}`, kind)!.schema);
      expect(new Set(schemas).size).toBe(1);
    }
  });

  test.each(KINDS.map((k) => [k]))('%s in an unserved version is IMV200 for the schema layer', (kind) => {
    const m = object(kind, 'x', {}, 'v1alpha2');
    expect(described(validateStructure(m, refOf(m)))).toEqual(['IMV200 /apiVersion']);
  });
});
