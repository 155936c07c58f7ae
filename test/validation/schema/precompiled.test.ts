import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { corpusDocs, officialCrdDocs, widgetCrd } from './support';
import { renderSchemaFiles } from '../../../scripts/lib/generate-schemas';
import { isPlainObject } from '../../../src/model/manifest';
import { builtinSchemaSet, CrdSchemas, schemaSetFromCrds } from '../../../src/validation/schema';
import { createAjv, toAjvSchema } from '../../../src/validation/schema/ajv-schema';
import { precompiledValidators } from '../../../src/validation/schema/precompiled';
import { StructuralSchema } from '../../../src/validation/schema/structural';
import { GENERATED_CRDS } from '../../../src/validation/schemas';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const GENERATED_DIR = path.join(ROOT, 'src', 'validation', 'schemas');

interface Pair {
  readonly crd: string;
  readonly kind: string;
  readonly schema: StructuralSchema;
  readonly precompiled: ValidateFunction;
  readonly runtime: ValidateFunction;
}

const set = builtinSchemaSet();
const runtimeAjv = createAjv();
const crds: CrdSchemas[] = set.crdNames().map((name) => {
  const g = GENERATED_CRDS.find((c) => c.name === name)!;
  return set.lookup(`${g.group}/${g.versions[0].name}`, g.kind)!.crd;
});
/** Each built-in schema with its precompiled validator and a fresh runtime compile of the same schema. */
const pairs: Pair[] = GENERATED_CRDS.flatMap((g) => {
  const crd = crds.find((c) => c.name === g.name)!;
  const fns = precompiledValidators(g.load());
  return crd.schemas.map((schema, i) => ({
    crd: g.name,
    kind: g.kind,
    schema,
    precompiled: fns[i],
    runtime: runtimeAjv.compile(toAjvSchema(schema)),
  }));
});

function outcome(fn: ValidateFunction, data: unknown): { valid: boolean; errors: ErrorObject[] } {
  const valid = fn(data) as boolean;
  return { valid, errors: [...(fn.errors ?? [])] };
}

function expectSameErrors(pair: Pair, data: unknown): { valid: boolean; errors: ErrorObject[] } {
  const pre = outcome(pair.precompiled, data);
  const rt = outcome(pair.runtime, data);
  expect(pre).toEqual(rt);
  return rt;
}

/** The object the validator sees: the manifest without apiVersion, kind and metadata (see validate.ts). */
function body(manifest: unknown): Record<string, unknown> {
  const { apiVersion, kind, metadata, ...rest } = manifest as Record<string, unknown>;
  void apiVersion, void kind, void metadata;
  return rest;
}

const corpus = corpusDocs();
/**
 * Seeds for kinds the real-world corpus lacks: istio/istio 1.30.3
 * pkg/config/validation/testdata/crds/workloadentry-valid.yaml "full" and
 * pkg/test/datasets/validation/dataset/networking-v1-WorkloadEntry.yaml.
 */
const EXTRA_SEEDS: Readonly<Record<string, Record<string, unknown>[]>> = {
  WorkloadEntry: [
    { spec: { address: '1.2.3.4', serviceAccount: 'sa', network: 'net', labels: { app: 'app' }, ports: { http: 1 }, weight: 2, locality: 'foo/bar/baz' } },
    { spec: { address: '1.2.3.4' } },
  ],
};
function corpusOf(kind: string): Record<string, unknown>[] {
  return [
    ...corpus.filter((d) => isPlainObject(d.manifest) && d.manifest.kind === kind).map((d) => body(d.manifest)),
    ...(EXTRA_SEEDS[kind] ?? []),
  ];
}

describe('precompiled validators', () => {
  test('cover every built-in schema (validation runs them: see import cost below)', () => {
    expect(pairs.map((p) => p.kind).sort()).toEqual(['AuthorizationPolicy', 'DestinationRule', 'PeerAuthentication', 'PrometheusRule',
      'ServiceEntry', 'Sidecar', 'VirtualService', 'WorkloadEntry']);
    // each pair compares two validators, not one with itself
    for (const p of pairs) expect(p.precompiled).not.toBe(p.runtime);
  });

  test.each(pairs.map((p) => [p.kind, p]))('%s: same errors as a runtime compile on every real-world document', (_kind, pair) => {
    const docs = corpusOf(pair.kind);
    expect(docs.length).toBeGreaterThan(0);
    let invalid = 0;
    for (const doc of docs) if (!expectSameErrors(pair, doc).valid) invalid++;
    // the corpus has documents the schema rejects for these kinds (the others fail on CEL rules); mutations below cover the rest
    if (pair.kind === 'PeerAuthentication' || pair.kind === 'DestinationRule') expect(invalid).toBeGreaterThan(0);
  });

  test.each(pairs.map((p) => [p.kind, p]))('%s: same errors as a runtime compile on mutated manifests', (_kind, pair) => {
    const seeds = corpusOf(pair.kind);
    const names = propertyNames(pair.schema);
    let invalid = 0;
    fc.assert(fc.property(
      fc.constantFrom(...seeds),
      fc.array(mutationArb(names), { minLength: 1, maxLength: 4 }),
      (seed, mutations) => {
        const doc = mutations.reduce<unknown>((d, m) => mutate(d, m), structuredClone(seed));
        if (!expectSameErrors(pair, doc).valid) invalid++;
      },
    ), { numRuns: 250, seed: 20251124 });
    // the mutations must actually reach the error paths
    expect(invalid).toBeGreaterThan(100);
  });

  test('same errors on values aimed at keywords (enum, format, maxLength, minProperties, type)', () => {
    const pa = pairs.find((p) => p.kind === 'PeerAuthentication')!;
    const r = expectSameErrors(pa, {
      spec: { selector: { matchLabels: { app: 'x'.repeat(64) } }, mtls: { mode: 'STRIC' }, portLevelMtls: {} },
      status: { conditions: [{ lastTransitionTime: 'yesterday', observedGeneration: 1.5 }] },
    });
    expect(r.errors.map((e) => e.keyword).sort()).toEqual(['enum', 'format', 'maxLength', 'minProperties', 'type']);
  });
});

