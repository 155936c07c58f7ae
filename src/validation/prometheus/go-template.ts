import { goParseFloat, goParseInt, goParseUint, goUnquote, goUnquoteChar } from './go-strconv';

/**
 * Go's text/template parser (text/template/parse as of Go 1.26, which builds
 * prometheus-operator v0.93.0), run the way rulefmt's testTemplateParsing runs
 * it on every label and annotation of an alerting rule: the function map of
 * Prometheus' template package (v3.13.1) plus Go's builtins, and the variables
 * $labels, $externalLabels, $externalURL and $value declared before the text.
 *
 * A port of the lexer and the parser, token by token: delimiters and trim
 * markers, comments, strings and their escapes, numbers as strconv reads them,
 * declarations and their scopes, if/range/with/else/end, define, block,
 * template, break/continue, pipelines. Like Go it stops at the first error.
 * Pipelines are not type-checked, as Go checks them only when the template runs.
 */

export interface TemplateProblem {
  /**
   * `function`: a call of a function the template does not define; `syntax`:
   * anything else the parser rejects; `unchecked`: a template this checker
   * does not parse (see MAX_CHECKED_PARENS), which Go may accept or reject.
   */
  readonly kind: 'syntax' | 'function' | 'unchecked';
  /** Go's message, without its `template: NAME:LINE:` prefix. */
  readonly message: string;
  /** Offset in the template text. */
  readonly offset: number;
}

/** Go's predefined template functions (text/template/funcs.go builtins). */
const GO_FUNCTIONS = ['and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery',
  'eq', 'ge', 'gt', 'le', 'lt', 'ne'];

/** The function map of Prometheus' NewTemplateExpander (template/template.go, v3.13.1). */
const PROMETHEUS_FUNCTIONS = ['query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title',
  'toUpper', 'toLower', 'graphLink', 'tableLink', 'sortByLabel', 'stripPort', 'stripDomain', 'humanize', 'humanize1024',
  'humanizeDuration', 'humanizePercentage', 'humanizeTimestamp', 'toTime', 'toDuration', 'now', 'pathPrefix', 'externalURL',
  'parseDuration', 'urlQueryEscape'];

export const TEMPLATE_FUNCTIONS: ReadonlySet<string> = new Set([...GO_FUNCTIONS, ...PROMETHEUS_FUNCTIONS]);

/** Variables rulefmt declares before each alert template. */
export const TEMPLATE_VARIABLES: readonly string[] = ['$labels', '$externalLabels', '$externalURL', '$value'];

/** Checks one alert label or annotation value as rulefmt does; `alert` names the template (`__alert_<alert>`). Never throws. */
export function checkGoTemplate(text: string, alert = ''): TemplateProblem | undefined {
  // Without a left delimiter the text is one text node: nothing to reject.
  if (!text.includes('{{')) return undefined;
  const deep = parenthesisDeeperThan(text, MAX_CHECKED_PARENS);
  if (deep !== undefined) {
    // Go parses up to its own limit and reports it there; short of it, whether Go accepts the template is not known here.
    const tooDeep = parenthesisDeeperThan(text, MAX_STACK_DEPTH);
    return tooDeep !== undefined
      ? { kind: 'syntax', message: 'max expression depth exceeded', offset: tooDeep }
      : { kind: 'unchecked', message: `its parentheses nest more than ${MAX_CHECKED_PARENS} levels deep, deeper than this checker parses`, offset: deep };
  }
  const lexer = new Lexer(text);
  const trees = new Map<string, boolean>();
  try {
    new Tree(`__alert_${alert}`, lexer, trees, ['$', ...TEMPLATE_VARIABLES], true).parseTop();
    return undefined;
  } catch (e) {
    if (e instanceof ParseError) return { kind: e.kind, message: e.message, offset: Math.min(e.offset, text.length) };
    return { kind: 'syntax', message: `the template check failed: ${(e as Error).message}`, offset: 0 };
  }
}

