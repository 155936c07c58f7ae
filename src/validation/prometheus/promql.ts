import type { LRParser } from '@lezer/lr';
import { documentedType, PROMQL_AGGREGATIONS, PROMQL_FUNCTIONS, ValueType } from './promql-functions';

/**
 * PromQL checks with Prometheus' own grammar (@prometheus-io/lezer-promql),
 * plus the type checks Prometheus' Go parser runs after parsing (checkAST in
 * promql/parser/parse.go) and the string and regex checks of its lexer and
 * label matchers, so an expression that Prometheus rejects is reported here.
 */

export type PromqlProblemKind =
  /** The grammar does not accept the text. */
  | 'syntax'
  /** It parses, but Prometheus' parser rejects it (types, arity, modifiers, strings, regexes). */
  | 'semantic'
  /** A feature behind a Prometheus feature flag that the webhook does not enable. */
  | 'experimental'
  /** Probably wrong, but we cannot be sure offline (regex dialect differences). */
  | 'doubtful';

export interface PromqlProblem {
  readonly kind: PromqlProblemKind;
  readonly message: string;
  /** Offsets into the expression. */
  readonly from: number;
  readonly to: number;
}

export interface PromqlCheck {
  readonly problems: PromqlProblem[];
  /** Type of the whole expression, when it parsed. */
  readonly type?: ValueType;
}

/** Syntax nodes of the lezer tree (typed through @lezer/lr, which we depend on). */
type SyntaxNode = ReturnType<LRParser['parse']>['topNode'];

let cachedParser: LRParser | undefined;

/** Loads the grammar on first use, so importing the validator stays cheap. */
function promqlParser(): LRParser {
  if (!cachedParser) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, on first use
    cachedParser = (require('@prometheus-io/lezer-promql') as { parser: LRParser }).parser;
  }
  return cachedParser;
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** Checks one PromQL expression. Never throws. */
export function checkPromQL(expr: string): PromqlCheck {
  let tree;
  try {
    tree = promqlParser().parse(expr);
  } catch (e) {
    return { problems: [{ kind: 'syntax', message: `the PromQL parser failed: ${(e as Error).message}`, from: 0, to: expr.length }] };
  }
  const top = tree.topNode;

  const lexical = lexicalProblems(expr, top);
  const syntax = firstSyntaxError(expr, top);
  // An unterminated string already explains the syntax error that follows it.
  if (lexical.some((p) => p.kind === 'syntax')) return { problems: lexical };
  if (syntax) return { problems: [...lexical, syntax] };

  const checker = new TypeChecker(expr);
  const root = top.firstChild;
  if (!root) return { problems: [{ kind: 'syntax', message: 'empty expression', from: 0, to: expr.length }] };
  const type = checker.check(normalize(fromLezer(root)));
  return { problems: [...lexical, ...checker.problems].sort((a, b) => a.from - b.from || a.to - b.to), type };
}

/** Unterminated strings and escapes Go's strconv.Unquote would reject. */
function lexicalProblems(expr: string, top: SyntaxNode): PromqlProblem[] {
  const problems: PromqlProblem[] = [];
  const cursor = top.cursor();
  do {
    if (cursor.name !== 'StringLiteral') continue;
    const text = expr.slice(cursor.from, cursor.to);
    const problem = stringLiteralProblem(text);
    if (problem) problems.push({ kind: problem.unterminated ? 'syntax' : 'semantic', message: problem.message, from: cursor.from, to: cursor.to });
  } while (cursor.next());
  return problems;
}

function stringLiteralProblem(text: string): { message: string; unterminated: boolean } | undefined {
  const quote = text[0];
  if (quote === '`') {
    return text.length >= 2 && text.endsWith('`') ? undefined : { message: 'unterminated raw string', unterminated: true };
  }
  let i = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === quote) break;
    if (c !== '\\') {
      i++;
      continue;
    }
    const esc = text[i + 1];
    const bad = (what: string) => ({
      message: `invalid escape sequence ${what} in string ${text}; in PromQL strings a regex backslash is written \\\\ (e.g. "\\\\d"), or use a \`raw\` string`,
      unterminated: false,
    });
    if (esc === undefined) return { message: 'unterminated quoted string', unterminated: true };
    if ('abfnrtv\\'.includes(esc) || esc === quote) {
      i += 2;
    } else if (esc === 'x' || esc === 'u' || esc === 'U') {
      const n = esc === 'x' ? 2 : esc === 'u' ? 4 : 8;
      const hex = text.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return bad(`\\${esc}${hex}`);
      if (esc !== 'x' && (parseInt(hex, 16) > 0x10ffff || (parseInt(hex, 16) >= 0xd800 && parseInt(hex, 16) <= 0xdfff))) return bad(`\\${esc}${hex}`);
      i += 2 + n;
    } else if (/[0-7]/.test(esc)) {
      const oct = text.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) return bad(`\\${oct}`);
      i += 4;
    } else {
      return bad(`\\${esc}`);
    }
  }
  if (i >= text.length || text.length < 2) return { message: 'unterminated quoted string', unterminated: true };
  return undefined;
}

