import type { MessagePort } from 'worker_threads';
import type { SourcedFinding } from '../lint';
import { InProcessAnalysis } from './app-analysis';
import type { Manifest } from '../model/manifest';
import type { MeshOptions } from '../model/mesh-options';

/**
 * The worker side of the synth-time analysis run in a worker thread (see
 * `WorkerAnalysis`). Loaded only inside that worker.
 * @internal
 */

/** What the worker is started with. */
export interface AnalysisWorkerData {
  readonly mesh?: MeshOptions;
  /** The alternative states the app declares, by key; none: the app is one state. */
  readonly states: readonly string[];
  /** Validate each manifest as well (built-in schemas), and answer those findings too. */
  readonly validate: boolean;
}

/** Manifests in the order the app renders them, each with its alternative state (null: the base). */
export interface AddMessage {
  readonly type: 'add';
  readonly items: readonly (readonly [state: string | null, manifest: Manifest])[];
}

/** Ends the input: the worker analyses and answers once. */
export interface RunMessage {
  readonly type: 'run';
}

/**
 * The answer: the analysis' findings by state (null: the base alone) and the
 * validation's (empty unless asked), sources as input indexes; or what failed.
 */
export type AnalysisAnswer =
  | {
    readonly results: readonly (readonly [state: string | null, findings: SourcedFinding<number>[]])[];
    readonly validation: readonly SourcedFinding<number>[];
  }
  | { readonly error: string };

/**
 * Serves one analysis: reads (and validates, if asked) each manifest as it
 * arrives, analyses at `run` (as `InProcessAnalysis`, in the worker's heap),
 * answers through `answer`, then closes its port so the worker exits.
 */
export function serveAnalysis(data: AnalysisWorkerData, port: MessagePort, answer: (a: AnalysisAnswer) => void): void {
  const analysis = new InProcessAnalysis<number>(data.mesh, data.states, data.validate ? {} : undefined);
  let next = 0;
  let failed: string | undefined;
  port.on('message', (msg: AddMessage | RunMessage) => {
    try {
      if (msg.type === 'add') {
        if (failed !== undefined) return;
        for (const [state, manifest] of msg.items) analysis.add(state ?? undefined, manifest, next++);
        return;
      }
      port.close();
      if (failed !== undefined) return answer({ error: failed });
      const { byState, validation } = analysis.run();
      answer({ results: [...byState].map(([state, findings]) => [state ?? null, findings] as const), validation });
    } catch (e) {
      failed = String((e as Error)?.stack ?? e);
      if (msg.type === 'run') answer({ error: failed });
    }
  });
}
