import { decodeRune, formatUnicode, quote, quotePrefix, quoteRune, RUNE_ERROR } from './go-strings';
import { T } from './promql-grammar';

/**
 * PromQL's lexer as Prometheus v3.13.1 runs it (promql/parser/lex.go): the
 * same states, the same tokens, the same error texts, on a byte string (see
 * go-strings.ts) so positions are Go's byte offsets. Series descriptions
 * (promtool's test syntax) are not lexed: rule expressions never use them.
 */

export interface Item {
  readonly typ: number;
  /** Byte offset of the token. */
  readonly pos: number;
  /** Token text (a byte string); for ERROR, the message. */
  readonly val: string;
}

const EOF_RUNE = -1;

type StateFn = ((l: Lexer) => StateFn) | null;

/** Keywords by lower-case spelling (lex.go `key`, with inf and nan as numbers). */
const KEYWORDS: ReadonlyMap<string, number> = new Map([
  ['and', T.LAND], ['or', T.LOR], ['unless', T.LUNLESS], ['atan2', T.ATAN2],
  ['sum', T.SUM], ['avg', T.AVG], ['count', T.COUNT], ['min', T.MIN], ['max', T.MAX], ['group', T.GROUP], ['stddev', T.STDDEV],
  ['stdvar', T.STDVAR], ['topk', T.TOPK], ['bottomk', T.BOTTOMK], ['count_values', T.COUNT_VALUES], ['quantile', T.QUANTILE],
  ['limitk', T.LIMITK], ['limit_ratio', T.LIMIT_RATIO],
  ['offset', T.OFFSET], ['smoothed', T.SMOOTHED], ['anchored', T.ANCHORED], ['by', T.BY], ['without', T.WITHOUT], ['on', T.ON],
  ['ignoring', T.IGNORING], ['group_left', T.GROUP_LEFT], ['group_right', T.GROUP_RIGHT], ['fill', T.FILL], ['fill_left', T.FILL_LEFT],
  ['fill_right', T.FILL_RIGHT], ['bool', T.BOOL],
  ['start', T.START], ['end', T.END], ['step', T.STEP], ['range', T.RANGE], ['max_of', T.MAX_OF], ['min_of', T.MIN_OF],
  ['inf', T.NUMBER], ['nan', T.NUMBER],
]);

/** Tokens of one character outside braces and brackets. */
const SINGLE_CHAR_TOKENS: ReadonlyMap<number, number> = new Map([
  [0x2c, T.COMMA], [0x2a, T.MUL], [0x2f, T.DIV], [0x25, T.MOD], [0x2b, T.ADD], [0x2d, T.SUB], [0x5e, T.POW], [0x40, T.AT],
]);

const DURATION_KEYWORDS: ReadonlyMap<string, number> = new Map([['step', T.STEP], ['range', T.RANGE], ['max_of', T.MAX_OF], ['min_of', T.MIN_OF]]);

/** Default spellings of tokens (lex.go ItemTypeStr); a token listed here is described by its text. */
const TOKEN_TEXT: ReadonlyMap<number, string> = new Map<number, string>([
  [T.OPEN_HIST, '{{'], [T.CLOSE_HIST, '}}'], [T.LEFT_PAREN, '('], [T.RIGHT_PAREN, ')'], [T.LEFT_BRACE, '{'], [T.RIGHT_BRACE, '}'],
  [T.LEFT_BRACKET, '['], [T.RIGHT_BRACKET, ']'], [T.COMMA, ','], [T.EQL, '='], [T.COLON, ':'], [T.SEMICOLON, ';'], [T.BLANK, '_'],
  [T.TIMES, 'x'], [T.SPACE, '<space>'], [T.SUB, '-'], [T.ADD, '+'], [T.MUL, '*'], [T.MOD, '%'], [T.DIV, '/'], [T.EQLC, '=='],
  [T.NEQ, '!='], [T.LTE, '<='], [T.LSS, '<'], [T.GTE, '>='], [T.GTR, '>'], [T.TRIM_UPPER, '</'], [T.TRIM_LOWER, '>/'],
  [T.EQL_REGEX, '=~'], [T.NEQ_REGEX, '!~'], [T.POW, '^'], [T.AT, '@'],
  ...[...KEYWORDS].filter(([, t]) => t !== T.NUMBER).map(([s, t]) => [t, s] as [number, string]),
]);

