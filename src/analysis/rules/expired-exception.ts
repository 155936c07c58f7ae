import { EXPIRED_EXCEPTION } from '../../model/exception-rules';
import { Finding, pointer, findingOf } from '../../model/finding';
import {
  exceptionAnnotationKeys, formatReviewDate, isReviewBeyondHorizon, isReviewOverdue, latestReviewDate, parseReviewDate, quotePrintable,
} from '../../vocabulary/exception-annotations';
import { AnalysisRule } from '../rule';

export const expiredException: AnalysisRule = {
  info: EXPIRED_EXCEPTION,
  check(ctx): Finding[] {
    const { exceptionAnnotationPrefix, now, maxReviewDays } = ctx.model.options;
    const keys = exceptionAnnotationKeys(exceptionAnnotationPrefix);
    const today = formatReviewDate(now);
    const latest = latestReviewDate(now, maxReviewDays);
    const out: Finding[] = [];
    for (const p of [...ctx.model.peerAuthentications, ...ctx.model.destinationRules, ...ctx.model.authorizationPolicies]) {
      const value = p.annotations[keys.reviewBy];
      if (value === undefined) continue;
      const path = pointer('metadata', 'annotations', keys.reviewBy);
      // Worded only for a finding: most exceptions are within their review date.
      const owned = () => {
        const owner = p.annotations[keys.owner];
        return owner ? `; owner: ${quotePrintable(owner).slice(1, -1)}` : '';
      };
      // A date that cannot be read could never expire: refused, not taken as "never".
      if (!parseReviewDate(value.trim())) {
        out.push(findingOf(EXPIRED_EXCEPTION, {
          resource: p.ref,
          path,
          message: `${p.ref.kind} ${p.namespace}/${p.name} has ${keys.reviewBy}: ${quotePrintable(value)}, which is not a calendar date written `
            + `YYYY-MM-DD, so the exception could never expire${owned()}`,
          fix: `write the review date as YYYY-MM-DD, ${latest} at the latest`,
        }));
      } else if (isReviewBeyondHorizon(value.trim(), now, maxReviewDays)) {
        out.push(findingOf(EXPIRED_EXCEPTION, {
          resource: p.ref,
          path,
          message: `${p.ref.kind} ${p.namespace}/${p.name} is an mTLS exception to be reviewed by ${value.trim()}, further ahead than `
            + `maxReviewDays allows (${maxReviewDays} days from ${today}: ${latest} at the latest)${owned()}`,
          fix: `review the exception sooner: set ${keys.reviewBy} to ${latest} or earlier`,
        }));
      } else if (isReviewOverdue(value.trim(), now)) {
        out.push(findingOf(EXPIRED_EXCEPTION, {
          resource: p.ref,
          path,
          message: `${p.ref.kind} ${p.namespace}/${p.name} is an mTLS exception to be reviewed by ${value.trim()} (today is ${today})${owned()}`,
          fix: `review the exception: remove it to restore the stricter mode, or renew ${keys.reviewBy} with a new date`,
        }));
      }
    }
    return out;
  },
};
