import { describe, expect, it } from 'vitest';
import { ap, deploy, dr, findings, ns, pa, PERMISSIVE, sel, STRICT, svc, tls } from './helpers';

const server = [deploy('shop', 'api', { ports: [8080] }), svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }])];
const optOut = { 'app': 'job', 'sidecar.istio.io/inject': 'false' };

describe('IMA012 plaintext-client-to-strict', () => {
  it('Compliance: every client has a sidecar and auto mTLS is on (no DestinationRule needed)', () => {
    expect(findings('IMA012', [ns('shop'), ...server, deploy('shop', 'web'), pa('istio-system', 'default', STRICT)])).toEqual([]);
  });
  it('Noncompliance 1: an opted-out workload next to STRICT Services', () => {
    const f = findings('IMA012', [ns('shop'), ...server, deploy('shop', 'job', { labels: optOut }), pa('istio-system', 'default', STRICT)]);
    expect(f).toHaveLength(1);
    expect(f[0].resource.name).toBe('job');
    expect(f[0].message).toContain('Service api:80 → Deployment shop/api:8080 STRICT (PeerAuthentication istio-system/default)');
  });
  it('Noncompliance 2: auto mTLS off with no ISTIO_MUTUAL rule (reported on the STRICT policy)', () => {
    const f = findings('IMA012', [ns('shop'), ...server, pa('shop', 'default', STRICT)], { autoMtls: false });
    expect(f).toHaveLength(1);
    expect(f[0].resource.name).toBe('default');
    expect(findings('IMA012', [pa('istio-system', 'default', STRICT)], { autoMtls: false })).toHaveLength(1);
  });
  it('trap: auto mTLS off but an ISTIO_MUTUAL rule covers the host', () => {
    expect(findings('IMA012', [ns('shop'), ...server, pa('shop', 'default', STRICT), dr('istio-system', 'm', { host: '*.local', ...tls('ISTIO_MUTUAL') })], { autoMtls: false })).toEqual([]);
  });
  it('trap: the uninjected client only has PERMISSIVE ports around it', () => {
    expect(findings('IMA012', [ns('shop'), ...server, deploy('shop', 'job', { labels: optOut }), pa('istio-system', 'default', STRICT),
      pa('shop', 'w', { ...sel({ app: 'api' }), ...PERMISSIVE })])).toEqual([]);
  });
  it('trap: a DestinationRule that sets tls DISABLE is reported once, by dr-disables-tls-to-strict', () => {
    const off = dr('shop', 'off', { host: 'api', ...tls('DISABLE') });
    for (const autoMtls of [true, false]) {
      const input = [ns('shop'), ...server, pa('shop', 'default', STRICT), off];
      expect(findings('IMA012', input, { autoMtls })).toEqual([]);
      expect(findings('IMA007', input, { autoMtls }).map((f) => f.resource.name)).toEqual(['off']);
    }
  });
  it('trap: workloads of namespaces not in the input are assumed injected', () => {
    expect(findings('IMA012', [...server, deploy('shop', 'web'), pa('istio-system', 'default', STRICT)])).toEqual([]);
  });
});

describe('IMA013 namespace-not-injected', () => {
  it('Compliance: labelled namespaces, pods opting in, explicit disabled, root namespace', () => {
    expect(findings('IMA013', [ns('a'), deploy('a', 'x'), ns('b', { 'istio.io/rev': 'stable' }), deploy('b', 'x')])).toEqual([]);
    expect(findings('IMA013', [ns('c', {}), deploy('c', 'x', { labels: { 'app': 'x', 'sidecar.istio.io/inject': 'true' } })])).toEqual([]);
    expect(findings('IMA013', [ns('d', { 'istio-injection': 'disabled' }), deploy('d', 'x')])).toEqual([]);
    expect(findings('IMA013', [ns('istio-system', {}), deploy('istio-system', 'istiod')])).toEqual([]);
  });
  it('Noncompliance 1: an unlabelled namespace with workloads', () => {
    const f = findings('IMA013', [ns('legacy', {}), deploy('legacy', 'db')]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toBe('Namespace legacy has no istio-injection=enabled or istio.io/rev label, so none of its 1 workload(s) (db) gets a sidecar or mTLS');
  });
  it('Noncompliance 2: a misspelt label value', () => {
    expect(findings('IMA013', [ns('legacy', { 'istio-injection': 'true' }), deploy('legacy', 'db')])).toHaveLength(1);
  });
  it('trap: a namespace without workloads in the input (istioctl IST0102 reports it anyway)', () => {
    expect(findings('IMA013', [ns('empty', {})])).toEqual([]);
  });
});

describe('IMA014 allow-all-policy', () => {
  it('Compliance: rules with conditions, and spec: {} (allow nothing, a deliberate default-deny)', () => {
    expect(findings('IMA014', [ap('a', 'x', { rules: [{ from: [{ source: { namespaces: ['a'] } }] }] }), ap('istio-system', 'deny-all', {})])).toEqual([]);
  });
  it('Noncompliance 1: rules: [{}]', () => {
    const f = findings('IMA014', [ap('a', 'x', { rules: [{}] })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ path: '/spec/rules/0' });
    expect(f[0].message).toContain('every workload of a');
  });
  it('Noncompliance 2: a rule whose from/to/when are all empty', () => {
    expect(findings('IMA014', [ap('istio-system', 'x', { rules: [{ from: [{ source: {} }], to: [] }] })])[0].message).toContain('the whole mesh');
  });
  it('trap: DENY with an empty rule denies everything, which is not allow-all', () => {
    expect(findings('IMA014', [ap('a', 'x', { action: 'DENY', rules: [{}] })])).toEqual([]);
  });
});
