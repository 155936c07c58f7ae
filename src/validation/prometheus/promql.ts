import { fromBytes, toBytes } from './go-strings';
import { typeOf } from './promql-ast';
import type { ValueType } from './promql-functions';
import { ParseError, parseExpr, PromqlParserOptions } from './promql-parser';
import { re2SyntaxError } from './re2-syntax';

export type { PromqlParserOptions } from './promql-parser';

/**
 * PromQL checks exactly as Prometheus v3.13.1 parses (promql/parser): its
 * lexer, its grammar's LALR tables and its checks (checkAST), ported to
 * TypeScript, so an expression Prometheus rejects is rejected here with
 * Prometheus' own message at the same place. Label matcher regexes are
 * parsed as Go's RE2 parser does (re2-syntax.ts).
 */

export type PromqlProblemKind =
  /** The lexer or the grammar does not accept the text. */
  | 'syntax'
  /** It parses, but Prometheus' parser rejects it (types, arity, modifiers, strings, regexes, ranges). */
  | 'semantic'
  /** A feature behind a Prometheus feature flag that the parser options do not enable. */
  | 'experimental';

export interface PromqlProblem {
  readonly kind: PromqlProblemKind;
  /** Prometheus' message, e.g. `unexpected character inside braces: '%'`. */
  readonly message: string;
  /** Offsets into the expression (JavaScript string indices). */
  readonly from: number;
  readonly to: number;
}

export interface PromqlCheck {
  readonly problems: PromqlProblem[];
  /** Type of the whole expression, when it parsed without errors. */
  readonly type?: ValueType;
}

/**
 * The options prometheus-operator v0.93.0's admission webhook parses with:
 * its `--promql-options` flag is empty by default, so parser.Options{} (every
 * experimental feature off), as in a Prometheus without feature flags.
 */
export const WEBHOOK_PARSER_OPTIONS: Required<PromqlParserOptions> = Object.freeze({
  experimentalFunctions: false,
  durationExpressions: false,
  extendedRangeSelectors: false,
  binopFillModifiers: false,
});

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/**
 * Checks one PromQL expression as Prometheus' parser would with the given
 * options (default: the webhook's). Never throws.
 */
export function checkPromQL(expr: string, options: PromqlParserOptions = WEBHOOK_PARSER_OPTIONS): PromqlCheck {
  if (typeof expr !== 'string') {
    return { problems: [{ kind: 'syntax', message: `expected a PromQL expression (a string), got ${typeof expr}`, from: 0, to: 0 }] };
  }
  try {
    const bytes = toBytes(expr);
    const result = parseExpr(bytes, options, regexProblem);
    const offset = offsetMap(expr, bytes);
    const toProblem = (e: ParseError, kind: PromqlProblemKind): PromqlProblem =>
      ({ kind, message: fromBytes(e.message), from: offset(e.start), to: offset(Math.max(e.start, e.end)) });
    const problems = result.errors.map((e) => toProblem(e, e.origin));
    if (result.errors.length > 0 || !result.expr) return { problems };
    return { problems, type: typeOf(result.expr) };
  } catch (e) {
    // A bug here must not hide the rule's other findings.
    return { problems: [{ kind: 'syntax', message: `internal error of the PromQL parser: ${(e as Error).message}`, from: 0, to: expr.length }] };
  }
}

/** Maps Go byte offsets to JavaScript string offsets. */
function offsetMap(expr: string, bytes: string): (byteOffset: number) => number {
  if (bytes === expr) return (b) => Math.min(b, expr.length);
  const map: number[] = [];
  for (let i = 0; i < expr.length; i++) {
    const cp = expr.codePointAt(i)!;
    const width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) map.push(i);
    if (cp >= 0x10000) i++;
  }
  return (b) => (b >= map.length ? expr.length : map[b]);
}

const REGEX_META = /[\\.+*?()|[\]{}^$]/;

/** What labels.NewMatcher says about a regex (the pattern is a byte string). */
function regexProblem(patternBytes: string): string | undefined {
  // Literals and alternations of literals are matched as strings, never compiled (labels.optimizeAlternatingLiterals).
  if (patternBytes.split('|').every((part) => !REGEX_META.test(part))) return undefined;
  return re2SyntaxError(patternBytes);
}
