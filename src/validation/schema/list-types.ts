import { propertyOf, StructuralSchema } from './structural';
import { isPlainObject } from '../../model/manifest';

/** One violation of an `x-kubernetes-list-type` invariant. */
export interface ListTypeViolation {
  readonly kind: 'duplicate-key' | 'duplicate-item' | 'not-an-object';
  /** JSON-pointer tokens of the offending item. */
  readonly at: readonly string[];
  /** The duplicated key fields (map) or item (set). */
  readonly value: unknown;
  readonly keys?: readonly string[];
}

/**
 * Uniqueness of `x-kubernetes-list-type: set` items and of the
 * `x-kubernetes-list-map-keys` of `map` lists, as the API server checks it
 * (apiextensions `listtype.ValidateListSetsAndMaps`): the second appearance
 * of a value is reported once, a missing key counts as a key value of its
 * own, and the items of a map list must be objects.
 */
export function listTypeViolations(value: unknown, schema: StructuralSchema | undefined, at: readonly string[] = []): ListTypeViolation[] {
  const out: ListTypeViolation[] = [];
  collect(value, schema, [...at], out);
  return out;
}

/** `at` is the path of `value`, pushed and popped on the way down. */
function collect(value: unknown, schema: StructuralSchema | undefined, at: string[], out: ListTypeViolation[]): void {
  // A schema node with no set or map list anywhere below has nothing to check (most of them).
  if (!schema || !hasListTypesWithin(schema)) return;
  if (Array.isArray(value)) {
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set') {
      for (const i of repeatedIndexes(value.map(canonical))) out.push({ kind: 'duplicate-item', at: [...at, String(i)], value: value[i] });
    } else if (listType === 'map') {
      out.push(...mapListViolations(value, schema['x-kubernetes-list-map-keys'] ?? [], at));
    }
    if (!schema.items) return;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue;
      at.push(String(i));
      collect(value[i], schema.items, at, out);
      at.pop();
    }
  } else if (isPlainObject(value)) {
    const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    for (const key of Object.keys(value)) {
      const sub = propertyOf(schema, key) ?? extra;
      if (!sub) continue;
      at.push(key);
      collect(value[key], sub, at, out);
      at.pop();
    }
  }
}

const listTypesWithin = new WeakMap<StructuralSchema, boolean>();

/** True when the node, or a node below it, is a `set` or `map` list (found once per node). */
function hasListTypesWithin(node: StructuralSchema): boolean {
  let has = listTypesWithin.get(node);
  if (has === undefined) {
    const listType = node['x-kubernetes-list-type'];
    const extra = node.additionalProperties;
    has = listType === 'set' || listType === 'map'
      || Object.values(node.properties ?? {}).some(hasListTypesWithin)
      || (node.items !== undefined && hasListTypesWithin(node.items))
      || (typeof extra === 'object' && hasListTypesWithin(extra));
    listTypesWithin.set(node, has);
  }
  return has;
}

function mapListViolations(list: unknown[], keys: readonly string[], at: string[]): ListTypeViolation[] {
  const bad = list.findIndex((x) => x !== null && !isPlainObject(x));
  if (bad >= 0) return [{ kind: 'not-an-object', at: [...at, String(bad)], value: list[bad], keys }];
  const keyValues = list.map((x) => {
    const key: Record<string, unknown> = {};
    if (isPlainObject(x)) for (const k of keys) if (k in x) key[k] = x[k];
    return key;
  });
  return repeatedIndexes(keyValues.map(canonical)).map((i) => ({ kind: 'duplicate-key', at: [...at, String(i)], value: keyValues[i], keys }));
}

/** Indexes of the second appearance of each repeated value. */
function repeatedIndexes(values: string[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((v, i) => {
    const n = seen.get(v) ?? 0;
    if (n === 1) out.push(i);
    seen.set(v, n + 1);
  });
  return out;
}

/** JSON with sorted keys, as Go's json.Marshal prints maps. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlainObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}
