/**
 * PromQL functions and aggregations with their argument types, as Prometheus'
 * parser declares them (promql/parser/functions.go, lex.go). Experimental ones
 * need `--enable-feature=promql-experimental-functions`, which neither the
 * prometheus-operator webhook nor a default Prometheus enables.
 */

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string' | 'none';

export interface PromqlFunction {
  readonly argTypes: readonly ValueType[];
  /** 0: fixed arity; n > 0: up to n optional trailing args of the last type; -1: unlimited. */
  readonly variadic: number;
  readonly returnType: ValueType;
  readonly experimental: boolean;
}

const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

function fn(argTypes: ValueType[], returnType: ValueType = V, variadic = 0, experimental = false): PromqlFunction {
  return { argTypes, returnType, variadic, experimental };
}

const vectorMath = ['abs', 'absent', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'ceil', 'cos', 'cosh', 'deg', 'exp', 'floor',
  'histogram_avg', 'histogram_count', 'histogram_sum', 'histogram_stddev', 'histogram_stdvar', 'ln', 'log10', 'log2', 'rad', 'sgn',
  'sin', 'sinh', 'sort', 'sort_desc', 'sqrt', 'tan', 'tanh', 'timestamp'];
const overTime = ['absent_over_time', 'avg_over_time', 'changes', 'count_over_time', 'delta', 'deriv', 'idelta', 'increase', 'irate',
  'last_over_time', 'max_over_time', 'min_over_time', 'present_over_time', 'rate', 'resets', 'stddev_over_time', 'stdvar_over_time',
  'sum_over_time'];
const experimentalOverTime = ['first_over_time', 'mad_over_time', 'ts_of_first_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time',
  'ts_of_last_over_time'];
const dateFns = ['days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'hour', 'minute', 'month', 'year'];

export const PROMQL_FUNCTIONS: Readonly<Record<string, PromqlFunction>> = Object.freeze({
  ...Object.fromEntries(vectorMath.map((n) => [n, fn([V])])),
  ...Object.fromEntries(overTime.map((n) => [n, fn([M])])),
  ...Object.fromEntries(experimentalOverTime.map((n) => [n, fn([M], V, 0, true)])),
  ...Object.fromEntries(dateFns.map((n) => [n, fn([V], V, 1)])),
  clamp: fn([V, S, S]),
  clamp_max: fn([V, S]),
  clamp_min: fn([V, S]),
  histogram_fraction: fn([S, S, V]),
  histogram_quantile: fn([S, V]),
  histogram_quantiles: fn([V, STR, S, S], V, 9, true),
  double_exponential_smoothing: fn([M, S, S], V, 0, true),
  info: fn([V, V], V, 1, true),
  label_replace: fn([V, STR, STR, STR, STR]),
  label_join: fn([V, STR, STR, STR], V, -1),
  pi: fn([], S),
  predict_linear: fn([M, S]),
  quantile_over_time: fn([S, M]),
  round: fn([V, S], V, 1),
  scalar: fn([V], S),
  sort_by_label: fn([V, STR], V, -1, true),
  sort_by_label_desc: fn([V, STR], V, -1, true),
  time: fn([], S),
  vector: fn([S]),
  start: fn([], S, 0, true),
  end: fn([], S, 0, true),
  range: fn([], S, 0, true),
  step: fn([], S, 0, true),
  max_of: fn([S, S], S, 0, true),
  min_of: fn([S, S], S, 0, true),
});

/** Aggregation operators: whether they take a parameter, its type, and whether they are experimental. */
export const PROMQL_AGGREGATIONS: Readonly<Record<string, { readonly param?: ValueType; readonly experimental: boolean }>> = {
  avg: { experimental: false },
  bottomk: { param: S, experimental: false },
  count: { experimental: false },
  count_values: { param: STR, experimental: false },
  group: { experimental: false },
  limitk: { param: S, experimental: true },
  limit_ratio: { param: S, experimental: true },
  max: { experimental: false },
  min: { experimental: false },
  quantile: { param: S, experimental: false },
  stddev: { experimental: false },
  stdvar: { experimental: false },
  sum: { experimental: false },
  topk: { param: S, experimental: false },
};

/** Prometheus' names for value types in messages (DocumentedType). */
export function documentedType(t: ValueType): string {
  switch (t) {
    case 'vector': return 'instant vector';
    case 'matrix': return 'range vector';
    default: return t;
  }
}
