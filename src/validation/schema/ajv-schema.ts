import Ajv, { ValidateFunction } from 'ajv';
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
  const out = valueKeywords(node);
  if (node['x-kubernetes-int-or-string']) {
    out.type = ['integer', 'string'];
    // the canonical anyOf: [integer, string] only restates the type
    if (isIntOrStringAnyOf(node.anyOf)) delete out.anyOf;
  } else if (node.type) {
    out.type = node.type;
  }
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, toAjvSchema(v)]));
  }
  if (node['x-kubernetes-embedded-resource']) {
    out.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...(out.properties as JsonSchema | undefined),
    };
  }
  if (typeof node.additionalProperties === 'object') {out.additionalProperties = toAjvSchema(node.additionalProperties);} else if (node.type === 'object' && node.additionalProperties !== true && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  if (node.items) out.items = toAjvSchema(node.items);
  if (node.nullable) return { if: { type: 'null' }, else: out };
  return out;
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

let sharedAjv: Ajv | undefined;

/** One ajv instance per process, created on first use. */
function ajv(): Ajv {
  if (!sharedAjv) {
    const regExp = Object.assign((pattern: string) => goRegExp(pattern), { code: 'goRegExp' });
    sharedAjv = new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: true, code: { regExp } });
    for (const [name, check] of Object.entries(CHECKED_FORMATS)) sharedAjv.addFormat(name, { type: 'string', validate: check });
  }
  return sharedAjv;
}

const compiled = new WeakMap<StructuralSchema, ValidateFunction>();

/** The ajv validator of a structural schema, compiled once per schema object. */
export function compiledValidator(schema: StructuralSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv().compile(toAjvSchema(schema));
    compiled.set(schema, fn);
  }
  return fn;
}
