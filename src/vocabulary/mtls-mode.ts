import { fail, show } from './checks';

/** The mode names PeerAuthentication accepts for `mtls.mode` and `portLevelMtls[port].mode`. */
export type MtlsModeName = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';

const STRENGTH: Record<MtlsModeName, number> = { DISABLE: 0, PERMISSIVE: 1, STRICT: 2, UNSET: -1 };

/**
 * How a workload's sidecar accepts inbound connections (PeerAuthentication mode).
 *
 * - `STRICT`: only mutual TLS.
 * - `PERMISSIVE`: mutual TLS and plaintext (migration).
 * - `DISABLE`: plaintext only.
 * - `UNSET`: inherit from the parent scope (namespace, then mesh; PERMISSIVE if none).
 */
export class MtlsMode {
  /** Accept only mutual TLS. */
  public static readonly STRICT = new MtlsMode('STRICT');
  /** Accept mutual TLS and plaintext. */
  public static readonly PERMISSIVE = new MtlsMode('PERMISSIVE');
  /** Accept plaintext only. */
  public static readonly DISABLE = new MtlsMode('DISABLE');
  /** Inherit the mode of the parent scope. */
  public static readonly UNSET = new MtlsMode('UNSET');

  /** All modes, strongest first. */
  public static readonly ALL: readonly MtlsMode[] = [MtlsMode.STRICT, MtlsMode.PERMISSIVE, MtlsMode.DISABLE, MtlsMode.UNSET];

  /** Parses a mode name as written in a manifest (`'STRICT'`, …). */
  public static of(name: string): MtlsMode {
    const found = MtlsMode.ALL.find((m) => m.name === name);
    if (!found) fail('MtlsMode', `unknown mode ${show(name)}: must be one of ${MtlsMode.ALL.map((m) => m.name).join(', ')}`);
    return found;
  }

  private constructor(public readonly name: MtlsModeName) {}

  /** True for PERMISSIVE and DISABLE: modes that accept plaintext. */
  public get acceptsPlaintext(): boolean {
    return this.name === 'PERMISSIVE' || this.name === 'DISABLE';
  }

  /** True when this mode accepts strictly less mTLS than `other` (UNSET compares as neither). */
  public isWeakerThan(other: MtlsMode): boolean {
    if (this.name === 'UNSET' || other.name === 'UNSET') return false;
    return STRENGTH[this.name] < STRENGTH[other.name];
  }

  public toString(): string {
    return this.name;
  }

  /** @internal */
  public _toKube(): MtlsModeName {
    return this.name;
  }
}

/**
 * Throws unless `mode` is one of `allowed`, naming the owner, the prop and the allowed modes.
 * @internal
 */
export function checkModeIn(owner: string, prop: string, mode: MtlsMode, allowed: readonly MtlsMode[], hint?: string): void {
  if (!(mode instanceof MtlsMode)) {
    fail(owner, `'${prop}' must be an MtlsMode (${allowed.map((m) => `MtlsMode.${m.name}`).join(', ')}), got ${show(mode)}`);
  }
  if (!allowed.includes(mode)) {
    fail(owner, `'${prop}' must be ${allowed.map((m) => m.name).join(' or ')}, got ${mode.name}${hint ? `: ${hint}` : ''}`);
  }
}
