import { formatF, parseFloat64, parseIntBase0, quote, unquote, validUtf8 } from './go-strings';
import {
  AggregateExpr, BinaryExpr, DurationExpr, Expr, Matcher, NumberLiteral, PositionRange, rangeOf, typeOf, VectorMatching, VectorSelector,
} from './promql-ast';
import { PROMQL_FUNCTIONS } from './promql-functions';
import { PRODUCTIONS, T, TABLES } from './promql-grammar';
import { describeItem, Item, Lexer, tokenText } from './promql-lexer';
import { checkAST } from './promql-typecheck';

/**
 * Prometheus' PromQL parser (promql/parser/parse.go and the actions of
 * generated_parser.y, v3.13.1): goyacc's tables drive a yacc-style LALR(1)
 * loop with the same error recovery, and the actions below build the tree and
 * report the same errors, at the same byte positions, in the same order.
 */

/** parser.Options: the feature flags a Prometheus (or the operator's webhook) may enable. */
export interface PromqlParserOptions {
  /** --enable-feature=promql-experimental-functions / webhook `--promql-options=experimental-functions`. */
  readonly experimentalFunctions?: boolean;
  /** --enable-feature=promql-duration-expr / `duration-expression-parsing`. */
  readonly durationExpressions?: boolean;
  /** --enable-feature=promql-extended-range-selectors / `extended-range-selectors`. */
  readonly extendedRangeSelectors?: boolean;
  /** --enable-feature=promql-binop-fill-modifiers / `binop-fill-modifiers`. */
  readonly binopFillModifiers?: boolean;
}

/** Where an error comes from: the grammar and lexer, a check, or a feature flag that is off. */
export type ParseErrorOrigin = 'syntax' | 'semantic' | 'experimental';

export interface ParseError {
  /** Byte offsets into the expression, as Prometheus reports them. */
  readonly start: number;
  readonly end: number;
  /** Prometheus' message (a byte string). */
  readonly message: string;
  readonly origin: ParseErrorOrigin;
}

export interface ParseResult {
  readonly expr?: Expr;
  readonly errors: ParseError[];
}

/** Judges the regex of a label matcher as labels.NewMatcher does: Go's error text, or undefined when it compiles. */
export type RegexCheck = (pattern: string) => string | undefined;

const FLAG = -1000;
const ERR_CODE = 2;
const EOF_CODE = 1;
const MAX_INT64_FLOAT = 9223372036854775807;
const MIN_INT64_FLOAT = -9223372036854775808;

/** A value on the parser stack: a token, a node, a list, a number... as the production says. */
type Value = unknown;
type Action = ($: Value[], p: Parser) => Value;

/** Aggregators that take a parameter (IsAggregatorWithParam). */
const PARAM_AGGREGATORS: readonly number[] = [T.TOPK, T.BOTTOMK, T.COUNT_VALUES, T.QUANTILE, T.LIMITK, T.LIMIT_RATIO];

const NO_ITEM: Item = { typ: 0, pos: 0, val: '' };

function itemRange(i: Item): PositionRange {
  return { start: i.pos, end: i.pos + i.val.length };
}

function asNumber(v: Value): NumberLiteral | undefined {
  return (v as Expr | undefined)?.kind === 'number' ? v as NumberLiteral : undefined;
}

/** durationLiteralOutOfRange: the seconds do not fit a time.Duration. */
function durationOutOfRange(seconds: number): boolean {
  return seconds > 9223372036.854775807 || seconds < -9223372036.854775808;
}

