import { execFileSync } from 'child_process';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

/** The modules loaded by `require(entry)` in a fresh process, relative to the repository. */
function modulesLoadedBy(entry: string): string[] {
  const script = `
    require(${JSON.stringify(entry)});
    const root = ${JSON.stringify(ROOT + path.sep)};
    process.stdout.write(JSON.stringify(Object.keys(require.cache).map((k) => k.startsWith(root) ? k.slice(root.length).split(path.sep).join('/') : k)));
  `;
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', `const path = require('path');${script}`], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out);
}

describe('cold start', () => {
  it('importing the library loads the constructs, not the engine, its parsers or cdk8s-plus', () => {
    const loaded = modulesLoadedBy('./src/index.ts');
    expect(loaded.some((m) => m.startsWith('src/constructs/'))).toBe(true);
    // migration/options.ts (the plan's prop checks) is small and needed when a MigrationPlan is created.
    const engine = loaded.filter((m) => /^src\/(lint|engine|validation|analysis|resolution|migration\/(?!options)|input|report\/(text|json|sarif|explain)|cdk8s\/(app-analysis|analysis-worker)|certificates\/preflight)/.test(m));
    expect(engine).toEqual([]);
    // Our own yaml, ajv, cel-js and the PromQL parser load on first use (cdk8s bundles its own yaml).
    expect(loaded.filter((m) => /^node_modules\/(yaml|ajv|@marcbachmann|@prometheus-io|@lezer|cdk8s-plus)/.test(m))).toEqual([]);
  });
});
