/**
 * Benchmark: explain (with connections) and analysis over a synthetic mesh of
 * 50,000 workloads and 10,000 policies, and the same at half size, with
 * ambient mode on. Besides sidecar namespaces, every tenth namespace is
 * ambient (every twentieth behind a waypoint), every fifth has a Sidecar
 * resource, every namespace routes one Service to two subsets with a
 * VirtualService, every tenth has a ServiceEntry with two WorkloadEntries,
 * and every 25th workload excludes a port from capture.
 * Run with `npx tsx bench/explain.ts` (optionally a scale factor, e.g. 0.1).
 */
import { analyzeMesh } from '../src/analysis';
import { Manifest } from '../src/model/manifest';
import { buildMeshModel } from '../src/model/mesh-model';
import { explainMesh } from '../src/resolution';

const WORKLOADS_PER_NAMESPACE = 50;

/** A deterministic mesh: namespaces of 50 workloads each with a Service, and policies of all three kinds. */
function syntheticMesh(workloads: number, policies: number): Manifest[] {
  const out: Manifest[] = [];
  const namespaces = Math.ceil(workloads / WORKLOADS_PER_NAMESPACE);
  out.push({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } });
  let policyCount = 1;
  for (let n = 0; n < namespaces; n++) {
    const ns = `ns-${n}`;
    const ambient = n % 10 === 8;
    const labels = n % 10 === 9 ? {} : ambient
      ? { 'istio.io/dataplane-mode': 'ambient', ...(n % 20 === 8 ? { 'istio.io/use-waypoint': 'waypoint' } : {}) }
      : { 'istio-injection': 'enabled' };
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } });
    out.push(...routingAndEntries(n, ns, ambient));
    for (let i = 0; i < WORKLOADS_PER_NAMESPACE && n * WORKLOADS_PER_NAMESPACE + i < workloads; i++) {
      const app = `app-${i}`;
      out.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app, namespace: ns },
        spec: {
          selector: { matchLabels: { app } },
          template: {
            metadata: {
              labels: { app, tier: i % 3 === 0 ? 'front' : 'back' },
              ...(i % 25 === 24 ? { annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' } } : {}),
            },
            spec: {
              serviceAccountName: app, containers: [{ name: 'app', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090 }] }],
            },
          },
        },
      });
      out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: app, namespace: ns }, spec: { selector: { app }, ports: [{ port: 80, targetPort: 'http' }, { port: 90, targetPort: 9090 }] } });
    }
  }
  // Policies spread over namespaces: workload PAs, DRs and APs with principals, plus a few namespace-wide ones.
  for (let k = 0; policyCount < policies; k++) {
    const n = k % namespaces;
    const ns = `ns-${n}`;
    const app = `app-${Math.floor(k / namespaces) % WORKLOADS_PER_NAMESPACE}`;
    const kind = k % 3;
    if (kind === 0) {
      out.push({
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: `pa-${k}`, namespace: ns },
        spec: k % 7 === 0 ? { mtls: { mode: 'PERMISSIVE' } } : { selector: { matchLabels: { app } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 9090: { mode: k % 2 ? 'PERMISSIVE' : 'UNSET' } } },
      });
    } else if (kind === 1) {
      out.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: `dr-${k}`, namespace: ns },
        spec: { host: k % 11 === 0 ? `*.${ns}.svc.cluster.local` : `${app}.ns-${(n + 1) % namespaces}.svc.cluster.local`, trafficPolicy: { tls: { mode: k % 5 === 0 ? 'DISABLE' : 'ISTIO_MUTUAL' } } },
      });
    } else {
      out.push({
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: `ap-${k}`, namespace: ns },
        spec: { selector: { matchLabels: { app } }, rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/app-${(k + 1) % WORKLOADS_PER_NAMESPACE}`] } }] }] },
      });
    }
    policyCount++;
  }
  return out;
}

/** The routing, entry, scope and waypoint objects of namespace n. */
function routingAndEntries(n: number, ns: string, ambient: boolean): Manifest[] {
  const out: Manifest[] = [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'app-0-subsets', namespace: ns },
      spec: { host: 'app-0', subsets: [{ name: 'front', labels: { tier: 'front' } }, { name: 'back', labels: { tier: 'back' } }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'app-0', namespace: ns },
      spec: {
        hosts: ['app-0'],
        http: [{ route: [{ destination: { host: 'app-0', subset: 'front' }, weight: 90 }, { destination: { host: 'app-0', subset: 'back' }, weight: 10 }] }],
      },
    },
  ];
  if (n % 5 === 0) {
    out.push({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default', namespace: ns }, spec: { egress: [{ hosts: ['./*', 'istio-system/*'] }] } });
  }
  if (n % 10 === 0) {
    out.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'vm', namespace: ns },
      spec: { hosts: [`vm-${n}.internal`], location: 'MESH_INTERNAL', resolution: 'STATIC', ports: [{ number: 80, name: 'http' }], workloadSelector: { labels: { vm: 'api' } } },
    });
    for (const i of [1, 2]) {
      out.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'WorkloadEntry',
        metadata: { name: `vm-${i}`, namespace: ns },
        spec: { address: `10.${n % 250}.0.${i}`, labels: { vm: 'api' }, serviceAccount: 'vm' },
      });
    }
  }
  if (ambient && n % 20 === 8) {
    out.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: ns },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
  }
  return out;
}

function run(workloads: number, policies: number) {
  const manifests = syntheticMesh(workloads, policies);
  if (global.gc) global.gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  const model = buildMeshModel(manifests, { now: new Date('2026-01-01'), ambient: true });
  const t1 = process.hrtime.bigint();
  const explanation = explainMesh(model, { connections: true });
  const t2 = process.hrtime.bigint();
  const findings = analyzeMesh(model);
  const t3 = process.hrtime.bigint();
  const heapAfter = process.memoryUsage().heapUsed;
  const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
  return {
    workloads: model.workloads.length,
    policies: model.peerAuthentications.length + model.destinationRules.length + model.authorizationPolicies.length,
    others: model.virtualServices.length + model.serviceEntries.length + model.workloadEntries.length + model.sidecars.length + model.gateways.length,
    connections: explanation.connections!.length,
    findings: findings.length,
    modelMs: ms(t0, t1),
    explainMs: ms(t1, t2),
    analyzeMs: ms(t2, t3),
    totalMs: ms(t0, t3),
    heapGrowthMb: (heapAfter - heapBefore) / 2 ** 20,
  };
}

const scale = Number(process.argv[2] ?? '1');
const full = { workloads: Math.round(50_000 * scale), policies: Math.round(10_000 * scale) };
const half = run(full.workloads / 2, full.policies / 2);
const whole = run(full.workloads, full.policies);
const row = (r: ReturnType<typeof run>) => `${r.workloads} workloads, ${r.policies} policies, ${r.others} routing/entry/scope/waypoint objects: model ${r.modelMs.toFixed(0)} ms, `
  + `explain ${r.explainMs.toFixed(0)} ms (${r.connections} connections), analyze ${r.analyzeMs.toFixed(0)} ms (${r.findings} findings), `
  + `total ${r.totalMs.toFixed(0)} ms, heap growth ${r.heapGrowthMb.toFixed(0)} MB`;
console.log(row(half));
console.log(row(whole));
console.log(`ratio full/half: total ${(whole.totalMs / half.totalMs).toFixed(2)}, explain ${(whole.explainMs / half.explainMs).toFixed(2)}, analyze ${(whole.analyzeMs / half.analyzeMs).toFixed(2)}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`);
