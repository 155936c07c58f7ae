import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { LintOptions, SourcedFinding } from '../lint';
import type { AppAnalysis, AppAnalysisResults } from './app-analysis';
import { sameFileFindings } from './output-files';
import { Renderer, rendererFor } from './render';
import { compareFindings, Finding } from '../model/finding';
import { resolveMeshOptions } from '../model/mesh-options';
import { messageWithSubject } from '../report/lint-report';

export interface MtlsValidationOptions extends LintOptions {
  /**
   * Where warnings go (errors fail synth instead). Called once per synth
   * that finds any, except that the same lines are not reported twice in a
   * row within one synchronous run (a test that synthesizes each chart in turn).
   * @default - written to stderr
   */
  readonly onWarnings?: (lines: readonly string[]) => void;
  /**
   * Run the cross-resource analysis in a worker thread, with a heap of its
   * own, instead of in the app's thread. What the analysis reads of every
   * object then stays out of the app's heap: V8 lets a heap grow to a few
   * times what it finds live at each full collection, so a collection during
   * the analysis would otherwise raise the app's heap limit for the rest of
   * the synth. The worker also reads and validates manifests while the app
   * renders the next ones (validation stays in the app's thread when `crds`
   * is given: compiled validators cannot be posted to a worker). Starting it
   * and loading the engine in it costs about 40 ms. Findings are the same
   * either way.
   * @default - a worker when the app has 10,000 ApiObjects or more
   */
  readonly analysisWorker?: boolean;
}

/** Apps with this many ApiObjects or more are analysed in a worker thread by default. */
const WORKER_THRESHOLD = 10_000;

const REGISTRY = Symbol.for('cdk8s-istio-mtls.MtlsValidation');

/** The engine, loaded at the first synth rather than when the constructs are imported (cold start). */
function engine(): typeof import('../lint') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../lint');
}

/** The analysis in this thread or in a worker, loaded at the first synth too (the worker's side needs worker_threads). */
function analyses(): typeof import('./app-analysis') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./app-analysis');
}

interface Computed {
  readonly byObject: Map<ApiObject, Finding[]>;
  /** The messages of the constructs' own checks, for constructs that have any. */
  readonly byConstruct: Map<IConstruct, string[]>;
}

interface ConstructCheck {
  readonly construct: IConstruct;
  /** `now`: the synth's clock, read once per synth (`mesh.now`, else the system clock at the first check that asks). */
  readonly validate: (now: () => Date) => string[];
}

/** IMA015 (src/analysis/rules/expired-exception.ts), named here so that importing the constructs loads no rule. */
const EXPIRED_EXCEPTION_CODE = 'IMA015';

/**
 * Validates and analyses every Istio and PrometheusRule object of a cdk8s app
 * when it synthesizes (`app.synth()`, `Testing.synth()`, `chart.toJson()`),
 * whatever made them: our constructs, the generated L1 classes, or plain
 * ApiObjects. Error findings fail synth as
 * `[construct/path] Kind namespace/name: message (CODE)`; warnings are printed
 * once per synth.
 *
 * Each synth computes afresh, once: `app.synth()` and `app.synthYaml()` once
 * however many charts the app has (cdk8s validates the app before each
 * chart), `chart.toJson()` and `Testing.synth(chart)` once per call. So a
 * change between two synths is always seen, even within one synchronous run.
 * To know where a whole synth begins and ends, enabling validation wraps the
 * app's own `synth` and `synthYaml` (around an App subclass's overrides).
 *
 * Our constructs enable it on their app automatically; call
 * `MtlsValidation.enable(app)` for apps that use only L1 or plain objects.
 */
export class MtlsValidation {
  /** Enables validation on the app that contains `scope` (once per app); later options are merged in. */
  public static enable(scope: IConstruct, options: MtlsValidationOptions = {}): MtlsValidation {
    const root = scope.node.root as IConstruct & { [REGISTRY]?: MtlsValidation };
    let v = root[REGISTRY];
    if (!v) {
      v = new MtlsValidation(root);
      Object.defineProperty(root, REGISTRY, { value: v, enumerable: false });
    }
    v.options = { ...v.options, ...options };
    v.invalidate();
    return v;
  }

  /** The validation of the app that contains `scope`, if enabled. */
  public static of(scope: IConstruct): MtlsValidation | undefined {
    return (scope.node.root as { [REGISTRY]?: MtlsValidation })[REGISTRY];
  }

