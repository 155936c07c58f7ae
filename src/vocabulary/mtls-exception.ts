/**
 * An explicit, owned, expiring exception to mTLS: the documentation every
 * weakening (PERMISSIVE or DISABLE) must carry, whichever construct writes it.
 * Checked here, rendered as the annotations of `exception-annotations.ts`, and
 * judged against a clock. Pure: the constructs register the expiry check.
 */
import { checkNonEmpty, checkPrintableText, checkReviewDate, fail, show } from './checks';
import {
  DEFAULT_EXCEPTION_ANNOTATION_PREFIX, exceptionAnnotationKeys, formatReviewDate, isReviewBeyondHorizon, isReviewOverdue, latestReviewDate,
} from './exception-annotations';
import { qualifiedNameErrors } from './kube-names';

/**
 * Why, by whom and until when mTLS is weakened. Passed as `exception` to
 * `WorkloadMtls`, `NamespaceMtls` and `MeshStrictMtls`; `WorkloadException`
 * takes the same fields at its top level.
 */
export interface MtlsExceptionProps {
  /** Why mTLS is weakened, e.g. "Prometheus scraping from outside the mesh". */
  readonly reason: string;

  /** Who answers for the exception (a team or an address). */
  readonly owner: string;

  /**
   * The date by which the exception must be reviewed: `YYYY-MM-DD`, or a
   * `Date` (its UTC day). Synthesis fails once this date has passed, and for
   * a date further ahead than the app's `mesh.maxReviewDays` (365 unless set).
   */
  readonly reviewBy: string | Date;

  /**
   * The tracking ticket.
   * @default - none
   */
  readonly ticket?: string;

  /**
   * The prefix of the annotation keys (`<prefix>reason`, `<prefix>owner`,
   * `<prefix>review-by`, `<prefix>ticket`).
   * @default 'mtls.exception/'
   */
  readonly annotationPrefix?: string;

  /**
   * The clock the review date is checked against at synth (for tests).
   * @default - the synth-time validation's `mesh.now`, else the system clock
   */
  readonly clock?: () => Date;
}

/**
 * An exception whose fields were checked, with its annotations rendered.
 * @internal
 */
export interface CheckedMtlsException {
  readonly owner: string;
  /** `YYYY-MM-DD`. */
  readonly reviewBy: string;
  /** The annotations to write on the weakening resource. */
  readonly annotations: Record<string, string>;
  /** The clock given with the exception, if any. */
  readonly clock?: () => Date;
}

/**
 * "Today" and how far ahead of it a review date may lie (mesh option `maxReviewDays`).
 * @internal
 */
export interface ReviewHorizon {
  readonly now: Date;
  readonly maxReviewDays: number;
}

/**
 * The synth's clock, as constructs' checks get it: "today", read once per
 * synth, and the app's `maxReviewDays` when the synth knows it.
 * @internal
 */
export interface ReviewClock {
  (): Date;
  readonly maxReviewDays?: number;
}

/**
 * Checks an exception's fields and renders its annotations. `prop` is the
 * path of the fields in the construct's props: `''` for fields at the top
 * level (`'reason'`), `'exception'` for a nested value (`'exception.reason'`).
 * With `horizon`, a review date further ahead than it allows throws too.
 * @internal
 */
