/**
 * A small shop migrating from plaintext to STRICT mTLS with a MigrationPlan:
 * `web/frontend` calls `shop/checkout`, which calls `shop/payments`; a legacy
 * nightly billing export (`legacy/billing-export`, a CronJob in a namespace
 * that stays out of the mesh) calls `shop/payments` in plaintext. A documented
 * WorkloadException keeps payments' container port PERMISSIVE for it until
 * the job is moved into the mesh, so every phase is safe.
 */
import { App, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MigrationPlan, MtlsMode, WorkloadException, WorkloadSelector } from '../../src';

export interface ShopOptions {
  /**
   * The clock the exception's review date is checked against.
   * @default - the system clock
   */
  readonly clock?: () => Date;
}

export interface Shop {
  readonly app: Chart;
  readonly plan: MigrationPlan;
}

/** The container port payments listens on. */
export const PAYMENTS_PORT = 8443;

function service(chart: Chart, namespace: string, name: string, port: number, targetPort: number): kplus.Deployment {
  const deployment = new kplus.Deployment(chart, name, {
    metadata: { name, namespace },
    replicas: 2,
    containers: [{
      name,
      image: `registry.example.com/shop/${name}:1.4.2`,
      portNumber: targetPort,
      securityContext: { user: 1000, group: 1000 },
    }],
  });
  deployment.exposeViaService({ name, ports: [{ port, targetPort }] });
  return deployment;
}

export function buildShop(app: App, options: ShopOptions = {}): Shop {
  const chart = new Chart(app, 'shop');

  // The legacy namespace stays out of the mesh: its pods never get a sidecar.
  new kplus.Namespace(chart, 'legacy', { metadata: { name: 'legacy', labels: { 'istio-injection': 'disabled' } } });

  service(chart, 'web', 'frontend', 80, 8080);
  service(chart, 'shop', 'checkout', 80, 8080);
  const payments = service(chart, 'shop', 'payments', 443, PAYMENTS_PORT);

  new kplus.CronJob(chart, 'billing-export', {
    metadata: { name: 'billing-export', namespace: 'legacy' },
    schedule: Cron.daily(),
    containers: [{
      name: 'export',
      image: 'registry.example.com/finance/billing-export:0.9.0',
      args: ['--payments-url', 'http://payments.shop.svc.cluster.local:443'],
      securityContext: { user: 1000, group: 1000 },
    }],
  });

  // The one exception: the nightly export cannot do mTLS until it moves into the mesh.
  new WorkloadException(chart, 'payments-legacy-billing', {
    namespace: 'shop',
    name: 'payments-legacy-billing',
    selector: WorkloadSelector.fromWorkload(payments),
    mode: MtlsMode.PERMISSIVE,
    ports: [PAYMENTS_PORT],
    reason: 'legacy/billing-export has no sidecar and calls payments nightly in plaintext',
    owner: 'team-payments',
    reviewBy: '2027-09-30',
    ticket: 'PAY-1234',
    ...(options.clock ? { clock: options.clock } : {}),
  });

  const plan = new MigrationPlan(app, 'mtls', {
    namespaces: ['web', 'shop'],
    callers: [{ from: { namespace: 'legacy', name: 'billing-export' }, to: { namespace: 'shop', service: 'payments', port: 443 } }],
    namespaceLabels: { web: { team: 'web' }, shop: { team: 'shop' } },
  });
  return { app: chart, plan };
}
