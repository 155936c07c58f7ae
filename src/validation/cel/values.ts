import { celMapOf, emptyCelList, emptyCelMap } from './maps';
import { CelNode, celNodeOf } from './node';
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
  return schema ? typed(value, celNodeOf(schema)) : value === null || value === undefined ? value : dynamic(value);
}

/** `toCelValue` at a schema node read once ({@link CelNode}). */
export function typed(value: unknown, node: CelNode): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'number') {
    if (node.isNumber) return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  // Built in place, item by item and key by key: this runs on every field of every object that has CRD rules.
  if (Array.isArray(value)) {
    const list = emptyCelList();
    const items = node.items;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      list.push(items ? typed(item, items) : item === null || item === undefined ? item : dynamic(item));
    }
    return list;
  }
  if (isPlainObject(value)) {
    const fields = emptyCelMap();
    for (const key of Object.keys(value)) {
      const sub = node.properties.get(key) ?? node.extra;
      if (sub) fields[key] = typed(value[key], sub);
      else if (node.keepUnknown) fields[key] = dynamic(value[key]);
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
