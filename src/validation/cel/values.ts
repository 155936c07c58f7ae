import { celMapOf, emptyCelList, emptyCelMap } from './environment';
import { isPlainObject } from '../../model/manifest';
import { propertyOf, StructuralSchema } from '../schema/structural';

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
  // Built in place, item by item and key by key: this runs on every field of every object that has CRD rules.
  if (Array.isArray(value)) {
    const list = emptyCelList();
    for (let i = 0; i < value.length; i++) list.push(toCelValue(value[i], schema.items));
    return list;
  }
  if (isPlainObject(value)) {
    const fields = emptyCelMap();
    const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    const keepUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true;
    for (const key of Object.keys(value)) {
      const sub = propertyOf(schema, key) ?? extra;
      if (sub) fields[key] = toCelValue(value[key], sub);
      else if (keepUnknown || schema['x-kubernetes-embedded-resource']) fields[key] = dynamic(value[key]);
    }
    return celMapOf(fields);
  }
  return value;
}

function dynamic(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) {
    const list = emptyCelList();
    for (let i = 0; i < value.length; i++) list.push(dynamic(value[i]));
    return list;
  }
  if (isPlainObject(value)) {
    const fields = emptyCelMap();
    for (const key of Object.keys(value)) fields[key] = dynamic(value[key]);
    return celMapOf(fields);
  }
  return value;
}
