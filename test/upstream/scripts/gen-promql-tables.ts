/**
 * Generates the PromQL data tables of test/upstream/data/promql/ from
 * Prometheus' own tests (run once per Prometheus upgrade, the output is
 * checked in; tests never read the mirror):
 *
 *  - parse-test.json: every case of promql/parser/parse_test.go `testExpr`
 *    (input, fail, the expected errors, the value type of the expected tree);
 *  - lex-test.json: every case of promql/parser/lex_test.go `tests`
 *    (input, fail, expected tokens);
 *  - promqltest-expressions.json: the expression of every `eval` command of
 *    promql/promqltest/testdata/*.test (all of them parse upstream);
 *  - functions.json: promql/parser/functions.go `Functions`;
 *  - regexp-syntax.json: the patterns of grafana/regexp syntax/parse_test.go
 *    (the RE2 parser Prometheus compiles label matcher regexes with):
 *    parseTests, foldcaseTests, matchnlTests, nomatchnlTests and onlyPerl
 *    parse, invalidRegexps and onlyPOSIX fail with the Perl flags.
 *
 * Go literals are read with a small evaluator of the Go expressions these
 * files use (string literals, +, strings.Repeat, fmt.Sprintf/Errorf with %f,
 * errors.New, composite literals, repeatError, append).
 *
 *   npx tsx test/upstream/scripts/gen-promql-tables.ts --repo <prometheus git dir> [--tag v3.13.1] \
 *     --regexp-repo <grafana/regexp git dir> [--regexp-commit f7b3be9d1853]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const OUT = path.resolve(__dirname, '..', 'data', 'promql');

// ---- Go source as bytes (latin1: one char per byte, as Go strings are).

function show(repo: string, tag: string, file: string): string {
  return execFileSync('git', ['-C', repo, 'show', `${tag}:${file}`], { maxBuffer: 64 * 1024 * 1024 }).toString('latin1');
}

type Tok = { kind: 'str' | 'num' | 'ident' | 'punct'; text: string; value?: string; line: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      const text = src.slice(i, end + 1);
      out.push({ kind: 'str', text, value: text.slice(1, -1).replace(/\r/g, ''), line });
      line += text.split('\n').length - 1;
      i = end + 1;
    } else if (c === '"' || c === '\'') {
      let j = i + 1;
      while (src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      const text = src.slice(i, j + 1);
      out.push({ kind: c === '"' ? 'str' : 'num', text, value: goUnquote(text), line });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1]))) {
      const m = /^(0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9]+)?)/.exec(src.slice(i))!;
      out.push({ kind: 'num', text: m[0], line });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ kind: 'ident', text: m[0], line });
      i += m[0].length;
    } else {
      const m = /^(\.\.\.|<<|>>|&&|\|\||==|!=|<=|>=|:=|[-+*/%&|^<>=!(){}[\],.:;])/.exec(src.slice(i));
      if (!m) throw new Error(`unexpected ${JSON.stringify(src.slice(i, i + 10))} at line ${line}`);
      out.push({ kind: 'punct', text: m[0], line });
      i += m[0].length;
    }
  }
  return out;
}

/** A Go interpreted string or rune literal, as bytes. */
function goUnquote(lit: string): string {
  const body = lit.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') {
      out += body[i];
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { 'a': '\x07', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v', '\\': '\\', '"': '"', '\'': '\'' };
    if (e in simple) {
      out += simple[e];
    } else if (e === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      out += Buffer.from(String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + n), 16)), 'utf8').toString('latin1');
      i += n;
    } else if (/[0-7]/.test(e)) {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      throw new Error(`unknown escape \\${e} in ${lit}`);
    }
  }
  return out;
}

// ---- A parser of the Go expressions the test tables are written in.

type GoValue =
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'ident'; name: string }
  | { t: 'composite'; type: string; fields: { key?: GoValue; value: GoValue }[]; line: number }
  | { t: 'call'; fn: string; args: GoValue[]; spread: boolean }
  | { t: 'unary'; op: string; x: GoValue }
  | { t: 'binary'; op: string; x: GoValue; y: GoValue };

class GoParser {
  i = 0;
  constructor(readonly toks: Tok[]) {}

  peek(text?: string): boolean {
    const t = this.toks[this.i];
    return t !== undefined && (text === undefined || t.text === text);
  }

