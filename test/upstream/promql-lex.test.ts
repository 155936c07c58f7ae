import { describe, expect, it } from 'vitest';
import lexTest from './data/promql/lex-test.json';
import { fromBytes, toBytes } from '../../src/validation/prometheus/go-strings';
import { TOKEN_NAMES, T } from '../../src/validation/prometheus/promql-grammar';
import { Item, Lexer } from '../../src/validation/prometheus/promql-lexer';

/**
 * Prometheus v3.13.1 promql/parser/lex_test.go, TestLexer: every case of
 * `tests` (generated once into data/promql/lex-test.json by
 * test/upstream/scripts/gen-promql-tables.ts). A case that fails upstream
 * must produce an ERROR token; any other must produce exactly the expected
 * tokens (type, byte position, text; an ERROR token's text is its message)
 * and then EOF at the end of the input.
 *
 * | source | case | reason |
 * | --- | --- | --- |
 * | lex_test.go | the 9 cases with `seriesDesc: true` ("series descriptions", "histogram series descriptions") | promtool's series-description syntax (`{} 1+1x10`, `{{buckets:[5]}}`) is only lexed for test files, never in a rule's expr |
 */

interface Row {
  group: string;
  case: number;
  line: number;
  input?: string;
  inputHex?: string;
  fail: boolean;
  seriesDesc: boolean;
  tokens: [string, number, string][];
}

const rows = lexTest.rows as Row[];
const lexed = rows.filter((r) => !r.seriesDesc);

function input(row: Row): string {
  return row.inputHex !== undefined ? Buffer.from(row.inputHex, 'hex').toString('latin1') : toBytes(row.input ?? '');
}

/** TestLexer's loop: NextItem until the lexer stops. */
function lex(text: string): Item[] {
  const lexer = new Lexer(text);
  const out: Item[] = [];
  do out.push(lexer.nextItem()); while (!lexer.done);
  return out;
}

const label = (row: Row) => `${row.group} #${row.case} (line ${row.line}): ${JSON.stringify(fromBytes(input(row)))}`;

function agrees(row: Row): boolean {
  const items = lex(input(row));
  if (row.fail) return items.some((i) => i.typ === T.ERROR);
  const last = items[items.length - 1];
  const tokens = items.slice(0, -1).map((i) => [TOKEN_NAMES[i.typ - 1], i.pos, fromBytes(i.val)]);
  return last.typ === T.EOF && last.pos === input(row).length && last.val === '' && JSON.stringify(tokens) === JSON.stringify(row.tokens);
}

describe('lex_test.go tests (Prometheus v3.13.1)', () => {
  it.each(lexed.map((r) => [label(r), r] as const))('%s', (_, row) => {
    const items = lex(input(row));
    if (row.fail) {
      expect(items.map((i) => TOKEN_NAMES[i.typ - 1])).toContain('ERROR');
      return;
    }
    // As upstream: the scan ends with EOF (an escape error inside a string is a token of its own).
    expect(items[items.length - 1]).toEqual({ typ: T.EOF, pos: input(row).length, val: '' });
    expect(items.slice(0, -1).map((i) => [TOKEN_NAMES[i.typ - 1], i.pos, fromBytes(i.val)])).toEqual(row.tokens);
  });

  it('agrees on every case it can express', () => {
    const figures = { agree: lexed.filter(agrees).length, of: lexed.length, seriesDescriptions: rows.length - lexed.length };
    expect(figures).toEqual({ agree: 148, of: 148, seriesDescriptions: 9 });
  });
});
