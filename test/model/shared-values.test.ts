import { describe, expect, it } from 'vitest';
import { buildMeshModel } from '../../src/model';
import { parseWorkload } from '../../src/model/inventory';
import { SharedValues } from '../../src/model/shared-values';
import { ap, deploy, dr, pa, svc } from '../resolution/helpers';

describe('values shared between the resources of one mesh', () => {
  it('keeps one copy of equal ports and port lists, and tells different ones apart', () => {
    const m = buildMeshModel([
      deploy('a', 'one', { ports: [{ port: 8080, name: 'http' }, 9090] }),
      deploy('b', 'two', { ports: [{ port: 8080, name: 'http' }, 9090] }),
      deploy('a', 'three', { ports: [{ port: 8080, name: 'web' }, 9090] }),
      svc('a', 'one', { app: 'one' }, [{ port: 80, targetPort: 8080, name: 'http' }]),
      svc('b', 'two', { app: 'two' }, [{ port: 80, targetPort: 8080, name: 'http' }]),
      svc('a', 'three', { app: 'three' }, [{ port: 80, targetPort: 'http', name: 'http' }]),
    ]);
    const w = new Map(m.workloads.map((x) => [x.name, x]));
    expect(w.get('one')!.ports).toBe(w.get('two')!.ports);
    expect(w.get('three')!.ports).not.toBe(w.get('one')!.ports);
    expect(w.get('three')!.ports[1]).toBe(w.get('one')!.ports[1]);
    expect(w.get('three')!.ports.map((p) => p.name)).toEqual(['web', undefined]);
    const s = new Map(m.services.map((x) => [x.name, x]));
    expect(s.get('one')!.ports).toBe(s.get('two')!.ports);
    expect(s.get('three')!.ports[0].targetPort).toBe('http');
    expect(Object.isFrozen(s.get('one')!.ports[0])).toBe(true);
  });

  it('keeps the port-level key as written in the shared pointer, and shares equal TLS settings and paths', () => {
    const m = buildMeshModel([
      pa('a', 'x', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { 8080: { mode: 'STRICT' } } }),
      pa('b', 'x', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { '08080': { mode: 'STRICT' } } }),
      pa('c', 'x', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { 8080: { mode: 'STRICT' } } }),
      dr('a', 'd', { host: 'x', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
      dr('b', 'd', { host: 'x', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
      ap('a', 'p', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/a/sa/x'] } }], to: [{ operation: { ports: ['8080'] } }] }] }),
      ap('b', 'p', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/b/sa/y'] } }], to: [{ operation: { ports: ['8080'] } }] }] }),
    ]);
    const [a, b, c] = m.peerAuthentications;
    expect(a.portLevel).toBe(c.portLevel);
    expect(b.portLevel[0]).toEqual({ port: 8080, mode: 'STRICT', path: '/spec/portLevelMtls/08080/mode' });
    expect(a.portLevel[0].path).toBe('/spec/portLevelMtls/8080/mode');
    expect(m.destinationRules[0].tls).toBe(m.destinationRules[1].tls);
    const [p, q] = m.authorizationPolicies;
    expect(p.rules[0].ports).toBe(q.rules[0].ports);
    expect(p.principals.map((x) => x.value)).toEqual(['cluster.local/ns/a/sa/x']);
    expect(q.principals.map((x) => x.value)).toEqual(['cluster.local/ns/b/sa/y']);
    expect(p.principals[0].path).toBe(q.principals[0].path);
  });

  it('keeps one copy of equal label maps: pod labels, Service selectors and policy selectors', () => {
    const m = buildMeshModel([
      deploy('a', 'api'),
      deploy('b', 'api'),
      deploy('a', 'web', { labels: { app: 'web', version: 'v1' } }),
      deploy('b', 'web', { labels: { version: 'v1', app: 'web' } }),
      svc('a', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]),
      pa('b', 'api', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' } }),
      ap('a', 'api', { selector: { matchLabels: { app: 'api' } } }),
      dr('a', 'api', { host: 'api', workloadSelector: { matchLabels: { app: 'api' } } }),
    ]);
    const [apiA, webA, apiB, webB] = m.workloads;
    expect(apiA.labels).toBe(apiB.labels);
    expect(m.services[0].selector).toBe(apiA.labels);
    expect(m.peerAuthentications[0].selector).toBe(apiA.labels);
    expect(m.authorizationPolicies[0].selector).toBe(apiA.labels);
    expect(m.destinationRules[0].workloadSelector).toBe(apiA.labels);
    // Equal labels written in another order stay as written (messages list them in their own order).
    expect(Object.keys(webB.labels)).toEqual(['version', 'app']);
    expect(webA.labels).not.toBe(webB.labels);
    expect(Object.isFrozen(apiA.labels)).toBe(true);
    expect(m.workloadsMatching('a', { app: 'api' })).toEqual([apiA]);
    expect(m.servicesSelecting(apiB)).toEqual([]);
  });

  it('shares nothing between meshes, nor for a manifest read on its own', () => {
    const one = buildMeshModel([deploy('a', 'w')]);
    const two = buildMeshModel([deploy('a', 'w')]);
    expect(one.workloads[0].ports).toEqual(two.workloads[0].ports);
    expect(one.workloads[0].ports).not.toBe(two.workloads[0].ports);
    expect(parseWorkload(deploy('a', 'w'), 'a')!.ports).not.toBe(parseWorkload(deploy('a', 'w'), 'a')!.ports);
    const shared = new SharedValues();
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'a', name: 'w' };
    expect(parseWorkload(deploy('a', 'w'), 'a', ref, shared)!.ports).toBe(parseWorkload(deploy('a', 'v'), 'a', ref, shared)!.ports);
  });
});
