import { resolveDataplane } from './dataplane';
import { Workload } from '../model/inventory';
import { MeshModel } from '../model/mesh-model';

export interface SidecarResolution {
  readonly injected: boolean;
  /** One line: which label, annotation, webhook or fact decided. */
  readonly reason: string;
  /** True when the Namespace is not in the input and the answer is the `assumeInjectedWhenNamespaceUnknown` default. */
  readonly assumed: boolean;
}

/**
 * Whether the workload's pods run an Istio sidecar: a webhook of an installed
 * revision selects the pod and the injector agrees (istio/istio
 * `pkg/kube/inject`), or the pod already carries the injector's status
 * annotation. See `resolveDataplane` for ambient pods and capture.
 */
export function resolveSidecar(model: MeshModel, workload: Workload): SidecarResolution {
  const d = resolveDataplane(model, workload);
  return { injected: d.dataplane === 'sidecar', reason: d.injection.reason, assumed: d.injection.assumed };
}
