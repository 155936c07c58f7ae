import { describe, expect, test } from 'vitest';
import { Manifest } from '../../../src/model/manifest';
import { check, codes, widget, widgetSet } from '../schema/support';

const pa = (spec: unknown): Manifest => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'p', namespace: 'ns' }, spec });
const ap = (spec: unknown): Manifest => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'a', namespace: 'ns' }, spec });
const dr = (spec: unknown): Manifest => ({ apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', metadata: { name: 'd', namespace: 'ns' }, spec });

describe('Istio CRD rules', () => {
  test('PeerAuthentication: portLevelMtls requires a selector with labels', () => {
    expect(check(pa({ selector: { matchLabels: { app: 'a' } }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }))).toEqual([]);
    const [f] = check(pa({ selector: { matchLabels: {} }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }));
    expect(f).toMatchObject({ code: 'IMV301', category: 'cel', path: '/spec', message: 'spec: portLevelMtls requires selector' });
    expect(f.fix).toMatch(/^change the value so that the CRD rule `has\(self\.portLevelMtls\)/);
  });
  test('PeerAuthentication: ports 1-65535; a non-numeric port is an evaluation error', () => {
    expect(codes(check(pa({ selector: { matchLabels: { a: 'b' } }, portLevelMtls: { 65536: { mode: 'STRICT' } } })))).toEqual(['IMV301 /spec/portLevelMtls']);
    const [f] = check(pa({ selector: { matchLabels: { a: 'b' } }, portLevelMtls: { http: { mode: 'STRICT' } } }));
    expect(f.code).toBe('IMV302');
    expect(f.message).toBe('spec.portLevelMtls: CRD rule `self.all(key, 0 < int(key) && int(key) <= 65535)` failed to evaluate on {"http":{"mode":"STRICT"}}: int() type error: cannot convert to int');
  });
  test('selectors: no wildcard and no empty label keys, no wildcard values', () => {
    expect(check(pa({ selector: { matchLabels: { app: 'a*' } } })).map((f) => [f.path, f.message])).toEqual([
      ['/spec/selector/matchLabels/app', 'spec.selector.matchLabels[app]: wildcard not allowed in label value match'],
    ]);
    expect(check(ap({ selector: { matchLabels: { 'a*': 'x', '': 'y' } } })).map((f) => f.message)).toEqual([
      'spec.selector.matchLabels: key must not be empty',
      'spec.selector.matchLabels: wildcard not allowed in label key match',
    ]);
  });
  test('selectors: label keys named like JavaScript object members are labels like any other', () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const labels = JSON.parse(`{"${key}": "x", "app": "a*"}`) as Record<string, string>;
      expect(check(pa({ selector: { matchLabels: labels } })).map((f) => [f.path, f.message]), key).toEqual([
        ['/spec/selector/matchLabels/app', 'spec.selector.matchLabels[app]: wildcard not allowed in label value match'],
      ]);
      const wild = JSON.parse(`{"${key}": "a*"}`) as Record<string, string>;
      expect(check(pa({ selector: { matchLabels: wild } })).map((f) => [f.path, f.message]), key).toEqual([
        [`/spec/selector/matchLabels/${key}`, `spec.selector.matchLabels[${key}]: wildcard not allowed in label value match`],
      ]);
    }
  });
  test('AuthorizationPolicy: only one of selector, targetRef, targetRefs; no cross-namespace refs', () => {
    expect(check(ap({ selector: { matchLabels: { a: 'b' } } }))).toEqual([]);
    expect(codes(check(ap({ selector: { matchLabels: { a: 'b' } }, targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'g' }] })))).toEqual(['IMV301 /spec']);
    expect(check(ap({ targetRef: { kind: 'Service', group: '', name: 's', namespace: 'other' } })).map((f) => f.message))
      .toEqual(['spec.targetRef.namespace: cross namespace referencing is not currently supported']);
  });
  test('AuthorizationPolicy: serviceAccounts cannot be combined with principals', () => {
    expect(check(ap({ rules: [{ from: [{ source: { serviceAccounts: ['ns/sa'] } }] }] }))).toEqual([]);
    expect(codes(check(ap({ rules: [{ from: [{ source: { serviceAccounts: ['ns/sa'], principals: ['cluster.local/ns/a/sa/b'] } }] }] }))))
      .toEqual(['IMV301 /spec/rules/0/from/0/source']);
  });
  test('DestinationRule: durations must be valid Go durations of at least 1ms', () => {
    expect(check(dr({ host: 'h', trafficPolicy: { connectionPool: { tcp: { connectTimeout: '30ms' } } } }))).toEqual([]);
    expect(check(dr({ host: 'h', trafficPolicy: { connectionPool: { tcp: { connectTimeout: '0s' } } } })).map((f) => [f.code, f.message])).toEqual([
      ['IMV301', 'spec.trafficPolicy.connectionPool.tcp.connectTimeout: must be a valid duration greater than 1ms'],
    ]);
    const [bad] = check(dr({ host: 'h', subsets: [{ name: 'v1', trafficPolicy: { outlierDetection: { interval: '10' } } }] }));
    expect(bad).toMatchObject({ code: 'IMV302', path: '/spec/subsets/0/trafficPolicy/outlierDetection/interval' });
    expect(bad.message).toMatch(/time: missing unit in duration "10"$/);
  });
});

describe('rule mechanics', () => {
  test('map keys named constructor or __proto__ are ordinary keys, as in the API server', () => {
    // cel-js reads a value's constructor to type it; a plain object cannot hold an own __proto__ property.
    expect(check(pa({ selector: { matchLabels: { constructor: 'z' } } }))).toEqual([]);
    expect(codes(check(pa({ selector: { matchLabels: JSON.parse('{"__proto__": "z", "a*": "b"}') } })))).toEqual(['IMV301 /spec/selector/matchLabels']);
    expect(codes(check(pa({ selector: { matchLabels: { 'constructor*': 'z', 'constructor': 'y' } } })))).toEqual(['IMV301 /spec/selector/matchLabels']);
  });
  const spec = {
    'type': 'object',
    'properties': {
      a: { type: 'integer' },
      b: { type: 'integer' },
      name: { type: 'string', maxLength: 3 },
      opt: { 'type': 'string', 'nullable': true, 'x-kubernetes-validations': [{ rule: 'self.size() > 1', message: 'opt too short' }] },
    },
    'x-kubernetes-validations': [
      { rule: 'self.a < self.b', messageExpression: '"a (" + string(self.a) + ") must be below b (" + string(self.b) + ")"', fieldPath: '.a', reason: 'FieldValueForbidden' },
      { rule: 'self.a == oldSelf.a', message: 'a is immutable' },
      { rule: '!has(self.name) || self.name != "bad"' },
      { rule: 'self.a != 7', messageExpression: 'self.nope', message: 'a must not be 7' },
    ],
  };
  const set = widgetSet(spec);
  test('messageExpression, fieldPath and reason shape the finding', () => {
    const [f] = check(widget({ a: 5, b: 1 }), set);
    expect(f).toMatchObject({ code: 'IMV301', path: '/spec/a', message: 'spec.a: forbidden: a (5) must be below b (1)' });
  });
  test('transition rules (oldSelf) are not evaluated on create', () => {
    expect(check(widget({ a: 1, b: 2 }), set)).toEqual([]);
  });
  test('without message the API server\'s default names the rule; a failing messageExpression falls back to message', () => {
    expect(check(widget({ a: 1, b: 2, name: 'bad' }), set)[0].message).toBe('spec: failed rule: !has(self.name) || self.name != "bad"');
    expect(check(widget({ a: 7, b: 8 }), set)[0].message).toBe('spec: a must not be 7');
  });
  test('rules are not evaluated where the value is absent or null', () => {
    expect(check(widget({ a: 1, b: 2, opt: null }), set)).toEqual([]);
    expect(codes(check(widget({ a: 1, b: 2, opt: 'x' }), set))).toEqual(['IMV301 /spec/opt']);
  });
  test('blocking schema errors skip every CEL rule, as the API server does (IMV303)', () => {
    const found = check(widget({ a: 5, b: 1, name: 'toolong' }), set);
    expect(codes(found)).toEqual(['IMV303 ', 'IMV206 /spec/name']);
    expect(found[0].severity).toBe('info');
  });
  test('non-blocking schema errors (pattern, minimum) still let rules run', () => {
    const s = widgetSet({ 'type': 'object', 'properties': { n: { type: 'integer', minimum: 10 } }, 'x-kubernetes-validations': [{ rule: 'self.n % 2 == 0', message: 'n must be even' }] });
    expect(codes(check(widget({ n: 3 }), s))).toEqual(['IMV301 /spec', 'IMV209 /spec/n']);
  });
  test('a rule returning a non-bool is an evaluation error', () => {
    const s = widgetSet({ 'type': 'object', 'x-kubernetes-validations': [{ rule: '"yes"' }] });
    expect(check(widget({}), s)[0]).toMatchObject({ code: 'IMV302', message: 'spec: CRD rule `"yes"` returned "yes" instead of a bool' });
  });
  test('rules with functions this validator lacks are reported, not guessed (IMV304)', () => {
    const s = widgetSet({ 'type': 'object', 'x-kubernetes-validations': [{ rule: 'quantity(self.q).isGreaterThan(quantity("1"))' }], 'properties': { q: { type: 'string' } } });
    expect(check(widget({ q: '2' }), s)[0]).toMatchObject({ code: 'IMV304', severity: 'warning' });
  });
  test('root rules see apiVersion, kind and metadata.name', () => {
    const s = widgetSet({ type: 'object' }, { root: { 'x-kubernetes-validations': [{ rule: 'self.metadata.name.startsWith("w-") && self.kind == "Widget"', message: 'name must start with w-' }] } });
    expect(check(widget({}), s).map((f) => [f.code, f.path, f.message])).toEqual([['IMV301', '', '<root>: name must start with w-']]);
    expect(check({ ...widget({}), metadata: { name: 'w-1' } }, s)).toEqual([]);
  });
  test('integer fields are CEL ints, number fields doubles', () => {
    const s = widgetSet({ 'type': 'object', 'properties': { i: { type: 'integer' }, d: { type: 'number' } }, 'x-kubernetes-validations': [{ rule: 'type(self.i) == int && type(self.d) == double' }] });
    expect(check(widget({ i: 1, d: 2 }), s)).toEqual([]);
  });
});
