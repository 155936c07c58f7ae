import { describe, expect, it } from 'vitest';
import { DroppedNull, pruneNullsAndDefault } from '../../../src/validation/schema/prune-nulls';
import { StructuralSchema } from '../../../src/validation/schema/structural';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    keep: { type: 'object', properties: { a: { type: 'string' } } },
    list: { type: 'array', items: { type: 'object', properties: { x: { type: 'string' }, d: { type: 'string', default: 'dflt' } } } },
    nul: { type: 'string' },
    opt: { type: 'string', nullable: true },
  },
};

describe('pruneNullsAndDefault', () => {
  it('returns what needs no change as it is, without copying', () => {
    const value = { keep: { a: 'x' }, opt: null };
    const dropped: DroppedNull[] = [];
    expect(pruneNullsAndDefault(value, schema, dropped)).toBe(value);
    expect(dropped).toEqual([]);
  });

  it('copies only the objects and lists on the way to a change, and never touches the input', () => {
    const value = { keep: { a: 'x' }, nul: null, list: [{ x: '1', d: 'set' }, { x: '2' }] };
    const before = JSON.stringify(value);
    const dropped: DroppedNull[] = [];
    const out = pruneNullsAndDefault(value, schema, dropped) as typeof value;
    expect(out).toEqual({ keep: { a: 'x' }, list: [{ x: '1', d: 'set' }, { x: '2', d: 'dflt' }] });
    expect(Object.keys(out)).toEqual(['keep', 'list']);
    expect(dropped).toEqual([['nul']]);
    expect(JSON.stringify(value)).toBe(before);
    expect(out.keep).toBe(value.keep);
    expect(out.list[0]).toBe(value.list[0]);
    expect(out.list[1]).not.toBe(value.list[1]);
  });
});