export function checkMtlsException(owner: string, props: MtlsExceptionProps, prop: string = '', horizon?: ReviewHorizon): CheckedMtlsException {
  const name = (field: string) => (prop ? `${prop}.${field}` : field);
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    fail(owner, `'${prop}' must be an object { reason, owner, reviewBy, ticket? }, got ${show(props)}`);
  }
  checkPrintableText(owner, name('reason'), props.reason);
  checkPrintableText(owner, name('owner'), props.owner);
  if (props.ticket !== undefined) checkNonEmpty(owner, name('ticket'), props.ticket);
  const reviewBy = checkReviewDate(owner, name('reviewBy'), props.reviewBy);
  if (horizon && isReviewBeyondHorizon(reviewBy, horizon.now, horizon.maxReviewDays)) {
    fail(owner, `'${name('reviewBy')}' must be at most ${horizon.maxReviewDays} days ahead (mesh.maxReviewDays), `
      + `${latestReviewDate(horizon.now, horizon.maxReviewDays)} at the latest, got ${show(reviewBy)}`);
  }

  const prefix = props.annotationPrefix ?? DEFAULT_EXCEPTION_ANNOTATION_PREFIX;
  const keys = exceptionAnnotationKeys(prefix);
  const keyErrors = typeof prefix === 'string' && prefix.endsWith('/') ? qualifiedNameErrors(keys.reviewBy) : ['must end with "/"'];
  if (keyErrors.length > 0) {
    fail(owner, `'${name('annotationPrefix')}' must be a DNS subdomain followed by "/" (e.g. "mtls.exception/"), got ${show(prefix)}: ${keyErrors.join('; ')}`);
  }
  const annotations: Record<string, string> = {
    [keys.owner]: props.owner,
    [keys.reason]: props.reason,
    [keys.reviewBy]: reviewBy,
  };
  if (props.ticket !== undefined) annotations[keys.ticket] = props.ticket;
  return { owner: props.owner, reviewBy, annotations, clock: props.clock };
}

/**
 * The exception of a construct whose mode may weaken mTLS: a weakening needs
 * `exception`, and `exception` needs a weakening. `weakening` names the first
 * prop that weakens (`'mode' is PERMISSIVE`), or is undefined when none does;
 * `where` is the scope (` in namespace "x"`), `unweakened` says why nothing
 * does, `alternative` what else to do.
 * @internal
 */
export function checkWeakeningException(owner: string, args: {
  readonly weakening: string | undefined;
  readonly where: string;
  readonly unweakened: string;
  readonly alternative: string;
  readonly exception: MtlsExceptionProps | undefined;
}): CheckedMtlsException | undefined {
  if (args.weakening !== undefined && args.exception === undefined) {
    fail(owner, `${args.weakening}, which weakens mTLS${args.where}: pass 'exception' ({ reason, owner, reviewBy }) `
      + `so the weakening is owned and expires${args.alternative}`);
  }
  if (args.weakening === undefined && args.exception !== undefined) {
    fail(owner, `'exception' is given, but nothing is weakened (${args.unweakened}): remove 'exception'`);
  }
  return args.exception === undefined ? undefined : checkMtlsException(owner, args.exception, 'exception');
}

/**
 * The synth-time error of an exception past its review date (none on the
 * review day itself), or, when `now` carries the app's `maxReviewDays`, of a
 * review date further ahead than it allows; judged by the exception's own
 * clock if it has one, else by `now` (the app's). `subject` is the
 * resource, `namespace/name`; `reviewByProp` the prop to change.
 * @internal
 */
export function mtlsExceptionExpiryErrors(
  owner: string, exception: CheckedMtlsException, subject: string, reviewByProp: string, now: ReviewClock,
): string[] {
  const today = (exception.clock ?? now)();
  if (isReviewOverdue(exception.reviewBy, today)) {
    return [`[${owner}] mTLS exception "${subject}" owned by ${exception.owner} expired on ${exception.reviewBy} `
      + `(today is ${formatReviewDate(today)}): review it and move '${reviewByProp}' forward, or remove the exception`];
  }
  const days = now.maxReviewDays;
  if (days !== undefined && isReviewBeyondHorizon(exception.reviewBy, today, days)) {
    return [`[${owner}] mTLS exception "${subject}" owned by ${exception.owner} is to be reviewed by ${exception.reviewBy}, `
      + `further ahead than mesh.maxReviewDays allows (${days} days: ${latestReviewDate(today, days)} at the latest): move '${reviewByProp}' closer`];
  }
  return [];
}
