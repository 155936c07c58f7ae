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
  it('returns what needs no change unchanged, and never touches the input', () => {
    const value = { keep: { a: 'x' }, opt: null };
    const dropped: DroppedNull[] = [];
    expect(pruneNullsAndDefault(value, schema, dropped)).toEqual({ keep: { a: 'x' }, opt: null });
    expect(dropped).toEqual([]);
    expect(value).toEqual({ keep: { a: 'x' }, opt: null });
  });

  it('drops the nulls and sets the defaults on a copy, and never touches the input', () => {
    const value = { keep: { a: 'x' }, nul: null, list: [{ x: '1', d: 'set' }, { x: '2' }] };
    const before = JSON.stringify(value);
    const dropped: DroppedNull[] = [];
    const out = pruneNullsAndDefault(value, schema, dropped) as typeof value;
    expect(out).toEqual({ keep: { a: 'x' }, list: [{ x: '1', d: 'set' }, { x: '2', d: 'dflt' }] });
    expect(Object.keys(out)).toEqual(['keep', 'list']);
    expect(dropped).toEqual([['nul']]);
    expect(JSON.stringify(value)).toBe(before);
  });
});
