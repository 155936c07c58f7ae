import { describe, expect, it } from 'vitest';
import { lint } from '../../src/lint';
import { sortedIndexOf } from '../../src/model/lists';
import { Manifest } from '../../src/model/manifest';
import { buildMeshModel } from '../../src/model/mesh-model';
import { PeerAuthenticationPolicy, portLevelOf } from '../../src/model/policies';
import { resolveServerMode } from '../../src/resolution/server-mode';

const deployment = (i: number, port: number): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: `w${i}`, namespace: 'big' },
  spec: {
    selector: { matchLabels: { app: 'same' } },
    template: { metadata: { labels: { app: 'same', i: `x${i}` } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: port }] }] } },
  },
});

const portLevel = (ports: number, mode: (p: number) => string): Manifest => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: { name: 'p', namespace: 'big' },
  spec: { selector: { matchLabels: { app: 'same' } }, mtls: { mode: 'STRICT' }, portLevelMtls: Object.fromEntries(Array.from({ length: ports }, (_, k) => [String(k + 1), { mode: mode(k + 1) }])) },
});

describe('policies over many workloads and ports', () => {
  it('finds a port-level mode as a scan of the sorted list does, the first of equal ports', () => {
    const entries = [{ port: 80, mode: 'DISABLE', path: 'a' }, { port: 443, mode: 'STRICT', path: 'b' }, { port: 443, mode: 'DISABLE', path: 'c' }];
    const pa = { portLevel: entries } as unknown as PeerAuthenticationPolicy;
    for (const port of [0, 79, 80, 81, 443, 444]) expect(portLevelOf(pa, port)).toBe(pa.portLevel.find((p) => p.port === port));
    expect(sortedIndexOf([1, 3, 3, 7], (x) => x, 3)).toBe(1);
    expect(sortedIndexOf([1, 3, 3, 7], (x) => x, 4)).toBe(-1);
    expect(sortedIndexOf([], (x: number) => x, 4)).toBe(-1);
  });

  it('gives workloads the same policies select the modes each would get alone, per container port list', () => {
    const pa = portLevel(300, (p) => (p % 2 ? 'DISABLE' : 'PERMISSIVE'));
    const manifests = [pa, deployment(0, 8080), deployment(1, 8080), deployment(2, 7)];
    const model = buildMeshModel(manifests);
    const [a, b, c] = ['w0', 'w1', 'w2'].map((n) => resolveServerMode(model, model.workloads.find((w) => w.name === n)!));
    for (const [i, r] of [a, b, c].entries()) {
      // The same workload in a mesh of its own.
      const own = buildMeshModel([pa, manifests[1 + i]]);
      const alone = resolveServerMode(own, own.workloads[0]);
      expect(r.ports.map((p) => [p.port, p.mode])).toEqual(alone.ports.map((p) => [p.port, p.mode]));
      for (const port of [7, 8080, 9999]) expect(r.portMode(port).mode).toBe(alone.portMode(port).mode);
    }
    expect(a.ports).toHaveLength(301);
    expect(c.ports).toHaveLength(300);
    expect(c.portMode(7).mode).toBe('DISABLE');
  });

  it('lints a policy of 400 ports over 1,000 workloads, and an ALLOW over them, in time linear in workloads and ports', () => {
    // Each of these took minutes before (a problem list deduplicated pairwise, every port decided per workload by a scan).
    const manifests: Manifest[] = Array.from({ length: 1000 }, (_, i) => deployment(i, 8080));
    manifests.push(portLevel(400, () => 'DISABLE'), {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'a', namespace: 'big' },
      spec: { selector: { matchLabels: { app: 'same' } }, rules: [{ from: [{ source: { principals: Array.from({ length: 500 }, (_, k) => `cluster.local/ns/n${k}/sa/s`) } }] }] },
    });
    const codes = lint(manifests.map((manifest) => ({ manifest }))).map((f) => f.code);
    expect(codes.filter((c) => c === 'IMA009')).toHaveLength(1);
    expect(codes.filter((c) => c === 'IMA006')).toHaveLength(400);
  }, 120_000);
});
