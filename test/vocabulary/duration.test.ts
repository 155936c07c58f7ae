import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatPrometheusDuration,
  parseGoDuration,
  parsePrometheusDuration,
} from '../../src/vocabulary/duration';

describe('parsePrometheusDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1y', 365 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1d', 86_400_000],
    ['1s500ms', 1500],
    ['90m', 5_400_000],
  ])('accepts %s', (text, ms) => {
    expect(parsePrometheusDuration(text)).toEqual({ ok: true, milliseconds: ms });
  });

  it.each([
    ['', 'empty duration string'],
    ['1.5h', 'unknown unit "." in duration "1.5h"'],
    ['5', 'not a valid duration string: "5"'],
    ['-5m', 'not a valid duration string: "-5m"'],
    ['30m1h', 'not a valid duration string: "30m1h"'],
    ['5m5m', 'not a valid duration string: "5m5m"'],
    ['5 m', 'unknown unit " m" in duration "5 m"'],
    ['10us', 'unknown unit "us" in duration "10us"'],
    ['1M', 'unknown unit "M" in duration "1M"'],
    ['300y', 'duration out of range'],
  ])('fails on %j', (text, error) => {
    expect(parsePrometheusDuration(text)).toEqual({ ok: false, error });
  });

  it('round-trips with formatPrometheusDuration', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 200 * 365 * 86_400_000 }), (ms) => {
      const text = formatPrometheusDuration(ms);
      expect(parsePrometheusDuration(text)).toEqual({ ok: true, milliseconds: ms });
    }));
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(() => parsePrometheusDuration(s)).not.toThrow();
    }));
  });
});

describe('formatPrometheusDuration', () => {
  it('prints like Prometheus', () => {
    expect(formatPrometheusDuration(0)).toBe('0s');
    expect(formatPrometheusDuration(5_400_000)).toBe('1h30m');
    expect(formatPrometheusDuration(8 * 86_400_000)).toBe('1w1d');
  });

  it('fails on fractions and negatives', () => {
    expect(() => formatPrometheusDuration(1.5)).toThrow('a Prometheus duration is a non-negative whole number of milliseconds, got 1.5');
    expect(() => formatPrometheusDuration(-1)).toThrow(RangeError);
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['-2m3s', -123_000],
    ['1h0m0s', 3_600_000],
    ['.5s', 500],
    ['1µs', 0.001],
    ['10ns', 0.00001],
  ])('accepts %s', (text, ms) => {
    const r = parseGoDuration(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.milliseconds).toBeCloseTo(ms, 9);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['5', 'time: missing unit in duration "5"'],
    ['5d', 'time: unknown unit "d" in duration "5d"'],
    ['.s', 'time: invalid duration ".s"'],
    ['-', 'time: invalid duration "-"'],
  ])('fails on %j', (text, error) => {
    expect(parseGoDuration(text)).toEqual({ ok: false, error });
  });
});
