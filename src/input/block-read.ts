import { KubectlReadError, goKeyString, plainScalarValue, resolveScalar } from './go-yaml-scalars';

/**
 * The block reader: a hand-written, line by line reader for the YAML that
 * generators write (cdk8s, Helm, `kubectl get -o yaml`): block mappings and
 * sequences (`- key: value` compact mappings, `- - x` compact sequences,
 * sequences indented or not under a key), plain scalars, single- and
 * double-quoted scalars on one line, `{}`, flow sequences of such scalars on
 * one line (`[a, "b"]`, `[]`), comments on their own line or after a value,
 * blank lines.
 *
 * It reads a chunk only where its value is certain to be the careful path's
 * (the `yaml` library decoded by go-yaml's rules, parse-manifests.ts), and
 * says "not mine" (undefined) for anything else: multi-line and block
 * scalars, escapes, anchors, aliases, tags, `?` keys, other flow
 * collections, tabs, control and Unicode space or line-break characters,
 * duplicate, null and merge keys, numbers whose JSON key cannot be made,
 * NaN and infinities, odd indentation, null sequence entries. The chunk then
 * goes to the js-yaml fast path (fast-read.ts) or the careful path.
 * test/input/block-read.test.ts checks it against the careful path.
 */

/** Thrown (one preallocated instance: no stack to capture) to leave the reader. */
class NotMine extends Error {}
const NOT_MINE = new NotMine('not block YAML the block reader reads');

/** Deeper chunks go to the other readers (the careful path has its own limit). */
const MAX_DEPTH = 64;
/** The `yaml` library refuses implicit keys longer than 1,024 characters. */
const MAX_KEY = 1000;

const SPACE = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const CR = 0x0d;

/**
 * The value of one chunk (`text.slice(start, end)`, a chunk of
 * kubectl-stream.ts), or undefined where the reader does not know it for
 * certain. A chunk of comments and blank lines is null. `keys`: the cache of
 * the other chunks of the same text.
 */
export function readChunkBlock(text: string, start: number, end: number, keys: KeyCache = new KeyCache()): { value: unknown } | undefined {
  const reader = new BlockReader(text, end, start, keys);
  try {
    reader.advance();
    if (reader.eof) return { value: null };
    const value = reader.readNode(0);
    return reader.eof ? { value } : undefined;
  } catch (e) {
    if (e === NOT_MINE) return undefined;
    throw e;
  }
}

/** Slots of a KeyCache: more than the distinct keys of most files. */
const KEY_SLOTS = 256;

/**
 * The keys a file's chunks have read, by their length and first and last
 * characters: a file's objects repeat their keys, and a key found here is
 * neither sliced nor resolved again, and is the string V8 has already
 * interned as a property name. Give the chunks of one text the same cache.
 */
export class KeyCache {
  private readonly texts: string[] = new Array<string>(KEY_SLOTS).fill('');
  private readonly values: string[] = new Array<string>(KEY_SLOTS).fill('');

  /** The JSON key of the plain key `text.slice(i, j)` (`plainKey`). */
  key(text: string, i: number, j: number): string {
    const length = j - i;
    const slot = (length * 31 + text.charCodeAt(i) * 7 + text.charCodeAt(j - 1)) % KEY_SLOTS;
    const known = this.texts[slot];
    if (known.length === length && text.startsWith(known, i)) return this.values[slot];
    const raw = text.slice(i, j);
    const key = plainKey(raw);
    this.texts[slot] = raw;
    this.values[slot] = key;
    return key;
  }
}

/**
 * The state of a read: the current content line (the first line that is not
 * blank or a comment) and the key last found by `keyAt`.
 */
class BlockReader {
  /** True when no content line is left. */
  eof = false;
  /** The current line's start, its first non-space (`col` after `lineStart`) and its end (before `\r\n` or `\n`). */
  lineStart = 0;
  col = 0;
  contentStart = 0;
  lineEnd = 0;
  /** The key `keyAt` found, and the offset after its `:`. */
  key = '';
  afterKey = 0;

  constructor(private readonly text: string, private readonly end: number, private next: number, private readonly keys: KeyCache) {}