/**
 * Parentheses nested deeper than this are not parsed here: the parser takes
 * several JavaScript frames per level and would run out of stack long before
 * Go's limit of 10,000 (MAX_STACK_DEPTH), which it reports itself.
 */
const MAX_CHECKED_PARENS = 1000;

/** Where the first parenthesis nested more than `levels` deep opens (as the lexer counts them, per action), or undefined. */
function parenthesisDeeperThan(text: string, levels: number): number | undefined {
  // The lexer only for a text with that many parentheses at all: a template is checked whole on every alert.
  let count = 0;
  for (let i = text.indexOf('('); i >= 0 && count <= levels; i = text.indexOf('(', i + 1)) count++;
  if (count <= levels) return undefined;
  const lexer = new Lexer(text);
  for (let item = lexer.nextItem(); item.type !== 'eof' && item.type !== 'error'; item = lexer.nextItem()) {
    if (item.type === 'leftParen' && lexer.parenDepth > levels) return item.pos;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Lexer (text/template/parse/lex.go)
// ---------------------------------------------------------------------------

type ItemType =
  | 'error' | 'bool' | 'char' | 'charConstant' | 'comment' | 'complex' | 'assign' | 'declare' | 'eof' | 'field' | 'identifier'
  | 'leftDelim' | 'leftParen' | 'number' | 'pipe' | 'rawString' | 'rightDelim' | 'rightParen' | 'space' | 'string' | 'text' | 'variable'
  // keywords
  | 'block' | 'break' | 'continue' | 'dot' | 'define' | 'else' | 'end' | 'if' | 'nil' | 'range' | 'template' | 'with';

interface Item {
  readonly type: ItemType;
  readonly pos: number;
  readonly val: string;
}

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  ['.', 'dot'], ['block', 'block'], ['break', 'break'], ['continue', 'continue'], ['define', 'define'], ['else', 'else'], ['end', 'end'],
  ['if', 'if'], ['range', 'range'], ['nil', 'nil'], ['template', 'template'], ['with', 'with'],
]);
const KEYWORD_TYPES: ReadonlySet<ItemType> = new Set(KEYWORDS.values());

const EOF = -1;
const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';

type State = (l: Lexer) => State | null;

class Lexer {
  input: string;
  pos = 0;
  start = 0;
  atEOF = false;
  parenDepth = 0;
  insideAction = false;
  item: Item = { type: 'eof', pos: 0, val: 'EOF' };

  constructor(input: string) {
    this.input = input;
  }

  nextItem(): Item {
    this.item = { type: 'eof', pos: this.pos, val: 'EOF' };
    let state: State | null = this.insideAction ? lexInsideAction : lexText;
    while (state) state = state(this);
    return this.item;
  }
}

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

function isSpaceAt(s: string, i: number): boolean {
  return i < s.length && isSpace(s.charCodeAt(i));
}

function isAlphaNumeric(r: number): boolean {
  if (r === EOF) return false;
  if (r === 0x5f) return true;
  const c = String.fromCodePoint(r);
  return /\p{L}/u.test(c) || /\p{Nd}/u.test(c);
}

/** Go's %#U: U+0041 'A' (the character only where Go considers it printable). */
function formatRune(r: number): string {
  const hex = `U+${r.toString(16).toUpperCase().padStart(4, '0')}`;
  const c = String.fromCodePoint(r);
  return r === 0x20 || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(c) ? `${hex} '${c}'` : hex;
}

function next(l: Lexer): number {
  if (l.pos >= l.input.length) {
    l.atEOF = true;
    return EOF;
  }
  const r = l.input.codePointAt(l.pos)!;
  l.pos += r > 0xffff ? 2 : 1;
  return r;
}

