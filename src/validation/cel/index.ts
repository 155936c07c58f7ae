export { celEnvironment, compileExpression, CompiledRule, K8S_FUNCTIONS } from './environment';
export { parseGoDurationNanos } from '../../vocabulary/duration';
export { fieldPathTokens, validateCelRules } from './validate-cel';
export { toCelValue } from './values';
