import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisRule } from '../rule';

export const PRINCIPAL_FORMAT: RuleInfo = {
  code: 'IMA010',
  category: 'principal-format',
  severity: 'error',
  title: 'Principal not in <trust-domain>/ns/<namespace>/sa/<service-account> form',
  explanation: 'AuthorizationPolicy principals are SPIFFE IDs without the `spiffe://` scheme: '
    + '`cluster.local/ns/default/sa/curl`. With the scheme the value never matches (error). Other shapes, or `*` anywhere '
    + 'but the start or end (Istio supports only prefix, suffix and presence matches), are warnings.',
  source: 'AuthorizationPolicy reference (Source.principals)',
};

const FORM = /^[^/*]+\/ns\/[^/*]+\/sa\/[^/*]+$/;

/** Why a principal is malformed, or undefined. */
export function principalProblem(value: string): { severity: 'error' | 'warning'; why: string; fix: string } | undefined {
  if (value.startsWith('spiffe://')) {
    return { severity: 'error', why: 'starts with spiffe://, which Istio does not strip, so it never matches', fix: `write "${value.slice('spiffe://'.length)}"` };
  }
  if (value === '*' || FORM.test(value)) return undefined;
  const star = value.indexOf('*');
  if (star >= 0) {
    if (value.indexOf('*', star + 1) >= 0 || (star !== 0 && star !== value.length - 1)) {
      return { severity: 'warning', why: 'uses * in the middle; Istio matches * only as a prefix or suffix', fix: 'use a single * at the start or end' };
    }
    return undefined;
  }
  return { severity: 'warning', why: 'is not of the form <trust-domain>/ns/<namespace>/sa/<service-account>', fix: 'write the principal as cluster.local/ns/<namespace>/sa/<service-account>' };
}

export const principalFormat: AnalysisRule = {
  info: PRINCIPAL_FORMAT,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    for (const ap of ctx.model.authorizationPolicies) {
      for (const p of ap.principals) {
        const problem = principalProblem(p.value);
        if (!problem) continue;
        out.push(findingOf(PRINCIPAL_FORMAT, {
          resource: ap.ref,
          path: p.path,
          severity: problem.severity,
          message: `AuthorizationPolicy ${ap.namespace}/${ap.name} principal "${p.value}" ${problem.why}`,
          fix: problem.fix,
        }));
      }
    }
    return out;
  },
};
