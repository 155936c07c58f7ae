import type Ajv from 'ajv';
import type { Options, ValidateFunction } from 'ajv';
import { CHECKED_FORMATS, checkedFormat } from './formats';
import { goRegExp, StructuralSchema } from './structural';

type JsonSchema = Record<string, unknown>;

/**
 * Translates a structural schema into the JSON Schema ajv validates, with the
 * API server's reading of the Kubernetes extensions:
 * - unknown fields are errors (`additionalProperties: false`) except under
 *   `x-kubernetes-preserve-unknown-fields` (kubectl --validate=strict);
 * - `x-kubernetes-int-or-string` is `type: [integer, string]`;
 * - `nullable` accepts null and skips every other check for it;
 * - OpenAPI v3.0 boolean `exclusiveMinimum/Maximum` become draft-7 numbers;
 * - formats other than the checked string formats are dropped, as the API
 *   server strips them (no int32/int64 range checks);
 * - list-type uniqueness and CEL rules are checked elsewhere, not by ajv.
 */
export function toAjvSchema(node: StructuralSchema): JsonSchema {
  return withSharedSubschemas(ajvNode(node));
}

function ajvNode(node: StructuralSchema): JsonSchema {
  const out = valueKeywords(node);
  if (node['x-kubernetes-int-or-string']) {
    out.type = ['integer', 'string'];
    // the canonical anyOf: [integer, string] only restates the type
    if (isIntOrStringAnyOf(node.anyOf)) delete out.anyOf;
  } else if (node.type) {
    out.type = node.type;
  }
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, ajvNode(v)]));
  }
  if (node['x-kubernetes-embedded-resource']) {
    out.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...(out.properties as JsonSchema | undefined),
    };
  }
  if (typeof node.additionalProperties === 'object') {out.additionalProperties = ajvNode(node.additionalProperties);} else if (node.type === 'object' && node.additionalProperties !== true && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  if (node.items) out.items = ajvNode(node.items);
  if (node.nullable) return { if: { type: 'null' }, else: out };
  return out;
}

/** Subschemas shorter than this (as JSON) stay inline: a call costs more than the code it saves. */
const MIN_SHARED_LENGTH = 256;
/** Keywords whose value is a subschema (or a map of them, by property name) that may be written once and referenced. */
const SCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'else']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties']);

/**
 * `schema` with every large subschema that occurs more than once written once
 * under `definitions` and referenced (`$ref`): a DestinationRule's traffic
 * policy recurs at four places, and ajv writes code for each (597 KB of
 * validator for that CRD, 135 KB with the policy written once), which is
 * most of a validator's load and first-call time. Value validations
 * (allOf, anyOf, oneOf, not) are left whole, so every error in one keeps the
 * keyword in its schemaPath.
 */
function withSharedSubschemas(schema: JsonSchema): JsonSchema {
  // Each subschema's JSON, written once: the rebuild below compares by it again.
  const texts = new Map<JsonSchema, string>();
  const counts = new Map<string, number>();
  walkSubschemas(schema, (sub) => {
    const text = JSON.stringify(sub);
    texts.set(sub, text);
    if (text.length >= MIN_SHARED_LENGTH) counts.set(text, (counts.get(text) ?? 0) + 1);
  });
  if (![...counts.values()].some((n) => n > 1)) return schema;
  const definitions: Record<string, JsonSchema> = {};
  const names = new Map<string, string>();
  const shared = (sub: JsonSchema): JsonSchema => {
    const text = texts.get(sub)!;
    if ((counts.get(text) ?? 0) < 2) return rebuilt(sub);
    let name = names.get(text);
    if (name === undefined) {
      name = `s${names.size}`;
      names.set(text, name);
      definitions[name] = rebuilt(sub);
    }
    return { $ref: `#/definitions/${name}` };
  };
  const rebuilt = (node: JsonSchema): JsonSchema => {
    const out: JsonSchema = {};
    for (const [k, v] of Object.entries(node)) {
      if (SCHEMA_KEYWORDS.has(k) && isSchemaObject(v)) out[k] = shared(v);
      else if (SCHEMA_MAP_KEYWORDS.has(k) && isSchemaObject(v)) out[k] = mapValues(v, (sub) => shared(sub as JsonSchema));
      else out[k] = v;
    }
    return out;
  };
  return { ...rebuilt(schema), definitions };
}

/** Calls `f` on every subschema in a position `withSharedSubschemas` may share, depth first. */
function walkSubschemas(node: JsonSchema, f: (sub: JsonSchema) => void): void {
  for (const [k, v] of Object.entries(node)) {
    if (SCHEMA_KEYWORDS.has(k) && isSchemaObject(v)) {
      f(v);
      walkSubschemas(v, f);
    } else if (SCHEMA_MAP_KEYWORDS.has(k) && isSchemaObject(v)) {
      for (const sub of Object.values(v)) {
        f(sub as JsonSchema);
        walkSubschemas(sub as JsonSchema, f);
      }
    }
  }
}