function backup(l: Lexer): void {
  if (l.atEOF || l.pos === 0) return;
  const low = l.input.charCodeAt(l.pos - 1);
  const pair = low >= 0xdc00 && low <= 0xdfff && l.pos >= 2 && l.input.charCodeAt(l.pos - 2) >= 0xd800 && l.input.charCodeAt(l.pos - 2) <= 0xdbff;
  l.pos -= pair ? 2 : 1;
}

function peek(l: Lexer): number {
  const r = next(l);
  backup(l);
  return r;
}

function thisItem(l: Lexer, type: ItemType): Item {
  const item = { type, pos: l.start, val: l.input.slice(l.start, l.pos) };
  l.start = l.pos;
  return item;
}

function emit(l: Lexer, type: ItemType): null {
  l.item = thisItem(l, type);
  return null;
}

function ignore(l: Lexer): void {
  l.start = l.pos;
}

function accept(l: Lexer, valid: string): boolean {
  const r = next(l);
  if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
  backup(l);
  return false;
}

function acceptRun(l: Lexer, valid: string): void {
  while (accept(l, valid)) { /* consume */ }
}

function errorf(l: Lexer, message: string): null {
  l.item = { type: 'error', pos: l.start, val: message };
  l.start = 0;
  l.pos = 0;
  l.input = '';
  return null;
}

function hasLeftTrimMarker(s: string, i: number): boolean {
  return s.length >= i + 2 && s[i] === '-' && isSpaceAt(s, i + 1);
}

function hasRightTrimMarker(s: string, i: number): boolean {
  return s.length >= i + 2 && isSpaceAt(s, i) && s[i + 1] === '-';
}

function rightTrimLength(s: string): number {
  return s.length - s.replace(/[ \t\r\n]+$/, '').length;
}

function leftTrimLength(s: string): number {
  return s.length - s.replace(/^[ \t\r\n]+/, '').length;
}

/** Whether the lexer is at a right delimiter, and whether a trim marker precedes it. */
function atRightDelim(l: Lexer): [boolean, boolean] {
  if (hasRightTrimMarker(l.input, l.pos) && l.input.startsWith(RIGHT_DELIM, l.pos + 2)) return [true, true];
  if (l.input.startsWith(RIGHT_DELIM, l.pos)) return [true, false];
  return [false, false];
}

function lexText(l: Lexer): State | null {
  const x = l.input.indexOf(LEFT_DELIM, l.pos);
  if (x >= 0) {
    if (x > l.pos) {
      l.pos = x;
      const trim = hasLeftTrimMarker(l.input, x + LEFT_DELIM.length) ? rightTrimLength(l.input.slice(l.start, l.pos)) : 0;
      l.pos -= trim;
      const item = thisItem(l, 'text');
      l.pos += trim;
      ignore(l);
      if (item.val.length > 0) {
        l.item = item;
        return null;
      }
    }
    return lexLeftDelim;
  }
  l.pos = l.input.length;
  return emit(l, l.pos > l.start ? 'text' : 'eof');
}

function lexLeftDelim(l: Lexer): State | null {
  l.pos += LEFT_DELIM.length;
  const afterMarker = hasLeftTrimMarker(l.input, l.pos) ? 2 : 0;
  if (l.input.startsWith('/*', l.pos + afterMarker)) {
    l.pos += afterMarker;
    ignore(l);
    return lexComment;
  }
  const item = thisItem(l, 'leftDelim');
  l.insideAction = true;
  l.pos += afterMarker;
  ignore(l);
  l.parenDepth = 0;
  l.item = item;
  return null;
}

function lexComment(l: Lexer): State | null {
  l.pos += 2;
  const x = l.input.indexOf('*/', l.pos);
  if (x < 0) return errorf(l, 'unclosed comment');
  l.pos = x + 2;
  const [delim, trimSpace] = atRightDelim(l);
  if (!delim) return errorf(l, 'comment ends before closing delimiter');
  if (trimSpace) l.pos += 2;
  l.pos += RIGHT_DELIM.length;
  if (trimSpace) l.pos += leftTrimLength(l.input.slice(l.pos));
  ignore(l);
  // Comments are dropped: the parser does not ask for them.
  return lexText;
}

