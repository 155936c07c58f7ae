import { KubectlReadError, goKeyString, plainScalarValue, resolveScalar } from './go-yaml-scalars';

/**
 * The fast read path for ordinary YAML: js-yaml reads a kubectl chunk (see
 * kubectl-stream.ts), with plain scalars resolved by go-yaml-scalars.ts.
 *
 * Why two YAML libraries: reading large meshes is dominated by YAML parsing,
 * and js-yaml reads ordinary manifests about ten times faster than the `yaml`
 * library. But only the `yaml` library gives node positions (for findings)
 * and the error messages users see, and the careful path
 * (yaml-node-values.ts) implements go-yaml's merge keys, aliases and tags on
 * its nodes. So js-yaml reads a chunk only when nothing in it could come out
 * differently: a tag, an anchor, a merge key, a duplicate key, a null or
 * collection key, a float or a large integer whose JSON key would differ, a
 * NaN or infinity, an escape go-yaml refuses or reads differently, a
 * directive, a `...` marker, control characters, a js-yaml error, or a line
 * layout where js-yaml and the `yaml` library differ sends the chunk to the
 * careful path. test/input/fast-path.test.ts checks the two paths against
 * each other.
 */

/**
 * js-yaml is loaded on first use, not when the library is imported (cold
 * start). Version 4.3.2 or later (package.json): 4.1.0 keeps the trailing
 * blanks of `"x  ` before an empty line in a double-quoted scalar, and has no
 * nesting limit; 4.3.2 fails beyond `maxDepth` (100), which sends deeper
 * chunks to the careful path.
 */
function jsYaml(): typeof import('js-yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('js-yaml');
}

/** Thrown from inside js-yaml to leave the fast path. */
class Unsupported extends Error {}

/** The tag of the one implicit js-yaml type below (never written in a document: explicit tags make js-yaml fail). */
const PLAIN_TAG = 'tag:cdk8s-istio-mtls.internal,2025:go-yaml-plain';

/**
 * Text the fast path does not read, found by a few quick scans (one regular
 * expression with every case costs two to three times as much):
 * - control and non-character code points, Unicode line separators, BOMs,
 *   lone surrogates, a CR without LF (go-yaml refuses some, the libraries
 *   differ on the others), a line starting with a tab (the `yaml` library
 *   refuses it in a quoted scalar or a flow collection, js-yaml takes it);
 * - directives (`%YAML 1.2` would change the scalar rules) and `...` markers
 *   (go-yaml reads only the first document of a chunk);
 * - a `#` right after `[`, `{`, `,`, `:`, a quote, `]` or `}` (a comment for
 *   js-yaml, not for the `yaml` library);
 * - block scalars with an explicit indentation indicator (`|2`: blank lines
 *   with more spaces differ);
 * - anchors (`&a` after a blank, a line start or a flow indicator; an alias
 *   needs one, or js-yaml fails), aliases of anchors named `&…`, and the
 *   non-specific tag `! ` (js-yaml fails on every other tag, but `! <<` is a
 *   merge key to go-yaml);
 * - complex keys (`? `), flow collections as keys (`]:`, `}:`; and see
 *   COLLECTION_AFTER_COMMA) and null keys (`~:`, `null:`, `: ` with no key),
 *   which js-yaml turns into strings;
 * - `\/`, `\U` and surrogate `\u` escapes (go-yaml refuses them, js-yaml reads them).
 */
// eslint-disable-next-line no-control-regex
const SUSPECT_CHAR = /[\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF\uD800-\uDFFF%&!?\\~\t|>#]/g;
const SUSPECT_TEXT = [
  /\n\.\.\.(?=[ \t\r\n]|$)/g,
  /\*&/g,
  /[\]}][ \t]*:(?=[ \t\r\n,\]}]|$)/g,
  /[ \t[{,\n]:(?=[ \t\r\n,\]}]|$)/g,
  /(?:null|Null|NULL)[ \t]*:(?=[ \t\r\n,\]}]|$)/g,
];
/**
 * A collection right after `{` or `,`: a key if in a flow mapping, even
 * without `:` (`{[a]}`, `{a, [b]}`), an item if in a flow sequence (common),
 * or text (`{{ $labels.x }}` in a string). Such chunks are read with a check
 * that every collection js-yaml built is in the value (a key's is not).
 */
