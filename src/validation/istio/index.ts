import { Finding } from '../../model/finding';
import { groupOf, Manifest, ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';
import { ValidationLayer } from '../layer';
import { ANY_ISTIO_KIND_RULES, ISTIO_WEBHOOK_GROUPS, validateAnyIstioKind } from './any-kind';
import { AUTHORIZATION_POLICY_RULES, validateAuthorizationPolicy } from './authorization-policy';
import { inDocumentOrder } from './common';
import { DESTINATION_RULE_RULES, validateDestinationRule } from './destination-rule';
import { PEER_AUTHENTICATION_RULES, validatePeerAuthentication } from './peer-authentication';

export { validatePeerAuthentication, PEER_AUTHENTICATION_RULES } from './peer-authentication';
export { validateAuthorizationPolicy, AUTHORIZATION_POLICY_RULES } from './authorization-policy';
export { validateDestinationRule, DESTINATION_RULE_RULES } from './destination-rule';
export { validateAnyIstioKind, ANY_ISTIO_KIND_RULES } from './any-kind';

/** Every code the Istio webhook layer can report, in code order. */
export const ISTIO_WEBHOOK_RULES: RuleInfo[] = [
  ...PEER_AUTHENTICATION_RULES,
  ...AUTHORIZATION_POLICY_RULES,
  ...DESTINATION_RULE_RULES,
  ...ANY_ISTIO_KIND_RULES,
];

const VALIDATORS: Record<string, ValidationLayer> = {
  'security.istio.io/PeerAuthentication': validatePeerAuthentication,
  'security.istio.io/AuthorizationPolicy': validateAuthorizationPolicy,
  'networking.istio.io/DestinationRule': validateDestinationRule,
};

/**
 * Validation layer 3: what istiod's validating webhook (Istio 1.30) rejects or
 * warns about. Every kind of the Istio API groups gets the checks istiod runs
 * on any kind (decoding of the spec, reserved and test annotations);
 * PeerAuthentication, AuthorizationPolicy and DestinationRule also get their
 * own rules, in every served version. Other groups give no findings. Findings
 * come in the order their fields appear in the manifest. `afterBuiltinSchema`:
 * the manifest passed the built-in schema of its kind (validateManifest
 * knows), so its spec's JSON types need no second check.
 */
export function validateIstioWebhook(manifest: Manifest, ref: ResourceRef, afterBuiltinSchema = false): Finding[] {
  const group = groupOf(ref.apiVersion);
  if (!ISTIO_WEBHOOK_GROUPS.includes(group)) return [];
  const validate = VALIDATORS[`${group}/${ref.kind}`];
  const findings = validateAnyIstioKind(manifest, ref, afterBuiltinSchema);
  if (validate) findings.push(...validate(manifest, ref));
  return inDocumentOrder(manifest, findings);
}
