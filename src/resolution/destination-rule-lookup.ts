import { Labels, selectorMatches } from '../model/labels';
import { MeshModel } from '../model/mesh-model';
import { DestinationRulePolicy, isExportedTo } from '../model/policies';

/** Where the chosen DestinationRule was found on the lookup path. */
export type LookupStep = 'client-namespace' | 'service-namespace' | 'root-namespace';

export interface DestinationRuleLookup {
  readonly rule: DestinationRulePolicy | null;
  readonly step?: LookupStep;
  /** Other rules with the same (most specific) host at that step: Istio keeps the oldest's traffic policy. */
  readonly competing: readonly DestinationRulePolicy[];
}

/** The client side of a lookup: its namespace and, when it is a known workload, its pod labels. */
export interface ClientContext {
  readonly namespace: string;
  /** Undefined for a hypothetical client: then rules with a workloadSelector never apply. */
  readonly labels?: Labels;
}

function pick(candidates: readonly DestinationRulePolicy[], step: LookupStep): DestinationRuleLookup | undefined {
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return { rule: candidates[0], step, competing: [] };
  const best = candidates[0].fqdn;
  const same = candidates.filter((d) => d.fqdn === best);
  // Rules chosen by workloadSelector come before the namespace-wide one for the same host.
  same.sort((a, b) => Number(!a.workloadSelector) - Number(!b.workloadSelector) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const first = same[0];
  const competing = same.filter((d) => d !== first && Boolean(d.workloadSelector) === Boolean(first.workloadSelector));
  return { rule: first, step, competing };
}

/** The rules of `namespace` for `hostname` that a client in `clientNamespace` can use from there (no workloadSelector, exported to it). */
function exportedRules(model: MeshModel, namespace: string, hostname: string, clientNamespace: string): DestinationRulePolicy[] {
  return model.destinationRulesForHost(namespace, hostname).filter((d) => !d.workloadSelector && isExportedTo(d, clientNamespace));
}

/**
 * The DestinationRule a client uses for a host (push_context.go
 * `destinationRule`): the client's namespace first, then the Service's
 * namespace, then the root namespace, each time the most specific host among
 * the rules visible to the client (`exportTo`). A `workloadSelector` rule only
 * applies to matching workloads of its own namespace.
 */
export function lookupDestinationRule(
  model: MeshModel, client: ClientContext, hostname: string, serviceNamespace: string,
): DestinationRuleLookup {
  const root = model.options.rootNamespace;
  const local = model.destinationRulesForHost(client.namespace, hostname).filter((d) => isExportedTo(d, client.namespace)
    && (!d.workloadSelector || (client.labels !== undefined && selectorMatches(d.workloadSelector, client.labels))));
  const fromClient = pick(local, client.namespace === root ? 'root-namespace' : 'client-namespace');
  if (fromClient) return fromClient;
  if (serviceNamespace !== client.namespace) {
    const fromService = pick(exportedRules(model, serviceNamespace, hostname, client.namespace), serviceNamespace === root ? 'root-namespace' : 'service-namespace');
    if (fromService) return fromService;
  }
  if (root !== client.namespace && root !== serviceNamespace) {
    const fromRoot = pick(exportedRules(model, root, hostname, client.namespace), 'root-namespace');
    if (fromRoot) return fromRoot;
  }
  return { rule: null, competing: [] };
}
