import { MESH_CONTROLLER, WAYPOINT_GATEWAY_CLASS, WaypointOptions, WaypointRef, waypointFor } from './waypoints';
import { pointer } from '../model/finding';
import { GatewayClassInfo, GatewayInfo } from '../model/gateways';
import { Labels, isEmptyLabels, stringMap } from '../model/labels';
import { Manifest, ResourceRef, isPlainObject, listOrEmpty, objectOrEmpty, refOf } from '../model/manifest';
import { AuthorizationAction } from '../model/policies';

// ---------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------

/** How an AuthorizationPolicy picks what it applies to. */
export type AuthorizationAttachment = 'targetRefs' | 'selector' | 'namespace' | 'root-namespace';

/** One `targetRefs[]` entry (or the legacy `targetRef`). */
export interface PolicyTargetRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** As written; istiod never attaches a policy to a target in another namespace. */
  readonly namespace?: string;
}

/** A ztunnel string match: `*` is presence, `*x` a suffix, `x*` a prefix, anything else exact. */
export interface ZtunnelStringMatch {
  readonly kind: 'exact' | 'prefix' | 'suffix' | 'presence';
  readonly value: string;
}

export interface ZtunnelServiceAccountMatch {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * One converted `from`, `to` or `when` entry. Every non-empty list must
 * match (AND); within a list any value matches (OR); `not*` lists must not.
 * IPs are `address/length` with the address as written (not masked).
 * A match whose lists are all empty never matches (ztunnel rbac.rs).
 */
export interface ZtunnelMatch {
  readonly namespaces: readonly ZtunnelStringMatch[];
  readonly notNamespaces: readonly ZtunnelStringMatch[];
  readonly serviceAccounts: readonly ZtunnelServiceAccountMatch[];
  readonly notServiceAccounts: readonly ZtunnelServiceAccountMatch[];
  readonly principals: readonly ZtunnelStringMatch[];
  readonly notPrincipals: readonly ZtunnelStringMatch[];
  readonly sourceIps: readonly string[];
  readonly notSourceIps: readonly string[];
  readonly destinationIps: readonly string[];
  readonly notDestinationIps: readonly string[];
  readonly destinationPorts: readonly number[];
  readonly notDestinationPorts: readonly number[];
}

/** One clause (`to`, `from`, or one `when` condition): any of its matches. An empty clause matches everything. */
export interface ZtunnelClause {
  readonly matches: readonly ZtunnelMatch[];
}

/** One kept policy rule: all of its clauses. A rule with no clause matches everything. */
export interface ZtunnelRule {
  readonly rules: readonly ZtunnelClause[];
}

/**
 * What istiod sends ztunnel for a policy (pilot ambient authorization.go
 * convertAuthorizationPolicy), named as in its `security.Authorization`:
 * `groups` are the kept policy rules, each group's `rules` are its clauses.
 */
export interface ZtunnelAuthorization {
  readonly name: string;
  readonly namespace: string;
  readonly scope: 'WORKLOAD_SELECTOR' | 'NAMESPACE' | 'GLOBAL';
  readonly action: 'ALLOW' | 'DENY';
  readonly groups: readonly ZtunnelRule[];
  readonly dryRun: boolean;
}

/** The conversion istiod performs, and the status it writes on the policy. */
export interface ZtunnelConversion {
  /** Null when ztunnel gets nothing (targetRefs, AUDIT, CUSTOM, dry-run without the feature flag). */
  readonly authorization: ZtunnelAuthorization | null;
  /** istiod's status condition for ztunnel, if any (`UnsupportedValue`). */
  readonly status?: { readonly reason: string; readonly message: string };
  /** HTTP attributes found in any rule, sorted: ztunnel cannot evaluate them. */
  readonly httpFields: readonly string[];
}

/** What ztunnel makes of one policy rule, compared with the rule as written. */
export type ZtunnelRuleEffect = 'as-written' | 'matches-nothing' | 'broadened' | 'narrowed' | 'broadened-and-narrowed';

export interface ZtunnelRuleEnforcement {
  readonly index: number;
  /** True when the rule is sent to ztunnel (an ALLOW rule with an HTTP attribute is left out whole). */
  readonly sent: boolean;
  /** JSON pointers of the fields ztunnel evaluates. */
  readonly keptFields: readonly string[];
  /** JSON pointers of the fields ztunnel does not evaluate (HTTP attributes; for a rule left out, all of them). */
  readonly droppedFields: readonly string[];
  /** The HTTP attribute names found in this rule. */
  readonly httpFields: readonly string[];
  /**
   * matches-nothing: some clause lost every entry (or the rule was left out);
   * broadened: an entry lost its HTTP conditions and matches more connections;
   * narrowed: an HTTP-only entry beside others became a match that never matches.
   */
  readonly effect: ZtunnelRuleEffect;
}

/**
 * The policy's overall effect on ztunnel. `denies-everything`: an ALLOW
 * policy whose every rule was left out matches nothing, so on its own it
 * denies every connection to what it selects (another ALLOW policy may still
 * allow). `denies-more`: ALLOW rules left out or DENY rules broadened.
 * `denies-less`: DENY rules that match nothing or less.
 */
export type ZtunnelPolicyEffect = 'as-written' | 'not-enforced' | 'denies-everything' | 'denies-more' | 'denies-less' | 'denies-more-and-less';

export interface ZtunnelEnforcement {
  readonly enforced: boolean;
  /** One line: why ztunnel enforces the policy, or why not. */
  readonly why: string;
  readonly action: AuthorizationAction;
  readonly rules: readonly ZtunnelRuleEnforcement[];
  readonly effect: ZtunnelPolicyEffect;
  readonly httpFields: readonly string[];
  readonly conversion: ZtunnelConversion;
}

/** Who enforces one AuthorizationPolicy in a mesh with ambient, waypoints and sidecars. */
export interface AuthorizationEnforcement {
  readonly ref: ResourceRef;
  readonly action: AuthorizationAction;
  readonly attachment: AuthorizationAttachment;
  readonly targetRefs: readonly PolicyTargetRef[];
  /** True for `istio.io/dry-run: "true"`: every enforcer only logs. */
  readonly dryRun: boolean;
  /** Waypoints enforce targetRefs policies only (and only for traffic that reaches them). */
  readonly waypoint: 'enforces' | 'ignores' | 'dry-run';
  readonly ztunnel: ZtunnelEnforcement;
  /** Sidecars enforce selector, namespace and root-namespace policies, never targetRefs ones. */
  readonly sidecar: 'enforces' | 'ignores' | 'dry-run';
}

// ---------------------------------------------------------------------------
// Conversion (istio/istio 1.30.3 pilot/pkg/serviceregistry/ambient/authorization.go)
// ---------------------------------------------------------------------------

const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];
const HTTP_SOURCE_FIELDS = ['remoteIpBlocks', 'notRemoteIpBlocks', 'requestPrincipals', 'notRequestPrincipals'];
const L4_OPERATION_FIELDS = ['ports', 'notPorts'];
const L4_SOURCE_FIELDS = ['ipBlocks', 'notIpBlocks', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'principals', 'notPrincipals'];
/** The only `when` keys ztunnel evaluates; any other key is an HTTP attribute to it. */
export const ZTUNNEL_WHEN_KEYS: ReadonlySet<string> = new Set(['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port']);
const DRY_RUN = 'istio.io/dry-run';
// Go strconv.ParseBool.
const TRUE_STRINGS: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const ACTIONS: ReadonlySet<string> = new Set(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']);

function strings(v: unknown): string[] {
  return listOrEmpty(v).filter((x): x is string => typeof x === 'string');
}

function present(obj: Record<string, unknown>, field: string): boolean {
  return strings(obj[field]).length > 0;
}

function stringMatches(values: readonly string[]): ZtunnelStringMatch[] {
  return values.map((v) => v === '*' ? { kind: 'presence', value: '' }
    : v.startsWith('*') ? { kind: 'suffix', value: v.slice(1) }
      : v.endsWith('*') ? { kind: 'prefix', value: v.slice(0, -1) }
        : { kind: 'exact', value: v });
}

/** `ns/sa`, or a bare `sa` in the policy's namespace. */
function serviceAccountMatches(values: readonly string[], policyNamespace: string): ZtunnelServiceAccountMatch[] {
  return values.map((v) => {
    const slash = v.indexOf('/');
    return slash < 0 ? { namespace: policyNamespace, serviceAccount: v } : { namespace: v.slice(0, slash), serviceAccount: v.slice(slash + 1) };
  });
}

/** Ports as Go ParseUint reads them; anything else is silently dropped. */
function ports(values: readonly string[]): number[] {
  return values.filter((v) => /^\d+$/.test(v) && Number(v) <= 65535).map(Number);
}

/** IPs and CIDRs that parse; anything else is silently dropped. */
function ipNets(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const net = parseNet(v);
    if (net) out.push(`${formatIp(net.bytes)}/${net.bits}`);
  }
  return out;
}

