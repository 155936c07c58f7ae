import { pointer } from './finding';
import { Labels, NO_LABELS, stringMap } from './labels';
import { frozenList } from './lists';
import { Manifest, ResourceRef, isPlainObject, listOrEmpty, objectOrEmpty, refOf } from './manifest';
import { portNumber } from './ports';

/** The TLS modes of a DestinationRule's ClientTLSSettings. */
export type ClientTlsMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

/**
 * A DestinationRule `trafficPolicy` as pilot reads it for TLS and merging
 * (istio/istio 1.30.3 pilot/pkg/networking/util/util.go, pilot/pkg/model/destination_rule.go).
 * A field counts as set when the manifest holds an object there, as a
 * non-nil proto message does; its JSON pointer says where it came from.
 */

/** A traffic-policy field that is set, and where. */
export interface PolicyField {
  /** JSON pointer of the field in its DestinationRule. */
  readonly path: string;
}

/** `loadBalancer`, with the one value auto mTLS reads. */
export interface LoadBalancerField extends PolicyField {
  /** `simple` as written (e.g. `PASSTHROUGH`), when it is a string. */
  readonly simple?: string;
}

/** A `tls` (ClientTLSSettings) object. */
export interface TlsInfo {
  /** The mode; an absent `mode` is the proto default DISABLE. */
  readonly mode: ClientTlsMode;
  /** How `mode` was written: `default` when absent, `invalid` for a value the API would not accept (read as DISABLE). */
  readonly modeSource: 'written' | 'default' | 'invalid';
  readonly sni?: string;
  readonly credentialName?: string;
  readonly hasClientCertificate: boolean;
  readonly hasPrivateKey: boolean;
  /** `caCertificates` when non-empty; pilot falls back to the OS bundle (`system`) without it. */
  readonly caCertificates?: string;
  /** `subjectAltNames` when non-empty. */
  readonly subjectAltNames?: readonly string[];
  /** Present (true) when `insecureSkipVerify` is true: the server certificate is not verified. */
  readonly insecureSkipVerify?: true;
  /** JSON pointer of the `tls` object. */
  readonly path: string;
  /** JSON pointer of `tls.mode` (where it is, or would be, written). */
  readonly modePath: string;
}

/** The fields a port-level entry and a whole policy share. */
export interface PolicyFields {
  readonly connectionPool?: PolicyField;
  readonly outlierDetection?: PolicyField;
  readonly loadBalancer?: LoadBalancerField;
  /** Undefined when the policy (or entry) sets no `tls` at all. */
  readonly tls?: TlsInfo;
}

/** One `portLevelSettings` entry with a valid `port.number`. */
export interface PortTrafficPolicyInfo extends PolicyFields {
  readonly port: number;
  /** JSON pointer of the entry. */
  readonly path: string;
}

/** A top-level or subset `trafficPolicy`. */
export interface TrafficPolicyInfo extends PolicyFields {
  readonly tunnel?: PolicyField;
  readonly proxyProtocol?: PolicyField;
  readonly retryBudget?: PolicyField;
  /** In manifest order; the first entry for a port is the one pilot uses. */
  readonly portLevelSettings: readonly PortTrafficPolicyInfo[];
  /** JSON pointer of the `trafficPolicy` object. */
  readonly path: string;
}

/** The policy one cluster applies, after port-level replacement and subset merging. */
export interface EffectivePolicy extends PolicyFields {
  readonly tunnel?: PolicyField;
  readonly proxyProtocol?: PolicyField;
  readonly retryBudget?: PolicyField;
  /** True when a port-level entry replaced the whole policy (its other fields fell back to defaults). */
  readonly portLevel: boolean;
}

export interface SubsetInfo {
  readonly name: string;
  readonly labels: Labels;
  readonly trafficPolicy?: TrafficPolicyInfo;
  /** The rule that defines the subset (merged rules keep each subset's own). */
  readonly rule: ResourceRef;
  /** JSON pointer of the subset in its rule. */
  readonly path: string;
}

