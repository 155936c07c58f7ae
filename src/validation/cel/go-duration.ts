/**
 * Go's `time.ParseDuration`, exact to the nanosecond, as cel-go's
 * `duration(string)` uses it in the API server: optional sign, then decimal
 * numbers with units ns, us (µs, μs), ms, s, m, h; a bare `0` is allowed;
 * anything beyond ±2^63-1 ns is an error. Throws an Error with Go's message.
 */
export function parseGoDurationNanos(text: string): bigint {
  const quoted = JSON.stringify(text);
  let s = text;
  let negative = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0] >= '0' && s[0] <= '9'))) throw new Error(`time: invalid duration ${quoted}`);
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const intDigits = m[1];
    const fracDigits = m[2];
    if (intDigits === '' && (fracDigits === undefined || fracDigits === '')) throw new Error(`time: invalid duration ${quoted}`);
    s = s.slice(m[0].length);
    const u = /^[^0-9.]*/.exec(s)![0];
    if (u === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const unit = UNIT_NANOS[u];
    if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(u)} in duration ${quoted}`);
    s = s.slice(u.length);
    let v = BigInt(intDigits || '0') * unit;
    if (fracDigits) v += (BigInt(fracDigits) * unit) / 10n ** BigInt(fracDigits.length);
    total += v;
    if (total > MAX_NANOS + (negative ? 1n : 0n)) throw new Error(`time: invalid duration ${quoted}`);
  }
  return negative ? -total : total;
}

const MAX_NANOS = 2n ** 63n - 1n;

const UNIT_NANOS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n, // U+00B5 micro sign
  μs: 1000n, // U+03BC Greek mu
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};
