/**
 * Scale benchmark (`npm run bench [-- --size N | --quick] [--runs N] [--no-half]`).
 *
 * Builds a synthetic mesh of N namespaces (default 2,000) x 25 workloads and
 * measures, each in a fresh child process (so peak RSS is per measurement):
 *   (a) synth with our constructs, synth-time validation and analysis, one chart per namespace;
 *   (b) synth of the same manifests as plain cdk8s ApiObjects in the same chart layout,
 *       written by hand with object literals, as teams write them today;
 *   (b') the same plain ApiObjects fed from a JSON dump of (a)'s manifests parsed
 *       in one piece before the build: a lower bound no real app reaches (see
 *       the README's performance section on memory layout), for reference;
 *   (b") the same hand-written mesh with the typed classes `cdk8s import`
 *       generates for the Istio kinds, for reference: what a typed cdk8s app
 *       without our constructs costs;
 *   (c) `istio-mtls lint` and `istio-mtls explain` over the synthesized YAML (in process);
 *   (d) a bare YAML parse of the same files with the `yaml` library (and, for
 *       reference, with js-yaml, which the CLI uses for ordinary files).
 * and the same at half the size. With --runs N, (a) and (b) run N times,
 * alternately, and the run of median time is reported with every run's
 * figures. Prints time, peak RSS, live heap and the ratios
 * a/b (time, memory), c/d, the doubling factors half -> full, and the
 * doubling of our share, as (a - b) and as the time (a) spends in our
 * synth-time hook: cdk8s walks the whole app once per chart, so plain cdk8s
 * (b) itself grows with charts x objects. (a - b) is also split: building the
 * app, our hook, and the rest of `app.synth()` (cdk8s's own work).
 *
 * --layout resource synthesizes every build with cdk8s's
 * FOLDER_PER_CHART_FILE_PER_RESOURCE output (a folder per chart, a file per
 * object), the one layout in which cdk8s renders charts without walking the
 * whole app again for each: synthesis is then linear in the mesh, and our
 * share is not diluted by cdk8s's repeated walks. It writes one file per
 * object (130,002 at the default size); --work-dir puts the measurements'
 * files elsewhere than the system's temporary directory (e.g. /dev/shm, so
 * that the disk's cost of creating files is not measured).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { heapAfterFullGc } from './lib/heap';

interface Measurement {
  readonly ms: number;
  /** Peak resident set size of the child, in MB. */
  readonly rssMb: number;
  /**
   * The heap still in use after a full collection at the end, in MB, with
   * what the measurement built still reachable: the app (synth), the parsed
   * documents (parse); for lint and explain, what the CLI keeps loaded.
   * Steadier than the peak, which depends on when V8 runs its full collections.
   */
  readonly liveMb: number;
  /** (a) only: the wall time inside our synth-time hook (validation and analysis), in ms. */
  readonly hookMs?: number;
  /** Synth builds only: the part of `ms` spent building the app, before `app.synth()`. */
  readonly buildMs?: number;
  readonly note?: string;
}

const WORKLOADS = 25;

// --- children ---------------------------------------------------------------------

/** What the measurement built, kept reachable until the live heap is measured. */
const built: unknown[] = [];

function finish(ms: number, note?: string, hookMs?: number, buildMs?: number): void {
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const liveMb = heapAfterFullGc() / 1024 / 1024;
  process.stdout.write(JSON.stringify({ ms, rssMb, liveMb, hookMs, buildMs, note } satisfies Measurement) + '\n');
}

type Layout = 'chart' | 'resource';

