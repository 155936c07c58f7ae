/*
 * The rows of go-yaml-v2.test.ts (see its header for their sources and what is not ported), in a module of
 * their own so that other tests can read every input without running that file's tests again.
 */
import { expect } from 'vitest';
import { ParseResult, parseManifests, parseManifestsFast, parseManifestsWithYaml } from '../../src/input/parse-manifests';

const DECODE_TEST = 'go.yaml.in/yaml/v2 v2.4.4 decode_test.go';
const RESOLVE = 'go.yaml.in/yaml/v2 v2.4.4 resolve.go resolve';
const DECODE = 'go.yaml.in/yaml/v2 v2.4.4 decode.go';
const SIGS = 'sigs.k8s.io/yaml v1.6.0 yaml.go convertToJSONableObject';
const READER = 'k8s.io/apimachinery v0.35.3 pkg/util/yaml/decoder.go YAMLReader.Read';
const JSON_OR_YAML = 'k8s.io/apimachinery v0.35.3 pkg/util/yaml/decoder.go YAMLOrJSONDecoder.Decode';
const UNSTRUCTURED = 'k8s.io/apimachinery v0.35.3 pkg/apis/meta/v1/unstructured/helpers.go unstructuredJSONScheme';
const FLATTEN = 'k8s.io/cli-runtime v0.35.6 pkg/resource/visitor.go FlattenListVisitor.Visit';
const FILE_VISITOR = 'k8s.io/cli-runtime v0.35.6 pkg/resource/visitor.go FileVisitor.Visit (x/text v0.31.0 BOMOverride)';

/** What kubectl does with a row. */
type Want =
  | { readonly value: unknown } // one object, this value
  | { readonly objects: readonly unknown[] } // these objects, in order
  | { readonly nothing: true } // no object, no problem
  | { readonly refused: RegExp; readonly objects?: readonly unknown[] } // one document is refused (the others give `objects`); kubectl reads on
  | { readonly stops: RegExp; readonly before?: readonly unknown[] }; // kubectl stops reading the file (after applying `before`)

export interface Row {
  readonly source: string;
  readonly yaml: string | Buffer;
  readonly want: Want;
}

const SENTINEL_TEXT = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: sentinel}\n';
const SENTINEL = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sentinel' } };
const STOP_NOTE = 'kubectl stops reading the file here, so nothing after it is applied';

/** The row followed by `---` and the sentinel, in the row's encoding. */
export function withSentinel(input: string | Buffer): string | Buffer {
  if (typeof input === 'string') return `${input}${input.endsWith('\n') || input === '' ? '' : '\n'}---\n${SENTINEL_TEXT}`;
  const tail = `\n---\n${SENTINEL_TEXT}`;
  if (input[0] === 0xff && input[1] === 0xfe) return Buffer.concat([input, Buffer.from(tail, 'utf16le')]);
  if (input[0] === 0xfe && input[1] === 0xff) return Buffer.concat([input, Buffer.from(tail, 'utf16le').swap16()]);
  return Buffer.concat([input, Buffer.from(tail)]);
}

export function plain(r: ParseResult) {
  const manifests = r.manifests.map((m) => ({ manifest: m.manifest, documentIndex: m.documentIndex, basePointer: m.basePointer }));
  return { manifests, problems: r.problems };
}

export function check(row: Row): void {
  const input = withSentinel(row.yaml);
  const careful = parseManifestsWithYaml(input);
  const label = `${row.source}: ${JSON.stringify(String(row.yaml))}`;
  const objects = careful.manifests.map((m) => m.manifest);
  const { want } = row;
  if ('value' in want) {
    expect(careful.problems, label).toEqual([]);
    expect(objects, label).toStrictEqual([want.value, SENTINEL]);
  } else if ('refused' in want) {
    expect(careful.problems, label).toHaveLength(1);
    expect(careful.problems[0].message, label).toMatch(want.refused);
    expect(careful.problems[0].message, label).not.toContain(STOP_NOTE);
    expect(objects, label).toStrictEqual([...(want.objects ?? []), SENTINEL]);
  } else if ('objects' in want) {
    expect(careful.problems, label).toEqual([]);
    expect(objects, label).toStrictEqual([...want.objects, SENTINEL]);
  } else if ('nothing' in want) {
    expect(careful.problems, label).toEqual([]);
    expect(objects, label).toStrictEqual([SENTINEL]);
  } else {
    expect(careful.problems, label).toHaveLength(1);
    expect(careful.problems[0].message, label).toMatch(want.stops);
    expect(careful.problems[0].message, label).toContain(STOP_NOTE);
    expect(objects, label).toStrictEqual([...(want.before ?? [])]);
  }
  // Both paths, and parseManifests, give the same result: values, documents, problems and positions.
  expect(plain(parseManifests(input)), label).toStrictEqual(plain(careful));
  const fast = parseManifestsFast(input);
  if (fast) expect(plain(fast), label).toStrictEqual(plain(careful));
}

const v = (value: unknown): Want => ({ value });
const stops = (re: RegExp): Want => ({ stops: re });
const A = { apiVersion: 'v1', kind: 'A' };
const B = { apiVersion: 'v1', kind: 'B' };

// ---------------------------------------------------------------------------
// go-yaml v2's own tests, decoded into interface{} and turned into JSON
// ---------------------------------------------------------------------------

