import { quote } from './go-strings';
import { BinaryExpr, Expr, Matcher, PositionRange, rangeOf, typeOf, VectorSelector } from './promql-ast';
import { documentedType, ValueType } from './promql-functions';
import { T } from './promql-grammar';
import { isAggregator, isComparisonOperator, isOperator, isSetOperator, isSpace, tokenText } from './promql-lexer';
import { re2Parse } from './re2-syntax';

/**
 * The checks Prometheus runs on a tree that parsed (parse.go checkAST):
 * operand types, function arities, vector matching, empty selectors.
 */

const SCALAR_PARAM: readonly number[] = [T.TOPK, T.BOTTOMK, T.QUANTILE, T.LIMITK, T.LIMIT_RATIO];

type Add = (range: PositionRange, message: string) => void;

/** Matcher.Matches(""). A regex that does not parse never gets here (the parse failed). */
function matchesEmpty(m: Matcher): boolean {
  switch (m.type) {
    case 'EQ': return m.value === '';
    case 'NEQ': return m.value !== '';
    default: {
      const verdict = re2Parse(m.value);
      const matches = verdict.error === undefined && verdict.matchesEmpty;
      return m.type === 'RE' ? matches : !matches;
    }
  }
}

/**
 * parser.checkAST: reports type errors through add, in Prometheus' order, and
 * returns the expression's type. It runs on an explicit work list instead of
 * recursing: upstream's own tests nest operators 10,000 deep.
 */
export function checkAST(root: Expr, input: string, add: Add): ValueType {
  const types: ValueType[] = [];
  const work: Step[] = [];
  /** Schedules steps to run in the given order. */
  const then = (...steps: Step[]) => {
    for (let i = steps.length - 1; i >= 0; i--) work.push(steps[i]);
  };
  const visit = (n: Expr): Step => () => enter(n);
  /** expectType: checks n, then its type. */
  const expectType = (n: Expr, want: ValueType, context: string): Step[] => [visit(n), () => {
    const t = types.pop()!;
    if (t !== want) add(rangeOf(n), `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`);
  }];
  const done = (n: Expr): Step => () => types.push(typeOf(n));

  function enter(node: Expr): void {
    switch (node.kind) {
      case 'aggregate': {
        if (!isAggregator(node.op)) add(node.posRange, `aggregation operator expected in aggregation expression but got ${quote(tokenText(node.op))}`);
        const steps = expectType(node.expr!, 'vector', 'aggregation expression');
        if (SCALAR_PARAM.includes(node.op)) steps.push(...expectType(node.param!, 'scalar', 'aggregation parameter'));
        if (node.op === T.COUNT_VALUES) steps.push(...expectType(node.param!, 'string', 'aggregation parameter'));
        then(...steps, done(node));
        return;
      }
      case 'binary':
        then(visit(node.lhs), visit(node.rhs), () => {
          const rt = types.pop()!;
          const lt = types.pop()!;
          binaryChecks(node, lt, rt, input, add);
          types.push(typeOf(node));
        });
        return;
      case 'call': {
        const fn = node.func!;
        const nargs = fn.argTypes.length;
        const got = node.args.length;
        if (fn.variadic === 0) {
          if (nargs !== got) add(node.posRange, `expected ${nargs} argument(s) in call to ${quote(node.name)}, got ${got}`);
        } else {
          const na = nargs - 1;
          if (na > got) add(node.posRange, `expected at least ${na} argument(s) in call to ${quote(node.name)}, got ${got}`);
          else if (fn.variadic > 0 && na + fn.variadic < got) add(node.posRange, `expected at most ${na + fn.variadic} argument(s) in call to ${quote(node.name)}, got ${got}`);
        }
        if (node.name === 'info' && got > 1) {
          const selector = node.args[1];
          if (typeOf(selector) !== 'vector') {
            add(node.posRange, `expected type instant vector in call to function ${quote(node.name)}, got ${documentedType(typeOf(selector))}`);
          }
          if (selector.kind === 'vector' && selector.name !== '') add(rangeOf(selector), 'expected label selectors only, got vector selector instead');
          else if (selector.kind === 'vector') selector.bypassEmptyMatcherCheck = true;
          else add(rangeOf(selector), 'expected label selectors only');
        }
        const steps: Step[] = [];
        for (let i = 0; i < got; i++) {
          // Extra arguments of a fixed-arity function are not checked at all.
          if (i >= nargs && fn.variadic === 0) break;
          const want = fn.argTypes[Math.min(i, nargs - 1)];
          steps.push(...expectTypeInCall(node.args[i], want, node.name));
        }
        then(...steps, done(node));
        return;
      }
      case 'paren':
        then(visit(node.expr), () => {
          types.pop();
          types.push(typeOf(node));
        });
        return;
      case 'unary':
        if (node.op !== T.ADD && node.op !== T.SUB) add(rangeOf(node), 'only + and - operators allowed for unary expressions');
        then(visit(node.expr), () => {
          const t = types.pop()!;
          if (t !== 'scalar' && t !== 'vector') {
            add(rangeOf(node), `unary expression only allowed on expressions of type scalar or instant vector, got ${quote(documentedType(t))}`);
          }
          types.push(typeOf(node));
        });
        return;
      case 'subquery':
        then(visit(node.expr), () => {
          const t = types.pop()!;
          if (t !== 'vector') add(rangeOf(node), `subquery is only allowed on instant vector, got ${t} instead`);
          types.push('matrix');
        });
        return;
      case 'matrix':
        then(visit(node.vectorSelector), () => {
          types.pop();
          types.push('matrix');
        });
        return;
      case 'vector':
        vectorChecks(node, add);
        break;
      case 'number':
      case 'string':
        break;
      default:
        add(rangeOf(node), 'unknown node type: *parser.DurationExpr');
    }
    types.push(typeOf(node));
  }

  /** The argument check of a call: the argument first, then its type. */
  function expectTypeInCall(arg: Expr, want: ValueType, name: string): Step[] {
    return [visit(arg), () => {
      const t = types.pop()!;
      if (t !== want) add(rangeOf(arg), `expected type ${documentedType(want)} in call to function ${quote(name)}, got ${documentedType(t)}`);
    }];
  }

  work.push(visit(root));
  while (work.length > 0) work.pop()!();
  return types.pop()!;
}

