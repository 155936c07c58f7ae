import { Workload } from '../model/inventory';
import { MeshModel } from '../model/mesh-model';

export interface SidecarResolution {
  readonly injected: boolean;
  /** One line: which label, annotation or fact decided. */
  readonly reason: string;
  /** True when the Namespace is not in the input and the answer is the `assumeInjectedWhenNamespaceUnknown` default. */
  readonly assumed: boolean;
}

const INJECT = 'sidecar.istio.io/inject';

/**
 * Whether Istio's injection webhooks give the workload's pods a sidecar, per
 * the default webhook selectors: `istio-injection=enabled` or `istio.io/rev`
 * on the namespace, or the pod label `sidecar.istio.io/inject=true` in a
 * namespace with neither; the pod label or legacy annotation `false` opts out;
 * `istio-injection=disabled` wins over everything; hostNetwork pods never get one.
 */
export function resolveSidecar(model: MeshModel, workload: Workload): SidecarResolution {
  if (workload.hasProxyContainer) return { injected: true, reason: 'the pod spec has an istio-proxy container', assumed: false };
  if (workload.hostNetwork) return { injected: false, reason: 'hostNetwork pods are never injected', assumed: false };
  const podLabel = workload.labels[INJECT];
  if (podLabel === 'false') return { injected: false, reason: `pod label ${INJECT}=false opts out`, assumed: false };
  if (workload.podAnnotations[INJECT] === 'false') return { injected: false, reason: `pod annotation ${INJECT}: "false" opts out`, assumed: false };
  const ns = model.namespace(workload.namespace);
  if (!ns) {
    const assumed = model.options.assumeInjectedWhenNamespaceUnknown;
    if (podLabel === 'true') return { injected: true, reason: `pod label ${INJECT}=true (Namespace ${workload.namespace} not in the input)`, assumed: false };
    return {
      injected: assumed,
      reason: `Namespace ${workload.namespace} is not in the input; assumed ${assumed ? 'injected' : 'not injected'}`,
      assumed: true,
    };
  }
  const injection = ns.labels['istio-injection'];
  if (injection === 'disabled') return { injected: false, reason: `namespace ${ns.name} has istio-injection=disabled`, assumed: false };
  if (injection === 'enabled') return { injected: true, reason: `namespace ${ns.name} has istio-injection=enabled`, assumed: false };
  const rev = ns.labels['istio.io/rev'];
  if (rev !== undefined) return { injected: true, reason: `namespace ${ns.name} has istio.io/rev=${rev}`, assumed: false };
  if (injection !== undefined) return { injected: false, reason: `namespace ${ns.name} has istio-injection=${injection}, which no webhook selects`, assumed: false };
  if (podLabel === 'true') return { injected: true, reason: `pod label ${INJECT}=true opts in`, assumed: false };
  return { injected: false, reason: `namespace ${ns.name} has neither istio-injection=enabled nor istio.io/rev`, assumed: false };
}
