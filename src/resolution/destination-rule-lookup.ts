import { Labels, selectorMatches } from '../model/labels';
import { ResourceRef } from '../model/manifest';
import { MeshModel } from '../model/mesh-model';
import { DestinationRulePolicy, isExportedTo } from '../model/policies';
import { ConsolidatedDestinationRule, SubsetInfo, TrafficPolicyInfo, destinationRuleIndexes } from '../model/traffic-policy';

/** Where the chosen DestinationRule was found on the lookup path. */
export type LookupStep = 'client-namespace' | 'service-namespace' | 'root-namespace';

export interface DestinationRuleLookup {
  readonly rule: DestinationRulePolicy | null;
  readonly step?: LookupStep;
  /**
   * Other rules with the same (most specific) host at that step that the
   * client can see: pilot merges them with `rule` or uses one of them, as
   * their age decides (see {@link destinationRuleVariants}).
   */
  readonly competing: readonly DestinationRulePolicy[];
  /** Set when there are competing rules: what pilot's choice among them depends on. */
  readonly consulted?: ConsultedRules;
}

/** The rules of one namespace and host a lookup found, and the client that asked. */
export interface ConsultedRules {
  /** The namespace the rules are in. */
  readonly namespace: string;
  /** Every rule of that namespace with the host, visible to the client or not: pilot merges them all into its indexes. */
  readonly rules: readonly DestinationRulePolicy[];
  readonly client: ClientContext;
  readonly rootNamespace: string;
}

/** The client side of a lookup: its namespace and, when it is a known workload, its pod labels. */
export interface ClientContext {
  readonly namespace: string;
  /** Undefined for a hypothetical client: then rules with a workloadSelector never apply. */
  readonly labels?: Labels;
}