type Step = () => void;

function binaryChecks(node: BinaryExpr, lt: ValueType, rt: ValueType, input: string, add: Add): void {
  // The operator's range, trimmed of spaces (Go's End lands on its last character).
  const opRange = (): PositionRange => {
    let start = rangeOf(node.lhs).end;
    while (isSpace(input.charCodeAt(start))) start++;
    let end = rangeOf(node.rhs).start - 1;
    while (isSpace(input.charCodeAt(end))) end--;
    return { start, end };
  };
  const vm = node.vectorMatching!;
  if (node.returnBool && !isComparisonOperator(node.op)) add(opRange(), 'bool modifier can only be used on comparison operators');
  if (isComparisonOperator(node.op) && !node.returnBool && typeOf(node.rhs) === 'scalar' && typeOf(node.lhs) === 'scalar') {
    add(opRange(), 'comparisons between scalars must use BOOL modifier');
  }
  if (isSetOperator(node.op) && vm.card === 'one-to-one') vm.card = 'many-to-many';
  for (const l1 of vm.matchingLabels) {
    for (const l2 of vm.include) {
      if (l1 === l2 && vm.on) add(opRange(), `label ${quote(l1)} must not occur in ON and GROUP clause at once`);
    }
  }
  if (!isOperator(node.op)) add(rangeOf(node), `binary expression does not support operator ${quote(tokenText(node.op))}`);
  if (lt !== 'scalar' && lt !== 'vector') add(rangeOf(node.lhs), 'binary expression must contain only scalar and instant vector types');
  if (rt !== 'scalar' && rt !== 'vector') add(rangeOf(node.rhs), 'binary expression must contain only scalar and instant vector types');
  const filled = vm.fillLHS !== undefined || vm.fillRHS !== undefined;
  if (lt !== 'vector' || rt !== 'vector') {
    if (vm.matchingLabels.length > 0) add(rangeOf(node), 'vector matching only allowed between instant vectors');
    if (filled) add(rangeOf(node), 'filling in missing series only allowed between instant vectors');
    node.vectorMatching = undefined;
  } else if (isSetOperator(node.op)) {
    if (vm.card === 'one-to-many' || vm.card === 'many-to-one') add(rangeOf(node), `no grouping allowed for ${quote(tokenText(node.op))} operation`);
    if (vm.card !== 'many-to-many') add(rangeOf(node), 'set operations must always be many-to-many');
    if (filled) add(rangeOf(node), 'filling in missing series not allowed for set operators');
  }
  if ((lt === 'scalar' || rt === 'scalar') && isSetOperator(node.op)) {
    add(rangeOf(node), `set operator ${quote(tokenText(node.op))} not allowed in binary scalar expression`);
  }
}

function vectorChecks(node: VectorSelector, add: Add): void {
  if (node.name !== '') {
    // The last matcher is the name given outside the braces.
    for (const m of node.matchers.slice(0, -1)) {
      if (m && m.name === '__name__') add(node.posRange, `metric name must not be set twice: ${quote(node.name)} or ${quote(m.value)}`);
    }
    return;
  }
  if (!node.bypassEmptyMatcherCheck) {
    const notEmpty = node.matchers.some((m) => m !== undefined && !matchesEmpty(m));
    if (!notEmpty) add(node.posRange, 'vector selector must contain at least one non-empty matcher');
  }
}
