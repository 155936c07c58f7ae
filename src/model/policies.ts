import { pointer } from './finding';
import { qualifyHost } from './hosts';
import { Labels, isEmptyLabels, sharedStringMap, stringMap } from './labels';
import { frozenList, sortedIndexOf, sortInPlace } from './lists';
import { Manifest, ResourceRef, isPlainObject, listOrEmpty, objectOrEmpty, refOf } from './manifest';
import { portNumber } from './ports';
import { SharedNode, UNSHARED, ValueSharing, sharedList } from './shared-values';
import { ClientTlsMode, DestinationRuleTrafficInfo, readDestinationRuleTraffic } from './traffic-policy';

export { portNumber } from './ports';
export type { ClientTlsMode } from './traffic-policy';

/** A PeerAuthentication mode as written; UNSET also stands for an absent or unknown mode. */
export type PeerAuthenticationMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

/** The level at which a PeerAuthentication applies (policy_applier.go `ComposePeerAuthentication`). */
export type PeerAuthenticationLevel = 'mesh' | 'namespace' | 'workload' | 'ignored';

export interface PortLevelMode {
  readonly port: number;
  readonly mode: PeerAuthenticationMode;
  /** JSON pointer of the entry, for findings. */
  readonly path: string;
}

export interface PeerAuthenticationPolicy {
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  /** The non-empty matchLabels, or undefined: `selector: {}` counts as no selector, as in Istio. */
  readonly selector?: Labels;
  /** True when the manifest carries a `selector` key, even an empty one. */
  readonly hasSelectorField: boolean;
  readonly mode: PeerAuthenticationMode;
  /** Port-level modes, sorted by port; keys that are not port numbers are left out. */
  readonly portLevel: readonly PortLevelMode[];
  readonly level: PeerAuthenticationLevel;
  readonly annotations: Labels;
}


/**
 * The port-level mode a PeerAuthentication sets on `port`, as
 * `portLevel.find((p) => p.port === port)` (the first of equal ports) in
 * logarithmic time: `portLevel` is sorted by port, and a policy may list
 * thousands of ports that every workload it selects asks about.
 */
export function portLevelOf(policy: PeerAuthenticationPolicy, port: number): PortLevelMode | undefined {
  const i = sortedIndexOf(policy.portLevel, (p) => p.port, port);
  return i >= 0 ? policy.portLevel[i] : undefined;
}

export interface ClientTlsSetting {
  readonly mode: ClientTlsMode;
  /** JSON pointer of the `mode` field. */
  readonly path: string;
  /** Set for port-level settings: the Service port it overrides. */
  readonly port?: number;
}

export interface DestinationRulePolicy {
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  /** The host as written. */
  readonly host: string;
  /** The host expanded to a FQDN (short names are relative to the rule's namespace). */
  readonly fqdn: string;
  /** exportTo with `.` replaced by the rule's namespace; empty means exported everywhere. */
  readonly exportTo: readonly string[];
  readonly workloadSelector?: Labels;
  readonly tls?: ClientTlsSetting;
  /** Port-level TLS settings (trafficPolicy.portLevelSettings[].tls), sorted by port. */
  readonly portTls: readonly ClientTlsSetting[];
  /**
   * Ports with a `portLevelSettings` entry, with or without `tls`: an entry
   * replaces the rule's whole traffic policy for its port, `tls` included.
   */
  readonly portEntries: readonly number[];
  /** What decides TLS and merging: traffic policies of the rule and its subsets, as pilot reads them. */
  readonly traffic: DestinationRuleTrafficInfo;
  readonly annotations: Labels;
}

export type AuthorizationAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

/** One use of an mTLS-derived identity in an AuthorizationPolicy rule. */
export interface IdentityUse {
  /** The field (`principals`, `notNamespaces`, `when:source.principal`, ...). */
  readonly field: string;
  readonly values: readonly string[];
  /** True for not* fields and `notValues`, which match plaintext callers too. */
  readonly negative: boolean;
  readonly path: string;
  readonly ruleIndex: number;
}

