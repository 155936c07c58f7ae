/**
 * The fast read path (js-yaml) against the careful path (the `yaml` library's
 * nodes, decoded by go-yaml's rules): same manifests, document indexes, base
 * pointers, problems and positions, over the fixtures, the real-world corpus,
 * the synthesized examples, edge cases and generated documents. Where the
 * fast path declines a document, parseManifests must still give the careful
 * result. test/upstream/go-yaml-v2.test.ts checks both against kubectl.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import * as jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import * as YAML from 'yaml';
import { buildShop } from '../../examples/migration/shop';
import { buildSeedGuide } from '../../examples/seed-guide/guide';
import { plainScalarValue as resolvePlainScalar } from '../../src/input/go-yaml-scalars';
import { ParseResult, parseManifests, parseManifestsFast, parseManifestsWithYaml } from '../../src/input/parse-manifests';
import { REALWORLD, yamlFiles } from '../realworld';

const REPO = path.resolve(__dirname, '../..');
const TODAY = () => new Date('2026-11-24T12:00:00Z');

/** What must be identical, without the locate functions. */
function plain(r: ParseResult) {
  return {
    manifests: r.manifests.map((m) => ({ manifest: m.manifest, documentIndex: m.documentIndex, basePointer: m.basePointer })),
    problems: r.problems,
  };
}

function escape(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every pointer into a value (at most ~150, evenly spread), plus some that do not exist. */
function samplePointers(value: unknown): string[] {
  const all: string[] = [];
  const walk = (v: unknown, base: string): void => {
    all.push(base);
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      for (const [k, x] of Object.entries(v)) walk(x, `${base}/${escape(k)}`);
    }
  };
  walk(value, '');
  const step = Math.ceil(all.length / 150);
  const sample = all.filter((_, i) => i % step === 0);
  return [...sample, '/missing', '/spec/missing/deeper', `${all[all.length - 1]}/missing`];
}

interface Outcome {
  /** True when the fast path read the file (no fallback to the `yaml` library). */
  readonly fast: boolean;
}

/** Checks parseManifests and the fast path against the reference; returns whether the fast path read the content. */
function expectSameAsYaml(content: string | Buffer, label: string): Outcome {
  const reference = parseManifestsWithYaml(content);
  const auto = parseManifests(content);
  const fast = parseManifestsFast(content);
  expect(plain(auto), label).toStrictEqual(plain(reference));
  if (fast) expect(plain(fast), label).toStrictEqual(plain(reference));
  for (let i = 0; i < reference.manifests.length; i++) {
    for (const pointer of samplePointers(reference.manifests[i].manifest)) {
      const expected = reference.manifests[i].locate(pointer);
      expect(auto.manifests[i].locate(pointer), `${label} #${i} ${pointer}`).toEqual(expected);
      if (fast) expect(fast.manifests[i].locate(pointer), `${label} #${i} ${pointer}`).toEqual(expected);
    }
  }
  return { fast: fast !== undefined };
}

describe('fast read path: corpora', () => {
  it('reads every fixture exactly as the yaml library does', () => {
    const files = yamlFiles(path.join(REPO, 'test', 'fixtures'));
    expect(files.length).toBeGreaterThan(5);
    const slow: string[] = [];
    for (const f of files) {
      const content = fs.readFileSync(f);
      const name = path.relative(REPO, f);
      if (!expectSameAsYaml(content, name).fast && parseManifestsWithYaml(content).problems.length === 0) slow.push(name);
    }
    // Only fixtures with problems (the deliberately broken one) need the yaml library.
    expect(slow).toEqual([]);
  });

  it.skipIf(!fs.existsSync(REALWORLD))('reads every real-world file exactly as the yaml library does', () => {
    const files = yamlFiles(REALWORLD);
    expect(files.length).toBeGreaterThan(0);
    let fast = 0;
    for (const f of files) if (expectSameAsYaml(fs.readFileSync(f), path.relative(REALWORLD, f)).fast) fast++;
    // Most real-world manifests are ordinary YAML.
    expect(fast / files.length).toBeGreaterThan(0.8);
  });

  it('reads the synthesized examples on the fast path, exactly as the yaml library does', () => {
    const shop = new App();
    buildShop(shop, { clock: TODAY });
    const guide = Testing.app();
    buildSeedGuide(guide, { clock: TODAY });
    for (const [name, app] of [['migration', shop], ['seed-guide', guide]] as const) {
      const yaml = app.synthYaml();
      expect(parseManifestsWithYaml(yaml).manifests.length, name).toBeGreaterThan(10);
      expect(expectSameAsYaml(yaml, name).fast, name).toBe(true);
      // With Windows line endings, a BOM (bytes) and no final line break too.
      expect(expectSameAsYaml(yaml.replace(/\n/g, '\r\n'), `${name} CRLF`).fast, name).toBe(true);
      expect(expectSameAsYaml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(yaml)]), `${name} BOM`).fast, name).toBe(true);
      expect(expectSameAsYaml(yaml.trimEnd(), `${name} no final newline`).fast, name).toBe(true);
    }
  });
});

const HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n';

describe('fast read path: cold start', () => {
  it('loads js-yaml on the first read, not when the library or the reader is imported', () => {
    const script = `
      const loaded = () => Object.keys(require.cache).some((k) => /[\\\\/]node_modules[\\\\/]js-yaml[\\\\/]/.test(k));
      require('./src/index.ts');
      const { parseManifests } = require('./src/input/parse-manifests.ts');
      const before = loaded();
      parseManifests('apiVersion: v1\\nkind: Namespace\\nmetadata: {name: a}\\n');
      process.stdout.write(JSON.stringify([before, loaded()]));
    `;
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: REPO, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([false, true]);
  });
});

describe('fast read path: what it declines', () => {
  it.each([
    ['an anchor and alias', HEAD + 'data:\n  a: &x 1\n  b: *x\n'],
    ['an anchor on an empty node', HEAD + 'data: &x\n'],
    ['a tag', HEAD + 'data:\n  a: !!str 1\n'],
    ['a non-specific tag', HEAD + 'data:\n  a: ! 1\n'],
    ['the non-specific tag on <<, a merge key to go-yaml', HEAD + 'data: {! <<: {a: 1}}\n'],
    ['a tag on an empty document', '---\n!x\n---\n' + HEAD],
    ['a verbatim tag', HEAD + 'data:\n  a: !<tag:yaml.org,2002:str> 1\n'],
    ['a duplicate key', HEAD + 'data:\n  a: 1\n  a: 2\n'],
    ['keys equal once resolved', HEAD + 'data:\n  yes: 1\n  true: 2\n'],
    ['a merge key', HEAD + 'base: &b {x: 1}\ndata:\n  <<: *b\n'],
    ['a bare merge key', HEAD + 'data:\n  <<: {x: 1}\n'],
    ['a merge key after a key', HEAD + 'data: {a: 1, <<: {a: 2}}\n'],
    ['a null key', HEAD + 'data:\n  ~: 1\n'],
    ['a null word key', HEAD + 'data:\n  null: 1\n'],
    ['an empty key', HEAD + 'data: {: 1}\n'],
    ['a collection key', HEAD + 'data:\n  [a, b]: 1\n'],
    ['a single-item collection key', HEAD + 'data: [[a]: 1]\n'],
    ['a collection key without a value', HEAD + 'data: {[a]}\n'],
    ['a collection key after a comma', HEAD + 'data: {x: 1, {a: 1}}\n'],
    ['a float key whose JSON key differs', HEAD + 'data: {1e6: a}\n'],
    ['an integer key beyond 2^53', HEAD + 'data: {9007199254740993: a}\n'],
    ['NaN, which kubectl refuses', HEAD + 'data: {a: .nan}\n'],
    ['an infinity, which kubectl refuses', HEAD + 'data: [-.inf]\n'],
    ['an escape go-yaml refuses', HEAD + 'data: {a: "x\\/y"}\n'],
    ['a surrogate escape', HEAD + 'data: {a: "\\ud83d\\ude00"}\n'],
    ['a %YAML directive', '%YAML 1.2\n---\n' + HEAD + 'data: {a: yes}\n'],
    ['a document end marker', HEAD + '...\n'],
    ['a document end marker first', '...\n' + HEAD],
    ['a comment right after a quoted scalar', HEAD + 'data: {a: "x"}#c\n'],
    ['a comment right after a flow indicator', HEAD + 'data: [a,#c\n  b]\n'],
    ['a control character', HEAD + 'data: {a: "\x07"}\n'],
    ['a lone CR', HEAD.replace(/\n/g, '\r')],
    ['a BOM in a string', HEAD + 'data: {a: "x\uFEFFy"}\n'],
    ['a too long implicit key', HEAD + 'data:\n  ' + 'k'.repeat(1100) + ': 1\n'],
    ['an empty sequence entry before a less indented one', HEAD + 'data:\n  - - \n  - x\n'],
    ['a comment before a value, no more indented than its key', HEAD + 'data:\n  a:\n  #c\n    x\n  b: 1\n'],
    ['deficient indentation', HEAD + 'data: [1,\n2]\n'],
    ['a block scalar indentation indicator', HEAD + 'data:\n  a: |2\n     x\n'],
    ['a line starting with a tab', HEAD + 'data:\n  a: "x\n\ty"\n'],
    ['an escaped line break before an empty line', HEAD + 'data:\n  a: "x\\\n\n    y"\n'],
    ['nesting deeper than js-yaml may go', HEAD + 'data: ' + '['.repeat(120) + ']'.repeat(120) + '\n'],
    ['a syntax error', HEAD + 'data: [\n'],
  ])('declines %s, and parseManifests gives the careful result', (_, content) => {
    expect(parseManifestsFast(content)).toBeUndefined();
    expectSameAsYaml(content, _);
  });

  it.each([
    ['block style with comments', HEAD + '# c\ndata:   # c\n  a: b # c\n  # c\n  c: "d" # c\nlist:\n- a\n-   b\n- - c\n  - d\n- e: f\n  g: h\n'],
    ['JSON', '{"apiVersion": "v1", "kind": "X", "a": [1, 2.5, -3e2, true, null, "\\u00e9\\/"], "b": {"c": {}}}'],
    ['flow style', HEAD + 'data: {a: [1, 2.5, -3e2, true, null, "\\u00e9"], b: {c: {}}}\n'],
    ['block scalars', HEAD + 'data:\n  a: |\n    x\n\n    y\n  b: >-\n    x\n    y\n  c: |+\n    x\n\n  d: >\n    x\n     y\n    z\n'],
    ['multi-line scalars', HEAD + 'data:\n  a: x\n    y\n\n    z\n  b: "x\n    y"\n  c: \'x\n\n    y\'\n'],
    ['integer keys', 'apiVersion: v1\nkind: X\nspec:\n  portLevelMtls:\n    8080: {mode: DISABLE}\n    0x1F: {}\n'],
    ['a List', 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: A}\n- apiVersion: v1\n  kind: B\n'],
    ['empty documents and comments', '# head\n---\n---\n# only a comment\n---\n' + HEAD + '---\n'],
    ['__proto__ and other Object.prototype names as keys', HEAD + 'data:\n  __proto__: {a: 1}\n  toString: x\n  constructor: y\n'],
    ['an indented document', '  apiVersion: v1\n  kind: X\n  a: 1\n'],
    // go-yaml keeps a timestamp's text: a string key, as js-yaml makes it.
    ['a timestamp key', HEAD + 'data:\n  2001-12-14: 1\n'],
    // A pair in a flow sequence is a one-entry mapping to all three readers.
    ['a pair in a flow sequence', HEAD + 'data: [a: 1]\n'],
    // kubectl adds the last line's line break, as js-yaml does.
    ['a blank last line without line break', HEAD + 'data:\n  a: |+\n    x\n  '],
    // Collections after `{` or `,` are checked: none became a key.
    ['a flow sequence of collections', HEAD + 'data: [{a: 1}, [b], {c: [d]}]\n'],
    ['a template in a string', HEAD + 'data: {a: "{{ $labels.x }}"}\n'],
    ['floats as values', HEAD + 'data: {a: 1e-7, b: 6.8523015e+5, c: [1e6]}\n'],
    // Documents kubectl refuses from their values: the same refusal on both paths.
    ['a scalar document', HEAD + '---\n42\n'],
    ['a List item that is not an object', 'apiVersion: v1\nkind: List\nitems: [1]\n'],
    // kubectl's bad separator lines stop the file before any YAML is read.
    ['content after ---', '--- ' + HEAD],
    ['---x', HEAD + '---x: 1\n'],
  ])('reads %s on the fast path', (_, content) => {
    expect(expectSameAsYaml(content, _).fast).toBe(true);
  });
});

