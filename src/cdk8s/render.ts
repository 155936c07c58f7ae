import { ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, LazyResolver, NumberStringUnionResolver, resolve } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as monitoring from '../../imports/monitoring.coreos.com';
import * as networking from '../../imports/networking.istio.io';
import * as security from '../../imports/security.istio.io';

/**
 * Renders ApiObjects to the JSON that cdk8s writes for them, for the
 * validation and analysis at synth, which render every object of the app.
 *
 * cdk8s's `ApiObject.toJson()` passes every value of a manifest through the
 * app's resolvers (walking up the construct tree to find them, value by
 * value) before sanitizing it: 1.6 s for the 130,002 objects of the
 * benchmark mesh, more than half of what the validation and analysis took.
 * For a value that is plain data (strings, numbers, booleans, null, arrays
 * and plain objects), no default resolver changes anything, and the result
 * is the sanitized copy (null and undefined dropped, keys sorted, empty
 * metadata fields left out). So this module makes that copy directly, and
 * returns exactly what `toJson()` returns: 0.6 s for the same objects.
 *
 * It does so only where it provably gives the same result, and calls
 * `toJson()` everywhere else:
 * - the cdk8s code it reproduces (`ApiObject` and its metadata's `toJson`,
 *   `resolve`, `sanitizeValue`, the three default resolvers) is the code it
 *   was written and tested against: the same source text, by SHA-256;
 * - the app has the default resolvers and no others, and no built-in
 *   prototype has been given a `resolve` or `value` property (which the
 *   default resolvers would act on);
 * - the object's `toJson` is `ApiObject`'s own, or that of one of this
 *   library's generated Istio and prometheus-operator classes (whose
 *   `toJson` maps `super.toJson()` through the generated `toJson_*Props`);
 * - it has no JSON patches;
 * - every value is plain data: any other (a `Lazy`, a class instance, a
 *   function) sends the whole object to `toJson()`, which resolves it.
 *
 * The tests compare both renderings over random values, every generated
 * class, the realworld manifests and the benchmark mesh.
 */

/** Renders one object: `obj.toJson()`, or the same JSON made directly. */
export type Renderer = (obj: ApiObject) => any;

/** The SHA-256 of the cdk8s functions this module reproduces, as cdk8s 2.68.12 (the project's) and 2.70.106 (the latest in November 2026) ship them. */
const CDK8S_RENDERING = '1fa60da23a36e69e7ab749d0cfe2c20fa99f423d97a03920e61c34b973482417';

const NOT_PLAIN = Symbol('not plain data');
const hasOwn = Object.prototype.hasOwnProperty;
const OBJECT = Object.prototype;
const ARRAY = Array.prototype;
/** The fields `ApiObjectMetadataDefinition.toJson` writes over its additional attributes. */
const METADATA_FIELDS: ReadonlySet<string> = new Set(['name', 'namespace', 'annotations', 'finalizers', 'ownerReferences', 'labels']);
const TOP_KEYS = ['apiVersion', 'kind', 'metadata'];

let cdk8sVerified: boolean | undefined;

/** Whether the installed cdk8s renders with the code this module reproduces (checked once per process). */
export function cdk8sRenderingVerified(): boolean {
  if (cdk8sVerified === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { sanitizeValue } = require('cdk8s/lib/_util') as { sanitizeValue: (...a: unknown[]) => unknown };
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createHash } = require('crypto') as typeof import('crypto');
      const sources = [
        ApiObject.prototype.toJson, ApiObjectMetadataDefinition.prototype.toJson, resolve, sanitizeValue,
        LazyResolver.prototype.resolve, ImplicitTokenResolver.prototype.resolve, NumberStringUnionResolver.prototype.resolve,
      ].map(String).join('\n');
      cdk8sVerified = createHash('sha256').update(sources).digest('hex') === CDK8S_RENDERING
        && JSON.stringify((NumberStringUnionResolver as unknown as { TYPES: unknown }).TYPES) === '["number","string"]';
    } catch {
      cdk8sVerified = false;
    }
  }
  return cdk8sVerified;
}

/** The generated classes' `toJson`, each with the rest of its rendering: GVK first, then the props mapped to their JSON names. */
let generated: Map<unknown, (base: any) => any> | undefined;

function generatedClasses(): Map<unknown, (base: any) => any> {
  if (generated) return generated;
  generated = new Map();
  for (const mod of [monitoring, networking, security] as Record<string, any>[]) {
    for (const [name, value] of Object.entries(mod)) {
      // Not instanceof: ApiObject's answers for instances (by a marker), not prototypes.
      if (typeof value !== 'function' || !ApiObject.prototype.isPrototypeOf(value.prototype) || !value.GVK) continue;
      const toJsonProps = mod[`toJson_${name}Props`];
      if (typeof toJsonProps !== 'function') continue;
      const { apiVersion, kind } = value.GVK;
      generated.set(value.prototype.toJson, (base) => ({ apiVersion, kind, ...toJsonProps(base) }));
    }
  }
  return generated;
}

/** Whether values of plain data pass the app's resolvers unchanged. */
function defaultResolution(app: IConstruct): boolean {
  const resolvers = (app as App).resolvers;
  if (!Array.isArray(resolvers) || resolvers.length !== 3) return false;
  const expected: { prototype: { resolve: unknown } }[] = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];
  for (let i = 0; i < 3; i++) {
    const r = resolvers[i];
    if (!r || r.constructor !== expected[i] || r.resolve !== expected[i].prototype.resolve) return false;
  }
  // The default resolvers read `.resolve` and `.value` of every value.
  for (const proto of [OBJECT, ARRAY, String.prototype, Number.prototype, Boolean.prototype]) {
    if ('resolve' in proto || 'value' in proto) return false;
  }
  return true;
}

