import { Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { metadataOf } from './scope';
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
  return {
    metadata: metadataOf(args.name, args.namespace, args.annotations),
    spec: {
      selector: { matchLabels: matchLabelsOf(selector) },
      mtls: args.mode ? { mode: args.mode._toKube() as PeerAuthenticationSpecMtlsMode } : undefined,
      portLevelMtls: args.portLevelMtls as Record<string, PeerAuthenticationSpecPortLevelMtls> | undefined,
    },
  };
}

/**
 * The `matchLabels` to render: the labels themselves when known now, else a
 * `Lazy` that reads the workload's final labels at synthesis. Internal.
 */
export function matchLabelsOf(selector: WorkloadSelector): Record<string, string> {
  return selector._fixedLabels() ?? Lazy.any({ produce: () => selector._matchLabels() });
}

/**
 * Registers the selector's synthesis-time checks as a validation of `owner`,
 * for a selector derived from a workload (labels given to `of()` were checked
 * when it was made). Internal.
 */
export function checkSelectorAtSynth(owner: IConstruct, ownerName: string, selector: WorkloadSelector, namespace: string): void {
  if (selector._fixedLabels()) return;
  MtlsValidation.addCheck(owner, () => selector._validate(ownerName, namespace));
}