/** Layouts where js-yaml and the `yaml` library part ways (or nearly), found while building the fast path. */
const EDGE_CASES: string[] = [
  HEAD + 'k' + 'x'.repeat(1030) + ': 1\n',
  HEAD + '"' + 'x'.repeat(1030) + '": 1\n',
  HEAD + 'a: ' + 'x'.repeat(2000) + '\n',
  HEAD + 'data: {' + 'k'.repeat(1100) + ': v}\n',
  HEAD + 'a:\tb\n', HEAD + 'a: b\t\n', HEAD + 'a:\t\tb\t# c\n', HEAD + '\ta: 1\n', HEAD + 'a:\n\t- 1\n', HEAD + 'a:\n  -\t1\n', HEAD + 'a: [1,\t2]\n', HEAD + 'a: "x\ty"\n', HEAD + 'a: |\n  \tx\n', HEAD + 'a: |\n\tx\n',
  HEAD + 'a: [1,\n2]\n', HEAD + 'a: [1,\n  2]\n', HEAD + 'a: {b: 1,\nc: 2}\n', HEAD + 'a: "x\ny"\n', HEAD + "a: 'x\ny'\n", HEAD + 'a: "x\n  y"\n', HEAD + 'a: x\ny\n', HEAD + 'a: x\n y\n',
  HEAD + 'a: |\n  \n   x\n', HEAD + 'a: |\n   \n  x\n', HEAD + 'a: |2\n   x\n', HEAD + 'a: |1\n  x\n', HEAD + 'a: >\n  x\n\n   y\n  z\n', HEAD + 'a: | # c\n  x\n', HEAD + 'a: |-\n  x\n\n\n', HEAD + 'a: |+\n  x\n\n\n', HEAD + 'a: |+\n  x\n\n\n---\nb: 1\n', HEAD + 'a: >-\n  x\n  y\n\n',
  HEAD + 'a: "\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\/\\ \\\t\\0\\a\\b\\e\\f\\v"\n', HEAD + 'a: "x\\\n   y"\n', HEAD + 'a: "x  \n\n  y"\n', HEAD + 'a: "x\\q"\n', HEAD + 'a: "\\uD800"\n',
  HEAD + 'a  : 1\n', HEAD + 'a :1\n', HEAD + '"a" : 1\n', HEAD + 'a: b: c\n', HEAD + 'a: {b: c: d}\n', HEAD + 'a: [b: c]\n', HEAD + 'a: {b, c: 1}\n', HEAD + '- a\n', HEAD + 'a:\n- b\n- c\n', HEAD + 'a:\n  - b\n   - c\n', HEAD + 'a: - b\n',
  HEAD + 'a:\n  b: 1\n c: 2\n', HEAD + 'a:\n    b: 1\n  c: 2\n', HEAD + 'a: 1\n  b: 2\n', HEAD + 'a:\n- - b\n  - c\n- d: 1\n  e: 2\n',
  '--- a: 1\n', '---\n  apiVersion: v1\n  kind: X\n', '  apiVersion: v1\n  kind: X\n', '---\napiVersion: v1\nkind: X\n---   \n---\t# c\napiVersion: v1\nkind: Y\n', '# c\n\n---\n\n# d\napiVersion: v1\nkind: X\n',
  HEAD + 'a: x # c\n# d\n  # e\nb: 2\n', HEAD + 'a: "x"# c\n', HEAD + "a: 'x'#c\n", HEAD + 'a: [x]#c\n', HEAD + 'a: [x, #c\n  y]\n', HEAD + 'a: x#c\n', HEAD + 'a: x #c\n',
  HEAD + 'a: 1\r\nb: |\r\n  x\r\n  y\r\n', HEAD + 'a: "x\r\n  y"\r\n', HEAD + 'a: x\r\n  y\r\n',
  '{"apiVersion": "v1", "kind": "X", "a": "\\u00e9\\/", "b": [1, 2.5, -3e2, true, null]}\n', '{"apiVersion":"v1","kind":"X","metadata":{"name":"n"}}', '[{"a": 1}]\n',
  HEAD + 'a: \u00a0x\n', HEAD + 'a: x\u00a0\n', HEAD + 'a:\u00a0x\n', HEAD + '\u3000a: 1\n',
  HEAD + 'a: !!str 1\n', HEAD + 'a: ! 1\n', HEAD + 'a: &x 1\nb: *x\n', HEAD + 'a: {<<: {b: 1}}\n', HEAD + '<<: {b: 1}\n', HEAD + '"<<": 1\n', HEAD + 'a: <<\n', HEAD + '? a\n: 1\n', HEAD + '? [a]\n: 1\n', HEAD + '[a]: 1\n', HEAD + '{a: 1}: 2\n', HEAD + '~: 1\n', HEAD + ': 1\n', HEAD + 'a: {: 1}\n', HEAD + '2001-01-01: 1\n', HEAD + 'a: [2001-01-01]\n', HEAD + 'a: 2001-01-01\n',
  HEAD + 'a: 1\na: 2\n', HEAD + '1: a\n"1": b\n', HEAD + 'yes: a\ntrue: b\n', HEAD + '0x10: a\n16: b\n', HEAD + '.nan: a\n.NaN: b\n', HEAD + '__proto__: {a: 1}\n', HEAD + 'toString: 1\nconstructor: 2\nhasOwnProperty: 3\n',
  HEAD + 'a: -\n', HEAD + 'a: - \n', HEAD + 'a: ?\n', HEAD + 'a: :\n', HEAD + 'a: ? b\n', HEAD + 'a: -1\n', HEAD + 'a: --1\n', HEAD + 'a: ---\n', HEAD + 'a:\n---\n', HEAD + 'a: |\n  x\n---\n  y\n',
  HEAD + 'a: >\n\n  x\n', HEAD + 'a: |\n\n\n', HEAD + 'a: |\n', HEAD + 'a: >\nb: 1\n', HEAD + 'a: |-\n  x\n b\n',
  HEAD + 'a: 0o17\nb: 0O17\nc: 0x1f\nd: 0X1F\ne: 1_0\nf: +0x10\ng: -0o7\n', HEAD + 'a: 1:2:3\nb: 1:2.5\nc: -1:0\nd: 1:60\ne: 1::2\n',
  HEAD + 'a: 2001-12-14t21:59:43.10-05:00\nb: 2001-12-14 21:59:43.10 -5\nc: 2001-12-14T21:59:43Z\nd: 2001-12-14  21:59:43.123456 +05:30\ne: 2001-2-3\nf: 2001-12-14T21:59:43.1234Z\ng: 2001-12-14T21:59\n',
  HEAD + 'a: "a\\\n  \\ b"\n', HEAD + "a: 'it''s'\n", HEAD + 'a: "\\"q\\""\n', HEAD + "a: ''\nb: \"\"\n", HEAD + 'a: " "\n',
  HEAD + 'a: x\n\n  y\n', HEAD + 'a: x\n  # c\n  y\n', HEAD + 'a: x\n  -y\n', HEAD + 'a: x\n  - y\n', HEAD + 'a: x\n  y: z\n', HEAD + '- x\n  y\n',
  HEAD + 'a: [x\n  y]\n', HEAD + 'a: {x: y\n  z}\n', HEAD + 'a: [\n  1,\n  2,\n]\n', HEAD + 'a: [1,,2]\n', HEAD + 'a: [1, 2,]\n', HEAD + 'a: {b: 1,}\n', HEAD + 'a: [ ]\n', HEAD + 'a: { }\n',
  HEAD + 'a: [a, [b, [c]]]\nb: {c: {d: {e: f}}}\n', HEAD + 'a: ["x", \'y\', z]\n', HEAD + 'a: {"b":1}\n', HEAD + 'a: {"b":c}\n', HEAD + 'a: {b:c}\n', HEAD + 'a: [b:c]\n', HEAD + 'a: {b: [c]:d}\n',
  HEAD + 'a: @x\n', HEAD + 'a: `x`\n', HEAD + 'a: %x\n', HEAD + 'a: x%\n', HEAD + 'a: |x\n', HEAD + 'a: >x\n',
  HEAD + 'a:\n  |\n  x\n', HEAD + 'a:\n  - |\n    x\n  - >-\n    y\n', HEAD + 'a: >2-\n    x\n', HEAD + 'a: |-2\n    x\n', HEAD + 'a: |10\n          x\n', HEAD + 'a: |0\n x\n',
];