  take(text?: string): Tok {
    const t = this.toks[this.i];
    if (!t || (text !== undefined && t.text !== text)) throw new Error(`expected ${text} at line ${t?.line}, got ${t?.text}`);
    this.i++;
    return t;
  }

  /** A type name such as `[]Item`, `&VectorSelector`, `posrange.PositionRange`, `map[string]int`. */
  typeName(): string {
    let s = '';
    while (this.peek('[')) {
      s += this.take('[').text;
      if (!this.peek(']')) s += this.take().text;
      s += this.take(']').text;
    }
    if (this.peek('*')) s += this.take('*').text;
    s += this.take().text;
    while (this.peek('.')) s += this.take('.').text + this.take().text;
    return s;
  }

  composite(type: string, line: number): GoValue {
    this.take('{');
    const fields: { key?: GoValue; value: GoValue }[] = [];
    while (!this.peek('}')) {
      const first = this.peek('{') ? this.composite('', this.toks[this.i].line) : this.expr();
      if (this.peek(':')) {
        this.take(':');
        fields.push({ key: first, value: this.peek('{') ? this.composite('', this.toks[this.i].line) : this.expr() });
      } else {
        fields.push({ value: first });
      }
      if (!this.peek('}')) this.take(',');
    }
    this.take('}');
    return { t: 'composite', type, fields, line };
  }

  primary(): GoValue {
    const t = this.toks[this.i];
    if (t.text === '&') {
      this.take('&');
      return this.primary();
    }
    if (t.text === '-' || t.text === '+' || t.text === '!') {
      this.take();
      return { t: 'unary', op: t.text, x: this.primary() };
    }
    if (t.text === '(') {
      this.take('(');
      const x = this.expr();
      this.take(')');
      return x;
    }
    if (t.kind === 'str') {
      this.take();
      return { t: 'string', v: t.value! };
    }
    if (t.kind === 'num') {
      this.take();
      return { t: 'number', v: t.value !== undefined ? t.value.charCodeAt(0) : Number(t.text.replace(/_/g, '')) };
    }
    if (t.text === '[') {
      const type = this.typeName();
      return this.composite(type, t.line);
    }
    let name = this.take().text;
    while (this.peek('.')) name += this.take('.').text + this.take().text;
    if (this.peek('(')) {
      this.take('(');
      const args: GoValue[] = [];
      let spread = false;
      while (!this.peek(')')) {
        args.push(this.expr());
        if (this.peek('...')) {
          this.take('...');
          spread = true;
        }
        if (!this.peek(')')) this.take(',');
      }
      this.take(')');
      return { t: 'call', fn: name, args, spread };
    }
    if (this.peek('{') && /^[A-Z]|\./.test(name)) return this.composite(name, t.line);
    return { t: 'ident', name };
  }

  expr(minPrec = 0): GoValue {
    let x = this.primary();
    const prec: Record<string, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, '+': 4, '-': 4, '|': 4, '*': 5, '/': 5, '%': 5, '<<': 5 };
    for (;;) {
      const t = this.toks[this.i];
      const p = t && t.kind === 'punct' ? prec[t.text] : undefined;
      if (p === undefined || p <= minPrec) return x;
      this.take();
      x = { t: 'binary', op: t.text, x, y: this.expr(p) };
    }
  }
}

/** The composite literal assigned to `var name = ...`. */
function varLiteral(src: string, name: string): GoValue {
  const toks = tokenize(src);
  const at = toks.findIndex((t, k) => t.text === 'var' && toks[k + 1]?.text === name && toks[k + 2]?.text === '=');
  if (at < 0) throw new Error(`no var ${name}`);
  const p = new GoParser(toks);
  p.i = at + 3;
  // Skip the type (`[]struct { ... }`, `map[string]*Function`) up to the literal's brace.
  while (!p.peek('{')) {
    if (p.take().text === 'struct') {
      let depth = 0;
      do {
        const t = p.take().text;
        if (t === '{') depth++;
        if (t === '}') depth--;
      } while (depth > 0);
    }
  }
  return p.composite(name, p.toks[p.i].line);
}

// ---- Evaluation of the values the tables need.

const MAX_INT64 = 9223372036854775807;
const MIN_INT64 = -9223372036854775808;

