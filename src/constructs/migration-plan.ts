import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { DeclaredCaller, MigrationPlanOptions, PlaintextCaller, migrationOptionErrors } from '../migration/options';
import type { MigrationPlan as PlanResult } from '../migration/plan';
import { Manifest, isPlainObject, refOf } from '../model/manifest';
import { MeshOptions } from '../model/mesh-options';
import { fail } from '../vocabulary/checks';
import { SidecarInjection } from '../vocabulary/sidecar-injection';

/** The planning engine, loaded when a plan is made rather than when the library is imported (cold start). */
function engine(): typeof import('../migration/plan') & typeof import('../migration/runbook') {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return { ...require('../migration/plan'), ...require('../migration/runbook') };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Properties of {@link MigrationPlan}. */
export interface MigrationPlanProps {
  /**
   * The namespaces to make STRICT, in order, one phase each; an inner array
   * is a batch tightened in one phase (`['staging', ['shop', 'web']]`).
   * Each must be a namespace of the app (an object lives there, or a
   * Namespace object names it): synth fails on one that is not, with the
   * nearest existing name.
   */
  readonly namespaces: (string | string[])[];

  /**
   * The label the first phase puts on the planned namespaces.
   * @default SidecarInjection.enabled()
   */
  readonly sidecarInjection?: SidecarInjection;

  /**
   * Calls between workloads of the app that its Services, DestinationRules
   * and AuthorizationPolicies do not show (e.g. a batch job calling a Service
   * of another namespace). The plan checks every phase against them.
   * @default - none
   */
  readonly callers?: DeclaredCaller[];

  /**
   * Clients outside the app that send plaintext (a monitoring system scraping
   * a port, a VM). A phase that makes their port STRICT fails synth unless a
   * WorkloadException covers the port.
   * @default - none
   */
  readonly plaintextCallers?: PlaintextCaller[];

  /**
   * The namespace of the gate PrometheusRules.
   * @default - each tightened namespace holds its own; the mesh rule is in the root namespace
   */
  readonly alertsNamespace?: string;

  /**
   * Labels of the gate PrometheusRules (what your Prometheus `ruleSelector` wants).
   * @default - none
   */
  readonly alertLabels?: Record<string, string>;

  /**
   * Labels the planned Namespace objects carry besides the injection label,
   * by namespace (the phases own the Namespace objects).
   * @default - only the injection label
   */
  readonly namespaceLabels?: Record<string, Record<string, string>>;

  /**
   * Istio's root namespace.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * The file {@link MigrationPlan.writeRunbook} writes in the app's outdir.
   * @default - `<id>-runbook.md`
   */
  readonly runbookFile?: string;
}

const OWNER = 'MigrationPlan';

/** The plan over the app, what in the app competes with it, and the planned namespaces the app does not have. */
interface PlanOfApp {
  readonly plan: PlanResult;
  readonly conflicts: string[];
  readonly unknownNamespaces: string[];
}
const PHASE_OBJECT = Symbol.for('cdk8s-istio-mtls.MigrationPlan.phaseObject');

/** An object of a phase: its content is the engine's, computed over the rest of the app at synth. */
class PhaseObject extends ApiObject {
  constructor(scope: Construct, id: string, shape: Manifest, private readonly produce: () => Manifest) {
    super(scope, id, { apiVersion: String(shape.apiVersion), kind: String(shape.kind), metadata: shape.metadata as never });
    Object.defineProperty(this, PHASE_OBJECT, { value: true });
  }

  public toJson(): any {
    return JSON.parse(JSON.stringify(this.produce()));
  }
}

function isPhaseObject(c: IConstruct): boolean {
  return (c as unknown as Record<symbol, unknown>)[PHASE_OBJECT] === true;
}

/**
 * The guide's "Migrating from Plaintext to mTLS" as charts: one chart per
 * phase, created at the app root with ids `01-inject`, `02-mesh-permissive`,
 * `03-strict-<namespaces>` …, `NN-mesh-strict`, so `FILE_PER_CHART` writes
 * `01-inject.k8s.yaml` and so on. Each phase is a complete state (Namespaces
 * with the injection label, the mesh policy, every planned namespace's policy,
 * the gate PrometheusRules) analysed with the rest of the app as one cluster,
 * never with the other phases. The rest of the app (workloads, Services,
 * WorkloadExceptions …) is part of every phase's state.
 *
 * A phase that would make a known call fail (declared callers, plaintext
 * callers, the calls the app's Services, DestinationRules and
 * AuthorizationPolicies show) fails synth, naming client, server, port and
 * phase.
 */
export class MigrationPlan extends Construct {
  /** The phase charts, in order. */
  public readonly phases: readonly Chart[];
  /** The phase ids, in order (`01-inject`, …). */
  public readonly phaseIds: readonly string[];
  private readonly options: MigrationPlanOptions;
  private readonly runbookFile: string;
  /** The app's synth-time validation, whose `currentSynth` keys the plan. */
  private readonly validation: MtlsValidation;
  /** The plan of the current synth, shared by the phase objects and validations. */
  private cached?: PlanOfApp & { synth: number };

  public constructor(scope: Construct, id: string, props: MigrationPlanProps) {
    super(scope, id);
    this.validation = MtlsValidation.enable(this);
    if (props.sidecarInjection !== undefined && !(props.sidecarInjection instanceof SidecarInjection)) {
      fail(OWNER, `'sidecarInjection' must be a SidecarInjection (SidecarInjection.enabled() or SidecarInjection.revision(...)), got ${JSON.stringify(props.sidecarInjection)}`);
    }
    const mesh: MeshOptions = props.rootNamespace ? { rootNamespace: props.rootNamespace } : {};
    this.options = {
      namespaces: props.namespaces,
      ...(props.sidecarInjection ? { injection: { key: props.sidecarInjection.labelKey, value: props.sidecarInjection.labelValue } } : {}),
      callers: props.callers ?? [],
      plaintextCallers: props.plaintextCallers ?? [],
      ...(props.alertsNamespace !== undefined ? { alertsNamespace: props.alertsNamespace } : {}),
      ...(props.alertLabels ? { alertLabels: props.alertLabels } : {}),
      namespaceLabels: Object.fromEntries([...new Set(props.namespaces?.flat?.() ?? [])].map((ns) => [ns, props.namespaceLabels?.[ns] ?? {}])),
      name: id,
      mesh,
    };
    const errors = migrationOptionErrors(this.options);
    if (errors.length > 0) fail(OWNER, errors[0]);
    for (const ns of Object.keys(props.namespaceLabels ?? {})) {
      if (!props.namespaces.flat().includes(ns)) fail(OWNER, `'namespaceLabels' names "${ns}", which is not in 'namespaces'`);
    }
    this.runbookFile = props.runbookFile ?? `${id}-runbook.md`;
    if (path.basename(this.runbookFile) !== this.runbookFile || this.runbookFile === '') {
      fail(OWNER, `'runbookFile' must be a file name without directories, got ${JSON.stringify(this.runbookFile)}`);
    }

    // The objects of each phase do not depend on the rest of the app, only their content does.
    const skeleton = engine().planMigration([], this.options);
    const root = this.node.root;
    const charts: Chart[] = [];
    skeleton.phases.forEach((phase, i) => {
      if (root.node.tryFindChild(phase.id)) fail(OWNER, `the app already has a construct with id "${phase.id}"; phase charts are created at the app root`);
      const chart = new Chart(root, phase.id);
      phase.manifests.forEach((m, j) => {
        const r = refOf(m);
        new PhaseObject(chart, `${r.kind}-${r.namespace ? r.namespace + '-' : ''}${r.name}`, m, () => this.compute().plan.phases[i].manifests[j]);
      });
      chart.node.addValidation({ validate: () => this.messagesFor(i) });
      charts.push(chart);
    });
    this.phases = charts;
    this.phaseIds = skeleton.phases.map((p) => p.id);
    this.validation.addAlternativeStates(charts);
    // The app's namespaces are known only at synth; a typo is the plan's own error, reported at its path.
    MtlsValidation.addCheck(this, () => this.compute().unknownNamespaces.map((p) => `[${OWNER}] ${p}`));
  }

  /** The plan over the app's current objects (everything outside the phase charts), computed afresh. */
  public plan(): PlanResult {
    return this.computeAfresh().plan;
  }

  /** The runbook (Markdown) of the plan over the app's current objects. */
  public runbook(): string {
    return engine().renderRunbook(this.plan());
  }

  /**
   * Writes the runbook next to the phase files. Call it after `app.synth()`:
   * cdk8s writes only charts, so the runbook is written explicitly.
   * @param dir the directory (default: the app's outdir)
   * @returns the path written
   */
  public writeRunbook(dir?: string): string {
    const outdir = dir ?? (this.node.root as Partial<App>).outdir;
    if (!outdir) fail(OWNER, 'writeRunbook() needs a directory: the root of the construct tree is not a cdk8s App');
    fs.mkdirSync(outdir, { recursive: true });
    const file = path.join(outdir, this.runbookFile);
    fs.writeFileSync(file, this.runbook());
    return file;
  }

  private messagesFor(index: number): string[] {
    const { plan, conflicts, unknownNamespaces } = this.compute();
    const problems = plan.problems.filter((p) => !unknownNamespaces.includes(p));
    const out = index === 0 ? [...conflicts, ...problems.map((p) => `${OWNER}: ${p}`)] : [];
    for (const f of plan.phases[index].failures) {
      out.push(`${OWNER}: ${f.message}. Fix: inject a sidecar into the client, or add a WorkloadException for container port ${f.targetPort ?? f.service.port} of ${f.server}`);
    }
    return out;
  }

  /**
   * The plan of the current synth: computed once per synth (each
   * `app.synth()`, each `chart.toJson()`) and shared by every phase object and
   * validation of it, never by the next (the app may have changed in between).
   */
  private compute(): PlanOfApp {
    const synth = this.validation.currentSynth;
    if (this.cached?.synth !== synth) this.cached = { ...this.computeAfresh(), synth };
    return this.cached;
  }

  private computeAfresh(): PlanOfApp {
    const root = this.node.root;
    const base: Manifest[] = [];
    const conflicts: string[] = [];
    const planned = new Set(this.options.namespaces.flat());
    const rootNs = this.options.mesh?.rootNamespace || 'istio-system';
    for (const c of root.node.findAll()) {
      if (!ApiObject.isApiObject(c) || isPhaseObject(c)) continue;
      const m = c.toJson() as Manifest;
      base.push(m);
      if (!isPlainObject(m)) continue;
      const r = refOf(m);
      const spec = isPlainObject(m.spec) ? m.spec : {};
      const selector = isPlainObject(spec.selector) && isPlainObject(spec.selector.matchLabels) && Object.keys(spec.selector.matchLabels).length > 0;
      if (r.kind === 'PeerAuthentication' && !selector && (r.namespace === rootNs || planned.has(r.namespace))) {
        conflicts.push(`${OWNER}: PeerAuthentication ${r.namespace}/${r.name} at "${c.node.path}" competes with the plan, which sets `
          + `the ${r.namespace === rootNs ? 'mesh' : 'namespace-wide'} policy in every phase: remove it from the app`);
      }
      if (r.kind === 'Namespace' && planned.has(r.name)) {
        conflicts.push(`${OWNER}: Namespace ${r.name} at "${c.node.path}" is also in every phase (with its injection label): `
          + "remove it from the app and give its labels in 'namespaceLabels'");
      }
    }
    const e = engine();
    return { plan: e.planMigration(base, this.options), conflicts, unknownNamespaces: e.unknownNamespaceProblems(base, this.options) };
  }
}
