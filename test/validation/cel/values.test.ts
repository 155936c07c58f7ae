import * as vm from 'vm';
import { describe, expect, test } from 'vitest';
import { celEnvironment } from '../../../src/validation/cel/environment';
import { compileFastRule, NOT_DECIDED } from '../../../src/validation/cel/fast-rules';
import { isCelMapMap } from '../../../src/validation/cel/maps';
import { celNodeOf, CelNode } from '../../../src/validation/cel/node';
import { typed } from '../../../src/validation/cel/values';
import { StructuralSchema } from '../../../src/validation/schema/structural';

/** A schema with each kind of node `typed` reads: declared fields, a map, a list, a number, an int-or-string, kept unknown fields. */
const SCHEMA: StructuralSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    port: { type: 'integer' },
    weight: { type: 'number' },
    target: { 'x-kubernetes-int-or-string': true },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    ports: { type: 'array', items: { type: 'object', properties: { number: { type: 'integer' }, name: { type: 'string' } } } },
    free: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
};
const NODE = celNodeOf(SCHEMA);

/** What `typed` gives, written the obvious way: always a copy. */
function reference(value: unknown, node: CelNode | undefined): unknown {
  if (typeof value === 'number') return node?.isNumber || !Number.isInteger(value) ? value : BigInt(value);
  if (Array.isArray(value)) return Array.from(value, (item) => reference(item, node?.items));
  if (typeof value === 'object' && value !== null) {
    const out: [string, unknown][] = [];
    for (const [key, field] of Object.entries(value)) {
      const sub = node ? node.properties.get(key) ?? node.extra : undefined;
      if (node && !sub && !node.keepUnknown) continue;
      out.push([key, reference(field, sub)]);
    }
    return out;
  }
  return value;
}

/** `reference` of what `typed` returned, read back the same way (maps as entry lists). */
function entries(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from(value, entries);
  if (value instanceof Map) return [...value].map(([k, v]) => [k, entries(v)]);
  if (typeof value === 'object' && value !== null) return Object.entries(value).map(([k, v]) => [k, entries(v)]);
  return value;
}

function prng(seed: number): () => number {
  let s = (seed % 2147483646) + 1;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

const KEYS = ['name', 'port', 'weight', 'target', 'labels', 'ports', 'free', 'number', 'app', 'unknown', 'constructor', '__proto__', 'toString'];

function randomValue(rand: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const r = rand();
  if (depth > 0 && r < 0.4) {
    const out: Record<string, unknown> = {};
    for (let i = Math.floor(rand() * 4); i > 0; i--) {
      // defineProperty: a key `__proto__` is an own field, as the reader makes it.
      Object.defineProperty(out, pick(KEYS), { value: randomValue(rand, depth - 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (depth > 0 && r < 0.55) return Array.from({ length: Math.floor(rand() * 3) }, () => randomValue(rand, depth - 1));
  if (r < 0.75) return pick(['', 'a', '8080', 'http']);
  if (r < 0.9) return pick([0, 1, 8080, 0.5, -2.5]);
  return pick([true, false, null]);
}

describe('typed: the value CEL rules see, copied only where it changes', () => {
  test('a value that needs no change is returned as it is, at every level', () => {
    const spec = { name: 'a', weight: 0.5, labels: { app: 'x' }, ports: [{ name: 'http' }], free: { any: ['b', true, null] } };
    const got = typed(spec, NODE) as typeof spec;
    expect(got).toBe(spec);
    expect(got.labels).toBe(spec.labels);
    expect(got.ports).toBe(spec.ports);
  });

  test.each([
    ['an integer of an integer field', { name: 'a', port: 8080 }, [['name', 'a'], ['port', 8080n]]],
    ['an integer of an int-or-string field', { target: 9090 }, [['target', 9090n]]],
    ['an integer inside kept unknown fields', { free: { n: [1] } }, [['free', [['n', [1n]]]]]],
    ['an unknown field, which the API server prunes', { name: 'a', unknown: 'b', labels: { app: 'x' } }, [['name', 'a'], ['labels', [['app', 'x']]]]],
  ] as const)('%s makes a copy, and leaves the input as it was', (_, value, expected) => {
    const before = JSON.stringify(value);
    const got = typed(value, NODE);
    expect(got).not.toBe(value);
    expect(entries(got)).toEqual(expected);
    expect(JSON.stringify(value)).toBe(before);
  });

  test('unchanged parts of a copied map are shared with the input', () => {
    const spec = { labels: { app: 'x' }, port: 1 };
    const got = typed(spec, NODE) as Record<string, unknown>;
    expect(got).not.toBe(spec);
    expect(got.labels).toBe(spec.labels);
  });

  test('a key named constructor gives the Map form, as before', () => {
    const got = typed({ labels: { constructor: 'x' } }, NODE) as Record<string, unknown>;
    expect(isCelMapMap(got.labels as object)).toBe(true);
  });

  test('a list with a hole, and lists and maps of another realm, are copied', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holed = typed({ ports: [{ name: 'a' }, , { name: 'b' }] }, NODE) as Record<string, unknown[]>;
    expect(holed.ports).toHaveLength(3);
    expect(1 in holed.ports).toBe(true);
    const foreign = vm.runInNewContext('({ name: "a", ports: [{ name: "b" }] })') as Record<string, unknown>;
    const got = typed(foreign, NODE) as Record<string, unknown>;
    expect(got).not.toBe(foreign);
    expect(got.ports).not.toBe(foreign.ports);
    expect(Array.isArray(got.ports) && Object.getPrototypeOf(got.ports)).toBe(Array.prototype);
  });

  test('on 3,000 random values it equals the copy made the obvious way', () => {
    const rand = prng(42);
    let shared = 0;
    for (let i = 0; i < 3000; i++) {
      const value = randomValue(rand, 4);
      const got = typed(value, NODE);
      if (got === value && typeof value === 'object' && value !== null) shared++;
      expect(entries(got), JSON.stringify(value)).toEqual(reference(value, NODE));
    }
    // Not vacuous: some objects come back as they were.
    expect(shared).toBeGreaterThan(100);
  });
});

describe('the closures read a plain object as they read a CEL map', () => {
  const env = celEnvironment();
  test.each([
    ['has(self.toString)', {}, false],
    ['self.all(key, !key.contains("*"))', { 'a*': 'x' }, false],
    ['self.all(key, key.size() != 0)', { a: 'x' }, true],
    ['has(self.portLevelMtls) ? self.size() > 1 : true', { portLevelMtls: {}, selector: {} }, true],
  ] as const)('%s on %o: %s, as cel-js says', (rule, self, expected) => {
    const program = env.parse(rule);
    const got = compileFastRule(program.ast)!(self);
    expect(got).toBe(expected);
    if (got !== NOT_DECIDED) expect(program({ self })).toBe(got);
  });
});
