import { decodeRune, RUNE_ERROR } from './go-strings';

/**
 * Whether Go's regexp/syntax (grafana/regexp v0.0.0-20250905093917, Go
 * 1.24.7's parser, as Prometheus v3.13.1 compiles label matchers) accepts a
 * pattern with the Perl flags, and if not, its error text; if so, whether it
 * matches the empty string. Only the parse is reproduced, on a tree just
 * detailed enough for the limits it enforces (repeat counts, nesting depth,
 * program size) and for that one match. Not reproduced: the rune budget of
 * huge Unicode classes (over 26,000 \pL in one pattern).
 *
 * The pattern is a byte string (see go-strings.ts).
 */

const MAX_HEIGHT = 1000;
const MAX_SIZE = Math.floor((128 * 1024 * 1024) / 40);

interface Node {
  readonly op: 'leaf' | 'concat' | 'alternate' | 'capture' | 'star' | 'plus' | 'quest' | 'repeat' | 'empty';
  readonly subs: readonly Node[];
  readonly min?: number;
  readonly max?: number;
  /** Literal runes (for the size budget). */
  readonly runes?: number;
  readonly height: number;
  /** calcSize: the compiled program's size in instructions. */
  readonly size: number;
  /** Whether it matches the empty string (assertions judged at the start and end of ""). */
  readonly nullable: boolean;
}

type Entry = Node | 'lparen' | 'capture-paren' | 'bar';

class SyntaxError_ extends Error {}

const PERL_CLASSES = new Set(['d', 'D', 's', 'S', 'w', 'W']);
const POSIX_CLASSES = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit']);
const CATEGORIES = new Set(['C', 'Cc', 'Cf', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd',
  'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs']);

function node(op: Node['op'], subs: readonly Node[], extra: { min?: number; max?: number; runes?: number; nullable?: boolean } = {}): Node {
  const shape = { op, subs, ...extra };
  const height = 1 + subs.reduce((h, s) => Math.max(h, s.height), 0);
  return { ...shape, height, size: sizeOf(shape), nullable: extra.nullable ?? nullableOf(shape) };
}

