import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { MeshStrictMtls } from '../../src/constructs/mesh-strict-mtls';
import { MtlsMode } from '../../src/vocabulary/mtls-mode';

describe('MeshStrictMtls', () => {
  it('emits the mesh-wide STRICT policy in istio-system by default, and nothing else', () => {
    const chart = Testing.chart();
    const mesh = new MeshStrictMtls(chart, 'Mesh');
    const out = Testing.synth(chart);
    expect(out).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'STRICT' } },
    }]);
    expect(mesh.resource.node.id).toBe('Resource');
    expect(mesh.clientTls).toBeUndefined();
  });
  it('takes PERMISSIVE for migration and another root namespace', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ignored' });
    new MeshStrictMtls(chart, 'Mesh', { mode: MtlsMode.PERMISSIVE, rootNamespace: 'mesh-root' });
    const [pa] = Testing.synth(chart);
    expect(pa.metadata).toEqual({ name: 'default', namespace: 'mesh-root' });
    expect(pa.spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });
  it('emits the mesh DestinationRule when asked', () => {
    const chart = Testing.chart();
    const mesh = new MeshStrictMtls(chart, 'Mesh', { meshDestinationRule: true });
    const dr = Testing.synth(chart).find((m) => m.kind === 'DestinationRule');
    expect(dr).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    });
    expect(mesh.clientTls?.resource.node.path).toBe('test/Mesh/MeshDestinationRule/Resource');
  });
  it('fails on a root namespace that is not a DNS-1123 label', () => {
    expect(() => new MeshStrictMtls(Testing.chart(), 'Mesh', { rootNamespace: 'Istio-System' })).toThrow(
      "[MeshStrictMtls] 'rootNamespace' must be a DNS-1123 label, got \"Istio-System\": must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
  });
  it('fails on DISABLE and UNSET', () => {
    const hint = 'a mesh-wide policy may only be STRICT, or PERMISSIVE while migrating; weaken single workloads with WorkloadException';
    expect(() => new MeshStrictMtls(Testing.chart(), 'Mesh', { mode: MtlsMode.DISABLE })).toThrow(
      `[MeshStrictMtls] 'mode' must be STRICT or PERMISSIVE, got DISABLE: ${hint}`);
    expect(() => new MeshStrictMtls(Testing.chart(), 'Mesh', { mode: MtlsMode.UNSET })).toThrow(
      `[MeshStrictMtls] 'mode' must be STRICT or PERMISSIVE, got UNSET: ${hint}`);
  });
});
