/**
 * A parse check of alert label and annotation templates, in the spirit of
 * rulefmt's testTemplateParsing (Go text/template with Prometheus' functions
 * and the variables $labels, $externalLabels, $externalURL and $value).
 *
 * It reproduces text/template's lexer (delimiters, trim markers, comments,
 * strings, parentheses) and the parser's structural rules (if/range/with/
 * define/block ... end, else, break/continue, declared variables, empty
 * actions). It does not type-check pipelines or check function arity: Go
 * does that only when the template runs. Unknown functions are a parse error
 * in Go; we report them as warnings because Prometheus adds functions over
 * time and our list may lag.
 */

export interface TemplateProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Offset in the template text. */
  readonly offset: number;
}

/** Go's predefined template functions. */
const GO_FUNCTIONS = ['and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery',
  'eq', 'ge', 'gt', 'le', 'lt', 'ne'];

/** Functions Prometheus adds for alert templates (template/template.go). */
const PROMETHEUS_FUNCTIONS = ['query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title',
  'toUpper', 'toLower', 'graphLink', 'tableLink', 'sortByLabel', 'stripPort', 'stripDomain', 'humanize', 'humanize1024',
  'humanizeDuration', 'humanizePercentage', 'humanizeTimestamp', 'toTime', 'toDuration', 'now', 'pathPrefix', 'externalURL',
  'parseDuration', 'urlQueryEscape'];

export const TEMPLATE_FUNCTIONS: ReadonlySet<string> = new Set([...GO_FUNCTIONS, ...PROMETHEUS_FUNCTIONS]);

/** Variables rulefmt defines before each alert template. */
export const TEMPLATE_VARIABLES: readonly string[] = ['$labels', '$externalLabels', '$externalURL', '$value'];

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil', 'true', 'false']);
const OPENERS = new Set(['if', 'range', 'with', 'define', 'block']);

interface Action {
  readonly start: number;
  /** Tokens: identifiers, keywords, variables, fields, strings, punctuation. */
  readonly tokens: readonly Token[];
}

interface Token { readonly kind: 'word' | 'var' | 'field' | 'string' | 'number' | 'punct' | 'other'; readonly text: string; readonly offset: number }

/** Checks one template as Go's text/template parser would. Never throws. */
export function checkGoTemplate(text: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const actions = lex(text, problems);
  if (problems.length > 0) return problems;

  const stack: { keyword: string; offset: number }[] = [];
  const declared = new Set<string>(['$', ...TEMPLATE_VARIABLES]);
  for (const action of actions) {
    const { tokens } = action;
    if (tokens.length === 0) {
      problems.push({ severity: 'error', message: 'missing value for command', offset: action.start });
      continue;
    }
    const head = tokens[0];
    if (head.kind === 'word' && OPENERS.has(head.text)) {
      stack.push({ keyword: head.text, offset: action.start });
      if ((head.text === 'if' || head.text === 'range' || head.text === 'with') && tokens.length === 1) {
        problems.push({ severity: 'error', message: `missing value for ${head.text}`, offset: action.start });
      }
    } else if (head.kind === 'word' && head.text === 'end') {
      if (stack.length === 0) problems.push({ severity: 'error', message: 'unexpected {{end}}', offset: action.start });
      else stack.pop();
      continue;
    } else if (head.kind === 'word' && head.text === 'else') {
      const top = stack[stack.length - 1];
      if (!top || !['if', 'range', 'with'].includes(top.keyword)) {
        problems.push({ severity: 'error', message: 'unexpected {{else}}', offset: action.start });
      }
    } else if (head.kind === 'word' && (head.text === 'break' || head.text === 'continue')) {
      if (!stack.some((s) => s.keyword === 'range')) {
        problems.push({ severity: 'error', message: `{{${head.text}}} outside {{range}}`, offset: action.start });
      }
      continue;
    }

    // Declarations: `$x :=` or `$k, $v :=` (range). Assignments `$x =` need an existing variable.
    const assign = tokens.findIndex((t) => t.kind === 'punct' && t.text === ':=');
    if (assign > 0) {
      for (const t of tokens.slice(0, assign)) if (t.kind === 'var') declared.add(t.text);
    }
    for (const t of tokens) {
      if (t.kind === 'var' && !declared.has(t.text)) {
        problems.push({ severity: 'error', message: `undefined variable "${t.text}"`, offset: t.offset });
        declared.add(t.text); // report each variable once
      }
      if (t.kind === 'word' && !KEYWORDS.has(t.text) && !TEMPLATE_FUNCTIONS.has(t.text)) {
        problems.push({ severity: 'warning', message: `function "${t.text}" not defined`, offset: t.offset });
      }
    }
  }
  for (const open of stack) problems.push({ severity: 'error', message: `unexpected EOF: {{${open.keyword}}} has no matching {{end}}`, offset: open.offset });
  return problems;
}

