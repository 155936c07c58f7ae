import { RuleInfo } from './rule-info';

/**
 * The upstream releases whose behaviour the rules reproduce. One place, so
 * RULES.md, SARIF and the tests name the same versions; bump them together
 * with the CRDs (`npm run import`) and the ported upstream test tables.
 */
export const UPSTREAM = {
  istio: 'Istio 1.30.3',
  /** The Kubernetes libraries Istio 1.30.3 builds against (its go.mod). */
  kubernetes: 'Kubernetes 1.35 (k8s.io/apimachinery and apiextensions-apiserver v0.35.3)',
  prometheusOperator: 'prometheus-operator v0.93.0',
  /** The Prometheus prometheus-operator v0.93.0 pins (go.mod: v0.313.1). */
  prometheus: 'Prometheus v3.13.1',
  cdk8s: 'cdk8s 2.68.12',
} as const;

/** What each category of rules follows, when the rule names nothing more precise. */
const BY_CATEGORY: Readonly<Record<string, string>> = {
  'internal': 'istio-mtls itself',
  'object': `${UPSTREAM.kubernetes}, kubectl --validate=strict`,
  'schema': `${UPSTREAM.kubernetes}, with the CRDs of ${UPSTREAM.istio} and ${UPSTREAM.prometheusOperator}`,
  'cel': `${UPSTREAM.kubernetes} CEL, with the CRDs of ${UPSTREAM.istio}`,
  'webhook': `${UPSTREAM.istio} validating webhook (pkg/config/validation)`,
  'promql': `${UPSTREAM.prometheusOperator} admission webhook, ${UPSTREAM.prometheus} parser and rulefmt`,
  'certificates': `${UPSTREAM.istio} (security/pkg/pki), Go 1.25 crypto/x509 as Istio 1.30.3 builds it`,
  'synth-output': `${UPSTREAM.cdk8s} (App.synth)`,
};

/** The upstream release a rule follows: its own `upstream`, else its category's, else Istio's (the mesh analysis). */
export function upstreamOf(rule: RuleInfo): string {
  return rule.upstream ?? BY_CATEGORY[rule.category] ?? `${UPSTREAM.istio} semantics`;
}