const UNMARSHAL = `${DECODE_TEST} unmarshalTests`;
export const UPSTREAM_ROWS: Row[] = [
  { source: UNMARSHAL, yaml: '', want: { nothing: true } },
  { source: UNMARSHAL, yaml: '{}', want: v({}) },
  { source: UNMARSHAL, yaml: 'v: hi', want: v({ v: 'hi' }) },
  { source: UNMARSHAL, yaml: 'v: true', want: v({ v: true }) },
  { source: UNMARSHAL, yaml: 'v: 10', want: v({ v: 10 }) },
  { source: UNMARSHAL, yaml: 'v: 0b10', want: v({ v: 2 }) },
  { source: UNMARSHAL, yaml: 'v: 0xA', want: v({ v: 10 }) },
  { source: UNMARSHAL, yaml: 'v: 0.1', want: v({ v: 0.1 }) },
  { source: UNMARSHAL, yaml: 'v: .1', want: v({ v: 0.1 }) },
  // +Inf and -Inf decode, then encoding/json refuses them: kubectl's YAMLToJSON fails.
  { source: UNMARSHAL, yaml: 'v: .Inf', want: stops(/document 1: \.inf is not a number JSON can carry/) },
  { source: UNMARSHAL, yaml: 'v: -.Inf', want: stops(/document 1: -\.inf is not a number JSON can carry/) },
  { source: UNMARSHAL, yaml: 'v: -10', want: v({ v: -10 }) },
  { source: UNMARSHAL, yaml: 'v: -.1', want: v({ v: -0.1 }) },
  { source: `${UNMARSHAL} (floats from spec)`, yaml: 'canonical: 6.8523e+5', want: v({ canonical: 685230 }) },
  { source: `${UNMARSHAL} (floats from spec)`, yaml: 'expo: 685.230_15e+03', want: v({ expo: 685230.15 }) },
  { source: `${UNMARSHAL} (floats from spec)`, yaml: 'fixed: 685_230.15', want: v({ fixed: 685230.15 }) },
  { source: `${UNMARSHAL} (floats from spec)`, yaml: 'neginf: -.inf', want: stops(/-\.inf is not a number JSON can carry/) },
  { source: `${UNMARSHAL} (bools from spec)`, yaml: 'canonical: y', want: v({ canonical: true }) },
  { source: `${UNMARSHAL} (bools from spec)`, yaml: 'answer: NO', want: v({ answer: false }) },
  { source: `${UNMARSHAL} (bools from spec)`, yaml: 'logical: True', want: v({ logical: true }) },
  { source: `${UNMARSHAL} (bools from spec)`, yaml: 'option: on', want: v({ option: true }) },
  { source: `${UNMARSHAL} (ints from spec)`, yaml: 'canonical: 685230', want: v({ canonical: 685230 }) },
  { source: `${UNMARSHAL} (ints from spec)`, yaml: 'decimal: +685_230', want: v({ decimal: 685230 }) },
  { source: `${UNMARSHAL} (ints from spec)`, yaml: 'octal: 02472256', want: v({ octal: 685230 }) },
  { source: `${UNMARSHAL} (ints from spec)`, yaml: 'hexa: 0x_0A_74_AE', want: v({ hexa: 685230 }) },
  { source: `${UNMARSHAL} (ints from spec)`, yaml: 'bin: 0b1010_0111_0100_1010_1110', want: v({ bin: 685230 }) },
  { source: `${UNMARSHAL} (ints from spec)`, yaml: 'bin: -0b101010', want: v({ bin: -42 }) },
  { source: `${UNMARSHAL} (ints from spec)`, yaml: `bin: -0b1${'0'.repeat(63)}`, want: v({ bin: -9223372036854775808 }) },
  { source: `${UNMARSHAL} (nulls from spec)`, yaml: 'empty:', want: v({ empty: null }) },
  { source: `${UNMARSHAL} (nulls from spec)`, yaml: 'canonical: ~', want: v({ canonical: null }) },
  { source: `${UNMARSHAL} (nulls from spec)`, yaml: 'english: null', want: v({ english: null }) },
  // go-yaml decodes the null key; sigs.k8s.io/yaml refuses it ("unsupported map key").
  { source: `${UNMARSHAL} (nulls from spec)`, yaml: '~: null key', want: stops(/a null key: sigs\.k8s\.io\/yaml refuses null map keys/) },
  { source: `${UNMARSHAL} (flow sequence)`, yaml: 'seq: [A,B]', want: v({ seq: ['A', 'B'] }) },
  { source: `${UNMARSHAL} (flow sequence)`, yaml: 'seq: [A,1,C]', want: v({ seq: ['A', 1, 'C'] }) },
  { source: `${UNMARSHAL} (block sequence)`, yaml: 'seq:\n - A\n - B', want: v({ seq: ['A', 'B'] }) },
  { source: `${UNMARSHAL} (block sequence)`, yaml: 'seq:\n - A\n - 1\n - C', want: v({ seq: ['A', 1, 'C'] }) },
  { source: `${UNMARSHAL} (map inside interface with no type hints)`, yaml: 'a: {b: c}', want: v({ a: { b: 'c' } }) },
  { source: `${UNMARSHAL} (quoted values)`, yaml: '\'1\': \'"2"\'', want: v({ 1: '"2"' }) },
  { source: `${UNMARSHAL} (explicit tags)`, yaml: 'v: !!float \'1.1\'', want: v({ v: 1.1 }) },
  { source: `${UNMARSHAL} (explicit tags)`, yaml: 'v: !!float 0', want: v({ v: 0 }) },
  { source: `${UNMARSHAL} (explicit tags)`, yaml: 'v: !!float -1', want: v({ v: -1 }) },
  { source: `${UNMARSHAL} (explicit tags)`, yaml: 'v: !!null \'\'', want: v({ v: null }) },
  // kubectl cuts at the `---` line: the %TAG directive is alone in its chunk, and go-yaml finds no document start.
  { source: `${UNMARSHAL} (explicit tags) + ${READER}`, yaml: '%TAG !y! tag:yaml.org,2002:\n---\nv: !y!int \'1\'', want: stops(/a directive \(%\) whose document start \(---\) kubectl took as a document separator/) },
  { source: `${UNMARSHAL} (non-specific tag, issue #75)`, yaml: 'v: ! test', want: v({ v: 'test' }) },
  { source: `${UNMARSHAL} (bug #1133337)`, yaml: 'foo: null', want: v({ foo: null }) },
  { source: `${UNMARSHAL} (support for ~)`, yaml: 'foo: ~', want: v({ foo: null }) },
  // kubectl's YAMLReader refuses text after `---` on the separator line: the file stops there.
  {
    source: `${UNMARSHAL} (bug #1191981) + ${READER}`,
    yaml: '%YAML 1.1\n--- !!str\n"Generic line break (no glyph)\\n\\\n Generic line break (glyphed)\\\n Line separator\u2028\\\n Paragraph separator\u2029"\n',
    want: stops(/invalid document separator "--- !!str"/),
  },
  { source: `${UNMARSHAL} (bug 1243827)`, yaml: 'a: -b_c', want: v({ a: '-b_c' }) },
  { source: `${UNMARSHAL} (bug 1243827)`, yaml: 'a: +b_c', want: v({ a: '+b_c' }) },
  { source: `${UNMARSHAL} (bug 1243827)`, yaml: 'a: 50cent_of_dollar', want: v({ a: '50cent_of_dollar' }) },
  { source: `${UNMARSHAL} (issue #295)`, yaml: 'a: {b: https://github.com/go-yaml/yaml}', want: v({ a: { b: 'https://github.com/go-yaml/yaml' } }) },
  { source: `${UNMARSHAL} (issue #295)`, yaml: 'a: [https://github.com/go-yaml/yaml]', want: v({ a: ['https://github.com/go-yaml/yaml'] }) },
  { source: `${UNMARSHAL} (issue #24, into interface{})`, yaml: 'a: <foo>', want: v({ a: '<foo>' }) },
  { source: `${UNMARSHAL} (base 60 floats are obsolete, into interface{})`, yaml: 'a: 1:1\n', want: v({ a: '1:1' }) },
  // Binary data: the bytes, then encoding/json writes each byte of invalid UTF-8 as U+FFFD.
  { source: `${UNMARSHAL} (binary data, into interface{}) + encoding/json`, yaml: 'a: !!binary gIGC\n', want: v({ a: '\uFFFD\uFFFD\uFFFD' }) },
  { source: `${UNMARSHAL} (binary data, into interface{}) + encoding/json`, yaml: `a: !!binary |\n  ${'kJCQ'.repeat(17)}kJ\n  CQ\n`, want: v({ a: '\uFFFD'.repeat(54) }) },
  { source: `${UNMARSHAL} (binary data, into interface{})`, yaml: `a: !!binary |\n  ${'A'.repeat(70)}\n  ==\n`, want: v({ a: '\0'.repeat(52) }) },
  { source: `${UNMARSHAL} (issue #39, into interface{})`, yaml: 'a:\n b:\n  c: d\n', want: v({ a: { b: { c: 'd' } } }) },
  { source: `${UNMARSHAL} (custom map type)`, yaml: 'a: {b: c}', want: v({ a: { b: 'c' } }) },
  { source: `${UNMARSHAL} (timestamps: explicit string tag)`, yaml: 'a: !!str 2015-01-01', want: v({ a: '2015-01-01' }) },
  { source: `${UNMARSHAL} (timestamps: quoted string that's a valid timestamp)`, yaml: 'a: "2015-01-01"', want: v({ a: '2015-01-01' }) },
  { source: `${UNMARSHAL} (timestamps: explicit timestamp tag into interface)`, yaml: 'a: !!timestamp "2015-01-01"', want: v({ a: '2015-01-01' }) },
  { source: `${UNMARSHAL} (timestamps: implicit timestamp tag into interface)`, yaml: 'a: 2015-01-01', want: v({ a: '2015-01-01' }) },
  {
    source: `${UNMARSHAL} (UTF-16-LE)`,
    yaml: Buffer.from('\xff\xfe\xf1\x00o\x00\xf1\x00o\x00:\x00 \x00v\x00e\x00r\x00y\x00 \x00y\x00e\x00s\x00\n\x00', 'latin1'),
    want: v({ ñoño: 'very yes' }),
  },
  {
    source: `${UNMARSHAL} (UTF-16-LE with surrogate)`,
    yaml: Buffer.from('\xff\xfe\xf1\x00o\x00\xf1\x00o\x00:\x00 \x00v\x00e\x00r\x00y\x00 \x00y\x00e\x00s\x00 \x00=\xd8\xd4\xdf\n\x00', 'latin1'),
    want: v({ ñoño: 'very yes 🟔' }),
  },
  {
    source: `${UNMARSHAL} (UTF-16-BE)`,
    yaml: Buffer.from('\xfe\xff\x00\xf1\x00o\x00\xf1\x00o\x00:\x00 \x00v\x00e\x00r\x00y\x00 \x00y\x00e\x00s\x00\n', 'latin1'),
    want: v({ ñoño: 'very yes' }),
  },
  {
    source: `${UNMARSHAL} (UTF-16-BE with surrogate)`,
    yaml: Buffer.from('\xfe\xff\x00\xf1\x00o\x00\xf1\x00o\x00:\x00 \x00v\x00e\x00r\x00y\x00 \x00y\x00e\x00s\x00 \xd8=\xdf\xd4\x00\n', 'latin1'),
    want: v({ ñoño: 'very yes 🟔' }),
  },
  { source: `${UNMARSHAL} (#171: this is a float)`, yaml: 'a: 123456e1\n', want: v({ a: 1234560 }) },
  { source: `${UNMARSHAL} (#171: this is a float)`, yaml: 'a: 123456E1\n', want: v({ a: 1234560 }) },
  {
    source: `${UNMARSHAL} (yaml-test-suite 3GZX: alias nodes)`,
    yaml: 'First occurrence: &anchor Foo\nSecond occurrence: *anchor\nOverride anchor: &anchor Bar\nReuse anchor: *anchor\n',
    want: v({ 'First occurrence': 'Foo', 'Second occurrence': 'Foo', 'Override anchor': 'Bar', 'Reuse anchor': 'Bar' }),
  },
  // The chunk after `---` holds one document, a string: refused as a document; what follows `...` is never read.
  { source: `${UNMARSHAL} (single document with garbage following it)`, yaml: '---\nhello\n...\n}not yaml', want: { refused: /^document 1 is a string \("hello"\), not a Kubernetes object/ } },
  { source: `${UNMARSHAL} (last row)`, yaml: '\na:\n  b\nb:\n  ? a\n  : a', want: v({ a: 'b', b: { a: 'a' } }) },
  { source: `${DECODE_TEST} TestUnmarshalNaN`, yaml: 'notanum: .NaN', want: stops(/\.nan is not a number JSON can carry/) },
];

