import { Finding, findingOf } from '../../model/finding';
import { PeerAuthenticationPolicy } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisContext, effectKey } from '../context';
import { AnalysisRule } from '../rule';

export const DUPLICATE_NAMESPACE_POLICY: RuleInfo = {
  code: 'IMA002',
  category: 'duplicate-namespace-policy',
  severity: 'error',
  title: 'More than one namespace-wide PeerAuthentication',
  explanation: 'A PeerAuthentication without a selector (or with `selector: {}`) applies to its whole namespace. '
    + 'With several in one namespace Istio applies only the oldest; manifests carry no creation time, so the namespace mode is a race. '
    + 'When they agree on the mode it is reported as a warning. Kiali reports this as KIA0002.',
  source: 'pilot/pkg/security/authn/policy_applier.go (ComposePeerAuthentication)',
};

export const duplicateNamespacePolicy: AnalysisRule = {
  info: DUPLICATE_NAMESPACE_POLICY,
  check(ctx: AnalysisContext): Finding[] {
    const byNs = new Map<string, PeerAuthenticationPolicy[]>();
    for (const p of ctx.model.peerAuthentications) {
      if (p.level !== 'namespace') continue;
      const l = byNs.get(p.namespace);
      if (l) l.push(p); else byNs.set(p.namespace, [p]);
    }
    const out: Finding[] = [];
    for (const [ns, list] of byNs) {
      if (list.length < 2) continue;
      const names = list.map((p) => `${p.namespace}/${p.name}`);
      const agree = new Set(list.map(effectKey)).size === 1;
      const modes = list.map((p) => `${p.name}=${p.mode}`).join(', ');
      for (const p of list) {
        out.push(findingOf(DUPLICATE_NAMESPACE_POLICY, {
          resource: p.ref,
          path: p.hasSelectorField ? '/spec/selector' : '',
          severity: agree ? 'warning' : 'error',
          message: `PeerAuthentication ${names.join(' and ')} are ${list.length === 2 ? 'both' : 'all'} namespace-wide for "${ns}" (${modes}); `
            + `Istio applies only the oldest, and manifests carry no creation time${agree ? ' (today they agree)' : ''}`,
          fix: 'keep one selector-less PeerAuthentication per namespace',
          related: list.filter((o) => o !== p).map((o) => o.ref),
        }));
      }
    }
    return out;
  },
};
