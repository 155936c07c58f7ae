import { Construct } from 'constructs';
import { namespaceOf, optionalName } from './scope';
import { checkSelectorAtSynth, workloadPeerAuthenticationProps } from './workload-policy';
import { PeerAuthentication } from '../../imports/security.istio.io';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { EXPIRED_EXCEPTION } from '../model/exception-rules';
import { fail } from '../vocabulary/checks';
import { MtlsExceptionProps, checkWeakeningException, mtlsExceptionExpiryErrors } from '../vocabulary/mtls-exception';
import { MtlsMode, checkModeIn } from '../vocabulary/mtls-mode';
import { PortLevelMtls, renderPortLevelMtls } from '../vocabulary/port-mtls';
import { WorkloadSelector } from '../vocabulary/workload-selector';

/** Properties of {@link WorkloadMtls}. */
export interface WorkloadMtlsProps {
  /** The pods the policy applies to. Port-level modes need a selector, so it is required. */
  readonly selector: WorkloadSelector;

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
   * The workload's mode. UNSET inherits the namespace (then mesh) mode.
   * PERMISSIVE and DISABLE weaken mTLS and need `exception`.
   * @default - no `mtls` field: the workload inherits, and only `portLevelMtls` applies
   */
  readonly mode?: MtlsMode;

  /**
   * Modes for single ports, keyed by **container port** (the `containerPort` /
   * Service `targetPort` the application listens on), not the Service port.
   * A port-level UNSET inherits the workload's mode. A PERMISSIVE or DISABLE
   * port weakens mTLS and needs `exception`.
   * @default - no port-level modes
   */
  readonly portLevelMtls?: PortLevelMtls;

  /**
   * The documentation of the weakening, required when `mode` or a port is
   * PERMISSIVE or DISABLE (and refused otherwise): written as
   * `mtls.exception/*` annotations, and synthesis fails once its review date
   * has passed.
   * @default - none: the policy may only be STRICT or UNSET
   */
  readonly exception?: MtlsExceptionProps;
}

/**
 * A workload PeerAuthentication: a selector, the workload's mode, and
 * port-level modes. A PERMISSIVE or DISABLE mode or port needs an
 * `exception` (reason, owner, review date); {@link WorkloadException} is
 * the construct made for weakening one mode.
 *
 * The construct is the PeerAuthentication itself (an `ApiObject`):
 * `metadata`, `name` and `addJsonPatch()` are available on it directly.
 */
export class WorkloadMtls extends PeerAuthentication {
  /** The namespace the policy is written in. */
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: WorkloadMtlsProps) {
    const namespace = namespaceOf('WorkloadMtls', scope, props.namespace, 'a workload policy applies only in its own namespace');
    const name = optionalName('WorkloadMtls', props.name);
    if (props.mode === undefined && props.portLevelMtls === undefined) {
      fail('WorkloadMtls', "needs 'mode', 'portLevelMtls' or both: a policy with neither changes nothing");
    }
    if (props.mode !== undefined) checkModeIn('WorkloadMtls', 'mode', props.mode, MtlsMode.ALL);
    const ports = props.portLevelMtls !== undefined ? renderPortLevelMtls('WorkloadMtls', 'portLevelMtls', props.portLevelMtls) : undefined;
    const weakPort = Object.entries(ports ?? {}).find(([, p]) => p.mode === 'PERMISSIVE' || p.mode === 'DISABLE');
    const exception = checkWeakeningException('WorkloadMtls', {
      weakening: props.mode?.acceptsPlaintext ? `'mode' is ${props.mode.name}`
        : weakPort ? `'portLevelMtls' port ${weakPort[0]} is ${weakPort[1].mode}` : undefined,
      where: '',
      unweakened: "no 'mode' or 'portLevelMtls' port is PERMISSIVE or DISABLE",
      alternative: ', or use WorkloadException',
      exception: props.exception,
    });
    const args = {
      selector: props.selector,
      namespace,
      name,
      annotations: exception?.annotations,
      mode: props.mode,
      portLevelMtls: ports,
    };
    super(scope, id, workloadPeerAuthenticationProps('WorkloadMtls', args));
    MtlsValidation.enable(this);
    this.namespace = namespace;
    checkSelectorAtSynth(this, 'WorkloadMtls', args.selector, namespace);
    if (exception) {
      MtlsValidation.addCheck(this, (now) =>
        mtlsExceptionExpiryErrors('WorkloadMtls', exception, `${this.namespace}/${this.name}`, 'exception.reviewBy', now), EXPIRED_EXCEPTION);
    }
  }
}
