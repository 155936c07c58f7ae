import type { Document, Node } from 'yaml';
import {
  GoScalar, KubectlReadError, TAG, describeGoScalar, goKeyIdentity, goKeyString, jsonValue, resolveScalar,
} from './go-yaml-scalars';
import { defineValue, MAX_DEPTH } from './kubectl-stream';

/**
 * The careful read path's values: a document the `yaml` library parsed (with
 * its failsafe schema: every scalar a string, tags kept), decoded as go-yaml v2
 * decodes it into `interface{}` (decode.go `decoder.unmarshal`) and as
 * sigs.k8s.io/yaml turns that into JSON (`convertToJSONableObject`):
 *
 * - scalars by go-yaml-scalars.ts; double-quoted scalars by go-yaml's scanner
 *   rules (scannerc.go `yaml_parser_scan_flow_scalar`), so `\'` is read and
 *   `\/` and surrogate escapes are refused as go-yaml refuses them;
 * - merge keys (`<<`) in document order (`decoder.mapping`, `decoder.merge`):
 *   a merge after an explicit key overrides it, a key after a merge overrides
 *   the merge, and in `<<: [*a, *b]` the earlier maps win;
 * - duplicate keys: the last one wins (go-yaml's non-strict `setMapIndex`);
 *   keys of different Go types that become the same JSON key (`1` and `"1"`)
 *   are refused, since kubectl keeps one of them at random (Go map order);
 * - aliases resolve to the last anchor of that name before them, as the
 *   parser binds them; an alias inside its own anchor is an error.
 *
 * Our own limits for hostile input stay: nesting depth and alias expansions.
 */

/** At most this many alias expansions per document ("billion laughs"). */
const MAX_ALIAS_COUNT = 1000;
/** At most this many nodes produced by alias expansion per document. */
const MAX_ALIAS_NODES = 100_000;

/** Where in the chunk text a read failed. */
export class NodeReadError extends Error {
  constructor(message: string, readonly offset: number, readonly kind: 'kubectl' | 'limit' | 'ambiguous') {
    super(message);
  }
}

type YamlLib = typeof import('yaml');

interface Context {
  readonly lib: YamlLib;
  readonly text: string;
  /** Each alias bound to the node of the anchor before it (the parser's binding). */
  readonly aliases: Map<Node, Node>;
  /** Aliases being expanded, to refuse an alias inside its own anchor. */
  readonly expanding: Set<Node>;
  aliasCount: number;
  aliasNodes: number;
  aliasDepth: number;
  readonly nan: { n: number };
}

/**
 * The value kubectl gets for the first document the `yaml` library parsed
 * from a chunk (`text`). Throws a NodeReadError: `kubectl` for what kubectl
 * refuses, `limit` for our hostile-input limits, `ambiguous` for keys kubectl
 * would pick between at random.
 */
export function documentValue(lib: YamlLib, doc: Document.Parsed, text: string): unknown {
  const ctx: Context = {
    lib, text, aliases: bindAliases(lib, doc.contents), expanding: new Set(), aliasCount: 0, aliasNodes: 0, aliasDepth: 0, nan: { n: 0 },
  };
  return decodeValue(ctx, doc.contents, 0, doc.range[0]);
}

/** Binds every alias to the latest node with its anchor before it, in parse order (parent before children, key before value). */
function bindAliases(lib: YamlLib, root: unknown): Map<Node, Node> {
  const anchors = new Map<string, Node>();
  const bound = new Map<Node, Node>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    if (lib.isAlias(n)) {
      const target = anchors.get(n.source);
      if (target) bound.set(n as Node, target);
      continue;
    }
    if (lib.isPair(n)) {
      stack.push(n.value, n.key);
      continue;
    }
    const anchor = (n as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, n as Node);
    if (lib.isCollection(n)) for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
  }
  return bound;
}

function startOf(n: unknown, fallback: number): number {
  const r = (n as { range?: [number, number, number] } | null)?.range;
  return r ? r[0] : fallback;
}

function decodeValue(ctx: Context, n: unknown, depth: number, at: number): unknown {
  if (depth > MAX_DEPTH) throw new NodeReadError(`nested deeper than ${MAX_DEPTH} levels`, at, 'limit');
  if (ctx.aliasDepth > 0 && ++ctx.aliasNodes > MAX_ALIAS_NODES) {
    throw new NodeReadError(`aliases expand to more than ${MAX_ALIAS_NODES} values: a "billion laughs" document`, at, 'limit');
  }
  const { lib } = ctx;
  if (n === null || n === undefined) return null;
  if (lib.isAlias(n)) return withAlias(ctx, n, at, (target) => decodeValue(ctx, target, depth, at));
  if (lib.isScalar(n)) {
    const s = scalarOf(ctx, n);
    try {
      return jsonValue(s);
    } catch (e) {
      throw new NodeReadError((e as Error).message, startOf(n, at), 'kubectl');
    }
  }
  if (lib.isMap(n)) {
    const out: Record<string, unknown> = {};
    assignPairs(ctx, n.items, out, new KeyTable(), depth, startOf(n, at));
    return out;
  }
  if (lib.isSeq(n)) {
    const out: unknown[] = [];
    for (const item of n.items) {
      if (lib.isPair(item)) {
        // A `key: value` pair written in a flow sequence is a one-entry mapping.
        const o: Record<string, unknown> = {};
        assignPairs(ctx, [item], o, new KeyTable(), depth + 1, startOf(item.key, at));
        out.push(o);
      } else {
        out.push(decodeValue(ctx, item, depth + 1, startOf(item, at)));
      }
    }
    return out;
  }
  throw new NodeReadError('a YAML node of an unknown kind', at, 'kubectl');
}