function lexRightDelim(l: Lexer): State | null {
  const [, trimSpace] = atRightDelim(l);
  if (trimSpace) {
    l.pos += 2;
    ignore(l);
  }
  l.pos += RIGHT_DELIM.length;
  const item = thisItem(l, 'rightDelim');
  if (trimSpace) {
    l.pos += leftTrimLength(l.input.slice(l.pos));
    ignore(l);
  }
  l.insideAction = false;
  l.item = item;
  return null;
}

function lexInsideAction(l: Lexer): State | null {
  const [delim] = atRightDelim(l);
  if (delim) return l.parenDepth === 0 ? lexRightDelim : errorf(l, 'unclosed left paren');
  const r = next(l);
  if (r === EOF) return errorf(l, 'unclosed action');
  if (isSpace(r)) {
    backup(l); // the space may start " -}}"
    return lexSpace;
  }
  const c = String.fromCodePoint(r);
  switch (c) {
    case '=': return emit(l, 'assign');
    case ':':
      if (next(l) !== 0x3d) return errorf(l, 'expected :=');
      return emit(l, 'declare');
    case '|': return emit(l, 'pipe');
    case '"': return lexQuote;
    case '`': return lexRawQuote;
    case '$': return lexVariable;
    case '\'': return lexChar;
    case '(':
      l.parenDepth++;
      return emit(l, 'leftParen');
    case ')':
      l.parenDepth--;
      if (l.parenDepth < 0) return errorf(l, 'unexpected right paren');
      return emit(l, 'rightParen');
  }
  if (c === '.') {
    // ".field", unless a digit follows: then '.' starts a number.
    if (l.pos < l.input.length) {
      const d = l.input.charCodeAt(l.pos);
      if (d < 0x30 || d > 0x39) return lexField;
    }
    backup(l);
    return lexNumber;
  }
  if (c === '+' || c === '-' || (r >= 0x30 && r <= 0x39)) {
    backup(l);
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    backup(l);
    return lexIdentifier;
  }
  if (r >= 0x20 && r <= 0x7e) return emit(l, 'char');
  return errorf(l, `unrecognized character in action: ${formatRune(r)}`);
}

function lexSpace(l: Lexer): State | null {
  let spaces = 0;
  while (isSpace(peek(l))) {
    next(l);
    spaces++;
  }
  // A trim-marked right delimiter starts with a space: leave that space to it.
  if (hasRightTrimMarker(l.input, l.pos - 1) && l.input.startsWith(RIGHT_DELIM, l.pos + 1)) {
    backup(l);
    if (spaces === 1) return lexRightDelim;
  }
  return emit(l, 'space');
}

function lexIdentifier(l: Lexer): State | null {
  for (;;) {
    const r = next(l);
    if (isAlphaNumeric(r)) continue;
    backup(l);
    const word = l.input.slice(l.start, l.pos);
    if (!atTerminator(l)) return errorf(l, `bad character ${formatRune(r)}`);
    const keyword = KEYWORDS.get(word);
    // break and continue are keywords: neither Prometheus nor Go defines a function of that name.
    if (keyword) return emit(l, keyword);
    if (word === 'true' || word === 'false') return emit(l, 'bool');
    return emit(l, 'identifier');
  }
}

function lexField(l: Lexer): State | null {
  return lexFieldOrVariable(l, 'field');
}

function lexVariable(l: Lexer): State | null {
  if (atTerminator(l)) return emit(l, 'variable');
  return lexFieldOrVariable(l, 'variable');
}

function lexFieldOrVariable(l: Lexer, type: 'field' | 'variable'): State | null {
  if (atTerminator(l)) return emit(l, type === 'variable' ? 'variable' : 'dot');
  let r: number;
  for (;;) {
    r = next(l);
    if (!isAlphaNumeric(r)) {
      backup(l);
      break;
    }
  }
  if (!atTerminator(l)) return errorf(l, `bad character ${formatRune(r)}`);
  return emit(l, type);
}

