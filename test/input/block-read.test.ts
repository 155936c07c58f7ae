/**
 * The block reader (src/input/block-read.ts) against the careful path (the
 * `yaml` library decoded by go-yaml's rules), chunk by chunk: wherever the
 * block reader takes a chunk, its value must be the careful path's, with the
 * same keys in the same order and the same types. Over go-yaml v2's table
 * (test/upstream/go-yaml-v2.test.ts), the real-world corpus, the fixtures and
 * examples, and generated manifest-like files; then one row per class of
 * input it must leave to the other readers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { App, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildShop } from '../../examples/migration/shop';
import { buildSeedGuide } from '../../examples/seed-guide/guide';
import { KeyCache, readChunkBlock } from '../../src/input/block-read';
import { decodeManifestBytes, splitStream } from '../../src/input/kubectl-stream';
import { ParseResult, parseManifests, parseManifestsWithYaml, readChunkCareful } from '../../src/input/parse-manifests';
import { REALWORLD, yamlFiles } from '../realworld';
import { GO_YAML_INPUTS } from '../upstream/go-yaml-v2-rows';

const REPO = path.resolve(__dirname, '../..');
const TODAY = () => new Date('2026-11-24T12:00:00Z');

interface Counts {
  chunks: number;
  accepted: number;
}

/**
 * Reads every YAML chunk of `content` with the block reader and, where it
 * takes one, checks its value against the careful path's. parseManifests
 * (which tries the block reader first) must give the careful result too.
 */
function differential(content: string | Buffer, label: string, tally: Counts): void {
  const { text } = decodeManifestBytes(content);
  for (const d of splitStream(text).documents) {
    if (d.kind !== 'yaml') continue;
    tally.chunks++;
    const read = readChunkBlock(text, d.start, d.end);
    if (!read) continue;
    tally.accepted++;
    const where = `${label} @${d.start}: ${JSON.stringify(text.slice(d.start, Math.min(d.end, d.start + 200)))}`;
    const careful = readChunkCareful(text, d.start, d.end);
    expect(careful, where).toBeDefined();
    // Not toStrictEqual: it takes an own `constructor` key for the object's class.
    if (!isDeepStrictEqual(read.value, careful!.value)) expect(read.value, where).toStrictEqual(careful!.value);
    expect(isDeepStrictEqual(read.value, careful!.value), where).toBe(true);
    // Deep equality does not look at key order; JSON text does (and at number against string once more).
    expect(JSON.stringify(read.value), where).toBe(JSON.stringify(careful!.value));
  }
  const [auto, careful] = [plain(parseManifests(content)), plain(parseManifestsWithYaml(content))];
  if (!isDeepStrictEqual(auto, careful)) expect(auto, label).toStrictEqual(careful);
}

function plain(r: ParseResult) {
  return {
    manifests: r.manifests.map((m) => ({ manifest: m.manifest, documentIndex: m.documentIndex, basePointer: m.basePointer })),
    problems: r.problems,
  };
}

function counts(): Counts {
  return { chunks: 0, accepted: 0 };
}

