import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisContext, effectKey } from '../context';
import { AnalysisRule } from '../rule';

export const DUPLICATE_MESH_POLICY: RuleInfo = {
  code: 'IMA001',
  category: 'duplicate-mesh-policy',
  severity: 'error',
  title: 'More than one mesh-wide PeerAuthentication',
  explanation: 'A PeerAuthentication without a selector (or with an empty one) in the root namespace is the mesh policy. '
    + 'With several, Istio applies only the oldest; manifests carry no creation time, so the mesh mode is a race. '
    + 'When they agree on the mode it is reported as a warning.',
  source: 'pilot/pkg/security/authn/policy_applier.go (ComposePeerAuthentication)',
};

export const duplicateMeshPolicy: AnalysisRule = {
  info: DUPLICATE_MESH_POLICY,
  check(ctx: AnalysisContext): Finding[] {
    const root = ctx.model.options.rootNamespace;
    const mesh = ctx.model.peerAuthenticationsIn(root).filter((p) => p.level === 'mesh');
    if (mesh.length < 2) return [];
    const names = mesh.map((p) => `${p.namespace}/${p.name}`);
    const agree = new Set(mesh.map(effectKey)).size === 1;
    const modes = mesh.map((p) => `${p.name}=${p.mode}`).join(', ');
    return mesh.map((p) => findingOf(DUPLICATE_MESH_POLICY, {
      resource: p.ref,
      path: p.hasSelectorField ? '/spec/selector' : '',
      severity: agree ? 'warning' : 'error',
      message: `PeerAuthentication ${names.join(' and ')} are ${mesh.length === 2 ? 'both' : 'all'} mesh-wide (selector-less in root namespace "${root}"; ${modes}); `
        + `Istio applies only the oldest, and manifests carry no creation time${agree ? ' (today they agree)' : ''}`,
      fix: `keep one selector-less PeerAuthentication in "${root}"`,
      related: mesh.filter((o) => o !== p).map((o) => o.ref),
    }));
  },
};
