import * as fs from 'fs';
import { ApiObject, App, Chart, JsonPatch, Lazy } from 'cdk8s';
import * as fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildOurMesh } from '../../bench/lib/mesh';
import { PrometheusRule } from '../../imports/monitoring.coreos.com';
import { DestinationRule } from '../../imports/networking.istio.io';
import { AuthorizationPolicy, PeerAuthentication } from '../../imports/security.istio.io';
import { cdk8sRenderingVerified, directRenderer, rendererFor } from '../../src/cdk8s/render';
import { REALWORLD, realworldDocs } from '../realworld';

afterEach(() => {
  vi.unstubAllEnvs();
});

function objectsOf(app: App): ApiObject[] {
  return app.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
}

/** The object's rendering both ways: direct (undefined when it declines) and cdk8s's, or the error cdk8s throws. */
function both(app: App, obj: ApiObject): { direct: unknown; expected?: unknown; error?: string } {
  const direct = directRenderer(app)!(obj);
  try {
    return { direct, expected: obj.toJson() };
  } catch (e) {
    return { direct, error: (e as Error).message };
  }
}

/** JSON text of anything toJson() can return (it passes functions and bigints through). */
function text(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'function' ? `[function ${x.name}]` : x));
}

/** Same values, same key order, same holes and undefined entries. */
function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  expect(text(actual)).toBe(text(expected));
}

const key = fc.oneof(
  fc.constantFrom('a', 'b', 'B', 'Z', '10', '2', '0', 'apiVersion', 'kind', 'metadata', 'spec', 'value', 'resolve', 'toString', '-x', ''),
  fc.string({ maxLength: 6 }).filter((k) => k !== 'constructor'),
);
const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined));

/** JSON-like values with null and undefined anywhere, empty arrays and objects, holes. */
function plainData(noNullPrototype: boolean) {
  return fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('v'), { maxLength: 4 }),
      fc.sparseArray(tie('v'), { maxLength: 4 }),
      fc.dictionary(key, tie('v'), { maxKeys: 5, noNullPrototype }),
      fc.constant([]),
      fc.constant({}),
    ),
  })).v;
}

const labelValue = fc.oneof(fc.string({ maxLength: 6 }), fc.constant(undefined), fc.constant(null));
const stringMap = fc.dictionary(key, labelValue, { maxKeys: 4, noNullPrototype: true });
const metadataArb = fc.record({
  name: fc.string({ minLength: 1, maxLength: 8 }),
  namespace: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }),
  labels: fc.option(stringMap, { nil: undefined }),
  annotations: fc.option(stringMap, { nil: undefined }),
  finalizers: fc.option(fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }), { nil: undefined }),
  ownerReferences: fc.option(fc.array(plainData(true), { maxLength: 2 }), { nil: undefined }),
  generateName: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
  extra: fc.option(plainData(true), { nil: undefined }),
}, { requiredKeys: ['name'] });

function objectWith(md: Record<string, unknown>, body: Record<string, unknown>, chartLabels?: Record<string, string>): { app: App; obj: ApiObject } {
  const app = new App({ outdir: 'unused' });
  const chart = new Chart(app, 'c', { labels: chartLabels, namespace: 'from-chart' });
  const obj = new ApiObject(chart, 'o', { apiVersion: 'example.io/v1', kind: 'Thing', metadata: md, ...body });
  return { app, obj };
}

