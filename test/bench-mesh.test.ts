import { App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { buildHandWrittenMesh, buildOurMesh, buildPlainMesh, dumpCharts, timeHook } from '../bench/lib/mesh';

/** The scale benchmark compares our constructs with plain cdk8s: every baseline must write the same manifests. */
describe('the scale benchmark mesh', () => {
  const size = { namespaces: 3, workloads: 25 };
  let charts = 0;
  const synth = (build: (app: App) => void) => {
    const app = new App({ outdir: 'unused' });
    build(app);
    charts = app.charts.length;
    return app.synthYaml();
  };
  const counters = { warningBatches: 0, warningLines: 0 };
  const ours = synth((app) => buildOurMesh(app, size, counters));
  const ourCharts = charts;

  it('is what the constructs write, with one warning in the whole mesh, reported once per synth however many charts', () => {
    expect(ourCharts).toBe(size.namespaces + 1);
    expect(counters).toEqual({ warningBatches: 1, warningLines: 1 });
  });

  it('is written identically by hand with plain ApiObjects, (b)', () => {
    expect(synth((app) => buildHandWrittenMesh(app, size))).toBe(ours);
  });

  it('is written identically by hand with the typed Istio classes, (b")', () => {
    expect(synth((app) => buildHandWrittenMesh(app, size, true))).toBe(ours);
  });

  it("is written identically from a dump of our manifests, (b')", () => {
    const pre = new App({ outdir: 'unused' });
    buildOurMesh(pre, size, { warningBatches: 0, warningLines: 0 });
    const dump = JSON.parse(JSON.stringify(dumpCharts(pre)));
    expect(synth((app) => buildPlainMesh(app, dump))).toBe(ours);
  });

  it('times the hook through its entry point and counts its runs: once per synth of the whole app, once per chart synthesized alone', () => {
    const timer = { ms: 0, runs: 0 };
    timeHook(timer);
    const app = new App({ outdir: 'unused' });
    buildOurMesh(app, size, { warningBatches: 0, warningLines: 0 });
    app.synthYaml();
    expect(timer.runs).toBe(1);
    expect(timer.ms).toBeGreaterThan(0);
    for (const c of app.charts) c.toJson();
    expect(timer.runs).toBe(1 + app.charts.length);
  });
});
