import { describe, expect, it } from 'vitest';
import functions from './data/promql/functions.json';
import parseTest from './data/promql/parse-test.json';
import regexpSyntax from './data/promql/regexp-syntax.json';
import { fromBytes, toBytes } from '../../src/validation/prometheus/go-strings';
import { WEBHOOK_PARSER_OPTIONS } from '../../src/validation/prometheus/promql';
import { typeOf } from '../../src/validation/prometheus/promql-ast';
import { PROMQL_FUNCTIONS } from '../../src/validation/prometheus/promql-functions';
import { parseExpr, PromqlParserOptions } from '../../src/validation/prometheus/promql-parser';
import { re2SyntaxError } from '../../src/validation/prometheus/re2-syntax';

/**
 * Prometheus v3.13.1 promql/parser/parse_test.go, TestParseExpressions: every
 * case of `testExpr` (generated once into data/promql/parse-test.json by
 * test/upstream/scripts/gen-promql-tables.ts), parsed with the options that
 * test uses (experimental functions, duration expressions and extended range
 * selectors on; binop fill modifiers off). A failing case must give exactly
 * the upstream error list: message and byte positions, in order. A passing
 * case must give the value type of the expected tree; the rest of the tree is
 * not compared (we do not build Prometheus' AST).
 *
 * | source | case | reason |
 * | --- | --- | --- |
 * | parse_test.go | (none) | every case is compared |
 */

const TEST_OPTIONS: PromqlParserOptions = { experimentalFunctions: true, durationExpressions: true, extendedRangeSelectors: true };

interface Repeat {
  message: string;
  start: number;
  startStep: number;
  end: number;
  endStep: number;
  count: number;
}

interface Row {
  case: number;
  line: number;
  input?: string;
  inputHex?: string;
  inputParts?: [string, number][];
  fail: boolean;
  errors?: ({ start: number; end: number; message: string } | { repeat: Repeat })[];
  type?: string;
}

const rows = parseTest.rows as Row[];

/** The input as Go bytes (see go-strings.ts): some cases are not valid UTF-8. */
function input(row: Row): string {
  if (row.inputHex !== undefined) return Buffer.from(row.inputHex, 'hex').toString('latin1');
  return toBytes(row.input ?? row.inputParts!.map(([text, n]) => text.repeat(n)).join(''));
}

function expectedErrors(row: Row): { start: number; end: number; message: string }[] {
  return (row.errors ?? []).flatMap((e) => ('repeat' in e
    ? Array.from({ length: e.repeat.count }, (_, i) => ({
      start: e.repeat.start + i * e.repeat.startStep, end: e.repeat.end + i * e.repeat.endStep, message: e.repeat.message,
    }))
    : [e]));
}

/** Go's parser judges regexes with RE2; none of these cases has an invalid one. */
const noRegexProblems = () => undefined;

function parse(text: string, options: PromqlParserOptions) {
  return parseExpr(text, options, noRegexProblems);
}

const label = (row: Row) => `case ${row.case} (line ${row.line}): ${JSON.stringify(fromBytes(input(row)).slice(0, 60))}`;

describe('parse_test.go testExpr (Prometheus v3.13.1)', () => {
  it.each(rows.map((r) => [label(r), r] as const))('%s', (_, row) => {
    const result = parse(input(row), TEST_OPTIONS);
    const got = result.errors.map((e) => ({ start: e.start, end: e.end, message: fromBytes(e.message) }));
    if (row.fail) {
      expect(got).toEqual(expectedErrors(row));
    } else {
      expect(got).toEqual([]);
      if (row.type) expect(typeOf(result.expr!)).toBe(row.type);
    }
  });

  it('agrees on every case', () => {
    const agree = rows.filter((row) => {
      const result = parse(input(row), TEST_OPTIONS);
      const got = result.errors.map((e) => ({ start: e.start, end: e.end, message: fromBytes(e.message) }));
      return row.fail ? JSON.stringify(got) === JSON.stringify(expectedErrors(row))
        : got.length === 0 && (!row.type || typeOf(result.expr!) === row.type);
    });
    expect({ agree: agree.length, of: rows.length }).toEqual({ agree: 351, of: 351 });
  });

  it('with the webhook\'s options, a case that parses upstream fails only through a feature flag', () => {
    const changed = rows.filter((r) => !r.fail)
      .map((row) => ({ row, errors: parse(input(row), WEBHOOK_PARSER_OPTIONS).errors }))
      .filter((r) => r.errors.length > 0);
    for (const { errors } of changed) expect(errors.some((e) => e.origin === 'experimental')).toBe(true);
    // How many of the accepted cases need a flag that the webhook leaves off.
    expect(changed.length).toBe(EXPERIMENTAL_ONLY);
  });
});

describe('functions.go Functions (Prometheus v3.13.1)', () => {
  it('declares every function with the same arguments, return type and experimental flag', () => {
    const ours = Object.fromEntries(Object.entries(PROMQL_FUNCTIONS).sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, f]) => [name, { argTypes: [...f.argTypes], variadic: f.variadic, returnType: f.returnType, experimental: f.experimental }]));
    expect(ours).toEqual(functions.rows);
  });
});

/**
 * grafana/regexp (the pinned f7b3be9d1853, Go 1.24.7's regexp/syntax) is what
 * Prometheus compiles a label matcher's regex with; a pattern it rejects
 * makes the expression fail to parse. syntax/parse_test.go, Perl flags.
 *
 * | source | case | reason |
 * | --- | --- | --- |
 * | syntax/parse_test.go | invalidRegexps #43 (`\pL` x 27000) | the rune budget needs Go's Unicode tables; a label matcher that long is not a rule |
 * | syntax/parse_test.go | parseTests, dumps | the parsed tree is not compared, only acceptance |
 */
describe('grafana/regexp syntax/parse_test.go (Perl flags)', () => {
  interface RegexpRow {
    list: string;
    case: number;
    pattern?: string;
    patternHex?: string;
    patternParts?: [string, number][];
    fail: boolean;
  }
  const all = regexpSyntax.rows as RegexpRow[];
  const runeBudget = (r: RegexpRow) => r.list === 'invalidRegexps' && r.case === 43;
  const regexRows = all.filter((r) => !runeBudget(r));
  const pattern = (r: RegexpRow) => (r.patternHex !== undefined ? Buffer.from(r.patternHex, 'hex').toString('latin1')
    : toBytes(r.pattern ?? r.patternParts!.map(([text, n]) => text.repeat(n)).join('')));

  it.each(regexRows.map((r) => [`${r.list} #${r.case}: ${JSON.stringify(fromBytes(pattern(r)).slice(0, 50))}`, r] as const))('%s', (_, row) => {
    const error = re2SyntaxError(pattern(row));
    if (row.fail) expect(error).toMatch(/^error parsing regexp: /);
    else expect(error).toBeUndefined();
  });

  it('agrees on every pattern it can express', () => {
    const agree = regexRows.filter((r) => (re2SyntaxError(pattern(r)) !== undefined) === r.fail);
    const figures = { agree: agree.length, of: regexRows.length, notExpressed: all.length - regexRows.length };
    expect(figures).toEqual({ agree: 228, of: 228, notExpressed: 1 });
  });
});

/** Accepted upstream with the test's flags, rejected with the webhook's (they use an experimental feature). */
const EXPERIMENTAL_ONLY = 28;
