/*
 * Escaping for every human-facing output. Names, file names and messages come
 * from user input and may hold anything: a terminal escape, a newline that
 * forges a second report line, a Markdown table pipe, an HTML tag, a Mermaid
 * entity. Each format shows them as text, visibly, and keeps its own syntax.
 */

/**
 * Characters that change how a line is shown or split rather than what it
 * says: C0 and C1 controls, DEL, the Unicode line and paragraph separators,
 * and the bidirectional overrides and isolates (the "Trojan Source" ones).
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `s` with every control character written out (`\n`, `\t`, `\u001b`): one visible line. */
export function visible(s: string): string {
  return s.replace(INVISIBLE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const MARKDOWN_ENTITY: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/**
 * `s` as literal text in Markdown, also inside a table cell: control characters
 * visible, HTML (`<`, `>`, `&`) as entities, and the characters that would
 * start emphasis, code, a link or end the cell (`\ | * _ \` [ ]`) backslashed.
 */
export function markdownText(s: string): string {
  return visible(s).replace(/[<>&]/g, (c) => MARKDOWN_ENTITY[c]).replace(/[\\|*_`[\]]/g, (c) => `\\${c}`);
}

/**
 * `s` as a Markdown code span that survives a table cell: control characters
 * visible, pipes backslashed (GitHub drops the backslash inside code), and a
 * backtick fence longer than any run of backticks in `s`.
 */
export function markdownCode(s: string): string {
  const text = visible(s).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // A span that starts or ends with a backtick needs a space inside the fence (CommonMark strips one each side).
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

const MERMAID_ENTITY: Readonly<Record<string, string>> = {
  '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '`': '#96;',
};

/**
 * `s` as literal text inside a quoted Mermaid label: control characters
 * visible, then Mermaid's entity codes for the quote, HTML and `#` (which
 * would otherwise start an entity) and the backtick (a Markdown string).
 */
export function mermaidText(s: string): string {
  return visible(s).replace(/[#"<>&`]/g, (c) => MERMAID_ENTITY[c]);
}
