import { CrdSchemas, CrdVersionSchema } from './crd-schema';
import { NonStructuralSchemaError, StructuralSchema, toStructural } from './structural';
import { isPlainObject } from '../../model/manifest';

/**
 * Reads one CustomResourceDefinition document (apiextensions.k8s.io v1, or
 * the old v1beta1 shape with a top-level `validation`) into the structural
 * schemas of its served versions. Identical schemas are stored once.
 * Throws an Error naming the CRD when it cannot be used.
 */
export function crdSchemasFrom(doc: unknown): CrdSchemas {
  if (!isPlainObject(doc) || doc.kind !== 'CustomResourceDefinition') {
    throw new Error('not a CustomResourceDefinition');
  }
  const name = isPlainObject(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : '<unnamed>';
  const fail = (why: string): never => {
    throw new Error(`CustomResourceDefinition ${name}: ${why}`);
  };
  const spec = isPlainObject(doc.spec) ? doc.spec : fail('has no spec');
  const group = typeof spec.group === 'string' && spec.group ? spec.group : fail('has no spec.group');
  const names = isPlainObject(spec.names) ? spec.names : fail('has no spec.names');
  const kind = typeof names.kind === 'string' && names.kind ? names.kind : fail('has no spec.names.kind');

  const topSchema = isPlainObject(spec.validation) ? spec.validation.openAPIV3Schema : undefined;
  const topStatus = isPlainObject(spec.subresources) && spec.subresources.status !== undefined;
  const rawVersions: Record<string, unknown>[] = Array.isArray(spec.versions)
    ? spec.versions.filter(isPlainObject)
    : typeof spec.version === 'string' ? [{ name: spec.version, served: true }] : [];
  if (rawVersions.length === 0) fail('has no versions');

  const schemas: StructuralSchema[] = [];
  const keys: string[] = [];
  const versions: CrdVersionSchema[] = [];
  let statusSubresource = topStatus;
  for (const v of rawVersions) {
    if (v.served === false) continue;
    const vName = typeof v.name === 'string' ? v.name : fail('has a version without a name');
    const raw = isPlainObject(v.schema) ? v.schema.openAPIV3Schema : topSchema;
    if (raw === undefined) fail(`version ${vName} has no openAPIV3Schema; the API server would not validate it`);
    let structural: StructuralSchema;
    try {
      structural = toStructural(raw);
    } catch (e) {
      if (e instanceof NonStructuralSchemaError) fail(`version ${vName} is not a structural schema: ${e.message}`);
      throw e;
    }
    if (isPlainObject(v.subresources) && v.subresources.status !== undefined) statusSubresource = true;
    const key = JSON.stringify(structural);
    let index = keys.indexOf(key);
    if (index < 0) {
      index = schemas.length;
      schemas.push(structural);
      keys.push(key);
    }
    versions.push({ name: vName, schema: index });
  }
  if (versions.length === 0) fail('serves no version');
  return { name, group, kind, statusSubresource, versions, schemas };
}

/**
 * The CRD documents inside any of: a CRD, a `kind: List` (from `kubectl get crd
 * -o yaml`), a CustomResourceDefinitionList, or an array of those.
 */
export function collectCrdDocuments(docs: readonly unknown[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (d: unknown): void => {
    if (Array.isArray(d)) d.forEach(visit);
    else if (isPlainObject(d) && d.kind === 'CustomResourceDefinition') out.push(d);
    else if (isPlainObject(d) && Array.isArray(d.items) && typeof d.kind === 'string' && d.kind.endsWith('List')) d.items.forEach(visit);
  };
  docs.forEach(visit);
  return out;
}
