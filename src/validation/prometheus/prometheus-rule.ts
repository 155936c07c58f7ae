import { checkGoTemplate, TemplateProblem } from './go-template';
import {
  isValidLabelName, isValidMetricName, isWellFormedUnicode, labelNameVerdict, metricNameVerdict, NameValidationScheme,
  nameValidationScheme, suggestLabelName, suggestMetricName,
} from './names';
import { checkPromQL, lineColumn, PromqlProblem } from './promql';
import { documentedType } from './promql-functions';
import { renderedRulesSize } from './rendered-rules';
import { decodeRuleSpec, SpecGroup, SpecRule } from './rule-spec';
import { Finding, pointer } from '../../model/finding';
import { Manifest, ResourceRef } from '../../model/manifest';
import { parsePrometheusDuration } from '../../vocabulary/duration';

/**
 * The PrometheusRule layer: what prometheus-operator's admission webhook
 * (v0.93.0, default flags) rejects. It decodes `spec` into the operator's
 * types, drops empty `interval` and `for`, renders the groups as a Prometheus
 * rule file (at most 512 KiB) and runs rulefmt's validation (Prometheus
 * v3.13.1) on it: durations, group names, record/alert, names under the
 * webhook's name validation scheme, every expression through PromQL's parser
 * and every alert label and annotation through Go's text/template parser.
 */

const CATEGORY = 'promql';

/** Half the ConfigMap limit, as the operator allows for one PrometheusRule. */
export const MAX_RENDERED_RULES_BYTES = 524288;

/** What the webhook's flags decide. */
export interface PrometheusRuleOptions {
  /**
   * The webhook's `--name-validation-scheme`: how record, label and annotation names are checked.
   * @default 'legacy'
   */
  readonly nameValidationScheme?: NameValidationScheme;
}

type Tokens = readonly (string | number)[];
type Add = (code: string, severity: Finding['severity'], path: string, message: string, fix: string) => void;

const LEGACY_LABEL_SET = '[a-zA-Z_][a-zA-Z0-9_]*';
const LEGACY_METRIC_SET = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const UTF8_HINT = 'or, if your webhook runs with --name-validation-scheme=utf8, validate with nameValidationScheme \'utf8\'';
const OLD_READERS = 'Prometheus before 3.0 and Thanos Ruler before 0.38 validate names under the legacy scheme: the operator leaves the rules out of their configuration';

/**
 * Validates a PrometheusRule as the operator's webhook would. Never throws for
 * the manifest; throws a TypeError for a bad `nameValidationScheme`.
 */
export function validatePrometheusRule(manifest: Manifest, ref: ResourceRef, options: PrometheusRuleOptions = {}): Finding[] {
  const scheme = nameValidationScheme(options?.nameValidationScheme);
  const findings: Finding[] = [];
  const add: Add = (code, severity, path, message, fix) => {
    findings.push({ code, severity, category: CATEGORY, message, fix, resource: ref, path });
  };
  try {
    validateSpec(manifest?.spec, scheme, add);
  } catch (e) {
    // A bug here must not hide the other layers' findings; say so instead of throwing.
    add('IMV706', 'error', pointer('spec'), `internal error while validating the rules: ${(e as Error).message}`, 'report this as a bug');
  }
  return findings;
}

function validateSpec(spec: unknown, scheme: NameValidationScheme, add: Add): void {
  const { groups, problems } = decodeRuleSpec(spec);
  for (const p of problems) {
    add('IMV721', 'error', pointer(...p.path), `the webhook cannot decode the PrometheusRule: ${p.message}`,
      'give the field the type the CRD declares (strings for names, labels, annotations and durations; expr an int32 or a string)');
  }
  checkRenderedSize(groups, add);

  const seen = new Map<string, number>();
  for (const group of groups) {
    const gPath = (...t: Tokens) => pointer('spec', 'groups', group.index, ...t);
    if (group.name === '') {
      add('IMV701', 'error', gPath('name'), `spec.groups[${group.index}].name is empty: Groupname must not be empty`,
        'give the group a name, e.g. "istio.certificates"');
    } else if (seen.has(group.name)) {
      add('IMV702', 'error', gPath('name'), `groupname "${group.name}" is repeated in the same PrometheusRule (first at spec.groups[${seen.get(group.name)}])`,
        'merge the two groups or rename one; group names must be unique in a PrometheusRule');
    } else {
      seen.set(group.name, group.index);
    }
    const where = group.name === '' ? `group ${group.index}` : `group "${group.name}"`;
    checkDuration(group.interval, 'interval', where, gPath('interval'), add);
    checkDuration(group.queryOffset, 'query_offset', where, gPath('query_offset'), add);
    checkLabels(group.labels, `labels of ${where}`, (k) => gPath('labels', k), scheme, add);
    for (const rule of group.rules) validateRule(rule, group, scheme, (...t) => gPath('rules', rule.index, ...t), add);
  }
}

