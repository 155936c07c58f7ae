import { AnalysisContext } from './context';
import { AnalysisRule } from './rule';
import { Finding, compareFindings } from '../model/finding';
import { MeshModel } from '../model/mesh-model';
import { RuleInfo } from '../model/rule-info';
import { allowAllPolicy } from './rules/allow-all-policy';
import { ambientDisableIgnored } from './rules/ambient-disable-ignored';
import { ambientL7PolicyWithoutWaypoint } from './rules/ambient-l7-policy-without-waypoint';
import { ambientToSidecarPlaintext } from './rules/ambient-to-sidecar-plaintext';
import { authzRequiresMtls } from './rules/authz-requires-mtls';
import { authzUnknownNamespace } from './rules/authz-unknown-namespace';
import { authzUnknownServiceAccount } from './rules/authz-unknown-service-account';
import { competingDestinationRules } from './rules/competing-destination-rules';
import { dataplaneConflict } from './rules/dataplane-conflict';
import { destinationRuleHostNotFound } from './rules/destination-rule-host-not-found';
import { destinationRuleTlsWithoutCa } from './rules/destination-rule-tls-without-ca';
import { drDisablesTlsToPermissive } from './rules/dr-disables-tls-to-permissive';
import { drDisablesTlsToStrict } from './rules/dr-disables-tls-to-strict';
import { drMtlsToNonMtlsServer } from './rules/dr-mtls-to-non-mtls-server';
import { duplicateMeshPolicy } from './rules/duplicate-mesh-policy';
import { duplicateNamespacePolicy } from './rules/duplicate-namespace-policy';
import { duplicateObject } from './rules/duplicate-object';
import { exceptionDeniedByAuthz } from './rules/exception-denied-by-authz';
import { expiredException } from './rules/expired-exception';
import { exportToUnknownNamespace } from './rules/export-to-unknown-namespace';
import { handSetTlsMode } from './rules/hand-set-tls-mode';
import { inboundPortNotCaptured } from './rules/inbound-port-not-captured';
import { injectLabelOnWrongObject } from './rules/inject-label-on-wrong-object';
import { invalidCaptureAnnotation } from './rules/invalid-capture-annotation';
import { namespaceDisableDisablesAutoMtls } from './rules/namespace-disable-disables-auto-mtls';
import { namespaceNotInjected } from './rules/namespace-not-injected';
import { outboundCaptureBypass } from './rules/outbound-capture-bypass';
import { overlappingWorkloadPolicies } from './rules/overlapping-workload-policies';
import { plaintextClientToStrict } from './rules/plaintext-client-to-strict';
import { podMissingProxy } from './rules/pod-missing-proxy';
import { policyEnforcedNowhere } from './rules/policy-enforced-nowhere';
import { portLevelNotContainerPort } from './rules/port-level-not-container-port';
import { principalFormat } from './rules/principal-format';
import { proxyUidConflict } from './rules/proxy-uid-conflict';
import { rootNamespaceSelectorIgnored } from './rules/root-namespace-selector-ignored';
import { routeSubsetMissing } from './rules/route-subset-missing';
import { selectorMatchesNothing } from './rules/selector-matches-nothing';
import { serviceEntryMeshExternal } from './rules/service-entry-mesh-external';
import { sidecarIngressTlsIgnored } from './rules/sidecar-ingress-tls-ignored';
import { sidecarScopeHidesHost } from './rules/sidecar-scope-hides-host';
import { subsetMatchesNothing } from './rules/subset-matches-nothing';
import { undocumentedException } from './rules/undocumented-exception';
import { unknownTrustDomain } from './rules/unknown-trust-domain';
import { waypointBypassed } from './rules/waypoint-bypassed';
import { workloadEntryTlsMode } from './rules/workload-entry-tls-mode';

/** Every analysis rule, in code order. */
export const RULES: readonly AnalysisRule[] = Object.freeze([
  duplicateMeshPolicy,
  duplicateNamespacePolicy,
  overlappingWorkloadPolicies,
  selectorMatchesNothing,
  rootNamespaceSelectorIgnored,
  portLevelNotContainerPort,
  drDisablesTlsToStrict,
  drMtlsToNonMtlsServer,
  authzRequiresMtls,
  principalFormat,
  unknownTrustDomain,
  plaintextClientToStrict,
  namespaceNotInjected,
  allowAllPolicy,
  expiredException,
  undocumentedException,
  drDisablesTlsToPermissive,
  dataplaneConflict,
  ambientDisableIgnored,
  ambientL7PolicyWithoutWaypoint,
  policyEnforcedNowhere,
  waypointBypassed,
  ambientToSidecarPlaintext,
  inboundPortNotCaptured,
  outboundCaptureBypass,
  invalidCaptureAnnotation,
  routeSubsetMissing,
  serviceEntryMeshExternal,
  workloadEntryTlsMode,
  handSetTlsMode,
  sidecarScopeHidesHost,
  sidecarIngressTlsIgnored,
  namespaceDisableDisablesAutoMtls,
  competingDestinationRules,
  destinationRuleHostNotFound,
  subsetMatchesNothing,
  destinationRuleTlsWithoutCa,
  exportToUnknownNamespace,
  authzUnknownNamespace,
  authzUnknownServiceAccount,
  podMissingProxy,
  proxyUidConflict,
  injectLabelOnWrongObject,
  exceptionDeniedByAuthz,
  duplicateObject,
]);

/** The catalogue of analysis codes (IMA0xx), for RULES.md and SARIF. */
export const ANALYSIS_RULES: RuleInfo[] = RULES.map((r) => r.info);

export interface AnalyzeOptions {
  /** Run only these codes or categories. @default - all rules */
  readonly only?: readonly string[];
}

/** Runs every rule over the mesh; findings come back in a deterministic order. */
export function analyzeMesh(model: MeshModel, options: AnalyzeOptions = {}): Finding[] {
  const ctx = new AnalysisContext(model);
  const selected = options.only ? RULES.filter((r) => options.only!.includes(r.info.code) || options.only!.includes(r.info.category)) : RULES;
  const findings: Finding[] = [];
  for (const rule of selected) findings.push(...rule.check(ctx));
  return findings.sort(compareFindings);
}
