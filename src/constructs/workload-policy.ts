import { ApiObjectMetadata, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode, PeerAuthenticationSpecPortLevelMtls } from '../../imports/security.istio.io';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { fail, show } from '../vocabulary/checks';
import { MtlsMode } from '../vocabulary/mtls-mode';
import { WorkloadSelector } from '../vocabulary/workload-selector';

/**
 * The workload PeerAuthentication both WorkloadMtls and WorkloadException
 * emit: a selector resolved at synthesis, an optional mode and port modes.
 * Registers the selector's checks as a validation of `owner`. Internal.
 */
export function workloadPeerAuthentication(owner: Construct, ownerName: string, args: {
  readonly selector: WorkloadSelector;
  readonly namespace: string;
  readonly name?: string;
  readonly annotations?: Record<string, string>;
  readonly mode?: MtlsMode;
  readonly portLevelMtls?: Record<string, { mode: string }>;
}): PeerAuthentication {
  if (!(args.selector instanceof WorkloadSelector)) {
    fail(ownerName, `'selector' must be a WorkloadSelector (WorkloadSelector.of({...}) or WorkloadSelector.fromWorkload(workload)), got ${show(args.selector)}`);
  }
  // Omit an unset name: an explicit undefined would override cdk8s' generated one.
  const metadata: ApiObjectMetadata = {
    ...(args.name !== undefined ? { name: args.name } : {}),
    namespace: args.namespace,
    ...(args.annotations !== undefined ? { annotations: args.annotations } : {}),
  };
  const resource = new PeerAuthentication(owner, 'Resource', {
    metadata,
    spec: {
      // Lazy: a selector derived from a workload reads the workload's final labels at synthesis.
      selector: { matchLabels: Lazy.any({ produce: () => args.selector._matchLabels() }) },
      mtls: args.mode ? { mode: args.mode._toKube() as PeerAuthenticationSpecMtlsMode } : undefined,
      portLevelMtls: args.portLevelMtls as Record<string, PeerAuthenticationSpecPortLevelMtls> | undefined,
    },
  });
  MtlsValidation.addValidationOncePerSynth(owner, () => args.selector._validate(ownerName, args.namespace));
  return resource;
}
