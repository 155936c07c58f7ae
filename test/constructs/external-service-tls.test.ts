import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { MtlsValidation } from '../../src/cdk8s/mtls-validation';
import { ExternalServiceTls } from '../../src/constructs/external-service-tls';
import { WorkloadSelector } from '../../src/vocabulary/workload-selector';

describe('ExternalServiceTls', () => {
  it('originates SIMPLE TLS with the host as SNI', () => {
    const c = Testing.chart();
    new ExternalServiceTls(c, 'Ext', { namespace: 'production', name: 'external-api', host: 'api.external-provider.com' });
    expect(Testing.synth(c)).toEqual([{
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'external-api', namespace: 'production' },
      // With an explicit sni and no SANs Istio would check no server name: the SNI is verified as the name.
      spec: {
        host: 'api.external-provider.com',
        trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'api.external-provider.com', subjectAltNames: ['api.external-provider.com'] } },
      },
    }]);
  });
  it('verifies with CA certificates or a credential and SANs', () => {
    const c = new Chart(Testing.app(), 'c', { namespace: 'payments' });
    new ExternalServiceTls(c, 'A', { name: 'a', host: 'api.bank.example', caCertificates: '/etc/certs/bank-ca.pem', subjectAltNames: ['api.bank.example'] });
    new ExternalServiceTls(c, 'B', { name: 'b', host: '*.bank.example', credentialName: 'bank-ca', selector: WorkloadSelector.of({ app: 'payer' }) });
    const [a, b] = Testing.synth(c);
    expect(a.metadata.namespace).toBe('payments');
    expect(a.spec.trafficPolicy.tls).toEqual({ mode: 'SIMPLE', sni: 'api.bank.example', caCertificates: '/etc/certs/bank-ca.pem', subjectAltNames: ['api.bank.example'] });
    expect(b.spec.trafficPolicy.tls).toEqual({ mode: 'SIMPLE', credentialName: 'bank-ca' });
    expect(b.spec.workloadSelector).toEqual({ matchLabels: { app: 'payer' } });
  });
  it('fails on a credential without a selector: sidecars would send plaintext', () => {
    expect(() => new ExternalServiceTls(Testing.chart(), 'E', { namespace: 'p', host: 'a.example.com', credentialName: 'ca' })).toThrow(
      "[ExternalServiceTls] 'credentialName' needs 'selector': Istio sidecars ignore a credential in a DestinationRule without a "
      + "workloadSelector and send plaintext; select the client workloads, or give 'caCertificates' instead");
  });
  it('synthesizes without a finding of the analysis (IMA037)', () => {
    const app = Testing.app();
    const c = new Chart(app, 'c', { namespace: 'payments' });
    new ExternalServiceTls(c, 'A', { name: 'a', host: 'api.external-provider.com' });
    new ExternalServiceTls(c, 'B', { name: 'b', host: 'api.bank.example', credentialName: 'bank-ca', selector: WorkloadSelector.of({ app: 'payer' }) });
    const warnings: string[] = [];
    MtlsValidation.enable(app, { onWarnings: (lines) => warnings.push(...lines) });
    app.synth();
    expect(warnings.filter((w) => w.includes('IMA037'))).toEqual([]);
  });
  it('fails on a bad host or SNI', () => {
    expect(() => new ExternalServiceTls(Testing.chart(), 'E', { namespace: 'p', host: undefined as any })).toThrow(
      "[ExternalServiceTls] 'host' must be a DNS name, optionally starting with \"*.\", got undefined: must be a string");
    expect(() => new ExternalServiceTls(Testing.chart(), 'E', { namespace: 'p', host: 'https://api.example.com' })).toThrow(
      "[ExternalServiceTls] 'host' must be a DNS name, optionally starting with \"*.\", got \"https://api.example.com\": must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
    expect(() => new ExternalServiceTls(Testing.chart(), 'E', { namespace: 'p', host: 'a.example.com', sni: 'A.example.com' })).toThrow(
      "[ExternalServiceTls] 'sni' must be a DNS-1123 subdomain, got \"A.example.com\"");
  });
  it('fails on caCertificates with credentialName, and on bad values', () => {
    expect(() => new ExternalServiceTls(Testing.chart(), 'E', { namespace: 'p', host: 'a.example.com', caCertificates: '/ca.pem', credentialName: 'ca' })).toThrow(
      "[ExternalServiceTls] 'caCertificates' and 'credentialName' are mutually exclusive: Istio reads the CA from the credential's Secret when 'credentialName' is set");
    expect(() => new ExternalServiceTls(Testing.chart(), 'E', { namespace: 'p', host: 'a.example.com', credentialName: 'Bank_CA' })).toThrow(
      "[ExternalServiceTls] 'credentialName' must be a DNS-1123 subdomain, got \"Bank_CA\"");
    expect(() => new ExternalServiceTls(Testing.chart(), 'E', { namespace: 'p', host: 'a.example.com', caCertificates: '' })).toThrow(
      "[ExternalServiceTls] 'caCertificates' must be a non-empty string, got \"\"");
    expect(() => new ExternalServiceTls(Testing.chart(), 'E', { namespace: 'p', host: 'a.example.com', subjectAltNames: [''] })).toThrow(
      "[ExternalServiceTls] 'subjectAltNames' must be a non-empty string, got \"\"");
  });
  it('fails without namespace when the chart has none', () => {
    expect(() => new ExternalServiceTls(Testing.chart(), 'E', { host: 'a.example.com' })).toThrow(
      "[ExternalServiceTls] 'namespace' is required when the chart has no namespace: a DestinationRule is looked up in the client, service or root namespace");
  });
});
