import { Finding, findingOf, pointer } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { RuleInfo } from '../../model/rule-info';
import { describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const PROXY_UID_CONFLICT: RuleInfo = {
  code: 'IMA042',
  category: 'proxy-uid-conflict',
  severity: 'warning',
  title: 'Application container runs as the sidecar\'s UID 1337',
  explanation: 'The sidecar\'s iptables rules let traffic from UID 1337, the proxy\'s own user, leave the pod without '
    + 'redirection (`-m owner --uid-owner 1337 -j RETURN`). An application container running as 1337 (its own '
    + '`securityContext.runAsUser`, else the pod\'s) therefore bypasses its sidecar: its calls go out in plaintext, without '
    + 'mTLS or the mesh\'s routing, and STRICT servers reset them. Judged on pods that get a sidecar; init containers are '
    + 'left out (Istio documents 1337 as the way to give an init container network access before the proxy starts) and so is '
    + '`istio-proxy`. istioctl reports IST0144 for Pods and Deployments only, and also for a pod-level 1337 that every '
    + 'container overrides, which is harmless.',
  source: 'tools/istio-iptables/pkg/capture/run.go (uid-owner exclusion); pkg/config/analysis/analyzers/deployment/pod.go (IST0144)',
  upstream: 'Istio 1.30.3; istioctl 1.30.3 IST0144',
};

/** The sidecar's user (istio-iptables `--proxy-uid`, the injector's default). */
const PROXY_UID = 1337;

/** The pod spec's pointer of a workload kind. */
function podSpecPointer(w: Workload): string[] {
  return w.kind === 'Pod' ? ['spec'] : w.kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : ['spec', 'template', 'spec'];
}

export const proxyUidConflict: AnalysisRule = {
  info: PROXY_UID_CONFLICT,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    for (const w of ctx.model.workloads) {
      const uids = w.runAsUsers;
      if (!uids) continue;
      const offending = uids.containers.filter((c) => c.name !== 'istio-proxy' && (c.runAsUser ?? uids.pod) === PROXY_UID);
      if (offending.length === 0) continue;
      const d = ctx.dataplane(w);
      if (d.dataplane !== 'sidecar' || !d.admitted) continue;
      const first = offending[0];
      const base = podSpecPointer(w);
      const path = first.runAsUser !== undefined
        ? pointer(...base, 'containers', first.index, 'securityContext', 'runAsUser')
        : pointer(...base, 'securityContext', 'runAsUser');
      out.push(findingOf(PROXY_UID_CONFLICT, {
        resource: w.ref,
        path,
        message: `${describeWorkload(w)} runs container(s) ${listSome(offending.map((c) => `"${c.name}"`))} as UID ${PROXY_UID}`
          + `${first.runAsUser === undefined ? ' (the pod\'s runAsUser)' : ''}, the sidecar's own user (IST0144): the sidecar's iptables `
          + 'let that user\'s traffic bypass it, so these calls leave without mTLS',
        fix: `run the application as another UID (securityContext.runAsUser); ${PROXY_UID} is reserved for istio-proxy`,
      }));
    }
    return out;
  },
};