const EMPTY_MATCH: ZtunnelMatch = Object.freeze({
  namespaces: [],
  notNamespaces: [],
  serviceAccounts: [],
  notServiceAccounts: [],
  principals: [],
  notPrincipals: [],
  sourceIps: [],
  notSourceIps: [],
  destinationIps: [],
  notDestinationIps: [],
  destinationPorts: [],
  notDestinationPorts: [],
});

/** True when the match has no condition: ztunnel skips it, so it never matches. */
export function isEmptyZtunnelMatch(m: ZtunnelMatch): boolean {
  return Object.values(m).every((list) => (list as readonly unknown[]).length === 0);
}

function match(fields: Partial<ZtunnelMatch>): ZtunnelMatch {
  return Object.freeze({ ...EMPTY_MATCH, ...fields });
}

/** One written entry of a clause and what became of it. */
interface EntryOutcome {
  readonly match: ZtunnelMatch;
  readonly kept: string[];
  readonly dropped: string[];
  readonly http: string[];
}

interface ClauseOutcome {
  readonly entries: readonly EntryOutcome[];
}

function convertTo(raw: unknown, path: string): EntryOutcome {
  const op = objectOrEmpty(objectOrEmpty(raw).operation);
  const http = HTTP_OPERATION_FIELDS.filter((f) => present(op, f));
  return {
    match: match({ destinationPorts: ports(strings(op.ports)), notDestinationPorts: ports(strings(op.notPorts)) }),
    kept: L4_OPERATION_FIELDS.filter((f) => present(op, f)).map((f) => `${path}/operation/${f}`),
    dropped: http.map((f) => `${path}/operation/${f}`),
    http,
  };
}

