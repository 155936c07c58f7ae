/**
 * Duration syntaxes met in the manifests we validate, one implementation
 * each. The parsers are pure and return either the value or the reason it is
 * invalid (`parseGoDurationNanos`, the exact one, throws Go's message), so
 * constructs can throw and the engine can report.
 *
 * - Prometheus (`model.ParseDuration` in prometheus/common): `1h30m`, `5m`,
 *   `2w`, units y w d h m s ms in that order, each at most once, integers
 *   only, and a bare `0`. Used by rule files (`interval`, `for`, ...).
 * - Go (`time.ParseDuration`): `1.5h`, `300ms`, `-2m3s`, units ns us µs ms s m h.
 */

export type DurationResult =
  | { readonly ok: true; readonly milliseconds: number }
  | { readonly ok: false; readonly error: string };

interface Unit { readonly name: string; readonly ms: bigint }

/** Prometheus units, biggest first; the order in which they must appear. */
const PROMETHEUS_UNITS: readonly Unit[] = [
  { name: 'y', ms: 365n * 24n * 3600n * 1000n },
  { name: 'w', ms: 7n * 24n * 3600n * 1000n },
  { name: 'd', ms: 24n * 3600n * 1000n },
  { name: 'h', ms: 3600n * 1000n },
  { name: 'm', ms: 60n * 1000n },
  { name: 's', ms: 1000n },
  { name: 'ms', ms: 1n },
];

/** The largest time.Duration (int64 nanoseconds), in nanoseconds. */
const MAX_NANOS = 2n ** 63n - 1n;

/** The units Prometheus accepts, for messages. */
export const PROMETHEUS_DURATION_UNITS = PROMETHEUS_UNITS.map((u) => u.name);

/**
 * Parses a Prometheus duration as `model.ParseDuration` does: `0`, or one or
 * more `<integer><unit>` pairs with units in decreasing order (y, w, d, h, m,
 * s, ms), no sign, no fractions, no spaces.
 */
export function parsePrometheusDuration(text: string): DurationResult {
  if (text === '0') return { ok: true, milliseconds: 0 };
  if (text === '') return { ok: false, error: 'empty duration string' };
  let rest = text;
  let lastIndex = -1;
  let totalMs = 0n;
  while (rest !== '') {
    const m = /^([0-9]+)([^0-9]*)/.exec(rest);
    if (!m) return { ok: false, error: `not a valid duration string: "${text}"` };
    const [whole, digits, unitName] = m;
    if (unitName === '') return { ok: false, error: `not a valid duration string: "${text}"` };
    const unitIndex = PROMETHEUS_UNITS.findIndex((u) => u.name === unitName);
    if (unitIndex < 0) return { ok: false, error: `unknown unit "${unitName}" in duration "${text}"` };
    if (unitIndex <= lastIndex) return { ok: false, error: `not a valid duration string: "${text}"` };
    lastIndex = unitIndex;
    totalMs += BigInt(digits) * PROMETHEUS_UNITS[unitIndex].ms;
    if (totalMs * 1_000_000n > MAX_NANOS) return { ok: false, error: 'duration out of range' };
    rest = rest.slice(whole.length);
  }
  return { ok: true, milliseconds: Number(totalMs) };
}

/** Formats milliseconds the way Prometheus prints a duration (`1h30m`, `0s`). */
export function formatPrometheusDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0 || !Number.isInteger(milliseconds)) {
    throw new RangeError(`a Prometheus duration is a non-negative whole number of milliseconds, got ${milliseconds}`);
  }
  let rest = BigInt(milliseconds);
  if (rest === 0n) return '0s';
  let out = '';
  for (const unit of PROMETHEUS_UNITS) {
    const n = rest / unit.ms;
    if (n > 0n) {
      out += `${n}${unit.name}`;
      rest -= n * unit.ms;
    }
  }
  return out;
}

/** Go units in nanoseconds. */
const GO_UNIT_NANOS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n, // U+00B5 micro sign
  μs: 1000n, // U+03BC Greek mu
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};

/**
 * Go's `time.ParseDuration`, exact to the nanosecond (as cel-go's
 * `duration(string)` and istiod use it): an optional sign, then decimal
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
    const unit = GO_UNIT_NANOS[u];
    if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(u)} in duration ${quoted}`);
    s = s.slice(u.length);
    let v = BigInt(intDigits || '0') * unit;
    if (fracDigits) v += (BigInt(fracDigits) * unit) / 10n ** BigInt(fracDigits.length);
    total += v;
    if (total > MAX_NANOS + (negative ? 1n : 0n)) throw new Error(`time: invalid duration ${quoted}`);
  }
  return negative ? -total : total;
}

/**
 * Parses a Go duration as `time.ParseDuration` does (`1.5h`, `2h45m`,
 * `300ms`, a bare `0`), without throwing. Returns milliseconds (fractions kept).
 */
export function parseGoDuration(text: string): DurationResult {
  try {
    return { ok: true, milliseconds: Number(parseGoDurationNanos(text)) / 1e6 };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
