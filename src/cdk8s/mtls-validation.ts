import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { LintOptions } from '../lint';
import { SynthScope } from './synth-scope';
import { Finding } from '../model/finding';
import { meshOptionProblems, resolveMeshOptions } from '../model/mesh-options';
import { RuleInfo } from '../model/rule-info';
import { messageWithSubject } from '../report/lint-report';
import { ReviewClock, ReviewHorizon } from '../vocabulary/mtls-exception';

export interface MtlsValidationOptions extends LintOptions {
  /**
   * Where warnings go (errors fail synth instead). Called once per synth
   * that finds any.
   * @default - written to stderr
   */
  readonly onWarnings?: (lines: readonly string[]) => void;
}

const REGISTRY = Symbol.for('cdk8s-istio-mtls.MtlsValidation');

/** The findings of an app, loaded at the first synth rather than with the constructs (cold start). */
function engine(): typeof import('./app-findings') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./app-findings');
}

/** A construct's own check, run once per synth. */
interface ConstructCheck {
  readonly construct: IConstruct;
  /**
   * `now`: the synth's clock, read once per synth (`mesh.now`, else the system
   * clock at the first check that asks), with the app's `maxReviewDays`.
   */
  readonly check: (now: ReviewClock) => string[];
  /** The rule whose findings on the construct's own object this check reports instead. */
  readonly replaces?: RuleInfo;
}

/** What one synth found, by the construct that reports it. */
interface SynthResult {
  readonly errors: Map<IConstruct, string[]>;
}

/**
 * Validates and analyses every Istio and PrometheusRule object of a cdk8s app
 * when it synthesizes (`app.synth()`, `Testing.synth()`, `chart.toJson()`),
 * whatever made them: our constructs, the generated L1 classes, or plain
 * ApiObjects. Error findings fail synth as
 * `[construct/path] Kind namespace/name: message (CODE)`; warnings are printed
 * once per synth, and so are findings acknowledged by an
 * `mtls.acknowledge/<CODE>` annotation, which never fail synth.
 *
 * Each synth computes afresh, once: `app.synth()` and `app.synthYaml()` once
 * however many charts the app has, `chart.toJson()` and `Testing.synth(chart)`
 * once per call, so a change between two synths is always seen.
 *
 * Our constructs enable it on their app automatically; call
 * `MtlsValidation.enable(app)` for apps that use only L1 or plain objects.
 */
export class MtlsValidation {
  /** Enables validation on the app that contains `scope` (once per app); later options are merged in. */
  public static enable(scope: IConstruct, options: MtlsValidationOptions = {}): MtlsValidation {
    const [problem] = meshOptionProblems(options.mesh ?? {});
    if (problem) throw new Error(`[MtlsValidation] 'mesh.${problem.option}' ${problem.message}`);
    const root = scope.node.root as IConstruct & { [REGISTRY]?: MtlsValidation };
    let v = root[REGISTRY];
    if (!v) {
      v = new MtlsValidation(root);
      Object.defineProperty(root, REGISTRY, { value: v, enumerable: false });
    }
    v.options = { ...v.options, ...options };
    return v;
  }

  /** The validation of the app that contains `scope`, if enabled. */
  public static of(scope: IConstruct): MtlsValidation | undefined {
    return (scope.node.root as { [REGISTRY]?: MtlsValidation })[REGISTRY];
  }

  /**
   * Adds a construct's own check, run once per synth with the app's (cdk8s
   * runs a plain node validation once per chart it renders). Its messages
   * fail synth under the construct's path. With `replaces`, they stand in
   * for that rule's findings on the construct's own object, so one problem
   * is reported once (an exception's review date, judged by its own clock).
   * @internal
   */
  public static addCheck(construct: IConstruct, check: (now: ReviewClock) => string[], replaces?: RuleInfo): void {
    MtlsValidation.enable(construct).checks.push({ construct, check, replaces });
  }

  /**
   * "Today" and the review horizon (`mesh.maxReviewDays`) of the app that
   * contains `scope`, as its validation is enabled so far, for checks made
   * when a construct is created: `clock` when given, else `mesh.now`, else
   * the system clock.
   * @internal
   */
  public static reviewHorizonOf(scope: IConstruct, clock?: () => Date): ReviewHorizon {
    const mesh = resolveMeshOptions(MtlsValidation.of(scope)?.options.mesh);
    return { now: clock ? clock() : mesh.now, maxReviewDays: mesh.maxReviewDays };
  }

