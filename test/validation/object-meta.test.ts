import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Manifest, refOf } from '../../src/model/manifest';
import { OBJECT_RULES, validateObject } from '../../src/validation/object-meta';

function validate(m: unknown) {
  return validateObject(m as Manifest, refOf((m ?? {}) as Manifest));
}

function codes(m: unknown): string[] {
  return validate(m).map((f) => f.code);
}

const peer = (extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: { name: 'default', namespace: 'istio-system', ...meta },
  spec: { mtls: { mode: 'STRICT' } },
  ...extra,
});

describe('validateObject', () => {
  describe('Compliance', () => {
    it.each([
      ['PeerAuthentication v1', peer()],
      ['PeerAuthentication v1beta1', peer({ apiVersion: 'security.istio.io/v1beta1' })],
      ['AuthorizationPolicy v1beta1', { apiVersion: 'security.istio.io/v1beta1', kind: 'AuthorizationPolicy', metadata: { name: 'allow', namespace: 'prod' } }],
      ['DestinationRule v1alpha3', { apiVersion: 'networking.istio.io/v1alpha3', kind: 'DestinationRule', metadata: { name: 'reviews.prod.svc', namespace: 'prod' } }],
      ['PrometheusRule', { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'x', creationTimestamp: null } }],
      ['generateName only', peer({}, { name: undefined, generateName: 'mtls-' })],
      ['full metadata', peer({}, {
        labels: { 'app.kubernetes.io/name': 'billing', 'team': '', 'example.com/Tier': 'Gold_1' },
        annotations: { 'Example.COM/Owner': 'payments-team@company.com', 'note': 'free text: anything { } goes' },
        uid: 'abc',
        resourceVersion: '12',
        generation: 3,
        finalizers: ['example.com/x'],
        ownerReferences: [],
        managedFields: [],
      })],
      ['metadata as a cluster dump writes it', peer({}, {
        creationTimestamp: '2024-01-02T03:04:05Z',
        deletionTimestamp: null,
        deletionGracePeriodSeconds: 30,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-1', uid: 'u', controller: true, blockOwnerDeletion: true }],
        managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} } }],
      })],
      ['ClusterRole with a colon in its name (not validated kind)', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:istio-reader' } }],
      ['core v1 Service with upper-case-free name', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'bookinfo' } }],
      ['unknown version of an unvalidated kind', { apiVersion: 'apps/v1beta9', kind: 'Deployment', metadata: { name: 'x' } }],
    ])('accepts %s', (_, m) => {
      expect(validate(m)).toEqual([]);
    });
  });

  describe('Noncompliance', () => {
    it('1: IMV101 fails without apiVersion', () => {
      const [f] = validate({ kind: 'PeerAuthentication', metadata: { name: 'a' } });
      expect(f).toMatchObject({ code: 'IMV101', severity: 'error', category: 'object', path: '/apiVersion' });
      expect(f.message).toBe('apiVersion is missing; every object needs its API group and version');
    });

    it('2: IMV101 fails on a malformed or non-string apiVersion', () => {
      expect(validate(peer({ apiVersion: 'security.istio.io/v1/x' }))[0].message)
        .toBe('apiVersion "security.istio.io/v1/x" is malformed: expected "version" or "group/version"');
      expect(codes(peer({ apiVersion: 1 }))).toEqual(['IMV101']);
      expect(codes(peer({ apiVersion: 'security.istio.io/' }))).toEqual(['IMV101']);
    });

    it('3: IMV102 fails without kind or with a non-string kind', () => {
      expect(codes({ apiVersion: 'v1', metadata: { name: 'a' } })).toEqual(['IMV102']);
      expect(validate({ apiVersion: 'v1', kind: ['Pod'], metadata: { name: 'a' } })[0].message).toBe('kind must be a string, got a list');
    });

    it('4: IMV103 fails on a version the CRD does not serve, naming the served ones', () => {
      const [f] = validate(peer({ apiVersion: 'security.istio.io/v1alpha1' }));
      expect(f.code).toBe('IMV103');
      expect(f.path).toBe('/apiVersion');
      expect(f.message).toBe('no matches for kind "PeerAuthentication" in version "security.istio.io/v1alpha1": security.istio.io serves PeerAuthentication in "v1", "v1beta1"');
      expect(f.fix).toBe('use apiVersion: security.istio.io/v1');
      expect(codes({ apiVersion: 'monitoring.coreos.com/v1beta1', kind: 'PrometheusRule', metadata: { name: 'a' } })).toEqual(['IMV103']);
      expect(codes({ apiVersion: 'networking.istio.io/v2', kind: 'DestinationRule', metadata: { name: 'a' } })).toEqual(['IMV103']);
      for (const kind of ['VirtualService', 'ServiceEntry', 'WorkloadEntry', 'Sidecar']) {
        expect(codes({ apiVersion: 'networking.istio.io/v2', kind, metadata: { name: 'a' } })).toEqual(['IMV103']);
      }
    });

    it('5: IMV104 fails without metadata or with a non-object metadata', () => {
      expect(codes(peer({ metadata: undefined }))).toEqual(['IMV104']);
      expect(validate(peer({ metadata: 'default' }))[0].message).toBe('metadata must be an object, got the string "default"');
      expect(codes(peer({ metadata: ['a'] }))).toEqual(['IMV104']);
    });

    it('6: IMV105 fails without name and generateName, or with a non-string name', () => {
      const [f] = validate(peer({}, { name: undefined }));
      expect(f).toMatchObject({ code: 'IMV105', path: '/metadata/name', message: 'metadata.name is missing: name or generateName is required' });
      expect(codes(peer({}, { name: 42 }))).toEqual(['IMV105']);
    });

    it('7: IMV106 fails on a name that is not a DNS-1123 subdomain', () => {
      const [f] = validate(peer({}, { name: 'Legacy_Billing' }));
      expect(f.code).toBe('IMV106');
      expect(f.message).toBe('metadata.name "Legacy_Billing" is invalid: must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character');
      expect(f.fix).toBe('use a DNS-1123 subdomain such as "legacy-billing"');
      expect(codes(peer({}, { name: 'a'.repeat(254) }))).toEqual(['IMV106']);
      expect(codes({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a/b' } })).toEqual(['IMV106']);
    });

    it('8: IMV107 fails on an invalid generateName', () => {
      expect(codes(peer({}, { name: undefined, generateName: 'Bad_' }))).toEqual(['IMV107']);
    });

    it('9: IMV108 fails on a namespace that is not a DNS-1123 label', () => {
      const [f] = validate(peer({}, { namespace: 'team.payments' }));
      expect(f).toMatchObject({ code: 'IMV108', path: '/metadata/namespace' });
      expect(f.fix).toBe('use a DNS-1123 label such as "team-payments"');
      expect(codes(peer({}, { namespace: 'x'.repeat(64) }))).toEqual(['IMV108']);
      expect(codes(peer({}, { namespace: 7 }))).toEqual(['IMV108']);
    });

    it('10: IMV109 fails on bad label keys, values and shapes', () => {
      const fs = validate(peer({}, { labels: { 'bad key': 'x', 'ok': 'has space', 'n': 5 } }));
      expect(fs.map((f) => [f.code, f.path])).toEqual([
        ['IMV109', '/metadata/labels/bad key'],
        ['IMV109', '/metadata/labels/n'],
        ['IMV109', '/metadata/labels/ok'],
      ]);
      expect(fs[1].message).toBe('label "n" must have a string value, got number 5');
      expect(codes(peer({}, { labels: ['a'] }))).toEqual(['IMV109']);
      expect(validate(peer({}, { labels: { 'a/b/c': 'x' } }))[0].path).toBe('/metadata/labels/a~1b~1c');
    });

    it('11: IMV110 fails on bad annotation keys, values and total size', () => {
      expect(codes(peer({}, { annotations: { '-bad': 'x' } }))).toEqual(['IMV110']);
      expect(codes(peer({}, { annotations: { ok: true } }))).toEqual(['IMV110']);
      const big = validate(peer({}, { annotations: { a: 'x'.repeat(256 * 1024) } }));
      expect(big.map((f) => f.code)).toEqual(['IMV110']);
      expect(big[0].message).toBe('metadata.annotations: annotations may not exceed 262144 bytes in total (got 262145)');
    });

    it('12: IMV111 fails on unknown metadata fields, with a suggestion', () => {
      const fs = validate(peer({}, { label: { a: 'b' }, namepsace: 'x', clusterName: 'c' }));
      expect(fs.map((f) => [f.code, f.path, f.message, f.fix])).toEqual([
        ['IMV111', '/metadata/clusterName', 'unknown field "metadata.clusterName"', 'remove it; ObjectMeta has name, generateName, namespace, selfLink, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers, managedFields'],
        ['IMV111', '/metadata/label', 'unknown field "metadata.label"', 'did you mean "metadata.labels"?'],
        ['IMV111', '/metadata/namepsace', 'unknown field "metadata.namepsace"', 'did you mean "metadata.namespace"?'],
      ]);
      expect(codes(peer({}, { finalizers: 'x' }))).toEqual(['IMV111']);
      expect(codes(peer({}, { uid: 5 }))).toEqual(['IMV111']);
    });

    it('13: IMV111 fails on metadata fields of the wrong type, before any check reads them', () => {
      const fs = validate(peer({}, {
        generation: '3',
        deletionGracePeriodSeconds: 1.5,
        creationTimestamp: 0,
        deletionTimestamp: {},
        ownerReferences: [{ apiVersion: 'apps/v1', kind: { toString: 'x' }, name: ['a'], uid: 'u', controller: 'true' }, 'x'],
        managedFields: { manager: 'kubectl' },
      }));
      expect(fs.map((f) => [f.path, f.message])).toEqual([
        ['/metadata/creationTimestamp', 'metadata.creationTimestamp must be a string, got number 0'],
        ['/metadata/deletionTimestamp', 'metadata.deletionTimestamp must be a string, got an object'],
        ['/metadata/generation', 'metadata.generation must be an integer, got the string "3"'],
        ['/metadata/deletionGracePeriodSeconds', 'metadata.deletionGracePeriodSeconds must be an integer, got number 1.5'],
        ['/metadata/ownerReferences/0/kind', 'metadata.ownerReferences[0].kind must be a string, got an object'],
        ['/metadata/ownerReferences/0/name', 'metadata.ownerReferences[0].name must be a string, got a list'],
        ['/metadata/ownerReferences/0/controller', 'metadata.ownerReferences[0].controller must be a boolean, got the string "true"'],
        ['/metadata/ownerReferences/1', 'metadata.ownerReferences[1] must be an object, got the string "x"'],
        ['/metadata/managedFields', 'metadata.managedFields must be a list of objects, got an object'],
      ]);
      expect(new Set(fs.map((f) => f.code))).toEqual(new Set(['IMV111']));
    });

    it('14: IMV109 fails on a label value that is an object or a list, even one that cannot be printed', () => {
      const fs = validate(peer({}, { labels: { a: { toString: 'x', valueOf: 1 }, b: [{ toString: 1 }], c: 8080, d: true } }));
      expect(fs.map((f) => [f.path, f.message, f.fix])).toEqual([
        ['/metadata/labels/a', 'label "a" must have a string value, got an object', 'write the value as a short string'],
        ['/metadata/labels/b', 'label "b" must have a string value, got a list', 'write the value as a short string'],
        ['/metadata/labels/c', 'label "c" must have a string value, got number 8080', 'quote the value: c: "8080"'],
        ['/metadata/labels/d', 'label "d" must have a string value, got boolean true', 'quote the value: d: "true"'],
      ]);
    });
  });

  it('documents every code it emits', () => {
    const documented = new Set(OBJECT_RULES.map((r) => r.code));
    expect(documented.size).toBe(OBJECT_RULES.length);
    for (const r of OBJECT_RULES) {
      expect(r.code).toMatch(/^IMV1\d\d$/);
      expect(r.category).toBe('object');
    }
    const emitted = new Set<string>();
    const samples: unknown[] = [
      {}, peer({ apiVersion: 'security.istio.io/v9' }), peer({}, { name: 'A' }), peer({}, { name: undefined, generateName: 'A' }),
      peer({}, { namespace: 'A' }), peer({}, { labels: { a: 1 } }), peer({}, { annotations: { a: 1 } }), peer({}, { x: 1 }), { kind: 1 }, peer({}, { name: '' }),
    ];
    for (const s of samples) for (const f of validate(s)) emitted.add(f.code);
    expect([...emitted].sort()).toEqual([...documented].sort());
  });

  it('never throws, whatever the input', () => {
    fc.assert(fc.property(fc.anything(), (m) => {
      expect(() => validate(m)).not.toThrow();
    }));
    fc.assert(fc.property(fc.record({ apiVersion: fc.anything(), kind: fc.anything(), metadata: fc.anything() }), (m) => {
      expect(() => validate(m)).not.toThrow();
    }));
  });
});
