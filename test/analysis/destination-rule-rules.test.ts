import { describe, expect, it } from 'vitest';
import { deploy, DISABLE, dr, findings, ns, pa, PERMISSIVE, sel, STRICT, svc, tls } from './helpers';
import { Manifest } from '../../src/model/manifest';

const mesh = [
  ns('shop'), ns('legacy', {}),
  deploy('shop', 'api', { ports: [8080, 9090] }),
  svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }, { port: 90, targetPort: 9090 }]),
  deploy('legacy', 'db', { ports: [5432] }),
  svc('legacy', 'db', { app: 'db' }, [{ port: 5432 }]),
];

describe('IMA007 dr-disables-tls-to-strict', () => {
  it('Compliance: DISABLE towards a PERMISSIVE server, ISTIO_MUTUAL towards STRICT', () => {
    expect(findings('IMA007', [...mesh, dr('shop', 'off', { host: 'api', ...tls('DISABLE') })])).toEqual([]);
    expect(findings('IMA007', [...mesh, pa('istio-system', 'default', STRICT), dr('shop', 'on', { host: 'api', ...tls('ISTIO_MUTUAL') })])).toEqual([]);
  });
  it('Noncompliance 1: DISABLE for a host whose workload is STRICT names the workload, port and policy', () => {
    const f = findings('IMA007', [...mesh, pa('istio-system', 'default', STRICT), dr('shop', 'off', { host: 'api', ...tls('DISABLE') })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toBe('DestinationRule shop/off sets tls DISABLE for api, but Deployment shop/api:8080 (Service api:80), '
      + 'Deployment shop/api:9090 (Service api:90) is STRICT (PeerAuthentication istio-system/default); clients using this rule send plaintext and are reset');
    expect(f[0].path).toBe('/spec/trafficPolicy/tls/mode');
    expect(f[0].related?.[0].name).toBe('default');
  });
  it('Noncompliance 2: port-level DISABLE only judges its port', () => {
    const f = findings('IMA007', [...mesh,
      pa('shop', 'w', { ...sel({ app: 'api' }), portLevelMtls: { 9090: { mode: 'STRICT' } } }),
      dr('shop', 'p', { host: 'api', trafficPolicy: { portLevelSettings: [{ port: { number: 90 }, tls: { mode: 'DISABLE' } }, { port: { number: 80 }, tls: { mode: 'DISABLE' } }] } })]);
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/spec/trafficPolicy/portLevelSettings/0/tls/mode');
  });
  it('Noncompliance 3: without workloads, a mesh-wide DISABLE rule against a STRICT mesh (Kiali KIA0208 case)', () => {
    expect(findings('IMA007', [pa('istio-system', 'default', STRICT), dr('bookinfo', 'off', { host: '*.local', ...tls('DISABLE') })])).toHaveLength(1);
  });
  it('trap: a rule shadowed by a more specific rule in the service namespace is not chosen', () => {
    expect(findings('IMA007', [...mesh, pa('istio-system', 'default', STRICT),
      dr('istio-system', 'mesh-off', { host: '*.local', ...tls('DISABLE') }),
      dr('shop', 'api', { host: 'api', ...tls('ISTIO_MUTUAL') }),
      dr('legacy', 'db', { host: 'db', ...tls('ISTIO_MUTUAL') })])).toEqual([]);
  });
  it('trap: a port-level override takes precedence over the rule-level DISABLE', () => {
    expect(findings('IMA007', [...mesh, pa('shop', 'w', { ...sel({ app: 'api' }), ...DISABLE, portLevelMtls: { 8080: { mode: 'STRICT' } } }),
      dr('shop', 'p', { host: 'api', trafficPolicy: { tls: { mode: 'DISABLE' }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }] } })])).toEqual([]);
  });
  it('trap: servers without a sidecar take the plaintext', () => {
    expect(findings('IMA007', [...mesh, pa('istio-system', 'default', STRICT), dr('legacy', 'off', { host: 'db', ...tls('DISABLE') })])).toEqual([]);
  });
});