/** What of a DestinationRule decides TLS and merging. */
export interface DestinationRuleTrafficInfo {
  readonly ref: ResourceRef;
  /** `host` as written. */
  readonly host: string;
  /** `exportTo` as written (`.` kept): pilot compares these sets verbatim when merging. */
  readonly exportTo: readonly string[];
  /** True when `workloadSelector` is an object, even `{}` (a non-nil selector for pilot). */
  readonly hasWorkloadSelector: boolean;
  readonly workloadSelector: Labels;
  readonly trafficPolicy?: TrafficPolicyInfo;
  readonly subsets: readonly SubsetInfo[];
}

const TLS_MODES: readonly ClientTlsMode[] = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'];

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function fieldAt(container: Record<string, unknown>, key: string, path: string): PolicyField | undefined {
  return isPlainObject(container[key]) ? Object.freeze({ path: `${path}/${key}` }) : undefined;
}

function loadBalancerAt(container: Record<string, unknown>, path: string): LoadBalancerField | undefined {
  const lb = container.loadBalancer;
  if (!isPlainObject(lb)) return undefined;
  const simple = typeof lb.simple === 'string' ? lb.simple : undefined;
  return Object.freeze(simple !== undefined ? { path: `${path}/loadBalancer`, simple } : { path: `${path}/loadBalancer` });
}

function tlsModeOf(raw: unknown): { mode: ClientTlsMode; modeSource: TlsInfo['modeSource'] } {
  if (raw === undefined || raw === null) return { mode: 'DISABLE', modeSource: 'default' };
  if (typeof raw === 'string' && (TLS_MODES as readonly string[]).includes(raw)) return { mode: raw as ClientTlsMode, modeSource: 'written' };
  // protojson also reads enum numbers.
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw < TLS_MODES.length) return { mode: TLS_MODES[raw], modeSource: 'written' };
  return { mode: 'DISABLE', modeSource: 'invalid' };
}

/** Reads a `tls` object; undefined when `v` is not one. */
export function readTls(v: unknown, path: string): TlsInfo | undefined {
  if (!isPlainObject(v)) return undefined;
  const { mode, modeSource } = tlsModeOf(v.mode);
  const sni = nonEmptyString(v.sni);
  const credentialName = nonEmptyString(v.credentialName);
  const caCertificates = nonEmptyString(v.caCertificates);
  const subjectAltNames = listOrEmpty(v.subjectAltNames).filter((x): x is string => typeof x === 'string' && x !== '');
  return Object.freeze({
    mode,
    modeSource,
    ...(sni !== undefined ? { sni } : {}),
    ...(credentialName !== undefined ? { credentialName } : {}),
    hasClientCertificate: nonEmptyString(v.clientCertificate) !== undefined,
    hasPrivateKey: nonEmptyString(v.privateKey) !== undefined,
    ...(caCertificates !== undefined ? { caCertificates } : {}),
    ...(subjectAltNames.length > 0 ? { subjectAltNames: frozenList(subjectAltNames) } : {}),
    // A BoolValue: protojson reads a JSON bool.
    ...(v.insecureSkipVerify === true ? { insecureSkipVerify: true as const } : {}),
    path,
    modePath: `${path}/mode`,
  });
}

function sharedFields(container: Record<string, unknown>, path: string): PolicyFields {
  const fields: { -readonly [K in keyof PolicyFields]: PolicyFields[K] } = {};
  const connectionPool = fieldAt(container, 'connectionPool', path);
  const outlierDetection = fieldAt(container, 'outlierDetection', path);
  const loadBalancer = loadBalancerAt(container, path);
  const tls = readTls(container.tls, `${path}/tls`);
  if (connectionPool) fields.connectionPool = connectionPool;
  if (outlierDetection) fields.outlierDetection = outlierDetection;
  if (loadBalancer) fields.loadBalancer = loadBalancer;
  if (tls) fields.tls = tls;
  return fields;
}

/**
 * Reads a `trafficPolicy` object found at JSON pointer `path`; undefined when
 * `v` is not an object (absent or null: a nil policy for pilot).
 */
