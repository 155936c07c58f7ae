import { Finding, findingOf } from '../../model/finding';
import { ResourceRef } from '../../model/manifest';
import { ConflictingObject, MeshModel, ObjectDefinition } from '../../model/mesh-model';
import { RuleInfo } from '../../model/rule-info';
import { UPSTREAM } from '../../model/upstream';
import { AnalysisContext } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const DUPLICATE_OBJECT: RuleInfo = {
  code: 'IMA050',
  category: 'duplicate-object',
  severity: 'error',
  title: 'One object defined twice with different content',
  explanation: 'The API server keeps one object per API group, kind, namespace and name: applying a second manifest of the same '
    + 'identity updates that object, whatever API version each is written in. When two files, or two charts of an app, define it '
    + 'with different content, the cluster holds whichever was applied last, so a STRICT policy can be replaced by a PERMISSIVE one '
    + 'depending on apply order. Definitions with the same content are fine: key order, fields set to null, the apiVersion and how '
    + 'the namespace is written do not count. A manifest without a namespace counts in the default namespace (mesh option '
    + '`defaultNamespace`), one of a cluster-scoped kind in none: the kinds of Kubernetes and the Gateway API, and those a '
    + 'CustomResourceDefinition of the input declares `scope: Cluster` (other custom kinds count as namespaced). A definition '
    + 'the cluster would reject is not counted: it never '
    + 'reaches the cluster, and its rejection is reported on its own.',
  source: 'kubectl apply / the API server: one object per group, kind, namespace and name',
  upstream: `${UPSTREAM.kubernetes}; kubectl apply`,
};

/**
 * A finding of duplicate-object and the index in the input of the
 * definition it is on.
 * @internal
 */
export interface DefinitionFinding {
  readonly finding: Finding;
  readonly index: number;
}

/**
 * One finding per definition of each object the input defines with
 * different content, naming the definitions whose content differs from it.
 * `where(index)` names the input at `index` (a file and line, a construct
 * path); where it knows none, the message counts the definitions instead
 * (an index would make the findings depend on the input's order).
 * @internal
 */
export function duplicateObjectFindings(model: MeshModel, where: (index: number) => string | undefined = () => undefined): DefinitionFinding[] {
  const out: DefinitionFinding[] = [];
  for (const object of model.conflictingObjects) {
    for (const def of object.definitions) {
      out.push({ finding: findingOn(object, def, where), index: def.index });
    }
  }
  return out;
}

function findingOn(object: ConflictingObject, def: ObjectDefinition, where: (index: number) => string | undefined): Finding {
  const subject = `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
  const others = object.definitions.filter((d) => d.variant !== def.variant);
  const named = others.flatMap((d) => {
    const place = where(d.index);
    if (place === undefined) return [];
    // The same object in another API version: say so, it is easy to miss.
    return [d.ref.apiVersion === def.ref.apiVersion ? place : `${place} (as ${d.ref.apiVersion || 'no apiVersion'})`];
  });
  const defined = named.length === others.length ? `is also defined at ${listSome(named)}`
    : `is defined ${object.definitions.length} times in the input`;
  return findingOf(DUPLICATE_OBJECT, {
    resource: placed(def.ref, object),
    path: '/metadata/name',
    message: `${subject} ${defined} with different content; the cluster holds whichever is applied last, so what it holds depends on apply order`,
    fix: `keep one definition of ${subject}, or give every definition the same content`,
    related: others.map((d) => placed(d.ref, object)),
  });
}

/** A definition's reference in the namespace its object lands in, as the other rules name resources. */
function placed(ref: ResourceRef, object: ConflictingObject): ResourceRef {
  return ref.namespace === object.namespace ? ref : { ...ref, namespace: object.namespace };
}

export const duplicateObject: AnalysisRule = {
  info: DUPLICATE_OBJECT,
  check(ctx: AnalysisContext): Finding[] {
    return duplicateObjectFindings(ctx.model).map((f) => f.finding);
  },
};