  /**
   * Adds a construct validation that runs once per synth, like the app's:
   * cdk8s runs every validation of the app once per chart it synthesizes, so
   * a plain one costs constructs x charts calls. The check runs with the
   * app-level validation (once per synth, from the root); only a construct
   * whose check reports messages gets a node validation, which reports them
   * with the construct's path (and reads the current result from then on).
   * @internal
   */
  public static addValidationOncePerSynth(construct: IConstruct, validate: () => string[]): void {
    const v = MtlsValidation.enable(construct);
    v.checks.push({ construct, validate });
  }

  /**
   * Adds a construct's check of its exception's review date, run once per
   * synth like `addValidationOncePerSynth`. It gets the app's clock (`mesh.now`,
   * else the system clock) for exceptions without a clock of their own, and
   * reports in place of the analysis' IMA015 on the construct's own object, so
   * an expiry is reported once, by one clock, naming the prop to move.
   * @internal
   */
  public static addExpiryCheck(construct: ApiObject, check: (now: () => Date) => string[]): void {
    const v = MtlsValidation.enable(construct);
    v.checks.push({ construct, validate: check });
    v.expiryChecked.add(construct);
  }

  private options: MtlsValidationOptions = {};
  /** Charts that are alternative cluster states (e.g. migration phases), by chart. */
  private readonly alternatives = new Map<Chart, string>();
  private computed?: Computed;
  private readonly attached = new WeakSet<IConstruct>();
  /** The constructs' own checks (addValidationOncePerSynth), in registration order. */
  private readonly checks: ConstructCheck[] = [];
  /** Objects whose construct checks their exception's expiry itself (addExpiryCheck): no IMA015 on them. */
  private readonly expiryChecked = new WeakSet<IConstruct>();
  /** How many `synth()` or `synthYaml()` calls of the app are running (see `scopeResultToSynths`). */
  private synthsRunning = 0;
  /** See `currentSynth`. */
  private synthId = 0;
  /** The warnings last reported, until the end of the synchronous run: the same ones are not reported twice in a row. */
  private reported?: string;

  private constructor(private readonly root: IConstruct) {
    // The root is the first node cdk8s validates; from there we attach one
    // validation per object, so messages carry each object's own path.
    root.node.addValidation({ validate: () => this.validateRoot() });
    this.scopeResultToSynths(root);
  }

  /**
   * Marks the app's whole synths: within one `app.synth()` or
   * `app.synthYaml()`, cdk8s validates the app again before each chart it
   * writes, with none of the app's code running in between, so one result
   * serves every validation of that synth. Outside them (a chart's
   * `toJson()`, `Testing.synth(chart)`), each validation of the app is a
   * synth of its own and computes afresh: the app may have changed since the
   * last, even within one synchronous run (objects added after a chart was
   * rendered for a checksum, a test that synthesizes, adds and synthesizes
   * again). The methods are wrapped on the app itself, around whatever
   * they resolve to (an App subclass's own included).
   */
  private scopeResultToSynths(root: IConstruct): void {
    const app = root as unknown as Record<string, unknown>;
    for (const method of ['synth', 'synthYaml']) {
      const synth = app[method];
      if (typeof synth !== 'function') continue;
      const validation = this;
      Object.defineProperty(app, method, {
        configurable: true,
        writable: true,
        enumerable: false,
        value: function synthValidatedOnce(this: unknown, ...args: unknown[]): unknown {
          if (validation.synthsRunning++ === 0) validation.invalidate();
          try {
            return synth.apply(this, args);
          } finally {
            if (--validation.synthsRunning === 0) validation.invalidate();
          }
        },
      });
    }
  }

  /**
   * Declares charts as alternative states of the cluster (for example the
   * phases of a migration, each applied in turn). Every object is still
   * validated, but the analysis looks at each state as a whole cluster: the
   * app's other charts plus that one chart, never the union of the states.
   */
  public addAlternativeStates(charts: readonly Chart[]): void {
    for (const chart of charts) this.alternatives.set(chart, chart.node.path);
    this.invalidate();
  }

  /**
   * Identifies the current synth of the app: it changes when a synth starts
   * (each `app.synth()` or `synthYaml()`, each other validation of the app)
   * and when the result is invalidated, so a construct that computes over the
   * app at synth can keep its result for exactly one synth.
   * @internal
   */
  public get currentSynth(): number {
    return this.synthId;
  }

  /** Forgets the cached result: the next validation recomputes it. */
  public invalidate(): void {
    this.computed = undefined;
    this.synthId++;
  }

  private validateRoot(): string[] {
    // Outside a whole synth of the app, each validation of it is a synth of its own.
    if (this.synthsRunning === 0) this.invalidate();
    this.compute();
    return [];
  }

