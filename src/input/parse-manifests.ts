import type { Document, Node } from 'yaml';
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

/**
 * Reads Kubernetes objects from a file's bytes: multi-document YAML or JSON,
 * `kind: List` expanded. YAML 1.1 scalars (`yes`, `on`, …) resolve as the
 * Kubernetes tooling resolves them. Problems are reported per document, so one
 * bad document does not hide the others.
 */
/** `yaml` is loaded on first use, not when the library is imported (cold start). */
function yamlLib(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}

export function parseManifests(content: Buffer | string): ParseResult {
  const { LineCounter, parseAllDocuments } = yamlLib();
  const text = decode(content);
  if (typeof text !== 'string') return { manifests: [], problems: [{ message: text.error, position: { line: 1, col: 1 } }] };
  const lineCounter = new LineCounter();
  // logLevel 'error': the yaml library would otherwise print warnings (e.g. for
  // collection keys) to stderr with process.emitWarning, garbling the output.
  const docs = parseAllDocuments(text, { version: '1.1', merge: true, uniqueKeys: true, lineCounter, prettyErrors: false, logLevel: 'error' });
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
    const tree = reparser(text, doc, pos);
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item, i) => {
        const basePointer = `/items/${i}`;
        if (!isPlainObject(item)) {
          problems.push({ message: `${kind} item ${i} is ${describeValue(item)}, not a Kubernetes object`, position: locateIn(doc, pos, basePointer, start) });
          return;
        }
        manifests.push(makeParsed(item as Manifest, documentIndex, basePointer, tree, start));
      });
      return;
    }
    manifests.push(makeParsed(value as Manifest, documentIndex, '', tree, start));
  });
  return { manifests, problems };
}

type Tree = () => { doc: Document.Parsed; pos: (o: number) => TextPosition } | undefined;

/** Parses one document's text again on demand (cached), with positions in the whole file. */
function reparser(text: string, doc: Document.Parsed, pos: (o: number) => TextPosition): Tree {
  const from = doc.range?.[0] ?? 0;
  const to = doc.range?.[2] ?? text.length;
  let cached: ReturnType<Tree> | null = null;
  return () => {
    if (cached !== null) return cached;
    const again = yamlLib().parseDocument(text.slice(from, to), { version: '1.1', merge: true, uniqueKeys: false, logLevel: 'error' });
    cached = again.errors.length > 0 ? undefined : { doc: again, pos: (o: number) => pos(o + from) };
    return cached;
  };
}

function makeParsed(manifest: Manifest, documentIndex: number, basePointer: string, tree: Tree, start: TextPosition): ParsedManifest {
  return {
    manifest,
    documentIndex,
    basePointer,
    locate: (pointer: string) => {
      const t = tree();
      return t ? locateIn(t.doc, t.pos, basePointer + pointer, start) : start;
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
