import { describe, expect, it } from 'vitest';
import { toHumanDuration, toPrometheusDuration } from '../../src/vocabulary/threshold';

describe('alert durations', () => {
  it('renders Prometheus durations', () => {
    expect(toPrometheusDuration(14400)).toBe('4h');
    expect(toPrometheusDuration(300)).toBe('5m');
    expect(toPrometheusDuration(5400)).toBe('1h30m');
    expect(toPrometheusDuration(30 * 86400)).toBe('30d');
  });
  it('renders words', () => {
    expect(toHumanDuration(14400)).toBe('4 hours');
    expect(toHumanDuration(3660)).toBe('1 hour 1 minute');
  });
  it('fails on zero, negative or fractional seconds', () => {
    expect(() => toPrometheusDuration(0)).toThrow('a Prometheus duration needs a positive whole number of seconds, got 0');
    expect(() => toHumanDuration(1.5)).toThrow('a duration needs a positive whole number of seconds, got 1.5');
  });
});
