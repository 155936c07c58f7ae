import type { Document, Node } from 'yaml';
import { readFast } from './fast-read';
import { isPlainObject, Manifest } from '../model/manifest';

/** A position in a text file, 1-based as editors show it. */
export interface TextPosition {
  readonly line: number;
  readonly col: number;
}

/** One object read from a file, with what is needed to point back into the text. */
export interface ParsedManifest {
  readonly manifest: Manifest;
  /** 0-based index of the YAML document in the file. */
  readonly documentIndex: number;
  /** JSON pointer of the object inside its document (`/items/3` for `kind: List`), `` otherwise. */
  readonly basePointer: string;
  /** Position of a JSON pointer inside this object (the deepest existing node); the document start if unknown. */
  locate(pointer: string): TextPosition;
}

/** A document that could not be used: the rest of the file is still read. */
export interface ParseProblem {
  readonly message: string;
  readonly position: TextPosition;
}

export interface ParseResult {
  readonly manifests: ParsedManifest[];
  readonly problems: ParseProblem[];
}

/** Alias expansion limit: stops "billion laughs" documents before they blow up. */
const MAX_ALIAS_COUNT = 1000;
/** Nesting limit: deeper documents are hostile or broken, not Kubernetes objects. */
const MAX_DEPTH = 256;

/** `yaml` is loaded on first use, not when the library is imported (cold start). */
function yamlLib(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}

/** The `yaml` library's options: YAML 1.1 scalars and merge keys, as the Kubernetes tooling reads them. */
const YAML_OPTIONS = { version: '1.1', merge: true, uniqueKeys: true, prettyErrors: false, logLevel: 'error' } as const;

/**
 * Reads Kubernetes objects from a file's bytes: multi-document YAML or JSON,
 * `kind: List` expanded. YAML 1.1 scalars (`yes`, `on`, …) resolve as the
 * Kubernetes tooling resolves them. Problems are reported per document, so one
 * bad document does not hide the others.
 *
 * Two readers, one result: ordinary files are read with js-yaml (fast), and
 * everything else — and every position — with the `yaml` library (see
 * fast-read.ts for why and when).
 */
export function parseManifests(content: Buffer | string): ParseResult {
  const text = decode(content);
  if (typeof text !== 'string') return decodeProblem(text.error);
  return readFastPath(text) ?? readWithYaml(text);
}

/** @internal The `yaml` library path alone, the reference for the fast path's tests. */
export function parseManifestsWithYaml(content: Buffer | string): ParseResult {
  const text = decode(content);
  return typeof text === 'string' ? readWithYaml(text) : decodeProblem(text.error);
}

/** @internal The fast path alone: undefined where parseManifests falls back to the `yaml` library. */
export function parseManifestsFast(content: Buffer | string): ParseResult | undefined {
  const text = decode(content);
  return typeof text === 'string' ? readFastPath(text) : undefined;
}

function decodeProblem(message: string): ParseResult {
  return { manifests: [], problems: [{ message, position: { line: 1, col: 1 } }] };
}

/**
 * The js-yaml read, as ParsedManifests; undefined if js-yaml declined the file
 * or any document is a problem (problems are reported by the `yaml` path, with
 * its messages and positions).
 */
function readFastPath(text: string): ParseResult | undefined {
  const read = readFast(text);
  if (!read) return undefined;
  // No depth check here: js-yaml's nesting limit (fast-read.ts) is below MAX_DEPTH.
  const manifests: ParsedManifest[] = [];
  const pos = linePositions(text);
  const fullParse = once(() => parseAllDocumentsOf(text));
  for (let documentIndex = 0; documentIndex < read.values.length; documentIndex++) {
    const value = read.values[documentIndex];
    if (value === null || value === undefined) continue; // empty document
    if (!isPlainObject(value)) return undefined;
    const place = once(() => placeDocument(text, read.segment(documentIndex), documentIndex, pos, fullParse));
    const tree: Tree = () => place().tree();
    const start = (): TextPosition => place().start;
    const kind = value.kind;
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value.items)) {
      for (let i = 0; i < value.items.length; i++) {
        const item: unknown = value.items[i];
        if (!isPlainObject(item)) return undefined;
        manifests.push(makeParsed(item as Manifest, documentIndex, `/items/${i}`, tree, start));
      }
      continue;
    }
    manifests.push(makeParsed(value as Manifest, documentIndex, '', tree, start));
  }
  return { manifests, problems: [] };
}

