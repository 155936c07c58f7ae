import { ApiObject, Chart } from 'cdk8s';

/** A plain PeerAuthentication in the root namespace, with `mode` as given (valid or not). */
export function meshPolicy(chart: Chart, id: string, name: string, mode: string): ApiObject {
  return new ApiObject(chart, id, {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace: 'istio-system' },
    spec: { mtls: { mode } },
  } as any);
}
