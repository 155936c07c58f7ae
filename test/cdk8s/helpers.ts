import { ApiObject, App, Chart } from 'cdk8s';
import { MtlsValidation } from '../../src/cdk8s/mtls-validation';

/** A plain PeerAuthentication in the root namespace, with `mode` as given (valid or not). */
export function meshPolicy(chart: Chart, id: string, name: string, mode: string): ApiObject {
  return new ApiObject(chart, id, {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace: 'istio-system' },
    spec: { mtls: { mode } },
  } as any);
}

/**
 * An app with two alternative states: a STRICT mesh policy in chart `base`,
 * and the states `phase-1` (a Namespace) and `phase-2` (a second, PERMISSIVE
 * mesh policy, which makes `base/Mesh` conflict in that state only).
 */
export function phasedMesh(app: App): void {
  const base = new Chart(app, 'base');
  const a = new Chart(app, 'phase-1');
  const b = new Chart(app, 'phase-2');
  meshPolicy(base, 'Mesh', 'default', 'STRICT');
  meshPolicy(b, 'Mesh', 'mesh-permissive', 'PERMISSIVE');
  new ApiObject(a, 'Ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
  MtlsValidation.enable(app).addAlternativeStates([a, b]);
}

/** The message a synth failed with (`synth` is e.g. `() => app.synth()`), or undefined when it succeeded. */
export function synthError(synth: () => unknown): string | undefined {
  try {
    synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
