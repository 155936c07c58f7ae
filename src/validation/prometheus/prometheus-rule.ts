import { checkGoTemplate } from './go-template';
import { isWellFormedUnicode, labelNameVerdict, metricNameVerdict, suggestLabelName, suggestMetricName } from './names';
import { checkPromQL, lineColumn, PromqlProblem } from './promql';
import { documentedType } from './promql-functions';
import { Finding, pointer } from '../../model/finding';
import { isPlainObject, Manifest, ResourceRef } from '../../model/manifest';
import { parsePrometheusDuration } from '../../vocabulary/duration';

/**
 * The PrometheusRule layer: what prometheus-operator's admission webhook
 * (v0.93.0) rejects. It decodes `spec` into the operator's types, drops empty
 * `interval` and `for`, renders the groups as a Prometheus rule file and runs
 * rulefmt's validation on it, which parses every expression with PromQL's
 * parser and every alert template with Go's text/template.
 */

const CATEGORY = 'promql';

/** Half the ConfigMap limit, as the operator allows for one PrometheusRule. */
export const MAX_RENDERED_RULES_BYTES = 524288;

type Add = (code: string, severity: Finding['severity'], path: string, message: string, fix: string) => void;

/** Validates a PrometheusRule as the operator's webhook would. Never throws. */
export function validatePrometheusRule(manifest: Manifest, ref: ResourceRef): Finding[] {
  const findings: Finding[] = [];
  const add: Add = (code, severity, path, message, fix) => {
    findings.push({ code, severity, category: CATEGORY, message, fix, resource: ref, path });
  };
  try {
    validateSpec(manifest?.spec, add);
  } catch (e) {
    // A bug here must not hide the other layers' findings; say so instead of throwing.
    add('IMV706', 'error', pointer('spec'), `internal error while validating the rules: ${(e as Error).message}`, 'report this as a bug');
  }
  return findings;
}

function validateSpec(spec: unknown, add: Add): void {
  // Shapes the CRD schema rejects are the schema layer's to report.
  if (!isPlainObject(spec) || !Array.isArray(spec.groups)) return;
  const groups = spec.groups;
  const seen = new Map<string, number>();
  groups.forEach((group, gi) => {
    if (!isPlainObject(group)) return;
    const gPath = (...t: (string | number)[]) => pointer('spec', 'groups', gi, ...t);
    const name = typeof group.name === 'string' ? group.name : '';
    const nameMistyped = group.name !== undefined && group.name !== null && typeof group.name !== 'string';
    if (nameMistyped) {
      // the CRD schema reports the type
    } else if (name === '') {
      add('IMV701', 'error', gPath('name'), `spec.groups[${gi}].name is empty: Groupname must not be empty`, 'give the group a name, e.g. "istio.certificates"');
    } else if (seen.has(name)) {
      add('IMV702', 'error', gPath('name'), `groupname "${name}" is repeated in the same PrometheusRule (first at spec.groups[${seen.get(name)}])`,
        'merge the two groups or rename one; group names must be unique in a PrometheusRule');
    } else {
      seen.set(name, gi);
    }
    const where = name === '' ? `group ${gi}` : `group "${name}"`;

    // The operator drops an empty interval before rendering.
    if (group.interval !== '') checkDuration(group.interval, 'interval', where, gPath('interval'), add);
    checkDuration(group.query_offset, 'query_offset', where, gPath('query_offset'), add);
    checkLabels(group.labels, `labels of ${where}`, (k) => gPath('labels', k), add);

    if (!Array.isArray(group.rules)) return;
    group.rules.forEach((rule, ri) => {
      if (isPlainObject(rule)) validateRule(rule, ri, where, (...t) => gPath('rules', ri, ...t), add);
    });
  });
  checkRenderedSize(spec, add);
}

