import { describe, expect, it } from 'vitest';
import { deploy, dr, ns, pa, svc } from './helpers';
import { buildMeshModel } from '../../src/model';
import { explainMesh } from '../../src/resolution';

const manifests = [
  ns('shop'), ns('legacy', {}),
  pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
  pa('shop', 'api-exception', { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } },
    { 'mtls.exception/reason': 'metrics scraper', 'mtls.exception/owner': 'sre' }),
  deploy('shop', 'api', { ports: [8080, 9090] }),
  deploy('shop', 'web'),
  deploy('legacy', 'batch'),
  svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }, { port: 90, targetPort: 9090 }]),
  dr('legacy', 'to-api', { host: 'api.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
];

describe('explainMesh', () => {
  it('produces the JSON contract, sorted by namespace, name and port', () => {
    const e = explainMesh(buildMeshModel(manifests));
    expect(e.connections).toBeUndefined();
    expect(e.workloads.map((w) => `${w.namespace}/${w.name}`)).toEqual(['legacy/batch', 'shop/api', 'shop/web']);
    expect(e.workloads[1]).toEqual({
      namespace: 'shop',
      name: 'api',
      kind: 'Deployment',
      sidecar: true,
      dataplane: 'sidecar',
      dataplaneReason: 'namespace shop has istio-injection=enabled',
      mode: 'STRICT',
      decidedBy: { kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' },
      ports: [
        { port: 8080, mode: 'STRICT', decidedBy: { kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' }, accepts: 'mtls', captured: true },
        { port: 9090, mode: 'PERMISSIVE', decidedBy: { kind: 'PeerAuthentication', namespace: 'shop', name: 'api-exception' }, accepts: 'mtls+plaintext', captured: true },
      ],
      exception: true,
    });
    expect(e.workloads[0]).toMatchObject({ sidecar: false, dataplane: 'none', dataplaneReason: expect.stringMatching(/^namespace legacy has neither/) });
    expect(e.workloads[0].sidecar).toBe(false);
    expect('exception' in e.workloads[2]).toBe(false);
  });

  it('lists connections from client classes and DestinationRule-named Services, with outcomes', () => {
    const e = explainMesh(buildMeshModel(manifests), { connections: true });
    const line = (c: NonNullable<typeof e.connections>[number]) => `${c.from.namespace}/${c.from.name} -> ${c.to.service}:${c.to.port} ${c.tls} ${c.outcome}`;
    expect(e.connections!.map(line)).toEqual([
      'legacy/batch -> api:80 plaintext fails',
      'legacy/batch -> api:90 plaintext ok',
      'shop/api -> api:80 mtls ok',
      'shop/api -> api:90 mtls ok',
    ]);
    expect(e.connections![0].reason).toBe('the client has no sidecar and sends plaintext; port 8080 is STRICT (PeerAuthentication istio-system/default); STRICT rejects plaintext');
  });

  it('scope all lists every workload towards every endpoint', () => {
    const e = explainMesh(buildMeshModel(manifests), { connections: true, connectionScope: 'all' });
    expect(e.connections).toHaveLength(6);
  });

  it('is byte-identical whatever the input order', () => {
    const a = JSON.stringify(explainMesh(buildMeshModel(manifests), { connections: true }));
    const b = JSON.stringify(explainMesh(buildMeshModel([...manifests].reverse()), { connections: true }));
    expect(b).toBe(a);
  });
});