function byName(a: DestinationRulePolicy, b: DestinationRulePolicy): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function pick(
  model: MeshModel, namespace: string, hostname: string, client: ClientContext, candidates: readonly DestinationRulePolicy[], step: LookupStep,
): DestinationRuleLookup | undefined {
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return { rule: candidates[0], step, competing: [] };
  const best = candidates[0].fqdn;
  const same = candidates.filter((d) => d.fqdn === best);
  // Rules chosen by workloadSelector come before the namespace-wide ones for the same host, then by name (a display order only).
  same.sort((a, b) => Number(!a.workloadSelector) - Number(!b.workloadSelector) || byName(a, b));
  if (same.length === 1) return { rule: same[0], step, competing: [] };
  const rules = model.destinationRulesForHost(namespace, hostname).filter((d) => d.fqdn === best);
  return {
    rule: same[0],
    step,
    competing: same.slice(1),
    consulted: { namespace, rules, client, rootNamespace: model.options.rootNamespace },
  };
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
  const fromClient = pick(model, client.namespace, hostname, client, local, client.namespace === root ? 'root-namespace' : 'client-namespace');
  if (fromClient) return fromClient;
  if (serviceNamespace !== client.namespace) {
    const fromService = pick(model, serviceNamespace, hostname, client, exportedRules(model, serviceNamespace, hostname, client.namespace),
      serviceNamespace === root ? 'root-namespace' : 'service-namespace');
    if (fromService) return fromService;
  }
  if (root !== client.namespace && root !== serviceNamespace) {
    const fromRoot = pick(model, root, hostname, client, exportedRules(model, root, hostname, client.namespace), 'root-namespace');
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

/** The entries of pilot's indexes a client of `view` reads for the host (push_context.go `destinationRule` steps 1, 2 and 4). */
function entriesFor(rules: readonly DestinationRulePolicy[], view: Omit<ConsultedRules, 'rules'>): readonly ConsolidatedDestinationRule[] {
  const indexes = destinationRuleIndexes(rules.map((d) => d.traffic), { namespace: view.namespace, rootNamespace: view.rootNamespace });
  const exported = indexes.exported.filter((e) => e.exportTo.length === 0 || e.exportTo.includes('*') || e.exportTo.includes(view.client.namespace));
  if (view.client.namespace !== view.namespace) return exported;
  if (view.namespace !== view.rootNamespace) return indexes.namespaceLocal;
  // A root-namespace proxy reads the root's private rules first, then its exported ones.
  return indexes.rootLocal.length > 0 ? indexes.rootLocal : exported;
}

/**
 * The entry a client's sidecar uses among those of one host (sidecar.go
 * `SidecarScope.DestinationRule`): the first entry with a workloadSelector
 * matching its labels (only for rules of its own namespace), else the LAST
 * entry without a selector. Undefined when none applies.
 */
function chosenEntry(entries: readonly ConsolidatedDestinationRule[], view: Omit<ConsultedRules, 'rules'>): ConsolidatedDestinationRule | undefined {
  let catchAll: ConsolidatedDestinationRule | undefined;
  for (const e of entries) {
    if (!e.rule.hasWorkloadSelector) { catchAll = e; continue; }
    const own = view.client.namespace === view.namespace;
    if (own && view.client.labels !== undefined && selectorMatches(e.rule.workloadSelector, view.client.labels)) return e;
  }
  return catchAll;
}

/** Every order of `items` (up to 5 of them); beyond, each item first and each item last (the orders that decide a merge). */
function creationOrders<T>(items: readonly T[]): T[][] {
  if (items.length <= 5) {
    if (items.length <= 1) return [[...items]];
    return items.flatMap((x, i) => creationOrders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
  }
  const out: T[][] = [];
  for (let i = 0; i < items.length; i++) {
    const rotated = [...items.slice(i), ...items.slice(0, i)];
    out.push(rotated, [...rotated.slice(1), rotated[0]]);
  }
  return out;
}

function variantOf(entry: ConsolidatedDestinationRule, rules: readonly DestinationRulePolicy[]): DestinationRuleVariant {
  const find = (r: ResourceRef) => rules.find((d) => refKey(d.traffic.ref) === refKey(r))!;
  const merged = entry.from.map(find);
  const rule = entry.trafficPolicyFrom ? find(entry.trafficPolicyFrom) : merged[0];
  return { rule, traffic: { ...(entry.trafficPolicy ? { trafficPolicy: entry.trafficPolicy } : {}), subsets: entry.subsets }, merged };
}

/** What tells two outcomes apart: the rules merged, whose top-level policy and whose subset of each name. */
function outcomeKey(v: DestinationRuleVariant): string {
  const policy = v.traffic.trafficPolicy ? refKey(v.rule.ref) : '-';
  // The order rules and subsets were merged in changes nothing a cluster is built from.
  const merged = v.merged.map((d) => refKey(d.ref)).sort().join(',');
  return [merged, policy, v.traffic.subsets.map((s) => `${s.name}@${refKey(s.rule)}`).sort().join(',')].join('\u0000');
}

/**
 * What a client can get from the rules of one namespace for one host, one
 * variant per distinct outcome over every creation order of the rules
 * (manifests carry no creation time): pilot sorts them (workloadSelector
 * first, then oldest first), merges them into its indexes
 * (`destinationRuleIndexes`) and the client's sidecar picks one entry
 * (`SidecarScope.DestinationRule`: a matching selector entry, else the last
 * entry without one). More than one variant means the outcome depends on
 * the rules' age. Empty when no entry applies to the client in any order.
 */
export function destinationRuleOutcomes(view: ConsultedRules): readonly DestinationRuleVariant[] {
  if (view.rules.length === 0) return [];
  // Every client of a namespace asks the same question again: remembered per rule set (the rule objects live as long as their model).
  const key = [view.namespace, view.rootNamespace, view.client.namespace, view.client.labels ? JSON.stringify(Object.entries(view.client.labels).sort()) : '-',
    ...view.rules.map((d) => refKey(d.ref))].join('\u0000');
  let memo = outcomesMemo.get(view.rules[0]);
  if (!memo) { memo = new Map(); outcomesMemo.set(view.rules[0], memo); }
  const known = memo.get(key);
  if (known) return known;
  const result = computeOutcomes(view);
  memo.set(key, result);
  return result;
}

const outcomesMemo = new WeakMap<DestinationRulePolicy, Map<string, readonly DestinationRuleVariant[]>>();

function computeOutcomes(view: ConsultedRules): readonly DestinationRuleVariant[] {
  const out = new Map<string, DestinationRuleVariant>();
  for (const order of creationOrders(view.rules)) {
    const entry = chosenEntry(entriesFor(order, view), view);
    if (!entry) continue;
    const v = variantOf(entry, view.rules);
    const key = outcomeKey(v);
    if (!out.has(key)) out.set(key, v);
  }
  return [...out.values()];
}

/**
 * The clusters a lookup's rules can give (SEMANTICS.md §3 rule 5): the
 * chosen rule alone, or, when other rules of the same host compete with it in
 * that namespace, what pilot makes of them ({@link destinationRuleOutcomes}):
 * rules merged (subsets concatenated, the first subset of a name and the first
 * top-level policy win) or one entry used alone. Pilot goes by creation
 * order, which manifests do not carry: when the outcome depends on it there
 * is one variant per outcome, and a call is only sure to pass if it passes in
 * each. Empty when no rule applies.
 */
export function destinationRuleVariants(lookup: DestinationRuleLookup): readonly DestinationRuleVariant[] {
  if (!lookup.rule) return [];
  const single: DestinationRuleVariant = { rule: lookup.rule, traffic: lookup.rule.traffic, merged: [lookup.rule] };
  if (lookup.competing.length === 0 || !lookup.consulted) return [single];
  const variants = destinationRuleOutcomes(lookup.consulted);
  // No entry in any order (a selector-less rule swallowed by a selector one): keep the lookup's rule.
  return variants.length > 0 ? variants : [single];
}