  /** Moves to the next content line, skipping blank and comment lines. */
  advance(): void {
    const { text, end } = this;
    while (this.next < end) {
      const start = this.next;
      let nl = text.indexOf('\n', start);
      if (nl < 0 || nl >= end) nl = end;
      this.next = nl + 1;
      let lineEnd = nl;
      if (lineEnd > start && text.charCodeAt(lineEnd - 1) === CR && nl < end) lineEnd--;
      let i = start;
      while (i < lineEnd && text.charCodeAt(i) === SPACE) i++;
      if (i === lineEnd) continue;
      const c = text.charCodeAt(i);
      if (c === HASH) {
        this.checkText(i + 1, lineEnd);
        continue;
      }
      // A document marker (kubectl cuts at `---` lines already; `...` ends the document).
      if (i === start && (c === DASH || c === 0x2e) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c) throw NOT_MINE;
      this.lineStart = start;
      this.col = i - start;
      this.contentStart = i;
      this.lineEnd = lineEnd;
      return;
    }
    this.eof = true;
  }

  /** The collection that starts the current line: a sequence or a mapping, at the line's indentation. */
  readNode(depth: number): unknown {
    const at = this.contentStart;
    if (this.isDash(at)) return this.readSeq(at, depth);
    if (this.keyAt(at)) return this.readMap(this.col, depth);
    throw NOT_MINE;
  }

  /** A block sequence whose first `-` is at `at` on the current line; the next entries are at the same column. */
  private readSeq(at: number, depth: number): unknown[] {
    if (depth > MAX_DEPTH) throw NOT_MINE;
    const col = at - this.lineStart;
    const out: unknown[] = [];
    for (;;) {
      const q = this.skipSpaces(at + 1);
      if (q === this.lineEnd || this.text.charCodeAt(q) === HASH) {
        // `-` alone: the entry is the more indented collection below (a null entry is left to the other readers).
        this.checkText(q, this.lineEnd);
        this.advance();
        if (this.eof || this.col <= col) throw NOT_MINE;
        out.push(this.readNode(depth + 1));
      } else if (this.isDash(q)) {
        out.push(this.readSeq(q, depth + 1));
      } else if (this.keyAt(q)) {
        out.push(this.readMap(q - this.lineStart, depth + 1));
      } else {
        out.push(this.readInline(q));
        this.advance();
      }
      if (this.eof || this.col < col) return out;
      if (this.col > col) throw NOT_MINE;
      // Same column, not a `-`: the key of the mapping this sequence is the value of.
      if (!this.isDash(this.contentStart)) return out;
      at = this.contentStart;
    }
  }

  /** A block mapping at column `col` whose first key `keyAt` just found on the current line. */
  private readMap(col: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw NOT_MINE;
    const out: Record<string, unknown> = {};
    // The keys so far, to find duplicates without a property lookup (a new key costs V8 a string table search).
    const keys: string[] = [];
    for (;;) {
      const key = this.key;
      // Duplicate keys, and `__proto__` (a setter on a plain object), are left to the other readers.
      if (key === '__proto__' || keys.includes(key)) throw NOT_MINE;
      keys.push(key);
      const q = this.skipSpaces(this.afterKey);
      let value: unknown;
      if (q === this.lineEnd || this.text.charCodeAt(q) === HASH) {
        this.checkText(q, this.lineEnd);
        this.advance();
        if (this.eof || this.col < col) value = null;
        else if (this.col > col) value = this.readNode(depth + 1);
        else value = this.isDash(this.contentStart) ? this.readSeq(this.contentStart, depth + 1) : null;
      } else {
        value = this.readInline(q);
        this.advance();
      }
      out[key] = value;
      if (this.eof || this.col < col) return out;
      if (this.col > col || !this.keyAt(this.contentStart)) throw NOT_MINE;
    }
  }

  /** Whether a block sequence entry starts at `i`: `-` then a space or the line end. */
  private isDash(i: number): boolean {
    return this.text.charCodeAt(i) === DASH && (i + 1 === this.lineEnd || this.text.charCodeAt(i + 1) === SPACE);
  }

