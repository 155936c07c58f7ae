/**
 * Properties of the constructs over random intents (fast-check, fixed seeds):
 *
 * 1. whatever valid intent is written, every synthesized manifest passes the
 *    validator as the cluster would run it (official CRD schema + CEL +
 *    webhook rules): no error finding, and synth-time validation accepts it;
 * 2. output is deterministic: the same intent gives byte-identical manifests
 *    in two runs, and the same manifests, synth-time warnings and lint/explain
 *    reports whatever order the charts and constructs are created in.
 *
 * (The resolver-equals-reference-model property lives in
 * test/resolution/server-mode.property.test.ts.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MtlsValidation } from '../../src/cdk8s/mtls-validation';
import { run } from '../../src/cli/main';
import {
  ClientTls, ExternalServiceTls, MeshStrictMtls, MtlsAlerts, NamespaceMtls, ServiceAccess, WorkloadException, WorkloadMtls,
} from '../../src/constructs';
import { validateManifest } from '../../src/validation/validate';
import { AccessAction, Identity, MtlsMode, SidecarInjection, WorkloadSelector } from '../../src/vocabulary';

// --- intents as plain data ---------------------------------------------------------

type Mode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';
interface WorkloadIntent {
  readonly app: string;
  readonly ports: number[];
  readonly policy?: { mode: Mode; portModes: [number, Mode][]; fromWorkload: boolean };
  readonly exception?: { mode: 'PERMISSIVE' | 'DISABLE'; ports?: number[]; ticket?: string };
  readonly access?: { action: 'ALLOW' | 'DENY'; callers: [string, string][]; methods: string[]; ports: number[] };
  readonly clientTls: boolean;
}
interface NamespaceIntent {
  readonly name: string;
  readonly mode: Mode;
  readonly injection: 'none' | 'enabled' | 'revision';
  readonly workloads: WorkloadIntent[];
}
interface Intent {
  readonly mesh?: { mode: 'STRICT' | 'PERMISSIVE'; meshDestinationRule: boolean };
  readonly namespaces: NamespaceIntent[];
  readonly externals: { host: string; sni: boolean }[];
  readonly alerts?: { plaintextNamespaces: number; certificates: boolean };
}

const MODES: Mode[] = ['STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET'];
const mode = fc.constantFrom(...MODES);
const port = fc.integer({ min: 1, max: 65535 });
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);

const workloadArb = (app: string): fc.Arbitrary<WorkloadIntent> => fc.record({
  app: fc.constant(app),
  ports: fc.uniqueArray(port, { minLength: 1, maxLength: 3 }),
  policy: fc.option(fc.record({
    mode,
    portModes: fc.uniqueArray(fc.tuple(port, mode), { maxLength: 3, selector: (t) => t[0] }),
    fromWorkload: fc.boolean(),
  }), { nil: undefined }),
  exception: fc.option(fc.record({
    mode: fc.constantFrom('PERMISSIVE' as const, 'DISABLE' as const),
    ports: fc.option(fc.uniqueArray(port, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    ticket: fc.option(fc.stringMatching(/^[A-Z]{2,5}-[0-9]{1,5}$/), { nil: undefined }),
  }), { nil: undefined }),
  access: fc.option(fc.record({
    action: fc.constantFrom('ALLOW' as const, 'DENY' as const),
    callers: fc.array(fc.tuple(label, label), { maxLength: 3 }),
    methods: fc.uniqueArray(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), { maxLength: 2 }),
    ports: fc.uniqueArray(port, { maxLength: 2 }),
  }), { nil: undefined }),
  clientTls: fc.boolean(),
});

const namespaceArb = (name: string): fc.Arbitrary<NamespaceIntent> => fc.record({
  name: fc.constant(name),
  mode,
  injection: fc.constantFrom('none' as const, 'enabled' as const, 'revision' as const),
  workloads: fc.uniqueArray(label, { maxLength: 4 }).chain((apps) => fc.tuple(...apps.map(workloadArb))),
});

const intentArb: fc.Arbitrary<Intent> = fc.record({
  mesh: fc.option(fc.record({ mode: fc.constantFrom('STRICT' as const, 'PERMISSIVE' as const), meshDestinationRule: fc.boolean() }), { nil: undefined }),
  namespaces: fc.uniqueArray(label.filter((n) => n !== 'istio-system' && n !== 'monitoring'), { minLength: 1, maxLength: 4 })
    .chain((names) => fc.tuple(...names.map(namespaceArb))),
  externals: fc.uniqueArray(fc.record({ host: fc.tuple(label, label).map(([a, b]) => `${a}.${b}.example.com`), sni: fc.boolean() }), { maxLength: 2, selector: (e) => e.host }),
  alerts: fc.option(fc.record({ plaintextNamespaces: fc.nat(3), certificates: fc.boolean() }), { nil: undefined }),
});

// --- building an app from an intent, in a given order ---------------------------------

/** A PERMISSIVE or DISABLE mode anywhere needs an owned, expiring exception (and nothing else may have one). */
const weakens = (...modes: Mode[]) => modes.some((m) => m === 'PERMISSIVE' || m === 'DISABLE');
/** 90 days ahead: never expired, and within the default review horizon (365 days), whenever the test runs. */
const REVIEW_BY = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
const exception = (reason: string) => ({ reason, owner: 'team-platform', reviewBy: REVIEW_BY });

