import { RuleInfo } from './rule-info';

/**
 * The review-date rule of mTLS exceptions (IMA015). Data only, apart from
 * the analysis rule that checks it, so that the constructs' own expiry
 * checks can name it without loading the analysis.
 */
export const EXPIRED_EXCEPTION: RuleInfo = {
  code: 'IMA015',
  category: 'expired-exception',
  severity: 'error',
  title: 'mTLS exception past, beyond or without a readable review date',
  explanation: 'WorkloadException, and the `exception` prop of WorkloadMtls, NamespaceMtls and MeshStrictMtls, write a review-by date (YYYY-MM-DD) on the policy that weakens mTLS. '
    + 'After that day the exception must be reviewed: renewed with a new date, or removed. A review-by value that is not a '
    + 'calendar date is an error too (it could never expire), and so is a date further ahead than the mesh option `maxReviewDays` '
    + '(365 days unless set): a far-away date would accept the weakening for good.',
};

/**
 * The rules of acknowledged findings (`mtls.acknowledge/<CODE>` annotations):
 * judged after every other finding is known, by the one pass that marks the
 * findings they acknowledge. Data only, like EXPIRED_EXCEPTION.
 */
export const INVALID_ACKNOWLEDGMENT: RuleInfo = {
  code: 'IMA045',
  category: 'invalid-acknowledgment',
  severity: 'error',
  title: 'Acknowledgment that cannot be used',
  explanation: 'A finding is acknowledged by the annotation `mtls.acknowledge/<CODE>` on the resource the finding names, with the value '
    + '`owner=<who>; review-by=<YYYY-MM-DD>; reason=<text>` (the reason last: it runs to the end of the value and may contain `;`). '
    + 'An acknowledged finding is still reported, marked with its owner, review date and reason, but never fails synth or lint. '
    + 'An acknowledgment is refused, and acknowledges nothing, when a part is missing, empty or unknown, when the owner or reason holds '
    + 'control characters, when review-by is not a calendar date or lies further ahead than the mesh option `maxReviewDays` (365 days '
    + 'unless set), or when CODE is not the code of a finding on a resource (IMV001, which reports a defect of istio-mtls, and the '
    + 'acknowledgment rules themselves cannot be acknowledged).',
};

export const EXPIRED_ACKNOWLEDGMENT: RuleInfo = {
  code: 'IMA046',
  category: 'expired-acknowledgment',
  severity: 'error',
  title: 'Acknowledgment past its review date',
  explanation: 'An acknowledgment (`mtls.acknowledge/<CODE>`) accepts a finding until its review-by day, inclusive. After that day it '
    + 'acknowledges nothing: the finding counts again as it did before, and this error names the owner, so that the acceptance is '
    + 'reviewed: the finding fixed, or the acknowledgment renewed with a new date.',
};

/** The rules of the acknowledgment pass, for the rules catalogue. */
export const ACKNOWLEDGMENT_RULES: readonly RuleInfo[] = [INVALID_ACKNOWLEDGMENT, EXPIRED_ACKNOWLEDGMENT];
