import { describe, expect, test } from 'vitest';
import { check, codes, errors, widget, widgetSet } from './support';

describe('x-kubernetes-int-or-string', () => {
  const set = widgetSet({ type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true, 'anyOf': [{ type: 'integer' }, { type: 'string' }] } } });
  test('accepts an integer and a string', () => {
    expect(check(widget({ port: 8080 }), set)).toEqual([]);
    expect(check(widget({ port: 'http' }), set)).toEqual([]);
  });
  test('fails on a boolean and a fraction', () => {
    const [f] = check(widget({ port: true }), set);
    expect(f.code).toBe('IMV202');
    expect(f.message).toBe('spec.port: must be of type integer or string, got boolean true');
    expect(codes(check(widget({ port: 1.5 }), set))).toEqual(['IMV202 /spec/port']);
  });
});

describe('x-kubernetes-preserve-unknown-fields', () => {
  const set = widgetSet({
    type: 'object',
    properties: {
      free: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true, 'properties': { known: { type: 'string' } } },
      anything: { 'x-kubernetes-preserve-unknown-fields': true },
    },
  });
  test('keeps unknown fields under the extension, still checks declared ones', () => {
    expect(check(widget({ free: { known: 'x', other: { deep: [1, 2] } }, anything: [1, 'a', { b: null }] }), set)).toEqual([]);
    expect(codes(check(widget({ free: { known: 5 } }), set))).toEqual(['IMV202 /spec/free/known']);
  });
  test('fails on unknown fields elsewhere, as kubectl --validate=strict', () => {
    const [f] = check(widget({ free: {}, fre: 1 }), set);
    expect(f).toMatchObject({ code: 'IMV201', path: '/spec/fre', severity: 'error', fix: 'did you mean "free"?' });
    expect(f.message).toBe('unknown field "spec.fre"; known fields: anything, free');
  });
  test('fails on an unknown top-level field', () => {
    expect(check(widget({}, { _err: 'x' }), set).map((f) => f.message)).toEqual(['unknown field "_err"; known fields: spec, status']);
  });
});

describe('nullable and nulls', () => {
  const set = widgetSet({
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string' },
      maybe: { type: 'string', nullable: true, enum: ['a', 'b'] },
      plain: { type: 'string' },
      list: { type: 'array', items: { type: 'string' } },
      defaulted: { type: 'string', default: 'd' },
    },
  });
  test('accepts null where nullable, skipping the other checks', () => {
    expect(check(widget({ name: 'n', maybe: null }), set)).toEqual([]);
  });
  test('a non-nullable null field is dropped by the API server: warning', () => {
    const found = check(widget({ name: 'n', plain: null }), set);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'IMV214', severity: 'warning', path: '/spec/plain' });
    expect(found[0].message).toBe('spec.plain: null is not allowed here; the API server drops the field');
  });
  test('fails when a required field is null (dropped, then missing)', () => {
    expect(codes(errors(check(widget({ name: null }), set)))).toEqual(['IMV203 /spec/name']);
  });
  test('a null with a default is defaulted, not dropped', () => {
    expect(check(widget({ name: 'n', defaulted: null }), set)).toEqual([]);
  });
  test('fails on null inside a list (not pruned)', () => {
    expect(codes(check(widget({ name: 'n', list: ['a', null] }), set))).toEqual(['IMV202 /spec/list/1']);
  });
});

