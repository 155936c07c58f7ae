import * as fs from 'fs';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MtlsValidation, MtlsValidationOptions } from '../../src/cdk8s/mtls-validation';
import { MeshOptions } from '../../src/model/mesh-options';
import { builtinSchemaSet } from '../../src/validation/schema';
import { REALWORLD, realworldDocs } from '../realworld';
import { meshPolicy, phasedMesh } from './helpers';

// The hook loads the analysis with require() at its first synth (cold start):
// spy on that module instance, not on the one an import would give.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { InProcessAnalysis, WorkerAnalysis } = require('../../src/cdk8s/app-analysis') as typeof import('../../src/cdk8s/app-analysis');

/*
 * The synth-time analysis gives the same findings in the app's thread and in
 * a worker thread, and falls back to the app's thread when the worker fails.
 */
const NOW = new Date('2026-01-01');

/** What a synth reports: the warning lines and the validation error, if any. */
function synthReport(build: (app: App) => void, options: MtlsValidationOptions): { warnings: string[]; error?: string } {
  const app = Testing.app();
  const warnings: string[] = [];
  build(app);
  MtlsValidation.enable(app, { ...options, onWarnings: (lines) => warnings.push(...lines) });
  try {
    app.synthYaml();
    return { warnings };
  } catch (e) {
    return { warnings, error: (e as Error).message };
  }
}

