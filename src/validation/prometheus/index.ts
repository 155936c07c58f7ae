export { validatePrometheusRule, MAX_RENDERED_RULES_BYTES } from './prometheus-rule';
export type { PrometheusRuleOptions } from './prometheus-rule';
export { PROMETHEUS_RULES } from './rules';
export { checkPromQL, lineColumn, WEBHOOK_PARSER_OPTIONS } from './promql';
export type { PromqlCheck, PromqlParserOptions, PromqlProblem, PromqlProblemKind } from './promql';
export { checkGoTemplate, TEMPLATE_FUNCTIONS, TEMPLATE_VARIABLES } from './go-template';
export type { TemplateProblem } from './go-template';
export {
  DEFAULT_NAME_VALIDATION_SCHEME, isValidLabelName, isValidMetricName, labelNameVerdict, metricNameVerdict, NAME_VALIDATION_SCHEMES,
  nameValidationScheme,
} from './names';
export type { NameValidationScheme, NameVerdict } from './names';
export { renderRules, renderedRulesSize } from './rendered-rules';
export { decodeRuleSpec } from './rule-spec';
export type { DecodedSpec, DecodeProblem, SpecGroup, SpecRule } from './rule-spec';
export { PROMQL_FUNCTIONS, PROMQL_AGGREGATIONS } from './promql-functions';
export type { ValueType, PromqlFunction } from './promql-functions';
