import { isPlainObject } from './manifest';
import { ValueSharing } from './shared-values';

/** A label map, as on a pod template or in a selector's matchLabels. */
export type Labels = Readonly<Record<string, string>>;

export const NO_LABELS: Labels = Object.freeze({});

/** A string-to-string map from any value; non-string values are dropped. */
export function stringMap(v: unknown): Labels {
  if (!isPlainObject(v)) return NO_LABELS;
  const out: Record<string, string> = {};
  let any = false;
  for (const k of Object.keys(v)) {
    const val = stringValue(v[k]);
    if (val !== undefined) { out[k] = val; any = true; }
  }
  return any ? Object.freeze(out) : NO_LABELS;
}

/**
 * A value of a `stringMap` as a string: numbers and booleans as written, other values undefined (dropped).
 * @internal
 */
export function stringValue(val: unknown): string | undefined {
  return typeof val === 'string' ? val : typeof val === 'number' || typeof val === 'boolean' ? String(val) : undefined;
}

/**
 * `stringMap`, with one copy per mesh of equal maps: a workload's labels
 * repeat in its Service's selector and in the selectors of the policies that
 * select it, and across namespaces made from one pattern.
 */
export function sharedStringMap(v: unknown, shared: ValueSharing): Labels {
  if (!isPlainObject(v)) return NO_LABELS;
  // Equal maps are the same keys and values in the same order: the path of each key and value, read without building the map.
  let node = shared.root('labels');
  let any = false;
  for (const k of Object.keys(v)) {
    const val = stringValue(v[k]);
    if (val === undefined) continue;
    node = node.at(k).at(val);
    any = true;
  }
  if (!any) return NO_LABELS;
  return (node.value as Labels | undefined) ?? node.keep(stringMap(v));
}

/** True when every label of `selector` is on `labels`. An empty selector matches everything. */
export function selectorMatches(selector: Labels, labels: Labels): boolean {
  for (const k in selector) {
    if (labels[k] !== selector[k]) return false;
  }
  return true;
}

export function isEmptyLabels(labels: Labels): boolean {
  for (const _ in labels) return false;
  return true;
}

/** `app=a,version=v1`, keys sorted: for messages and grouping keys. */
export function formatLabels(labels: Labels): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

/** True when any workload matched by `a` is also matched by `b` (b's labels are a subset of a's, or equal). */
export function selectorImplies(a: Labels, b: Labels): boolean {
  return selectorMatches(b, a);
}

/**
 * A posting-list index from `key=value` to items, for selector lookups that
 * stay linear in the mesh. Items must not be arrays: a posting of one item is
 * kept as the item itself (most label values select one workload, and the
 * model holds its indexes beside the whole cdk8s app at synth time).
 */
export class LabelIndex<T extends object> {
  /** By label key, then value: the labels' own strings are the keys, so no key string is built per posting or lookup. */
  private readonly postings = new Map<string, Map<string, T | T[]>>();
  private readonly all: T[] = [];

  /** Indexes `item` under each of its labels. */
  add(item: T, labels: Labels): void {
    this.all.push(item);
    for (const k in labels) this.post(k, labels[k], item);
  }

  /** Indexes `item` under one label only: it is not among the `items` (what an empty selector matches). */
  post(key: string, value: string, item: T): void {
    let byValue = this.postings.get(key);
    if (byValue === undefined) { byValue = new Map(); this.postings.set(key, byValue); }
    const list = byValue.get(value);
    if (list === undefined) byValue.set(value, item);
    else if (Array.isArray(list)) list.push(item);
    else byValue.set(value, [list, item]);
  }

  /** Calls `f` with each item indexed under `key=value`, in insertion order (no list is made for one item). */
  forEachPosted(key: string, value: string, f: (item: T) => void): void {
    const list = this.postings.get(key)?.get(value);
    if (list === undefined) return;
    if (Array.isArray(list)) for (const item of list) f(item);
    else f(list);
  }

  /** The items added with their labels, in insertion order. */
  get items(): readonly T[] {
    return this.all;
  }

  /** Items whose labels match `selector`, in insertion order. */
  matching(selector: Labels, labelsOf: (item: T) => Labels): T[] {
    // The smallest posting among the selector's labels; a posting of one item is the item itself.
    let smallest: T | T[] | undefined;
    let size = Infinity;
    for (const k in selector) {
      const list = this.postings.get(k)?.get(selector[k]);
      if (list === undefined) return [];
      const n = Array.isArray(list) ? list.length : 1;
      if (n < size) { smallest = list; size = n; }
    }
    if (smallest === undefined) return this.all.slice();
    if (!Array.isArray(smallest)) return selectorMatches(selector, labelsOf(smallest)) ? [smallest] : [];
    return smallest.filter((item) => selectorMatches(selector, labelsOf(item)));
  }
}