function mapValues(map: JsonSchema, f: (value: unknown) => unknown): JsonSchema {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, f(v)]));
}

function isSchemaObject(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keywords shared by schema nodes and value validations (allOf/anyOf/oneOf/not). */
function valueKeywords(node: StructuralSchema): JsonSchema {
  const out: JsonSchema = {};
  const format = checkedFormat(node.format, node.type);
  if (format) out.format = format;
  if (node.enum) out.enum = node.enum;
  if (node.required) out.required = node.required;
  if (node.maximum !== undefined) out[node.exclusiveMaximum ? 'exclusiveMaximum' : 'maximum'] = node.maximum;
  if (node.minimum !== undefined) out[node.exclusiveMinimum ? 'exclusiveMinimum' : 'minimum'] = node.minimum;
  for (const k of ['multipleOf', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'maxProperties', 'minProperties'] as const) {
    if (node[k] !== undefined) out[k] = node[k];
  }
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[k];
    if (list) out[k] = list.map(valueValidation);
  }
  if (node.not) out.not = valueValidation(node.not);
  return out;
}

/** A value validation constrains, but declares no types or fields of its own. */
function valueValidation(node: StructuralSchema): JsonSchema {
  const out = valueKeywords(node);
  if (node.type) out.type = node.type;
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, valueValidation(v)]));
  }
  if (typeof node.additionalProperties === 'object') out.additionalProperties = valueValidation(node.additionalProperties);
  if (node.items) out.items = valueValidation(node.items);
  return out;
}

function isIntOrStringAnyOf(list: readonly StructuralSchema[] | undefined): boolean {
  if (!list || list.length !== 2) return false;
  const types = list.map((s) => (Object.keys(s).length === 1 ? s.type : undefined)).sort();
  return types[0] === 'integer' && types[1] === 'string';
}

/** ajv's format definitions of the checked formats, by normalised name. */
export type FormatDefinitions = Readonly<Record<string, { readonly type: 'string'; readonly validate: (s: string) => boolean }>>;

let formatDefs: FormatDefinitions | undefined;

/** The checked formats as ajv format definitions; the precompiled validators receive these too. */
export function formatDefinitions(): FormatDefinitions {
  formatDefs ??= Object.fromEntries(Object.entries(CHECKED_FORMATS).map(([name, validate]) => [name, { type: 'string' as const, validate }]));
  return formatDefs;
}

/**
 * A new ajv instance with the options schema validation uses. With
 * `standalone`, it also keeps the generated source, for `ajv/dist/standalone`:
 * the code then reads the formats from a variable `formats` and the pattern
 * constructor from a variable `goRegExp`, which the module wrapping it provides.
 * ajv is loaded here, on first use, not when this module is imported.
 */
export function createAjv(standalone = false): Ajv {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, on first use
  const ajvModule = require('ajv') as typeof import('ajv');
  const regExp = Object.assign((pattern: string) => goRegExp(pattern), { code: 'goRegExp' });
  const code: Options['code'] = standalone ? { regExp, source: true, lines: true, formats: ajvModule._`formats` } : { regExp };
  // inlineRefs: false keeps a shared subschema one function (see withSharedSubschemas).
  const instance = new ajvModule.default({ allErrors: true, verbose: true, strict: false, validateFormats: true, inlineRefs: false, code });
  for (const [name, def] of Object.entries(formatDefinitions())) instance.addFormat(name, def);
  return instance;
}

let sharedAjv: Ajv | undefined;

const compiled = new WeakMap<StructuralSchema, ValidateFunction>();
const precompiled = new WeakMap<StructuralSchema, () => ValidateFunction>();

/**
 * Registers the precompiled validator of a schema object (the built-in
 * schemas'), loaded by `load` on its first use instead of compiling the schema.
 */
export function usePrecompiledValidator(schema: StructuralSchema, load: () => ValidateFunction): void {
  precompiled.set(schema, load);
}

/**
 * The ajv validator of a structural schema, once per schema object: the
 * precompiled one for the built-in schemas, otherwise compiled at run time by
 * one ajv instance per process (created on first use).
 */
export function compiledValidator(schema: StructuralSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    const load = precompiled.get(schema);
    fn = load ? load() : runtimeCompiled(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

function runtimeCompiled(schema: StructuralSchema): ValidateFunction {
  sharedAjv ??= createAjv();
  return sharedAjv.compile(toAjvSchema(schema));
}
