/* eslint-disable @typescript-eslint/no-require-imports */
// Public API. Constructs, their vocabulary and the synth hook load with the
// library; the engine loads on first use (see engine.ts), which keeps
// `import 'cdk8s-istio-mtls'` close to the cost of `import 'cdk8s'`.
import type * as Engine from './engine';
import type { Finding } from './model/finding';
import type { Manifest } from './model/manifest';

export * from './constructs';
export * from './vocabulary';
export * from './vocabulary/kube-names';
export * from './vocabulary/duration';
export * from './cdk8s/mtls-validation';
export * from './cdk8s/validation-plugin';
export * from './certificates';
export * from './model/manifest';
export * from './model/finding';
export * from './model/rule-info';

export type {
  MeshOptions, MeshModel, Workload, ServiceInfo, ServicePort, NamespaceInfo,
  ValidationOptions, CrdSchemaSet, LintInput, LintOptions,
  ParsedManifest, ParseProblem, ParseResult, TextPosition,
  LocatedFinding, InputProblem, LintReport, LintSummary, SarifOptions,
  MeshExplanation, ExplainedWorkload, ExplainedPort, ExplainedConnection, ExplainedRef, ExplainOptions,
  ServerModeResolution, SidecarResolution, ConnectionResolution, ClientTlsResolution,
  AnalyzeOptions, EndpointFacts, ConnectionFacts, MigrationPlanOptions,
} from './engine';

let engine: typeof Engine | undefined;
function load(): typeof Engine {
  return engine ??= require('./engine');
}

/**
 * Validates every manifest as the cluster would and analyses them together as
 * one mesh; findings come back located and in a deterministic order.
 */
export function lint(inputs: readonly Engine.LintInput[], options?: Engine.LintOptions): Engine.LocatedFinding[] {
  return load().lint(inputs, options);
}
/** Everything a cluster would say about one manifest: object, CRD schema, CEL, webhook. */
export function validateManifest(manifest: Manifest, options?: Engine.ValidationOptions): Finding[] {
  return load().validateManifest(manifest, options);
}
/** Builds the immutable, indexed mesh model (policies and inventory) from manifests. */
export function buildMeshModel(manifests: readonly Manifest[], options?: Engine.MeshOptions): Engine.MeshModel {
  return load().buildMeshModel(manifests, options);
}
/** The cross-resource analysis of a mesh model. */
export function analyzeMesh(model: Engine.MeshModel, options?: Engine.AnalyzeOptions): Finding[] {
  return load().analyzeMesh(model, options);
}
/** Every workload and port with its effective mode and the policy that decided it; optionally the connections. */
export function explainMesh(model: Engine.MeshModel, options?: Engine.ExplainOptions): Engine.MeshExplanation {
  return load().explainMesh(model, options);
}
/** The effective server-side mode of a workload and of each of its ports. */
export function resolveServerMode(model: Engine.MeshModel, workload: Engine.Workload): Engine.ServerModeResolution {
  return load().resolveServerMode(model, workload);
}
/** Whether a workload gets a sidecar, and why. */
export function resolveSidecar(model: Engine.MeshModel, workload: Engine.Workload): Engine.SidecarResolution {
  return load().resolveSidecar(model, workload);
}
/** The DestinationRule a client uses for a Service port, and the TLS it sends. */
export function resolveClientTls(
  model: Engine.MeshModel, client: Engine.Workload, service: Engine.ServiceInfo, servicePort: number, endpoint?: Engine.EndpointFacts,
): Engine.ClientTlsResolution {
  return load().resolveClientTls(model, client, service, servicePort, endpoint);
}
/** Whether a client → Service port → server workload connection succeeds, and why. */
export function resolveConnection(
  model: Engine.MeshModel, client: Engine.Workload, service: Engine.ServiceInfo, servicePort: number, server: Engine.Workload,
  facts?: Engine.ConnectionFacts,
): Engine.ConnectionResolution {
  return load().resolveConnection(model, client, service, servicePort, server, facts);
}
/** Reads Kubernetes objects from YAML or JSON text (multi-document, `kind: List`), with positions. */
export function parseManifests(content: Buffer | string): Engine.ParseResult {
  return load().parseManifests(content);
}
/** CRD schemas from your cluster's CustomResourceDefinitions, to validate against instead of the built-in ones. */
export function schemaSetFromCrds(docs: unknown[]): Engine.CrdSchemaSet {
  return load().schemaSetFromCrds(docs);
}
/** The phased migration of a cluster state from plaintext to STRICT (what `istio-mtls plan` prints). */
export function planMigration(manifests: readonly Manifest[], options: Engine.MigrationPlanOptions): Engine.MigrationPlan {
  return load().planMigration(manifests, options);
}
/** The Markdown runbook of a migration plan. */
export function renderRunbook(plan: Engine.MigrationPlan): string {
  return load().renderRunbook(plan);
}
/** Every documented rule code, sorted (the source of RULES.md). */
export function allRules(): typeof Engine.ALL_RULES {
  return load().ALL_RULES;
}
/** Renders lint findings as text, JSON or SARIF 2.1.0. */
export function renderLint(format: 'text' | 'json' | 'sarif', report: Engine.LintReport, sarif?: Engine.SarifOptions): string {
  const e = load();
  if (format === 'json') return e.renderLintJson(report);
  if (format === 'sarif') return e.renderLintSarif(report, sarif ?? { rules: e.ALL_RULES, toolVersion: '0.0.0' });
  return e.renderLintText(report);
}
/** Renders an explanation as text, Markdown or a Mermaid flowchart. */
export function renderExplain(format: 'text' | 'markdown' | 'mermaid', explanation: Engine.MeshExplanation): string {
  const e = load();
  if (format === 'markdown') return e.renderExplainMarkdown(explanation);
  if (format === 'mermaid') return e.renderExplainMermaid(explanation);
  return e.renderExplainText(explanation);
}
