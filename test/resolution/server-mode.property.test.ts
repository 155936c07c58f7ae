import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMeshModel, Manifest } from '../../src/model';
import { resolveServerMode } from '../../src/resolution';
import { resolveInbound } from '../../src/resolution/inbound';

/*
 * A deliberately naive reference, written from DESIGN.md without the engine's
 * code: try every choice of "oldest" policy at every level (the cartesian
 * product), compose each, and call the result ambiguous when the choices disagree.
 */
type Mode = 'UNSET' | 'STRICT' | 'PERMISSIVE' | 'DISABLE';
interface RefPolicy { ns: string; name: string; labels: Record<string, string> | null; mode: Mode; ports: Record<number, Mode> }
interface RefWorkload { ns: string; name: string; labels: Record<string, string>; ports: number[] }

const ROOT = 'istio-system';
const hasSel = (p: RefPolicy) => p.labels !== null && Object.keys(p.labels).length > 0;

function matches(sel: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(sel).every(([k, v]) => labels[k] === v);
}

function referenceModes(policies: RefPolicy[], w: RefWorkload): { workload: string; ports: Map<number, string> } {
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

function peerAuthenticationManifest(p: RefPolicy): Manifest {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: p.name, namespace: p.ns },
    spec: {
      ...(p.labels !== null ? { selector: { matchLabels: p.labels } } : {}),
      mtls: { mode: p.mode },
      ...(Object.keys(p.ports).length ? { portLevelMtls: Object.fromEntries(Object.entries(p.ports).map(([k, v]) => [k, { mode: v }])) } : {}),
    },
  };
}

function refPolicies(raw: { ns: string; labels: Record<string, string> | null; mode: Mode; ports: Record<string, Mode> }[]): RefPolicy[] {
  return raw.map((p, i) => ({
    ...p,
    name: `p${i}`,
    // Port-level modes need a selector (the webhook rejects them otherwise).
    ports: p.labels && Object.keys(p.labels).length ? Object.fromEntries(Object.entries(p.ports).map(([k, v]) => [Number(k), v])) : {},
  }));
}