/**
 * Where the `yaml` library puts document `documentIndex`: its range, found by
 * reading just the document's `---` segment (the whole file only if that does
 * not give exactly one clean document), and today's lazy re-parse for locate.
 */
function placeDocument(
  text: string,
  [from, to]: [number, number],
  documentIndex: number,
  pos: (o: number) => TextPosition,
  fullParse: () => Document.Parsed[],
): { tree: Tree; start: TextPosition } {
  const { parseAllDocuments } = yamlLib();
  const one = parseAllDocuments(text.slice(from, to), YAML_OPTIONS);
  let range: [number, number];
  if (Array.isArray(one) && one.length === 1 && one[0].errors.length === 0 && one[0].range) {
    range = [from + one[0].range[0], from + one[0].range[2]];
  } else {
    const doc = fullParse()[documentIndex];
    range = doc ? [doc.range?.[0] ?? 0, doc.range?.[2] ?? text.length] : [from, to];
  }
  return { tree: reparser(text, range[0], range[1], pos), start: pos(range[0]) };
}

function parseAllDocumentsOf(text: string): Document.Parsed[] {
  const docs = yamlLib().parseAllDocuments(text, YAML_OPTIONS);
  return Array.isArray(docs) ? docs : [];
}

/** The 1-based line and column of an offset, from the `yaml` library's LineCounter fed with the text's line starts. */
function linePositions(text: string): (offset: number) => TextPosition {
  let counter: import('yaml').LineCounter | undefined;
  return (offset) => {
    if (!counter) {
      counter = new (yamlLib().LineCounter)();
      counter.addNewLine(0);
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) counter.addNewLine(i + 1);
    }
    const p = counter.linePos(offset);
    return { line: p.line, col: p.col };
  };
}

function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

let warm = false;

/**
 * Runs the `yaml` library's scalar and collection code on a small document
 * before its first real read in the process. A deeply nested document makes
 * the `yaml` library recover from a stack overflow; if V8 compiles one of its
 * regular expressions right there (V8 compiles a RegExp on its first uses),
 * the compiler has no stack left and V8 aborts the process instead of throwing.
 * When every file went through the `yaml` library this never came up: its
 * expressions were compiled on the first ordinary file. With the fast path
 * reading the ordinary files, the `yaml` path can meet a hostile file cold.
 */
function warmUpYaml(): void {
  if (warm) return;
  warm = true;
  const { parseAllDocuments } = yamlLib();
  const sample = 'a: b c\n  d\nb:\n- "e\n  f"\n- \'g\'\n- [h, {i: ~, j: }, 1, .5, 2001-12-14]\nc: |\n  k\n---\n';
  for (let i = 0; i < 3; i++) {
    const docs = parseAllDocuments(sample, YAML_OPTIONS);
    if (Array.isArray(docs)) for (const d of docs) d.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  }
}

