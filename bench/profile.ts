/**
 * Profiling harness for the scale benchmark (not part of `npm run bench`):
 *   node --import tsx [--cpu-prof] bench/profile.ts <ours|novalidate|plain> [namespaces]
 * `novalidate` builds our mesh with the synth-time validation stubbed out;
 * `plain` first builds and dumps our mesh (unmeasured), then synthesizes the
 * same manifests as plain ApiObjects; `shaped` does the same but keeps our
 * tree's shape (plain Construct wrappers where ours has a construct);
 * `shaped-poly` also uses as many distinct (empty) classes as ours does.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { buildOurMesh, buildPlainMesh, dumpCharts } from './lib/mesh';
import { MtlsValidation } from '../src/cdk8s/mtls-validation';

const [kind = 'ours', sizeArg = '300'] = process.argv.slice(2);
const size = { namespaces: Number(sizeArg), workloads: 25 };
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-mtls-prof-'));
const counters = { warningBatches: 0, warningLines: 0 };
try {
  if (kind === 'novalidate') {
    (MtlsValidation as any).addValidationOncePerSynth = () => undefined;
    (MtlsValidation.prototype as any).compute = () => ({ byObject: new Map() });
  }
  let dump: ReturnType<typeof dumpCharts> | undefined;
  if (kind === 'plain' || kind.startsWith('shaped')) {
    const pre = new App({ outdir: path.join(outdir, 'pre') });
    buildOurMesh(pre, size, counters);
    dump = JSON.parse(JSON.stringify(dumpCharts(pre)));
  }
  const t = performance.now();
  const app = new App({ outdir: path.join(outdir, 'out') });
  if (dump && kind.startsWith('shaped')) buildShapedMesh(app, dump, kind === 'shaped-poly');
  else if (dump) buildPlainMesh(app, dump);
  else buildOurMesh(app, size, counters);
  if (process.env.MAPS) {
    // Distinct hidden classes (V8 maps) of the nodes and their hosts (needs --allow-natives-syntax).
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;
    const distinct = (xs: unknown[]) => {
      const reps: { x: unknown; n: number; label: string }[] = [];
      for (const x of xs) {
        const r = reps.find((e) => sameMap(e.x, x));
        if (r) r.n++;
        else reps.push({ x, n: 1, label: (x as any).constructor?.name ?? '?' });
      }
      return reps.map((r) => `${r.label}:${r.n}`).join(' ');
    };
    const all = app.node.findAll();
    process.stdout.write(`hosts: ${distinct(all)}\nnodes: ${distinct(all.map((c) => c.node))}\n`);
    process.stdout.write(`_children: ${distinct(all.map((c) => (c.node as any)._children)).slice(0, 300)}\n`);
  }
  if (process.env.GC) {
    for (let i = 0; i < 3; i++) (globalThis as any).gc();
    process.stdout.write(`heap after build: ${Math.round(process.memoryUsage().heapUsed / 1048576)} MB\n`);
  }
  if (process.env.WALK) {
    // The per-chart work of cdk8s, alone: a walk of the whole tree and every node's dependencies and validations.
    for (let round = 0; round < 3; round++) {
      const tw = performance.now();
      for (let i = 0; i < 50; i++) {
        for (const c of app.node.findAll()) {
          void c.node.dependencies;
          void c.node.validate();
        }
      }
      process.stdout.write(`walk x50: ${Math.round(performance.now() - tw)} ms\n`);
    }
  }
  const tb = performance.now();
  app.synth();
  const t1 = performance.now();
  const nodes = app.node.findAll().length;
  process.stdout.write(`${kind} ${size.namespaces} ns: build ${Math.round(tb - t)} ms, synth ${Math.round(t1 - tb)} ms, total ${Math.round(t1 - t)} ms, ${nodes} nodes, rss ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`);
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}

/** Plain ApiObjects under plain Construct wrappers: the same tree shape as ours, none of our classes. */
function buildShapedMesh(app: App, dump: ReturnType<typeof dumpCharts>, poly: boolean): void {
  const wrapperClasses = new Map<string, typeof Construct>();
  const objectClasses = new Map<string, typeof ApiObject>();
  const wrapperClass = (id: string) => {
    const key = id.replace(/^app-\d+-/, '');
    if (!poly) return Construct;
    if (!wrapperClasses.has(key)) wrapperClasses.set(key, class extends Construct {});
    return wrapperClasses.get(key)!;
  };
  const objectClass = (m: Record<string, unknown>) => {
    const objectKind = String(m.kind);
    if (!poly || !String(m.apiVersion).includes('istio.io')) return ApiObject;
    if (!objectClasses.has(objectKind)) objectClasses.set(objectKind, class extends ApiObject {});
    return objectClasses.get(objectKind)!;
  };
  for (const c of dump) {
    const chart = new Chart(app, c.id, c.namespace !== undefined ? { namespace: c.namespace } : {});
    for (const o of c.objects) {
      const parts = o.id.split('--');
      let scope: Construct = chart;
      for (const p of parts.slice(0, -1)) scope = (scope.node.tryFindChild(p) as Construct | undefined) ?? new (wrapperClass(p))(scope, p);
      new (objectClass(o.manifest))(scope, parts[parts.length - 1], o.manifest as any);
    }
  }
}
