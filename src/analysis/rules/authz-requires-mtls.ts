import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { listOrEmpty, objectOrEmpty } from '../../model/manifest';
import { AuthorizationPolicyInfo, IdentityUse } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { enforcementOf } from '../../resolution/ambient-bindings';
import { clientTlsFromLookup } from '../../resolution/client-tls';
import { InboundPort } from '../../resolution/inbound';
import { ModeDecision } from '../../resolution/server-mode';
import { ANY_OTHER_NAMESPACE, AnalysisContext, describeDecision, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const AUTHZ_REQUIRES_MTLS: RuleInfo = {
  code: 'IMA009',
  category: 'authz-requires-mtls',
  severity: 'error',
  title: 'Identity-based authorization where callers do not present an mTLS identity',
  explanation: 'principals, namespaces, serviceAccounts and the source.principal / source.namespace / connection.sni conditions '
    + 'only match mTLS traffic (Istio mTLS, or HBONE in ambient). Each port is judged by what it takes in fact, and only ports '
    + 'that accept plaintext: a STRICT port resets plaintext before authorization runs (plaintext-client-to-strict and '
    + 'dr-disables-tls-to-strict report those callers). An ALLOW rule on them denies every caller that reaches the port without '
    + 'mTLS: reported when the port is DISABLE or when mesh clients send plaintext to a PERMISSIVE port (a DestinationRule with '
    + 'tls DISABLE, or auto mTLS off with no ISTIO_MUTUAL rule). A DENY rule on them is bypassed by any plaintext caller: '
    + 'reported whenever the port accepts plaintext (PERMISSIVE or DISABLE, in a sidecar or in ambient, where ztunnel enforces '
    + 'the policy and DISABLE means PERMISSIVE). notPrincipals, notNamespaces and notServiceAccounts match plaintext callers, '
    + 'which carry no identity to exclude: an ALLOW rule that excludes callers this way admits the excluded ones over plaintext, '
    + 'reported on ports that accept it. Where plaintext never reaches the enforcer (a workload without a proxy, a port its '
    + 'sidecar does not capture, an ambient pod with ambient.istio.io/bypass-inbound-capture) the policy is not applied to it '
    + 'at all: ALLOW and DENY are both bypassed. Client sidecars and ztunnel send HBONE to ambient pods whatever the '
    + 'DestinationRules say, so mesh callers of an ambient pod always carry an identity; rules ztunnel does not receive (HTTP '
    + 'attributes in an ALLOW rule) are left to the ztunnel rules. Kiali reports KIA0105 for ALLOW, DENY and other actions '
    + 'alike, judging the namespace and mesh policies as a whole: with auto mTLS on only where a DISABLE PeerAuthentication or '
    + 'DestinationRule applies (so not for PERMISSIVE namespaces, nor for a DENY on a PERMISSIVE workload port, which plaintext '
    + 'callers bypass); with it off everywhere unless a PeerAuthentication and an ISTIO_MUTUAL rule both enable mTLS, including '
    + 'where mesh clients do send mTLS (an ISTIO_MUTUAL rule without a PeerAuthentication) and STRICT ports, where plaintext '
    + 'never reaches the policy.',
  source: 'AuthorizationPolicy reference ("requires mutual TLS"), pilot/pkg/security/authz, pilot/pkg/serviceregistry/ambient/authorization.go',
  upstream: 'Istio 1.30.3; Kiali v2.30.0 KIA0105',
};

interface Problem {
  readonly where: string;
  readonly why: string;
  /** The policy is not applied to plaintext at all (the traffic never reaches the enforcer). */
  readonly bypass?: boolean;
  readonly related?: ModeDecision;
}

/** What the rule needs of a port: its mode, and whether its traffic reaches the enforcer. */
type PortFacts = Pick<InboundPort, 'mode' | 'possibleModes' | 'decidedBy' | 'level' | 'captured' | 'enforcedBy' | 'note'>;

/** The identity requirements of a policy (not* fields match plaintext too, so they require nothing). */
function relevantUses(ap: AuthorizationPolicyInfo): IdentityUse[] {
  const out: IdentityUse[] = [];
  for (const r of ap.rules) for (const u of r.identityUses) if (!u.negative) out.push(u);
  return out;
}

/** Source fields that only a caller with an mTLS identity can match. */
const IDENTITY_SOURCE_FIELDS = ['principals', 'namespaces', 'serviceAccounts', 'trustDomains'];
/** Condition keys read from the caller's mTLS identity or its TLS handshake. */
const IDENTITY_CONDITION_KEYS: ReadonlySet<string> = new Set(['source.principal', 'source.namespace', 'source.serviceAccount', 'source.trustDomain', 'connection.sni']);

const hasStrings = (v: unknown): boolean => listOrEmpty(v).some((x) => typeof x === 'string');

/** True when a `when` list has a condition that only mTLS callers satisfy (its `values` name an identity). */
function whenNeedsIdentity(rule: Record<string, unknown>): boolean {
  return listOrEmpty(rule.when).some((c) => {
    const cond = objectOrEmpty(c);
    return typeof cond.key === 'string' && IDENTITY_CONDITION_KEYS.has(cond.key) && hasStrings(cond.values);
  });
}

function sourceNeedsIdentity(from: unknown): boolean {
  const source = objectOrEmpty(objectOrEmpty(from).source);
  return IDENTITY_SOURCE_FIELDS.some((f) => hasStrings(source[f]));
}

/**
 * Whether rule `index` of the policy can match a caller without an mTLS
 * identity (plaintext): no condition needs one, and it has no `from` or some
 * `from` source asks for no identity (not* fields match plaintext too).
 */
export function ruleMatchesPlaintext(ap: AuthorizationPolicyInfo, index: number): boolean {
  const rule = objectOrEmpty(listOrEmpty(ap.spec.rules)[index]);
  if (whenNeedsIdentity(rule)) return false;
  const froms = listOrEmpty(rule.from);
  return froms.length === 0 || froms.some((f) => !sourceNeedsIdentity(f));
}

/** The not* identity uses of an ALLOW policy that a plaintext caller gets past: in rules and sources that match plaintext. */
function plaintextExclusions(ap: AuthorizationPolicyInfo): IdentityUse[] {
  const out: IdentityUse[] = [];
  for (const r of ap.rules) {
    // Most rules exclude no one: the spec is read only for those that do.
    if (!r.identityUses.some((u) => u.negative) || !ruleMatchesPlaintext(ap, r.index)) continue;
    const froms = listOrEmpty(objectOrEmpty(listOrEmpty(ap.spec.rules)[r.index]).from);
    for (const u of r.identityUses) {
      if (!u.negative) continue;
      const from = /\/from\/(\d+)\//.exec(u.path);
      // An exclusion beside an identity requirement in the same source is never reached by plaintext.
      if (from && sourceNeedsIdentity(froms[Number(from[1])])) continue;
      out.push(u);
    }
  }
  return out;
}

function relevantPorts(ap: AuthorizationPolicyInfo, uses: readonly IdentityUse[]): number[] | undefined {
  const ruleIdx = new Set(uses.map((u) => u.ruleIndex));
  const ports: number[] = [];
  for (const r of ap.rules) {
    if (!ruleIdx.has(r.index)) continue;
    if (!r.ports) return undefined;
    ports.push(...r.ports);
  }
  return [...new Set(ports)];
}

/** Whether representative mesh clients with a sidecar send plaintext to a host, and the reason. */
function plaintextFromMesh(ctx: AnalysisContext, ownNamespace: string, hostname: string, hostNs: string, servicePort: number): string | undefined {
  for (const client of ctx.clientContexts(ownNamespace)) {
    const lookup = ctx.lookup(client, hostname, hostNs);
    const tls = clientTlsFromLookup(ctx.model, true, lookup, servicePort, undefined);
    if (tls.tls === 'plaintext') {
      const who = client.namespace === ANY_OTHER_NAMESPACE ? 'clients in other namespaces' : `clients in ${client.namespace}`;
      return `${who} send plaintext (${tls.reason})`;
    }
  }
  return undefined;
}

/** True when the port may take plaintext: a STRICT port resets it before authorization runs. */
const acceptsPlaintext = (port: Pick<PortFacts, 'possibleModes'>): boolean => port.possibleModes.some((m) => m !== 'STRICT');

/** `exclusion`: judge an ALLOW rule's not* fields, which plaintext callers get past. Where the problem is, the caller adds. */
function judgePort(action: string, port: PortFacts, exclusion = false): Omit<Problem, 'where'> | undefined {
  if (!port.captured) {
    const why = port.enforcedBy === 'ztunnel'
      ? 'plaintext bypasses ztunnel (ambient.istio.io/bypass-inbound-capture), so plaintext callers, which carry no identity, are never checked'
      : port.enforcedBy === 'none'
        ? `no proxy receives its traffic (${port.note ?? 'no sidecar'}), so nothing enforces the policy and callers carry no identity`
        : 'the sidecar does not capture the port, so plaintext reaches the application unchecked and callers carry no identity';
    return { why, bypass: true };
  }
  const ztunnel = port.enforcedBy === 'ztunnel' ? ' in ambient (ztunnel)' : '';
  if (exclusion) {
    return acceptsPlaintext(port)
      ? { why: `the port is ${describeDecision(port)}${ztunnel} and accepts plaintext, whose callers carry no identity to exclude`, related: port }
      : undefined;
  }
  if (port.possibleModes.includes('DISABLE')) {
    return { why: `the port is ${describeDecision(port)}, so no caller has an mTLS identity`, related: port };
  }
  if (action === 'DENY' && port.possibleModes.includes('PERMISSIVE')) {
    return { why: `the port is ${describeDecision(port)}${ztunnel} and accepts plaintext callers, which carry no identity`, related: port };
  }
  return undefined;
}

function problemsOnWorkload(
  ctx: AnalysisContext, ap: AuthorizationPolicyInfo, w: Workload, ports: number[] | undefined, exclusion: boolean,
): Problem[] {
  const out: Problem[] = [];
  const inbound = ctx.inbound(w);
  const ambient = inbound.dataplane.dataplane === 'ambient';
  const checked = ports ?? (inbound.ports.length ? inbound.ports.map((p) => p.port) : undefined);
  const decisions: { port?: number; facts: PortFacts }[] = checked
    ? checked.map((port) => ({ port, facts: inbound.port(port) }))
    : [{ facts: workloadFacts(ctx, w) }];
  for (const d of decisions) {
    const p = judgePort(ap.action, d.facts, exclusion);
    if (p) out.push({ where: `${describeWorkload(w)}${d.port !== undefined ? `:${d.port}` : ''}`, ...p });
  }
  // Client sidecars and ztunnel send HBONE to ambient pods, whatever the DestinationRules.
  if (out.length || ambient || exclusion) return out;
  for (const s of ctx.model.servicesSelecting(w)) {
    for (const ep of ctx.cache.endpointsOf(s)) {
      if (ep.server !== w || (checked && !checked.includes(ep.targetPort))) continue;
      // A STRICT port resets the plaintext before authorization: the callers' finding, not the policy's.
      if (!acceptsPlaintext(inbound.port(ep.targetPort))) continue;
      const why = plaintextFromMesh(ctx, ap.namespace, s.hostname, s.namespace, ep.port.port);
      if (why) out.push({ where: `${describeWorkload(w)}:${ep.targetPort} (Service ${s.name}:${ep.port.port})`, why });
    }
  }
  return out;
}

/** The workload-level facts of a workload without ports: its mode, as its proxy reads it. */
function workloadFacts(ctx: AnalysisContext, w: Workload): PortFacts {
  const inbound = ctx.inbound(w);
  const plane = inbound.dataplane;
  if (plane.dataplane === 'ambient') {
    const a = inbound.ambient!;
    const bypassed = /bypass-inbound-capture/.test(plane.reason);
    return { mode: a.mode, possibleModes: a.possibleModes, decidedBy: a.decidedBy, level: 'workload', captured: !bypassed, enforcedBy: 'ztunnel' };
  }
  const server = ctx.server(w);
  if (plane.dataplane === 'none') return { ...server, captured: false, enforcedBy: 'none', note: 'no proxy: nothing enforces the mode' };
  return { ...server, captured: true, enforcedBy: 'sidecar' };
}

/** Whether a workload's proxy applies the policy: a sidecar, or ztunnel on an ambient pod for the rules it receives. */
function targetUses(ctx: AnalysisContext, ap: AuthorizationPolicyInfo, w: Workload, sidecarUses: IdentityUse[]): IdentityUse[] {
  const d = ctx.dataplane(w);
  if (d.dataplane === 'none') return d.assumed ? [] : sidecarUses;
  if (d.dataplane === 'sidecar') return d.admitted ? sidecarUses : [];
  const z = enforcementOf(ctx.model, ap).ztunnel;
  if (!z.enforced) return [];
  return sidecarUses.filter((u) => z.rules.find((r) => r.index === u.ruleIndex)?.sent ?? false);
}

/** The finding for `uses` of one policy (identity requirements, or for `exclusion` the not* fields of an ALLOW), if any port is hit. */
function judgePolicy(ctx: AnalysisContext, ap: AuthorizationPolicyInfo, allUses: IdentityUse[], exclusion: boolean): Finding | undefined {
  const m = ctx.model;
  const root = m.options.rootNamespace;
  const targets = ap.namespace === root
    ? (ap.selector ? m.workloadsMatchingAnywhere(ap.selector) : m.workloads)
    : m.workloadsMatching(ap.namespace, ap.selector ?? {});
  let problems: Problem[] = [];
  let uses = allUses;
  if (targets.length > 0) {
    const judged: IdentityUse[] = [];
    for (const w of targets) {
      const u = targetUses(ctx, ap, w, allUses);
      if (u.length === 0) continue;
      const found = problemsOnWorkload(ctx, ap, w, relevantPorts(ap, u), exclusion);
      if (found.length) { problems.push(...found); judged.push(...u.filter((x) => !judged.includes(x))); }
    }
    if (judged.length) uses = allUses.filter((u) => judged.includes(u));
  } else {
    // Workloads in scope are in the input but none matches: selector-matches-nothing says so.
    if (ap.namespace === root ? m.workloads.length > 0 : ctx.hasWorkloads(ap.namespace)) return undefined;
    // Workloads not in the input: judge what a workload with the policy's selector labels would get.
    const ns = ap.namespace === root ? ANY_OTHER_NAMESPACE : ap.namespace;
    const labels = ap.selector ?? {};
    const ambient = ctx.hypotheticalDataplane(ns, labels).dataplane === 'ambient';
    if (ambient && !enforcementOf(m, ap).ztunnel.enforced) return undefined;
    const ports = relevantPorts(ap, uses);
    type Decided = Pick<ModeDecision, 'mode' | 'possibleModes' | 'decidedBy'>;
    const server: Decided & { portMode(port: number): Decided } = ambient
      ? ctx.hypotheticalInbound(ns, labels).ambient!
      : ctx.hypotheticalMode(ns, labels);
    const enforcedBy = ambient ? 'ztunnel' as const : 'sidecar' as const;
    const decisions = ports ? ports.map((p) => ({ port: p, mode: server.portMode(p) })) : [{ port: undefined, mode: server }];
    const scope = ap.namespace === root ? 'workloads of the mesh' : `workloads of ${ap.namespace}`;
    for (const d of decisions) {
      const facts: PortFacts = { mode: d.mode.mode, possibleModes: d.mode.possibleModes, decidedBy: d.mode.decidedBy, level: 'workload', captured: true, enforcedBy };
      const p = judgePort(ap.action, facts, exclusion);
      if (p) problems.push({ where: `${scope}${d.port !== undefined ? ` port ${d.port}` : ''}`, ...p });
    }
    // Mesh clients' plaintext matters only where it is accepted: a STRICT port resets it before authorization.
    if (problems.length === 0 && !ambient && !exclusion && decisions.some((d) => acceptsPlaintext(d.mode))) {
      const why = plaintextFromMesh(ctx, ap.namespace, ctx.placeholder(ns), ns, ports?.[0] ?? 0);
      if (why) problems.push({ where: scope, why });
    }
  }
  if (problems.length === 0) return undefined;
  // The first of equal problems, in linear time: a policy over many workloads and ports has a problem for each pair.
  const seen = new Set<string>();
  problems = problems.filter((p) => {
    const key = `${p.where}\u0000${p.why}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const fields = [...new Set(uses.map((u) => u.field.replace(/^when:/, '')))].join(', ');
  const first = problems[0];
  const where = listSome(problems.map((p) => p.where));
  const related = first.related?.decidedBy ? [first.related.decidedBy.ref] : [];
  if (exclusion) {
    return findingOf(AUTHZ_REQUIRES_MTLS, {
      resource: ap.ref,
      path: uses[0].path,
      message: `AuthorizationPolicy ${ap.namespace}/${ap.name} (ALLOW) excludes callers by ${fields} in a rule that matches callers `
        + `without an identity, but on ${where} ${first.why}; ${first.bypass ? 'the ALLOW is not applied to them' : 'the excluded identities get in over plaintext'}`,
      fix: first.bypass
        ? 'give the workload a proxy that captures the port (inject a sidecar or enrol it in ambient, drop the capture exclusion) and make the port STRICT'
        : 'make the port STRICT so every caller carries an identity, or admit callers by principals or namespaces instead of excluding some',
      related,
    });
  }
  const effect = first.bypass ? `the ${ap.action} is not applied to them` : ap.action === 'ALLOW' ? 'these callers are silently denied' : 'the DENY is silently bypassed';
  return findingOf(AUTHZ_REQUIRES_MTLS, {
    resource: ap.ref,
    path: uses[0].path,
    message: `AuthorizationPolicy ${ap.namespace}/${ap.name} (${ap.action}) matches on ${fields}, which need mTLS, but on `
      + `${where} ${first.why}; ${effect}`,
    fix: first.bypass
      ? 'give the workload a proxy that captures the port (inject a sidecar or enrol it in ambient, drop the capture exclusion) and make the port STRICT'
      : ap.action === 'ALLOW'
        ? 'make the port STRICT (or PERMISSIVE with mesh clients on auto mTLS) and drop tls DISABLE from DestinationRules to it'
        : 'make the protected ports STRICT so no caller can arrive without an identity',
    related,
  });
}

export const authzRequiresMtls: AnalysisRule = {
  info: AUTHZ_REQUIRES_MTLS,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    for (const ap of ctx.model.authorizationPolicies) {
      if ((ap.action !== 'ALLOW' && ap.action !== 'DENY') || ap.hasTargetRefs) continue;
      const uses = relevantUses(ap);
      const required = uses.length > 0 ? judgePolicy(ctx, ap, uses, false) : undefined;
      if (required) out.push(required);
      const exclusions = ap.action === 'ALLOW' ? plaintextExclusions(ap) : [];
      const excluded = exclusions.length > 0 ? judgePolicy(ctx, ap, exclusions, true) : undefined;
      if (excluded) out.push(excluded);
    }
    return out;
  },
};
