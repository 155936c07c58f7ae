import { isIP } from 'net';
import type { Environment } from '@marcbachmann/cel-js';
import { compileFastRule, NOT_DECIDED } from './fast-rules';
import { celList } from './maps';
import { parseGoDurationNanos } from '../../vocabulary/duration';

/** The name `duration(string)` calls are rewritten to, so they parse durations exactly as Go does. */
const GO_DURATION = 'k8sGoDuration';

let sharedEnv: Environment | undefined;

type CelJs = typeof import('@marcbachmann/cel-js');
let celJsModule: CelJs | undefined;

/**
 * cel-js, required on first use so that importing the validators stays cheap.
 * It is ESM-only: it is loaded with Node's own require (Node >= 20.19 loads
 * ESM synchronously), never a test runner's replacement, which cannot (jest 29
 * in a `cdk8s init` app).
 */
function celJs(): CelJs {
  celJsModule ??= process.getBuiltinModule('module').createRequire(__filename)('@marcbachmann/cel-js') as CelJs;
  return celJsModule;
}

type DurationClass = new (seconds: bigint, nanos: number) => object;
let durationClass: DurationClass | undefined;

/**
 * The CEL environment of CRD validation rules: cel-js's standard library
 * (which already has the string extensions `contains`, `startsWith`,
 * `endsWith`, `matches`, `indexOf`, `lastIndexOf`, `substring`, `split`,
 * `lowerAscii`, `upperAscii`, `trim`, `join` and the macros `has`, `all`,
 * `exists`, `exists_one`, `map`, `filter`, `cel.bind`) plus the parts of the
 * Kubernetes CEL libraries it lacks, listed in {@link K8S_FUNCTIONS}. Built on
 * first use (cel-js itself is required then).
 */
export function celEnvironment(): Environment {
  if (!sharedEnv) {
    const { Environment } = celJs();
    const env = new Environment({ unlistedVariablesAreDyn: false })
      .registerVariable('self', 'dyn')
      .registerVariable('oldSelf', 'dyn');
    // cel-js's Duration class (not exported from the CommonJS-visible entry point), taken from a value it builds
    const duration = new Environment().evaluate('duration("0s")') as object;
    durationClass = duration.constructor as DurationClass;
    for (const [signature, handler] of K8S_FUNCTIONS) env.registerFunction(signature, handler);
    sharedEnv = env;
  }
  return sharedEnv;
}

type Handler = (...args: any[]) => unknown;

function fail(message: string): never {
  throw new Error(message);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return fail('list elements are not comparable');
}

function extreme(list: unknown[], sign: number): unknown {
  if (list.length === 0) fail('min/max of an empty list');
  return list.reduce((best, v) => (compare(v, best) * sign > 0 ? v : best));
}

function goRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch (e) {
    return fail(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

/**
 * Kubernetes CEL library functions (k8s.io/apiserver/pkg/cel/library and the
 * cel-go ext strings library) that cel-js does not provide. `duration(string)`
 * is re-implemented because cel-js accepts strings Go rejects (`s`, overflow)
 * and rejects `0`, which Go accepts.
 */
export const K8S_FUNCTIONS: readonly (readonly [string, Handler])[] = [
  [`${GO_DURATION}(string): google.protobuf.Duration`, (s: string) => {
    const nanos = parseGoDurationNanos(s);
    return new durationClass!(nanos / 1_000_000_000n, Number(nanos % 1_000_000_000n));
  }],
  [`${GO_DURATION}(google.protobuf.Duration): google.protobuf.Duration`, (d: unknown) => d],
  ['string.charAt(int): string', (s: string, i: bigint) => {
    const chars = [...s];
    if (i < 0n || i > BigInt(chars.length)) fail(`index out of range: ${i}`);
    return chars[Number(i)] ?? '';
  }],
  ['string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b)],
  ['string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
    if (n < 0n) return s.split(a).join(b);
    let out = s;
    let from = 0;
    for (let k = 0n; k < n; k++) {
      const at = out.indexOf(a, from);
      if (at < 0) break;
      out = out.slice(0, at) + b + out.slice(at + a.length);
      from = at + b.length;
    }
    return out;
  }],
  ['string.find(string): string', (s: string, re: string) => goRegex(re).exec(s)?.[0] ?? ''],
  ['string.findAll(string): list<string>', (s: string, re: string) => celList([...s.matchAll(new RegExp(goRegex(re).source, 'gu'))].map((m) => m[0]))],
  ['list.isSorted(): bool', (l: unknown[]) => l.every((v, i) => i === 0 || compare(l[i - 1], v) <= 0)],
  ['list.sum(): dyn', (l: unknown[]) => (l.length === 0 ? 0n : l.reduce((a: any, b: any) => a + b))],
  ['list.min(): dyn', (l: unknown[]) => extreme(l, -1)],
  ['list.max(): dyn', (l: unknown[]) => extreme(l, 1)],
  ['list.indexOf(dyn): int', (l: unknown[], v: unknown) => BigInt(l.findIndex((x) => x === v))],
  ['list.lastIndexOf(dyn): int', (l: unknown[], v: unknown) => {
    for (let i = l.length - 1; i >= 0; i--) if (l[i] === v) return BigInt(i);
    return -1n;
  }],
  ['isIP(string): bool', (s: string) => isIP(s) !== 0 && !s.includes('%')],
  ['isCIDR(string): bool', (s: string) => {
    const [ip, bits, extra] = s.split('/');
    const family = isIP(ip ?? '');
    return extra === undefined && family !== 0 && /^[0-9]{1,3}$/.test(bits ?? '') && Number(bits) <= (family === 4 ? 32 : 128);
  }],
];

/** A compiled rule or expression: evaluate it with `{ self }`. */
export type CompiledExpression = (context: Record<string, unknown>) => unknown;

export interface CompiledRule {
  readonly evaluate?: CompiledExpression;
  /** Why the expression cannot be evaluated here (parse error or unsupported function). */
  readonly unsupported?: string;
  /** True when the rule reads `oldSelf` (a transition rule: only evaluated on update). */
  readonly transition: boolean;
}

const cache = new Map<string, CompiledRule>();

/** Compiles a CEL expression once per process (cached by its text). */
export function compileExpression(source: string): CompiledRule {
  let compiled = cache.get(source);
  if (!compiled) {
    compiled = compileUncached(source);
    cache.set(source, compiled);
  }
  return compiled;
}

function compileUncached(source: string): CompiledRule {
  const env = celEnvironment();
  try {
    const parsed = env.parse(source) as unknown as { ast: unknown };
    let transition = false;
    let rewrote = false;
    walkAst(parsed.ast, (node) => {
      if (node.op === 'id' && node.args === 'oldSelf') transition = true;
      if (node.op === 'call' && Array.isArray(node.args) && node.args[0] === 'duration') {
        node.args[0] = GO_DURATION;
        rewrote = true;
      }
    });
    const program = rewrote ? env.parse(celJs().serialize(parsed.ast as never)) : env.parse(source);
    const check = env.check(source);
    if (!check.valid) return { unsupported: firstLine(check.error?.message), transition };
    // The common case in closures; cel-js for the rest, and for every value the closures leave undecided.
    const fast = compileFastRule(program.ast);
    if (!fast) return { evaluate: (ctx) => program(ctx), transition };
    return {
      evaluate: (ctx) => {
        const decided = fast(ctx.self);
        return decided !== NOT_DECIDED ? decided : program(ctx);
      },
      transition,
    };
  } catch (e) {
    return { unsupported: firstLine((e as Error).message), transition: /\boldSelf\b/.test(source) };
  }
}

interface AstNode { op: string; args: unknown }

function walkAst(node: unknown, visit: (n: AstNode) => void): void {
  if (Array.isArray(node)) {
    node.forEach((n) => walkAst(n, visit));
    return;
  }
  if (typeof node !== 'object' || node === null || typeof (node as AstNode).op !== 'string') return;
  visit(node as AstNode);
  walkAst((node as AstNode).args, visit);
}

/** The one-line summary of a cel-js error (its message carries a source excerpt below). */
export function firstLine(message: string | undefined): string {
  return (message ?? 'unknown error').split('\n')[0].trim();
}