function validateRule(rule: SpecRule, group: SpecGroup, scheme: NameValidationScheme, rPath: (...t: Tokens) => string, add: Add): void {
  const { record, alert } = rule;
  const groupName = group.name === '' ? `group ${group.index}` : `group "${group.name}"`;
  const who = alert !== '' ? `alert "${alert}"` : record !== '' ? `record "${record}"` : `rule ${rule.index}`;
  const where = `${who} in ${groupName}`;

  if (record !== '' && alert !== '') {
    add('IMV704', 'error', rPath(), `${where} sets both record and alert: only one of 'record' and 'alert' must be set`,
      'split it into a recording rule and an alerting rule');
  } else if (record === '' && alert === '') {
    add('IMV704', 'error', rPath(), `${where} sets neither record nor alert: one of 'record' or 'alert' must be set`,
      'add "alert: <AlertName>" or "record: <level:metric:operations>"');
  }

  checkExpr(rule.expr, where, rPath('expr'), add);

  const forMs = checkDuration(rule.for, 'for', where, rPath('for'), add);
  const keepMs = checkDuration(rule.keepFiringFor, 'keep_firing_for', where, rPath('keep_firing_for'), add);

  if (record !== '') {
    if (rule.annotations.length > 0) {
      add('IMV713', 'error', rPath('annotations'), `${where}: invalid field 'annotations' in recording rule`,
        'remove the annotations, or make it an alerting rule');
    }
    if (forMs !== undefined && forMs > 0) {
      add('IMV712', 'error', rPath('for'), `${where}: invalid field 'for' in recording rule (${rule.for})`, 'remove "for" from the recording rule');
    }
    if (keepMs !== undefined && keepMs > 0) {
      add('IMV712', 'error', rPath('keep_firing_for'), `${where}: invalid field 'keep_firing_for' in recording rule (${rule.keepFiringFor})`,
        'remove "keep_firing_for" from the recording rule');
    }
    checkRecordName(record, where, rPath('record'), scheme, add);
  }

  checkLabels(rule.labels, `labels of ${where}`, (k) => rPath('labels', k), scheme, add);
  for (const [key] of rule.annotations) {
    checkName(key, 'annotation name', `on ${where}`, rPath('annotations', key), scheme, 'IMV716', add);
  }

  // testTemplateParsing: only alerting rules are templated, labels first, then annotations.
  if (alert !== '') {
    for (const field of ['labels', 'annotations'] as const) {
      for (const [key, value] of rule[field]) {
        const what = `${field === 'labels' ? 'label' : 'annotation'} ${JSON.stringify(key)} of ${where}`;
        const problem = checkGoTemplate(value, alert);
        if (problem) addTemplateProblem(value, problem, what, rPath(field, key), add);
      }
    }
  }
}

function checkExpr(expr: string | number, where: string, path: string, add: Add): void {
  // An int expr renders as a number, which rulefmt reads as its decimal text.
  const text = typeof expr === 'number' ? String(expr) : expr;
  if (text === '') {
    add('IMV705', 'error', path, `${where} has no expr: field 'expr' must be set in rule`, 'add the PromQL expression, e.g. "expr: up == 0"');
    return;
  }
  const { problems, type } = checkPromQL(text);
  for (const p of problems) add(codeOf(p), 'error', path, promqlMessage(where, text, p), promqlFix(p));
  if (problems.length === 0 && (type === 'matrix' || type === 'string')) {
    add('IMV710', 'warning', path, `expr of ${where} evaluates to a ${documentedType(type)}; a rule needs an instant vector or a scalar`,
      type === 'matrix' ? 'wrap the range in a function such as rate(...) or max_over_time(...)' : 'use an expression that returns series, e.g. vector(1)');
  }
}

function codeOf(p: PromqlProblem): string {
  switch (p.kind) {
    case 'syntax': return 'IMV706';
    case 'experimental': return 'IMV708';
    default: return 'IMV707';
  }
}

