import type { PrometheusRuleOptions } from './prometheus-rule';
import { Finding } from '../../model/finding';
import { Manifest, ResourceRef } from '../../model/manifest';

/**
 * The prometheus-operator webhook (`validatePrometheusRule`), loaded on its
 * first call: its PromQL and Go template parsers are the largest part of the
 * validators, and most inputs hold no PrometheusRule.
 */
export function validatePrometheusRule(manifest: Manifest, ref: ResourceRef, options: PrometheusRuleOptions = {}): Finding[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./prometheus-rule') as typeof import('./prometheus-rule')).validatePrometheusRule(manifest, ref, options);
}
