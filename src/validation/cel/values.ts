import { celList, celMap } from './environment';
import { isPlainObject } from '../../model/manifest';
import { StructuralSchema } from '../schema/structural';

/**
 * The value CEL rules see, typed by the schema as the API server types it:
 * integers (and integral int-or-string values) become CEL `int` (BigInt),
 * `number` becomes `double`, unknown fields are absent (the API server prunes
 * them before rules run), and `x-kubernetes-preserve-unknown-fields` content
 * is dynamic (JSON integers as `int`).
 */
export function toCelValue(value: unknown, schema: StructuralSchema | undefined): unknown {
  if (value === null || value === undefined) return value;
  if (!schema) return dynamic(value);
  if (typeof value === 'number') {
    if (schema.type === 'number') return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return celList(value.map((v) => toCelValue(v, schema.items)));
  if (isPlainObject(value)) {
    const out: [string, unknown][] = [];
    const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    const keepUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true;
    for (const key of Object.keys(value)) {
      const sub = schema.properties?.[key] ?? extra;
      if (sub) out.push([key, toCelValue(value[key], sub)]);
      else if (keepUnknown || schema['x-kubernetes-embedded-resource']) out.push([key, dynamic(value[key])]);
    }
    return celMap(out);
  }
  return value;
}

function dynamic(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return celList(value.map(dynamic));
  if (isPlainObject(value)) return celMap(Object.keys(value).map((key) => [key, dynamic(value[key])]));
  return value;
}