  /**
   * The result of the current synth: computed at its first validation of the
   * app (the root's, which cdk8s runs first), reused by the objects'
   * validations of the same walk and, within one `app.synth()` or
   * `synthYaml()`, by cdk8s's validation before each chart.
   */
  private compute(): Computed {
    if (this.computed) return this.computed;
    const objects: ApiObject[] = [];
    for (const c of this.root.node.findAll()) if (ApiObject.isApiObject(c)) objects.push(c);
    const analysis = this.options.analyze !== false ? this.newAnalysis(objects.length) : undefined;
    const render = rendererFor(this.root);
    let byConstruct: Map<IConstruct, string[]>;
    let found: SourcedFinding<ApiObject>[];
    try {
      found = this.lintObjects(objects, analysis, render);
      // While an analysis in a worker thread runs, this thread does the rest of its work.
      byConstruct = this.runConstructChecks();
      found.push(...sameFileFindings(this.root, objects));
      if (analysis) found.push(...this.analysisFindings(analysis, objects, render));
    } finally {
      // A synth that failed first (an object that cannot be rendered, a check that throws) stops the worker too.
      analysis?.close();
    }
    found.sort((a, b) => compareFindings(a.finding, b.finding));
    const byObject = new Map<ApiObject, Finding[]>();
    const warnings: string[] = [];
    for (const { finding: f, source: obj } of found) {
      if (f.code === EXPIRED_EXCEPTION_CODE && obj && this.expiryChecked.has(obj)) continue;
      if (f.severity === 'error' && obj) {
        const list = byObject.get(obj);
        if (list) list.push(f);
        else byObject.set(obj, [f]);
      } else if (f.severity !== 'info') {
        warnings.push(`[${obj?.node.path ?? ''}] ${f.severity}: ${messageWithSubject(f)} (${f.code})`);
      }
    }
    // Only objects with errors get a validation: cdk8s runs every validation of
    // the app once per chart, so one per object costs objects x charts calls.
    // (A validation once attached stays; it reads the current result.)
    for (const obj of byObject.keys()) this.attach(obj);
    const computed = { byObject, byConstruct };
    this.computed = computed;
    this.report(warnings);
    this.dropAfterSynth(computed);
    return computed;
  }

  /** Runs the constructs' own checks; constructs with messages get a node validation that reports them. */
  private runConstructChecks(): Map<IConstruct, string[]> {
    const byConstruct = new Map<IConstruct, string[]>();
    // One clock for every check of the synth: exceptions are judged against the same day.
    let today: Date | undefined;
    const now = (): Date => (today ??= resolveMeshOptions(this.options.mesh).now);
    for (const check of this.checks) {
      const messages = check.validate(now);
      if (messages.length === 0) continue;
      const list = byConstruct.get(check.construct);
      if (list) list.push(...messages);
      else byConstruct.set(check.construct, [...messages]);
    }
    for (const construct of byConstruct.keys()) this.attach(construct);
    return byConstruct;
  }

  /**
   * Gives a construct with messages one node validation, which reports both
   * its own checks' messages and, when it is an ApiObject, the findings on it
   * (a construct that writes one resource is that resource: both can apply).
   */
  private attach(construct: IConstruct): void {
    if (this.attached.has(construct)) return;
    this.attached.add(construct);
    construct.node.addValidation({ validate: () => this.messagesFor(construct) });
  }

  /**
   * Reports the warnings of a synth, unless the same ones were the last
   * reported in this synchronous run (a test that synthesizes each chart in
   * turn sees them once).
   */
  private report(warnings: readonly string[]): void {
    if (warnings.length === 0) return;
    const text = warnings.join('\n');
    if (text === this.reported) return;
    this.reported = text;
    (this.options.onWarnings ?? writeWarnings)(warnings);
  }

  /** Drops the result (and what was last reported) when the synchronous run ends: it is not kept beside the app. */
  private dropAfterSynth(computed: Computed): void {
    // A function of its own, so the callback holds the result and nothing else of compute().
    queueMicrotask(() => {
      this.reported = undefined;
      if (this.computed === computed) this.computed = undefined;
    });
  }

  /**
   * Renders every ApiObject, validates it (here, unless the analysis does)
   * and hands it to the analysis (each alternative state with the rest of
   * the app), whose input it then ends. Each manifest is dropped once handed
   * over: only findings and the analysis' own facts are kept (in the worker's
   * heap when the analysis runs in a worker thread, which then validates the
   * manifests too while this thread renders the next ones, and analyses them
   * while this thread finishes its own checks).
   */
  private lintObjects(objects: readonly ApiObject[], analysis: AppAnalysis<ApiObject> | undefined, render: Renderer): SourcedFinding<ApiObject>[] {
    const found: SourcedFinding<ApiObject>[] = [];
    // A worker that validates loads the engine in its own thread: this one does not need it.
    const validate = analysis?.validates ? undefined : engine().validateGuarded;
    for (const c of objects) {
      const manifest = render(c);
      if (validate) for (const finding of validate(manifest, this.options)) found.push({ finding, source: c });
      analysis?.add(this.stateOf(c), manifest, c);
    }
    analysis?.end();
    return found;
  }

