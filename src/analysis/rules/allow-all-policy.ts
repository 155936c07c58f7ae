import { Finding, findingOf } from '../../model/finding';
import { formatLabels } from '../../model/labels';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisRule } from '../rule';

export const ALLOW_ALL_POLICY: RuleInfo = {
  code: 'IMA014',
  category: 'allow-all-policy',
  severity: 'warning',
  title: 'ALLOW policy with a rule that matches every request',
  explanation: 'An ALLOW rule with no from, to or when (`rules: [{}]`) matches every request, including plaintext and '
    + 'unauthenticated ones. ALLOW policies add up, so every other ALLOW policy on the same workloads becomes moot. '
    + 'Not to be confused with `spec: {}` (no rules), which allows nothing and is a deliberate default-deny.',
  source: 'AuthorizationPolicy reference (allow-all / deny-all examples)',
};

export const allowAllPolicy: AnalysisRule = {
  info: ALLOW_ALL_POLICY,
  check(ctx): Finding[] {
    const root = ctx.model.options.rootNamespace;
    const out: Finding[] = [];
    for (const ap of ctx.model.authorizationPolicies) {
      if (ap.action !== 'ALLOW') continue;
      const rule = ap.rules.find((r) => r.matchesEverything);
      if (!rule) continue;
      const scope = ap.hasTargetRefs ? 'its target'
        : ap.selector ? `workloads labelled ${formatLabels(ap.selector)} in ${ap.namespace === root ? 'every namespace' : ap.namespace}`
          : ap.namespace === root ? 'the whole mesh' : `every workload of ${ap.namespace}`;
      out.push(findingOf(ALLOW_ALL_POLICY, {
        resource: ap.ref,
        path: `/spec/rules/${rule.index}`,
        message: `AuthorizationPolicy ${ap.namespace}/${ap.name} rule ${rule.index} is empty and allows every request to ${scope}, `
          + 'which overrides every other ALLOW policy there',
        fix: 'give the rule from/to/when conditions, or delete it (spec: {} with no rules denies everything instead)',
      }));
    }
    return out;
  },
};