/** The first error node of the tree, as a message with what was found there. */
function firstSyntaxError(expr: string, top: SyntaxNode): PromqlProblem | undefined {
  let at: number | undefined;
  const cursor = top.cursor();
  do {
    if (cursor.type.isError) {
      at = cursor.from;
      break;
    }
  } while (cursor.next());
  if (at === undefined) return undefined;

  let pos = at;
  while (pos < expr.length && /\s/.test(expr[pos])) pos++;
  if (pos >= expr.length) {
    return { kind: 'syntax', message: `unexpected end of input${unclosedHint(expr)}`, from: expr.length, to: expr.length };
  }
  const token = tokenAt(expr, pos);
  const before = expr.slice(0, pos);
  const fnName = /([A-Za-z_:][A-Za-z0-9_:]*)\s*$/.exec(before)?.[1];
  if (token === '(' && fnName && !KEYWORDS.has(fnName.toLowerCase())) {
    const start = pos - (before.length - before.trimEnd().length) - fnName.length;
    return { kind: 'semantic', message: `unknown function with name "${fnName}"`, from: start, to: start + fnName.length };
  }
  return { kind: 'syntax', message: `unexpected ${JSON.stringify(token)}${unclosedHint(expr.slice(0, pos))}`, from: pos, to: pos + token.length };
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'atan2',
  ...Object.keys(PROMQL_AGGREGATIONS)]);

function tokenAt(expr: string, pos: number): string {
  const rest = expr.slice(pos);
  const m = /^(?:[A-Za-z_:][A-Za-z0-9_:]*|[0-9][0-9A-Za-z_.]*|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`[^`]*`?|=~|!~|!=|==|>=|<=|\S)/.exec(rest);
  return (m ? m[0] : rest[0]).slice(0, 40);
}

/** Names an unclosed bracket before the error, which is the usual cause. */
function unclosedHint(text: string): string {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote !== '`') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === '\'' || c === '`') quote = c;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else if ('([{'.includes(c)) stack.push(c);
    else if (')]}'.includes(c) && stack[stack.length - 1] === pairs[c]) stack.pop();
  }
  if (quote) return `; the string opened with ${quote} is not closed`;
  if (stack.length === 0) return '';
  const open = stack[stack.length - 1];
  const close = open === '(' ? ')' : open === '[' ? ']' : '}';
  return `; "${open}" is not closed, expected "${close}"`;
}

/**
 * A node of the checked tree: the lezer tree with postfix modifiers moved to
 * where Prometheus' grammar binds them (see normalize).
 */
class PNode {
  nextSibling: PNode | null = null;

  constructor(
    readonly name: string,
    readonly from: number,
    readonly to: number,
    readonly isExpr: boolean,
    readonly children: readonly PNode[],
  ) {}

  get firstChild(): PNode | null {
    return this.children[0] ?? null;
  }

  get lastChild(): PNode | null {
    return this.children[this.children.length - 1] ?? null;
  }

  getChild(name: string): PNode | null {
    return this.children.find((c) => c.name === name) ?? null;
  }

  getChildren(name: string): PNode[] {
    return this.children.filter((c) => c.name === name);
  }
}

function makeNode(name: string, from: number, to: number, isExpr: boolean, children: readonly PNode[]): PNode {
  const copies = children.map((c) => new PNode(c.name, c.from, c.to, c.isExpr, c.children));
  copies.forEach((c, i) => {
    c.nextSibling = copies[i + 1] ?? null;
  });
  return new PNode(name, from, to, isExpr, copies);
}

function fromLezer(node: SyntaxNode): PNode {
  const children: PNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) children.push(fromLezer(c));
  return makeNode(node.name, node.from, node.to, node.type.is('Expr'), children);
}

const POSTFIX = new Set(['OffsetExpr', 'StepInvariantExpr', 'MatrixSelector', 'SubqueryExpr', 'AnchoredExpr', 'SmoothedExpr']);

