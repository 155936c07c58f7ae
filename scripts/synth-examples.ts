/**
 * Synthesizes every example app (`examples/<name>/main.ts`) into
 * `dist/<name>/`, the way `cdk8s synth` runs it: the app's own command in its
 * directory, with CDK8S_OUTDIR pointing at the output. Each output directory
 * is emptied first so no stale manifest survives.
 *
 * Usage: tsx scripts/synth-examples.ts [output-root]   (default: dist)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
const examplesDir = path.join(repoRoot, 'examples');
const outRoot = path.resolve(process.argv[2] ?? path.join(repoRoot, 'dist'));
const tsxCli = require.resolve('tsx/cli');

const examples = fs.readdirSync(examplesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(examplesDir, e.name, 'main.ts')))
  .map((e) => e.name)
  .sort();

let failed = 0;
for (const name of examples) {
  const outdir = path.join(outRoot, name);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const result = spawnSync(process.execPath, [tsxCli, 'main.ts'], {
    cwd: path.join(examplesDir, name),
    env: { ...process.env, CDK8S_OUTDIR: outdir },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`synth-examples: ${name} failed (exit ${result.status ?? result.signal})\n`);
    continue;
  }
  const files = fs.readdirSync(outdir).sort();
  process.stdout.write(`${name}: ${files.length} file(s) in ${path.relative(process.cwd(), outdir) || '.'}\n`);
  for (const f of files) process.stdout.write(`  ${f}\n`);
}
if (examples.length === 0) process.stderr.write('synth-examples: no examples/<name>/main.ts found\n');
process.exitCode = failed > 0 || examples.length === 0 ? 1 : 0;
