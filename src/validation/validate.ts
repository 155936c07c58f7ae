import { validateIstioWebhook } from './istio';
import { validateObject } from './object-meta';
import { nameValidationScheme } from './prometheus/names';
import { validatePrometheusRule } from './prometheus/webhook';
import { builtinSchemaSet, CrdSchemaSet, validateStructure } from './schema';
import { Finding } from '../model/finding';
import { groupOf, Manifest, refOf, ResourceRef } from '../model/manifest';

export interface ValidationOptions {
  /**
   * The CRD schemas to validate against: the built-in Istio 1.30.3 and
   * prometheus-operator v0.93.0 ones, or your cluster's (`schemaSetFromCrds`).
   * @default - the built-in schemas
   */
  readonly crds?: CrdSchemaSet;
  /**
   * How PrometheusRule record, label and annotation names are validated: the
   * prometheus-operator webhook's `--name-validation-scheme` flag. `legacy`
   * accepts `[a-zA-Z_:][a-zA-Z0-9_:]*` names only; `utf8` any UTF-8 name.
   * @default 'legacy'
   */
  readonly nameValidationScheme?: 'legacy' | 'utf8';
}

/** The code of a finding that says a check crashed (our defect, not the manifest's). */
export const INTERNAL_ERROR = 'IMV001';

/**
 * Everything a cluster would say about one manifest, in the order it would say
 * it: the object itself, then the CRD schema and its CEL rules (API server),
 * then the validating webhook (istiod or prometheus-operator). As in the
 * cluster, the webhook only sees objects the schema accepted. Never throws: a
 * stage that crashes is reported as an IMV001 finding naming the stage, and
 * the other stages still run.
 */
export function validateManifest(manifest: Manifest, options: ValidationOptions = {}): Finding[] {
  checkValidationOptions(options);
  const ref = refOf(manifest);
  // Each stage returns a new array: the first one is extended with the others' findings.
  const findings = guarded('object metadata', ref, () => validateObject(manifest, ref));
  if (findings.some(isTypeError)) return findings;
  const crds = options.crds ?? builtinSchemaSet();
  if (!crds.has(ref.apiVersion, ref.kind)) return findings;
  const structural = guarded('CRD schema', ref, () => validateStructure(manifest, ref, crds));
  findings.push(...structural);
  // A schema stage that crashed has not accepted the object, but the webhook's findings are still worth showing.
  if (structural.some((f) => f.severity === 'error' && f.code !== INTERNAL_ERROR)) return findings;
  const group = groupOf(ref.apiVersion);
  if (group === 'monitoring.coreos.com') {
    findings.push(...guarded('prometheus-operator webhook', ref, () => validatePrometheusRule(manifest, ref, options)));
    return findings;
  }
  // Passed the built-in schema (not a crashed one): its types are the decoder's.
  const afterBuiltinSchema = crds === builtinSchemaSet() && !structural.some((f) => f.code === INTERNAL_ERROR);
  findings.push(...guarded('Istio webhook', ref, () => validateIstioWebhook(manifest, ref, afterBuiltinSchema)));
  return findings;
}

/** An error on apiVersion or kind: the object's type is unknown, no schema or webhook applies. */
function isTypeError(f: Finding): boolean {
  return f.severity === 'error' && (f.path === '/apiVersion' || f.path === '/kind');
}

/**
 * Throws a TypeError naming the option, the bad value and what is allowed:
 * a caller's mistake, never reported as a finding on each resource.
 */
export function checkValidationOptions(options: ValidationOptions): void {
  nameValidationScheme(options.nameValidationScheme);
}

/**
 * The finding for which the cluster would refuse to store the object (the
 * first error among `findings`, from `validateManifest`), or undefined when
 * it would store it. A refused object never enters the mesh analysis.
 */
export function rejectionOf(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => f.severity === 'error');
}

/** The findings of one stage; a crash in it becomes one IMV001 finding naming the stage. */
function guarded(stage: string, ref: ResourceRef, check: () => Finding[]): Finding[] {
  try {
    return check();
  } catch (e) {
    return [internalError(ref, e, stage)];
  }
}

/**
 * The IMV001 finding of a check that crashed on the resource `ref`, in `stage` if known.
 * @internal
 */
export function internalError(ref: ResourceRef, e: unknown, stage?: string): Finding {
  return {
    code: INTERNAL_ERROR,
    severity: 'error',
    category: 'internal',
    resource: ref,
    path: '',
    message: `the validator failed on this resource${stage ? ` in its ${stage} check` : ''} (${firstLine(e)}); please report this with the manifest`,
  };
}

function firstLine(e: unknown): string {
  try {
    return String(e instanceof Error ? e.message : e).split('\n')[0];
  } catch {
    // A thrown value that cannot even be printed.
    return 'an unprintable error';
  }
}
