import { describe, expect, it } from 'vitest';
import { editDistance, maxSuggestionDistance, nearestName } from '../../src/vocabulary/nearest-name';

describe('editDistance (optimal string alignment)', () => {
  const cases: [string, string, number][] = [
    ['', '', 0],
    ['shop', 'shop', 0],
    ['shopp', 'shop', 1], // deletion
    ['shp', 'shop', 1], // insertion
    ['shap', 'shop', 1], // substitution
    ['stagign', 'staging', 1], // swap of neighbours
    ['ca', 'abc', 3], // OSA, not unrestricted Damerau (which gives 2)
    ['kitten', 'sitting', 3],
    ['', 'web', 3],
  ];
  for (const [a, b, d] of cases) {
    it(`"${a}" → "${b}" is ${d}, both ways`, () => {
      expect(editDistance(a, b)).toBe(d);
      expect(editDistance(b, a)).toBe(d);
    });
  }
});

describe('nearestName', () => {
  it('Compliance: suggests the closest name within one edit per three characters', () => {
    expect(nearestName('shopp', ['web', 'shop', 'legacy'])).toBe('shop');
    expect(nearestName('paymnets', ['payments', 'checkout'])).toBe('payments');
    expect(nearestName('Shop', ['shop'])).toBe('shop'); // case only
    expect(maxSuggestionDistance('db')).toBe(1);
    expect(maxSuggestionDistance('production')).toBe(3);
  });
  it('Noncompliance 1: nothing close enough, or the name itself exists', () => {
    expect(nearestName('db', ['ui'])).toBeUndefined();
    expect(nearestName('prod', ['production'])).toBeUndefined();
    expect(nearestName('shop', ['shop', 'shopp'])).toBeUndefined();
    expect(nearestName('shop', [])).toBeUndefined();
  });
  it('Noncompliance 2: ties go to the name that sorts first, whatever the order given', () => {
    expect(nearestName('web', ['wex', 'wea'])).toBe('wea');
    expect(nearestName('web', ['wea', 'wex'])).toBe('wea');
    expect(nearestName('shopx', ['shop', 'shopy'])).toBe('shop');
  });
});