const ERRORS = `${DECODE_TEST} unmarshalErrorTests`;
const ALIAS_BOMB = 'a: &a [00,00,00,00,00,00,00,00,00]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
  + 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n'
  + 'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n';
export const ERROR_ROWS: Row[] = [
  { source: ERRORS, yaml: 'v: !!float \'error\'', want: stops(/"error" tagged !!float is a !!str to go-yaml, not a !!float/) },
  { source: ERRORS, yaml: 'v: [A,', want: stops(/^YAML syntax error/) },
  { source: ERRORS, yaml: 'v:\n- [A,', want: stops(/^YAML syntax error/) },
  { source: ERRORS, yaml: 'a:\n- b: *,', want: stops(/^YAML syntax error/) },
  { source: ERRORS, yaml: 'a: *b\n', want: stops(/unknown anchor 'b' referenced|^YAML syntax error/) },
  { source: ERRORS, yaml: 'a: &a\n  b: *a\n', want: stops(/anchor 'a' value contains itself/) },
  { source: `${ERRORS} (issue #529)`, yaml: 'a: &x null\n<<:\n- *x\nb: &x {}\n', want: stops(/map merge requires map or sequence of maps as the value/) },
  { source: ERRORS, yaml: 'value: -', want: stops(/^YAML syntax error/) },
  { source: ERRORS, yaml: 'a: !!binary ==', want: stops(/!!binary value "==" is not valid base64/) },
  { source: ERRORS, yaml: '{[.]}', want: stops(/invalid map key: a sequence cannot be a key/) },
  { source: ERRORS, yaml: '{{.}}', want: stops(/invalid map key: a mapping cannot be a key/) },
  { source: ERRORS, yaml: 'b: *a\na: &a {c: 1}', want: stops(/unknown anchor 'a' referenced|^YAML syntax error/) },
  { source: ERRORS, yaml: 'a:\n  1:\nb\n  2:', want: stops(/^YAML syntax error/) },
  // go-yaml: "document contains excessive aliasing"; ours: the alias limit. Either way the file stops.
  { source: ERRORS, yaml: ALIAS_BOMB, want: stops(/document 1 cannot be read: aliases .*"billion laughs"/) },
];