function atTerminator(l: Lexer): boolean {
  const r = peek(l);
  if (isSpace(r)) return true;
  if (r === EOF || '.,|:)('.includes(String.fromCodePoint(r))) return true;
  return l.input.startsWith(RIGHT_DELIM, l.pos);
}

function lexChar(l: Lexer): State | null {
  for (;;) {
    const r = next(l);
    if (r === 0x5c) {
      const e = next(l);
      if (e !== EOF && e !== 0x0a) continue;
      return errorf(l, 'unterminated character constant');
    }
    if (r === EOF || r === 0x0a) return errorf(l, 'unterminated character constant');
    if (r === 0x27) return emit(l, 'charConstant');
  }
}

function lexNumber(l: Lexer): State | null {
  if (!scanNumber(l)) return errorf(l, `bad number syntax: ${JSON.stringify(l.input.slice(l.start, l.pos))}`);
  const sign = peek(l);
  if (sign === 0x2b || sign === 0x2d) {
    // Complex: 1+2i, no spaces, ending in 'i'.
    if (!scanNumber(l) || l.input[l.pos - 1] !== 'i') return errorf(l, `bad number syntax: ${JSON.stringify(l.input.slice(l.start, l.pos))}`);
    return emit(l, 'complex');
  }
  return emit(l, 'number');
}

function scanNumber(l: Lexer): boolean {
  accept(l, '+-');
  let digits = '0123456789_';
  if (accept(l, '0')) {
    if (accept(l, 'xX')) digits = '0123456789abcdefABCDEF_';
    else if (accept(l, 'oO')) digits = '01234567_';
    else if (accept(l, 'bB')) digits = '01_';
  }
  acceptRun(l, digits);
  if (accept(l, '.')) acceptRun(l, digits);
  if (digits.length === 11 && accept(l, 'eE')) {
    accept(l, '+-');
    acceptRun(l, '0123456789_');
  }
  if (digits.length === 23 && accept(l, 'pP')) {
    accept(l, '+-');
    acceptRun(l, '0123456789_');
  }
  accept(l, 'i');
  if (isAlphaNumeric(peek(l))) {
    next(l);
    return false;
  }
  return true;
}

function lexQuote(l: Lexer): State | null {
  for (;;) {
    const r = next(l);
    if (r === 0x5c) {
      const e = next(l);
      if (e !== EOF && e !== 0x0a) continue;
      return errorf(l, 'unterminated quoted string');
    }
    if (r === EOF || r === 0x0a) return errorf(l, 'unterminated quoted string');
    if (r === 0x22) return emit(l, 'string');
  }
}

function lexRawQuote(l: Lexer): State | null {
  for (;;) {
    const r = next(l);
    if (r === EOF) return errorf(l, 'unterminated raw quoted string');
    if (r === 0x60) return emit(l, 'rawString');
  }
}

// ---------------------------------------------------------------------------
// Parser (text/template/parse/parse.go, node.go)
// ---------------------------------------------------------------------------

class ParseError extends Error {
  constructor(message: string, readonly offset: number, readonly kind: TemplateProblem['kind'] = 'syntax') {
    super(message);
  }
}

type NodeType =
  | 'text' | 'action' | 'if' | 'range' | 'with' | 'template' | 'break' | 'continue' | 'end' | 'else'
  | 'bool' | 'dot' | 'nil' | 'number' | 'string' | 'field' | 'variable' | 'identifier' | 'pipe' | 'chain';

interface Node {
  readonly type: NodeType;
  /** What Go prints for the node in messages. */
  readonly text: string;
  /** For text nodes: only white space (parse.IsEmptyTree). */
  readonly blank?: boolean;
}