describe('generated files', () => {
  const onDisk = new Map(fs.readdirSync(GENERATED_DIR).sort().map((f) => [f, fs.readFileSync(path.join(GENERATED_DIR, f), 'utf8')]));

  test('regenerating from the committed schemas gives the committed files, byte for byte', () => {
    expect(new Map([...renderSchemaFiles(crds)].sort())).toEqual(onDisk);
  });

  test('regenerating from the official CRD files gives the committed files', () => {
    const fromCrds = schemaSetFromCrds(officialCrdDocs().filter((d) => isPlainObject(d) && isPlainObject(d.metadata)
      && GENERATED_CRDS.some((g) => g.name === (d.metadata as Record<string, unknown>).name)));
    const regenerated = fromCrds.crdNames().map((name) => {
      const g = GENERATED_CRDS.find((c) => c.name === name)!;
      return fromCrds.lookup(`${g.group}/${g.versions[0].name}`, g.kind)!.crd;
    });
    expect(new Map([...renderSchemaFiles(regenerated)].sort())).toEqual(onDisk);
  });

  test('the standalone code requires nothing but ajv runtime helpers, which ajv ships', () => {
    const required = new Set<string>();
    for (const text of onDisk.values()) for (const m of text.matchAll(/\brequire\("([^"]+)"\)/g)) required.add(m[1]);
    expect([...required].sort()).toEqual(['ajv/dist/runtime/ucs2length']);
    for (const r of required) expect(() => require.resolve(r)).not.toThrow();
  });
});

describe('import cost', () => {
  /** Runs `code` in a fresh Node process that can require the TypeScript sources; returns its JSON output. */
  function inChild(code: string): any {
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    return JSON.parse(out);
  }
  const loaded = '(re) => Object.keys(require.cache).filter((k) => re.test(k.split(require(\'path\').sep).join(\'/\')))';

  test('importing the validation modules loads neither ajv, cel-js nor any schema', () => {
    const result = inChild(`
      require('./src/validation/validate.ts');
      require('./src/validation/schema/index.ts');
      require('./src/validation/cel/index.ts');
      const loaded = ${loaded};
      process.stdout.write(JSON.stringify({
        ajv: loaded(/node_modules\\/ajv\\//).length,
        cel: loaded(/node_modules\\/@marcbachmann\\/cel-js\\//).length,
        schemas: loaded(/src\\/validation\\/schemas\\/(?!index)/).length,
        index: loaded(/src\\/validation\\/schemas\\/index/).length,
      }));
    `);
    expect(result).toEqual({ ajv: 0, cel: 0, schemas: 0, index: 1 });
  });

  test('the first validation of a kind loads only its schema, and compiles nothing', () => {
    const result = inChild(`
      const { validateManifest } = require('./src/validation/validate.ts');
      const findings = validateManifest({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication',
        metadata: { name: 'a', namespace: 'b' }, spec: { mtls: { mode: 'STRIC' } } });
      const loaded = ${loaded};
      process.stdout.write(JSON.stringify({
        codes: findings.map((f) => f.code),
        schemas: loaded(/src\\/validation\\/schemas\\/(?!index)/).map((k) => k.split('/').pop()),
        ajvCompiler: loaded(/node_modules\\/ajv\\/dist\\/(ajv|core)\\.js$/).length,
        ajvRuntime: loaded(/node_modules\\/ajv\\/dist\\/runtime\\//).length > 0,
      }));
    `);
    expect(result).toEqual({
      codes: ['IMV303', 'IMV204'],
      schemas: ['peerauthentications-security-istio-io.ts'],
      ajvCompiler: 0,
      ajvRuntime: true,
    });
  });

  test('every built-in kind validates with its precompiled validator: only a CRD read at run time compiles a schema', () => {
    const result = inChild(`
      const { schemaSetFromCrds, validateStructure } = require('./src/validation/schema/index.ts');
      const loaded = ${loaded};
      const compiler = () => loaded(/node_modules\\/ajv\\/dist\\/(ajv|core)\\.js$/).length;
      const codes = (m, set) => validateStructure(m, { apiVersion: m.apiVersion, kind: m.kind, namespace: 'n', name: 'a' }, set).map((f) => f.code);
      const metadata = { name: 'a', namespace: 'n' };
      const builtin = [
        { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata, spec: { mtls: 5 } },
        { apiVersion: 'security.istio.io/v1beta1', kind: 'AuthorizationPolicy', metadata, spec: { action: 7 } },
        { apiVersion: 'networking.istio.io/v1alpha3', kind: 'DestinationRule', metadata, spec: { host: 3 } },
        { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata, spec: { groups: 'x' } },
        { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata, spec: { hosts: 'x' } },
        { apiVersion: 'networking.istio.io/v1beta1', kind: 'ServiceEntry', metadata, spec: { hosts: 'x' } },
        { apiVersion: 'networking.istio.io/v1alpha3', kind: 'WorkloadEntry', metadata, spec: { weight: 'x' } },
        { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata, spec: { egress: 'x' } },
      ].map((m) => codes(m));
      const ajvCompilerForBuiltin = compiler();
      const crd = ${JSON.stringify(widgetCrd({ type: 'object', properties: { size: { type: 'integer' } } }))};
      const widget = codes({ apiVersion: 'example.com/v1', kind: 'Widget', metadata, spec: { size: 'big' } }, schemaSetFromCrds([crd]));
      process.stdout.write(JSON.stringify({ builtin, ajvCompilerForBuiltin, widget, ajvCompilerForCrd: compiler() }));
    `);
    expect(result.builtin.map((codes: string[]) => codes.includes('IMV202'))).toEqual([true, true, true, true, true, true, true, true]);
    expect(result.ajvCompilerForBuiltin).toBe(0);
    expect(result.widget).toContain('IMV202');
    expect(result.ajvCompilerForCrd).toBeGreaterThan(0);
  });
});

/** Every property name the schema declares, for mutations that add plausible fields. */
function propertyNames(schema: StructuralSchema): string[] {
  const out = new Set<string>();
  const walk = (n: StructuralSchema | undefined): void => {
    if (!n) return;
    for (const [k, v] of Object.entries(n.properties ?? {})) {
      out.add(k);
      walk(v);
    }
    walk(n.items);
    if (typeof n.additionalProperties === 'object') walk(n.additionalProperties);
  };
  walk(schema);
  return [...out].sort();
}

interface Mutation {
  readonly op: 'set' | 'delete' | 'add' | 'wrap';
  /** Which node (modulo the node count) the mutation applies to. */
  readonly pick: number;
  readonly key: string;
  readonly value: unknown;
}

const SPECIAL_VALUES: unknown[] = [
  'STRICT', 'PERMISSIVE', 'DISABLE', 'ISTIO_MUTUAL', 'SIMPLE', 'ALLOW', 'DENY', 'CUSTOM', 'AUDIT', 'GET',
  '10s', '1.5h', '-1s', '0s', 'forever', '5m', '1.2.3.4', '10.0.0.0/8', '::1', 'example.com', '*.example.com',
  '2024-01-01T00:00:00Z', 'not a date', '*', '', 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(253), 'x'.repeat(254), 'cluster.local/ns/a/sa/b',
  8080, 0, -1, 65535, 65536, 0.5, 1e12, -0.1, 150, true, false, null, [], {}, [1, 'a'], { a: 1 },
];

function mutationArb(names: readonly string[]): fc.Arbitrary<Mutation> {
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_VALUES) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );
  return fc.record({
    op: fc.constantFrom('set', 'set', 'delete', 'add', 'add', 'wrap'),
    pick: fc.nat(),
    key: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }),
    value,
  }) as fc.Arbitrary<Mutation>;
}