export function readTrafficPolicy(v: unknown, path: string): TrafficPolicyInfo | undefined {
  if (!isPlainObject(v)) return undefined;
  const portLevelSettings: PortTrafficPolicyInfo[] = [];
  listOrEmpty(v.portLevelSettings).forEach((raw, i) => {
    const entry = objectOrEmpty(raw);
    const port = portNumber(objectOrEmpty(entry.port).number);
    // Pilot compares `port.number` with the Service port; an entry without one never matches.
    if (port === undefined) return;
    const entryPath = `${path}/portLevelSettings/${i}`;
    portLevelSettings.push(Object.freeze({ port, path: entryPath, ...sharedFields(entry, entryPath) }));
  });
  const tunnel = fieldAt(v, 'tunnel', path);
  const proxyProtocol = fieldAt(v, 'proxyProtocol', path);
  const retryBudget = fieldAt(v, 'retryBudget', path);
  return Object.freeze({
    ...sharedFields(v, path),
    ...(tunnel ? { tunnel } : {}),
    ...(proxyProtocol ? { proxyProtocol } : {}),
    ...(retryBudget ? { retryBudget } : {}),
    portLevelSettings: frozenList(portLevelSettings),
    path,
  });
}

/**
 * Reads what of a DestinationRule manifest decides TLS and merging. `namespace`
 * places a manifest that names none (defaults to its own, else empty).
 */
export function readDestinationRuleTraffic(m: Manifest, namespace?: string): DestinationRuleTrafficInfo {
  const base = refOf(m);
  const ref: ResourceRef = Object.freeze({ ...base, namespace: base.namespace || namespace || '' });
  const spec = objectOrEmpty(m.spec);
  const subsets: SubsetInfo[] = listOrEmpty(spec.subsets).map((raw, i) => {
    const s = objectOrEmpty(raw);
    const path = pointer('spec', 'subsets', i);
    const trafficPolicy = readTrafficPolicy(s.trafficPolicy, `${path}/trafficPolicy`);
    return Object.freeze({
      name: typeof s.name === 'string' ? s.name : '',
      labels: stringMap(s.labels),
      ...(trafficPolicy ? { trafficPolicy } : {}),
      rule: ref,
      path,
    });
  });
  const trafficPolicy = readTrafficPolicy(spec.trafficPolicy, pointer('spec', 'trafficPolicy'));
  const selector = spec.workloadSelector;
  return Object.freeze({
    ref,
    host: typeof spec.host === 'string' ? spec.host : '',
    exportTo: frozenList(listOrEmpty(spec.exportTo).filter((x): x is string => typeof x === 'string')),
    hasWorkloadSelector: isPlainObject(selector),
    workloadSelector: isPlainObject(selector) ? stringMap(selector.matchLabels) : NO_LABELS,
    ...(trafficPolicy ? { trafficPolicy } : {}),
    subsets: frozenList(subsets),
  });
}

/** True when a policy's own `loadBalancer.simple` is PASSTHROUGH (the cluster becomes ORIGINAL_DST). */
export function isPassthroughLoadBalancer(policy: PolicyFields | undefined): boolean {
  return policy?.loadBalancer?.simple === 'PASSTHROUGH';
}

function effectiveFrom(policy: TrafficPolicyInfo): EffectivePolicy {
  const { connectionPool, outlierDetection, loadBalancer, tls, tunnel, proxyProtocol, retryBudget } = policy;
  return Object.freeze({
    ...(connectionPool ? { connectionPool } : {}),
    ...(outlierDetection ? { outlierDetection } : {}),
    ...(loadBalancer ? { loadBalancer } : {}),
    ...(tls ? { tls } : {}),
    ...(tunnel ? { tunnel } : {}),
    ...(proxyProtocol ? { proxyProtocol } : {}),
    ...(retryBudget ? { retryBudget } : {}),
    portLevel: false,
  });
}

function effectiveFromEntry(entry: PortTrafficPolicyInfo): EffectivePolicy {
  // A port entry carries only these four fields; tunnel, proxyProtocol and retryBudget fall back to defaults.
  const { connectionPool, outlierDetection, loadBalancer, tls } = entry;
  return Object.freeze({
    ...(connectionPool ? { connectionPool } : {}),
    ...(outlierDetection ? { outlierDetection } : {}),
    ...(loadBalancer ? { loadBalancer } : {}),
    ...(tls ? { tls } : {}),
    portLevel: true,
  });
}

/** The first port-level entry for `port`, as pilot picks it. */
export function portLevelEntryFor(policy: TrafficPolicyInfo | undefined, port: number): PortTrafficPolicyInfo | undefined {
  return policy?.portLevelSettings.find((p) => p.port === port);
}

