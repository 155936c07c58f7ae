/**
 * Throughput of layers 1-2 (structural schema + CEL): validates 10,000
 * manifests, a mix of the four kinds with valid and invalid ones, and prints
 * manifests per second. Run: npx tsx bench/validate-schema.ts
 */
import { performance } from 'perf_hooks';
import { Manifest, refOf } from '../src/model/manifest';
import { builtinSchemaSet, validateStructure } from '../src/validation/schema';

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
        rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/client-${i}`] } }], to: [{ operation: { methods: ['GET'], ports: ['8080'] } }] }],
      },
    };
    case 2: return {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: `dr-${i}`, namespace: ns },
      spec: {
        host: `svc-${i}.${ns}.svc.cluster.local`,
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, connectionPool: { tcp: { connectTimeout: i % 7 === 0 ? '0s' : '30ms', maxConnections: 100 } } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }],
      },
    };
    case 3: return {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: `pr-${i}`, namespace: ns },
      spec: { groups: [{ name: 'mtls', rules: [{ alert: 'CertExpiring', expr: 'x < 86400', for: '10m', labels: { severity: 'warning' } }] }] },
    };
    default: return {
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'PeerAuthentication',
      metadata: { name: `pa-${i}`, namespace: ns },
      spec: { mtls: { mode: 'PERMISSIVE' }, unknownField: i },
    };
  }
}

const manifests = Array.from({ length: COUNT }, (_, i) => manifest(i));
const set = builtinSchemaSet();

const coldStart = performance.now();
validateStructure(manifests[0], refOf(manifests[0]), set);
const cold = performance.now() - coldStart;

const start = performance.now();
let findings = 0;
for (const m of manifests) findings += validateStructure(m, refOf(m), set).length;
const ms = performance.now() - start;

process.stdout.write(`validated ${COUNT} manifests in ${ms.toFixed(0)} ms: ${Math.round(COUNT / (ms / 1000))} manifests/s, ${findings} findings (first call incl. loading the precompiled validator: ${cold.toFixed(0)} ms)\n`);
