/**
 * Heap each of our constructs keeps after it is built, against a plain cdk8s
 * ApiObject written by hand with the same manifest:
 *   npm run bench:retained [-- --count N]
 * Each case runs in a fresh process (--expose-gc): it builds N objects of one
 * kind spread over N/10 charts, collects fully, and divides the heap growth
 * by N. Before measuring, it checks that the construct and the plain object
 * synthesize the same manifest.
 */
import { spawnSync } from 'child_process';
import { isDeepStrictEqual, parseArgs } from 'util';
import { ApiObject, ApiObjectProps, App, Chart } from 'cdk8s';
import { heapAfterFullGc } from './lib/heap';
import { EXCEPTION, exceptionAnnotations } from './lib/mesh';
import {
  ClientTls, NamespaceMtls, ServiceAccess, WorkloadException, WorkloadMtls,
} from '../src/constructs';
import { AccessAction, Identity, MtlsMode, WorkloadSelector } from '../src/vocabulary';

/**
 * Each case: our construct, and the manifest it writes as a plain object literal
 * (i numbers the object, ns is its chart's namespace).
 */
interface Case {
  readonly ours: (chart: Chart, i: number, ns: string) => ApiObject;
  readonly manifest: (i: number, ns: string) => ApiObjectProps;
}

const CASES: Record<string, Case> = {
  NamespaceMtls: {
    // One namespace policy per namespace, always named "default".
    ours: (chart, i) => new NamespaceMtls(chart, `o${i}`, { namespace: `team-${i}`, mode: MtlsMode.STRICT }),
    manifest: (i) => ({
      apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: `team-${i}` }, spec: { mtls: { mode: 'STRICT' } },
    }),
  },
  ClientTls: {
    ours: (chart, i, ns) => new ClientTls(chart, `o${i}`, { namespace: ns, name: `c${i}` }),
    manifest: (i, ns) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: `c${i}`, namespace: ns },
      spec: { host: `*.${ns}.svc.cluster.local`, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    }),
  },
  WorkloadMtls: {
    ours: (chart, i) => new WorkloadMtls(chart, `o${i}`, {
      selector: WorkloadSelector.of({ app: `app-${i}` }),
      name: `w${i}`,
      mode: MtlsMode.STRICT,
      portLevelMtls: { 8080: MtlsMode.STRICT, 9090: MtlsMode.STRICT },
    }),
    manifest: (i, ns) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: `w${i}`, namespace: ns },
      spec: { selector: { matchLabels: { app: `app-${i}` } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'STRICT' }, 9090: { mode: 'STRICT' } } },
    }),
  },
  ServiceAccess: {
    ours: (chart, i, ns) => new ServiceAccess(chart, `o${i}`, {
      selector: WorkloadSelector.of({ app: `app-${i}` }),
      name: `a${i}`,
      action: AccessAction.ALLOW,
      rules: [{ identities: [Identity.serviceAccount(ns, `client-${i}`)], ports: [8080] }],
    }),
    manifest: (i, ns) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `a${i}`, namespace: ns },
      spec: {
        selector: { matchLabels: { app: `app-${i}` } },
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/client-${i}`] } }], to: [{ operation: { ports: ['8080'] } }] }],
      },
    }),
  },
  WorkloadException: {
    ours: (chart, i) => new WorkloadException(chart, `o${i}`, {
      selector: WorkloadSelector.of({ app: `app-${i}` }),
      name: `e${i}`,
      mode: MtlsMode.PERMISSIVE,
      ports: [9090],
      ...EXCEPTION,
    }),
    manifest: (i, ns) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: `e${i}`, namespace: ns, annotations: exceptionAnnotations() },
      spec: { selector: { matchLabels: { app: `app-${i}` } }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } },
    }),
  },
};

/** Kept reachable until the heap is measured. */
const built: unknown[] = [];

function child(name: string, side: 'ours' | 'plain', count: number): void {
  const c = CASES[name];
  const plain = (chart: Chart, i: number, ns: string) => new ApiObject(chart, `o${i}`, c.manifest(i, ns));
  const make = side === 'ours' ? c.ours : plain;
  const app = new App();
  built.push(app);
  // Same manifest both ways, checked on an object outside the measurement (it also loads every module).
  const [ja, jb] = [c.ours, plain].map((f, k) => f(new Chart(app, `probe-${k}`, { namespace: 'probe' }), 0, 'probe').toJson());
  if (!isDeepStrictEqual(ja, jb)) throw new Error(`${name}: the construct and the plain object differ:\n${JSON.stringify(ja)}\n${JSON.stringify(jb)}`);
  const charts = Array.from({ length: Math.ceil(count / 10) }, (_, i) => new Chart(app, `c${i}`, { namespace: `ns-${i}` }));
  const before = heapAfterFullGc();
  for (let i = 0; i < count; i++) make(charts[i % charts.length], i, `ns-${i % charts.length}`);
  process.stdout.write(`${(heapAfterFullGc() - before) / count}\n`);
}

function main(): void {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { child: { type: 'string' }, side: { type: 'string' }, count: { type: 'string' } },
  });
  const count = values.count ? Number(values.count) : 20_000;
  if (!Number.isInteger(count) || count < 10) throw new Error(`--count must be an integer >= 10, got ${values.count}`);
  if (values.child) return child(values.child, values.side as 'ours' | 'plain', count);
  const run = (name: string, side: string) => {
    const res = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', __filename, '--child', name, '--side', side, '--count', String(count)], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`${name} ${side}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return Number(res.stdout.trim());
  };
  process.stdout.write(`bytes kept per object after a full collection, ${count.toLocaleString('en-US')} objects per case\n`);
  process.stdout.write(`${'construct'.padEnd(20)}${'ours'.padStart(8)}${'plain'.padStart(8)}${'extra'.padStart(8)}\n`);
  for (const name of Object.keys(CASES)) {
    const [ours, base] = [run(name, 'ours'), run(name, 'plain')];
    process.stdout.write(`${name.padEnd(20)}${Math.round(ours).toString().padStart(8)}${Math.round(base).toString().padStart(8)}${Math.round(ours - base).toString().padStart(8)}\n`);
  }
}

main();
