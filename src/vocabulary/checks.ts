/**
 * Shared prop checks for constructs and vocabulary classes. Every check throws
 * `[Owner] 'prop' must be …, got "value": reasons` so the message names who
 * complained, what was received and what is allowed. Internal: not exported
 * from the barrel.
 */
import { formatReviewDate, nonPrintableCharacter, parseReviewDate, quotePrintable } from './exception-annotations';
import { dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from './kube-names';

/** Throws `[owner] message`. */
export function fail(owner: string, message: string): never {
  throw new Error(`[${owner}] ${message}`);
}

/** JSON-quotes a value for messages, so empty strings and whitespace are visible. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      const json = JSON.stringify(value);
      return json.length <= 80 ? json : `${json.slice(0, 77)}...`;
    } catch {
      return `a ${value.constructor?.name ?? 'object'}`;
    }
  }
  return String(value);
}

function throwIfErrors(owner: string, prop: string, what: string, value: string, errors: string[]): void {
  if (errors.length > 0) fail(owner, `'${prop}' must be ${what}, got ${show(value)}: ${errors.join('; ')}`);
}

/** Namespaces and other RFC 1123 labels. */
export function checkDns1123Label(owner: string, prop: string, value: string): void {
  throwIfErrors(owner, prop, 'a DNS-1123 label', value, dns1123LabelErrors(value));
}

/** Object names (RFC 1123 subdomain). */
export function checkObjectName(owner: string, prop: string, value: string): void {
  throwIfErrors(owner, prop, 'a DNS-1123 subdomain', value, dns1123SubdomainErrors(value));
}

/** A map of labels: each key a qualified name, each value a label value. */
export function checkLabels(owner: string, prop: string, labels: Record<string, string>): void {
  for (const key of Object.keys(labels).sort()) {
    throwIfErrors(owner, `${prop}[${show(key)}]`, 'a valid label key', key, qualifiedNameErrors(key));
    const value = labels[key];
    if (typeof value !== 'string') fail(owner, `'${prop}[${show(key)}]' must be a string label value, got ${show(value)}`);
    throwIfErrors(owner, `${prop}[${show(key)}]`, 'a valid label value', value, labelValueErrors(value));
  }
}

/** A non-empty string after trimming. */
export function checkNonEmpty(owner: string, prop: string, value: string | undefined): void {
  if (typeof value !== 'string' || value.trim().length === 0) {
    fail(owner, `'${prop}' must be a non-empty string, got ${show(value)}`);
  }
}

/** Non-empty, printable text (owners and reasons, shown in reports and terminals). */
export function checkPrintableText(owner: string, prop: string, value: string | undefined): void {
  checkNonEmpty(owner, prop, value);
  const bad = nonPrintableCharacter(value!);
  if (bad) fail(owner, `'${prop}' must be printable text, got ${quotePrintable(value!)}, which holds the control character ${bad}`);
}

/** A review date, `YYYY-MM-DD` or a `Date` (its UTC day); returns it as `YYYY-MM-DD`. */
export function checkReviewDate(owner: string, prop: string, value: string | Date): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) fail(owner, `'${prop}' must be a valid date, got an invalid Date`);
    return formatReviewDate(value);
  }
  if (typeof value !== 'string' || !parseReviewDate(value)) {
    fail(owner, `'${prop}' must be a calendar date written YYYY-MM-DD (or a Date), got ${show(value)}`);
  }
  return value;
}

/** A TCP/UDP port number: an integer 1–65535. */
export function checkPort(owner: string, prop: string, port: number | string): number {
  const n = typeof port === 'number' ? port : (/^[0-9]+$/.test(port) ? Number(port) : NaN);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    fail(owner, `'${prop}' must be an integer port number between 1 and 65535, got ${show(port)}`);
  }
  return n;
}

/** Returns a copy of a string map with its keys in sorted order (deterministic output). */
export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}
