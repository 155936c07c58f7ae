import type { CST, Document } from 'yaml';
import { KeyCache, readChunkBlock } from './block-read';
import { FastPathHazards, fastPathHazards, readChunkFast } from './fast-read';
import { goKeyString, resolveScalar } from './go-yaml-scalars';
import { kubectlObjects } from './kubectl-lists';
import { ChunkText, chunkText, decodeManifestBytes, ManifestText, MAX_DEPTH, splitStream, StreamDocument, YamlChunk } from './kubectl-stream';
import { NodeReadError, documentValue, isMergeKey } from './yaml-node-values';
import { Manifest } from '../model/manifest';

/** A position in a text file, 1-based as editors show it. */
export interface TextPosition {
  readonly line: number;
  readonly col: number;
}

/**
 * Where one object read from a file is, as one small object: a caller that
 * drops the manifest keeps this to locate findings and read the object again.
 */
export interface ManifestSource {
  /** The file, as `ParseOptions.file` named it. */
  readonly file?: string;
  /** Position of a JSON pointer inside the object (the deepest existing node); the document start if unknown. */
  locate(pointer: string): TextPosition;
  /**
   * The object read again from the text, equal to the manifest (a new copy).
   * The first call reads the whole file again; the file's later calls reuse that.
   */
  reread(): Manifest;
}

export interface ParseOptions {
  /** The file the content came from, as the user named it: each object's `source` carries it. */
  readonly file?: string;
}

/** One object read from a file, with what is needed to point back into the text. */
export interface ParsedManifest {
  readonly manifest: Manifest;
  /** 0-based index of the document in the file: kubectl's documents (YAML between `---` lines, or JSON values). */
  readonly documentIndex: number;
  /** JSON pointer of the object inside its document (`/items/3` for a list), `` otherwise. */
  readonly basePointer: string;
  /** `locate`, `reread` and the file as one object, for a caller that drops `manifest` (see `LintInput.source`). */
  readonly source: ManifestSource;
  /** Position of a JSON pointer inside this object (the deepest existing node); the document start if unknown. */
  locate(pointer: string): TextPosition;
  /**
   * The object read again from the text, equal to `manifest` (a new copy):
   * for a caller that drops `manifest` and may need its content later. The
   * first call reads the whole file again; the file's later calls reuse that.
   */
  reread(): Manifest;
}

/** A document that could not be used: the rest of the file is still read, unless kubectl stops there too. */
export interface ParseProblem {
  readonly message: string;
  readonly position: TextPosition;
}

export interface ParseResult {
  readonly manifests: ParsedManifest[];
  readonly problems: ParseProblem[];
}

/** `yaml` is loaded on first use, not when the library is imported (cold start). */
function yamlLib(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}

/**
 * The `yaml` library's options: every scalar a string with its tag kept
 * (yaml-node-values.ts resolves them as go-yaml does), duplicate keys and
 * merge keys left to yaml-node-values.ts. logLevel 'error': the library would
 * otherwise print warnings (unresolved tags) to stderr.
 */
const YAML_OPTIONS = { version: '1.1', schema: 'failsafe', merge: false, uniqueKeys: false, prettyErrors: false, logLevel: 'error' } as const;

/**
 * Reads Kubernetes objects from a file's bytes exactly as `kubectl apply -f`
 * reads them: the encoding (UTF-16 and UTF-8 byte order marks), JSON or YAML
 * documents (kubectl-stream.ts), each YAML document's values as go-yaml v2
 * and sigs.k8s.io/yaml decode them (go-yaml-scalars.ts, yaml-node-values.ts),
 * and lists flattened (kubectl-lists.ts). A document kubectl refuses is a
 * problem and the others are still read; where kubectl stops reading the
 * file (a YAML or JSON syntax error, a bad `---` line), so does this.
 *
 * Three readers, one result: plain block YAML is read by a line reader
 * (block-read.ts), other ordinary YAML with js-yaml (fast-read.ts), the
 * rest with the `yaml` library; each declines what it cannot read exactly.
 * Positions always come from the `yaml` library.
 */
export function parseManifests(content: Uint8Array | string, options: ParseOptions = {}): ParseResult {
  return read(content, 'auto', options.file)!;
}

/** @internal The `yaml` library path alone, the reference for the fast path's tests. */
export function parseManifestsWithYaml(content: Uint8Array | string): ParseResult {
  return read(content, 'careful')!;
}