describe('fast read path: edge cases', () => {
  it('gives the yaml library\'s result for each edge case', () => {
    let fast = 0;
    for (const c of EDGE_CASES) if (expectSameAsYaml(c, JSON.stringify(c)).fast) fast++;
    expect(fast).toBeGreaterThan(EDGE_CASES.length / 3);
  });

  it('gives the yaml library\'s result for block scalars of every header, indentation and blank-line layout', () => {
    for (const indicator of ['', '1', '2', '4']) {
      for (const chomp of ['', '-', '+']) {
        for (const blank of [0, 1, 2, 4, 5, 7]) {
          for (const content of [null, 2, 4, 6]) {
            for (const where of ['middle', 'end', 'first', 'only']) {
              const b = ' '.repeat(blank);
              const x = content === null ? null : `${' '.repeat(content)}x`;
              if (where !== 'only' && x === null) continue;
              const body = where === 'only' ? `${b}\n` : where === 'middle' ? `${x}\n${b}\n${x}\n` : where === 'end' ? `${x}\n${b}\n` : `${b}\n${x}\n`;
              expectSameAsYaml(`${HEAD}data:\n  b: |${indicator}${chomp}\n${body}c: 1\n`, `|${indicator}${chomp} ${blank} ${content} ${where}`);
              expectSameAsYaml(`${HEAD}data:\n  b: >${chomp}${indicator}\n${body}c: 1\n`, `>${chomp}${indicator} ${blank} ${content} ${where}`);
            }
          }
        }
      }
    }
  });

  it('gives the yaml library\'s result for quoted scalars over several lines, escaped line breaks and tabs', () => {
    const B = '\\';
    for (const c of [
      `a: "x${B}\n\n  y"\n`, `a: "x${B}\n  \n  y"\n`, `a: "x${B}\n\n\n  y"\n`, `a: "x ${B}\n  y"\n`, `a: "x${B}\n  ${B} y"\n`, `a: "x${B}\n\ty"\n`, `a: "x${B}\n \t\n  y"\n`,
      'a: "x\n\ty"\n', 'a: "x\n \ty"\n', 'a: \'x\n\ty\'\n', 'a: x\n\ty\n', 'a: x\n \ty\n', 'a: "x\t\n  y"\n', 'a: "x\n\t\n  y"\n', 'a: [x,\n\ty]\n',
      'a: {x: 1,\n\ty: 2}\n', `a: "x${B}\n  y"\n`, `a: "${B}\n  y"\n`, 'a: "x\n\n  y"\n', 'a: \'x\n  \n  y\'\n',
    ]) expectSameAsYaml(HEAD + c, JSON.stringify(c));
  });
});

