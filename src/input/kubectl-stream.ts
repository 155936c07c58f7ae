import { utf8Sequence } from './go-yaml-scalars';

/**
 * A manifest file cut into documents as `kubectl apply -f` cuts it:
 *
 * - k8s.io/cli-runtime v0.35.6 `pkg/resource/visitor.go` `FileVisitor.Visit`
 *   decodes the bytes with `unicode.BOMOverride(unicode.UTF8.NewDecoder())`
 *   (golang.org/x/text v0.31.0 `encoding/unicode/override.go`): a UTF-16
 *   BOM switches to UTF-16, a UTF-8 BOM is dropped (and the bytes after it
 *   pass unchecked), otherwise invalid UTF-8 becomes U+FFFD;
 * - `StreamVisitor.Visit` reads the text with k8s.io/apimachinery v0.35.3
 *   `pkg/util/yaml/decoder.go` `NewYAMLOrJSONDecoder(r, 4096)`: JSON values
 *   when the first non-space character of the first 4,096 bytes is `{`
 *   (`GuessJSONStream`), falling back to YAML after a failed first or second
 *   value (`YAMLOrJSONDecoder.Decode`, `consumeWhitespace`); otherwise YAML
 *   cut at every line that starts with `---` (`YAMLReader.Read`), each chunk
 *   then decoded as one document by go-yaml.
 */

/** The text of a file, and where (if anywhere) go-yaml would meet bytes that are not UTF-8. */
export interface ManifestText {
  readonly text: string;
  /** Offset in `text` of the first replaced invalid UTF-8 sequence after a UTF-8 BOM (go-yaml refuses those bytes). */
  readonly invalidUtf8At?: number;
}

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF8_LOSSY = new TextDecoder('utf-8', { ignoreBOM: true });

/** The text kubectl reads from a file's bytes (a string is taken as already decoded, less a leading BOM). */
export function decodeManifestBytes(content: Uint8Array | string): ManifestText {
  if (typeof content === 'string') return { text: content.charCodeAt(0) === 0xfeff ? content.slice(1) : content };
  if (content.length >= 2 && content[0] === 0xff && content[1] === 0xfe) return { text: decodeUtf16(content, 2, true) };
  if (content.length >= 2 && content[0] === 0xfe && content[1] === 0xff) return { text: decodeUtf16(content, 2, false) };
  if (content.length >= 3 && content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf) {
    // After a UTF-8 BOM the bytes pass as they are (transform.Nop): go-yaml meets any invalid byte itself.
    const rest = content.subarray(3);
    try {
      return { text: UTF8_STRICT.decode(rest) };
    } catch {
      const valid = validUtf8Prefix(rest);
      return { text: UTF8_LOSSY.decode(rest), invalidUtf8At: UTF8_STRICT.decode(rest.subarray(0, valid)).length };
    }
  }
  // x/text's UTF-8 decoder replaces each maximal ill-formed subpart with U+FFFD, as the WHATWG decoder does.
  return { text: UTF8_LOSSY.decode(content) };
}

/** The length of the longest valid UTF-8 prefix of `bytes` (where the first ill-formed sequence starts). */
function validUtf8Prefix(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const seq = utf8Sequence(b);
    if (!seq || i + seq[0] > bytes.length || bytes[i + 1] < seq[1] || bytes[i + 1] > seq[2]) return i;
    for (let k = 2; k < seq[0]; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += seq[0];
  }
  return bytes.length;
}

/**
 * x/text `utf16Decoder.Transform` with IgnoreBOM: code units to code points,
 * an unpaired surrogate (or a surrogate followed by a trail surrogate that
 * does not pair with it: both units) and a final odd byte as U+FFFD.
 */
function decodeUtf16(bytes: Uint8Array, from: number, littleEndian: boolean): string {
  const unit = (i: number) => (littleEndian ? bytes[i] + bytes[i + 1] * 256 : bytes[i] * 256 + bytes[i + 1]);
  const out: number[] = [];
  let i = from;
  while (i < bytes.length) {
    if (i + 1 >= bytes.length) {
      out.push(0xfffd);
      break;
    }
    const u = unit(i);
    if (u >= 0xd800 && u <= 0xdfff) {
      const next = i + 3 < bytes.length ? unit(i + 2) : -1;
      if (next >= 0xdc00 && next <= 0xdfff) {
        out.push(u <= 0xdbff ? 0x10000 + (u - 0xd800) * 1024 + (next - 0xdc00) : 0xfffd);
        i += 4;
      } else {
        out.push(0xfffd);
        i += 2;
      }
      continue;
    }
    out.push(u);
    i += 2;
  }
  let s = '';
  for (let k = 0; k < out.length; k += 4096) s += String.fromCodePoint(...out.slice(k, k + 4096));
  return s;
}

/** Go's unicode.IsSpace. */
export function isGoSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680
    || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/**
 * Deeper documents are hostile or broken, not Kubernetes objects: our own
 * limit (go-yaml and encoding/json allow 10,000 levels), which keeps every
 * reader and check of a document off the end of the stack.
 */
export const MAX_DEPTH = 256;

