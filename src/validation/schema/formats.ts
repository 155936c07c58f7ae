import { isIP } from 'net';

/**
 * The string formats the API server checks on custom resources: the set
 * apiextensions-apiserver keeps (`validation/formats.go`,
 * supportedVersionedFormats, names normalised without dashes) and checks with
 * kube-openapi `validation/strfmt`. Every other format is stripped before
 * validation, which is why `int32`, `int64`, `uint32`, `double` and `float`
 * are never range-checked on custom resources.
 *
 * Not checked offline (accepted): `isbn*`, `creditcard`, `ssn`, `password`
 * (the last accepts anything anyway).
 */
export const CHECKED_FORMATS: Readonly<Record<string, (s: string) => boolean>> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: isRequestUri,
  email: (s) => /^[^\s@<>()]+@[^\s@<>()]+$/.test(s),
  hostname: isHostname,
  ipv4: (s) => isIP(s) === 4,
  ipv6: (s) => isIP(s) === 6 || (isIP(s) === 4 && s.includes(':')),
  cidr: isCidr,
  mac: (s) => /^([0-9a-fA-F]{2}[:-]){5,19}[0-9a-fA-F]{2}$/.test(s) || /^([0-9a-fA-F]{4}\.){2,9}[0-9a-fA-F]{4}$/.test(s),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => /^rgb\(\s*\d{1,3}%?\s*,\s*\d{1,3}%?\s*,\s*\d{1,3}%?\s*\)$/.test(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isCalendarDate(s),
  datetime: isDateTime,
  duration: isStrfmtDuration,
  k8sshortname: (s) => s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s),
  k8slongname: (s) => s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s),
};

/** Formats the API server recognises but that are accepted here without a check. */
const RECOGNISED_UNCHECKED = new Set(['isbn', 'isbn10', 'isbn13', 'creditcard', 'ssn', 'password', 'quantity']);

/** The normalised name of a checked string format, or undefined when the API server ignores it. */
export function checkedFormat(format: string | undefined, type: string | undefined): string | undefined {
  if (format === undefined || (type !== undefined && type !== 'string')) return undefined;
  const normalized = format.replace(/-/g, '');
  if (RECOGNISED_UNCHECKED.has(normalized)) return undefined;
  return CHECKED_FORMATS[normalized] ? normalized : undefined;
}

function isRequestUri(s: string): boolean {
  // net/url.ParseRequestURI: an absolute URI or an absolute path, no fragment
  if (s.includes('#') || /\s/.test(s)) return false;
  if (s.startsWith('/')) return true;
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(s);
}

function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  return s.replace(/\.$/, '').split('.').every((label) => /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/.test(label));
}

function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  const family = isIP(ip);
  if (family === 0 || !/^[0-9]{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function isCalendarDate(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function isDateTime(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/.exec(s);
  if (!m || !isCalendarDate(m[1])) return false;
  return Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 60;
}

/** strfmt.ParseDuration: Go units plus long names (`3 days`, `1 hour`), optionally spaced. */
function isStrfmtDuration(s: string): boolean {
  const unit = '(ns|us|µs|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|sec|secs|min|mins|hr|hrs)';
  return new RegExp(`^(-?[0-9]+(\\.[0-9]+)?\\s*${unit}\\s*)+$`).test(s.trim()) && s.trim() !== '';
}
