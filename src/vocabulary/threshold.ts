/**
 * Alert durations: thresholds and `for:` clauses as whole seconds, rendered
 * as Prometheus durations (`4h`, `1h30m`) and as words for alert text
 * (`4 hours`). Callers pass a cdk8s `Duration` converted with `toSeconds()`.
 */

const UNITS: [string, number, string][] = [
  ['d', 24 * 3600, 'day'],
  ['h', 3600, 'hour'],
  ['m', 60, 'minute'],
  ['s', 1, 'second'],
];

function split(seconds: number): [string, number, string][] {
  const parts: [string, number, string][] = [];
  let rest = seconds;
  for (const [unit, size, word] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push([unit, n, word]);
      rest -= n * size;
    }
  }
  return parts;
}

/** Whole positive seconds as a Prometheus duration: 14400 → `4h`, 5400 → `1h30m`. */
export function toPrometheusDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) throw new Error(`a Prometheus duration needs a positive whole number of seconds, got ${seconds}`);
  return split(seconds).map(([unit, n]) => `${n}${unit}`).join('');
}

/** Whole positive seconds in words: 14400 → `4 hours`, 5400 → `1 hour 30 minutes`. */
export function toHumanDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) throw new Error(`a duration needs a positive whole number of seconds, got ${seconds}`);
  return split(seconds).map(([, n, word]) => `${n} ${word}${n === 1 ? '' : 's'}`).join(' ');
}