function convertFrom(raw: unknown, path: string, policyNamespace: string): EntryOutcome {
  const s = objectOrEmpty(objectOrEmpty(raw).source);
  const http = HTTP_SOURCE_FIELDS.filter((f) => present(s, f));
  return {
    match: match({
      sourceIps: ipNets(strings(s.ipBlocks)),
      notSourceIps: ipNets(strings(s.notIpBlocks)),
      namespaces: stringMatches(strings(s.namespaces)),
      notNamespaces: stringMatches(strings(s.notNamespaces)),
      serviceAccounts: serviceAccountMatches(strings(s.serviceAccounts), policyNamespace),
      notServiceAccounts: serviceAccountMatches(strings(s.notServiceAccounts), policyNamespace),
      principals: stringMatches(strings(s.principals)),
      notPrincipals: stringMatches(strings(s.notPrincipals)),
    }),
    kept: L4_SOURCE_FIELDS.filter((f) => present(s, f)).map((f) => `${path}/source/${f}`),
    dropped: http.map((f) => `${path}/source/${f}`),
    http,
  };
}

function convertWhen(raw: unknown, path: string): EntryOutcome {
  const c = objectOrEmpty(raw);
  const key = typeof c.key === 'string' ? c.key : '';
  if (!ZTUNNEL_WHEN_KEYS.has(key)) return { match: EMPTY_MATCH, kept: [], dropped: [path], http: [key] };
  return { match: match(whenFields(key, strings(c.values), strings(c.notValues))), kept: [path], dropped: [], http: [] };
}

/** The match fields one L4 `when` key fills (authorization.go handleRule whenMatch). */
function whenFields(key: string, values: readonly string[], notValues: readonly string[]): Partial<ZtunnelMatch> {
  switch (key) {
    case 'source.namespace': return { namespaces: stringMatches(values), notNamespaces: stringMatches(notValues) };
    case 'source.principal': return { principals: stringMatches(values), notPrincipals: stringMatches(notValues) };
    case 'source.ip': return { sourceIps: ipNets(values), notSourceIps: ipNets(notValues) };
    case 'destination.ip': return { destinationIps: ipNets(values), notDestinationIps: ipNets(notValues) };
    default: return { destinationPorts: ports(values), notDestinationPorts: ports(notValues) };
  }
}

/** The clauses of one rule in istiod's order: `to`, then `from`, then one per `when` condition. */
function ruleClauses(rule: Record<string, unknown>, rulePath: string, policyNamespace: string): ClauseOutcome[] {
  const clauses: ClauseOutcome[] = [];
  const tos = listOrEmpty(rule.to);
  if (tos.length > 0) clauses.push({ entries: tos.map((t, i) => convertTo(t, `${rulePath}/to/${i}`)) });
  const froms = listOrEmpty(rule.from);
  if (froms.length > 0) clauses.push({ entries: froms.map((f, i) => convertFrom(f, `${rulePath}/from/${i}`, policyNamespace)) });
  listOrEmpty(rule.when).forEach((w, i) => clauses.push({ entries: [convertWhen(w, `${rulePath}/when/${i}`)] }));
  return clauses;
}

function isTrue(v: unknown): boolean {
  return typeof v === 'string' && TRUE_STRINGS.has(v);
}

