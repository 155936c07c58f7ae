import { describe, expect, it } from 'vitest';
import { deploy, dr, ns, pa, STRICT, svc } from './helpers';
import { buildMeshModel, Manifest, MeshOptions } from '../../src/model';
import { lookupDestinationRule, resolveClientTls, resolveConnection } from '../../src/resolution';

const tls = (mode: string) => ({ trafficPolicy: { tls: { mode } } });

function setup(extra: Manifest[], opts?: MeshOptions) {
  const model = buildMeshModel([
    ns('client'), ns('server'),
    deploy('client', 'curl', { labels: { app: 'curl' } }),
    deploy('client', 'special', { labels: { app: 'special' } }),
    deploy('server', 'api', { ports: [8080] }),
    svc('server', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }, { port: 81, targetPort: 8080 }]),
    ...extra,
  ], opts);
  const w = (name: string) => model.workloads.find((x) => x.name === name)!;
  const service = model.services[0];
  return { model, w, service };
}

describe('lookupDestinationRule: client namespace, service namespace, root namespace', () => {
  it('prefers the client namespace, then the service namespace, then the root namespace', () => {
    const all = [
      dr('client', 'c', { host: 'api.server.svc.cluster.local', ...tls('DISABLE') }),
      dr('server', 's', { host: 'api', ...tls('SIMPLE') }),
      dr('istio-system', 'r', { host: '*.local', ...tls('ISTIO_MUTUAL') }),
    ];
    const host = 'api.server.svc.cluster.local';
    expect(lookupDestinationRule(setup(all).model, { namespace: 'client' }, host, 'server').rule?.name).toBe('c');
    expect(lookupDestinationRule(setup(all.slice(1)).model, { namespace: 'client' }, host, 'server')).toMatchObject({ step: 'service-namespace' });
    expect(lookupDestinationRule(setup(all.slice(2)).model, { namespace: 'client' }, host, 'server')).toMatchObject({ step: 'root-namespace' });
  });

  it('respects exportTo', () => {
    const { model } = setup([dr('server', 's', { host: 'api', exportTo: ['.'], ...tls('DISABLE') })]);
    expect(lookupDestinationRule(model, { namespace: 'client' }, 'api.server.svc.cluster.local', 'server').rule).toBeNull();
    expect(lookupDestinationRule(model, { namespace: 'server' }, 'api.server.svc.cluster.local', 'server').rule?.name).toBe('s');
    const { model: m2 } = setup([dr('server', 's', { host: 'api', exportTo: ['client'], ...tls('DISABLE') })]);
    expect(lookupDestinationRule(m2, { namespace: 'client' }, 'api.server.svc.cluster.local', 'server').rule?.name).toBe('s');
  });

  it('picks the most specific host', () => {
    const { model } = setup([
      dr('server', 'wide', { host: '*.server.svc.cluster.local', ...tls('DISABLE') }),
      dr('server', 'exact', { host: 'api.server.svc.cluster.local', ...tls('ISTIO_MUTUAL') }),
      dr('server', 'widest', { host: '*.local', ...tls('DISABLE') }),
    ]);
    expect(lookupDestinationRule(model, { namespace: 'client' }, 'api.server.svc.cluster.local', 'server').rule?.name).toBe('exact');
  });

  it('applies a workloadSelector rule only to matching clients of its namespace', () => {
    const { model, w, service } = setup([dr('client', 'only-special', { host: 'api.server.svc.cluster.local', workloadSelector: { matchLabels: { app: 'special' } }, ...tls('DISABLE') })]);
    expect(resolveClientTls(model, w('special'), service, 80).tls).toBe('plaintext');
    expect(resolveClientTls(model, w('curl'), service, 80)).toMatchObject({ tls: 'mtls', source: 'auto-mtls' });
  });
});