/**
 * In Prometheus' grammar offset, @, [range], [subquery] (and the experimental
 * anchored/smoothed) bind tighter than binary and unary operators:
 * `a - b offset 1h` is `a - (b offset 1h)`. The lezer grammar attaches them
 * to the whole `a - b`; this moves each one onto the rightmost operand.
 */
function normalize(node: PNode): PNode {
  const children = node.children.map(normalize);
  const operand = children.find((c) => c.isExpr);
  if (POSTFIX.has(node.name) && operand && children[0] === operand && (operand.name === 'BinaryExpr' || operand.name === 'UnaryExpr')) {
    const rest = children.slice(1);
    return replaceRightmost(operand, node.to, (r) => normalize(makeNode(node.name, r.from, node.to, node.isExpr, [r, ...rest])));
  }
  return makeNode(node.name, node.from, node.to, node.isExpr, children);
}

function replaceRightmost(node: PNode, to: number, wrap: (rightmost: PNode) => PNode): PNode {
  if (node.name !== 'BinaryExpr' && node.name !== 'UnaryExpr') return wrap(node);
  const exprs = node.children.filter((c) => c.isExpr);
  const last = exprs[exprs.length - 1];
  if (!last) return wrap(node);
  const children = node.children.map((c) => (c === last ? replaceRightmost(c, to, wrap) : c));
  return makeNode(node.name, node.from, to, node.isExpr, children);
}

const COMPARISON = new Set(['Eql', 'Neq', 'Gtr', 'Lss', 'Gte', 'Lte']);
const SET_OPS = new Set(['And', 'Or', 'Unless']);
const BINARY_OPS = new Set(['Pow', 'Mul', 'Div', 'Mod', 'Atan2', 'Add', 'Sub', ...COMPARISON, 'TrimUpper', 'TrimLower', ...SET_OPS]);

class TypeChecker {
  readonly problems: PromqlProblem[] = [];

  constructor(private readonly expr: string) {}

  check(node: PNode): ValueType {
    switch (node.name) {
      case 'NumberDurationLiteral': return 'scalar';
      case 'StringLiteral': return 'string';
      case 'ParenExpr': return this.checkChildExpr(node);
      case 'VectorSelector': return this.vectorSelector(node);
      case 'MatrixSelector': return this.matrixSelector(node);
      case 'SubqueryExpr': return this.subquery(node);
      case 'OffsetExpr':
      case 'StepInvariantExpr': return this.modifier(node);
      case 'AnchoredExpr':
      case 'SmoothedExpr': {
        const word = node.name === 'AnchoredExpr' ? 'anchored' : 'smoothed';
        this.add('experimental', `${word} modifier is experimental and not enabled`, node);
        return this.checkChildExpr(node);
      }
      case 'UnaryExpr': {
        const t = this.checkChildExpr(node);
        if (t !== 'scalar' && t !== 'vector') {
          this.add('semantic', `unary expression only allowed on expressions of type scalar or instant vector, got "${documentedType(t)}"`, node);
        }
        return t;
      }
      case 'BinaryExpr': return this.binary(node);
      case 'FunctionCall': return this.call(node);
      case 'AggregateExpr': return this.aggregate(node);
      default:
        this.add('semantic', `unsupported expression ${node.name}`, node);
        return 'none';
    }
  }

  private add(kind: PromqlProblemKind, message: string, node: { from: number; to: number }): void {
    this.problems.push({ kind, message, from: node.from, to: node.to });
  }

  private exprChildren(node: PNode): PNode[] {
    const out: PNode[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) if (c.isExpr) out.push(c);
    return out;
  }

  private checkChildExpr(node: PNode): ValueType {
    const [inner] = this.exprChildren(node);
    return inner ? this.check(inner) : 'none';
  }

  private text(node: PNode): string {
    return this.expr.slice(node.from, node.to);
  }

