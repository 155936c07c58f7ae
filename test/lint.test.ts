import { describe, expect, it } from 'vitest';
import { deploy, ns, pa, STRICT, svc } from './resolution/helpers';
import { AnalysisState, analyzeInputs, lint, LintInput } from '../src/lint';

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
