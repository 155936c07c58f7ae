import { Manifest, isPlainObject } from '../model/manifest';
import { MeshModel } from '../model/mesh-model';
import { nearestName } from '../vocabulary/nearest-name';

/**
 * The namespaces an input (an app's objects or a cluster dump) has: those of
 * its Namespace objects, those any object names, and the default namespace
 * where the model places namespaced objects without one. `model` is the
 * model of the same manifests.
 */
export function namespacesOfInput(model: MeshModel, manifests: readonly Manifest[]): Set<string> {
  const known = new Set(model.namespaceNames);
  for (const m of manifests) {
    // Objects the model does not read (ConfigMaps, Secrets …) still show that a namespace exists;
    // a Namespace's own metadata.namespace does not (a cdk8s chart writes its namespace into every object).
    if (!isPlainObject(m) || !isPlainObject(m.metadata) || m.kind === 'Namespace') continue;
    if (typeof m.metadata.namespace === 'string' && m.metadata.namespace) known.add(m.metadata.namespace);
  }
  return known;
}

/**
 * The line for a namespace that must exist and does not: `'prop' names
 * namespace "shopp", which is not in the app; did you mean "shop"?`, or the
 * namespaces there are when none is close. `candidates` are the names that
 * may be suggested, `where` names the input (`the app`, `the inventory`).
 */
export function unknownNamespaceMessage(subject: string, namespace: string, candidates: readonly string[], where: string): string {
  const sorted = [...candidates].sort();
  const near = nearestName(namespace, sorted);
  const hint = near !== undefined ? `; did you mean "${near}"?`
    : sorted.length > 0 ? ` (it has ${listSome(sorted)})` : ' (it has no namespace to suggest)';
  return `${subject} names namespace "${namespace}", which is not in ${where}${hint}`;
}

function listSome(items: readonly string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
