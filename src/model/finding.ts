import { ResourceRef } from './manifest';
import type { RuleInfo, Severity } from './rule-info';

export type { Severity } from './rule-info';

/**
 * One thing the engine has to say about a resource. Validation and analysis
 * both produce findings; reports render them. Codes are stable and documented
 * in RULES.md.
 */
export interface Finding {
  /** Stable code, e.g. `IMV-SCHEMA-001` or `IMA-012`. */
  readonly code: string;
  readonly severity: Severity;
  /** Analysis rules carry a category (e.g. `duplicate-namespace-policy`); validation findings name their layer. */
  readonly category: string;
  /** One line: what is wrong, with the bad value. */
  readonly message: string;
  /** One line: how to fix it. */
  readonly fix?: string;
  readonly resource: ResourceRef;
  /** JSON pointer into the resource (`/spec/mtls/mode`); `` for the whole resource. */
  readonly path: string;
  /** Other resources involved (e.g. the competing policy). */
  readonly related?: readonly ResourceRef[];
  /**
   * Set when a valid, unexpired `mtls.acknowledge/<CODE>` annotation on the
   * resource acknowledges this finding: still reported, never fails synth or lint.
   */
  readonly acknowledged?: Acknowledgment;
}

/** Who accepted a finding, until when, and why (the `mtls.acknowledge/<CODE>` annotation's three parts). */
export interface Acknowledgment {
  readonly owner: string;
  /** A calendar date, `YYYY-MM-DD`. */
  readonly reviewBy: string;
  readonly reason: string;
}

/**
 * Builds a finding of `info`'s code and category (severity defaults to the rule's).
 * @internal
 */
export function findingOf(info: RuleInfo, f: {
  resource: ResourceRef;
  path?: string;
  message: string;
  fix: string;
  related?: readonly ResourceRef[];
  severity?: Severity;
}): Finding {
  return {
    code: info.code,
    severity: f.severity ?? info.severity,
    category: info.category,
    message: f.message,
    fix: f.fix,
    resource: f.resource,
    path: f.path ?? '',
    ...(f.related && f.related.length > 0 ? { related: f.related } : {}),
  };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Orders findings deterministically: resource, then path, then severity, code and message. */
export function compareFindings(a: Finding, b: Finding): number {
  return cmp(a.resource.namespace, b.resource.namespace)
    || cmp(a.resource.kind, b.resource.kind)
    || cmp(a.resource.name, b.resource.name)
    || cmp(a.path, b.path)
    || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]
    || cmp(a.code, b.code)
    || cmp(a.message, b.message);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Escapes one JSON-pointer token (RFC 6901). */
export function pointerToken(token: string | number): string {
  const s = String(token);
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

/** Builds a JSON pointer from tokens: `pointer('spec', 'mtls', 'mode')` → `/spec/mtls/mode`. */
export function pointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => '/' + pointerToken(t)).join('');
}