/** Splits the template into actions, reporting lexical errors as text/template's lexer does. */
function lex(text: string, problems: TemplateProblem[]): Action[] {
  const actions: Action[] = [];
  let pos = 0;
  for (;;) {
    const open = text.indexOf('{{', pos);
    if (open < 0) return actions;
    let i = open + 2;
    if (text[i] === '-' && /[ \t\r\n]/.test(text[i + 1] ?? '')) i += 2;
    while (/[ \t\r\n]/.test(text[i] ?? '')) i++;
    if (text.startsWith('/*', i)) {
      const endComment = text.indexOf('*/', i + 2);
      if (endComment < 0) {
        problems.push({ severity: 'error', message: 'unclosed comment', offset: open });
        return actions;
      }
      let j = endComment + 2;
      while (/[ \t\r\n]/.test(text[j] ?? '')) j++;
      if (text[j] === '-' && text.startsWith('}}', j + 1)) j += 1;
      if (!text.startsWith('}}', j)) {
        problems.push({ severity: 'error', message: 'comment ends before closing delimiter', offset: open });
        return actions;
      }
      pos = j + 2;
      continue;
    }
    const tokens: Token[] = [];
    let depth = 0;
    let closed = false;
    while (i < text.length) {
      const c = text[i];
      if (text.startsWith('}}', i) || (/[ \t\r\n]/.test(c) && text.startsWith('-}}', i + 1))) {
        i = text.indexOf('}}', i) + 2;
        closed = true;
        break;
      }
      if (/[ \t\r\n]/.test(c)) {
        i++;
        continue;
      }
      const start = i;
      if (c === '"' || c === '`' || c === '\'') {
        const end = scanQuoted(text, i, c);
        if (end < 0) {
          const what = c === '"' ? 'unterminated quoted string' : c === '`' ? 'unterminated raw quoted string' : 'unterminated character constant';
          problems.push({ severity: 'error', message: what, offset: start });
          return actions;
        }
        tokens.push({ kind: 'string', text: text.slice(start, end), offset: start });
        i = end;
      } else if (c === '(') {
        depth++;
        tokens.push({ kind: 'punct', text: c, offset: i++ });
      } else if (c === ')') {
        depth--;
        if (depth < 0) {
          problems.push({ severity: 'error', message: `unexpected right paren ${JSON.stringify(')')}`, offset: i });
          return actions;
        }
        tokens.push({ kind: 'punct', text: c, offset: i++ });
      } else if (text.startsWith(':=', i)) {
        tokens.push({ kind: 'punct', text: ':=', offset: i });
        i += 2;
      } else if (c === '|' || c === ',' || c === '=') {
        tokens.push({ kind: 'punct', text: c, offset: i++ });
      } else if (c === '$') {
        const m = /^\$[A-Za-z0-9_]*/.exec(text.slice(i))!;
        tokens.push({ kind: 'var', text: m[0], offset: i });
        i += m[0].length;
        i = skipFieldChain(text, i);
      } else if (c === '.') {
        const m = /^(\.[A-Za-z0-9_]*)+/.exec(text.slice(i))!;
        tokens.push({ kind: 'field', text: m[0], offset: i });
        i += m[0].length;
      } else if (/[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
        tokens.push({ kind: 'word', text: m[0], offset: i });
        i += m[0].length;
        i = skipFieldChain(text, i);
      } else if (/[0-9+\-]/.test(c)) {
        const m = /^[+-]?[0-9][0-9A-Za-z_.+\-]*/.exec(text.slice(i));
        if (!m) {
          problems.push({ severity: 'error', message: `bad character ${JSON.stringify(c)} in action`, offset: i });
          return actions;
        }
        tokens.push({ kind: 'number', text: m[0], offset: i });
        i += m[0].length;
      } else {
        problems.push({ severity: 'error', message: `unexpected ${JSON.stringify(c)} in command`, offset: i });
        return actions;
      }
    }
    if (!closed) {
      problems.push({ severity: 'error', message: depth > 0 ? 'unclosed left paren' : 'unclosed action', offset: open });
      return actions;
    }
    if (depth > 0) {
      problems.push({ severity: 'error', message: 'unclosed left paren', offset: open });
      return actions;
    }
    actions.push({ start: open, tokens });
    pos = i;
  }
}

function skipFieldChain(text: string, i: number): number {
  const m = /^(\.[A-Za-z0-9_]+)*/.exec(text.slice(i));
  return i + (m ? m[0].length : 0);
}

/** End offset (exclusive) of a quoted token starting at i, or -1 if unterminated. */
function scanQuoted(text: string, i: number, quote: string): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (quote !== '`' && c === '\\') {
      j++;
      continue;
    }
    if (quote !== '`' && c === '\n') return -1;
    if (c === quote) return j + 1;
  }
  return -1;
}
