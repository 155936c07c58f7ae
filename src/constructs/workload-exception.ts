import { Construct } from 'constructs';
import { namespaceOf, optionalName } from './scope';
import { checkSelectorAtSynth, workloadPeerAuthenticationProps } from './workload-policy';
import { PeerAuthentication } from '../../imports/security.istio.io';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { EXPIRED_EXCEPTION } from '../model/exception-rules';
import { checkPort, fail, show } from '../vocabulary/checks';
import { MtlsExceptionProps, checkMtlsException, mtlsExceptionExpiryErrors } from '../vocabulary/mtls-exception';
import { MtlsMode, checkModeIn } from '../vocabulary/mtls-mode';
import { WorkloadSelector } from '../vocabulary/workload-selector';

/**
 * Properties of {@link WorkloadException}: the exception's documentation
 * (reason, owner, review date, ticket) and the workload it weakens.
 */
export interface WorkloadExceptionProps extends MtlsExceptionProps {
  /** The pods the exception applies to. */
  readonly selector: WorkloadSelector;

  /**
   * The weaker mode: PERMISSIVE (mTLS and plaintext) or DISABLE (plaintext only).
   */
  readonly mode: MtlsMode;

  /**
   * Weaken only these **container ports** (not Service ports); the workload
   * keeps its inherited mode on the others.
   * @default - the whole workload
   */
  readonly ports?: number[];

  /**
   * The workload's namespace; the policy only applies there.
   * @default - the chart's namespace (required if the chart has none)
   */
  readonly namespace?: string;

  /**
   * The PeerAuthentication name.
   * @default - a name cdk8s generates from the construct path
   */
  readonly name?: string;
}

/**
 * A workload PeerAuthentication that weakens mTLS (PERMISSIVE or DISABLE,
 * for the workload or for listed ports), documented on the resource itself:
 * reason, owner, review date and ticket as annotations the analyzer reads
 * back. The review date may lie at most the app's `mesh.maxReviewDays` (365
 * unless set) ahead: a later one throws here, judged by `clock`, else the
 * `mesh.now` of `MtlsValidation.enable` if called before, else the system
 * clock. Synthesis fails once the review date has passed.
 *
 * The construct is the PeerAuthentication itself (an `ApiObject`).
 */
export class WorkloadException extends PeerAuthentication {
  /** The namespace the policy is written in. */
  public readonly namespace: string;
  /** The review date, `YYYY-MM-DD`. */
  public readonly reviewBy: string;
  /** The owner. */
  public readonly owner: string;

  public constructor(scope: Construct, id: string, props: WorkloadExceptionProps) {
    const owner = 'WorkloadException';
    const namespace = namespaceOf(owner, scope, props.namespace, 'a workload policy applies only in its own namespace');
    const name = optionalName(owner, props.name);
    checkModeIn(owner, 'mode', props.mode, [MtlsMode.PERMISSIVE, MtlsMode.DISABLE],
      'an exception weakens mTLS; tighten with WorkloadMtls');
    // A review date too far ahead throws now, against the app's horizon as enabled so far; synth judges it again.
    const exception = checkMtlsException(owner, props, '', MtlsValidation.reviewHorizonOf(scope, props.clock));

    let portLevelMtls: Record<string, { mode: string }> | undefined;
    if (props.ports !== undefined) {
      if (!Array.isArray(props.ports) || props.ports.length === 0) {
        fail(owner, `'ports' must list at least one container port, got ${show(JSON.stringify(props.ports))}; omit it to weaken the whole workload`);
      }
      const ports = [...new Set(props.ports.map((p) => checkPort(owner, 'ports', p)))].sort((a, b) => a - b);
      portLevelMtls = Object.fromEntries(ports.map((p) => [String(p), { mode: props.mode._toKube() }]));
    }
    const args = {
      selector: props.selector,
      namespace,
      name,
      annotations: exception.annotations,
      mode: portLevelMtls ? undefined : props.mode,
      portLevelMtls,
    };
    super(scope, id, workloadPeerAuthenticationProps(owner, args));
    MtlsValidation.enable(this);
    this.namespace = namespace;
    this.reviewBy = exception.reviewBy;
    this.owner = props.owner;
    checkSelectorAtSynth(this, owner, args.selector, namespace);
    MtlsValidation.addCheck(this, (now) =>
      mtlsExceptionExpiryErrors(owner, exception, `${this.namespace}/${this.name}`, 'reviewBy', now), EXPIRED_EXCEPTION);
  }
}
