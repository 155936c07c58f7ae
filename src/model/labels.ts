import { isPlainObject } from './manifest';

/** A label map, as on a pod template or in a selector's matchLabels. */
export type Labels = Readonly<Record<string, string>>;

export const NO_LABELS: Labels = Object.freeze({});

/** A string-to-string map from any value; non-string values are dropped. */
export function stringMap(v: unknown): Labels {
  if (!isPlainObject(v)) return NO_LABELS;
  const out: Record<string, string> = {};
  let any = false;
  for (const k of Object.keys(v)) {
    const val = v[k];
    if (typeof val === 'string') { out[k] = val; any = true; } else if (typeof val === 'number' || typeof val === 'boolean') { out[k] = String(val); any = true; }
  }
  return any ? Object.freeze(out) : NO_LABELS;
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

/** A posting-list index from `key=value` to items, for selector lookups that stay linear in the mesh. */
export class LabelIndex<T> {
  private readonly postings = new Map<string, T[]>();
  private readonly all: T[] = [];

  add(item: T, labels: Labels): void {
    this.all.push(item);
    for (const k in labels) {
      const key = k + '\u0000' + labels[k];
      const list = this.postings.get(key);
      if (list) list.push(item); else this.postings.set(key, [item]);
    }
  }

  /** Items whose labels match `selector`, in insertion order. */
  matching(selector: Labels, labelsOf: (item: T) => Labels): T[] {
    let smallest: T[] | undefined;
    for (const k in selector) {
      const list = this.postings.get(k + '\u0000' + selector[k]);
      if (!list) return [];
      if (!smallest || list.length < smallest.length) smallest = list;
    }
    if (!smallest) return this.all.slice();
    return smallest.filter((item) => selectorMatches(selector, labelsOf(item)));
  }

  get size(): number {
    return this.all.length;
  }
}
