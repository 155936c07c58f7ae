import { describe, expect, it } from 'vitest';
import { LabelIndex, Labels } from '../../src/model/labels';

interface Item { readonly name: string; readonly labels: Labels }
const item = (name: string, labels: Labels): Item => ({ name, labels });
const labelsOf = (i: Item) => i.labels;

function posted(idx: LabelIndex<Item>, key: string, value: string): Item[] {
  const out: Item[] = [];
  idx.forEachPosted(key, value, (x) => out.push(x));
  return out;
}

describe('LabelIndex', () => {
  it('finds the items a selector matches, as one, two or many items share a label', () => {
    const idx = new LabelIndex<Item>();
    const a = item('a', { app: 'api', version: 'v1' });
    const b = item('b', { app: 'api', version: 'v2' });
    const c = item('c', { app: 'api', version: 'v1' });
    const d = item('d', { app: 'web' });
    for (const x of [a, b, c, d]) idx.add(x, x.labels);
    expect(idx.matching({ app: 'web' }, labelsOf)).toEqual([d]);
    expect(idx.matching({ version: 'v2' }, labelsOf)).toEqual([b]);
    expect(idx.matching({ app: 'api' }, labelsOf)).toEqual([a, b, c]);
    expect(idx.matching({ app: 'api', version: 'v1' }, labelsOf)).toEqual([a, c]);
    expect(idx.matching({ app: 'api', version: 'v3' }, labelsOf)).toEqual([]);
    // Every label has a posting, the smallest of one item, but no item has both.
    expect(idx.matching({ app: 'web', version: 'v2' }, labelsOf)).toEqual([]);
    expect(idx.matching({}, labelsOf)).toEqual([a, b, c, d]);
    expect(posted(idx, 'app', 'web')).toEqual([d]);
    expect(posted(idx, 'app', 'none')).toEqual([]);
    expect(idx.items).toEqual([a, b, c, d]);
  });

  it('keeps an item posted under one label out of the items an empty selector matches', () => {
    const idx = new LabelIndex<Item>();
    const s = item('s', { app: 'api' });
    const t = item('t', { app: 'api' });
    idx.post('app', 'api', s);
    expect(posted(idx, 'app', 'api')).toEqual([s]);
    idx.post('app', 'api', t);
    expect(posted(idx, 'app', 'api')).toEqual([s, t]);
    expect(idx.items).toEqual([]);
  });

  it('keeps postings of keys and values that share a spelling across the separator apart', () => {
    const idx = new LabelIndex<Item>();
    const a = item('a', { 'x\u0000y': 'z' });
    const b = item('b', { x: 'y\u0000z' });
    idx.add(a, a.labels);
    idx.add(b, b.labels);
    expect(posted(idx, 'x\u0000y', 'z')).toEqual([a]);
    expect(posted(idx, 'x', 'y\u0000z')).toEqual([b]);
    expect(idx.matching({ x: 'y\u0000z' }, labelsOf)).toEqual([b]);
  });
});
