/**
 * Profiling harness for the scale benchmark (not part of `npm run bench`):
 *   node --import tsx [--cpu-prof] bench/profile.ts <ours|novalidate|plain|plain-dump> [namespaces]
 * `novalidate` builds our mesh with the synth-time validation stubbed out;
 * `plain` writes the same manifests by hand as plain ApiObjects (the
 * benchmark's (b)); `plain-dump` first builds and dumps our mesh
 * (unmeasured), then feeds the parsed dump to plain ApiObjects (its (b')).
 * Prints the time to build the tree, the first chart's synthesis (which runs
 * our validation and analysis once) and the whole `app.synth()`.
 * With WALK=1 it also times cdk8s' per-chart walk of the whole app alone.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { buildHandWrittenMesh, buildOurMesh, buildPlainMesh, dumpCharts } from './lib/mesh';
import { MtlsValidation } from '../src/cdk8s/mtls-validation';

const [kind = 'ours', sizeArg = '300'] = process.argv.slice(2);
const size = { namespaces: Number(sizeArg), workloads: 25 };
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-mtls-prof-'));
const counters = { warningBatches: 0, warningLines: 0 };
void main();

async function main(): Promise<void> {
  try {
    if (kind === 'novalidate') {
      (MtlsValidation as any).addCheck = () => undefined;
      (MtlsValidation.prototype as any).compute = () => ({ errors: new Map() });
    }
    let dump: ReturnType<typeof dumpCharts> | undefined;
    if (kind === 'plain-dump') {
      const pre = new App({ outdir: path.join(outdir, 'pre') });
      buildOurMesh(pre, size, counters);
      dump = JSON.parse(JSON.stringify(dumpCharts(pre)));
    }
    const t = performance.now();
    const app = new App({ outdir: path.join(outdir, 'out') });
    if (kind === 'plain' || kind === 'typed') buildHandWrittenMesh(app, size, kind === 'typed');
    else if (dump) buildPlainMesh(app, dump);
    else buildOurMesh(app, size, counters);
    const tb = performance.now();
    if (process.env.WALK) {
    // cdk8s' per-chart work, alone: a walk of the whole app, every node's dependencies and validations.
      const perChart = () => {
        const all = app.node.findAll();
        let n = all.filter((x) => x instanceof Chart).length;
        for (let k = 0; k < 2; k++) for (const c of all) n += c.node.dependencies.length;
        for (const c of all) n += c.node.validate().length;
        return n;
      };
      perChart();
      for (let round = 0; round < 3; round++) {
        const tw = performance.now();
        for (let i = 0; i < 20; i++) perChart();
        process.stdout.write(`per-chart walk: ${((performance.now() - tw) / 20).toFixed(1)} ms\n`);
      }
    }
    const t0 = performance.now();
    app.charts[0].toJson();
    const t1 = performance.now();
    await Promise.resolve(); // let the validation drop its result, as between two synths
    app.synth();
    const t2 = performance.now();
    const nodes = app.node.findAll().length;
    const ms = (x: number) => `${Math.round(x)} ms`;
    process.stdout.write(`${kind} ${size.namespaces} ns, ${nodes} nodes: build ${ms(tb - t)}, first chart ${ms(t1 - t0)}, synth ${ms(t2 - t1)}, rss ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
