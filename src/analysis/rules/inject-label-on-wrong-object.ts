import { Finding, findingOf, pointer } from '../../model/finding';
import { NamespaceInfo, Workload } from '../../model/inventory';
import { Labels } from '../../model/labels';
import { RuleInfo } from '../../model/rule-info';
import { DATAPLANE_MODE, ISTIO_REV, SIDECAR_INJECT } from '../../resolution/injection';
import { AnalysisContext, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const INJECT_LABEL_ON_WRONG_OBJECT: RuleInfo = {
  code: 'IMA043',
  category: 'inject-label-on-wrong-object',
  severity: 'warning',
  title: 'Pod label or annotation on the controller or Namespace, where nothing reads it',
  explanation: 'The injection webhooks select on the pod\'s labels, the injector and istio-iptables read the pod\'s '
    + 'annotations, istio-cni the pod\'s and the Namespace\'s labels, all when the pod is created. On a Deployment\'s (or '
    + 'StatefulSet\'s, DaemonSet\'s, Job\'s, ...) own metadata they never reach its pods: `sidecar.istio.io/inject`, '
    + '`istio.io/rev` and `istio.io/dataplane-mode` labels, and the annotations Istio defines for pods only '
    + '(`sidecar.istio.io/*`, `traffic.sidecar.istio.io/*`, `proxy.istio.io/config`, ...: istio/api annotations.yaml 1.30), do '
    + 'nothing there, so the pods keep the namespace\'s injection and Istio\'s capture defaults. The same holds for the '
    + '`sidecar.istio.io/inject` label and those annotations on a Namespace (namespaces are selected by `istio-injection` and '
    + '`istio.io/rev`). Not reported when the pod template carries the same key and value. istioctl reports IST0107 for '
    + 'Pod-only annotations on Namespaces, Services and Deployments, but never looks at labels.',
  source: 'istio/api annotation/annotations.yaml and label/labels.yaml (1.30); pkg/config/analysis/analyzers/annotations/annotations.go (IST0107)',
  upstream: 'Istio 1.30.3; istioctl 1.30.3 IST0107',
};

/** Labels that only a pod (or, for istio.io/rev and istio.io/dataplane-mode, a Namespace) carries with effect. */
const POD_LABELS_ON_CONTROLLER: readonly string[] = [SIDECAR_INJECT, ISTIO_REV, DATAPLANE_MODE];

/**
 * Annotations istio/api (1.30) declares for Pods only, that users write; the ones the injector
 * or istio-cni write themselves (sidecar.istio.io/status, ambient.istio.io/redirection) and
 * istio.io/rev (istioctl skips it) are left out.
 */
const POD_ONLY_ANNOTATIONS: ReadonlySet<string> = new Set([
  'prometheus.istio.io/merge-metrics',
  'sidecar.istio.io/inject', 'sidecar.istio.io/rewriteAppHTTPProbers', 'sidecar.istio.io/discoveryAddress',
  'sidecar.istio.io/proxyImage', 'sidecar.istio.io/proxyImageType', 'sidecar.istio.io/proxyCPU', 'sidecar.istio.io/proxyCPULimit',
  'sidecar.istio.io/proxyMemory', 'sidecar.istio.io/proxyMemoryLimit', 'sidecar.istio.io/interceptionMode',
  'sidecar.istio.io/bootstrapOverride', 'sidecar.istio.io/statsInclusionPrefixes', 'sidecar.istio.io/statsInclusionSuffixes',
  'sidecar.istio.io/statsInclusionRegexps', 'sidecar.istio.io/statsHistogramBuckets', 'sidecar.istio.io/statsFlushInterval',
  'sidecar.istio.io/statsEvictionInterval', 'sidecar.istio.io/statsHistogramBins', 'sidecar.istio.io/userVolume',
  'sidecar.istio.io/userVolumeMount', 'status.sidecar.istio.io/port', 'sidecar.istio.io/logLevel', 'sidecar.istio.io/componentLogLevel',
  'sidecar.istio.io/agentLogLevel', 'sidecar.istio.io/nativeSidecar', 'readiness.status.sidecar.istio.io/initialDelaySeconds',
  'readiness.status.sidecar.istio.io/periodSeconds', 'readiness.status.sidecar.istio.io/failureThreshold',
  'readiness.status.sidecar.istio.io/applicationPorts', 'traffic.sidecar.istio.io/includeOutboundIPRanges',
  'traffic.sidecar.istio.io/excludeOutboundIPRanges', 'traffic.sidecar.istio.io/includeInboundPorts',
  'traffic.sidecar.istio.io/excludeInboundPorts', 'traffic.sidecar.istio.io/excludeInterfaces',
  'traffic.sidecar.istio.io/includeOutboundPorts', 'traffic.sidecar.istio.io/excludeOutboundPorts',
  'traffic.sidecar.istio.io/kubevirtInterfaces', 'proxy.istio.io/config', 'proxy.istio.io/overrides', 'inject.istio.io/templates',
  'sidecar.istio.io/extraStatTags', 'ambient.istio.io/bypass-inbound-capture', 'istio.io/reroute-virtual-interfaces',
  'ambient.istio.io/dns-capture', 'sidecar.istio.io/statsCompression',
]);

interface Misplaced {
  readonly key: string;
  readonly value: string;
  readonly field: 'labels' | 'annotations';
}

/** Entries of `own` in `wanted` that the pod template (`template`) does not carry with the same value. */
function misplaced(own: Labels | undefined, field: Misplaced['field'], wanted: (key: string) => boolean, template: Labels): Misplaced[] {
  if (!own) return [];
  return Object.keys(own).sort().filter((k) => wanted(k) && template[k] !== own[k]).map((key) => ({ key, value: own[key], field }));
}

const describe = (x: Misplaced) => (x.field === 'labels' ? `label ${x.key}=${x.value}` : `annotation ${x.key}: "${x.value}"`);

function checkWorkload(ctx: AnalysisContext, w: Workload): Finding | undefined {
  const found = [
    ...misplaced(w.ownIstioLabels, 'labels', (k) => POD_LABELS_ON_CONTROLLER.includes(k), w.labels),
    ...misplaced(w.ownIstioAnnotations, 'annotations', (k) => POD_ONLY_ANNOTATIONS.has(k), w.podAnnotations),
  ];
  if (found.length === 0) return undefined;
  const d = ctx.dataplane(w);
  const plane = d.dataplane === 'sidecar' ? 'get a sidecar' : d.dataplane === 'ambient' ? 'are in ambient' : 'get no proxy';
  return findingOf(INJECT_LABEL_ON_WRONG_OBJECT, {
    resource: w.ref,
    path: pointer('metadata', found[0].field, found[0].key),
    message: `${describeWorkload(w)} carries ${listSome(found.map(describe))} on its own metadata, where nothing reads it (IST0107): `
      + `only the pod template's labels and annotations reach its pods, which ${plane} (${d.reason})`,
    fix: `move ${found.length > 1 ? 'them' : 'it'} to the pod template (spec.template.metadata${w.kind === 'CronJob' ? ' of the job template' : ''})`,
  });
}

function checkNamespace(ns: NamespaceInfo): Finding | undefined {
  const found = [
    ...misplaced(ns.labels, 'labels', (k) => k === SIDECAR_INJECT, {}),
    ...misplaced(ns.istioAnnotations, 'annotations', (k) => POD_ONLY_ANNOTATIONS.has(k), {}),
  ];
  if (found.length === 0) return undefined;
  return findingOf(INJECT_LABEL_ON_WRONG_OBJECT, {
    resource: ns.ref,
    path: pointer('metadata', found[0].field, found[0].key),
    message: `Namespace ${ns.name} carries ${listSome(found.map(describe))}, which Istio reads on pods only (IST0107): it does nothing on a Namespace`,
    fix: 'select the namespace for injection with istio-injection=enabled or istio.io/rev=<revision>; set pod labels and '
      + 'annotations on the pod templates',
  });
}

export const injectLabelOnWrongObject: AnalysisRule = {
  info: INJECT_LABEL_ON_WRONG_OBJECT,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    for (const ns of ctx.model.namespaces) {
      const f = checkNamespace(ns);
      if (f) out.push(f);
    }
    for (const w of ctx.model.workloads) {
      const f = checkWorkload(ctx, w);
      if (f) out.push(f);
    }
    return out;
  },
};
