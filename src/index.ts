// The constructs, their vocabulary, synth-time validation and the cdk8s-cli
// plugin. The engine (reading, validation, analysis, explanation, migration
// plans, certificate checks, reports) is the subpath `cdk8s-istio-mtls/engine`.
export * from './constructs';
export { acknowledge } from './constructs/acknowledge';
export * from './vocabulary';
export { MtlsValidation, MtlsValidationOptions } from './cdk8s/mtls-validation';
export * from './cdk8s/validation-plugin';
export type { CaBundlePem, CaFileName } from './certificates/certificate-finding';
export type { Manifest, ManifestMetadata, ResourceRef } from './model/manifest';
export type { Acknowledgment, Finding, Severity } from './model/finding';
export type { RuleInfo } from './model/rule-info';
export type { MeshOptions } from './model/mesh-options';
export type { LintOptions } from './lint';
export type { ValidationOptions } from './validation/validate';
export type { CrdSchemaSet } from './validation/schema';