export function isOperator(t: number): boolean {
  return t > T.operatorsStart && t < T.operatorsEnd;
}

export function isAggregator(t: number): boolean {
  return t > T.aggregatorsStart && t < T.aggregatorsEnd;
}

export function isKeyword(t: number): boolean {
  return t > T.keywordsStart && t < T.keywordsEnd;
}

export function isComparisonOperator(t: number): boolean {
  return t === T.EQLC || t === T.NEQ || t === T.LTE || t === T.LSS || t === T.GTE || t === T.GTR;
}

export function isSetOperator(t: number): boolean {
  return t === T.LAND || t === T.LOR || t === T.LUNLESS;
}

/** ItemType.String(): the token's spelling, e.g. "sum" for SUM. */
export function tokenText(t: number): string {
  return TOKEN_TEXT.get(t) ?? `<Item ${t}>`;
}

/** Item.String(). */
function itemString(i: Item): string {
  if (i.typ === T.EOF) return 'EOF';
  if (i.typ === T.ERROR) return i.val;
  if (i.typ === T.IDENTIFIER || i.typ === T.METRIC_IDENTIFIER) return quote(i.val);
  if (isKeyword(i.typ)) return `<${i.val}>`;
  if (isOperator(i.typ)) return `<op:${i.val}>`;
  if (isAggregator(i.typ)) return `<aggr:${i.val}>`;
  if (i.val.length > 10) return `${quotePrefix(i.val, 10)}...`;
  return quote(i.val);
}

/** Item.desc(): how the parser names a token in "unexpected ..." errors. */
export function describeItem(i: Item): string {
  if (TOKEN_TEXT.has(i.typ)) return itemString(i);
  switch (i.typ) {
    case T.EOF: return 'end of input';
    case T.ERROR: return `error ${itemString(i)}`;
    case T.COMMENT: return `comment ${itemString(i)}`;
    case T.IDENTIFIER: return `identifier ${itemString(i)}`;
    case T.METRIC_IDENTIFIER: return `metric identifier ${itemString(i)}`;
    case T.STRING: return `string ${itemString(i)}`;
    case T.NUMBER: return `number ${itemString(i)}`;
    case T.DURATION: return `duration ${itemString(i)}`;
    default: return `${quote(tokenText(i.typ))} ${itemString(i)}`;
  }
}

export function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0a || r === 0x0d;
}

function isDigit(r: number): boolean {
  return r >= 0x30 && r <= 0x39;
}

function isAlpha(r: number): boolean {
  return r === 0x5f || (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a);
}

function isAlphaNumeric(r: number): boolean {
  return isAlpha(r) || isDigit(r);
}

function isDurationKeywordStart(r: number): boolean {
  const c = r >= 0x41 && r <= 0x5a ? r + 32 : r;
  return c === 0x73 || c === 0x72 || c === 0x6d; // s(tep), r(ange), m(ax_of|in_of)
}

function has(set: string, r: number): boolean {
  return r >= 0 && r < 0x80 && set.includes(String.fromCharCode(r));
}

export class Lexer {
  /** Start of the token being scanned. */
  start = 0;
  /** Position of the most recent token returned. */
  lastPos = 0;
  private pos = 0;
  private width = 0;
  private state: StateFn = lexStatements;
  private item: Item | undefined;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  private gotColon = false;
  private gotDuration = false;
  private stringOpen = 0;

  constructor(readonly input: string) {}

  /** Whether the scan has ended (after EOF or a fatal error). */
  get done(): boolean {
    return this.state === null;
  }

