import { describe, expect, it } from 'vitest';
import { MtlsMode } from '../../src/vocabulary/mtls-mode';
import { renderPortLevelMtls } from '../../src/vocabulary/port-mtls';

describe('renderPortLevelMtls', () => {
  it('renders ports in ascending numeric order', () => {
    const out = renderPortLevelMtls('X', 'portLevelMtls', { 50051: MtlsMode.STRICT, 9090: MtlsMode.PERMISSIVE, 8080: MtlsMode.DISABLE });
    expect(Object.keys(out)).toEqual(['8080', '9090', '50051']);
    expect(out['8080']).toEqual({ mode: 'DISABLE' });
  });
  it('fails on ports outside 1-65535', () => {
    expect(() => renderPortLevelMtls('X', 'portLevelMtls', { 0: MtlsMode.STRICT })).toThrow(
      "[X] 'portLevelMtls' keys must be container ports (integers 1-65535), got \"0\"");
    expect(() => renderPortLevelMtls('X', 'portLevelMtls', { 65536: MtlsMode.STRICT })).toThrow('got "65536"');
    expect(() => renderPortLevelMtls('X', 'portLevelMtls', { 80.5: MtlsMode.STRICT })).toThrow('got "80.5"');
  });
  it('fails on an empty map and on modes outside the allowed set', () => {
    expect(() => renderPortLevelMtls('X', 'portLevelMtls', {})).toThrow("[X] 'portLevelMtls' must list at least one container port, got {}");
    expect(() => renderPortLevelMtls('X', 'ports', { 80: MtlsMode.STRICT }, [MtlsMode.DISABLE])).toThrow("[X] 'ports[80]' must be DISABLE, got STRICT");
  });
});