describe('block reader: the careful path\'s values, chunk by chunk', () => {
  it('go-yaml v2\'s table (test/upstream/go-yaml-v2.test.ts): every row', () => {
    const c = counts();
    GO_YAML_INPUTS.forEach((input, i) => differential(input, `row ${i}`, c));
    // Many rows are tags, anchors, flow style and errors, and each row's sentinel document has a flow mapping.
    expect(c.accepted).toBeGreaterThan(100);
    console.log(`go-yaml table: ${GO_YAML_INPUTS.length} inputs, ${c.chunks} chunks, ${c.accepted} read by the block reader, all equal`);
  });

  it.skipIf(!fs.existsSync(REALWORLD))('every real-world file', () => {
    const c = counts();
    for (const f of yamlFiles(REALWORLD)) differential(fs.readFileSync(f), path.relative(REALWORLD, f), c);
    expect(c.accepted / c.chunks).toBeGreaterThan(0.7);
    console.log(`real-world: ${c.chunks} chunks, ${c.accepted} read by the block reader, all equal`);
  });

  it('every fixture and example file, and the synthesized examples (LF, CRLF, no final line break)', () => {
    const c = counts();
    const files = [...yamlFiles(path.join(REPO, 'test', 'fixtures')), ...yamlFiles(path.join(REPO, 'examples'))];
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) differential(fs.readFileSync(f), path.relative(REPO, f), c);
    const shop = new App();
    buildShop(shop, { clock: TODAY });
    const guide = Testing.app();
    buildSeedGuide(guide, { clock: TODAY });
    const synth = counts();
    for (const [name, app] of [['migration', shop], ['seed-guide', guide]] as const) {
      const yaml = app.synthYaml();
      differential(yaml, name, synth);
      differential(yaml.replace(/\n/g, '\r\n'), `${name} CRLF`, synth);
      differential(yaml.trimEnd(), `${name} no final newline`, synth);
    }
    // cdk8s writes exactly the block YAML the reader is for.
    expect(synth.accepted).toBe(synth.chunks);
    console.log(`fixtures and examples: ${c.chunks} chunks, ${c.accepted} read; synthesized: ${synth.chunks} chunks, ${synth.accepted} read; all equal`);
  });

  it('generated manifest-like files: random scalars, keys, layouts and comments', () => {
    const c = counts();
    fc.assert(fc.property(fileArb, (content) => differential(content, JSON.stringify(content), c)), { numRuns: 1500, seed: 25 });
    // Null, merge and duplicate keys, NaN and `[ ]` are drawn often on purpose: a third or so of the chunks are left to the other readers.
    expect(c.accepted / c.chunks).toBeGreaterThan(0.25);
    console.log(`generated: ${c.chunks} chunks, ${c.accepted} read by the block reader, all equal`);
  });

  it('generated files with a few characters inserted or removed', () => {
    const c = counts();
    fc.assert(fc.property(mangledArb, (content) => differential(content, JSON.stringify(content), c)), { numRuns: 1500, seed: 26 });
    expect(c.accepted).toBeGreaterThan(0);
    console.log(`mangled: ${c.chunks} chunks, ${c.accepted} read by the block reader, all equal`);
  });
});

const HEAD = 'apiVersion: v1\nkind: ConfigMap\n';

/** Reads `yaml` as one chunk (the whole text). */
function block(yaml: string): { value: unknown } | undefined {
  return readChunkBlock(yaml, 0, yaml.length);
}

describe('block reader: what it reads', () => {
  it.each([
    ['mappings, sequences and comments', HEAD + '# c\ndata:   # c\n  a: b # c\n  # c\n\n  c: "d" # c\nlist:\n- a\n-   b\n- - c\n  - d\n- e: f\n  g: h\n'],
    ['sequences indented under a key', HEAD + 'spec:\n  ports:\n    - name: http\n      port: 80\n    - name: grpc\n      port: 81\n'],
    ['a sequence not indented under a key, then the next key', HEAD + 'a:\n- 1\n- 2\nb: 3\n'],
    ['an entry whose collection starts on the next line', HEAD + 'a:\n-\n  b: 1\n- c: 2\n'],
    ['quoted scalars and keys', HEAD + 'data:\n  "8080": \'it\'\'s\'\n  \'a b\': "say \'hi\' # not a comment"\n  "": x\n'],
    ['empty values and empty collections', HEAD + 'a:\nb: []\nc: {}\nd: [] # c\ne: ""\nf: [ ]\n'],
    ['one-line flow sequences of scalars', HEAD + 'a: [b, "c", \'d\', 1, yes, ~, 0x1F, a b]\nverbs: ["get", "list"] # c\nl:\n- [ x ,y ]\n'],
    ['resolved plain scalars', HEAD + 'data:\n  a: yes\n  b: 0x1F\n  c: 1e3\n  d: ~\n  e: 2001-12-14\n  f: -1\n  g: 1:20\n  h: a:b\n  i: x#y\n'],
    ['keys resolved as sigs.k8s.io/yaml writes them', HEAD + 'data:\n  8080: a\n  0x1F: b\n  yes: c\n  1e3: d\n  2001-12-14: e\n  constructor: f\n'],
    ['an indented document', '  apiVersion: v1\n  kind: X\n  a:\n    - b\n'],
    ['Windows line endings and no final line break', (HEAD + 'a:\n  b: "x"\n  c: d # e\n- 1\n').replace(/\n/g, '\r\n').slice(0, -2).replace('- 1', 'f: 1')],
    ['non-ASCII text', HEAD + 'data:\n  ü: 日本\n  emoji: 😀 x\n  q: "ü 😀"\n'],
    ['comments only', '# a\n\n  # b\n'],
  ])('reads %s as the careful path does', (_, yaml) => {
    const got = block(yaml);
    expect(got, _).toBeDefined();
    const careful = readChunkCareful(yaml, 0, yaml.length);
    expect(got!.value).toStrictEqual(careful!.value);
    expect(JSON.stringify(got!.value)).toBe(JSON.stringify(careful!.value));
  });
});