function child(kind: string, dir: string, namespaces: number, layout: Layout): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const size = { namespaces, workloads: WORKLOADS };
  type Mesh = typeof import('./lib/mesh');
  /**
   * Times building the app and `app.synth()` into dir/outdir. cdk8s and the
   * mesh (our constructs) load before the clock starts, and only in the
   * synth children, so the CLI and parse children measure without them.
   */
  const synth = (outdir: string, build: (app: import('cdk8s').App, mesh: Mesh) => void) => {
    const { App, YamlOutputType } = require('cdk8s') as typeof import('cdk8s');
    const mesh = require('./lib/mesh') as Mesh;
    const yamlOutputType = layout === 'resource' ? YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE : YamlOutputType.FILE_PER_CHART;
    const t = performance.now();
    const app = new App({ outdir: path.join(dir, outdir), yamlOutputType });
    build(app, mesh);
    const buildMs = performance.now() - t;
    app.synth();
    const ms = performance.now() - t;
    built.push(app);
    return { app, ms, buildMs };
  };
  if (kind === 'ours') {
    const counters = { warningBatches: 0, warningLines: 0 };
    const hook = { ms: 0, runs: 0 };
    const { app, ms, buildMs } = synth('ours', (a, mesh) => {
      mesh.timeHook(hook);
      mesh.buildOurMesh(a, size, counters);
    });
    const objects = app.node.findAll().filter((c) => (c as any).kind !== undefined && typeof (c as any).toJson === 'function').length;
    finish(ms, `${app.charts.length} charts, ${objects} objects; hook ran ${hook.runs} time(s) (${counters.warningLines} warning lines)`, hook.ms, buildMs);
    // After the measurement: the manifests for (b').
    fs.writeFileSync(path.join(dir, 'dump.json'), JSON.stringify((require('./lib/mesh') as Mesh).dumpCharts(app)));
  } else if (kind === 'plain' || kind === 'typed') {
    const { ms, buildMs } = synth(kind, (a, mesh) => mesh.buildHandWrittenMesh(a, size, kind === 'typed'));
    finish(ms, undefined, undefined, buildMs);
  } else if (kind === 'plain-dump') {
    const dump = JSON.parse(fs.readFileSync(path.join(dir, 'dump.json'), 'utf8'));
    const { ms, buildMs } = synth(kind, (a, mesh) => mesh.buildPlainMesh(a, dump));
    finish(ms, undefined, undefined, buildMs);
  } else if (kind === 'lint' || kind === 'explain') {
    const { run } = require('../src/cli/main') as typeof import('../src/cli/main');
    let out = 0;
    let err = '';
    const t = performance.now();
    const code = run([kind, '--format', 'json', path.join(dir, 'ours')], { stdout: (s) => { out += s.length; }, stderr: (s) => { err += s; } });
    const ms = performance.now() - t;
    finish(ms, `exit ${code}, ${Math.round(out / 1024)} KiB of output${err ? `, stderr: ${err.split('\n')[0]}` : ''}`);
  } else if (kind === 'parse') {
    const { parseAllDocuments } = require('yaml') as typeof import('yaml');
    parseFiles(path.join(dir, 'ours'), (text) => parseAllDocuments(text) as unknown[], (doc) => (doc as { toJS(): unknown }).toJS());
  } else if (kind === 'parse-js-yaml') {
    const { loadAll } = require('js-yaml') as typeof import('js-yaml');
    parseFiles(path.join(dir, 'ours'), (text) => loadAll(text), (doc) => doc);
  } else {
    throw new Error(`unknown child ${kind}`);
  }
}

/** Times parsing every YAML file of d (in name order) and counts the documents that are not empty. */
function parseFiles(d: string, parse: (text: string) => unknown[], value: (doc: unknown) => unknown): void {
  const t = performance.now();
  let docs = 0;
  const all: unknown[] = [];
  for (const f of filesUnder(d)) {
    if (!f.endsWith('.yaml')) continue;
    const parsed = parse(fs.readFileSync(path.join(d, f), 'utf8'));
    for (const doc of Array.isArray(parsed) ? parsed : []) if (value(doc) != null) docs++;
    all.push(parsed);
  }
  const ms = performance.now() - t;
  built.push(all);
  finish(ms, `${docs} documents`);
}

