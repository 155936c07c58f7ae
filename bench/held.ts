/**
 * What the synth-time analysis holds beside the app while it runs:
 *   npm run bench:held [-- --size N]
 * Builds the benchmark mesh of N namespaces (default 400) with our
 * constructs, then goes through the analysis' phases as `MtlsValidation`
 * does (read every object's manifest, build the model, run every rule with
 * one context) and prints the heap each phase adds after a full collection,
 * keeping what the earlier phases hold, as the synth does. A full collection
 * that falls inside the analysis sees all of it, and V8 sets its next heap
 * limit from what it sees.
 */
import { parseArgs } from 'util';
import { ApiObject, App } from 'cdk8s';
import { heapAfterFullGc } from './lib/heap';
import { buildOurMesh } from './lib/mesh';
import { RULES } from '../src/analysis/analyze';
import { AnalysisContext } from '../src/analysis/context';
import { Finding } from '../src/model/finding';
import { ModelEntries, modelOfEntries } from '../src/model/mesh-model';
import { resolveMeshOptions } from '../src/model/mesh-options';

const { values } = parseArgs({ options: { size: { type: 'string', default: '400' } } });
const namespaces = Number(values.size);
if (!Number.isInteger(namespaces) || namespaces < 1) {
  process.stderr.write(`bench:held: --size must be a whole number of namespaces (1 or more), not "${values.size}"\n`);
  process.exit(2);
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

const start = heapAfterFullGc();
const app = new App({ outdir: 'unused' });
buildOurMesh(app, { namespaces, workloads: 25 }, { warningBatches: 0, warningLines: 0 });
const objects = app.node.findAll().filter(ApiObject.isApiObject);
const atApp = heapAfterFullGc();

const opts = resolveMeshOptions();
const entries = new ModelEntries(opts);
for (const o of objects) entries.add(o.toJson());
const atEntries = heapAfterFullGc();
const model = modelOfEntries(entries, opts);
const atModel = heapAfterFullGc();
const ctx = new AnalysisContext(model);
const findings: Finding[] = RULES.flatMap((r) => r.check(ctx));
const atAnalysis = heapAfterFullGc();

const perObject = (bytes: number): string => `${Math.round(bytes / objects.length)} B per object`;
const line = (label: string, bytes: number): string => `  ${label.padEnd(44)} ${mb(bytes).padStart(9)}  ${perObject(bytes)}`;
process.stdout.write([
  `node ${process.version}; ${namespaces} namespaces x 25 workloads, ${objects.length} objects, ${findings.length} finding(s)`,
  line('the app, built (live after a full collection)', atApp - start),
  line('+ what the analysis read of each object', atEntries - atApp),
  line('+ the model\'s indexes', atModel - atEntries),
  line('+ the rules\' resolved facts and the findings', atAnalysis - atModel),
  `  held by the analysis at its end: ${mb(atAnalysis - atApp)}, ${((atAnalysis - atApp) / (atApp - start) * 100).toFixed(0)}% of the app`,
  // Read after the last collection, so the entries and the context are held through it, as in a synth.
  `  (${entries.length} entries read, ${ctx.model.workloads.length} workloads resolved)`,
  '',
].join('\n'));
