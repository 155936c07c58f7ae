import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisRule, listSome } from '../rule';

export const NAMESPACE_NOT_INJECTED: RuleInfo = {
  code: 'IMA013',
  category: 'namespace-not-injected',
  severity: 'warning',
  title: 'Namespace with workloads but no sidecar injection',
  explanation: 'Without `istio-injection=enabled` or `istio.io/rev` on the Namespace (and no pod opting in), no workload of '
    + 'the namespace gets a sidecar; with ambient installed, without `istio.io/dataplane-mode=ambient` none is enrolled in '
    + 'ambient either. PeerAuthentications do not apply to them and their calls to STRICT servers fail. istioctl reports '
    + 'IST0102, an info message, for every namespace but istio-system without an injection label unless it is labelled for '
    + 'ambient (and IST0148 instead when the injector injects every namespace by default); here only namespaces whose '
    + 'workloads are in the input and none of which gets a proxy (sidecar or ambient) are reported, never the root namespace, '
    + 'kube-* namespaces, namespaces explicitly labelled istio-injection=disabled, or, with ambient installed, namespaces '
    + 'labelled for ambient or istio.io/dataplane-mode=none. A namespace labelled for ambient while ambient is not installed '
    + '(mesh option `ambient`) is reported: nothing enrols its pods.',
  source: 'pkg/kube/inject (webhook namespace and object selectors), cni/pkg/util/enablement_selector.go, '
    + 'pkg/config/analysis/analyzers/injection/injection.go',
  upstream: 'Istio 1.30.3; istioctl 1.30.3 IST0102',
};

const SYSTEM = /^kube-/;
const DATAPLANE_MODE = 'istio.io/dataplane-mode';

export const namespaceNotInjected: AnalysisRule = {
  info: NAMESPACE_NOT_INJECTED,
  check(ctx): Finding[] {
    const m = ctx.model;
    const ambient = m.options.ambient;
    const out: Finding[] = [];
    for (const ns of m.namespaces) {
      if (ns.name === m.options.rootNamespace || SYSTEM.test(ns.name)) continue;
      if (ns.labels['istio-injection'] === 'disabled') continue;
      const mode = ns.labels[DATAPLANE_MODE];
      // Enrolled in ambient (pods opting out are deliberate), or explicitly kept out of it.
      if (ambient && (mode === 'ambient' || mode === 'none') && !m.options.ambientExcludeNamespaces.includes(ns.name)) continue;
      const workloads = m.workloadsIn(ns.name);
      if (workloads.length === 0 || workloads.some((w) => ctx.dataplane(w).dataplane !== 'none')) continue;
      // Workloads that opted out or use hostNetwork would not be injected anyway.
      const wouldInject = workloads.filter((w) => !w.hostNetwork && w.labels['sidecar.istio.io/inject'] !== 'false'
        && w.podAnnotations['sidecar.istio.io/inject'] !== 'false');
      if (wouldInject.length === 0) continue;
      const label = ns.labels['istio-injection'] !== undefined ? ` (istio-injection=${ns.labels['istio-injection']})` : '';
      const names = `${workloads.length} workload(s) (${listSome(wouldInject.map((w) => w.name))})`;
      if (mode === 'ambient' && !ambient) {
        out.push(findingOf(NAMESPACE_NOT_INJECTED, {
          resource: ns.ref,
          path: '/metadata/labels',
          message: `Namespace ${ns.name} is labelled ${DATAPLANE_MODE}=ambient, but ambient is not installed (mesh option ambient) and it has no `
            + `istio-injection=enabled or istio.io/rev label${label}, so none of its ${names} gets a proxy or mTLS`,
          fix: 'if ambient is installed, set the mesh option ambient; otherwise label the namespace istio-injection=enabled (or istio.io/rev=<revision>)',
        }));
        continue;
      }
      const labels = ambient ? `istio-injection=enabled, istio.io/rev or ${DATAPLANE_MODE}=ambient label` : 'istio-injection=enabled or istio.io/rev label';
      out.push(findingOf(NAMESPACE_NOT_INJECTED, {
        resource: ns.ref,
        path: '/metadata/labels',
        message: `Namespace ${ns.name} has no ${labels}${label}, so none of its ${names} gets a ${ambient ? 'proxy' : 'sidecar'} or mTLS`,
        fix: ambient
          ? `label the namespace istio-injection=enabled (or istio.io/rev=<revision>) or ${DATAPLANE_MODE}=ambient, or istio-injection=disabled if it is meant to stay out of the mesh`
          : 'label the namespace istio-injection=enabled (or istio.io/rev=<revision>), or istio-injection=disabled if it is meant to stay out of the mesh',
      }));
    }
    return out;
  },
};