/** One unit of construction: a chart id and what to add to it. */
interface Step { readonly chart: string; readonly id: string; readonly add: (chart: Chart) => void }

function steps(intent: Intent): Step[] {
  const out: Step[] = [];
  if (intent.mesh) {
    const m = intent.mesh;
    out.push({
      chart: 'mesh',
      id: 'Mesh',
      add: (c) => new MeshStrictMtls(c, 'Mesh', {
        mode: MtlsMode.of(m.mode),
        meshDestinationRule: m.meshDestinationRule,
        ...(weakens(m.mode) ? { exception: exception('migration') } : {}),
      }),
    });
  }
  for (const ns of intent.namespaces) {
    out.push({
      chart: ns.name,
      id: 'Ns',
      add: (c) => new NamespaceMtls(c, 'Ns', {
        namespace: ns.name,
        mode: MtlsMode.of(ns.mode),
        ...(weakens(ns.mode) ? { exception: exception('namespace migration') } : {}),
        createNamespace: ns.injection !== 'none',
        ...(ns.injection === 'enabled' ? { sidecarInjection: SidecarInjection.enabled() } : {}),
        ...(ns.injection === 'revision' ? { sidecarInjection: SidecarInjection.revision('canary') } : {}),
      }),
    });
    for (const w of ns.workloads) {
      const deploymentId = `${w.app}-deploy`;
      out.push({
        chart: ns.name,
        id: deploymentId,
        add: (c) => {
          new ApiObject(c, deploymentId, {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: w.app, namespace: ns.name },
            spec: {
              selector: { matchLabels: { app: w.app } },
              template: { metadata: { labels: { app: w.app } }, spec: { serviceAccountName: w.app, containers: [{ name: 'app', image: 'app', ports: w.ports.map((p) => ({ containerPort: p })) }] } },
            },
          });
          new ApiObject(c, `${w.app}-svc`, {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: w.app, namespace: ns.name },
            spec: { selector: { app: w.app }, ports: w.ports.map((p, i) => ({ name: `p${i}`, port: 1000 + i, targetPort: p })) },
          });
        },
      });
      const selector = (_c: Chart) => WorkloadSelector.of({ app: w.app });
      if (w.policy) {
        const p = w.policy;
        out.push({
          chart: ns.name,
          id: `${w.app}-mtls`,
          add: (c) => new WorkloadMtls(c, `${w.app}-mtls`, {
            selector: p.fromWorkload ? WorkloadSelector.fromWorkload(c.node.findChild(deploymentId)) : selector(c),
            namespace: ns.name,
            mode: MtlsMode.of(p.mode),
            ...(p.portModes.length > 0 ? { portLevelMtls: Object.fromEntries(p.portModes.map(([n, m]) => [n, MtlsMode.of(m)])) } : {}),
            ...(weakens(p.mode, ...p.portModes.map(([, m]) => m)) ? { exception: { ...exception('metrics scraped from outside the mesh'), ticket: 'OBS-1' } } : {}),
          }),
        });
      }
      if (w.exception) {
        const e = w.exception;
        out.push({
          chart: ns.name,
          id: `${w.app}-exception`,
          add: (c) => new WorkloadException(c, `${w.app}-exception`, {
            selector: selector(c),
            namespace: ns.name,
            mode: MtlsMode.of(e.mode),
            ...(e.ports ? { ports: e.ports } : {}),
            reason: 'legacy client without mTLS',
            owner: 'team-payments',
            reviewBy: REVIEW_BY,
            ...(e.ticket ? { ticket: e.ticket } : {}),
          }),
        });
      }
      if (w.access) {
        const a = w.access;
        const hasRule = a.callers.length + a.methods.length + a.ports.length > 0;
        out.push({
          chart: ns.name,
          id: `${w.app}-access`,
          add: (c) => new ServiceAccess(c, `${w.app}-access`, {
            selector: selector(c),
            namespace: ns.name,
            action: a.action === 'ALLOW' ? AccessAction.ALLOW : AccessAction.DENY,
            rules: [hasRule
              ? { identities: a.callers.map(([cns, sa]) => Identity.serviceAccount(cns, sa)), methods: a.methods, ports: a.ports }
              : { namespaces: [ns.name] }],
          }),
        });
      }
      if (w.clientTls) {
        out.push({ chart: ns.name, id: `${w.app}-client`, add: (c) => new ClientTls(c, `${w.app}-client`, { namespace: ns.name, name: `${w.app}-client` }) });
      }
    }
  }
  intent.externals.forEach((e, i) => out.push({
    chart: 'egress', id: `ext-${i}`, add: (c) => new ExternalServiceTls(c, `ext-${i}`, { host: e.host, namespace: 'istio-system', ...(e.sni ? { sni: e.host } : {}) }),
  }));
  if (intent.alerts) {
    const a = intent.alerts;
    const namespaces = intent.namespaces.slice(0, a.plaintextNamespaces).map((n) => n.name);
    if (a.certificates || namespaces.length > 0) {
      out.push({
        chart: 'monitoring',
        id: 'Alerts',
        add: (c) => new MtlsAlerts(c, 'Alerts', {
          ...(a.certificates
            ? { workloadCertificate: { threshold: Duration.hours(6) } }
            : { workloadCertificate: false, controlPlaneCertificates: false }),
          ...(namespaces.length > 0 ? { plaintextTraffic: { namespaces } } : {}),
        }),
      });
    }
  }
  return out;
}

