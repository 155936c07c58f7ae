import { isPlainObject, Manifest, ResourceRef } from '../../model/manifest';
import { builtinSchemaSet, StructuralSchema } from '../schema';

/**
 * What istiod's decoder refuses before any rule runs. The webhook turns the
 * spec into the Istio protobuf type with golang/protobuf's jsonpb
 * (pkg/util/protomarshal ApplyJSON): a number that does not fit the field's
 * integer type, or a value of the wrong JSON type, fails the request with
 * "error decoding configuration". The API server does not check `format:
 * int32`, so an int32 field above 2147483647 passes the schema and only
 * istiod rejects it. The field types come from the built-in Istio 1.30.3
 * schemas (the protobuf types istiod decodes into), not from a hand list.
 */

/** One value istiod cannot decode. */
export interface DecodeProblem {
  /** Tokens of the field from the manifest root. */
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  /** `out-of-range` for integers that do not fit, `wrong-type` for anything else. */
  readonly kind: 'out-of-range' | 'wrong-type';
  /** What the field accepts, for the message: `an int32 (-2147483648 to 2147483647)`, `a string`, ... */
  readonly expected: string;
}

interface IntegerRange {
  readonly name: string;
  readonly min: bigint;
  readonly max: bigint;
}

const INT32: IntegerRange = { name: 'int32', min: -(2n ** 31n), max: 2n ** 31n - 1n };
const UINT32: IntegerRange = { name: 'uint32', min: 0n, max: 2n ** 32n - 1n };

/**
 * The integer type protoc-gen-crd wrote into the schema: `format: int32` for
 * int32 fields, `minimum: 0, maximum: 4294967295` for uint32 ones; other
 * integers (int64, uint64) are decoded without a limit we can see here.
 */
function integerRange(schema: StructuralSchema): IntegerRange | undefined {
  if (schema.format === 'int32') return INT32;
  if (schema.minimum === 0 && schema.maximum === 4294967295) return UINT32;
  return undefined;
}

function describeRange(range: IntegerRange): string {
  return `an ${range.name} (${range.min} to ${range.max})`;
}

/** jsonpb reads a quoted integer too ("80"): the text must be a JSON integer. */
function integerOf(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^-?(0|[1-9][0-9]*)$/.test(value)) return BigInt(value);
  return undefined;
}

/** jsonpb reads a quoted number too ("1.5"), and the strings "NaN", "Infinity", "-Infinity". */
function isDecodableNumber(value: unknown): boolean {
  if (typeof value === 'number') return true;
  if (typeof value !== 'string') return false;
  return ['NaN', 'Infinity', '-Infinity'].includes(value) || /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(value);
}

/** Nodes istiod decodes as free-form data (Struct, Any) or whose type the schema leaves open. */
function isOpen(schema: StructuralSchema): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true || schema['x-kubernetes-int-or-string'] === true || schema.type === undefined;
}

/**
 * What the decoder checks at one schema node, read once per node: schema
 * nodes all have different shapes, which makes every read of one slow, and
 * the walk reads them for every value of every Istio object.
 */
interface DecodeNode {
  /** The JSON type checked, undefined for an open node (nothing checked). */
  readonly type: string | undefined;
  readonly range: IntegerRange | undefined;
  readonly names: readonly unknown[] | undefined;
  readonly items: DecodeNode | undefined;
  /** The declared fields of an object. */
  readonly fields: ReadonlyMap<string, DecodeNode> | undefined;
  /** The node of the other fields (additionalProperties). */
  readonly extra: DecodeNode | undefined;
  /** True when this node or one below it is an integer with a range: all a value the schema accepted can fail. */
  readonly ranged: boolean;
}

const decodeNodes = new WeakMap<StructuralSchema, DecodeNode>();