const COLLECTION_AFTER_COMMA = /[{,][ \t\r\n]*[[{]/g;
/** Where a node may start: the text start, a blank or line break, or a flow indicator. */
const NODE_BOUNDARY = new Set([-1, 0x20, 0x09, 0x0a, 0x0d, 0x5b, 0x7b, 0x2c]);
const BLANK_OR_END = new Set([-1, NaN, 0x20, 0x09, 0x0a, 0x0d]);

/** Whether the character at `i` (one SUSPECT_CHAR found) makes the fast path unsafe. */
function suspectCharIsHazard(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
  const next = text.charCodeAt(i + 1);
  switch (c) {
    case 0x0d: return next !== 0x0a; // a CR without LF
    case 0x09: return prev === -1 || prev === 0x0a; // a tab starting a line
    case 0x25: return prev === -1 || prev === 0x0a; // a directive
    case 0x23: return '[{,:"\']}'.includes(text[i - 1] ?? ' '); // `#` right after an indicator or a quote
    case 0x26: return NODE_BOUNDARY.has(prev) && !/[\s&,[\]{}]/.test(text[i + 1] ?? ' '); // an anchor
    case 0x21: // the non-specific tag `! `
    case 0x3f: return NODE_BOUNDARY.has(prev) && BLANK_OR_END.has(next); // a complex key `? `
    case 0x7e: return NODE_BOUNDARY.has(prev) && /^[ \t]*:(?:[ \t\r\n,\]}]|$)/.test(text.slice(i + 1, i + 64)); // a `~` key
    case 0x5c: return /^\\(?:[/U]|u[dD][89a-fA-F])/.test(text.slice(i, i + 4)); // escapes go-yaml refuses
    case 0x7c:
    case 0x3e: // a block scalar header with an indentation indicator
      return (prev === -1 || prev === 0x20 || prev === 0x09) && /^[|>](?:[1-9][+-]?|[+-][1-9])[ \t]*(?:#.*)?\r?$/m.test(text.slice(i, lineEnd(text, i)));
    default:
      if (c >= 0xd800 && c <= 0xdbff) return !(next >= 0xdc00 && next <= 0xdfff);
      if (c >= 0xdc00 && c <= 0xdfff) return !(prev >= 0xd800 && prev <= 0xdbff);
      return true; // control characters, separators, BOMs, non-characters
  }
}

function lineEnd(text: string, i: number): number {
  const n = text.indexOf('\n', i);
  return n < 0 ? text.length : n;
}

const LONG_LINE = 1000;
const LONG_LINE_INDICATOR = /:(?:[ \t\r]|$)/;
/** A line (from its first non-blank) that is only sequence entries, the last one empty: `-`, `- -`, `- # c`; group 1 runs up to the last `-`. */
const EMPTY_DASH = /^((?:-[ \t]+)*)-[ \t]*(?:#.*)?\r?$/;
/** A line (from its first non-blank) ending in a key without a value: `a:`, `- a: # c`; group 1 runs up to the key. */
const EMPTY_KEY = /^((?:-[ \t]+)*)[^\s#].*:[ \t]*(?:[ \t]#.*)?\r?$/;
/** A line (from its first non-blank) that starts a sequence entry or a mapping entry with a simple key. */
const SIMPLE_ENTRY = /^(?:-(?:[ \t]|\r?$)|[\w./-]+:(?:[ \t]|\r?$))/;

/**
 * The offsets (ascending) in `text` that the fast path must not read: a
 * chunk containing one goes to the careful path.
 */
export interface FastPathHazards {
  /** Offsets a chunk must not contain to be read by js-yaml. */
  readonly hard: number[];
  /** Offsets where a chunk is read with the collection-key check. */
  readonly collections: number[];
}

export function fastPathHazards(text: string): FastPathHazards {
  const collections: number[] = [];
  COLLECTION_AFTER_COMMA.lastIndex = 0;
  for (let m = COLLECTION_AFTER_COMMA.exec(text); m; m = COLLECTION_AFTER_COMMA.exec(text)) collections.push(m.index);
  return { hard: hardHazards(text), collections };
}

function hardHazards(text: string): number[] {
  const hazards: number[] = [];
  // The scans below look for a line break or a blank before `...` and `:`.
  if (/^(?:\.\.\.(?=[ \t\r\n]|$)|:(?=[ \t\r\n,\]}]|$))/.test(text)) hazards.push(0);
  SUSPECT_CHAR.lastIndex = 0;
  for (let m = SUSPECT_CHAR.exec(text); m; m = SUSPECT_CHAR.exec(text)) {
    if (suspectCharIsHazard(text, m.index)) hazards.push(m.index);
  }
  for (const re of SUSPECT_TEXT) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      // `null:` is a null key only where a node may start.
      if (re.source.startsWith('(?:null') && !NODE_BOUNDARY.has(m.index > 0 ? text.charCodeAt(m.index - 1) : -1)) continue;
      hazards.push(m.index);
    }
  }
  hazards.push(...lineHazards(text));
  return hazards.sort((a, b) => a - b);
}

