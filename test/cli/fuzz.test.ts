/**
 * Fuzz test of the CLI over hostile input: at least 10,000 generated inputs
 * through `istio-mtls lint` and `istio-mtls explain` (in process, with a fake
 * Io), run in batches of 1,000 (one test each, so no test runs long on a busy
 * machine), plus a few through the real entry point in a child process.
 * The inputs are deterministic: input i is the same whichever batch runs it.
 *
 * Every input must end with exit 0, 1 or 2, every stderr line must be one
 * `file:line:col: message` line (never a stack trace, never a Node warning,
 * never "internal error"), and a bad document between two good ones must not
 * hide the good ones' findings.
 * Speed is not checked here (bench/ measures it); the tests print timings.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { run } from '../../src/cli/main';

// --- a seeded generator --------------------------------------------------------

/** Park-Miller minimal standard generator: small, deterministic, no bitwise tricks. */
function rng(seed: number): () => number {
  let a = (seed % 2147483646) + 1;
  return () => {
    a = (a * 48271) % 2147483647;
    return (a - 1) / 2147483646;
  };
}
type Rand = ReturnType<typeof rng>;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

/** Valid manifests of every kind the engine reads (and some it does not). */
function bases(): Record<string, unknown>[] {
  return [
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'legacy', namespace: 'prod', annotations: { 'mtls.exception/owner': 'team', 'mtls.exception/reason': 'x', 'mtls.exception/review-by': '2999-01-01' } },
      spec: { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' }, 9090: { mode: 'DISABLE' } } },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'api', namespace: 'prod' },
      spec: {
        host: 'api.prod.svc.cluster.local',
        exportTo: ['.'],
        workloadSelector: { matchLabels: { app: 'web' } },
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'DISABLE' } }] },
        subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'x' } } }],
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow', namespace: 'prod' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/web/sa/web'], namespaces: ['web'] } }], to: [{ operation: { ports: ['8080'], methods: ['GET'] } }], when: [{ key: 'source.namespace', values: ['web'] }] }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'prod', labels: { app: 'api' } },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { 'app': 'api', 'sidecar.istio.io/inject': 'true' }, annotations: { 'sidecar.istio.io/inject': 'true' } },
          spec: { serviceAccountName: 'api', hostNetwork: false, containers: [{ name: 'app', image: 'x', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090 }] }] },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'prod' }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 'http', name: 'http' }, { port: 90, targetPort: 9090 }] } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'prod', labels: { app: 'p' } }, spec: { serviceAccountName: 'p', containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cj', namespace: 'prod' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: 'cj' } }, spec: { containers: [{ name: 'c' }] } } } } },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'mtls', namespace: 'monitoring' },
      spec: { groups: [{ name: 'g', interval: '1m', rules: [{ alert: 'A', expr: 'sum(rate(x[5m])) > 0', for: '5m', labels: { severity: 'warning' } }] }] },
    },
    { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 's', namespace: 'prod' }, spec: { egress: [{ hosts: ['./*'] }] } },
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { anything: [1, 2, 3] } },
  ];
}

/** Values of the wrong type (and some hostile ones of the right type). */
const JUNK: unknown[] = [
  null, 0, -1, 1.5, 2 ** 53, 1e308, true, false, '', 'x', ' ', '0', '*', '/', '../../etc', '__proto__', 'constructor',
  'STRIC', 'ISTIO_MUTUAL', 'spiffe://cluster.local/ns/a/sa/b', 'a'.repeat(5000), '\u0000\u202e\ud83d\ude00', [], [null], [1, 'a', {}], {}, { __proto__x: 1 },
  { toString: 'x', valueOf: 1, hasOwnProperty: 'y' }, { a: { b: { c: [] } } },
];

/** Every JSON-pointer path of a value, as key arrays. */
function allPaths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => allPaths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) allPaths(x, [...prefix, k], out);
  return out;
}

