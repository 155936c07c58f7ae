import { Finding, findingOf } from '../../model/finding';
import { Labels, formatLabels } from '../../model/labels';
import { ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisContext } from '../context';
import { AnalysisRule } from '../rule';

export const SELECTOR_MATCHES_NOTHING: RuleInfo = {
  code: 'IMA004',
  category: 'selector-matches-nothing',
  severity: 'warning',
  title: 'Selector matches no workload',
  explanation: 'A PeerAuthentication, AuthorizationPolicy or DestinationRule workloadSelector whose labels match no pod template '
    + 'of its namespace does nothing. Reported only when the input has workloads in that namespace (the whole mesh for '
    + 'AuthorizationPolicies in the root namespace), and never for `selector: {}`, which Istio reads as no selector. '
    + 'istioctl reports IST0127 for AuthorizationPolicies only, counting only pods with a sidecar or in ambient, and also for '
    + 'a namespace-wide policy in a namespace without such pods (a policy that also guards workloads deployed later, not '
    + 'reported here). Kiali reports KIA0004 for PeerAuthentication, AuthorizationPolicy, RequestAuthentication and Sidecar '
    + 'selectors, not DestinationRule ones, and in v2.30.0 accepts a matching workload in any namespace.',
  upstream: 'Istio 1.30.3; istioctl 1.30.3 IST0127; Kiali v2.30.0 KIA0004',
};

export const selectorMatchesNothing: AnalysisRule = {
  info: SELECTOR_MATCHES_NOTHING,
  check(ctx: AnalysisContext): Finding[] {
    const m = ctx.model;
    const root = m.options.rootNamespace;
    const out: Finding[] = [];
    const report = (ref: ResourceRef, path: string, selector: Labels, scope: string, count: number) => {
      out.push(findingOf(SELECTOR_MATCHES_NOTHING, {
        resource: ref,
        path,
        message: `${ref.kind} ${ref.namespace}/${ref.name} selects ${formatLabels(selector)}, but none of the ${count} workload(s) ${scope} in the input has these pod labels`,
        fix: 'correct the labels to match a pod template, or delete the policy',
      }));
    };
    for (const p of m.peerAuthentications) {
      if (p.level !== 'workload' || !ctx.hasWorkloads(p.namespace)) continue;
      if (m.workloadsMatching(p.namespace, p.selector!).length === 0) {
        report(p.ref, '/spec/selector/matchLabels', p.selector!, `of namespace ${p.namespace}`, m.workloadsIn(p.namespace).length);
      }
    }
    for (const a of m.authorizationPolicies) {
      if (!a.selector) continue;
      if (a.namespace === root) {
        if (m.workloads.length > 0 && m.workloadsMatchingAnywhere(a.selector).length === 0) {
          report(a.ref, '/spec/selector/matchLabels', a.selector, 'of the mesh (root-namespace policy)', m.workloads.length);
        }
      } else if (ctx.hasWorkloads(a.namespace) && m.workloadsMatching(a.namespace, a.selector).length === 0) {
        report(a.ref, '/spec/selector/matchLabels', a.selector, `of namespace ${a.namespace}`, m.workloadsIn(a.namespace).length);
      }
    }
    for (const d of m.destinationRules) {
      if (!d.workloadSelector || !ctx.hasWorkloads(d.namespace)) continue;
      if (m.workloadsMatching(d.namespace, d.workloadSelector).length === 0) {
        report(d.ref, '/spec/workloadSelector/matchLabels', d.workloadSelector, `of namespace ${d.namespace}`, m.workloadsIn(d.namespace).length);
      }
    }
    return out;
  },
};