/** Plain scalars whose YAML 1.1 resolution differs from YAML 1.2, or from js-yaml's defaults. */
const TRICKY = [
  'yes', 'Yes', 'YES', 'yEs', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'y', 'Y', 'n', 'N', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE',
  '~', 'null', 'Null', 'NULL', 'nULL',
  '0', '-0', '+0', '00', '0777', '0o17', '0O17', '08', '012345678', '0_', '0x1F', '0X1F', '-0x1f', '0x_', '0xGG', '0b101', '-0b1', '0b_', '0b2', '1_000', '+12', '-12', '1__0', '_1',
  '3000000000000000000000', '9007199254740993',
  '190:20:30', '1:2', '-1:20', '1:60', '1_2:30.5', '12:30:00.5', '1::2', '1:2:3:4',
  '1e3', '1E3', '1e-7', '1E+2', '-1.5e3', '6.8523015e+5', 'e5', 'E5', '.5e3', '1.e3', '1.5e', '1e3.5',
  '3.14', '-3.14', '+.5', '1.', '.', '-.', '._', '0.0', '-0.0', '0.1_0', '1_0.5', '1.2.3',
  '.inf', '.Inf', '.INF', '-.inf', '-.Inf', '+.INF', '.iNf', '.nan', '.NaN', '.NAN', '-.nan', 'inf', 'nan',
  '2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43Z', '2001-12-14 21:59:43.10 -5', '2001-12-14  21:59:43.123456 +05:30', '2002-12-14', '2001-2-3',
  '2001-12-14T21:59', '9999-99-99', '2001-12-14T21:59:43.1+1', '2001-12-14 1:2:3',
  '<<', '<', 'a b', 'a:b', 'a#b', 'x,y', '-x', '?x', 'http://x/y?z=1&w=2', '*.svc.cluster.local', '/api/*', 'ü', '日本',
  'v1', 'apps/v1', 'STRICT', '8080', 'k8s',
];

