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
  title: 'mTLS exception past its review date',
  explanation: 'WorkloadException, and the `exception` prop of WorkloadMtls, NamespaceMtls and MeshStrictMtls, write a review-by date (YYYY-MM-DD) on the policy that weakens mTLS. '
    + 'After that day the exception must be reviewed: renewed with a new date, or removed. A review-by value that is not a '
    + 'calendar date is reported as a warning, since it can never expire.',
};
