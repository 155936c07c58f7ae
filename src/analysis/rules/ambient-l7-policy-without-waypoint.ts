import { workloadsUnderPolicy } from './policy-enforced-nowhere';
import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { listOrEmpty, objectOrEmpty } from '../../model/manifest';
import { MeshModel } from '../../model/mesh-model';
import { AuthorizationPolicyInfo } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { enforcementOf, serviceWaypoint, workloadWaypoint } from '../../resolution/ambient-bindings';
import { resolveDataplane } from '../../resolution/dataplane';
import { ZTUNNEL_WHEN_KEYS, ZtunnelRuleEnforcement } from '../../resolution/ztunnel-authorization';
import { describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const AMBIENT_L7_POLICY_WITHOUT_WAYPOINT: RuleInfo = {
  code: 'IMA020',
  category: 'ambient-l7-policy-without-waypoint',
  severity: 'error',
  title: 'Selector AuthorizationPolicy with HTTP attributes, AUDIT or CUSTOM on ambient workloads',
  explanation: 'A selector, namespace or root-namespace AuthorizationPolicy is enforced on ambient pods by the destination '
    + 'ztunnel alone; waypoints ignore such policies. ztunnel cannot see HTTP attributes (hosts, methods, paths, '
    + 'requestPrincipals, remoteIpBlocks, their not forms, and when keys other than source.ip, source.namespace, '
    + 'source.principal, destination.ip and destination.port). istiod leaves out every ALLOW rule that uses one, so an '
    + 'ALLOW policy left with no rule matches nothing and denies every connection its workloads get (unless another ALLOW '
    + 'policy allows it). A DENY rule keeps its L4 part: an entry that mixed L4 and HTTP fields denies more than written, '
    + 'an HTTP-only entry becomes a match ztunnel never matches, so the rule denies less. AUDIT and CUSTOM policies are '
    + 'not sent to ztunnel at all. istiod reports the same in the policy status (UnsupportedValue). The fix is a waypoint '
    + 'in front of the workloads and the policy attached to it with targetRefs.',
  source: 'pilot/pkg/serviceregistry/ambient/authorization.go convertAuthorizationPolicy; ztunnel src/rbac.rs',
};

const HTTP_FIELD_NAMES: ReadonlySet<string> = new Set([
  'hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths', 'remoteIpBlocks', 'notRemoteIpBlocks', 'requestPrincipals', 'notRequestPrincipals',
]);

/** The pointer of the first HTTP attribute of the rule, for the finding's path. */
function httpPointer(ap: AuthorizationPolicyInfo, rule: ZtunnelRuleEnforcement): string {
  const when = listOrEmpty(objectOrEmpty(listOrEmpty(ap.spec.rules)[rule.index]).when);
  const isHttp = (p: string): boolean => {
    const last = p.slice(p.lastIndexOf('/') + 1);
    const w = /\/when\/(\d+)$/.exec(p);
    if (w) {
      const key = objectOrEmpty(when[Number(w[1])]).key;
      return !ZTUNNEL_WHEN_KEYS.has(typeof key === 'string' ? key : '');
    }
    return HTTP_FIELD_NAMES.has(last);
  };
  return rule.droppedFields.find(isHttp) ?? rule.droppedFields[0] ?? `/spec/rules/${rule.index}`;
}

/** The waypoints in front of the workloads (which ignore selector policies), as `ns/name`. */
function waypointsInFront(model: MeshModel, workloads: readonly Workload[]): string[] {
  const out = new Set<string>();
  for (const w of workloads) {
    const own = workloadWaypoint(model, w).waypoint;
    if (own) out.add(`${own.namespace}/${own.name}`);
    for (const s of model.servicesSelecting(w)) {
      const wp = serviceWaypoint(model, s).waypoint;
      if (wp) out.add(`${wp.namespace}/${wp.name}`);
    }
  }
  return [...out].sort();
}

function rulesList(rules: readonly ZtunnelRuleEnforcement[]): string {
  return `rule${rules.length > 1 ? 's' : ''} ${rules.map((r) => r.index).join(', ')}`;
}

function one(rules: readonly unknown[], singular: string, plural: string): string {
  return rules.length > 1 ? plural : singular;
}

interface Verdict {
  readonly severity: 'error' | 'warning';
  readonly path: string;
  readonly what: string;
}

/** What ztunnel makes of the policy, when it is not what was written. */
function verdictOf(model: MeshModel, ap: AuthorizationPolicyInfo): Verdict | undefined {
  const e = enforcementOf(model, ap);
  if (e.dryRun) return undefined;
  if (ap.action === 'AUDIT' || ap.action === 'CUSTOM') {
    return {
      severity: 'error',
      path: '/spec/action',
      what: `ztunnel does not support the ${ap.action} action and istiod does not send it, so it is not enforced at all`
        + (ap.action === 'CUSTOM' ? ' (the external authorizer is never asked)' : ' (nothing is audited)'),
    };
  }
  const z = e.ztunnel;
  // Only what HTTP attributes change: ports by name and bad IPs are other rules' concern.
  if (!z.enforced || z.effect === 'as-written' || z.httpFields.length === 0) return undefined;
  const http = `HTTP attributes (${z.httpFields.join(', ')}) ztunnel cannot evaluate`;
  const changed = z.rules.filter((r) => r.effect !== 'as-written');
  const path = httpPointer(ap, changed[0]);
  if (ap.action === 'ALLOW') {
    if (z.effect === 'denies-everything') {
      return { severity: 'error', path, what: `it uses ${http}; istiod leaves out every rule, so the policy matches nothing and every connection is denied unless another ALLOW policy allows it` };
    }
    return { severity: 'warning', path, what: `it uses ${http}; istiod leaves out ${rulesList(changed)}, so connections only ${one(changed, 'it allows', 'they allow')} are denied` };
  }
  const broadened = changed.filter((r) => r.effect === 'broadened' || r.effect === 'broadened-and-narrowed');
  const narrowed = changed.filter((r) => r.effect !== 'broadened');
  const parts = [
    ...(broadened.length > 0 ? [`${rulesList(broadened)} ${one(broadened, 'loses its', 'lose their')} HTTP conditions and `
      + `${one(broadened, 'denies', 'deny')} every connection that matches the rest`] : []),
    ...(narrowed.length > 0 ? [`${rulesList(narrowed)} ${one(narrowed, 'keeps', 'keep')} HTTP-only entries ztunnel never matches, `
      + `so requests ${one(narrowed, 'it', 'they')} should deny are allowed`] : []),
  ];
  return { severity: 'warning', path, what: `it uses ${http}; ${parts.join(', and ')}` };
}

export const ambientL7PolicyWithoutWaypoint: AnalysisRule = {
  info: AMBIENT_L7_POLICY_WITHOUT_WAYPOINT,
  check(ctx): Finding[] {
    const m = ctx.model;
    const out: Finding[] = [];
    // Without ambient installed no pod is ambient (decideAmbientEnrolment).
    if (!m.options.ambient) return out;
    for (const ap of m.authorizationPolicies) {
      if (ap.hasTargetRefs) continue;
      const ambient = workloadsUnderPolicy(m, ap).filter((w) => resolveDataplane(m, w).dataplane === 'ambient');
      if (ambient.length === 0) continue;
      const v = verdictOf(m, ap);
      if (!v) continue;
      const front = waypointsInFront(m, ambient);
      const waypoint = front.length === 0 ? 'no waypoint is in front of them'
        : `their waypoint ${listSome(front)} ignores selector and namespace policies`;
      out.push(findingOf(AMBIENT_L7_POLICY_WITHOUT_WAYPOINT, {
        resource: ap.ref,
        path: v.path,
        severity: v.severity,
        message: `AuthorizationPolicy ${ap.namespace}/${ap.name} (${ap.action}) applies to ambient ${listSome(ambient.map(describeWorkload))}, `
          + `where only ztunnel enforces it (${waypoint}); ${v.what}`,
        fix: `add a waypoint (istio.io/use-waypoint on the Service or namespace) and attach this policy to it with targetRefs instead of a selector${
          ap.action === 'ALLOW' || ap.action === 'DENY' ? ', or keep only L4 fields (ports, principals, namespaces, ipBlocks)' : ''}`,
      }));
    }
    return out;
  },
};