/** Scalars that need no quoting as plain YAML (in block or flow context). */
function plainSafe(s: string, flow: boolean): boolean {
  if (s === '' || s !== s.trim() || /[\n\t]/.test(s)) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s) && !/^-[^\s,[\]{}]/.test(s) && !/^\?[^\s]/.test(s)) return false;
  if (/: |:$| #/.test(s)) return false;
  if (flow && /[,[\]{}]/.test(s)) return false;
  return true;
}

type Node = { k: 'scalar'; s: string; style: number } | { k: 'seq'; items: Node[]; flow: boolean } | { k: 'map'; entries: [Node, Node][]; flow: boolean };

function render(n: Node, indent: number, flow: boolean): string {
  if (n.k === 'scalar') {
    if (n.style === 0 && plainSafe(n.s, flow)) return n.s;
    if (n.style === 1) return `'${n.s.replace(/'/g, "''")}'`;
    return JSON.stringify(n.s);
  }
  const inFlow = flow || n.flow;
  if (n.k === 'seq') {
    if (inFlow || n.items.length === 0) return `[${n.items.map((x) => render(x, indent, true)).join(', ')}]`;
    return n.items.map((x) => `\n${' '.repeat(indent)}- ${render(x, indent + 2, false).replace(/^\n +/, '')}`).join('');
  }
  if (inFlow || n.entries.length === 0) return `{${n.entries.map(([k, v]) => `${render(k, indent, true)}: ${render(v, indent, true)}`).join(', ')}}`;
  return n.entries.map(([k, v]) => {
    const value = render(v, indent + 2, false);
    return `\n${' '.repeat(indent)}${render(k, indent, true)}:${value.startsWith('\n') ? '' : ' '}${value}`;
  }).join('');
}

