import { frozenList } from './lists';

/**
 * One copy of the values many resources of a mesh have in common. A
 * Deployment's container ports and its Service's ports repeat across every
 * workload made from the same pattern, and the JSON pointers of port-level
 * settings repeat across policies. The analysis holds what it read of every
 * object while it runs (at synth time, beside the whole cdk8s app), so these
 * are kept once per mesh. Shared values are frozen: sharing them changes
 * nothing a reader can see.
 */
export interface ValueSharing {
  /** The value first given for `key` (a key that describes the value completely), else `value`. */
  value<T>(key: string, value: T): T;
  /** The first copy of an equal string. */
  string(s: string): string;
}

/**
 * No sharing, for readers of a single manifest.
 * @internal
 */
export const UNSHARED: ValueSharing = Object.freeze({
  value: <T>(_key: string, value: T): T => value,
  string: (s: string): string => s,
});

/**
 * A frozen list of items (each already shared or a primitive), itself shared
 * with equal lists: `kind` names what the items are.
 * @internal
 */
export function sharedList<T>(shared: ValueSharing, kind: string, items: T[]): readonly T[] {
  if (items.length === 0) return frozenList(items);
  return shared.value(`${kind}${JSON.stringify(items)}`, frozenList(items));
}

/**
 * Sharing for one mesh (one analysis), to give every parse of its manifests:
 * what it keeps lives as long as the object does.
 */
export class SharedValues implements ValueSharing {
  private readonly values = new Map<string, unknown>();
  private readonly strings = new Map<string, string>();

  value<T>(key: string, value: T): T {
    const known = this.values.get(key);
    if (known !== undefined) return known as T;
    this.values.set(key, value);
    return value;
  }

  string(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }
}
