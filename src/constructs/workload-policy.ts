import { ApiObjectMetadata, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { PeerAuthenticationProps, PeerAuthenticationSpecMtlsMode, PeerAuthenticationSpecPortLevelMtls } from '../../imports/security.istio.io';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { fail, show } from '../vocabulary/checks';
import { MtlsMode } from '../vocabulary/mtls-mode';
import { WorkloadSelector } from '../vocabulary/workload-selector';

/** What WorkloadMtls and WorkloadException put in their PeerAuthentication. Internal. */
export interface WorkloadPolicyArgs {
  readonly selector: WorkloadSelector;
  readonly namespace: string;
  readonly name?: string;
  readonly annotations?: Record<string, string>;
  readonly mode?: MtlsMode;
  readonly portLevelMtls?: Record<string, { mode: string }>;
}

/**
 * The props of the workload PeerAuthentication both WorkloadMtls and
 * WorkloadException are: a selector resolved at synthesis, an optional mode
 * and port modes. Checks the selector's type. Internal.
 */
export function workloadPeerAuthenticationProps(ownerName: string, args: WorkloadPolicyArgs): PeerAuthenticationProps {
  if (!(args.selector instanceof WorkloadSelector)) {
    fail(ownerName, `'selector' must be a WorkloadSelector (WorkloadSelector.of({...}) or WorkloadSelector.fromWorkload(workload)), got ${show(args.selector)}`);
  }
  const selector = args.selector;
  // Omit an unset name: an explicit undefined would override cdk8s' generated one.
  const metadata: ApiObjectMetadata = {
    ...(args.name !== undefined ? { name: args.name } : {}),
    namespace: args.namespace,
    ...(args.annotations !== undefined ? { annotations: args.annotations } : {}),
  };
  return {
    metadata,
    spec: {
      // Lazy: a selector derived from a workload reads the workload's final labels at synthesis.
      selector: { matchLabels: Lazy.any({ produce: () => selector._matchLabels() }) },
      mtls: args.mode ? { mode: args.mode._toKube() as PeerAuthenticationSpecMtlsMode } : undefined,
      portLevelMtls: args.portLevelMtls as Record<string, PeerAuthenticationSpecPortLevelMtls> | undefined,
    },
  };
}

/** Registers the selector's synthesis-time checks as a validation of `owner`. Internal. */
export function checkSelectorAtSynth(owner: IConstruct, ownerName: string, args: WorkloadPolicyArgs): void {
  MtlsValidation.addValidationOncePerSynth(owner, () => args.selector._validate(ownerName, args.namespace));
}