function num(v: GoValue): number {
  switch (v.t) {
    case 'number': return v.v;
    case 'unary': return v.op === '-' ? -num(v.x) : num(v.x);
    case 'binary': {
      const [a, b] = [num(v.x), num(v.y)];
      return v.op === '+' ? a + b : v.op === '-' ? a - b : v.op === '*' ? a * b : v.op === '/' ? a / b : NaN;
    }
    case 'ident':
      if (v.name === 'math.MaxInt64') return MAX_INT64;
      if (v.name === 'math.MinInt64') return MIN_INT64;
      break;
    case 'call':
      if (v.fn === 'float64' || v.fn === 'int' || v.fn === 'int64') return num(v.args[0]);
      if (v.fn === 'math.Inf') return num(v.args[0]) >= 0 ? Infinity : -Infinity;
      break;
  }
  throw new Error(`cannot evaluate number ${JSON.stringify(v).slice(0, 200)}`);
}

/** fmt's %f. */
function fmtF(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  return Math.abs(x) < 1e21 ? x.toFixed(6) : `${BigInt(x)}.000000`;
}

function sprintf(format: string, args: GoValue[]): string {
  let k = 0;
  return format.replace(/%[fdsq%]/g, (verb) => {
    if (verb === '%%') return '%';
    const a = args[k++];
    if (verb === '%f') return fmtF(num(a));
    if (verb === '%d') return String(num(a));
    return str(a);
  });
}

function str(v: GoValue): string {
  switch (v.t) {
    case 'string': return v.v;
    case 'binary':
      if (v.op === '+') return str(v.x) + str(v.y);
      break;
    case 'call':
      if (v.fn === 'strings.Repeat') return str(v.args[0]).repeat(num(v.args[1]));
      if (v.fn === 'fmt.Sprintf' || v.fn === 'fmt.Errorf') return sprintf(str(v.args[0]), v.args.slice(1));
      if (v.fn === 'errors.New') return str(v.args[0]);
      break;
  }
  throw new Error(`cannot evaluate string ${JSON.stringify(v).slice(0, 200)}`);
}

function field(v: GoValue | undefined, key: string): GoValue | undefined {
  if (v?.t !== 'composite') return undefined;
  return v.fields.find((f) => f.key?.t === 'ident' && f.key.name === key)?.value;
}

// Strings are bytes here; JSON gets text when it is valid UTF-8, else hex.
function textOrHex(bytes: string, key: string): Record<string, string> {
  const buf = Buffer.from(bytes, 'latin1');
  const text = buf.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buf) ? { [key]: text } : { [`${key}Hex`]: buf.toString('hex') };
}

/** Long inputs (built with strings.Repeat) are stored as their parts. */
function inputValue(v: GoValue, key = 'input'): Record<string, unknown> {
  const s = str(v);
  if (s.length <= 2000) return textOrHex(s, key);
  const parts: [string, number][] = [];
  const walk = (x: GoValue): void => {
    if (x.t === 'binary' && x.op === '+') {
      walk(x.x);
      walk(x.y);
    } else if (x.t === 'call' && x.fn === 'strings.Repeat') {
      parts.push([str(x.args[0]), num(x.args[1])]);
    } else {
      parts.push([str(x), 1]);
    }
  };
  walk(v);
  return { [`${key}Parts`]: parts };
}

type Repeat = { message: string; start: number; startStep: number; end: number; endStep: number; count: number };
type ErrorRow = { start: number; end: number; message: string } | { repeat: Repeat };

function errorRows(v: GoValue): ErrorRow[] {
  if (v.t === 'call' && v.fn === 'append') return v.args.flatMap(errorRows);
  if (v.t === 'call' && v.fn === 'repeatError') {
    const [, err, start, startStep, end, endStep, count] = v.args;
    return [{ repeat: { message: str(err), start: num(start), startStep: num(startStep), end: num(end), endStep: num(endStep), count: num(count) } }];
  }
  if (v.t === 'composite') {
    return v.fields.map((f) => {
      const range = field(f.value, 'PositionRange')!;
      const message = Buffer.from(str(field(f.value, 'Err')!), 'latin1').toString('utf8');
      return { start: num(field(range, 'Start') ?? { t: 'number', v: 0 }), end: num(field(range, 'End') ?? { t: 'number', v: 0 }), message };
    });
  }
  throw new Error(`cannot read errors ${JSON.stringify(v).slice(0, 200)}`);
}

type Functions = Record<string, { argTypes: string[]; variadic: number; returnType: string; experimental: boolean }>;

