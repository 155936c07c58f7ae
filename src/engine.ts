// The engine, shipped as the subpath `cdk8s-istio-mtls/engine`: reading
// manifests, validation as the cluster does it, the mesh model, Istio's
// semantics, the cross-resource analysis, migration plans, certificate
// checks and reports. It knows nothing of cdk8s.
export { parseManifests } from './input/parse-manifests';
export type { ManifestSource, ParsedManifest, ParseOptions, ParseProblem, ParseResult, TextPosition } from './input/parse-manifests';
export { lint } from './lint';
export type { InputSource, LintInput, LintOptions } from './lint';
export { validateManifest } from './validation/validate';
export type { ValidationOptions } from './validation/validate';
export { builtinSchemaSet, schemaSetFromCrds } from './validation/schema';
export type { CrdSchemaSet } from './validation/schema';
export { buildMeshModel } from './model/mesh-model';
export type { MeshModel, SkippedManifest } from './model/mesh-model';
export type { MeshOptions } from './model/mesh-options';
export type { Manifest, ManifestMetadata, ResourceRef } from './model/manifest';
export type { Acknowledgment, Finding, Severity } from './model/finding';
export type { RuleInfo } from './model/rule-info';
export type { NamespaceInfo, ContainerPort, Workload, ServicePort, ServiceInfo } from './model/inventory';
export type {
  PeerAuthenticationMode, PeerAuthenticationLevel, PortLevelMode, PeerAuthenticationPolicy, ClientTlsMode, ClientTlsSetting,
  DestinationRulePolicy, AuthorizationAction, AuthorizationPolicyInfo, AuthorizationRuleSummary, IdentityUse, PrincipalUse,
} from './model/policies';
export { resolveServerMode } from './resolution/server-mode';
export type { EffectiveMode, ResolvedMode, ModeLevel, ModeDecision, PortModeDecision, ServerModeResolution } from './resolution/server-mode';
export { resolveSidecar } from './resolution/sidecar';
export type { SidecarResolution } from './resolution/sidecar';
export { resolveDataplane } from './resolution/dataplane';
export type { Dataplane, DataplaneResolution } from './resolution/dataplane';
export type { InjectionDecision, AmbientDecision } from './resolution/injection';
export type { PodCapture, CaptureProblem, InterceptionMode, OutboundCapture } from './resolution/capture';
export { resolveClientTls } from './resolution/client-tls';
export type { WireTls, ClientTlsSource, ClientTlsResolution, EndpointFacts } from './resolution/client-tls';
export type { DestinationRuleLookup, LookupStep } from './resolution/destination-rule-lookup';
export { resolveConnection } from './resolution/connection';
export type { ConnectionOutcome, ConnectionResolution, ConnectionFacts } from './resolution/connection';
export { explainMesh } from './resolution/explain';
export type {
  MeshExplanation, ExplainedWorkload, ExplainedPort, ExplainedConnection, ExplainedRef, ExplainedLeftOut, ExplainOptions,
} from './resolution/explain';
export { analyzeMesh } from './analysis/analyze';
export type { AnalyzeOptions } from './analysis/analyze';
export { planMigration, MigrationPlanError } from './migration/plan';
export type {
  MigrationPlan, MigrationPhase, PhaseKind, PlannedMode, PhaseGate, PhaseFailure, ModeChange, PhaseChanges, PhaseRollback,
} from './migration/plan';
export type { MigrationPlanOptions, ServiceTarget, DeclaredCaller, PlaintextCaller, InjectionLabel } from './migration/options';
export { renderRunbook } from './migration/runbook';
export { preflightCa } from './certificates/preflight';
export { CA_FILES, formatCertificateFinding } from './certificates/certificate-finding';
export type { CaBundlePem, CaFileName, CertificateFinding } from './certificates/certificate-finding';
export type { CaPreflightOptions } from './certificates/preflight';
export { ALL_RULES } from './rules-catalog';
export { messageWithSubject, summarize } from './report/lint-report';
export type { LocatedFinding, InputProblem, LintReport, LintSummary } from './report/lint-report';
export { renderLintText } from './report/text';
export { renderLintJson } from './report/json';
export { renderLintSarif } from './report/sarif';
export type { SarifOptions } from './report/sarif';
export { renderExplainText } from './report/explain-text';
export { renderExplainMarkdown } from './report/explain-markdown';
export { renderExplainMermaid } from './report/explain-mermaid';
