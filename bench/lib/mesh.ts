/**
 * The synthetic mesh of the scale benchmark, written with our constructs:
 * one chart per namespace, each with `workloads` Deployments (two container
 * ports) and Services, a STRICT namespace policy with injection, a
 * WorkloadMtls with port-level modes on every fifth workload, a
 * WorkloadException (future review date) on every tenth, a ClientTls
 * DestinationRule per namespace and a ServiceAccess AuthorizationPolicy on
 * every fifth workload; plus a mesh chart with MeshStrictMtls.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { MtlsValidation } from '../../src/cdk8s/mtls-validation';
import {
  ClientTls, MeshStrictMtls, NamespaceMtls, ServiceAccess, WorkloadException, WorkloadMtls,
} from '../../src/constructs';
import { AccessAction, Identity, MtlsMode, SidecarInjection, WorkloadSelector } from '../../src/vocabulary';

export interface MeshSize {
  readonly namespaces: number;
  readonly workloads: number;
}

/** Counts what the hook did, to prove it runs once per synth however many charts. */
export interface HookCounters {
  warningBatches: number;
  warningLines: number;
}

export function buildOurMesh(app: App, size: MeshSize, counters: HookCounters): void {
  MtlsValidation.enable(app, {
    onWarnings: (lines) => {
      counters.warningBatches++;
      counters.warningLines += lines.length;
    },
  });
  new MeshStrictMtls(new Chart(app, 'mesh'), 'Mesh');
  for (let n = 0; n < size.namespaces; n++) {
    const ns = `ns-${n}`;
    const chart = new Chart(app, ns, { namespace: ns });
    new NamespaceMtls(chart, 'Ns', { namespace: ns, mode: MtlsMode.STRICT, createNamespace: true, sidecarInjection: SidecarInjection.enabled() });
    new ClientTls(chart, 'ClientTls', { namespace: ns, name: 'default' });
    for (let w = 0; w < size.workloads; w++) {
      const app_ = `app-${w}`;
      new ApiObject(chart, `${app_}-deploy`, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app_, namespace: ns },
        spec: {
          selector: { matchLabels: { app: app_ } },
          template: {
            metadata: { labels: { app: app_ } },
            spec: {
              serviceAccountName: app_,
              containers: [{ name: 'app', image: 'registry.example.com/app:1', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090, name: 'metrics' }] }],
            },
          },
        },
      });
      new ApiObject(chart, `${app_}-svc`, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app_, namespace: ns },
        spec: { selector: { app: app_ }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090, targetPort: 9090 }] },
      });
      const selector = WorkloadSelector.of({ app: app_ });
      if (n === 0 && w === 1) {
        // One undocumented port-level PERMISSIVE (a plain object: the constructs refuse it) in the
        // whole mesh: a warning, so the runs of the hook can be counted.
        new ApiObject(chart, 'undocumented', {
          apiVersion: 'security.istio.io/v1',
          kind: 'PeerAuthentication',
          metadata: { name: 'undocumented', namespace: ns },
          spec: { selector: { matchLabels: { app: app_ } }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } },
        });
      }
      if (w % 5 === 0) {
        new WorkloadMtls(chart, `${app_}-mtls`, { selector, name: `${app_}-mtls`, mode: MtlsMode.STRICT, portLevelMtls: { 8080: MtlsMode.STRICT, 9090: MtlsMode.STRICT } });
        new ServiceAccess(chart, `${app_}-access`, {
          selector,
          name: `${app_}-access`,
          action: AccessAction.ALLOW,
          rules: [{ identities: [Identity.serviceAccount(ns, `app-${(w + 1) % size.workloads}`)], ports: [8080] }],
        });
      }
      if (w % 10 === 9) {
        new WorkloadException(chart, `${app_}-exception`, {
          selector,
          name: `${app_}-exception`,
          mode: MtlsMode.PERMISSIVE,
          ports: [9090],
          reason: 'metrics scraped by a Prometheus outside the mesh',
          owner: 'team-observability',
          reviewBy: '2999-12-31',
          ticket: 'OBS-1',
        });
      }
    }
  }
}

/** The manifests of an app, chart by chart, in synth order, as plain JSON (not validated). */
export interface ChartDump {
  readonly id: string;
  readonly namespace?: string;
  readonly objects: { id: string; manifest: Record<string, unknown> }[];
}

export function dumpCharts(app: App): ChartDump[] {
  return app.charts.map((chart) => ({
    id: chart.node.id,
    namespace: chart.namespace,
    objects: chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c))
      .map((o) => ({ id: o.node.path.split('/').slice(1).join('--'), manifest: o.toJson() })),
  }));
}

/** The same manifests as plain cdk8s ApiObjects, in the same chart layout, with nothing of ours. */
export function buildPlainMesh(app: App, dump: readonly ChartDump[]): void {
  for (const c of dump) {
    const chart = new Chart(app, c.id, c.namespace !== undefined ? { namespace: c.namespace } : {});
    for (const o of c.objects) new ApiObject(chart, o.id, o.manifest as any);
  }
}
