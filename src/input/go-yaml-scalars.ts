/**
 * Scalars as kubectl reads them: go-yaml v2 (go.yaml.in/yaml/v2 v2.4.4, which
 * sigs.k8s.io/yaml v1.6.0 uses) decodes each scalar into `interface{}`, and
 * sigs.k8s.io/yaml turns the result into JSON. This file is the one definition
 * of those rules for both read paths (fast-read.ts and yaml-node-values.ts).
 *
 * Sources: go-yaml v2 `resolve.go` (`resolve`, `resolveTable`, `resolveMap`,
 * `yamlStyleFloat`, `parseTimestamp`), `decode.go` (`decoder.scalar`), Go's
 * `strconv` (ParseInt, ParseUint, ParseFloat, FormatFloat), and
 * sigs.k8s.io/yaml `yaml.go` (`convertToJSONableObject`).
 */

/** go-yaml v2's long tag names (yamlh.go). */
export const TAG = {
  null: 'tag:yaml.org,2002:null',
  bool: 'tag:yaml.org,2002:bool',
  str: 'tag:yaml.org,2002:str',
  int: 'tag:yaml.org,2002:int',
  float: 'tag:yaml.org,2002:float',
  timestamp: 'tag:yaml.org,2002:timestamp',
  binary: 'tag:yaml.org,2002:binary',
  merge: 'tag:yaml.org,2002:merge',
} as const;

/** A scalar as go-yaml v2 decodes it into `interface{}`: its Go type and value. */
export type GoScalar =
  | { readonly type: 'null' }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'int' | 'uint'; readonly value: bigint }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'string'; readonly value: string };

/** A value kubectl refuses: it stops reading the file there. */
export class KubectlReadError extends Error {}

const NULL: GoScalar = { type: 'null' };
const TRUE: GoScalar = { type: 'bool', value: true };
const FALSE: GoScalar = { type: 'bool', value: false };

