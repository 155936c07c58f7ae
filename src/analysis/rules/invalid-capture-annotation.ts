import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { CAPTURE_ANNOTATIONS, CaptureProblem } from '../../resolution/capture';
import { resolveDataplane } from '../../resolution/dataplane';
import { describeWorkload, podTemplatePointer } from '../context';
import { AnalysisRule } from '../rule';

export const INVALID_CAPTURE_ANNOTATION: RuleInfo = {
  code: 'IMA026',
  category: 'invalid-capture-annotation',
  severity: 'error',
  title: 'Capture annotation that keeps the pod from being created or started',
  explanation: 'The injector validates the `traffic.sidecar.istio.io/*` and `sidecar.istio.io/interceptionMode` annotations of every pod it '
    + 'injects; an invalid value makes the webhook deny the pod, and with `failurePolicy: Fail` the pod is never created (the ReplicaSet '
    + 'or Job keeps failing). Port lists are trimmed and split on commas, each item a port number (no ranges, no empty items, `*` only in '
    + 'includeInboundPorts); CIDR lists are split on commas without trimming, so a space after a comma or a bare IP is rejected; the '
    + 'interception mode must be exactly REDIRECT, TPROXY or NONE. Values the webhook does not check (includeOutboundPorts, mesh '
    + 'defaults) make istio-iptables fail in istio-init, and with istio-cni the plugin refuses anything but REDIRECT and TPROXY, so an '
    + 'interceptionMode NONE pod never starts (read from source only, not confirmed on a cluster). Pods that get no sidecar are not checked.',
  source: 'pkg/kube/inject/validate.go, pkg/kube/inject/webhook.go, cni/pkg/plugin/sidecar_redirect.go, tools/istio-iptables/pkg/capture/run.go',
};

const CONSEQUENCE: Record<CaptureProblem['rejectedBy'], string> = {
  'injection-webhook': 'the injection webhook denies the pod (failurePolicy: Fail), so no pod is ever created',
  'istio-cni': 'istio-cni fails the pod\'s network setup, so the pod never starts',
  'istio-init': 'the pod never starts',
};

function fixFor(p: CaptureProblem): string {
  if (p.rejectedBy === 'istio-cni' && p.annotation === CAPTURE_ANNOTATIONS.interceptionMode) {
    return 'with istio-cni use interceptionMode REDIRECT or TPROXY, or remove the annotation (or take the workload out of the mesh)';
  }
  if (/IPRanges$/.test(p.annotation)) return `write ${p.annotation} as CIDRs separated by commas with no spaces (e.g. "10.0.0.0/8,172.16.0.0/12"), or remove it`;
  if (/Ports$/.test(p.annotation)) return `write ${p.annotation} as port numbers separated by commas (e.g. "8080,9090"), or remove it`;
  if (p.annotation === CAPTURE_ANNOTATIONS.interceptionMode) return `set ${p.annotation} to REDIRECT, TPROXY or NONE (upper case), or remove it`;
  return `fix or remove ${p.annotation}`;
}

export const invalidCaptureAnnotation: AnalysisRule = {
  info: INVALID_CAPTURE_ANNOTATION,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    for (const w of ctx.model.workloads) {
      const d = resolveDataplane(ctx.model, w);
      if (d.dataplane !== 'sidecar' || d.admitted || !d.capture) continue;
      for (const p of d.capture.problems) {
        const onTemplate = w.podAnnotations[p.annotation] !== undefined;
        const what = onTemplate ? `annotation ${p.annotation}: "${p.value}"` : `the mesh default for ${p.annotation} ("${p.value}")`;
        const consequence = p.rejectedBy === 'istio-init' && /never starts/.test(p.message) ? '' : `; ${CONSEQUENCE[p.rejectedBy]}`;
        const unverified = p.unverified ? ' (unverified: read from Istio source, not confirmed on a cluster)' : '';
        out.push(findingOf(INVALID_CAPTURE_ANNOTATION, {
          resource: w.ref,
          path: onTemplate ? podTemplatePointer(w, 'annotations', p.annotation) : '',
          message: `${describeWorkload(w)} gets a sidecar, but ${what} is refused: ${p.message}${consequence}${unverified}`,
          fix: onTemplate ? fixFor(p) : `fix the mesh-wide capture default (Helm global.proxy / ProxyConfig) or override ${p.annotation} on the pod template`,
        }));
      }
    }
    return out;
  },
};
