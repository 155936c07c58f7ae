import { describe, expect, it } from 'vitest';
import { findings, pa, PERMISSIVE, sel, STRICT } from './helpers';

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
  it('Noncompliance 2: not a date is a warning', () => {
    expect(findings('IMA015', [pa('p', 'x', PERMISSIVE, { 'mtls.exception/review-by': 'June' })])[0].severity).toBe('warning');
  });
  it('honours a custom annotation prefix and the now option', () => {
    expect(findings('IMA015', [pa('p', 'x', PERMISSIVE, { 'acme.io/review-by': '2026-01-01' })], { exceptionAnnotationPrefix: 'acme.io/' })).toHaveLength(1);
    expect(findings('IMA015', [pa('p', 'x', PERMISSIVE, { 'mtls.exception/review-by': '2026-01-01' })], { now: new Date('2025-12-31') })).toEqual([]);
  });
});

describe('IMA016 undocumented-exception', () => {
  const meshStrict = pa('istio-system', 'default', STRICT);
  it('Compliance: documented exceptions, and weakening where the mesh is not STRICT', () => {
    expect(findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), ...PERMISSIVE }, documented)])).toEqual([]);
    expect(findings('IMA016', [pa('p', 'x', { ...sel({ app: 'a' }), ...PERMISSIVE })])).toEqual([]);
  });
  it('Noncompliance 1: a workload PERMISSIVE without annotations', () => {
    const f = findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), ...PERMISSIVE })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toBe('PeerAuthentication p/x weakens the workload to PERMISSIVE in namespace p, which is STRICT by PeerAuthentication '
      + 'istio-system/default, without mtls.exception/reason and mtls.exception/owner');
  });
  it('Noncompliance 2: a port-level DISABLE with only a reason', () => {
    const f = findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), portLevelMtls: { 8080: { mode: 'DISABLE' } } }, { 'mtls.exception/reason': 'r' })]);
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/spec/portLevelMtls/8080/mode');
  });
  it('trap: namespace-level PERMISSIVE during a migration is not a workload exception', () => {
    expect(findings('IMA016', [meshStrict, pa('p', 'default', PERMISSIVE)])).toEqual([]);
  });
  it('trap: a workload STRICT with port-level STRICT weakens nothing', () => {
    expect(findings('IMA016', [meshStrict, pa('p', 'x', { ...sel({ app: 'a' }), ...STRICT, portLevelMtls: { 80: { mode: 'STRICT' } } })])).toEqual([]);
  });
});