interface Built { readonly app: App; readonly charts: Map<string, Chart>; readonly warnings: string[] }

/** Builds the intent's app, creating charts and constructs in the order `order` gives. */
function build(intent: Intent, order: (xs: Step[]) => Step[], analyze: boolean): Built {
  const app = Testing.app();
  const warnings: string[] = [];
  MtlsValidation.enable(app, { analyze, onWarnings: (lines) => warnings.push(...lines) });
  const charts = new Map<string, Chart>();
  // Charts are created in the order their first step comes; the ones with a
  // namespace default get it, so constructs can rely on the chart's namespace.
  for (const step of order(steps(intent))) {
    let chart = charts.get(step.chart);
    if (!chart) {
      chart = new Chart(app, step.chart, step.chart === 'monitoring' ? { namespace: 'monitoring' } : {});
      charts.set(step.chart, chart);
    }
    step.add(chart);
  }
  return { app, charts, warnings };
}

/** A deterministic shuffle (Fisher-Yates) driven by fast-check's random seed. */
function shuffler(seed: number): (xs: Step[]) => Step[] {
  // Deployments first within a chart only when a fromWorkload selector needs them: keep that dependency.
  let s = seed || 1;
  const next = () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
  return (xs) => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    // fromWorkload() needs the workload to exist already: move each Deployment step before its policy.
    return out.sort((a, b) => Number(!a.id.endsWith('-deploy')) - Number(!b.id.endsWith('-deploy')) || 0);
  };
}

