import { AnalysisContext } from './context';
import { AnalysisRule } from './rule';
import { Finding, compareFindings } from '../model/finding';
import { MeshModel } from '../model/mesh-model';
import { RuleInfo } from '../model/rule-info';
import { allowAllPolicy } from './rules/allow-all-policy';
import { authzRequiresMtls } from './rules/authz-requires-mtls';
import { drDisablesTlsToPermissive } from './rules/dr-disables-tls-to-permissive';
import { drDisablesTlsToStrict } from './rules/dr-disables-tls-to-strict';
import { drMtlsToNonMtlsServer } from './rules/dr-mtls-to-non-mtls-server';
import { duplicateMeshPolicy } from './rules/duplicate-mesh-policy';
import { duplicateNamespacePolicy } from './rules/duplicate-namespace-policy';
import { expiredException } from './rules/expired-exception';
import { namespaceNotInjected } from './rules/namespace-not-injected';
import { overlappingWorkloadPolicies } from './rules/overlapping-workload-policies';
import { plaintextClientToStrict } from './rules/plaintext-client-to-strict';
import { portLevelNotContainerPort } from './rules/port-level-not-container-port';
import { principalFormat } from './rules/principal-format';
import { rootNamespaceSelectorIgnored } from './rules/root-namespace-selector-ignored';
import { selectorMatchesNothing } from './rules/selector-matches-nothing';
import { undocumentedException } from './rules/undocumented-exception';
import { unknownTrustDomain } from './rules/unknown-trust-domain';

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
