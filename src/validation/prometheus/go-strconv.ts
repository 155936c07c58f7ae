/**
 * The syntax and range checks of Go's strconv that text/template's parser
 * applies to the literals of a template (number, character and string
 * constants): ParseUint and ParseInt with base 0, ParseFloat, UnquoteChar and
 * Unquote. Each returns undefined where Go returns an error.
 */

import { underscoreOK } from './go-strings';

const MAX_UINT64 = 2n ** 64n - 1n;
const INT64_CUTOFF = 2n ** 63n;

function digitValue(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  const l = c.toLowerCase();
  if (l >= 'a' && l <= 'z') return l.charCodeAt(0) - 97 + 10;
  return 99;
}

/** strconv.ParseUint(s, 0, 64). */
export function goParseUint(text: string): bigint | undefined {
  if (text === '') return undefined;
  let s = text;
  let base = 10;
  if (s[0] === '0') {
    const prefix = s.length >= 3 ? s[1].toLowerCase() : '';
    if (prefix === 'b' || prefix === 'o' || prefix === 'x') {
      base = prefix === 'b' ? 2 : prefix === 'o' ? 8 : 16;
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  let n = 0n;
  let underscores = false;
  for (const c of s) {
    if (c === '_') {
      underscores = true;
      continue;
    }
    const d = digitValue(c);
    if (d >= base) return undefined;
    n = n * BigInt(base) + BigInt(d);
    if (n > MAX_UINT64) return undefined;
  }
  if (underscores && !underscoreOK(text)) return undefined;
  return n;
}

/** strconv.ParseInt(s, 0, 64). */
export function goParseInt(text: string): bigint | undefined {
  if (text === '') return undefined;
  const neg = text[0] === '-';
  const s = text[0] === '-' || text[0] === '+' ? text.slice(1) : text;
  const u = goParseUint(s);
  if (u === undefined) return undefined;
  if (!neg && u >= INT64_CUTOFF) return undefined;
  if (neg && u > INT64_CUTOFF) return undefined;
  return neg ? -u : u;
}

/** strconv.ParseFloat(s, 64): decimal and hexadecimal (p exponent) forms, underscores as in Go, ±Inf on overflow is an error. */
export function goParseFloat(s: string): number | undefined {
  if (s === '') return undefined;
  let i = 0;
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') {
    sign = s[0] === '-' ? -1 : 1;
    i = 1;
  }
  const special = s.slice(i).toLowerCase();
  if (special === 'inf' || special === 'infinity') return sign * Infinity;
  if (i === 0 && special === 'nan') return NaN;
  let hex = false;
  if (i + 2 < s.length && s[i] === '0' && s[i + 1].toLowerCase() === 'x') {
    hex = true;
    i += 2;
  }
  const mantissaStart = i;
  let underscores = false;
  let sawDot = false;
  let sawDigits = false;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '_') {
      underscores = true;
      continue;
    }
    if (c === '.') {
      if (sawDot) break;
      sawDot = true;
      continue;
    }
    if ((c >= '0' && c <= '9') || (hex && digitValue(c) < 16)) {
      sawDigits = true;
      continue;
    }
    break;
  }
  if (!sawDigits) return undefined;
  const mantissa = s.slice(mantissaStart, i).replace(/_/g, '');
  let exponent = 0;
  if (i < s.length && s[i].toLowerCase() === (hex ? 'p' : 'e')) {
    i++;
    if (i >= s.length) return undefined;
    let esign = 1;
    if (s[i] === '+' || s[i] === '-') {
      esign = s[i] === '-' ? -1 : 1;
      i++;
    }
    if (i >= s.length || s[i] < '0' || s[i] > '9') return undefined;
    let digits = '';
    for (; i < s.length && ((s[i] >= '0' && s[i] <= '9') || s[i] === '_'); i++) {
      if (s[i] === '_') underscores = true;
      else digits += s[i];
    }
    exponent = esign * Math.min(Number(digits), 1e6);
  } else if (hex) {
    return undefined; // a hexadecimal mantissa requires a 'p' exponent
  }
  if (i !== s.length) return undefined;
  if (underscores && !underscoreOK(s.slice(0, i))) return undefined;
  let value: number;
  if (hex) {
    const [whole, frac = ''] = mantissa.split('.');
    const m = BigInt(`0x${whole + frac || '0'}`);
    value = Number(m) * Math.pow(2, exponent - 4 * frac.length);
  } else {
    value = Number(`${mantissa}e${exponent}`);
  }
  if (!Number.isFinite(value)) return undefined; // ErrRange
  return sign * value;
}

function isValidRune(v: number): boolean {
  return (v >= 0 && v < 0xd800) || (v > 0xdfff && v <= 0x10ffff);
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { 'a': 7, 'b': 8, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11, '\\': 92 };

/** strconv.UnquoteChar(s, quote): the first (possibly escaped) character of s and the rest. */
export function goUnquoteChar(s: string, quote: string): { value: number; tail: string } | undefined {
  const c = s.codePointAt(0);
  if (c === undefined) return undefined;
  if (s[0] === quote && (quote === '\'' || quote === '"')) return undefined;
  if (c >= 0x80) return { value: c, tail: s.slice(c > 0xffff ? 2 : 1) };
  if (s[0] !== '\\') return { value: c, tail: s.slice(1) };
  if (s.length <= 1) return undefined;
  const e = s[1];
  let tail = s.slice(2);
  if (e in SIMPLE_ESCAPES) return { value: SIMPLE_ESCAPES[e], tail };
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    if (tail.length < n) return undefined;
    let v = 0;
    for (let j = 0; j < n; j++) {
      const d = digitValue(tail[j]);
      if (d >= 16) return undefined;
      v = v * 16 + d;
    }
    tail = tail.slice(n);
    if (e !== 'x' && !isValidRune(v)) return undefined;
    return { value: v, tail };
  }
  if (e >= '0' && e <= '7') {
    let v = e.charCodeAt(0) - 48;
    if (tail.length < 2) return undefined;
    for (let j = 0; j < 2; j++) {
      const d = tail.charCodeAt(j) - 48;
      if (d < 0 || d > 7) return undefined;
      v = v * 8 + d;
    }
    if (v > 255) return undefined;
    return { value: v, tail: tail.slice(2) };
  }
  if (e === '\'' || e === '"') return e === quote ? { value: e.charCodeAt(0), tail } : undefined;
  return undefined;
}

/** strconv.Unquote for the double-quoted and raw (backquoted) strings of a template. */
export function goUnquote(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const quote = s[0];
  if (quote !== s[s.length - 1]) return undefined;
  const body = s.slice(1, -1);
  if (quote === '`') return body.includes('`') ? undefined : body.replace(/\r/g, '');
  if (quote !== '"' && quote !== '\'') return undefined;
  if (body.includes('\n')) return undefined;
  let out = '';
  let rest = body;
  while (rest.length > 0) {
    const r = goUnquoteChar(rest, quote);
    if (!r) return undefined;
    out += String.fromCodePoint(r.value);
    rest = r.tail;
    if (quote === '\'' && rest.length > 0) return undefined;
  }
  return out;
}
