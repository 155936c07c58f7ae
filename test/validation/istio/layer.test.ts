import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorizationPolicy, destinationRule, findings, peerAuthentication } from './helpers';
import { Manifest, refOf } from '../../../src/model/manifest';
import { ISTIO_WEBHOOK_RULES, validateIstioWebhook } from '../../../src/validation/istio';

describe('Istio webhook layer', () => {
  it('catalogues each code once, in its kind\'s range, with an explanation and an Istio source', () => {
    const codes = ISTIO_WEBHOOK_RULES.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const r of ISTIO_WEBHOOK_RULES) {
      expect(r.code).toMatch(/^IMV[456]\d\d$/);
      expect(r.category).toBe('webhook');
      expect(r.explanation.length).toBeGreaterThan(20);
      expect(r.source).toMatch(/^istio\/istio pkg\/config\/.+ \S+$/);
    }
    expect([...codes].sort()).toEqual(codes);
  });

  it('gives no findings for other kinds, even in the Istio groups', () => {
    const vs: Manifest = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'x' }, spec: { hosts: [''] } };
    const ra: Manifest = { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'x' }, spec: { selector: {} } };
    const wrongGroup: Manifest = { apiVersion: 'example.com/v1', kind: 'DestinationRule', metadata: { name: 'x' }, spec: { host: '' } };
    for (const m of [vs, ra, wrongGroup]) expect(validateIstioWebhook(m, refOf(m))).toEqual([]);
  });

  it('never throws, whatever the shape of the manifest', () => {
    const kinds = fc.constantFrom(
      ['security.istio.io/v1', 'PeerAuthentication'],
      ['security.istio.io/v1beta1', 'AuthorizationPolicy'],
      ['networking.istio.io/v1alpha3', 'DestinationRule'],
    );
    fc.assert(fc.property(kinds, fc.anything(), fc.anything(), ([apiVersion, kind], spec, metadata) => {
      const m = { apiVersion, kind, metadata, spec } as Manifest;
      const out = validateIstioWebhook(m, refOf(m));
      expect(Array.isArray(out)).toBe(true);
    }), { numRuns: 300 });
  });

  it('never throws on specs built from the real field names with random values', () => {
    const scalarList = fc.array(fc.oneof(fc.string(), fc.constant(null), fc.integer()));
    const leaf = fc.oneof(fc.anything(), fc.constant(null), fc.string(), fc.integer(), scalarList);
    const fields = ['selector', 'matchLabels', 'portLevelMtls', 'mtls', 'rules', 'from', 'to', 'when', 'source', 'operation', 'key', 'values',
      'notValues', 'principals', 'ipBlocks', 'serviceAccounts', 'ports', 'paths', 'action', 'provider', 'targetRef', 'targetRefs', 'host',
      'trafficPolicy', 'tls', 'mode', 'credentialName', 'subsets', 'name', 'labels', 'exportTo', 'workloadSelector', 'portLevelSettings',
      'port', 'connectionPool', 'tcp', 'http', 'loadBalancer', 'localityLbSetting', 'distribute', 'failover', 'consistentHash', 'maglev',
      'warmup', 'tunnel', 'outlierDetection', 'interval'];
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...fields), tie('node'), { maxKeys: 5 })),
    })).node;
    fc.assert(fc.property(tree, tree, tree, (a, b, c) => {
      for (const m of [peerAuthentication({ x: a, selector: b, portLevelMtls: c }), authorizationPolicy({ rules: [a, b], action: 'DENY', selector: c }),
        destinationRule({ host: 'h', trafficPolicy: a, subsets: [b], exportTo: c })]) {
        const spec = m.spec as Record<string, unknown>;
        if (a && typeof a === 'object' && !Array.isArray(a)) Object.assign(spec, a);
        expect(() => findings(m)).not.toThrow();
      }
    }), { numRuns: 300 });
  });

  it('is deterministic and reports findings in the order of the fields in the document', () => {
    const spec = {
      exportTo: ['~'],
      subsets: [{ name: 'a.b' }],
      host: '10.0.0.1',
      trafficPolicy: {},
    };
    const m = destinationRule(spec);
    const first = findings(m);
    expect(findings(m)).toEqual(first);
    expect(first.map((f) => f.path)).toEqual(['/spec/exportTo/0', '/spec/subsets/0/name', '/spec/host', '/spec/trafficPolicy']);
    const reordered = destinationRule({ host: spec.host, trafficPolicy: spec.trafficPolicy, subsets: spec.subsets, exportTo: spec.exportTo });
    expect(findings(reordered).map((f) => f.path)).toEqual(['/spec/host', '/spec/trafficPolicy', '/spec/subsets/0/name', '/spec/exportTo/0']);
  });

  it('does not modify the manifest', () => {
    const m = authorizationPolicy({ action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['x'] } }] }] });
    const before = JSON.stringify(m);
    findings(m);
    expect(JSON.stringify(m)).toBe(before);
  });
});
