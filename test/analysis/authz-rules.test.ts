import { describe, expect, it } from 'vitest';
import { ap, deploy, DISABLE, dr, findings, ns, pa, PERMISSIVE, sel, STRICT, svc, tls } from './helpers';

const allowFrom = (principals: string[], extra: Record<string, unknown> = {}) => ({ ...sel({ app: 'api' }), rules: [{ from: [{ source: { principals } }], ...extra }] });
const denyFrom = (namespaces: string[]) => ({ ...sel({ app: 'api' }), action: 'DENY', rules: [{ from: [{ source: { namespaces } }] }] });
const app = [ns('shop'), deploy('shop', 'api', { ports: [8080, 9090] }), svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }])];
const P = 'cluster.local/ns/shop/sa/web';

describe('IMA009 authz-requires-mtls', () => {
  it('Compliance: ALLOW on principals with auto mTLS and the PERMISSIVE default (mesh callers send mTLS)', () => {
    expect(findings('IMA009', [...app, ap('shop', 'allow', allowFrom([P]))])).toEqual([]);
    expect(findings('IMA009', [ap('bookinfo', 'allow', allowFrom([P]))])).toEqual([]);
  });
  it('Compliance: DENY on namespaces where the port is STRICT', () => {
    expect(findings('IMA009', [...app, pa('shop', 'default', STRICT), ap('shop', 'deny', denyFrom(['evil']))])).toEqual([]);
  });
  it('Noncompliance 1: ALLOW on principals where the workload is DISABLE silently denies', () => {
    const f = findings('IMA009', [...app, pa('shop', 'default', DISABLE), ap('shop', 'allow', allowFrom([P]))]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('silently denied');
    expect(f[0].path).toBe('/spec/rules/0/from/0/source/principals');
  });
  it('Noncompliance 2: DENY on namespaces where the port is PERMISSIVE is silently bypassed (error)', () => {
    const f = findings('IMA009', [...app, pa('shop', 'default', PERMISSIVE), ap('shop', 'deny', denyFrom(['evil']))]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toContain('silently bypassed');
  });
  it('Noncompliance 3: ALLOW where a DestinationRule makes mesh clients send plaintext', () => {
    const f = findings('IMA009', [...app, dr('shop', 'off', { host: 'api', ...tls('DISABLE') }), ap('shop', 'allow', allowFrom([P]))]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('DestinationRule shop/off sets tls DISABLE');
  });
  it('Noncompliance 4: ALLOW with auto mTLS off and no ISTIO_MUTUAL rule', () => {
    expect(findings('IMA009', [...app, ap('shop', 'allow', allowFrom([P]))], { autoMtls: false })).toHaveLength(1);
    expect(findings('IMA009', [...app, dr('istio-system', 'm', { host: '*.local', ...tls('ISTIO_MUTUAL') }), ap('shop', 'allow', allowFrom([P]))], { autoMtls: false })).toEqual([]);
  });
  it('Noncompliance 5: identity in a when condition (source.namespace)', () => {
    const f = findings('IMA009', [...app, pa('shop', 'default', DISABLE),
      ap('shop', 'w', { ...sel({ app: 'api' }), rules: [{ when: [{ key: 'source.namespace', values: ['shop'] }] }] })]);
    expect(f).toHaveLength(1);
  });
  it('trap: port-level modes: an ALLOW limited to a STRICT port is fine even if another port is DISABLE', () => {
    const paPorts = pa('shop', 'w', { ...sel({ app: 'api' }), ...STRICT, portLevelMtls: { 9090: { mode: 'DISABLE' } } });
    expect(findings('IMA009', [...app, paPorts, ap('shop', 'allow', allowFrom([P], { to: [{ operation: { ports: ['8080'] } }] }))])).toEqual([]);
    expect(findings('IMA009', [...app, paPorts, ap('shop', 'allow', allowFrom([P], { to: [{ operation: { ports: ['9090'] } }] }))])).toHaveLength(1);
  });
  it('trap: rules without identity fields (ipBlocks, requestPrincipals, methods)', () => {
    expect(findings('IMA009', [...app, pa('shop', 'default', DISABLE), ap('shop', 'a', { rules: [{ from: [{ source: { requestPrincipals: ['*'], ipBlocks: ['10.0.0.0/8'] } }] }] })])).toEqual([]);
  });
  it('trap: DENY with notNamespaces still applies to plaintext callers', () => {
    expect(findings('IMA009', [...app, ap('shop', 'd', { action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['shop'] } }] }] })])).toEqual([]);
  });
  it('Noncompliance 6: ALLOW that excludes an identity (notPrincipals) on a PERMISSIVE port admits it over plaintext', () => {
    const exclude = ap('shop', 'not-web', { ...sel({ app: 'api' }), rules: [{ from: [{ source: { notPrincipals: [P] } }] }] });
    const f = findings('IMA009', [...app, exclude]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '/spec/rules/0/from/0/source/notPrincipals' });
    expect(f[0].message).toBe('AuthorizationPolicy shop/not-web (ALLOW) excludes callers by notPrincipals in a rule that matches '
      + 'callers without an identity, but on Deployment shop/api:8080, Deployment shop/api:9090 the port is PERMISSIVE (Istio default) '
      + 'and accepts plaintext, whose callers carry no identity to exclude; the excluded identities get in over plaintext');
  });
  it('trap: exclusions where plaintext cannot use them: a STRICT port, or beside an identity requirement in the same source', () => {
    const exclude = ap('shop', 'not-web', { ...sel({ app: 'api' }), rules: [{ from: [{ source: { notNamespaces: ['legacy'] } }] }] });
    expect(findings('IMA009', [...app, pa('shop', 'default', STRICT), exclude])).toEqual([]);
    const both = ap('shop', 'both', { ...sel({ app: 'api' }), rules: [{ from: [{ source: { namespaces: ['shop'], notPrincipals: [P] } }] }] });
    expect(findings('IMA009', [...app, both]).map((f) => f.path)).toEqual([]);
  });
  it('trap: plaintext to a STRICT port is reset before authorization, even with auto mTLS off (Kiali fixture mtls_enabled_checker_18)', () => {
    const deny = ap('shop', 'deny', { ...sel({ app: 'api' }), action: 'DENY', rules: [{ from: [{ source: { principals: [P] } }] }] });
    for (const policy of [deny, ap('shop', 'allow', allowFrom([P]))]) {
      expect(findings('IMA009', [...app, pa('shop', 'default', STRICT), policy], { autoMtls: false })).toEqual([]);
      expect(findings('IMA009', [pa('shop', 'default', STRICT), policy], { autoMtls: false })).toEqual([]);
    }
  });
});