  private options: MtlsValidationOptions = {};
  private readonly scope: SynthScope;
  private readonly alternatives = new Set<Chart>();
  private readonly checks: ConstructCheck[] = [];
  private readonly attached = new WeakSet<IConstruct>();
  private result: SynthResult = { errors: new Map() };

  private constructor(private readonly root: IConstruct) {
    this.scope = new SynthScope(root);
    // cdk8s validates the root first; it computes, and each construct with errors reads its own.
    root.node.addValidation({ validate: () => this.validateRoot() });
  }

  /**
   * Declares charts as alternative states of the cluster (for example the
   * phases of a migration, each applied in turn). Every object is still
   * validated, but the analysis looks at each state as a whole cluster: the
   * app's other charts plus that one chart, never the union of the states.
   */
  public addAlternativeStates(charts: readonly Chart[]): void {
    for (const chart of charts) this.alternatives.add(chart);
  }

  /**
   * Identifies the current synth of the app, so that a construct that
   * computes over the app at synth can keep its result for exactly one synth.
   * @internal
   */
  public get currentSynth(): number {
    return this.scope.current;
  }

  private validateRoot(): string[] {
    if (this.scope.beginValidation()) this.result = this.compute();
    return [];
  }

  private compute(): SynthResult {
    const errors = new Map<IConstruct, string[]>();
    const add = (construct: IConstruct, message: string): void => {
      const list = errors.get(construct);
      if (list) list.push(message);
      else errors.set(construct, [message]);
    };
    // One clock for every check of the synth: exceptions are judged against the same day.
    let today: Date | undefined;
    const { maxReviewDays } = resolveMeshOptions(this.options.mesh);
    const now: ReviewClock = Object.assign((): Date => (today ??= this.options.mesh?.now ?? new Date()), { maxReviewDays });
    const replaced = new Set<string>();
    for (const { construct, check, replaces } of this.checks) {
      for (const message of check(now)) add(construct, message);
      if (replaces) replaced.add(`${replaces.code}\u0000${construct.node.path}`);
    }
    const warnings: string[] = [];
    const mesh = { ...this.options.mesh, now: now() };
    const found = engine().appFindings(this.root, { ...this.options, mesh, alternativeStates: [...this.alternatives] });
    for (const { finding: f, source } of found) {
      if (source && replaced.has(`${f.code}\u0000${source.node.path}`)) continue;
      if (f.severity === 'info') continue;
      const where = `[${source?.node.path ?? ''}]`;
      // Acknowledged: still said, never fatal.
      if (f.acknowledged) warnings.push(`${where} acknowledged ${f.severity}: ${messageWithSubject(f)} (${f.code}; ${acknowledgedBy(f)})`);
      else if (f.severity === 'error' && source) add(source, errorLine(f));
      else warnings.push(`${where} ${f.severity}: ${messageWithSubject(f)} (${f.code})`);
    }
    // Only constructs with errors get a node validation: cdk8s runs each once per chart it renders.
    for (const construct of errors.keys()) this.attach(construct);
    if (warnings.length > 0) (this.options.onWarnings ?? writeWarnings)(warnings);
    return { errors };
  }

  private attach(construct: IConstruct): void {
    if (this.attached.has(construct)) return;
    this.attached.add(construct);
    // Reads the current synth's result: a construct fixed since reports nothing.
    construct.node.addValidation({ validate: () => this.result.errors.get(construct) ?? [] });
  }
}

function errorLine(f: Finding): string {
  return `${messageWithSubject(f)}${f.fix ? ` Fix: ${f.fix}` : ''} (${f.code})`;
}

function acknowledgedBy(f: Finding): string {
  const a = f.acknowledged!;
  return `acknowledged by ${a.owner} until ${a.reviewBy}: ${a.reason}`;
}

function writeWarnings(lines: readonly string[]): void {
  process.stderr.write(lines.map((l) => l + '\n').join(''));
}
