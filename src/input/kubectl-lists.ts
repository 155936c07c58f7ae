import { isPlainObject } from '../model/manifest';

/**
 * The objects kubectl applies from one decoded document:
 *
 * - k8s.io/cli-runtime v0.35.6 `pkg/resource/visitor.go` `StreamVisitor.Visit`
 *   skips a null document;
 * - k8s.io/apimachinery v0.35.3 `pkg/apis/meta/v1/unstructured/helpers.go`
 *   `unstructuredJSONScheme.decode` reads ANY object with an `items` field
 *   (even `items: null`) as a list, whatever its kind, and `decodeToList`
 *   fails the document when `items` is not an array or an item is not an
 *   object (null items become empty objects); an item with neither kind nor
 *   apiVersion gets the list's apiVersion and the list's kind less its `List`
 *   suffix; `Decode` fails a document without kind;
 * - `FlattenListVisitor.Visit` applies the items instead of the list; an item
 *   that is itself a list (`Unstructured.IsList`: its `items` is an array)
 *   fails the whole document, since `meta.ExtractList` cannot take the items
 *   of an `*unstructured.Unstructured` ("no Items field in this object").
 *   (cli-runtime's own nested-list test uses typed objects, which do flatten;
 *   `kubectl apply` decodes unstructured objects: `Builder.Unstructured()`.)
 */

/** One object to apply, and where it is in its document. */
export interface KubectlObject {
  readonly manifest: Record<string, unknown>;
  /** JSON pointer in the document: `` or `/items/N`. */
  readonly pointer: string;
}

/** A document kubectl refuses as a whole; the file's other documents are still read. */
export interface DocumentRefusal {
  readonly message: string;
  /** Where to point: a JSON pointer in the document. */
  readonly pointer: string;
}

export type DocumentObjects = { readonly objects: readonly KubectlObject[] } | { readonly refusal: DocumentRefusal };

const NONE: DocumentObjects = { objects: [] };

/** What kubectl applies of document `documentIndex` (0-based), whose decoded value is `value`. */
export function kubectlObjects(value: unknown, documentIndex: number): DocumentObjects {
  if (value === null || value === undefined) return NONE;
  const n = documentIndex + 1;
  if (!isPlainObject(value)) {
    return { refusal: { message: `document ${n} is ${describeValue(value)}, not a Kubernetes object (a mapping with apiVersion and kind)`, pointer: '' } };
  }
  if (!Object.prototype.hasOwnProperty.call(value, 'items')) return { objects: [{ manifest: value, pointer: '' }] };
  const items = value.items;
  const kind = stringField(value, 'kind');
  const what = kind ? `${kind} (document ${n})` : `document ${n}`;
  if (items !== null && !Array.isArray(items)) {
    return { refusal: { message: `${what} has an items field, so kubectl reads it as a list, but items is ${describeValue(items)}, not a list of objects`, pointer: '/items' } };
  }
  const list: unknown[] = items ?? [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (item !== null && !isPlainObject(item)) {
      return { refusal: { message: `${what} item ${i} is ${describeValue(item)}, not a Kubernetes object: kubectl applies nothing of this list`, pointer: `/items/${i}` } };
    }
  }
  if (!kind) return { refusal: { message: `document ${n} has an items field, so kubectl reads it as a list, but it has no kind`, pointer: '' } };
  const itemKind = kind.endsWith('List') ? kind.slice(0, -'List'.length) : kind;
  const apiVersion = stringField(value, 'apiVersion');
  const objects: KubectlObject[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = (list[i] ?? {}) as Record<string, unknown>;
    if (Array.isArray(item.items)) {
      return { refusal: { message: `${what} item ${i} is itself a list (it has items): kubectl cannot apply a list inside a list and applies nothing of this document`, pointer: `/items/${i}` } };
    }
    // unstructuredJSONScheme.decodeToList: an item with neither kind nor apiVersion takes them from the list.
    const typed = stringField(item, 'kind') || stringField(item, 'apiVersion') ? item : { ...item, apiVersion, kind: itemKind };
    objects.push({ manifest: typed, pointer: `/items/${i}` });
  }
  return { objects };
}

/** Unstructured.GetKind / GetAPIVersion: the field if it is a string, else empty. */
function stringField(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : '';
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  // JSON-quoted, so a multi-line scalar cannot break the one-line message.
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)})`;
  return `a ${typeof v}`;
}