function actionOf(spec: Record<string, unknown>): AuthorizationAction {
  return typeof spec.action === 'string' && ACTIONS.has(spec.action) ? spec.action as AuthorizationAction : 'ALLOW';
}

/** The policy's targetRefs, or its legacy `targetRef` when `targetRefs` is empty (policyattachment.go GetTargetRefs). */
export function policyTargetRefs(manifest: Manifest): readonly PolicyTargetRef[] {
  const spec = objectOrEmpty(manifest.spec);
  const raw = listOrEmpty(spec.targetRefs);
  const list = raw.length > 0 ? raw : isPlainObject(spec.targetRef) ? [spec.targetRef] : [];
  return Object.freeze(list.map((r) => {
    const t = objectOrEmpty(r);
    const str = (v: unknown): string => typeof v === 'string' ? v : '';
    return Object.freeze({ group: str(t.group), kind: str(t.kind), name: str(t.name), ...(str(t.namespace) ? { namespace: str(t.namespace) } : {}) });
  }));
}

interface RuleConversion {
  readonly clauses: readonly ClauseOutcome[];
  readonly http: readonly string[];
  readonly sent: boolean;
}

function convertRules(spec: Record<string, unknown>, action: 'ALLOW' | 'DENY', policyNamespace: string): RuleConversion[] {
  return listOrEmpty(spec.rules).map((raw, index) => {
    const clauses = ruleClauses(objectOrEmpty(raw), pointer('spec', 'rules', index), policyNamespace);
    const http = [...new Set(clauses.flatMap((c) => c.entries.flatMap((e) => e.http)))];
    // ALLOW rules with an HTTP attribute never match, so istiod leaves them out; DENY keeps their L4 part.
    return { clauses, http, sent: !(action === 'ALLOW' && http.length > 0) };
  });
}

/**
 * What istiod sends ztunnel for an AuthorizationPolicy, and the status it
 * writes. `namespace` defaults to the manifest's (it scopes bare service
 * account names and decides NAMESPACE against GLOBAL). `dryRunEnabled` is
 * istiod's AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY (default false).
 */
export function convertForZtunnel(
  manifest: Manifest, rootNamespace: string, options: { namespace?: string; dryRunEnabled?: boolean } = {},
): ZtunnelConversion {
  const spec = objectOrEmpty(manifest.spec);
  const md = objectOrEmpty(manifest.metadata);
  const namespace = options.namespace ?? refOf(manifest).namespace;
  const name = refOf(manifest).name;
  const dryRun = isTrue(stringMap(md.annotations)[DRY_RUN]);
  if (dryRun && !options.dryRunEnabled) {
    return { authorization: null, httpFields: [], status: { reason: 'UnsupportedValue', message: `found policy "${namespace}/${name}" using dry-run annotation, but support for ambient dry-run authorizationPolicies isn't enabled` } };
  }
  if (policyTargetRefs(manifest).length > 0) return { authorization: null, httpFields: [] };
  const written = actionOf(spec);
  if (written !== 'ALLOW' && written !== 'DENY') {
    return { authorization: null, httpFields: [], status: { reason: 'UnsupportedValue', message: `ztunnel does not support the ${written} action` } };
  }
  const rules = convertRules(spec, written, namespace);
  const scope = isPlainObject(spec.selector) ? 'WORKLOAD_SELECTOR' : namespace === rootNamespace ? 'GLOBAL' : 'NAMESPACE';
  const clauseOf = (c: ClauseOutcome): ZtunnelClause => Object.freeze({ matches: Object.freeze(c.entries.map((e) => e.match)) });
  const groups = rules.filter((r) => r.sent).map((r): ZtunnelRule => Object.freeze({ rules: Object.freeze(r.clauses.map(clauseOf)) }));
  const httpFields = [...new Set(rules.flatMap((r) => r.http))].sort();
  const authorization: ZtunnelAuthorization = Object.freeze({ name, namespace, scope, action: written, groups: Object.freeze(groups), dryRun });
  if (httpFields.length === 0) return { authorization, httpFields };
  const consequence = written === 'DENY'
    ? 'DENY policy with HTTP attributes is enforced without the HTTP rules. This will be more restrictive than requested.'
    : 'Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested.';
  return {
    authorization,
    httpFields,
    status: { reason: 'UnsupportedValue', message: `ztunnel does not support HTTP attributes (found: ${httpFields.join(', ')}). In ambient mode you must use a waypoint proxy to enforce HTTP rules. ${consequence}` },
  };
}

// ---------------------------------------------------------------------------
// Who enforces what
// ---------------------------------------------------------------------------

