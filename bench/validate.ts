/**
 * Validator throughput over 10,000 manifests of the four kinds, valid and
 * invalid: the CRD layers alone (structural schema + CEL), the whole
 * per-resource validator (object, schema, CEL, Istio and prometheus-operator
 * webhook rules), and `lint` (validation plus the mesh analysis).
 * Run: npx tsx bench/validate.ts
 */
import { performance } from 'perf_hooks';
import { lint } from '../src/lint';
import { Manifest, refOf } from '../src/model/manifest';
import { builtinSchemaSet, validateStructure } from '../src/validation/schema';
import { validateManifest } from '../src/validation/validate';

const COUNT = 10_000;

function manifest(i: number): Manifest {
  const ns = `team-${i % 50}`;
  switch (i % 5) {
    case 0: return {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: `pa-${i}`, namespace: ns },
      spec: { selector: { matchLabels: { app: `app-${i}` } }, mtls: { mode: 'STRICT' }, portLevelMtls: { [8000 + (i % 1000)]: { mode: i % 10 === 0 ? 'STRIC' : 'PERMISSIVE' } } },
    };
    case 1: return {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `ap-${i}`, namespace: ns },
      spec: {
        selector: { matchLabels: { app: `app-${i}` } },
        action: 'ALLOW',
        rules: [{
          from: [{ source: { principals: [`${i % 9 === 0 ? 'spiffe://' : ''}cluster.local/ns/${ns}/sa/client-${i}`] } }],
          to: [{ operation: { methods: ['GET'], paths: ['/api/{**}'], ports: ['8080'] } }],
        }],
      },
    };
    case 2: return {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: `dr-${i}`, namespace: ns },
      spec: {
        host: `svc-${i}.${ns}.svc.cluster.local`,
        trafficPolicy: { tls: { mode: i % 7 === 0 ? 'MUTUAL' : 'ISTIO_MUTUAL' }, connectionPool: { tcp: { connectTimeout: '30ms', maxConnections: 100 } } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }],
      },
    };
    case 3: return {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: `pr-${i}`, namespace: ns },
      spec: {
        groups: [{
          name: 'mtls',
          rules: [{
            alert: 'PlaintextTraffic',
            expr: i % 11 === 0 ? 'sum(rate(istio_requests_total[5m]) by (x)' : `sum by (destination_workload) (rate(istio_requests_total{reporter="destination",destination_workload_namespace="${ns}",connection_security_policy!="mutual_tls"}[5m])) > 0`,
            for: '10m',
            labels: { severity: 'warning' },
            annotations: { summary: 'plaintext into {{ $labels.destination_workload }}' },
          }],
        }],
      },
    };
    default: return {
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'PeerAuthentication',
      metadata: { name: `pa-${i}`, namespace: ns },
      spec: { mtls: { mode: 'PERMISSIVE' }, unknownField: i },
    };
  }
}

function measure(label: string, run: () => number): void {
  const start = performance.now();
  const findings = run();
  const ms = performance.now() - start;
  process.stdout.write(`${label}: ${COUNT} manifests in ${ms.toFixed(0)} ms = ${Math.round(COUNT / (ms / 1000))} manifests/s (${findings} findings)\n`);
}

const manifests = Array.from({ length: COUNT }, (_, i) => manifest(i));
const cold = performance.now();
validateManifest(manifests[0]);
process.stdout.write(`first validation (lazy loading and compiling): ${(performance.now() - cold).toFixed(0)} ms\n`);
const schemas = builtinSchemaSet();
measure('CRD schema + CEL (validateStructure)', () => manifests.reduce((n, m) => n + validateStructure(m, refOf(m), schemas).length, 0));
measure('validateManifest', () => manifests.reduce((n, m) => n + validateManifest(m).length, 0));
measure('lint (validation + analysis)', () => lint(manifests.map((m) => ({ manifest: m }))).length);
process.stdout.write(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
