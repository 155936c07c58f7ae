import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseManifests } from '../../src/input/parse-manifests';
import { Manifest } from '../../src/model/manifest';

export const DUMP = path.join(__dirname, '..', 'fixtures', 'migration', 'cluster-dump.yaml');

/** The cluster dump fixture, parsed. */
export function dump(): Manifest[] {
  return parseManifests(fs.readFileSync(DUMP)).manifests.map((m) => m.manifest);
}

export function namespace(name: string, labels: Record<string, string> = {}): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function deployment(ns: string, name: string, port: number, podAnnotations: Record<string, string> = {}): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: podAnnotations },
        spec: { containers: [{ name, image: 'x', ports: [{ containerPort: port }] }] },
      },
    },
  };
}

export function cronJob(ns: string, name: string): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: ns },
    spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x' }] } } } } },
  };
}

export function service(ns: string, name: string, port: number, targetPort: number): Manifest {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: [{ port, targetPort }] } };
}

export function portException(ns: string, app: string, port: number, mode = 'PERMISSIVE'): Manifest {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: {
      name: `${app}-exception`,
      namespace: ns,
      annotations: { 'mtls.exception/reason': 'legacy caller', 'mtls.exception/owner': 'team', 'mtls.exception/review-by': '2027-09-30' },
    },
    spec: { selector: { matchLabels: { app } }, portLevelMtls: { [String(port)]: { mode } } },
  };
}

/** A small shop: web/frontend, shop/checkout and shop/payments, and a sidecar-less CronJob legacy/report. */
export function shop(): Manifest[] {
  return [
    namespace('web'), namespace('shop'), namespace('legacy', { 'istio-injection': 'disabled' }),
    deployment('web', 'frontend', 8080), service('web', 'frontend', 80, 8080),
    deployment('shop', 'checkout', 8080), service('shop', 'checkout', 80, 8080),
    deployment('shop', 'payments', 8443), service('shop', 'payments', 443, 8443),
    cronJob('legacy', 'report'),
  ];
}

export const LEGACY_CALLER = { from: { namespace: 'legacy', name: 'report' }, to: { namespace: 'shop', service: 'payments', port: 443 } };
