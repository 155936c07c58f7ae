/**
 * What an AuthorizationPolicy does with requests its rules match. Only the
 * two actions {@link ServiceAccess} builds are offered; AUDIT and CUSTOM need
 * a provider and are out of scope.
 */
export class AccessAction {
  /** Allow matching requests; with any ALLOW policy on a workload, unmatched requests are denied. */
  public static readonly ALLOW = new AccessAction('ALLOW');
  /** Deny matching requests; DENY policies are evaluated before ALLOW policies. */
  public static readonly DENY = new AccessAction('DENY');

  private constructor(public readonly name: 'ALLOW' | 'DENY') {}

  public toString(): string {
    return this.name;
  }

  /** @internal */
  public _toKube(): 'ALLOW' | 'DENY' {
    return this.name;
  }
}
