import { describe, expect, it } from 'vitest';
import { DISABLE, deploy, findings, ns, pa, PERMISSIVE, sel, STRICT } from './helpers';

describe('IMA001 duplicate-mesh-policy', () => {
  it('Compliance: one mesh policy, plus selector-less policies in other namespaces', () => {
    expect(findings('IMA001', [pa('istio-system', 'default', STRICT), pa('prod', 'default', PERMISSIVE)])).toEqual([]);
  });
  it('Noncompliance 1: two mesh policies that disagree is an error on each, naming both', () => {
    const f = findings('IMA001', [pa('istio-system', 'a', STRICT), pa('istio-system', 'b', DISABLE)]);
    expect(f.map((x) => [x.resource.name, x.severity])).toEqual([['a', 'error'], ['b', 'error']]);
    expect(f[0].message).toContain('istio-system/a and istio-system/b');
    expect(f[0].related?.[0].name).toBe('b');
  });
  it('Noncompliance 2: selector: {} in the root namespace counts as a mesh policy', () => {
    expect(findings('IMA001', [pa('istio-system', 'a', STRICT), pa('istio-system', 'b', { selector: {}, ...DISABLE })])).toHaveLength(2);
  });
  it('Noncompliance 3: duplicates that agree are a warning', () => {
    expect(findings('IMA001', [pa('istio-system', 'a', STRICT), pa('istio-system', 'b', STRICT)]).map((x) => x.severity)).toEqual(['warning', 'warning']);
  });
  it('trap: a selector policy in the root namespace is not a mesh policy', () => {
    expect(findings('IMA001', [pa('istio-system', 'a', STRICT), pa('istio-system', 'b', { ...sel({ app: 'x' }), ...DISABLE })])).toEqual([]);
  });
  it('honours a custom root namespace', () => {
    expect(findings('IMA001', [pa('mesh-root', 'a', STRICT), pa('mesh-root', 'b', DISABLE)], { rootNamespace: 'mesh-root' })).toHaveLength(2);
    expect(findings('IMA001', [pa('istio-system', 'a', STRICT), pa('istio-system', 'b', DISABLE)], { rootNamespace: 'mesh-root' })).toEqual([]);
  });
});

describe('IMA002 duplicate-namespace-policy', () => {
  it('Compliance: one namespace policy per namespace', () => {
    expect(findings('IMA002', [pa('a', 'default', STRICT), pa('b', 'default', PERMISSIVE), pa('a', 'w', { ...sel({ app: 'x' }), ...DISABLE })])).toEqual([]);
  });
  it('Noncompliance 1: two namespace-wide policies in one namespace', () => {
    const f = findings('IMA002', [pa('production', 'a', STRICT), pa('production', 'b', PERMISSIVE)]);
    expect(f).toHaveLength(2);
    expect(f[0].message).toBe('PeerAuthentication production/a and production/b are both namespace-wide for "production" (a=STRICT, b=PERMISSIVE); '
      + 'Istio applies only the oldest, and manifests carry no creation time');
    expect(f[0].fix).toBe('keep one selector-less PeerAuthentication per namespace');
  });
  it('Noncompliance 2: selector: {} is namespace-wide', () => {
    expect(findings('IMA002', [pa('p', 'a', STRICT), pa('p', 'b', { selector: { matchLabels: {} }, ...STRICT })])).toHaveLength(2);
  });
  it('trap: mesh policies are not namespace policies', () => {
    expect(findings('IMA002', [pa('istio-system', 'a', STRICT), pa('p', 'b', STRICT)])).toEqual([]);
  });
});

describe('IMA003 overlapping-workload-policies', () => {
  it('Compliance: disjoint selectors', () => {
    expect(findings('IMA003', [
      ns('p'), deploy('p', 'a'), deploy('p', 'b'),
      pa('p', 'pa-a', { ...sel({ app: 'a' }), ...STRICT }), pa('p', 'pa-b', { ...sel({ app: 'b' }), ...DISABLE }),
    ])).toEqual([]);
  });
  it('Noncompliance 1: two selectors match the same workload in the input', () => {
    const f = findings('IMA003', [
      ns('p'), deploy('p', 'api', { labels: { app: 'api', tier: 'back' } }),
      pa('p', 'by-app', { ...sel({ app: 'api' }), ...STRICT }), pa('p', 'by-tier', { ...sel({ tier: 'back' }), ...DISABLE }),
    ]);
    expect(f.map((x) => x.resource.name)).toEqual(['by-app', 'by-tier']);
    expect(f[0].message).toContain('Deployment p/api');
    expect(f[0].severity).toBe('error');
  });
  it('Noncompliance 2: without workloads, a selector that includes the other overlaps for sure', () => {
    expect(findings('IMA003', [pa('p', 'x', { ...sel({ app: 'api' }), ...STRICT }), pa('p', 'y', { ...sel({ app: 'api', v: '1' }), ...DISABLE })])).toHaveLength(2);
  });
  it('trap: selectors that could overlap but do not on any workload in the input', () => {
    expect(findings('IMA003', [
      ns('p'), deploy('p', 'a', { labels: { app: 'api' } }), deploy('p', 'b', { labels: { tier: 'back' } }),
      pa('p', 'by-app', { ...sel({ app: 'api' }), ...STRICT }), pa('p', 'by-tier', { ...sel({ tier: 'back' }), ...DISABLE }),
    ])).toEqual([]);
  });
  it('trap: the same selector in two namespaces', () => {
    expect(findings('IMA003', [pa('a', 'x', { ...sel({ app: 'api' }), ...STRICT }), pa('b', 'x', { ...sel({ app: 'api' }), ...DISABLE })])).toEqual([]);
  });
});
