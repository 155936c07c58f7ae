/**
 * The reader against a bare js-yaml parse (issue #25's guard): over the YAML
 * files of a directory, each measurement in a fresh child process, rounds
 * run alternately, medians reported:
 *
 * - `js-yaml`: js-yaml's `loadAll` of each file, as `npm run bench`'s (d) reference;
 * - `read`: `parseManifests` of each file (the CLI's reader);
 * - `lint`, `explain`: `istio-mtls lint` and `explain` in process, as `npm run bench`'s (c).
 *
 * Wall time and CPU time (user + system, all threads) of each; on a shared
 * machine CPU time is the steadier figure.
 *
 *   npx tsc -p bench/tsconfig.json
 *   node --expose-gc .bench/js/bench/run.js --child ours --dir DIR --size 2000   # the bench's files, in DIR/ours (minutes)
 *   node .bench/js/bench/reader.js --dir DIR/ours --runs 5
 *   node --cpu-prof .bench/js/bench/reader.js --child lint --dir DIR/ours   # one measurement, profiled
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';

const KINDS = ['js-yaml', 'read', 'lint', 'explain'] as const;
type Kind = (typeof KINDS)[number];

interface Measurement {
  readonly kind: Kind;
  readonly ms: number;
  readonly cpuMs: number;
  readonly note: string;
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** One measurement; files are read inside the timed region, as the CLI reads them. */
function child(kind: Kind, dir: string): Measurement {
  /* eslint-disable @typescript-eslint/no-require-imports */
  let note: string;
  let measure: () => void;
  if (kind === 'js-yaml') {
    const { loadAll } = require('js-yaml') as typeof import('js-yaml');
    measure = () => {
      let docs = 0;
      for (const f of yamlFiles(dir)) docs += loadAll(fs.readFileSync(f, 'utf8')).filter((d) => d != null).length;
      note = `${docs} documents`;
    };
  } else if (kind === 'read') {
    const { parseManifests } = require('../src/input/parse-manifests') as typeof import('../src/input/parse-manifests');
    measure = () => {
      let objects = 0;
      let problems = 0;
      for (const f of yamlFiles(dir)) {
        const r = parseManifests(fs.readFileSync(f));
        objects += r.manifests.length;
        problems += r.problems.length;
      }
      note = `${objects} objects, ${problems} problems`;
    };
  } else {
    const { run } = require('../src/cli/main') as typeof import('../src/cli/main');
    measure = () => {
      let out = 0;
      const code = run([kind, '--format', 'json', dir], { stdout: (s) => { out += s.length; }, stderr: () => undefined });
      note = `exit ${code}, ${Math.round(out / 1024)} KiB of output`;
    };
  }
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  measure();
  const cpu = process.cpuUsage(cpu0);
  return { kind, ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000, note: note! };
}

function spawnChild(kind: Kind, dir: string): Measurement {
  const res = spawnSync(process.execPath, [...process.execArgv, '--max-old-space-size=8192', __filename, '--child', kind, '--dir', dir], {
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const line = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !line.startsWith('{')) throw new Error(`child ${kind} failed with status ${res.status}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(line) as Measurement;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function main(): void {
  const { values } = parseArgs({ options: { child: { type: 'string' }, dir: { type: 'string' }, runs: { type: 'string', default: '3' } } });
  if (!values.dir || !fs.statSync(values.dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--dir must be a directory of YAML files, got ${values.dir}`);
  if (values.child) {
    if (!(KINDS as readonly string[]).includes(values.child)) throw new Error(`--child must be one of ${KINDS.join(', ')}, got ${values.child}`);
    process.stdout.write(JSON.stringify(child(values.child as Kind, values.dir)) + '\n');
    return;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be an integer >= 1, got ${values.runs}`);
  const all = new Map<Kind, Measurement[]>(KINDS.map((k) => [k, []]));
  for (let r = 0; r < runs; r++) {
    for (const kind of KINDS) {
      const m = spawnChild(kind, values.dir);
      all.get(kind)!.push(m);
      process.stdout.write(`round ${r + 1} ${kind.padEnd(8)} ${Math.round(m.ms)} ms wall, ${Math.round(m.cpuMs)} ms CPU (${m.note})\n`);
    }
  }
  const wall = (k: Kind) => median(all.get(k)!.map((m) => m.ms));
  const cpu = (k: Kind) => median(all.get(k)!.map((m) => m.cpuMs));
  process.stdout.write(`\nmedians of ${runs}: ${KINDS.map((k) => `${k} ${Math.round(wall(k))} ms wall / ${Math.round(cpu(k))} ms CPU`).join('; ')}\n`);
  for (const k of ['read', 'lint', 'explain'] as const) {
    process.stdout.write(`${k} / js-yaml: ${(wall(k) / wall('js-yaml')).toFixed(2)} wall, ${(cpu(k) / cpu('js-yaml')).toFixed(2)} CPU (goal for lint and explain: <= 1.5)\n`);
  }
}

main();
