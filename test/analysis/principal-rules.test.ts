import { describe, expect, it } from 'vitest';
import { ap, findings } from './helpers';

const withPrincipals = (principals: string[]) => ap('shop', 'a', { rules: [{ from: [{ source: { principals } }] }] });

describe('IMA010 principal-format', () => {
  it('Compliance: trust-domain/ns/namespace/sa/account, with prefix or suffix wildcards', () => {
    expect(findings('IMA010', [withPrincipals(['cluster.local/ns/shop/sa/web', '*', 'cluster.local/ns/shop/*', '*/ns/shop/sa/web'])])).toEqual([]);
  });
  it('Noncompliance 1: spiffe:// prefix never matches (error) and the fix strips it', () => {
    const f = findings('IMA010', [withPrincipals(['spiffe://cluster.local/ns/shop/sa/web'])]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '/spec/rules/0/from/0/source/principals/0', fix: 'write "cluster.local/ns/shop/sa/web"' });
  });
  it('Noncompliance 2: other shapes and inner wildcards are warnings', () => {
    const f = findings('IMA010', [withPrincipals(['web', 'cluster.local/ns/*/sa/web'])]);
    expect(f.map((x) => x.severity)).toEqual(['warning', 'warning']);
  });
  it('Noncompliance 3: source.principal conditions are checked too', () => {
    expect(findings('IMA010', [ap('s', 'a', { rules: [{ when: [{ key: 'source.principal', values: ['spiffe://x/ns/a/sa/b'] }] }] })])).toHaveLength(1);
  });
});

describe('IMA011 unknown-trust-domain', () => {
  it('Compliance: the mesh trust domain and declared aliases', () => {
    expect(findings('IMA011', [withPrincipals(['cluster.local/ns/a/sa/b'])])).toEqual([]);
    expect(findings('IMA011', [withPrincipals(['old-td/ns/a/sa/b'])], { trustDomainAliases: ['old-td'] })).toEqual([]);
  });
  it('Noncompliance 1: another trust domain', () => {
    const f = findings('IMA011', [withPrincipals(['old-td/ns/a/sa/b'])]);
    expect(f).toHaveLength(1);
    expect(f[0].fix).toBe('write "cluster.local/ns/a/sa/b", or declare "old-td" as a trust domain alias');
  });
  it('false-positive trap: cluster.local on a mesh with a custom trust domain is the local trust domain to istiod', () => {
    // pilot/pkg/security/trustdomain/bundle.go ReplaceTrustDomainAliases: "cluster.local" points to the local trust domain.
    expect(findings('IMA011', [withPrincipals(['cluster.local/ns/a/sa/b'])], { trustDomain: 'prod.example.com' })).toEqual([]);
  });
  it('trap: wildcard trust domains', () => {
    expect(findings('IMA011', [withPrincipals(['*/ns/a/sa/b'])])).toEqual([]);
  });
});