function ruleEffect(r: RuleConversion): ZtunnelRuleEffect {
  if (!r.sent) return 'matches-nothing';
  let broadened = false;
  let narrowed = false;
  for (const clause of r.clauses) {
    const lost = clause.entries.filter((e) => isEmptyZtunnelMatch(e.match));
    if (lost.length === clause.entries.length) return 'matches-nothing';
    if (lost.length > 0) narrowed = true;
    if (clause.entries.some((e) => e.http.length > 0 && !isEmptyZtunnelMatch(e.match))) broadened = true;
  }
  return broadened && narrowed ? 'broadened-and-narrowed' : broadened ? 'broadened' : narrowed ? 'narrowed' : 'as-written';
}

function policyEffect(action: 'ALLOW' | 'DENY', rules: readonly ZtunnelRuleEnforcement[]): ZtunnelPolicyEffect {
  const changed = rules.filter((r) => r.effect !== 'as-written');
  if (changed.length === 0) return 'as-written';
  if (action === 'ALLOW') return changed.length === rules.length && rules.every((r) => r.effect === 'matches-nothing') ? 'denies-everything' : 'denies-more';
  const more = changed.some((r) => r.effect === 'broadened' || r.effect === 'broadened-and-narrowed');
  const less = changed.some((r) => r.effect !== 'broadened');
  return more && less ? 'denies-more-and-less' : more ? 'denies-more' : 'denies-less';
}

function attachmentOf(manifest: Manifest, namespace: string, rootNamespace: string, targetRefs: readonly PolicyTargetRef[]): AuthorizationAttachment {
  if (targetRefs.length > 0) return 'targetRefs';
  if (isPlainObject(objectOrEmpty(manifest.spec).selector)) return 'selector';
  return namespace === rootNamespace ? 'root-namespace' : 'namespace';
}

function notEnforced(action: AuthorizationAction, why: string, conversion: ZtunnelConversion): ZtunnelEnforcement {
  return Object.freeze({ enforced: false, why, action, rules: [], effect: 'not-enforced', httpFields: conversion.httpFields, conversion });
}

function ztunnelEnforcement(
  manifest: Manifest, namespace: string, rootNamespace: string, action: AuthorizationAction, dryRunEnabled: boolean,
): ZtunnelEnforcement {
  const conversion = convertForZtunnel(manifest, rootNamespace, { namespace, dryRunEnabled });
  const spec = objectOrEmpty(manifest.spec);
  if (policyTargetRefs(manifest).length > 0) return notEnforced(action, 'targetRefs policies are for waypoints; istiod does not send them to ztunnel', conversion);
  if (conversion.authorization === null) {
    return notEnforced(action, action === 'AUDIT' || action === 'CUSTOM' ? `ztunnel does not support the ${action} action; istiod does not send the policy`
      : 'dry-run policies are not sent to ztunnel (AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY is off)', conversion);
  }
  if (conversion.authorization.dryRun) return notEnforced(action, 'dry-run: ztunnel only logs what the policy would do', conversion);
  // istiod attaches selector policies to workloads by their matchLabels; a selector without labels selects none (workloads.go buildWorkloadPolicies).
  if (isPlainObject(spec.selector) && isEmptyLabels(stringMap(objectOrEmpty(spec.selector).matchLabels))) {
    return notEnforced(action, 'a selector without matchLabels is attached to no workload by istiod (sidecars treat it as namespace-wide) [U]', conversion);
  }
  const ztAction = conversion.authorization.action;
  const rules = convertRules(spec, ztAction, namespace).map((r, index): ZtunnelRuleEnforcement => {
    const kept = r.sent ? r.clauses.flatMap((c) => c.entries.flatMap((e) => e.kept)) : [];
    const dropped = r.clauses.flatMap((c) => c.entries.flatMap((e) => (r.sent ? e.dropped : [...e.kept, ...e.dropped])));
    return Object.freeze({
      index,
      sent: r.sent,
      keptFields: Object.freeze(kept),
      droppedFields: Object.freeze(dropped),
      httpFields: Object.freeze([...r.http].sort()),
      effect: ruleEffect(r),
    });
  });
  const scope = conversion.authorization.scope;
  const who = scope === 'WORKLOAD_SELECTOR' ? 'the destination ztunnel of each ambient workload the selector matches'
    : scope === 'GLOBAL' ? 'the destination ztunnel of every ambient workload in the mesh' : `the destination ztunnel of every ambient workload in namespace ${namespace}`;
  return Object.freeze({
    enforced: true,
    why: `enforced by ${who}${conversion.httpFields.length > 0 ? `, without its HTTP attributes (${conversion.httpFields.join(', ')})` : ''}`,
    action,
    rules: Object.freeze(rules),
    effect: policyEffect(ztAction, rules),
    httpFields: conversion.httpFields,
    conversion,
  });
}

