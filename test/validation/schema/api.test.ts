import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { check, widget, widgetCrd, widgetSet } from './support';
import { Manifest, refOf } from '../../../src/model/manifest';
import { builtinSchemaSet, SCHEMA_RULES, schemaSetFromCrds, toStructural, validateStructure } from '../../../src/validation/schema';
import { goRegExp } from '../../../src/validation/schema/structural';

describe('builtinSchemaSet', () => {
  test('serves the eight kinds in all their served versions, and nothing else', () => {
    const set = builtinSchemaSet();
    expect(set.crdNames()).toEqual([
      'authorizationpolicies.security.istio.io', 'destinationrules.networking.istio.io',
      'peerauthentications.security.istio.io', 'prometheusrules.monitoring.coreos.com',
      'serviceentries.networking.istio.io', 'sidecars.networking.istio.io',
      'virtualservices.networking.istio.io', 'workloadentries.networking.istio.io',
    ]);
    expect(builtinSchemaSet().crdNames()).toEqual(set.crdNames());
    for (const [v, k] of [['security.istio.io/v1', 'PeerAuthentication'], ['security.istio.io/v1beta1', 'AuthorizationPolicy'],
      ['networking.istio.io/v1alpha3', 'DestinationRule'], ['monitoring.coreos.com/v1', 'PrometheusRule'],
      ['networking.istio.io/v1', 'VirtualService'], ['networking.istio.io/v1beta1', 'ServiceEntry'],
      ['networking.istio.io/v1alpha3', 'WorkloadEntry'], ['networking.istio.io/v1', 'Sidecar']]) {
      expect(set.has(v, k)).toBe(true);
    }
    expect(set.has('security.istio.io/v1alpha1', 'PeerAuthentication')).toBe(false);
    expect(set.has('v1', 'Service')).toBe(false);
    expect(set.servedVersions('security.istio.io/v9', 'PeerAuthentication')).toEqual(['v1', 'v1beta1']);
  });
});

describe('schemaSetFromCrds', () => {
  test('reads CRDs from a kind: List and ignores other documents', () => {
    const set = schemaSetFromCrds([{ apiVersion: 'v1', kind: 'List', items: [widgetCrd({ type: 'object' })] }, { kind: 'Namespace' }]);
    expect(set.has('example.com/v1', 'Widget')).toBe(true);
  });
  test('reads the old apiextensions v1beta1 shape (top-level validation)', () => {
    const crd = widgetCrd({ type: 'object', properties: { a: { type: 'string' } } }) as any;
    const old = { ...crd, apiVersion: 'apiextensions.k8s.io/v1beta1', spec: { ...crd.spec, validation: crd.spec.versions[0].schema, versions: [{ name: 'v1', served: true, storage: true }] } };
    expect(check(widget({ a: 1 }), schemaSetFromCrds([old])).map((f) => f.code)).toEqual(['IMV202']);
  });
  test('fails naming the CRD when a schema is not structural', () => {
    expect(() => schemaSetFromCrds([widgetCrd({ properties: { a: { type: 'string' } } })]))
      .toThrow('CustomResourceDefinition widgets.example.com: version v1 is not a structural schema: .properties.spec: type is required');
    expect(() => widgetSet({ type: 'object', properties: { a: { $ref: '#/x' } } })).toThrow('"$ref" is not allowed');
    expect(() => widgetSet({ type: 'array', items: { type: 'string' }, uniqueItems: true })).toThrow('uniqueItems cannot be true');
    expect(() => widgetSet({ type: 'object', properties: {}, additionalProperties: { type: 'string' } })).toThrow('mutually exclusive');
    expect(() => widgetSet({ type: 'array', items: { type: 'string' }, ['x-kubernetes-list-type']: 'map' })).toThrow('needs x-kubernetes-list-map-keys');
    expect(() => widgetSet({ type: 'string', pattern: '(?P<n>a)(?i:b)' })).toThrow('pattern');
  });
  test('fails when no CRD is given', () => {
    expect(() => schemaSetFromCrds([{ kind: 'Namespace' }])).toThrow('no CustomResourceDefinition found');
  });
});

describe('toStructural', () => {
  test('drops documentation, keeps extensions and rules, sorts keys', () => {
    const s = toStructural({
      description: 'root',
      type: 'object',
      properties: { description: { type: 'string', description: 'a field named description' } },
      ['x-kubernetes-validations']: [{ rule: 'true', message: 'm', extra: 'dropped' }],
    });
    expect(JSON.stringify(s)).toBe('{"properties":{"description":{"type":"string"}},"type":"object","x-kubernetes-validations":[{"rule":"true","message":"m"}]}');
  });
  test('Go patterns: a leading (?i) becomes a flag; \\z and \\A anchors are kept', () => {
    expect(goRegExp('^(?i)(abort|warn)?$').test('ABORT')).toBe(true);
    expect(goRegExp('\\Aab\\z').test('ab')).toBe(true);
    expect(goRegExp('\\Aab\\z').test('abc')).toBe(false);
  });
});

