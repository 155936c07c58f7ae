const NONE: readonly never[] = Object.freeze([]);

/**
 * A list the model keeps, frozen, in a backing store of its own length: a
 * list grown by push() keeps room for more (17 entries from the first push),
 * and the model holds several small lists per resource. Empty lists share one.
 */
export function frozenList<T>(items: T[]): readonly T[] {
  return items.length === 0 ? NONE : Object.freeze(items.slice());
}

/** `items.sort(compare)`, skipped when `items` is already in order: sorting allocates even then, and the model sorts small lists of every resource. */
export function sortInPlace<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < items.length; i++) if (compare(items[i - 1], items[i]) > 0) return items.sort(compare);
  return items;
}

/** The index of the first item whose `key` is `value` in `items` sorted by ascending `key`, or -1 (a binary search). */
export function sortedIndexOf<T>(items: readonly T[], key: (item: T) => number, value: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (key(items[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo < items.length && key(items[lo]) === value ? lo : -1;
}
