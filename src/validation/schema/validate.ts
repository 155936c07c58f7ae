import type { ErrorObject } from 'ajv';
import { compiledValidator } from './ajv-schema';
import { builtinSchemaSet, CrdSchemaSet } from './crd-schema-set';
import { displayPath, jsonType, pointerTokens, preview } from './field-path';
import { listTypeViolations } from './list-types';
import { pruneNullsAndDefault } from './prune-nulls';
import { SCHEMA_CODES as C } from './rules';
import { propertyOf, StructuralSchema } from './structural';
import { compareFindings, Finding, pointer } from '../../model/finding';
import { isPlainObject, Manifest, ResourceRef } from '../../model/manifest';
import { editDistance } from '../../vocabulary/nearest-name';
import { validateCelRules } from '../cel/validate-cel';

/** Schema errors after which the API server does not run CEL rules (strategy.go hasBlockingErr). */
const BLOCKING_KEYWORDS = new Set(['type', 'required', 'enum', 'maxLength', 'maxItems', 'maxProperties']);

/**
 * Layers 1 and 2: what the API server, holding the CRDs of `set`, says about
 * the manifest on create. Schema findings (IMV2xx) come from the structural
 * schema with the Kubernetes extensions; CEL findings (IMV3xx) from the CRD's
 * `x-kubernetes-validations`, evaluated, as in the API server, only when no
 * type/required/enum/maxLength/maxItems/maxProperties error was found
 * anywhere in the object (otherwise IMV303 says they were skipped).
 *
 * `apiVersion`, `kind` and `metadata` are left to the object layer; `status`
 * is ignored when the CRD has a status subresource (the API server drops it on
 * create). Kinds the set does not know give no findings. Never throws.
 */
export function validateStructure(manifest: Manifest, ref: ResourceRef, set: CrdSchemaSet = builtinSchemaSet()): Finding[] {
  try {
    return validateOrThrow(manifest, ref, set);
  } catch (e) {
    // a bug here must not hide the manifest's other findings; report it where users will see it
    return [{
      code: C.wrongType,
      severity: 'error',
      category: 'schema',
      resource: ref,
      path: '',
      message: `the schema validator failed on this manifest: ${(e as Error).message}`,
      fix: 'report this as a bug of cdk8s-istio-mtls, with the manifest',
    }];
  }
}

function validateOrThrow(manifest: Manifest, ref: ResourceRef, set: CrdSchemaSet): Finding[] {
  if (!isPlainObject(manifest)) {
    return [{
      code: C.wrongType,
      severity: 'error',
      category: 'schema',
      resource: ref,
      path: '',
      message: `the manifest must be an object, got ${jsonType(manifest)} ${preview(manifest)}`,
      fix: 'write the resource as a YAML mapping with apiVersion, kind, metadata and spec',
    }];
  }
  const served = set.lookup(ref.apiVersion, ref.kind);
  if (!served) {
    const versions = set.servedVersions(ref.apiVersion, ref.kind);
    if (versions.length === 0) return [];
    const group = ref.apiVersion.split('/')[0];
    return [{
      code: C.versionNotServed,
      severity: 'error',
      category: 'schema',
      resource: ref,
      path: '/apiVersion',
      message: `apiVersion ${JSON.stringify(ref.apiVersion)} is not served for ${ref.kind}; served: ${versions.map((v) => `${group}/${v}`).join(', ')}`,
      fix: `use apiVersion ${group}/${versions[0]}`,
    }];
  }
  const schema = served.schema;
  const body: Record<string, unknown> = {};
  for (const k of Object.keys(manifest)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    if (k === 'status' && served.crd.statusSubresource) continue;
    body[k] = manifest[k];
  }

  const findings: Finding[] = [];
  const dropped: string[][] = [];
  const object = pruneNullsAndDefault(body, schema, dropped) as Record<string, unknown>;
  for (const at of dropped) {
    findings.push({
      code: C.nullDropped,
      severity: 'warning',
      category: 'schema',
      resource: ref,
      path: pointer(...at),
      message: `${displayPath(at, schema)}: null is not allowed here; the API server drops the field`,
      fix: 'remove the field or give it a value',
    });
  }

  const validate = compiledValidator(schema);
  let blocking = false;
  if (!validate(object)) {
    for (const e of validate.errors ?? []) {
      const f = findingOfAjvError(e, object, schema, ref);
      if (!f) continue;
      findings.push(f);
      if (BLOCKING_KEYWORDS.has(e.keyword)) blocking = true;
    }
  }

  for (const v of listTypeViolations(object, schema)) {
    const where = displayPath(v.at, schema);
    const keys = (v.keys ?? []).join(', ');
    findings.push(v.kind === 'duplicate-item'
      ? {
        code: C.duplicateSetItem,
        severity: 'error',
        category: 'schema',
        resource: ref,
        path: pointer(...v.at),
        message: `${where}: duplicate value ${preview(v.value)}; the list is a set`,
        fix: 'remove the repeated item',
      }
      : v.kind === 'duplicate-key'
        ? {
          code: C.duplicateMapKey,
          severity: 'error',
          category: 'schema',
          resource: ref,
          path: pointer(...v.at),
          message: `${where}: duplicate key ${preview(v.value)}; items must be unique by ${keys}`,
          fix: `give each item a distinct ${keys}, or merge the duplicates`,
        }
        : {
          code: C.duplicateMapKey,
          severity: 'error',
          category: 'schema',
          resource: ref,
          path: pointer(...v.at),
          message: `${where}: must be an object (list-type map keyed by ${keys}), got ${jsonType(v.value)} ${preview(v.value)}`,
          fix: `write each item as an object with ${keys}`,
        });
  }

  if (blocking) {
    if (hasCelRules(schema)) {
      findings.push({
        code: C.celNotChecked,
        severity: 'info',
        category: 'cel',
        resource: ref,
        path: '',
        message: 'some CRD validation rules were not checked because the object has type, required, enum or size errors',
        fix: 'fix the schema errors above, then validate again',
      });
    }
  } else {
    findings.push(...validateCelRules(object, schema, ref, rootSelfExtras(manifest)));
  }
  return findings.sort(compareFindings);
}

