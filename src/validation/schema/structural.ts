/**
 * Structural schemas: the OpenAPI v3 subset the Kubernetes API server
 * validates custom resources with (apiextensions "structural schema"), kept
 * without documentation text. The same conversion serves the generated
 * built-in schemas and the CRDs users bring.
 */

/** One `x-kubernetes-validations` entry. */
export interface CelRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: string;
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

/**
 * The schema of a declared property of `schema`: its own `properties` only, so a
 * key named `constructor`, `toString` or `__proto__` is never taken for a declared one.
 */
export function propertyOf(schema: StructuralSchema | undefined, key: string): StructuralSchema | undefined {
  const props = schema?.properties;
  return props !== undefined && Object.hasOwn(props, key) ? props[key] : undefined;
}

/** A node of a structural schema (only the keywords the API server reads). */
export interface StructuralSchema {
  readonly 'type'?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly 'format'?: string;
  readonly 'enum'?: readonly unknown[];
  readonly 'default'?: unknown;
  readonly 'nullable'?: boolean;
  readonly 'required'?: readonly string[];
  readonly 'properties'?: Readonly<Record<string, StructuralSchema>>;
  readonly 'additionalProperties'?: StructuralSchema | boolean;
  readonly 'items'?: StructuralSchema;
  readonly 'maximum'?: number;
  readonly 'minimum'?: number;
  readonly 'exclusiveMaximum'?: boolean;
  readonly 'exclusiveMinimum'?: boolean;
  readonly 'multipleOf'?: number;
  readonly 'maxLength'?: number;
  readonly 'minLength'?: number;
  readonly 'pattern'?: string;
  readonly 'maxItems'?: number;
  readonly 'minItems'?: number;
  readonly 'maxProperties'?: number;
  readonly 'minProperties'?: number;
  readonly 'allOf'?: readonly StructuralSchema[];
  readonly 'anyOf'?: readonly StructuralSchema[];
  readonly 'oneOf'?: readonly StructuralSchema[];
  readonly 'not'?: StructuralSchema;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-map-type'?: 'atomic' | 'granular';
  readonly 'x-kubernetes-validations'?: readonly CelRule[];
}

/** The keywords kept; everything else (description, title, example, externalDocs) is documentation. */
const KEPT_KEYWORDS = new Set([
  'type', 'format', 'enum', 'default', 'nullable', 'required', 'properties', 'additionalProperties', 'items',
  'maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum', 'multipleOf', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'allOf', 'anyOf', 'oneOf', 'not',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations',
  // kept so that the structural check below can name them; a structural schema never has them
  '$ref', 'patternProperties', 'additionalItems', 'dependencies', 'definitions', 'id', '$schema',
]);

/** Documentation keywords that are dropped silently. */
const DOC_KEYWORDS = new Set(['description', 'title', 'example', 'externalDocs']);

const CEL_RULE_KEYS = ['rule', 'message', 'messageExpression', 'reason', 'fieldPath', 'optionalOldSelf'] as const;

/** Thrown by {@link toStructural} when a schema cannot be used as the API server would use it. */
export class NonStructuralSchemaError extends Error {}

/**
 * Copies an OpenAPI v3 schema keeping only what validation reads: no
 * descriptions, keys sorted so the output is byte-stable. Throws
 * {@link NonStructuralSchemaError} (with the JSON path) for input the API
 * server would refuse as non-structural.
 */
export function toStructural(schema: unknown): StructuralSchema {
  const out = copyNode(schema, '', 'none') as StructuralSchema;
  if (out.type !== undefined && out.type !== 'object') throw new NonStructuralSchemaError(`the root schema must have type object, got ${out.type}`);
  return out;
}

/** Where a node sits: a plain schema node, a value validation (allOf/anyOf/oneOf/not), or int-or-string's anyOf. */
type NodeContext = 'none' | 'value' | 'int-or-string';

function copyNode(node: unknown, at: string, inValueValidation: NodeContext): Record<string, unknown> {
  const where = at || '<root>';
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw new NonStructuralSchemaError(`${where}: a schema must be an object`);
  }
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(src).sort()) {
    const value = src[key];
    if (DOC_KEYWORDS.has(key)) continue;
    if (!KEPT_KEYWORDS.has(key)) throw new NonStructuralSchemaError(`${where}: unknown schema keyword "${key}"`);
    switch (key) {
      case '$ref': case 'patternProperties': case 'additionalItems': case 'dependencies': case 'definitions': case 'id': case '$schema':
        throw new NonStructuralSchemaError(`${where}: "${key}" is not allowed in a structural schema`);
      case 'uniqueItems':
        if (value === true) throw new NonStructuralSchemaError(`${where}: uniqueItems cannot be true; use x-kubernetes-list-type: set`);
        continue;
      case 'properties': {
        const props: Record<string, unknown> = {};
        for (const name of Object.keys(value as object).sort()) {
          props[name] = copyNode((value as Record<string, unknown>)[name], `${at}.properties.${name}`, inValueValidation);
        }
        out.properties = props;
        break;
      }
      case 'additionalProperties':
        if (value === false) throw new NonStructuralSchemaError(`${where}: additionalProperties: false is not allowed`);
        out.additionalProperties = value === true ? true : copyNode(value, `${at}.additionalProperties`, inValueValidation);
        break;
      case 'items':
        if (Array.isArray(value)) throw new NonStructuralSchemaError(`${where}: items must be a single schema, not a list`);
        out.items = copyNode(value, `${at}.items`, inValueValidation);
        break;
      case 'not':
        out.not = copyNode(value, `${at}.not`, 'value');
        break;
      case 'allOf': case 'anyOf': case 'oneOf': {
        if (!Array.isArray(value)) throw new NonStructuralSchemaError(`${where}: ${key} must be a list`);
        // int-or-string is the one place where value validations may name types (anyOf: [integer, string])
        const typesAllowed = src['x-kubernetes-int-or-string'] === true || (inValueValidation === 'int-or-string' && key === 'anyOf');
        out[key] = value.map((v, i) => copyNode(v, `${at}.${key}[${i}]`, typesAllowed ? 'int-or-string' : 'value'));
        break;
      }
        break;
      case 'x-kubernetes-validations':
        if (!Array.isArray(value)) throw new NonStructuralSchemaError(`${where}: x-kubernetes-validations must be a list`);
        out[key] = value.map((r, i) => copyRule(r, `${at}.x-kubernetes-validations[${i}]`));
        break;
      default:
        out[key] = clone(value);
    }
  }
  checkNode(out, where, inValueValidation);
  return out;
}

