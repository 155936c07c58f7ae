/**
 * Duration syntaxes met in the manifests we validate. Both parsers are pure,
 * never throw, and return either the value or the reason it is invalid, so
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
const GO_UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses a Go duration as `time.ParseDuration` does: an optional sign, then
 * one or more decimal numbers with a unit (`1.5h`, `2h45m`, `300ms`); `0`
 * alone is allowed. Returns milliseconds (fractions kept).
 */
export function parseGoDuration(text: string): DurationResult {
  const invalid: DurationResult = { ok: false, error: `time: invalid duration "${text}"` };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, milliseconds: 0 };
  if (rest === '') return invalid;
  let nanos = 0;
  while (rest !== '') {
    const m = /^([0-9]*)(\.[0-9]*)?([^0-9.]*)/.exec(rest);
    if (!m) return invalid;
    const [whole, intPart, fracPart = '', unitName] = m;
    if (intPart === '' && (fracPart === '' || fracPart === '.')) return invalid;
    if (unitName === '') return { ok: false, error: `time: missing unit in duration "${text}"` };
    const unit = GO_UNITS[unitName];
    if (unit === undefined) return { ok: false, error: `time: unknown unit "${unitName}" in duration "${text}"` };
    nanos += Number(`${intPart || '0'}${fracPart === '.' ? '' : fracPart}`) * unit;
    if (nanos > 9223372036854775807) return invalid;
    rest = rest.slice(whole.length);
  }
  return { ok: true, milliseconds: sign * nanos / 1e6 };
}