describe('x-kubernetes-list-type', () => {
  const set = widgetSet({
    type: 'object',
    properties: {
      groups: {
        'type': 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        'items': { type: 'object', properties: { name: { type: 'string' }, v: { type: 'integer' } } },
      },
      pairs: {
        'type': 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['a', 'b'],
        'items': { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } },
      },
      tags: { 'type': 'array', 'x-kubernetes-list-type': 'set', 'items': { type: 'string' } },
      atomic: { 'type': 'array', 'x-kubernetes-list-type': 'atomic', 'items': { type: 'string' } },
    },
  });
  test('accepts unique keys and items', () => {
    expect(check(widget({ groups: [{ name: 'a' }, { name: 'b' }], pairs: [{ a: '1', b: '1' }, { a: '1', b: '2' }], tags: ['x', 'y'], atomic: ['x', 'x'] }), set)).toEqual([]);
  });
  test('fails on a duplicate map key, reported once at its second appearance', () => {
    const found = check(widget({ groups: [{ name: 'a', v: 1 }, { name: 'a', v: 2 }, { name: 'a' }] }), set);
    expect(codes(found)).toEqual(['IMV211 /spec/groups/1']);
    expect(found[0].message).toBe('spec.groups[1]: duplicate key {"name":"a"}; items must be unique by name');
  });
  test('fails on duplicate multi-field keys, and items without the key count as one key', () => {
    expect(codes(check(widget({ pairs: [{ a: '1', b: '2' }, { b: '2', a: '1' }] }), set))).toEqual(['IMV211 /spec/pairs/1']);
    expect(codes(check(widget({ groups: [{ v: 1 }, { v: 2 }] }), set))).toEqual(['IMV211 /spec/groups/1']);
  });
  test('fails on a duplicate set item', () => {
    const found = check(widget({ tags: ['x', 'y', 'x'] }), set);
    expect(codes(found)).toEqual(['IMV212 /spec/tags/2']);
    expect(found[0].message).toBe('spec.tags[2]: duplicate value "x"; the list is a set');
  });
});

describe('value limits', () => {
  const set = widgetSet({
    type: 'object',
    properties: {
      mode: { type: 'string', enum: ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] },
      name: { type: 'string', maxLength: 5, minLength: 2, pattern: '^[a-z]+$' },
      list: { type: 'array', maxItems: 2, minItems: 1, items: { type: 'string' } },
      labels: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } },
      percent: { type: 'number', minimum: 0, maximum: 100 },
      strictly: { type: 'integer', minimum: 0, exclusiveMinimum: true },
      port: { type: 'integer', format: 'int32' },
      count: { type: 'integer', format: 'uint32' },
      at: { type: 'string', format: 'date-time' },
      bits: { type: 'string', format: 'int64' },
      ci: { type: 'string', pattern: '^(?i)(abort|warn)?$' },
    },
  });
  test('accepts values inside every limit', () => {
    expect(check(widget({ mode: 'STRICT', name: 'ab', list: ['a'], labels: { a: 'b' }, percent: 99.5, strictly: 1, at: '2026-01-02T03:04:05Z', ci: 'WARN' }), set)).toEqual([]);
  });
  test('fails on an enum value, with the allowed values and a near match', () => {
    const [f] = check(widget({ mode: 'STRIC' }), set);
    expect(f.message).toBe('spec.mode: unsupported value "STRIC"; allowed: UNSET, DISABLE, PERMISSIVE, STRICT');
    expect(f.fix).toBe('did you mean STRICT? (values are case-sensitive)');
    expect(check(widget({ mode: 'other' }), set)[0].fix).toBe('use one of UNSET, DISABLE, PERMISSIVE, STRICT');
  });
  test('fails on string length and pattern', () => {
    expect(codes(check(widget({ name: 'abcdef' }), set))).toEqual(['IMV206 /spec/name']);
    expect(check(widget({ name: 'a' }), set)[0].message).toBe('spec.name: 1 characters "a"; at least 2 required');
    expect(check(widget({ name: 'AB' }), set)[0].message).toBe('spec.name: "AB" does not match the pattern ^[a-z]+$');
    expect(codes(check(widget({ ci: 'fail' }), set))).toEqual(['IMV205 /spec/ci']);
  });
  test('fails on list and map sizes', () => {
    expect(check(widget({ list: ['a', 'b', 'c'] }), set)[0].message).toBe('spec.list: 3 items; at most 2 allowed');
    expect(codes(check(widget({ list: [] }), set))).toEqual(['IMV207 /spec/list']);
    expect(check(widget({ labels: { a: 'a', b: 'b' } }), set)[0]).toMatchObject({ code: 'IMV208', message: 'spec.labels: 2 entries; at most 1 allowed' });
  });
  test('fails on number ranges, OpenAPI boolean exclusiveMinimum included', () => {
    expect(check(widget({ percent: 150 }), set)[0]).toMatchObject({ code: 'IMV209', message: 'spec.percent: 150 is above the maximum 100', fix: 'use a value <= 100' });
    expect(check(widget({ strictly: 0 }), set)[0].message).toBe('spec.strictly: 0 must be greater than 0');
  });
  test('int32, uint32 and int64 formats are not range-checked, as in the API server', () => {
    expect(check(widget({ port: 2 ** 40, count: -5, bits: 'not a number' }), set)).toEqual([]);
  });
  test('fails on a bad date-time (a checked format)', () => {
    expect(check(widget({ at: 'yesterday' }), set)[0]).toMatchObject({ code: 'IMV210', message: 'spec.at: "yesterday" is not a valid date-time' });
  });
});