describe('block reader: the key cache shared by the chunks of a text', () => {
  it('gives each key its own JSON key when keys share a cache slot, within a chunk and across chunks', () => {
    // Same length, first and last character: one slot of the cache. `yes` and `on` resolve to other keys.
    const text = [
      'axb: 1\nayb: 2\nnested:\n  azb: 3\n  axb: 4\nyes: 5\nyas: 6\n',
      'ayb: 1\naxb: 2\non: 3\nonly: 4\n0x1F: 5\n0x2F: 6\n',
      'yes: 1\nyas: 2\n',
    ].join('---\n');
    const keys = new KeyCache();
    const chunks = splitStream(text).documents;
    expect(chunks).toHaveLength(3);
    for (const d of chunks) {
      const got = readChunkBlock(text, d.start, d.end, keys);
      expect(got).toBeDefined();
      const careful = readChunkCareful(text, d.start, d.end)!.value;
      expect(JSON.stringify(got!.value)).toBe(JSON.stringify(careful));
    }
    const first = readChunkBlock(text, chunks[0].start, chunks[0].end, keys)!.value;
    expect(Object.keys(first as object)).toEqual(['axb', 'ayb', 'nested', 'true', 'yas']);
  });
});

describe('block reader: what it leaves to the other readers', () => {
  it.each([
    ['a multi-line plain scalar', HEAD + 'a: x\n  y\n'],
    ['a multi-line plain sequence entry', HEAD + 'a:\n- x\n  y\n'],
    ['a multi-line quoted scalar', HEAD + 'a: "x\n  y"\n'],
    ['a multi-line single-quoted key', HEAD + "'a\n  b': 1\n"],
    ['a literal block scalar', HEAD + 'a: |\n  x\n'],
    ['a folded block scalar', HEAD + 'a: >-\n  x\n'],
    ['an anchor', HEAD + 'a: &x 1\n'],
    ['an alias', HEAD + 'a: *x\n'],
    ['a tag', HEAD + 'a: !!str 1\n'],
    ['the non-specific tag', HEAD + 'a: ! 1\n'],
    ['a complex key', HEAD + '? a\n: 1\n'],
    ['a nested flow sequence', HEAD + 'a: [b, [c]]\n'],
    ['a flow sequence over two lines', HEAD + 'a: [b,\n  c]\n'],
    ['a flow sequence with a trailing comma', HEAD + 'a: [b, c,]\n'],
    ['a pair in a flow sequence', HEAD + 'a: [b: c]\n'],
    ['a comment in a flow sequence', HEAD + 'a: [b #c\n  ]\n'],
    ['a flow sequence as a key', HEAD + '- [a]: 1\n'],
    ['a flow mapping with content', HEAD + 'a: {b: c}\n'],
    ['a flow key', HEAD + '[a]: 1\n'],
    ['a tab in the indentation', HEAD + 'a:\n\tb: 1\n'],
    ['a tab after the indicator', HEAD + 'a:\tb\n'],
    ['a tab in a value', HEAD + 'a: b\tc\n'],
    ['a tab in a comment', HEAD + 'a: b # c\td\n'],
    ['a duplicate key', HEAD + 'a: 1\na: 2\n'],
    ['keys equal once resolved', HEAD + 'yes: 1\ntrue: 2\n'],
    ['a plain and a quoted key with one JSON key', HEAD + '1: a\n"1": b\n'],
    ['an escape', HEAD + 'a: "x\\ny"\n'],
    ['a null key', HEAD + '~: 1\n'],
    ['a null word key', HEAD + 'null: 1\n'],
    ['a merge key', HEAD + '<<: x\n'],
    ['a merge value', HEAD + 'a: <<\n'],
    ['a __proto__ key', HEAD + '__proto__: 1\n'],
    ['a uint64 key', HEAD + '18446744073709551615: a\n'],
    ['NaN', HEAD + 'a: .nan\n'],
    ['an infinity', HEAD + 'a: -.inf\n'],
    ['a less indented key', HEAD + 'a:\n    b: 1\n  c: 2\n'],
    ['a more indented key', HEAD + 'a:\n  b: 1\n   c: 2\n'],
    ['a more indented entry', HEAD + 'a:\n  - b\n   - c\n'],
    ['a null sequence entry', HEAD + 'a:\n- \n- b\n'],
    ['an empty nested entry', HEAD + 'a:\n- -\n  - b\n'],
    ['blanks before the indicator', HEAD + 'a : 1\n'],
    ['a mapping in a plain value', HEAD + 'a: b: c\n'],
    ['a plain value ending in a colon', HEAD + 'a: b:\n'],
    ['an entry on the key\'s line', HEAD + 'a: - b\n'],
    ['a comment right after a quoted scalar', HEAD + 'a: "x"#c\n'],
    ['text after a quoted scalar', HEAD + 'a: "x" y\n'],
    ['a document end marker', HEAD + '...\n'],
    ['a lone CR', HEAD + 'a: 1\rb: 2\n'],
    ['a control character', HEAD + 'a: x\x07\n'],
    ['a control character in a comment', HEAD + '# \x07\na: 1\n'],
    ['a no-break space', HEAD + 'a: \u00a0x\n'],
    ['a line separator', HEAD + 'a: x\u2028y\n'],
    ['a byte order mark', HEAD + 'a: x\uFEFF\n'],
    ['a lone surrogate', HEAD + 'a: x\uD800\n'],
    ['a scalar document', '42\n'],
    ['plain scalars starting with reserved or indicator characters', HEAD + 'a: @x\n'],
    ['a dash alone as a value', HEAD + 'a: -\n'],
    ['an over-long key', HEAD + 'k'.repeat(1100) + ': 1\n'],
    ['nesting deeper than the reader goes', HEAD + 'a:\n' + Array.from({ length: 70 }, (_, i) => `${' '.repeat(2 * i + 2)}- x:\n`).join('')],
    ['a less indented line after an indented document', '  a: 1\nb: 2\n'],
  ])('declines %s, and parseManifests gives the careful result', (_, yaml) => {
    expect(block(yaml)).toBeUndefined();
    expect(plain(parseManifests(yaml))).toStrictEqual(plain(parseManifestsWithYaml(yaml)));
  });
});