/** Operands that cannot start a later stage of a pipeline (checkPipeline). */
const NON_EXECUTABLE: ReadonlySet<NodeType> = new Set(['bool', 'dot', 'nil', 'number', 'string']);
/** Tokens that start a command (pipeline). */
const COMMAND_START: ReadonlySet<ItemType> = new Set([
  'bool', 'charConstant', 'complex', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen',
]);
const MAX_STACK_DEPTH = 10000;
const MAX_PIPELINE_COMMANDS = 100000;

/** Go's item.String(), as it appears in "unexpected X in Y". */
function describeItem(item: Item): string {
  if (item.type === 'eof') return 'EOF';
  if (item.type === 'error') return item.val;
  if (KEYWORD_TYPES.has(item.type)) return `<${item.val}>`;
  const runes = [...item.val];
  if (runes.length > 10) return `${JSON.stringify(runes.slice(0, 10).join(''))}...`;
  return JSON.stringify(item.val);
}

/** A list of nodes is empty when it holds only blank text (parse.IsEmptyTree). */
function isEmptyList(nodes: readonly Node[]): boolean {
  return nodes.every((n) => n.type === 'text' && n.blank);
}

class Tree {
  private readonly token: Item[] = [];
  private peekCount = 0;
  private vars: string[];
  private rangeDepth = 0;
  private stackDepth = 0;
  /** Where the action being parsed starts (Go keeps its line, for "unclosed action"). */
  private actionStart = -1;

  constructor(
    private name: string,
    private readonly lex: Lexer,
    /** Template names defined so far, and whether each is empty. */
    private readonly trees: Map<string, boolean>,
    vars: readonly string[],
    /** The top-level template: rulefmt's declarations of the variables make it non-empty. */
    private readonly declaresVariables = false,
  ) {
    this.vars = [...vars];
  }

