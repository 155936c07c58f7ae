import { describe, expect, it } from 'vitest';
import { DISABLE, findings, pa, PERMISSIVE, sel, STRICT, UNSET } from './helpers';

const documented = { 'mtls.exception/reason': 'legacy client', 'mtls.exception/owner': 'payments' };

describe('IMA015 expired-exception', () => {
  it('Compliance: review date today or later (now = 2026-06-15)', () => {
    expect(findings('IMA015', [pa('p', 'x', PERMISSIVE, { ...documented, 'mtls.exception/review-by': '2026-06-15' })])).toEqual([]);
  });
  it('Noncompliance 1: a date in the past names the owner', () => {
    const f = findings('IMA015', [pa('p', 'x', PERMISSIVE, { ...documented, 'mtls.exception/review-by': '2026-06-14' })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '/metadata/annotations/mtls.exception~1review-by' });
    expect(f[0].message).toBe('PeerAuthentication p/x is an mTLS exception to be reviewed by 2026-06-14 (today is 2026-06-15); owner: payments');
  });
  it('Noncompliance 2: a value that is not a calendar date is an error, never "does not expire"', () => {
    // Changed with issue #27: this was a warning, and the exception was taken as never expiring.
    for (const value of ['June', 'never', '2026-02-30', '2026-1-1', '2026-06-15T00:00:00Z', '']) {
      const f = findings('IMA015', [pa('p', 'x', PERMISSIVE, { ...documented, 'mtls.exception/review-by': value })]);
      expect(f.map((x) => [x.severity, x.message])).toEqual([['error', `PeerAuthentication p/x has mtls.exception/review-by: ${JSON.stringify(value)}, `
        + 'which is not a calendar date written YYYY-MM-DD, so the exception could never expire; owner: payments']]);
      expect(f[0].fix).toBe('write the review date as YYYY-MM-DD, 2027-06-15 at the latest');
    }
  });
  it('Noncompliance 3: a date further ahead than maxReviewDays (365 by default) is an error', () => {
    expect(findings('IMA015', [pa('p', 'x', PERMISSIVE, { ...documented, 'mtls.exception/review-by': '2027-06-15' })])).toEqual([]);
    const f = findings('IMA015', [pa('p', 'x', PERMISSIVE, { ...documented, 'mtls.exception/review-by': '2027-06-16' })]);
    expect(f.map((x) => [x.severity, x.path, x.message, x.fix])).toEqual([['error', '/metadata/annotations/mtls.exception~1review-by',
      'PeerAuthentication p/x is an mTLS exception to be reviewed by 2027-06-16, further ahead than maxReviewDays allows '
        + '(365 days from 2026-06-15: 2027-06-15 at the latest); owner: payments',
      'review the exception sooner: set mtls.exception/review-by to 2027-06-15 or earlier']]);
    expect(findings('IMA015', [pa('p', 'x', PERMISSIVE, { 'mtls.exception/review-by': '2999-12-31' })])).toHaveLength(1);
  });
  it('Noncompliance 4: maxReviewDays sets the horizon, on DestinationRules and AuthorizationPolicies too', () => {
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'd', namespace: 'p', annotations: { 'mtls.exception/review-by': '2026-07-16' } },
      spec: { host: 'a.p.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' } } },
    };
    const ap = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'a', namespace: 'p', annotations: { 'mtls.exception/review-by': '2026-07-15' } },
      spec: {},
    };
    expect(findings('IMA015', [dr, ap], { maxReviewDays: 30 }).map((x) => x.message)).toEqual([
      'DestinationRule p/d is an mTLS exception to be reviewed by 2026-07-16, further ahead than maxReviewDays allows (30 days from 2026-06-15: 2026-07-15 at the latest)',
    ]);
  });
  it('honours a custom annotation prefix and the now option', () => {
    expect(findings('IMA015', [pa('p', 'x', PERMISSIVE, { 'acme.io/review-by': '2026-01-01' })], { exceptionAnnotationPrefix: 'acme.io/' })).toHaveLength(1);
    expect(findings('IMA015', [pa('p', 'x', PERMISSIVE, { 'mtls.exception/review-by': '2026-01-01' })], { now: new Date('2025-12-31') })).toEqual([]);
  });
});