/** Go's math.Round (halves away from zero). */
function goRound(x: number): number {
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

const UNITS: Record<string, [number, bigint]> = {
  ms: [7, 1000000n],
  s: [6, 1000000000n],
  m: [5, 60000000000n],
  h: [4, 3600000000000n],
  d: [3, 86400000000000n],
  w: [2, 604800000000000n],
  y: [1, 31536000000000000n],
};
const MAX_DURATION = 9223372036854775807n;

/** model.ParseDuration (prometheus/common), in seconds as time.Duration.Seconds() gives them. */
export function parsePromDuration(s: string): { seconds: number; error?: string } {
  if (s === '0') return { seconds: 0 };
  if (s === '') return { seconds: 0, error: 'empty duration string' };
  const invalid = { seconds: 0, error: `not a valid duration string: ${quote(s)}` };
  let rest = s;
  let ns = 0n;
  let lastUnit = 0;
  while (rest !== '') {
    const digits = /^[0-9]*/.exec(rest)![0];
    if (digits === '') return invalid;
    const v = BigInt(digits);
    if (v > 18446744073709551615n) return invalid;
    rest = rest.slice(digits.length);
    const unitText = /^[^0-9]*/.exec(rest)![0];
    if (unitText === '') return invalid;
    rest = rest.slice(unitText.length);
    const unit = Object.prototype.hasOwnProperty.call(UNITS, unitText) ? UNITS[unitText] : undefined;
    if (!unit) return { seconds: 0, error: `unknown unit ${quote(unitText)} in duration ${quote(s)}` };
    if (unit[0] <= lastUnit) return invalid;
    lastUnit = unit[0];
    if (v > 9223372036854775808n / unit[1]) return { seconds: 0, error: 'duration out of range' };
    ns += v * unit[1];
    if (ns > MAX_DURATION) return { seconds: 0, error: 'duration out of range' };
  }
  return { seconds: Number(ns / 1000000000n) + Number(ns % 1000000000n) / 1e9 };
}

export class Parser {
  readonly errors: ParseError[] = [];
  lval: Item = NO_ITEM;
  lastClosing = 0;
  result: Expr | undefined;
  private injecting = false;
  private inject = 0;

  constructor(readonly lex: Lexer, readonly options: PromqlParserOptions, readonly regexCheck: RegexCheck) {}

  addError(range: PositionRange, message: string, origin: ParseErrorOrigin = 'semantic'): void {
    this.errors.push({ start: range.start, end: range.end, message, origin });
  }

  /** parser.unexpected: complains about the last token read, unless the lexer already did. */
  unexpected(context: string, expected: string): void {
    if (this.lval.typ === T.ERROR) return;
    let msg = `unexpected ${describeItem(this.lval)}`;
    if (context !== '') msg += ` in ${context}`;
    if (expected !== '') msg += `, expected ${expected}`;
    this.addError(itemRange(this.lval), msg, 'syntax');
  }

  /** parser.Lex: the next token number for the tables (0 ends the input). */
  nextToken(): number {
    if (this.injecting) {
      this.injecting = false;
      return this.inject;
    }
    let item: Item;
    do item = this.lex.nextItem(); while (item.typ === T.COMMENT);
    this.lval = item;
    switch (item.typ) {
      case T.ERROR:
        this.addError({ start: this.lex.start, end: this.lex.input.length }, item.val, 'syntax');
        return 0;
      case T.EOF:
        this.injectItem(0);
        break;
      case T.RIGHT_BRACE:
      case T.RIGHT_PAREN:
      case T.RIGHT_BRACKET:
      case T.DURATION:
      case T.NUMBER:
        this.lastClosing = item.pos + item.val.length;
        break;
    }
    return item.typ;
  }

  injectItem(typ: number): void {
    this.inject = typ;
    this.injecting = true;
  }

  /** The yacc loop (goyacc's yyParse), over the generated tables. */
  run(): void {
    const { act, pact, pgo, r1, r2, chk, def, exca, last } = TABLES;
    const states: number[] = [];
    const values: Value[] = [];
    let sp = -1;
    let state = 0;
    let char = -1;
    let token = -1;
    let errflag = 0;
    let val: Value;
    const read = () => {
      char = this.nextToken();
      token = char <= 0 ? EOF_CODE : char;
    };
    let push = true;
    for (;;) {
      if (push) {
        sp++;
        states[sp] = state;
        values[sp] = val;
      }
      push = true;
      let n = pact[state];
      if (n > FLAG) {
        if (char < 0) read();
        n += token;
        if (n >= 0 && n < last && chk[act[n]] === token) {
          state = act[n];
          char = -1;
          token = -1;
          val = this.lval;
          if (errflag > 0) errflag--;
          continue;
        }
      }
      n = def[state];
      if (n === -2) {
        if (char < 0) read();
        let xi = 0;
        while (exca[xi] !== -1 || exca[xi + 1] !== state) xi += 2;
        for (xi += 2; ; xi += 2) {
          const t = exca[xi];
          if (t < 0 || t === token) break;
        }
        n = exca[xi + 1];
        if (n < 0) return; // accepted
      }
      if (n === 0) {
        if (errflag === 3) {
          // Still recovering: drop the token and try again in the same state.
          if (token === EOF_CODE) return;
          char = -1;
          token = -1;
          push = false;
          continue;
        }
        errflag = 3;
        // Pop to a state that can shift "error".
        let recovered = false;
        while (sp >= 0) {
          const e = pact[states[sp]] + ERR_CODE;
          if (e >= 0 && e < last && chk[act[e]] === ERR_CODE) {
            state = act[e];
            recovered = true;
            break;
          }
          sp--;
        }
        if (!recovered) return;
        continue;
      }
      // Reduce by production n.
      const top = sp;
      sp -= r2[n];
      val = r2[n] > 0 ? values[sp + 1] : undefined;
      const lhs = r1[n];
      const g = pgo[lhs];
      const j = g + states[sp] + 1;
      if (j >= last) {
        state = act[g];
      } else {
        state = act[j];
        if (chk[state] !== -lhs) state = act[g];
      }
      const action = ACTIONS[n];
      if (action) val = action(values.slice(sp, top + 1), this);
    }
  }

  /** parser.number: ParseInt(s, 0, 64), else ParseFloat. */
  number(text: string): number {
    const i = parseIntBase0(text);
    if (!i.error) return i.value;
    const f = parseFloat64(text);
    if (f.error) this.addError(itemRange(this.lval), `error parsing number: ${f.error}`);
    return f.value;
  }

  unquoteString(s: string): string {
    const u = unquote(s);
    if (u === undefined) {
      this.addError(itemRange(this.lval), `error unquoting string ${quote(s)}: invalid syntax`);
      return '';
    }
    return u;
  }

  durationLiteral(item: Item): NumberLiteral {
    const d = parsePromDuration(item.val);
    if (d.error) this.addError(itemRange(item), d.error);
    return { kind: 'number', val: d.seconds, posRange: itemRange(item) };
  }

  experimentalDurationExpr(e: Expr): void {
    if (!this.options.durationExpressions) this.addError(rangeOf(e), 'experimental duration expression is not enabled', 'experimental');
  }

  newAggregateExpr(op: Item, modifier: AggregateExpr, args: Expr[], overread: boolean): AggregateExpr {
    const ret = modifier;
    ret.posRange = { start: op.pos, end: overread ? this.lex.findPrevRightParen(this.lastClosing) : this.lastClosing };
    ret.op = op.typ;
    if (args.length === 0) {
      this.addError(ret.posRange, 'no arguments for aggregate expression provided');
      return ret;
    }
    let desired = 1;
    if (PARAM_AGGREGATORS.includes(op.typ)) {
      if (!this.options.experimentalFunctions && (op.typ === T.LIMITK || op.typ === T.LIMIT_RATIO)) {
        this.addError(ret.posRange, `${tokenText(op.typ)}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`,
          'experimental');
        return ret;
      }
      desired = 2;
      ret.param = args[0];
    }
    if (args.length !== desired) {
      this.addError(ret.posRange, `wrong number of arguments for aggregate expression provided, expected ${desired}, got ${args.length}`);
      return ret;
    }
    ret.expr = args[desired - 1];
    return ret;
  }

  newBinaryExpression(lhs: Expr, op: Item, modifiers: BinaryExpr, rhs: Expr): BinaryExpr {
    const ret = modifiers;
    ret.lhs = lhs;
    ret.rhs = rhs;
    ret.op = op.typ;
    ret.type = typeOf(lhs) === 'scalar' && typeOf(rhs) === 'scalar' ? 'scalar' : 'vector';
    const vm = ret.vectorMatching!;
    if (!this.options.binopFillModifiers && (vm.fillLHS !== undefined || vm.fillRHS !== undefined)) {
      this.addError(rangeOf(ret), 'binop fill modifiers are experimental and not enabled', 'experimental');
    }
    return ret;
  }

  newLabelMatcher(label: Item, operator: Item, value: Item): Matcher {
    const val = this.unquoteString(value.val);
    const type = operator.typ === T.EQL ? 'EQ' : operator.typ === T.NEQ ? 'NEQ' : operator.typ === T.EQL_REGEX ? 'RE' : 'NRE';
    if (type === 'RE' || type === 'NRE') {
      const problem = this.regexCheck(val);
      if (problem !== undefined) this.addError({ start: label.pos, end: value.pos + value.val.length }, problem);
    }
    return { type, name: label.val, value: val };
  }

  functionCall(name: Item, args: Expr[]): Expr {
    const fn = Object.prototype.hasOwnProperty.call(PROMQL_FUNCTIONS, name.val) ? PROMQL_FUNCTIONS[name.val] : undefined;
    if (!fn) this.addError(itemRange(name), `unknown function with name ${quote(name.val)}`);
    if (fn?.experimental && !this.options.experimentalFunctions) this.addError(itemRange(name), `function ${quote(name.val)} is not enabled`, 'experimental');
    return { kind: 'call', func: fn, name: name.val, args, posRange: { start: name.pos, end: this.lastClosing } };
  }

  /** The selector an offset or @ applies to, with where its end position lives; undefined after reporting why not. */
  private modifierTarget(e: Expr, what: 'offset' | '@'): { owner: VectorSelector | Extract<Expr, { kind: 'subquery' }>; setEnd: (p: number) => void } | undefined {
    switch (e.kind) {
      case 'vector': return { owner: e, setEnd: (p) => { e.posRange.end = p; } };
      case 'matrix':
        if (e.vectorSelector.kind !== 'vector') {
          this.addError(rangeOf(e), 'ranges only allowed for vector selectors');
          return undefined;
        }
        return { owner: e.vectorSelector, setEnd: (p) => { e.endPos = p; } };
      case 'subquery': return { owner: e, setEnd: (p) => { e.endPos = p; } };
      default:
        this.addError(rangeOf(e), `${what === 'offset' ? 'offset modifier' : '@ modifier'} must be preceded by an instant vector selector or range vector selector or a subquery`);
        return undefined;
    }
  }

  addOffset(e: Expr, offset: NumberLiteral | DurationExpr): void {
    const target = this.modifierTarget(e, 'offset');
    if (!target) return;
    const { owner } = target;
    if (owner.offsetNs !== 0 || owner.offsetExpr !== undefined) {
      this.addError(rangeOf(e), 'offset may not be set multiple times');
    } else if (offset.kind === 'number') {
      owner.offsetNs = goRound(offset.val * 1e9);
    } else {
      owner.offsetExpr = offset;
    }
    target.setEnd(this.lastClosing);
  }

  private setModifier(e: Expr, word: 'anchored' | 'smoothed'): void {
    if (!this.options.extendedRangeSelectors) {
      this.addError(rangeOf(e), `${word} modifier is experimental and not enabled`, 'experimental');
      return;
    }
    let vs: VectorSelector;
    if (e.kind === 'vector') {
      vs = e;
    } else if (e.kind === 'matrix') {
      if (e.vectorSelector.kind !== 'vector') return;
      vs = e.vectorSelector;
    } else {
      this.addError(rangeOf(e), e.kind === 'subquery' ? `${word} modifier is not supported for subqueries` : `${word} modifier not implemented`);
      return;
    }
    if (word === 'anchored') vs.anchored = true;
    else vs.smoothed = true;
    if (vs.anchored && vs.smoothed) this.addError(rangeOf(e), 'anchored and smoothed modifiers cannot be used together');
  }

  setAnchored(e: Expr): void {
    this.setModifier(e, 'anchored');
  }

  setSmoothed(e: Expr): void {
    this.setModifier(e, 'smoothed');
  }

  private atTarget(e: Expr): { owner: VectorSelector | Extract<Expr, { kind: 'subquery' }>; setEnd: (p: number) => void } | undefined {
    const target = this.modifierTarget(e, '@');
    if (!target) return undefined;
    if (target.owner.hasTimestamp || target.owner.startOrEnd !== undefined) {
      this.addError(rangeOf(e), '@ <timestamp> may not be set multiple times');
      return undefined;
    }
    return target;
  }

  setTimestamp(e: Expr, ts: number): void {
    if (!Number.isFinite(ts) || ts >= MAX_INT64_FLOAT || ts <= MIN_INT64_FLOAT) {
      this.addError(rangeOf(e), `timestamp out of bounds for @ modifier: ${formatF(ts)}`);
    }
    const target = this.atTarget(e);
    if (!target) return;
    target.owner.hasTimestamp = true;
    target.setEnd(this.lastClosing);
  }

  setAtModifierPreprocessor(e: Expr, op: Item): void {
    const target = this.atTarget(e);
    if (!target) return;
    target.owner.startOrEnd = op.typ;
    target.setEnd(this.lastClosing);
  }

  /** applyUnaryOpToDurationExpr. */
  applyUnary(op: Item, e: Expr, wrapped: boolean): Expr {
    if (e.kind === 'duration') {
      if (wrapped) e.wrapped = true;
      return op.typ === T.SUB ? { kind: 'duration', op: T.SUB, rhs: e, wrapped: false, startPos: op.pos, endPos: 0 } : e;
    }
    if (e.kind === 'number') {
      if (op.typ === T.SUB) e.val *= -1;
      if (durationOutOfRange(e.val)) {
        this.addError(itemRange(op), 'duration out of range');
        return zero();
      }
      e.posRange.start = op.pos;
      return e;
    }
    this.addError(itemRange(op), 'expected number literal or duration expression');
    return zero();
  }

  /** A duration literal checked for range (duration_expr / offset_duration_expr: number_duration_literal). */
  checkedDuration(nl: NumberLiteral): NumberLiteral {
    if (durationOutOfRange(nl.val)) {
      this.addError(nl.posRange, 'duration out of range');
      return zero();
    }
    return nl;
  }

  durationCall(op: Item, close: Item): DurationExpr {
    const de: DurationExpr = { kind: 'duration', op: op.typ, wrapped: false, startPos: op.pos, endPos: close.pos + close.val.length };
    this.experimentalDurationExpr(de);
    return de;
  }

  durationBinary(lhs: Expr, op: Item, rhs: Expr): Expr {
    this.experimentalDurationExpr(lhs);
    const divisor = asNumber(rhs);
    if ((op.typ === T.DIV || op.typ === T.MOD) && divisor && divisor.val === 0) {
      this.addError(itemRange(op), op.typ === T.DIV ? 'division by zero' : 'modulo by zero');
      return zero();
    }
    return { kind: 'duration', op: op.typ, lhs, rhs, wrapped: false, startPos: 0, endPos: 0 };
  }
}

function zero(): NumberLiteral {
  return { kind: 'number', val: 0, posRange: { start: 0, end: 0 } };
}

function emptyVectorMatching(): VectorMatching {
  return { card: 'one-to-one', matchingLabels: [], on: false, include: [] };
}

function vectorSelector(name: string, matchers: (Matcher | undefined)[], posRange: PositionRange): VectorSelector {
  return {
    kind: 'vector',
    name,
    matchers,
    posRange: { ...posRange },
    offsetNs: 0,
    hasTimestamp: false,
    anchored: false,
    smoothed: false,
    bypassEmptyMatcherCheck: false,
  };
}

/** assembleVectorSelector: a name outside the braces becomes a __name__ matcher. */
function assemble(vs: VectorSelector): VectorSelector {
  if (vs.name !== '') vs.matchers.push({ type: 'EQ', name: '__name__', value: vs.name });
  return vs;
}

const item = (v: Value) => v as Item;
const expr = (v: Value) => v as Expr;
const binary = (v: Value) => v as BinaryExpr;

function subquery($: Value[], close: Item): Expr {
  return { kind: 'subquery', expr: expr($[1]), endPos: close.pos + 1, offsetNs: 0, hasTimestamp: false };
}

function fill($: Value[], left: Value | undefined, right: Value | undefined): BinaryExpr {
  const b = binary($[1]);
  if (left !== undefined) b.vectorMatching!.fillLHS = (left as NumberLiteral).val;
  if (right !== undefined) b.vectorMatching!.fillRHS = (right as NumberLiteral).val;
  return b;
}

/** The actions of generated_parser.y that matter for expressions, by production; the others keep $$ = $1. */
const ACTION_TABLE: Record<string, Action> = {
  'start: START_EXPRESSION EOF': (_, p) => p.addError({ start: 0, end: 0 }, 'no expression found in input', 'syntax'),
  'start: START_EXPRESSION expr': ($, p) => {
    p.result = expr($[2]);
  },
  'start: error': (_, p) => p.unexpected('', ''),

  'aggregate_expr: aggregate_op aggregate_modifier function_call_body': ($, p) => p.newAggregateExpr(item($[1]), $[2] as AggregateExpr, $[3] as Expr[], false),
  'aggregate_expr: aggregate_op function_call_body aggregate_modifier': ($, p) => p.newAggregateExpr(item($[1]), $[3] as AggregateExpr, $[2] as Expr[], false),
  'aggregate_expr: aggregate_op function_call_body': ($, p) => p.newAggregateExpr(item($[1]), aggregate(undefined, false), $[2] as Expr[], true),
  'aggregate_expr: aggregate_op error': ($, p) => {
    p.unexpected('aggregation', '');
    return p.newAggregateExpr(item($[1]), aggregate(undefined, false), [], false);
  },
  'aggregate_modifier: BY grouping_labels': ($) => aggregate($[2] as string[] | undefined, false),
  'aggregate_modifier: WITHOUT grouping_labels': ($) => aggregate($[2] as string[] | undefined, true),

  ...Object.fromEntries(['ADD', 'ATAN2', 'DIV', 'EQLC', 'GTE', 'GTR', 'TRIM_UPPER', 'TRIM_LOWER', 'LAND', 'LOR', 'LSS', 'LTE', 'LUNLESS', 'MOD', 'MUL',
    'NEQ', 'POW', 'SUB'].map((op) => [`binary_expr: expr ${op} bin_modifier expr`,
    (($, p) => p.newBinaryExpression(expr($[1]), item($[2]), binary($[3]), expr($[4]))) as Action])),

  'bool_modifier:': () => ({ kind: 'binary', op: 0, vectorMatching: emptyVectorMatching(), returnBool: false }) as unknown as BinaryExpr,
  'bool_modifier: BOOL': () => ({ kind: 'binary', op: 0, vectorMatching: emptyVectorMatching(), returnBool: true }) as unknown as BinaryExpr,
  'on_or_ignoring: bool_modifier IGNORING grouping_labels': ($) => {
    const b = binary($[1]);
    b.vectorMatching!.matchingLabels = ($[3] as string[] | undefined) ?? [];
    return b;
  },
  'on_or_ignoring: bool_modifier ON grouping_labels': ($) => {
    const b = binary($[1]);
    b.vectorMatching!.matchingLabels = ($[3] as string[] | undefined) ?? [];
    b.vectorMatching!.on = true;
    return b;
  },
  'group_modifiers: on_or_ignoring GROUP_LEFT maybe_grouping_labels': ($) => {
    const b = binary($[1]);
    b.vectorMatching!.card = 'many-to-one';
    b.vectorMatching!.include = ($[3] as string[] | undefined) ?? [];
    return b;
  },
  'group_modifiers: on_or_ignoring GROUP_RIGHT maybe_grouping_labels': ($) => {
    const b = binary($[1]);
    b.vectorMatching!.card = 'one-to-many';
    b.vectorMatching!.include = ($[3] as string[] | undefined) ?? [];
    return b;
  },
  'fill_modifiers: group_modifiers FILL fill_value': ($) => fill($, $[3], $[3]),
  'fill_modifiers: group_modifiers FILL_LEFT fill_value': ($) => fill($, $[3], undefined),
  'fill_modifiers: group_modifiers FILL_RIGHT fill_value': ($) => fill($, undefined, $[3]),
  'fill_modifiers: group_modifiers FILL_LEFT fill_value FILL_RIGHT fill_value': ($) => fill($, $[3], $[5]),
  'fill_modifiers: group_modifiers FILL_RIGHT fill_value FILL_LEFT fill_value': ($) => fill($, $[5], $[3]),

  'grouping_labels: LEFT_PAREN grouping_label_list RIGHT_PAREN': ($) => $[2],
  'grouping_labels: LEFT_PAREN grouping_label_list COMMA RIGHT_PAREN': ($) => $[2],
  'grouping_labels: LEFT_PAREN RIGHT_PAREN': () => [],
  'grouping_labels: error': (_, p) => {
    p.unexpected('grouping opts', '"("');
    return undefined;
  },
  'grouping_label_list: grouping_label_list COMMA grouping_label': ($) => [...($[1] as string[] | undefined ?? []), item($[3]).val],
  'grouping_label_list: grouping_label': ($) => [item($[1]).val],
  'grouping_label_list: grouping_label_list error': ($, p) => {
    p.unexpected('grouping opts', '"," or ")"');
    return $[1];
  },
  'grouping_label: maybe_label': ($, p) => {
    const label = item($[1]);
    if (label.val === '' || !validUtf8(label.val)) p.addError(itemRange(label), `invalid label name for grouping: ${quote(label.val)}`);
    return label;
  },
  'grouping_label: STRING': ($, p) => {
    const s = item($[1]);
    const unquoted = p.unquoteString(s.val);
    if (unquoted === '' || !validUtf8(unquoted)) p.addError(itemRange(s), `invalid label name for grouping: ${quote(unquoted)}`);
    return { typ: s.typ, pos: s.pos + 1, val: unquoted };
  },
  'grouping_label: error': (_, p) => {
    p.unexpected('grouping opts', 'label');
    return NO_ITEM;
  },
  'fill_value: LEFT_PAREN number_duration_literal RIGHT_PAREN': ($) => $[2],
  'fill_value: LEFT_PAREN unary_op number_duration_literal RIGHT_PAREN': ($) => {
    const nl = $[3] as NumberLiteral;
    if (item($[2]).typ === T.SUB) nl.val *= -1;
    nl.posRange.start = item($[2]).pos;
    return nl;
  },

  'function_call: IDENTIFIER function_call_body': ($, p) => p.functionCall(item($[1]), $[2] as Expr[]),
  'function_call: at_modifier_preprocessors function_call_body': ($, p) => p.functionCall(item($[1]), $[2] as Expr[]),
  'function_call: STEP function_call_body': ($, p) => p.functionCall(item($[1]), $[2] as Expr[]),
  'function_call: RANGE function_call_body': ($, p) => p.functionCall(item($[1]), $[2] as Expr[]),
  'function_call: max_of_min_of function_call_body': ($, p) => p.functionCall(item($[1]), $[2] as Expr[]),
  'function_call_body: LEFT_PAREN function_call_args RIGHT_PAREN': ($) => $[2],
  'function_call_body: LEFT_PAREN RIGHT_PAREN': () => [],
  'function_call_args: function_call_args COMMA expr': ($) => [...($[1] as Expr[]), expr($[3])],
  'function_call_args: expr': ($) => [expr($[1])],
  'function_call_args: function_call_args COMMA': ($, p) => {
    p.addError(itemRange(item($[2])), 'trailing commas not allowed in function call args', 'syntax');
    return $[1];
  },

  'paren_expr: LEFT_PAREN expr RIGHT_PAREN': ($) => ({ kind: 'paren', expr: expr($[2]), posRange: { start: item($[1]).pos, end: item($[3]).pos + item($[3]).val.length } }),

  'positive_duration_expr: duration_expr': ($, p) => {
    const nl = asNumber($[1]);
    if (nl && nl.val <= 0) {
      p.addError(nl.posRange, 'duration must be greater than 0');
      return zero();
    }
    return $[1];
  },
  'offset_expr: expr OFFSET offset_duration_expr': ($, p) => {
    p.addOffset(expr($[1]), $[3] as NumberLiteral | DurationExpr);
    return $[1];
  },
  'offset_expr: expr OFFSET error': ($, p) => {
    p.unexpected('offset', 'number, duration, step(), or range()');
    return $[1];
  },
  'anchored_expr: expr ANCHORED': ($, p) => {
    p.setAnchored(expr($[1]));
    return $[1];
  },
  'smoothed_expr: expr SMOOTHED': ($, p) => {
    p.setSmoothed(expr($[1]));
    return $[1];
  },
  'step_invariant_expr: expr AT signed_or_unsigned_number': ($, p) => {
    p.setTimestamp(expr($[1]), $[3] as number);
    return $[1];
  },
  'step_invariant_expr: expr AT at_modifier_preprocessors LEFT_PAREN RIGHT_PAREN': ($, p) => {
    p.setAtModifierPreprocessor(expr($[1]), item($[3]));
    return $[1];
  },
  'step_invariant_expr: expr AT error': ($, p) => {
    p.unexpected('@', 'timestamp');
    return $[1];
  },

  'matrix_selector: expr LEFT_BRACKET positive_duration_expr RIGHT_BRACKET': ($, p) => {
    const e = expr($[1]);
    let msg = '';
    if (e.kind !== 'vector') msg = 'ranges only allowed for vector selectors';
    else if (e.offsetNs !== 0) msg = 'no offset modifiers allowed before range';
    else if (e.hasTimestamp) msg = 'no @ modifiers allowed before range';
    if (msg !== '') p.addError({ start: item($[2]).pos, end: item($[4]).pos + item($[4]).val.length }, msg);
    return { kind: 'matrix', vectorSelector: e, endPos: p.lastClosing };
  },
  'subquery_expr: expr LEFT_BRACKET positive_duration_expr COLON positive_duration_expr RIGHT_BRACKET': ($) => subquery($, item($[6])),
  'subquery_expr: expr LEFT_BRACKET positive_duration_expr COLON RIGHT_BRACKET': ($) => subquery($, item($[5])),
  'subquery_expr: expr LEFT_BRACKET positive_duration_expr COLON positive_duration_expr error': ($, p) => {
    p.unexpected('subquery selector', '"]"');
    return $[1];
  },
  'subquery_expr: expr LEFT_BRACKET positive_duration_expr COLON error': ($, p) => {
    p.unexpected('subquery selector', 'number, duration, step(), range(), or "]"');
    return $[1];
  },
  'subquery_expr: expr LEFT_BRACKET positive_duration_expr error': ($, p) => {
    p.unexpected('subquery or range', '":" or "]"');
    return $[1];
  },
  'subquery_expr: expr LEFT_BRACKET error': ($, p) => {
    p.unexpected('subquery or range selector', 'number, duration, step(), or range()');
    return $[1];
  },

  'unary_expr: unary_op expr': ($) => {
    const op = item($[1]);
    const nl = asNumber($[2]);
    if (nl) {
      if (op.typ === T.SUB) nl.val *= -1;
      nl.posRange.start = op.pos;
      return nl;
    }
    return { kind: 'unary', op: op.typ, expr: expr($[2]), startPos: op.pos };
  },

  'vector_selector: metric_identifier label_matchers': ($) => {
    const vs = $[2] as VectorSelector;
    vs.posRange = { start: item($[1]).pos, end: vs.posRange.end };
    vs.name = item($[1]).val;
    return assemble(vs);
  },
  'vector_selector: metric_identifier': ($) => assemble(vectorSelector(item($[1]).val, [], itemRange(item($[1])))),
  'vector_selector: label_matchers': ($) => assemble($[1] as VectorSelector),
  'label_matchers: LEFT_BRACE label_match_list RIGHT_BRACE': ($) => vectorSelector('', ($[2] as Matcher[] | undefined) ?? [],
    { start: item($[1]).pos, end: item($[3]).pos + item($[3]).val.length }),
  'label_matchers: LEFT_BRACE label_match_list COMMA RIGHT_BRACE': ($) => vectorSelector('', ($[2] as Matcher[] | undefined) ?? [],
    { start: item($[1]).pos, end: item($[4]).pos + item($[4]).val.length }),
  'label_matchers: LEFT_BRACE RIGHT_BRACE': ($) => vectorSelector('', [], { start: item($[1]).pos, end: item($[2]).pos + item($[2]).val.length }),
  'label_match_list: label_match_list COMMA label_matcher': ($) => ($[1] === undefined ? undefined : [...($[1] as Matcher[]), $[3]]),
  'label_match_list: label_matcher': ($) => [$[1]],
  'label_match_list: label_match_list error': ($, p) => {
    p.unexpected('label matching', '"," or "}"');
    return $[1];
  },
  'label_matcher: IDENTIFIER match_op STRING': ($, p) => p.newLabelMatcher(item($[1]), item($[2]), item($[3])),
  'label_matcher: string_identifier match_op STRING': ($, p) => p.newLabelMatcher(item($[1]), item($[2]), item($[3])),
  'label_matcher: string_identifier': ($) => ({ type: 'EQ', name: '__name__', value: item($[1]).val }),
  'label_matcher: string_identifier match_op error': (_, p) => {
    p.unexpected('label matching', 'string');
    return undefined;
  },
  'label_matcher: IDENTIFIER match_op error': (_, p) => {
    p.unexpected('label matching', 'string');
    return undefined;
  },
  'label_matcher: IDENTIFIER error': (_, p) => {
    p.unexpected('label matching', 'label matching operator');
    return undefined;
  },
  'label_matcher: error': (_, p) => {
    p.unexpected('label matching', 'identifier or "}"');
    return undefined;
  },

  'number_duration_literal: NUMBER': ($, p) => ({ kind: 'number', val: p.number(item($[1]).val), posRange: itemRange(item($[1])) }),
  'number_duration_literal: DURATION': ($, p) => p.durationLiteral(item($[1])),
  'number: NUMBER': ($, p) => p.number(item($[1]).val),
  'number: DURATION': ($, p) => p.durationLiteral(item($[1])).val,
  'signed_number: ADD number': ($) => $[2],
  'signed_number: SUB number': ($) => -($[2] as number),
  'string_literal: STRING': ($, p) => ({ kind: 'string', val: p.unquoteString(item($[1]).val), posRange: itemRange(item($[1])) }),
  'string_identifier: STRING': ($, p) => ({ typ: T.METRIC_IDENTIFIER, pos: item($[1]).pos, val: p.unquoteString(item($[1]).val) }),
  'maybe_grouping_labels:': () => undefined,

  'offset_duration_expr: number_duration_literal': ($, p) => p.checkedDuration($[1] as NumberLiteral),
  'offset_duration_expr: unary_op number_duration_literal': ($, p) => {
    const op = item($[1]);
    const nl = $[2] as NumberLiteral;
    if (op.typ === T.SUB) nl.val *= -1;
    if (durationOutOfRange(nl.val)) {
      p.addError(itemRange(op), 'duration out of range');
      return zero();
    }
    nl.posRange.start = op.pos;
    return nl;
  },
  'offset_duration_expr: STEP LEFT_PAREN RIGHT_PAREN': ($, p) => p.durationCall(item($[1]), item($[3])),
  'offset_duration_expr: RANGE LEFT_PAREN RIGHT_PAREN': ($, p) => p.durationCall(item($[1]), item($[3])),
  'offset_duration_expr: unary_op STEP LEFT_PAREN RIGHT_PAREN': ($, p) => signedDurationCall(p, $),
  'offset_duration_expr: unary_op RANGE LEFT_PAREN RIGHT_PAREN': ($, p) => signedDurationCall(p, $),
  'offset_duration_expr: max_of_min_of LEFT_PAREN duration_expr COMMA duration_expr RIGHT_PAREN': ($, p) => minMaxOf(p, $),
  'offset_duration_expr: unary_op max_of_min_of LEFT_PAREN duration_expr COMMA duration_expr RIGHT_PAREN': ($, p) => {
    const op = item($[1]);
    const fn = item($[2]);
    const endPos = rangeOf(expr($[6])).end;
    const inner: DurationExpr = { kind: 'duration', op: fn.typ, lhs: expr($[4]), rhs: expr($[6]), wrapped: false, startPos: fn.pos, endPos };
    const de: DurationExpr = { kind: 'duration', op: op.typ, rhs: inner, wrapped: false, startPos: op.pos, endPos };
    p.experimentalDurationExpr(de);
    return de;
  },
  'offset_duration_expr: unary_op LEFT_PAREN duration_expr RIGHT_PAREN': ($, p) => p.applyUnary(item($[1]), expr($[3]), true),

  'duration_expr: number_duration_literal': ($, p) => p.checkedDuration($[1] as NumberLiteral),
  'duration_expr: unary_op duration_expr': ($, p) => p.applyUnary(item($[1]), expr($[2]), false),
  ...Object.fromEntries(['ADD', 'SUB', 'MUL', 'DIV', 'MOD', 'POW'].map((op) => [`duration_expr: duration_expr ${op} duration_expr`,
    (($, p) => p.durationBinary(expr($[1]), item($[2]), expr($[3]))) as Action])),
  'duration_expr: STEP LEFT_PAREN RIGHT_PAREN': ($, p) => p.durationCall(item($[1]), item($[3])),
  'duration_expr: RANGE LEFT_PAREN RIGHT_PAREN': ($, p) => p.durationCall(item($[1]), item($[3])),
  'duration_expr: max_of_min_of LEFT_PAREN duration_expr COMMA duration_expr RIGHT_PAREN': ($, p) => minMaxOf(p, $),
  'paren_duration_expr: LEFT_PAREN duration_expr RIGHT_PAREN': ($, p) => {
    const e = expr($[2]);
    p.experimentalDurationExpr(e);
    if (e.kind === 'duration') e.wrapped = true;
    return e;
  },
};

function aggregate(grouping: string[] | undefined, without: boolean): AggregateExpr {
  return { kind: 'aggregate', op: 0, grouping, without, posRange: { start: 0, end: 0 } };
}

function signedDurationCall(p: Parser, $: Value[]): DurationExpr {
  const op = item($[1]);
  const fn = item($[2]);
  const close = item($[4]);
  const inner: DurationExpr = { kind: 'duration', op: fn.typ, wrapped: false, startPos: fn.pos, endPos: close.pos + close.val.length };
  const de: DurationExpr = { kind: 'duration', op: op.typ, rhs: inner, wrapped: false, startPos: op.pos, endPos: 0 };
  p.experimentalDurationExpr(de);
  return de;
}

function minMaxOf(p: Parser, $: Value[]): DurationExpr {
  const fn = item($[1]);
  const close = item($[6]);
  const de: DurationExpr = {
    kind: 'duration', op: fn.typ, lhs: expr($[3]), rhs: expr($[5]), wrapped: false, startPos: fn.pos, endPos: close.pos + close.val.length,
  };
  p.experimentalDurationExpr(de);
  return de;
}

/** Actions by production number; a production without one keeps $$ = $1. */
const ACTIONS: readonly (Action | undefined)[] = (() => {
  const byText = new Map(PRODUCTIONS.map((text, n) => [text, n]));
  const out: (Action | undefined)[] = new Array(PRODUCTIONS.length).fill(undefined);
  for (const [text, action] of Object.entries(ACTION_TABLE)) {
    const n = byText.get(text);
    if (n === undefined) throw new Error(`PromQL grammar has no production "${text}"`);
    out[n] = action;
  }
  return out;
})();

/** ParseExpr: parses one expression, then type-checks it when it parsed. Never throws. */
export function parseExpr(input: string, options: PromqlParserOptions, regexCheck: RegexCheck): ParseResult {
  const p = new Parser(new Lexer(input), options, regexCheck);
  p.injectItem(T.START_EXPRESSION);
  p.run();
  if (p.errors.length === 0 && p.result) checkAST(p.result, input, (range, message) => p.addError(range, message));
  return { expr: p.result, errors: p.errors };
}
