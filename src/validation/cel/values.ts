import { celMapOf, emptyCelList, emptyCelMap, isCelList, isCelReadyMap } from './maps';
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
  return typed(value, schema ? celNodeOf(schema) : DYNAMIC);
}

/**
 * The node of schemaless content (`x-kubernetes-preserve-unknown-fields`,
 * items or fields without a schema): every item and field is itself dynamic,
 * every key kept, JSON integers are `int`.
 */
const DYNAMIC: CelNode = (() => {
  const node: { -readonly [K in keyof CelNode]: CelNode[K] } = {
    isNumber: false, items: undefined, properties: new Map(), extra: undefined, keepUnknown: true, rules: [], hasRules: false,
  };
  node.items = node;
  node.extra = node;
  return Object.freeze(node);
})();

/**
 * `toCelValue` at a schema node read once ({@link CelNode}). Copy on write:
 * a list or map whose items need no change (no integer to make an `int`, no
 * unknown field to drop, no `constructor` key) is returned as it is, when it
 * is one cel-js reads as a list or map; most values of most objects are.
 */
export function typed(value: unknown, node: CelNode): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'number') {
    if (node.isNumber) return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  // This runs on every field of every object that has CRD rules.
  if (Array.isArray(value)) {
    const items = node.items;
    let list = isCelList(value) ? undefined : emptyCelList();
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const converted = typed(item, items ?? DYNAMIC);
      // A hole reads as undefined, and the copy holds undefined there.
      if (!list && (converted !== item || (item === undefined && !(i in value)))) list = copyOfList(value, i);
      if (list) list.push(converted);
    }
    return list ?? value;
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    let fields = isCelReadyMap(value) ? undefined : emptyCelMap();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const sub = node.properties.get(key) ?? node.extra ?? (node.keepUnknown ? DYNAMIC : undefined);
      const field = value[key];
      if (!sub) {
        // The API server prunes unknown fields before rules run.
        fields ??= copyOfMap(value, keys, i);
        continue;
      }
      const converted = typed(field, sub);
      if (!fields && (converted !== field || key === 'constructor' || key === '__proto__')) fields = copyOfMap(value, keys, i);
      if (fields) fields[key] = converted;
    }
    return fields ? celMapOf(fields) : value;
  }
  return value;
}

/** A new CEL list of the first `n` items of `value`, which need no change. */
function copyOfList(value: readonly unknown[], n: number): unknown[] {
  const list = emptyCelList();
  for (let i = 0; i < n; i++) list.push(value[i]);
  return list;
}

/** A new CEL map of the fields of `value` before `keys[n]`, which need no change. */
function copyOfMap(value: Record<string, unknown>, keys: readonly string[], n: number): Record<string, unknown> {
  const fields = emptyCelMap();
  for (let i = 0; i < n; i++) fields[keys[i]] = value[keys[i]];
  return fields;
}
