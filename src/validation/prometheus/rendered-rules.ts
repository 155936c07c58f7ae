import { goParseFloat, goParseInt, goParseUint } from './go-strconv';
import { SpecGroup, SpecRule } from './rule-spec';

/**
 * The rule file prometheus-operator renders from a PrometheusRule before it
 * checks its size (pkg/operator/rules.go ValidateRule): sigs.k8s.io/yaml v1.6.0
 * `Marshal`, i.e. `json.Marshal` of the spec (omitempty fields left out) then
 * go-yaml v2.4.4 (go.yaml.in/yaml/v2) emitting the decoded JSON. The emitter
 * is ported for the block mappings, sequences and scalars such a file holds:
 * scalar style choice (plain, single-quoted, double-quoted, literal), escapes,
 * and the folding of long scalars at 80 columns, which adds line breaks and
 * indentation, so that the size is the operator's to the byte.
 */

/** A YAML value of the rendered file: a mapping keeps its keys in order. */
type YamlValue = string | number | YamlMap | YamlValue[];
interface YamlMap { readonly entries: readonly (readonly [string, YamlValue])[] }

/** The rendered rule file, as the operator writes it. */
export function renderRules(groups: readonly SpecGroup[]): string {
  const root: YamlMap = { entries: groups.length > 0 ? [['groups', groups.map(groupValue)]] : [] };
  const emitter = new Emitter();
  emitter.document(root);
  return Buffer.from(emitter.bytes).toString('utf8');
}

/** Byte length of the rendered rule file. */
export function renderedRulesSize(groups: readonly SpecGroup[]): number {
  const emitter = new Emitter();
  emitter.document({ entries: groups.length > 0 ? [['groups', groups.map(groupValue)]] : [] });
  return emitter.bytes.length;
}

function mapOf(pairs: readonly (readonly [string, string])[]): YamlMap {
  return { entries: pairs };
}

/** json.Marshal of a RuleGroup: name always; labels, interval, query_offset, rules, limit when set. */
function groupValue(g: SpecGroup): YamlMap {
  const entries: [string, YamlValue][] = [['name', g.name]];
  if (g.labels.length > 0) entries.push(['labels', mapOf(g.labels)]);
  if (g.interval !== undefined) entries.push(['interval', g.interval]);
  if (g.queryOffset !== undefined) entries.push(['query_offset', g.queryOffset]);
  if (g.rules.length > 0) entries.push(['rules', g.rules.map(ruleValue)]);
  if (g.limit !== undefined) entries.push(['limit', g.limit]);
  return { entries };
}

/** json.Marshal of a Rule: expr always (an IntOrString); the rest when set. */
function ruleValue(r: SpecRule): YamlMap {
  const entries: [string, YamlValue][] = [];
  if (r.record !== '') entries.push(['record', r.record]);
  if (r.alert !== '') entries.push(['alert', r.alert]);
  entries.push(['expr', r.expr]);
  if (r.for !== undefined) entries.push(['for', r.for]);
  if (r.keepFiringFor !== undefined) entries.push(['keep_firing_for', r.keepFiringFor]);
  if (r.labels.length > 0) entries.push(['labels', mapOf(r.labels)]);
  if (r.annotations.length > 0) entries.push(['annotations', mapOf(r.annotations)]);
  return { entries };
}

// ---------------------------------------------------------------------------
// go-yaml v2 encoder: which style a string asks for (encode.go stringv)
// ---------------------------------------------------------------------------

type Style = 'plain' | 'single' | 'double' | 'literal';

