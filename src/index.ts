// Constructs and their vocabulary (cdk8s-facing).
export * from './constructs';
export * from './vocabulary';
export * from './vocabulary/kube-names';
export * from './vocabulary/duration';

// The synth-time face.
export * from './cdk8s/mtls-validation';

// The engine: manifests in, findings and explanations out.
export * from './model';
export { validateManifest, ValidationOptions } from './validation/validate';
export { builtinSchemaSet, schemaSetFromCrds, CrdSchemaSet, validateStructure, SCHEMA_RULES } from './validation/schema';
export { validateObject, OBJECT_RULES } from './validation/object-meta';
export { validateIstioWebhook, ISTIO_WEBHOOK_RULES } from './validation/istio';
export { validatePrometheusRule, PROMETHEUS_RULES, checkPromQL } from './validation/prometheus';
export * from './resolution';
export { analyzeMesh, ANALYSIS_RULES } from './analysis';
export { lint, LintInput, LintOptions } from './lint';
export { ALL_RULES } from './rules-catalog';

// Reading and reporting.
export { parseManifests, ParsedManifest, ParseProblem, ParseResult, TextPosition } from './input/parse-manifests';
export * from './report/lint-report';
export { renderLintText } from './report/text';
export { renderLintJson } from './report/json';
export { renderLintSarif, SarifOptions } from './report/sarif';
export { renderExplainText } from './report/explain-text';
export { renderExplainMarkdown } from './report/explain-markdown';
export { renderExplainMermaid } from './report/explain-mermaid';
