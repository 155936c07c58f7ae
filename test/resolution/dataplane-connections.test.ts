import { describe, expect, it } from 'vitest';
import { deploy, DeployOpts, dr, ns, pa, PERMISSIVE, STRICT, DISABLE, svc } from './helpers';
import { buildMeshModel, Manifest, MeshOptions } from '../../src/model';
import { explainMesh, resolveConnection } from '../../src/resolution';

/*
 * What each data plane sends and each port takes (SEMANTICS.md §0, §1, §2, §5),
 * through resolveConnection and explain: one client calls Service `api:80`
 * (target port 8080) in namespace `srv`.
 */

const AMBIENT_NS = { 'istio.io/dataplane-mode': 'ambient' };
const INJECTED = { 'istio-injection': 'enabled' };

interface Side { ns: Record<string, string>; opts?: DeployOpts }

type ServicePortSpec = { port: number; targetPort: number; name?: string };

function call(
  client: Side, server: Side, extra: Manifest[] = [], options: MeshOptions = {}, servicePort: ServicePortSpec = { port: 80, targetPort: 8080 },
) {
  const manifests: Manifest[] = [
    ns('cli', client.ns), ns('srv', server.ns),
    deploy('cli', 'client', client.opts), deploy('srv', 'api', { ports: [8080, 9090], ...server.opts }),
    svc('srv', 'api', { app: 'api' }, [servicePort]),
    ...extra,
  ];
  const model = buildMeshModel(manifests, options);
  const w = (n: string) => model.workloads.find((x) => x.name === n)!;
  return resolveConnection(model, w('client'), model.services[0], servicePort.port, w('api'));
}

const meshStrict = pa('istio-system', 'default', STRICT);