describe('IMA008 dr-mtls-to-non-mtls-server', () => {
  it('Compliance: ISTIO_MUTUAL to sidecars that accept mTLS; auto mTLS (no DR) to anything', () => {
    expect(findings('IMA008', [...mesh, dr('shop', 'on', { host: 'api', ...tls('ISTIO_MUTUAL') })])).toEqual([]);
    expect(findings('IMA008', [...mesh, pa('shop', 'off', DISABLE)])).toEqual([]);
  });
  it('Noncompliance 1: ISTIO_MUTUAL to a workload without a sidecar', () => {
    const f = findings('IMA008', [...mesh, dr('legacy', 'db', { host: 'db', ...tls('ISTIO_MUTUAL') })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Deployment legacy/db has no sidecar');
  });
  it('Noncompliance 2: ISTIO_MUTUAL to a DISABLE port', () => {
    const f = findings('IMA008', [...mesh, pa('shop', 'w', { ...sel({ app: 'api' }), portLevelMtls: { 9090: { mode: 'DISABLE' } } }),
      dr('shop', 'on', { host: 'api', ...tls('ISTIO_MUTUAL') })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Deployment shop/api:9090 is DISABLE (PeerAuthentication shop/w)');
  });
  it('Noncompliance 3: without workloads, a namespace DISABLE and a namespace-wide ISTIO_MUTUAL rule (Kiali KIA0505 case)', () => {
    expect(findings('IMA008', [pa('bookinfo', 'off', DISABLE), dr('bookinfo', 'on', { host: '*.bookinfo.svc.cluster.local', ...tls('ISTIO_MUTUAL') })])).toHaveLength(1);
  });
  it('trap: a namespace DISABLE rule for the namespace shadows the mesh ISTIO_MUTUAL rule', () => {
    expect(findings('IMA008', [pa('bookinfo', 'off', DISABLE),
      dr('istio-system', 'mesh', { host: '*.local', ...tls('ISTIO_MUTUAL') }),
      dr('bookinfo', 'off', { host: '*.bookinfo.svc.cluster.local', ...tls('DISABLE') })])).toEqual([]);
  });
  it('trap: a named host whose namespace has workload policies is not judged without its workloads', () => {
    expect(findings('IMA008', [pa('bookinfo', 'off', DISABLE), pa('bookinfo', 'details', { ...sel({ app: 'details' }), ...STRICT }),
      dr('bookinfo', 'on', { host: 'details', ...tls('ISTIO_MUTUAL') })])).toEqual([]);
  });
});

describe('IMA017 dr-disables-tls-to-permissive', () => {
  const annotated = (m: Manifest, annotations: Record<string, string>): Manifest => ({ ...m, metadata: { ...m.metadata, annotations } });
  const web = deploy('shop', 'web', { ports: [8000] });
  it('Compliance: no DISABLE rule, a DISABLE rule towards a DISABLE port or a server without a sidecar', () => {
    expect(findings('IMA017', [...mesh, web, dr('shop', 'on', { host: 'api', ...tls('ISTIO_MUTUAL') })])).toEqual([]);
    expect(findings('IMA017', [...mesh, web, pa('shop', 'w', { ...sel({ app: 'api' }), ...DISABLE }, { 'mtls.exception/reason': 'r', 'mtls.exception/owner': 'o', 'mtls.exception/review-by': '2027-01-01' }),
      dr('shop', 'off', { host: 'api', ...tls('DISABLE') })])).toEqual([]);
    expect(findings('IMA017', [...mesh, web, dr('legacy', 'off', { host: 'db', ...tls('DISABLE') })])).toEqual([]);
  });
  it('Noncompliance 1: DISABLE towards a sidecar-ed PERMISSIVE server (the Istio default) names the ports, the mode and a client', () => {
    const f = findings('IMA017', [...mesh, web, dr('shop', 'off', { host: 'api', ...tls('DISABLE') })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', category: 'dr-disables-tls-to-permissive', path: '/spec/trafficPolicy/tls/mode' });
    expect(f[0].message).toBe('DestinationRule shop/off sets tls DISABLE for api, and Deployment shop/api:8080 (Service api:80), '
      + 'Deployment shop/api:9090 (Service api:90) has a sidecar and is PERMISSIVE (Istio default); clients using this rule '
      + '(e.g. Deployment shop/api) send plaintext that is accepted: unencrypted and without identity, silently');
    expect(f[0].fix).toBe('remove the tls DISABLE (auto mTLS then sends Istio mTLS), or, if plaintext is intended, annotate the rule with '
      + 'mtls.exception/reason, mtls.exception/owner and mtls.exception/review-by');
  });
  it('Noncompliance 2: a port-level DISABLE only judges its port; a PERMISSIVE namespace policy is named as the decider', () => {
    const f = findings('IMA017', [...mesh, pa('shop', 'default', PERMISSIVE),
      pa('shop', 'w', { ...sel({ app: 'api' }), portLevelMtls: { 8080: { mode: 'STRICT' } } }),
      dr('shop', 'p', { host: 'api', trafficPolicy: { portLevelSettings: [{ port: { number: 90 }, tls: { mode: 'DISABLE' } }, { port: { number: 80 }, tls: { mode: 'DISABLE' } }] } })]);
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/spec/trafficPolicy/portLevelSettings/0/tls/mode');
    expect(f[0].message).toContain('for api port 90, and Deployment shop/api:9090 (Service api:90) has a sidecar and is PERMISSIVE (PeerAuthentication shop/default)');
    expect(f[0].related?.[0]).toMatchObject({ namespace: 'shop', name: 'default' });
  });
  it('Noncompliance 3: a documented rule whose review date is missing is still reported', () => {
    const rule = annotated(dr('shop', 'off', { host: 'api', ...tls('DISABLE') }), { 'mtls.exception/reason': 'r', 'mtls.exception/owner': 'o' });
    expect(findings('IMA017', [...mesh, rule])).toHaveLength(1);
  });
  it('trap: a rule documented as an exception (reason, owner, review-by) is deliberate', () => {
    const rule = annotated(dr('shop', 'off', { host: 'api', ...tls('DISABLE') }), {
      'mtls.exception/reason': 'r', 'mtls.exception/owner': 'o', 'mtls.exception/review-by': '2027-01-01',
    });
    expect(findings('IMA017', [...mesh, web, rule])).toEqual([]);
  });
  it('trap: STRICT servers are dr-disables-tls-to-strict, not this rule', () => {
    expect(findings('IMA017', [...mesh, web, pa('istio-system', 'default', STRICT), dr('shop', 'off', { host: 'api', ...tls('DISABLE') })])).toEqual([]);
  });
  it('trap: no sidecar-ed client chooses the rule (a workloadSelector no client matches; clients without a sidecar)', () => {
    expect(findings('IMA017', [...mesh, web, dr('shop', 'off', { host: 'api', workloadSelector: { matchLabels: { app: 'nobody' } }, ...tls('DISABLE') })])).toEqual([]);
    // Only legacy's clients see the rule (exportTo "."), and legacy has no sidecars: the rule changes nothing.
    const legacyOnly = [ns('shop'), deploy('shop', 'api', { ports: [8080] }), svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]),
      ns('legacy', {}), deploy('legacy', 'batch'), dr('legacy', 'off', { host: 'api.shop.svc.cluster.local', ...tls('DISABLE'), exportTo: ['.'] })];
    expect(findings('IMA017', legacyOnly)).toEqual([]);
    // The same rule with an injected client in legacy is reported (the trap above can fail).
    expect(findings('IMA017', [...legacyOnly.slice(0, 3), ns('legacy'), deploy('legacy', 'batch'), legacyOnly[5]])).toHaveLength(1);
  });
  it('trap: a rule shadowed by a more specific rule is not chosen', () => {
    expect(findings('IMA017', [...mesh, web, dr('istio-system', 'mesh-off', { host: '*.local', ...tls('DISABLE') }),
      dr('shop', 'api', { host: 'api', ...tls('ISTIO_MUTUAL') })])).toEqual([]);
  });
});