/**
 * Who enforces an AuthorizationPolicy (SEMANTICS.md §1 rule 9): targetRefs
 * policies only waypoints (policyattachment.go ShouldAttachPolicy), which
 * ignore every other policy; selector, namespace and root-namespace policies
 * sidecars and the destination ztunnel, which drops HTTP attributes and
 * ignores AUDIT and CUSTOM (ambient authorization.go).
 */
export function authorizationEnforcement(
  manifest: Manifest, rootNamespace: string, options: { namespace?: string; dryRunEnabled?: boolean } = {},
): AuthorizationEnforcement {
  const base = refOf(manifest);
  const namespace = options.namespace ?? base.namespace;
  const action = actionOf(objectOrEmpty(manifest.spec));
  const targetRefs = policyTargetRefs(manifest);
  const attachment = attachmentOf(manifest, namespace, rootNamespace, targetRefs);
  const dryRun = isTrue(stringMap(objectOrEmpty(manifest.metadata).annotations)[DRY_RUN]);
  const onProxies = (applies: boolean): 'enforces' | 'ignores' | 'dry-run' => (!applies ? 'ignores' : dryRun ? 'dry-run' : 'enforces');
  return Object.freeze({
    ref: { ...base, namespace },
    action,
    attachment,
    targetRefs,
    dryRun,
    waypoint: onProxies(attachment === 'targetRefs'),
    ztunnel: ztunnelEnforcement(manifest, namespace, rootNamespace, action, options.dryRunEnabled ?? false),
    sidecar: onProxies(attachment !== 'targetRefs'),
  });
}

// ---------------------------------------------------------------------------
// Waypoint binding of targetRefs (ambient policies.go WaypointPolicyStatusCollection)
// ---------------------------------------------------------------------------

/** A Service or ServiceEntry as waypoint binding reads it. */
export interface NamedLabelledObject {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
}

/** The objects targetRefs can name, for binding them offline. */
export interface WaypointPolicyWorld {
  readonly services: readonly NamedLabelledObject[];
  readonly serviceEntries: readonly NamedLabelledObject[];
  readonly gateways: readonly GatewayInfo[];
  readonly classes: readonly GatewayClassInfo[];
  /** The labels of a Namespace, or undefined when it is not in the input. */
  readonly namespaceLabels: (namespace: string) => Labels | undefined;
  readonly options?: WaypointOptions;
}

export type WaypointPolicyReason = 'Accepted' | 'Invalid' | 'TargetNotFound' | 'AncestorNotBound' | 'unknown';

export interface WaypointPolicyBinding {
  readonly target: PolicyTargetRef;
  /** `Kind.group:namespace/name`, as istiod writes it in the policy status (`core` for the empty group). */
  readonly ancestor: string;
  readonly bound: boolean;
  readonly reason: WaypointPolicyReason;
  readonly message: string;
  /** The waypoint the policy reaches through this target, when one is known. */
  readonly waypoint?: WaypointRef;
  /** Where the status and what waypoints actually do part, one sentence each. */
  readonly problems: readonly string[];
  /** True when binding assumed something the input does not show (istiod's own GatewayClass, readiness). */
  readonly assumed: boolean;
}

function findNamed(list: readonly NamedLabelledObject[], namespace: string, name: string): NamedLabelledObject | undefined {
  return list.find((o) => o.namespace === namespace && o.name === name);
}

