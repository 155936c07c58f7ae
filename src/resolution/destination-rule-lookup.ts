import { Labels, selectorMatches } from '../model/labels';
import { ResourceRef } from '../model/manifest';
import { MeshModel } from '../model/mesh-model';
import { DestinationRulePolicy, isExportedTo } from '../model/policies';
import { SubsetInfo, TrafficPolicyInfo, mergeDestinationRules } from '../model/traffic-policy';

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

/** The traffic policies and subsets one cluster is built from: a single rule's, or several rules of one host merged. */
export interface MergedTraffic {
  readonly trafficPolicy?: TrafficPolicyInfo;
  readonly subsets: readonly SubsetInfo[];
}

/** One way pilot can merge the rules a lookup found, given which of them is oldest. */
export interface DestinationRuleVariant {
  /** The rule whose top-level policy the cluster uses, else the first merged. */
  readonly rule: DestinationRulePolicy;
  readonly traffic: MergedTraffic;
  /** Every rule merged in (one when there is no competition). */
  readonly merged: readonly DestinationRulePolicy[];
}

function refKey(r: ResourceRef): string {
  return `${r.namespace}/${r.name}`;
}

function variantFrom(order: readonly DestinationRulePolicy[]): DestinationRuleVariant {
  const first = order[0];
  const entries = mergeDestinationRules(order.map((d) => d.traffic));
  const key = refKey(first.traffic.ref);
  const entry = entries.find((e) => e.from.some((r) => refKey(r) === key)) ?? entries[0];
  const merged = order.filter((d) => entry.from.some((r) => refKey(r) === refKey(d.traffic.ref)));
  const policyFrom = entry.trafficPolicyFrom ? refKey(entry.trafficPolicyFrom) : undefined;
  const rule = merged.find((d) => refKey(d.traffic.ref) === policyFrom) ?? first;
  return { rule, traffic: { ...(entry.trafficPolicy ? { trafficPolicy: entry.trafficPolicy } : {}), subsets: entry.subsets }, merged };
}

/**
 * The clusters a lookup's rules can give (SEMANTICS.md §3 rule 5): the
 * chosen rule alone, or, when other rules of the same host compete with it in
 * that namespace, the rules merged as pilot merges them (subsets
 * concatenated, the first subset of a name and the first top-level policy
 * win). Pilot merges in creation order, which manifests do not carry: when
 * the merge is contested (more than one top-level policy, or one subset name
 * in several rules) there is one variant per rule taken as the oldest, and a
 * call is only sure to pass if it passes in each. Empty when no rule applies.
 */
export function destinationRuleVariants(lookup: DestinationRuleLookup): readonly DestinationRuleVariant[] {
  if (!lookup.rule) return [];
  if (lookup.competing.length === 0) return [{ rule: lookup.rule, traffic: lookup.rule.traffic, merged: [lookup.rule] }];
  const all = [lookup.rule, ...lookup.competing];
  const policies = all.filter((d) => d.traffic.trafficPolicy !== undefined).length;
  const names = all.flatMap((d) => [...new Set(d.traffic.subsets.map((s) => s.name))]);
  const contested = policies > 1 || new Set(names).size < names.length;
  if (!contested) return [variantFrom(all)];
  const out: DestinationRuleVariant[] = [];
  const seen = new Set<string>();
  for (const oldest of all) {
    const v = variantFrom([oldest, ...all.filter((d) => d !== oldest)]);
    const key = `${refKey(v.rule.ref)}\u0000${v.traffic.subsets.map((s) => `${s.name}@${refKey(s.rule)}`).join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}
