import { describe, expect, it } from 'vitest';
import * as YAML from 'yaml';
import { MAX_DEPTH } from '../../src/input/kubectl-stream';
import { parseManifests, parseManifestsWithYaml } from '../../src/input/parse-manifests';
import { documentValue, NodeReadError } from '../../src/input/yaml-node-values';

/** What the careful path said before collections were cut: the `yaml` library composing the whole text, then `documentValue`. */
function uncut(text: string): { message: string; offset: number } | { value: unknown } {
  const docs = YAML.parseAllDocuments(text, { version: '1.1', schema: 'failsafe', merge: false, uniqueKeys: false, prettyErrors: false, logLevel: 'error' });
  const doc = (docs as YAML.Document.Parsed[])[0];
  const end = docs.length > 1 ? (docs as YAML.Document.Parsed[])[1].range[0] : Infinity;
  const errors = doc.errors.filter((e) => e.code !== 'BAD_DQ_ESCAPE' && e.pos[0] < end);
  if (errors.length > 0) return { message: `YAML syntax error: ${errors[0].message.split('\n')[0]}`, offset: errors[0].pos[0] };
  try {
    return { value: documentValue(YAML, doc, text) };
  } catch (e) {
    return { message: `document 1 is ${(e as NodeReadError).message}`, offset: (e as NodeReadError).offset };
  }
}

/** The careful path's reading now, in the same terms (one document per text here; no `---`). */
function careful(text: string): { message: string; offset: number } | { value: unknown } {
  const r = parseManifestsWithYaml(text);
  if (r.problems.length === 0) return { value: r.manifests.map((m) => m.manifest) };
  const p = r.problems[0];
  const lines = text.split('\n');
  const offset = lines.slice(0, p.position.line - 1).reduce((n, l) => n + l.length + 1, 0) + p.position.col - 1;
  return { message: p.message.replace(/; kubectl stops reading the file here.*$/, ''), offset };
}

const HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n';
const nest = (n: number, open: string, leaf: string, close: string): string => open.repeat(n) + leaf + close.repeat(n);
const blockMap = (n: number): string => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n';
const blockSeq = (n: number): string => Array.from({ length: n }, (_, i) => `${' '.repeat(2 * i)}-`).join('\n') + ' 1\n';

/**
 * Depths past the cut (MAX_DEPTH + 8 collection levels) where composing the
 * whole text is still safe, so the old reading is known. `true`: a syntax
 * error after the cut, which the cut document no longer reports.
 */
const CASES: [string, string, boolean?][] = [];
for (const n of [MAX_DEPTH + 9, MAX_DEPTH + 10, MAX_DEPTH + 40]) {
  CASES.push(
    [`${n} flow sequences`, `${HEAD}data: ${nest(n, '[', 'x', ']')}\n`],
    [`${n} flow mappings`, `${HEAD}data: ${nest(n, '{a: ', 'x', '}')}\n`],
    [`${n} flow sequences of pairs`, `${HEAD}data: ${nest(n, '[a: ', 'x', ']')}\n`],
    [`${n} flow collections as explicit keys`, `${HEAD}data: ${nest(n, '{? ', 'x', ': v}')}\n`],
    [`${n} block mappings`, `${HEAD}data:\n${blockMap(n).replace(/^/gm, ' ')}`],
    [`${n} block sequences`, `${HEAD}data:\n${blockSeq(n).replace(/^/gm, ' ')}`],
    [`${n} compact sequences`, `${HEAD}data: \n - ${'- '.repeat(n)}x\n`],
    [`${n} flow levels under block levels`, `${HEAD}data:\n${blockMap(20).replace(/ 1\n$/, ` ${nest(n - 20, '[', 'x', ']')}\n`)}`],
    [`${n} levels, anchored and aliased`, `${HEAD}data: &d ${nest(n, '[', 'x', ']')}\nmore: *d\n`],
    [`${n} levels after a syntax error`, `${HEAD}data: {a: 1}}\nmore: ${nest(n, '[', 'x', ']')}\n`],
    [`${n} levels before a syntax error`, `${HEAD}data: ${nest(n, '[', 'x', ']')}\nmore: {a: 1}}\n`, true],
    [`${n} levels after a document end`, `${HEAD}data: 1\n...\n${nest(n, '[', 'x', ']')}\n`],
  );
}

