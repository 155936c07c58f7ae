import { frozenList } from './lists';

/**
 * One node of a tree of shared values: the path of keys from a root (compared
 * as `Map` keys compare: strings and numbers by value, objects by identity)
 * describes the value kept at the node completely. Walking it builds no key
 * string: the model reads each of a mesh's many equal values with a few map
 * lookups.
 * @internal
 */
export interface SharedNode {
  /** The value kept here, if any. */
  readonly value: unknown;
  /** The child for `key`, made at first use. */
  at(key: unknown): SharedNode;
  /** Keeps `value` here (when sharing) and returns it. */
  keep<T>(value: T): T;
}

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
  /** The first copy of an equal string. */
  string(s: string): string;
  /**
   * The root of the tree of values of one kind (`kind` names what they are).
   * @internal
   */
  root(kind: string): SharedNode;
}

/** A node that keeps nothing: every path leads to it. */
const NOWHERE: SharedNode = Object.freeze({
  at: (): SharedNode => NOWHERE,
  value: undefined,
  keep: <T>(value: T): T => value,
});

/**
 * No sharing, for readers of a single manifest.
 * @internal
 */
export const UNSHARED: ValueSharing = Object.freeze({
  string: (s: string): string => s,
  root: (): SharedNode => NOWHERE,
});

/**
 * A frozen list of items (each already shared or a primitive), itself shared
 * with lists of the same items: `kind` names what the items are.
 * @internal
 */
export function sharedList<T>(shared: ValueSharing, kind: string, items: T[]): readonly T[] {
  if (items.length === 0) return frozenList(items);
  let node = shared.root(kind);
  for (const item of items) node = node.at(item);
  return (node.value as readonly T[] | undefined) ?? node.keep(frozenList(items));
}

/** A node of the tree `SharedValues` keeps. */
class TreeNode implements SharedNode {
  value: unknown = undefined;
  private children: Map<unknown, TreeNode> | undefined;

  at(key: unknown): SharedNode {
    if (this.children === undefined) this.children = new Map();
    let child = this.children.get(key);
    if (child === undefined) { child = new TreeNode(); this.children.set(key, child); }
    return child;
  }

  keep<T>(value: T): T {
    this.value = value;
    return value;
  }
}

/**
 * Sharing for one mesh (one analysis), to give every parse of its manifests:
 * what it keeps lives as long as the object does.
 */
export class SharedValues implements ValueSharing {
  private readonly strings = new Map<string, string>();
  private readonly roots = new Map<string, TreeNode>();

  string(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  /** @internal */
  root(kind: string): SharedNode {
    let node = this.roots.get(kind);
    if (node === undefined) { node = new TreeNode(); this.roots.set(kind, node); }
    return node;
  }
}