describe('resolveClientTls', () => {
  it('uses auto mTLS when no DestinationRule sets tls (as KIA0401/KIA0501 do since Kiali #6009)', () => {
    const { model, w, service } = setup([]);
    expect(resolveClientTls(model, w('curl'), service, 80)).toMatchObject({ tls: 'mtls', source: 'auto-mtls', destinationRule: null });
  });

  it('sends plaintext when auto mTLS is off and no rule sets tls', () => {
    const { model, w, service } = setup([], { autoMtls: false });
    expect(resolveClientTls(model, w('curl'), service, 80)).toMatchObject({ tls: 'plaintext', source: 'auto-mtls-off' });
  });

  it('lets port-level settings override the rule for their Service port only', () => {
    const { model, w, service } = setup([dr('server', 's', {
      host: 'api', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [{ port: { number: 81 }, tls: { mode: 'DISABLE' } }] },
    })]);
    expect(resolveClientTls(model, w('curl'), service, 80).tls).toBe('mtls');
    expect(resolveClientTls(model, w('curl'), service, 81)).toMatchObject({ tls: 'plaintext', source: 'destination-rule-port' });
  });

  it('treats SIMPLE and MUTUAL as TLS origination', () => {
    const { model, w, service } = setup([dr('server', 's', { host: 'api', ...tls('SIMPLE') })]);
    expect(resolveClientTls(model, w('curl'), service, 80).tls).toBe('tls-origination');
  });
});

describe('resolveConnection', () => {
  it('fails plaintext from a client without a sidecar to STRICT, naming the policy', () => {
    const { model, w, service } = setup([pa('istio-system', 'default', STRICT), deploy('client', 'legacy', { labels: { 'app': 'legacy', 'sidecar.istio.io/inject': 'false' } })]);
    const legacy = model.workloads.find((x) => x.name === 'legacy')!;
    const r = resolveConnection(model, legacy, service, 80, w('api'));
    expect(r).toMatchObject({ tls: 'plaintext', outcome: 'fails', targetPort: 8080 });
    expect(r.reason).toContain('PeerAuthentication istio-system/default');
  });

  it('sends plaintext with auto mTLS to a DISABLE port, which works', () => {
    const { model, w, service } = setup([pa('server', 'd', { mtls: { mode: 'DISABLE' } })]);
    expect(resolveConnection(model, w('curl'), service, 80, w('api'))).toMatchObject({ tls: 'plaintext', outcome: 'ok' });
  });

  it('fails ISTIO_MUTUAL to a DISABLE port', () => {
    const { model, w, service } = setup([pa('server', 'd', { mtls: { mode: 'DISABLE' } }), dr('client', 'm', { host: 'api.server.svc.cluster.local', ...tls('ISTIO_MUTUAL') })]);
    expect(resolveConnection(model, w('curl'), service, 80, w('api'))).toMatchObject({ tls: 'mtls', outcome: 'fails' });
  });

  it('fails when the outcome depends on which competing policy is oldest', () => {
    const { model, w, service } = setup([
      pa('server', 'a', STRICT), pa('server', 'b', { mtls: { mode: 'PERMISSIVE' } }),
      deploy('client', 'legacy', { labels: { 'app': 'legacy', 'sidecar.istio.io/inject': 'false' } }),
    ]);
    const legacy = model.workloads.find((x) => x.name === 'legacy')!;
    expect(resolveConnection(model, legacy, service, 80, w('api')).outcome).toBe('fails');
    expect(resolveConnection(model, w('curl'), service, 80, w('api')).outcome).toBe('ok');
  });

  it('resolves named targetPorts through container port names', () => {
    const model = buildMeshModel([
      deploy('s', 'api', { ports: [{ port: 8443, name: 'https' }] }),
      deploy('s', 'curl', { labels: { app: 'curl' } }),
      svc('s', 'api', { app: 'api' }, [{ port: 443, targetPort: 'https' }]),
      pa('s', 'w', { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 8443: { mode: 'DISABLE' } } }),
    ]);
    const api = model.workloads.find((x) => x.name === 'api')!;
    const curl = model.workloads.find((x) => x.name === 'curl')!;
    expect(resolveConnection(model, curl, model.services[0], 443, api)).toMatchObject({ targetPort: 8443, tls: 'plaintext', outcome: 'ok' });
  });
});