function bindTarget(target: PolicyTargetRef, policyNamespace: string, rootNamespace: string, world: WaypointPolicyWorld): WaypointPolicyBinding {
  const namespace = target.namespace || policyNamespace;
  const key = `${namespace}/${target.name}`;
  const ancestor = `${target.kind}.${target.group || 'core'}:${key}`;
  const problems: string[] = [];
  // Waypoints only attach targets in the policy's own namespace (policyattachment.go ShouldAttachPolicy).
  if (target.kind !== 'GatewayClass' && namespace !== policyNamespace) problems.push(`${target.kind} ${key} is outside the policy's namespace ${policyNamespace}: no waypoint attaches it`);
  type Extra = { waypoint?: WaypointRef; assumed?: boolean };
  const out = (bound: boolean, reason: WaypointPolicyReason, message: string, extra: Extra = {}): WaypointPolicyBinding =>
    Object.freeze({
      target,
      ancestor,
      bound,
      reason,
      message,
      ...(extra.waypoint ? { waypoint: extra.waypoint } : {}),
      problems: Object.freeze(problems),
      assumed: extra.assumed ?? false,
    });
  const options = world.options ?? {};
  switch (target.kind) {
    case 'GatewayClass': {
      if (policyNamespace !== rootNamespace) return out(false, 'Invalid', `AuthorizationPolicy must be in the root namespace \`${rootNamespace}\` when referencing a GatewayClass`);
      const cls = world.classes.find((c) => c.name === target.name);
      // istiod creates the istio-waypoint class itself, so an input without it still has it.
      if (!cls && target.name !== WAYPOINT_GATEWAY_CLASS) return out(false, 'TargetNotFound', 'not bound');
      if (cls && cls.controllerName !== MESH_CONTROLLER) return out(false, 'Invalid', `GatewayClass must use controller name \`${MESH_CONTROLLER}\` for waypoints`);
      if (target.name !== WAYPOINT_GATEWAY_CLASS) problems.push(`waypoints attach GatewayClass policies only for ${WAYPOINT_GATEWAY_CLASS}, so ${target.name} binds in status only`);
      return out(true, 'Accepted', `bound to ${target.name}`, { assumed: !cls });
    }
    case 'Gateway': {
      const ready = (g: GatewayInfo): boolean => !options.requireReadyStatus || g.hasStatusAddresses;
      const gw = world.gateways.find((g) => g.namespace === namespace && g.name === target.name && ready(g));
      if (!gw) return out(false, 'TargetNotFound', 'not bound');
      return out(true, 'Accepted', `bound to ${gw.namespace}/${gw.name}`, { waypoint: { namespace: gw.namespace, name: gw.name }, assumed: !gw.hasStatusAddresses });
    }
    case 'Service':
    case 'ServiceEntry': {
      const obj = findNamed(target.kind === 'Service' ? world.services : world.serviceEntries, namespace, target.name);
      if (!obj) return out(false, 'TargetNotFound', `${target.kind} ${key} was not found`);
      const binding = waypointFor({ kind: target.kind, namespace: obj.namespace, name: obj.name, labels: obj.labels }, world.namespaceLabels(obj.namespace), world.gateways, world.classes, 'service', options);
      if (!binding.waypoint) return out(false, 'AncestorNotBound', `${target.kind} ${key} is not bound to a waypoint`);
      return out(true, 'Accepted', `bound to ${binding.waypoint.namespace}/${binding.waypoint.name}`, { waypoint: binding.waypoint, assumed: binding.assumedReady });
    }
    default:
      return out(false, 'unknown', 'not bound');
  }
}

/**
 * Whether each targetRef of a policy reaches a waypoint, with istiod's status
 * reason and message. A targetRefs policy whose every binding is unbound is
 * enforced nowhere: sidecars and ztunnel ignore it.
 */
export function waypointPolicyBindings(
  manifest: Manifest, rootNamespace: string, world: WaypointPolicyWorld, namespace?: string,
): readonly WaypointPolicyBinding[] {
  const policyNamespace = namespace ?? refOf(manifest).namespace;
  return Object.freeze(policyTargetRefs(manifest).map((t) => bindTarget(t, policyNamespace, rootNamespace, world)));
}

// ---------------------------------------------------------------------------
// Evaluation (istio/ztunnel 1.30.3 src/rbac.rs Authorization::matches, src/state.rs assert_rbac)
// ---------------------------------------------------------------------------

