/**
 * Regenerates src/validation/prometheus/promql-grammar.ts: the LALR(1) tables
 * of Prometheus' PromQL grammar, as goyacc built them from
 * promql/parser/generated_parser.y, and the list of its productions.
 *
 * The tables are data: our driver (promql-parser.ts) reads them the way a
 * yacc parser does, so it shifts, reduces and recovers from errors in exactly
 * the same states as Prometheus' parser; the actions are our own code, keyed
 * by production. Run once per Prometheus upgrade:
 *
 *   npx tsx scripts/gen-promql-grammar.ts --repo <prometheus git dir> [--tag v3.13.1]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'src', 'validation', 'prometheus', 'promql-grammar.ts');
const TABLES = ['yyExca', 'yyAct', 'yyPact', 'yyPgo', 'yyR1', 'yyR2', 'yyChk', 'yyDef'] as const;

function show(repo: string, tag: string, file: string): string {
  return execFileSync('git', ['-C', repo, 'show', `${tag}:${file}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** The numbers of a Go array literal `var name = [...]intN{ ... }`. */
function goArray(source: string, name: string): number[] {
  const m = new RegExp(`var ${name} = \\[\\.\\.\\.\\]int\\d+\\{([^}]*)\\}`).exec(source);
  if (!m) throw new Error(`no table ${name} in generated_parser.y.go`);
  return m[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
}

function goStrings(source: string, name: string): string[] {
  const m = new RegExp(`var ${name} = \\[\\.\\.\\.\\]string\\{([^}]*)\\}`).exec(source);
  if (!m) throw new Error(`no list ${name} in generated_parser.y.go`);
  return [...m[1].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => JSON.parse(`"${x[1]}"`) as string);
}

/** Skips a Go action block `{ ... }` starting at i, minding strings, runes and comments; returns the index after it. */
function skipBlock(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === '\'') {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
    } else if (c === '`') {
      i = text.indexOf('`', i + 1);
    } else if (text.startsWith('//', i)) {
      i = text.indexOf('\n', i);
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new Error('unterminated action block');
}

/** Productions of the rules section, numbered as goyacc numbers them (from 1, in order). */
function productions(grammar: string): { lhs: string; rhs: string[] }[] {
  const parts = grammar.split(/^%%\s*$/m);
  if (parts.length < 2) throw new Error('no %% rules section');
  const text = parts[1];
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('/*', i)) {
      i = text.indexOf('*/', i) + 2;
    } else if (text.startsWith('//', i)) {
      i = text.indexOf('\n', i);
      if (i < 0) i = text.length;
    } else if (c === '{') {
      i = skipBlock(text, i);
      tokens.push('{}');
    } else if (c === ':' || c === '|' || c === ';') {
      tokens.push(c);
      i++;
    } else {
      const m = /^%?[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      if (!m) throw new Error(`unexpected ${JSON.stringify(text.slice(i, i + 20))} in the rules`);
      tokens.push(m[0]);
      i += m[0].length;
    }
  }
  const out: { lhs: string; rhs: string[] }[] = [];
  let lhs = '';
  let rhs: string[] | undefined;
  const close = () => {
    if (rhs) out.push({ lhs, rhs });
    rhs = undefined;
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (tokens[k + 1] === ':') {
      close();
      lhs = t;
      rhs = [];
      k++;
    } else if (t === '|') {
      close();
      rhs = [];
    } else if (t === ';') {
      close();
    } else if (t === '%prec') {
      k++;
    } else if (t !== '{}') {
      if (!rhs) throw new Error(`symbol ${t} outside a rule`);
      rhs.push(t);
    }
  }
  close();
  return out;
}

function main(argv: string[]): void {
  const at = (flag: string) => (argv.indexOf(flag) >= 0 ? argv[argv.indexOf(flag) + 1] : undefined);
  const repo = at('--repo');
  const tag = at('--tag') ?? 'v3.13.1';
  if (!repo) throw new Error('usage: gen-promql-grammar.ts --repo <prometheus git dir> [--tag v3.13.1]');
  const generated = show(repo, tag, 'promql/parser/generated_parser.y.go');
  const rules = productions(show(repo, tag, 'promql/parser/generated_parser.y'));
  const tables = Object.fromEntries(TABLES.map((t) => [t, goArray(generated, t)])) as Record<(typeof TABLES)[number], number[]>;
  const tokens = goStrings(generated, 'yyToknames');
  const last = Number(/const yyLast = (\d+)/.exec(generated)?.[1]);

  // The production list must agree with goyacc's numbering: same count, same lengths, same left-hand sides.
  if (rules.length !== tables.yyR2.length - 1) throw new Error(`${rules.length} productions, goyacc has ${tables.yyR2.length - 1}`);
  const lhsId = new Map<string, number>();
  rules.forEach((r, n) => {
    if (r.rhs.length !== tables.yyR2[n + 1]) throw new Error(`rule ${n + 1} (${r.lhs}) has ${r.rhs.length} symbols, goyacc says ${tables.yyR2[n + 1]}`);
    const id = tables.yyR1[n + 1];
    if ((lhsId.get(r.lhs) ?? id) !== id) throw new Error(`rule ${n + 1}: ${r.lhs} has two nonterminal ids`);
    lhsId.set(r.lhs, id);
  });

  const list = (xs: readonly number[]) => `[${xs.join(',')}]`;
  const body = [
    '// Generated by scripts/gen-promql-grammar.ts from Prometheus ' + tag + ' promql/parser/generated_parser.y(.go). Do not edit.',
    '/* eslint-disable */',
    '',
    '/** Token names by internal token number - 1 (goyacc\'s yyToknames). */',
    `export const TOKEN_NAMES: readonly string[] = ${JSON.stringify(tokens)};`,
    '',
    '/** Token numbers by name, as the lexer emits them and the tables expect them. */',
    `export const T = {${tokens.map((name, i) => [name, i + 1] as const).filter(([name]) => /^[A-Za-z_]\w*$/.test(name)).map(([name, n]) => `\n  ${name}: ${n},`).join('')}\n} as const;`,
    '',
    '/** Production n (from 1) as "lhs: rhs..."; production 0 is the accept rule. */',
    `export const PRODUCTIONS: readonly string[] = ${JSON.stringify(['$accept: start $end', ...rules.map((r) => `${r.lhs}:${r.rhs.map((s) => ` ${s}`).join('')}`)])};`,
    '',
    '/** goyacc\'s packed LALR(1) tables (yyExca, yyAct, yyPact, yyPgo, yyR1, yyR2, yyChk, yyDef). */',
    `export const TABLES: { readonly last: number; ${TABLES.map((t) => `readonly ${t.slice(2, 3).toLowerCase()}${t.slice(3)}: readonly number[];`).join(' ')} } = {`,
    `  last: ${last},`,
    ...TABLES.map((t) => `  ${t.slice(2, 3).toLowerCase()}${t.slice(3)}: ${list(tables[t])},`),
    '};',
    '',
  ].join('\n');
  fs.writeFileSync(OUT, body);
  process.stdout.write(`wrote ${path.relative(ROOT, OUT)}: ${rules.length} productions, ${tokens.length} tokens\n`);
}

main(process.argv.slice(2));
