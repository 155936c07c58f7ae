import { describe, expect, it } from 'vitest';
import { deploy, dr, ns, pa, STRICT, PERMISSIVE, DISABLE, svc } from './helpers';
import { buildMeshModel, Manifest, MeshOptions } from '../../src/model';
import { serviceEntryEndpoints } from '../../src/model/service-entries';
import { explainMesh, resolveConnection } from '../../src/resolution';
import { clientTlsForCluster } from '../../src/resolution/client-tls';
import {
  resolveConnectionLegs, serviceEntryService, workloadEntryWorkload,
} from '../../src/resolution/connection';
import { lookupDestinationRule } from '../../src/resolution/destination-rule-lookup';

/*
 * Routes, subsets, ServiceEntries and the Sidecar scope in connections
 * (SEMANTICS.md §3, §4, §6). The §3 examples: server `reviews` in
 * `bookinfo` (PA STRICT, pods v1 and v2 with sidecars unless stated), client
 * `productpage` in `web`, Service `reviews:9080`.
 */

const HOST = 'reviews.bookinfo.svc.cluster.local';

function vs(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace }, spec };
}

function sidecarRes(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace }, spec };
}

function bookinfo(extra: Manifest[], opts: { v2Sidecar?: boolean; options?: MeshOptions } = {}) {
  const v2Labels: Record<string, string> = { app: 'reviews', version: 'v2', ...(opts.v2Sidecar === false ? { 'sidecar.istio.io/inject': 'false' } : {}) };
  const model = buildMeshModel([
    ns('web'), ns('bookinfo'), pa('bookinfo', 'default', STRICT),
    deploy('web', 'productpage'),
    deploy('bookinfo', 'reviews-v1', { labels: { app: 'reviews', version: 'v1' }, ports: [9080] }),
    deploy('bookinfo', 'reviews-v2', { labels: v2Labels, ports: [9080] }),
    svc('bookinfo', 'reviews', { app: 'reviews' }, [{ port: 9080, name: 'http' }]),
    ...extra,
  ], opts.options);
  const w = (n: string) => model.workloads.find((x) => x.name === n)!;
  const service = model.services.find((s) => s.name === 'reviews')!;
  const legs = (server: string) => resolveConnectionLegs(model, w('productpage'), service, 9080, w(server));
  const conn = (server: string) => resolveConnection(model, w('productpage'), service, 9080, w(server));
  return { model, w, service, legs, conn };
}

const routeTo = (...dests: { subset?: string; weight?: number }[]) => ({
  hosts: ['reviews'],
  http: [{ route: dests.map((d) => ({ destination: { host: 'reviews', ...(d.subset ? { subset: d.subset } : {}) }, ...(d.weight !== undefined ? { weight: d.weight } : {}) })) }],
});

