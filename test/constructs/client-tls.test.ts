import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ClientTls } from '../../src/constructs/client-tls';

describe('ClientTls', () => {
  it('is mesh-wide by default: *.local in the root namespace', () => {
    const chart = Testing.chart();
    const tls = new ClientTls(chart, 'Tls');
    expect(Testing.synth(chart)).toEqual([{
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    }]);
    expect([tls.namespace, tls.host]).toEqual(['istio-system', '*.local']);
  });
  it('covers one namespace with its cluster-domain wildcard', () => {
    const chart = Testing.chart();
    new ClientTls(chart, 'Tls', { namespace: 'payments', clusterDomain: 'corp.internal', name: 'payments-mtls' });
    const [dr] = Testing.synth(chart);
    expect(dr.metadata).toEqual({ name: 'payments-mtls', namespace: 'payments' });
    expect(dr.spec.host).toBe('*.payments.svc.corp.internal');
  });
  it('fails on bad names', () => {
    expect(() => new ClientTls(Testing.chart(), 'Tls', { namespace: 'Payments' })).toThrow("[ClientTls] 'namespace' must be a DNS-1123 label, got \"Payments\"");
    expect(() => new ClientTls(Testing.chart(), 'Tls', { rootNamespace: 'x_y' })).toThrow("[ClientTls] 'rootNamespace' must be a DNS-1123 label, got \"x_y\"");
    expect(() => new ClientTls(Testing.chart(), 'Tls', { clusterDomain: 'Cluster.Local' })).toThrow("[ClientTls] 'clusterDomain' must be a DNS-1123 subdomain, got \"Cluster.Local\"");
    expect(() => new ClientTls(Testing.chart(), 'Tls', { name: 'Default' })).toThrow("[ClientTls] 'name' must be a DNS-1123 subdomain, got \"Default\"");
  });
  it('fails on the root namespace given as a namespace', () => {
    expect(() => new ClientTls(Testing.chart(), 'Tls', { namespace: 'istio-system' })).toThrow(
      "[ClientTls] 'namespace' is the root namespace \"istio-system\": omit 'namespace' for a mesh-wide rule (host *.local)");
  });
});
