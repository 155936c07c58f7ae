/**
 * The annotations a {@link WorkloadException} writes on its PeerAuthentication,
 * so that any manifest (synthesized or hand-written) documents who weakened
 * mTLS, why, and until when. The analyzer reads them back with
 * {@link readExceptionAnnotations}. Pure: no cdk8s.
 */

/** The default key prefix. A prefix ends with `/` and forms a valid annotation key with each suffix. */
export const DEFAULT_EXCEPTION_ANNOTATION_PREFIX = 'mtls.exception/';

/** The key suffixes, after the prefix. */
export const EXCEPTION_ANNOTATION_SUFFIXES = {
  reason: 'reason',
  owner: 'owner',
  reviewBy: 'review-by',
  ticket: 'ticket',
} as const;

/** `mtls.exception/reason`: why mTLS is weakened. */
export const EXCEPTION_REASON_ANNOTATION = `${DEFAULT_EXCEPTION_ANNOTATION_PREFIX}${EXCEPTION_ANNOTATION_SUFFIXES.reason}`;
/** `mtls.exception/owner`: who answers for the exception. */
export const EXCEPTION_OWNER_ANNOTATION = `${DEFAULT_EXCEPTION_ANNOTATION_PREFIX}${EXCEPTION_ANNOTATION_SUFFIXES.owner}`;
/** `mtls.exception/review-by`: the date (YYYY-MM-DD) by which the exception must be reviewed. */
export const EXCEPTION_REVIEW_BY_ANNOTATION = `${DEFAULT_EXCEPTION_ANNOTATION_PREFIX}${EXCEPTION_ANNOTATION_SUFFIXES.reviewBy}`;
/** `mtls.exception/ticket`: the tracking ticket, optional. */
export const EXCEPTION_TICKET_ANNOTATION = `${DEFAULT_EXCEPTION_ANNOTATION_PREFIX}${EXCEPTION_ANNOTATION_SUFFIXES.ticket}`;

/** The four annotation keys for one prefix. */
export interface ExceptionAnnotationKeys {
  readonly reason: string;
  readonly owner: string;
  readonly reviewBy: string;
  readonly ticket: string;
}

/** The annotation keys for `prefix` (default `mtls.exception/`). */
export function exceptionAnnotationKeys(prefix: string = DEFAULT_EXCEPTION_ANNOTATION_PREFIX): ExceptionAnnotationKeys {
  return {
    reason: prefix + EXCEPTION_ANNOTATION_SUFFIXES.reason,
    owner: prefix + EXCEPTION_ANNOTATION_SUFFIXES.owner,
    reviewBy: prefix + EXCEPTION_ANNOTATION_SUFFIXES.reviewBy,
    ticket: prefix + EXCEPTION_ANNOTATION_SUFFIXES.ticket,
  };
}

/** An exception's documentation as read from annotations; fields absent from the manifest are undefined. */
export interface ExceptionAnnotations {
  readonly reason?: string;
  readonly owner?: string;
  /** The raw `review-by` value; see {@link parseReviewDate}. */
  readonly reviewBy?: string;
  readonly ticket?: string;
}

/** Reads the exception annotations of a manifest's `metadata.annotations` (any shape tolerated). */
export function readExceptionAnnotations(annotations: unknown, prefix: string = DEFAULT_EXCEPTION_ANNOTATION_PREFIX): ExceptionAnnotations {
  const a = typeof annotations === 'object' && annotations !== null && !Array.isArray(annotations)
    ? annotations as Record<string, unknown>
    : {};
  const keys = exceptionAnnotationKeys(prefix);
  const str = (k: string) => (typeof a[k] === 'string' ? a[k] as string : undefined);
  return { reason: str(keys.reason), owner: str(keys.owner), reviewBy: str(keys.reviewBy), ticket: str(keys.ticket) };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a `YYYY-MM-DD` review date (a real calendar date, UTC midnight).
 * Returns undefined for anything else, e.g. `2026-02-30` or `June 1st`.
 */
export function parseReviewDate(value: string): Date | undefined {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : undefined;
}

/** The last answer of `formatReviewDate`: checks ask it with the same clock for every annotated object. */
let lastFormatted: { readonly time: number; readonly date: string } | undefined;

/** The UTC calendar date of `date` as `YYYY-MM-DD`. */
export function formatReviewDate(date: Date): string {
  const time = date.getTime();
  if (lastFormatted?.time !== time) lastFormatted = { time, date: date.toISOString().slice(0, 10) };
  return lastFormatted.date;
}

/** True when the review date lies before the UTC day of `now` (the review-by day itself is still valid). */
export function isReviewOverdue(reviewBy: string, now: Date): boolean {
  return reviewBy < formatReviewDate(now);
}

/** How many days ahead of today a review date may lie, unless the mesh option `maxReviewDays` says otherwise. */
export const DEFAULT_MAX_REVIEW_DAYS = 365;

/** The last answer of `latestReviewDate`: a check asks it for every annotated object with the same clock. */
let lastLatest: { readonly time: number; readonly days: number; readonly date: string } | undefined;

/** The furthest review date allowed on the UTC day of `now`: that day plus `maxReviewDays`, as `YYYY-MM-DD`. */
export function latestReviewDate(now: Date, maxReviewDays: number): string {
  const time = now.getTime();
  if (lastLatest && lastLatest.time === time && lastLatest.days === maxReviewDays) return lastLatest.date;
  const today = parseReviewDate(formatReviewDate(now))!;
  const date = formatReviewDate(new Date(today.getTime() + maxReviewDays * 86_400_000));
  lastLatest = { time, days: maxReviewDays, date };
  return date;
}

/** True when the review date lies further ahead than `maxReviewDays` after the UTC day of `now`. */
export function isReviewBeyondHorizon(reviewBy: string, now: Date, maxReviewDays: number): boolean {
  return reviewBy > latestReviewDate(now, maxReviewDays);
}

/*
 * Characters that are not printable text: C0 and C1 controls and DEL, the
 * Unicode line and paragraph separators (they break a one-line report) and
 * the bidirectional overrides and isolates (they reorder what a reader sees).
 */
const NOT_PRINTABLE = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/**
 * The first character of `text` that is not printable, as `U+000A`, or
 * undefined when all are: owners and reasons are shown in reports and
 * terminals, where such a character would hide or rewrite text.
 */
export function nonPrintableCharacter(text: string): string | undefined {
  const m = NOT_PRINTABLE.exec(text);
  return m ? `U+${hex4(m[0])}` : undefined;
}

/** `NOT_PRINTABLE`, global: `replace` starts a global expression from the beginning whatever its lastIndex. */
const EVERY_NOT_PRINTABLE = new RegExp(NOT_PRINTABLE.source, 'gu');

/** `text` JSON-quoted, with every character that is not printable escaped (`\u202e`), for one-line messages. */
export function quotePrintable(text: string): string {
  return JSON.stringify(text).replace(EVERY_NOT_PRINTABLE, (c) => `\\u${hex4(c).toLowerCase()}`);
}

function hex4(c: string): string {
  return c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
}
