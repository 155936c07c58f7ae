import { describe, expect, it } from 'vitest';
import { Identity } from '../../src/vocabulary/identity';

describe('Identity', () => {
  it('builds the principal of a service account in the default trust domain', () => {
    const id = Identity.serviceAccount('production', 'checkout-service');
    expect(id.principal).toBe('cluster.local/ns/production/sa/checkout-service');
    expect(id._toKube()).toBe('cluster.local/ns/production/sa/checkout-service');
    expect(id.trustDomain).toBe('cluster.local');
    expect(id.namespace).toBe('production');
    expect(id.serviceAccount).toBe('checkout-service');
    expect(id.spiffeId).toBe('spiffe://cluster.local/ns/production/sa/checkout-service');
  });
  it('uses a configured trust domain', () => {
    expect(Identity.serviceAccount('a', 'b', { trustDomain: 'corp.example.com' }).principal).toBe('corp.example.com/ns/a/sa/b');
  });
  it('parses a principal', () => {
    const id = Identity.principal('cluster.local/ns/production/sa/order-service');
    expect([id.trustDomain, id.namespace, id.serviceAccount]).toEqual(['cluster.local', 'production', 'order-service']);
  });
  it('accepts prefix and suffix wildcards', () => {
    expect(Identity.principal('*').principal).toBe('*');
    expect(Identity.principal('cluster.local/ns/payments/*').namespace).toBeUndefined();
    expect(Identity.principal('*/sa/checkout').principal).toBe('*/sa/checkout');
  });
  it('fails on spiffe:// with a hint', () => {
    expect(() => Identity.principal('spiffe://cluster.local/ns/a/sa/b')).toThrow(
      '[Identity] \'principal\' must not start with "spiffe://", got "spiffe://cluster.local/ns/a/sa/b": AuthorizationPolicy principals are written without the scheme. Did you mean "cluster.local/ns/a/sa/b"?');
  });
  it('fails on malformed principals', () => {
    expect(() => Identity.principal('')).toThrow('[Identity] \'principal\' must be a non-empty string, got ""');
    expect(() => Identity.principal('ns/a/sa/b')).toThrow(
      "[Identity] 'principal' must have the form <trust-domain>/ns/<namespace>/sa/<service-account>, got \"ns/a/sa/b\"");
    expect(() => Identity.principal('a*b')).toThrow("[Identity] 'principal' may use '*' only once, as a prefix or suffix match, got \"a*b\"");
    expect(() => Identity.principal('*a*')).toThrow("may use '*' only once");
    expect(() => Identity.principal('cluster.local/ns/Prod/sa/b')).toThrow(
      "[Identity] 'principal namespace' must be a DNS-1123 label, got \"Prod\": must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
    expect(() => Identity.principal('Cluster_Local/ns/a/sa/b')).toThrow("[Identity] 'trustDomain' must be a DNS-1123 subdomain such as \"cluster.local\", got \"Cluster_Local\"");
  });
  it('fails on bad service-account parts', () => {
    expect(() => Identity.serviceAccount('Production', 'x')).toThrow("[Identity] 'namespace' must be a DNS-1123 label, got \"Production\"");
    expect(() => Identity.serviceAccount('production', 'X_Y')).toThrow("[Identity] 'serviceAccount' must be a DNS-1123 subdomain, got \"X_Y\"");
    expect(() => Identity.serviceAccount('a', 'b', { trustDomain: 'spiffe://x' })).toThrow("[Identity] 'trustDomain' must be a DNS-1123 subdomain");
  });
});
