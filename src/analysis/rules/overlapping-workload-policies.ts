import { Finding, findingOf } from '../../model/finding';
import { formatLabels, selectorImplies } from '../../model/labels';
import { PeerAuthenticationPolicy } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisContext, describeWorkload, effectKey } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const OVERLAPPING_WORKLOAD_POLICIES: RuleInfo = {
  code: 'IMA003',
  category: 'overlapping-workload-policies',
  severity: 'error',
  title: 'Workload PeerAuthentications select the same workload',
  explanation: 'Istio applies one workload-level PeerAuthentication per workload: the oldest whose selector matches. '
    + 'When two select the same pods, which one wins depends on creation time, which manifests do not carry. '
    + 'Without workloads in the input, two selectors overlap for sure when one selector\'s labels include the other\'s. '
    + 'Kiali reports this as KIA0003.',
  source: 'pilot/pkg/security/authn/policy_applier.go (ComposePeerAuthentication)',
};

export const overlappingWorkloadPolicies: AnalysisRule = {
  info: OVERLAPPING_WORKLOAD_POLICIES,
  check(ctx: AnalysisContext): Finding[] {
    const m = ctx.model;
    const byNs = new Map<string, PeerAuthenticationPolicy[]>();
    for (const p of m.peerAuthentications) {
      if (p.level !== 'workload') continue;
      const l = byNs.get(p.namespace);
      if (l) l.push(p); else byNs.set(p.namespace, [p]);
    }
    const out: Finding[] = [];
    for (const [ns, list] of byNs) {
      if (list.length < 2) continue;
      // policy → (other policy → workloads both select, or a note when inferred from selectors)
      const overlaps = new Map<PeerAuthenticationPolicy, Map<PeerAuthenticationPolicy, string[]>>();
      const note = (a: PeerAuthenticationPolicy, b: PeerAuthenticationPolicy, what: string) => {
        let inner = overlaps.get(a);
        if (!inner) { inner = new Map(); overlaps.set(a, inner); }
        const l = inner.get(b);
        if (l) l.push(what); else inner.set(b, [what]);
      };
      if (ctx.hasWorkloads(ns)) {
        const byWorkload = new Map<string, { label: string; policies: PeerAuthenticationPolicy[] }>();
        for (const p of list) {
          for (const w of m.workloadsMatching(ns, p.selector!)) {
            const e = byWorkload.get(w.key);
            if (e) e.policies.push(p); else byWorkload.set(w.key, { label: describeWorkload(w), policies: [p] });
          }
        }
        for (const { label, policies } of byWorkload.values()) {
          if (policies.length < 2) continue;
          for (const a of policies) for (const b of policies) if (a !== b) note(a, b, label);
        }
      } else {
        for (const a of list) {
          for (const b of list) {
            if (a !== b && (selectorImplies(a.selector!, b.selector!) || selectorImplies(b.selector!, a.selector!))) {
              note(a, b, `any pod labelled ${formatLabels({ ...a.selector!, ...b.selector! })}`);
            }
          }
        }
      }
      for (const [p, others] of overlaps) {
        const otherList = [...others.keys()];
        const workloads = [...new Set([...others.values()].flat())];
        const agree = otherList.every((o) => effectKey(o) === effectKey(p));
        out.push(findingOf(OVERLAPPING_WORKLOAD_POLICIES, {
          resource: p.ref,
          path: '/spec/selector',
          severity: agree ? 'warning' : 'error',
          message: `PeerAuthentication ${p.namespace}/${p.name} (${formatLabels(p.selector!)}, ${p.mode}) and `
            + `${otherList.map((o) => `${o.namespace}/${o.name} (${formatLabels(o.selector!)}, ${o.mode})`).join(', ')} `
            + `both select ${listSome(workloads)}; Istio applies only the oldest, and manifests carry no creation time${agree ? ' (today they agree)' : ''}`,
          fix: 'make the selectors disjoint, or merge the policies into one (port-level modes included)',
          related: otherList.map((o) => o.ref),
        }));
      }
    }
    return out;
  },
};
