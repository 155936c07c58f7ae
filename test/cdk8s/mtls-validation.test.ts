import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { meshPolicy, phasedMesh, synthError } from './helpers';
import { PeerAuthentication } from '../../imports/security.istio.io';
import { MtlsValidation } from '../../src/cdk8s/mtls-validation';
import { MeshStrictMtls } from '../../src/constructs/mesh-strict-mtls';
import { NamespaceMtls } from '../../src/constructs/namespace-mtls';
import { MtlsMode } from '../../src/vocabulary/mtls-mode';

describe('MtlsValidation (synth-time)', () => {
  it('fails synth on an L1 object the CRD schema rejects, naming path, resource and code', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'mesh');
    new PeerAuthentication(chart, 'Pa', { metadata: { name: 'default', namespace: 'prod' }, spec: { mtls: { mode: 'STRIC' as any } } });
    MtlsValidation.enable(app);
    expect(() => Testing.synth(chart)).toThrow(
      '[mesh/Pa] PeerAuthentication prod/default: spec.mtls.mode: unsupported value "STRIC"; allowed: UNSET, DISABLE, PERMISSIVE, STRICT Fix: did you mean STRICT? (values are case-sensitive) (IMV204)');
  });

  it('fails synth on a plain ApiObject a CEL rule of the CRD rejects', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'Pa', {
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'PeerAuthentication',
      metadata: { name: 'ports', namespace: 'prod' },
      spec: { portLevelMtls: { 8080: { mode: 'DISABLE' } } },
    } as any);
    MtlsValidation.enable(chart);
    expect(() => app.synthYaml()).toThrow(/\[c\/Pa\] PeerAuthentication prod\/ports: spec: portLevelMtls requires selector .*\(IMV301\)/);
  });

  it('does nothing for apps that never enable it', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    meshPolicy(chart, 'Bad', 'default', 'STRIC');
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  it('is enabled by our constructs and passes a clean app', () => {
    const app = Testing.app();
    new MeshStrictMtls(new Chart(app, 'mesh'), 'Mesh');
    new NamespaceMtls(new Chart(app, 'prod'), 'Prod', { namespace: 'prod', mode: MtlsMode.STRICT });
    expect(MtlsValidation.of(app)).toBeDefined();
    expect(() => app.synthYaml()).not.toThrow();
  });

  it('computes once per synth however many charts, and prints warnings once', () => {
    const app = Testing.app();
    const warned: (readonly string[])[] = [];
    MtlsValidation.enable(app, { onWarnings: (lines) => warned.push(lines) });
    for (let i = 0; i < 20; i++) {
      const chart = new Chart(app, `c${i}`);
      // selector without labels: a webhook warning, not an error (IMV405)
      new ApiObject(chart, 'Pa', {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: `p${i}`, namespace: `ns${i}` },
        spec: { selector: {}, mtls: { mode: 'STRICT' } },
      } as any);
    }
    app.synthYaml(); // validates once for the app, then once per chart in cdk8s
    expect(warned).toHaveLength(1);
    expect(warned[0].filter((l) => l.includes('IMV405'))).toHaveLength(20);
    expect(warned[0][0]).toMatch(/^\[c0\/Pa\] warning: PeerAuthentication ns0\/p0: /);
  });

  it('recomputes on the next synth after the tree changed', async () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    MtlsValidation.enable(app);
    meshPolicy(chart, 'Ok', 'default', 'STRICT');
    expect(() => app.synthYaml()).not.toThrow();
    await Promise.resolve();
    meshPolicy(chart, 'Bad', 'other', 'STRIC');
    expect(() => app.synthYaml()).toThrow(/\[c\/Bad\].*IMV204/);
  });

  describe('one result per synth, never one from before a change', () => {
    /** These apps have several mesh-wide policies (IMA001, a warning while they agree). */
    const quiet = { onWarnings: () => undefined };

    /**
     * Counts the app's computations: the app holds an object with a webhook
     * warning (IMV405), which every computation reports once.
     */
    function countComputations(app: App): { count: number } {
      const counter = { count: 0 };
      MtlsValidation.enable(app, { onWarnings: () => { counter.count++; } });
      new ApiObject(new Chart(app, 'warns'), 'Pa', {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'warns', namespace: 'warns' },
        spec: { selector: {}, mtls: { mode: 'STRICT' } },
      } as any);
      return counter;
    }

    it('checks an object added between two synths of one synchronous run', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c');
      MtlsValidation.enable(app, quiet);
      meshPolicy(chart, 'Ok', 'default', 'STRICT');
      expect(() => Testing.synth(chart)).not.toThrow();
      meshPolicy(chart, 'Bad', 'other', 'STRIC');
      expect(() => Testing.synth(chart)).toThrow(/\[c\/Bad\].*IMV204/);
    });

    it('checks objects added after a chart was rendered mid-build (a checksum), at app.synth() and synthYaml()', () => {
      const app = Testing.app();
      MtlsValidation.enable(app, quiet);
      const config = new Chart(app, 'config');
      meshPolicy(config, 'Ok', 'default', 'STRICT');
      expect(JSON.stringify(config.toJson())).toContain('STRICT');
      meshPolicy(new Chart(app, 'later'), 'Bad', 'other', 'STRIC');
      expect(() => app.synth()).toThrow(/\[later\/Bad\].*IMV204/);
      expect(() => app.synthYaml()).toThrow(/\[later\/Bad\].*IMV204/);
    });

    it('sees a change to an existing object between two synths of one run', () => {
      const app = Testing.app();
      MtlsValidation.enable(app, quiet);
      const pa = meshPolicy(new Chart(app, 'c'), 'Pa', 'default', 'STRICT');
      expect(() => app.synthYaml()).not.toThrow();
      pa.addJsonPatch(JsonPatch.replace('/spec/mtls/mode', 'STRIC'));
      expect(() => app.synthYaml()).toThrow(/\[c\/Pa\].*IMV204/);
    });

    it('no longer reports an error on an object fixed since the last synth', () => {
      const app = Testing.app();
      MtlsValidation.enable(app, quiet);
      const pa = meshPolicy(new Chart(app, 'c'), 'Pa', 'default', 'STRIC');
      expect(() => app.synthYaml()).toThrow(/\[c\/Pa\].*IMV204/);
      pa.addJsonPatch(JsonPatch.replace('/spec/mtls/mode', 'STRICT'));
      expect(() => app.synthYaml()).not.toThrow();
    });

    it('computes once per app.synth() or synthYaml() however many charts, and once per chart synthesized on its own', () => {
      const app = Testing.app();
      const computed = countComputations(app);
      const charts = [0, 1, 2, 3].map((i) => new Chart(app, `c${i}`));
      charts.forEach((c, i) => meshPolicy(c, 'Pa', `p${i}`, 'STRICT'));
      app.synth();
      expect(computed.count).toBe(1);
      app.synthYaml();
      expect(computed.count).toBe(2);
      for (const c of charts) Testing.synth(c);
      expect(computed.count).toBe(6);
    });

    it('computes once per synth of an App subclass that overrides synth(), and runs the override', () => {
      let overridden = 0;
      class MyApp extends App {
        public synth(): void {
          overridden++;
          super.synth();
        }
      }
      const app = new MyApp({ outdir: Testing.app().outdir });
      const computed = countComputations(app);
      for (let i = 0; i < 3; i++) meshPolicy(new Chart(app, `c${i}`), 'Pa', `p${i}`, 'STRICT');
      app.synth();
      expect(overridden).toBe(1);
      expect(computed.count).toBe(1);
      meshPolicy(new Chart(app, 'bad'), 'Pa', 'bad', 'STRIC');
      expect(() => app.synth()).toThrow(/\[bad\/Pa\].*IMV204/);
      expect(overridden).toBe(2);
    });

    it('reports the warnings of each synth, once per synth', () => {
      const app = Testing.app();
      const warned: (readonly string[])[] = [];
      MtlsValidation.enable(app, { onWarnings: (lines) => warned.push(lines) });
      const charts = [0, 1, 2].map((i) => new Chart(app, `c${i}`));
      charts.forEach((c, i) => new ApiObject(c, 'Pa', {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: `p${i}`, namespace: `ns${i}` },
        spec: { selector: {}, mtls: { mode: 'STRICT' } },
      } as any));
      for (const c of charts) Testing.synth(c);
      expect(warned).toHaveLength(3);
      for (const lines of warned) expect(lines.filter((l) => l.includes('IMV405'))).toHaveLength(3);
    });
  });

  it('reports both a construct\'s own check and the analysis\' findings on the object it is', () => {
    const chart = new Chart(Testing.app(), 'guide');
    new NamespaceMtls(chart, 'Ns', {
      namespace: 'shop',
      mode: MtlsMode.PERMISSIVE,
      exception: { reason: 'legacy callers', owner: 'team-shop', reviewBy: '2026-06-01', clock: () => new Date('2026-11-24T10:00:00Z') },
    });
    new ApiObject(chart, 'Other', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'other', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' } } });
    const message = synthError(() => Testing.synth(chart)) ?? '';
    const own = message.split('\n').filter((l) => l.startsWith('  [guide/Ns] '));
    expect(own).toEqual([
      expect.stringMatching(/^ {2}\[guide\/Ns\] \[NamespaceMtls\] mTLS exception "shop\/default" owned by team-shop expired on 2026-06-01 \(today is 2026-11-24\)/),
      expect.stringMatching(/^ {2}\[guide\/Ns\] PeerAuthentication shop\/default and shop\/other are both namespace-wide .*\(IMA002\)$/),
    ]);
  });

  it('analyses the whole app: two mesh-wide policies fail synth', () => {
    const app = Testing.app();
    MtlsValidation.enable(app);
    meshPolicy(new Chart(app, 'a'), 'Mesh', 'default', 'STRICT');
    meshPolicy(new Chart(app, 'b'), 'Mesh', 'mesh-permissive', 'PERMISSIVE');
    expect(() => app.synthYaml()).toThrow(/IMA001/);
  });

  it('analyses alternative states one at a time, never their union', () => {
    const app = Testing.app();
    const a = new Chart(app, 'phase-1');
    const b = new Chart(app, 'phase-2');
    meshPolicy(a, 'Mesh', 'default', 'PERMISSIVE');
    meshPolicy(b, 'Mesh', 'mesh-strict', 'STRICT');
    MtlsValidation.enable(app).addAlternativeStates([a, b]);
    expect(() => app.synthYaml()).not.toThrow();
  });

  it('names the states a shared object fails in', () => {
    const app = Testing.app();
    phasedMesh(app);
    expect(() => app.synthYaml()).toThrow(/\[base\/Mesh\] PeerAuthentication istio-system\/default: in state "phase-2": .*\(IMA001\)/);
  });

  it('acknowledges a finding of an alternative state on the object that carries the acknowledgment, and only there', () => {
    const app = Testing.app();
    phasedMesh(app);
    const mesh = app.node.findChild('base').node.findChild('Mesh') as ApiObject;
    const warnings: string[] = [];
    MtlsValidation.enable(app, { mesh: { now: new Date('2026-06-15T00:00:00Z') }, onWarnings: (lines) => warnings.push(...lines) });
    mesh.metadata.addAnnotation('mtls.acknowledge/IMA001', 'owner=platform; review-by=2026-07-01; reason=phase 2 replaces the mesh policy');
    // The other policy of the conflict is not acknowledged: it still fails.
    const error = synthError(() => app.synthYaml());
    expect(error).toMatch(/^Validation failed with the following errors:\n {2}\[phase-2\/Mesh\] PeerAuthentication istio-system\/mesh-permissive: .*\(IMA001\)$/);
    expect(warnings).toEqual([expect.stringMatching(/^\[base\/Mesh\] acknowledged error: PeerAuthentication istio-system\/default: in state "phase-2": .* \(IMA001; acknowledged by platform until 2026-07-01: phase 2 replaces the mesh policy\)$/)]);
  });
});
