import * as fs from 'fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertCase, authorizationPolicy, codes, destinationRule, findings, peerAuthentication, RuleCase } from './helpers';
import { Manifest, refOf } from '../../../src/model/manifest';
import { ANY_ISTIO_KIND_RULES, ISTIO_WEBHOOK_RULES, validateIstioWebhook } from '../../../src/validation/istio';
import { builtinSchemaSet, validateStructure } from '../../../src/validation/schema';
import { validateManifest } from '../../../src/validation/validate';
import { REALWORLD, realworldDocs } from '../../realworld';

const of = (apiVersion: string, kind: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Manifest => ({
  apiVersion, kind, metadata: { name: 'x', namespace: 'shop', ...(annotations ? { annotations } : {}) }, spec,
});
const vs = (spec: Record<string, unknown>, annotations?: Record<string, string>) => of('networking.istio.io/v1', 'VirtualService', spec, annotations);
const sidecar = (spec: Record<string, unknown>) => of('networking.istio.io/v1beta1', 'Sidecar', spec);
const pool = (maxConnections: unknown) => destinationRule({ host: 'reviews', trafficPolicy: { connectionPool: { tcp: { maxConnections } } } });
const route = { route: [{ destination: { host: 'reviews' } }] };

/** istiod's checks on every Istio kind: one manifest it rejects and one next to it that it accepts. */
const ANY_KIND_CASES: RuleCase[] = [
  {
    code: 'IMV801',
    name: 'the parents annotation on a VirtualService',
    reject: vs({ hosts: ['reviews'], http: [route] }, { 'internal.istio.io/parents': 'HTTPRoute/r.shop' }),
    accept: vs({ hosts: ['reviews'], http: [route] }, { 'internal.istio.io/parent': 'HTTPRoute/r.shop' }),
    path: '/metadata/annotations/internal.istio.io~1parents',
  },
  {
    code: 'IMV801',
    name: 'an empty parent-namespace annotation on a DestinationRule',
    reject: destinationRule({ host: 'reviews' }, { annotations: { 'internal.istio.io/parent-namespace': '' } }),
    accept: destinationRule({ host: 'reviews' }, { annotations: { 'istio.io/parent-namespace': '' } }),
  },
  {
    code: 'IMV802',
    name: 'an int32 connection limit above 2147483647',
    reject: pool(2147483648),
    accept: pool(2147483647),
    path: '/spec/trafficPolicy/connectionPool/tcp/maxConnections',
  },
  {
    code: 'IMV802',
    name: 'an int32 route weight below -2147483648',
    reject: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: -2147483649 }] }] }),
    accept: vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: -2147483648 }] }] }),
  },
  {
    code: 'IMV802',
    name: 'a uint32 port above 4294967295 (the schema rejects it first)',
    reject: sidecar({ ingress: [{ port: { number: 4294967296, protocol: 'HTTP', name: 'http' } }] }),
    accept: sidecar({ ingress: [{ port: { number: 4294967295, protocol: 'HTTP', name: 'http' } }] }),
  },
  {
    code: 'IMV803',
    name: 'a list where istiod expects an object',
    reject: destinationRule({ host: 'reviews', trafficPolicy: [] }),
    accept: destinationRule({ host: 'reviews', trafficPolicy: { tls: {} } }),
    path: '/spec/trafficPolicy',
  },
  {
    code: 'IMV804',
    name: 'the dry-run annotation on a VirtualService',
    reject: vs({ hosts: ['reviews'] }, { 'istio.io/dry-run': 'true' }),
    accept: vs({ hosts: ['reviews'] }, { 'istio.io/dry-run-note': 'true' }),
  },
  {
    code: 'IMV805',
    name: 'the always-reject annotation on a Sidecar',
    reject: { ...sidecar({}), metadata: { name: 'x', annotations: { 'internal.istio.io/webhook-always-reject': '' } } },
    accept: sidecar({}),
  },
];

