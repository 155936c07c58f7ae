/**
 * One check's crash never hides the findings of the others: validateManifest
 * guards each stage (object metadata, CRD schema, each webhook) on its own,
 * and the IMV001 finding names the stage that crashed. The stages are wrapped
 * here so that a test can make one of them throw.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lint } from '../../src/lint';
import { Manifest } from '../../src/model/manifest';
import { validateManifest } from '../../src/validation/validate';

const crash = vi.hoisted(() => ({ stage: '', thrown: new Error('boom') as unknown }));

/** `original`, except that it throws `crash.thrown` while `crash.stage` is `stage`. */
function crashing<F extends (...args: any[]) => unknown>(stage: string, original: F): F {
  return ((...args: unknown[]) => {
    if (crash.stage === stage) throw crash.thrown;
    return original(...args);
  }) as F;
}

vi.mock('../../src/validation/object-meta', async (load) => {
  const actual = await load<typeof import('../../src/validation/object-meta')>();
  return { ...actual, validateObject: crashing('object', actual.validateObject) };
});
vi.mock('../../src/validation/schema', async (load) => {
  const actual = await load<typeof import('../../src/validation/schema')>();
  return { ...actual, validateStructure: crashing('schema', actual.validateStructure) };
});
vi.mock('../../src/validation/istio', async (load) => {
  const actual = await load<typeof import('../../src/validation/istio')>();
  return { ...actual, validateIstioWebhook: crashing('istio', actual.validateIstioWebhook) };
});
vi.mock('../../src/validation/prometheus/webhook', async (load) => {
  const actual = await load<typeof import('../../src/validation/prometheus/webhook')>();
  return { ...actual, validatePrometheusRule: crashing('prometheus', actual.validatePrometheusRule) };
});

/** Findings of every stage: a bad label (object), an unknown field (schema), a DENY rule on HTTP attributes only (webhook warning). */
const POLICY: Manifest = {
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name: 'allow', namespace: 'shop', labels: { team: 'a b' } },
  spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }], unknownField: 1 },
};
const ALERTS: Manifest = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'alerts', namespace: 'monitoring', labels: { team: 'a b' } },
  spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up ==' }] }] },
};

const codes = (m: Manifest) => validateManifest(m).map((f) => f.code);
const internal = (m: Manifest) => validateManifest(m).filter((f) => f.code === 'IMV001').map((f) => f.message);

describe('stage guards', () => {
  beforeEach(() => {
    crash.stage = '';
    crash.thrown = new Error('boom\nat somewhere');
  });

  describe('Compliance', () => {
    it('reports no internal error when no stage crashes', () => {
      expect(internal(POLICY)).toEqual([]);
      expect(internal(ALERTS)).toEqual([]);
    });
  });

  describe('Noncompliance', () => {
    it('1: a crash of the object metadata check keeps the schema findings, and names its stage', () => {
      const all = codes(POLICY);
      crash.stage = 'object';
      expect(codes(POLICY)).toEqual(['IMV001', ...all.filter((c) => !c.startsWith('IMV1'))]);
      expect(internal(POLICY)).toEqual(['the validator failed on this resource in its object metadata check (boom); please report this with the manifest']);
    });

    it('2: a crash of the CRD schema check keeps the object and webhook findings', () => {
      const schemaless = { ...POLICY, spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] } };
      const all = codes(schemaless);
      expect(all.some((c) => c.startsWith('IMV5'))).toBe(true);
      crash.stage = 'schema';
      expect(codes(schemaless)).toEqual([...all.filter((c) => c.startsWith('IMV1')), 'IMV001', ...all.filter((c) => c.startsWith('IMV5'))]);
      expect(internal(schemaless)).toEqual(['the validator failed on this resource in its CRD schema check (boom); please report this with the manifest']);
    });

    it('3: a crash of the Istio webhook keeps the object findings', () => {
      const schemaless = { ...POLICY, spec: {} };
      crash.stage = 'istio';
      expect(codes(schemaless)).toEqual(['IMV109', 'IMV001']);
      expect(internal(schemaless)).toEqual(['the validator failed on this resource in its Istio webhook check (boom); please report this with the manifest']);
    });

    it('4: a crash of the prometheus-operator webhook keeps the object findings', () => {
      const all = codes(ALERTS);
      crash.stage = 'prometheus';
      expect(codes(ALERTS)).toEqual([...all.filter((c) => c.startsWith('IMV1')), 'IMV001']);
      expect(internal(ALERTS)).toEqual(['the validator failed on this resource in its prometheus-operator webhook check (boom); please report this with the manifest']);
    });

    it('5: a thrown value that is not an Error, even one that cannot be printed, is reported', () => {
      crash.stage = 'istio';
      crash.thrown = 'plain text';
      expect(internal({ ...POLICY, spec: {} })).toEqual(['the validator failed on this resource in its Istio webhook check (plain text); please report this with the manifest']);
      crash.thrown = { toString: 'not a function' };
      expect(internal({ ...POLICY, spec: {} })).toEqual(['the validator failed on this resource in its Istio webhook check (an unprintable error); please report this with the manifest']);
    });

    it('6: lint reports the crash and leaves the object out of the analysis, as any object that fails validation', () => {
      const mesh: Manifest = {
        apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } },
      };
      const duplicate = { ...mesh, metadata: { name: 'other', namespace: 'istio-system' } };
      // Two mesh-wide policies conflict (IMA001) while both are analysed.
      expect(lint([{ manifest: mesh }, { manifest: duplicate }]).map((f) => f.code)).toEqual(['IMA001', 'IMA001']);
      crash.stage = 'istio';
      expect(lint([{ manifest: mesh }, { manifest: duplicate }]).map((f) => [f.code, f.resource.name])).toEqual([['IMV001', 'default'], ['IMV001', 'other']]);
    });
  });
});
