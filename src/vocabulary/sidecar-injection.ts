import { fail, show } from './checks';
import { labelValueErrors } from './kube-names';

/** The namespace label that turns on injection by the default revision. */
export const ISTIO_INJECTION_LABEL = 'istio-injection';
/** The namespace label that turns on injection by a named control-plane revision. */
export const ISTIO_REVISION_LABEL = 'istio.io/rev';

/**
 * How a namespace asks Istio to inject sidecars into its pods: the label
 * `istio-injection: enabled`, or `istio.io/rev: <revision>` for revision-based
 * (canary) upgrades. Only one of the two may be used: `istio-injection`
 * takes precedence over the revision label.
 */
export class SidecarInjection {
  /** `istio-injection: enabled`: injection by the default control plane. */
  public static enabled(): SidecarInjection {
    return new SidecarInjection(ISTIO_INJECTION_LABEL, 'enabled');
  }

  /** `istio.io/rev: <revision>`: injection by the control plane of that revision (e.g. `1-24-0`, `canary`). */
  public static revision(revision: string): SidecarInjection {
    const errs = typeof revision === 'string' && revision.length > 0 ? labelValueErrors(revision) : ['must be non-empty'];
    if (errs.length > 0) fail('SidecarInjection', `'revision' must be a valid label value, got ${show(revision)}: ${errs.join('; ')}`);
    return new SidecarInjection(ISTIO_REVISION_LABEL, revision);
  }

  private constructor(
    /** The namespace label key. */
    public readonly labelKey: string,
    /** The namespace label value. */
    public readonly labelValue: string,
  ) {}

  public toString(): string {
    return `${this.labelKey}=${this.labelValue}`;
  }

  /** @internal */
  public _toKube(): Record<string, string> {
    return { [this.labelKey]: this.labelValue };
  }
}
