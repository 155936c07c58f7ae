import type { ASTNode } from '@marcbachmann/cel-js';
import { isCelMapObject } from './maps';

/**
 * A CRD rule compiled to JavaScript closures for the values it meets most:
 * maps, lists, strings, ints, doubles and bools, read with the plain meaning
 * every CEL implementation gives them. It answers only when it can answer
 * with certainty; for anything else (an error, a value or type it does not
 * handle, a result that is not a bool) it returns {@link NOT_DECIDED}, and the
 * rule is evaluated by cel-js, whose answer is the reference. Errors are never
 * its to word: an expression that would fail is handed over whole, so CEL's
 * error absorption (`error || true`) is cel-js's too.
 */
export type FastRule = (self: unknown) => boolean | typeof NOT_DECIDED;

/** The answer of a {@link FastRule} that leaves the rule to cel-js. */
export const NOT_DECIDED: unique symbol = Symbol('not decided');

/** Thrown inside a FastRule where it cannot decide; never leaves this module. */
const UNDECIDED = Object.freeze({ undecided: true });

/** Slot 0 holds `self`, the next ones the variables of the macros around (all, exists, exists_one). */
type Scope = unknown[];
type Compiled = (scope: Scope) => unknown;

/**
 * The closures of a parsed rule (cel-js's public `ast`), or undefined when it
 * uses an operator, function, macro or literal outside the handled subset:
 * then cel-js always evaluates it.
 */
export function compileFastRule(ast: ASTNode): FastRule | undefined {
  const body = compile(ast, ['self']);
  if (!body) return undefined;
  return (self) => {
    try {
      const r = body([self]);
      return typeof r === 'boolean' ? r : NOT_DECIDED;
    } catch {
      // UNDECIDED, or any other failure: cel-js decides (and words the error, if any).
      return NOT_DECIDED;
    }
  };
}

function undecided(): never {
  throw UNDECIDED;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function int64(v: bigint): bigint {
  return v < INT64_MIN || v > INT64_MAX ? undecided() : v;
}

/** A string whose UTF-16 units are its code points (no surrogates): where length and ordering mean the same in CEL. */
function isBmpOnly(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return false;
  }
  return true;
}

function bool(v: unknown): boolean {
  return typeof v === 'boolean' ? v : undecided();
}

/** Equality of two values of one primitive type (or two nulls); anything else is left to cel-js. */
function equal(a: unknown, b: unknown): boolean {
  if (a === null && b === null) return true;
  const t = typeof a;
  if (t !== typeof b || a === null || b === null || (t !== 'string' && t !== 'boolean' && t !== 'bigint' && t !== 'number')) return undecided();
  return a === b;
}

/** `a op b` for two ints, two doubles or two strings without surrogates (where UTF-16 order is code point order); NaN compares false. */
function ordered(op: string, a: unknown, b: unknown): boolean {
  const t = typeof a;
  if (t !== typeof b || (t !== 'bigint' && t !== 'number' && t !== 'string')) return undecided();
  if (t === 'string' && (!isBmpOnly(a as string) || !isBmpOnly(b as string))) return undecided();
  const x = a as number;
  const y = b as number;
  switch (op) {
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    default: return x >= y;
  }
}

function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') return int64(op === '+' ? a + b : op === '-' ? a - b : a * b);
  if (typeof a === 'number' && typeof b === 'number') return op === '+' ? a + b : op === '-' ? a - b : a * b;
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  return undecided();
}

/** The field `key` of a map, when present; absent (an error in CEL) or anything but a map is left to cel-js. */
function field(v: unknown, key: unknown): unknown {
  if (typeof key !== 'string' || !isCelMapObject(v) || !Object.hasOwn(v, key)) return undecided();
  const x = (v as Record<string, unknown>)[key];
  return x === undefined ? undecided() : x;
}

function sizeOf(v: unknown): bigint {
  if (typeof v === 'string') return isBmpOnly(v) ? BigInt(v.length) : undecided();
  if (Array.isArray(v)) return BigInt(v.length);
  if (isCelMapObject(v)) return BigInt(Object.keys(v).length);
  return undecided();
}

/** `int(v)` for an int, or a string of decimal digits in range (other spellings cel-js reads its own way). */
function toInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && /^(0|-?[1-9][0-9]{0,18})$/.test(v)) return int64(BigInt(v));
  return undecided();
}

/** What a comprehension ranges over: a list's items, a map's keys. */
function rangeOf(v: unknown): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (isCelMapObject(v)) return Object.keys(v);
  return undecided();
}

const EMPTY_MAP: unknown = Object.freeze(Object.create(null));