function setPath(root: unknown, p: (string | number)[], value: unknown, remove = false): unknown {
  if (p.length === 0) return value;
  const copy: any = structuredClone(root);
  let node = copy;
  for (const k of p.slice(0, -1)) node = node[k];
  const last = p[p.length - 1];
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
  return copy;
}

function randomJunk(r: Rand, depth = 0): unknown {
  const k = int(r, 10);
  if (k < 5 || depth > 3) return pick(r, JUNK);
  if (k < 7) return Array.from({ length: int(r, 4) }, () => randomJunk(r, depth + 1));
  return Object.fromEntries(Array.from({ length: int(r, 4) }, () => [pick(r, ['spec', 'mode', 'host', 'metadata', 'x', '8080', 'labels']), randomJunk(r, depth + 1)]));
}

function mutate(r: Rand, m: unknown): unknown {
  let out = m;
  const n = 1 + int(r, 3);
  for (let i = 0; i < n; i++) {
    const paths = allPaths(out).filter((p) => p.length > 0);
    if (paths.length === 0) break;
    const p = pick(r, paths);
    const op = int(r, 5);
    if (op === 0) out = setPath(out, p, undefined, true);
    else if (op === 1 && out && typeof out === 'object') out = setPath(out, [...p.slice(0, -1), pick(r, ['unknownField', 'mode', 'selector', 'tls'])], randomJunk(r));
    else out = setPath(out, p, randomJunk(r));
  }
  return out;
}

const toYaml = (v: unknown) => stringify(v, { aliasDuplicateObjects: false, lineWidth: 0 });

function truncate(r: Rand, text: string): string {
  return text.slice(0, int(r, text.length + 1));
}

function randomBytes(r: Rand, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

function aliasBomb(levels: number, width: number): string {
  const lines = [`a0: &a0 [${Array(width).fill('"lol"').join(',')}]`];
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(',')}]`);
  return lines.join('\n') + '\n';
}

/** One generated input: file content, and whether it is one bad document (to embed between good ones). */
interface Case { readonly name: string; readonly content: string | Buffer; readonly embeddable: boolean }

function generate(r: Rand, i: number, base: Record<string, unknown>[]): Case {
  const b = pick(r, base);
  const kind = int(r, 100);
  if (kind < 55) {
    const m = mutate(r, b);
    return { name: `mutated-${i}`, content: int(r, 4) === 0 ? JSON.stringify(m) : toYaml(m), embeddable: true };
  }
  if (kind < 65) return { name: `truncated-${i}`, content: truncate(r, toYaml(mutate(r, b))), embeddable: false };
  if (kind < 70) return { name: `bytes-${i}`, content: randomBytes(r, int(r, 300)), embeddable: false };
  if (kind < 75) {
    // Non-UTF-8: a valid manifest with an invalid byte sequence inside.
    const text = Buffer.from(toYaml(b));
    const at = int(r, text.length);
    return { name: `non-utf8-${i}`, content: Buffer.concat([text.subarray(0, at), Buffer.from([pick(r, [0xc3, 0xff, 0xfe, 0xed, 0x80])]), text.subarray(at)]), embeddable: false };
  }
  if (kind < 80) {
    // Duplicate keys, at the top or inside.
    const text = toYaml(b);
    const lines = text.split('\n');
    const at = int(r, lines.length - 1);
    lines.splice(at + 1, 0, lines[at]);
    return { name: `dup-key-${i}`, content: lines.join('\n'), embeddable: true };
  }
  if (kind < 85) {
    const items = Array.from({ length: int(r, 5) }, () => (int(r, 2) ? mutate(r, pick(r, base)) : randomJunk(r)));
    return { name: `list-${i}`, content: toYaml({ apiVersion: 'v1', kind: pick(r, ['List', 'ServiceList', 'PodList']), items }), embeddable: true };
  }
  if (kind < 88) return { name: `unknown-kind-${i}`, content: toYaml({ ...b, apiVersion: pick(r, ['v1', 'x/v1', 'security.istio.io/v9']), kind: pick(r, ['Nope', 'peerauthentication', 'List', '']) }), embeddable: true };
  if (kind < 91) return { name: `empty-${i}`, content: pick(r, ['', '\n', '---\n', '---\n---\n...\n', '# comment only\n', '\ufeff', '~\n', 'null\n']), embeddable: true };
  if (kind < 94) return { name: `scalar-${i}`, content: pick(r, ['42\n', '"str"\n', '- a\n- b\n', '[1, {a: 1}]\n', '!!binary aGVsbG8=\n', '{? [a]: b}\n', '!!binary x: 1\n', '? {a: 1}\n: b\n', '&a [*a]\n', '*nope\n', '%YAML 1.1\n---\na: 1\n', '!!set {a, b}\n', '!!omap [a: 1]\n', 'a: !!timestamp 2001-12-14\n', 'a: .inf\nb: .nan\n']), embeddable: true };
  if (kind < 97) {
    // Random YAML-ish text from YAML punctuation.
    const alphabet = ['a', ':', ' ', '\n', '-', '[', ']', '{', '}', ',', '"', "'", '&x', '*x', '!', '|', '>', '#', '?', '%', '@', '`', '\t', 'kind', 'apiVersion', '0x1', '1e9'];
    return { name: `punct-${i}`, content: Array.from({ length: int(r, 80) }, () => pick(r, alphabet)).join(''), embeddable: false };
  }
  return { name: `alias-${i}`, content: `${toYaml(b)}---\n${aliasBomb(2 + int(r, 4), 2 + int(r, 8))}`, embeddable: false };
}

