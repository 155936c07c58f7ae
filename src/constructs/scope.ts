import { Chart } from 'cdk8s';
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
