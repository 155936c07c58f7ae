import { validateIstioWebhook } from './istio';
import { validateObject } from './object-meta';
import { validatePrometheusRule } from './prometheus';
import { builtinSchemaSet, CrdSchemaSet, validateStructure } from './schema';
import { Finding } from '../model/finding';
import { groupOf, Manifest, refOf } from '../model/manifest';

export interface ValidationOptions {
  /**
   * The CRD schemas to validate against: the built-in Istio 1.30.3 and
   * prometheus-operator v0.93.0 ones, or your cluster's (`schemaSetFromCrds`).
   * @default - the built-in schemas
   */
  readonly crds?: CrdSchemaSet;
}

/**
 * Everything a cluster would say about one manifest, in the order it would say
 * it: the object itself, then the CRD schema and its CEL rules (API server),
 * then the validating webhook (istiod or prometheus-operator). As in the
 * cluster, the webhook only sees objects the schema accepted.
 */
export function validateManifest(manifest: Manifest, options: ValidationOptions = {}): Finding[] {
  const ref = refOf(manifest);
  const findings = validateObject(manifest, ref);
  if (findings.some((f) => f.severity === 'error' && (f.path === '/apiVersion' || f.path === '/kind'))) return findings;
  const crds = options.crds ?? builtinSchemaSet();
  if (!crds.has(ref.apiVersion, ref.kind)) return findings;
  const structural = validateStructure(manifest, ref, crds);
  findings.push(...structural);
  if (structural.some((f) => f.severity === 'error')) return findings;
  const group = groupOf(ref.apiVersion);
  if (group === 'monitoring.coreos.com') findings.push(...validatePrometheusRule(manifest, ref));
  else if (group === 'security.istio.io' || group === 'networking.istio.io') findings.push(...validateIstioWebhook(manifest, ref));
  return findings;
}