function validateRule(rule: Record<string, unknown>, ri: number, group: string, rPath: (...t: (string | number)[]) => string, add: Add): void {
  const record = typeof rule.record === 'string' ? rule.record : '';
  const alert = typeof rule.alert === 'string' ? rule.alert : '';
  const who = alert !== '' ? `alert "${alert}"` : record !== '' ? `record "${record}"` : `rule ${ri}`;
  const where = `${who} in ${group}`;

  const mistyped = [rule.record, rule.alert].some((v) => v !== undefined && v !== null && typeof v !== 'string');
  if (mistyped) {
    // the CRD schema reports the type
  } else if (record !== '' && alert !== '') {
    add('IMV704', 'error', rPath(), `${where} sets both record and alert: only one of 'record' and 'alert' must be set`,
      'split it into a recording rule and an alerting rule');
  } else if (record === '' && alert === '') {
    add('IMV704', 'error', rPath(), `rule ${ri} in ${group} sets neither record nor alert: one of 'record' or 'alert' must be set`,
      'add "alert: <AlertName>" or "record: <level:metric:operations>"');
  }

  checkExpr(rule.expr, where, rPath('expr'), add);

  // The operator drops an empty for; keep_firing_for has no such treatment.
  const forMs = rule.for === '' ? 0 : checkDuration(rule.for, 'for', where, rPath('for'), add);
  const keepMs = checkDuration(rule.keep_firing_for, 'keep_firing_for', where, rPath('keep_firing_for'), add);

  if (record !== '') {
    const annotations = isPlainObject(rule.annotations) ? Object.keys(rule.annotations) : [];
    if (annotations.length > 0) {
      add('IMV713', 'error', rPath('annotations'), `${where}: invalid field 'annotations' in recording rule`,
        'remove the annotations, or make it an alerting rule');
    }
    if (forMs !== undefined && forMs > 0) {
      add('IMV712', 'error', rPath('for'), `${where}: invalid field 'for' in recording rule (${String(rule.for)})`, 'remove "for" from the recording rule');
    }
    if (keepMs !== undefined && keepMs > 0) {
      add('IMV712', 'error', rPath('keep_firing_for'), `${where}: invalid field 'keep_firing_for' in recording rule (${String(rule.keep_firing_for)})`,
        'remove "keep_firing_for" from the recording rule');
    }
    checkRecordName(record, where, rPath('record'), add);
  }

  checkLabels(rule.labels, `labels of ${where}`, (k) => rPath('labels', k), add);
  if (isPlainObject(rule.annotations)) {
    for (const key of sortedKeys(rule.annotations)) {
      const verdict = labelNameVerdict(key);
      if (verdict === 'invalid') {
        add('IMV716', 'error', rPath('annotations', key), `invalid annotation name ${JSON.stringify(key)} on ${where}`,
          `use a name like ${JSON.stringify(suggestLabelName(key))}`);
      } else if (verdict === 'utf8-only') {
        add('IMV717', 'warning', rPath('annotations', key),
          `annotation name ${JSON.stringify(key)} on ${where} is valid only under UTF-8 validation (Prometheus 3+); Prometheus 2 and Thanos Ruler reject it`,
          `use ${JSON.stringify(suggestLabelName(key))} to work everywhere`);
      }
    }
  }

  if (alert !== '') {
    for (const field of ['labels', 'annotations'] as const) {
      const map = rule[field];
      if (!isPlainObject(map)) continue;
      for (const key of sortedKeys(map)) {
        const value = map[key];
        if (typeof value === 'string') checkTemplate(value, `${field === 'labels' ? 'label' : 'annotation'} ${JSON.stringify(key)} of ${where}`, rPath(field, key), add);
      }
    }
  }
}

function checkExpr(raw: unknown, where: string, path: string, add: Add): void {
  // expr is an IntOrString in the operator's types.
  const expr = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : undefined;
  if (expr === undefined || expr === '') {
    if (raw === undefined || raw === null || expr !== undefined) {
      add('IMV705', 'error', path, `${where} has no expr: field 'expr' must be set in rule`, 'add the PromQL expression, e.g. "expr: up == 0"');
    }
    return;
  }
  const { problems, type } = checkPromQL(expr);
  for (const p of problems) add(codeOf(p), p.kind === 'doubtful' ? 'warning' : 'error', path, promqlMessage(where, expr, p), promqlFix(p));
  if (problems.length === 0 && (type === 'matrix' || type === 'string')) {
    add('IMV710', 'warning', path, `expr of ${where} evaluates to a ${documentedType(type)}; a rule needs an instant vector or a scalar`,
      type === 'matrix' ? 'wrap the range in a function such as rate(...) or max_over_time(...)' : 'use an expression that returns series, e.g. vector(1)');
  }
}

function codeOf(p: PromqlProblem): string {
  switch (p.kind) {
    case 'syntax': return 'IMV706';
    case 'experimental': return 'IMV708';
    case 'doubtful': return 'IMV709';
    default: return 'IMV707';
  }
}

function promqlMessage(where: string, expr: string, p: PromqlProblem): string {
  const { line, column } = lineColumn(expr, p.from);
  const snippet = oneLine(expr.slice(p.from, Math.max(p.to, p.from)));
  const near = snippet === '' ? '' : ` near ${JSON.stringify(snippet.length > 40 ? `${snippet.slice(0, 37)}...` : snippet)}`;
  const verb = p.kind === 'syntax' ? 'does not parse' : p.kind === 'experimental' ? 'uses an experimental PromQL feature'
    : p.kind === 'doubtful' ? 'may be rejected' : 'is rejected by the PromQL parser';
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
  if (p.kind === 'doubtful') return 'check the regex against RE2 syntax (https://github.com/google/re2/wiki/Syntax)';
  return 'fix the expression at that position';
}

