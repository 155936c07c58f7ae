import { ApiObjectMetadata, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkDns1123Label, checkObjectName, fail } from '../vocabulary/checks';

/** The namespace a namespaced construct writes to: the prop, else the chart's. Internal. */
export function namespaceOf(owner: string, scope: IConstruct, namespace: string | undefined, why: string): string {
  const ns = namespace ?? Chart.of(scope).namespace;
  if (ns === undefined) fail(owner, `'namespace' is required when the chart has no namespace: ${why}`);
  checkDns1123Label(owner, 'namespace', ns);
  return ns;
}

/** Checks an optional object name. Internal. */
export function optionalName(owner: string, name: string | undefined): string | undefined {
  if (name !== undefined) checkObjectName(owner, 'name', name);
  return name;
}

/**
 * The metadata of a namespaced object: an unset name is left out (an
 * explicit undefined would override cdk8s' generated one). Built without a
 * leading object spread: V8 (Node 20) gives each object made by `{ ...a, b }`
 * in optimized code a hidden class of its own, and an app keeps one metadata
 * object per construct. Internal.
 */
export function metadataOf(name: string | undefined, namespace: string, annotations?: Record<string, string>): ApiObjectMetadata {
  const metadata: { name?: string; namespace: string; annotations?: Record<string, string> } =
    name !== undefined ? { name, namespace } : { namespace };
  if (annotations !== undefined) metadata.annotations = annotations;
  return metadata;
}