// --- the harness ----------------------------------------------------------------

interface Outcome { readonly code: number; readonly stdout: string; readonly stderr: string; readonly ms: number }

function cli(args: string[]): Outcome {
  let stdout = '';
  let stderr = '';
  const t = performance.now();
  const code = run(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
  return { code, stdout, stderr, ms: performance.now() - t };
}

const LOCATED_LINE = /^.+:\d+:\d+: \S.*$/;

/** Checks the contract of one run; returns a description of the first violation, if any. */
function violation(o: Outcome): string | undefined {
  if (![0, 1, 2].includes(o.code)) return `exit ${o.code}`;
  if (/internal error/.test(o.stderr)) return `internal error: ${o.stderr}`;
  const lines = o.stderr.split('\n').filter((l) => l !== '');
  for (const l of lines) {
    if (/^\s+at /.test(l) || /^\w*Error:/.test(l) || /^\(node:\d+\)/.test(l)) return `stack trace or warning on stderr: ${l}`;
    if (!LOCATED_LINE.test(l)) return `stderr line is not file:line:col: message: ${JSON.stringify(l)}`;
  }
  if (lines.length > 0 && o.code !== 2) return `problems on stderr but exit ${o.code}`;
  return undefined;
}

const SENTINELS = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: bad-ports, namespace: sentinel-a}
spec: {portLevelMtls: {"8080": {mode: DISABLE}}}
`;
const SENTINEL_B = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: spiffe, namespace: sentinel-b}
spec: {selector: {matchLabels: {app: x}}, rules: [{from: [{source: {principals: ["spiffe://cluster.local/ns/a/sa/b"]}}]}]}
`;

/** Where kubectl stops reading a file (a document it cannot decode), nothing after it is applied, so nothing after it is judged. */
const KUBECTL_STOPS = 'kubectl stops reading the file here';

function hasSentinelFindings(json: string, stderr: string): string | undefined {
  const report = JSON.parse(json) as { findings: { code: string; resource: { namespace: string } }[] };
  const has = (code: string, ns: string) => report.findings.some((f) => f.code === code && f.resource.namespace === ns);
  if (!has('IMV301', 'sentinel-a')) return 'validation finding of the document before the bad one is missing';
  if (stderr.includes(KUBECTL_STOPS)) return has('IMA010', 'sentinel-b') ? 'a document kubectl never applies was judged' : undefined;
  if (!has('IMA010', 'sentinel-b')) return 'analysis finding of the document after the bad one is missing';
  return undefined;
}