function compile(node: ASTNode, names: readonly string[]): Compiled | undefined {
  switch (node.op) {
    case 'value': {
      const v = node.args;
      // uint and bytes literals have types of their own.
      if (v !== null && typeof v === 'object') return undefined;
      return () => v;
    }
    case 'id': {
      const slot = names.lastIndexOf(node.args);
      return slot < 0 ? undefined : (s) => s[slot];
    }
    case '.': {
      const [target, key] = node.args;
      const t = compile(target, names);
      return t && ((s) => field(t(s), key));
    }
    case '[]': {
      const t = compile(node.args[0], names);
      const k = compile(node.args[1], names);
      if (!t || !k) return undefined;
      return (s) => {
        const v = t(s);
        const key = k(s);
        if (Array.isArray(v)) return typeof key === 'bigint' && key >= 0n && key < BigInt(v.length) ? v[Number(key)] : undecided();
        return field(v, key);
      };
    }
    case '!_': {
      const a = compile(node.args, names);
      return a && ((s) => !bool(a(s)));
    }
    case '-_': {
      const a = compile(node.args, names);
      return a && ((s) => {
        const v = a(s);
        if (typeof v === 'bigint') return int64(-v);
        return typeof v === 'number' ? -v : undecided();
      });
    }
    case '&&':
    case '||': {
      const a = compile(node.args[0], names);
      const b = compile(node.args[1], names);
      if (!a || !b) return undefined;
      // With no error on either side, CEL's commutative operators are JavaScript's.
      return node.op === '&&' ? (s) => bool(a(s)) && bool(b(s)) : (s) => bool(a(s)) || bool(b(s));
    }
    case '?:': {
      const [c, y, n] = node.args.map((x) => compile(x, names));
      if (!c || !y || !n) return undefined;
      return (s) => (bool(c(s)) ? y(s) : n(s));
    }
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case '+':
    case '-':
    case '*':
    case 'in':
      return binary(node.op, node.args, names);
    case 'list': {
      const items = node.args.map((x) => compile(x, names));
      if (items.some((x) => !x)) return undefined;
      return (s) => items.map((x) => x!(s));
    }
    case 'map':
      return node.args.length === 0 ? () => EMPTY_MAP : undefined;
    case 'call':
      return call(node.args[0], node.args[1], names);
    case 'rcall':
      return receiverCall(node.args[0], node.args[1], node.args[2], names);
    default:
      return undefined;
  }
}

function binary(op: string, args: readonly [ASTNode, ASTNode], names: readonly string[]): Compiled | undefined {
  const a = compile(args[0], names);
  const b = compile(args[1], names);
  if (!a || !b) return undefined;
  switch (op) {
    case '==': return (s) => equal(a(s), b(s));
    case '!=': return (s) => !equal(a(s), b(s));
    case 'in': return (s) => {
      const x = a(s);
      const c = b(s);
      if (Array.isArray(c)) {
        let found = false;
        for (const item of c) found = equal(x, item) || found;
        return found;
      }
      if (typeof x === 'string' && isCelMapObject(c)) return Object.hasOwn(c, x);
      return undecided();
    };
    case '+':
    case '-':
    case '*':
      return (s) => arithmetic(op, a(s), b(s));
    default:
      return (s) => ordered(op, a(s), b(s));
  }
}

function call(name: string, args: readonly ASTNode[], names: readonly string[]): Compiled | undefined {
  if (args.length !== 1) return undefined;
  if (name === 'has') {
    const arg = args[0];
    if (arg.op !== '.') return undefined;
    const t = compile(arg.args[0], names);
    const key = arg.args[1];
    return t && ((s) => {
      const v = t(s);
      if (!isCelMapObject(v)) return undecided();
      if (!Object.hasOwn(v, key)) return false;
      const x = (v as Record<string, unknown>)[key];
      return x === null || x === undefined ? undecided() : true;
    });
  }
  const a = compile(args[0], names);
  if (!a) return undefined;
  if (name === 'size') return (s) => sizeOf(a(s));
  if (name === 'int') return (s) => toInt(a(s));
  return undefined;
}

const STRING_TESTS: Readonly<Record<string, (s: string, x: string) => boolean>> = {
  contains: (s, x) => s.includes(x),
  startsWith: (s, x) => s.startsWith(x),
  endsWith: (s, x) => s.endsWith(x),
};

function receiverCall(name: string, target: ASTNode, args: readonly ASTNode[], names: readonly string[]): Compiled | undefined {
  const t = compile(target, names);
  if (!t) return undefined;
  if (name === 'all' || name === 'exists' || name === 'exists_one') {
    const [variable, predicate] = args;
    if (args.length !== 2 || variable.op !== 'id') return undefined;
    const slot = names.length;
    const p = compile(predicate, [...names, variable.args]);
    if (!p) return undefined;
    return (s) => {
      const range = rangeOf(t(s));
      let trues = 0;
      // The variable's slot is this comprehension's own: the scope is written in place.
      for (const item of range) {
        s[slot] = item;
        const r = bool(p(s));
        if (name === 'all' && !r) return false;
        if (name === 'exists' && r) return true;
        if (r) trues++;
      }
      return name === 'all' ? true : name === 'exists' ? false : trues === 1;
    };
  }
  if (name === 'size' && args.length === 0) return (s) => sizeOf(t(s));
  const test = Object.hasOwn(STRING_TESTS, name) ? STRING_TESTS[name] : undefined;
  if (test && args.length === 1) {
    const a = compile(args[0], names);
    return a && ((s) => {
      const v = t(s);
      const x = a(s);
      return typeof v === 'string' && typeof x === 'string' ? test(v, x) : undecided();
    });
  }
  return undefined;
}
