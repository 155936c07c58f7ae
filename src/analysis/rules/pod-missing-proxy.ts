import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { describeDecision, describeWorkload } from '../context';
import { AnalysisRule } from '../rule';

export const POD_MISSING_PROXY: RuleInfo = {
  code: 'IMA041',
  category: 'pod-missing-proxy',
  severity: 'warning',
  title: 'Running Pod without the sidecar its namespace injects',
  explanation: 'The injection webhook adds `istio-proxy` when a pod is created; a pod created before injection was enabled, or '
    + 'while the webhook was unreachable, runs without it until it is recreated. Such a pod takes and sends plaintext: no '
    + 'PeerAuthentication or AuthorizationPolicy applies to it, and STRICT servers reset its calls. Reported for Pods read from '
    + 'a cluster (they carry a uid, creationTimestamp, resourceVersion or status; a Pod manifest still to be applied will be '
    + 'injected) that have no `istio-proxy` container or init container although the webhooks and the injector would inject '
    + 'them now, as decided from the labels of their Namespace, which must be in the input, and their own '
    + '(`sidecar.istio.io/inject=false` and hostNetwork pods are never injected). An error when the policies make the pod '
    + 'STRICT: nothing enforces it. istioctl reports IST0103 only for `istio-injection=enabled` namespaces (not `istio.io/rev`), '
    + 'skips namespaces also labelled for ambient and accepts any case of "false"; it takes every Pod of its input as running.',
  source: 'pkg/config/analysis/analyzers/injection/injection.go (IST0103), pkg/kube/inject/inject.go (injectRequired)',
  upstream: 'Istio 1.30.3; istioctl 1.30.3 IST0103',
};

export const podMissingProxy: AnalysisRule = {
  info: POD_MISSING_PROXY,
  check(ctx): Finding[] {
    const m = ctx.model;
    const out: Finding[] = [];
    // Pods a workload of the input owns are left out of `workloads`, but they run all the same.
    const pods = [...m.workloads.filter((w) => w.kind === 'Pod'), ...m.ownedPods];
    for (const pod of pods) {
      if (!pod.created || pod.hasProxyContainer || !m.namespace(pod.namespace)) continue;
      const d = ctx.dataplane(pod);
      if (d.dataplane !== 'sidecar' || d.assumed) continue;
      const server = ctx.server(pod);
      const strict = server.mode === 'STRICT';
      out.push(findingOf(POD_MISSING_PROXY, {
        resource: pod.ref,
        severity: strict ? 'error' : 'warning',
        message: `${describeWorkload(pod)} runs without an istio-proxy container, but ${d.injection.reason} (IST0103): it was created `
          + 'before injection applied to it, so it takes and sends plaintext'
          + `${strict ? ` although it is ${describeDecision(server)}, which nothing enforces` : ''}`,
        fix: 'recreate the pod (kubectl rollout restart of its workload, or delete the pod) so the injector adds the sidecar, '
          + 'or opt it out with the pod label sidecar.istio.io/inject=false',
      }));
    }
    return out;
  },
};
