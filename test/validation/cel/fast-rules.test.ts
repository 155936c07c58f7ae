import { describe, expect, test } from 'vitest';
import { celEnvironment } from '../../../src/validation/cel/environment';
import { compileFastRule, NOT_DECIDED } from '../../../src/validation/cel/fast-rules';
import { celList, celMap } from '../../../src/validation/cel/maps';
import { builtinSchemaSet } from '../../../src/validation/schema';
import { StructuralSchema } from '../../../src/validation/schema/structural';
import { GENERATED_CRDS } from '../../../src/validation/schemas';

/** Every rule of the built-in CRDs. */
function builtinRules(): string[] {
  const set = builtinSchemaSet();
  const rules = new Set<string>();
  const walk = (s: StructuralSchema | undefined): void => {
    if (!s) return;
    for (const r of s['x-kubernetes-validations'] ?? []) rules.add(r.rule);
    for (const sub of Object.values(s.properties ?? {})) walk(sub);
    walk(s.items);
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties);
  };
  for (const crd of GENERATED_CRDS) {
    for (const v of crd.versions) walk(set.lookup(`${crd.group}/${v.name}`, crd.kind)?.schema);
  }
  return [...rules].sort();
}

/** More expressions, for the operators and functions the built-in rules do not use. */
const MORE = [
  'self.x in ["a", "b"] || size(self.y) == 2',
  '"a" in self',
  '"toString" in self',
  'self.n + 1 > 2 && self.n - 1 < 5 && self.n * 2 != 6',
  '-self.n < 0',
  'self.d + 0.5 > 1.0',
  'self.s.startsWith("a") || self.s.endsWith("*") || self.s + "x" == "ax"',
  'self.exists(k, k == "a") && self.exists_one(k, k.size() == 0)',
  'self.l.all(x, x > 0)',
  'self["q"] == null',
  'self.l[0] == 1',
  'self.s < "m"',
  '!(self.b)',
  'self.all(k, self[k] != "")',
  'self.all(k, self.exists(j, j == k)) && self.l.all(x, self.l.exists_one(y, y == x))',
];

// A small deterministic generator: the same values on every run.
function prng(seed: number): () => number {
  // Park and Miller's minimal standard generator.
  let s = (seed % 2147483646) + 1;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

const KEYS = ['a', 'b', 'x', 'y', 'n', 'd', 's', 'l', 'q', 'portLevelMtls', 'selector', 'matchLabels', 'targetRef', 'targetRefs',
  'serviceAccounts', 'notServiceAccounts', 'principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'mode', '', '*', 'a*',
  '8080', '0', '65535', '65536', '-1', '0123', '+5', 'constructor', '__proto__', 'toString', '\u00e9', '\ud83d\ude00'];
const STRINGS = ['', '*', 'a', 'a*', 'm', 'z', '8080', '0', '65536', '-0', 'http', 'unix:///x', '\u00e9', '\ud83d\ude00', '\ud800'];

/** `words`: the names a rule reads, picked as keys more often so that random maps reach its fields. */
function value(rand: () => number, depth: number, words: readonly string[]): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const r = rand();
  if (depth > 0 && r < 0.35) {
    const n = Math.floor(rand() * 4);
    const entries: [string, unknown][] = [];
    for (let i = 0; i < n; i++) {
      const k = words.length > 0 && rand() < 0.6 ? pick(words) : pick(KEYS);
      if (!entries.some(([e]) => e === k)) entries.push([k, value(rand, depth - 1, words)]);
    }
    return celMap(entries);
  }
  if (depth > 0 && r < 0.5) return celList(Array.from({ length: Math.floor(rand() * 3) }, () => value(rand, depth - 1, words)));
  if (r < 0.7) return pick(STRINGS);
  if (r < 0.82) return pick([0n, 1n, 2n, 3n, -1n, 65535n, 65536n, 2n ** 63n - 1n, -(2n ** 63n)]);
  if (r < 0.9) return pick([0.5, 1, 2.5, -0, Number.NaN, 1e308]);
  if (r < 0.97) return rand() < 0.5;
  return null;
}

