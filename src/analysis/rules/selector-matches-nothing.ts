import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { Labels, formatLabels, selectorMatches } from '../../model/labels';
import { ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';
import { nearestName } from '../../vocabulary/nearest-name';
import { AnalysisContext, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const SELECTOR_MATCHES_NOTHING: RuleInfo = {
  code: 'IMA004',
  category: 'selector-matches-nothing',
  severity: 'warning',
  title: 'Selector matches no workload',
  explanation: 'A PeerAuthentication, AuthorizationPolicy or DestinationRule workloadSelector whose labels match no pod template '
    + 'of its namespace does nothing. Reported only when the input has workloads in that namespace (the whole mesh for '
    + 'AuthorizationPolicies in the root namespace), and never for `selector: {}`, which Istio reads as no selector. '
    + 'When replacing each label no workload carries by the nearest existing value of the same key (or the nearest key) '
    + 'selects a workload, the fix suggests it. '
    + 'istioctl reports IST0127 for AuthorizationPolicies only, counting only pods with a sidecar or in ambient, and also for '
    + 'a namespace-wide policy in a namespace without such pods (a policy that also guards workloads deployed later, not '
    + 'reported here). Kiali reports KIA0004 for PeerAuthentication, AuthorizationPolicy, RequestAuthentication and Sidecar '
    + 'selectors, not DestinationRule ones, and in v2.30.0 accepts a matching workload in any namespace.',
  upstream: 'Istio 1.30.3; istioctl 1.30.3 IST0127; Kiali v2.30.0 KIA0004',
};

const FIX = 'correct the labels to match a pod template, or delete the policy';

/**
 * The selector with each label no workload carries replaced by the nearest
 * existing value of its key (or, for a key no workload has, the nearest key),
 * when that selects at least one workload; undefined otherwise.
 */
function nearestSelector(selector: Labels, workloads: readonly Workload[]): Labels | undefined {
  const valuesOf = (key: string) => new Set(workloads.flatMap((w) => (w.labels[key] !== undefined ? [w.labels[key]] : [])));
  const corrected: Record<string, string> = {};
  let changed = false;
  for (const key of Object.keys(selector).sort()) {
    const value = selector[key];
    if (workloads.some((w) => w.labels[key] === value)) {
      corrected[key] = value;
      continue;
    }
    changed = true;
    const near = valuesOf(key).size > 0 ? key : nearestName(key, new Set(workloads.flatMap((w) => Object.keys(w.labels))));
    if (near === undefined) return undefined;
    const values = valuesOf(near);
    const nearValue = values.has(value) ? value : nearestName(value, values);
    if (nearValue === undefined) return undefined;
    corrected[near] = nearValue;
  }
  return changed && workloads.some((w) => selectorMatches(corrected, w.labels)) ? corrected : undefined;
}

export const selectorMatchesNothing: AnalysisRule = {
  info: SELECTOR_MATCHES_NOTHING,
  check(ctx: AnalysisContext): Finding[] {
    const m = ctx.model;
    const root = m.options.rootNamespace;
    const out: Finding[] = [];
    const report = (ref: ResourceRef, path: string, selector: Labels, scope: string, workloads: readonly Workload[]) => {
      const near = nearestSelector(selector, workloads);
      const selected = near ? workloads.filter((w) => selectorMatches(near, w.labels)).map(describeWorkload) : [];
      out.push(findingOf(SELECTOR_MATCHES_NOTHING, {
        resource: ref,
        path,
        message: `${ref.kind} ${ref.namespace}/${ref.name} selects ${formatLabels(selector)}, but none of the ${workloads.length} workload(s) ${scope} in the input has these pod labels`,
        fix: near ? `did you mean ${formatLabels(near)}, which selects ${listSome(selected)}? Otherwise ${FIX}` : FIX,
      }));
    };
    for (const p of m.peerAuthentications) {
      if (p.level !== 'workload' || !ctx.hasWorkloads(p.namespace)) continue;
      if (m.workloadsMatching(p.namespace, p.selector!).length === 0) {
        report(p.ref, '/spec/selector/matchLabels', p.selector!, `of namespace ${p.namespace}`, m.workloadsIn(p.namespace));
      }
    }
    for (const a of m.authorizationPolicies) {
      if (!a.selector) continue;
      if (a.namespace === root) {
        if (m.workloads.length > 0 && m.workloadsMatchingAnywhere(a.selector).length === 0) {
          report(a.ref, '/spec/selector/matchLabels', a.selector, 'of the mesh (root-namespace policy)', m.workloads);
        }
      } else if (ctx.hasWorkloads(a.namespace) && m.workloadsMatching(a.namespace, a.selector).length === 0) {
        report(a.ref, '/spec/selector/matchLabels', a.selector, `of namespace ${a.namespace}`, m.workloadsIn(a.namespace));
      }
    }
    for (const d of m.destinationRules) {
      if (!d.workloadSelector || !ctx.hasWorkloads(d.namespace)) continue;
      if (m.workloadsMatching(d.namespace, d.workloadSelector).length === 0) {
        report(d.ref, '/spec/workloadSelector/matchLabels', d.workloadSelector, `of namespace ${d.namespace}`, m.workloadsIn(d.namespace));
      }
    }
    return out;
  },
};