const VALUE_TYPES: Record<string, string> = {
  ValueTypeNone: 'none', ValueTypeVector: 'vector', ValueTypeScalar: 'scalar', ValueTypeMatrix: 'matrix', ValueTypeString: 'string',
};

function functions(src: string): Functions {
  const lit = varLiteral(src, 'Functions');
  if (lit.t !== 'composite') throw new Error('Functions is not a literal');
  const out: Functions = {};
  for (const f of lit.fields) {
    const name = str(f.key!);
    const argTypes = field(f.value, 'ArgTypes');
    const ident = (v: GoValue | undefined) => (v?.t === 'ident' ? v.name : undefined);
    out[name] = {
      argTypes: argTypes?.t === 'composite' ? argTypes.fields.map((a) => VALUE_TYPES[ident(a.value)!]) : [],
      variadic: field(f.value, 'Variadic') ? num(field(f.value, 'Variadic')!) : 0,
      returnType: VALUE_TYPES[ident(field(f.value, 'ReturnType'))!],
      experimental: ident(field(f.value, 'Experimental')) === 'true',
    };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The value type of an expected tree (Expr.Type()), or undefined when the test gives none. */
function valueType(v: GoValue | undefined, fns: Functions): string | undefined {
  if (!v || v.t !== 'composite') return undefined;
  switch (v.type) {
    case 'NumberLiteral':
    case 'DurationExpr': return 'scalar';
    case 'StringLiteral': return 'string';
    case 'VectorSelector':
    case 'AggregateExpr': return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr': return 'matrix';
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'StepInvariantExpr': return valueType(field(v, 'Expr'), fns);
    case 'BinaryExpr': return valueType(field(v, 'LHS'), fns) === 'scalar' && valueType(field(v, 'RHS'), fns) === 'scalar' ? 'scalar' : 'vector';
    case 'Call': {
      const fn = field(v, 'Func');
      if (fn?.t === 'call' && fn.fn === 'MustGetFunction') return fns[str(fn.args[0])].returnType;
      return undefined;
    }
  }
  throw new Error(`unknown expected node ${v.type}`);
}

function parseTests(src: string, fns: Functions): unknown[] {
  const lit = varLiteral(src, 'testExpr');
  if (lit.t !== 'composite') throw new Error('testExpr is not a literal');
  return lit.fields.map((f, index) => {
    const c = f.value;
    try {
      const failV = field(c, 'fail');
      const fail = failV?.t === 'ident' && failV.name === 'true';
      const errorsV = field(c, 'errors');
      const line = c.t === 'composite' ? c.line : 0;
      return {
        case: index,
        line,
        ...inputValue(field(c, 'input')!),
        fail,
        ...(fail ? { errors: errorsV ? errorRows(errorsV) : [] } : { type: valueType(field(c, 'expected'), fns) }),
      };
    } catch (e) {
      throw new Error(`parse_test.go case ${index} (line ${c.t === 'composite' ? c.line : '?'}): ${(e as Error).message}`);
    }
  });
}

function lexTests(src: string): unknown[] {
  const lit = varLiteral(src, 'tests');
  if (lit.t !== 'composite') throw new Error('tests is not a literal');
  const rows: unknown[] = [];
  for (const group of lit.fields) {
    const name = str(field(group.value, 'name')!);
    const cases = field(group.value, 'tests');
    if (cases?.t !== 'composite') continue;
    cases.fields.forEach((f, index) => {
      const c = f.value;
      const flag = (k: string) => {
        const v = field(c, k);
        return v?.t === 'ident' && v.name === 'true';
      };
      const expected = field(c, 'expected');
      rows.push({
        group: name,
        case: index,
        line: c.t === 'composite' ? c.line : 0,
        ...textOrHex(str(field(c, 'input') ?? { t: 'string', v: '' }), 'input'),
        fail: flag('fail'),
        seriesDesc: flag('seriesDesc'),
        tokens: expected?.t === 'composite'
          ? expected.fields.map((it) => {
            const [typ, pos, val] = (it.value as Extract<GoValue, { t: 'composite' }>).fields.map((x) => x.value);
            return [(typ as { name: string }).name, num(pos), Buffer.from(str(val), 'latin1').toString('utf8')];
          })
          : [],
      });
    });
  }
  return rows;
}

const PAT_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const PAT_RANGE = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;

function promqltestExpressions(repo: string, tag: string): unknown[] {
  const dir = 'promql/promqltest/testdata';
  const files = execFileSync('git', ['-C', repo, 'ls-tree', '-r', '--name-only', tag, dir], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.test'));
  const rows: unknown[] = [];
  for (const file of files) {
    const lines = Buffer.from(show(repo, tag, file), 'latin1').toString('utf8').split('\n');
    lines.forEach((raw, i) => {
      // getLines: trimmed, comment lines blanked; commands are recognised by their lower-cased first word.
      const l = raw.trim();
      if (l.startsWith('#') || !l.split(/[\t ]+/, 1)[0].toLowerCase().startsWith('eval')) return;
      const instant = PAT_INSTANT.exec(l);
      const range = PAT_RANGE.exec(l);
      if (!instant && !range) throw new Error(`${file}:${i + 1}: not an eval command: ${l}`);
      const next = lines.slice(i + 1).map((x) => x.trim()).find((x) => x !== '' && !x.startsWith('#')) ?? '';
      rows.push({
        file: path.basename(file),
        line: i + 1,
        command: instant ? `eval${instant[1] ? `_${instant[1]}` : ''} instant` : `eval${range![1] ? `_${range![1]}` : ''} range`,
        expectFail: (instant?.[1] ?? range?.[1]) === 'fail' || /^expect\s+fail\b/.test(next),
        expr: instant ? instant[3] : range![5],
      });
    });
  }
  return rows;
}

/** A []string or []parseTest literal's patterns (the first field of each entry). */
function patterns(src: string, name: string): GoValue[] {
  const lit = varLiteral(src, name);
  if (lit.t !== 'composite') throw new Error(`${name} is not a literal`);
  return lit.fields.map((f) => (f.value.t === 'composite' ? f.value.fields[0].value : f.value));
}

function regexpSyntax(src: string): unknown[] {
  const rows: unknown[] = [];
  for (const name of ['parseTests', 'foldcaseTests', 'matchnlTests', 'nomatchnlTests', 'onlyPerl', 'invalidRegexps', 'onlyPOSIX']) {
    const fail = name === 'invalidRegexps' || name === 'onlyPOSIX';
    patterns(src, name).forEach((pattern, index) => {
      rows.push({ list: name, case: index, ...inputValue(pattern, 'pattern'), fail });
    });
  }
  return rows;
}

function main(argv: string[]): void {
  const at = (flag: string) => (argv.indexOf(flag) >= 0 ? argv[argv.indexOf(flag) + 1] : undefined);
  const repo = at('--repo');
  const tag = at('--tag') ?? 'v3.13.1';
  if (!repo) throw new Error('usage: gen-promql-tables.ts --repo <prometheus git dir> [--tag v3.13.1]');
  fs.mkdirSync(OUT, { recursive: true });
  const fns = functions(show(repo, tag, 'promql/parser/functions.go'));
  const write = (name: string, source: string, rows: unknown) => {
    const body = { source: `prometheus/prometheus ${tag} ${source}`, generatedBy: 'test/upstream/scripts/gen-promql-tables.ts', rows };
    fs.writeFileSync(path.join(OUT, name), `${JSON.stringify(body, null, 1)}\n`);
    process.stdout.write(`${name}: ${Array.isArray(rows) ? rows.length : Object.keys(rows as object).length} rows\n`);
  };
  write('functions.json', 'promql/parser/functions.go Functions', fns);
  write('parse-test.json', 'promql/parser/parse_test.go testExpr', parseTests(show(repo, tag, 'promql/parser/parse_test.go'), fns));
  write('lex-test.json', 'promql/parser/lex_test.go tests', lexTests(show(repo, tag, 'promql/parser/lex_test.go')));
  write('promqltest-expressions.json', 'promql/promqltest/testdata/*.test eval commands', promqltestExpressions(repo, tag));
  const regexpRepo = at('--regexp-repo');
  if (regexpRepo) {
    const commit = at('--regexp-commit') ?? 'f7b3be9d1853';
    const body = {
      source: `grafana/regexp ${commit} syntax/parse_test.go`,
      generatedBy: 'test/upstream/scripts/gen-promql-tables.ts',
      rows: regexpSyntax(show(regexpRepo, commit, 'syntax/parse_test.go')),
    };
    fs.writeFileSync(path.join(OUT, 'regexp-syntax.json'), `${JSON.stringify(body, null, 1)}\n`);
    process.stdout.write(`regexp-syntax.json: ${body.rows.length} rows\n`);
  }
}

main(process.argv.slice(2));
