import { describe, expect, test } from 'vitest';
import { compileExpression, K8S_FUNCTIONS, parseGoDurationNanos } from '../../../src/validation/cel';

function run(expr: string, self: unknown = null): unknown {
  const c = compileExpression(expr);
  if (!c.evaluate) throw new Error(`not compiled: ${c.unsupported}`);
  return c.evaluate({ self });
}

describe('Go duration parsing (time.ParseDuration)', () => {
  test.each([
    ['0', 0n], ['+0', 0n], ['-0', 0n], ['1ms', 1_000_000n], ['1.5h', 5_400_000_000_000n], ['-1s', -1_000_000_000n],
    ['1h30m', 5_400_000_000_000n], ['300us', 300_000n], ['1µs', 1000n], ['1μs', 1000n], ['.5s', 500_000_000n], ['1.s', 1_000_000_000n],
    ['2562047h47m16.854775807s', 2n ** 63n - 1n],
  ])('accepts %s', (text, nanos) => {
    expect(parseGoDurationNanos(text)).toBe(nanos);
  });
  test.each([
    ['', 'time: invalid duration ""'], ['s', 'time: invalid duration "s"'], ['.s', 'time: invalid duration ".s"'],
    ['1', 'time: missing unit in duration "1"'], ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['3000000h', 'time: invalid duration "3000000h"'], ['1 s', 'time: unknown unit " s" in duration "1 s"'],
  ])('fails on %j', (text, message) => {
    expect(() => parseGoDurationNanos(text)).toThrow(message);
  });
});

describe('duration() in rules has Go semantics', () => {
  const rule = "duration(self) >= duration('1ms')";
  test('accepts valid durations of at least 1ms', () => {
    expect(run(rule, '10s')).toBe(true);
    expect(run(rule, '1ms')).toBe(true);
  });
  test('is false below 1ms, including Go\'s bare 0', () => {
    expect(run(rule, '999us')).toBe(false);
    expect(run(rule, '0')).toBe(false);
  });
  test('fails to evaluate on strings Go rejects', () => {
    expect(() => run(rule, '5')).toThrow('missing unit');
    expect(() => run(rule, 's')).toThrow('invalid duration');
    expect(() => run(rule, '3000000h')).toThrow('invalid duration');
  });
});

describe('standard functions and macros the CRD rules use', () => {
  test('has(), ternary and map literal', () => {
    const r = 'has(self.p) ? (((has(self.s) && has(self.s.m)) ? self.s.m : {}).size() > 0) : true';
    expect(run(r, { p: {} })).toBe(false);
    expect(run(r, { p: {}, s: { m: { app: 'a' } } })).toBe(true);
    expect(run(r, {})).toBe(true);
  });
  test('all() over map keys, int() of a string, size() and contains()', () => {
    expect(run('self.all(key, 0 < int(key) && int(key) <= 65535)', { 8080: {}, 1: {} })).toBe(true);
    expect(run('self.all(key, 0 < int(key) && int(key) <= 65535)', { 0: {} })).toBe(false);
    expect(() => run('self.all(key, 0 < int(key))', { abc: {} })).toThrow('int()');
    expect(run('self.all(key, key.size() != 0)', { '': 'x' })).toBe(false);
    expect(run('!self.contains("*")', 'a*')).toBe(false);
    expect(run('self.size() == 0', '')).toBe(true);
  });
  test('exists_one, startsWith, endsWith, substring, matches, indexOf', () => {
    expect(run('self.exists_one(x, x == "a")', ['a', 'b'])).toBe(true);
    expect(run('self.exists_one(x, x == "a")', ['a', 'a'])).toBe(false);
    expect(run('self.startsWith("spiffe://") || self.endsWith("/sa/x")', 'ns/a/sa/x')).toBe(true);
    expect(run('self.substring(0, 3) == "abc"', 'abcdef')).toBe(true);
    expect(run('self.matches("^[a-z]+$")', 'abc')).toBe(true);
    expect(run('self.indexOf("c")', 'abc')).toBe(2n);
  });
});

describe('Kubernetes library functions added to cel-js', () => {
  const cases: Record<string, [string, unknown, unknown]> = {
    'string.charAt(int): string': ['self.charAt(1)', 'abc', 'b'],
    'string.replace(string, string): string': ['self.replace("a", "x")', 'aba', 'xbx'],
    'string.replace(string, string, int): string': ['self.replace("a", "x", 1)', 'aba', 'xba'],
    'string.find(string): string': ['self.find("[0-9]+")', 'ab12c3', '12'],
    'string.findAll(string): list<string>': ['self.findAll("[0-9]+")', 'ab12c3', ['12', '3']],
    'list.isSorted(): bool': ['self.isSorted()', [1, 2, 2, 5].map(BigInt), true],
    'list.sum(): dyn': ['self.sum()', [1, 2, 3].map(BigInt), 6n],
    'list.min(): dyn': ['self.min()', [3, 1, 2].map(BigInt), 1n],
    'list.max(): dyn': ['self.max()', ['b', 'c', 'a'], 'c'],
    'list.indexOf(dyn): int': ['self.indexOf("b")', ['a', 'b', 'b'], 1n],
    'list.lastIndexOf(dyn): int': ['self.lastIndexOf("b")', ['a', 'b', 'b'], 2n],
    'isIP(string): bool': ['isIP(self)', '2001:db8::1', true],
    'isCIDR(string): bool': ['isCIDR(self)', '10.0.0.0/8', true],
  };
  test('every added function has a case here', () => {
    const added = K8S_FUNCTIONS.map(([sig]) => sig).filter((s) => !s.startsWith('k8sGoDuration'));
    expect(Object.keys(cases).sort()).toEqual([...added].sort());
  });
  test.each(Object.entries(cases))('%s', (_sig, [expr, self, expected]) => {
    expect(run(expr, self)).toEqual(expected);
  });
  test('negative cases', () => {
    expect(run('isIP(self)', '10.0.0.300')).toBe(false);
    expect(run('isCIDR(self)', '10.0.0.1')).toBe(false);
    expect(run('isCIDR(self)', '10.0.0.0/33')).toBe(false);
    expect(run('self.isSorted()', [2n, 1n])).toBe(false);
    expect(() => run('self.min()', [])).toThrow('empty list');
    expect(() => run('self.charAt(9)', 'abc')).toThrow('index out of range');
  });
});

describe('compilation', () => {
  test('a rule compiled again evaluates as when first compiled', () => {
    const first = compileExpression('self.size() > 1');
    const again = compileExpression('self.size() > 1');
    const values = ['', 'a', 'ab', [1n, 2n]];
    expect(values.map((self) => again.evaluate!({ self }))).toEqual([false, false, true, true]);
    expect(values.map((self) => first.evaluate!({ self }))).toEqual([false, false, true, true]);
    expect([again.transition, again.unsupported]).toEqual([first.transition, first.unsupported]);
    expect(compileExpression('self.quantityValue() > 1').unsupported).toEqual(compileExpression('self.quantityValue() > 1').unsupported);
  });
  test('transition rules are recognised', () => {
    expect(compileExpression('self == oldSelf').transition).toBe(true);
    expect(compileExpression('self == "a"').transition).toBe(false);
  });
  test('unknown functions and syntax errors are reported as unsupported, not thrown', () => {
    expect(compileExpression('self.quantityValue() > 1').unsupported).toMatch(/quantityValue/);
    expect(compileExpression('self.(').unsupported).toBeTruthy();
  });
});
