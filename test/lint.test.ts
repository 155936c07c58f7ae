import { describe, expect, it } from 'vitest';
import { deploy, ns, pa, STRICT, svc } from './resolution/helpers';
import { admitEach, AnalysisState, analyzeInputs, lint, LintInput } from '../src/lint';

describe('AnalysisState', () => {
  const base: LintInput[] = [
    { manifest: ns('a'), file: 'base.yaml' },
    { manifest: deploy('a', 'api'), file: 'base.yaml' },
    { manifest: svc('a', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]), file: 'base.yaml' },
    { manifest: pa('istio-system', 'default', STRICT), file: 'base.yaml' },
  ];
  const state: LintInput[] = [
    { manifest: pa('istio-system', 'other', { mtls: { mode: 'PERMISSIVE' } }), file: 'state.yaml' },
    // Redefines a base object: the state's definition is the one analysed, and findings name it.
    { manifest: pa('istio-system', 'default', STRICT), file: 'state.yaml' },
  ];

  it('analyses the inputs of a base and a state, read one at a time, as analyzeInputs analyses them together', () => {
    const baseState = new AnalysisState<LintInput>();
    for (const input of base) baseState.add(input.manifest, input);
    const own = new AnalysisState<LintInput>();
    for (const input of state) own.add(input.manifest, input);
    const streamed = own.analyze(baseState).map(({ finding, source }) => ({ ...finding, ...(source ? { file: source.file } : {}) }));
    const together = analyzeInputs([...base, ...state]);
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed).toEqual(together);
    expect(together.filter((f) => f.code === 'IMA001').map((f) => [f.resource.name, f.file])).toEqual([['default', 'state.yaml'], ['other', 'state.yaml']]);
  });

  it('reads each manifest when it is added: changing or dropping it afterwards changes nothing', () => {
    const s = new AnalysisState<string>();
    const second: Record<string, unknown> = { ...pa('istio-system', 'other', STRICT) };
    s.add(pa('istio-system', 'default', STRICT), 'first');
    s.add(second, 'second');
    delete second.metadata;
    delete second.spec;
    expect(s.analyze().filter((f) => f.finding.code === 'IMA001').map((f) => f.source)).toEqual(['first', 'second']);
  });
});

describe('lint options', () => {
  const recording: LintInput = {
    manifest: {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'rates', namespace: 'monitoring' },
      spec: { groups: [{ name: 'mesh', rules: [{ record: 'mesh.plaintext:rate5m', expr: 'sum(up)' }] }] },
    },
  };

  it('Compliance: nameValidationScheme utf8 reaches the prometheus-operator webhook check', () => {
    expect(lint([recording], { nameValidationScheme: 'utf8' }).map((f) => [f.code, f.severity])).toEqual([['IMV717', 'warning']]);
  });

  it('Noncompliance 1: the legacy scheme is the default, as the webhook\'s', () => {
    expect(lint([recording]).map((f) => [f.code, f.severity])).toEqual([['IMV711', 'error']]);
  });

  it('Noncompliance 2: a bad nameValidationScheme is thrown once, naming the value and the allowed ones, never reported on each resource', () => {
    expect(() => lint([recording, recording], { nameValidationScheme: 'UTF8' as 'utf8' }))
      .toThrow('nameValidationScheme must be \'legacy\' or \'utf8\' (the webhook\'s --name-validation-scheme), got "UTF8"');
  });
});

describe('lint over a stream of inputs', () => {
  const inputs = (): LintInput[] => [
    { manifest: ns('a'), file: 'a.yaml' },
    { manifest: deploy('a', 'api'), file: 'a.yaml' },
    { manifest: svc('a', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]), file: 'a.yaml' },
    { manifest: pa('istio-system', 'default', STRICT), file: 'mesh.yaml' },
    {
      manifest: {
        ...pa('istio-system', 'other', { mtls: { mode: 'PERMISSIVE' } }),
        metadata: {
          name: 'other',
          namespace: 'istio-system',
          annotations: { 'mtls.acknowledge/IMA001': 'owner=platform; review-by=2027-03-01; reason=second mesh policy during the move' },
        },
      },
      file: 'mesh.yaml',
    },
    // Rejected by the schema: reported, left out of the analysis.
    { manifest: pa('a', 'bad', { mtls: { mode: 'STRICTER' } }), file: 'a.yaml' },
  ];

  it('gives from a generator, each input read once, what it gives from an array', () => {
    const fromArray = lint(inputs());
    let reads = 0;
    const fromGenerator = lint((function* stream() {
      for (const input of inputs()) {
        reads++;
        yield input;
      }
    })());
    expect(reads).toBe(6);
    expect(fromArray.some((f) => f.code === 'IMA001')).toBe(true);
    expect(fromArray.some((f) => f.code.startsWith('IMV') && f.resource.name === 'bad')).toBe(true);
    expect(fromGenerator).toEqual(fromArray);
  });

  it('keeps no manifest: emptying each one after it is yielded changes nothing, acknowledgments included', () => {
    const options = { mesh: { now: new Date('2026-12-01T00:00:00Z') } };
    const expected = lint(inputs(), options);
    expect(expected.filter((f) => f.acknowledged).map((f) => [f.code, f.resource.name])).toEqual([['IMA001', 'other']]);
    const emptied = lint((function* stream() {
      for (const input of inputs()) {
        yield input;
        const m = input.manifest as Record<string, unknown>;
        for (const k of Object.keys(m)) delete m[k];
      }
    })(), options);
    expect(emptied).toEqual(expected);
  });

  it('admitEach hands over each admitted input as it is validated and returns the rejections', () => {
    const admitted: string[] = [];
    const rejected = admitEach(inputs(), {}, (input) => admitted.push(String((input.manifest.metadata as { name: string }).name)));
    expect(admitted).toEqual(['a', 'api', 'api', 'default', 'other']);
    expect(rejected.map((r) => [r.input.file, r.rejection.resource.name])).toEqual([['a.yaml', 'bad']]);
  });
});
