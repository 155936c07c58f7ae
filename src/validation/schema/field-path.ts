import { propertyOf, StructuralSchema } from './structural';

/**
 * Renders JSON-pointer tokens the way the API server names fields
 * (`spec.portLevelMtls[8080].mode`, `spec.rules[0].from`): properties with a
 * dot, map keys and list indexes in brackets. The schema tells which is which.
 */
export function displayPath(tokens: readonly string[], schema: StructuralSchema | undefined): string {
  let out = '';
  let node = schema;
  for (const t of tokens) {
    const prop = propertyOf(node, t);
    const sub = node?.items ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
    if (prop) {
      out += out === '' ? t : `.${t}`;
      node = prop;
    } else if (sub || (!node?.properties && /^[0-9]+$/.test(t))) {
      out += `[${t}]`;
      node = sub;
    } else {
      out += out === '' ? t : `.${t}`;
      node = undefined;
    }
  }
  return out || '<root>';
}

/** JSON-pointer tokens of an ajv instancePath. */
export function pointerTokens(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A short, one-line rendering of a value for messages. */
export function preview(value: unknown, max = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The JSON type name of a value, as schema messages use it. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