/** Whether a node matches "" given its subnodes (a leaf says so itself). */
function nullableOf(re: { op: Node['op']; subs: readonly Node[]; min?: number }): boolean {
  switch (re.op) {
    case 'empty':
    case 'star':
    case 'quest': return true;
    case 'plus':
    case 'capture': return re.subs[0].nullable;
    case 'repeat': return re.min === 0 || re.subs[0].nullable;
    case 'concat': return re.subs.every((sub) => sub.nullable);
    case 'alternate': return re.subs.some((sub) => sub.nullable);
    default: return false;
  }
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** A Unicode class name Go knows: a general category, "Any", or a script (judged by JavaScript's tables). */
function knownUnicodeName(name: string): boolean {
  if (name === 'Any' || CATEGORIES.has(name)) return true;
  if (!/^[A-Z][A-Za-z_]*$/.test(name)) return false;
  try {
    new RegExp(`\\p{Script=${name}}`, 'u');
    return true;
  } catch {
    return false;
  }
}

class Re2Parser {
  private readonly stack: Entry[] = [];

  constructor(private readonly s: string) {}

  private fail(code: string, expr: string): never {
    throw new SyntaxError_(`error parsing regexp: ${code}: \`${expr}\``);
  }

  /** nextRune: one rune at i, or the invalid-UTF-8 error. */
  private rune(i: number): [number, number] {
    const [r, w] = decodeRune(this.s, i);
    if (r === RUNE_ERROR && w === 1) this.fail('invalid UTF-8', this.s.slice(i));
    return [r, i + w];
  }

  private push(n: Node): void {
    this.stack.push(n);
    this.checkLimits(n);
  }

  private checkLimits(n: Node): void {
    if (n.height > MAX_HEIGHT) this.fail('expression nests too deeply', this.s);
    if (n.size > MAX_SIZE) this.fail('expression too large', this.s);
  }

  /** A character (literal, class, dot): never matches "". */
  private leaf(runes = 1): void {
    this.push(node('leaf', [], { runes, nullable: false }));
  }

  /** A zero-width assertion, judged on "": ^ $ \A \z \B hold there, \b does not. */
  private assertion(holdsOnEmpty: boolean): void {
    this.push(node('leaf', [], { nullable: holdsOnEmpty }));
  }

  /** Pops the operands above the nearest marker. */
  private popOperands(): Node[] {
    let i = this.stack.length;
    while (i > 0 && typeof this.stack[i - 1] !== 'string') i--;
    return this.stack.splice(i) as Node[];
  }

  private concat(): void {
    const subs = this.popOperands();
    this.push(subs.length === 0 ? node('empty', []) : subs.length === 1 ? subs[0] : node('concat', subs));
  }

  private alternate(): void {
    const subs = this.popOperands();
    this.push(subs.length === 1 ? subs[0] : node('alternate', subs));
  }

  private swapVerticalBar(): boolean {
    const n = this.stack.length;
    if (n >= 2 && this.stack[n - 2] === 'bar') {
      [this.stack[n - 2], this.stack[n - 1]] = [this.stack[n - 1], this.stack[n - 2]];
      return true;
    }
    return false;
  }

  private rightParen(): void {
    this.concat();
    if (this.swapVerticalBar()) this.stack.pop();
    this.alternate();
    const n = this.stack.length;
    if (n < 2) this.fail('unexpected )', this.s);
    const [open, inner] = this.stack.splice(n - 2) as [Entry, Node];
    if (open !== 'lparen' && open !== 'capture-paren') this.fail('unexpected )', this.s);
    this.push(open === 'capture-paren' ? node('capture', [inner]) : inner);
  }

  private repeat(op: Node['op'], min: number, max: number, before: number, afterIn: number, lastRepeat: number): number {
    let after = afterIn;
    if (this.s[after] === '?') after++;
    if (lastRepeat >= 0) this.fail('invalid nested repetition operator', this.s.slice(lastRepeat, after));
    const top = this.stack[this.stack.length - 1];
    if (top === undefined || typeof top === 'string') this.fail('missing argument to repetition operator', this.s.slice(before, after));
    const re = node(op, [top], { min, max });
    this.stack[this.stack.length - 1] = re;
    this.checkLimits(re);
    if (op === 'repeat' && (min >= 2 || max >= 2) && !repeatIsValid(re, 1000)) this.fail('invalid repeat count', this.s.slice(before, after));
    return after;
  }

  /** parseInt: a decimal without leading zeros; -1 when too big. */
  private int(i: number): [number, number] | undefined {
    const s = this.s;
    if (!(s[i] >= '0' && s[i] <= '9')) return undefined;
    if (s[i] === '0' && s[i + 1] >= '0' && s[i + 1] <= '9') return undefined;
    let j = i;
    let n = 0;
    while (s[j] >= '0' && s[j] <= '9') {
      if (n >= 0) n = n >= 1e8 ? -1 : n * 10 + (s.charCodeAt(j) - 0x30);
      j++;
    }
    return [n, j];
  }

  /** parseRepeat: {n}, {n,} or {n,m} at i; undefined when it is a literal brace. */
  private parseRepeat(i: number): [number, number, number] | undefined {
    const first = this.int(i + 1);
    if (!first) return undefined;
    let [min, j] = first;
    let max: number;
    if (this.s[j] !== ',') {
      max = min;
    } else {
      j++;
      if (j >= this.s.length) return undefined;
      if (this.s[j] === '}') {
        max = -1;
      } else {
        const second = this.int(j);
        if (!second) return undefined;
        [max, j] = second;
        if (max < 0) min = -1;
      }
    }
    if (this.s[j] !== '}') return undefined;
    return [min, max, j + 1];
  }

  private perlFlags(i: number): number {
    const s = this.s;
    const startsWithP = s.length - i > 4 && s[i + 2] === 'P' && s[i + 3] === '<';
    const startsWithName = s.length - i > 3 && s[i + 2] === '<';
    if (startsWithP || startsWithName) {
      const begin = i + (startsWithP ? 4 : 3);
      const end = s.indexOf('>', i);
      if (end < 0) {
        this.checkUtf8(i);
        this.fail('invalid named capture', s.slice(i));
      }
      const name = s.slice(begin, end);
      this.checkUtf8String(name);
      if (!/^[A-Za-z0-9_]+$/.test(name)) this.fail('invalid named capture', s.slice(i, end + 1));
      this.stack.push('capture-paren');
      return end + 1;
    }
    let t = i + 2;
    let sign = 1;
    let sawFlag = false;
    while (t < s.length) {
      const [c, next] = this.rune(t);
      t = next;
      if (c === 0x69 || c === 0x6d || c === 0x73 || c === 0x55) {
        sawFlag = true;
        continue;
      }
      if (c === 0x2d) {
        if (sign < 0) break;
        sign = -1;
        sawFlag = false;
        continue;
      }
      if (c === 0x3a || c === 0x29) {
        if (sign < 0 && !sawFlag) break;
        if (c === 0x3a) this.stack.push('lparen');
        return t;
      }
      break;
    }
    return this.fail('invalid or unsupported Perl syntax', s.slice(i, t));
  }

  private checkUtf8(i: number): void {
    for (let k = i; k < this.s.length;) k = this.rune(k)[1];
  }

  private checkUtf8String(x: string): void {
    for (let k = 0; k < x.length;) {
      const [r, w] = decodeRune(x, k);
      if (r === RUNE_ERROR && w === 1) this.fail('invalid UTF-8', x.slice(k));
      k += w;
    }
  }

  /** parseEscape at i (a backslash); returns the index after it. */
  private escape(i: number): number {
    const s = this.s;
    if (i + 1 >= s.length) this.fail('trailing backslash at end of expression', '');
    let [c, t] = this.rune(i + 1);
    const bad = () => this.fail('invalid escape sequence', s.slice(i, t));
    if (c < 0x80 && !isAlnum(c)) return t;
    if (c >= 0x31 && c <= 0x37 && !(s[t] >= '0' && s[t] <= '7')) return bad();
    if (c >= 0x30 && c <= 0x37) {
      for (let k = 1; k < 3 && s[t] >= '0' && s[t] <= '7'; k++) t++;
      return t;
    }
    if (c === 0x78) {
      if (t >= s.length) return bad();
      [c, t] = this.rune(t);
      if (c === 0x7b) {
        let digits = 0;
        let value = 0;
        for (;;) {
          if (t >= s.length) return bad();
          [c, t] = this.rune(t);
          if (c === 0x7d) break;
          const v = unhex(c);
          if (v < 0) return bad();
          value = value * 16 + v;
          if (value > 0x10ffff) return bad();
          digits++;
        }
        return digits === 0 ? bad() : t;
      }
      const x = unhex(c);
      if (t >= s.length) {
        t = s.length;
        return bad();
      }
      [c, t] = this.rune(t);
      return x < 0 || unhex(c) < 0 ? bad() : t;
    }
    if ('afnrtv'.includes(String.fromCharCode(c))) return t;
    return bad();
  }

  /** parseUnicodeClass at i (\p or \P); returns the index after it. */
  private unicodeClass(i: number): number {
    const s = this.s;
    const [c, t] = this.rune(i + 2);
    let seq: string;
    let name: string;
    let after: number;
    if (c !== 0x7b) {
      seq = s.slice(i, t);
      name = seq.slice(2);
      after = t;
    } else {
      const end = s.indexOf('}', i);
      if (end < 0) {
        this.checkUtf8(i);
        this.fail('invalid character class range', s.slice(i));
      }
      seq = s.slice(i, end + 1);
      name = s.slice(i + 3, end);
      this.checkUtf8String(name);
      after = end + 1;
    }
    if (name.startsWith('^')) name = name.slice(1);
    if (!knownUnicodeName(name)) this.fail('invalid character class range', seq);
    return after;
  }

  /** parseClassChar: one (possibly escaped) character of a class; returns [rune, next]. */
  private classChar(i: number, classStart: number): [number, number] {
    if (i >= this.s.length) this.fail('missing closing ]', this.s.slice(classStart));
    if (this.s[i] === '\\') {
      const end = this.escape(i);
      return [escapedValue(this.s.slice(i, end)), end];
    }
    return this.rune(i);
  }

  private parseClass(i: number): number {
    const s = this.s;
    let t = i + 1;
    if (s[t] === '^') t++;
    let first = true;
    while (t >= s.length || s[t] !== ']' || first) {
      first = false;
      if (s.length - t > 2 && s[t] === '[' && s[t + 1] === ':') {
        const close = s.indexOf(':]', t + 2);
        if (close >= 0) {
          const name = s.slice(t, close + 2);
          if (!POSIX_CLASSES.has(name.slice(2, -2).replace(/^\^/, ''))) this.fail('invalid character class range', name);
          t = close + 2;
          continue;
        }
      }
      if (s[t] === '\\' && (s[t + 1] === 'p' || s[t + 1] === 'P')) {
        t = this.unicodeClass(t);
        continue;
      }
      if (s[t] === '\\' && PERL_CLASSES.has(s[t + 1])) {
        t += 2;
        continue;
      }
      const rangeStart = t;
      const [lo, afterLo] = this.classChar(t, i);
      t = afterLo;
      if (s.length - t >= 2 && s[t] === '-' && s[t + 1] !== ']') {
        const [hi, afterHi] = this.classChar(t + 1, i);
        t = afterHi;
        if (hi < lo) this.fail('invalid character class range', s.slice(rangeStart, t));
      }
    }
    this.leaf();
    return t + 1;
  }

  /** Parses the whole pattern; returns whether it matches "". */
  parse(): boolean {
    const s = this.s;
    let t = 0;
    let lastRepeat = -1;
    while (t < s.length) {
      let repeatAt = -1;
      const c = s[t];
      if (c === '(') {
        if (s[t + 1] === '?') {
          t = this.perlFlags(t);
        } else {
          this.stack.push('capture-paren');
          t++;
        }
      } else if (c === '|') {
        this.concat();
        if (!this.swapVerticalBar()) this.stack.push('bar');
        t++;
      } else if (c === ')') {
        this.rightParen();
        t++;
      } else if (c === '^' || c === '$') {
        this.assertion(true);
        t++;
      } else if (c === '.') {
        this.leaf();
        t++;
      } else if (c === '[') {
        t = this.parseClass(t);
      } else if (c === '*' || c === '+' || c === '?') {
        repeatAt = t;
        t = this.repeat(c === '*' ? 'star' : c === '+' ? 'plus' : 'quest', 0, 0, t, t + 1, lastRepeat);
      } else if (c === '{') {
        const r = this.parseRepeat(t);
        if (!r) {
          this.leaf();
          t++;
        } else {
          const [min, max, after] = r;
          if (min < 0 || min > 1000 || max > 1000 || (max >= 0 && min > max)) this.fail('invalid repeat count', s.slice(t, after));
          const before = t;
          t = this.repeat('repeat', min, max, before, after, lastRepeat);
          repeatAt = before;
        }
      } else if (c === '\\') {
        t = this.backslash(t);
      } else {
        t = this.rune(t)[1];
        this.leaf();
      }
      lastRepeat = repeatAt;
    }
    this.concat();
    if (this.swapVerticalBar()) this.stack.pop();
    this.alternate();
    if (this.stack.length !== 1) this.fail('missing closing )', s);
    return (this.stack[0] as Node).nullable;
  }

  private backslash(t: number): number {
    const s = this.s;
    const next = s[t + 1];
    if (next === 'A' || next === 'b' || next === 'B' || next === 'z') {
      this.assertion(next !== 'b');
      return t + 2;
    }
    if (next === 'C') this.fail('invalid escape sequence', s.slice(t, t + 2));
    if (next === 'Q') {
      const end = s.indexOf('\\E', t + 2);
      const lit = end < 0 ? s.slice(t + 2) : s.slice(t + 2, end);
      for (let k = 0; k < lit.length;) {
        const [r, w] = decodeRune(lit, k);
        if (r === RUNE_ERROR && w === 1) this.fail('invalid UTF-8', lit.slice(k));
        this.leaf();
        k += w;
      }
      return end < 0 ? s.length : end + 2;
    }
    if (next === 'p' || next === 'P') {
      const after = this.unicodeClass(t);
      this.leaf();
      return after;
    }
    if (PERL_CLASSES.has(next)) {
      this.leaf();
      return t + 2;
    }
    const after = this.escape(t);
    this.leaf();
    return after;
  }
}

/** The rune an escape inside a class stands for (for range order checks). */
function escapedValue(esc: string): number {
  const c = esc.charCodeAt(1);
  if (c < 0x80 && !isAlnum(c)) return c;
  if (c >= 0x30 && c <= 0x37) return parseInt(esc.slice(1), 8);
  if (c === 0x78) return parseInt(esc.startsWith('\\x{') ? esc.slice(3, -1) : esc.slice(2), 16);
  return { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 }[esc[1]] ?? c;
}

/** repeatIsValid: nested counted repetitions multiply to at most n. */
function repeatIsValid(re: Node, n: number): boolean {
  let budget = n;
  if (re.op === 'repeat') {
    let m = re.max!;
    if (m === 0) return true;
    if (m < 0) m = re.min!;
    if (m > budget) return false;
    if (m > 0) budget = Math.floor(budget / m);
  }
  return re.subs.every((sub) => repeatIsValid(sub, budget));
}

/** calcSize of a node from its subnodes' sizes. */
function sizeOf(re: Pick<Node, 'op' | 'subs' | 'min' | 'max' | 'runes'>): number {
  let n: number;
  switch (re.op) {
    case 'leaf': n = re.runes ?? 1; break;
    case 'capture':
    case 'star': n = 2 + re.subs[0].size; break;
    case 'plus':
    case 'quest': n = 1 + re.subs[0].size; break;
    case 'concat': n = re.subs.reduce((a, b) => a + b.size, 0); break;
    case 'alternate': n = re.subs.reduce((a, b) => a + b.size, 0) + Math.max(0, re.subs.length - 1); break;
    case 'repeat': {
      const sub = re.subs[0].size;
      if (re.max === -1) n = re.min === 0 ? 2 + sub : 1 + re.min! * sub;
      else n = re.max! * sub + (re.max! - re.min!);
      break;
    }
    default: n = 1;
  }
  return Math.max(1, n);
}

export type Re2Verdict = { readonly error: string } | { readonly error?: undefined; readonly matchesEmpty: boolean };

/** Go's error for a pattern RE2 rejects, or whether it matches the empty string (as `^(?s:pattern)$`). */
export function re2Parse(pattern: string): Re2Verdict {
  try {
    return { matchesEmpty: new Re2Parser(pattern).parse() };
  } catch (e) {
    if (e instanceof SyntaxError_) return { error: e.message };
    throw e;
  }
}

/** Go's error for a pattern RE2 rejects, or undefined when it parses. */
export function re2SyntaxError(pattern: string): string | undefined {
  return re2Parse(pattern).error;
}