/** A principal written in a rule (source principals and `source.principal` conditions). */
export interface PrincipalUse {
  readonly value: string;
  readonly path: string;
  readonly negative: boolean;
}

export interface AuthorizationRuleSummary {
  readonly index: number;
  /** True for a rule with no from, to or when (or only empty ones): it matches every request. */
  readonly matchesEverything: boolean;
  /** Ports named in `to.operation.ports` (numeric only), or undefined when the rule is not limited to ports. */
  readonly ports?: readonly number[];
  readonly identityUses: readonly IdentityUse[];
}

export interface AuthorizationPolicyInfo {
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  readonly action: AuthorizationAction;
  readonly selector?: Labels;
  readonly hasSelectorField: boolean;
  /** True when the policy targets gateways/services by targetRef(s) instead of a selector. */
  readonly hasTargetRefs: boolean;
  readonly hasRulesField: boolean;
  readonly rules: readonly AuthorizationRuleSummary[];
  readonly principals: readonly PrincipalUse[];
  readonly sourceServiceAccounts: readonly string[];
  readonly annotations: Labels;
  /** The spec as written, for what ztunnel and waypoints make of it (resolution/ztunnel-authorization). */
  readonly spec: Readonly<Record<string, unknown>>;
}

const PA_MODES: ReadonlySet<string> = new Set(['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT']);
const TLS_MODES: ReadonlySet<string> = new Set(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']);
const ACTIONS: ReadonlySet<string> = new Set(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']);

function strings(v: unknown): string[] {
  // Most identity fields are absent: no list is made for them.
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The JSON pointer of item `i` of the list at `path` (kept at `at`), one copy per mesh. */
function elementPath(at: SharedNode, path: string, i: number): string {
  const item = at.at(i);
  return (item.value as string | undefined) ?? item.keep(`${path}/${i}`);
}

function modeOf(mtls: unknown): PeerAuthenticationMode {
  const m = objectOrEmpty(mtls).mode;
  return typeof m === 'string' && PA_MODES.has(m) ? m as PeerAuthenticationMode : 'UNSET';
}


function selectorOf(spec: Record<string, unknown>, field: string, shared: ValueSharing): { selector?: Labels; has: boolean } {
  if (!(field in spec)) return { has: false };
  const labels = sharedStringMap(objectOrEmpty(spec[field]).matchLabels, shared);
  return isEmptyLabels(labels) ? { has: true } : { has: true, selector: labels };
}

/**
 * `ref` defaults to the manifest's, placed in `namespace`. Equal port-level
 * modes and lists of them are taken from `shared` when given.
 */
export function parsePeerAuthentication(
  m: Manifest, namespace: string, rootNamespace: string, ref: ResourceRef = { ...refOf(m), namespace }, shared: ValueSharing = UNSHARED,
): PeerAuthenticationPolicy {
  const spec = objectOrEmpty(m.spec);
  const { selector, has } = selectorOf(spec, 'selector', shared);
  const portLevel: PortLevelMode[] = [];
  for (const [key, value] of Object.entries(objectOrEmpty(spec.portLevelMtls))) {
    const port = portNumber(key);
    if (port === undefined) continue;
    const mode = modeOf(value);
    // The key as written (`8080`, `"08080"`) is in the path, so it is part of what is shared.
    const node = shared.root('pl').at(key).at(mode);
    portLevel.push((node.value as PortLevelMode | undefined) ?? node.keep(Object.freeze({ port, mode, path: pointer('spec', 'portLevelMtls', key, 'mode') })));
  }
  sortInPlace(portLevel, (a, b) => a.port - b.port);
  const level: PeerAuthenticationLevel = !selector
    ? (namespace === rootNamespace ? 'mesh' : 'namespace')
    : (namespace === rootNamespace ? 'ignored' : 'workload');
  return Object.freeze({
    ref,
    namespace,
    name: ref.name,
    selector,
    hasSelectorField: has,
    mode: modeOf(spec.mtls),
    portLevel: sharedList(shared, 'pll', portLevel),
    level,
    annotations: stringMap(objectOrEmpty(m.metadata).annotations),
  });
}

function tlsOf(v: unknown, path: string, shared: ValueSharing, port?: number): ClientTlsSetting | undefined {
  if (!isPlainObject(v)) return undefined;
  // An absent mode is the proto default, DISABLE (a mode the API server rejects is left unknown).
  const mode = v.mode === undefined || v.mode === null ? 'DISABLE' : v.mode;
  if (typeof mode !== 'string' || !TLS_MODES.has(mode)) return undefined;
  const node = shared.root('tls').at(mode).at(path).at(port);
  return (node.value as ClientTlsSetting | undefined)
    ?? node.keep(Object.freeze(port !== undefined ? { mode: mode as ClientTlsMode, path, port } : { mode: mode as ClientTlsMode, path }));
}

/**
 * `ref` defaults to the manifest's, placed in `namespace`. Equal TLS
 * settings are taken from `shared` when given.
 */
export function parseDestinationRule(
  m: Manifest, namespace: string, clusterDomain: string, ref: ResourceRef = { ...refOf(m), namespace }, shared: ValueSharing = UNSHARED,
): DestinationRulePolicy {
  const spec = objectOrEmpty(m.spec);
  const host = typeof spec.host === 'string' ? spec.host : '';
  const tp = objectOrEmpty(spec.trafficPolicy);
  const portTls: ClientTlsSetting[] = [];
  const portEntries = new Set<number>();
  listOrEmpty(tp.portLevelSettings).forEach((pls, i) => {
    const port = portNumber(objectOrEmpty(objectOrEmpty(pls).port).number);
    // Pilot uses the first entry for a port.
    if (port === undefined || portEntries.has(port)) return;
    portEntries.add(port);
    const t = tlsOf(objectOrEmpty(pls).tls, pointer('spec', 'trafficPolicy', 'portLevelSettings', i, 'tls', 'mode'), shared, port);
    if (t) portTls.push(t);
  });
  sortInPlace(portTls, (a, b) => (a.port ?? 0) - (b.port ?? 0));
  const exportTo = strings(spec.exportTo).map((e) => (e === '.' ? namespace : e));
  const { selector } = selectorOf(spec, 'workloadSelector', shared);
  return Object.freeze({
    ref,
    namespace,
    name: ref.name,
    host,
    fqdn: qualifyHost(host, namespace, clusterDomain),
    exportTo: frozenList(exportTo),
    workloadSelector: selector,
    tls: tlsOf(tp.tls, pointer('spec', 'trafficPolicy', 'tls', 'mode'), shared),
    portTls: sharedList(shared, 'tlsl', portTls),
    portEntries: sharedList(shared, 'pel', [...portEntries].sort((a, b) => a - b)),
    traffic: readDestinationRuleTraffic(m, namespace),
    annotations: stringMap(objectOrEmpty(m.metadata).annotations),
  });
}

/** True when a DestinationRule in `dr.namespace` is visible to clients in `clientNamespace`. */
export function isExportedTo(dr: DestinationRulePolicy, clientNamespace: string): boolean {
  if (dr.exportTo.length === 0) return true;
  return dr.exportTo.includes('*') || dr.exportTo.includes(clientNamespace);
}

const POSITIVE_SOURCE_IDENTITY = ['principals', 'namespaces', 'serviceAccounts'];
const NEGATIVE_SOURCE_IDENTITY = ['notPrincipals', 'notNamespaces', 'notServiceAccounts'];
const SOURCE_IDENTITY = [...POSITIVE_SOURCE_IDENTITY, ...NEGATIVE_SOURCE_IDENTITY];
const IDENTITY_CONDITION_KEYS: ReadonlySet<string> = new Set(['source.principal', 'source.namespace', 'source.serviceAccount', 'connection.sni']);

function isEmptyish(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.every(isEmptyish);
  if (isPlainObject(v)) return Object.values(v).every(isEmptyish);
  return false;
}

/**
 * `ref` defaults to the manifest's, placed in `namespace`. Equal JSON
 * pointers and port lists are taken from `shared` when given.
 */
export function parseAuthorizationPolicy(
  m: Manifest, namespace: string, ref: ResourceRef = { ...refOf(m), namespace }, shared: ValueSharing = UNSHARED,
): AuthorizationPolicyInfo {
  const spec = objectOrEmpty(m.spec);
  const { selector, has } = selectorOf(spec, 'selector', shared);
  const action = typeof spec.action === 'string' && ACTIONS.has(spec.action) ? spec.action as AuthorizationAction : 'ALLOW';
  const principals: PrincipalUse[] = [];
  const serviceAccounts: string[] = [];
  const rules: AuthorizationRuleSummary[] = listOrEmpty(spec.rules).map((raw, index) => {
    const rule = objectOrEmpty(raw);
    const uses: IdentityUse[] = [];
    listOrEmpty(rule.from).forEach((from, fi) => {
      const source = objectOrEmpty(objectOrEmpty(from).source);
      for (const field of SOURCE_IDENTITY) {
        const values = strings(source[field]);
        if (values.length === 0) continue;
        // One copy per mesh of each path: found by its tokens, without building it again.
        const at = shared.root('ap-path').at(index).at('from').at(fi).at(field);
        const path = (at.value as string | undefined) ?? at.keep(pointer('spec', 'rules', index, 'from', fi, 'source', field));
        const negative = NEGATIVE_SOURCE_IDENTITY.includes(field);
        uses.push({ field, values, negative, path, ruleIndex: index });
        if (field === 'principals' || field === 'notPrincipals') {
          values.forEach((value, vi) => principals.push({ value, path: elementPath(at, path, vi), negative }));
        }
        if (field === 'serviceAccounts') serviceAccounts.push(...values);
      }
    });
    listOrEmpty(rule.when).forEach((cond, ci) => {
      const c = objectOrEmpty(cond);
      if (typeof c.key !== 'string' || !IDENTITY_CONDITION_KEYS.has(c.key)) return;
      for (const [field, negative] of [['values', false], ['notValues', true]] as const) {
        const values = strings(c[field]);
        if (values.length === 0) continue;
        const at = shared.root('ap-path').at(index).at('when').at(ci).at(field);
        const path = (at.value as string | undefined) ?? at.keep(pointer('spec', 'rules', index, 'when', ci, field));
        uses.push({ field: `when:${c.key}`, values, negative, path, ruleIndex: index });
        if (c.key === 'source.principal') values.forEach((value, vi) => principals.push({ value, path: elementPath(at, path, vi), negative }));
      }
    });
    let ports: number[] | undefined = [];
    const tos = listOrEmpty(rule.to);
    if (tos.length === 0) ports = undefined;
    for (const to of tos) {
      const op = objectOrEmpty(objectOrEmpty(to).operation);
      const p = listOrEmpty(op.ports).map(portNumber).filter((x): x is number => x !== undefined);
      if (p.length === 0) { ports = undefined; break; }
      ports?.push(...p);
    }
    return Object.freeze({
      index,
      matchesEverything: isEmptyish(rule.from) && isEmptyish(rule.to) && isEmptyish(rule.when),
      ports: ports ? sharedList(shared, 'apl', [...new Set(ports)].sort((a, b) => a - b)) : undefined,
      identityUses: frozenList(uses),
    });
  });
  return Object.freeze({
    ref,
    namespace,
    name: ref.name,
    action,
    selector,
    hasSelectorField: has,
    hasTargetRefs: spec.targetRef !== undefined || listOrEmpty(spec.targetRefs).length > 0,
    hasRulesField: Array.isArray(spec.rules),
    rules: frozenList(rules),
    principals: frozenList(principals),
    sourceServiceAccounts: frozenList(serviceAccounts),
    annotations: stringMap(objectOrEmpty(m.metadata).annotations),
    spec,
  });
}

