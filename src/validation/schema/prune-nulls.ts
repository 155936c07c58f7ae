import { propertyOf, StructuralSchema } from './structural';
import { isPlainObject } from '../../model/manifest';

/** Where a null was dropped, as JSON-pointer tokens. */
export type DroppedNull = readonly string[];

/**
 * What the API server does to a decoded object before validating it: a field
 * set to null whose schema is not `nullable` and has no `default` is removed
 * (apiextensions `PruneNonNullableNullsWithoutDefaults`), then defaults are
 * applied to missing and null fields. The input is not touched: a changed
 * object or list is a copy, and what needs no change is returned as it is
 * (most manifests have neither nulls nor defaulted fields, so nothing is
 * copied). Nulls inside lists are kept: the schema then rejects them.
 */
export function pruneNullsAndDefault(
  value: unknown, schema: StructuralSchema | undefined, dropped: DroppedNull[], at: readonly string[] = [],
): unknown {
  // Most manifests hold no null and most schemas no default: then nothing changes, and the schema need not be read.
  if (!hasDefaultsWithin(schema) && !holdsNull(value)) return value;
  return prune(value, schema, dropped, [...at]);
}

/** True when a null is anywhere in `value`. */
function holdsNull(value: unknown): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === null || (typeof item === 'object' && holdsNull(item))) return true;
    }
    return false;
  }
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === null || (typeof v === 'object' && holdsNull(v))) return true;
  }
  return false;
}

const defaultsWithin = new WeakMap<StructuralSchema, boolean>();

/** True when a property of the node, or of a node below it, has a default (found once per node). */
function hasDefaultsWithin(schema: StructuralSchema | undefined): boolean {
  if (!schema) return false;
  let has = defaultsWithin.get(schema);
  if (has === undefined) {
    const extra = schema.additionalProperties;
    has = defaultedProperties(schema).length > 0
      || Object.values(schema.properties ?? {}).some(hasDefaultsWithin)
      || hasDefaultsWithin(schema.items)
      || (typeof extra === 'object' && hasDefaultsWithin(extra));
    defaultsWithin.set(schema, has);
  }
  return has;
}

/** `at` is the path of `value`, pushed and popped on the way down. */
function prune(value: unknown, schema: StructuralSchema | undefined, dropped: DroppedNull[], at: string[]): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = pruneChild(value[i], schema?.items, dropped, at, String(i));
      if (!copy && item !== value[i]) copy = value.slice(0, i);
      if (copy) copy.push(item);
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = value[key];
    const sub = fieldSchema(schema, key);
    if (v === null && sub && !sub.nullable) {
      out ??= copyUpTo(value, keys, i);
      if (sub.default === undefined) dropped.push([...at, key]);
      else setField(out, key, structuredClone(sub.default));
      continue;
    }
    const pruned = pruneChild(v, sub, dropped, at, key);
    if (!out && pruned !== v) out = copyUpTo(value, keys, i);
    if (out) setField(out, key, pruned);
  }
  if (schema) {
    for (const [key, sub] of defaultedProperties(schema)) {
      const current = out ?? value;
      if (Object.hasOwn(current, key) && current[key] !== undefined) continue;
      out ??= copyUpTo(value, keys, keys.length);
      setField(out, key, structuredClone(sub.default));
    }
  }
  return out ?? value;
}

/** `prune` of the field or item `key` of the value at `at`; a scalar is its own result, without a call. */
function pruneChild(v: unknown, schema: StructuralSchema | undefined, dropped: DroppedNull[], at: string[], key: string): unknown {
  if (typeof v !== 'object' || v === null) return v;
  at.push(key);
  const pruned = prune(v, schema, dropped, at);
  at.pop();
  return pruned;
}

const defaulted = new WeakMap<StructuralSchema, readonly (readonly [string, StructuralSchema])[]>();

/** The properties of a schema node that have a default (few have any), found once per node. */
function defaultedProperties(schema: StructuralSchema): readonly (readonly [string, StructuralSchema])[] {
  let list = defaulted.get(schema);
  if (!list) {
    list = Object.entries(schema.properties ?? {}).filter(([, sub]) => sub.default !== undefined);
    defaulted.set(schema, list);
  }
  return list;
}

/** A copy of `value` with its first `end` keys (those found unchanged so far). */
function copyUpTo(value: Record<string, unknown>, keys: readonly string[], end: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let j = 0; j < end; j++) setField(out, keys[j], value[keys[j]]);
  return out;
}

/** `out[key] = v`, also for a key `__proto__`, which an assignment would take for the prototype. */
function setField(out: Record<string, unknown>, key: string, v: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
  else out[key] = v;
}

function fieldSchema(schema: StructuralSchema | undefined, key: string): StructuralSchema | undefined {
  if (!schema) return undefined;
  const p = propertyOf(schema, key);
  if (p) return p;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}