/** A SPIFFE identity as ztunnel sees the peer of an HBONE connection. */
export interface ZtunnelIdentity {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** One inbound connection at the destination ztunnel; plaintext has no identity. */
export interface ZtunnelConnection {
  readonly sourceIp: string;
  readonly destinationIp: string;
  readonly destinationPort: number;
  readonly sourceIdentity?: ZtunnelIdentity | null;
}

/** How ztunnel compares one string match with a value (rbac.rs StringMatch::matches). */
export function ztunnelStringMatches(m: ZtunnelStringMatch, value: string): boolean {
  switch (m.kind) {
    case 'prefix': return value.startsWith(m.value);
    case 'suffix': return value.endsWith(m.value);
    case 'exact': return value === m.value;
    default: return value !== '';
  }
}

function either<T>(positive: readonly T[], negative: readonly T[], test: (t: T) => boolean): boolean {
  return (positive.length === 0 || positive.some(test)) && (negative.length === 0 || !negative.some(test));
}

function matchMatches(m: ZtunnelMatch, conn: ZtunnelConnection): boolean {
  const identity = conn.sourceIdentity ?? undefined;
  // Principals are compared without the spiffe:// prefix, and a connection without identity has none to strip.
  const principal = identity ? `${identity.trustDomain}/ns/${identity.namespace}/sa/${identity.serviceAccount}` : undefined;
  const namespace = identity?.namespace ?? '';
  const sameAccount = (sa: ZtunnelServiceAccountMatch): boolean =>
    identity !== undefined && sa.namespace === identity.namespace && sa.serviceAccount === identity.serviceAccount;
  return either(m.destinationIps, m.notDestinationIps, (net) => cidrContains(net, conn.destinationIp))
    && either(m.sourceIps, m.notSourceIps, (net) => cidrContains(net, conn.sourceIp))
    && either(m.destinationPorts, m.notDestinationPorts, (p) => p === conn.destinationPort)
    && either(m.serviceAccounts, m.notServiceAccounts, sameAccount)
    && either(m.principals, m.notPrincipals, (p) => principal !== undefined && ztunnelStringMatches(p, principal))
    && either(m.namespaces, m.notNamespaces, (n) => ztunnelStringMatches(n, namespace));
}

/**
 * True when ztunnel counts the policy as matching the connection: a policy
 * with no rule never matches; a rule matches when all its clauses do; a
 * clause matches when it is empty or any of its non-empty matches does.
 */
export function ztunnelPolicyMatches(policy: Pick<ZtunnelAuthorization, 'groups'>, conn: ZtunnelConnection): boolean {
  return policy.groups.some((group) => group.rules.every((clause) =>
    clause.matches.length === 0 || clause.matches.some((m) => !isEmptyZtunnelMatch(m) && matchMatches(m, conn))));
}

export interface ZtunnelDecision {
  readonly allowed: boolean;
  /** `namespace/name` of the DENY policy that matched, when one did. */
  readonly deniedBy?: string;
  readonly reason: string;
}

/**
 * ztunnel's verdict over the policies that apply to a destination workload:
 * any matching DENY denies; no ALLOW allows; a matching ALLOW allows; else
 * deny. Dry-run policies only log.
 */
export function ztunnelDecision(policies: readonly ZtunnelAuthorization[], conn: ZtunnelConnection): ZtunnelDecision {
  const live = policies.filter((p) => !p.dryRun);
  const deny = live.find((p) => p.action === 'DENY' && ztunnelPolicyMatches(p, conn));
  if (deny) return { allowed: false, deniedBy: `${deny.namespace}/${deny.name}`, reason: `DENY policy ${deny.namespace}/${deny.name} matches` };
  const allows = live.filter((p) => p.action === 'ALLOW');
  if (allows.length === 0) return { allowed: true, reason: 'no ALLOW policy applies' };
  const allow = allows.find((p) => ztunnelPolicyMatches(p, conn));
  return allow ? { allowed: true, reason: `ALLOW policy ${allow.namespace}/${allow.name} matches` } : { allowed: false, reason: 'no ALLOW policy matches' };
}

// ---------------------------------------------------------------------------
// IP addresses as Go's net/netip parses them
// ---------------------------------------------------------------------------

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    // netip rejects leading zeros and values over 255.
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    bytes.push(Number(p));
  }
  return bytes;
}

function parseIpv6(s: string): number[] | undefined {
  const zoneless = s.split('%')[0];
  let tail: number[] = [];
  let text = zoneless;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.') && lastColon >= 0) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !rest) return undefined;
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest];
  const bytes = all.flatMap((g) => [Math.floor(g / 256), g % 256]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function parseIp(s: string): number[] | undefined {
  return s.includes(':') ? parseIpv6(s) : parseIpv4(s);
}

function parseNet(s: string): { bytes: number[]; bits: number } | undefined {
  if (s.length === 0) return undefined;
  const slash = s.indexOf('/');
  const bytes = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!bytes || (slash >= 0 && s.includes('%'))) return undefined;
  if (slash < 0) return { bytes, bits: bytes.length * 8 };
  const bitsText = s.slice(slash + 1);
  if (!/^(0|[1-9]\d*)$/.test(bitsText) || Number(bitsText) > bytes.length * 8) return undefined;
  return { bytes, bits: Number(bitsText) };
}

function formatIp(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] * 256 + bytes[i + 1]).toString(16));
  return groups.join(':');
}

/** True when the IP lies in the `address/length` network (the address is masked first, as ipnet does). */
function cidrContains(net: string, ip: string): boolean {
  const parsed = parseNet(net);
  const addr = parseIp(ip);
  if (!parsed || !addr || addr.length !== parsed.bytes.length) return false;
  // Bit `i` (0 = most significant) of a byte.
  const bitOf = (byte: number, i: number): number => Math.floor(byte / 2 ** (7 - i)) % 2;
  for (let bit = 0; bit < parsed.bits; bit++) {
    const byte = Math.floor(bit / 8);
    if (bitOf(parsed.bytes[byte], bit % 8) !== bitOf(addr[byte], bit % 8)) return false;
  }
  return true;
}
