import { describe, expect, it } from 'vitest';
import expressions from './data/promql/promqltest-expressions.json';
import { checkPromQL, PromqlParserOptions, WEBHOOK_PARSER_OPTIONS } from '../../src/validation/prometheus/promql';

/**
 * The expression of every `eval` command in Prometheus v3.13.1
 * promql/promqltest/testdata/*.test (generated once into
 * data/promql/promqltest-expressions.json by
 * test/upstream/scripts/gen-promql-tables.ts). promqltest parses each one
 * with TestParserOpts (every parser option on) and a parse error fails the
 * whole file, so every expression must parse. `eval_fail` and `expect fail`
 * commands fail when the query runs, never at parse time: they must parse too.
 *
 * | source | case | reason |
 * | --- | --- | --- |
 * | promqltest/testdata | evaluation results, annotations, `expect fail` messages | those come from the query engine, not from the parser |
 */

const TEST_PARSER_OPTIONS: PromqlParserOptions = {
  experimentalFunctions: true, durationExpressions: true, extendedRangeSelectors: true, binopFillModifiers: true,
};

interface Row {
  file: string;
  line: number;
  command: string;
  expectFail: boolean;
  expr: string;
}

const rows = expressions.rows as Row[];

describe('promqltest testdata eval expressions (Prometheus v3.13.1)', () => {
  it.each(rows.map((r) => [`${r.file}:${r.line} ${r.command} ${r.expr.slice(0, 80)}`, r] as const))('%s', (_, row) => {
    expect(checkPromQL(row.expr, TEST_PARSER_OPTIONS).problems).toEqual([]);
  });

  it('parses every expression, those of failing evaluations included', () => {
    const parsed = rows.filter((r) => checkPromQL(r.expr, TEST_PARSER_OPTIONS).problems.length === 0);
    const figures = { parsed: parsed.length, of: rows.length, expectFail: rows.filter((r) => r.expectFail).length };
    expect(figures).toEqual({ parsed: 2183, of: 2183, expectFail: EXPECT_FAIL });
  });

  it('with the webhook\'s options, an expression fails only through a feature flag', () => {
    const rejected = rows.map((r) => checkPromQL(r.expr, WEBHOOK_PARSER_OPTIONS).problems).filter((ps) => ps.length > 0);
    for (const ps of rejected) expect(ps.map((p) => p.kind)).toContain('experimental');
    expect(rejected.length).toBe(EXPERIMENTAL_ONLY);
  });
});

/** `eval_fail` or `expect fail` commands among them. */
const EXPECT_FAIL = 34;

/** Expressions the webhook would reject because they use a feature behind a flag. */
const EXPERIMENTAL_ONLY = 419;