/** Synth outcome: the manifests of each chart (by chart id, sorted), or the sorted error lines. */
function synth(built: Built): { charts?: Record<string, string>; errors?: string[] } {
  try {
    const charts: Record<string, string> = {};
    for (const id of [...built.charts.keys()].sort()) {
      const objects = built.charts.get(id)!.toJson();
      charts[id] = Yaml.stringify(...sortManifests(objects));
    }
    return { charts };
  } catch (e) {
    return { errors: String((e as Error).message).split('\n').map((l) => l.trim()).filter(Boolean).sort() };
  }
}

function sortManifests(objects: any[]): any[] {
  const key = (o: any) => `${o.kind}\u0000${o.metadata?.namespace ?? ''}\u0000${o.metadata?.name ?? ''}`;
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The lint JSON and explain JSON reports of the charts' files, with the temp dir taken out. */
function reports(charts: Record<string, string>): { lint: string; explain: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-mtls-prop-'));
  tmpDirs.push(dir);
  for (const [id, yaml] of Object.entries(charts)) fs.writeFileSync(path.join(dir, `${id}.k8s.yaml`), yaml);
  const out = (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = run(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
    expect(stderr).toBe('');
    expect([0, 1]).toContain(code);
    return stdout.split(dir).join('<dir>');
  };
  return { lint: out(['lint', '--format', 'json', dir]), explain: out(['explain', '--format', 'json', '--connections', dir]) };
}

describe('properties of synthesized intents', () => {
  it('every synthesized manifest passes the official schema, CEL rules and webhook checks', () => {
    let manifests = 0;
    fc.assert(fc.property(intentArb, (intent) => {
      const built = build(intent, (xs) => xs, false);
      // Synth-time validation (no analysis) must accept the app ...
      const result = synth(built);
      expect(result.errors).toBeUndefined();
      // ... and each manifest, checked on its own, has no error finding.
      for (const chart of built.charts.values()) {
        for (const m of chart.toJson()) {
          manifests++;
          const errors = validateManifest(m).filter((f) => f.severity === 'error');
          expect(errors, `${m.kind} ${m.metadata?.namespace}/${m.metadata?.name}`).toEqual([]);
        }
      }
    }), { seed: 424242, numRuns: 120 });
    expect(manifests).toBeGreaterThan(500);
  });

  it('gives byte-identical manifests across runs, and the same manifests, warnings and reports across construction orders', () => {
    const seen = { synthesized: 0, failed: 0, warned: 0, reordered: 0 };
    fc.assert(fc.property(intentArb, fc.integer({ min: 1, max: 2 ** 31 - 2 }), (intent, seed) => {
      // With the synth-time analysis: the same outcome (manifests, or the same
      // errors) and the same warnings whatever the construction order.
      const first = build(intent, (xs) => xs, true);
      const shuffled = build(intent, shuffler(seed), true);
      const a = synth(first);
      expect(synth(shuffled)).toEqual(a);
      expect([...shuffled.warnings].sort()).toEqual([...first.warnings].sort());
      if (shuffled.app.node.findAll().map((c) => c.node.path).join() !== first.app.node.findAll().map((c) => c.node.path).join()) seen.reordered++;
      if (a.charts) seen.synthesized++;
      else seen.failed++;
      if (first.warnings.length > 0) seen.warned++;
      // Without it (so the manifests always come out): byte-identical in two
      // runs of the same program, the same manifests in any order, and the
      // same lint and explain reports over them.
      const plain = build(intent, (xs) => xs, false);
      expect(build(intent, (xs) => xs, false).app.synthYaml()).toBe(plain.app.synthYaml());
      const p = synth(plain);
      expect(synth(build(intent, shuffler(seed), false))).toEqual(p);
      expect(reports(p.charts!)).toEqual(reports(p.charts!));
    }), { seed: 1717, numRuns: 60 });
    // The property saw both outcomes, with warnings, in really different orders.
    expect(seen.synthesized).toBeGreaterThan(3);
    expect(seen.failed).toBeGreaterThan(0);
    expect(seen.warned).toBeGreaterThan(10);
    expect(seen.reordered).toBeGreaterThan(40);
    console.log(`determinism: ${JSON.stringify(seen)}`);
  });
});