/**
 * The policy a cluster for Service port `port` uses (util.go
 * `GetPortLevelTrafficPolicy`): a port-level entry for the port replaces the
 * whole policy, so its unset fields (`tls` included) are unset, not inherited.
 * `port` undefined stands for pilot's nil port: the policy as it is.
 */
export function trafficPolicyForPort(policy: TrafficPolicyInfo | undefined, port: number | undefined): EffectivePolicy | undefined {
  if (policy === undefined) return undefined;
  const entry = port === undefined ? undefined : portLevelEntryFor(policy, port);
  return entry ? effectiveFromEntry(entry) : effectiveFrom(policy);
}

/**
 * The policy of subset cluster `port` (util.go `MergeSubsetTrafficPolicy`):
 * both sides are first resolved for the port; a subset without a policy uses
 * the rule's; otherwise each of connectionPool, outlierDetection,
 * loadBalancer and tls comes from the subset when the subset sets it or when
 * a subset port entry matched (then even an unset one wins), and tunnel,
 * proxyProtocol and retryBudget only when the subset sets them. `tls` moves
 * as one object: its fields are never merged.
 */
export function mergeSubsetPolicy(
  base: TrafficPolicyInfo | undefined, subset: TrafficPolicyInfo | undefined, port: number | undefined,
): EffectivePolicy | undefined {
  const original = trafficPolicyForPort(base, port);
  if (subset === undefined) return original;
  const sub = trafficPolicyForPort(subset, port);
  if (original === undefined || sub === undefined) return sub;
  const hasPortLevel = sub.portLevel;
  const pick = <K extends 'connectionPool' | 'outlierDetection' | 'loadBalancer' | 'tls'>(key: K): EffectivePolicy[K] =>
    (sub[key] !== undefined || hasPortLevel ? sub[key] : original[key]);
  const merged: { -readonly [K in keyof EffectivePolicy]: EffectivePolicy[K] } = { portLevel: original.portLevel || hasPortLevel };
  const connectionPool = pick('connectionPool');
  const outlierDetection = pick('outlierDetection');
  const loadBalancer = pick('loadBalancer');
  const tls = pick('tls');
  const tunnel = sub.tunnel ?? original.tunnel;
  const proxyProtocol = sub.proxyProtocol ?? original.proxyProtocol;
  const retryBudget = sub.retryBudget ?? original.retryBudget;
  if (connectionPool) merged.connectionPool = connectionPool;
  if (outlierDetection) merged.outlierDetection = outlierDetection;
  if (loadBalancer) merged.loadBalancer = loadBalancer;
  if (tls) merged.tls = tls;
  if (tunnel) merged.tunnel = tunnel;
  if (proxyProtocol) merged.proxyProtocol = proxyProtocol;
  if (retryBudget) merged.retryBudget = retryBudget;
  return Object.freeze(merged);
}

/**
 * The `tls` the endpoint builder reads for Service port `port`
 * (mtls_checker.go `trafficPolicyTLSModeForPort`): a port entry's `tls` when
 * the entry sets one, else the policy's own `tls` even when a port entry
 * without `tls` replaced it for the cluster (SEMANTICS S2).
 */
export function endpointLevelTls(policy: TrafficPolicyInfo | undefined, port: number): TlsInfo | undefined {
  if (policy === undefined) return undefined;
  // Pilot takes the first entry for the port that sets tls, skipping earlier ones without.
  const entry = policy.portLevelSettings.find((p) => p.port === port && p.tls !== undefined);
  return entry?.tls ?? policy.tls;
}

/** The first subset of that name, the one pilot uses. */
function subsetNamed(rule: { readonly subsets: readonly SubsetInfo[] }, name: string): SubsetInfo | undefined {
  return rule.subsets.find((s) => s.name === name);
}

/**
 * The `tls` the endpoint builder reads for a cluster of `rule` (a merged rule
 * from {@link mergeDestinationRules} or a single one): the top-level policy
 * for the default cluster (`subset` undefined), only the subset's own policy
 * for a subset cluster, nothing when the subset is missing.
 */