describe('IMA016 undocumented-exception', () => {
  const meshStrict = pa('istio-system', 'default', STRICT);
  const owned = { ...documented, 'mtls.exception/review-by': '2027-06-01' };
  const all = 'mtls.exception/reason, mtls.exception/owner and mtls.exception/review-by';
  it('Compliance: documented exceptions (reason, owner, review-by), and weakening where the mesh is not STRICT', () => {
    expect(findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), ...PERMISSIVE }, owned)])).toEqual([]);
    expect(findings('IMA016', [meshStrict, pa('p', 'default', DISABLE, owned)])).toEqual([]);
    expect(findings('IMA016', [pa('p', 'x', { ...sel({ app: 'a' }), ...PERMISSIVE })])).toEqual([]);
  });
  it('Noncompliance 1: a workload PERMISSIVE without annotations', () => {
    // Changed with the security-defaults review: review-by is required too (before, reason and owner were enough).
    const f = findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), ...PERMISSIVE })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', category: 'undocumented-exception', path: '/spec/mtls/mode' });
    expect(f[0].message).toBe('PeerAuthentication p/x weakens the workload to PERMISSIVE in namespace p, which is STRICT by PeerAuthentication '
      + `istio-system/default, without ${all}`);
    expect(f[0].fix).toBe(`annotate it with ${all} (WorkloadException and the 'exception' prop of WorkloadMtls, NamespaceMtls and MeshStrictMtls `
      + 'write them), or remove the exception');
  });
  it('Noncompliance 2: a port-level DISABLE with only a reason names the two missing annotations', () => {
    const f = findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), portLevelMtls: { 8080: { mode: 'DISABLE' } } }, { 'mtls.exception/reason': 'r' })]);
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/spec/portLevelMtls/8080/mode');
    expect(f[0].message).toMatch(/weakens port 8080 to DISABLE .* without mtls\.exception\/owner and mtls\.exception\/review-by$/);
  });
  it('Noncompliance 3: an owned exception without a review date never expires', () => {
    const f = findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), ...PERMISSIVE }, documented)]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/, without mtls\.exception\/review-by$/);
  });
  it('Noncompliance 4: a namespace-wide PERMISSIVE or DISABLE below a STRICT mesh', () => {
    // Changed with the security-defaults review: this was a "trap" (namespace policies were not judged).
    const f = findings('IMA016', [meshStrict, pa('p', 'default', PERMISSIVE), pa('q', 'default', DISABLE, { 'mtls.exception/owner': 'team-q' })]);
    expect(f.map((x) => x.message)).toEqual([
      'PeerAuthentication p/default weakens namespace p to PERMISSIVE, below the mesh, which is STRICT by PeerAuthentication istio-system/default, '
        + `without ${all}`,
      'PeerAuthentication q/default weakens namespace q to DISABLE, below the mesh, which is STRICT by PeerAuthentication istio-system/default, '
        + 'without mtls.exception/reason and mtls.exception/review-by',
    ]);
    expect(f[0]).toMatchObject({ severity: 'warning', path: '/spec/mtls/mode' });
    expect(f[0].related?.[0]).toMatchObject({ namespace: 'istio-system', name: 'default' });
  });
  it('honours a custom annotation prefix', () => {
    const acme = { 'acme.io/reason': 'r', 'acme.io/owner': 'o', 'acme.io/review-by': '2027-01-01' };
    expect(findings('IMA016', [meshStrict, pa('p', 'default', PERMISSIVE, acme)], { exceptionAnnotationPrefix: 'acme.io/' })).toEqual([]);
    expect(findings('IMA016', [meshStrict, pa('p', 'default', PERMISSIVE, owned)], { exceptionAnnotationPrefix: 'acme.io/' })).toHaveLength(1);
  });
  it('Noncompliance 5: DISABLE below Istio\'s PERMISSIVE default: the mesh, a namespace or a workload', () => {
    // Changed with issue #24: DISABLE is weaker than Istio's default, so it is an exception wherever the level above is not DISABLE.
    expect(findings('IMA016', [pa('istio-system', 'default', DISABLE)]).map((x) => x.message)).toEqual([
      `PeerAuthentication istio-system/default weakens the whole mesh to DISABLE, below Istio's default, PERMISSIVE, without ${all}`,
    ]);
    expect(findings('IMA016', [pa('p', 'default', DISABLE)]).map((x) => x.message)).toEqual([
      `PeerAuthentication p/default weakens namespace p to DISABLE, below the mesh, which is PERMISSIVE (Istio's default), without ${all}`,
    ]);
    expect(findings('IMA016', [meshStrict, pa('p', 'default', PERMISSIVE, owned), pa('p', 'x', { ...sel({ app: 'a' }), ...DISABLE })]).map((x) => x.message)).toEqual([
      `PeerAuthentication p/x weakens the workload to DISABLE in namespace p, which is PERMISSIVE by PeerAuthentication p/default, without ${all}`,
    ]);
    expect(findings('IMA016', [pa('istio-system', 'default', DISABLE, owned), pa('p', 'default', DISABLE), pa('p', 'x', { ...sel({ app: 'a' }), ...DISABLE })])).toEqual([]);
  });
  it('trap: a namespace PERMISSIVE while the mesh is PERMISSIVE (a migration) or has no policy is not an exception', () => {
    expect(findings('IMA016', [pa('istio-system', 'default', PERMISSIVE), pa('p', 'default', PERMISSIVE)])).toEqual([]);
    expect(findings('IMA016', [pa('p', 'default', PERMISSIVE)])).toEqual([]);
  });
  it('trap: a namespace STRICT or UNSET below a STRICT mesh, and a workload PERMISSIVE under a documented PERMISSIVE namespace', () => {
    expect(findings('IMA016', [meshStrict, pa('p', 'default', STRICT), pa('q', 'default', UNSET)])).toEqual([]);
    expect(findings('IMA016', [meshStrict, pa('p', 'default', PERMISSIVE, owned), pa('p', 'x', { ...sel({ app: 'a' }), ...PERMISSIVE })])).toEqual([]);
  });
  it('trap: a workload STRICT with port-level STRICT weakens nothing', () => {
    expect(findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), ...STRICT, portLevelMtls: { 80: { mode: 'STRICT' } } })])).toEqual([]);
  });
  it('Noncompliance 6: an owner or reason with control characters documents nothing', () => {
    const f = findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), ...PERMISSIVE },
      { ...owned, 'mtls.exception/owner': 'team\u202ex', 'mtls.exception/reason': 'line one\nline two' })]);
    expect(f.map((x) => x.message)).toEqual(['PeerAuthentication p/x weakens the workload to PERMISSIVE in namespace p, which is STRICT by PeerAuthentication '
      + 'istio-system/default, without mtls.exception/reason (U+000A is not printable) and mtls.exception/owner (U+202E is not printable)']);
  });
  it('trap: a blank annotation counts as missing', () => {
    expect(findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), ...PERMISSIVE }, { ...owned, 'mtls.exception/owner': ' ' })])[0].message)
      .toMatch(/without mtls\.exception\/owner$/);
  });
});
