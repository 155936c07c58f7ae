import { Construct } from 'constructs';
import { namespaceOf, optionalName } from './scope';
import { workloadPeerAuthentication } from './workload-policy';
import { PeerAuthentication } from '../../imports/security.istio.io';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { checkNonEmpty, checkPort, fail, show } from '../vocabulary/checks';
import {
  DEFAULT_EXCEPTION_ANNOTATION_PREFIX, exceptionAnnotationKeys, formatReviewDate, isReviewOverdue, parseReviewDate,
} from '../vocabulary/exception-annotations';
import { qualifiedNameErrors } from '../vocabulary/kube-names';
import { MtlsMode, checkModeIn } from '../vocabulary/mtls-mode';
import { WorkloadSelector } from '../vocabulary/workload-selector';

/** Properties of {@link WorkloadException}. */
export interface WorkloadExceptionProps {
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

  /** Why mTLS is weakened, e.g. "Third-party client does not support mTLS". */
  readonly reason: string;

  /** Who answers for the exception (a team or an address). */
  readonly owner: string;

  /**
   * The date by which the exception must be reviewed: `YYYY-MM-DD`, or a
   * `Date` (its UTC day). Synthesis fails once this date has passed.
   */
  readonly reviewBy: string | Date;

  /**
   * The tracking ticket.
   * @default - none
   */
  readonly ticket?: string;

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

  /**
   * The prefix of the annotation keys (`<prefix>reason`, `<prefix>owner`,
   * `<prefix>review-by`, `<prefix>ticket`).
   * @default 'mtls.exception/'
   */
  readonly annotationPrefix?: string;

  /**
   * The clock the review date is checked against (for tests).
   * @default - the system clock
   */
  readonly clock?: () => Date;
}

/**
 * A workload PeerAuthentication that weakens mTLS (PERMISSIVE or DISABLE,
 * for the workload or for listed ports), documented on the resource itself:
 * reason, owner, review date and ticket as annotations the analyzer reads
 * back. Synthesis fails once the review date has passed.
 */
export class WorkloadException extends Construct {
  /** The workload PeerAuthentication. */
  public readonly resource: PeerAuthentication;
  /** The namespace the policy is written in. */
  public readonly namespace: string;
  /** The review date, `YYYY-MM-DD`. */
  public readonly reviewBy: string;
  /** The owner. */
  public readonly owner: string;

  public constructor(scope: Construct, id: string, props: WorkloadExceptionProps) {
    super(scope, id);
    MtlsValidation.enable(this);
    const owner = 'WorkloadException';
    this.namespace = namespaceOf(owner, this, props.namespace, 'a workload policy applies only in its own namespace');
    const name = optionalName(owner, props.name);
    checkModeIn(owner, 'mode', props.mode, [MtlsMode.PERMISSIVE, MtlsMode.DISABLE],
      'an exception weakens mTLS; tighten with WorkloadMtls');
    checkNonEmpty(owner, 'reason', props.reason);
    checkNonEmpty(owner, 'owner', props.owner);
    if (props.ticket !== undefined) checkNonEmpty(owner, 'ticket', props.ticket);
    this.reviewBy = reviewDate(props.reviewBy);
    this.owner = props.owner;

    const prefix = props.annotationPrefix ?? DEFAULT_EXCEPTION_ANNOTATION_PREFIX;
    const keys = exceptionAnnotationKeys(prefix);
    const keyErrors = prefix.endsWith('/') ? qualifiedNameErrors(keys.reviewBy) : ['must end with "/"'];
    if (keyErrors.length > 0) {
      fail(owner, `'annotationPrefix' must be a DNS subdomain followed by "/" (e.g. "mtls.exception/"), got ${show(prefix)}: ${keyErrors.join('; ')}`);
    }
    const annotations: Record<string, string> = {
      [keys.owner]: props.owner,
      [keys.reason]: props.reason,
      [keys.reviewBy]: this.reviewBy,
    };
    if (props.ticket !== undefined) annotations[keys.ticket] = props.ticket;

    let portLevelMtls: Record<string, { mode: string }> | undefined;
    if (props.ports !== undefined) {
      if (!Array.isArray(props.ports) || props.ports.length === 0) {
        fail(owner, `'ports' must list at least one container port, got ${show(JSON.stringify(props.ports))}; omit it to weaken the whole workload`);
      }
      const ports = [...new Set(props.ports.map((p) => checkPort(owner, 'ports', p)))].sort((a, b) => a - b);
      portLevelMtls = Object.fromEntries(ports.map((p) => [String(p), { mode: props.mode._toKube() }]));
    }

    this.resource = workloadPeerAuthentication(this, owner, {
      selector: props.selector,
      namespace: this.namespace,
      name,
      annotations,
      mode: portLevelMtls ? undefined : props.mode,
      portLevelMtls,
    });

    const clock = props.clock ?? (() => new Date());
    MtlsValidation.addValidationOncePerSynth(this, () => {
      const now = clock();
      if (!isReviewOverdue(this.reviewBy, now)) return [];
      return [`[${owner}] mTLS exception "${this.namespace}/${this.resource.name}" owned by ${props.owner} expired on ${this.reviewBy} (today is ${formatReviewDate(now)}): review it and move 'reviewBy' forward, or remove the exception`];
    });
  }
}

function reviewDate(value: string | Date): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) fail('WorkloadException', "'reviewBy' must be a valid date, got an invalid Date");
    return formatReviewDate(value);
  }
  if (typeof value !== 'string' || !parseReviewDate(value)) {
    fail('WorkloadException', `'reviewBy' must be a calendar date written YYYY-MM-DD (or a Date), got ${show(value)}`);
  }
  return value;
}
