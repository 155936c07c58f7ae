import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMeshModel, Manifest } from '../../src/model';
import { resolveServerMode } from '../../src/resolution';

/*
 * A deliberately naive reference, written from DESIGN.md without the engine's
 * code: try every choice of "oldest" policy at every level (the cartesian
 * product), compose each, and call the result ambiguous when the choices disagree.
 */
type Mode = 'UNSET' | 'STRICT' | 'PERMISSIVE' | 'DISABLE';
interface RefPolicy { ns: string; name: string; labels: Record<string, string> | null; mode: Mode; ports: Record<number, Mode> }
interface RefWorkload { ns: string; name: string; labels: Record<string, string>; ports: number[] }

const ROOT = 'istio-system';

function matches(sel: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(sel).every(([k, v]) => labels[k] === v);
}

function referenceModes(policies: RefPolicy[], w: RefWorkload): { workload: string; ports: Map<number, string> } {
  const hasSel = (p: RefPolicy) => p.labels !== null && Object.keys(p.labels).length > 0;
  const mesh = policies.filter((p) => p.ns === ROOT && !hasSel(p));
  const nsLevel = w.ns === ROOT ? [] : policies.filter((p) => p.ns === w.ns && !hasSel(p));
  const wl = w.ns === ROOT ? [] : policies.filter((p) => p.ns === w.ns && hasSel(p) && matches(p.labels!, w.labels));
  const choices = (l: RefPolicy[]) => (l.length === 0 ? [null] : l);
  const portsOfInterest = new Set<number>(w.ports);
  for (const p of wl) for (const k of Object.keys(p.ports)) portsOfInterest.add(Number(k));
  const workloadResults = new Set<string>();
  const portResults = new Map<number, Set<string>>();
  for (const port of portsOfInterest) portResults.set(port, new Set());
  for (const m of choices(mesh)) {
    for (const n of choices(nsLevel)) {
      for (const x of choices(wl)) {
        let mode: string = 'PERMISSIVE';
        if (m && m.mode !== 'UNSET') mode = m.mode;
        if (n && n.mode !== 'UNSET') mode = n.mode;
        if (x && x.mode !== 'UNSET') mode = x.mode;
        workloadResults.add(mode);
        for (const port of portsOfInterest) {
          const pm = x?.ports[port];
          portResults.get(port)!.add(pm && pm !== 'UNSET' ? pm : mode);
        }
      }
    }
  }
  const one = (s: Set<string>) => (s.size === 1 ? [...s][0] : 'ambiguous');
  return { workload: one(workloadResults), ports: new Map([...portResults].map(([k, v]) => [k, one(v)])) };
}

const nsArb = fc.constantFrom(ROOT, 'a', 'b');
const modeArb = fc.constantFrom<Mode>('UNSET', 'STRICT', 'PERMISSIVE', 'DISABLE');
const labelsArb = fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('x', 'y'), { maxKeys: 2 });
const portArb = fc.constantFrom(80, 8080, 9090);
const policyArb = fc.record({
  ns: nsArb,
  labels: fc.option(labelsArb, { nil: null }),
  mode: modeArb,
  ports: fc.dictionary(portArb.map(String), modeArb, { maxKeys: 2 }),
});
const workloadArb = fc.record({ ns: nsArb, labels: labelsArb, ports: fc.uniqueArray(portArb, { maxLength: 2 }) });

describe('resolveServerMode agrees with a naive reference on random meshes', () => {
  it('for every workload and port', () => {
    const meshes = [fc.array(policyArb, { maxLength: 7 }), fc.array(workloadArb, { minLength: 1, maxLength: 4 })] as const;
    fc.assert(fc.property(...meshes, (rawPolicies, rawWorkloads) => {
      const policies: RefPolicy[] = rawPolicies.map((p, i) => ({
        ...p,
        name: `p${i}`,
        // Port-level modes need a selector (the webhook rejects them otherwise).
        ports: p.labels && Object.keys(p.labels).length ? Object.fromEntries(Object.entries(p.ports).map(([k, v]) => [Number(k), v])) : {},
      }));
      const workloads: RefWorkload[] = rawWorkloads.map((w, i) => ({ ...w, name: `w${i}` }));
      const manifests: Manifest[] = [
        ...policies.map((p) => ({
          apiVersion: 'security.istio.io/v1',
          kind: 'PeerAuthentication',
          metadata: { name: p.name, namespace: p.ns },
          spec: {
            ...(p.labels !== null ? { selector: { matchLabels: p.labels } } : {}),
            mtls: { mode: p.mode },
            ...(Object.keys(p.ports).length ? { portLevelMtls: Object.fromEntries(Object.entries(p.ports).map(([k, v]) => [k, { mode: v }])) } : {}),
          },
        })),
        ...workloads.map((w) => ({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: w.name, namespace: w.ns, labels: w.labels },
          spec: { containers: [{ name: 'c', ports: w.ports.map((containerPort) => ({ containerPort })) }] },
        })),
      ];
      const model = buildMeshModel(manifests);
      for (const w of workloads) {
        const mw = model.workloads.find((x) => x.name === w.name && x.namespace === w.ns)!;
        const got = resolveServerMode(model, mw);
        const want = referenceModes(policies, w);
        expect(got.mode).toBe(want.workload);
        expect(got.ports.map((p) => p.port).sort()).toEqual([...want.ports.keys()].sort());
        for (const [port, mode] of want.ports) expect(got.portMode(port).mode).toBe(mode);
        // A port no container declares and no policy names takes the workload's mode, asked once or twice.
        expect(got.portMode(7070).mode).toBe(want.workload);
        expect(got.portMode(7070)).toEqual(got.portMode(7070));
      }
    }), { numRuns: 500, seed: 20261124 });
  });
});