describe('Istio webhook layer', () => {
  it('catalogues each code once, in its kind\'s range, with an explanation and an Istio source', () => {
    const catalogued = ISTIO_WEBHOOK_RULES.map((r) => r.code);
    expect(new Set(catalogued).size).toBe(catalogued.length);
    for (const r of ISTIO_WEBHOOK_RULES) {
      // 4xx PeerAuthentication, 5xx AuthorizationPolicy, 6xx DestinationRule, 8xx any Istio kind
      expect(r.code).toMatch(/^IMV[4568]\d\d$/);
      expect(r.category).toBe('webhook');
      expect(r.explanation.length).toBeGreaterThan(20);
      expect(r.source).toMatch(/^istio\/istio (pkg|pilot)\/\S+ \S+$/);
    }
    expect([...catalogued].sort()).toEqual(catalogued);
  });

  it('gives no findings for a clean object of another Istio kind, nor for other groups', () => {
    const service: Manifest = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'x' }, spec: { hosts: [''] } };
    const ra: Manifest = { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'x' }, spec: { selector: {} } };
    const wrongGroup: Manifest = {
      apiVersion: 'example.com/v1',
      kind: 'DestinationRule',
      metadata: { name: 'x', annotations: { 'internal.istio.io/parents': 'x' } },
      spec: { host: '', trafficPolicy: 5 },
    };
    for (const m of [service, ra, wrongGroup]) expect(validateIstioWebhook(m, refOf(m))).toEqual([]);
  });

  it('never throws, whatever the shape of the manifest', () => {
    const kinds = fc.constantFrom(
      ['security.istio.io/v1', 'PeerAuthentication'],
      ['security.istio.io/v1beta1', 'AuthorizationPolicy'],
      ['networking.istio.io/v1alpha3', 'DestinationRule'],
      ['networking.istio.io/v1', 'VirtualService'],
      ['networking.istio.io/v1', 'ServiceEntry'],
      ['networking.istio.io/v1', 'WorkloadEntry'],
      ['networking.istio.io/v1', 'Sidecar'],
      ['telemetry.istio.io/v1', 'Telemetry'],
    );
    fc.assert(fc.property(kinds, fc.anything(), fc.anything(), ([apiVersion, kind], spec, metadata) => {
      const m = { apiVersion, kind, metadata, spec } as Manifest;
      const out = validateIstioWebhook(m, refOf(m));
      expect(Array.isArray(out)).toBe(true);
    }), { numRuns: 300 });
  });

  for (const c of ANY_KIND_CASES) {
    it(`${c.code}: fails on ${c.name}, passes the variant next to it`, () => assertCase(c));
  }

  it('has a reject case for every code that applies to any Istio kind', () => {
    expect(new Set(ANY_KIND_CASES.map((c) => c.code))).toEqual(new Set(ANY_ISTIO_KIND_RULES.map((r) => r.code)));
  });

  it('fails with the exact message for an int32 above its range, naming field, value and range', () => {
    expect(findings(pool(3000000000)).map((f) => [f.code, f.severity, f.message])).toEqual([[
      'IMV802', 'error',
      'spec.trafficPolicy.connectionPool.tcp.maxConnections is 3000000000: istiod decodes it as an int32 (-2147483648 to 2147483647) '
      + 'and rejects the object ("error decoding configuration")',
    ]]);
  });

  it('lets the schema pass an int32 above its range, and the webhook stage reject it', () => {
    const m = pool(2147483648);
    expect(validateManifest(m).map((f) => [f.code, f.path])).toEqual([['IMV802', '/spec/trafficPolicy/connectionPool/tcp/maxConnections']]);
    expect(validateManifest(pool(2147483647))).toEqual([]);
  });

  it('after the built-in schema, finds what the whole decoding finds by checking integer ranges only', () => {
    const passes = (m: Manifest): boolean => builtinSchemaSet().has(refOf(m).apiVersion, refOf(m).kind)
      && !validateStructure(m, refOf(m)).some((f) => f.severity === 'error');
    const same = (m: Manifest): void => {
      expect(validateIstioWebhook(m, refOf(m), true), JSON.stringify(m)).toEqual(validateIstioWebhook(m, refOf(m), false));
    };
    const realworld = fs.existsSync(REALWORLD) ? realworldDocs().map((d) => d.manifest) : [];
    const corpus = [...ANY_KIND_CASES.flatMap((c) => [c.reject, c.accept]), ...realworld].filter(passes);
    expect(corpus.filter((m) => ANY_KIND_CASES.some((c) => c.accept === m || c.reject === m)).length).toBeGreaterThan(8);
    expect(corpus.length).toBeGreaterThan(8);
    corpus.forEach(same);
    const weight = (w: number) => vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: w }] }] });
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(2147483648, -2147483649, 2 ** 40)), (n) => {
      for (const m of [pool(n), weight(n)]) if (passes(m)) same(m);
    }), { numRuns: 300 });
    expect(codes(pool(2147483648))).toEqual(['IMV802']);
    expect(validateIstioWebhook(pool(2147483648), refOf(pool(2147483648)), true).map((f) => f.code)).toEqual(['IMV802']);
  });

  it('leaves uint32 ranges to the schema when the manifest goes through every stage', () => {
    const m = sidecar({ ingress: [{ port: { number: 4294967296, protocol: 'HTTP', name: 'http' } }] });
    expect(validateManifest(m).map((f) => f.code)).toEqual(['IMV209']);
  });

  it('reads quoted integers and enum numbers as istiod\'s decoder does, and skips nulls and unknown fields', () => {
    expect(codes(pool('100'))).toEqual([]);
    expect(codes(pool('2147483648'))).toEqual(['IMV802']);
    expect(codes(pool('1e3'))).toEqual(['IMV803']);
    expect(codes(pool(1.5))).toEqual(['IMV803']);
    expect(codes(pool(null))).toEqual([]);
    expect(codes(destinationRule({ host: 'reviews', trafficPolicy: { tls: { mode: 2 }, futureField: [1] } }))).toEqual([]);
  });

  it('fails on an enum name istiod does not know, as its decoder does ("unknown value")', () => {
    const m = peerAuthentication({ mtls: { mode: 'BLAH' } });
    expect(findings(m).map((f) => [f.code, f.path, f.message])).toEqual([[
      'IMV803', '/spec/mtls/mode',
      'spec.mtls.mode is "BLAH" (a string): istiod expects one of "UNSET", "DISABLE", "PERMISSIVE", "STRICT" and cannot decode the object',
    ]]);
  });

  it('fails with the exact message for a value of the wrong type', () => {
    expect(findings(destinationRule({ host: 'reviews', exportTo: 'shop' })).map((f) => [f.code, f.path, f.message])).toEqual([[
      'IMV803', '/spec/exportTo', 'spec.exportTo is "shop" (a string): istiod expects a list and cannot decode the object',
    ]]);
  });

  it('reports the annotations istiod reserves, whatever their value, on every Istio kind', () => {
    const annotations = { 'internal.istio.io/parents': 'HTTPRoute/a.b', 'internal.istio.io/parent-namespace': 'other' };
    for (const m of [
      peerAuthentication({}, { annotations }), authorizationPolicy({}, { annotations }), destinationRule({ host: 'h' }, { annotations }),
      vs({ hosts: ['h'] }, annotations), of('networking.istio.io/v1', 'ServiceEntry', { hosts: ['h'] }, annotations),
      of('networking.istio.io/v1', 'WorkloadEntry', { address: '10.0.0.1' }, annotations), of('telemetry.istio.io/v1', 'Telemetry', {}, annotations),
    ]) {
      expect(findings(m).map((f) => [f.code, f.path]), String(m.kind)).toEqual([
        ['IMV801', '/metadata/annotations/internal.istio.io~1parents'],
        ['IMV801', '/metadata/annotations/internal.istio.io~1parent-namespace'],
      ]);
    }
  });

  it('reports dry-run and always-reject once, with the kind\'s own code where it has one', () => {
    const annotations = { 'istio.io/dry-run': 'true', 'internal.istio.io/webhook-always-reject': 'x' };
    expect(codes(peerAuthentication({}, { annotations }))).toEqual(['IMV406', 'IMV407']);
    expect(codes(destinationRule({ host: 'h' }, { annotations }))).toEqual(['IMV643', 'IMV644']);
    expect(codes(vs({ hosts: ['h'] }, annotations))).toEqual(['IMV804', 'IMV805']);
  });

  it('never throws, and reports a finding, when any field of a full manifest holds a value of another type', () => {
    const richDr = destinationRule({
      host: 'reviews',
      exportTo: ['.'],
      workloadSelector: { matchLabels: { app: 'web' } },
      trafficPolicy: {
        connectionPool: { tcp: { maxConnections: 10, connectTimeout: '1s', tcpKeepalive: { time: '10s', probes: 3 } }, http: { http2MaxRequests: 5, h2UpgradePolicy: 'UPGRADE' } },
        loadBalancer: { consistentHash: { httpCookie: { name: 'c', ttl: '10s', attributes: [{ name: 'SameSite', value: 'Lax' }] } }, warmup: { duration: '10s', aggression: 2 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', maxEjectionPercent: 50 },
        tls: { mode: 'SIMPLE', sni: 'reviews', subjectAltNames: ['reviews'], insecureSkipVerify: false },
        portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { localityLbSetting: { distribute: [{ from: 'a/b/c', to: { 'a/b/c': 100 } }] } } }],
        tunnel: { protocol: 'CONNECT', targetHost: 'proxy', targetPort: 3128 },
      },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }],
    });
    const richPa = peerAuthentication({ selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } });
    const richVs = vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', port: { number: 80 } }, weight: 100 }], retries: { attempts: 3 } }] });
    const others: unknown[] = [null, 7, 1.5, 'x', true, [], ['x'], {}, { a: 1 }];
    const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
    // every path to a value in the manifest's spec, with the value
    const paths = (value: unknown, path: (string | number)[]): [(string | number)[], unknown][] => {
      const here: [(string | number)[], unknown][] = [[path, value]];
      if (Array.isArray(value)) return here.concat(...value.map((v, i) => paths(v, [...path, i])));
      if (value && typeof value === 'object') return here.concat(...Object.entries(value).map(([k, v]) => paths(v, [...path, k])));
      return here;
    };
    const replaced = (m: Manifest, path: (string | number)[], value: unknown): Manifest => {
      const copy = JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
      let node = copy as Record<string | number, unknown>;
      for (const token of path.slice(0, -1)) node = node[token] as Record<string | number, unknown>;
      node[path[path.length - 1]] = value;
      return copy as Manifest;
    };
    let checked = 0;
    for (const m of [richDr, richPa, richVs]) {
      expect(findings(m).filter((f) => f.severity === 'error'), String(m.kind)).toEqual([]);
      for (const [path, original] of paths(m.spec, ['spec'])) {
        if (path.length === 1) continue;
        for (const other of others) {
          if (jsonType(other) === jsonType(original)) continue;
          const changed = replaced(m, path, other);
          const out = findings(changed);
          // jsonpb skips nulls and reads an enum from a number; everything else of the wrong type must be reported
          const acceptable = other === null || (Number.isInteger(other) && typeof original === 'string' && /^[A-Z_0-9]+$/.test(original));
          if (!acceptable) expect(out.length, `${String(m.kind)} ${path.join('.')} = ${JSON.stringify(other)}`).toBeGreaterThan(0);
          checked += acceptable ? 0 : 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
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