describe('validateStructure never throws', () => {
  test('on manifests that are not objects', () => {
    for (const m of [null, 3, 'x', [1], true] as unknown[]) {
      const ref = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: '', name: '' };
      expect(validateStructure(m as Manifest, ref).map((f) => f.code)).toEqual(['IMV202']);
    }
  });
  test('on arbitrary JSON in any field of every kind', () => {
    const kinds = [['security.istio.io/v1', 'PeerAuthentication'], ['security.istio.io/v1', 'AuthorizationPolicy'],
      ['networking.istio.io/v1', 'DestinationRule'], ['monitoring.coreos.com/v1', 'PrometheusRule'],
      ['networking.istio.io/v1', 'VirtualService'], ['networking.istio.io/v1', 'ServiceEntry'],
      ['networking.istio.io/v1', 'WorkloadEntry'], ['networking.istio.io/v1', 'Sidecar']];
    fc.assert(fc.property(fc.constantFrom(...kinds), fc.jsonValue(), fc.jsonValue(), ([apiVersion, kind], spec, extra) => {
      const m = { apiVersion, kind, metadata: { name: 'x' }, spec, extra } as Manifest;
      const found = validateStructure(m, refOf(m));
      expect(Array.isArray(found)).toBe(true);
      expect(found.every((f) => !f.message.startsWith('the schema validator failed'))).toBe(true);
    }), { numRuns: 300 });
  });
  test('on a huge document', () => {
    const sources = Array.from({ length: 20000 }, (_, i) => ({ source: { principals: [`cluster.local/ns/n${i}/sa/s`] } }));
    const m = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'big' }, spec: { rules: [{ from: sources }] } } as Manifest;
    expect(validateStructure(m, refOf(m)).map((f) => f.code)).toEqual(['IMV303', 'IMV207']);
  });
});

describe('rule catalogue', () => {
  test('codes are unique, in the IMV2xx (schema) and IMV3xx (cel) ranges', () => {
    const codes = SCHEMA_RULES.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const r of SCHEMA_RULES) {
      expect(r.code).toMatch(r.category === 'schema' ? /^IMV2\d\d$/ : /^IMV3\d\d$/);
      expect(r.title.length).toBeGreaterThan(0);
      expect(r.explanation.length).toBeGreaterThan(20);
    }
  });
  test('every code is produced by some input', () => {
    const cel = (rule: string): Record<string, unknown> => ({ 'type': 'object', 'properties': { a: { type: 'string', maxLength: 1 } }, 'x-kubernetes-validations': [{ rule }] });
    const set = widgetSet({
      type: 'object',
      required: ['r'],
      properties: {
        r: { type: 'string' },
        e: { type: 'string', enum: ['A'] },
        p: { type: 'string', pattern: '^a$' },
        l: { type: 'string', maxLength: 1 },
        i: { type: 'array', maxItems: 1, items: { type: 'string' } },
        m: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } },
        n: { type: 'integer', maximum: 1 },
        f: { type: 'string', format: 'uuid' },
        s: { 'type': 'array', 'x-kubernetes-list-type': 'set', 'items': { type: 'string' } },
        k: { 'type': 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['n'], 'items': { type: 'object', properties: { n: { type: 'string' } } } },
        o: { type: 'object', properties: { x: { type: 'string' }, y: { type: 'string' } }, oneOf: [{ required: ['x'] }, { required: ['y'] }] },
        t: { type: 'string' },
        z: { type: 'string' },
      },
    });
    const seen = new Set<string>();
    const add = (fs: { code: string }[]): void => fs.forEach((f) => seen.add(f.code));
    add(check({ ...widget({}), apiVersion: 'example.com/v9' }, set));
    add(check(widget({ unknown: 1, e: 'B', p: 'b', l: 'll', i: ['a', 'b'], m: { a: 'a', b: 'b' }, n: 2, f: 'x', s: ['a', 'a'], k: [{ n: 'a' }, { n: 'a' }], o: {}, t: 5, z: null }), set));
    add(check(widget({ a: 'x' }), widgetSet(cel('self.a == "y"'))));
    add(check(widget({ a: 'x' }), widgetSet(cel('int(self.a) > 0'))));
    add(check(widget({ a: 'xx' }), widgetSet(cel('true'))));
    add(check(widget({ a: 'x' }), widgetSet(cel('self.a.noSuchFunction()'))));
    expect([...seen].sort()).toEqual(SCHEMA_RULES.map((r) => r.code).sort());
  });
});