/** A JSON value of a JSON stream: `text.slice(start, end)` parsed. */
export interface JsonDocument {
  readonly kind: 'json';
  readonly start: number;
  readonly end: number;
  readonly value: unknown;
  /** A number beyond float64 range: kubectl fails the document (k8s.io/apimachinery `pkg/util/json` `convertNumber`). */
  readonly outOfRange?: boolean;
  /** Where the first value nested deeper than MAX_DEPTH starts; `value` is then null. */
  readonly tooDeepAt?: number;
}

/** A YAML chunk: the lines from `start` to `end` (without the `---` lines around it). */
export interface YamlChunk {
  readonly kind: 'yaml';
  readonly start: number;
  readonly end: number;
}

export type StreamDocument = JsonDocument | YamlChunk;

/** Where kubectl stops reading a file, and why. */
export interface StreamStop {
  readonly offset: number;
  readonly message: string;
}

export interface Stream {
  readonly documents: StreamDocument[];
  /** A stream error after the documents: kubectl reads nothing after it. */
  readonly stop?: StreamStop;
}

/** The documents kubectl's decoder reads from `text`, in order. */
export function splitStream(text: string): Stream {
  return looksLikeJson(text) ? readJsonStream(text) : readYamlChunks(text, 0, []);
}

/** `GuessJSONStream` with a 4,096-byte peek: the first non-space character of the first 4,096 bytes is `{`. */
function looksLikeJson(text: string): boolean {
  let bytes = 0;
  for (let i = 0; i < text.length && bytes < 4096; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) return true;
    if (!isGoSpace(c)) return false;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return false;
}

const JSON_SPACE = /[^ \t\r\n]/g;

/**
 * `YAMLOrJSONDecoder` in JSON mode: values one after the other; when a value
 * fails after at most one good one, the rest (from the end of the last good
 * value, less the blanks up to the first line break) is read as YAML; after
 * two good values a failure stops the file.
 */
function readJsonStream(text: string): Stream {
  const documents: StreamDocument[] = [];
  // Most JSON files hold one value: JSON.parse reads it in one go.
  const first = nextNonSpace(text, 0);
  const last = lastNonSpace(text);
  try {
    const value: unknown = JSON.parse(text);
    return { documents: [jsonDocument(value, text, first, last)] };
  } catch {
    // Not a single JSON value: read value by value below.
  }
  let consumed = 0;
  let pos = first;
  while (pos < text.length) {
    const end = jsonValueEnd(text, pos);
    let value: unknown;
    let ok = end > pos;
    if (ok) {
      try {
        value = JSON.parse(text.slice(pos, end));
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      if (documents.length > 1) return { documents, stop: { offset: pos, message: `JSON syntax error: not a JSON value at ${describeAt(text, pos)}` } };
      const yamlFrom = afterWhitespaceLine(text, consumed);
      if (yamlFrom < 0) return { documents, stop: { offset: pos, message: `JSON syntax error: not a JSON value at ${describeAt(text, pos)}` } };
      return readYamlChunks(text, yamlFrom, documents);
    }
    documents.push(jsonDocument(value, text, pos, end));
    consumed = end;
    pos = nextNonSpace(text, end);
  }
  return { documents };
}

function nextNonSpace(text: string, from: number): number {
  JSON_SPACE.lastIndex = from;
  const m = JSON_SPACE.exec(text);
  return m ? m.index : text.length;
}

function lastNonSpace(text: string): number {
  let i = text.length;
  while (i > 0 && ' \t\r\n'.includes(text[i - 1])) i--;
  return i;
}

function describeAt(text: string, pos: number): string {
  return pos >= text.length ? 'the end of the file' : JSON.stringify(text.slice(pos, pos + 20));
}

/** `consumeWhitespace`: skips Go spaces up to and including the first line break; -1 when the text ends first. */
function afterWhitespaceLine(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isGoSpace(c)) return i;
    if (c === 0x0a) return i + 1;
  }
  return -1;
}

/** The end of the JSON value starting at `pos` (brackets balanced outside strings), or -1 when the text ends first. */
function jsonValueEnd(text: string, pos: number): number {
  const c = text.charCodeAt(pos);
  if (c === 0x22) return stringEnd(text, pos);
  if (c !== 0x7b && c !== 0x5b) {
    let i = pos;
    while (i < text.length && /[-+.0-9a-zA-Z]/.test(text[i])) i++;
    return i;
  }
  let depth = 0;
  for (let i = pos; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === 0x22) {
      i = stringEnd(text, i) - 1;
      if (i < 0) return -1;
    } else if (d === 0x7b || d === 0x5b) {
      depth++;
    } else if (d === 0x7d || d === 0x5d) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

function stringEnd(text: string, pos: number): number {
  for (let i = pos + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/**
 * A JSON value as kubectl holds it (encoding/json, then
 * k8s.io/apimachinery `pkg/util/json`): lone surrogates from `\u` escapes
 * become U+FFFD, -0 becomes 0 (`-0.0` too: a small difference from
 * `convertNumber`, which keeps a float -0). Only walked when the text could
 * need it.
 */
function jsonDocument(value: unknown, text: string, start: number, end: number): JsonDocument {
  const tooDeepAt = firstTooDeep(text, start, end);
  if (tooDeepAt >= 0) return { kind: 'json', start, end, value: null, tooDeepAt };
  if (!/\\u[dD][89a-fA-F]|-0|\d{300}|[eE]\+?\d{3}/.test(text.slice(start, end))) return { kind: 'json', start, end, value };
  let outOfRange = false;
  const fix = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) outOfRange = true;
      return v === 0 ? 0 : v;
    }
    if (Array.isArray(v)) return v.map(fix);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) defineValue(out, fix(k) as string, fix(x));
      return out;
    }
    return v;
  };
  const fixed = fix(value);
  return outOfRange ? { kind: 'json', start, end, value: fixed, outOfRange } : { kind: 'json', start, end, value: fixed };
}