describe('connections across data planes', () => {
  it('ambient to ambient is HBONE, which STRICT accepts', () => {
    const r = call({ ns: AMBIENT_NS }, { ns: AMBIENT_NS }, [meshStrict], { ambient: true });
    expect(r).toMatchObject({ tls: 'hbone', outcome: 'ok', clientDataplane: 'ambient', serverDataplane: 'ambient' });
  });

  it('SEMANTICS §1 example 1: a client outside the mesh fails against an ambient STRICT server', () => {
    const r = call({ ns: {} }, { ns: AMBIENT_NS }, [pa('srv', 'default', STRICT)], { ambient: true });
    expect(r).toMatchObject({ tls: 'plaintext', outcome: 'fails' });
    expect(r.reason).toContain('in ambient (ztunnel)');
  });

  it('SEMANTICS §1 example 4: ambient to a sidecar is HBONE only with the tunnel label, else plaintext', () => {
    expect(call({ ns: AMBIENT_NS }, { ns: INJECTED }, [meshStrict], { ambient: true })).toMatchObject({ tls: 'hbone', outcome: 'ok' });
    const old = call({ ns: AMBIENT_NS }, { ns: INJECTED }, [meshStrict], { ambient: true, sidecarHbone: false });
    expect(old).toMatchObject({ tls: 'plaintext', outcome: 'fails' });
  });

  it('trap: a DestinationRule DISABLE no longer produces plaintext toward an ambient server', () => {
    const r = call({ ns: INJECTED }, { ns: AMBIENT_NS }, [meshStrict, dr('cli', 'off', { host: 'api.srv.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' } } })], { ambient: true });
    expect(r).toMatchObject({ tls: 'hbone', outcome: 'ok' });
    expect(r.client.destinationRule?.name).toBe('off');
  });

  it('SEMANTICS §1 example 3: a port-level DISABLE under an inherited STRICT stays STRICT in ambient', () => {
    const model = buildMeshModel([
      ns('srv', AMBIENT_NS), meshStrict, deploy('srv', 'hook', { ports: [9443] }),
      pa('srv', 'hook', { selector: { matchLabels: { app: 'hook' } }, portLevelMtls: { 9443: { mode: 'DISABLE' } } }),
    ], { ambient: true });
    const w = explainMesh(model).workloads[0];
    expect(w).toMatchObject({ dataplane: 'ambient', mode: 'STRICT' });
    expect(w.ports).toEqual([expect.objectContaining({ port: 9443, mode: 'STRICT', accepts: 'mtls', captured: true })]);
  });

  it('SEMANTICS §2 example 1: an excluded inbound port takes plaintext, and sidecar clients sending mTLS fail', () => {
    const server = { ns: INJECTED, opts: { podAnnotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' } } };
    expect(call({ ns: INJECTED }, server, [meshStrict])).toMatchObject({ tls: 'mtls', outcome: 'fails', serverSidecar: false });
    expect(call({ ns: {} }, server, [meshStrict])).toMatchObject({ tls: 'plaintext', outcome: 'ok' });
    const port = call({ ns: INJECTED }, server, [meshStrict]).inbound!;
    expect(port).toMatchObject({ mode: 'STRICT', captured: false, accepts: 'plaintext' });
  });

  it('SEMANTICS §2 example 4: an excluded outbound port sends the application\'s plaintext', () => {
    const client = { ns: INJECTED, opts: { podAnnotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': '80' } } };
    expect(call(client, { ns: INJECTED }, [meshStrict])).toMatchObject({ tls: 'plaintext', outcome: 'fails' });
    expect(call(client, { ns: INJECTED }, [pa('istio-system', 'default', PERMISSIVE)])).toMatchObject({ tls: 'plaintext', outcome: 'ok' });
  });

  it('a pod whose capture annotation the injector rejects has no pods: every call to it fails', () => {
    const server = { ns: INJECTED, opts: { podAnnotations: { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8, 172.16.0.0/12' } } };
    const r = call({ ns: INJECTED }, server, [meshStrict]);
    expect(r.outcome).toBe('fails');
    expect(r.reason).toMatch(/has no pods/);
  });
});

describe('exact auto mTLS (SEMANTICS.md §0)', () => {
  it('S1: a namespace DISABLE makes clients send plaintext to the whole Service, even to a STRICT workload', () => {
    const r = call({ ns: INJECTED }, { ns: INJECTED }, [pa('srv', 'default', DISABLE), pa('srv', 'api', { selector: { matchLabels: { app: 'api' } }, ...STRICT })]);
    expect(r).toMatchObject({ tls: 'plaintext', outcome: 'fails' });
    expect(r.client.reason).toMatch(/its namespace \(or the mesh\) is DISABLE \(PeerAuthentication srv\/default\)/);
  });

  it('S2: a port-level entry without tls drops the rule\'s tls for that port', () => {
    const rule = dr('cli', 'r', { host: 'api.srv.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' }, portLevelSettings: [{ port: { number: 80 }, connectionPool: { tcp: { maxConnections: 5 } } }] } });
    const r = call({ ns: INJECTED }, { ns: INJECTED }, [meshStrict, rule]);
    // The cluster's tls is unset (auto mTLS), but the endpoint check still reads the rule's DISABLE: plaintext.
    expect(r).toMatchObject({ tls: 'plaintext', outcome: 'fails' });
    expect(r.client.source).toBe('auto-mtls');
  });

  it('S3: a headless Service gets plaintext to every endpoint when one of them has no sidecar', () => {
    const headless: Manifest = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'srv' }, spec: { clusterIP: 'None', selector: { tier: 'db' }, ports: [{ port: 5432 }] } };
    const manifests = [
      ns('cli'), ns('srv'), meshStrict, deploy('cli', 'client'), headless,
      deploy('srv', 'db-a', { labels: { tier: 'db' }, ports: [5432] }),
      deploy('srv', 'db-b', { labels: { 'tier': 'db', 'sidecar.istio.io/inject': 'false' }, ports: [5432] }),
    ];
    const model = buildMeshModel(manifests);
    const w = (n: string) => model.workloads.find((x) => x.name === n)!;
    const r = resolveConnection(model, w('client'), model.services[0], 5432, w('db-a'));
    expect(r).toMatchObject({ tls: 'plaintext', outcome: 'fails' });
  });

  it('TLS origination to a port the sidecar reads as HTTP fails under PERMISSIVE and DISABLE, passes on TCP', () => {
    const simple = dr('cli', 'tls', { host: 'api.srv.svc.cluster.local', trafficPolicy: { tls: { mode: 'SIMPLE' } } });
    for (const mode of [PERMISSIVE, DISABLE]) {
      const http = call({ ns: INJECTED }, { ns: INJECTED }, [pa('srv', 'default', mode), simple], {}, { port: 80, targetPort: 8080, name: 'http-web' });
      expect(http).toMatchObject({ tls: 'tls-origination', outcome: 'fails' });
      const tcp = call({ ns: INJECTED }, { ns: INJECTED }, [pa('srv', 'default', mode), simple], {}, { port: 80, targetPort: 8080, name: 'tcp-web' });
      expect(tcp).toMatchObject({ tls: 'tls-origination', outcome: 'ok' });
    }
  });

  it('SEMANTICS §5: a hand-set tlsMode label decides what auto mTLS sends', () => {
    // Not injected, but labelled istio: sidecar clients send mTLS to an application.
    const notInjected = { ns: {}, opts: { labels: { 'app': 'api', 'security.istio.io/tlsMode': 'istio' } } };
    expect(call({ ns: INJECTED }, notInjected, [meshStrict])).toMatchObject({ tls: 'mtls', outcome: 'fails' });
    // Injected, but labelled disabled (or Istio): clients send plaintext, which STRICT refuses.
    for (const value of ['disabled', 'Istio']) {
      const labelled = { ns: INJECTED, opts: { labels: { 'app': 'api', 'security.istio.io/tlsMode': value } } };
      expect(call({ ns: INJECTED }, labelled, [meshStrict])).toMatchObject({ tls: 'plaintext', outcome: 'fails' });
      expect(call({ ns: INJECTED }, labelled, [pa('istio-system', 'default', PERMISSIVE)])).toMatchObject({ tls: 'plaintext', outcome: 'ok' });
    }
  });
});

describe('the new kinds in the model, and waypoints in explain', () => {
  it('reads VirtualServices, ServiceEntries, WorkloadEntries, Sidecars and Gateway API objects', () => {
    const model = buildMeshModel([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'vs', namespace: 'a' },
        spec: { hosts: ['api'], http: [{ route: [{ destination: { host: 'api', subset: 'v1' } }] }] },
      },
      { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'se', namespace: 'a' }, spec: { hosts: ['vm.example'], ports: [{ number: 80, name: 'http' }] } },
      { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'we', namespace: 'a' }, spec: { address: '10.1.2.3', serviceAccount: 'vm' } },
      { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default', namespace: 'a' }, spec: { egress: [{ hosts: ['./*'] }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'wp', namespace: 'a' }, spec: { gatewayClassName: 'istio-waypoint', listeners: [] } },
    ]);
    const counts = [model.virtualServices, model.serviceEntries, model.workloadEntries, model.sidecars, model.gateways].map((l) => l.length);
    expect(counts).toEqual([1, 1, 1, 1, 1]);
    expect(model.serviceEntries[0]).toMatchObject({ location: 'MESH_EXTERNAL', locationDefaulted: true });
  });

  it('names the waypoint of an ambient workload whose Service uses one', () => {
    const model = buildMeshModel([
      ns('srv', AMBIENT_NS), deploy('srv', 'api'),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'srv', labels: { 'istio.io/use-waypoint': 'wp' } }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'wp', namespace: 'srv' }, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } },
    ], { ambient: true });
    expect(explainMesh(model).workloads[0]).toMatchObject({ dataplane: 'ambient', waypoint: { namespace: 'srv', name: 'wp' } });
  });
});