function promqlMessage(where: string, expr: string, p: PromqlProblem): string {
  const { line, column } = lineColumn(expr, p.from);
  const snippet = oneLine(expr.slice(p.from, Math.max(p.to, p.from)));
  const near = snippet === '' ? '' : ` near ${JSON.stringify(snippet.length > 40 ? `${snippet.slice(0, 37)}...` : snippet)}`;
  const verb = p.kind === 'syntax' ? 'does not parse' : p.kind === 'experimental' ? 'uses an experimental PromQL feature' : 'is rejected by the PromQL parser';
  return `expr of ${where} ${verb} at line ${line}, column ${column}${near}: ${p.message}`;
}

function promqlFix(p: PromqlProblem): string {
  const m = p.message;
  if (/expected type range vector in call to function "([^"]+)"/.test(m)) {
    return 'add a range selector to the argument, e.g. rate(http_requests_total[5m])';
  }
  if (/expected type instant vector in call to function/.test(m)) return 'pass an instant vector, e.g. drop the [range] or wrap it in rate(...)';
  if (m.startsWith('unknown function')) return 'check the spelling against the PromQL function list';
  if (m.startsWith('invalid escape sequence')) return 'double the backslash ("\\\\d") or quote the string with backticks (`\\d`)';
  if (m.includes('BOOL modifier')) return 'add "bool" after the operator, e.g. 1 > bool 0';
  if (m.includes('non-empty matcher')) return 'add a metric name or a matcher that cannot match the empty string, e.g. job=~".+"';
  if (p.kind === 'experimental') return 'rewrite it without the experimental feature; the webhook parses with Prometheus\' default options';
  if (p.kind === 'syntax') return 'check brackets, quotes and operators at that position';
  return 'fix the expression at that position';
}

/** rulefmt decodes durations with model.ParseDuration; a bad one fails the whole file. */
function checkDuration(value: string | undefined, field: string, where: string, path: string, add: Add): number | undefined {
  if (value === undefined) return undefined;
  const r = parsePrometheusDuration(value);
  if (r.ok) return r.milliseconds;
  add('IMV703', 'error', path, `${field} of ${where} is ${JSON.stringify(value)}: ${r.error}; expected a Prometheus duration such as "30s", "5m" or "1h30m"`,
    suggestDuration(value));
  return undefined;
}

function suggestDuration(value: string): string {
  const frac = /^([0-9]+)\.([0-9]+)([a-z]+)$/.exec(value);
  if (frac) return `use whole units, e.g. "${value.replace(/^(\d+)\.\d+([a-z]+)$/, '$1$2')}" plus a smaller unit ("1.5h" is "1h30m")`;
  if (/^[0-9]+$/.test(value)) return `add a unit: "${value}s" or "${value}m"`;
  if (value === '') return 'remove the field, or give a duration such as "1m"';
  return 'write integers with units y, w, d, h, m, s, ms from largest to smallest, e.g. "1h30m"';
}

function checkRecordName(record: string, where: string, path: string, scheme: NameValidationScheme, add: Add): void {
  if (!isValidMetricName(record, scheme)) {
    const why = metricNameVerdict(record) === 'invalid'
      ? 'not valid UTF-8'
      : `not a metric name under the webhook's legacy name validation scheme (${LEGACY_METRIC_SET})`;
    const utf8 = metricNameVerdict(record) === 'utf8-only' ? `, ${UTF8_HINT}` : '';
    add('IMV711', 'error', path, `invalid recording rule name: ${JSON.stringify(record)} (${where}): ${why}`,
      `use a metric name such as ${JSON.stringify(suggestMetricName(record))} (level:metric:operations)${utf8}`);
  } else if (scheme === 'utf8' && metricNameVerdict(record) === 'utf8-only' && !/[{}]/.test(record)) {
    add('IMV717', 'warning', path, `recording rule name ${JSON.stringify(record)} (${where}) is valid only under the UTF-8 name validation scheme; ${OLD_READERS}`,
      `use ${JSON.stringify(suggestMetricName(record))} to work everywhere`);
  }
  // While valid UTF-8, braces are a common slip of an expression into the name.
  if (record.includes('{') || record.includes('}')) {
    add('IMV711', 'error', path, `braces present in the recording rule name; should it be in expr?: ${record}`,
      `name the series ${JSON.stringify(suggestMetricName(record))} and move the selector into expr`);
  }
}