  private skipSpaces(i: number): number {
    while (i < this.lineEnd && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  /**
   * Whether a `key:` starts at `i`: a plain key or a quoted one, then `:` and
   * a space or the line end. Sets `key` (its JSON key) and `afterKey`.
   */
  private keyAt(i: number): boolean {
    const { text, lineEnd } = this;
    const c = text.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quotedEnd(i);
      if (text.charCodeAt(close + 1) !== COLON || (close + 2 !== lineEnd && text.charCodeAt(close + 2) !== SPACE)) return false;
      this.key = this.quotedValue(i, close);
      this.afterKey = close + 2;
      return true;
    }
    if (!plainStart(c, text.charCodeAt(i + 1))) return false;
    if (c >= 0x7f) checkChar(text, i);
    for (let j = i + 1; j < lineEnd; j++) {
      const d = text.charCodeAt(j);
      if (d === COLON) {
        if (j + 1 !== lineEnd && text.charCodeAt(j + 1) !== SPACE) continue;
        // `a : b` (blanks before the indicator) and over-long keys are left to the other readers.
        if (text.charCodeAt(j - 1) === SPACE || j - i > MAX_KEY) throw NOT_MINE;
        this.key = this.keys.key(text, i, j);
        this.afterKey = j + 1;
        return true;
      }
      if (d === HASH && text.charCodeAt(j - 1) === SPACE) return false;
      if (d < SPACE || d >= 0x7f) checkChar(text, j);
    }
    return false;
  }

  /** A value on the rest of the line from `i`: a scalar, a one-line flow sequence or `{}`, then at most a comment. */
  private readInline(i: number): unknown {
    const { text, lineEnd } = this;
    const c = text.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quotedEnd(i);
      this.endOfValue(close + 1);
      return this.quotedValue(i, close);
    }
    if (c === 0x7b) {
      // Of flow mappings, only `{}`.
      if (text.charCodeAt(i + 1) !== 0x7d) throw NOT_MINE;
      this.endOfValue(i + 2);
      return {};
    }
    if (c === 0x5b) return this.readFlowSeq(i);
    if (!plainStart(c, text.charCodeAt(i + 1))) throw NOT_MINE;
    if (c >= 0x7f) checkChar(text, i);
    let stop = lineEnd;
    for (let j = i + 1; j < lineEnd; j++) {
      const d = text.charCodeAt(j);
      if (d === HASH && text.charCodeAt(j - 1) === SPACE) {
        this.checkText(j + 1, lineEnd);
        stop = j;
        break;
      }
      // `a: b: c` is an error; `a: b:` too.
      if (d === COLON && (j + 1 === lineEnd || text.charCodeAt(j + 1) === SPACE)) throw NOT_MINE;
      if (d < SPACE || d >= 0x7f) checkChar(text, j);
    }
    while (text.charCodeAt(stop - 1) === SPACE) stop--;
    return plainValue(text.slice(i, stop));
  }

  /**
   * A flow sequence on one line: `[]`, or scalars (plain without `:`, `#` or
   * flow indicators, or quoted) separated by `,`, no trailing comma.
   */
  private readFlowSeq(open: number): unknown[] {
    const { text, lineEnd } = this;
    const out: unknown[] = [];
    let i = this.skipSpaces(open + 1);
    if (text.charCodeAt(i) === 0x5d) {
      this.endOfValue(i + 1);
      return out;
    }
    for (;;) {
      const c = text.charCodeAt(i);
      let j: number;
      if (c === DQUOTE || c === SQUOTE) {
        const close = this.quotedEnd(i);
        out.push(this.quotedValue(i, close));
        j = this.skipSpaces(close + 1);
      } else {
        if (!plainStart(c, text.charCodeAt(i + 1)) || c === DASH) throw NOT_MINE;
        j = i;
        while (j < lineEnd) {
          const d = text.charCodeAt(j);
          if (d === 0x2c || d === 0x5d) break;
          if (d === COLON || d === HASH || d === 0x5b || d === 0x7b || d === 0x7d) throw NOT_MINE;
          if (d < SPACE || d >= 0x7f) checkChar(text, j);
          j++;
        }
        let stop = j;
        while (text.charCodeAt(stop - 1) === SPACE) stop--;
        out.push(plainValue(text.slice(i, stop)));
      }
      const d = text.charCodeAt(j);
      if (j < lineEnd && d === 0x5d) {
        this.endOfValue(j + 1);
        return out;
      }
      if (j >= lineEnd || d !== 0x2c) throw NOT_MINE;
      i = this.skipSpaces(j + 1);
    }
  }