const scalarArb: fc.Arbitrary<Node> = fc.record({
  k: fc.constant('scalar' as const),
  s: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TRICKY) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }),
  style: fc.constantFrom(0, 0, 0, 1, 2),
});

const { node: nodeArb } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.record({ k: fc.constant('seq' as const), items: fc.array(tie('node'), { maxLength: 3 }), flow: fc.boolean() }),
    fc.record({ k: fc.constant('map' as const), entries: fc.array(fc.tuple(scalarArb, tie('node')), { maxLength: 3 }), flow: fc.boolean() }),
  ),
}));

const documentArb = fc.record({
  entries: fc.array(fc.tuple(scalarArb, nodeArb), { maxLength: 4 }),
  comment: fc.constantFrom('', ' # c', '\n# c', '\n  # c'),
}).map(({ entries, comment }) => `apiVersion: v1\nkind: ConfigMap${comment}${render({ k: 'map', entries, flow: false }, 0, false)}\n`);

const fileArb = fc.record({
  docs: fc.array(documentArb, { minLength: 1, maxLength: 3 }),
  separator: fc.constantFrom('---\n', '--- # c\n', '---\n\n', '---\n---\n'),
  lead: fc.constantFrom('', '# head\n', '---\n', '\n'),
  crlf: fc.boolean(),
  bom: fc.boolean(),
}).map(({ docs, separator, lead, crlf, bom }) => {
  let text = lead + docs.join(separator);
  if (crlf) text = text.replace(/\n/g, '\r\n');
  return bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) : text;
});

