import { ApiObject, Chart, Testing } from 'cdk8s';
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
});