describe('SEMANTICS §3: VirtualService routes and DestinationRule subsets', () => {
  it('example 1: a subset without tls inherits the rule\'s ISTIO_MUTUAL, so mTLS to a plaintext pod fails', () => {
    const { legs, conn } = bookinfo([
      dr('bookinfo', 'reviews', {
        host: 'reviews',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } }],
      }),
      vs('bookinfo', 'reviews', routeTo({ subset: 'v2' })),
    ], { v2Sidecar: false });
    const [leg] = legs('reviews-v2');
    expect(leg).toMatchObject({ tls: 'mtls', outcome: 'fails', subset: 'v2', route: { kind: 'VirtualService', namespace: 'bookinfo', name: 'reviews' } });
    expect(leg.weight).toBeUndefined();
    expect(leg.reason).toMatch(/subset v2\) sets tls ISTIO_MUTUAL \(inherited from the rule's top-level policy\)/);
    // The route sends nothing to v1.
    expect(legs('reviews-v1')).toEqual([]);
    expect(conn('reviews-v1').reached).toBe(false);
  });

  it('example 2: weighted legs are judged one by one, each with its weight', () => {
    const { legs, conn } = bookinfo([
      dr('bookinfo', 'reviews', {
        host: 'reviews',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }],
      }),
      vs('bookinfo', 'reviews', routeTo({ subset: 'v1', weight: 90 }, { subset: 'v2', weight: 10 })),
    ]);
    expect(legs('reviews-v1')).toEqual([expect.objectContaining({ tls: 'plaintext', outcome: 'fails', subset: 'v1', weight: 90 })]);
    expect(legs('reviews-v2')).toEqual([expect.objectContaining({ tls: 'mtls', outcome: 'ok', subset: 'v2', weight: 10 })]);
    expect(conn('reviews-v1').reason).toMatch(/^VirtualService bookinfo\/reviews routes to reviews\.bookinfo\.svc\.cluster\.local:9080 subset v1, weight 90; /);
  });

  it('example 2 in explain: one connection entry per destination, with route, subset and weight', () => {
    const { model } = bookinfo([
      dr('web', 'reviews', {
        host: HOST,
        trafficPolicy: { tls: { mode: 'DISABLE' } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }],
      }),
      vs('bookinfo', 'reviews', routeTo({ subset: 'v1', weight: 90 }, { subset: 'v2', weight: 10 })),
    ]);
    const e = explainMesh(model, { connections: true });
    const fromWeb = e.connections!.filter((c) => c.from.namespace === 'web');
    expect(fromWeb).toEqual([
      expect.objectContaining({
        to: { namespace: 'bookinfo', name: 'reviews-v1', service: 'reviews', port: 9080 },
        tls: 'plaintext',
        outcome: 'fails',
        route: { kind: 'VirtualService', namespace: 'bookinfo', name: 'reviews' },
        subset: 'v1',
        weight: 90,
        destinationRule: { namespace: 'web', name: 'reviews' },
      }),
      expect.objectContaining({ to: expect.objectContaining({ name: 'reviews-v2' }), tls: 'mtls', outcome: 'ok', subset: 'v2', weight: 10 }),
    ]);
  });

  it('example 3: a VirtualService exported only to its namespace is invisible to the client: default cluster, DISABLE fails', () => {
    const { legs } = bookinfo([
      dr('bookinfo', 'reviews', {
        host: 'reviews',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }],
      }),
      vs('bookinfo', 'reviews', { ...routeTo({ subset: 'v1', weight: 90 }, { subset: 'v2', weight: 10 }), exportTo: ['.'] }),
    ]);
    for (const server of ['reviews-v1', 'reviews-v2']) {
      const all = legs(server);
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ tls: 'plaintext', outcome: 'fails' });
      expect(all[0].route).toBeUndefined();
      expect(all[0].subset).toBeUndefined();
    }
  });

  it('example 4: any port entry on a subset resets its tls: auto mTLS, plaintext to a DISABLE endpoint', () => {
    const rule = (subsetPolicy: Record<string, unknown>) => dr('bookinfo', 'reviews', {
      host: 'reviews',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: subsetPolicy }],
    });
    const v1Disable = pa('bookinfo', 'v1', { selector: { matchLabels: { version: 'v1' } }, ...DISABLE });
    const portEntry = { portLevelSettings: [{ port: { number: 9080 }, connectionPool: { tcp: { maxConnections: 10 } } }] };
    expect(bookinfo([rule(portEntry), vs('bookinfo', 'reviews', routeTo({ subset: 'v1' }))]).legs('reviews-v1'))
      .toEqual([expect.objectContaining({ tls: 'mtls', outcome: 'ok', subset: 'v1' })]);
    const reset = bookinfo([rule(portEntry), v1Disable, vs('bookinfo', 'reviews', routeTo({ subset: 'v1' }))]).legs('reviews-v1');
    expect(reset).toEqual([expect.objectContaining({ tls: 'plaintext', outcome: 'ok', subset: 'v1' })]);
    expect(reset[0].client.source).toBe('auto-mtls');
    // trap: without the port entry the subset inherits ISTIO_MUTUAL, and mTLS to the DISABLE endpoint fails.
    const inherited = bookinfo([rule({ loadBalancer: { simple: 'RANDOM' } }), v1Disable, vs('bookinfo', 'reviews', routeTo({ subset: 'v1' }))]).legs('reviews-v1');
    expect(inherited).toEqual([expect.objectContaining({ tls: 'mtls', outcome: 'fails' })]);
  });

  it('example 5 / trap: traffic no mesh VirtualService matches uses the default cluster, whatever the subsets say', () => {
    const rule = dr('bookinfo', 'reviews', {
      host: 'reviews',
      trafficPolicy: { tls: { mode: 'DISABLE' } },
      subsets: [{ name: 'v2', labels: { version: 'v2' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }],
    });
    const gatewayOnly = bookinfo([rule, vs('bookinfo', 'reviews', { ...routeTo({ subset: 'v2' }), gateways: ['istio-system/ingress'] })]);
    expect(gatewayOnly.legs('reviews-v2')).toEqual([expect.objectContaining({ tls: 'plaintext', outcome: 'fails' })]);
    expect(gatewayOnly.legs('reviews-v2')[0].route).toBeUndefined();
    // A match on other clients' labels leaves this client on the default cluster too.
    const otherClients = bookinfo([rule, vs('bookinfo', 'reviews', {
      hosts: ['reviews'], http: [{ match: [{ sourceLabels: { app: 'other' } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }],
    })]);
    expect(otherClients.legs('reviews-v2')).toEqual([expect.objectContaining({ tls: 'plaintext', outcome: 'fails' })]);
    // The mesh route applies to it as soon as the VirtualService is bound to mesh as well.
    const alsoMesh = bookinfo([rule, vs('bookinfo', 'reviews', { ...routeTo({ subset: 'v2' }), gateways: ['istio-system/ingress', 'mesh'] })]);
    expect(alsoMesh.legs('reviews-v2')).toEqual([expect.objectContaining({ tls: 'mtls', outcome: 'ok', subset: 'v2' })]);
  });

  it('example 6: the client namespace\'s DestinationRule wins and lacks the subset: 503', () => {
    const { legs } = bookinfo([
      dr('web', 'reviews', { host: HOST, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
      dr('bookinfo', 'reviews', { host: 'reviews', subsets: [{ name: 'v2', labels: { version: 'v2' } }] }),
      vs('web', 'reviews', { hosts: [HOST], http: [{ route: [{ destination: { host: HOST, subset: 'v2' } }] }] }),
    ]);
    const all = [...legs('reviews-v1'), ...legs('reviews-v2')];
    expect(all).toEqual([expect.objectContaining({ outcome: 'fails', subset: 'v2' }), expect.objectContaining({ outcome: 'fails', subset: 'v2' })]);
    expect(all[0].reason).toMatch(/DestinationRule web\/reviews, which the client uses for reviews\.bookinfo\.svc\.cluster\.local, has no subset v2: .*503/);
  });

  it('a subset whose labels select no endpoint gets no traffic through: 503', () => {
    const { legs } = bookinfo([
      dr('bookinfo', 'reviews', { host: 'reviews', subsets: [{ name: 'v3', labels: { version: 'v3' } }] }),
      vs('bookinfo', 'reviews', routeTo({ subset: 'v3' })),
    ]);
    expect(legs('reviews-v1')).toEqual([expect.objectContaining({ outcome: 'fails', subset: 'v3', reason: expect.stringMatching(/selects no endpoint/) })]);
  });

  it('rules of one host in one namespace merge: a subset of the second rule is found', () => {
    const { legs } = bookinfo([
      dr('bookinfo', 'a-reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
      dr('bookinfo', 'b-reviews', { host: 'reviews', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, subsets: [{ name: 'v2', labels: { version: 'v2' } }] }),
      vs('bookinfo', 'reviews', routeTo({ subset: 'v2' })),
    ], { v2Sidecar: false });
    // Merged: v2 comes from b, the top-level ISTIO_MUTUAL too, so mTLS to the plaintext pod fails.
    const [leg] = legs('reviews-v2');
    expect(leg).toMatchObject({ tls: 'mtls', outcome: 'fails', subset: 'v2' });
    expect(leg.client.destinationRule?.name).toBe('b-reviews');
  });

  it('a contested merge (two top-level policies) is ok only if ok whichever rule is oldest', () => {
    const manifests = (second: string) => [
      dr('bookinfo', 'a-reviews', { host: 'reviews', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
      dr('bookinfo', 'b-reviews', { host: 'reviews', trafficPolicy: { tls: { mode: second } }, subsets: [{ name: 'v2', labels: { version: 'v2' } }] }),
      vs('bookinfo', 'reviews', routeTo({ subset: 'v1' })),
    ];
    const contested = bookinfo(manifests('DISABLE')).legs('reviews-v1');
    expect(contested).toEqual([expect.objectContaining({ tls: 'plaintext', outcome: 'fails' })]);
    expect(contested[0].reason).toMatch(/merge differently depending on which is oldest/);
    expect(bookinfo(manifests('ISTIO_MUTUAL')).legs('reviews-v1')).toEqual([expect.objectContaining({ tls: 'mtls', outcome: 'ok' })]);
  });

  it('competing VirtualServices for one host: each one\'s routes count, and the reason says IST0109', () => {
    const { legs } = bookinfo([
      dr('bookinfo', 'reviews', {
        host: 'reviews',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }],
      }),
      vs('bookinfo', 'to-v1', routeTo({ subset: 'v1' })),
      vs('bookinfo', 'to-v2', routeTo({ subset: 'v2' })),
    ]);
    expect(legs('reviews-v1')).toEqual([expect.objectContaining({ outcome: 'fails', route: expect.objectContaining({ name: 'to-v1' }) })]);
    expect(legs('reviews-v2')).toEqual([expect.objectContaining({ outcome: 'ok', route: expect.objectContaining({ name: 'to-v2' }) })]);
    expect(legs('reviews-v1')[0].reason).toMatch(/IST0109/);
  });

  it('a route to another host reaches that host\'s servers, through its own DestinationRule', () => {
    const { model, w } = bookinfo([
      deploy('bookinfo', 'ratings', { ports: [9080] }),
      svc('bookinfo', 'ratings', { app: 'ratings' }, [{ port: 9080, name: 'http' }]),
      dr('bookinfo', 'ratings', { host: 'ratings', trafficPolicy: { tls: { mode: 'DISABLE' } } }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'ratings' } }] }] }),
    ]);
    const reviews = model.services.find((s) => s.name === 'reviews')!;
    expect(resolveConnectionLegs(model, w('productpage'), reviews, 9080, w('reviews-v1'))).toEqual([]);
    const ratingsLeg = resolveConnection(model, w('productpage'), reviews, 9080, w('ratings'));
    expect(ratingsLeg).toMatchObject({ tls: 'plaintext', outcome: 'fails', destinationHost: 'ratings.bookinfo.svc.cluster.local' });
    expect(ratingsLeg.client.destinationRule?.name).toBe('ratings');
  });

  it('trap: a client without a sidecar ignores VirtualServices and subsets', () => {
    const { model, service } = bookinfo([
      deploy('web', 'cron', { labels: { 'app': 'cron', 'sidecar.istio.io/inject': 'false' } }),
      pa('bookinfo', 'default', PERMISSIVE),
      vs('bookinfo', 'reviews', routeTo({ subset: 'missing' })),
    ]);
    const cron = model.workloads.find((x) => x.name === 'cron')!;
    const v1 = model.workloads.find((x) => x.name === 'reviews-v1')!;
    expect(resolveConnectionLegs(model, cron, service, 9080, v1)).toEqual([expect.objectContaining({ tls: 'plaintext', outcome: 'ok' })]);
  });
});

