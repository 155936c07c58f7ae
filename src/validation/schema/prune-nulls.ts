import { StructuralSchema } from './structural';
import { isPlainObject } from '../../model/manifest';

/** Where a null was dropped, as JSON-pointer tokens. */
export type DroppedNull = readonly string[];

/**
 * What the API server does to a decoded object before validating it: a field
 * set to null whose schema is not `nullable` and has no `default` is removed
 * (apiextensions `PruneNonNullableNullsWithoutDefaults`), then defaults are
 * applied to missing and null fields. Returns a new object; the input is not
 * touched. Nulls inside lists are kept: the schema then rejects them.
 */
export function pruneNullsAndDefault(value: unknown, schema: StructuralSchema | undefined, dropped: DroppedNull[], at: string[] = []): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => pruneNullsAndDefault(v, schema?.items, dropped, [...at, String(i)]));
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    const sub = fieldSchema(schema, key);
    if (v === null && sub && !sub.nullable) {
      if (sub.default === undefined) {
        dropped.push([...at, key]);
        continue;
      }
      out[key] = structuredClone(sub.default);
      continue;
    }
    out[key] = pruneNullsAndDefault(v, sub, dropped, [...at, key]);
  }
  if (schema?.properties) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (out[key] === undefined && sub.default !== undefined) out[key] = structuredClone(sub.default);
    }
  }
  return out;
}

function fieldSchema(schema: StructuralSchema | undefined, key: string): StructuralSchema | undefined {
  if (!schema) return undefined;
  const p = schema.properties?.[key];
  if (p) return p;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}