// --- the generated inputs, in batches -------------------------------------------------

/** One generated input with the two runs made of it: `lint` and `explain`. */
interface Planned {
  readonly name: string;
  readonly content: string | Buffer;
  /** Checked between two good documents whose findings must survive (lint as JSON). */
  readonly embedded?: string;
  readonly lint: string[];
  readonly explain: string[];
}

const JUNK_VALUES = [null, 7, 'x', [], {}, true, undefined];
const MIN_INPUTS = 10_000;
/** Kills a child that hangs; not a speed check (benchmarks under bench/ measure speed). */
const HANG_GUARD_MS = 5 * 60_000;
const MIN_RANDOM = 5_000;
const BATCH = 1_000;

/** 1. Systematic: every field path of every base manifest, replaced by wrong types, and removed. */
function systematicInputs(base: Record<string, unknown>[]): Planned[] {
  const out: Planned[] = [];
  base.forEach((b, bi) => {
    for (const p of allPaths(b)) {
      if (p.length === 0) continue;
      for (const junk of JUNK_VALUES) {
        const m = junk === undefined ? setPath(b, p, undefined, true) : setPath(b, p, junk);
        out.push({
          name: `field-${bi}-${p.join('.')}-${JSON.stringify(junk) ?? 'removed'}`,
          content: toYaml(m),
          lint: ['lint', '--format', 'json'],
          explain: ['explain', '--format', 'json', '--connections'],
        });
      }
    }
  });
  return out;
}

/** How many systematic inputs there are, without building them (known when the tests are collected). */
function systematicCount(base: Record<string, unknown>[]): number {
  return base.reduce((n, b) => n + (allPaths(b).length - 1) * JUNK_VALUES.length, 0);
}

/** Random inputs make up the rest of MIN_INPUTS, and are at least MIN_RANDOM. */
const randomCount = (systematic: number) => Math.max(MIN_RANDOM, MIN_INPUTS - systematic);

/**
 * 2. Random: mutations, truncations, bytes, encodings, duplicates, lists, aliases, ...
 * One seeded stream, drawn in input order, so input i is the same whichever batch runs it.
 */
function randomInputs(base: Record<string, unknown>[], n: number): Planned[] {
  const r = rng(20240611);
  const out: Planned[] = [];
  const formats = ['text', 'json', 'sarif'];
  for (let i = 0; i < n; i++) {
    const c = generate(r, i, base);
    const embed = c.embeddable && i % 3 === 0 && typeof c.content === 'string';
    out.push({
      name: c.name,
      content: embed ? `${SENTINELS}---\n${c.content as string}\n---\n${SENTINEL_B}` : c.content,
      embedded: embed ? c.content as string : undefined,
      lint: ['lint', '--format', embed ? 'json' : formats[i % 3]],
      explain: ['explain', '--format', pick(r, ['text', 'json', 'markdown', 'mermaid']), ...(i % 2 ? ['--connections'] : [])],
    });
  }
  return out;
}

let planned: Planned[] | undefined;
/** Every generated input, systematic first, built once (by whichever batch runs first). */
function allInputs(): Planned[] {
  if (!planned) {
    const base = bases();
    const systematic = systematicInputs(base);
    planned = [...systematic, ...randomInputs(base, randomCount(systematic.length))];
  }
  return planned;
}

const TOTAL_INPUTS = (() => {
  const systematic = systematicCount(bases());
  return systematic + randomCount(systematic);
})();
const BATCHES = Array.from({ length: Math.ceil(TOTAL_INPUTS / BATCH) }, (_, b) => [b * BATCH, Math.min(TOTAL_INPUTS, (b + 1) * BATCH)] as const);