/** Root-level rules may read apiVersion, kind, metadata.name and metadata.generateName. */
function rootSelfExtras(manifest: Record<string, unknown>): Record<string, unknown> {
  const md = isPlainObject(manifest.metadata) ? manifest.metadata : {};
  const metadata: Record<string, unknown> = {};
  if (typeof md.name === 'string') metadata.name = md.name;
  if (typeof md.generateName === 'string') metadata.generateName = md.generateName;
  const out: Record<string, unknown> = { metadata };
  if (typeof manifest.apiVersion === 'string') out.apiVersion = manifest.apiVersion;
  if (typeof manifest.kind === 'string') out.kind = manifest.kind;
  return out;
}

const celPresence = new WeakMap<StructuralSchema, boolean>();

function hasCelRules(schema: StructuralSchema): boolean {
  let has = celPresence.get(schema);
  if (has === undefined) {
    has = JSON.stringify(schema).includes('"x-kubernetes-validations"');
    celPresence.set(schema, has);
  }
  return has;
}

function valueAt(root: unknown, tokens: readonly string[]): unknown {
  let v = root;
  for (const t of tokens) v = Array.isArray(v) || isPlainObject(v) ? (v as Record<string, unknown>)[t] : undefined;
  return v;
}

function schemaAt(root: StructuralSchema, tokens: readonly string[]): StructuralSchema | undefined {
  let node: StructuralSchema | undefined = root;
  for (const t of tokens) {
    if (!node) return undefined;
    node = propertyOf(node, t) ?? node.items ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return node;
}

function findingOfAjvError(e: ErrorObject, object: unknown, schema: StructuralSchema, ref: ResourceRef): Finding | undefined {
  // errors inside oneOf/anyOf/not branches only explain the combinator's own error
  if (/\/(oneOf|anyOf|not)\//.test(e.schemaPath) || e.keyword === 'if') return undefined;
  const at = pointerTokens(e.instancePath);
  const where = displayPath(at, schema);
  const value = valueAt(object, at);
  const base = { severity: 'error' as const, category: 'schema', resource: ref, path: pointer(...at) };
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      const full = [...at, field];
      const known = Object.keys(schemaAt(schema, at)?.properties ?? {});
      const near = closest(field, known);
      return {
        ...base,
        code: C.unknownField,
        path: pointer(...full),
        message: `unknown field "${displayPath(full, schema)}"${known.length ? `; known fields: ${truncateList(known, 12)}` : ''}`,
        fix: near ? `did you mean "${near}"?` : 'remove the field, or check the CRD version you target',
      };
    }
    case 'type': {
      const expected = Array.isArray(p.type) ? p.type.join(' or ') : String(p.type);
      return {
        ...base,
        code: C.wrongType,
        message: `${where}: must be of type ${expected}, got ${jsonType(value)} ${preview(value)}`,
        fix: `write the value as ${article(expected)} ${expected}`,
      };
    }
    case 'required': {
      const full = [...at, String(p.missingProperty)];
      return {
        ...base,
        code: C.requiredMissing,
        path: pointer(...full),
        message: `${displayPath(full, schema)}: required field is missing`,
        fix: `set ${String(p.missingProperty)}`,
      };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => (typeof v === 'string' ? v : preview(v)));
      const near = typeof value === 'string' ? closest(value, allowed) : undefined;
      return {
        ...base,
        code: C.unsupportedValue,
        message: `${where}: unsupported value ${preview(value)}; allowed: ${allowed.join(', ')}`,
        fix: near ? `did you mean ${near}? (values are case-sensitive)` : `use one of ${allowed.join(', ')}`,
      };
    }
    case 'pattern':
      return {
        ...base,
        code: C.patternMismatch,
        message: `${where}: ${preview(value)} does not match the pattern ${String(p.pattern)}`,
        fix: 'change the value to match the pattern',
      };
    case 'maxLength': case 'minLength': {
      const len = typeof value === 'string' ? [...value].length : 0;
      const most = e.keyword === 'maxLength';
      return {
        ...base,
        code: C.stringLength,
        message: `${where}: ${len} characters ${preview(value, 40)}; ${most ? `at most ${String(p.limit)} allowed` : `at least ${String(p.limit)} required`}`,
        fix: most ? `shorten it to ${String(p.limit)} characters or fewer` : `use at least ${String(p.limit)} characters`,
      };
    }
    case 'maxItems': case 'minItems': {
      const most = e.keyword === 'maxItems';
      return {
        ...base,
        code: C.listSize,
        message: `${where}: ${Array.isArray(value) ? value.length : 0} items; ${most ? `at most ${String(p.limit)} allowed` : `at least ${String(p.limit)} required`}`,
        fix: most ? `split or shorten the list to ${String(p.limit)} items` : `add items: at least ${String(p.limit)} needed`,
      };
    }
    case 'maxProperties': case 'minProperties': {
      const most = e.keyword === 'maxProperties';
      const n = isPlainObject(value) ? Object.keys(value).length : 0;
      return {
        ...base,
        code: C.mapSize,
        message: `${where}: ${n} entries; ${most ? `at most ${String(p.limit)} allowed` : `at least ${String(p.limit)} required`}`,
        fix: most ? `remove entries: at most ${String(p.limit)}` : n === 0 ? 'remove the empty map, or add an entry' : `add entries: at least ${String(p.limit)}`,
      };
    }
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': case 'multipleOf': {
      const limit = String(p.limit ?? p.multipleOf);
      const [problem, wanted] = {
        minimum: [`is below the minimum ${limit}`, `>= ${limit}`],
        maximum: [`is above the maximum ${limit}`, `<= ${limit}`],
        exclusiveMinimum: [`must be greater than ${limit}`, `> ${limit}`],
        exclusiveMaximum: [`must be less than ${limit}`, `< ${limit}`],
        multipleOf: [`is not a multiple of ${limit}`, `that is a multiple of ${limit}`],
      }[e.keyword];
      return { ...base, code: C.numberRange, message: `${where}: ${preview(value)} ${problem}`, fix: `use a value ${wanted}` };
    }
    case 'format': {
      const format = schemaAt(schema, at)?.format ?? String(p.format);
      return {
        ...base,
        code: C.badFormat,
        message: `${where}: ${preview(value)} is not a valid ${format}`,
        fix: `write a valid ${format}`,
      };
    }
    case 'oneOf': case 'anyOf': case 'not': case 'allOf':
      return { ...base, code: C.alternatives, ...alternativesMessage(e, where, value) };
    default:
      return { ...base, code: C.alternatives, message: `${where}: ${e.message ?? 'is invalid'}`, fix: 'check the value against the CRD schema' };
  }
}