/** A label or annotation name under the scheme; `code` is the error code of that kind of name. */
function checkName(name: string, kind: string, context: string, path: string, scheme: NameValidationScheme, code: string, add: Add): void {
  if (!isValidLabelName(name, scheme)) {
    const verdict = labelNameVerdict(name);
    const why = name === '' ? 'empty' : verdict === 'invalid' ? 'not valid UTF-8'
      : `not a label name under the webhook's legacy name validation scheme (${LEGACY_LABEL_SET})`;
    const utf8 = verdict === 'utf8-only' ? `, ${UTF8_HINT}` : '';
    add(code, 'error', path, `invalid ${kind}: ${JSON.stringify(name)} ${context}: ${why}`, `use a name like ${JSON.stringify(suggestLabelName(name))}${utf8}`);
  } else if (scheme === 'utf8' && labelNameVerdict(name) === 'utf8-only') {
    add('IMV717', 'warning', path, `${kind} ${JSON.stringify(name)} ${context} is valid only under the UTF-8 name validation scheme; ${OLD_READERS}`,
      `use ${JSON.stringify(suggestLabelName(name))} to work everywhere`);
  }
}

function checkLabels(labels: SpecRule['labels'], what: string, path: (key: string) => string, scheme: NameValidationScheme, add: Add): void {
  for (const [key, value] of labels) {
    if (key === '__name__') {
      add('IMV714', 'error', path(key), `invalid label name: "__name__" in ${what}`, 'rules cannot set __name__; use a recording rule to name a series');
    } else {
      checkName(key, 'label name', `in ${what}`, path(key), scheme, 'IMV714', add);
    }
    if (!isWellFormedUnicode(value)) {
      add('IMV715', 'error', path(key), `invalid label value for ${JSON.stringify(key)} in ${what}: not valid UTF-8`, 'remove the broken characters');
    }
  }
}

function addTemplateProblem(text: string, p: TemplateProblem, what: string, path: string, add: Add): void {
  const { line, column } = lineColumn(text, p.offset);
  const snippet = oneLine(text.slice(p.offset, p.offset + 30));
  const near = snippet === '' ? '' : ` near ${JSON.stringify(snippet)}`;
  const message = `template of ${what} does not parse at line ${line}, column ${column}${near}: ${p.message}`;
  if (p.kind === 'function') {
    add('IMV719', 'error', path, message,
      'use a Go template builtin or a function of Prometheus\' template package (humanize, humanizeDuration, humanizePercentage, toUpper, ...)');
  } else if (p.kind === 'unchecked') {
    add('IMV722', 'warning', path, `template of ${what} was not checked: ${p.message}`,
      'check it with promtool check rules, or on a cluster (kubectl apply --dry-run=server); fewer parentheses are easier to read');
  } else {
    add('IMV718', 'error', path, message, templateFix(p.message));
  }
}

function templateFix(message: string): string {
  if (message.startsWith('undefined variable')) return 'use $labels, $value, $externalLabels or $externalURL, or declare the variable with :=';
  if (message.includes('unclosed action')) return 'close every {{ with }}; to print literal braces use {{ "{{" }}';
  if (message.includes('EOF') || message.includes('{{end}}') || message.includes('{{else}}')) return 'balance every {{ if }}, {{ range }} and {{ with }} with one {{ end }}';
  if (message.startsWith('unrecognized character')) return 'use straight quotes ("...") in template actions';
  return 'fix the template syntax at that position (Go text/template)';
}

function checkRenderedSize(groups: readonly SpecGroup[], add: Add): void {
  // A character renders to at most 6 bytes (an escape such as \uFEFF); skip the exact rendering when that cannot pass the limit.
  let estimate = 0;
  const pairs = (p: readonly (readonly [string, string])[]) => p.reduce((n, [k, v]) => n + k.length + v.length + 16, 0);
  const text = (...values: (string | number | undefined)[]) => values.reduce<number>((n, v) => n + (v === undefined ? 0 : String(v).length), 0);
  for (const g of groups) {
    estimate += 64 + text(g.name, g.interval, g.queryOffset, g.limit) + pairs(g.labels);
    for (const r of g.rules) estimate += 64 + text(r.record, r.alert, r.expr, r.for, r.keepFiringFor) + pairs(r.labels) + pairs(r.annotations);
  }
  if (estimate * 6 <= MAX_RENDERED_RULES_BYTES) return;
  const size = renderedRulesSize(groups);
  if (size > MAX_RENDERED_RULES_BYTES) {
    add('IMV720', 'error', pointer('spec', 'groups'),
      `the length of rendered Prometheus Rule is ${size} bytes which is above the maximum limit of ${MAX_RENDERED_RULES_BYTES} bytes`,
      'split the groups over several PrometheusRule objects');
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
