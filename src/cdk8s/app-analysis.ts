import * as path from 'path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';
import type { AnalysisState, SourcedFinding } from '../lint';
import type { AnalysisAnswer, AnalysisWorkerData, AddMessage } from './analysis-worker';
import type { Finding } from '../model/finding';
import type { Manifest } from '../model/manifest';
import type { MeshOptions } from '../model/mesh-options';
import type { ValidationOptions } from '../validation/validate';

/**
 * The synth-time analysis of an app: manifests are added as the app renders
 * them, each to the base state or to one alternative state; `run` analyses
 * the base alone (no alternative states) or each alternative state with the
 * base. Findings come back by state (undefined: the base alone). An analysis
 * that `validates` also validates each manifest on its own as it is added
 * (`validateManifest`), and returns those findings too, so the app's thread
 * does not.
 * @internal
 */
export interface AppAnalysis<S> {
  readonly validates: boolean;
  add(state: string | undefined, manifest: Manifest, source: S): void;
  /**
   * Ends the input: an analysis in a worker starts analysing now, so the
   * app's thread can do other work before `run` waits for the findings.
   * `run` ends the input itself if this was not called.
   */
  end(): void;
  run(): AppAnalysisResults<S>;
  /** Gives up without findings (the synth failed first): a worker is stopped and its heap freed. */
  close(): void;
}

/** @internal */
export interface AppAnalysisResults<S> {
  /** The analysis' findings by state (undefined: the base alone). */
  readonly byState: Map<string | undefined, SourcedFinding<S>[]>;
  /** The validation of each manifest, in the order they were added (empty unless the analysis `validates`). */
  readonly validation: SourcedFinding<S>[];
}

/**
 * The analysis in this thread. It holds what it read of every manifest in
 * the app's heap until it runs. Given validation options, it validates each
 * manifest as it is added.
 * @internal
 */
export class InProcessAnalysis<S> implements AppAnalysis<S> {
  private readonly base: AnalysisState<S>;
  private readonly states = new Map<string, AnalysisState<S>>();
  private readonly validateGuarded?: (manifest: Manifest) => Finding[];
  private readonly validation: SourcedFinding<S>[] = [];

  constructor(mesh: MeshOptions | undefined, states: readonly string[], validation?: ValidationOptions) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AnalysisState: State, validateGuarded } = require('../lint') as typeof import('../lint');
    this.base = new State<S>(mesh);
    for (const s of states) this.states.set(s, new State<S>(mesh));
    if (validation) this.validateGuarded = (manifest) => validateGuarded(manifest, validation);
  }

  get validates(): boolean {
    return this.validateGuarded !== undefined;
  }

  add(state: string | undefined, manifest: Manifest, source: S): void {
    if (this.validateGuarded) for (const finding of this.validateGuarded(manifest)) this.validation.push({ finding, source });
    (state === undefined ? this.base : this.states.get(state) ?? this.base).add(manifest, source);
  }

  end(): void {
    // Analyses when asked for the findings: nothing runs beside this thread.
  }

  close(): void {
    // Nothing to stop: what was read goes with this object.
  }

  run(): AppAnalysisResults<S> {
    const byState: Map<string | undefined, SourcedFinding<S>[]> = this.states.size === 0
      ? new Map([[undefined, this.base.analyze()]])
      : new Map([...this.states].map(([key, state]) => [key, state.analyze(this.base)]));
    return { byState, validation: this.validation };
  }
}

/**
 * Manifests posted to the worker per message. Few enough that a rendered
 * manifest dies young: when a batch held hundreds of them across young
 * collections, V8's allocation-site pretenuring began allocating cdk8s's
 * rendered values in the old generation, where they stayed until the next
 * full collection (at 2,000 namespaces the hook then left 190 MB in the old
 * generation instead of 105 MB; at 400, batches of 1 to 128 all left the
 * same 24 MB). Posting one at a time costs about 8% more in the hook.
 */
const BATCH = 32;

/**
 * How long `run` waits for the answer: a worker that dies without answering
 * (out of memory) gives no sign the blocked thread can see. The analysis of
 * 130,000 objects takes about a second; past this, the analysis runs again
 * in the app's thread.
 */
function answerTimeoutMs(manifests: number): number {
  return 60_000 + manifests;
}

/**
 * The worker's entry, run as code (not a file) so that any failure to start
 * (a module that does not load) still answers: the app's thread waits for
 * the answer, blocked, and would otherwise wait forever.
 */
