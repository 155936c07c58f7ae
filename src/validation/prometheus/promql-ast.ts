import type { ValueType } from './promql-functions';
import { PromqlFunction } from './promql-functions';

/**
 * The PromQL syntax tree as Prometheus' parser builds it (promql/parser/ast.go),
 * with the fields its checks read. Positions are byte offsets (Go's).
 */

export interface PositionRange {
  readonly start: number;
  readonly end: number;
}

export interface NumberLiteral {
  readonly kind: 'number';
  val: number;
  posRange: { start: number; end: number };
}

export interface StringLiteral {
  readonly kind: 'string';
  readonly val: string;
  readonly posRange: PositionRange;
}

export interface Matcher {
  readonly type: 'EQ' | 'NEQ' | 'RE' | 'NRE';
  readonly name: string;
  readonly value: string;
}

export interface VectorSelector {
  readonly kind: 'vector';
  name: string;
  matchers: (Matcher | undefined)[];
  posRange: { start: number; end: number };
  /** OriginalOffset in nanoseconds (0: none) and the offset expression, if any. */
  offsetNs: number;
  offsetExpr?: DurationExpr;
  hasTimestamp: boolean;
  /** START or END when `@ start()` / `@ end()`. */
  startOrEnd?: number;
  anchored: boolean;
  smoothed: boolean;
  bypassEmptyMatcherCheck: boolean;
}

export interface MatrixSelector {
  readonly kind: 'matrix';
  readonly vectorSelector: Expr;
  endPos: number;
}

export interface SubqueryExpr {
  readonly kind: 'subquery';
  readonly expr: Expr;
  endPos: number;
  offsetNs: number;
  offsetExpr?: DurationExpr;
  hasTimestamp: boolean;
  startOrEnd?: number;
}

export interface ParenExpr {
  readonly kind: 'paren';
  readonly expr: Expr;
  readonly posRange: PositionRange;
}

export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: number;
  readonly expr: Expr;
  readonly startPos: number;
}

export interface VectorMatching {
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  matchingLabels: string[];
  on: boolean;
  include: string[];
  fillLHS?: number;
  fillRHS?: number;
}

export interface BinaryExpr {
  readonly kind: 'binary';
  op: number;
  lhs: Expr;
  rhs: Expr;
  vectorMatching: VectorMatching | undefined;
  returnBool: boolean;
  /** The type, fixed once both operands are known (saves walking long operator chains). */
  type?: ValueType;
}

export interface Call {
  readonly kind: 'call';
  readonly func: PromqlFunction | undefined;
  readonly name: string;
  readonly args: Expr[];
  readonly posRange: PositionRange;
}

export interface AggregateExpr {
  readonly kind: 'aggregate';
  op: number;
  expr?: Expr;
  param?: Expr;
  grouping: string[] | undefined;
  without: boolean;
  posRange: PositionRange;
}

export interface DurationExpr {
  readonly kind: 'duration';
  readonly op: number;
  readonly lhs?: Expr;
  readonly rhs?: Expr;
  wrapped: boolean;
  readonly startPos: number;
  readonly endPos: number;
}

export type Expr = NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | SubqueryExpr | ParenExpr | UnaryExpr | BinaryExpr | Call
| AggregateExpr | DurationExpr;

/** Expr.Type(). Loops instead of recursing: operator chains can be thousands deep. */
export function typeOf(e: Expr): ValueType {
  while (e.kind === 'paren' || e.kind === 'unary') e = e.expr;
  switch (e.kind) {
    case 'number':
    case 'duration': return 'scalar';
    case 'string': return 'string';
    case 'vector':
    case 'aggregate': return 'vector';
    case 'matrix':
    case 'subquery': return 'matrix';
    case 'call': return e.func ? e.func.returnType : 'none';
    case 'binary': return e.type ?? (typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector');
  }
}

/** Where an expression starts (the start of Node.PositionRange()). */
function startOf(e: Expr): number {
  for (;;) {
    switch (e.kind) {
      case 'matrix': e = e.vectorSelector; break;
      case 'subquery': e = e.expr; break;
      case 'binary': e = e.lhs; break;
      case 'unary': return e.startPos;
      case 'duration':
        if (e.lhs && e.rhs) e = e.lhs;
        else return e.startPos;
        break;
      default: return e.posRange.start;
    }
  }
}

/** Where an expression ends (the end of Node.PositionRange()). */
function endOf(e: Expr): number {
  for (;;) {
    switch (e.kind) {
      case 'matrix':
      case 'subquery': return e.endPos;
      case 'binary':
      case 'unary': e = e.kind === 'binary' ? e.rhs : e.expr; break;
      case 'duration':
        if (e.rhs) e = e.rhs;
        else if (e.lhs) e = e.lhs;
        else return e.endPos;
        break;
      default: return e.posRange.end;
    }
  }
}

/** Node.PositionRange(). */
export function rangeOf(e: Expr): PositionRange {
  return { start: startOf(e), end: endOf(e) };
}