  /** The analysis' findings, and its validation's when it validated. */
  private analysisFindings(analysis: AppAnalysis<ApiObject>, objects: readonly ApiObject[], render: Renderer): SourcedFinding<ApiObject>[] {
    const { byState, validation } = this.runAnalysis(analysis, objects, render);
    return [...validation, ...(this.alternatives.size === 0 ? byState.get(undefined) ?? [] : this.analyzeStates(byState))];
  }

  /**
   * The analysis of an app of `objects` objects: in a worker thread from
   * WORKER_THRESHOLD objects unless the options say otherwise. The worker
   * validates against the built-in schemas only: custom ones are compiled
   * validators, which cannot be posted.
   */
  private newAnalysis(objects: number): AppAnalysis<ApiObject> {
    const inWorker = this.options.analysisWorker ?? objects >= WORKER_THRESHOLD;
    return this.analysisIn(inWorker, !inWorker || this.options.crds === undefined);
  }

  private analysisIn(worker: boolean, validate: boolean): AppAnalysis<ApiObject> {
    const states = [...new Set(this.alternatives.values())];
    const { InProcessAnalysis, WorkerAnalysis } = analyses();
    if (worker) return new WorkerAnalysis(this.options.mesh, states, validate);
    return new InProcessAnalysis(this.options.mesh, states, validate ? this.options : undefined);
  }

  /**
   * The analysis' findings. Should the worker fail (our bug, not the user's),
   * the analysis (and the validation, if the worker did it) runs again in
   * this thread, with a warning.
   */
  private runAnalysis(analysis: AppAnalysis<ApiObject>, objects: readonly ApiObject[], render: Renderer): AppAnalysisResults<ApiObject> {
    if (!(analysis instanceof analyses().WorkerAnalysis)) return analysis.run();
    try {
      return analysis.run();
    } catch (e) {
      (this.options.onWarnings ?? writeWarnings)([
        `[${this.root.node.path}] warning: ${(e as Error).message}; the analysis ran in the app's thread instead (please report this)`,
      ]);
      const again = this.analysisIn(false, analysis.validates);
      for (const c of objects) again.add(this.stateOf(c), render(c), c);
      return again.run();
    }
  }

  /** The chart path of the alternative state `obj` belongs to, if any. */
  private stateOf(obj: ApiObject): string | undefined {
    return this.alternatives.size === 0 ? undefined : this.alternatives.get(Chart.of(obj));
  }

  /** The findings of each alternative state (with the rest of the app), merged. */
  private analyzeStates(results: ReadonlyMap<string | undefined, SourcedFinding<ApiObject>[]>): SourcedFinding<ApiObject>[] {
    // A finding seen in several states is reported once, naming the states it occurs in.
    const seen = new Map<string, { found: SourcedFinding<ApiObject>; states: string[] }>();
    for (const [state, findings] of results) {
      if (state === undefined) continue;
      for (const found of findings) {
        const f = found.finding;
        const key = `${found.source?.node.path}\u0000${f.code}\u0000${f.path}\u0000${f.message}`;
        const entry = seen.get(key);
        if (entry) entry.states.push(state);
        else seen.set(key, { found, states: [state] });
      }
    }
    return [...seen.values()].map(({ found, states: where }) => {
      const ownState = found.source !== undefined && this.stateOf(found.source) !== undefined;
      if (ownState || where.length === results.size) return found;
      return { ...found, finding: { ...found.finding, message: `in state ${where.map((w) => `"${w}"`).join(', ')}: ${found.finding.message}` } };
    });
  }

  private messagesFor(construct: IConstruct): string[] {
    const { byConstruct, byObject } = this.compute();
    const findings = ApiObject.isApiObject(construct) ? byObject.get(construct) ?? [] : [];
    return [
      ...byConstruct.get(construct) ?? [],
      ...findings.map((f) => `${messageWithSubject(f)}${f.fix ? ` Fix: ${f.fix}` : ''} (${f.code})`),
    ];
  }
}

function writeWarnings(lines: readonly string[]): void {
  process.stderr.write(lines.map((l) => l + '\n').join(''));
}
