import { describe, expect, it } from 'vitest';
import { buildMeshModel, Manifest, MeshModel } from '../../src/model';
import { contentFingerprint } from '../../src/model/content-fingerprint';
import { ModelEntries, modelOfEntries, readForModel } from '../../src/model/mesh-model';
import { resolveMeshOptions } from '../../src/model/mesh-options';
import { deploy, dr, ns, pa, svc } from '../resolution/helpers';

describe('buildMeshModel', () => {
  it('never throws on hostile or malformed input, and records what it skipped', () => {
    const junk = [null, 42, 'x', [], { kind: 'Deployment' }, { kind: 'PeerAuthentication', apiVersion: 'security.istio.io/v1', metadata: 'nope', spec: [] },
      { kind: 'Service', metadata: { name: 's' }, spec: { ports: 'many', selector: 7 } }, { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ ports: [{ containerPort: 'abc' }] }] } }];
    const m = buildMeshModel(junk as unknown as Manifest[]);
    expect(m.peerAuthentications).toHaveLength(1);
    expect(m.peerAuthentications[0]).toMatchObject({ namespace: 'default', mode: 'UNSET', level: 'namespace' });
    expect(m.services[0]).toMatchObject({ name: 's', selector: undefined, ports: [] });
    expect(m.workloads.map((w) => w.name)).toEqual(['p']);
    expect(m.skipped.map((s) => s.reason)).toContain('not an object');
    expect(buildMeshModel(undefined as unknown as Manifest[]).workloads).toEqual([]);
  });

  it('reads pod-template labels, ports, service account and named ports for every workload kind', () => {
    const m = buildMeshModel(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'].map((kind, i) =>
      deploy('a', `w${i}`, { kind, labels: { app: 'x' }, ports: [{ port: 8080, name: 'http' }], serviceAccount: 'sa' })));
    expect(m.workloads).toHaveLength(7);
    for (const w of m.workloads) {
      expect(w.labels).toEqual({ app: 'x' });
      expect(w.ports).toEqual([{ port: 8080, name: 'http', protocol: 'TCP' }]);
      expect(w.serviceAccount).toBe('sa');
    }
  });

  it('skips objects owned by a workload in the input (ReplicaSets and Pods of a cluster dump)', () => {
    const rs = { ...deploy('a', 'api-123', { kind: 'ReplicaSet' }), metadata: { name: 'api-123', namespace: 'a', ownerReferences: [{ kind: 'Deployment', name: 'api' }] } };
    const m = buildMeshModel([deploy('a', 'api'), rs]);
    expect(m.workloads.map((w) => w.kind)).toEqual(['Deployment']);
    expect(m.skipped[0].reason).toBe('owned by Deployment a/api in the input');
  });

  it('keeps the last definition of a resource, as kubectl apply would', () => {
    const m = buildMeshModel([pa('a', 'x', { mtls: { mode: 'STRICT' } }), pa('a', 'x', { mtls: { mode: 'DISABLE' } })]);
    expect(m.peerAuthentications.map((p) => p.mode)).toEqual(['DISABLE']);
  });

  it('accepts port-level keys as YAML integers or strings and ignores non-ports', () => {
    const m = buildMeshModel([pa('a', 'x', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { 8080: { mode: 'STRICT' }, 9090: { mode: 'DISABLE' }, http: { mode: 'DISABLE' }, 0: {} } })]);
    expect(m.peerAuthentications[0].portLevel.map((p) => [p.port, p.mode])).toEqual([[8080, 'STRICT'], [9090, 'DISABLE']]);
  });

  it('indexes by namespace and label, and finds Services of a workload and workloads of a Service', () => {
    const m = buildMeshModel([
      ns('a'), deploy('a', 'api', { labels: { app: 'api', tier: 'back' } }), deploy('a', 'web', { labels: { app: 'web', tier: 'front' } }), deploy('b', 'api'),
      svc('a', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]),
      dr('a', 'wide', { host: '*.a.svc.cluster.local' }), dr('a', 'exact', { host: 'api' }),
    ]);
    expect(m.workloadsMatching('a', { tier: 'back' }).map((w) => w.name)).toEqual(['api']);
    expect(m.workloadsMatching('a', {}).map((w) => w.name)).toEqual(['api', 'web']);
    expect(m.workloadsMatchingAnywhere({ app: 'api' }).map((w) => w.namespace)).toEqual(['a', 'b']);
    expect(m.servicesSelecting(m.workloads[0]).map((s) => s.name)).toEqual(['api']);
    expect(m.workloadsOf(m.services[0]).map((w) => w.key)).toEqual(['a/Deployment/api']);
    expect(m.destinationRulesForHost('a', 'api.a.svc.cluster.local').map((d) => d.name)).toEqual(['exact', 'wide']);
    expect(m.servicesMatchingHost('*.a.svc.cluster.local').map((s) => s.name)).toEqual(['api']);
    expect(m.namespaceNames).toEqual(['a', 'b', 'istio-system']);
  });

  it('is immutable', () => {
    const m = buildMeshModel([pa('a', 'x', { mtls: { mode: 'STRICT' } })]);
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.isFrozen(m.peerAuthentications)).toBe(true);
    expect(Object.isFrozen(m.peerAuthentications[0])).toBe(true);
  });
});

describe('readForModel / modelOfEntries', () => {
  it('read one manifest at a time, give the model buildMeshModel gives', () => {
    const rs = { ...deploy('a', 'api-123', { kind: 'ReplicaSet' }), metadata: { name: 'api-123', namespace: 'a', ownerReferences: [{ kind: 'Deployment', name: 'api' }] } };
    const noNamespace = { ...deploy('a', 'lost'), metadata: { name: 'lost' } };
    const manifests = [
      ns('a'), 42, deploy('a', 'api'), rs, noNamespace, svc('a', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]),
      pa('a', 'x', { mtls: { mode: 'STRICT' } }), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' } },
      pa('a', 'x', { mtls: { mode: 'DISABLE' } }), dr('a', 'd', { host: 'api' }),
    ] as unknown as Manifest[];
    const opts = resolveMeshOptions({ rootNamespace: 'mesh' });
    const entries = new ModelEntries(opts);
    for (const m of manifests) entries.push(readForModel(m, opts), contentFingerprint(m));
    // Kept compact (most entries as their resource alone), each entry reads back as read.
    manifests.forEach((m, i) => expect(entries.entry(i)).toEqual(readForModel(m, opts)));
    // Read in two parts (as an alternative state after the app's other charts), the model is the same.
    const first = new ModelEntries(opts);
    const second = new ModelEntries(opts);
    manifests.forEach((m, i) => (i < 5 ? first : second).add(m));
    const streamed = modelOfEntries(entries, opts);
    expect(JSON.stringify(modelOfEntries([first, second], opts))).toEqual(JSON.stringify(streamed));
    const built = buildMeshModel(manifests, { rootNamespace: 'mesh', now: opts.now });
    const data = (m: MeshModel) => JSON.stringify(m);
    expect(data(streamed)).toEqual(data(built));
    expect(streamed.skipped.map((s) => [s.index, s.reason])).toEqual([
      [1, 'not an object'], [3, 'owned by Deployment a/api in the input'], [6, 'redefined later in the input'],
    ]);
    expect(streamed.workloads.map((w) => w.ref)).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'a', name: 'api' },
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'lost' },
    ]);
  });
});