/** resolve.go `resolveMap`: the words looked up before anything else, with their tags. */
const RESOLVE_MAP = new Map<string, [GoScalar, string]>();
for (const [value, tag, words] of [
  [TRUE, TAG.bool, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']],
  [FALSE, TAG.bool, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']],
  [NULL, TAG.null, ['', '~', 'null', 'Null', 'NULL']],
  [{ type: 'float', value: NaN }, TAG.float, ['.nan', '.NaN', '.NAN']],
  [{ type: 'float', value: Infinity }, TAG.float, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']],
  [{ type: 'float', value: -Infinity }, TAG.float, ['-.inf', '-.Inf', '-.INF']],
] as const) {
  for (const w of words) RESOLVE_MAP.set(w, [value, tag]);
}

/** resolve.go `resolveTable`: the hint of a scalar's first byte; 0 means it can only be a string. */
const HINT = new Uint8Array(128);
for (const c of '+-') HINT[c.charCodeAt(0)] = 'S'.charCodeAt(0);
for (const c of '0123456789') HINT[c.charCodeAt(0)] = 'D'.charCodeAt(0);
for (const c of 'yYnNtTfFoO~') HINT[c.charCodeAt(0)] = 'M'.charCodeAt(0);
HINT['.'.charCodeAt(0)] = '.'.charCodeAt(0);
const HINT_DOT = '.'.charCodeAt(0);
const HINT_MAP = 'M'.charCodeAt(0);

/** resolve.go `yamlStyleFloat`, matched against the scalar without its underscores. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** strconv.ParseFloat's decimal syntax for a number starting with `.` (underscores only between digits: `underscoreOK`). */
const GO_DOT_FLOAT = /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/;

const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * The value of an untagged plain scalar, as kubectl's JSON carries it:
 * null, a boolean, a number or a string (timestamps stay strings; `-0` is 0).
 * The fast path's resolver: most scalars return at the first-byte check.
 */
export function plainScalarValue(s: string): unknown {
  if (s.length === 0) return null;
  const c = s.charCodeAt(0);
  const hint = c < 128 ? HINT[c] : 0;
  if (hint === 0) return s;
  if (hint === HINT_MAP) {
    // Words starting with y, n, t, f, o or ~: strings unless resolveMap has them (5 characters at most).
    const known = s.length > 5 ? undefined : RESOLVE_MAP.get(s);
    return known ? jsonValue(known[0]) : s;
  }
  // A decimal integer without sign or leading zero, below 2^53: ParseInt's value.
  if (c >= 0x31 && c <= 0x39 && s.length <= 15 && DECIMAL.test(s)) return Number(s);
  return jsonValue(resolveScalar(undefined, s, true));
}

const DECIMAL = /^[0-9]+$/;

/**
 * decode.go `decoder.scalar` for `interface{}`: `tag` is the scalar's explicit
 * tag in long form (`!` for the non-specific tag), `plain` whether it was
 * written without quotes or block indicator. Throws a KubectlReadError where
 * go-yaml fails (a value that does not fit its tag, bad base64).
 */
export function resolveScalar(tag: string | undefined, text: string, plain: boolean): GoScalar {
  // A quoted or block scalar without a tag is a string ("implicit" is false).
  if (tag === undefined && !plain) return { type: 'string', value: text };
  if (tag === TAG.binary) return { type: 'string', value: goJsonString(decodeBase64(text)) };
  if (tag !== undefined && !RESOLVABLE_TAGS.has(tag)) return { type: 'string', value: text };
  const [resolved, rtag] = resolveUntagged(text, tag ?? '');
  if (tag === undefined || tag === rtag || tag === TAG.str) return resolved;
  // An !!int written where !!float is asked for becomes a float (the deferred check in `resolve`).
  if (tag === TAG.float && rtag === TAG.int && (resolved.type === 'int' || resolved.type === 'uint')) {
    return { type: 'float', value: Number(resolved.value) };
  }
  throw new KubectlReadError(`${JSON.stringify(text)} tagged ${shortTag(tag)} is a ${shortTag(rtag)} to go-yaml, not a ${shortTag(tag)}`);
}

/** resolve.go `resolvableTag`: the tags whose value go-yaml resolves; any other tag leaves the text a string. */
const RESOLVABLE_TAGS = new Set<string>([TAG.str, TAG.bool, TAG.int, TAG.float, TAG.null, TAG.timestamp]);

/** resolve.go `resolve` after the tag checks: the value and its tag. `tag` is '' for an untagged plain scalar. */
function resolveUntagged(s: string, tag: string): [GoScalar, string] {
  const c = s.charCodeAt(0);
  const hint = s.length === 0 ? HINT_MAP : c < 128 ? HINT[c] : 0;
  if (hint === 0 || tag === TAG.str) return [{ type: 'string', value: s }, TAG.str];
  const known = RESOLVE_MAP.get(s);
  if (known) return known;
  if (hint === HINT_MAP) return [{ type: 'string', value: s }, TAG.str];
  if (hint === HINT_DOT) {
    // strconv.ParseFloat on the text as written: underscores between digits are allowed, overflow is an error.
    if (GO_DOT_FLOAT.test(s)) {
      const f = Number(s.replace(/_/g, ''));
      if (Number.isFinite(f)) return [{ type: 'float', value: f }, TAG.float];
    }
    return [{ type: 'string', value: s }, TAG.str];
  }
  // 'D' or 'S': a timestamp (only untagged or !!timestamp), an int, a uint, a float.
  if ((tag === '' || tag === TAG.timestamp) && s.charCodeAt(4) === 0x2d && isGoTimestamp(s)) {
    // decode.go keeps the text of a timestamp decoded into interface{}.
    return [{ type: 'string', value: s }, TAG.timestamp];
  }
  const plain = s.replace(/_/g, '');
  const int = parseGoInt(plain, 0);
  if (int !== undefined) return [{ type: 'int', value: int }, TAG.int];
  const uint = parseGoUint(plain, 0);
  if (uint !== undefined) return [{ type: 'uint', value: uint }, TAG.int];
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return [{ type: 'float', value: f }, TAG.float];
  }
  if (plain.startsWith('0b')) {
    const b = parseGoInt(plain.slice(2), 2) ?? parseGoUint(plain.slice(2), 2);
    if (b !== undefined) return [{ type: b > INT64_MAX ? 'uint' : 'int', value: b }, TAG.int];
  } else if (plain.startsWith('-0b')) {
    const b = parseGoInt('-' + plain.slice(3), 2);
    if (b !== undefined) return [{ type: 'int', value: b }, TAG.int];
  }
  return [{ type: 'string', value: s }, TAG.str];
}

/** strconv.ParseUint(s, base, 64): base 0 reads the 0b, 0o, 0x and 0 (octal) prefixes; no sign. */
function parseGoUint(s: string, base: number): bigint | undefined {
  if (s.length === 0) return undefined;
  let digits = s;
  if (base === 0) {
    base = 10;
    if (s[0] === '0') {
      const p = s.length >= 3 ? s[1].toLowerCase() : '';
      base = p === 'b' ? 2 : p === 'o' ? 8 : p === 'x' ? 16 : 8;
      digits = p === 'b' || p === 'o' || p === 'x' ? s.slice(2) : s.slice(1);
    }
  }
  let n = 0n;
  const big = BigInt(base);
  for (let i = 0; i < digits.length; i++) {
    const d = parseInt(digits[i], 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    n = n * big + BigInt(d);
    if (n > UINT64_MAX) return undefined;
  }
  return n;
}

/** strconv.ParseInt(s, base, 64): an optional sign, then ParseUint, within int64. */
function parseGoInt(s: string, base: number): bigint | undefined {
  if (s.length === 0) return undefined;
  const neg = s[0] === '-';
  const u = parseGoUint(s[0] === '+' || neg ? s.slice(1) : s, base);
  if (u === undefined) return undefined;
  if (neg) return u > INT64_MAX + 1n ? undefined : -u;
  return u > INT64_MAX ? undefined : u;
}

/** The layouts of resolve.go `allowedTimestampFormats`, as time.Parse reads them, and the day check it makes. */
const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[-+](\d{2}):(\d{2})))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?))?$/;