/** @internal The fast path alone: undefined where parseManifests reads a YAML document with the `yaml` library. */
export function parseManifestsFast(content: Uint8Array | string): ParseResult | undefined {
  return read(content, 'fast');
}

/**
 * @internal The careful path's value of one YAML chunk (`text.slice(start, end)`, a chunk of kubectl-stream.ts),
 * or undefined where it finds a problem: the reference for the block reader's tests.
 */
export function readChunkCareful(text: string, start: number, end: number): { value: unknown } | undefined {
  const chunk: YamlChunk = { kind: 'yaml', start, end };
  const careful = readCareful(text, chunk, 0, new Place(new SourceText({ text }, 'careful'), chunk, 0));
  return 'value' in careful ? { value: careful.value } : undefined;
}

type Mode = 'auto' | 'careful' | 'fast';

function read(content: Uint8Array | string, mode: Mode, file?: string): ParseResult | undefined {
  return readText(new SourceText(decodeManifestBytes(content), mode, file));
}

function readText(source: SourceText): ParseResult | undefined {
  const { mode } = source;
  const { text, invalidUtf8At } = source.decoded;
  const stream = splitStream(text);
  const manifests: ParsedManifest[] = [];
  const problems: ParseProblem[] = [];
  const stopAt = (offset: number, message: string, resumeAt: number): ParseResult => {
    problems.push({ message: withStopNote(message, text, resumeAt), position: source.at(offset) });
    return { manifests, problems };
  };
  // The scans for js-yaml's hazards run only once a chunk reaches js-yaml: the block reader needs none.
  let hazards: FastPathHazards | undefined;
  let keys: KeyCache | undefined;
  let h = 0;
  let c = 0;
  const readWithJsYaml = (doc: StreamDocument): { value: unknown } | undefined => {
    const { hard, collections } = (hazards ??= fastPathHazards(text));
    while (h < hard.length && hard[h] < doc.start) h++;
    while (c < collections.length && collections[c] < doc.start) c++;
    if (h < hard.length && hard[h] < doc.end) return undefined;
    return readChunkFast(text, doc.start, doc.end, c < collections.length && collections[c] < doc.end);
  };
  for (let index = 0; index < stream.documents.length; index++) {
    const doc = stream.documents[index];
    const place = new Place(source, doc, manifests.length);
    let value: unknown;
    if (doc.kind === 'json') {
      if (doc.tooDeepAt !== undefined) return stopAt(doc.tooDeepAt, `document ${index + 1} is nested deeper than ${MAX_DEPTH} levels`, doc.end);
      if (doc.outOfRange) {
        problems.push({ message: `document ${index + 1} has a number beyond the range of a float64: kubectl cannot decode it`, position: place.start() });
        continue;
      }
      value = doc.value;
    } else {
      if (invalidUtf8At !== undefined && invalidUtf8At >= doc.start && invalidUtf8At < doc.end) {
        return stopAt(invalidUtf8At, 'not valid UTF-8: after a UTF-8 byte order mark kubectl passes the bytes on unchecked, and go-yaml refuses them', doc.end);
      }
      // The block reader first (block-read.ts), then js-yaml; each declines what it cannot read exactly.
      const fast = mode !== 'careful' ? readChunkBlock(text, doc.start, doc.end, keys ??= new KeyCache()) ?? readWithJsYaml(doc) : undefined;
      if (fast) {
        value = fast.value;
      } else if (mode === 'fast') {
        return undefined;
      } else {
        const careful = readCareful(text, doc, index, place);
        if ('stop' in careful) return stopAt(careful.stop.offset, careful.stop.message, doc.end);
        if ('problem' in careful) {
          problems.push(careful.problem);
          continue;
        }
        value = careful.value;
      }
    }
    const objects = kubectlObjects(value, index);
    if ('refusal' in objects) {
      problems.push({ message: objects.refusal.message, position: place.locate(objects.refusal.pointer) });
      continue;
    }
    const list = objects.objects;
    for (let k = 0; k < list.length; k++) manifests.push(parsedManifest(list[k].manifest as Manifest, index, list[k].pointer, place, k));
  }
  if (stream.stop) {
    const lineEnd = text.indexOf('\n', stream.stop.offset);
    return stopAt(stream.stop.offset, stream.stop.message, lineEnd < 0 ? text.length : lineEnd);
  }
  return { manifests, problems };
}

/** Says that kubectl reads nothing after this error, when something follows it. */
function withStopNote(message: string, text: string, resumeAt: number): string {
  return /\S/.test(text.slice(resumeAt)) ? `${message}; kubectl stops reading the file here, so nothing after it is applied` : message;
}

