import { AnalysisContext } from './context';
import { Finding, Severity } from '../model/finding';
import { ResourceRef } from '../model/manifest';
import { RuleInfo } from '../model/rule-info';

/** One cross-resource rule: its documentation and a pure check over the whole mesh. */
export interface AnalysisRule {
  readonly info: RuleInfo;
  check(ctx: AnalysisContext): Finding[];
}

/** Builds a finding of `info`'s code and category (severity defaults to the rule's). */
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

/** `a, b, c and 4 more`: keeps messages on one line. */
export function listSome(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
