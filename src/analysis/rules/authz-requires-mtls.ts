import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { AuthorizationPolicyInfo, IdentityUse } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { clientTlsFromLookup } from '../../resolution/client-tls';
import { ModeDecision } from '../../resolution/server-mode';
import { ANY_OTHER_NAMESPACE, AnalysisContext, describeDecision, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const AUTHZ_REQUIRES_MTLS: RuleInfo = {
  code: 'IMA009',
  category: 'authz-requires-mtls',
  severity: 'error',
  title: 'Identity-based authorization where callers do not present an mTLS identity',
  explanation: 'principals, namespaces, serviceAccounts and the source.principal / source.namespace / connection.sni conditions '
    + 'only match mTLS traffic. An ALLOW rule on them denies every caller that reaches the port without mTLS: reported when '
    + 'the port is DISABLE or when mesh clients send plaintext to it (a DestinationRule with tls DISABLE, or auto mTLS off '
    + 'with no ISTIO_MUTUAL rule). A DENY rule on them is bypassed by any plaintext caller: reported whenever the port '
    + 'accepts plaintext (PERMISSIVE or DISABLE). Kiali reports KIA0105 for ALLOW rules on PERMISSIVE namespaces even with '
    + 'auto mTLS, where mesh callers do send mTLS and only non-mesh callers (who hold no identity) are refused.',
  source: 'AuthorizationPolicy reference ("requires mutual TLS"), pilot/pkg/security/authz',
};

interface Problem {
  readonly where: string;
  readonly why: string;
  readonly related?: ModeDecision;
}

function relevantUses(ap: AuthorizationPolicyInfo): IdentityUse[] {
  return ap.rules.flatMap((r) => r.identityUses.filter((u) => !u.negative));
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

/** Whether representative mesh clients send plaintext to a host, and the reason. */
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

function judgeMode(action: string, mode: ModeDecision, where: string): Problem | undefined {
  if (mode.possibleModes.includes('DISABLE')) return { where, why: `the port is ${describeDecision(mode)}, so no caller has an mTLS identity`, related: mode };
  if (action === 'DENY' && mode.possibleModes.includes('PERMISSIVE')) {
    return { where, why: `the port is ${describeDecision(mode)} and accepts plaintext callers, which carry no identity`, related: mode };
  }
  return undefined;
}

function problemsOnWorkload(ctx: AnalysisContext, ap: AuthorizationPolicyInfo, w: Workload, ports: number[] | undefined): Problem[] {
  const out: Problem[] = [];
  const server = ctx.server(w);
  const checked = ports ?? (server.ports.length ? server.ports.map((p) => p.port) : undefined);
  const decisions: { port?: number; mode: ModeDecision }[] = checked
    ? checked.map((port) => ({ port, mode: server.portMode(port) }))
    : [{ mode: server }];
  for (const d of decisions) {
    const p = judgeMode(ap.action, d.mode, `${describeWorkload(w)}${d.port !== undefined ? `:${d.port}` : ''}`);
    if (p) out.push(p);
  }
  if (out.length) return out;
  for (const s of ctx.model.servicesSelecting(w)) {
    for (const ep of ctx.cache.endpointsOf(s)) {
      if (ep.server !== w || (checked && !checked.includes(ep.targetPort))) continue;
      const why = plaintextFromMesh(ctx, ap.namespace, s.hostname, s.namespace, ep.port.port);
      if (why) out.push({ where: `${describeWorkload(w)}:${ep.targetPort} (Service ${s.name}:${ep.port.port})`, why });
    }
  }
  return out;
}

export const authzRequiresMtls: AnalysisRule = {
  info: AUTHZ_REQUIRES_MTLS,
  check(ctx): Finding[] {
    const m = ctx.model;
    const root = m.options.rootNamespace;
    const out: Finding[] = [];
    for (const ap of m.authorizationPolicies) {
      if ((ap.action !== 'ALLOW' && ap.action !== 'DENY') || ap.hasTargetRefs) continue;
      const uses = relevantUses(ap);
      if (uses.length === 0) continue;
      const ports = relevantPorts(ap, uses);
      const targets = ap.namespace === root
        ? (ap.selector ? m.workloadsMatchingAnywhere(ap.selector) : m.workloads)
        : m.workloadsMatching(ap.namespace, ap.selector ?? {});
      let problems: Problem[] = [];
      if (targets.length > 0) {
        for (const w of targets) if (ctx.sidecar(w)) problems.push(...problemsOnWorkload(ctx, ap, w, ports));
      } else {
        // Workloads in scope are in the input but none matches: selector-matches-nothing says so.
        if (ap.namespace === root ? m.workloads.length > 0 : ctx.hasWorkloads(ap.namespace)) continue;
        // Workloads not in the input: judge what a workload with the policy's selector labels would get.
        const ns = ap.namespace === root ? ANY_OTHER_NAMESPACE : ap.namespace;
        const server = ctx.hypotheticalMode(ns, ap.selector ?? {});
        const decisions = ports ? ports.map((p) => ({ port: p, mode: server.portMode(p) })) : [{ port: undefined, mode: server as ModeDecision }];
        const scope = ap.namespace === root ? 'workloads of the mesh' : `workloads of ${ap.namespace}`;
        for (const d of decisions) {
          const p = judgeMode(ap.action, d.mode, `${scope}${d.port !== undefined ? ` port ${d.port}` : ''}`);
          if (p) problems.push(p);
        }
        if (problems.length === 0) {
          const why = plaintextFromMesh(ctx, ap.namespace, ctx.placeholder(ns), ns, ports?.[0] ?? 0);
          if (why) problems.push({ where: scope, why });
        }
      }
      if (problems.length === 0) continue;
      problems = problems.filter((p, i) => problems.findIndex((q) => q.where === p.where && q.why === p.why) === i);
      const fields = [...new Set(uses.map((u) => u.field.replace(/^when:/, '')))].join(', ');
      const effect = ap.action === 'ALLOW' ? 'these callers are silently denied' : 'the DENY is silently bypassed';
      const first = problems[0];
      out.push(findingOf(AUTHZ_REQUIRES_MTLS, {
        resource: ap.ref,
        path: uses[0].path,
        message: `AuthorizationPolicy ${ap.namespace}/${ap.name} (${ap.action}) matches on ${fields}, which need mTLS, but on `
          + `${listSome(problems.map((p) => p.where))} ${first.why}; ${effect}`,
        fix: ap.action === 'ALLOW'
          ? 'make the port STRICT (or PERMISSIVE with mesh clients on auto mTLS) and drop tls DISABLE from DestinationRules to it'
          : 'make the protected ports STRICT so no caller can arrive without an identity',
        related: first.related?.decidedBy ? [first.related.decidedBy.ref] : [],
      }));
    }
    return out;
  },
};
