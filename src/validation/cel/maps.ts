/**
 * How CEL values are held for cel-js: lists and maps it recognises in any
 * realm (jest runs our code in a realm of its own).
 */

/**
 * Node's main realm, where cel-js runs. cel-js types a value by its
 * constructor, so lists must be that realm's arrays: under jest our code runs
 * in another realm, whose `Array` cel-js does not know.
 */
interface Realm {
  readonly Array: ArrayConstructor;
  readonly Map: MapConstructor;
  readonly Object: ObjectConstructor;
}
let mainRealm: Realm | undefined;
function realm(): Realm {
  mainRealm ??= process.getBuiltinModule('vm').runInThisContext('({ Array, Map, Object })') as Realm;
  return mainRealm;
}

/** True for an array cel-js reads as a list: one of the main realm. */
export function isCelList(v: readonly unknown[]): boolean {
  return Object.getPrototypeOf(v) === realm().Array.prototype;
}

/** A CEL list cel-js recognises in any realm. */
export function celList<T>(items: readonly T[]): T[] {
  return realm().Array.from(items);
}

/** An empty CEL list cel-js recognises in any realm, to push items into. */
export function emptyCelList(): unknown[] {
  return new (realm().Array)();
}

/**
 * A CEL map cel-js recognises in any realm: an object without a prototype
 * (cel-js reads its missing constructor as a map), or the main realm's Map
 * when a key is `constructor`, which would shadow that reading.
 */
export function celMap(entries: readonly [string, unknown][]): unknown {
  if (entries.some(([key]) => key === 'constructor')) return new (realm().Map)(entries);
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, v] of entries) out[key] = v;
  return out;
}

/** True when a CEL map built by {@link celMap} or {@link celMapOf} is a Map (a key is `constructor`), not an object. */
export function isCelMapMap(map: object): map is Map<string, unknown> {
  return map instanceof realm().Map;
}

/** The prototype of CEL map objects: empty, not even a `constructor` (nor a prototype of its own). */
const CEL_MAP_PROTOTYPE: object = Object.freeze(Object.create(null));

/**
 * An empty object without `constructor`, to fill and then pass to
 * {@link celMapOf}. It inherits nothing, as one from `Object.create(null)`,
 * but V8 keeps it in fast mode (a prototype-less object is a slow dictionary).
 */
export function emptyCelMap(): Record<string, unknown> {
  return Object.create(CEL_MAP_PROTOTYPE) as Record<string, unknown>;
}

/**
 * `celMap` of the entries of `fields` (from {@link emptyCelMap}, filled in
 * key order): the object itself, without copying, unless it has a key
 * `constructor`.
 */
export function celMapOf(fields: Record<string, unknown>): unknown {
  return 'constructor' in fields ? celMap(Object.entries(fields)) : fields;
}

/**
 * True for a CEL map held as an object (from {@link celMap}, {@link celMapOf}
 * or a plain object): cel-js reads its own properties as the map's entries.
 * False for the Map form and for anything else.
 */
export function isCelMapObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === CEL_MAP_PROTOTYPE || proto === null || proto === Object.prototype;
}

/**
 * True for an object cel-js reads as a map of its own properties: one
 * without a prototype, a CEL map object, or a plain object of the main
 * realm (not one of another realm, whose `constructor` cel-js does not know).
 */
export function isCelReadyMap(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === CEL_MAP_PROTOTYPE || proto === null || proto === realm().Object.prototype;
}