describe('SEMANTICS §4: ServiceEntry and WorkloadEntry servers', () => {
  const we = (labels: Record<string, string>, metadataLabels: Record<string, string> = {}, serviceAccount: string | undefined = 'vm-api'): Manifest => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'WorkloadEntry',
    metadata: { name: 'vm-1', namespace: 'vms', labels: metadataLabels },
    spec: { address: '10.1.2.3', ...(serviceAccount ? { serviceAccount } : {}), labels },
  });
  const se = (extra: Record<string, unknown>): Manifest => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'vm-api', namespace: 'vms' },
    spec: { hosts: ['vm-api.corp'], ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC', workloadSelector: { labels: { app: 'vm-api' } }, ...extra },
  });
  function vmCall(extra: Manifest[], options: MeshOptions = {}) {
    const model = buildMeshModel([ns('vms'), deploy('vms', 'client'), ...extra], options);
    const client = model.workloads.find((x) => x.name === 'client')!;
    const entry = model.serviceEntries[0];
    const server = workloadEntryWorkload(model.workloadEntries[0]);
    return { model, r: resolveConnection(model, client, serviceEntryService(entry, 'vm-api.corp'), 8080, server) };
  }

  it('example 1: a ServiceEntry without location is MESH_EXTERNAL: plaintext to a STRICT VM fails', () => {
    const { r } = vmCall([se({}), we({ app: 'vm-api' }), pa('vms', 'default', STRICT)]);
    expect(r).toMatchObject({ tls: 'plaintext', outcome: 'fails', assumed: true });
    expect(r.to).toMatchObject({ kind: 'WorkloadEntry', namespace: 'vms', name: 'vm-1' });
    expect(r.reason).toMatch(/MESH_EXTERNAL: auto mTLS never applies/);
    expect(r.reason).toMatch(/the VM's proxy cannot be seen, assumed present as its tlsMode is istio \[assumed\]/);
  });

  it('example 1 with a DestinationRule: MESH_EXTERNAL uses the rule\'s tls as written', () => {
    const rule = dr('vms', 'vm', { host: 'vm-api.corp', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
    expect(vmCall([se({}), we({ app: 'vm-api' }), pa('vms', 'default', STRICT), rule]).r).toMatchObject({ tls: 'mtls', outcome: 'ok' });
  });

  it('example 2: MESH_INTERNAL, a service account gives tlsMode istio: auto mTLS sends mTLS (proxy assumed)', () => {
    const { r } = vmCall([se({ location: 'MESH_INTERNAL' }), we({ app: 'vm-api' }), pa('vms', 'default', STRICT)]);
    expect(r).toMatchObject({ tls: 'mtls', outcome: 'ok', serverDataplane: 'sidecar', assumed: true });
  });

  it('example 3: metadata labels win over spec labels: tlsMode disabled, plaintext, no proxy assumed', () => {
    const { r } = vmCall([
      se({ location: 'MESH_INTERNAL' }),
      we({ 'app': 'vm-api', 'security.istio.io/tlsMode': 'istio' }, { 'security.istio.io/tlsMode': 'disabled' }),
      pa('vms', 'default', STRICT),
    ]);
    expect(r).toMatchObject({ tls: 'plaintext', serverDataplane: 'none', serverSidecar: false });
    expect(r.reason).toMatch(/assumed absent as its tlsMode is disabled \[assumed\]/);
  });

  it('example 4: a DISABLE PeerAuthentication selecting the WorkloadEntry\'s labels: clients send plaintext, the VM takes it', () => {
    const { r } = vmCall([
      se({ location: 'MESH_INTERNAL' }), we({ app: 'vm-api' }), pa('vms', 'default', STRICT),
      pa('vms', 'vm', { selector: { matchLabels: { app: 'vm-api' } }, ...DISABLE }),
    ]);
    expect(r).toMatchObject({ tls: 'plaintext', outcome: 'ok' });
  });

  it('example 5: a DNS ServiceEntry without endpoints has a hostname endpoint, tlsMode disabled: plaintext', () => {
    const model = buildMeshModel([ns('vms'), deploy('vms', 'client'), {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'db', namespace: 'vms' },
      spec: { hosts: ['db.internal'], location: 'MESH_INTERNAL', resolution: 'DNS', ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }] },
    }]);
    const [endpoint] = serviceEntryEndpoints(model.serviceEntries[0], [], [], 'cluster.local');
    expect(endpoint).toMatchObject({ kind: 'dns-host', tlsMode: 'disabled' });
    const client = model.workloads[0];
    const lookup = lookupDestinationRule(model, client, 'db.internal', 'vms');
    const tls = clientTlsForCluster(model, true, lookup, { variant: null, port: 5432 }, { sidecar: false, mode: 'PERMISSIVE', tlsMode: endpoint.tlsMode },
      { namespace: 'vms', headless: false, meshExternal: false });
    expect(tls.tls).toBe('plaintext');
  });

  it('a Kubernetes Service selects WorkloadEntries by label, and explain names the entry as the server', () => {
    const model = buildMeshModel([
      ns('vms'), deploy('vms', 'client'), we({ app: 'vm-api' }), pa('vms', 'default', STRICT),
      svc('vms', 'vm-api', { app: 'vm-api' }, [{ port: 80, targetPort: 8080 }]),
    ]);
    const e = explainMesh(model, { connections: true });
    const toVm = e.connections!.filter((c) => c.to.name === 'vm-1');
    expect(toVm).toEqual([expect.objectContaining({ to: { namespace: 'vms', name: 'vm-1', service: 'vm-api', port: 80 }, tls: 'mtls', outcome: 'ok' })]);
  });

  it('explain lists the ServiceEntry hosts of the client\'s namespace, with pod and WorkloadEntry endpoints', () => {
    const model = buildMeshModel([
      ns('vms'), deploy('vms', 'client'), deploy('vms', 'vm-api-pod', { labels: { app: 'vm-api' }, ports: [8080] }),
      se({}), we({ app: 'vm-api' }), pa('vms', 'default', STRICT),
    ]);
    const e = explainMesh(model, { connections: true });
    const toHost = e.connections!.filter((c) => c.from.name === 'client' && c.to.service === 'vm-api.corp');
    expect(toHost.map((c) => `${c.to.name} ${c.tls} ${c.outcome}`)).toEqual(['vm-1 plaintext fails', 'vm-api-pod plaintext fails']);
  });

  it('trap: a MESH_INTERNAL ServiceEntry over sidecar pods gets auto mTLS', () => {
    const model = buildMeshModel([
      ns('vms'), deploy('vms', 'client'), deploy('vms', 'vm-api-pod', { labels: { app: 'vm-api' }, ports: [8080] }),
      se({ location: 'MESH_INTERNAL' }), pa('vms', 'default', STRICT),
    ]);
    const w = (n: string) => model.workloads.find((x) => x.name === n)!;
    const r = resolveConnection(model, w('client'), serviceEntryService(model.serviceEntries[0], 'vm-api.corp'), 8080, w('vm-api-pod'));
    expect(r).toMatchObject({ tls: 'mtls', outcome: 'ok' });
  });
});

