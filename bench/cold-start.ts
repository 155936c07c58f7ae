/**
 * Cold start, each figure the median of fresh `node -e` processes:
 *  - `require('cdk8s')` alone, and followed by the library (lib/src/index.js);
 *  - the first validateManifest of each built-in kind, with the precompiled
 *    validators, and with the same schemas compiled by ajv at run time;
 *  - creating all four built-in validators: precompiled vs ajv compilation.
 * Compiles the library first (npx tsc -p tsconfig.json into lib/); pass
 * --no-compile to reuse lib/. Run: npx tsx bench/cold-start.ts [--runs N]
 */
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { performance } from 'perf_hooks';

const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'lib', 'src');
const argv = process.argv.slice(2);
const RUNS = Math.max(5, Number(argv[argv.indexOf('--runs') + 1]) || 7);

const MANIFESTS: Record<string, unknown> = {
  PeerAuthentication: {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'pa', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } },
  },
  AuthorizationPolicy: {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'ap', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['8080'] } }] }] },
  },
  DestinationRule: {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'dr', namespace: 'shop' },
    spec: { host: 'api.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
  },
  PrometheusRule: {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'pr', namespace: 'shop' },
    spec: { groups: [{ name: 'mtls', rules: [{ alert: 'PlaintextTraffic', expr: 'sum(rate(istio_requests_total{connection_security_policy="none"}[5m])) > 0', for: '10m' }] }] },
  },
};

/** Runs `code` in a fresh process; it prints one JSON object, returned with the process's wall time. */
function child(code: string): { wall: number; out: Record<string, number> } {
  const start = performance.now();
  const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
  const wall = performance.now() - start;
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return { wall, out: JSON.parse(r.stdout) as Record<string, number> };
}

const CLOCK = 'const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6; let t;';
const lib = (p: string): string => JSON.stringify(path.join(LIB, p));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median of each reported figure (and of the wall time) over RUNS processes. */
function measure(code: string): Record<string, number> {
  const runs = Array.from({ length: RUNS }, () => child(code));
  const keys = ['wall', ...Object.keys(runs[0].out)];
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => (k === 'wall' ? r.wall : r.out[k])))]));
}

/** A CrdSchemaSet of the built-in schemas without their precompiled validators, so ajv compiles them. */
const RUNTIME_SET = `(() => {
  const { CrdSchemaSet } = require(${lib('validation/schema/crd-schema-set.js')});
  const { GENERATED_CRDS } = require(${lib('validation/schemas/index.js')});
  return new CrdSchemaSet(GENERATED_CRDS.map((g) => ({ ...g, schemas: JSON.parse(g.load().SCHEMAS_JSON) })));
})()`;

function main(): void {
  if (!argv.includes('--no-compile')) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  const f = (n: number): string => `${n.toFixed(1)} ms`;
  const lines: string[] = [`cold start, median of ${RUNS} fresh node processes (node ${process.version})`];

  const noop = measure(`${CLOCK} process.stdout.write('{}')`);
  const bare = measure(`${CLOCK} t = process.hrtime.bigint(); require('cdk8s'); process.stdout.write(JSON.stringify({ cdk8s: ms(t) }))`);
  const withLib = measure(`${CLOCK} t = process.hrtime.bigint(); require('cdk8s'); const a = ms(t);
    t = process.hrtime.bigint(); require(${lib('index.js')}); const b = ms(t);
    const loaded = (s) => Object.keys(require.cache).some((k) => k.includes(s)) ? 1 : 0;
    process.stdout.write(JSON.stringify({ cdk8s: a, library: b, total: a + b,
      ajv: loaded('/node_modules/ajv/'), cel: loaded('/node_modules/@marcbachmann/cel-js/'), plus: loaded('/node_modules/cdk8s-plus-') }))`);
  lines.push(
    `  node -e '' (process only)         wall ${f(noop.wall)}`,
    `  require('cdk8s')                  ${f(bare.cdk8s)} in process, wall ${f(bare.wall)}`,
    `  require('cdk8s') + library        ${f(withLib.total)} in process (library ${f(withLib.library)}), wall ${f(withLib.wall)}`,
    `    library adds ${pct(withLib.total / bare.cdk8s - 1)} to require('cdk8s') in process, ${pct((withLib.wall - bare.wall) / bare.wall)} to the process wall time`,
    `    at import: ajv loaded ${withLib.ajv ? 'yes' : 'no'}, cel-js loaded ${withLib.cel ? 'yes' : 'no'}, cdk8s-plus loaded ${withLib.plus ? 'yes' : 'no'}`,
  );

  lines.push('  first validateManifest of a kind (after requiring validation/validate.js): precompiled vs runtime-compiled');
  for (const [kind, manifest] of Object.entries(MANIFESTS)) {
    const setup = `${CLOCK} const { validateManifest } = require(${lib('validation/validate.js')}); const m = ${JSON.stringify(manifest)};`;
    const pre = measure(`${setup} t = process.hrtime.bigint(); const n = validateManifest(m).length; const first = ms(t);
      t = process.hrtime.bigint(); validateManifest(m); process.stdout.write(JSON.stringify({ first, second: ms(t), n }))`);
    const rt = measure(`${setup} t = process.hrtime.bigint(); const crds = ${RUNTIME_SET}; const n = validateManifest(m, { crds }).length; const first = ms(t);
      t = process.hrtime.bigint(); validateManifest(m, { crds }); process.stdout.write(JSON.stringify({ first, second: ms(t), n }))`);
    if (pre.n !== rt.n) throw new Error(`${kind}: ${pre.n} findings precompiled, ${rt.n} runtime-compiled`);
    lines.push(`    ${kind.padEnd(20)} precompiled ${f(pre.first)}  runtime ${f(rt.first)}  (${(rt.first / pre.first).toFixed(1)}x; second call ${f(pre.second)})`);
  }

  const all = `${CLOCK} const { GENERATED_CRDS } = require(${lib('validation/schemas/index.js')});`;
  const loadPre = measure(`${all} t = process.hrtime.bigint(); const { precompiledValidators } = require(${lib('validation/schema/precompiled.js')});
    for (const g of GENERATED_CRDS) precompiledValidators(g.load()); process.stdout.write(JSON.stringify({ ms: ms(t) }))`);
  const compileAll = measure(`${all} t = process.hrtime.bigint(); const { createAjv, toAjvSchema } = require(${lib('validation/schema/ajv-schema.js')});
    const ajv = createAjv(); for (const g of GENERATED_CRDS) for (const s of JSON.parse(g.load().SCHEMAS_JSON)) ajv.compile(toAjvSchema(s));
    process.stdout.write(JSON.stringify({ ms: ms(t) }))`);
  lines.push(`  all 4 built-in validators: precompiled load ${f(loadPre.ms)}, ajv compile ${f(compileAll.ms)} (${(compileAll.ms / loadPre.ms).toFixed(1)}x)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}

main();