/** resolve.go `parseTimestamp`: whether go-yaml reads `s` as a timestamp. */
function isGoTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hour = Number(m[4] ?? m[9] ?? 0);
  const minute = Number(m[5] ?? m[10] ?? 0);
  const second = Number(m[6] ?? m[11] ?? 0);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  if (m[7] !== undefined && (Number(m[7]) > 24 || Number(m[8]) > 59)) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `!!int` for tag:yaml.org,2002:int, as go-yaml's messages write tags. */
export function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/**
 * Go's base64.StdEncoding.DecodeString, which go-yaml uses for `!!binary`:
 * line breaks are skipped, padding is required, anything else is an error.
 */
function decodeBase64(text: string): Uint8Array {
  const s = text.replace(/[\r\n]/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) {
    throw new KubectlReadError(`!!binary value ${JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text)} is not valid base64 (go-yaml: invalid base64 data)`);
  }
  return Buffer.from(s, 'base64');
}

/** The first byte of each UTF-8 sequence: its length and the range of its second byte (Go's unicode/utf8 tables). */
export function utf8Sequence(b: number): [number, number, number] | undefined {
  if (b >= 0xc2 && b <= 0xdf) return [2, 0x80, 0xbf];
  if (b === 0xe0) return [3, 0xa0, 0xbf];
  if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) return [3, 0x80, 0xbf];
  if (b === 0xed) return [3, 0x80, 0x9f];
  if (b === 0xf0) return [4, 0x90, 0xbf];
  if (b >= 0xf1 && b <= 0xf3) return [4, 0x80, 0xbf];
  if (b === 0xf4) return [4, 0x80, 0x8f];
  return undefined;
}

/**
 * Bytes as encoding/json writes them in a JSON string: valid UTF-8 as is,
 * each byte of an invalid sequence as U+FFFD (utf8.DecodeRuneInString's
 * size-1 rule, not the WHATWG decoder's).
 */