describe('fast read path: generated documents', () => {
  it('resolves every tricky plain scalar as the yaml library does, as key and as value, block and flow', () => {
    for (const s of TRICKY) {
      if (!plainSafe(s, true)) continue;
      expectSameAsYaml(`${HEAD}data:\n  v: ${s}\n  ${s}: v\n  l: [${s}]\n  m: {${s}: ${s}}\n`, s);
      expectSameAsYaml(`${HEAD}data:\n  v: '${s}'\n  q: "${s}"\n`, `quoted ${s}`);
    }
  });

  it('resolves plain scalars by go-yaml v2\'s rules (test/upstream/go-yaml-v2.test.ts has the full table)', () => {
    expect(resolvePlainScalar('yes')).toBe(true);
    expect(resolvePlainScalar('Off')).toBe(false);
    expect(resolvePlainScalar('0777')).toBe(511);
    expect(resolvePlainScalar('0o17')).toBe(15);
    expect(resolvePlainScalar('08')).toBe(8);
    expect(resolvePlainScalar('0b101')).toBe(5);
    expect(resolvePlainScalar('190:20:30')).toBe('190:20:30');
    expect(Object.is(resolvePlainScalar('-0'), 0)).toBe(true);
    expect(() => resolvePlainScalar('-.Inf')).toThrow(/not a number JSON can carry/);
    expect(resolvePlainScalar('2001-12-14t21:59:43.10-05:00')).toBe('2001-12-14t21:59:43.10-05:00');
    expect(resolvePlainScalar('.')).toBe('.');
    expect(resolvePlainScalar('k8s')).toBe('k8s');
    expect(resolvePlainScalar('<<')).toBe('<<');
  });

  it('gives the yaml library\'s result for generated files (scalars in keys and values, flow and block, comments, CRLF, BOM)', () => {
    let fast = 0;
    let runs = 0;
    let clean = 0;
    let cleanFast = 0;
    fc.assert(fc.property(fileArb, (content) => {
      runs++;
      const f = expectSameAsYaml(content, JSON.stringify(content.toString())).fast;
      if (f) fast++;
      if (parseManifestsWithYaml(content).problems.length === 0) {
        clean++;
        if (f) cleanFast++;
      }
    }), { numRuns: 400, seed: 7 });
    // The fast path reads most files kubectl reads without a problem; it declines merge keys, duplicate and null
    // keys, and floats whose JSON key js-yaml writes differently (1e-7, .inf as keys).
    expect(clean).toBeGreaterThan(runs / 2);
    expect(cleanFast / clean).toBeGreaterThan(0.6);
  });

  it('gives the yaml library\'s result for objects written by the yaml library and by js-yaml, with their options at random', () => {
    const atoms = ['a', ' ', '\n', '\n\n', '\t', ':', ': ', '#', ' #', '- ', '"', "'", '\\', '[', '}', ',', '?', '|', '>', '&', '*', '!', '%', '@', '`', 'ü', '😀',
      'yes', 'no', '1', '0x1', '1e3', '.inf', '~', '2001-12-14', '12:30', '<<', '---', '...', ' \n', '\n ', '\r\n', '\u00a0', '\u0085', '\u2028'];
    const text = fc.oneof(fc.array(fc.constantFrom(...atoms), { maxLength: 8 }).map((a) => a.join('')), fc.string({ maxLength: 120 }));
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null),
        fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(text, tie('v'), { maxKeys: 3 })),
    })).v;
    const manifest = fc.record({ kind: fc.constantFrom('ConfigMap', 'List'), data: value, extra: fc.dictionary(text, value, { maxKeys: 3 }) })
      .map(({ kind, data, extra }) => ({ apiVersion: 'v1', kind, ...extra, data, ...(kind === 'List' ? { items: [{ apiVersion: 'v1', kind: 'A' }, { apiVersion: 'v1', kind: 'B', data: structuredClone(data) }] } : {}) }));
    const yamlOptions = fc.record({
      indent: fc.constantFrom(2, 4),
      indentSeq: fc.boolean(),
      lineWidth: fc.constantFrom(0, 20, 80),
      minContentWidth: fc.constantFrom(0, 20),
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_FOLDED', 'BLOCK_LITERAL'),
      blockQuote: fc.constantFrom(true, false, 'folded', 'literal'),
      collectionStyle: fc.constantFrom('any', 'block', 'flow'),
      doubleQuotedAsJSON: fc.boolean(),
    });
    const jsYamlOptions = fc.record({
      lineWidth: fc.constantFrom(-1, 20, 80),
      flowLevel: fc.constantFrom(-1, 1, 2),
      quotingType: fc.constantFrom("'", '"'),
      forceQuotes: fc.boolean(),
      noCompatMode: fc.boolean(),
      noArrayIndent: fc.boolean(),
      indent: fc.constantFrom(2, 4),
    });
    const writer = fc.oneof(
      yamlOptions.map((o) => (v: unknown) => YAML.stringify(v, o as YAML.ToStringOptions)),
      jsYamlOptions.map((o) => (v: unknown) => jsYaml.dump(v, o as jsYaml.DumpOptions)),
    );
    let fast = 0;
    let runs = 0;
    let clean = 0;
    let cleanFast = 0;
    fc.assert(fc.property(fc.array(fc.tuple(manifest, writer), { minLength: 1, maxLength: 3 }), (docs) => {
      const content = docs.map(([m, write]) => write(m)).join('---\n');
      runs++;
      const f = expectSameAsYaml(content, JSON.stringify(content)).fast;
      if (f) fast++;
      if (parseManifestsWithYaml(content).problems.length === 0) {
        clean++;
        if (f) cleanFast++;
      }
    }), { numRuns: 300, seed: 5 });
    expect(clean).toBeGreaterThan(runs * 0.9);
    expect(cleanFast / clean).toBeGreaterThan(0.5);
  });

  it('gives the yaml library\'s result for mangled files', () => {
    const noise = fc.constantFrom(' ', '\t', ':', '-', '#', '\n', '"', "'", '[', ']', '{', '}', ',', '?', '|', '>', '&a ', '*a', '!x ', '---\n', '...\n', '<<: ', '\r\n', '  ', '%', '- ', '#c\n');
    const mangled = fc.tuple(fileArb, fc.array(fc.tuple(fc.nat(), noise, fc.boolean()), { minLength: 1, maxLength: 3 })).map(([file, edits]) => {
      let text = file.toString();
      for (const [at, s, remove] of edits) {
        const p = at % (text.length + 1);
        text = remove ? text.slice(0, p) + text.slice(p + 1) : text.slice(0, p) + s + text.slice(p);
      }
      return text;
    });
    fc.assert(fc.property(mangled, (content) => {
      expectSameAsYaml(content, JSON.stringify(content));
    }), { numRuns: 400, seed: 11 });
  });
});
