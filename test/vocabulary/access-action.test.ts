import { describe, expect, it } from 'vitest';
import { AccessAction } from '../../src/vocabulary/access-action';

describe('AccessAction', () => {
  it('renders ALLOW and DENY', () => {
    expect(AccessAction.ALLOW._toKube()).toBe('ALLOW');
    expect(String(AccessAction.DENY)).toBe('DENY');
  });
});