  /** The offset of the quote that closes the quoted scalar opening at `i`, on the same line; no escapes. */
  private quotedEnd(i: number): number {
    const { text, lineEnd } = this;
    const q = text.charCodeAt(i);
    for (let j = i + 1; j < lineEnd; j++) {
      const d = text.charCodeAt(j);
      if (d === q) {
        // `''` is a quote inside a single-quoted scalar.
        if (q === SQUOTE && text.charCodeAt(j + 1) === SQUOTE && j + 1 < lineEnd) {
          j++;
          continue;
        }
        return j;
      }
      if (d === 0x5c && q === DQUOTE) throw NOT_MINE;
      if (d < SPACE || d >= 0x7f) checkChar(text, j);
    }
    throw NOT_MINE; // a scalar over several lines
  }

  private quotedValue(open: number, close: number): string {
    const s = this.text.slice(open + 1, close);
    return this.text.charCodeAt(open) === SQUOTE && s.includes("''") ? s.replace(/''/g, "'") : s;
  }

  /** After a quoted scalar or a flow collection: blanks, then the line end or a comment. */
  private endOfValue(i: number): void {
    const j = this.skipSpaces(i);
    if (j === this.lineEnd) return;
    if (j === i || this.text.charCodeAt(j) !== HASH) throw NOT_MINE;
    this.checkText(j + 1, this.lineEnd);
  }

  /** Refuses a chunk with a character the reader does not take (in comments too: go-yaml reads them). */
  private checkText(from: number, to: number): void {
    const { text } = this;
    for (let j = from; j < to; j++) {
      const d = text.charCodeAt(j);
      if (d < SPACE || d >= 0x7f) checkChar(text, j);
    }
  }
}

/**
 * Refuses the character at `j` (one outside printable ASCII) unless it is
 * certain to be ordinary text to every reader: not a tab or control
 * character, not a line break or space to YAML 1.1 or Go (U+0085, U+00A0,
 * U+2028…), not a BOM or non-character, not a lone surrogate.
 */
function checkChar(text: string, j: number): void {
  const d = text.charCodeAt(j);
  if (d <= 0xa0 || d === 0x1680 || (d >= 0x2000 && d <= 0x200a) || d === 0x2028 || d === 0x2029 || d === 0x202f || d === 0x205f
    || d === 0x3000 || d === 0xfeff || d >= 0xfffe) throw NOT_MINE;
  if (d >= 0xd800 && d <= 0xdbff) {
    const e = text.charCodeAt(j + 1);
    if (!(e >= 0xdc00 && e <= 0xdfff)) throw NOT_MINE;
  } else if (d >= 0xdc00 && d <= 0xdfff) {
    const e = text.charCodeAt(j - 1);
    if (!(e >= 0xd800 && e <= 0xdbff)) throw NOT_MINE;
  }
}

/**
 * Whether a plain scalar the reader takes may start with `c` (followed by
 * `next`): not an indicator, and `-` only before a character that is not a blank (`- x` is an entry).
 */
function plainStart(c: number, next: number): boolean {
  if (c === DASH) return next > SPACE;
  if (c < 0x7f) return c > SPACE && !INDICATOR[c];
  return c > 0xa0;
}

/** Characters a plain scalar the reader takes cannot start with: YAML indicators, and `@` and `` ` `` (reserved). */
const INDICATOR = new Uint8Array(128);
for (const ch of '?:,[]{}#&*!|>\'"%@`') INDICATOR[ch.charCodeAt(0)] = 1;

/** A plain value by go-yaml's rules; what kubectl refuses (NaN, infinities) and `<<` are left to the other readers. */
function plainValue(s: string): unknown {
  if (s === '<<') throw NOT_MINE;
  try {
    return plainScalarValue(s);
  } catch (e) {
    if (e instanceof KubectlReadError) throw NOT_MINE;
    throw e;
  }
}

/**
 * A plain key's JSON key as sigs.k8s.io/yaml makes it (`0x1F` is "31",
 * `yes` is "true"); null keys, merge keys and keys it refuses (uint64) are
 * left to the other readers.
 */
function plainKey(s: string): string {
  const v = plainValue(s);
  if (typeof v === 'string') return v;
  if (v === null) throw NOT_MINE;
  try {
    return goKeyString(resolveScalar(undefined, s, true));
  } catch (e) {
    if (e instanceof KubectlReadError) throw NOT_MINE;
    throw e;
  }
}
