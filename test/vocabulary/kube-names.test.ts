import { describe, expect, it } from 'vitest';
import { dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from '../../src/vocabulary/kube-names';

describe('kube names', () => {
  it('accepts DNS-1123 labels and rejects others', () => {
    expect(dns1123LabelErrors('istio-system')).toEqual([]);
    expect(dns1123LabelErrors('Istio')).toHaveLength(1);
    expect(dns1123LabelErrors('a'.repeat(64))[0]).toBe('must be no more than 63 characters (got 64)');
    expect(dns1123LabelErrors('a.b')).toHaveLength(1);
  });
  it('accepts DNS-1123 subdomains', () => {
    expect(dns1123SubdomainErrors('payment-service.v1')).toEqual([]);
    expect(dns1123SubdomainErrors('-bad')).toHaveLength(1);
  });
  it('checks qualified label keys', () => {
    expect(qualifiedNameErrors('app')).toEqual([]);
    expect(qualifiedNameErrors('sidecar.istio.io/inject')).toEqual([]);
    expect(qualifiedNameErrors('a/b/c')).toHaveLength(1);
    expect(qualifiedNameErrors('/app')).toEqual(['prefix part must be non-empty']);
    expect(qualifiedNameErrors('Bad_Prefix/app')[0]).toMatch(/^prefix part/);
  });
  it('checks label values', () => {
    expect(labelValueErrors('')).toEqual([]);
    expect(labelValueErrors('v1.2_3')).toEqual([]);
    expect(labelValueErrors('-x')).toHaveLength(1);
  });
});
