import { Finding, findingOf } from '../../model/finding';
import { formatLabels } from '../../model/labels';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisContext } from '../context';
import { AnalysisRule } from '../rule';

export const ROOT_NAMESPACE_SELECTOR_IGNORED: RuleInfo = {
  code: 'IMA005',
  category: 'root-namespace-selector-ignored',
  severity: 'warning',
  title: 'PeerAuthentication with a selector in the root namespace',
  explanation: 'Istio reads a PeerAuthentication in the root namespace as the mesh policy only when it has no selector; '
    + 'one with a selector is neither mesh-wide nor applied to the matching workloads: it is ignored.',
  source: 'pilot/pkg/security/authn/policy_applier.go (ComposePeerAuthentication: workload policies must not be in the root namespace)',
};

export const rootNamespaceSelectorIgnored: AnalysisRule = {
  info: ROOT_NAMESPACE_SELECTOR_IGNORED,
  check(ctx: AnalysisContext): Finding[] {
    const root = ctx.model.options.rootNamespace;
    return ctx.model.peerAuthenticationsIn(root).filter((p) => p.level === 'ignored').map((p) => findingOf(ROOT_NAMESPACE_SELECTOR_IGNORED, {
      resource: p.ref,
      path: '/spec/selector',
      message: `PeerAuthentication ${p.namespace}/${p.name} selects ${formatLabels(p.selector!)} in the root namespace "${root}"; `
        + `Istio ignores selector policies there, so its ${p.mode}${p.portLevel.length ? ' and port-level modes' : ''} apply nowhere`,
      fix: 'move it to the namespace of the workloads it selects, or drop the selector to make it the mesh policy',
    }));
  },
};