/**
 * The offset of the first value of `text.slice(start, end)` (a JSON value
 * JSON.parse read) inside more than MAX_DEPTH arrays and objects, or -1:
 * the depth `documentValue` counts in YAML, where a mapping's scalar keys
 * are not values. One pass over the text, without recursion.
 */
function firstTooDeep(text: string, start: number, end: number): number {
  let open = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let close = text.indexOf('"', i + 1);
      while (close > 0 && isEscaped(text, close)) close = text.indexOf('"', close + 1);
      if (close < 0) break;
      if (open > MAX_DEPTH && text.charCodeAt(nextNonSpace(text, close + 1)) !== 0x3a) return i;
      i = close;
    } else if (c === 0x5b || c === 0x7b) {
      if (open > MAX_DEPTH) return i;
      open++;
    } else if (c === 0x5d || c === 0x7d) {
      open--;
    } else if (open > MAX_DEPTH && c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x2c && c !== 0x3a) {
      return i;
    }
  }
  return -1;
}

/** Whether the quote at `at` is escaped: an odd number of backslashes before it. */
function isEscaped(text: string, at: number): boolean {
  let n = 0;
  while (text.charCodeAt(at - n - 1) === 0x5c) n++;
  return n % 2 === 1;
}

/** Sets a key on a plain object, `__proto__` included, as an own property. */
export function defineValue(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

/**
 * `YAMLReader.Read` from `from`: chunks of whole lines between lines that
 * start with `---`. After `---` only blanks and a comment may follow
 * (strings.TrimSpace, then `#`); any other text is an error that stops the
 * file, and the lines read since the last separator are dropped with it.
 */
function readYamlChunks(text: string, from: number, documents: StreamDocument[]): Stream {
  let chunkStart = from;
  let lineStart = from;
  if (!text.startsWith('---', from)) {
    const nl = text.indexOf('\n---', from);
    lineStart = nl < 0 ? text.length : nl + 1;
  }
  while (lineStart < text.length) {
    // lineStart is the start of a line beginning with `---`.
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl < 0 ? text.length : nl;
    const rest = goTrimSpace(text.slice(lineStart + 3, lineEnd));
    if (rest !== '' && rest[0] !== '#') {
      return { documents, stop: { offset: lineStart, message: `invalid document separator ${JSON.stringify(text.slice(lineStart, lineEnd).replace(/\r$/, ''))}: after --- only blanks and a # comment may follow on the line` } };
    }
    if (lineStart > chunkStart) documents.push({ kind: 'yaml', start: chunkStart, end: lineStart });
    chunkStart = nl < 0 ? text.length : nl + 1;
    const next = text.indexOf('\n---', lineEnd);
    lineStart = next < 0 ? text.length : next + 1;
  }
  if (text.length > chunkStart) documents.push({ kind: 'yaml', start: chunkStart, end: text.length });
  return { documents };
}

function goTrimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isGoSpace(s.charCodeAt(a))) a++;
  while (b > a && isGoSpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/**
 * A chunk's text as go-yaml receives it (bufio.Reader.ReadLine drops the
 * `\r` of each `\r\n`, and every line gets a `\n`), and a map from its offsets
 * back to offsets in the file.
 */
export interface ChunkText {
  readonly text: string;
  toFileOffset(offset: number): number;
}

export function chunkText(file: string, chunk: { start: number; end: number }): ChunkText {
  const raw = file.slice(chunk.start, chunk.end);
  const withBreak = raw.endsWith('\n') ? raw : raw + '\n';
  if (!withBreak.includes('\r\n')) return { text: withBreak, toFileOffset: (o) => chunk.start + Math.min(o, raw.length) };
  // Normalized offsets of the `\n`s that lost their `\r`.
  const removedBefore: number[] = [];
  let text = '';
  let from = 0;
  for (let i = withBreak.indexOf('\r\n'); i >= 0; i = withBreak.indexOf('\r\n', i + 2)) {
    text += withBreak.slice(from, i);
    removedBefore.push(text.length);
    from = i + 1;
  }
  text += withBreak.slice(from);
  return {
    text,
    toFileOffset: (o) => {
      let lo = 0;
      let hi = removedBefore.length;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (removedBefore[mid] <= o) lo = mid + 1;
        else hi = mid;
      }
      return chunk.start + Math.min(o + lo, raw.length);
    },
  };
}