/** The files under d (recursively), as paths relative to d, in name order. */
function filesUnder(d: string): string[] {
  return fs.readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(d, path.join(e.parentPath, e.name)))
    .sort();
}

// --- parent -----------------------------------------------------------------------

function spawnChild(kind: string, dir: string, namespaces: number, layout: Layout): Measurement {
  // The parent's flags: none when compiled (npm run bench), tsx's loader when run from source.
  const args = ['--child', kind, '--dir', dir, '--size', String(namespaces), '--layout', layout];
  const res = spawnSync(process.execPath, [...process.execArgv, '--max-old-space-size=8192', '--expose-gc', __filename, ...args], {
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const line = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !line.startsWith('{')) {
    throw new Error(`child ${kind} (${namespaces} namespaces) failed with status ${res.status}: ${res.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
  return JSON.parse(line) as Measurement;
}

/** Whether dirB holds the same files as dirA, whose listing is `files`, byte for byte. */
function sameOutput(dirA: string, files: readonly string[], dirB: string): boolean {
  if (files.join('\n') !== filesUnder(dirB).join('\n')) return false;
  return files.every((f) => fs.readFileSync(path.join(dirA, f)).equals(fs.readFileSync(path.join(dirB, f))));
}

/** The bytes of `files` (a listing of d, from `filesUnder`). */
function dirBytes(d: string, files: readonly string[]): number {
  return files.reduce((n, f) => n + fs.statSync(path.join(d, f)).size, 0);
}

interface SizeResult {
  readonly namespaces: number;
  readonly a: Measurement;
  readonly b: Measurement;
  /** Plain ApiObjects fed from a dump parsed in one piece (reference, not the goal's baseline). */
  readonly bDump: Measurement;
  /** The hand-written mesh with the generated Istio L1 classes (reference). */
  readonly bTyped: Measurement;
  readonly lint: Measurement;
  readonly explain: Measurement;
  readonly d: Measurement;
  /** The same files read by js-yaml, the parser of the CLI's fast path, for reference. */
  readonly dJs: Measurement;
  /** (a), (b), (b') and (b") wrote byte-identical YAML. */
  readonly identical: boolean;
  readonly yamlMb: number;
}

/** The run of median time among runs (the peak and live heap reported are that run's), with every run's figures in its note. */
function median(runs: Measurement[]): Measurement {
  if (runs.length === 1) return runs[0];
  const mid = [...runs].sort((x, y) => x.ms - y.ms)[Math.floor((runs.length - 1) / 2)];
  const all = runs.map((r) => `${fmtMs(r.ms)} ${fmtMb(r.rssMb)}`).join(', ');
  return { ...mid, note: `median of ${runs.length} runs (${all})${mid.note ? `; ${mid.note}` : ''}` };
}

interface Setup {
  readonly runs: number;
  readonly layout: Layout;
  /** Where each measurement's temporary directory goes. */
  readonly workDir: string;
}

function measure(namespaces: number, setup: Setup, log: (s: string) => void): SizeResult {
  const { runs, layout } = setup;
  const dir = fs.mkdtempSync(path.join(setup.workDir, 'istio-mtls-bench-'));
  try {
    const show = (label: string, m: Measurement) => {
      log(`  ${label.padEnd(34)} ${fmtMs(m.ms).padStart(9)} ${fmtMb(m.rssMb).padStart(9)} ${`live ${fmtMb(m.liveMb)}`.padStart(12)}${m.note ? `  ${m.note}` : ''}`);
      return m;
    };
    const step = (label: string, kind: string) => show(label, spawnChild(kind, dir, namespaces, layout));
    log(`${namespaces} namespaces x ${WORKLOADS} workloads`);
    // (a) and (b) alternate, so that a slow spell of a shared machine falls on both.
    const as: Measurement[] = [];
    const bs: Measurement[] = [];
    for (let r = 0; r < runs; r++) {
      as.push(spawnChild('ours', dir, namespaces, layout));
      bs.push(spawnChild('plain', dir, namespaces, layout));
    }
    const a = show('(a) synth, our constructs', median(as));
    const b = show('(b) synth, plain ApiObjects', median(bs));
    const bDump = step("(b') plain, fed from a parsed dump", 'plain-dump');
    const bTyped = step('(b") plain, typed Istio L1 classes', 'typed');
    const ours = path.join(dir, 'ours');
    const oursFiles = filesUnder(ours);
    const identical = ['plain', 'plain-dump', 'typed'].every((k) => sameOutput(ours, oursFiles, path.join(dir, k)));
    const lint = step('(c) istio-mtls lint', 'lint');
    const explain = step('(c) istio-mtls explain', 'explain');
    const d = step('(d) bare YAML parse (yaml)', 'parse');
    const dJs = step('    bare parse with js-yaml', 'parse-js-yaml');
    return { namespaces, a, b, bDump, bTyped, lint, explain, d, dJs, identical, yamlMb: dirBytes(ours, oursFiles) / 1024 / 1024 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtMb = (mb: number) => `${Math.round(mb)} MB`;
const ratio = (x: number, y: number) => (x / y).toFixed(2);
const fmtSigned = (ms: number) => `${ms < 0 ? '-' : '+'}${fmtMs(Math.abs(ms))}`;
/** Where (a) spends more than (b): `part` of each, as a signed difference. */
function gap(r: SizeResult, part: (m: Measurement) => number | undefined): string {
  const [x, y] = [part(r.a), part(r.b)];
  return x === undefined || y === undefined ? 'n/a' : fmtSigned(x - y);
}

function report(full: SizeResult, half: SizeResult | undefined, log: (s: string) => void): void {
  const rows: [string, (r: SizeResult) => string, string][] = [
    ['a/b time (goal <= 1.2)', (r) => ratio(r.a.ms, r.b.ms), ''],
    ['a/b peak RSS (goal <= 1.5)', (r) => ratio(r.a.rssMb, r.b.rssMb), ''],
    ['a/b live heap after synth', (r) => ratio(r.a.liveMb, r.b.liveMb), ''],
    ['  (a) time in our hook', (r) => (r.a.hookMs === undefined ? 'n/a' : fmtMs(r.a.hookMs)), ''],
    ['  hook / (a) time', (r) => (r.a.hookMs === undefined ? 'n/a' : ratio(r.a.hookMs, r.a.ms)), ''],
    ['  (a) - (b) building the app', (r) => gap(r, (m) => m.buildMs), ''],
    ['  (a) - (b) in synth besides the hook', (r) => gap(r, (m) => (m.buildMs === undefined ? undefined : m.ms - m.buildMs - (m.hookMs ?? 0))), ''],
    ["  a/b' time (dump-fed plain, reference)", (r) => ratio(r.a.ms, r.bDump.ms), ''],
    ["  a/b' peak RSS", (r) => ratio(r.a.rssMb, r.bDump.rssMb), ''],
    ['  a/b" time (typed plain, reference)', (r) => ratio(r.a.ms, r.bTyped.ms), ''],
    ['  a/b" peak RSS', (r) => ratio(r.a.rssMb, r.bTyped.rssMb), ''],
    ['c/d time, lint + explain (goal <= 1.5)', (r) => ratio(r.lint.ms + r.explain.ms, r.d.ms), ''],
    ['  lint/d', (r) => ratio(r.lint.ms, r.d.ms), ''],
    ['  explain/d', (r) => ratio(r.explain.ms, r.d.ms), ''],
    ['  lint / js-yaml parse', (r) => ratio(r.lint.ms, r.dJs.ms), ''],
    ['  explain / js-yaml parse', (r) => ratio(r.explain.ms, r.dJs.ms), ''],
    ['c/d peak RSS (max of lint, explain)', (r) => ratio(Math.max(r.lint.rssMb, r.explain.rssMb), r.d.rssMb), ''],
    ['(a), (b), (b\'), (b") identical YAML', (r) => (r.identical ? 'yes' : 'NO'), ''],
    ['YAML written', (r) => `${r.yamlMb.toFixed(1)} MB`, ''],
  ];
  log('');
  log(`${''.padEnd(40)} ${`${full.namespaces} ns`.padStart(10)}${half ? `${`${half.namespaces} ns`.padStart(10)}` : ''}`);
  for (const [label, f] of rows) log(`${label.padEnd(40)} ${f(full).padStart(10)}${half ? f(half).padStart(10) : ''}`);
  if (half) {
    log('');
    log('doubling factor, half -> full size (goal <= 2.2):');
    const keys: [string, keyof SizeResult][] = [['(a) ours', 'a'], ['(b) plain cdk8s', 'b'], ["(b') dump-fed", 'bDump'], ['(b") typed', 'bTyped'], ['(c) lint', 'lint'], ['(c) explain', 'explain'], ['(d) parse', 'd']];
    for (const [label, k] of keys) {
      const f = full[k] as Measurement;
      const h = half[k] as Measurement;
      log(`  ${label.padEnd(20)} time ${ratio(f.ms, h.ms).padStart(6)}   peak RSS ${ratio(f.rssMb, h.rssMb).padStart(6)}`);
    }
    // cdk8s walks the whole app once per chart, so (b) itself grows with charts x objects;
    // what our constructs add on top of it is (a) - (b).
    const share = [half.a.ms - half.b.ms, full.a.ms - full.b.ms];
    log(`  ${'(a) - (b), our share'.padEnd(20)} time ${(share.every((x) => x > 0) ? ratio(share[1], share[0]) : 'n/a').padStart(6)}   (${share.map(fmtMs).join(' -> ')})`);
    // The same share measured directly: the wall time inside our synth-time hook.
    const hook = [half.a.hookMs, full.a.hookMs];
    if (hook.every((x) => x !== undefined)) {
      log(`  ${'(a) our hook alone'.padEnd(20)} time ${ratio(hook[1]!, hook[0]!).padStart(6)}   (${hook.map((x) => fmtMs(x!)).join(' -> ')})`);
    }
  }
}

function main(): void {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      'child': { type: 'string' },
      'dir': { type: 'string' },
      'size': { type: 'string' },
      'quick': { type: 'boolean' },
      'no-half': { type: 'boolean' },
      'runs': { type: 'string' },
      'json': { type: 'string' },
      'layout': { type: 'string', default: 'chart' },
      'work-dir': { type: 'string' },
    },
  });
  const layout = values.layout as Layout;
  if (layout !== 'chart' && layout !== 'resource') throw new Error(`--layout must be chart (a file per chart) or resource (a folder per chart, a file per object), got ${values.layout}`);
  const namespaces = values.size ? Number(values.size) : values.quick ? 200 : 2000;
  if (!Number.isInteger(namespaces) || namespaces < 2) throw new Error(`--size must be an integer >= 2, got ${values.size}`);
  if (values.child) {
    child(values.child, values.dir!, namespaces, layout);
    return;
  }
  const log = (s: string) => process.stdout.write(s + '\n');
  const runs = values.runs ? Number(values.runs) : 1;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be an integer >= 1, got ${values.runs}`);
  const workDir = values['work-dir'] ?? os.tmpdir();
  if (!fs.statSync(workDir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--work-dir must be an existing directory, got ${workDir}`);
  log(`node ${process.version}, ${os.cpus().length} CPUs, ${os.platform()}; ${layout === 'resource' ? 'a folder per chart, a file per object' : 'a file per chart'}`);
  const setup: Setup = { runs, layout, workDir };
  const full = measure(namespaces, setup, log);
  const half = values['no-half'] ? undefined : measure(Math.floor(namespaces / 2), setup, log);
  report(full, half, log);
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ full, half }, null, 2));
}

main();