  private vectorSelector(node: PNode): ValueType {
    const name = node.getChild('Identifier');
    const matchers = node.getChild('LabelMatchers');
    let nameMatchers = 0;
    let nonEmpty = name !== null;
    for (let m = matchers?.firstChild ?? null; m; m = m.nextSibling) {
      if (m.name === 'QuotedLabelName') {
        // {"metric.name"}: a quoted metric name.
        nameMatchers++;
        nonEmpty = true;
        continue;
      }
      if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
      const labelNode = m.firstChild;
      const op = m.getChild('MatchOp')?.firstChild?.name;
      const valueNode = m.lastChild;
      if (!labelNode || !op || !valueNode || valueNode.name !== 'StringLiteral') continue;
      const label = labelNode.name === 'QuotedLabelName' ? unquoteLenient(this.text(labelNode)) : this.text(labelNode);
      const value = unquoteLenient(this.text(valueNode));
      if (label === '__name__') nameMatchers++;
      if (op === 'EqlRegex' || op === 'NeqRegex') this.checkRegex(value, valueNode);
      const matchesEmpty = matcherMatchesEmpty(op, value);
      if (matchesEmpty === false) nonEmpty = true;
    }
    if (name && nameMatchers > 0) {
      this.add('semantic', `metric name must not be set twice: "${this.text(name)}" and a __name__ matcher`, node);
    } else if (!nonEmpty) {
      this.add('semantic', 'vector selector must contain at least one non-empty matcher', node);
    }
    return 'vector';
  }

  private checkRegex(pattern: string, node: PNode): void {
    for (const p of re2Problems(pattern)) this.add(p.certain ? 'semantic' : 'doubtful', p.message, node);
  }

  private matrixSelector(node: PNode): ValueType {
    const [inner] = this.exprChildren(node);
    const range = node.getChild('DurationExpr');
    if (range) this.durationExpr(range);
    if (!inner) return 'matrix';
    if (inner.name === 'VectorSelector') {
      this.check(inner);
    } else if (inner.name === 'OffsetExpr') {
      this.add('semantic', 'no offset modifiers allowed before range', node);
    } else if (inner.name === 'StepInvariantExpr') {
      this.add('semantic', 'no @ modifiers allowed before range', node);
    } else {
      this.check(inner);
      this.add('semantic', 'ranges only allowed for vector selectors', node);
    }
    return 'matrix';
  }

  private subquery(node: PNode): ValueType {
    const [inner] = this.exprChildren(node);
    for (const d of node.getChildren('DurationExpr')) this.durationExpr(d);
    const t = inner ? this.check(inner) : 'none';
    if (t !== 'vector') this.add('semantic', `subquery is only allowed on instant vector, got ${documentedType(t)} instead`, node);
    return 'matrix';
  }

  private modifier(node: PNode): ValueType {
    const isOffset = node.name === 'OffsetExpr';
    const [inner] = this.exprChildren(node);
    if (isOffset) {
      const d = node.getChild('OffsetDurationExpr');
      if (d) this.durationExpr(d);
    }
    if (!inner) return 'none';
    // Walk down through the other modifiers to the selector they apply to.
    let base = inner;
    while (base.name === 'OffsetExpr' || base.name === 'StepInvariantExpr') {
      if (base.name === node.name) {
        this.add('semantic', isOffset ? 'offset may not be set multiple times' : '@ <timestamp> may not be set multiple times', node);
        return this.check(inner);
      }
      const [next] = this.exprChildren(base);
      if (!next) break;
      base = next;
    }
    if (base.name !== 'VectorSelector' && base.name !== 'MatrixSelector' && base.name !== 'SubqueryExpr') {
      const what = isOffset ? 'offset modifier' : '@ modifier';
      this.add('semantic', `${what} must be preceded by an instant vector selector or range vector selector or a subquery`, node);
    }
    return this.check(inner);
  }

  /** Only plain durations are stable; arithmetic, step(), range(), min_of()... need a feature flag. */
  private durationExpr(node: PNode): void {
    let ok = false;
    const first = node.firstChild;
    if (first && !first.nextSibling && first.name === 'NumberDurationLiteralInDurationContext') ok = true;
    if (node.name === 'OffsetDurationExpr' && first?.name === 'UnaryOp') {
      const rest = first.nextSibling;
      ok = rest !== null && !rest.nextSibling && rest.name === 'OffsetDurationExpr' && rest.firstChild?.name === 'NumberDurationLiteralInDurationContext'
        && !rest.firstChild.nextSibling;
    }
    if (!ok) this.add('experimental', 'experimental duration expression is not enabled', node);
  }

  private binary(node: PNode): ValueType {
    const exprs = this.exprChildren(node);
    const lhs = exprs[0];
    const rhs = exprs[exprs.length - 1];
    let opNode: PNode | null = null;
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (BINARY_OPS.has(c.name) && c !== lhs && c !== rhs) {
        opNode = c;
        break;
      }
    }
    const op = opNode?.name ?? '';
    const opText = opNode ? this.text(opNode).toLowerCase() : '?';
    const opRange = opNode ?? node;
    const lt = lhs ? this.check(lhs) : 'none';
    const rt = rhs && rhs !== lhs ? this.check(rhs) : 'none';
    const hasBool = node.getChild('BoolModifier') !== null;
    const matching = node.getChild('MatchingModifierClause');
    const fill = node.getChild('FillModifier');

