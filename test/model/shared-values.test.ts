import { describe, expect, it } from 'vitest';
import { buildMeshModel } from '../../src/model';
import { parseWorkload } from '../../src/model/inventory';
import { SharedValues } from '../../src/model/shared-values';
import { ap, deploy, dr, pa, svc } from '../resolution/helpers';

/*
 * The model keeps one copy of values that are equal between the resources of a
 * mesh (ports, TLS settings, label maps, paths). What users see must not
 * change: every resource reads back with its own values as written, equal
 * values read back equal, different ones never take each other's place, and
 * the model stays immutable.
 */
describe('values shared between the resources of one mesh', () => {
  it('gives each workload and Service its own ports as written, equal ones alike, different ones apart', () => {
    const m = buildMeshModel([
      deploy('a', 'one', { ports: [{ port: 8080, name: 'http' }, 9090] }),
      deploy('b', 'two', { ports: [{ port: 8080, name: 'http' }, 9090] }),
      deploy('a', 'three', { ports: [{ port: 8080, name: 'web' }, 9090] }),
      svc('a', 'one', { app: 'one' }, [{ port: 80, targetPort: 8080, name: 'http' }]),
      svc('b', 'two', { app: 'two' }, [{ port: 80, targetPort: 8080, name: 'http' }]),
      svc('a', 'three', { app: 'three' }, [{ port: 80, targetPort: 'http', name: 'http' }]),
    ]);
    const w = new Map(m.workloads.map((x) => [x.name, x]));
    const http = [{ port: 8080, protocol: 'TCP', name: 'http' }, { port: 9090, protocol: 'TCP' }];
    expect(w.get('one')!.ports).toEqual(http);
    expect(w.get('two')!.ports).toEqual(http);
    expect(w.get('three')!.ports).toEqual([{ port: 8080, protocol: 'TCP', name: 'web' }, { port: 9090, protocol: 'TCP' }]);
    expect(w.get('three')!.ports.map((p) => p.name)).toEqual(['web', undefined]);
    const s = new Map(m.services.map((x) => [x.name, x]));
    expect(s.get('one')!.ports).toEqual([{ port: 80, targetPort: 8080, protocol: 'TCP', name: 'http' }]);
    expect(s.get('two')!.ports).toEqual(s.get('one')!.ports);
    expect(s.get('three')!.ports[0].targetPort).toBe('http');
    expect(Object.isFrozen(s.get('one')!.ports[0])).toBe(true);
  });

  it('keeps the port-level key as written in the pointer, and reads equal TLS settings, ports and principals alike', () => {
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
    expect(a.portLevel).toEqual([{ port: 8080, mode: 'STRICT', path: '/spec/portLevelMtls/8080/mode' }]);
    expect(b.portLevel).toEqual([{ port: 8080, mode: 'STRICT', path: '/spec/portLevelMtls/08080/mode' }]);
    expect(c.portLevel).toEqual(a.portLevel);
    for (const d of m.destinationRules) expect(d.tls).toEqual({ mode: 'ISTIO_MUTUAL', path: '/spec/trafficPolicy/tls/mode' });
    const [p, q] = m.authorizationPolicies;
    expect(p.rules[0].ports).toEqual([8080]);
    expect(q.rules[0].ports).toEqual([8080]);
    expect(p.principals).toEqual([{ value: 'cluster.local/ns/a/sa/x', path: '/spec/rules/0/from/0/source/principals/0', negative: false }]);
    expect(q.principals).toEqual([{ value: 'cluster.local/ns/b/sa/y', path: '/spec/rules/0/from/0/source/principals/0', negative: false }]);
  });

  it('reads equal label maps alike: pod labels, Service selectors and policy selectors, each in its own order', () => {
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
    expect(apiA.labels).toEqual({ app: 'api' });
    expect(apiB.labels).toEqual({ app: 'api' });
    expect(m.services[0].selector).toEqual({ app: 'api' });
    expect(m.peerAuthentications[0].selector).toEqual({ app: 'api' });
    expect(m.authorizationPolicies[0].selector).toEqual({ app: 'api' });
    expect(m.destinationRules[0].workloadSelector).toEqual({ app: 'api' });
    // Equal labels written in another order stay as written (messages list them in their own order).
    expect(Object.keys(webA.labels)).toEqual(['app', 'version']);
    expect(Object.keys(webB.labels)).toEqual(['version', 'app']);
    expect(Object.isFrozen(apiA.labels)).toBe(true);
    expect(m.workloadsMatching('a', { app: 'api' })).toEqual([apiA]);
    expect(m.servicesSelecting(apiB)).toEqual([]);
  });

  it('keeps each mesh to its own values, and reads a manifest alike on its own or with others', () => {
    const one = buildMeshModel([deploy('a', 'w', { ports: [{ port: 8080, name: 'http' }] })]);
    const two = buildMeshModel([deploy('a', 'w', { ports: [{ port: 8080, name: 'web' }] })]);
    const again = buildMeshModel([deploy('a', 'w', { ports: [{ port: 8080, name: 'http' }] })]);
    expect(one.workloads[0].ports).toEqual([{ port: 8080, protocol: 'TCP', name: 'http' }]);
    expect(two.workloads[0].ports).toEqual([{ port: 8080, protocol: 'TCP', name: 'web' }]);
    expect(again.workloads[0].ports).toEqual(one.workloads[0].ports);
    const alone = parseWorkload(deploy('a', 'w'), 'a')!.ports;
    expect(parseWorkload(deploy('a', 'w'), 'a')!.ports).toEqual(alone);
    const shared = new SharedValues();
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'a', name: 'w' };
    expect(parseWorkload(deploy('a', 'w'), 'a', ref, shared)!.ports).toEqual(alone);
    expect(parseWorkload(deploy('a', 'v'), 'a', ref, shared)!.ports).toEqual(alone);
    expect(parseWorkload(deploy('a', 'x', { ports: [{ port: 8080, name: 'web' }] }), 'a', ref, shared)!.ports)
      .toEqual([{ port: 8080, protocol: 'TCP', name: 'web' }]);
  });
});