/** `value` with its CEL map objects made plain objects (what `typed` passes on when nothing changes); Map forms stay. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v !== 'object' || v === null || v instanceof Map) return v;
  const out: Record<string, unknown> = {};
  // defineProperty: a key `__proto__` is an own field, as the reader makes it.
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: plain(x), enumerable: true, writable: true, configurable: true });
  return out;
}

/** cel-js's answer, the reference: a value or 'error'. */
function reference(program: (ctx: Record<string, unknown>) => unknown, self: unknown): unknown {
  try {
    return program({ self });
  } catch {
    return 'error';
  }
}

describe('CRD rules in closures agree with cel-js', () => {
  const env = celEnvironment();
  const rules = [...builtinRules(), ...MORE];

  test('the built-in rules are found, and all but three compile (duration, substring and matches stay with cel-js)', () => {
    const builtin = builtinRules();
    expect(builtin.length).toBeGreaterThanOrEqual(20);
    const left = builtin.filter((r) => !compileFastRule(env.parse(r).ast));
    expect(left.map((r) => r.replace(/\s+/g, ' '))).toEqual([
      "duration(self) >= duration('1ms')",
      'self.all(key, size(key) < 63 && key.matches("^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$"))',
      'self.startsWith("unix://") ? (self.substring(7, 8) == "/" || self.substring(7, 8) == "@") : true',
    ]);
  });

  test.each(rules)('%s: where the closures decide, cel-js returns the same bool', (rule) => {
    const program = env.parse(rule);
    const fast = compileFastRule(program.ast);
    if (!fast) return;
    const rand = prng(rule.length * 7919 + rule.charCodeAt(0));
    const words = [...new Set(rule.match(/\b[A-Za-z_]\w*\b/g) ?? [])];
    let decided = 0;
    for (let i = 0; i < 1500; i++) {
      const self = value(rand, 3, words);
      const got = fast(self);
      // The same value with plain objects for maps: decided the same, or left to cel-js.
      const onPlain = fast(plain(self));
      if (onPlain !== NOT_DECIDED) expect(onPlain, `${rule} on ${String(i)}, plain`).toBe(reference(program, self));
      if (got === NOT_DECIDED) continue;
      decided++;
      expect(reference(program, self), `${rule} on ${String(i)}`).toBe(got);
    }
    // Not vacuous: random values reach the decided paths of every rule.
    expect(decided).toBeGreaterThan(0);
  });

  test.each([
    ['self.all(key, 0 < int(key) && int(key) <= 65535)', { 8080: 1n }, true],
    ['self.all(key, 0 < int(key) && int(key) <= 65535)', { 65536: 1n }, false],
    // cel-js reads these spellings its own way: the closures leave them to it.
    ['self.all(key, 0 < int(key) && int(key) <= 65535)', { '0123': 1n }, NOT_DECIDED],
    ['self.all(key, 0 < int(key) && int(key) <= 65535)', { '+5': 1n }, NOT_DECIDED],
    // An error (no such int) decides nothing here: cel-js words it.
    ['self.all(key, 0 < int(key) && int(key) <= 65535)', { http: 1n }, NOT_DECIDED],
    ['self.size() == 1', { '\ud83d\ude00': 1n }, true],
    ['self.all(k, k.size() == 1)', { '\ud83d\ude00': 1n }, NOT_DECIDED],
    ['has(self.a)', { a: null }, NOT_DECIDED],
    ['has(self.a)', {}, false],
    ['self.a == 1', { a: 1 }, NOT_DECIDED],
    ['self.a == 1', { a: 1n }, true],
    ['self.a + 1 > 0', { a: 2n ** 63n - 1n }, NOT_DECIDED],
  ] as const)('%s on %o: %s', (rule, fields, expected) => {
    const program = env.parse(rule);
    const self = celMap(Object.entries(fields));
    const got = compileFastRule(program.ast)!(self);
    expect(got).toBe(expected);
    if (got !== NOT_DECIDED) expect(reference(program, self)).toBe(got);
  });

  test('a map with a key named constructor (held as a Map) is left to cel-js', () => {
    const program = env.parse('self.all(k, k.size() > 0)');
    expect(compileFastRule(program.ast)!(celMap([['constructor', 'x']]))).toBe(NOT_DECIDED);
    expect(reference(program, celMap([['constructor', 'x']]))).toBe(true);
  });
});
