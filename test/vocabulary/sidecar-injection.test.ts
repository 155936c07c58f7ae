import { describe, expect, it } from 'vitest';
import { SidecarInjection } from '../../src/vocabulary/sidecar-injection';

describe('SidecarInjection', () => {
  it('renders the istio-injection label', () => {
    expect(SidecarInjection.enabled()._toKube()).toEqual({ 'istio-injection': 'enabled' });
  });
  it('renders the revision label', () => {
    expect(SidecarInjection.revision('1-24-0')._toKube()).toEqual({ 'istio.io/rev': '1-24-0' });
    expect(String(SidecarInjection.revision('canary'))).toBe('istio.io/rev=canary');
  });
  it('fails on a revision that is not a label value', () => {
    expect(() => SidecarInjection.revision('1.24 beta')).toThrow(
      "[SidecarInjection] 'revision' must be a valid label value, got \"1.24 beta\": must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
    expect(() => SidecarInjection.revision('')).toThrow("[SidecarInjection] 'revision' must be a valid label value, got \"\": must be non-empty");
  });
});