/**
 * Line layouts where js-yaml and the `yaml` library read the same text
 * differently, found by the differential tests (conservative: a few harmless
 * layouts also count); the offset of each such line:
 * - a `:` indicator more than ~1,000 characters into a line: the `yaml`
 *   library refuses implicit keys longer than 1,024 characters;
 * - a blank line with a tab in it (the `yaml` library may take it for a less
 *   indented block scalar line);
 * - an empty sequence entry (`-` alone) followed by a less indented line:
 *   js-yaml adds that line's `- x` to the inner sequence;
 * - a line ending in `\` followed by a blank line (an escaped line break
 *   then an empty line: the two libraries fold it differently);
 * - a key without a value, then a comment no more indented than the key,
 *   then the value on a more indented line that is not a `key:` or `- `
 *   entry: the `yaml` library may refuse it (for `#comment` without a blank).
 */
function lineHazards(text: string): number[] {
  const found: number[] = [];
  let emptyDashCol = -1; // the last content line was an empty sequence entry (`-` at this column)
  let lastContent = -1; // where the last content line's text (after its indent) starts
  let lastContentEnd = -1;
  let lastContentIndent = 0;
  let emptyKeyIndent: number | undefined; // that line is a key without a value, indented this much (-1: it is not); computed at the first comment after it
  let lowComment = false; // a comment no more indented than that key came since
  let escapedBreak = false; // the last line ended with `\` (an escaped line break in a double-quoted scalar)
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let indent = start;
    while (text.charCodeAt(indent) === 0x20) indent++;
    const first = indent < end ? text.charCodeAt(indent) : -1;
    indent -= start;
    if (end - start > LONG_LINE && LONG_LINE_INDICATOR.test(text.slice(start + LONG_LINE, end))) found.push(start);
    if (first === -1 || first === 0x0d || (first === 0x09 && text.slice(start, end).trim() === '')) {
      if (first === 0x09 || escapedBreak) found.push(start); // a blank line with a tab; a blank line after an escaped break
    } else if (first === 0x23) {
      if (emptyKeyIndent === undefined) {
        const key = lastContent >= 0 ? EMPTY_KEY.exec(text.slice(lastContent, lastContentEnd)) : null;
        emptyKeyIndent = key ? lastContentIndent + key[1].length : -1;
      }
      if (emptyKeyIndent >= 0 && indent <= emptyKeyIndent) lowComment = true;
      escapedBreak = false;
    } else {
      let last = end - 1;
      while (last > start && (text.charCodeAt(last) === 0x0d || text.charCodeAt(last) === 0x20 || text.charCodeAt(last) === 0x09)) last--;
      escapedBreak = text.charCodeAt(end - 1) === 0x5c || (text.charCodeAt(end - 1) === 0x0d && text.charCodeAt(end - 2) === 0x5c);
      if (emptyDashCol >= 0 && indent < emptyDashCol) found.push(start);
      if (lowComment && indent > (emptyKeyIndent ?? -1) && !SIMPLE_ENTRY.test(text.slice(start + indent, end))) found.push(start);
      // EMPTY_DASH only where it can match: a `-` first, and a `-` last or a comment.
      const hasHash = first === 0x2d && text.charCodeAt(last) !== 0x2d && text.indexOf('#', start) < end && text.indexOf('#', start) >= 0;
      const dash = first === 0x2d && (text.charCodeAt(last) === 0x2d || hasHash) ? EMPTY_DASH.exec(text.slice(start + indent, end)) : null;
      emptyDashCol = dash ? indent + dash[1].length : -1;
      lastContent = start + indent;
      lastContentEnd = end;
      lastContentIndent = indent;
      emptyKeyIndent = undefined;
      lowComment = false;
    }
    start = end + 1;
  }
  return found;
}

