import { ANALYSIS_RULES } from './analysis';
import { CERTIFICATE_RULES } from './certificates';
import { ACKNOWLEDGMENT_RULES } from './model/exception-rules';
import { RuleInfo } from './model/rule-info';
import { OUTPUT_FILE_RULES } from './model/synth-output-rules';
import { ISTIO_WEBHOOK_RULES } from './validation/istio';
import { OBJECT_RULES } from './validation/object-meta';
import { PROMETHEUS_RULES } from './validation/prometheus/rules';
import { SCHEMA_RULES } from './validation/schema';

/** Findings about the engine itself rather than the input. */
export const ENGINE_RULES: RuleInfo[] = [
  {
    code: 'IMV001',
    category: 'internal',
    severity: 'error',
    title: 'Validator failure',
    explanation: 'A check failed on this resource because of a defect in istio-mtls, not in the manifest. The finding names the stage that failed; '
      + 'the other stages and the other resources were still checked, and the resource is left out of the mesh analysis like any resource '
      + 'with an error. Please report it with the manifest.',
  },
];

/** Every documented code, sorted: the source of RULES.md and of SARIF rule metadata. */
export const ALL_RULES: readonly RuleInfo[] = [
  ...ENGINE_RULES, ...OBJECT_RULES, ...SCHEMA_RULES, ...ISTIO_WEBHOOK_RULES, ...PROMETHEUS_RULES, ...ANALYSIS_RULES, ...CERTIFICATE_RULES,
  ...OUTPUT_FILE_RULES, ...ACKNOWLEDGMENT_RULES,
].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