describe('SEMANTICS §6: the Sidecar scope', () => {
  function payCall(extra: Manifest[], mode = STRICT, options: MeshOptions = {}) {
    const model = buildMeshModel([
      ns('web'), ns('payments'), pa('payments', 'default', mode), deploy('web', 'web'), deploy('payments', 'pay'),
      svc('payments', 'pay', { app: 'pay' }, [{ port: 80, targetPort: 8080 }]), ...extra,
    ], options);
    const w = (n: string) => model.workloads.find((x) => x.name === n)!;
    return resolveConnection(model, w('web'), model.services[0], 80, w('pay'));
  }
  const narrow = (extra: Record<string, unknown> = {}) => sidecarRes('web', 'default', { egress: [{ hosts: ['./*', 'istio-system/*'] }], ...extra });

  it('example 1: a host the Sidecar does not import goes to the PassthroughCluster as plaintext: STRICT fails', () => {
    const r = payCall([narrow()]);
    expect(r).toMatchObject({ tls: 'plaintext', outcome: 'fails', scope: 'passthrough' });
    expect(r.reason).toMatch(/Sidecar does not import pay\.payments\.svc\.cluster\.local: ALLOW_ANY .*PassthroughCluster/);
    // PERMISSIVE takes it, unencrypted.
    expect(payCall([narrow()], PERMISSIVE)).toMatchObject({ tls: 'plaintext', outcome: 'ok', scope: 'passthrough' });
  });

  it('example 2: REGISTRY_ONLY sends it to the BlackHoleCluster: fails whatever the server mode', () => {
    const registryOnly = narrow({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(payCall([registryOnly])).toMatchObject({ outcome: 'fails', scope: 'blackhole' });
    expect(payCall([registryOnly], PERMISSIVE)).toMatchObject({ outcome: 'fails', scope: 'blackhole' });
    expect(payCall([registryOnly], PERMISSIVE).reason).toMatch(/REGISTRY_ONLY: BlackHoleCluster/);
    // The mesh's policy applies when the Sidecar has none.
    expect(payCall([narrow()], PERMISSIVE, { outboundTrafficPolicy: 'REGISTRY_ONLY' })).toMatchObject({ outcome: 'fails', scope: 'blackhole' });
  });

  it('trap: a Sidecar that imports the host leaves the call as it was', () => {
    const r = payCall([sidecarRes('web', 'default', { egress: [{ hosts: ['./*', 'payments/*'] }] })]);
    expect(r).toMatchObject({ tls: 'mtls', outcome: 'ok' });
    expect(r.scope).toBeUndefined();
  });
});
