import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisRule, listSome } from '../rule';

export const NAMESPACE_NOT_INJECTED: RuleInfo = {
  code: 'IMA013',
  category: 'namespace-not-injected',
  severity: 'warning',
  title: 'Namespace with workloads but no sidecar injection',
  explanation: 'Without `istio-injection=enabled` or `istio.io/rev` on the Namespace (and no pod opting in), no workload of '
    + 'the namespace gets a sidecar: PeerAuthentications do not apply to them and their calls to STRICT servers fail. '
    + 'istioctl reports IST0102 for every unlabelled namespace; here only namespaces whose workloads are in the input and '
    + 'none of which gets a sidecar are reported, never the root namespace, kube-* namespaces, or namespaces explicitly '
    + 'labelled istio-injection=disabled.',
  source: 'pkg/kube/inject (webhook namespace and object selectors)',
};

const SYSTEM = /^kube-/;

export const namespaceNotInjected: AnalysisRule = {
  info: NAMESPACE_NOT_INJECTED,
  check(ctx): Finding[] {
    const m = ctx.model;
    const out: Finding[] = [];
    for (const ns of m.namespaces) {
      if (ns.name === m.options.rootNamespace || SYSTEM.test(ns.name)) continue;
      if (ns.labels['istio-injection'] === 'disabled') continue;
      const workloads = m.workloadsIn(ns.name);
      if (workloads.length === 0 || workloads.some((w) => ctx.sidecar(w))) continue;
      // Workloads that opted out or use hostNetwork would not be injected anyway.
      const wouldInject = workloads.filter((w) => !w.hostNetwork && w.labels['sidecar.istio.io/inject'] !== 'false'
        && w.podAnnotations['sidecar.istio.io/inject'] !== 'false');
      if (wouldInject.length === 0) continue;
      const label = ns.labels['istio-injection'] !== undefined ? ` (istio-injection=${ns.labels['istio-injection']})` : '';
      out.push(findingOf(NAMESPACE_NOT_INJECTED, {
        resource: ns.ref,
        path: '/metadata/labels',
        message: `Namespace ${ns.name} has no istio-injection=enabled or istio.io/rev label${label}, so none of its `
          + `${workloads.length} workload(s) (${listSome(wouldInject.map((w) => w.name))}) gets a sidecar or mTLS`,
        fix: 'label the namespace istio-injection=enabled (or istio.io/rev=<revision>), or istio-injection=disabled if it is meant to stay out of the mesh',
      }));
    }
    return out;
  },
};