    if (op === 'TrimUpper' || op === 'TrimLower') this.add('experimental', `the "${opText}" operator is experimental and not enabled`, opRange);
    if (fill) this.add('experimental', 'binop fill modifiers are experimental and not enabled', fill);
    if (hasBool && !COMPARISON.has(op)) this.add('semantic', 'bool modifier can only be used on comparison operators', opRange);
    if (COMPARISON.has(op) && !hasBool && lt === 'scalar' && rt === 'scalar') {
      this.add('semantic', 'comparisons between scalars must use BOOL modifier', opRange);
    }

    let matchingLabels: string[] = [];
    let includeLabels: string[] = [];
    let isOn = false;
    let grouping = false;
    if (matching) {
      const groupings = matching.getChildren('GroupingLabels');
      isOn = matching.getChild('On') !== null;
      grouping = matching.getChild('GroupLeft') !== null || matching.getChild('GroupRight') !== null;
      matchingLabels = groupings[0] ? this.groupingLabelNames(groupings[0]) : [];
      includeLabels = groupings[1] ? this.groupingLabelNames(groupings[1]) : [];
      if (isOn) {
        for (const l of matchingLabels) {
          if (includeLabels.includes(l)) this.add('semantic', `label "${l}" must not occur in ON and GROUP clause at once`, opRange);
        }
      }
    }

    for (const [t, side] of [[lt, lhs], [rt, rhs]] as const) {
      if (t !== 'scalar' && t !== 'vector' && side) {
        this.add('semantic', 'binary expression must contain only scalar and instant vector types', side);
      }
    }
    if (lt !== 'vector' || rt !== 'vector') {
      if (matchingLabels.length > 0) this.add('semantic', 'vector matching only allowed between instant vectors', node);
      if ((lt === 'scalar' || rt === 'scalar') && SET_OPS.has(op)) {
        this.add('semantic', `set operator "${opText}" not allowed in binary scalar expression`, node);
      }
    } else if (SET_OPS.has(op) && grouping) {
      this.add('semantic', `no grouping allowed for "${opText}" operation`, node);
    }
    return lt === 'scalar' && rt === 'scalar' ? 'scalar' : 'vector';
  }

  private groupingLabelNames(node: PNode): string[] {
    const names: string[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === 'LabelName') names.push(this.text(c));
      else if (c.name === 'QuotedLabelName') names.push(unquoteLenient(this.text(c)));
    }
    return names;
  }

  private call(node: PNode): ValueType {
    const ident = node.getChild('FunctionIdentifier');
    const name = ident ? this.text(ident) : '';
    const body = node.getChild('FunctionCallBody');
    const args = body ? this.exprChildren(body) : [];
    const fn = Object.prototype.hasOwnProperty.call(PROMQL_FUNCTIONS, name) ? PROMQL_FUNCTIONS[name] : undefined;
    if (!fn) {
      // Known to the newer grammar but not to the Prometheus the webhook embeds: experimental there.
      this.add('experimental', `function "${name}" is not enabled`, ident ?? node);
      for (const a of args) this.check(a);
      return 'vector';
    }
    if (fn.experimental) this.add('experimental', `function "${name}" is not enabled`, ident ?? node);
    const nargs = fn.argTypes.length;
    if (fn.variadic === 0) {
      if (nargs !== args.length) this.add('semantic', `expected ${nargs} argument(s) in call to "${name}", got ${args.length}`, node);
    } else {
      const min = nargs - 1;
      if (min > args.length) {
        this.add('semantic', `expected at least ${min} argument(s) in call to "${name}", got ${args.length}`, node);
      } else if (fn.variadic > 0 && min + fn.variadic < args.length) {
        this.add('semantic', `expected at most ${min + fn.variadic} argument(s) in call to "${name}", got ${args.length}`, node);
      }
    }
    args.forEach((arg, i) => {
      if (i >= nargs && fn.variadic === 0) {
        this.check(arg);
        return;
      }
      const want = fn.argTypes[Math.min(i, nargs - 1)];
      const got = this.check(arg);
      if (want !== undefined && got !== want) {
        this.add('semantic', `expected type ${documentedType(want)} in call to function "${name}", got ${documentedType(got)}`, arg);
      }
    });
    return fn.returnType;
  }

  private aggregate(node: PNode): ValueType {
    const opNode = node.getChild('AggregateOp');
    const op = opNode ? this.text(opNode).toLowerCase() : '';
    const info = Object.prototype.hasOwnProperty.call(PROMQL_AGGREGATIONS, op) ? PROMQL_AGGREGATIONS[op] : undefined;
    const body = node.getChild('FunctionCallBody');
    const args = body ? this.exprChildren(body) : [];
    if (!info) {
      this.add('semantic', `aggregation operator expected in aggregation expression but got "${op}"`, node);
      return 'vector';
    }
    if (args.length === 0) {
      this.add('semantic', 'no arguments for aggregate expression provided', node);
      return 'vector';
    }
    if (info.experimental) {
      this.add('experimental', `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`, opNode ?? node);
    }
    const desired = info.param ? 2 : 1;
    if (args.length !== desired) {
      this.add('semantic', `wrong number of arguments for aggregate expression provided, expected ${desired}, got ${args.length}`, node);
      for (const a of args) this.check(a);
      return 'vector';
    }
    if (info.param) {
      const pt = this.check(args[0]);
      if (pt !== info.param) {
        this.add('semantic', `expected type ${documentedType(info.param)} in aggregation parameter, got ${documentedType(pt)}`, args[0]);
      }
    }
    const inner = args[desired - 1];
    const t = this.check(inner);
    if (t !== 'vector') this.add('semantic', `expected type instant vector in aggregation expression, got ${documentedType(t)}`, inner);
    return 'vector';
  }
}