function parsedManifest(manifest: Manifest, documentIndex: number, basePointer: string, place: Place, k: number): ParsedManifest {
  // A document that is one object is its own source: the lint keeps one object per input.
  const source: ManifestSource = basePointer === '' ? place : new ListItemSource(place, basePointer, k);
  return { manifest, documentIndex, basePointer, locate: source.locate.bind(source), reread: source.reread.bind(source), source };
}

/** Characters go-yaml's reader refuses (readerc.go `yaml_parser_update_buffer`), and unpaired surrogates. */
// eslint-disable-next-line no-control-regex
const GO_YAML_UNPRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** A `...` before any node: go-yaml's parser wants node content there (parserc.go, implicit first document). */
const LEADING_DOCUMENT_END = /^\uFEFF?(?:[ \t]*(?:#.*)?\n)*\.\.\.(?=[ \t\n]|$)/;
/**
 * A directive before any node: its `---` line was a separator to kubectl, so
 * go-yaml finds no document start after it (parserc.go `yaml_parser_parse_document_start`).
 */
const LEADING_DIRECTIVE = /^\uFEFF?(?:[ \t]*(?:#.*)?\n)*%/;

type CarefulRead =
  | { readonly value: unknown }
  | { readonly problem: ParseProblem }
  | { readonly stop: { readonly offset: number; readonly message: string } };

/** One YAML chunk read with the `yaml` library and decoded by go-yaml's rules. */
function readCareful(text: string, chunk: StreamDocument, index: number, place: Place): CarefulRead {
  const ct = chunkText(text, chunk);
  const n = index + 1;
  const bad = GO_YAML_UNPRINTABLE.exec(ct.text);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    const binary = code === '0000' ? ' (is this a binary file?)' : '';
    return { stop: { offset: ct.toFileOffset(bad.index), message: `document ${n}: the character U+${code} is not allowed in YAML: go-yaml refuses control characters${binary}` } };
  }
  const lead = LEADING_DOCUMENT_END.exec(ct.text);
  if (lead) {
    return { stop: { offset: ct.toFileOffset(lead[0].length - 3), message: 'YAML syntax error: a document end marker (...) before any content: go-yaml did not find expected node content' } };
  }
  const directive = LEADING_DIRECTIVE.exec(ct.text);
  if (directive) {
    const message = 'YAML syntax error: a directive (%) whose document start (---) kubectl took as a document separator: go-yaml did not find expected <document start>';
    return { stop: { offset: ct.toFileOffset(directive[0].length - 1), message } };
  }
  const { docs, cut } = composeDocuments(ct.text);
  // go-yaml's Unmarshal reads the first document of the chunk; what follows a `...` is never applied.
  const doc = docs[0];
  if (!doc) return { value: null };
  // Errors the library files under the first document but that lie in what follows a `...` (go-yaml never reads it),
  // and errors from a cut on: a cut document is refused for its depth (decodeValue) before it gets there.
  const end = Math.min(docs.length > 1 ? docs[1].range[0] : Infinity, cut);
  // Double-quoted escapes are checked by go-yaml's rules in yaml-node-values.ts (`\'` is one).
  const errors = doc.errors.filter((e) => e.code !== 'BAD_DQ_ESCAPE' && e.pos[0] < end);
  if (errors.length > 0) {
    const err = errors[0];
    return { stop: { offset: ct.toFileOffset(err.pos[0]), message: `YAML syntax error: ${firstLine(err.message)}` } };
  }
  try {
    return { value: documentValue(yamlLib(), doc, ct.text) };
  } catch (e) {
    if (!(e instanceof NodeReadError)) throw e;
    const offset = ct.toFileOffset(e.offset);
    // kubectl applies one of two keys at random: this document is left out, the others are read.
    if (e.kind === 'ambiguous') return { problem: { message: `document ${n} cannot be read: ${e.message}`, position: place.at(offset) } };
    // What go-yaml refuses, and our limits for hostile input (go-yaml has its own, lower or not): the file stops here.
    if (e.kind === 'limit') return { stop: { offset, message: /nested deeper/.test(e.message) ? `document ${n} is ${e.message}` : `document ${n} cannot be read: ${e.message}` } };
    return { stop: { offset, message: `document ${n}: ${e.message}` } };
  }
}

/**
 * Collections nested deeper than this are cut from the syntax tree before the
 * `yaml` library composes it (`composeDocuments`). Composing recurses once per
 * level, and when V8 compiles a regular expression with the stack nearly
 * spent it aborts the process instead of throwing. At least MAX_DEPTH + 2: a
 * collection at this level lies at least MAX_DEPTH + 1 values deep.
 */
const COMPOSE_DEPTH = MAX_DEPTH + 8;

type CollectionToken = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

function isCollection(token: CST.Token): token is CollectionToken {
  return token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection';
}

/**
 * The `yaml` library's documents of `text`, with every collection nested
 * more than COMPOSE_DEPTH levels deep replaced by an empty scalar; `cut` is
 * the offset of the first one replaced (Infinity when none). A cut never
 * changes a read: each collection level is at least one value level, so a
 * document with a cut holds a value deeper than MAX_DEPTH above the cut, and
 * `documentValue` refuses it there, in document order, before it reaches
 * the cut. Only syntax errors from the cut on go unreported: such a document
 * is refused for its depth instead.
 */
function composeDocuments(text: string): { docs: Document.Parsed[]; cut: number } {
  const lib = yamlLib();
  // The parser keeps its own stack: it reads any depth.
  const tokens = Array.from(new lib.Parser().parse(text));
  let cut = Infinity;
  for (const token of tokens) if (token.type === 'document') cut = Math.min(cut, cutDeepCollections(token));
  return { docs: Array.from(new lib.Composer(YAML_OPTIONS).compose(tokens)), cut };
}

/** Replaces the collections of `doc` nested deeper than COMPOSE_DEPTH by empty scalars; the offset of the first, or Infinity. */
function cutDeepCollections(doc: CST.Document): number {
  let first = Infinity;
  const stack: { token: CollectionToken; level: number }[] = doc.value && isCollection(doc.value) ? [{ token: doc.value, level: 1 }] : [];
  while (stack.length > 0) {
    const { token, level } = stack.pop()!;
    for (const item of token.items as { key?: CST.Token | null; value?: CST.Token }[]) {
      for (const field of ['key', 'value'] as const) {
        const child = item[field];
        if (!child || !isCollection(child)) continue;
        if (level < COMPOSE_DEPTH) {
          stack.push({ token: child, level: level + 1 });
          continue;
        }
        item[field] = { type: 'scalar', offset: child.offset, indent: child.indent, source: '' };
        first = Math.min(first, child.offset);
      }
    }
  }
  return first;
}

/**
 * A file's decoded text, and what is worked out from it only when asked: line
 * and column of offsets (the `yaml` library's LineCounter, fed with the line
 * starts on first use) and the file's objects read again.
 */
class SourceText {
  private counter: import('yaml').LineCounter | undefined;
  private again: readonly ParsedManifest[] | undefined;

  /** `mode`: how the file is read, and read again; `file`: its name, for the objects' sources. */
  constructor(readonly decoded: ManifestText, readonly mode: Mode, readonly file?: string) {}

  get text(): string {
    return this.decoded.text;
  }

  /** The file's `index`th object, read again from the same text by the same reader: equal to the first read's. */
  manifestAgain(index: number): Manifest {
    this.again ??= readText(new SourceText(this.decoded, this.mode, this.file))!.manifests;
    return this.again[index].manifest;
  }

  at(offset: number): TextPosition {
    if (!this.counter) {
      this.counter = new (yamlLib().LineCounter)();
      this.counter.addNewLine(0);
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.counter.addNewLine(i + 1);
    }
    const p = this.counter.linePos(offset);
    return { line: p.line, col: p.col };
  }
}

interface Tree {
  readonly doc: Document.Parsed;
  toFile(offset: number): number;
}

/**
 * Where one document is in the file, and the source of the object it holds
 * (a List's items have their own, `ListItemSource`). Its syntax tree is
 * parsed again, once, the first time a position in it is asked for: holding
 * every document's tree (for the rare finding to locate) made large inputs
 * slow and memory-hungry.
 */
class Place implements ManifestSource {
  private cached: Tree | null | undefined;
  // Where the document is: its kind and offsets only (a JSON document's value is not kept).
  private readonly docKind: StreamDocument['kind'];
  private readonly docStart: number;
  private readonly docEnd: number;

  /** `first`: the index in the file's objects of the document's first object. */
  constructor(private readonly source: SourceText, doc: StreamDocument, private readonly first: number) {
    this.docKind = doc.kind;
    this.docStart = doc.start;
    this.docEnd = doc.end;
  }

  get file(): string | undefined {
    return this.source.file;
  }

  /** The document's `k`th object (a List's item), read again. */
  reread(k = 0): Manifest {
    return this.source.manifestAgain(this.first + k);
  }

  at(offset: number): TextPosition {
    return this.source.at(offset);
  }

  /** Where the document's content starts. */
  start(): TextPosition {
    const t = this.tree();
    return this.source.at(t ? t.toFile(t.doc.range[0]) : this.docStart);
  }

  /**
   * Finds the deepest node on a JSON pointer's path and returns where it
   * starts. Keys are matched by their JSON key (`0x1F` is "31"); a key that
   * came from a merge points into the merged mapping, and an alias is followed.
   */
  locate(pointer: string): TextPosition {
    const t = this.tree();
    if (!t) return this.start();
    const lib = yamlLib();
    const tokens = pointer === '' ? [] : pointer.slice(1).split('/').map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node: unknown = t.doc.contents;
    let best = this.nodeStart(node, t) ?? this.source.at(t.toFile(t.doc.range[0]));
    for (const token of tokens) {
      const target = deref(lib, t.doc, node);
      let next: unknown;
      if (lib.isMap(target)) {
        const pair = pairFor(lib, t.doc, target, token, 0);
        if (!pair) break;
        if (pair.value === null || pair.value === undefined) {
          best = this.nodeStart(pair.key, t) ?? best;
          break;
        }
        next = pair.value;
      } else if (lib.isSeq(target)) {
        next = target.items[Number(token)];
      } else {
        break;
      }
      if (next === undefined || next === null) break;
      node = next;
      best = this.nodeStart(node, t) ?? best;
    }
    return best;
  }

  private nodeStart(node: unknown, t: Tree): TextPosition | undefined {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? this.source.at(t.toFile(range[0])) : undefined;
  }

  private tree(): Tree | undefined {
    if (this.cached !== undefined) return this.cached ?? undefined;
    const { docStart: start, docEnd: end } = this;
    const { text } = this.source;
    const ct: ChunkText = this.docKind === 'yaml'
      ? chunkText(text, { start, end })
      : { text: text.slice(start, end), toFileOffset: (o: number) => start + o };
    const first = composeDocuments(ct.text).docs[0];
    this.cached = first ? { doc: first, toFile: ct.toFileOffset } : null;
    return this.cached ?? undefined;
  }
}

/** The source of a List's item: `basePointer` is its place in the document, `k` its index among the document's objects. */
class ListItemSource implements ManifestSource {
  constructor(private readonly place: Place, private readonly basePointer: string, private readonly k: number) {}

  get file(): string | undefined {
    return this.place.file;
  }

  locate(pointer: string): TextPosition {
    return this.place.locate(this.basePointer + pointer);
  }

  reread(): Manifest {
    return this.place.reread(this.k);
  }
}

/** The node an alias stands for (the node itself if it is not an alias). */
function deref(lib: typeof import('yaml'), doc: Document.Parsed, node: unknown): unknown {
  return lib.isAlias(node) ? node.resolve(doc) : node;
}

/**
 * The pair that gives a mapping's JSON key `token` its value, as go-yaml
 * assigns them: the last explicit pair or merge that sets it (in a merged
 * sequence, the earliest mapping). Merges are followed a few levels deep.
 */
function pairFor(lib: typeof import('yaml'), doc: Document.Parsed, map: import('yaml').YAMLMap, token: string, depth: number): import('yaml').Pair | undefined {
  let found: import('yaml').Pair | undefined;
  for (const p of map.items) {
    if (!lib.isPair(p)) continue;
    if (isMergeKey(lib, p.key)) {
      if (depth >= 8) continue;
      const v = deref(lib, doc, p.value);
      const sources = lib.isSeq(v) ? v.items.map((x) => deref(lib, doc, x)) : [v];
      for (const m of sources) {
        const inner = lib.isMap(m) ? pairFor(lib, doc, m, token, depth + 1) : undefined;
        if (inner) {
          found = inner;
          break;
        }
      }
    } else if (jsonKeyOf(lib, p.key) === token) {
      found = p;
    }
  }
  return found;
}

/** A key node's JSON key as go-yaml and sigs.k8s.io/yaml make it (`0x1F` is "31"); its text if it has none. */
function jsonKeyOf(lib: typeof import('yaml'), key: unknown): string | undefined {
  if (!lib.isScalar(key)) return undefined;
  const text = String(key.value ?? '');
  try {
    return goKeyString(resolveScalar(key.tag, text, key.type === 'PLAIN'));
  } catch {
    return text;
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}
