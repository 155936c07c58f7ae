import { compileExpression, firstLine } from './environment';
import { isCelMapMap } from './maps';
import { CelNode, celNodeOf } from './node';
import { typed } from './values';
import { Finding, pointer } from '../../model/finding';
import { isPlainObject, ResourceRef } from '../../model/manifest';
import { displayPath, preview } from '../schema/field-path';
import { SCHEMA_CODES as C } from '../schema/rules';
import { CelRule, StructuralSchema } from '../schema/structural';

/** How the API server words a rule failure for each `reason`. */
const REASON_PREFIX: Readonly<Record<string, string>> = {
  FieldValueForbidden: 'forbidden: ',
  FieldValueRequired: 'required value: ',
  FieldValueDuplicate: 'duplicate value: ',
};

/**
 * Evaluates the CRD's `x-kubernetes-validations` rules over an object that
 * passed the blocking schema checks, at every location where a value exists
 * (not for absent or null values). `self` is the value at the rule's place;
 * at the root it also carries apiVersion, kind and metadata.name /
 * generateName, as in the API server. Transition rules (reading `oldSelf`)
 * only run on update and are skipped: this validator sees creates.
 */
export function validateCelRules(object: unknown, schema: StructuralSchema, ref: ResourceRef, rootExtras: Record<string, unknown> = {}): Finding[] {
  const findings: Finding[] = [];
  const node = celNodeOf(schema);
  if (!node.hasRules) return findings;
  if (node.rules.length > 0) {
    const root = typed(object, node);
    visit(isPlainObject(root) ? withExtras(root, rootExtras) : root, node, [], schema, ref, findings);
  } else {
    visitUntyped(object, node, [], schema, ref, findings);
  }
  return findings;
}

/**
 * `visit` down to the nodes that have rules, over the value as read: only
 * the values rules see are converted to CEL values (`typed` is
 * compositional, so a subtree converted alone is the same).
 */
function visitUntyped(value: unknown, node: CelNode, at: string[], root: StructuralSchema, ref: ResourceRef, out: Finding[]): void {
  if (value === undefined || value === null) return;
  if (node.rules.length > 0) {
    visit(typed(value, node), node, at, root, ref, out);
    return;
  }
  if (Array.isArray(value)) {
    const items = node.items;
    if (!items || !items.hasRules) return;
    for (let i = 0; i < value.length; i++) {
      at.push(String(i));
      visitUntyped(value[i], items, at, root, ref, out);
      at.pop();
    }
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const sub = node.properties.get(key) ?? node.extra;
      if (!sub || !sub.hasRules) continue;
      at.push(key);
      visitUntyped(value[key], sub, at, root, ref, out);
      at.pop();
    }
  }
}

/** `{ ...root, ...extras }`, built by assignment: V8 gives every object spread into and then extended a hidden class of its own. */
function withExtras(root: Record<string, unknown>, extras: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(root)) out[key] = root[key];
  for (const key of Object.keys(extras)) out[key] = extras[key];
  return out;
}

/** `at` is the path of `value`, pushed and popped on the way down. */
function visit(value: unknown, node: CelNode, at: string[], root: StructuralSchema, ref: ResourceRef, out: Finding[]): void {
  if (value === undefined || value === null) return;
  for (const rule of node.rules) {
    const f = evaluateRule(rule, value, at, root, ref);
    if (f) out.push(f);
  }
  if (Array.isArray(value)) {
    const items = node.items;
    if (!items || !items.hasRules) return;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue;
      at.push(String(i));
      visit(value[i], items, at, root, ref, out);
      at.pop();
    }
  } else if (isPlainObject(value)) {
    if (isCelMapMap(value)) {
      for (const [key, field] of value) visitField(key, field, node, at, root, ref, out);
    } else {
      for (const key of Object.keys(value)) visitField(key, value[key], node, at, root, ref, out);
    }
  }
}

/** `visit` of the field `key` of a map at `node`; a field whose schema holds no rule anywhere below has nothing to evaluate. */
function visitField(key: string, field: unknown, node: CelNode, at: string[], root: StructuralSchema, ref: ResourceRef, out: Finding[]): void {
  const sub = node.properties.get(key) ?? node.extra;
  if (!sub || !sub.hasRules) return;
  at.push(key);
  visit(field, sub, at, root, ref, out);
  at.pop();
}

function evaluateRule(rule: CelRule, self: unknown, at: readonly string[], root: StructuralSchema, ref: ResourceRef): Finding | undefined {
  const compiled = compileExpression(rule.rule);
  if (compiled.transition) return undefined;
  if (!compiled.evaluate) {
    return {
      code: C.celUnsupported,
      severity: 'warning',
      category: 'cel',
      resource: ref,
      path: pointer(...at),
      message: `${displayPath(at, root)}: CRD rule \`${shortRule(rule.rule)}\` was not checked: ${compiled.unsupported}`,
      fix: 'check this rule on a cluster (kubectl apply --dry-run=server)',
    };
  }
  let result: unknown;
  try {
    result = compiled.evaluate({ self });
  } catch (e) {
    return {
      code: C.celEvaluationError,
      severity: 'error',
      category: 'cel',
      resource: ref,
      path: pointer(...at),
      message: `${displayPath(at, root)}: CRD rule \`${shortRule(rule.rule)}\` failed to evaluate on ${preview(self, 40)}: ${firstLine((e as Error).message)}`,
      fix: 'correct the value so that the rule can be evaluated; the API server rejects the object otherwise',
    };
  }
  if (result === true) return undefined;
  if (result !== false) {
    return {
      code: C.celEvaluationError,
      severity: 'error',
      category: 'cel',
      resource: ref,
      path: pointer(...at),
      message: `${displayPath(at, root)}: CRD rule \`${shortRule(rule.rule)}\` returned ${preview(result)} instead of a bool`,
      fix: 'fix the CRD rule: it must return true or false',
    };
  }
  const target = [...at, ...fieldPathTokens(rule.fieldPath)];
  const message = ruleMessage(rule, self);
  return {
    code: C.celRuleFailed,
    severity: 'error',
    category: 'cel',
    resource: ref,
    path: pointer(...target),
    message: `${displayPath(target, root)}: ${REASON_PREFIX[rule.reason ?? ''] ?? ''}${message}`,
    fix: `change the value so that the CRD rule \`${shortRule(rule.rule)}\` holds`,
  };
}

/** messageExpression first (if it yields a non-empty string), then message, then the API server's default. */
function ruleMessage(rule: CelRule, self: unknown): string {
  if (rule.messageExpression) {
    const compiled = compileExpression(rule.messageExpression);
    if (compiled.evaluate) {
      try {
        const text = compiled.evaluate({ self });
        if (typeof text === 'string' && text.trim() !== '') return oneLine(text);
      } catch {
        // the API server falls back to message when messageExpression fails
      }
    }
  }
  if (rule.message) return oneLine(rule.message);
  return `failed rule: ${shortRule(rule.rule)}`;
}

/** Tokens of a rule's `fieldPath` (`.spec.foo`, `.foo['bar.baz']`, `.list[0]`). */
export function fieldPathTokens(fieldPath: string | undefined): string[] {
  if (!fieldPath) return [];
  const tokens: string[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]|\[([0-9]+)\]/y;
  let m: RegExpExecArray | null;
  while ((m = re.exec(fieldPath)) !== null) {
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
    if (re.lastIndex === fieldPath.length) return tokens;
  }
  return tokens.length ? tokens : [];
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function shortRule(rule: string): string {
  const text = oneLine(rule);
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}
