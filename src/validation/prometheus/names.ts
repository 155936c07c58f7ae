/**
 * Prometheus metric and label names under the two validation schemes of
 * prometheus/common `model.ValidationScheme` (v0.70.1, as linked into
 * prometheus-operator v0.93.0): legacy (the classic character set) and UTF-8
 * (any non-empty valid UTF-8 string).
 */

/** The name validation scheme of the admission webhook (`--name-validation-scheme`). */
export type NameValidationScheme = 'legacy' | 'utf8';

/** The schemes the webhook accepts, its default first. */
export const NAME_VALIDATION_SCHEMES: readonly NameValidationScheme[] = ['legacy', 'utf8'];

/** The webhook's default: cmd/admission-webhook's `defaultValidationScheme`. */
export const DEFAULT_NAME_VALIDATION_SCHEME: NameValidationScheme = 'legacy';

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * The scheme an option names; a missing value is the webhook's default.
 * Throws a TypeError naming the bad value and the allowed ones.
 */
export function nameValidationScheme(value: unknown, what = 'nameValidationScheme'): NameValidationScheme {
  if (value === undefined) return DEFAULT_NAME_VALIDATION_SCHEME;
  if (value === 'legacy' || value === 'utf8') return value;
  throw new TypeError(`${what} must be 'legacy' or 'utf8' (the webhook's --name-validation-scheme), got ${JSON.stringify(value) ?? String(value)}`);
}

export type NameVerdict =
  /** Valid under both schemes. */
  | 'valid'
  /** Valid only under the UTF-8 scheme. */
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

/** `ValidationScheme.IsValidLabelName`. */
export function isValidLabelName(name: string, scheme: NameValidationScheme): boolean {
  const verdict = labelNameVerdict(name);
  return verdict === 'valid' || (verdict === 'utf8-only' && scheme === 'utf8');
}

/** `ValidationScheme.IsValidMetricName`. */
export function isValidMetricName(name: string, scheme: NameValidationScheme): boolean {
  const verdict = metricNameVerdict(name);
  return verdict === 'valid' || (verdict === 'utf8-only' && scheme === 'utf8');
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