export function goJsonString(bytes: Uint8Array): string {
  const out: number[] = [];
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const seq = b < 0x80 ? undefined : utf8Sequence(b);
    if (b < 0x80) {
      out.push(b);
      i++;
      continue;
    }
    let ok = seq !== undefined && i + seq[0] <= bytes.length && bytes[i + 1] >= seq[1] && bytes[i + 1] <= seq[2];
    for (let k = 2; ok && seq && k < seq[0]; k++) ok = bytes[i + k] >= 0x80 && bytes[i + k] <= 0xbf;
    if (!ok || !seq) {
      out.push(0xfffd);
      i++;
      continue;
    }
    // The lead byte's payload bits, then six bits from each continuation byte.
    let cp = b % 2 ** (7 - seq[0]);
    for (let k = 1; k < seq[0]; k++) cp = cp * 64 + (bytes[i + k] % 64);
    out.push(cp);
    i += seq[0];
  }
  let s = '';
  for (let i = 0; i < out.length; i += 4096) s += String.fromCodePoint(...out.slice(i, i + 4096));
  return s;
}

/** The value kubectl's JSON carries for a scalar; throws for NaN and ±Inf, which encoding/json refuses. */
export function jsonValue(s: GoScalar): unknown {
  switch (s.type) {
    case 'null': return null;
    case 'bool': return s.value;
    case 'int':
    case 'uint': return Number(s.value);
    case 'string': return s.value;
    case 'float':
      if (!Number.isFinite(s.value)) {
        throw new KubectlReadError(`${goFloatText(s.value)} is not a number JSON can carry (encoding/json: unsupported value)`);
      }
      // JSON writes -0 as "-0", which kubectl then decodes as the integer 0.
      return s.value === 0 ? 0 : s.value;
  }
}

/**
 * sigs.k8s.io/yaml `convertToJSONableObject`: the JSON key of a mapping key
 * (ints in decimal, floats as strconv.FormatFloat(f, 'g', -1, 32), booleans
 * as true/false). Throws for the key types it refuses: null and uint64.
 */
export function goKeyString(k: GoScalar): string {
  switch (k.type) {
    case 'string': return k.value;
    case 'int': return k.value.toString();
    case 'bool': return k.value ? 'true' : 'false';
    case 'float': return goFloatText(k.value);
    case 'uint': throw new KubectlReadError(`the key ${k.value} is above 2^63-1: sigs.k8s.io/yaml refuses uint64 map keys`);
    case 'null': throw new KubectlReadError('a null key: sigs.k8s.io/yaml refuses null map keys');
  }
}

/** A float key's text: FormatFloat(f, 'g', -1, 32), with go-yaml's names for infinities and NaN. */
function goFloatText(f: number): string {
  const s = formatFloat32(f);
  return s === '+Inf' ? '.inf' : s === '-Inf' ? '-.inf' : s === 'NaN' ? '.nan' : s;
}

/** strconv.FormatFloat(f, 'g', -1, 32): the shortest digits that read back as the same float32. */
export function formatFloat32(f: number): string {
  const x = Math.fround(f);
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  if (x === 0) return neg ? '-0' : '0';
  const a = Math.abs(x);
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const e = a.toExponential(p - 1);
    if (Math.fround(Number(e)) === a) {
      const [m, ex] = e.split('e');
      digits = m.replace('.', '');
      exp = Number(ex);
      break;
    }
  }
  const sign = neg ? '-' : '';
  // %e when the exponent is below -4 or at least the shortest-precision threshold of 6, %f otherwise.
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  const dp = exp + 1;
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= digits.length) return `${sign}${digits}${'0'.repeat(dp - digits.length)}`;
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

/** Identity of a Go map key: `1` (int), `"1"` (string) and `1.0` (float) are three keys; -0.0 and 0.0 one; each NaN its own. */
export function goKeyIdentity(k: GoScalar, nanCounter: { n: number }): string {
  switch (k.type) {
    case 'null': return 'n';
    case 'bool': return k.value ? 'b1' : 'b0';
    case 'int': return `i${k.value}`;
    case 'uint': return `u${k.value}`;
    case 'string': return `s${k.value}`;
    case 'float': return Number.isNaN(k.value) ? `nan${nanCounter.n++}` : `f${k.value === 0 ? 0 : k.value}`;
  }
}

/** A float as text for messages (go-yaml's .inf and .nan names). */
export function describeGoScalar(s: GoScalar): string {
  switch (s.type) {
    case 'null': return 'null';
    case 'bool': return String(s.value);
    case 'int':
    case 'uint': return s.value.toString();
    case 'float': return goFloatText(s.value);
    case 'string': return JSON.stringify(s.value);
  }
}