function checkDuration(value: unknown, field: string, where: string, path: string, add: Add): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return undefined; // the CRD schema reports the type
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
  return 'write integers with units y, w, d, h, m, s, ms from largest to smallest, e.g. "1h30m"';
}

function checkRecordName(record: string, where: string, path: string, add: Add): void {
  const verdict = metricNameVerdict(record);
  if (verdict === 'invalid') {
    add('IMV711', 'error', path, `invalid recording rule name: ${JSON.stringify(record)} (${where})`, `use a metric name such as ${JSON.stringify(suggestMetricName(record))}`);
  } else if (record.includes('{') || record.includes('}')) {
    add('IMV711', 'error', path, `braces present in the recording rule name; should it be in expr?: ${record}`,
      `name the series ${JSON.stringify(suggestMetricName(record))} and move the selector into expr`);
  } else if (verdict === 'utf8-only') {
    add('IMV717', 'warning', path, `recording rule name ${JSON.stringify(record)} is valid only under UTF-8 validation (Prometheus 3+); Prometheus 2 and Thanos Ruler reject it`,
      `use ${JSON.stringify(suggestMetricName(record))} to work everywhere (level:metric:operations)`);
  }
}

function checkLabels(labels: unknown, what: string, path: (key: string) => string, add: Add): void {
  if (!isPlainObject(labels)) return;
  for (const key of sortedKeys(labels)) {
    const verdict = labelNameVerdict(key);
    if (key === '__name__' || verdict === 'invalid') {
      add('IMV714', 'error', path(key), `invalid label name: ${JSON.stringify(key)} in ${what}`,
        key === '__name__' ? 'rules cannot set __name__; use a recording rule to name a series' : `use a name like ${JSON.stringify(suggestLabelName(key))}`);
    } else if (verdict === 'utf8-only') {
      add('IMV717', 'warning', path(key), `label name ${JSON.stringify(key)} in ${what} is valid only under UTF-8 validation (Prometheus 3+); Prometheus 2 and Thanos Ruler reject it`,
        `use ${JSON.stringify(suggestLabelName(key))} to work everywhere`);
    }
    const value = labels[key];
    if (typeof value === 'string' && !isWellFormedUnicode(value)) {
      add('IMV715', 'error', path(key), `invalid label value for ${JSON.stringify(key)} in ${what}: not valid UTF-8`, 'remove the broken characters');
    }
  }
}

function checkTemplate(text: string, what: string, path: string, add: Add): void {
  if (!text.includes('{{')) return;
  for (const p of checkGoTemplate(text)) {
    const { line, column } = lineColumn(text, p.offset);
    const snippet = oneLine(text.slice(p.offset, p.offset + 30));
    const message = `template of ${what} does not parse at line ${line}, column ${column} near ${JSON.stringify(snippet)}: ${p.message}`;
    if (p.severity === 'error') {
      add('IMV718', 'error', path, message, templateFix(p.message));
    } else {
      add('IMV719', 'warning', path, message, 'use a Go template builtin or a Prometheus template function (humanize, humanizeDuration, toUpper, ...)');
    }
  }
}

function templateFix(message: string): string {
  if (message.startsWith('undefined variable')) return 'use $labels, $value, $externalLabels or $externalURL, or declare the variable with :=';
  if (message.includes('unclosed action')) return 'close every {{ with }}; to print literal braces use {{ "{{" }}';
  if (message.includes('EOF') || message.includes('{{end}}') || message.includes('{{else}}')) return 'balance every {{ if }}, {{ range }} and {{ with }} with one {{ end }}';
  return 'fix the template syntax at that position (Go text/template)';
}

function checkRenderedSize(spec: Record<string, unknown>, add: Add): void {
  // Cheap upper-bound test first: the YAML rendering is never far from the JSON size.
  const json = safeJson(spec);
  if (json === undefined || json.length < MAX_RENDERED_RULES_BYTES / 2) return;
  let rendered = json;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only for large rules
    const yaml = require('yaml') as { stringify: (v: unknown) => string };
    rendered = yaml.stringify({ groups: spec.groups });
  } catch {
    // keep the JSON estimate
  }
  const size = Buffer.byteLength(rendered);
  if (size > MAX_RENDERED_RULES_BYTES) {
    add('IMV720', 'error', pointer('spec', 'groups'),
      `the length of rendered Prometheus Rule is ${size} bytes which is above the maximum limit of ${MAX_RENDERED_RULES_BYTES} bytes`,
      'split the groups over several PrometheusRule objects');
  }
}

function safeJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort();
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