/** Istio CRDs spell "at most one of a, b" as oneOf: [not(anyOf(required a, required b)), required a, required b]. */
function alternativesMessage(e: ErrorObject, where: string, value: unknown): { message: string; fix: string } {
  const branches = (e.schema ?? []) as Record<string, unknown>[];
  const names = e.keyword === 'oneOf' && Array.isArray(branches)
    ? branches.flatMap((b) => (Array.isArray(b.required) && b.required.length === 1 && Object.keys(b).length === 1 ? [String(b.required[0])] : []))
    : [];
  if (names.length >= 2 && names.length === branches.length - 1) {
    const set = isPlainObject(value) ? names.filter((n) => n in value) : [];
    return {
      message: `${where}: only one of ${names.join(', ')} may be set; got ${set.join(', ') || 'none'}`,
      fix: `keep one of ${set.join(', ')} and remove the others`,
    };
  }
  const what = e.keyword === 'oneOf' ? 'exactly one of the allowed alternatives'
    : e.keyword === 'anyOf' ? 'at least one of the allowed alternatives'
      : e.keyword === 'not' ? 'the opposite of a forbidden shape' : 'all of its constraints';
  return { message: `${where}: ${preview(value)} must match ${what} (${e.keyword})`, fix: 'compare the value with the CRD schema of this field' };
}

function truncateList(items: readonly string[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(', ')}, … (${items.length - max} more)` : items.join(', ');
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** The closest candidate by case-insensitive edit distance (at most 2), for "did you mean". */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > 2) continue;
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
