import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { PeerAuthentication } from '../../imports/security.istio.io';
import { MeshStrictMtls } from '../../src/constructs/mesh-strict-mtls';
import { MtlsExceptionProps } from '../../src/vocabulary/mtls-exception';
import { MtlsMode } from '../../src/vocabulary/mtls-mode';

const exception: MtlsExceptionProps = {
  reason: 'migration: accept plaintext until all workloads have sidecars',
  owner: 'platform-team@company.com',
  reviewBy: '2027-06-01',
  clock: () => new Date('2026-11-24T10:00:00Z'),
};

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
    expect(mesh).toBeInstanceOf(PeerAuthentication);
    expect(mesh.node.children).toEqual([]);
    expect(mesh.clientTls).toBeUndefined();
  });
  it('takes PERMISSIVE for migration, with an exception, and another root namespace', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ignored' });
    new MeshStrictMtls(chart, 'Mesh', { mode: MtlsMode.PERMISSIVE, rootNamespace: 'mesh-root', exception });
    const [pa] = Testing.synth(chart);
    expect(pa.metadata).toEqual({
      name: 'default',
      namespace: 'mesh-root',
      annotations: {
        'mtls.exception/owner': 'platform-team@company.com',
        'mtls.exception/reason': 'migration: accept plaintext until all workloads have sidecars',
        'mtls.exception/review-by': '2027-06-01',
      },
    });
    expect(pa.spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });
  it('fails on PERMISSIVE without an exception', () => {
    expect(() => new MeshStrictMtls(Testing.chart(), 'Mesh', { mode: MtlsMode.PERMISSIVE })).toThrow(
      "[MeshStrictMtls] 'mode' is PERMISSIVE, which weakens mTLS for the whole mesh: pass 'exception' ({ reason, owner, reviewBy }) "
      + 'so the weakening is owned and expires, e.g. by the planned end of the migration');
  });
  it('fails on an exception for a STRICT mesh', () => {
    expect(() => new MeshStrictMtls(Testing.chart(), 'Mesh', { exception })).toThrow(
      "[MeshStrictMtls] 'exception' is given, but nothing is weakened ('mode' is STRICT): remove 'exception'");
  });
  it('fails on an exception without an owner', () => {
    expect(() => new MeshStrictMtls(Testing.chart(), 'Mesh', { mode: MtlsMode.PERMISSIVE, exception: { ...exception, owner: '' } })).toThrow(
      "[MeshStrictMtls] 'exception.owner' must be a non-empty string, got \"\"");
  });
  it('fails synthesis once the PERMISSIVE mesh\'s exception has expired', () => {
    const chart = new Chart(Testing.app(), 'mesh');
    new MeshStrictMtls(chart, 'Mesh', { mode: MtlsMode.PERMISSIVE, exception: { ...exception, clock: () => new Date('2027-06-02T00:00:00Z') } });
    expect(() => Testing.synth(chart)).toThrow(
      'Validation failed with the following errors:\n  [mesh/Mesh] [MeshStrictMtls] mTLS exception "istio-system/default" owned by platform-team@company.com expired on 2027-06-01 (today is 2027-06-02): review it and move \'exception.reviewBy\' forward, or remove the exception');
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
    expect(mesh.clientTls?.node.path).toBe('test/Mesh/MeshDestinationRule');
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
