/**
 * The fast read path for ordinary YAML: js-yaml, with the plain scalars
 * resolved exactly as the `yaml` library resolves them under YAML 1.1.
 *
 * Why two YAML libraries: reading large meshes is dominated by YAML parsing,
 * and js-yaml reads ordinary manifests about ten times faster than the `yaml`
 * library. But only the `yaml` library gives node positions (for findings),
 * alias-expansion limits and the error messages users see. So js-yaml reads
 * a file only when nothing in it could come out differently: anything unusual
 * (a tag, an anchor or alias, a merge key, a duplicate key, a directive, a
 * `...` marker, a complex or null key, control characters, a js-yaml error or
 * warning, a document that is not a Kubernetes object) sends the whole file to
 * the `yaml` path, which is the reference. test/input/fast-path.test.ts checks
 * the two paths against each other.
 */

/**
 * js-yaml is loaded on first use, not when the library is imported (cold
 * start). Version 4.3.2 or later (package.json): 4.1.0 keeps the trailing
 * blanks of `"x  ` before an empty line in a double-quoted scalar.
 */
function jsYaml(): typeof import('js-yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('js-yaml');
}

/** What the fast path read: one value per document, and where each document is in the text. */
export interface FastRead {
  /** The documents' values, as `doc.toJS()` of the `yaml` library returns them. */
  readonly values: unknown[];
  /**
   * The text range `[start, end)` of document `index` that the `yaml` library
   * reads as exactly that one document: from its `---` line (from 0 for a first
   * document without one) to the next `---` line or the end of the text.
   */
  segment(index: number): [number, number];
}

/** The internal js-yaml state fields the listener reads (present in js-yaml 4.x). */
interface ListenerState {
  readonly input: string;
  readonly position: number;
  readonly tag: string | null;
  readonly anchor: string | null;
  readonly result: unknown;
}

/** Thrown from inside js-yaml to leave the fast path. */
class Unsupported extends Error {}

/** The tag of the one implicit js-yaml type below (never written in a document: `!<` sends the file to the `yaml` path). */
const PLAIN_TAG = 'tag:cdk8s-istio-mtls.internal,2025:yaml-1.1-plain';
/** js-yaml nesting limit: deeper files go to the `yaml` path (and its own nesting checks). */
const MAX_NESTING = 100;

/**
 * Text the fast path does not read: control and non-character code points,
 * Unicode line separators, BOMs, lone surrogates, a CR without LF, a line
 * starting with a tab (the `yaml` library refuses it in a quoted scalar or a
 * flow collection, js-yaml takes it), verbatim
 * tags (`!<…>`), directives (`%YAML 1.2` would change the scalar rules),
 * document end markers (`...`), `---` not followed by a blank (js-yaml takes
 * `---x` for a marker), a `#` right after `[`, `{`, `,` or `:` (a comment
 * for js-yaml, not for the `yaml` library) and block scalars with an explicit
 * indentation indicator (`|2`: blank lines with more spaces differ).
 */