export function endpointLevelTlsFor(
  rule: { readonly trafficPolicy?: TrafficPolicyInfo; readonly subsets: readonly SubsetInfo[] } | undefined,
  subset: string | undefined,
  port: number,
): TlsInfo | undefined {
  if (rule === undefined) return undefined;
  if (subset === undefined || subset === '') return endpointLevelTls(rule.trafficPolicy, port);
  return endpointLevelTls(subsetNamed(rule, subset)?.trafficPolicy, port);
}

/**
 * The policy a cluster of `rule` applies on Service port `port`: port-level
 * replacement for the default cluster, {@link mergeSubsetPolicy} for a subset.
 * Undefined as well when the subset is missing (pilot builds no such cluster).
 */
export function clusterPolicyFor(
  rule: { readonly trafficPolicy?: TrafficPolicyInfo; readonly subsets: readonly SubsetInfo[] } | undefined,
  subset: string | undefined,
  port: number,
): EffectivePolicy | undefined {
  if (rule === undefined) return undefined;
  if (subset === undefined || subset === '') return trafficPolicyForPort(rule.trafficPolicy, port);
  const s = subsetNamed(rule, subset);
  return s ? mergeSubsetPolicy(rule.trafficPolicy, s.trafficPolicy, port) : undefined;
}

/** A subset found in a later rule whose name an earlier one already had: pilot drops it. */
export interface DroppedSubset {
  readonly name: string;
  readonly rule: ResourceRef;
}

/** Several DestinationRules for one host in one namespace, merged as pilot merges them. */
export interface ConsolidatedDestinationRule {
  /** The rule this entry started from; its exportTo, selector and (if set) policy. */
  readonly rule: DestinationRuleTrafficInfo;
  /** The exportTo set pilot keyed the merge on: `.` alone for a rule with a workloadSelector. */
  readonly exportTo: readonly string[];
  /** The top-level policy: the first rule's, else the first later one's that sets one. */
  readonly trafficPolicy?: TrafficPolicyInfo;
  /** The rule whose policy that is. */
  readonly trafficPolicyFrom?: ResourceRef;
  /** The first rule's subsets, then each later rule's with a new name. */
  readonly subsets: readonly SubsetInfo[];
  readonly droppedSubsets: readonly DroppedSubset[];
  /** Every rule merged in, in order. */
  readonly from: readonly ResourceRef[];
}

