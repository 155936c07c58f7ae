import { EXPIRED_EXCEPTION } from '../../model/exception-rules';
import { Finding, pointer, findingOf } from '../../model/finding';
import { exceptionAnnotationKeys, formatReviewDate, isReviewOverdue, parseReviewDate } from '../../vocabulary/exception-annotations';
import { AnalysisRule } from '../rule';

export const expiredException: AnalysisRule = {
  info: EXPIRED_EXCEPTION,
  check(ctx): Finding[] {
    const { exceptionAnnotationPrefix, now } = ctx.model.options;
    const keys = exceptionAnnotationKeys(exceptionAnnotationPrefix);
    const today = formatReviewDate(now);
    const out: Finding[] = [];
    for (const p of [...ctx.model.peerAuthentications, ...ctx.model.destinationRules, ...ctx.model.authorizationPolicies]) {
      const value = p.annotations[keys.reviewBy];
      if (value === undefined) continue;
      const path = pointer('metadata', 'annotations', keys.reviewBy);
      const owner = p.annotations[keys.owner];
      if (!parseReviewDate(value.trim())) {
        out.push(findingOf(EXPIRED_EXCEPTION, {
          resource: p.ref,
          path,
          severity: 'warning',
          message: `${p.ref.kind} ${p.namespace}/${p.name} has ${keys.reviewBy}: "${value}", which is not a YYYY-MM-DD date, so the exception never expires`,
          fix: `write the review date as YYYY-MM-DD, e.g. "${today}"`,
        }));
      } else if (isReviewOverdue(value.trim(), now)) {
        out.push(findingOf(EXPIRED_EXCEPTION, {
          resource: p.ref,
          path,
          message: `${p.ref.kind} ${p.namespace}/${p.name} is an mTLS exception to be reviewed by ${value.trim()} (today is ${today})`
            + `${owner ? `; owner: ${owner}` : ''}`,
          fix: `review the exception: remove it to restore the stricter mode, or renew ${keys.reviewBy} with a new date`,
        }));
      }
    }
    return out;
  },
};