const BOOTSTRAP = `
const { workerData, parentPort } = require('worker_threads');
const flag = new Int32Array(workerData.flag);
let answered = false;
function answer(a) {
  if (answered) return;
  answered = true;
  try { workerData.answers.postMessage(a); }
  catch (e) { try { workerData.answers.postMessage({ error: String((e && e.stack) || e) }); } catch (_) { /* the app sees no answer */ } }
  finally { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); }
}
process.on('uncaughtException', (e) => answer({ error: String((e && e.stack) || e) }));
try {
  if (workerData.register) require(workerData.register);
  require(workerData.module).serveAnalysis(workerData.analysis, parentPort, answer);
} catch (e) {
  answer({ error: String((e && e.stack) || e) });
}
`;

/**
 * The analysis in a worker thread, with a heap of its own: what it reads of
 * every manifest, its model and its transient work stay out of the app's
 * heap, so V8 sizes the app's heap by the app alone. Manifests are posted in
 * batches as the app renders them and read by the worker meanwhile; `run`
 * waits for the findings, blocked (cdk8s validation is synchronous), and
 * the worker exits when it has answered. With `validate`, the worker also
 * validates each manifest against the built-in schemas while the app renders
 * the next ones (custom schemas, a `CrdSchemaSet` of compiled validators,
 * cannot be posted to it).
 * @internal
 */
export class WorkerAnalysis<S> implements AppAnalysis<S> {
  private readonly sources: S[] = [];
  private batch: [string | null, Manifest][] = [];
  private worker?: Worker;
  private answers?: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  /** Why the worker cannot answer, once known: `run` then throws it. */
  private failure?: string;
  /** The input has ended: the worker was told to analyse. */
  private ended = false;

  constructor(mesh: MeshOptions | undefined, states: readonly string[], public readonly validates: boolean) {
    const { port1, port2 } = new MessageChannel();
    this.answers = port1;
    const analysis: AnalysisWorkerData = { mesh, states, validate: validates };
    try {
      this.worker = new Worker(BOOTSTRAP, {
        eval: true,
        workerData: {
          flag: this.flag.buffer,
          answers: port2,
          module: path.join(__dirname, 'analysis-worker'),
          // From sources (tests), the worker loads TypeScript with the loader the project develops with.
          register: path.extname(__filename) === '.ts' ? require.resolve('tsx/cjs') : undefined,
          analysis,
        },
        transferList: [port2],
      });
      this.worker.unref();
    } catch (e) {
      this.fail(e);
    }
  }

  add(state: string | undefined, manifest: Manifest, source: S): void {
    this.sources.push(source);
    if (this.failure !== undefined) return;
    this.batch.push([state ?? null, manifest]);
    if (this.batch.length >= BATCH) this.flush();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.flush();
    if (this.failure === undefined && this.worker) this.worker.postMessage({ type: 'run' });
  }

  /** The findings; throws when the worker could not produce them. */
  run(): AppAnalysisResults<S> {
    this.end();
    let answer: AnalysisAnswer | undefined;
    if (this.failure === undefined && this.worker && this.answers) {
      const timeout = answerTimeoutMs(this.sources.length);
      if (Atomics.wait(this.flag, 0, 0, timeout) === 'timed-out') this.failure = `no answer within ${timeout / 1000} s`;
      else answer = receiveMessageOnPort(this.answers)?.message as AnalysisAnswer | undefined;
    }
    this.close();
    if (this.failure !== undefined) throw new Error(`the analysis worker failed: ${this.failure}`);
    if (!answer) throw new Error('the analysis worker ended without an answer');
    if ('error' in answer) throw new Error(`the analysis worker failed: ${answer.error.split('\n')[0]}`);
    const sourced = (findings: readonly SourcedFinding<number>[]): SourcedFinding<S>[] =>
      findings.map(({ finding, source }) => (source === undefined ? { finding } : { finding, source: this.sources[source] }));
    const byState = new Map<string | undefined, SourcedFinding<S>[]>();
    for (const [state, findings] of answer.results) byState.set(state ?? undefined, sourced(findings));
    return { byState, validation: sourced(answer.validation) };
  }

  private flush(): void {
    if (this.batch.length === 0 || this.failure !== undefined || !this.worker) return;
    const msg: AddMessage = { type: 'add', items: this.batch };
    this.batch = [];
    try {
      this.worker.postMessage(msg);
    } catch (e) {
      // A value structured clone cannot copy: the analysis runs in the app's thread instead.
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.failure = String((e as Error)?.message ?? e).split('\n')[0];
    this.close();
  }

  close(): void {
    this.batch = [];
    this.answers?.close();
    this.answers = undefined;
    if (this.worker) void this.worker.terminate();
    this.worker = undefined;
  }
}