/** Every real-world manifest as a plain ApiObject, one chart per file. */
function realworldApp(app: App): void {
  const charts = new Map<string, Chart>();
  for (const { file, index, manifest: m } of realworldDocs()) {
    if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') continue;
    let chart = charts.get(file);
    if (!chart) { chart = new Chart(app, `f${charts.size}`); charts.set(file, chart); }
    new ApiObject(chart, `o${index}`, { ...m, metadata: { ...(m.metadata as object), name: String((m.metadata as { name?: unknown })?.name ?? `o${index}`) } } as any);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('synth-time analysis in a worker thread', () => {
  it.skipIf(!fs.existsSync(REALWORLD))('reports the same over every real-world manifest as in the app thread', () => {
    const run = vi.spyOn(WorkerAnalysis.prototype, 'run');
    const inThread = synthReport(realworldApp, { analysisWorker: false, mesh: { now: NOW } });
    expect(run).not.toHaveBeenCalled();
    const inWorker = synthReport(realworldApp, { analysisWorker: true, mesh: { now: NOW } });
    expect(run).toHaveBeenCalledTimes(1);
    // The worker validated every manifest as well, so this thread did not.
    const validated = run.mock.results[0].value.validation.map(({ finding }: { finding: { code: string } }) => finding.code);
    expect(validated.filter((c: string) => c.startsWith('IMV')).length).toBeGreaterThan(5);
    // The real-world set has errors and warnings of the validation and of the analysis.
    expect(inThread.error).toMatch(/\(IMA\d+\)/);
    expect(inThread.error).toMatch(/\(IMV\d+\)/);
    expect(inThread.warnings.filter((l) => /\(IMA\d+\)$/.test(l)).length).toBeGreaterThan(5);
    expect(inWorker).toEqual(inThread);
  });

  it.skipIf(!fs.existsSync(REALWORLD))('validates in the app thread when given schemas of its own, which cannot be posted to the worker', () => {
    const run = vi.spyOn(WorkerAnalysis.prototype, 'run');
    const crds = builtinSchemaSet();
    const inThread = synthReport(realworldApp, { analysisWorker: false, crds, mesh: { now: NOW } });
    const inWorker = synthReport(realworldApp, { analysisWorker: true, crds, mesh: { now: NOW } });
    expect(run).toHaveBeenCalledTimes(1);
    expect(run.mock.results[0].value.validation).toEqual([]);
    expect(inThread.error).toMatch(/\(IMV\d+\)/);
    expect(inWorker).toEqual(inThread);
  });

  it('reports the same for alternative states, naming the states a finding occurs in', () => {
    const inThread = synthReport(phasedMesh, { analysisWorker: false });
    expect(inThread.error).toMatch(/\[base\/Mesh\] PeerAuthentication istio-system\/default: in state "phase-2": .*\(IMA001\)/);
    expect(synthReport(phasedMesh, { analysisWorker: true })).toEqual(inThread);
  });

  it('analyses in the app thread, with a warning, when the worker cannot take the input', () => {
    const build = (app: App): void => {
      const c = new Chart(app, 'c');
      meshPolicy(c, 'A', 'default', 'STRICT');
      meshPolicy(c, 'B', 'mesh-permissive', 'PERMISSIVE');
    };
    // A mesh option structured clone cannot copy: the worker never starts.
    const mesh = { now: NOW, extra: () => 1 } as MeshOptions;
    const inThread = synthReport(build, { analysisWorker: false, mesh });
    expect(inThread.error).toMatch(/IMA001/);
    const fallback = synthReport(build, { analysisWorker: true, mesh });
    expect(fallback.error).toEqual(inThread.error);
    expect(fallback.warnings).toEqual([
      expect.stringMatching(/^\[\] warning: the analysis worker failed: .*could not be cloned.*; the analysis ran in the app's thread instead \(please report this\)$/),
      ...inThread.warnings,
    ]);
  });

  it('analyses in the app thread, with a warning, when the worker fails', () => {
    const build = (app: App): void => {
      meshPolicy(new Chart(app, 'c'), 'A', 'default', 'STRICT');
      meshPolicy(new Chart(app, 'd'), 'B', 'mesh-permissive', 'PERMISSIVE');
    };
    const inThread = synthReport(build, { analysisWorker: false });
    // A message the worker cannot read: it answers the run with the error.
    vi.spyOn(WorkerAnalysis.prototype as any, 'flush').mockImplementation(function (this: any) {
      this.worker?.postMessage({ type: 'add', items: null });
      this.batch = [];
    });
    const fallback = synthReport(build, { analysisWorker: true });
    expect(fallback.error).toEqual(inThread.error);
    expect(fallback.warnings[0]).toMatch(/^\[\] warning: the analysis worker failed: .+; the analysis ran in the app's thread instead/);
    expect(fallback.warnings.slice(1)).toEqual(inThread.warnings);
  });

  it('analyses in the app thread, with a warning, when the worker does not answer in time', () => {
    const build = (app: App): void => {
      meshPolicy(new Chart(app, 'c'), 'A', 'default', 'STRICT');
      meshPolicy(new Chart(app, 'd'), 'B', 'mesh-permissive', 'PERMISSIVE');
    };
    const inThread = synthReport(build, { analysisWorker: false });
    // A worker that died without answering gives no other sign to the blocked thread.
    const wait = vi.spyOn(Atomics, 'wait').mockReturnValueOnce('timed-out');
    const fallback = synthReport(build, { analysisWorker: true });
    expect(wait).toHaveBeenCalledWith(expect.any(Int32Array), 0, 0, 60_002);
    expect(fallback.error).toEqual(inThread.error);
    expect(fallback.warnings).toEqual([
      "[] warning: the analysis worker failed: no answer within 60.002 s; the analysis ran in the app's thread instead (please report this)",
      ...inThread.warnings,
    ]);
  });

  it('starts no worker for a small app unless asked', () => {
    const run = vi.spyOn(WorkerAnalysis.prototype, 'run');
    const local = vi.spyOn(InProcessAnalysis.prototype, 'run');
    synthReport((app) => meshPolicy(new Chart(app, 'c'), 'A', 'default', 'STRICT'), {});
    expect(run).not.toHaveBeenCalled();
    expect(local).toHaveBeenCalledTimes(1);
  });
});

describe('the app thread while the worker analyses', () => {
  const twoCharts = (app: App): void => {
    meshPolicy(new Chart(app, 'c'), 'A', 'default', 'STRICT');
    meshPolicy(new Chart(app, 'd'), 'B', 'mesh-permissive', 'PERMISSIVE');
  };

  it('runs the constructs\' own checks after the worker was told to analyse, and before waiting for it', () => {
    const end = vi.spyOn(WorkerAnalysis.prototype, 'end');
    const run = vi.spyOn(WorkerAnalysis.prototype, 'run');
    let checked = false;
    const report = synthReport((app) => {
      twoCharts(app);
      MtlsValidation.addValidationOncePerSynth(app.node.findChild('c'), () => {
        checked = true;
        expect(end).toHaveBeenCalledTimes(1);
        expect(run).not.toHaveBeenCalled();
        return ['a construct check'];
      });
    }, { analysisWorker: true });
    expect(checked).toBe(true);
    expect(run).toHaveBeenCalledTimes(1);
    // Both the check's message and the analysis' findings are reported.
    expect(report.error).toMatch(/\[c\] a construct check/);
    expect(report.error).toMatch(/IMA001/);
  });

  it('stops the worker when an object cannot be rendered', () => {
    const close = vi.spyOn(WorkerAnalysis.prototype, 'close');
    const run = vi.spyOn(WorkerAnalysis.prototype, 'run');
    const report = synthReport((app) => {
      twoCharts(app);
      const broken = new ApiObject(new Chart(app, 'e'), 'Broken', { apiVersion: 'v1', kind: 'ConfigMap' });
      broken.toJson = () => { throw new Error('cannot render Broken'); };
    }, { analysisWorker: true });
    expect(report.error).toMatch(/cannot render Broken/);
    expect(run).not.toHaveBeenCalled();
    expect(close).toHaveBeenCalledTimes(1);
    expect((close.mock.instances[0] as any).worker).toBeUndefined();
  });

  it('stops the worker when a construct check throws', () => {
    const close = vi.spyOn(WorkerAnalysis.prototype, 'close');
    const run = vi.spyOn(WorkerAnalysis.prototype, 'run');
    const report = synthReport((app) => {
      twoCharts(app);
      MtlsValidation.addValidationOncePerSynth(app.node.findChild('c'), () => { throw new Error('check failed'); });
    }, { analysisWorker: true });
    expect(report.error).toMatch(/check failed/);
    expect(run).not.toHaveBeenCalled();
    expect(close).toHaveBeenCalledTimes(1);
    expect((close.mock.instances[0] as any).worker).toBeUndefined();
  });
});