describe('rendering ApiObjects for the synth-time analysis', () => {
  it('the installed cdk8s renders with the code the direct rendering reproduces (after a cdk8s upgrade, check render.ts against it and update the hash)', () => {
    expect(cdk8sRenderingVerified()).toBe(true);
  });

  it('renders plain data directly, exactly as toJson() does (random values, metadata and chart labels)', () => {
    let direct = 0;
    fc.assert(fc.property(metadataArb, plainData(true), plainData(true), fc.option(stringMap, { nil: undefined }), (md, spec, data, chartLabels) => {
      const { app, obj } = objectWith(md, { spec, data }, chartLabels as Record<string, string>);
      const r = both(app, obj);
      expect(r.error).toBeUndefined();
      expect(r.direct).toBeDefined();
      expectSame(r.direct, r.expected);
      expectSame(rendererFor(app)(obj), r.expected);
      direct++;
    }), { numRuns: 600, seed: 20261125 });
    expect(direct).toBe(600);
  });

  it('keeps the key order of CDK8S_DISABLE_SORT', () => {
    vi.stubEnv('CDK8S_DISABLE_SORT', '1');
    const { app, obj } = objectWith({ name: 'n', labels: { z: '1', a: '2' } }, { spec: { z: 1, a: { y: 2, b: 3 } } });
    const r = both(app, obj);
    expectSame(r.direct, r.expected);
    expect(Object.keys((r.direct as { spec: object }).spec)).toEqual(['z', 'a']);
  });

  it('any other value: renders what toJson() renders, or throws what it throws (class instances, Lazy, functions, dates, null prototypes, own constructor and __proto__ keys)', () => {
    class Port {
      constructor(public readonly value: number) {}
    }
    class Token {
      public resolve() { return { resolved: true }; }
    }
    const exotic = fc.constantFrom<() => unknown>(
      () => new Port(8080),
    () => new Token(),
    () => Lazy.any({ produce: () => ['lazy', null, { b: 1, a: undefined }] }),
    () => () => 'fn',
    () => new Date(0),
    () => Object.assign(Object.create(null), { a: 1 }),
    () => ({ constructor: 'x', a: 1 }),
    () => JSON.parse('{"__proto__": {"a": 1}, "b": 2}'),
    () => JSON.parse('{"__proto__": null}'),
    () => Object.assign([1, 2], { value: 'v' }),
    () => Object.assign([1, 2], { resolve: () => 'resolved' }),
    () => 10n,
    );
    let declined = 0;
    fc.assert(fc.property(plainData(false), exotic, fc.constantFrom('spec', 'metadata'), (spec, make, where) => {
      const value = make();
      const { app, obj } = where === 'spec'
        ? objectWith({ name: 'n' }, { spec: { plain: spec, odd: value } })
        : objectWith({ name: 'n', labels: { odd: value as string } }, { spec });
      const r = both(app, obj);
      expect(r.direct).toBeUndefined();
      declined++;
      if (r.error !== undefined) expect(() => rendererFor(app)(obj)).toThrow(r.error);
      else expectSame(rendererFor(app)(obj), r.expected);
    }), { numRuns: 300, seed: 7 });
    expect(declined).toBe(300);
  });

  it('reads the props and metadata attributes as the spread in toJson() does: own enumerable keys only', () => {
    const app = new App({ outdir: 'unused' });
    const chart = new Chart(app, 'c');
    const metadata = { name: 'n', annotations: { a: 'b' } };
    Object.defineProperty(metadata, 'labels', { value: { hidden: 'x' }, enumerable: false });
    const props = { apiVersion: 'v1', kind: 'Thing', spec: { a: 1 } };
    Object.defineProperty(props, 'metadata', { value: metadata, enumerable: false });
    Object.defineProperty(props, 'status', { value: { b: 2 }, enumerable: false });
    const obj = new ApiObject(chart, 'o', props);
    const r = both(app, obj);
    expect(r.direct).toBeDefined();
    expectSame(r.direct, r.expected);
    // The ApiObject's constructor reads the metadata fields by name, hidden or not.
    expect((r.direct as { metadata: object }).metadata).toEqual({ name: 'n', annotations: { a: 'b' }, labels: { hidden: 'x' } });
    expect(r.direct).not.toHaveProperty('status');
  });

  it('leaves objects with JSON patches, toJson() overrides and custom resolvers to cdk8s', () => {
    const patched = objectWith({ name: 'n' }, { spec: { a: 1 } });
    patched.obj.addJsonPatch(JsonPatch.add('/spec/b', 2));
    expect(directRenderer(patched.app)!(patched.obj)).toBeUndefined();
    expectSame(rendererFor(patched.app)(patched.obj), patched.obj.toJson());
    expect((rendererFor(patched.app)(patched.obj) as { spec: object }).spec).toEqual({ a: 1, b: 2 });

    class Renamed extends ApiObject {
      public toJson(): any { return { ...super.toJson(), kind: 'Renamed' }; }
    }
    const app = new App({ outdir: 'unused' });
    const renamed = new Renamed(new Chart(app, 'c'), 'o', { apiVersion: 'v1', kind: 'Thing' });
    expect(directRenderer(app)!(renamed)).toBeUndefined();
    expect(rendererFor(app)(renamed).kind).toBe('Renamed');

    const upper = { resolve: (ctx: { value: unknown; replaceValue(v: unknown): void }) => { if (ctx.value === 'x') ctx.replaceValue('X'); } };
    const custom = new App({ outdir: 'unused', resolvers: [upper] });
    const obj = new ApiObject(new Chart(custom, 'c'), 'o', { apiVersion: 'v1', kind: 'Thing', spec: { a: 'x' } });
    expect(directRenderer(custom)).toBeUndefined();
    expect(rendererFor(custom)(obj).spec).toEqual({ a: 'X' });
  });

  it('leaves every object to cdk8s while a built-in prototype has a property the default resolvers read', () => {
    const { app, obj } = objectWith({ name: 'n' }, { spec: { ports: [1, 2] } });
    expect(directRenderer(app)).toBeDefined();
    (Array.prototype as unknown as { value?: string }).value = 'polluted';
    try {
      expect(directRenderer(app)).toBeUndefined();
      expectSame(rendererFor(app)(obj), obj.toJson());
    } finally {
      delete (Array.prototype as unknown as { value?: string }).value;
    }
  });

  it("renders each of the library's generated classes directly, as its toJson() does", () => {
    const app = new App({ outdir: 'unused' });
    const chart = new Chart(app, 'c', { namespace: 'team' });
    const objects: ApiObject[] = [
      new PeerAuthentication(chart, 'pa', { metadata: { name: 'pa', labels: { a: 'b' } }, spec: { selector: { matchLabels: { app: 'x' } }, mtls: { mode: 'STRICT' as any }, portLevelMtls: { 8080: { mode: 'DISABLE' as any } } } }),
      new AuthorizationPolicy(chart, 'ap', { metadata: { name: 'ap' }, spec: { action: 'DENY' as any, rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }, {}] } }),
      new DestinationRule(chart, 'dr', { metadata: { name: 'dr' }, spec: { host: 'x.team.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' as any } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] } }),
      new PrometheusRule(chart, 'pr', { metadata: { name: 'pr' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0' as any, labels: { severity: 'page' } }] }] } }),
    ];
    for (const obj of objects) {
      const r = both(app, obj);
      expect(r.direct, obj.node.path).toBeDefined();
      expectSame(r.direct, r.expected);
    }
  });

  it("renders every object of the benchmark mesh (the library's constructs and plain ApiObjects) directly, as toJson() does", () => {
    const app = new App({ outdir: 'unused' });
    buildOurMesh(app, { namespaces: 4, workloads: 25 }, { warningBatches: 0, warningLines: 0 });
    const objects = objectsOf(app);
    expect(objects.length).toBe(4 * 65 + 2);
    const render = directRenderer(app)!;
    for (const obj of objects) {
      const direct = render(obj);
      expect(direct, obj.node.path).toBeDefined();
      expectSame(direct, obj.toJson());
    }
  });

  it.skipIf(!fs.existsSync(REALWORLD))('renders every real-world manifest directly, as toJson() does, as a plain ApiObject and as its generated class', () => {
    const app = new App({ outdir: 'unused' });
    const classes: Record<string, typeof PeerAuthentication | typeof AuthorizationPolicy | typeof DestinationRule | typeof PrometheusRule> = {
      PeerAuthentication, AuthorizationPolicy, DestinationRule, PrometheusRule,
    };
    let typed = 0;
    realworldDocs().forEach(({ file, index, manifest: m }, i) => {
      if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') return;
      const chart = new Chart(app, `d${i}`);
      const metadata = { ...(m.metadata as object), name: String((m.metadata as { name?: unknown })?.name ?? `o${index}`) };
      const objs: ApiObject[] = [new ApiObject(chart, 'plain', { ...m, metadata } as any)];
      const Cls = classes[m.kind];
      if (Cls && m.apiVersion.endsWith('/v1')) {
        objs.push(new Cls(chart, 'typed', { metadata, spec: m.spec } as any));
        typed++;
      }
      for (const obj of objs) {
        const r = both(app, obj);
        expect(r.error, `${file}#${index}`).toBeUndefined();
        expect(r.direct, `${file}#${index}`).toBeDefined();
        expectSame(r.direct, r.expected);
      }
    });
    expect(typed).toBeGreaterThan(20);
  });
});
