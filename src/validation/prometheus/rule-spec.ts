import { isPlainObject } from '../../model/manifest';

/**
 * A PrometheusRule spec as prometheus-operator's webhook holds it (v0.93.0):
 * `json.Unmarshal` into `monitoringv1.PrometheusRuleSpec`, then ValidateRule's
 * normalisation (empty `interval` and `for` dropped). A value of the wrong
 * type is a decode problem, as the webhook rejects the object for it ("Cannot
 * unmarshal rules from spec"); the built-in CRD schema reports it first.
 * Null values count as absent: the API server drops them before the webhook.
 */

export interface SpecRule {
  /** Position in its group. */
  readonly index: number;
  readonly record: string;
  readonly alert: string;
  /** IntOrString: a missing expr is the int 0, as the operator's types marshal it. */
  readonly expr: string | number;
  readonly for?: string;
  readonly keepFiringFor?: string;
  /** Sorted by name. */
  readonly labels: readonly (readonly [string, string])[];
  readonly annotations: readonly (readonly [string, string])[];
}

export interface SpecGroup {
  readonly index: number;
  readonly name: string;
  readonly labels: readonly (readonly [string, string])[];
  readonly interval?: string;
  readonly queryOffset?: string;
  readonly limit?: number;
  readonly rules: readonly SpecRule[];
}

export interface DecodeProblem {
  /** JSON pointer tokens below the manifest. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface DecodedSpec {
  readonly groups: readonly SpecGroup[];
  readonly problems: readonly DecodeProblem[];
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_LIMIT = 2 ** 63;

type Path = readonly (string | number)[];

/** `json.Unmarshal` of `spec` into the operator's types, then ValidateRule's normalisation. Never throws. */
export function decodeRuleSpec(spec: unknown): DecodedSpec {
  const problems: DecodeProblem[] = [];
  const decoder = new Decoder(problems);
  const groups = decoder.groups(spec);
  return { groups, problems };
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return `number ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'string' ? 'string' : 'object';
}

/** Present and not null. */
function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

class Decoder {
  constructor(private readonly problems: DecodeProblem[]) {}

  groups(spec: unknown): SpecGroup[] {
    if (!present(spec)) return [];
    if (!isPlainObject(spec)) return this.fail(['spec'], spec, 'PrometheusRule.spec', 'v1.PrometheusRuleSpec', []);
    const raw = spec.groups;
    if (!present(raw)) return [];
    if (!Array.isArray(raw)) return this.fail(['spec', 'groups'], raw, 'PrometheusRuleSpec.spec.groups', '[]v1.RuleGroup', []);
    const out: SpecGroup[] = [];
    raw.forEach((g, gi) => {
      const at: Path = ['spec', 'groups', gi];
      if (present(g) && !isPlainObject(g)) {
        this.fail(at, g, 'PrometheusRuleSpec.spec.groups', 'v1.RuleGroup', undefined);
        return;
      }
      const group = isPlainObject(g) ? g : {};
      const interval = this.string(group.interval, [...at, 'interval'], 'RuleGroup.spec.groups.interval', 'v1.Duration');
      const rulesRaw = group.rules;
      let rules: SpecRule[] = [];
      if (present(rulesRaw) && !Array.isArray(rulesRaw)) this.fail([...at, 'rules'], rulesRaw, 'RuleGroup.spec.groups.rules', '[]v1.Rule', undefined);
      else if (Array.isArray(rulesRaw)) rules = rulesRaw.map((r, ri) => this.rule(r, ri, [...at, 'rules', ri])).filter((r): r is SpecRule => r !== undefined);
      this.string(group.partial_response_strategy, [...at, 'partial_response_strategy'], 'RuleGroup.spec.groups.partial_response_strategy', 'string');
      out.push({
        index: gi,
        name: this.string(group.name, [...at, 'name'], 'RuleGroup.spec.groups.name', 'string') ?? '',
        labels: this.stringMap(group.labels, [...at, 'labels'], 'RuleGroup.spec.groups.labels'),
        // ValidateRule drops an empty interval.
        interval: interval === '' ? undefined : interval,
        queryOffset: this.string(group.query_offset, [...at, 'query_offset'], 'RuleGroup.spec.groups.query_offset', 'v1.Duration'),
        limit: this.int64(group.limit, [...at, 'limit'], 'RuleGroup.spec.groups.limit'),
        rules,
      });
    });
    return out;
  }

  private rule(r: unknown, index: number, at: Path): SpecRule | undefined {
    if (present(r) && !isPlainObject(r)) return this.fail(at, r, 'RuleGroup.spec.groups.rules', 'v1.Rule', undefined);
    const rule = isPlainObject(r) ? r : {};
    const forValue = this.string(rule.for, [...at, 'for'], 'Rule.spec.groups.rules.for', 'v1.Duration');
    return {
      index,
      record: this.string(rule.record, [...at, 'record'], 'Rule.spec.groups.rules.record', 'string') ?? '',
      alert: this.string(rule.alert, [...at, 'alert'], 'Rule.spec.groups.rules.alert', 'string') ?? '',
      expr: this.intOrString(rule.expr, [...at, 'expr']),
      // ValidateRule drops an empty for.
      for: forValue === '' ? undefined : forValue,
      keepFiringFor: this.string(rule.keep_firing_for, [...at, 'keep_firing_for'], 'Rule.spec.groups.rules.keep_firing_for', 'v1.NonEmptyDuration'),
      labels: this.stringMap(rule.labels, [...at, 'labels'], 'Rule.spec.groups.rules.labels'),
      annotations: this.stringMap(rule.annotations, [...at, 'annotations'], 'Rule.spec.groups.rules.annotations'),
    };
  }

  private fail<T>(path: Path, value: unknown, field: string, type: string, result: T): T {
    this.problems.push({ path, message: `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${field} of type ${type}` });
    return result;
  }

  private string(v: unknown, path: Path, field: string, type: string): string | undefined {
    if (!present(v)) return undefined;
    if (typeof v === 'string') return v;
    return this.fail(path, v, field, type, undefined);
  }

  private intOrString(v: unknown, path: Path): string | number {
    if (typeof v === 'string') return v;
    if (!present(v)) return 0;
    // A JSON number goes into IntVal, an int32.
    if (typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX) return v;
    this.problems.push({ path, message: `json: cannot unmarshal ${jsonKind(v)} into Go value of type int32` });
    return 0;
  }

  private int64(v: unknown, path: Path, field: string): number | undefined {
    if (!present(v)) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= -INT64_LIMIT && v < INT64_LIMIT) return v;
    return this.fail(path, v, field, 'int', undefined);
  }

  private stringMap(v: unknown, path: Path, field: string): [string, string][] {
    if (!present(v)) return [];
    if (!isPlainObject(v)) return this.fail(path, v, field, 'map[string]string', []);
    const out: [string, string][] = [];
    for (const key of Object.keys(v).sort()) {
      const value = v[key];
      if (!present(value)) continue;
      if (typeof value === 'string') out.push([key, value]);
      else this.fail([...path, key], value, field, 'string', undefined);
    }
    return out;
  }
}