/** Runs `f` on an alias's target, counting the expansion against the limits. */
function withAlias<T>(ctx: Context, alias: Node, at: number, f: (target: Node) => T): T {
  const target = ctx.aliases.get(alias);
  const name = (alias as { source?: string }).source ?? '';
  if (!target) throw new NodeReadError(`unknown anchor '${name}' referenced`, startOf(alias, at), 'kubectl');
  if (ctx.expanding.has(target)) throw new NodeReadError(`anchor '${name}' value contains itself`, startOf(alias, at), 'kubectl');
  if (++ctx.aliasCount > MAX_ALIAS_COUNT) {
    throw new NodeReadError(`aliases are expanded more than ${MAX_ALIAS_COUNT} times: a "billion laughs" document`, startOf(alias, at), 'limit');
  }
  ctx.expanding.add(target);
  ctx.aliasDepth++;
  try {
    return f(target);
  } finally {
    ctx.aliasDepth--;
    ctx.expanding.delete(target);
  }
}

/** The Go keys a mapping (with what was merged into it) holds, to find those that become the same JSON key. */
class KeyTable {
  private readonly byJson = new Map<string, { identity: string; shown: string }>();
  private readonly byIdentity = new Map<string, string>();

  /**
   * Records a key; returns the JSON key it replaces, if any: a Go map keeps
   * one entry for equal keys and takes the newer key (-0.0 after 0.0).
   */
  add(key: GoScalar, json: string, nan: { n: number }, at: number): string | undefined {
    const identity = goKeyIdentity(key, nan);
    const seen = this.byJson.get(json);
    if (seen && seen.identity !== identity) {
      throw new NodeReadError(
        `the keys ${seen.shown} and ${describeGoScalar(key)} both become ${JSON.stringify(json)} in JSON: kubectl keeps one of them at random`,
        at, 'ambiguous');
    }
    const before = this.byIdentity.get(identity);
    this.byJson.set(json, { identity, shown: describeGoScalar(key) });
    this.byIdentity.set(identity, json);
    if (before === undefined || before === json) return undefined;
    this.byJson.delete(before);
    return before;
  }
}

/** decode.go `decoder.mapping` into `out`: pairs in order, merges in place. */
function assignPairs(ctx: Context, pairs: readonly unknown[], out: Record<string, unknown>, keys: KeyTable, depth: number, at: number): void {
  const { lib } = ctx;
  for (const p of pairs) {
    if (!lib.isPair(p)) continue;
    const keyAt = startOf(p.key, at);
    if (isMergeKey(lib, p.key)) {
      mergeInto(ctx, p.value, out, keys, depth, keyAt);
      continue;
    }
    const key = keyOf(ctx, p.key, depth, keyAt);
    const value = decodeValue(ctx, p.value, depth + 1, startOf(p.value, keyAt));
    let json: string;
    try {
      json = goKeyString(key);
    } catch (e) {
      throw new NodeReadError((e as Error).message, keyAt, 'kubectl');
    }
    const replaced = keys.add(key, json, ctx.nan, keyAt);
    if (replaced !== undefined) delete out[replaced];
    defineValue(out, json, value);
  }
}

/** decode.go `isMerge`: a `<<` scalar that is plain and untagged, tagged `!`, or tagged !!merge. */
export function isMergeKey(lib: YamlLib, k: unknown): boolean {
  if (!lib.isScalar(k) || k.value !== '<<') return false;
  return (k.tag === undefined && k.type === 'PLAIN') || k.tag === '!' || k.tag === TAG.merge;
}

/** decode.go `decoder.merge`: a mapping, an alias of one, or a sequence of those (the last first, so the earlier ones win). */
function mergeInto(ctx: Context, v: unknown, out: Record<string, unknown>, keys: KeyTable, depth: number, at: number): void {
  const { lib } = ctx;
  const wantMap = (where: number) => new NodeReadError('map merge requires map or sequence of maps as the value', where, 'kubectl');
  const mergeOne = (n: unknown) => {
    if (lib.isMap(n)) {
      assignPairs(ctx, n.items, out, keys, depth, startOf(n, at));
    } else if (lib.isAlias(n)) {
      withAlias(ctx, n, at, (target) => {
        if (!lib.isMap(target)) throw wantMap(startOf(n, at));
        assignPairs(ctx, target.items, out, keys, depth, startOf(target, at));
      });
    } else {
      throw wantMap(startOf(n, at));
    }
  };
  if (lib.isSeq(v)) {
    for (let i = v.items.length - 1; i >= 0; i--) mergeOne(v.items[i]);
  } else {
    mergeOne(v);
  }
}