/** Unquotes a PromQL string literal, tolerating escapes (errors are reported separately). */
export function unquoteLenient(text: string): string {
  if (text.length < 2) return text;
  const q = text[0];
  const body = text.endsWith(q) ? text.slice(1, -1) : text.slice(1);
  if (q === '`') return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (e.length === 1) return simple[e] ?? e;
    if (e[0] === 'x' || e[0] === 'u' || e[0] === 'U') {
      const cp = parseInt(e.slice(1), 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    }
    return String.fromCharCode(parseInt(e, 8));
  });
}

/** Whether a matcher matches the empty string (undefined: cannot tell). */
function matcherMatchesEmpty(op: string, value: string): boolean | undefined {
  switch (op) {
    case 'EqlSingle': return value === '';
    case 'Neq': return value !== '';
    case 'EqlRegex':
    case 'NeqRegex': {
      const re = toJsRegex(value);
      if (!re) return undefined;
      const m = re.test('');
      return op === 'EqlRegex' ? m : !m;
    }
    default: return undefined;
  }
}

/** An anchored JS approximation of an RE2 pattern, or undefined when JS cannot compile it. */
function toJsRegex(pattern: string): RegExp | undefined {
  let flags = '';
  const body = pattern
    .replace(/\(\?P</g, '(?<')
    .replace(/^\(\?([imsU]+)\)/, (_, f: string) => {
      if (f.includes('i')) flags += 'i';
      if (f.includes('s')) flags += 's';
      if (f.includes('m')) flags += 'm';
      return '';
    })
    .replace(/\(\?[imsU]+:/g, '(?:')
    .replace(/\\z/g, '$')
    .replace(/\\A/g, '^');
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch {
    return undefined;
  }
}

/** Regex problems: Perl features RE2 rejects for sure, and patterns JS cannot compile either (doubtful). */
export function re2Problems(pattern: string): { certain: boolean; message: string }[] {
  const out: { certain: boolean; message: string }[] = [];
  const lookaround = /\(\?<?[=!]/.exec(pattern);
  if (lookaround) {
    out.push({ certain: true, message: `error parsing regexp: invalid or unsupported Perl syntax: \`${lookaround[0]}\` in ${JSON.stringify(pattern)} (RE2 has no lookaround)` });
  }
  const backref = /(^|[^\\])(\\\\)*\\([1-9])/.exec(pattern);
  if (backref) {
    out.push({ certain: true, message: `error parsing regexp: invalid escape sequence: \`\\${backref[3]}\` in ${JSON.stringify(pattern)} (RE2 has no backreferences)` });
  }
  if (out.length === 0 && !toJsRegex(pattern)) {
    let reason = '';
    try {
      new RegExp(pattern);
    } catch (e) {
      reason = `: ${(e as Error).message}`;
    }
    out.push({ certain: false, message: `${JSON.stringify(pattern)} does not look like a valid regular expression${reason}` });
  }
  return out;
}
