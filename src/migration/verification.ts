import { InjectionLabel } from './options';
import { Workload } from '../model/inventory';
import { ResourceRef } from '../model/manifest';
import { MeshModel } from '../model/mesh-model';
import { resolveSidecar } from '../resolution/sidecar';

export interface PhaseCommandInput {
  readonly kind: 'inject' | 'mesh-permissive' | 'namespace-strict' | 'mesh-strict';
  readonly id: string;
  /** Namespaces the phase labels or tightens. */
  readonly namespaces: readonly string[];
  readonly planned: readonly string[];
  /** The state the phase produces. */
  readonly model: MeshModel;
  readonly previous?: string;
  readonly remove: readonly ResourceRef[];
  readonly injection: InjectionLabel;
  readonly root: string;
}

export interface PhaseCommands {
  readonly apply: string[];
  readonly verify: string[];
  readonly rollback: string[];
}

const RESTARTABLE: Record<string, string> = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset' };

/** `POD=$(…)`: a pod of the first workload of the namespace whose pod labels select it, as the guide's `<POD_NAME>`. */
function podOf(model: MeshModel, ns: string): { workload: Workload; lookup: string } | undefined {
  const w = model.workloadsIn(ns).find((x) => Object.keys(x.labels).length > 0 && resolveSidecar(model, x).injected);
  if (!w) return undefined;
  const selector = Object.keys(w.labels).sort().map((k) => `${k}=${w.labels[k]}`).join(',');
  return { workload: w, lookup: `POD=$(kubectl get pod -n ${ns} -l ${selector} -o jsonpath='{.items[0].metadata.name}')` };
}

function sidecarCheck(ns: string): string {
  return `kubectl get pods -n ${ns} -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.spec.containers[*].name}{"\\n"}{end}' | grep -v istio-proxy`;
}

/**
 * The guide's commands ("Migrating from Plaintext to mTLS", "Verifying mTLS
 * Configuration") with the phase's namespaces, pods and Services filled in.
 */
export function phaseCommands(p: PhaseCommandInput): PhaseCommands {
  const file = `${p.id}.k8s.yaml`;
  const apply = [`kubectl apply -f ${file}`];
  const verify: string[] = [];
  const restarts = p.namespaces.flatMap((ns) => {
    const kinds = [...new Set(p.model.workloadsIn(ns).map((w) => RESTARTABLE[w.kind]).filter((k): k is string => Boolean(k)))].sort();
    return (kinds.length > 0 ? kinds : ['deployment']).map((k) => `kubectl rollout restart ${k} -n ${ns}`);
  });
  if (p.kind === 'inject') {
    apply.push(...restarts);
    for (const ns of p.namespaces) {
      verify.push(`kubectl get namespace ${ns} --show-labels`);
      verify.push(`${sidecarCheck(ns)}  # lists pods without a sidecar: expect only opted-out pods`);
    }
    verify.push('istioctl analyze --all-namespaces');
  } else if (p.kind === 'mesh-permissive') {
    verify.push(`kubectl get peerauthentication -n ${p.root}`);
    verify.push('istioctl analyze --all-namespaces');
    for (const ns of p.planned) {
      const pod = podOf(p.model, ns);
      if (!pod) continue;
      verify.push(pod.lookup);
      verify.push(`istioctl proxy-config listeners $POD.${ns} -o json | grep -A 5 "transport_socket"`);
    }
  } else {
    const namespaces = p.kind === 'mesh-strict' ? p.model.namespaceNames.filter((n) => n !== p.root && p.model.workloadsIn(n).length > 0) : p.namespaces;
    if (p.kind === 'mesh-strict') verify.push('kubectl get peerauthentication -A');
    else for (const ns of p.namespaces) verify.push(`kubectl get peerauthentication -n ${ns}`);
    verify.push('istioctl analyze --all-namespaces');
    for (const ns of namespaces) {
      const pod = podOf(p.model, ns);
      if (pod) {
        verify.push(pod.lookup);
        verify.push(`istioctl x describe pod $POD -n ${ns}`);
      }
    }
    verify.push('kubectl run test-no-sidecar --image=curlimages/curl --overrides=\'{"metadata":{"annotations":{"sidecar.istio.io/inject":"false"}}}\' --restart=Never -- sleep 3600');
    for (const ns of namespaces) {
      for (const s of p.model.servicesIn(ns)) {
        const port = s.ports[0]?.port;
        if (port === undefined || p.model.workloadsOf(s).length === 0) continue;
        verify.push(`kubectl exec test-no-sidecar -- curl -sS -m 5 http://${s.hostname}:${port}  # expect a reset unless an exception covers the port`);
      }
    }
    verify.push('kubectl delete pod test-no-sidecar');
  }
  const rollback: string[] = [];
  if (p.previous) {
    rollback.push(`kubectl apply -f ${p.previous}.k8s.yaml`);
  } else {
    for (const ns of p.namespaces) rollback.push(`kubectl label namespace ${ns} ${p.injection.key}-`);
    rollback.push(...restarts);
  }
  for (const r of p.remove) {
    rollback.push(`kubectl delete ${r.kind.toLowerCase()} ${r.name}${r.namespace ? ` -n ${r.namespace}` : ''}`);
  }
  return { apply, verify, rollback };
}