/** Plain scalars: go-yaml's words, numbers of every base, dates, and text with indicators inside. */
const PLAIN = [
  'yes', 'No', 'on', 'OFF', 'y', 'n', 'true', 'False', 'null', 'Null', '~', 'yEs', 'nULL',
  '0', '-0', '+0', '007', '0o17', '0x1F', '-0x1f', '0b101', '1_000', '+12', '-12', '8080', '9007199254740993', '3000000000000000000000', '18446744073709551615',
  '1e3', '1e-7', '-1.5e3', '6.8523015e+5', '.5', '3.14', '1.', '.', '._', '1.2.3', '.inf', '-.Inf', '.nan',
  '1:20', '190:20:30', '2001-12-14', '2001-12-14T21:59:43Z', '2001-12-14 21:59:43.10 -5', '2001-2-3', '9999-99-99',
  'a:b', 'a#b', 'x,y', 'a]b', 'a{b}', '-x', '-1a', '<<', '<', 'a b', 'http://x/y?z=1&w=2', '*.svc.cluster.local', 'ü', '日本', '😀', 'v1', 'STRICT',
  'a"b', "a'b", 'a\\b', 'x&y', 'x *y', 'x !y', '=',
];

/** Scalars as written in a value position: plain, quoted with quotes inside, or nothing. */
const scalarText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PLAIN) },
  { weight: 1, arbitrary: fc.constantFrom(...PLAIN).map((s) => `'${s.replace(/'/g, "''")}'`) },
  { weight: 1, arbitrary: fc.constantFrom(...PLAIN, "it's", "'q'", 'a # b', 'a: b', '').map((s) => `"${s.replace(/["\\]/g, '')}"`) },
  { weight: 1, arbitrary: fc.constantFrom("'it''s'", "''", "'a # b'", "'\"x\"'", '[]', '{}', '[ ]') },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...PLAIN, '"a, b"', "'x]'", '"yes"', ' '), { maxLength: 4 }).map((a) => `[${a.join(', ')}]`) },
);

