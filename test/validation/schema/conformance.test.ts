import Ajv from 'ajv';
import { describe, expect, test } from 'vitest';
import { corpusDocs, officialCrdDocs } from './support';
import { isPlainObject, Manifest, refOf } from '../../../src/model/manifest';
import { builtinSchemaSet, schemaSetFromCrds, validateStructure } from '../../../src/validation/schema';
import { goRegExp } from '../../../src/validation/schema/structural';

const USED = [
  'peerauthentications.security.istio.io',
  'authorizationpolicies.security.istio.io',
  'destinationrules.networking.istio.io',
  'virtualservices.networking.istio.io',
  'serviceentries.networking.istio.io',
  'workloadentries.networking.istio.io',
  'sidecars.networking.istio.io',
  'prometheusrules.monitoring.coreos.com',
];
const DOC_KEYS = new Set(['description', 'title', 'example', 'externalDocs']);

/** An independent "CRD schema minus documentation": drops doc keywords from schema nodes only (a property may be called description). */
function stripDocs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripDocs);
  if (!isPlainObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (DOC_KEYS.has(k)) continue;
    if (k === 'properties' && isPlainObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, stripDocs(s)]));
    else if (k === 'x-kubernetes-validations' || k === 'enum' || k === 'required' || k === 'default') out[k] = v;
    else out[k] = stripDocs(v);
  }
  return out;
}

const crdDocs = officialCrdDocs().filter((d) => isPlainObject(d) && isPlainObject(d.metadata) && USED.includes(String(d.metadata.name))) as any[];
const builtin = builtinSchemaSet();

describe('generated schemas', () => {
  test('every used CRD is found in the reference files', () => {
    expect(crdDocs.map((d) => d.metadata.name).sort()).toEqual([...USED].sort());
  });
  test.each(crdDocs.flatMap((crd) => crd.spec.versions.map((v: any) => [`${crd.metadata.name} ${v.name}`, crd, v])))(
    '%s equals the CRD schema minus descriptions', (_name, crd, version) => {
      const served = builtin.lookup(`${crd.spec.group}/${version.name}`, crd.spec.names.kind)!;
      expect(served).toBeDefined();
      expect(served.schema).toEqual(stripDocs(version.schema.openAPIV3Schema));
      expect(JSON.stringify(served.schema)).not.toMatch(/"description":"/);
    },
  );
  test('versions with identical schemas are stored once, and each serves it', () => {
    const dr = builtin.lookup('networking.istio.io/v1', 'DestinationRule')!;
    expect(dr.crd.schemas).toHaveLength(1);
    expect(dr.crd.versions.map((v) => v.name)).toEqual(['v1', 'v1alpha3', 'v1beta1']);
    for (const v of ['v1alpha3', 'v1beta1']) expect(builtin.lookup(`networking.istio.io/${v}`, 'DestinationRule')!.schema).toEqual(dr.schema);
  });
});

/** A direct ajv compile of each original CRD schema (descriptions and all), as an independent oracle for value checks. */
function directValidators(): Map<string, (spec: unknown) => boolean> {
  const regExp = Object.assign((p: string) => goRegExp(p), { code: 'goRegExp' });
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, code: { regExp } });
  const out = new Map<string, (spec: unknown) => boolean>();
  for (const crd of crdDocs) {
    for (const v of crd.spec.versions) {
      const fn = ajv.compile(v.schema.openAPIV3Schema.properties.spec);
      out.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, (spec) => fn(spec) as boolean);
    }
  }
  return out;
}

const HANDMADE: Manifest[] = [
  { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'a' }, spec: { mtls: { mode: 'strict' } } },
  { apiVersion: 'security.istio.io/v1beta1', kind: 'PeerAuthentication', metadata: { name: 'b' }, spec: { mtls: 'STRICT' } },
  { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'c' }, spec: { action: 'ALLOWX' } },
  { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'd' }, spec: { rules: [{ from: [{ source: { serviceAccounts: Array(17).fill('a/b') } }] }] } },
  { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'e' }, spec: { host: 'h', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN', consistentHash: { useSourceIp: true } } } } },
  { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'f' }, spec: {} },
  { apiVersion: 'networking.istio.io/v1alpha3', kind: 'DestinationRule', metadata: { name: 'g' }, spec: { host: 'h', trafficPolicy: { tls: { mode: 'MUTUAL_TLS' } } } },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'h' }, spec: { groups: [{ name: 'g', interval: '5 minutes', rules: [] }] } },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'i' }, spec: { groups: [{ name: 'g', partial_response_strategy: 'ABORT', rules: [{ expr: 1, record: 'r' }] }] } },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'j' }, spec: { groups: [{ rules: [] }] } },
  { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'k' }, spec: { hosts: ['r'], http: [{ fault: { delay: { fixedDelay: '1s', exponentialDelay: '1s' } } }] } },
  { apiVersion: 'networking.istio.io/v1beta1', kind: 'ServiceEntry', metadata: { name: 'l' }, spec: { hosts: ['a.example.com'], location: 'mesh_internal' } },
  { apiVersion: 'networking.istio.io/v1alpha3', kind: 'WorkloadEntry', metadata: { name: 'm' }, spec: { address: '10.0.0.1', weight: '2' } },
  { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'n' }, spec: { egress: [{ port: { number: 80 } }] } },
];

const UNKNOWN_TO_PLAIN_AJV = new Set(['IMV201', 'IMV211', 'IMV212', 'IMV214']);

describe('conformance with the original CRD files', () => {
  const direct = directValidators();
  const fixtures = [
    ...corpusDocs().map((d) => d.manifest).filter((m) => builtin.has(refOf(m).apiVersion, refOf(m).kind)),
    ...HANDMADE,
  ];
  test('the fixtures cover every kind and both verdicts', () => {
    const kinds = new Set(fixtures.map((m) => refOf(m).kind));
    expect([...kinds].sort()).toEqual(['AuthorizationPolicy', 'DestinationRule', 'PeerAuthentication', 'PrometheusRule',
      'ServiceEntry', 'Sidecar', 'VirtualService', 'WorkloadEntry']);
  });
  test('value checks agree with a direct ajv compile of each CRD (unknown fields and list types aside)', () => {
    const disagreements: string[] = [];
    let rejected = 0;
    for (const m of fixtures) {
      const ref = refOf(m);
      const ours = validateStructure(m, ref).filter((f) => f.category === 'schema' && f.severity === 'error' && !UNKNOWN_TO_PLAIN_AJV.has(f.code));
      const theirs = !direct.get(`${ref.apiVersion.split('/')[0]}/${ref.apiVersion.split('/')[1]}/${ref.kind}`)!(m.spec ?? {});
      if (theirs) rejected++;
      if ((ours.length > 0) !== theirs) disagreements.push(`${ref.kind} ${ref.name}: ours ${ours.map((f) => f.code).join(',') || 'valid'}, direct ajv ${theirs ? 'invalid' : 'valid'}`);
    }
    expect(disagreements).toEqual([]);
    expect(rejected).toBeGreaterThanOrEqual(HANDMADE.length);
  });
  test('the same CRDs loaded by users give the same findings as the built-in schemas', () => {
    const users = schemaSetFromCrds(crdDocs);
    for (const m of fixtures) {
      const ref = refOf(m);
      expect(validateStructure(m, ref, users)).toEqual(validateStructure(m, ref, builtin));
    }
  });
});
