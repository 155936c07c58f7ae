/**
 * The guide "How to Enable Mutual TLS (mTLS) in Istio" as code: every
 * PeerAuthentication, DestinationRule, AuthorizationPolicy and PrometheusRule
 * it shows, with the same names, namespaces and specs. Where the guide shows
 * alternative states of one object (the mesh policy STRICT or PERMISSIVE,
 * production STRICT or PERMISSIVE), each state is its own chart and file.
 */
import { App, Chart } from 'cdk8s';
import {
  AccessAction, ClientTls, ExternalServiceTls, Identity, MeshStrictMtls, MtlsAlerts, MtlsMode, MtlsValidation, NamespaceMtls,
  ServiceAccess, WorkloadException, WorkloadMtls, WorkloadSelector,
} from '../../src';

export interface SeedGuideOptions {
  /**
   * The clock exceptions are checked against.
   * @default - the system clock
   */
  readonly clock?: () => Date;
}

/** The chart ids, in synthesis order; each becomes `<id>.k8s.yaml`. */
export const SEED_GUIDE_CHARTS = [
  '00-mesh-strict',
  '01-mesh-permissive',
  '02-mesh-client-tls',
  '03-namespaces-strict',
  '04-production-permissive',
  '05-workload-strict',
  '06-api-gateway-ports',
  '07-exceptions',
  '08-external-service',
  '09-authorization',
  '10-alerts',
] as const;

export function buildSeedGuide(app: App, options: SeedGuideOptions = {}): Record<typeof SEED_GUIDE_CHARTS[number], Chart> {
  const chart = (id: typeof SEED_GUIDE_CHARTS[number]) => new Chart(app, id);
  const charts = Object.fromEntries(SEED_GUIDE_CHARTS.map((id) => [id, chart(id)])) as Record<typeof SEED_GUIDE_CHARTS[number], Chart>;

  // "Mesh-Wide STRICT mTLS" and "Step 7: Enable Mesh-Wide STRICT Mode".
  new MeshStrictMtls(charts['00-mesh-strict'], 'Mesh');

  // "Mesh-Wide PERMISSIVE Mode", "Step 3: Apply PERMISSIVE Mode", "Best Practices 1".
  // Weakening needs an owned, expiring exception: the guide gives no owner or
  // date, so these (here and below) are ours.
  new MeshStrictMtls(charts['01-mesh-permissive'], 'Mesh', {
    mode: MtlsMode.PERMISSIVE,
    exception: {
      reason: 'migration: accept plaintext until all workloads have sidecars',
      owner: 'platform-team@company.com',
      reviewBy: '2027-06-01',
      clock: options.clock,
    },
  });

  // "Step 4: Configure DestinationRules": the mesh DestinationRule (*.local, ISTIO_MUTUAL).
  new ClientTls(charts['02-mesh-client-tls'], 'MeshClientTls');

  // "Namespace-Level STRICT mTLS", "Step 6" and "Best Practices 2": staging, then production.
  new NamespaceMtls(charts['03-namespaces-strict'], 'Staging', { namespace: 'staging' });
  new NamespaceMtls(charts['03-namespaces-strict'], 'Production', { namespace: 'production' });

  // "Namespace PERMISSIVE with Workload Exceptions": the payment service stays STRICT.
  const permissive = charts['04-production-permissive'];
  new NamespaceMtls(permissive, 'Production', {
    namespace: 'production',
    mode: MtlsMode.PERMISSIVE,
    exception: {
      reason: 'migration: accept plaintext in production until all its workloads have sidecars',
      owner: 'platform-team@company.com',
      reviewBy: '2027-06-01',
      clock: options.clock,
    },
  });
  new WorkloadMtls(permissive, 'PaymentStrict', {
    namespace: 'production',
    name: 'payment-strict',
    selector: WorkloadSelector.of({ app: 'payment-service', security: 'high' }),
    mode: MtlsMode.STRICT,
  });

  // "Workload-Specific STRICT mTLS". Its own chart: with payment-strict in one
  // cluster state, two workload policies would select the same pods.
  new WorkloadMtls(charts['05-workload-strict'], 'PaymentService', {
    namespace: 'production',
    name: 'payment-service-mtls',
    selector: WorkloadSelector.of({ app: 'payment-service' }),
    mode: MtlsMode.STRICT,
  });

  // "Port-Level mTLS Configuration": keys are the api-gateway's container ports.
  new WorkloadMtls(charts['06-api-gateway-ports'], 'ApiGateway', {
    namespace: 'production',
    name: 'api-gateway-mtls',
    selector: WorkloadSelector.of({ app: 'api-gateway' }),
    mode: MtlsMode.STRICT,
    portLevelMtls: {
      8080: MtlsMode.DISABLE, // health checks from external load balancers
      9090: MtlsMode.PERMISSIVE, // Prometheus scraping
      50051: MtlsMode.STRICT, // gRPC
    },
    exception: {
      reason: 'port 8080: health checks from external load balancers; port 9090: Prometheus scraping',
      owner: 'platform-team@company.com',
      reviewBy: '2027-06-01',
      clock: options.clock,
    },
  });

  const exceptions = charts['07-exceptions'];
  // "Issue 3: Mixed Protocol Issues". The guide gives no owner or review date;
  // an exception must have them, so these are ours.
  new WorkloadException(exceptions, 'LegacyService', {
    namespace: 'production',
    name: 'legacy-service-exception',
    selector: WorkloadSelector.of({ app: 'legacy-service' }),
    mode: MtlsMode.PERMISSIVE,
    reason: 'Legacy protocol does not work with mTLS',
    owner: 'platform-team@company.com',
    reviewBy: '2027-06-01',
    clock: options.clock,
  });
  // "Best Practices 4: Document Exceptions". The guide's review date, 2026-06-01,
  // has passed, and an overdue exception fails synthesis: reviewed and renewed for a year.
  new WorkloadException(exceptions, 'PaymentProcessor', {
    namespace: 'production',
    name: 'payment-processor-exception',
    selector: WorkloadSelector.of({ app: 'payment-processor-client' }),
    mode: MtlsMode.DISABLE,
    ports: [8443],
    reason: 'Legacy integration',
    owner: 'payments-team@company.com',
    reviewBy: '2027-06-01',
    ticket: 'SECURITY-1234',
    clock: options.clock,
  });

  // "Issue 4: External Service Communication" (SNI defaults to the host).
  new ExternalServiceTls(charts['08-external-service'], 'ExternalApi', {
    namespace: 'production',
    name: 'external-api',
    host: 'api.external-provider.com',
  });

  // "Best Practices 5: Use AuthorizationPolicies with mTLS".
  new ServiceAccess(charts['09-authorization'], 'PaymentService', {
    namespace: 'production',
    name: 'payment-service-policy',
    selector: WorkloadSelector.of({ app: 'payment-service' }),
    action: AccessAction.ALLOW,
    rules: [{
      identities: [
        Identity.serviceAccount('production', 'checkout-service'),
        Identity.serviceAccount('production', 'order-service'),
      ],
      methods: ['GET', 'POST'],
      paths: ['/api/v1/payments/*'],
    }],
  });

  // "Best Practices 3: Monitor Certificate Expiration": the guide's one alert.
  new MtlsAlerts(charts['10-alerts'], 'CertificateAlerts', {
    namespace: 'monitoring',
    name: 'istio-certificate-alerts',
    controlPlaneCertificates: false,
  });

  // The guide is a collection of snippets, not one cluster: each chart is
  // analysed on its own (alternative states), never as their union.
  MtlsValidation.enable(app).addAlternativeStates(Object.values(charts));
  return charts;
}
