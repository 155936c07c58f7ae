/** How bad a finding is; a rule's default, which a finding may override. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * The documentation of one stable code. Every layer exports a catalogue of
 * these; RULES.md is generated from them (scripts/gen-rules-doc.ts), so the
 * reference cannot drift from the code.
 */
export interface RuleInfo {
  /** Stable code, e.g. `IMV401`. Never reused for another meaning. */
  readonly code: string;
  /** Validation layer (`object`, `schema`, `cel`, `webhook`, `promql`) or analysis category. */
  readonly category: string;
  /** Default severity. */
  readonly severity: Severity;
  /** Short title, e.g. `Port-level mTLS without a selector`. */
  readonly title: string;
  /** Why the rule exists: what the cluster or Istio does with such input. */
  readonly explanation: string;
  /** Where the fact comes from (Istio source file or doc page), when useful. */
  readonly source?: string;
  /**
   * The upstream release whose behaviour the rule reproduces, when more precise
   * than its category's (see upstream.ts), e.g. `Istio 1.30.3, Kiali v2.30.0`.
   */
  readonly upstream?: string;
}