function copyRule(rule: unknown, where: string): CelRule {
  if (typeof rule !== 'object' || rule === null || typeof (rule as { rule?: unknown }).rule !== 'string') {
    throw new NonStructuralSchemaError(`${where}: a validation rule needs a "rule" string`);
  }
  const src = rule as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of CEL_RULE_KEYS) if (src[k] !== undefined && src[k] !== '') out[k] = src[k];
  return out as unknown as CelRule;
}

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** The API server's structural-schema conditions that matter to validation (apiextensions ValidateStructural). */
function checkNode(n: Record<string, unknown>, where: string, inValueValidation: NodeContext): void {
  const type = n.type;
  if (type !== undefined && (typeof type !== 'string' || !TYPES.has(type))) {
    throw new NonStructuralSchemaError(`${where}: unsupported type ${JSON.stringify(type)}`);
  }
  if (inValueValidation !== 'none') {
    const allowType = inValueValidation === 'int-or-string' && (type === 'integer' || type === 'string' || type === undefined);
    for (const k of [...(allowType ? [] : ['type']), 'nullable', 'default', 'additionalProperties', 'x-kubernetes-preserve-unknown-fields',
      'x-kubernetes-int-or-string', 'x-kubernetes-embedded-resource', 'x-kubernetes-validations']) {
      if (n[k] !== undefined) throw new NonStructuralSchemaError(`${where}: "${k}" is not allowed inside allOf/anyOf/oneOf/not`);
    }
    return;
  }
  if (type === undefined && n['x-kubernetes-int-or-string'] !== true && n['x-kubernetes-preserve-unknown-fields'] !== true) {
    throw new NonStructuralSchemaError(`${where}: type is required (or x-kubernetes-int-or-string / x-kubernetes-preserve-unknown-fields)`);
  }
  if (n.properties !== undefined && n.additionalProperties !== undefined) {
    throw new NonStructuralSchemaError(`${where}: properties and additionalProperties are mutually exclusive`);
  }
  if (type === 'array' && n.items === undefined) throw new NonStructuralSchemaError(`${where}: an array needs items`);
  const listType = n['x-kubernetes-list-type'];
  if (listType !== undefined) {
    if (type !== 'array') throw new NonStructuralSchemaError(`${where}: x-kubernetes-list-type needs type array`);
    if (listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
      throw new NonStructuralSchemaError(`${where}: unsupported x-kubernetes-list-type ${JSON.stringify(listType)}`);
    }
    const keys = n['x-kubernetes-list-map-keys'];
    if (listType === 'map' && (!Array.isArray(keys) || keys.length === 0)) {
      throw new NonStructuralSchemaError(`${where}: x-kubernetes-list-type map needs x-kubernetes-list-map-keys`);
    }
  }
  if (typeof n.pattern === 'string') {
    try {
      goRegExp(n.pattern);
    } catch (e) {
      throw new NonStructuralSchemaError(`${where}: pattern ${JSON.stringify(n.pattern)} cannot be used: ${(e as Error).message}`);
    }
  }
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/**
 * A JavaScript RegExp with the meaning of a Go (RE2) pattern, as the API server
 * matches `pattern` (unanchored search). Handles a leading flag group such as
 * `^(?i)…`; throws on other RE2-only syntax rather than guess.
 */
export function goRegExp(pattern: string): RegExp {
  let source = pattern;
  let flags = 'u';
  const lead = /^(\^?)\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    if (lead[2].includes('U')) throw new Error('the RE2 U flag (ungreedy) has no JavaScript equivalent');
    flags += [...new Set(lead[2])].join('');
    source = lead[1] + source.slice(lead[0].length);
  }
  if (/\(\?[imsU-]+[:)]/.test(source)) throw new Error('inline RE2 flag groups are only supported at the start of the pattern');
  if (/\[\[:[a-z]+:\]\]/.test(source)) throw new Error('POSIX character classes are not supported');
  source = source.replace(/\\A/g, '^').replace(/\\z/g, '$');
  return new RegExp(source, flags);
}