describe('CLI fuzz', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-mtls-fuzz-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`generates ${TOTAL_INPUTS.toLocaleString('en-US')} inputs (at least ${MIN_INPUTS.toLocaleString('en-US')}), split into ${BATCHES.length} batches that cover each once`, () => {
    expect(TOTAL_INPUTS).toBeGreaterThanOrEqual(MIN_INPUTS);
    expect(allInputs()).toHaveLength(TOTAL_INPUTS);
    expect(BATCHES[0][0]).toBe(0);
    BATCHES.forEach(([from], b) => expect(from).toBe(b === 0 ? 0 : BATCHES[b - 1][1]));
    expect(BATCHES[BATCHES.length - 1][1]).toBe(TOTAL_INPUTS);
  });

  it.each(BATCHES.map(([from, to]) => [from + 1, to, from]))(
    'inputs %i to %i: exit 0, 1 or 2 with a one-line message or findings, never hiding the good documents', (_first, to, from) => {
      const failures: string[] = [];
      let count = 0;
      let slowest = { name: '', ms: 0, command: '' };
      const check = (name: string, command: string, o: Outcome) => {
        count++;
        if (o.ms > slowest.ms) slowest = { name, ms: o.ms, command };
        const v = violation(o);
        if (v && failures.length < 20) failures.push(`${name} (${command}): ${v}`);
      };
      const file = path.join(dir, 'input.yaml');
      for (const input of allInputs().slice(from, to)) {
        fs.writeFileSync(file, input.content);
        const lint = cli([...input.lint, file]);
        check(input.name, 'lint', lint);
        if (input.embedded !== undefined) {
          const lost = hasSentinelFindings(lint.stdout, lint.stderr);
          if (lost && failures.length < 20) failures.push(`${input.name}: ${lost}\n${input.embedded}`);
        }
        check(input.name, 'explain', cli([...input.explain, file]));
      }
      console.log(`fuzz: ${count} CLI runs (lint and explain) over inputs ${from + 1} to ${to}; slowest: ${slowest.name} (${slowest.command}) ${Math.round(slowest.ms)} ms`);
      expect(failures).toEqual([]);
      expect(count).toBe(2 * (to - from));
    },
  );

  it('keeps the documents before a YAML syntax error or an alias bomb, and says kubectl stops reading there', () => {
    // cli-runtime StreamVisitor.Visit returns on the first document it cannot decode: the rest of the file is never applied.
    for (const bad of ['a: [1, 2\nb: }', aliasBomb(8, 10), '{{{{', '\t- x\n']) {
      const file = path.join(dir, 'mixed.yaml');
      fs.writeFileSync(file, `${SENTINELS}---\n${bad}\n---\n${SENTINEL_B}`);
      const o = cli(['lint', '--format', 'json', file]);
      expect(violation(o)).toBeUndefined();
      expect(o.code).toBe(2);
      expect(o.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(o.stderr).toContain(KUBECTL_STOPS);
      expect(hasSentinelFindings(o.stdout, o.stderr)).toBeUndefined();
    }
  });

  it('reads on past a duplicate key, as kubectl does (the last value wins)', () => {
    const file = path.join(dir, 'mixed.yaml');
    fs.writeFileSync(file, `${SENTINELS}---\na: 1\na: 2\n---\n${SENTINEL_B}`);
    const o = cli(['lint', '--format', 'json', file]);
    expect(violation(o)).toBeUndefined();
    expect(hasSentinelFindings(o.stdout, o.stderr)).toBeUndefined();
  });

  it('handles huge and deep documents with a one-line message or findings (and prints how long each took)', () => {
    const cases: [string, string][] = [
      ['deep-flow-seq', '['.repeat(50_000) + ']'.repeat(50_000)],
      ['deep-flow-map', '{a: '.repeat(20_000) + '1' + '}'.repeat(20_000)],
      ['deep-block-map', Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n'],
      ['deep-json-300', '{"a":'.repeat(300) + '1' + '}'.repeat(300)],
      ['long-line', `apiVersion: v1\nkind: Service\nmetadata: {name: "${'x'.repeat(5_000_000)}", namespace: n}\n`],
      ['many-documents', Array.from({ length: 10_000 }, (_, i) => `apiVersion: v1\nkind: Service\nmetadata: {name: s${i}, namespace: n${i % 50}}\nspec: {selector: {app: a${i}}, ports: [{port: 80}]}\n`).join('---\n')],
      ['big-list', toYaml({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: 5_000 }, (_, i) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: `p${i}`, namespace: `n${i % 100}` }, spec: { selector: { matchLabels: { app: `a${i}` } }, mtls: { mode: 'STRICT' } } })) })],
      ['alias-bomb-9', aliasBomb(9, 9)],
      ['alias-bomb-wide', aliasBomb(3, 2000)],
    ];
    const times: string[] = [];
    for (const [name, content] of cases) {
      const file = path.join(dir, `${name}.yaml`);
      fs.writeFileSync(file, content);
      for (const command of ['lint', 'explain']) {
        const o = cli([command, file]);
        expect(violation(o), `${name} ${command}`).toBeUndefined();
        times.push(`${name} ${command} ${Math.round(o.ms)} ms`);
      }
    }
    console.log(`large inputs (${Math.round(cases.reduce((n, [, c]) => n + c.length, 0) / 1e6)} MB in all): ${times.join(', ')}`);
  });

  it('reads many deep documents in one run, refusing each on one line and losing nothing else', () => {
    const d = path.join(dir, 'many-deep');
    fs.mkdirSync(d, { recursive: true });
    const deep = {
      'a-flow.yaml': `data: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n---\nx: ${'{a: '.repeat(20_000)}1${'}'.repeat(20_000)}\n`,
      'b-block.yaml': Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n',
      'c-flow.yaml': `- ${'- '.repeat(20_000)}x\n`,
      'd.json': `{"z":-0,"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      'e-flow.yaml': `data: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`,
    };
    for (const [name, content] of Object.entries(deep)) fs.writeFileSync(path.join(d, name), content);
    fs.writeFileSync(path.join(d, '0-first.yaml'), SENTINELS);
    fs.writeFileSync(path.join(d, 'z-last.yaml'), SENTINEL_B);
    const o = cli(['lint', '--format', 'json', d]);
    expect(violation(o)).toBeUndefined();
    expect(o.stderr.split('\n').filter((l) => /nested deeper than 256 levels/.test(l))).toHaveLength(Object.keys(deep).length);
    // The files around them are judged in full.
    const codes = (JSON.parse(o.stdout) as { findings: { code: string; resource: { namespace: string } }[] }).findings.map((f) => `${f.code} ${f.resource.namespace}`);
    expect(codes).toEqual(expect.arrayContaining(['IMV301 sentinel-a', 'IMA010 sentinel-b']));
  });

  it('reads directories with unreadable files, symlink loops and odd entries, reporting each problem on one line', () => {
    const d = path.join(dir, 'tree');
    fs.mkdirSync(path.join(d, 'sub', 'deeper'), { recursive: true });
    fs.writeFileSync(path.join(d, 'a-good.yaml'), SENTINELS);
    fs.writeFileSync(path.join(d, 'sub', 'deeper', 'z-good.yaml'), SENTINEL_B);
    fs.writeFileSync(path.join(d, 'locked.yaml'), SENTINELS);
    fs.chmodSync(path.join(d, 'locked.yaml'), 0o000);
    fs.mkdirSync(path.join(d, 'locked-dir'));
    fs.writeFileSync(path.join(d, 'locked-dir', 'x.yaml'), SENTINELS);
    fs.chmodSync(path.join(d, 'locked-dir'), 0o000);
    fs.symlinkSync('loop-b.yaml', path.join(d, 'loop-a.yaml'));
    fs.symlinkSync('loop-a.yaml', path.join(d, 'loop-b.yaml'));
    fs.symlinkSync('.', path.join(d, 'sub', 'self'));
    fs.symlinkSync('missing.yaml', path.join(d, 'dangling.yaml'));
    fs.mkdirSync(path.join(d, 'dir.yaml'));
    fs.writeFileSync(path.join(d, 'empty.yml'), '');
    fs.writeFileSync(path.join(d, 'binary.json'), Buffer.from([0, 159, 146, 150]));
    // Root reads files whatever their mode: then the locked ones are simply read.
    let canRead = false;
    try {
      fs.readFileSync(path.join(d, 'locked.yaml'));
      canRead = true;
    } catch {
      canRead = false;
    }
    try {
      for (const command of ['lint', 'explain']) {
        const o = cli([command, '--format', 'json', d, path.join(d, 'no-such-file.yaml')]);
        expect(violation(o), command).toBeUndefined();
        expect(o.code).toBe(2);
        const lines = o.stderr.split('\n').filter(Boolean);
        expect(lines.some((l) => l.includes('loop-a.yaml') && /symbolic links|ELOOP/.test(l))).toBe(true);
        expect(lines.some((l) => l.includes('dangling.yaml') && l.includes('no such file'))).toBe(true);
        expect(lines.some((l) => l.includes('binary.json') && l.includes('binary'))).toBe(true);
        expect(lines.some((l) => l.includes('no-such-file.yaml') && l.includes('no such file'))).toBe(true);
        expect(lines.some((l) => l.includes('locked.yaml') && l.includes('permission denied'))).toBe(!canRead);
        expect(lines.some((l) => l.includes('locked-dir') && l.includes('permission denied'))).toBe(!canRead);
        if (command === 'lint') expect(hasSentinelFindings(o.stdout, o.stderr)).toBeUndefined();
        else expect(JSON.parse(o.stdout)).toBeTypeOf('object');
      }
    } finally {
      fs.chmodSync(path.join(d, 'locked-dir'), 0o755);
      fs.chmodSync(path.join(d, 'locked.yaml'), 0o644);
    }
  });

  it('treats standard input like a file, and a failing read of it as one problem', () => {
    for (const content of [Buffer.from([0xff, 0, 1]), Buffer.from(aliasBomb(9, 9)), Buffer.from(`${SENTINELS}---\n{{{\n---\n${SENTINEL_B}`)]) {
      let stdout = '';
      let stderr = '';
      const code = run(['lint', '--format', 'json', '-'], { stdout: (x) => { stdout += x; }, stderr: (x) => { stderr += x; }, readStdin: () => content });
      const o = { code, stdout, stderr, ms: 0 };
      expect(violation(o)).toBeUndefined();
      expect(code).toBe(2);
      expect(stderr).toMatch(/^-:\d+:\d+: /);
    }
    let stderr = '';
    const code = run(['explain', '-'], { stdout: () => undefined, stderr: (x) => { stderr += x; }, readStdin: () => { throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, read'), { code: 'EAGAIN' }); } });
    expect(code).toBe(2);
    expect(violation({ code, stdout: '', stderr, ms: 0 })).toBeUndefined();
  });

  it('never lets a stack trace or a Node warning reach stderr of the real command', () => {
    const entry = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
    const inputs: [string, string | Buffer][] = [
      ['collection-key.yaml', '!!binary x: 1\n? {a: 1}\n: b\n'],
      ['bomb.yaml', aliasBomb(9, 9)],
      ['bytes.yaml', Buffer.from([0xff, 0xfe, 0, 1])],
      ['deep.yaml', '['.repeat(50_000)],
      ['junk.yaml', toYaml({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: 5, spec: [1] })],
    ];
    const files = inputs.map(([name, content]) => {
      const f = path.join(dir, `bin-${name}`);
      fs.writeFileSync(f, content);
      return f;
    });
    for (const command of ['lint', 'explain']) {
      const res = spawnSync(process.execPath, ['--import', 'tsx', entry, command, ...files], { encoding: 'utf8', timeout: HANG_GUARD_MS });
      expect(res.error, 'the command hung (killed after the hang guard)').toBeUndefined();
      expect(res.status, res.stderr).toBe(2);
      const lines = res.stderr.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThanOrEqual(3);
      for (const l of lines) expect(l).toMatch(LOCATED_LINE);
      expect(res.stderr).not.toMatch(/^\s+at |\(node:\d+\)|Warning:/m);
    }
  });
});