  /** Tree.parse then Tree.add, for the top-level template. */
  parseTop(): void {
    const root: Node[] = [];
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const delim = this.next();
        if (this.nextNonSpace().type === 'define') {
          new Tree('definition', this.lex, this.trees, ['$']).parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${n.text}`);
      root.push(n);
    }
    this.add(root);
  }

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount];
  }

  private backup(): void {
    this.peekCount++;
  }

  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1];
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }

  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next(); while (token.type === 'space');
    return token;
  }

  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  private errorf(message: string, kind: TemplateProblem['kind'] = 'syntax', offset = this.token[0]?.pos ?? 0): never {
    throw new ParseError(message, offset, kind);
  }

  private expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== expected) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.type === 'error') this.errorf(token.val, 'syntax', token.val.endsWith(' action') && this.actionStart >= 0 ? this.actionStart : token.pos);
    return this.errorf(`unexpected ${describeItem(token)} in ${context}`, 'syntax', token.pos);
  }

  /** Tree.add: a second non-empty definition of a name is an error. */
  private add(root: readonly Node[]): void {
    const empty = !this.declaresVariables && isEmptyList(root);
    const existing = this.trees.get(this.name);
    if (existing === undefined || existing) {
      this.trees.set(this.name, empty);
      return;
    }
    if (!empty) this.errorf(`template: multiple definition of template ${JSON.stringify(this.name)}`);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.nextNonSpace();
    if (name.type !== 'string' && name.type !== 'rawString') this.unexpected(name, context);
    this.name = this.unquote(name);
    this.expect('rightDelim', context);
    const [root, end] = this.itemList();
    if (end.type !== 'end') this.errorf(`unexpected ${end.text} in ${context}`);
    this.add(root);
  }

  private itemList(): [Node[], Node] {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.push(n);
    }
    return this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    if (token.type === 'text') return { type: 'text', text: token.val, blank: token.val.trim() === '' };
    if (token.type === 'leftDelim') {
      this.actionStart = token.pos;
      const node = this.action();
      this.actionStart = -1;
      return node;
    }
    return this.unexpected(token, 'input');
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'block': return this.blockControl();
      case 'break': return this.loopControl('break');
      case 'continue': return this.loopControl('continue');
      case 'else': return this.elseControl();
      case 'end':
        this.expect('rightDelim', 'end');
        return { type: 'end', text: '{{end}}' };
      case 'if': return this.parseControl('if');
      case 'range': return this.parseControl('range');
      case 'template': return this.templateControl();
      case 'with': return this.parseControl('with');
    }
    this.backup();
    // Variables declared here persist until the enclosing "end".
    this.pipeline('command', 'rightDelim');
    return { type: 'action', text: '{{action}}' };
  }

  private loopControl(keyword: 'break' | 'continue'): Node {
    const token = this.nextNonSpace();
    if (token.type !== 'rightDelim') this.unexpected(token, `{{${keyword}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${keyword}}} outside {{range}}`);
    return { type: keyword, text: `{{${keyword}}}` };
  }

  private pipeline(context: string, end: ItemType): Node {
    const commands: Node[] = [];
    // Declarations or assignments: "$x :=", "$x =", "$k, $v :=" (range only).
    let declared = 0;
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      this.next();
      const afterVariable = this.peek();
      const following = this.peekNonSpace();
      if (following.type === 'assign' || following.type === 'declare') {
        this.nextNonSpace();
        this.vars.push(v.val);
        break;
      }
      if (following.type === 'char' && following.val === ',') {
        this.nextNonSpace();
        this.vars.push(v.val);
        declared++;
        if (context === 'range' && declared < 2) {
          const t = this.peekNonSpace().type;
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      if (afterVariable.type === 'space') this.backup3(v, afterVariable);
      else this.backup2(v);
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) {
        this.checkPipeline(commands, context);
        return { type: 'pipe', text: '(pipeline)' };
      }
      if (!COMMAND_START.has(token.type)) this.unexpected(token, context);
      this.backup();
      commands.push(this.command());
      if (commands.length > MAX_PIPELINE_COMMANDS) this.errorf('pipeline too long');
    }
  }

  private checkPipeline(commands: readonly Node[], context: string): void {
    if (commands.length === 0) this.errorf(`missing value for ${context}`);
    commands.slice(1).forEach((first, i) => {
      if (NON_EXECUTABLE.has(first.type)) this.errorf(`non executable command in pipeline stage ${i + 2}`);
    });
  }

  /** Parses the pipeline and lists of if, range and with; declarations end with the control. */
  private parseControl(context: 'if' | 'range' | 'with'): Node {
    const saved = this.vars.length;
    this.pipeline(context, 'rightDelim');
    if (context === 'range') this.rangeDepth++;
    let [, end] = this.itemList();
    if (context === 'range') this.rangeDepth--;
    if (end.type === 'else') {
      // "{{else if ...}}" and "{{else with ...}}" open a nested control that shares the final {{end}}.
      if (context === 'if' && this.peek().type === 'if') {
        this.next();
        this.parseControl('if');
      } else if (context === 'with' && this.peek().type === 'with') {
        this.next();
        this.parseControl('with');
      } else {
        [, end] = this.itemList();
        if (end.type !== 'end') this.errorf(`expected end; found ${end.text}`);
      }
    }
    this.vars.length = saved;
    return { type: context, text: `{{${context}}}` };
  }

  private elseControl(): Node {
    const following = this.peekNonSpace();
    if (following.type === 'if' || following.type === 'with') return { type: 'else', text: '{{else}}' };
    this.expect('rightDelim', 'else');
    return { type: 'else', text: '{{else}}' };
  }

  private blockControl(): Node {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    this.pipeline(context, 'rightDelim');
    const block = new Tree(name, this.lex, this.trees, ['$']);
    const [root, end] = block.itemList();
    if (end.type !== 'end') this.errorf(`unexpected ${end.text} in ${context}`);
    block.add(root);
    return { type: 'template', text: '{{template}}' };
  }

  private templateControl(): Node {
    const context = 'template clause';
    this.templateName(this.nextNonSpace(), context);
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', text: '{{template}}' };
  }

  private templateName(token: Item, context: string): string {
    if (token.type !== 'string' && token.type !== 'rawString') this.unexpected(token, context);
    return this.unquote(token);
  }

  private unquote(token: Item): string {
    const s = goUnquote(token.val);
    if (s === undefined) this.errorf('invalid syntax', 'syntax', token.pos);
    return s;
  }

  private command(): Node {
    const args: Node[] = [];
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const token = this.next();
      if (token.type === 'space') continue;
      if (token.type === 'rightDelim' || token.type === 'rightParen') this.backup();
      else if (token.type !== 'pipe') this.unexpected(token, 'operand');
      break;
    }
    if (args.length === 0) this.errorf('empty command');
    return args[0];
  }

  private operand(): Node | undefined {
    const node = this.term();
    if (!node || this.peek().type !== 'field') return node;
    while (this.peek().type === 'field') this.next();
    if (node.type === 'field' || node.type === 'variable') return node;
    if (NON_EXECUTABLE.has(node.type)) this.errorf(`unexpected . after term ${JSON.stringify(node.text)}`);
    return { type: 'chain', text: node.text };
  }

  private term(): Node | undefined {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'identifier':
        if (!TEMPLATE_FUNCTIONS.has(token.val)) this.errorf(`function ${JSON.stringify(token.val)} not defined`, 'function', token.pos);
        return { type: 'identifier', text: token.val };
      case 'dot': return { type: 'dot', text: '.' };
      case 'nil': return { type: 'nil', text: 'nil' };
      case 'variable':
        if (!this.vars.includes(token.val)) this.errorf(`undefined variable ${JSON.stringify(token.val)}`, 'syntax', token.pos);
        return { type: 'variable', text: token.val };
      case 'field': return { type: 'field', text: token.val };
      case 'bool': return { type: 'bool', text: token.val };
      case 'charConstant':
      case 'complex':
      case 'number': {
        const problem = numberProblem(token);
        if (problem) this.errorf(problem, 'syntax', token.pos);
        return { type: 'number', text: token.val };
      }
      case 'leftParen': {
        if (this.stackDepth >= MAX_STACK_DEPTH) this.errorf('max expression depth exceeded');
        this.stackDepth++;
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        this.stackDepth--;
        return pipe;
      }
      case 'string':
      case 'rawString':
        this.unquote(token);
        return { type: 'string', text: token.val };
    }
    this.backup();
    return undefined;
  }
}

/** Why Go's newNumber rejects a number, character or complex constant; undefined when it accepts it. */
function numberProblem(token: Item): string | undefined {
  const text = token.val;
  if (token.type === 'charConstant') {
    const r = goUnquoteChar(text.slice(1), '\'');
    if (!r) return 'invalid syntax';
    return r.tail === '\'' ? undefined : `malformed character constant: ${text}`;
  }
  if (token.type === 'complex') {
    // fmt.Sscan reads "re±imi" as two floats.
    const m = /^(.*[^eEpP])([+-][^+-].*)i$/.exec(text) ?? /^()([+-].*)i$/.exec(text);
    const ok = m !== null && (m[1] === '' || goParseFloat(m[1]) !== undefined) && goParseFloat(m[2]) !== undefined;
    return ok ? undefined : `expected complex number: ${JSON.stringify(text)}`;
  }
  // Imaginary constants: a float followed by i.
  if (text.endsWith('i') && goParseFloat(text.slice(0, -1)) !== undefined) return undefined;
  if (goParseUint(text) !== undefined || goParseInt(text) !== undefined) return undefined;
  if (goParseFloat(text) !== undefined) {
    // A float that looks like an integer is an integer too large for 64 bits.
    return /[.eEpP]/.test(text) ? undefined : `integer overflow: ${JSON.stringify(text)}`;
  }
  return `illegal number syntax: ${JSON.stringify(text)}`;
}
