/**
 * The whole engine in one module: validation, model, resolution, analysis,
 * reading and reporting. `index.ts` exposes its functions lazily, so that
 * importing the library for its constructs stays cheap; import this module
 * (`cdk8s-istio-mtls/lib/src/engine`) for everything, catalogues included.
 */
export * from './model';
export * from './resolution';
export { analyzeMesh, ANALYSIS_RULES, AnalyzeOptions } from './analysis';
export { validateManifest, ValidationOptions } from './validation/validate';
export { builtinSchemaSet, schemaSetFromCrds, CrdSchemaSet, validateStructure, SCHEMA_RULES } from './validation/schema';
export { validateObject, OBJECT_RULES } from './validation/object-meta';
export { validateIstioWebhook, ISTIO_WEBHOOK_RULES } from './validation/istio';
export { validatePrometheusRule, PROMETHEUS_RULES, checkPromQL } from './validation/prometheus';
export { lint, validateInputs, analyzeInputs, sortLocated, LintInput, LintOptions } from './lint';
export { ALL_RULES } from './rules-catalog';
export * from './migration';
export { parseManifests, ParsedManifest, ParseProblem, ParseResult, TextPosition } from './input/parse-manifests';
export * from './report/lint-report';
export { renderLintText } from './report/text';
export { renderLintJson } from './report/json';
export { renderLintSarif, SarifOptions } from './report/sarif';
export { renderExplainText } from './report/explain-text';
export { renderExplainMarkdown } from './report/explain-markdown';
export { renderExplainMermaid } from './report/explain-mermaid';
