import { AnalysisContext } from './context';
import { Finding } from '../model/finding';
import { RuleInfo } from '../model/rule-info';

/** One cross-resource rule: its documentation and a pure check over the whole mesh. */
export interface AnalysisRule {
  readonly info: RuleInfo;
  check(ctx: AnalysisContext): Finding[];
}

/** `a, b, c and 4 more`: keeps messages on one line. */
export function listSome(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