  /** The next token (Lexer.NextItem). */
  nextItem(): Item {
    this.item = undefined;
    if (this.state !== null) {
      while (this.item === undefined) this.state = this.state!(this);
    } else {
      this.emit(T.EOF);
    }
    const item = this.item as unknown as Item;
    this.lastPos = item.pos;
    return item;
  }

  /** Lexer.findPrevRightParen: where the previous ")" ends, when the parser read one too far. */
  findPrevRightParen(fallback: number): number {
    const s = this.input;
    if (fallback <= 0 || fallback > s.length || this.lastPos <= 0 || this.lastPos >= s.length || s[this.lastPos] !== ')') return fallback;
    for (let i = this.lastPos - 1; i > 0; i--) {
      if (s[i] === ')') return i + 1;
      if (!isSpace(s.charCodeAt(i))) return fallback;
    }
    return fallback;
  }

  next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF_RUNE;
    }
    const c = this.input.charCodeAt(this.pos);
    if (c < 0x80) {
      this.width = 1;
      this.pos++;
      return c;
    }
    const [r, w] = decodeRune(this.input, this.pos);
    this.width = w;
    this.pos += w;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    this.pos -= this.width;
  }

  emit(t: number): void {
    this.item = { typ: t, pos: this.start, val: this.input.slice(this.start, this.pos) };
    this.start = this.pos;
  }

  ignore(): void {
    this.start = this.pos;
  }

  accept(valid: string): boolean {
    if (has(valid, this.next())) return true;
    this.backup();
    return false;
  }

  is(valid: string): boolean {
    return has(valid, this.peek());
  }

  acceptRun(valid: string): void {
    while (has(valid, this.next())) { /* consume */ }
    this.backup();
  }

  /** Emits an ERROR token; the returned null state ends the scan. */
  errorf(message: string): StateFn {
    this.item = { typ: T.ERROR, pos: this.start, val: message };
    return null;
  }

  // The lexer states (lex.go), as methods so they can reach the private state.

  statements(): StateFn {
    if (this.braceOpen) return lexInsideBraces;
    if (this.input.startsWith('#', this.pos)) return lexLineComment;
    const r = this.next();
    if (r === EOF_RUNE) {
      if (this.parenDepth !== 0) return this.errorf('unclosed left parenthesis');
      if (this.bracketOpen) return this.errorf('unclosed left bracket');
      this.emit(T.EOF);
      return null;
    }
    const single = SINGLE_CHAR_TOKENS.get(r);
    if (single !== undefined) {
      this.emit(single);
      return lexStatements;
    }
    if (isSpace(r)) return lexSpace;
    if (r === 0x3d) {
      const t = this.peek();
      if (t === 0x3d) {
        this.next();
        this.emit(T.EQLC);
      } else if (t === 0x7e) {
        return this.errorf(`unexpected character after '=': ${quoteRune(t)}`);
      } else {
        this.emit(T.EQL);
      }
    } else if (r === 0x21) {
      const t = this.next();
      if (t !== 0x3d) return this.errorf(`unexpected character after '!': ${quoteRune(t)}`);
      this.emit(T.NEQ);
    } else if (r === 0x3c || r === 0x3e) {
      const t = this.peek();
      if (t === 0x3d) {
        this.next();
        this.emit(r === 0x3c ? T.LTE : T.GTE);
      } else if (t === 0x2f) {
        this.next();
        this.emit(r === 0x3c ? T.TRIM_UPPER : T.TRIM_LOWER);
      } else {
        this.emit(r === 0x3c ? T.LSS : T.GTR);
      }
    } else if (isDigit(r) || (r === 0x2e && isDigit(this.peek()))) {
      this.backup();
      return lexNumberOrDuration;
    } else if (r === 0x22 || r === 0x27) {
      this.stringOpen = r;
      return lexString;
    } else if (r === 0x60) {
      this.stringOpen = r;
      return lexRawString;
    } else if (isAlpha(r) || r === 0x3a) {
      if (!this.bracketOpen) {
        this.backup();
        return lexKeywordOrIdentifier;
      }
      if (r === 0x3a) {
        if (this.gotColon) return this.errorf(`unexpected colon ${quoteRune(r)}`);
        this.emit(T.COLON);
        this.gotColon = true;
        return lexStatements;
      }
      if (isDurationKeywordStart(r) && this.scanDurationKeyword()) return lexStatements;
      return this.errorf(`unexpected character: ${quoteRune(r)}, expected ${quoteRune(0x3a)}`);
    } else if (r === 0x28) {
      this.emit(T.LEFT_PAREN);
      this.parenDepth++;
    } else if (r === 0x29) {
      this.emit(T.RIGHT_PAREN);
      this.parenDepth--;
      if (this.parenDepth < 0) return this.errorf(`unexpected right parenthesis ${quoteRune(r)}`);
    } else if (r === 0x7b) {
      this.emit(T.LEFT_BRACE);
      this.braceOpen = true;
      return lexInsideBraces;
    } else if (r === 0x5b) {
      if (this.bracketOpen) return this.errorf(`unexpected left bracket ${quoteRune(r)}`);
      this.gotColon = false;
      this.emit(T.LEFT_BRACKET);
      if (isSpace(this.peek())) this.skipSpaces();
      this.bracketOpen = true;
      return lexDurationExpr;
    } else if (r === 0x5d) {
      if (!this.bracketOpen) return this.errorf(`unexpected right bracket ${quoteRune(r)}`);
      this.emit(T.RIGHT_BRACKET);
      this.bracketOpen = false;
    } else {
      return this.errorf(`unexpected character: ${quoteRune(r)}`);
    }
    return lexStatements;
  }

  insideBraces(): StateFn {
    if (this.input.startsWith('#', this.pos)) return lexLineComment;
    const r = this.next();
    if (r === EOF_RUNE) return this.errorf('unexpected end of input inside braces');
    if (isSpace(r)) return lexSpace;
    if (isAlpha(r)) {
      this.backup();
      return lexIdentifier;
    }
    if (r === 0x2c) {
      this.emit(T.COMMA);
    } else if (r === 0x22 || r === 0x27) {
      this.stringOpen = r;
      return lexString;
    } else if (r === 0x60) {
      this.stringOpen = r;
      return lexRawString;
    } else if (r === 0x3d) {
      if (this.next() === 0x7e) {
        this.emit(T.EQL_REGEX);
      } else {
        this.backup();
        this.emit(T.EQL);
      }
    } else if (r === 0x21) {
      const nr = this.next();
      if (nr === 0x7e) this.emit(T.NEQ_REGEX);
      else if (nr === 0x3d) this.emit(T.NEQ);
      else return this.errorf(`unexpected character after '!' inside braces: ${quoteRune(nr)}`);
    } else if (r === 0x7b) {
      return this.errorf(`unexpected left brace ${quoteRune(r)}`);
    } else if (r === 0x7d) {
      this.emit(T.RIGHT_BRACE);
      this.braceOpen = false;
      return lexStatements;
    } else {
      return this.errorf(`unexpected character inside braces: ${quoteRune(r)}`);
    }
    return lexInsideBraces;
  }

  durationExpr(): StateFn {
    const r = this.next();
    if (r === EOF_RUNE) return this.errorf('unexpected end of input in duration expression');
    switch (r) {
      case 0x5d:
        this.emit(T.RIGHT_BRACKET);
        this.bracketOpen = false;
        this.gotColon = false;
        return lexStatements;
      case 0x3a:
        this.emit(T.COLON);
        if (!this.gotDuration) return this.errorf('unexpected colon before duration in duration expression');
        if (this.gotColon) return this.errorf('unexpected repeated colon in duration expression');
        this.gotColon = true;
        return lexDurationExpr;
      case 0x28:
        this.emit(T.LEFT_PAREN);
        this.parenDepth++;
        return lexDurationExpr;
      case 0x29:
        this.emit(T.RIGHT_PAREN);
        this.parenDepth--;
        if (this.parenDepth < 0) return this.errorf(`unexpected right parenthesis ${quoteRune(r)}`);
        return lexDurationExpr;
      case 0x2b: this.emit(T.ADD); return lexDurationExpr;
      case 0x2d: this.emit(T.SUB); return lexDurationExpr;
      case 0x2a: this.emit(T.MUL); return lexDurationExpr;
      case 0x2f: this.emit(T.DIV); return lexDurationExpr;
      case 0x25: this.emit(T.MOD); return lexDurationExpr;
      case 0x5e: this.emit(T.POW); return lexDurationExpr;
      case 0x2c: this.emit(T.COMMA); return lexDurationExpr;
    }
    if (isSpace(r)) {
      this.skipSpaces();
      return lexDurationExpr;
    }
    if (isDurationKeywordStart(r)) {
      if (this.scanDurationKeyword()) return lexDurationExpr;
      return this.errorf(`unexpected character in duration expression: ${quoteRune(r)}`);
    }
    if (isDigit(r) || (r === 0x2e && isDigit(this.peek()))) {
      this.backup();
      this.gotDuration = true;
      return lexNumberOrDuration;
    }
    return this.errorf(`unexpected character in duration expression: ${quoteRune(r)}`);
  }

  escape(): StateFn {
    let ch = this.next();
    let n: number;
    let base: number;
    let max: number;
    if (has('abfnrtv\\', ch) || ch === this.stringOpen) return lexString;
    if (ch >= 0x30 && ch <= 0x37) {
      [n, base, max] = [3, 8, 255];
    } else if (ch === 0x78) {
      ch = this.next();
      [n, base, max] = [2, 16, 255];
    } else if (ch === 0x75) {
      ch = this.next();
      [n, base, max] = [4, 16, 0x10ffff];
    } else if (ch === 0x55) {
      ch = this.next();
      [n, base, max] = [8, 16, 0x10ffff];
    } else if (ch === EOF_RUNE) {
      this.errorf('escape sequence not terminated');
      return lexString;
    } else {
      this.errorf(`unknown escape sequence ${formatUnicode(ch)}`);
      return lexString;
    }
    let x = 0;
    while (n > 0) {
      const d = digitVal(ch);
      if (d >= base) {
        if (ch === EOF_RUNE) {
          this.errorf('escape sequence not terminated');
          return lexString;
        }
        this.errorf(`illegal character ${formatUnicode(ch)} in escape sequence`);
        return lexString;
      }
      x = x * base + d;
      n--;
      if (n > 0) ch = this.next();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) this.errorf('escape sequence is an invalid Unicode code point');
    return lexString;
  }

  string(): StateFn {
    for (;;) {
      const r = this.next();
      if (r === 0x5c) return lexEscape;
      if (r === RUNE_ERROR) {
        this.errorf('invalid UTF-8 rune');
        return lexString;
      }
      if (r === EOF_RUNE || r === 0x0a) return this.errorf('unterminated quoted string');
      if (r === this.stringOpen) break;
    }
    this.emit(T.STRING);
    return lexStatements;
  }

  rawString(): StateFn {
    for (;;) {
      const r = this.next();
      if (r === RUNE_ERROR) {
        this.errorf('invalid UTF-8 rune');
        return lexRawString;
      }
      if (r === EOF_RUNE) {
        this.errorf('unterminated raw string');
        return lexRawString;
      }
      if (r === this.stringOpen) break;
    }
    this.emit(T.STRING);
    return lexStatements;
  }

  space(): StateFn {
    while (isSpace(this.peek())) this.next();
    this.ignore();
    return lexStatements;
  }

  lineComment(): StateFn {
    this.pos += 1;
    for (let r = this.next(); r !== 0x0d && r !== 0x0a && r !== EOF_RUNE;) r = this.next();
    this.backup();
    this.emit(T.COMMENT);
    return lexStatements;
  }

  numberOrDuration(): StateFn {
    if (this.scanNumber()) {
      this.emit(T.NUMBER);
      return lexStatements;
    }
    if (this.acceptRemainingDuration()) {
      this.backup();
      this.emit(T.DURATION);
      return lexStatements;
    }
    return this.errorf(`bad number or duration syntax: ${quote(this.input.slice(this.start, this.pos))}`);
  }

  identifier(): StateFn {
    while (isAlphaNumeric(this.next())) { /* absorb */ }
    this.backup();
    this.emit(T.IDENTIFIER);
    return lexStatements;
  }

  keywordOrIdentifier(): StateFn {
    for (;;) {
      const r = this.next();
      if (isAlphaNumeric(r) || r === 0x3a) continue;
      this.backup();
      const word = this.input.slice(this.start, this.pos);
      const kw = KEYWORDS.get(word.toLowerCase());
      if (kw !== undefined) {
        // fill, fill_left and fill_right are keywords only before "(", so they stay usable as metric names.
        if ((kw === T.FILL || kw === T.FILL_LEFT || kw === T.FILL_RIGHT) && !this.followedByLeftParen()) this.emit(T.IDENTIFIER);
        else this.emit(kw);
      } else if (!word.includes(':')) {
        this.emit(T.IDENTIFIER);
      } else {
        this.emit(T.METRIC_IDENTIFIER);
      }
      return lexStatements;
    }
  }

  private followedByLeftParen(): boolean {
    let p = this.pos;
    while (p < this.input.length) {
      const c = this.input.charCodeAt(p);
      if (!isSpace(c)) return c === 0x28;
      p++;
    }
    return false;
  }

  private skipSpaces(): void {
    while (isSpace(this.peek())) this.next();
    this.ignore();
  }

  private scanDurationKeyword(): boolean {
    for (;;) {
      const r = this.next();
      if (isAlpha(r)) continue;
      this.backup();
      const tok = DURATION_KEYWORDS.get(this.input.slice(this.start, this.pos).toLowerCase());
      if (tok === undefined) return false;
      this.emit(tok);
      return true;
    }
  }

  private acceptRemainingDuration(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s');
    while (this.accept('0123456789')) {
      while (this.accept('0123456789')) { /* digits */ }
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    return !isAlphaNumeric(this.next());
  }

  private scanNumber(): boolean {
    const initial = this.pos;
    let digits = '0123456789';
    if (this.accept('0') && this.accept('xX')) {
      this.accept('_');
      digits = '0123456789abcdefABCDEF';
    }
    this.accept('.');
    this.accept(digits);
    let dot = false;
    let exponent = false;
    while (this.is(`${digits}._eE`)) {
      if (this.is('.') && dot) {
        this.accept('.');
        return false;
      }
      if (this.is('eE') && exponent) {
        this.accept('eE');
        return false;
      }
      if (this.accept('.')) {
        dot = true;
        if (this.accept('_.')) return false;
        // Hexadecimal fractions are not allowed.
        if (digits.length > 10) return false;
        continue;
      }
      if (this.accept('eE')) {
        exponent = true;
        this.accept('+-');
        if (this.accept('._eE') || this.peek() === EOF_RUNE) return false;
        continue;
      }
      if (this.accept('_')) {
        if (this.accept('._eE') || this.peek() === EOF_RUNE) return false;
        continue;
      }
      this.acceptRun(digits);
    }
    if (this.pos === initial) return false;
    return !isAlphaNumeric(this.peek());
  }
}

function digitVal(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10;
  return 16;
}

const lexStatements = (l: Lexer): StateFn => l.statements();
const lexInsideBraces = (l: Lexer): StateFn => l.insideBraces();
const lexDurationExpr = (l: Lexer): StateFn => l.durationExpr();
const lexEscape = (l: Lexer): StateFn => l.escape();
const lexString = (l: Lexer): StateFn => l.string();
const lexRawString = (l: Lexer): StateFn => l.rawString();
const lexSpace = (l: Lexer): StateFn => l.space();
const lexLineComment = (l: Lexer): StateFn => l.lineComment();
const lexNumberOrDuration = (l: Lexer): StateFn => l.numberOrDuration();
const lexIdentifier = (l: Lexer): StateFn => l.identifier();
const lexKeywordOrIdentifier = (l: Lexer): StateFn => l.keywordOrIdentifier();