const MERGE_ANCHORS = 'anchors:\n  list:\n    - &CENTER { "x": 1, "y": 2 }\n    - &LEFT   { "x": 0, "y": 2 }\n    - &BIG    { "r": 10 }\n    - &SMALL  { "r": 1 }\n';
const ANCHORS_VALUE = { list: [{ x: 1, y: 2 }, { x: 0, y: 2 }, { r: 10 }, { r: 1 }] };
const MERGED = { x: 1, y: 2, r: 10, label: 'center/big' };
const MERGE_CASES: [string, string][] = [
  ['plain', '  "x": 1\n  "y": 2\n  "r": 10\n  label: center/big\n'],
  ['mergeOne', '  << : *CENTER\n  "r": 10\n  label: center/big\n'],
  ['mergeMultiple', '  << : [ *CENTER, *BIG ]\n  label: center/big\n'],
  ['override', '  << : [ *BIG, *LEFT, *SMALL ]\n  "x": 1\n  label: center/big\n'],
  ['shortTag', '  !!merge "<<" : [ *CENTER, *BIG ]\n  label: center/big\n'],
  ['longTag', '  !<tag:yaml.org,2002:merge> "<<" : [ *CENTER, *BIG ]\n  label: center/big\n'],
  ['inlineMap', '  << : {"x": 1, "y": 2, "r": 10}\n  label: center/big\n'],
  ['inlineSequenceMap', '  << : [ *CENTER, {"r": 10} ]\n  label: center/big\n'],
];
export const MERGE_ROWS: Row[] = [
  ...MERGE_CASES.map(([name, body]): Row => ({
    source: `${DECODE_TEST} TestMerge (mergeTests ${name})`,
    yaml: `${MERGE_ANCHORS}${name}:\n${body}`,
    want: v({ anchors: ANCHORS_VALUE, [name]: MERGED }),
  })),
  // decode.go decoder.mapping handles `<<` where it stands: a merge after a key overrides it, a key after a merge overrides the merge.
  { source: `${DECODE} decoder.mapping (merge in order)`, yaml: 'spec: {mode: STRICT, <<: {mode: DISABLE}}', want: v({ spec: { mode: 'DISABLE' } }) },
  { source: `${DECODE} decoder.mapping (merge in order)`, yaml: 'spec: {<<: {mode: DISABLE}, mode: STRICT}', want: v({ spec: { mode: 'STRICT' } }) },
  { source: `${DECODE} decoder.mapping (merge in order)`, yaml: 'base: &b {mode: DISABLE, port: 1}\nspec:\n  mode: STRICT\n  <<: *b\n  port: 2\n', want: v({ base: { mode: 'DISABLE', port: 1 }, spec: { mode: 'DISABLE', port: 2 } }) },
  { source: `${DECODE} decoder.merge (sequence: earlier maps win)`, yaml: 'a: &a {m: A}\nb: &b {m: B}\nc: {<<: [*a, *b]}\n', want: v({ a: { m: 'A' }, b: { m: 'B' }, c: { m: 'A' } }) },
  { source: `${DECODE} decoder.merge (a nested merge)`, yaml: 'a: &a {x: 1, <<: {w: 2}}\nb: {<<: *a, z: 3}\n', want: v({ a: { x: 1, w: 2 }, b: { x: 1, w: 2, z: 3 } }) },
  { source: `${DECODE} isMerge (a quoted << is a plain key)`, yaml: 'a: {"<<": {b: 1}}', want: v({ a: { '<<': { b: 1 } } }) },
  { source: `${DECODE} isMerge (the non-specific tag keeps << implicit)`, yaml: 'a: {! <<: {b: 1}}', want: v({ a: { b: 1 } }) },
  { source: `${DECODE} decoder.merge (a scalar)`, yaml: 'a: {<<: 1}', want: stops(/map merge requires map or sequence of maps as the value/) },
  { source: `${DECODE} decoder.merge (a null)`, yaml: 'a:\n  <<:\n', want: stops(/map merge requires map or sequence of maps as the value/) },
  { source: `${RESOLVE} (<< as a value is a string)`, yaml: 'a: <<', want: v({ a: '<<' }) },
];