function exportToSetOf(rule: DestinationRuleTrafficInfo): string[] {
  // Rules with a selector are never exported (push_context.go setDestinationRules).
  return rule.hasWorkloadSelector ? ['.'] : [...new Set(rule.exportTo)].sort();
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function supersetOf(a: readonly string[], b: readonly string[]): boolean {
  return b.every((x) => a.includes(x));
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

interface Building {
  rule: DestinationRuleTrafficInfo;
  exportTo: string[];
  trafficPolicy?: TrafficPolicyInfo;
  trafficPolicyFrom?: ResourceRef;
  subsets: SubsetInfo[];
  dropped: DroppedSubset[];
  from: ResourceRef[];
}

function startEntry(rule: DestinationRuleTrafficInfo, exportTo: string[]): Building {
  return {
    rule,
    exportTo,
    trafficPolicy: rule.trafficPolicy,
    trafficPolicyFrom: rule.trafficPolicy ? rule.ref : undefined,
    subsets: [...rule.subsets],
    dropped: [],
    from: [rule.ref],
  };
}

function mergeInto(entry: Building, rule: DestinationRuleTrafficInfo): void {
  entry.from.push(rule.ref);
  const names = new Set(entry.subsets.map((s) => s.name));
  for (const s of rule.subsets) {
    if (names.has(s.name)) entry.dropped.push(Object.freeze({ name: s.name, rule: rule.ref }));
    else entry.subsets.push(s);
  }
  if (entry.trafficPolicy === undefined && rule.trafficPolicy !== undefined) {
    entry.trafficPolicy = rule.trafficPolicy;
    entry.trafficPolicyFrom = rule.ref;
  }
}

/**
 * Merges the DestinationRules of one host in one namespace (one index of
 * pilot, see {@link destinationRuleIndexes}) as destination_rule.go
 * `mergeDestinationRule` does with ENABLE_ENHANCED_DESTINATIONRULE_MERGE on
 * (the default). `rules` must be in creation order, which manifests do not
 * carry: callers try each order that matters. Rules with a workloadSelector
 * are taken first (pilot's sort), keeping that order among each kind. A rule
 * merges into an earlier entry with the same exportTo set and either no
 * selector on both or equal selectors on both; with an exportTo that is a
 * strict superset of a non-empty earlier set it merges there and also starts
 * an entry of its own. Merging concatenates subsets (the first of a name wins)
 * and fills a missing top-level policy; nothing else of the later rule counts.
 */
export function mergeDestinationRules(rules: readonly DestinationRuleTrafficInfo[]): readonly ConsolidatedDestinationRule[] {
  const ordered = [...rules.filter((r) => r.hasWorkloadSelector), ...rules.filter((r) => !r.hasWorkloadSelector)];
  const entries: Building[] = [];
  for (const rule of ordered) {
    const exportTo = exportToSetOf(rule);
    // Each earlier entry overwrites this flag: the last one compared decides, as in pilot.
    let appendSeparately = true;
    for (const entry of entries) {
      if (sameSet(exportTo, entry.exportTo)) {
        appendSeparately = false;
      } else if (entry.exportTo.length > 0 && supersetOf(exportTo, entry.exportTo)) {
        appendSeparately = true;
      } else {
        appendSeparately = true;
        continue;
      }
      const bothWith = rule.hasWorkloadSelector && entry.rule.hasWorkloadSelector;
      const bothWithout = !rule.hasWorkloadSelector && !entry.rule.hasWorkloadSelector;
      const selectorsMatch = sameLabels(rule.workloadSelector, entry.rule.workloadSelector);
      if (bothWith && !selectorsMatch) {
        appendSeparately = true;
        continue;
      }
      if (bothWithout || bothWith) appendSeparately = false;
      mergeInto(entry, rule);
    }
    if (appendSeparately) entries.push(startEntry(rule, exportTo));
  }
  return frozenList(entries.map((e) => Object.freeze({
    rule: e.rule,
    exportTo: frozenList(e.exportTo),
    ...(e.trafficPolicy ? { trafficPolicy: e.trafficPolicy, trafficPolicyFrom: e.trafficPolicyFrom } : {}),
    subsets: frozenList(e.subsets),
    droppedSubsets: frozenList(e.dropped),
    from: frozenList(e.from),
  })));
}

/** The three indexes pilot keeps of one namespace's rules for one host. */
export interface DestinationRuleIndexes {
  /** For clients in the rules' own namespace (private and public rules). */
  readonly namespaceLocal: readonly ConsolidatedDestinationRule[];
  /** For clients in other namespaces (rules not private to their namespace). */
  readonly exported: readonly ConsolidatedDestinationRule[];
  /** Private rules of the root namespace (empty for other namespaces). */
  readonly rootLocal: readonly ConsolidatedDestinationRule[];
}

/**
 * Sorts one namespace's rules for one host into pilot's indexes
 * (push_context.go `setDestinationRules`) and merges each. `rules` in
 * creation order; `defaultExportToPrivate` is the mesh's
 * `defaultDestinationRuleExportTo: ["."]`.
 */
export function destinationRuleIndexes(
  rules: readonly DestinationRuleTrafficInfo[],
  options: { readonly namespace: string; readonly rootNamespace: string; readonly defaultExportToPrivate?: boolean },
): DestinationRuleIndexes {
  const { namespace, rootNamespace } = options;
  const ordered = [...rules.filter((r) => r.hasWorkloadSelector), ...rules.filter((r) => !r.hasWorkloadSelector)];
  const local: DestinationRuleTrafficInfo[] = [];
  const exported: DestinationRuleTrafficInfo[] = [];
  const rootLocal: DestinationRuleTrafficInfo[] = [];
  for (const rule of ordered) {
    const set = exportToSetOf(rule);
    if (set.length === 0 || set.includes('*') || set.includes('.') || set.includes(namespace)) local.push(rule);
    const privateOnly = (set.length === 0 && options.defaultExportToPrivate === true)
      || (set.length === 1 && (set[0] === '.' || set[0] === namespace));
    if (!privateOnly) exported.push(rule);
    else if (namespace === rootNamespace) rootLocal.push(rule);
  }
  return Object.freeze({
    namespaceLocal: mergeDestinationRules(local),
    exported: mergeDestinationRules(exported),
    rootLocal: mergeDestinationRules(rootLocal),
  });
}
