/* eslint-disable @typescript-eslint/no-require-imports */
// Public API. Constructs, their vocabulary and the synth hook load with the
// library; the engine loads on first use (see engine.ts), which keeps
// `import 'cdk8s-istio-mtls'` close to the cost of `import 'cdk8s'`.
import type * as Engine from './engine';

export * from './constructs';
export * from './vocabulary';
export * from './vocabulary/kube-names';
export * from './vocabulary/duration';
export * from './cdk8s/mtls-validation';
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
} from './engine';

let engine: typeof Engine | undefined;
function load(): typeof Engine {
  return engine ??= require('./engine');
}

/** Validates and analyses manifests (see `lint` in the engine). */
export function lint(...args: Parameters<typeof Engine.lint>): ReturnType<typeof Engine.lint> {
  return load().lint(...args);
}
/** Everything a cluster would say about one manifest: object, CRD schema, CEL, webhook. */
export function validateManifest(...args: Parameters<typeof Engine.validateManifest>): ReturnType<typeof Engine.validateManifest> {
  return load().validateManifest(...args);
}
/** Builds the immutable, indexed mesh model from manifests. */
export function buildMeshModel(...args: Parameters<typeof Engine.buildMeshModel>): ReturnType<typeof Engine.buildMeshModel> {
  return load().buildMeshModel(...args);
}
/** The cross-resource analysis of a mesh model. */
export function analyzeMesh(...args: Parameters<typeof Engine.analyzeMesh>): ReturnType<typeof Engine.analyzeMesh> {
  return load().analyzeMesh(...args);
}
/** Every workload and port with its effective mode and why; optionally the connections. */
export function explainMesh(...args: Parameters<typeof Engine.explainMesh>): ReturnType<typeof Engine.explainMesh> {
  return load().explainMesh(...args);
}
/** The effective server-side mode of a workload and its ports. */
export function resolveServerMode(...args: Parameters<typeof Engine.resolveServerMode>): ReturnType<typeof Engine.resolveServerMode> {
  return load().resolveServerMode(...args);
}
/** Whether a workload gets a sidecar, and why. */
export function resolveSidecar(...args: Parameters<typeof Engine.resolveSidecar>): ReturnType<typeof Engine.resolveSidecar> {
  return load().resolveSidecar(...args);
}
/** The DestinationRule a client uses for a service port and the TLS it sends. */
export function resolveClientTls(...args: Parameters<typeof Engine.resolveClientTls>): ReturnType<typeof Engine.resolveClientTls> {
  return load().resolveClientTls(...args);
}
/** Whether a client → service connection succeeds, and why. */
export function resolveConnection(...args: Parameters<typeof Engine.resolveConnection>): ReturnType<typeof Engine.resolveConnection> {
  return load().resolveConnection(...args);
}
/** Reads Kubernetes objects from YAML or JSON text, with positions. */
export function parseManifests(...args: Parameters<typeof Engine.parseManifests>): ReturnType<typeof Engine.parseManifests> {
  return load().parseManifests(...args);
}
/** CRD schemas from your cluster's CustomResourceDefinitions, to validate against instead of the built-in ones. */
export function schemaSetFromCrds(...args: Parameters<typeof Engine.schemaSetFromCrds>): ReturnType<typeof Engine.schemaSetFromCrds> {
  return load().schemaSetFromCrds(...args);
}
/** The phased migration of a cluster state from plaintext to STRICT (what `istio-mtls plan` prints). */
export function planMigration(...args: Parameters<typeof Engine.planMigration>): ReturnType<typeof Engine.planMigration> {
  return load().planMigration(...args);
}
/** The Markdown runbook of a migration plan. */
export function renderRunbook(...args: Parameters<typeof Engine.renderRunbook>): ReturnType<typeof Engine.renderRunbook> {
  return load().renderRunbook(...args);
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
