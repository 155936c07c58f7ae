/**
 * What the synth-time hook leaves in the app's old generation:
 *   npm run bench:hook [-- --size N]
 * Builds the benchmark mesh of N namespaces (default 400) with our
 * constructs, collects, then runs the hook once, as a synth does (every
 * object rendered, validated and analysed), and prints its time, how much the app's old
 * generation grew while it ran, and the heap live before and after it.
 *
 * The growth is what a full collection starting during the hook would find
 * there: V8 treats what is allocated in the old generation while it marks as
 * live for that collection, and sets the next heap limit from what it found.
 * It counts young objects that survived into the old generation and values
 * V8 chose to allocate there directly (allocation-site pretenuring); run with
 * `node --no-allocation-site-pretenuring` to see the second part alone.
 */
import { PerformanceObserver, constants, performance } from 'perf_hooks';
import { parseArgs } from 'util';
import * as v8 from 'v8';
import { ApiObject, App } from 'cdk8s';
import { heapAfterFullGc } from './lib/heap';
import { buildOurMesh, runHook } from './lib/mesh';
import { MtlsValidation } from '../src/cdk8s/mtls-validation';

const { values } = parseArgs({ options: { size: { type: 'string', default: '400' } } });
const namespaces = Number(values.size);
if (!Number.isInteger(namespaces) || namespaces < 1) {
  process.stderr.write(`bench:hook: --size must be a whole number of namespaces (1 or more), not "${values.size}"\n`);
  process.exit(2);
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const oldSpace = (): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;

const app = new App({ outdir: 'unused' });
buildOurMesh(app, { namespaces, workloads: 25 }, { warningBatches: 0, warningLines: 0 });
const validation = MtlsValidation.enable(app);
const objects = app.node.findAll().filter(ApiObject.isApiObject).length;

let fullCollections = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullCollections++;
  }
});

const atApp = heapAfterFullGc();
const before = oldSpace();
observer.observe({ entryTypes: ['gc'] });
const t = performance.now();
// The hook alone: a chart's synthesis would add cdk8s's walks over the app to the figure.
runHook(validation);
const ms = performance.now() - t;
const after = oldSpace();
// GC entries are delivered asynchronously: count them, then collect and report.
setImmediate(() => {
  observer.disconnect();
  const live = heapAfterFullGc();
  process.stdout.write([
    // Read after the last collection, so the app stays reachable through it.
    `node ${process.version}; ${namespaces} namespaces x 25 workloads, ${app.charts.length} charts, ${objects} objects`,
    `  heap live with the app built                    ${mb(atApp).padStart(9)}`,
    `  the hook                                        ${`${Math.round(ms)} ms`.padStart(9)}`,
    `  old generation grown during the hook            ${mb(after - before).padStart(9)}  ${Math.round((after - before) / objects)} B per object`
      + (fullCollections > 0 ? `  (${fullCollections} full collection(s) during it: the growth is net of them)` : ''),
    `  heap live after the hook                        ${mb(live).padStart(9)}`,
    '',
  ].join('\n'));
});
