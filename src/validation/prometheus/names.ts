/**
 * Prometheus metric and label names under the two validation schemes of
 * prometheus/common `model.ValidationScheme`: legacy (the classic character
 * set) and UTF-8 (Prometheus 3: any non-empty valid UTF-8 string).
 */

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export type NameVerdict =
  /** Valid under both schemes. */
  | 'valid'
  /** Valid only where UTF-8 validation is in effect (Prometheus 3 and later). */
  | 'utf8-only'
  /** Invalid under both schemes. */
  | 'invalid';

/** True when the string holds no lone UTF-16 surrogate (i.e. it encodes as valid UTF-8). */
export function isWellFormedUnicode(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

export function labelNameVerdict(name: string): NameVerdict {
  if (LEGACY_LABEL_NAME.test(name)) return 'valid';
  return name !== '' && isWellFormedUnicode(name) ? 'utf8-only' : 'invalid';
}

export function metricNameVerdict(name: string): NameVerdict {
  if (LEGACY_METRIC_NAME.test(name)) return 'valid';
  return name !== '' && isWellFormedUnicode(name) ? 'utf8-only' : 'invalid';
}

/** A legacy-valid label name close to the given one, for fix hints. */
export function suggestLabelName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
  return s === '' ? 'label' : s;
}

/** A legacy-valid metric name close to the given one, for fix hints. */
export function suggestMetricName(name: string): string {
  const s = name.replace(/[{}].*$/s, '').replace(/[^a-zA-Z0-9_:]/g, '_').replace(/^([0-9])/, '_$1');
  return s === '' ? 'metric' : s;
}