function decodeNodeOf(schema: StructuralSchema): DecodeNode {
  const known = decodeNodes.get(schema);
  if (known) return known;
  const type = isOpen(schema) ? undefined : schema.type;
  const props = schema.properties;
  const extra = type === 'object' && typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null
    ? schema.additionalProperties : undefined;
  const range = type === 'integer' ? integerRange(schema) : undefined;
  const items = type === 'array' && schema.items ? decodeNodeOf(schema.items) : undefined;
  const fields = type === 'object' && props ? new Map(Object.keys(props).map((key) => [key, decodeNodeOf(props[key])])) : undefined;
  const extraNode = extra ? decodeNodeOf(extra) : undefined;
  const node: DecodeNode = {
    type,
    range,
    names: type === 'string' ? schema.enum : undefined,
    items,
    fields,
    extra: extraNode,
    ranged: range !== undefined || (items?.ranged ?? false) || (extraNode?.ranged ?? false) || [...(fields?.values() ?? [])].some((f) => f.ranged),
  };
  decodeNodes.set(schema, node);
  return node;
}

/**
 * `path` is the path of `value`, pushed and popped on the way down (copied
 * only into a problem). `typed`: the value passed the schema of `node`, so
 * only integer ranges can fail and subtrees without one are skipped.
 */
function walk(value: unknown, node: DecodeNode, path: (string | number)[], out: DecodeProblem[], typed: boolean): void {
  // jsonpb leaves a null field unset (and reads a null list item as the zero value)
  if (value === null || value === undefined || node.type === undefined) return;
  switch (node.type) {
    case 'integer': {
      const range = node.range;
      const n = integerOf(value);
      if (n === undefined) {
        out.push(wrongType(path, value, range ? describeRange(range) : 'an integer'));
      } else if (range && (n < range.min || n > range.max)) {
        out.push({ path: [...path], value, kind: 'out-of-range', expected: describeRange(range) });
      }
      return;
    }
    case 'number':
      if (!isDecodableNumber(value)) out.push(wrongType(path, value, 'a number'));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(wrongType(path, value, 'true or false'));
      return;
    case 'string': {
      const names = node.names;
      if (!names) {
        if (typeof value !== 'string') out.push(wrongType(path, value, 'a string'));
        return;
      }
      // an enum decodes from one of its names ("unknown value" otherwise), or from any int32 number (proto3 enums are open)
      if (typeof value === 'string' ? names.includes(value) : Number.isInteger(value) && Number(value) >= -(2 ** 31) && Number(value) < 2 ** 31) return;
      out.push(wrongType(path, value, `one of ${names.map((n) => JSON.stringify(n)).join(', ')}`));
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) {
        out.push(wrongType(path, value, 'a list'));
        return;
      }
      const items = node.items;
      if (!items || (typed && !items.ranged)) return;
      // as forEach did: holes are skipped
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) continue;
        path.push(i);
        walk(value[i], items, path, out, typed);
        path.pop();
      }
      return;
    }
    case 'object': {
      if (!isPlainObject(value)) {
        out.push(wrongType(path, value, 'an object'));
        return;
      }
      for (const key of Object.keys(value)) {
        // unknown fields are ignored: istiod retries the decoding with AllowUnknownFields
        const child = node.fields?.get(key) ?? node.extra;
        if (!child || (typed && !child.ranged)) continue;
        path.push(key);
        walk(value[key], child, path, out, typed);
        path.pop();
      }
      return;
    }
    default:
      return;
  }
}

function wrongType(path: readonly (string | number)[], value: unknown, expected: string): DecodeProblem {
  return { path: [...path], value, kind: 'wrong-type', expected };
}

/**
 * The values of the manifest's spec that istiod 1.30.3 cannot decode into its
 * protobuf type, in document order. Empty for kinds the built-in schemas do
 * not cover, and for versions they do not serve. `typed`: the caller knows
 * the manifest passed the built-in schema of its kind, whose types are the
 * decoder's: only the integer ranges the API server ignores are checked.
 */
export function decodeProblems(manifest: Manifest, ref: ResourceRef, typed = false): DecodeProblem[] {
  const served = builtinSchemaSet().lookup(ref.apiVersion, ref.kind);
  const specSchema = served?.schema.properties?.spec;
  if (!specSchema) return [];
  const out: DecodeProblem[] = [];
  const node = decodeNodeOf(specSchema);
  if (!typed || node.ranged) walk(manifest.spec, node, ['spec'], out, typed);
  return out;
}