export const STRICT_ROWS: Row[] = [
  // The non-strict half: go-yaml's setMapIndex keeps the last value of a duplicate key.
  { source: `${DECODE_TEST} TestUnmarshalStrict ("a: 1\\nb: 2\\na: 3", Unmarshal into a map)`, yaml: 'a: 1\nb: 2\na: 3\n', want: v({ a: 3, b: 2 }) },
  { source: `${DECODE_TEST} TestUnmarshalStrict ("c: 3\\na: 1\\nb: 2\\nc: 4", Unmarshal into a map)`, yaml: 'c: 3\na: 1\nb: 2\nc: 4\n', want: v({ c: 4, a: 1, b: 2 }) },
  // go-yaml keeps the null key; sigs.k8s.io/yaml refuses it.
  { source: `${DECODE_TEST} TestUnmarshalStrict ("a: 1\\n9: 2\\nnull: 3\\n9: 4")`, yaml: 'a: 1\n9: 2\nnull: 3\n9: 4', want: stops(/a null key/) },
];

// ---------------------------------------------------------------------------
// Scalars, keys and tags (resolve.go, decode.go, sigs.k8s.io/yaml)
// ---------------------------------------------------------------------------

const scalar = (text: string, want: unknown, note = ''): Row => ({ source: `${RESOLVE}${note}`, yaml: `v: ${text}`, want: v({ v: want }) });
export const SCALAR_ROWS: Row[] = [
  // yamlStyleFloat needs a digit: a bare `.`, `+.`, `-.`, `._` stay strings (issue #25: exportTo: [.]).
  scalar('.', '.'), scalar('+.', '+.'), scalar('-.', '-.'), scalar('._', '._'), scalar('._5', '._5'), scalar('.5_5', 0.55, ' (ParseFloat: underscores between digits)'),
  { source: `${RESOLVE} (issue #25)`, yaml: 'exportTo: [.]', want: v({ exportTo: ['.'] }) },
  // No base 60: `1:30` stays a string.
  scalar('1:30', '1:30'), scalar('190:20:30', '190:20:30'), scalar('-1:20', '-1:20'),
  // Timestamps decoded into interface{} keep their text (decode.go scalar).
  scalar('2999-01-01', '2999-01-01'), scalar('2001-12-14t21:59:43.10-05:00', '2001-12-14t21:59:43.10-05:00'), scalar('2001-12-14 21:59:43.10 -5', '2001-12-14 21:59:43.10 -5'),
  { source: `${DECODE} decoder.scalar (issue #25: timestamps stay strings)`, yaml: 'metadata:\n  annotations:\n    review-by: 2999-01-01\n', want: v({ metadata: { annotations: { 'review-by': '2999-01-01' } } }) },
  // Integers: strconv.ParseInt(s, 0, 64) after removing underscores, then ParseUint, then floats.
  scalar('0o17', 15), scalar('0O17', 15), scalar('0777', 511), scalar('08', 8, ' (not octal: a float)'), scalar('012345678', 12345678), scalar('0_', 0), scalar('1__0', 10), scalar('_1', '_1'),
  scalar('0x_', '0x_'), scalar('0b_', '0b_'), scalar('0b2', '0b2'), scalar('0b-1', -1, ' (the 0b branch: ParseInt(plain[2:], 2))'), scalar('-0b1', -1), scalar('+0x10', 16), scalar('-0x1f', -31),
  scalar('9223372036854775807', 9223372036854775807), scalar('9223372036854775808', 9223372036854775808, ' (a uint64)'), scalar('18446744073709551616', 18446744073709551616, ' (beyond uint64: a float)'),
  scalar('-9223372036854775809', -9223372036854775809), scalar('0x1FFFFFFFFFFFFFFFF', '0x1FFFFFFFFFFFFFFFF', ' (beyond uint64, not a float)'),
  scalar('-0', 0), scalar('-0.0', 0, ' (encoding/json writes -0, which decodes as the integer 0)'),
  // Floats: yamlStyleFloat, and ParseFloat's range error leaves a string.
  scalar('1e3', 1000), scalar('1.e3', 1000), scalar('1.', 1), scalar('+.5', 0.5), scalar('.5e3', 500), scalar('1e400', '1e400'), scalar('.5e400', '.5e400'), scalar('1.5e', '1.5e'), scalar('e5', 'e5'),
  scalar('', null),
  // Booleans and nulls: resolveMap only, case as listed.
  scalar('yes', true), scalar('Yes', true), scalar('YES', true), scalar('yEs', 'yEs'), scalar('on', true), scalar('OFF', false), scalar('n', false), scalar('y', true),
  scalar('Null', null), scalar('NULL', null), scalar('nULL', 'nULL'), scalar('~', null),
  { source: RESOLVE, yaml: 'v: .NaN', want: stops(/\.nan is not a number JSON can carry/) },
  { source: RESOLVE, yaml: 'v: [+.INF]', want: stops(/\.inf is not a number JSON can carry/) },
  // Tags: resolvable tags must fit; other tags leave the text a string.
  { source: `${RESOLVE} (tags)`, yaml: 'a: !!str 1\nb: !!int "1"\nc: !!float 1\nd: !!bool yes\ne: !!null ~\nf: !foo 1\ng: !<tag:yaml.org,2002:str> 2\nh: !!str\ni: !!timestamp 2001-12-14\n', want: v({ a: '1', b: 1, c: 1, d: true, e: null, f: '1', g: '2', h: '', i: '2001-12-14' }) },
  { source: `${RESOLVE} (tags)`, yaml: 'v: !!int x', want: stops(/"x" tagged !!int is a !!str to go-yaml, not a !!int/) },
  { source: `${RESOLVE} (tags)`, yaml: 'v: !!bool 1', want: stops(/"1" tagged !!bool is a !!int to go-yaml/) },
  { source: `${RESOLVE} (tags)`, yaml: 'v: !!null x', want: stops(/"x" tagged !!null/) },
  { source: `${RESOLVE} (tags)`, yaml: 'v: !!int', want: stops(/"" tagged !!int is a !!null to go-yaml/) },
  { source: `${RESOLVE} (tags)`, yaml: 'v: !!timestamp 2001-02-30', want: stops(/tagged !!timestamp/) },
  { source: `${DECODE} decoder.mapping (tags on collections are not checked)`, yaml: 'a: !!map {b: 1}\nc: !!seq [1]\nd: !!str {e: 1}\n', want: v({ a: { b: 1 }, c: [1], d: { e: 1 } }) },
  // !!binary: base64 as Go's StdEncoding reads it (line breaks skipped, padding required), then JSON's U+FFFD per invalid byte.
  { source: `${DECODE} decoder.scalar (!!binary)`, yaml: 'a: !!binary aGVsbG8=\nb: !!binary 4oI=\nc: !!binary |\n  aGVs\n  bG8=\n', want: v({ a: 'hello', b: '\uFFFD\uFFFD', c: 'hello' }) },
  { source: `${DECODE} decoder.scalar (!!binary)`, yaml: 'a: !!binary aGVsbG8', want: stops(/!!binary value "aGVsbG8" is not valid base64/) },
  { source: `${DECODE} decoder.scalar (!!binary key)`, yaml: '!!binary aGk=: x', want: v({ hi: 'x' }) },
  // Double-quoted scalars: go-yaml's escapes (scannerc.go yaml_parser_scan_flow_scalar).
  { source: 'go.yaml.in/yaml/v2 v2.4.4 scannerc.go yaml_parser_scan_flow_scalar', yaml: 'a: "\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\\'\\t\\0"', want: v({ a: 'Aé😀\x85\xa0\u2028\u2029\'\t\0' }) },
  { source: 'go.yaml.in/yaml/v2 v2.4.4 scannerc.go yaml_parser_scan_flow_scalar', yaml: 'a: "x\\/y"', want: stops(/found unknown escape character "\\\\\/"/) },
  { source: 'go.yaml.in/yaml/v2 v2.4.4 scannerc.go yaml_parser_scan_flow_scalar', yaml: 'a: "\\ud83d\\ude00"', want: stops(/found invalid Unicode character escape code \\ud83d/) },
  { source: 'go.yaml.in/yaml/v2 v2.4.4 scannerc.go yaml_parser_scan_flow_scalar', yaml: 'a: "x\n\n  y\\\n  z  \n  w"', want: v({ a: 'x\nyz w' }) },
  // Control characters: go-yaml's reader refuses them (readerc.go yaml_parser_update_buffer).
  { source: 'go.yaml.in/yaml/v2 v2.4.4 readerc.go yaml_parser_update_buffer', yaml: 'a: b\x07c', want: stops(/the character U\+0007 is not allowed in YAML/) },
  { source: 'go.yaml.in/yaml/v2 v2.4.4 readerc.go yaml_parser_update_buffer', yaml: 'a: b\x00c', want: stops(/the character U\+0000 is not allowed in YAML.*binary file/) },
];

const key = (text: string, json: string, note = ''): Row => ({ source: `${SIGS}${note}`, yaml: `${text}: x`, want: v({ [json]: 'x' }) });
export const KEY_ROWS: Row[] = [
  key('8080', '8080'), key('0x1F', '31'), key('1_000', '1000'), key('-5', '-5'),
  // Float keys: strconv.FormatFloat(f, 'g', -1, 32).
  key('1.5', '1.5'), key('1e6', '1e+06'), key('0.00001', '1e-05'), key('3.14159265358979', '3.1415927'), key('100000.0', '100000'), key('1.0', '1'), key('-0.0', '-0'),
  key('.inf', '.inf'), key('-.inf', '-.inf'), key('.nan', '.nan'),
  key('yes', 'true'), key('off', 'false'), key('y', 'true'), key('2001-12-14', '2001-12-14'), key('"1"', '1'),
  { source: SIGS, yaml: '~: x', want: stops(/a null key/) },
  { source: SIGS, yaml: ': x', want: stops(/a null key/) },
  { source: `${SIGS} (uint64 keys are refused)`, yaml: '18446744073709551615: x', want: stops(/uint64 map keys/) },
  { source: `${DECODE} decoder.mapping (invalid map key)`, yaml: '? [a]\n: 1\n', want: stops(/invalid map key: a sequence cannot be a key/) },
  { source: `${DECODE} decoder.mapping (invalid map key)`, yaml: 'x: &a {b: 1}\n*a : 1\n', want: stops(/invalid map key: a mapping cannot be a key/) },
  // go-yaml's map keeps 1 and "1" apart; both become "1" and Go's map order decides which kubectl applies.
  { source: `${SIGS} (keys of different types with one JSON key)`, yaml: '1: a\n"1": b\n', want: { refused: /the keys 1 and "1" both become "1" in JSON: kubectl keeps one of them at random/ } },
  { source: `${SIGS} (keys of different types with one JSON key)`, yaml: 'yes: a\n"true": b\n', want: { refused: /the keys true and "true" both become "true"/ } },
  { source: `${SIGS} (keys of one type are one key)`, yaml: 'yes: a\ntrue: b\n1: c\n0x1: d\n', want: v({ true: 'b', 1: 'd' }) },
  { source: `${DECODE} decoder.setMapIndex (non-strict: the last duplicate wins)`, yaml: 'spec: {mtls: {mode: STRICT}, mtls: {mode: DISABLE}}', want: v({ spec: { mtls: { mode: 'DISABLE' } } }) },
];

// ---------------------------------------------------------------------------
// Documents, JSON, lists and encodings as kubectl reads a file
// ---------------------------------------------------------------------------

export const DOCUMENT_ROWS: Row[] = [
  { source: READER, yaml: '---\n---\napiVersion: v1\nkind: A\n', want: v(A) },
  { source: READER, yaml: 'apiVersion: v1\nkind: A\n--- # c\napiVersion: v1\nkind: B\n---\t\n', want: { objects: [A, B] } },
  { source: `${READER} (a line starting with --- and more: an error, and the lines read since the last separator are dropped)`, yaml: 'apiVersion: v1\nkind: A\n---x\napiVersion: v1\nkind: B\n', want: { stops: /invalid document separator "---x"/ } },
  { source: READER, yaml: '--- |\n  x\n', want: stops(/invalid document separator "--- \|"/) },
  { source: READER, yaml: 'apiVersion: v1\nkind: A\n----\n', want: stops(/invalid document separator "----"/) },
  { source: `${READER} (a document after ... in a chunk is never decoded: yaml.Unmarshal reads the first)`, yaml: 'apiVersion: v1\nkind: A\n...\napiVersion: v1\nkind: B\n', want: v(A) },
  { source: `${READER} + parserc.go (a ... before any node)`, yaml: '# c\n...\napiVersion: v1\nkind: A\n', want: stops(/a document end marker \(\.\.\.\) before any content/) },
  { source: `${READER} (CRLF)`, yaml: 'apiVersion: v1\r\nkind: A\r\n---\r\napiVersion: v1\r\nkind: B\r\n', want: { objects: [A, B] } },
  // A `---` line inside a block scalar ends the chunk; inside a quoted scalar it cuts the scalar.
  { source: READER, yaml: 'a: |\n  x\n---\n  z\n', want: { refused: /^document 2 is a string \("z"\)/, objects: [{ a: 'x\n' }] } },
  { source: READER, yaml: 'a: "x\n---\ny"\n', want: stops(/^YAML syntax error/) },
  // Not at the start of the line: not a separator.
  { source: READER, yaml: 'apiVersion: v1\nkind: A\nb: c\n ---\n', want: v({ ...A, b: 'c ---' }) },
  { source: `${READER} (a directive at the start of a chunk)`, yaml: '%YAML 1.1\n---\napiVersion: v1\nkind: A\n', want: stops(/a directive \(%\)/) },
  { source: `${READER} (a BOM at the start of a chunk is skipped by go-yaml)`, yaml: 'apiVersion: v1\nkind: A\n---\n\uFEFFapiVersion: v1\nkind: B\n', want: { objects: [A, B] } },
  // JSON: the first non-space character is `{`.
  { source: JSON_OR_YAML, yaml: '  \n{"apiVersion": "v1", "kind": "A"}', want: v(A) },
  { source: `${JSON_OR_YAML} (after one JSON value, the rest is YAML)`, yaml: '{"apiVersion": "v1", "kind": "A"}\n---\napiVersion: v1\nkind: B\n', want: { objects: [A, B] } },
  { source: `${JSON_OR_YAML} (after two JSON values, anything else stops the file)`, yaml: '{"apiVersion": "v1", "kind": "A"}{"apiVersion": "v1", "kind": "B"}', want: { stops: /JSON syntax error/, before: [A, B] } },
  { source: `${JSON_OR_YAML} (a first value that is not JSON: all YAML)`, yaml: '{apiVersion: v1, kind: A}', want: v(A) },
  { source: `${JSON_OR_YAML} (encoding/json: the last duplicate wins, lone surrogates become U+FFFD)`, yaml: '{"apiVersion": "v1", "kind": "A", "k": 1, "k": 2, "s": "\\ud800x"}', want: v({ ...A, k: 2, s: '\uFFFDx' }) },
  { source: `${JSON_OR_YAML} + k8s.io/apimachinery pkg/util/json convertNumber`, yaml: '{"apiVersion": "v1", "kind": "A", "n": 1e400}', want: { refused: /beyond the range of a float64/ } },
  // Issue #25's headline case, as kubectl applies it.
  { source: `${DECODE} decoder.mapping (issue #25)`, yaml: 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: prod}\nspec: {mtls: {mode: STRICT}, <<: {mtls: {mode: DISABLE}}}\n', want: v({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'p', namespace: 'prod' }, spec: { mtls: { mode: 'DISABLE' } } }) },
];

const list = (items: string, head = 'apiVersion: v1\nkind: List\n') => `${head}items:\n${items}`;
export const LIST_ROWS: Row[] = [
  { source: FLATTEN, yaml: list('- {apiVersion: v1, kind: A}\n- {apiVersion: v1, kind: B}\n'), want: { objects: [A, B] } },
  // Any object with an items field is a list, whatever its kind: the ConfigMap itself is never applied.
  { source: `${UNSTRUCTURED} decode (detector: an items field)`, yaml: list('- {apiVersion: v1, kind: A}\n', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n'), want: v(A) },
  { source: `${UNSTRUCTURED} decode (items: null is a list of nothing)`, yaml: 'apiVersion: v1\nkind: ConfigMap\nitems: null\n', want: { nothing: true } },
  { source: `${UNSTRUCTURED} decodeToList`, yaml: 'apiVersion: v1\nkind: List\nitems: []\n', want: { nothing: true } },
  // An item with neither kind nor apiVersion takes the list's apiVersion and its kind less `List`.
  {
    source: `${UNSTRUCTURED} decodeToList (item kind from the list)`,
    yaml: list('- metadata: {name: p}\n  spec: {mtls: {mode: DISABLE}}\n- {kind: Other}\n- ~\n', 'apiVersion: security.istio.io/v1\nkind: PeerAuthenticationList\n'),
    want: {
      objects: [
        { metadata: { name: 'p' }, spec: { mtls: { mode: 'DISABLE' } }, apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication' },
        { kind: 'Other' },
        { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication' },
      ],
    },
  },
  { source: `${UNSTRUCTURED} decodeToList (item kind from the list)`, yaml: list('- {metadata: {name: x}}\n'), want: v({ metadata: { name: 'x' }, apiVersion: 'v1', kind: '' }) },
  { source: `${UNSTRUCTURED} decodeToList`, yaml: 'apiVersion: v1\nkind: List\nitems: x\n', want: { refused: /items is a string \("x"\), not a list of objects/ } },
  { source: `${UNSTRUCTURED} decodeToList`, yaml: list('- {apiVersion: v1, kind: A}\n- junk\n'), want: { refused: /List \(document 1\) item 1 is a string \("junk"\), not a Kubernetes object: kubectl applies nothing of this list/ } },
  { source: `${UNSTRUCTURED} Decode (a list needs a kind)`, yaml: 'items: [{apiVersion: v1, kind: A}]\n', want: { refused: /document 1 has an items field, so kubectl reads it as a list, but it has no kind/ } },
  // meta.ExtractList cannot take the items of an *unstructured.Unstructured: the whole document fails.
  { source: `${FLATTEN} (nested list, unstructured)`, yaml: list('- {apiVersion: v1, kind: A}\n- apiVersion: v1\n  kind: List\n  items: [{apiVersion: v1, kind: B}]\n'), want: { refused: /item 1 is itself a list \(it has items\): kubectl cannot apply a list inside a list/ } },
  { source: `${FLATTEN} (an item whose items is not an array is not a list)`, yaml: list('- {apiVersion: v1, kind: A, items: null}\n'), want: v({ ...A, items: null }) },
];

export const ENCODING_ROWS: Row[] = [
  { source: FILE_VISITOR, yaml: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('apiVersion: v1\nkind: A\n')]), want: v(A) },
  { source: FILE_VISITOR, yaml: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('apiVersion: v1\nkind: A\n', 'utf16le')]), want: v(A) },
  { source: FILE_VISITOR, yaml: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('apiVersion: v1\nkind: A\n', 'utf16le').swap16()]), want: v(A) },
  { source: `${FILE_VISITOR} (an unpaired surrogate)`, yaml: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: x', 'utf16le'), Buffer.from([0x00, 0xd8]), Buffer.from('y\n', 'utf16le')]), want: v({ a: 'x\uFFFDy' }) },
  // Without a BOM, invalid UTF-8 becomes U+FFFD (each maximal ill-formed subpart); after a UTF-8 BOM it reaches go-yaml as is.
  { source: `${FILE_VISITOR} (invalid UTF-8)`, yaml: Buffer.concat([Buffer.from('a: x'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('y\n')]), want: v({ a: 'x\uFFFD\uFFFDy' }) },
  { source: `${FILE_VISITOR} (invalid UTF-8 after a UTF-8 BOM)`, yaml: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a: x'), Buffer.from([0xff]), Buffer.from('\n')]), want: stops(/not valid UTF-8/) },
];

/** decode_test.go TestFuzzCrashers: inputs that once crashed go-yaml; both paths must agree and not throw. */
export const FUZZ_CRASHERS = [
  '"\\0\\\r\n', '  0: [\n] 0', '? ? "\n" 0', '    - {\n000}0', '0:\n  0: [0\n] 0', '    - "\n000"0', '    - "\n000""', '0:\n    - {\n000}0', '0:\n    - "\n000"0', '0:\n    - "\n000""',
  ' \ufeff\n', '? \ufeff\n', '? \ufeff:\n', '0: \ufeff\n', '? \ufeff: \ufeff\n',
];

/** Every row's input as read above (with the sentinel), and the crashers: test/input/block-read.test.ts checks the block reader on them. */
export const GO_YAML_INPUTS: (string | Buffer)[] = [...UPSTREAM_ROWS, ...ERROR_ROWS, ...MERGE_ROWS, ...STRICT_ROWS, ...SCALAR_ROWS, ...KEY_ROWS,
  ...DOCUMENT_ROWS, ...LIST_ROWS, ...ENCODING_ROWS].map((row) => withSentinel(row.yaml)).concat(FUZZ_CRASHERS);