/**
 * The renderer for the objects under `root`, for one synth: each object's
 * JSON made directly where the conditions above hold, its `toJson()`
 * otherwise.
 */
export function rendererFor(root: IConstruct): Renderer {
  const direct = directRenderer(root);
  if (!direct) return (obj) => obj.toJson();
  return (obj) => direct(obj) ?? obj.toJson();
}

/**
 * Makes the JSON of each object under `root` directly, or returns undefined
 * for an object only its `toJson()` can render; undefined for an app whose
 * objects it cannot render at all (another cdk8s, other resolvers).
 * @internal
 */
export function directRenderer(root: IConstruct): ((obj: ApiObject) => any) | undefined {
  if (!cdk8sRenderingVerified() || !defaultResolution(root.node.root)) return undefined;
  // cdk8s reads this at every toJson(); one synth reads it once.
  const sort = !process.env.CDK8S_DISABLE_SORT;
  const classes = generatedClasses();
  const base = ApiObject.prototype.toJson;
  return (obj) => {
    const rest = obj.toJson === base ? undefined : classes.get(obj.toJson);
    if (obj.toJson !== base && !rest) return undefined;
    const patches = (obj as unknown as { patches?: unknown }).patches;
    if (!Array.isArray(patches) || patches.length !== 0) return undefined;
    let json;
    try {
      json = renderBase(obj, sort);
    } catch {
      // Not plain data (or a getter that throws): cdk8s resolves it, or reports it.
      return undefined;
    }
    return rest ? rest(json) : json;
  };
}

/** What `ApiObject.prototype.toJson` returns for an object without patches, whose values are plain data. */
function renderBase(obj: ApiObject, sort: boolean): Record<string, unknown> {
  const props = (obj as unknown as { props?: unknown }).props as Record<string, unknown>;
  if (!isSpreadable(props)) throw NOT_PLAIN;
  const metadata = renderMetadata(obj.metadata);
  // The keys of `{ ...props, metadata }`: the spread copies own enumerable keys only.
  const keys = Object.keys(props);
  if (!keys.includes('metadata')) keys.push('metadata');
  if (sort) keys.sort();
  // Written in toJson()'s final order: apiVersion, kind and metadata first, then the rest.
  const json: Record<string, unknown> = {};
  for (const k of TOP_KEYS) if (keys.includes(k)) putValue(json, k, k === 'metadata' ? metadata : copy(props[k], sort, false));
  for (const k of keys) if (!TOP_KEYS.includes(k)) putValue(json, k, copy(props[k], sort, false));
  return json;
}

/** Sets `json[k]` unless the rendered value is null or undefined, which cdk8s leaves out. */
function putValue(json: Record<string, unknown>, k: string, v: unknown): void {
  if (v != null) json[k] = v;
}

/** What `ApiObjectMetadataDefinition.toJson` returns, when its values are plain data. */
function renderMetadata(metadata: ApiObjectMetadataDefinition): Record<string, unknown> | undefined {
  const fields = metadata as unknown as Record<string, unknown>;
  const extra = fields._additionalAttributes as Record<string, unknown>;
  if (!isSpreadable(extra)) throw NOT_PLAIN;
  // The keys of `{ ...extra, name, namespace, ... }`: the spread copies own enumerable keys only.
  const keys = Object.keys(extra);
  for (const k of METADATA_FIELDS) if (!keys.includes(k)) keys.push(k);
  keys.sort();
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const k of keys) {
    const v = copy(METADATA_FIELDS.has(k) ? fields[k] : extra[k], true, true);
    if (v != null) {
      out[k] = v;
      n++;
    }
  }
  return n === 0 ? undefined : out;
}

/**
 * An object cdk8s spreads into a new plain one before resolving it (the
 * props, the metadata's attributes), whatever its prototype: only its own
 * keys count.
 */
function isSpreadable(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !hasAwkwardKey(v);
}

/** An object cdk8s resolves key by key: a plain one (stricter than the model's `isPlainObject`: its prototype is Object's). */
function isPlainDataObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === OBJECT && !hasAwkwardKey(v);
}

/**
 * An own `constructor` key makes cdk8s treat an object as a class instance;
 * an own `__proto__` key (JSON.parse and YAML parsers make them) becomes an
 * assignment to the prototype of cdk8s's copy. Only `toJson()` can tell what
 * either gives.
 */
function hasAwkwardKey(v: object): boolean {
  return hasOwn.call(v, 'constructor') || hasOwn.call(v, '__proto__');
}

/**
 * The resolved and sanitized copy of a value of plain data: null and
 * undefined left out of objects (and, with `filterEmpty`, empty arrays and
 * objects too), keys sorted if asked. Throws NOT_PLAIN on anything else.
 */
function copy(v: unknown, sort: boolean, filterEmpty: boolean): unknown {
  if (v == null) return undefined;
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return v;
  if (t !== 'object') throw NOT_PLAIN;
  const proto = Object.getPrototypeOf(v);
  if (proto === ARRAY) {
    const a = v as unknown[] & { value?: unknown; resolve?: unknown };
    // The default resolvers would act on an array with its own `value` or `resolve`.
    if (a.value !== undefined || a.resolve !== undefined) throw NOT_PLAIN;
    if (filterEmpty && a.length === 0) return undefined;
    // map keeps holes, as cdk8s's does.
    return a.map((x) => copy(x, sort, filterEmpty));
  }
  if (!isPlainDataObject(v)) throw NOT_PLAIN;
  const o = v;
  const keys = Object.keys(o);
  if (sort) keys.sort();
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const k of keys) {
    const x = copy(o[k], sort, filterEmpty);
    if (x != null) {
      out[k] = x;
      n++;
    }
  }
  return filterEmpty && n === 0 ? undefined : out;
}
