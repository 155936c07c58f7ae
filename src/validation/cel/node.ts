import { CelRule, StructuralSchema } from '../schema/structural';

/**
 * What the CEL conversion and the rule walk read of one schema node, read
 * once per node: schema nodes all have different shapes, which makes every
 * read of one slow, and both walks read them for every value of every object
 * with CRD rules.
 */
export interface CelNode {
  /** `type: number`: numbers stay CEL doubles; other numbers become ints when integral. */
  readonly isNumber: boolean;
  readonly items: CelNode | undefined;
  /** The declared properties, own keys only: a key named `constructor` or `__proto__` is an ordinary key. */
  readonly properties: ReadonlyMap<string, CelNode>;
  /** The schema of undeclared keys (`additionalProperties` as a schema). */
  readonly extra: CelNode | undefined;
  /** Undeclared keys are kept as dynamic values (`x-kubernetes-preserve-unknown-fields`, `additionalProperties: true`, embedded resources). */
  readonly keepUnknown: boolean;
  readonly rules: readonly CelRule[];
  /** True when this node or one below it has rules. */
  readonly hasRules: boolean;
}

const nodes = new WeakMap<StructuralSchema, CelNode>();

/** The CelNode of a schema node, built with those below it on first use. */
export function celNodeOf(schema: StructuralSchema): CelNode {
  let node = nodes.get(schema);
  if (!node) {
    const properties = new Map<string, CelNode>();
    for (const key of Object.keys(schema.properties ?? {})) properties.set(key, celNodeOf(schema.properties![key]));
    const items = schema.items ? celNodeOf(schema.items) : undefined;
    const extra = typeof schema.additionalProperties === 'object' ? celNodeOf(schema.additionalProperties) : undefined;
    const rules = schema['x-kubernetes-validations'] ?? [];
    let hasRules = rules.length > 0 || (items?.hasRules ?? false) || (extra?.hasRules ?? false);
    for (const sub of properties.values()) hasRules ||= sub.hasRules;
    node = {
      isNumber: schema.type === 'number',
      items,
      properties,
      extra,
      keepUnknown: schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true
        || Boolean(schema['x-kubernetes-embedded-resource']),
      rules,
      hasRules,
    };
    nodes.set(schema, node);
  }
  return node;
}
