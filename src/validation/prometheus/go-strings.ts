/**
 * Go's string and number conventions, as the PromQL parser relies on them.
 *
 * Go strings are bytes: positions are byte offsets, `len` counts bytes and an
 * escape such as "\xff" yields one byte. To reproduce the parser exactly we
 * work on "byte strings": JS strings whose every char code is one UTF-8 byte
 * (0-255). `toBytes` and `fromBytes` convert at the edges.
 */

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** The UTF-8 bytes of a JS string, one char per byte. */
export function toBytes(s: string): string {
  return ASCII_ONLY.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/** A byte string decoded as UTF-8 (invalid bytes become U+FFFD). */
export function fromBytes(b: string): string {
  return ASCII_ONLY.test(b) ? b : Buffer.from(b, 'latin1').toString('utf8');
}

/** Go's utf8.RuneError. */
export const RUNE_ERROR = 0xfffd;

/** utf8.DecodeRuneInString at byte offset i: [rune, width]; width 0 at the end. */
export function decodeRune(s: string, i: number): [number, number] {
  const n = s.length - i;
  if (n < 1) return [RUNE_ERROR, 0];
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) return [b0, 1];
  let size: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    size = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else {
    return [RUNE_ERROR, 1];
  }
  if (n < size) return [RUNE_ERROR, 1];
  const b1 = s.charCodeAt(i + 1);
  if (b1 < lo || b1 > hi) return [RUNE_ERROR, 1];
  if (size === 2) return [(b0 - 0xc0) * 64 + (b1 - 0x80), 2];
  const b2 = s.charCodeAt(i + 2);
  if (b2 < 0x80 || b2 > 0xbf) return [RUNE_ERROR, 1];
  if (size === 3) return [(b0 - 0xe0) * 4096 + (b1 - 0x80) * 64 + (b2 - 0x80), 3];
  const b3 = s.charCodeAt(i + 3);
  if (b3 < 0x80 || b3 > 0xbf) return [RUNE_ERROR, 1];
  return [(b0 - 0xf0) * 262144 + (b1 - 0x80) * 4096 + (b2 - 0x80) * 64 + (b3 - 0x80), 4];
}

/** utf8.ValidString on a byte string. */
export function validUtf8(s: string): boolean {
  if (ASCII_ONLY.test(s)) return true;
  for (let i = 0; i < s.length;) {
    const [r, w] = decodeRune(s, i);
    if (r === RUNE_ERROR && w === 1) return false;
    i += w;
  }
  return true;
}

/** The UTF-8 bytes of one code point, as a byte string. */
export function encodeRune(r: number): string {
  return toBytes(String.fromCodePoint(r));
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return false;
  return PRINTABLE.test(String.fromCodePoint(r));
}

/** Two lower-case hex digits of a byte. */
function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function escapedRune(r: number, quoteChar: number): string {
  if (r === quoteChar || r === 0x5c) return `\\${String.fromCharCode(r)}`;
  if (isPrint(r)) return encodeRune(r);
  switch (r) {
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x0b: return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return `\\x${hex2(r)}`;
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = RUNE_ERROR;
  if (r < 0x10000) return `\\u${r.toString(16).padStart(4, '0')}`;
  return `\\U${r.toString(16).padStart(8, '0')}`;
}

/** strconv.Quote (fmt's %q) of a byte string; the result is a byte string. */
export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out += escapedRune(c, 0x22);
      i++;
      continue;
    }
    const [r, w] = decodeRune(s, i);
    out += w === 1 ? `\\x${hex2(c)}` : escapedRune(r, 0x22);
    i += w;
  }
  return `${out}"`;
}

/** fmt's %.Nq: quotes the first n runes only. */
export function quotePrefix(s: string, n: number): string {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) i += decodeRune(s, i)[1];
  return quote(s.slice(0, i));
}

/** strconv.QuoteRune (fmt's %q of a rune); the result is a byte string. */
export function quoteRune(r: number): string {
  if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = RUNE_ERROR;
  return `'${escapedRune(r, 0x27)}'`;
}

/** fmt's %#U: U+0041 'A'. */
export function formatUnicode(r: number): string {
  const hex = `U+${(r < 0 ? 0xfffd : r).toString(16).toUpperCase().padStart(4, '0')}`;
  return r >= 0 && isPrint(r) ? `${hex} '${encodeRune(r)}'` : hex;
}

/** fmt's %f (six decimals, exact for large values, +Inf/-Inf/NaN spelled as Go does). */
export function formatF(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (Math.abs(x) < 1e21) return x.toFixed(6);
  // Integers this large are exact doubles: print every digit.
  return `${BigInt(x).toString()}.000000`;
}

/** ASCII lower case of a byte (strconv's lower, for letters). */
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

