import { Manifest } from '../../src/model/manifest';

/** Small manifest builders for engine tests. */
export function pa(namespace: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Manifest {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec,
  };
}

export function dr(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace }, spec };
}

export function ap(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace }, spec };
}

export function ns(name: string, labels: Record<string, string> = { 'istio-injection': 'enabled' }): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export interface DeployOpts {
  labels?: Record<string, string>;
  ports?: (number | { port: number; name: string })[];
  serviceAccount?: string;
  podAnnotations?: Record<string, string>;
  hostNetwork?: boolean;
  kind?: string;
}

export function deploy(namespace: string, name: string, opts: DeployOpts = {}): Manifest {
  const labels = opts.labels ?? { app: name };
  const podSpec = {
    ...(opts.serviceAccount ? { serviceAccountName: opts.serviceAccount } : {}),
    ...(opts.hostNetwork ? { hostNetwork: true } : {}),
    containers: [{
      name: 'app',
      image: 'example/app',
      ports: (opts.ports ?? [8080]).map((p) => (typeof p === 'number' ? { containerPort: p } : { containerPort: p.port, name: p.name })),
    }],
  };
  const template = { metadata: { labels, ...(opts.podAnnotations ? { annotations: opts.podAnnotations } : {}) }, spec: podSpec };
  const kind = opts.kind ?? 'Deployment';
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name, namespace, ...template.metadata }, spec: podSpec };
  if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata: { name, namespace }, spec: { jobTemplate: { spec: { template } } } };
  return { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: { name, namespace }, spec: { selector: { matchLabels: labels }, template } };
}

export interface SvcPort { port: number; targetPort?: number | string; name?: string }

export function svc(namespace: string, name: string, selector: Record<string, string>, ports: SvcPort[]): Manifest {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector, ports } };
}

export const STRICT = { mtls: { mode: 'STRICT' } };
export const PERMISSIVE = { mtls: { mode: 'PERMISSIVE' } };
export const DISABLE = { mtls: { mode: 'DISABLE' } };
export const UNSET = { mtls: { mode: 'UNSET' } };
