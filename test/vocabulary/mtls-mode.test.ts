import { describe, expect, it } from 'vitest';
import { MtlsMode, checkModeIn } from '../../src/vocabulary/mtls-mode';

describe('MtlsMode', () => {
  it('renders the four Istio mode names', () => {
    expect(MtlsMode.ALL.map((m) => m._toKube())).toEqual(['STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET']);
    expect(String(MtlsMode.STRICT)).toBe('STRICT');
  });
  it('parses names as written in manifests', () => {
    expect(MtlsMode.of('PERMISSIVE')).toBe(MtlsMode.PERMISSIVE);
  });
  it('fails on an unknown name with the allowed ones', () => {
    expect(() => MtlsMode.of('strict')).toThrow('[MtlsMode] unknown mode "strict": must be one of STRICT, PERMISSIVE, DISABLE, UNSET');
  });
  it('knows which modes accept plaintext and orders strength', () => {
    expect(MtlsMode.ALL.filter((m) => m.acceptsPlaintext)).toEqual([MtlsMode.PERMISSIVE, MtlsMode.DISABLE]);
    expect(MtlsMode.DISABLE.isWeakerThan(MtlsMode.PERMISSIVE)).toBe(true);
    expect(MtlsMode.PERMISSIVE.isWeakerThan(MtlsMode.STRICT)).toBe(true);
    expect(MtlsMode.STRICT.isWeakerThan(MtlsMode.PERMISSIVE)).toBe(false);
    expect(MtlsMode.UNSET.isWeakerThan(MtlsMode.STRICT)).toBe(false);
  });
  it('fails checkModeIn with the allowed modes and a hint', () => {
    expect(() => checkModeIn('X', 'mode', MtlsMode.DISABLE, [MtlsMode.STRICT, MtlsMode.PERMISSIVE], 'why'))
      .toThrow("[X] 'mode' must be STRICT or PERMISSIVE, got DISABLE: why");
    expect(() => checkModeIn('X', 'mode', 'STRICT' as unknown as MtlsMode, [MtlsMode.STRICT]))
      .toThrow('[X] \'mode\' must be an MtlsMode (MtlsMode.STRICT), got "STRICT"');
  });
});
