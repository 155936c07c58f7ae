import { CaptureDefaults, PodCapture, readPodCapture } from './capture';
import {
  AmbientDecision, InjectionDecision, NamespaceFacts, PodFacts,
  decideAmbientEnrolment, decideInjection, endpointTlsMode, hboneCapable,
} from './injection';
import { Workload } from '../model/inventory';
import { MeshModel } from '../model/mesh-model';
import { ResolvedMeshOptions } from '../model/mesh-options';

/** Which proxy handles a workload's traffic. */
export type Dataplane = 'sidecar' | 'ambient' | 'none';

export interface DataplaneResolution {
  readonly dataplane: Dataplane;
  /** One line: which label, annotation, webhook or fact decided. */
  readonly reason: string;
  /** True when the answer rests on a default the input does not confirm (an absent Namespace, …). */
  readonly assumed: boolean;
  readonly injection: InjectionDecision;
  readonly ambient: AmbientDecision;
  /**
   * Whether in-mesh clients reach it over HBONE: an ambient pod, or a sidecar
   * whose pod carries `networking.istio.io/tunnel: http`. Only with ambient installed.
   */
  readonly hbone: boolean;
  /** `security.istio.io/tlsMode` as pilot reads it for the pod's endpoints; only `istio` makes auto mTLS send mTLS. */
  readonly tlsMode: string;
  /** How the sidecar captures traffic; undefined for ambient pods and pods without a proxy. */
  readonly capture?: PodCapture;
  /**
   * False when the pod is never created or never starts: the injection
   * webhook (or istio-init, istio-cni) rejects its capture annotations.
   */
  readonly admitted: boolean;
}

const ambientBypassAnnotation = 'ambient.istio.io/bypass-inbound-capture';

const defaultsByOptions = new WeakMap<ResolvedMeshOptions, CaptureDefaults>();

/** The capture defaults of the mesh options, as the capture module takes them. */
export function captureDefaultsOf(options: ResolvedMeshOptions): CaptureDefaults {
  // One object per options, so the captures computed from it are shared (readPodCapture).
  let d = defaultsByOptions.get(options);
  if (!d) { d = Object.freeze({ ...options.captureDefaults, cni: options.istioCni }); defaultsByOptions.set(options, d); }
  return d;
}

// Inner Maps, not WeakMaps: their workloads live as long as the model, and WeakMaps cost the collector per entry.
const decisionsByModel = new WeakMap<MeshModel, Map<Workload, DataplaneResolution>>();

/**
 * The data plane of a workload's pods, as Istio 1.30.3 sets it up: the
 * injection webhooks and injector decide whether a sidecar is added (a
 * sidecar wins over ambient), istio-cni whether the pod is enrolled in
 * ambient, the injector's validation whether the pod is admitted at all;
 * then what clients see of it (HBONE, the tlsMode label) and how a sidecar
 * captures its traffic. Memoized per model: resolving is pure.
 */
export function resolveDataplane(model: MeshModel, workload: Workload): DataplaneResolution {
  let byWorkload = decisionsByModel.get(model);
  if (!byWorkload) { byWorkload = new Map(); decisionsByModel.set(model, byWorkload); }
  let r = byWorkload.get(workload);
  if (!r) {
    r = decide(model.options, { name: workload.namespace, labels: model.namespace(workload.namespace)?.labels }, workload);
    byWorkload.set(workload, r);
  }
  return r;
}

function decide(options: ResolvedMeshOptions, ns: NamespaceFacts, workload: Workload): DataplaneResolution {
  const pod: PodFacts = {
    kind: workload.kind,
    labels: workload.labels,
    annotations: workload.podAnnotations,
    hostNetwork: workload.hostNetwork,
    hasProxyContainer: workload.hasProxyContainer,
  };
  const injection = decideInjection(ns, pod, {
    assumeInjectedWhenNamespaceUnknown: options.assumeInjectedWhenNamespaceUnknown,
    knownRevisions: options.knownRevisions,
  });
  const ambient = decideAmbientEnrolment(ns, pod, injection.injected, {
    ambient: options.ambient,
    excludeNamespaces: options.ambientExcludeNamespaces,
  });
  const tlsMode = endpointTlsMode(pod, injection.injected);
  const hbone = options.ambient && hboneCapable(pod, injection.injected, { ambient: ambient.ambient, injectorEnablesHbone: options.sidecarHbone });
  if (injection.injected) {
    const capture = readPodCapture(workload.podAnnotations, captureDefaultsOf(options));
    const rejected = capture.problems.map((p) => p.message).join('; ');
    return {
      dataplane: 'sidecar',
      reason: capture.admitted ? injection.reason : `${injection.reason}; but the pod is rejected: ${rejected}`,
      assumed: injection.assumed,
      injection,
      ambient,
      hbone,
      tlsMode,
      capture,
      admitted: capture.admitted,
    };
  }
  if (ambient.ambient) {
    const bypass = ambientInboundBypassed(workload);
    return {
      dataplane: 'ambient',
      reason: bypass ? `${ambient.reason}; ${ambientBypassAnnotation} lets plaintext bypass ztunnel` : ambient.reason,
      assumed: ambient.assumed,
      injection,
      ambient,
      hbone,
      tlsMode,
      admitted: true,
    };
  }
  const why = ambient.reason === 'ambient is not installed' ? injection.reason : `${injection.reason}; not ambient: ${ambient.reason}`;
  return { dataplane: 'none', reason: why, assumed: injection.assumed || ambient.assumed, injection, ambient, hbone, tlsMode, admitted: true };
}

/** True when ztunnel does not capture plaintext to the ambient pod (Go's ParseBool of the annotation). */
export function ambientInboundBypassed(workload: Workload): boolean {
  return /^(1|t|T|TRUE|true|True)$/.test(workload.podAnnotations[ambientBypassAnnotation] ?? '');
}