const keyText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('name', 'image', 'app.kubernetes.io/name', 'a', 'b', 'c', 'x-y', 'a b', 'constructor', 'toString') },
  { weight: 2, arbitrary: fc.constantFrom('yes', 'on', '1', '8080', '0x1F', '1e3', '2001-12-14', 'a:b', 'null', '~', '<<', '1.5', '-1', '__proto__') },
  { weight: 1, arbitrary: fc.constantFrom('"8080"', "'a''b'", '"a b"', '""', '"yes"') },
);

type Tree = { k: 'scalar'; s: string } | { k: 'seq'; items: Tree[] } | { k: 'map'; entries: [string, Tree][] };

const { tree: treeArb } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarText.map((s): Tree => ({ k: 'scalar', s })),
    fc.record({ k: fc.constant('seq' as const), items: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ k: fc.constant('map' as const), entries: fc.array(fc.tuple(keyText, tie('tree')), { minLength: 1, maxLength: 3 }) }),
  ),
}));

/** How a file lays out its blocks: indentation step, sequences under keys, trailing comments, comment and blank lines. */
interface Layout {
  readonly step: number;
  readonly seqIndented: boolean;
  readonly dashSpaces: number;
  readonly trailing: string;
  readonly between: string;
}

const layoutArb: fc.Arbitrary<Layout> = fc.record({
  step: fc.constantFrom(2, 2, 4, 1, 3),
  seqIndented: fc.boolean(),
  dashSpaces: fc.constantFrom(1, 1, 3),
  trailing: fc.constantFrom('', '', ' # c', '  #c: d', ' #'),
  between: fc.constantFrom('', '', '', '\n', '# c\n', '  # c\n', '\n  \n'),
});

/** The lines of a mapping or sequence at column `col`, block style. */
function renderBlock(t: Tree, col: number, l: Layout): string {
  const pad = ' '.repeat(col);
  if (t.k === 'map') {
    return t.entries.map(([k, v]) => {
      if (v.k === 'scalar') return `${l.between}${pad}${k}: ${v.s}${l.trailing}\n`;
      const inner = v.k === 'seq' && !l.seqIndented ? col : col + l.step;
      return `${pad}${k}:${l.trailing}\n${l.between}${renderBlock(v, inner, l)}`;
    }).join('');
  }
  if (t.k === 'seq') {
    const dash = `-${' '.repeat(l.dashSpaces)}`;
    return t.items.map((v) => {
      if (v.k === 'scalar') return `${l.between}${pad}${dash}${v.s}${l.trailing}\n`;
      // A compact entry: the collection starts on the `-` line, its next lines at the collection's column.
      const inner = renderBlock(v, col + dash.length, l);
      return `${pad}${dash}${inner.trimStart()}`;
    }).join('');
  }
  return `${pad}${t.s}\n`;
}

const documentArb = fc.record({
  entries: fc.array(fc.tuple(keyText, treeArb), { minLength: 1, maxLength: 4 }),
  layout: layoutArb,
  indent: fc.constantFrom(0, 0, 0, 2),
}).map(({ entries, layout, indent }) => {
  const pad = ' '.repeat(indent);
  return `${pad}apiVersion: v1\n${pad}kind: ConfigMap\n${renderBlock({ k: 'map', entries }, indent, layout)}`;
});

const fileArb = fc.record({
  docs: fc.array(documentArb, { minLength: 1, maxLength: 3 }),
  separator: fc.constantFrom('---\n', '--- # c\n', '---\n\n'),
  lead: fc.constantFrom('', '# head\n', '---\n'),
  crlf: fc.boolean(),
  trim: fc.boolean(),
}).map(({ docs, separator, lead, crlf, trim }) => {
  let text = lead + docs.join(separator);
  if (trim) text = text.trimEnd();
  return crlf ? text.replace(/\n/g, '\r\n') : text;
});

const NOISE = [' ', '  ', '\t', ':', ': ', '-', '- ', '#', ' #', '\n', '"', "'", '[', ']', '{', '}', ',', '?', '|', '>', '&a ', '*a', '!x ', '\r', '\u00a0', '\\'];

const mangledArb = fc.tuple(fileArb, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...NOISE), fc.boolean()), { minLength: 1, maxLength: 3 }))
  .map(([file, edits]) => {
    let text = file;
    for (const [at, s, remove] of edits) {
      const p = at % (text.length + 1);
      text = remove ? text.slice(0, p) + text.slice(p + 1) : text.slice(0, p) + s + text.slice(p);
    }
    return text;
  });
