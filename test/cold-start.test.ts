import { execFileSync } from 'child_process';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

/**
 * The modules loaded in the main thread of a fresh process that runs `code`,
 * relative to the repository, and what `code` left in `result`.
 */
function modulesLoadedBy(code: string): { loaded: string[]; result?: string } {
  const script = `
    let result;
    ${code}
    const root = ${JSON.stringify(ROOT + path.sep)};
    process.stdout.write(JSON.stringify({ result, loaded: Object.keys(require.cache).map((k) => k.startsWith(root) ? k.slice(root.length).split(path.sep).join('/') : k) }));
  `;
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', `const path = require('path');${script}`], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out);
}

/** The engine's modules: validators, rules, resolution, parsers and reports. */
const ENGINE = /^src\/(lint|engine|validation|analysis|resolution|migration\/(?!options)|input|report\/(text|json|sarif|explain)|cdk8s\/app-findings|certificates\/preflight)/;

describe('cold start', () => {
  it('importing the library loads the constructs, not the engine, its parsers or cdk8s-plus', () => {
    const { loaded } = modulesLoadedBy("require('./src/index.ts');");
    expect(loaded.some((m) => m.startsWith('src/constructs/'))).toBe(true);
    // migration/options.ts (the plan's prop checks) is small and needed when a MigrationPlan is created.
    expect(loaded.filter((m) => ENGINE.test(m))).toEqual([]);
    // Our own yaml, ajv, cel-js and the PromQL parser load on first use (cdk8s bundles its own yaml).
    expect(loaded.filter((m) => /^node_modules\/(yaml|js-yaml|ajv|@marcbachmann|cdk8s-plus)/.test(m))).toEqual([]);
  });

  it('a synth loads the engine when it first validates, and reports its findings', () => {
    const { loaded, result } = modulesLoadedBy(`
      const { ApiObject, App, Chart } = require('cdk8s');
      const { MeshStrictMtls } = require('./src/index.ts');
      const app = new App();
      const chart = new Chart(app, 'c');
      new MeshStrictMtls(chart, 'Mesh');
      new ApiObject(chart, 'Bad', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'bad', namespace: 'team' }, spec: { mtls: { mode: 'STRIC' } } });
      try { app.synthYaml(); } catch (e) { result = e.message; }
    `);
    expect(result).toMatch(/\[c\/Bad\] PeerAuthentication team\/bad: .*\(IMV204\)/);
    expect(loaded).toEqual(expect.arrayContaining(['src/cdk8s/app-findings.ts', 'src/lint.ts', 'src/validation/validate.ts']));
  });

  it('the CLI lints Istio manifests without loading the PromQL and template parsers or the plan command\'s YAML writer', () => {
    const { loaded, result } = modulesLoadedBy(`
      const { run } = require('./src/cli/main.ts');
      result = String(run(['lint', '--format', 'json', 'test/fixtures/cli/clean-mesh.yaml'], { stdout: () => undefined, stderr: () => undefined }));
    `);
    expect(result).toBe('0');
    expect(loaded).toEqual(expect.arrayContaining(['src/cli/plan.ts', 'src/validation/validate.ts']));
    expect(loaded.filter((m) => /^src\/validation\/prometheus\/(?!names|rules|webhook)/.test(m) || /^node_modules\/yaml\//.test(m))).toEqual([]);
  });

  it('the engine subpath loads without cdk8s', () => {
    const { loaded, result } = modulesLoadedBy(`
      const { lint, parseManifests } = require('./src/engine.ts');
      const { manifests } = parseManifests('apiVersion: security.istio.io/v1\\nkind: PeerAuthentication\\nmetadata: {name: a, namespace: b}\\nspec: {mtls: {mode: STRIC}}\\n');
      result = lint(manifests.map((m) => ({ manifest: m.manifest }))).map((f) => f.code).join(',');
    `);
    expect(result).toContain('IMV204');
    expect(loaded.filter((m) => /^node_modules\/(cdk8s|constructs)\//.test(m) || /^src\/(cdk8s|constructs|cli)\//.test(m))).toEqual([]);
  });
});
