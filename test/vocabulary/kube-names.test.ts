import { describe, expect, it } from 'vitest';
import {
  dns1123LabelErrors, dns1123SubdomainErrors, isDns1123Label, isDns1123Subdomain, isLabelValue, isQualifiedName, labelValueErrors,
  qualifiedNameErrors,
} from '../../src/vocabulary/kube-names';

/** Strings built from the characters and lengths the checks turn on: every combination of up to 3 pieces, and long ones. */
function candidates(): string[] {
  const pieces = ['', 'a', 'Z', '0', '-', '_', '.', '/', 'ab-c', 'x.y', 'é', ' ', 'a'.repeat(62), 'b'.repeat(64), 'c'.repeat(250)];
  const out = new Set<string>();
  for (const a of pieces) for (const b of pieces) for (const c of pieces) out.add(a + b + c);
  return [...out];
}

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
  it('the yes-or-no checks agree with the lists of reasons on every candidate', () => {
    const all = candidates();
    expect(all.length).toBeGreaterThan(2500);
    for (const s of all) {
      expect(isDns1123Label(s), s).toBe(dns1123LabelErrors(s).length === 0);
      expect(isDns1123Subdomain(s), s).toBe(dns1123SubdomainErrors(s).length === 0);
      expect(isQualifiedName(s), s).toBe(qualifiedNameErrors(s).length === 0);
      expect(isLabelValue(s), s).toBe(labelValueErrors(s).length === 0);
    }
  });
});