describe('resolveServerMode agrees with a naive reference on random meshes', () => {
  it('for every workload and port', () => {
    const meshes = [fc.array(policyArb, { maxLength: 7 }), fc.array(workloadArb, { minLength: 1, maxLength: 4 })] as const;
    fc.assert(fc.property(...meshes, (rawPolicies, rawWorkloads) => {
      const policies = refPolicies(rawPolicies);
      const workloads: RefWorkload[] = rawWorkloads.map((w, i) => ({ ...w, name: `w${i}` }));
      const manifests: Manifest[] = [
        ...policies.map(peerAuthenticationManifest),
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

/*
 * The same naive reference extended to every data plane (SEMANTICS.md §1, §2),
 * written from the rules without the engine's code: which data plane a pod
 * gets (an absent Namespace is assumed injected; istio-injection=enabled gives
 * a sidecar, which wins over ambient; with ambient installed, the pod label
 * istio.io/dataplane-mode=ambient, or the namespace label unless the pod says
 * none, enrols it), and what each port then accepts: no proxy, or a port the
 * sidecar's excludeInboundPorts skips, takes plaintext; a sidecar enforces the
 * mode above; ztunnel reads DISABLE as PERMISSIVE, ignores a port-level DISABLE
 * under an inherited STRICT unless the policy also has a PERMISSIVE port,
 * never sees root-namespace policies with a selector field, and with
 * ambient.istio.io/bypass-inbound-capture lets plaintext through beside HBONE.
 */
type NsKind = 'absent' | 'injected' | 'ambient' | 'both' | 'plain';
interface RefPod extends RefWorkload { exclude: number[]; bypass: boolean; podMode?: 'ambient' | 'none' }

function referenceDataplane(ambientOn: boolean, nsKind: NsKind, w: RefPod): 'sidecar' | 'ambient' | 'none' {
  if (nsKind === 'absent' || nsKind === 'injected' || nsKind === 'both') return 'sidecar';
  if (!ambientOn) return 'none';
  if (w.podMode === 'ambient') return 'ambient';
  return nsKind === 'ambient' && w.podMode !== 'none' ? 'ambient' : 'none';
}

function referenceAmbientModes(policies: RefPolicy[], w: RefWorkload): { workload: string; ports: Map<number, string> } {
  // A root-namespace policy with a selector field, even an empty one, is not seen at all.
  const mesh = policies.filter((p) => p.ns === ROOT && p.labels === null);
  const nsLevel = w.ns === ROOT ? [] : policies.filter((p) => p.ns === w.ns && !hasSel(p));
  const wl = w.ns === ROOT ? [] : policies.filter((p) => p.ns === w.ns && hasSel(p) && matches(p.labels!, w.labels));
  const choices = (l: RefPolicy[]) => (l.length === 0 ? [null] : l);
  const relaxed = (m: Mode) => (m === 'DISABLE' ? 'PERMISSIVE' : m);
  const portsOfInterest = new Set<number>(w.ports);
  for (const p of wl) for (const k of Object.keys(p.ports)) portsOfInterest.add(Number(k));
  const workloadResults = new Set<string>();
  const portResults = new Map<number, Set<string>>([...portsOfInterest].map((p) => [p, new Set<string>()]));
  for (const m of choices(mesh)) {
    for (const n of choices(nsLevel)) {
      for (const x of choices(wl)) {
        let parent = 'PERMISSIVE';
        if (m && m.mode !== 'UNSET') parent = relaxed(m.mode);
        if (n && n.mode !== 'UNSET') parent = relaxed(n.mode);
        const own = x && x.mode !== 'UNSET' ? relaxed(x.mode) : parent;
        workloadResults.add(own);
        for (const port of portsOfInterest) {
          const pm = x?.ports[port];
          let mode = own;
          if (pm === 'STRICT' || pm === 'PERMISSIVE') mode = pm;
          if (pm === 'DISABLE') {
            const ignored = x!.mode === 'UNSET' && parent === 'STRICT' && !Object.values(x!.ports).includes('PERMISSIVE');
            mode = ignored ? 'STRICT' : 'PERMISSIVE';
          }
          portResults.get(port)!.add(mode);
        }
      }
    }
  }
  const one = (s: Set<string>) => (s.size === 1 ? [...s][0] : 'ambiguous');
  return { workload: one(workloadResults), ports: new Map([...portResults].map(([k, v]) => [k, one(v)])) };
}

const ACCEPTS: Record<string, string> = { STRICT: 'mtls', PERMISSIVE: 'mtls+plaintext', DISABLE: 'plaintext', ambiguous: 'ambiguous' };

interface RefAccepts { dataplane: string; ports: Map<number, string>; other: string }

function referenceAccepts(policies: RefPolicy[], ambientOn: boolean, nsKind: NsKind, w: RefPod): RefAccepts {
  const dataplane = referenceDataplane(ambientOn, nsKind, w);
  if (dataplane === 'ambient') {
    const modes = referenceAmbientModes(policies, w);
    const accepts = (mode: string) => (w.bypass ? 'mtls+plaintext' : ACCEPTS[mode]);
    return { dataplane, ports: new Map([...modes.ports].map(([p, m]) => [p, accepts(m)])), other: accepts(modes.workload) };
  }
  const modes = referenceModes(policies, w);
  const accepts = (port: number, mode: string) => (dataplane === 'none' || w.exclude.includes(port) ? 'plaintext' : ACCEPTS[mode]);
  return { dataplane, ports: new Map([...modes.ports].map(([p, m]) => [p, accepts(p, m)])), other: accepts(7070, modes.workload) };
}

const NS_LABELS: Record<NsKind, Record<string, string> | undefined> = {
  absent: undefined,
  injected: { 'istio-injection': 'enabled' },
  ambient: { 'istio.io/dataplane-mode': 'ambient' },
  both: { 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' },
  plain: {},
};
// Weighted toward ambient, whose PeerAuthentication reading has the most cases.
const nsKindArb = fc.constantFrom<NsKind>('absent', 'injected', 'ambient', 'ambient', 'ambient', 'both', 'plain');
// Fewer label sets than above, so that workload policies select pods (and ztunnel's port rules come into play) often.
const fewLabelsArb = fc.constantFrom<Record<string, string>>({}, { app: 'x' }, { app: 'x', tier: 'y' });
const podPolicyArb = fc.record({
  ns: nsArb,
  labels: fc.option(fewLabelsArb, { nil: null }),
  mode: modeArb,
  ports: fc.dictionary(portArb.map(String), modeArb, { maxKeys: 2 }),
});
const podArb = fc.record({
  ns: nsArb,
  labels: fewLabelsArb,
  ports: fc.uniqueArray(portArb, { maxLength: 2 }),
  exclude: fc.uniqueArray(portArb, { maxLength: 2 }),
  bypass: fc.nat(3).map((n) => n === 0),
  podMode: fc.option(fc.constantFrom<'ambient' | 'none'>('ambient', 'none'), { nil: undefined }),
});

type RawPolicy = { ns: string; labels: Record<string, string> | null; mode: Mode; ports: Record<string, Mode> };
type RawPod = Omit<RefPod, 'name'>;

/** SEMANTICS.md §1 example 3: a port-level DISABLE under an inherited STRICT (ignored), alone or beside a PERMISSIVE port (relaxed). */
function ztunnelPortDisable(withPermissivePort: boolean): [boolean, { a: NsKind; b: NsKind }, RawPolicy[], RawPod[]] {
  const ports: Record<string, Mode> = withPermissivePort ? { 80: 'DISABLE', 9090: 'PERMISSIVE' } : { 80: 'DISABLE' };
  return [
    true,
    { a: 'ambient', b: 'plain' },
    [{ ns: ROOT, labels: null, mode: 'STRICT', ports: {} }, { ns: 'a', labels: { app: 'x' }, mode: 'UNSET', ports }],
    [{ ns: 'a', labels: { app: 'x' }, ports: [80, 8080], exclude: [], bypass: false, podMode: undefined }],
  ];
}

describe('resolveInbound agrees with a naive reference across data planes', () => {
  it('for every workload and port: data plane and what the port accepts', () => {
    const meshes = [
      fc.nat(3).map((n) => n > 0), fc.record({ a: nsKindArb, b: nsKindArb }),
      fc.array(podPolicyArb, { maxLength: 6 }), fc.array(podArb, { minLength: 1, maxLength: 4 }),
    ] as const;
    const seen = new Set<string>();
    fc.assert(fc.property(...meshes, (ambientOn, nsKinds, rawPolicies, rawPods) => {
      const policies = refPolicies(rawPolicies);
      const pods: RefPod[] = rawPods.map((w, i) => ({ ...w, name: `w${i}` }));
      const kindOf = (ns: string): NsKind => (ns === 'a' || ns === 'b' ? nsKinds[ns] : 'absent');
      const manifests: Manifest[] = [
        ...(['a', 'b'] as const).filter((n) => NS_LABELS[nsKinds[n]] !== undefined)
          .map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels: NS_LABELS[nsKinds[n]] } })),
        ...policies.map(peerAuthenticationManifest),
        ...pods.map((w) => ({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: w.name,
            namespace: w.ns,
            labels: { ...w.labels, ...(w.podMode ? { 'istio.io/dataplane-mode': w.podMode } : {}) },
            annotations: {
              ...(w.exclude.length ? { 'traffic.sidecar.istio.io/excludeInboundPorts': w.exclude.join(',') } : {}),
              ...(w.bypass ? { 'ambient.istio.io/bypass-inbound-capture': 'true' } : {}),
            },
          },
          spec: { containers: [{ name: 'c', ports: w.ports.map((containerPort) => ({ containerPort })) }] },
        })),
      ];
      const model = buildMeshModel(manifests, { ambient: ambientOn });
      for (const w of pods) {
        const mw = model.workloads.find((x) => x.name === w.name && x.namespace === w.ns)!;
        const got = resolveInbound(model, mw);
        const want = referenceAccepts(policies, ambientOn, kindOf(w.ns), w);
        seen.add(want.dataplane);
        expect(got.dataplane.dataplane).toBe(want.dataplane);
        expect(got.ports.map((p) => p.port)).toEqual([...want.ports.keys()].sort((x, y) => x - y));
        for (const [port, accepts] of want.ports) expect(got.port(port).accepts).toBe(accepts);
        // A port no container declares and no policy names.
        expect(got.port(7070).accepts).toBe(want.other);
      }
    }), {
      numRuns: 800,
      seed: 20261125,
      examples: [ztunnelPortDisable(false), ztunnelPortDisable(true)],
    });
    // The generators reach every data plane.
    expect([...seen].sort()).toEqual(['ambient', 'none', 'sidecar']);
  });
});
