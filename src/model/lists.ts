const NONE: readonly never[] = Object.freeze([]);

/**
 * A list the model keeps, frozen, in a backing store of its own length: a
 * list grown by push() keeps room for more (17 entries from the first push),
 * and the model holds several small lists per resource. Empty lists share one.
 */
export function frozenList<T>(items: T[]): readonly T[] {
  return items.length === 0 ? NONE : Object.freeze(items.slice());
}