/**
 * The value of one chunk (`text.slice(start, end)`, a chunk of
 * kubectl-stream.ts with no hazard in it), or undefined where only the
 * careful path's result is certain. An empty chunk is null.
 */
export function readChunkFast(text: string, start: number, end: number, checkCollections = false): { value: unknown } | undefined {
  keyMismatches.clear();
  const built = checkCollections ? new Set<object>() : undefined;
  let value: unknown;
  try {
    value = jsYaml().load(text.slice(start, end), {
      schema: plainSchema(),
      onWarning: (e) => {
        throw e;
      },
      ...(built ? { listener: collectInto(built) } : {}),
    });
  } catch {
    return undefined;
  }
  if (keyMismatches.size > 0 && usesKey(value, keyMismatches)) return undefined;
  if (built && !allReachable(value, built)) return undefined;
  return { value: value === undefined ? null : value };
}

/** A js-yaml listener that keeps every collection js-yaml builds. */
function collectInto(built: Set<object>): (event: string, state: { result: unknown }) => void {
  return (event, state) => {
    if (event === 'close' && state.result !== null && typeof state.result === 'object') built.add(state.result);
  };
}

/** Whether every collection js-yaml built is in the value: a collection used as a key is turned into a string and lost. */
function allReachable(value: unknown, built: Set<object>): boolean {
  let seen = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!built.has(v)) return false;
    seen++;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push(x);
  }
  return seen === built.size;
}

/**
 * js-yaml's `String(value)` of the numbers read in the chunk whose JSON key
 * would differ (1e-7 is "1e-07" to sigs.k8s.io/yaml): if one was a key, the
 * chunk goes to the careful path. Numbers as values are fine.
 */
const keyMismatches = new Set<string>();

/** Whether an object in `value` has one of `keys` as a key. */
function usesKey(value: unknown, keys: Set<string>): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    for (const [k, x] of Object.entries(v)) {
      if (keys.has(k)) return true;
      stack.push(x);
    }
  }
  return false;
}

let schema: import('js-yaml').Schema | undefined;

/** A js-yaml schema with no explicit tags and one implicit type: go-yaml's plain scalars. */
function plainSchema(): import('js-yaml').Schema {
  if (schema) return schema;
  const { Schema, Type } = jsYaml();
  let resolved: unknown;
  const plain = new Type(PLAIN_TAG, {
    kind: 'scalar',
    // A second argument means an explicit tag: not ours.
    resolve: (data: string, tag?: string) => {
      if (tag !== undefined) return false;
      resolved = fastPlainValue(data);
      return resolved !== data;
    },
    construct: () => resolved,
  } as never);
  schema = new Schema({ implicit: [plain] });
  return schema;
}

/**
 * A plain scalar's value for js-yaml, or Unsupported: `<<` (a merge key to
 * go-yaml), NaN and infinities (kubectl refuses them). Numbers whose JSON key
 * (go-yaml-scalars.ts `goKeyString`) would not be js-yaml's `String(value)`
 * (floats like 1e-7, integers beyond 2^53) are noted in keyMismatches.
 */
function fastPlainValue(data: string): unknown {
  if (data === '<<') throw new Unsupported('merge key');
  let v: unknown;
  try {
    v = plainScalarValue(data);
  } catch (e) {
    if (e instanceof KubectlReadError) throw new Unsupported(e.message);
    throw e;
  }
  // A canonical decimal integer is its own JSON key.
  if (typeof v === 'number' && !(Number.isSafeInteger(v) && String(v) === data)) {
    let key: string | undefined;
    try {
      key = goKeyString(resolveScalar(undefined, data, true));
    } catch {
      key = undefined; // a uint64: no JSON key at all
    }
    if (key !== String(v)) keyMismatches.add(String(v));
  }
  return v;
}