describe('deeply nested YAML: cut before the `yaml` library composes it', () => {
  it.each(CASES)('%s: read as before the cut', (_, text, errorPastCut) => {
    const before = uncut(text);
    const now = careful(text);
    if ('value' in before) {
      expect(now).toEqual({ value: [before.value] });
    } else if (errorPastCut) {
      // Refused for its depth instead, where the depth is first exceeded.
      expect(before.message).toMatch(/^YAML syntax error/);
      expect(now).toEqual({ message: `document 1 is nested deeper than ${MAX_DEPTH} levels`, offset: text.indexOf('[') + MAX_DEPTH });
    } else {
      expect(now).toEqual(before);
    }
  });

  it('reads several documents of any depth in one process without aborting, each refused on one line', () => {
    const deep = [nest(50_000, '[', '', ']'), nest(20_000, '{a: ', '1', '}'), blockMap(5_000), `- ${'- '.repeat(20_000)}x\n`];
    for (let round = 0; round < 3; round++) {
      const r = parseManifestsWithYaml(deep.join('\n---\n'));
      // kubectl stops at the first document it cannot read; the others are read in their own files here.
      expect(r.problems.map((p) => p.message.split(';')[0])).toEqual([`document 1 is nested deeper than ${MAX_DEPTH} levels`]);
      for (const d of deep) expect(parseManifestsWithYaml(d).problems.map((p) => p.message)).toEqual([`document 1 is nested deeper than ${MAX_DEPTH} levels`]);
    }
  });
});

/** JSON with `n` arrays around a list that holds a number and a mapping (whose key is not a value, whose value is). */
const deepJson = (n: number, extra = ''): string =>
  `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},${extra}"x":${nest(n - 1, '[', '[1, {"a": 2}]', ']')}}`;

describe('deeply nested JSON: refused as the same text is as YAML', () => {
  const verdict = (r: ReturnType<typeof parseManifests>, line: number) => ({
    objects: r.manifests.length,
    problems: r.problems.map((p) => `${p.message.split(';')[0]} at ${p.position.line - line + 1}:${p.position.col}`),
  });

  it.each([MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 50])('%i levels', (n) => {
    const json = deepJson(n);
    // A comment first: kubectl then reads the text as YAML, where JSON is a flow mapping.
    expect(verdict(parseManifests(json), 1)).toEqual(verdict(parseManifestsWithYaml(`# as YAML\n${json}`), 2));
  });

  it('counts no bracket inside a string, escaped quotes and backslashes included', () => {
    const strings = `"s1":"${'['.repeat(300)}","s2":"\\\\","s3":"\\"${'{'.repeat(300)}\\"",`;
    const r = parseManifests(deepJson(MAX_DEPTH - 2, strings));
    expect(r.problems).toEqual([]);
    expect(r.manifests[0].manifest.s3).toBe(`"${'{'.repeat(300)}"`);
    expect(verdict(parseManifests(deepJson(MAX_DEPTH - 1, strings)), 1)).toEqual(verdict(parseManifestsWithYaml(`# as YAML\n${deepJson(MAX_DEPTH - 1, strings)}`), 2));
  });

  it('refuses any depth on one line, whatever else the document needs decoding for', () => {
    for (const extra of ['', '"z":-0,', '"z":"\\ud800",']) {
      const r = parseManifests(deepJson(100_000, extra));
      expect(r.manifests).toEqual([]);
      expect(r.problems.map((p) => p.message)).toEqual([`document 1 is nested deeper than ${MAX_DEPTH} levels`]);
    }
  });
});