/** A mapping key as go-yaml decodes it into `interface{}`; mappings and sequences are refused ("invalid map key"). */
function keyOf(ctx: Context, k: unknown, depth: number, at: number): GoScalar {
  const { lib } = ctx;
  if (k === null || k === undefined) return { type: 'null' };
  if (lib.isAlias(k)) return withAlias(ctx, k, at, (target) => keyOf(ctx, target, depth, at));
  if (lib.isScalar(k)) return scalarOf(ctx, k);
  // go-yaml decodes the key first (its errors come first), then refuses it.
  decodeValue(ctx, k, depth + 1, at);
  throw new NodeReadError(`invalid map key: a ${lib.isMap(k) ? 'mapping' : 'sequence'} cannot be a key`, at, 'kubectl');
}

function scalarOf(ctx: Context, n: import('yaml').Scalar): GoScalar {
  const at = startOf(n, 0);
  const tag = n.tag;
  const plain = n.type === 'PLAIN';
  const text = n.type === 'QUOTE_DOUBLE' ? doubleQuoted(ctx.text, n.range ?? [at, at, at]) : String(n.value ?? '');
  try {
    return resolveScalar(tag, text, plain);
  } catch (e) {
    if (e instanceof KubectlReadError) throw new NodeReadError(e.message, at, 'kubectl');
    throw e;
  }
}

/** go-yaml's one-character escapes (`\'` is one, `\/` is not). */
const ESCAPES = new Map<string, string>([
  ['0', '\0'], ['a', '\x07'], ['b', '\b'], ['t', '\t'], ['\t', '\t'], ['n', '\n'], ['v', '\v'], ['f', '\f'], ['r', '\r'], ['e', '\x1b'],
  [' ', ' '], ['"', '"'], ['\'', '\''], ['\\', '\\'], ['N', '\x85'], ['_', '\xa0'], ['L', '\u2028'], ['P', '\u2029'],
]);
const HEX_LENGTH = new Map<string, number>([['x', 2], ['u', 4], ['U', 8]]);

const isBlank = (c: string) => c === ' ' || c === '\t';
const isBreak = (c: string) => c === '\r' || c === '\n' || c === '\x85' || c === '\u2028' || c === '\u2029';

/**
 * A double-quoted scalar's value as go-yaml's scanner reads it
 * (scannerc.go `yaml_parser_scan_flow_scalar`): its escapes (with `\'`,
 * without `\/`), line folding, and the errors it raises.
 */
function doubleQuoted(text: string, range: [number, number, number]): string {
  let i = text.indexOf('"', range[0]) + 1;
  const fail = (message: string) => new NodeReadError(`while parsing a quoted scalar: ${message}`, i, 'kubectl');
  let s = '';
  for (;;) {
    if (i >= text.length) throw fail('found unexpected end of stream');
    let leadingBlanks = false;
    while (i < text.length && !isBlank(text[i]) && !isBreak(text[i])) {
      const c = text[i];
      if (c === '"') return s;
      if (c !== '\\') {
        s += c;
        i++;
        continue;
      }
      const e = text[i + 1] ?? '';
      if (isBreak(e)) {
        // An escaped line break: the lines join without a space.
        i += e === '\r' && text[i + 2] === '\n' ? 3 : 2;
        leadingBlanks = true;
        break;
      }
      const escaped = ESCAPES.get(e);
      if (escaped !== undefined) {
        s += escaped;
        i += 2;
        continue;
      }
      const length = HEX_LENGTH.get(e);
      if (length === undefined) throw fail(`found unknown escape character ${JSON.stringify('\\' + e)}`);
      const hex = text.slice(i + 2, i + 2 + length);
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) throw fail('did not find expected hexdecimal number');
      const cp = parseInt(hex, 16);
      if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) throw fail(`found invalid Unicode character escape code \\${e}${hex}`);
      s += String.fromCodePoint(cp);
      i += 2 + length;
    }
    if (text[i] === '"') return s;
    // Blanks and line breaks between words: trailing blanks before a break go, a single break folds to a space.
    let whitespace = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    while (i < text.length && (isBlank(text[i]) || isBreak(text[i]))) {
      const c = text[i];
      if (isBlank(c)) {
        if (!leadingBlanks) whitespace += c;
        i++;
        continue;
      }
      const br = c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      const read = c === '\u2028' || c === '\u2029' ? c : '\n';
      i += br;
      if (/^(?:---|\.\.\.)(?:[ \t\r\n\x85\u2028\u2029]|$)/.test(text.slice(i, i + 4))) throw fail('found unexpected document indicator');
      if (!leadingBlanks) {
        whitespace = '';
        leadingBreak = read;
        leadingBlanks = true;
      } else {
        trailingBreaks += read;
      }
    }
    if (leadingBlanks) {
      s += leadingBreak === '\n' ? (trailingBreaks.length === 0 ? ' ' : trailingBreaks) : leadingBreak + trailingBreaks;
    } else {
      s += whitespace;
    }
  }
}