/** All [container, key] slots of a document, depth first, in a stable order. */
function slots(root: unknown): [Record<string, unknown> | unknown[], string | number][] {
  const out: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push([v, i]);
        walk(x);
      });
    } else if (isPlainObject(v)) {
      for (const k of Object.keys(v)) {
        out.push([v, k]);
        walk(v[k]);
      }
    }
  };
  walk(root);
  return out;
}

/** Applies one mutation in place (the document is a fresh clone) and returns it. */
function mutate(doc: unknown, m: Mutation): unknown {
  const all = slots(doc);
  const containers = [doc, ...all.map(([c, k]) => (c as Record<string | number, unknown>)[k])].filter((v) => isPlainObject(v) || Array.isArray(v));
  if (m.op === 'add' || all.length === 0) {
    const target = containers[m.pick % containers.length];
    if (Array.isArray(target)) target.push(structuredClone(m.value));
    else if (isPlainObject(target)) target[m.key] = structuredClone(m.value);
    return doc;
  }
  const [container, key] = all[m.pick % all.length];
  const c = container as Record<string | number, unknown>;
  if (m.op === 'set') c[key] = structuredClone(m.value);
  else if (m.op === 'wrap') c[key] = [c[key]];
  else if (Array.isArray(container)) container.splice(key as number, 1);
  else delete c[key];
  return doc;
}