describe('required, types and alternatives', () => {
  const set = widgetSet({
    type: 'object',
    required: ['selector'],
    properties: {
      selector: { type: 'object', properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } } },
      lb: {
        type: 'object',
        properties: { simple: { type: 'string' }, consistentHash: { type: 'object' } },
        oneOf: [{ not: { anyOf: [{ required: ['simple'] }, { required: ['consistentHash'] }] } }, { required: ['simple'] }, { required: ['consistentHash'] }],
      },
    },
  });
  test('fails on a missing required field, pointing at it', () => {
    const [f] = check(widget({}), set);
    expect(f).toMatchObject({ code: 'IMV203', path: '/spec/selector', message: 'spec.selector: required field is missing' });
  });
  test('fails on a wrong type, naming map keys in brackets', () => {
    const [f] = check(widget({ selector: { matchLabels: { app: 3 } } }), set);
    expect(f).toMatchObject({ code: 'IMV202', path: '/spec/selector/matchLabels/app' });
    expect(f.message).toBe('spec.selector.matchLabels[app]: must be of type string, got integer 3');
  });
  test('accepts one of a "one of" group, fails on two', () => {
    expect(check(widget({ selector: {}, lb: { simple: 'X' } }), set)).toEqual([]);
    expect(check(widget({ selector: {}, lb: {} }), set)).toEqual([]);
    const found = check(widget({ selector: {}, lb: { simple: 'X', consistentHash: {} } }), set);
    expect(found.map((f) => [f.code, f.message])).toEqual([['IMV213', 'spec.lb: only one of simple, consistentHash may be set; got simple, consistentHash']]);
  });
});

describe('resource shape', () => {
  const set = widgetSet({ type: 'object', properties: { a: { type: 'string' } } }, { status: true });
  test('apiVersion, kind and metadata are the object layer\'s; status is dropped on create with a status subresource', () => {
    expect(check(widget({ a: 'x' }, { metadata: { name: 'w', anything: 1 }, status: { bogus: 1 } }), set)).toEqual([]);
  });
  test('status is validated without a status subresource', () => {
    expect(codes(check(widget({}, { status: { bogus: 1 } }), widgetSet({ type: 'object' })))).toEqual(['IMV201 /status/bogus']);
  });
  test('fails on an apiVersion the CRD does not serve', () => {
    const m = { ...widget({}), apiVersion: 'example.com/v2' };
    expect(check(m, set).map((f) => [f.code, f.path, f.message])).toEqual([
      ['IMV200', '/apiVersion', 'apiVersion "example.com/v2" is not served for Widget; served: example.com/v1'],
    ]);
  });
  test('kinds the set does not know give no findings', () => {
    expect(check({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { bogus: 1 } }, set)).toEqual([]);
  });
  test('fails on a spec of the wrong shape', () => {
    expect(codes(check(widget('text'), set))).toEqual(['IMV202 /spec']);
    expect(codes(check(widget([1, 2]), set))).toEqual(['IMV202 /spec']);
  });
  test('x-kubernetes-embedded-resource allows apiVersion, kind and metadata inside', () => {
    const embedded = widgetSet({ type: 'object', properties: { template: { 'type': 'object', 'x-kubernetes-embedded-resource': true, 'properties': { spec: { type: 'object' } } } } });
    expect(check(widget({ template: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: {} } }), embedded)).toEqual([]);
    expect(codes(check(widget({ template: { other: 1 } }), embedded))).toEqual(['IMV201 /spec/template/other']);
  });
});