const RESOLVE_MAP = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE',
  'off', 'Off', 'OFF', '', '~', 'null', 'Null', 'NULL', '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF',
  '-.inf', '-.Inf', '-.INF', '<<',
]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** Whether go-yaml v2's resolve() reads the plain scalar as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (RESOLVE_MAP.has(s)) return true;
  const c = s[0];
  if (c === '.') return goParseFloat(s) !== undefined;
  if (c !== '+' && c !== '-' && !(c >= '0' && c <= '9')) return false;
  if (isTimestamp(s)) return true;
  const plain = s.replace(/_/g, '');
  if (goParseInt(plain) !== undefined || goParseUint(plain) !== undefined) return true;
  if (YAML_STYLE_FLOAT.test(plain) && goParseFloat(plain) !== undefined) return true;
  if (plain.startsWith('0b')) return /^[01]+$/.test(plain.slice(2)) && BigInt(`0b${plain.slice(2)}`) < 2n ** 64n;
  if (plain.startsWith('-0b')) return /^[01]+$/.test(plain.slice(3)) && BigInt(`0b${plain.slice(3)}`) <= 2n ** 63n;
  return false;
}

/** go-yaml v2's parseTimestamp: the time.Parse layouts it tries, with Go's range checks. */
function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?))?$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  const [h, mi, sec] = m[4] !== undefined ? [m[4], m[5], m[6]] : [m[9], m[10], m[11]];
  if (h === undefined) return true;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return false;
  const zone = m[8];
  return zone === undefined || zone === 'Z' || (Number(zone.slice(1, 3)) <= 23 && Number(zone.slice(4)) <= 59);
}

function requestedStyle(s: string): Style {
  if (s.includes('\n')) return 'literal';
  const canUsePlain = !resolvesToNonString(s) && !(/^[-+0-9]/.test(s) && s.includes(':') && BASE60_FLOAT.test(s));
  return canUsePlain ? 'plain' : 'double';
}

// ---------------------------------------------------------------------------
// go-yaml v2 emitter (emitterc.go), block styles only
// ---------------------------------------------------------------------------

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

/** Byte width of the UTF-8 sequence starting with b. */
function width(b: number): number {
  if (b < 0x80) return 1;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  return 4;
}

/** A UTF-8 continuation byte (10xxxxxx). */
const isContinuation = (b: number) => b >= 0x80 && b < 0xc0;

const at = (b: Uint8Array, i: number) => (i < b.length ? b[i] : 0);
const isSpace = (b: Uint8Array, i: number) => at(b, i) === 0x20;
const isBlank = (b: Uint8Array, i: number) => at(b, i) === 0x20 || at(b, i) === 0x09;
const isBreak = (b: Uint8Array, i: number) => {
  const c = at(b, i);
  return c === 0x0d || c === 0x0a || (c === 0xc2 && at(b, i + 1) === 0x85)
    || (c === 0xe2 && at(b, i + 1) === 0x80 && (at(b, i + 2) === 0xa8 || at(b, i + 2) === 0xa9));
};
const isBlankz = (b: Uint8Array, i: number) => isBlank(b, i) || isBreak(b, i) || at(b, i) === 0;
/** go-yaml checks the start of the value, not position i (its is_bom). */
const isBom = (b: Uint8Array) => at(b, 0) === 0xef && at(b, 1) === 0xbb && at(b, 2) === 0xbf;
const isPrintable = (b: Uint8Array, i: number) => {
  const c = at(b, i);
  const d = at(b, i + 1);
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c === 0xc2 && d >= 0xa0) || (c > 0xc2 && c < 0xed) || (c === 0xed && d < 0xa0)
    || c === 0xee || (c === 0xef && !(d === 0xbb && at(b, i + 2) === 0xbf) && !(d === 0xbf && (at(b, i + 2) === 0xbe || at(b, i + 2) === 0xbf)));
};

interface ScalarAnalysis {
  readonly multiline: boolean;
  readonly blockPlainAllowed: boolean;
  readonly singleQuotedAllowed: boolean;
  readonly blockAllowed: boolean;
}

