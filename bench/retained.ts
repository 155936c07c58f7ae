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
import { isDeepStrictEqual } from 'util';
import { ApiObject, App, Chart } from 'cdk8s';
import {
  ClientTls, NamespaceMtls, ServiceAccess, WorkloadException, WorkloadMtls,
} from '../src/constructs';
import { AccessAction, Identity, MtlsMode, WorkloadSelector } from '../src/vocabulary';

type Make = (chart: Chart, i: number, ns: string) => ApiObject;

const plain = (apiVersion: string, kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>): Make =>
  (chart, i) => new ApiObject(chart, `o${i}`, { apiVersion, kind, metadata, spec });

/** Each case: our construct, and the same manifest as a plain ApiObject (i numbers the object, ns is its chart's namespace). */
const CASES: Record<string, { ours: Make; plain: (i: number, ns: string) => Make }> = {
  NamespaceMtls: {
    // One namespace policy per namespace, always named "default".
    ours: (chart, i) => new NamespaceMtls(chart, `o${i}`, { namespace: `team-${i}`, mode: MtlsMode.STRICT }),
    plain: (i) => plain('security.istio.io/v1', 'PeerAuthentication', { name: 'default', namespace: `team-${i}` }, { mtls: { mode: 'STRICT' } }),
  },
  ClientTls: {
    ours: (chart, i, ns) => new ClientTls(chart, `o${i}`, { namespace: ns, name: `c${i}` }),
    plain: (i, ns) => plain('networking.istio.io/v1', 'DestinationRule', { name: `c${i}`, namespace: ns },
      { host: `*.${ns}.svc.cluster.local`, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
  },
  WorkloadMtls: {
    ours: (chart, i) => new WorkloadMtls(chart, `o${i}`, {
      selector: WorkloadSelector.of({ app: `app-${i}` }),
      name: `w${i}`,
      mode: MtlsMode.STRICT,
      portLevelMtls: { 8080: MtlsMode.STRICT, 9090: MtlsMode.STRICT },
    }),
    plain: (i, ns) => plain('security.istio.io/v1', 'PeerAuthentication', { name: `w${i}`, namespace: ns }, {
      selector: { matchLabels: { app: `app-${i}` } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'STRICT' }, 9090: { mode: 'STRICT' } },
    }),
  },
  ServiceAccess: {
    ours: (chart, i, ns) => new ServiceAccess(chart, `o${i}`, {
      selector: WorkloadSelector.of({ app: `app-${i}` }),
      name: `a${i}`,
      action: AccessAction.ALLOW,
      rules: [{ identities: [Identity.serviceAccount(ns, `client-${i}`)], ports: [8080] }],
    }),
    plain: (i, ns) => plain('security.istio.io/v1', 'AuthorizationPolicy', { name: `a${i}`, namespace: ns }, {
      selector: { matchLabels: { app: `app-${i}` } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/client-${i}`] } }], to: [{ operation: { ports: ['8080'] } }] }],
    }),
  },
  WorkloadException: {
    ours: (chart, i) => new WorkloadException(chart, `o${i}`, {
      selector: WorkloadSelector.of({ app: `app-${i}` }),
      name: `e${i}`,
      mode: MtlsMode.PERMISSIVE,
      ports: [9090],
      reason: 'metrics scraped by a Prometheus outside the mesh',
      owner: 'team-observability',
      reviewBy: '2999-12-31',
      ticket: 'OBS-1',
    }),
    plain: (i, ns) => plain('security.istio.io/v1', 'PeerAuthentication', {
      name: `e${i}`,
      namespace: ns,
      annotations: {
        'mtls.exception/owner': 'team-observability',
        'mtls.exception/reason': 'metrics scraped by a Prometheus outside the mesh',
        'mtls.exception/review-by': '2999-12-31',
        'mtls.exception/ticket': 'OBS-1',
      },
    }, { selector: { matchLabels: { app: `app-${i}` } }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } }),
  },
};

/** Kept reachable until the heap is measured. */
const built: unknown[] = [];

function heapAfterFullGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function child(name: string, side: 'ours' | 'plain', count: number): void {
  const c = CASES[name];
  const make: Make = side === 'ours' ? c.ours : (chart, i, ns) => c.plain(i, ns)(chart, i, ns);
  const app = new App();
  built.push(app);
  // Same manifest both ways, checked on an object outside the measurement (it also loads every module).
  const [pa, pb] = ['probe-a', 'probe-b'].map((id) => new Chart(app, id, { namespace: 'probe' }));
  const [ja, jb] = [c.ours(pa, 0, 'probe').toJson(), c.plain(0, 'probe')(pb, 0, 'probe').toJson()];
  if (!isDeepStrictEqual(ja, jb)) throw new Error(`${name}: the construct and the plain object differ:\n${JSON.stringify(ja)}\n${JSON.stringify(jb)}`);
  const charts = Array.from({ length: Math.ceil(count / 10) }, (_, i) => new Chart(app, `c${i}`, { namespace: `ns-${i}` }));
  const before = heapAfterFullGc();
  for (let i = 0; i < count; i++) make(charts[i % charts.length], i, `ns-${i % charts.length}`);
  process.stdout.write(`${(heapAfterFullGc() - before) / count}\n`);
}

function main(argv: string[]): void {
  const i = argv.indexOf('--child');
  const count = Number(argv[argv.indexOf('--count') + 1]) || 20_000;
  if (i >= 0) return child(argv[i + 1], argv[i + 2] as 'ours' | 'plain', count);
  const run = (name: string, side: string) => {
    const res = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', __filename, '--child', name, side, '--count', String(count)], { encoding: 'utf8' });
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

main(process.argv.slice(2));