/** The reference reader: the `yaml` library, with its errors and positions. */
function readWithYaml(text: string): ParseResult {
  warmUpYaml();
  const { LineCounter, parseAllDocuments } = yamlLib();
  const lineCounter = new LineCounter();
  // logLevel 'error': the yaml library would otherwise print warnings (e.g. for
  // collection keys) to stderr with process.emitWarning, garbling the output.
  const docs = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
  const manifests: ParsedManifest[] = [];
  const problems: ParseProblem[] = [];
  const pos = (offset: number): TextPosition => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  // parseAllDocuments returns an EmptyStream (not an array) for empty input.
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, documentIndex) => {
    const start = pos(doc.range?.[0] ?? 0);
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      // The parser turns its own stack overflow on very deep nesting into an error; say what it means.
      const message = /Maximum call stack size exceeded/.test(err.message)
        ? 'YAML nested too deeply to parse: not a Kubernetes object'
        : `YAML syntax error: ${firstLine(err.message)}`;
      problems.push({ message, position: pos(err.pos[0]) });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      problems.push({ message: `document ${documentIndex + 1} cannot be read: ${firstLine((e as Error).message)}`, position: start });
      return;
    }
    if (value === null || value === undefined) return; // empty document
    if (depthExceeds(value, MAX_DEPTH)) {
      problems.push({ message: `document ${documentIndex + 1} is nested deeper than ${MAX_DEPTH} levels`, position: start });
      return;
    }
    if (!isPlainObject(value)) {
      problems.push({ message: `document ${documentIndex + 1} is ${describeValue(value)}, not a Kubernetes object (a mapping with apiVersion and kind)`, position: start });
      return;
    }
    const kind = value.kind;
    // The syntax tree is not kept: holding every document's tree (for the rare
    // finding to locate) made large inputs slow and memory-hungry. A document
    // is parsed again, once, the first time one of its findings is located.
    const tree = reparser(text, doc.range?.[0] ?? 0, doc.range?.[2] ?? text.length, pos);
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item, i) => {
        const basePointer = `/items/${i}`;
        if (!isPlainObject(item)) {
          problems.push({ message: `${kind} item ${i} is ${describeValue(item)}, not a Kubernetes object`, position: locateIn(doc, pos, basePointer, start) });
          return;
        }
        manifests.push(makeParsed(item as Manifest, documentIndex, basePointer, tree, () => start));
      });
      return;
    }
    manifests.push(makeParsed(value as Manifest, documentIndex, '', tree, () => start));
  });
  return { manifests, problems };
}

type Tree = () => { doc: Document.Parsed; pos: (o: number) => TextPosition } | undefined;

/** Parses one document's text (`from`–`to`) again on demand (cached), with positions in the whole file. */
function reparser(text: string, from: number, to: number, pos: (o: number) => TextPosition): Tree {
  let cached: ReturnType<Tree> | null = null;
  return () => {
    if (cached !== null) return cached;
    const again = yamlLib().parseDocument(text.slice(from, to), { version: '1.1', merge: true, uniqueKeys: false, logLevel: 'error' });
    cached = again.errors.length > 0 ? undefined : { doc: again, pos: (o: number) => pos(o + from) };
    return cached;
  };
}

function makeParsed(manifest: Manifest, documentIndex: number, basePointer: string, tree: Tree, start: () => TextPosition): ParsedManifest {
  return {
    manifest,
    documentIndex,
    basePointer,
    locate: (pointer: string) => {
      const t = tree();
      return t ? locateIn(t.doc, t.pos, basePointer + pointer, start()) : start();
    },
  };
}

/** Finds the deepest node on a JSON pointer's path and returns where it starts. */
function locateIn(doc: Document.Parsed, pos: (o: number) => TextPosition, pointer: string, fallback: TextPosition): TextPosition {
  const { isMap, isSeq } = yamlLib();
  const tokens = pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc.contents;
  let best: TextPosition = nodeStart(node, pos) ?? fallback;
  for (const token of tokens) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as any;
        const kv = k && typeof k === 'object' && 'value' in k ? k.value : k;
        return String(kv) === token;
      });
      if (!pair) break;
      next = pair.value ?? pair.key;
      if (pair.value === null || pair.value === undefined) {
        best = nodeStart(pair.key, pos) ?? best;
        break;
      }
    } else if (isSeq(node)) {
      next = node.items[Number(token)];
    } else {
      break;
    }
    if (next === undefined) break;
    node = next;
    best = nodeStart(node, pos) ?? best;
  }
  return best;
}

function nodeStart(node: unknown, pos: (o: number) => TextPosition): TextPosition | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? pos(range[0]) : undefined;
}

function decode(content: Buffer | string): string | { error: string } {
  if (typeof content === 'string') return content;
  if (content.includes(0)) return { error: 'binary content (NUL bytes): not a YAML or JSON file' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return { error: 'not valid UTF-8 text: Kubernetes manifests must be UTF-8' };
  }
}

function depthExceeds(value: unknown, max: number): boolean {
  // Iterative, so a hostile document cannot overflow the stack here.
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > max) return true;
    if (Array.isArray(v)) for (const x of v) stack.push([x, d + 1]);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) stack.push([x, d + 1]);
  }
  return false;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  // JSON-quoted, so a multi-line scalar cannot break the one-line message.
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)})`;
  return `a ${typeof v}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}