/** yaml_emitter_analyze_scalar (flow-only facts left out: there is no flow context here). */
function analyzeScalar(v: Uint8Array): ScalarAnalysis {
  if (v.length === 0) return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  let blockIndicators = v.length >= 3 && ((v[0] === 0x2d && v[1] === 0x2d && v[2] === 0x2d) || (v[0] === 0x2e && v[1] === 0x2e && v[2] === 0x2e));
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  for (let i = 0, w = 0; i < v.length; i += w) {
    w = width(v[i]);
    const followedByWhitespace = i + w >= v.length || isBlank(v, i + w);
    const c = String.fromCharCode(v[i]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      else if ((c === '?' || c === ':' || c === '-') && followedByWhitespace) blockIndicators = true;
    } else if ((c === ':' && followedByWhitespace) || (c === '#' && precededByWhitespace)) {
      blockIndicators = true;
    }
    if (!isPrintable(v, i)) special = true;
    if (isSpace(v, i)) {
      if (i === 0) leadingSpace = true;
      if (i + w === v.length) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(v, i)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i + w === v.length) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(v, i);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks || blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

const ESCAPES: Readonly<Record<number, string>> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

class Emitter {
  readonly bytes: number[] = [];
  private column = 0;
  private indent = -1;
  private readonly indents: number[] = [];
  private whitespace = true;
  private indention = true;
  private mappingContext = false;
  private simpleKeyContext = false;

  /** One implicit document: the root node and a final line break ("..." never follows: no scalar is the root). */
  document(root: YamlMap): void {
    this.node(root, false, false);
    this.writeIndent();
  }

  private put(c: number): void {
    this.bytes.push(c);
    this.column++;
  }

  private putBreak(): void {
    this.bytes.push(0x0a);
    this.column = 0;
  }

  private write(v: Uint8Array, i: number): number {
    const w = width(v[i]);
    for (let k = 0; k < w; k++) this.bytes.push(at(v, i + k));
    this.column++;
    return i + w;
  }

  private writeBreak(v: Uint8Array, i: number): number {
    if (v[i] === 0x0a) {
      this.putBreak();
      return i + 1;
    }
    const next = this.write(v, i);
    this.column = 0;
    return next;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop()!;
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(0x20);
    this.whitespace = true;
    this.indention = true;
  }

  private indicator(text: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(0x20);
    for (let i = 0; i < text.length; i++) this.put(text.charCodeAt(i));
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private node(v: YamlValue, mapping: boolean, simpleKey: boolean): void {
    this.mappingContext = mapping;
    this.simpleKeyContext = simpleKey;
    if (typeof v === 'number') this.scalar(String(v), 'plain');
    else if (typeof v === 'string') this.scalar(v, requestedStyle(v));
    else if (Array.isArray(v)) this.sequence(v);
    else this.mapping(v);
  }

  private sequence(items: readonly YamlValue[]): void {
    if (items.length === 0) {
      this.indicator('[', true, true, false);
      this.indicator(']', false, false, false);
      return;
    }
    // A sequence that is a mapping value is not indented.
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.indicator('-', true, false, true);
      this.node(item, false, false);
    }
    this.popIndent();
  }

  private mapping(m: YamlMap): void {
    if (m.entries.length === 0) {
      this.indicator('{', true, true, false);
      this.indicator('}', false, false, false);
      return;
    }
    this.increaseIndent(false, false);
    for (const [key, value] of m.entries) {
      this.writeIndent();
      const k = Buffer.from(key, 'utf8');
      // yaml_emitter_check_simple_key: one line and at most 128 bytes.
      if (!analyzeScalar(k).multiline && k.length <= 128) {
        this.node(key, true, true);
        this.indicator(':', false, false, false);
      } else {
        this.indicator('?', true, false, true);
        this.node(key, true, false);
        this.writeIndent();
        this.indicator(':', true, false, true);
      }
      this.node(value, true, false);
    }
    this.popIndent();
  }

  private scalar(text: string, requested: Style): void {
    const v = Buffer.from(text, 'utf8');
    const a = analyzeScalar(v);
    let style = requested;
    if (this.simpleKeyContext && a.multiline) style = 'double';
    if (style === 'plain' && (!a.blockPlainAllowed || (v.length === 0 && this.simpleKeyContext))) style = 'single';
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!a.blockAllowed || this.simpleKeyContext)) style = 'double';
    this.increaseIndent(true, false);
    const allowBreaks = !this.simpleKeyContext;
    if (style === 'plain') this.plain(v, allowBreaks);
    else if (style === 'single') this.singleQuoted(v, allowBreaks);
    else if (style === 'double') this.doubleQuoted(v, allowBreaks);
    else this.literal(v);
    this.popIndent();
  }

  private plain(v: Uint8Array, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(0x20);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < v.length;) {
      if (isSpace(v, i)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && !isSpace(v, i + 1)) {
          this.writeIndent();
          i += width(v[i]);
        } else {
          i = this.write(v, i);
        }
        spaces = true;
      } else if (isBreak(v, i)) {
        if (!breaks && v[i] === 0x0a) this.putBreak();
        i = this.writeBreak(v, i);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        i = this.write(v, i);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private singleQuoted(v: Uint8Array, allowBreaks: boolean): void {
    this.indicator('\'', true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < v.length;) {
      if (isSpace(v, i)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < v.length - 1 && !isSpace(v, i + 1)) {
          this.writeIndent();
          i += width(v[i]);
        } else {
          i = this.write(v, i);
        }
        spaces = true;
      } else if (isBreak(v, i)) {
        if (!breaks && v[i] === 0x0a) this.putBreak();
        i = this.writeBreak(v, i);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (v[i] === 0x27) this.put(0x27);
        i = this.write(v, i);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.indicator('\'', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private doubleQuoted(v: Uint8Array, allowBreaks: boolean): void {
    let spaces = false;
    this.indicator('"', true, false, false);
    for (let i = 0; i < v.length;) {
      if (!isPrintable(v, i) || isBom(v) || isBreak(v, i) || v[i] === 0x22 || v[i] === 0x5c) {
        const w = width(v[i]);
        const r = Buffer.from(v.subarray(i, i + w)).toString('utf8').codePointAt(0)!;
        i += w;
        this.put(0x5c);
        const escape = ESCAPES[r];
        if (escape !== undefined) {
          this.put(escape.charCodeAt(0));
        } else {
          const [letter, digits] = r <= 0xff ? ['x', 2] : r <= 0xffff ? ['u', 4] : ['U', 8];
          this.put(letter.charCodeAt(0));
          const hex = r.toString(16).toUpperCase().padStart(digits, '0');
          for (let k = 0; k < hex.length; k++) this.put(hex.charCodeAt(k));
        }
        spaces = false;
      } else if (isSpace(v, i)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < v.length - 1) {
          this.writeIndent();
          if (isSpace(v, i + 1)) this.put(0x5c);
          i += width(v[i]);
        } else {
          i = this.write(v, i);
        }
        spaces = true;
      } else {
        i = this.write(v, i);
        spaces = false;
      }
    }
    this.indicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private literal(v: Uint8Array): void {
    this.indicator('|', true, false, false);
    // yaml_emitter_write_block_scalar_hints: indentation hint, then chomping ('-' strip, '+' keep, none clip).
    if (isSpace(v, 0) || isBreak(v, 0)) this.indicator(String(BEST_INDENT), false, false, false);
    let chomp = '';
    let i = v.length - 1;
    while (isContinuation(v[i])) i--;
    if (!isBreak(v, i)) {
      chomp = '-';
    } else if (i === 0) {
      chomp = '+';
    } else {
      i--;
      while (isContinuation(v[i])) i--;
      if (isBreak(v, i)) chomp = '+';
    }
    if (chomp !== '') this.indicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (let j = 0; j < v.length;) {
      if (isBreak(v, j)) {
        j = this.writeBreak(v, j);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        j = this.write(v, j);
        this.indention = false;
        breaks = false;
      }
    }
  }
}