/** strconv's underscoreOK: underscores only between digits, or after a base prefix. */
export function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(String.fromCharCode(lower(s.charCodeAt(1))))) {
    i = 2;
    saw = '0';
    hex = lower(s.charCodeAt(1)) === 0x78;
  }
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (hex && lower(c) >= 0x61 && lower(c) <= 0x66)) {
      saw = '0';
      continue;
    }
    if (c === 0x5f) {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

export interface GoNumber {
  readonly value: number;
  /** strconv's error text, e.g. `strconv.ParseFloat: parsing "1e999": value out of range`. */
  readonly error?: string;
}

const MAX_INT64 = 9223372036854775807n;
const MAX_UINT64 = 18446744073709551615n;

/** strconv.ParseInt(s, 0, 64), as a float64 like the parser uses it. */
export function parseIntBase0(s: string): GoNumber {
  const fail = (why: string) => ({ value: 0, error: `strconv.ParseInt: parsing ${quote(s)}: ${why}` });
  if (s === '') return fail('invalid syntax');
  let body = s;
  let neg = false;
  if (body[0] === '+' || body[0] === '-') {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  if (body === '') return fail('invalid syntax');
  let base = 10n;
  if (body[0] === '0') {
    const p = body.length >= 3 ? lower(body.charCodeAt(1)) : 0;
    if (p === 0x62) base = 2n;
    else if (p === 0x6f) base = 8n;
    else if (p === 0x78) base = 16n;
    body = base === 10n ? body.slice(1) : body.slice(2);
    if (base === 10n) base = 8n;
  }
  let underscores = false;
  let n = 0n;
  let overflow = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x5f) {
      underscores = true;
      continue;
    }
    const l = lower(c);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : l >= 0x61 && l <= 0x7a ? l - 0x61 + 10 : 99;
    if (d === 99) return fail('invalid syntax');
    if (BigInt(d) >= base) return fail('invalid syntax');
    if (!overflow) {
      n = n * base + BigInt(d);
      if (n > MAX_UINT64) overflow = true;
    }
  }
  if (underscores && !underscoreOK(s.replace(/^[+-]/, ''))) return fail('invalid syntax');
  if (overflow || (!neg && n > MAX_INT64) || (neg && n > MAX_INT64 + 1n)) return fail('value out of range');
  return { value: Number(neg ? -n : n) };
}

const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64) for the forms the PromQL lexer can produce (no hex mantissas with exponents). */
export function parseFloat64(s: string): GoNumber {
  const fail = (why: string) => ({ value: 0, error: `strconv.ParseFloat: parsing ${quote(s)}: ${why}` });
  const special = SPECIAL.exec(s);
  if (special) {
    if (special[2].toLowerCase() === 'nan') return special[1] === '' ? { value: NaN } : fail('invalid syntax');
    return { value: special[1] === '-' ? -Infinity : Infinity };
  }
  // A hexadecimal mantissa needs a p exponent, which the lexer never lets through.
  if (/^[+-]?0[xX]/.test(s) && s.length > 3) return fail('invalid syntax');
  const m = /^[+-]?(?=\.?[0-9_])[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9][0-9_]*)?$/.exec(s);
  if (!m || !/[0-9]/.test(s.replace(/[eE].*$/, ''))) return fail('invalid syntax');
  if (s.includes('_') && !underscoreOK(s)) return fail('invalid syntax');
  const value = Number(s.replace(/_/g, ''));
  if (!Number.isFinite(value)) return fail('value out of range');
  return { value };
}

/** strutil.Unquote: a PromQL string literal's value, or undefined when it is not a valid literal. */
export function unquote(s: string): string | undefined {
  const n = s.length;
  if (n < 2) return undefined;
  const q = s[0];
  if (q !== s[n - 1]) return undefined;
  let body = s.slice(1, n - 1);
  if (q === '`') return body.includes('`') ? undefined : body;
  if (q !== '"' && q !== '\'') return undefined;
  if (body.includes('\n')) return undefined;
  if (!body.includes('\\') && !body.includes(q)) return body;
  let out = '';
  while (body !== '') {
    const c = body.charCodeAt(0);
    if (body[0] === q) return undefined;
    if (c >= 0x80) {
      const [, w] = decodeRune(body, 0);
      out += body.slice(0, w);
      body = body.slice(w);
      continue;
    }
    if (c !== 0x5c) {
      out += body[0];
      body = body.slice(1);
      continue;
    }
    if (body.length <= 1) return undefined;
    const e = body[1];
    body = body.slice(2);
    const simple: Record<string, string> = { 'a': '\x07', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v', '\\': '\\' };
    if (e in simple) {
      out += simple[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(0, len);
      if (hex.length < len || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
      const v = parseInt(hex, 16);
      body = body.slice(len);
      if (e === 'x') {
        out += String.fromCharCode(v);
      } else {
        if (v > 0x10ffff) return undefined;
        // Go encodes surrogate halves as U+FFFD.
        out += encodeRune(v >= 0xd800 && v <= 0xdfff ? RUNE_ERROR : v);
      }
    } else if (e >= '0' && e <= '7') {
      const oct = e + body.slice(0, 2);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      const v = parseInt(oct, 8);
      if (v > 255) return undefined;
      out += String.fromCharCode(v);
      body = body.slice(2);
    } else if (e === '\'' || e === '"') {
      if (e !== q) return undefined;
      out += e;
    } else {
      return undefined;
    }
  }
  return out;
}