// eslint-disable-next-line no-control-regex
const UNSUPPORTED_TEXT = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\r(?!\n)|^\t|!<|^%|^\.\.\.(?=[ \t\r\n]|$)|^---(?![ \t\r\n]|$)|[[{,:]#|(?:^|[ \t])[|>](?:[1-9][+-]?|[+-][1-9])[ \t]*(?:#.*)?\r?$/m;
const LONG_LINE = 1000;
const LONG_LINE_INDICATOR = /:(?:[ \t\r]|$)/;
/** A line (from its first non-blank) that is only sequence entries, the last one empty: `-`, `- -`, `- # c`; group 1 runs up to the last `-`. */
const EMPTY_DASH = /^((?:-[ \t]+)*)-[ \t]*(?:#.*)?\r?$/;
/** A line (from its first non-blank) ending in a key without a value: `a:`, `- a: # c`; group 1 runs up to the key. */
const EMPTY_KEY = /^((?:-[ \t]+)*)[^\s#].*:[ \t]*(?:[ \t]#.*)?\r?$/;
/** A line (from its first non-blank) that starts a sequence entry or a mapping entry with a simple key. */
const SIMPLE_ENTRY = /^(?:-(?:[ \t]|\r?$)|[\w./-]+:(?:[ \t]|\r?$))/;
/** A document start marker line: `---`, then nothing but blanks and a comment (content after `---` goes to the `yaml` path). */
const DOCUMENT_MARKER = /^---(?=[ \t\r\n]|$)(.*)$/gm;
const MARKER_REST = /^(?:[ \t]+(?:#.*)?)?\r?$/;

/** Reads `text` with js-yaml, or returns undefined where only the `yaml` library's result is certain. */
export function readFast(text: string): FastRead | undefined {
  if (UNSUPPORTED_TEXT.test(text) || lineHazard(text)) return undefined;
  const markers: number[] = [];
  for (const m of text.matchAll(DOCUMENT_MARKER)) {
    if (!MARKER_REST.test(m[1])) return undefined;
    markers.push(m.index);
  }

  // Every collection and timestamp js-yaml builds, to prove afterwards that none became a map key.
  const built = new Set<object>();
  const documentStarts: number[] = [];
  let depth = 0;
  const listener = (event: 'open' | 'close', state: ListenerState): void => {
    if (event === 'open') {
      if (depth === 0) documentStarts.push(state.position);
      if (++depth > MAX_NESTING) throw new Unsupported('nested too deeply');
      // A node starting with a tag, an anchor or an alias. Checked here, where
      // the node starts, because js-yaml can drop the tag or anchor of an empty
      // node (`!x` before `---`) before the node closes.
      if (startsWithProperty(state.input, state.position)) throw new Unsupported('tag, anchor or alias');
      return;
    }
    depth--;
    // Any anchor (and so any alias: js-yaml refuses an alias without its anchor) or tag.
    if (state.anchor !== null) throw new Unsupported('anchor');
    if (state.tag !== null && state.tag !== '?' && state.tag !== PLAIN_TAG) throw new Unsupported('tag');
    // A comment right after a quoted scalar or a flow collection (`"a"#c`):
    // js-yaml takes it, the `yaml` library wants white space before `#`.
    if (state.input.charCodeAt(state.position) === 0x23 && !/\s/.test(state.input[state.position - 1] ?? ' ')) throw new Unsupported('comment');
    const r = state.result;
    if (r !== null && typeof r === 'object') built.add(r);
  };

  let values: unknown[];
  try {
    values = jsYaml().loadAll(text, null, {
      schema: plainSchema(),
      listener: listener as never,
      onWarning: (e) => {
        throw e;
      },
    });
  } catch {
    return undefined;
  }

  // js-yaml's documents must be the `yaml` library's: one per `---` segment,
  // plus one before the first marker when there is content there.
  if (values.length !== documentStarts.length) return undefined;
  const first = values.length > 0 ? segmentOf(documentStarts[0], markers) : 0;
  if (first > 0) return undefined;
  if (values.length !== markers.length - first) return undefined;
  for (let i = 0; i < values.length; i++) {
    if (segmentOf(documentStarts[i], markers) !== i + first) return undefined;
  }

  if (!keysAreStrings(values, built)) return undefined;

  return {
    values,
    segment: (index: number) => {
      const s = index + first;
      return [s < 0 ? 0 : markers[s], s + 1 < markers.length ? markers[s + 1] : text.length];
    },
  };
}

/**
 * Line layouts where js-yaml and the `yaml` library read the same text
 * differently, found by the differential tests (conservative: a few harmless
 * layouts also count):
 * - a `:` indicator more than ~1,000 characters into a line: the `yaml`
 *   library refuses implicit keys longer than 1,024 characters;
 * - a blank last line without a line break (js-yaml adds one, which a `|+`
 *   block scalar would keep), and a blank line with a tab in it (the `yaml`
 *   library may take it for a less indented block scalar line);
 * - an empty sequence entry (`-` alone) followed by a less indented line:
 *   js-yaml adds that line's `- x` to the inner sequence;
 * - a line ending in `\` followed by a blank line (an escaped line break
 *   then an empty line: the two libraries fold it differently);
 * - a key without a value, then a comment no more indented than the key,
 *   then the value on a more indented line that is not a `key:` or `- `
 *   entry: the `yaml` library may refuse it (for `#comment` without a blank).
 */
function lineHazard(text: string): boolean {
  let emptyDashCol = -1; // the last content line was an empty sequence entry (`-` at this column)
  let emptyKeyIndent = -1; // the last content line was a key without a value, indented this much
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
    if (end - start > LONG_LINE && LONG_LINE_INDICATOR.test(text.slice(start + LONG_LINE, end))) return true;
    if (first === -1 || first === 0x0d || (first === 0x09 && text.slice(start, end).trim() === '')) {
      if (end === text.length && end > start) return true; // blank last line without a line break
      if (first === 0x09) return true; // a blank line with a tab
      if (escapedBreak) return true;
    } else if (first === 0x23) {
      if (emptyKeyIndent >= 0 && indent <= emptyKeyIndent) lowComment = true;
      escapedBreak = false;
    } else {
      let last = end - 1;
      while (last > start && (text.charCodeAt(last) === 0x0d || text.charCodeAt(last) === 0x20 || text.charCodeAt(last) === 0x09)) last--;
      const lastChar = text.charCodeAt(last);
      escapedBreak = text.charCodeAt(end - 1) === 0x5c || (text.charCodeAt(end - 1) === 0x0d && text.charCodeAt(end - 2) === 0x5c);
      const line = text.slice(start + indent, end);
      if (emptyDashCol >= 0 && indent < emptyDashCol) return true;
      if (lowComment && indent > emptyKeyIndent && !SIMPLE_ENTRY.test(line)) return true;
      // The regular expressions only where they can match: a `-` first, a `:` or a comment last.
      const dash = first === 0x2d ? EMPTY_DASH.exec(line) : null;
      emptyDashCol = dash ? indent + dash[1].length : -1;
      const key = lastChar === 0x3a || line.includes('#') ? EMPTY_KEY.exec(line) : null;
      emptyKeyIndent = key ? indent + key[1].length : -1;
      lowComment = false;
    }
    start = end + 1;
  }
  return false;
}

/** Whether the node js-yaml starts reading at `p` (after blanks, line breaks and comments, as js-yaml skips them) begins with `!`, `&` or `*`. */
function startsWithProperty(input: string, p: number): boolean {
  for (;;) {
    const c = input.charCodeAt(p);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      p++;
    } else if (c === 0x23) {
      while (p < input.length && input.charCodeAt(p) !== 0x0a && input.charCodeAt(p) !== 0x0d) p++;
    } else {
      return c === 0x21 || c === 0x26 || c === 0x2a;
    }
  }
}

/** The `---` segment a position is in: -1 before the first marker. */
function segmentOf(position: number, markers: number[]): number {
  let lo = 0;
  let hi = markers.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (markers[mid] < position) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * True when every map key was a string, number or boolean, as written.
 * js-yaml turns a null key into "null" (the `yaml` library: ""), and a
 * collection or timestamp key into its JS string (the `yaml` library: YAML
 * text); such a key's object is missing from the values. Every object in the
 * values must also be one js-yaml built as a node (not a `[a: b]` pair).
 */
function keysAreStrings(values: unknown[], built: Set<object>): boolean {
  let seen = 0;
  const stack: unknown[] = [...values];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!built.has(v)) return false;
    seen++;
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (!(v instanceof Date)) {
      for (const k of Object.keys(v)) {
        if (k === 'null') return false;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return seen === built.size;
}

let schema: import('js-yaml').Schema | undefined;

/** A js-yaml schema with no explicit tags and one implicit type: YAML 1.1 plain scalars. */
function plainSchema(): import('js-yaml').Schema {
  if (schema) return schema;
  const { Schema, Type } = jsYaml();
  let resolved: unknown;
  const plain = new Type(PLAIN_TAG, {
    kind: 'scalar',
    // A second argument means an explicit tag: not ours.
    resolve: (data: string, tag?: string) => {
      if (tag !== undefined) return false;
      resolved = resolvePlainScalar(data);
      return resolved !== data;
    },
    construct: () => resolved,
  } as never);
  schema = new Schema({ implicit: [plain] });
  return schema;
}

// The `yaml` library's YAML 1.1 scalar tags (yaml/dist/schema/yaml-1.1 and
// schema/common/null), in its order: the first tag whose test matches wins.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const INT_BIN = /^[-+]?0b[0-1_]+$/;
const INT_OCT = /^[-+]?0[0-7_]+$/;
const INT = /^[-+]?[0-9][0-9_]*$/;
const INT_HEX = /^[-+]?0x[0-9a-fA-F_]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;
const MERGE = /^<<$/;
const INT_TIME = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/;
const FLOAT_TIME = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/;
const TIMESTAMP = RegExp(
  '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})' + // YYYY-Mm-Dd
  '(?:' + // time is optional
  '(?:t|T|[ \\t]+)' + // t | T | whitespace
  '([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)' + // Hh:Mm:Ss(.ss)?
  '(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?' + // Z | +5 | -03:30
  ')?$',
);
/** The first characters of every non-string plain scalar above (the empty one never reaches js-yaml's resolver). */
const MAYBE_NOT_STRING = /^[-+.0-9~nNyYtTfFoOeE<]/;

/**
 * A plain scalar's value as `doc.toJS()` of the `yaml` library returns it
 * (version 1.1, no bigints); the string itself when it stays a string.
 * Throws for `<<`, which the `yaml` library reads as a merge key.
 * @internal
 */
export function resolvePlainScalar(s: string): unknown {
  if (!MAYBE_NOT_STRING.test(s) && s !== '') return s;
  if (NULL.test(s)) return null;
  if (TRUE.test(s)) return true;
  if (FALSE.test(s)) return false;
  if (INT_BIN.test(s)) return resolveInt(s, 2, 2);
  if (INT_OCT.test(s)) return resolveInt(s, 1, 8);
  if (INT.test(s)) return resolveInt(s, 0, 10);
  if (INT_HEX.test(s)) return resolveInt(s, 2, 16);
  if (FLOAT_NAN.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (FLOAT_EXP.test(s)) return parseFloat(s.replace(/_/g, ''));
  if (FLOAT.test(s)) return parseFloat(s.replace(/_/g, ''));
  if (MERGE.test(s)) throw new Unsupported('merge key');
  if (INT_TIME.test(s) || FLOAT_TIME.test(s)) return parseSexagesimal(s);
  const m = TIMESTAMP.exec(s);
  if (m) return resolveTimestamp(m);
  return s;
}

function resolveInt(str: string, offset: number, radix: number): number {
  const sign = str[0];
  if (sign === '-' || sign === '+') offset += 1;
  const n = parseInt(str.substring(offset).replace(/_/g, ''), radix);
  return sign === '-' ? -1 * n : n;
}

function parseSexagesimal(str: string): number {
  const sign = str[0];
  const parts = sign === '-' || sign === '+' ? str.substring(1) : str;
  const res = parts.replace(/_/g, '').split(':').reduce((acc, p) => acc * 60 + Number(p), 0);
  return sign === '-' ? -1 * res : res;
}

function resolveTimestamp(match: RegExpExecArray): Date {
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const millisec = match[7] ? Number((match[7] + '00').substring(1, 4)) : 0;
  let date = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0, millisec);
  const tz = match[8];
  if (tz && tz !== 'Z') {
    let d = parseSexagesimal(tz);
    if (Math.abs(d) < 30) d *= 60;
    date -= 60000 * d;
  }
  return new Date(date);
}
