import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { Labels } from '../../model/labels';
import { Manifest } from '../../model/manifest';
import { MeshModel } from '../../model/mesh-model';
import { AuthorizationPolicyInfo, PeerAuthenticationPolicy } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { serviceWaypoint } from '../../resolution/ambient-bindings';
import { DataplaneResolution, resolveDataplane } from '../../resolution/dataplane';
import { WAYPOINT_GATEWAY_CLASS } from '../../resolution/waypoints';
import { WaypointPolicyBinding, WaypointPolicyWorld, waypointPolicyBindings } from '../../resolution/ztunnel-authorization';
import { describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const POLICY_ENFORCED_NOWHERE: RuleInfo = {
  code: 'IMA021',
  category: 'policy-enforced-nowhere',
  severity: 'error',
  title: 'Policy that no proxy enforces',
  explanation: 'An AuthorizationPolicy with targetRefs is applied only by waypoints (and by the Gateway it names): ztunnel '
    + 'and sidecars ignore it. When its Service or ServiceEntry is bound to no waypoint, its Gateway does not exist, or it '
    + 'names a GatewayClass other than istio-waypoint (or sits outside the root namespace to do so), istiod marks the '
    + 'target unbound and nothing enforces the policy. Likewise a selector or namespace PeerAuthentication that asks '
    + 'for STRICT, or an AuthorizationPolicy, whose workloads in the input all run without a proxy (no sidecar, not '
    + 'ambient) is enforced by nothing: those pods accept plaintext and every request. Judged only on what the input '
    + 'shows: a target whose namespace has no object of its kind in the input, a Service labelled with a waypoint '
    + 'Gateway that is not in the input, and policies whose workloads are not in the input are not reported.',
  source: 'pilot/pkg/model/policyattachment.go ShouldAttachPolicy; pilot/pkg/serviceregistry/ambient/policies.go '
    + 'WaypointPolicyStatusCollection; pilot/pkg/serviceregistry/ambient/authorization.go',
};

const USE_WAYPOINT = 'istio.io/use-waypoint';
const USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';

/**
 * The policy as a manifest, for the resolution helpers that read manifests.
 * @internal
 */
export function policyManifest(ap: AuthorizationPolicyInfo): Manifest {
  return { apiVersion: ap.ref.apiVersion, kind: 'AuthorizationPolicy', metadata: { name: ap.name, namespace: ap.namespace, annotations: ap.annotations }, spec: ap.spec };
}

/**
 * The objects of the model that targetRefs can name.
 * @internal
 */
export function waypointWorldOf(model: MeshModel): WaypointPolicyWorld {
  return {
    services: model.services,
    serviceEntries: model.serviceEntries,
    gateways: model.gateways,
    classes: model.gatewayClasses,
    namespaceLabels: (n) => model.namespace(n)?.labels,
  };
}

/**
 * The workloads of the input a selector, namespace or root-namespace AuthorizationPolicy applies to
 * (a root-namespace selector matches in every namespace).
 * @internal
 */
export function workloadsUnderPolicy(model: MeshModel, ap: AuthorizationPolicyInfo): readonly Workload[] {
  const root = model.options.rootNamespace;
  if (ap.selector) return ap.namespace === root ? model.workloadsMatchingAnywhere(ap.selector) : model.workloadsMatching(ap.namespace, ap.selector);
  return ap.namespace === root ? model.workloads : model.workloadsIn(ap.namespace);
}

/** The pointer of the i-th target: `targetRefs[i]`, or the legacy `targetRef`. */
function targetPath(ap: AuthorizationPolicyInfo, index: number): string {
  return Array.isArray(ap.spec.targetRefs) && ap.spec.targetRefs.length > 0 ? `/spec/targetRefs/${index}` : '/spec/targetRef';
}

/** True when the input shows objects of the target's kind in its namespace, so a missing target is a fact, not a gap in the input. */
function kindVisible(model: MeshModel, kind: string, namespace: string): boolean {
  switch (kind) {
    case 'Service': return model.servicesIn(namespace).length > 0;
    case 'ServiceEntry': return model.serviceEntries.some((s) => s.namespace === namespace);
    case 'Gateway': return model.gateways.some((g) => g.namespace === namespace);
    default: return true;
  }
}

/** True when the target's `istio.io/use-waypoint` (or its namespace's) names a Gateway that is not in the input: it may exist. */
function waypointOutsideInput(model: MeshModel, labels: Labels | undefined, namespace: string): boolean {
  const nsLabels = model.namespace(namespace)?.labels ?? {};
  const source = labels && USE_WAYPOINT in labels ? labels : USE_WAYPOINT in nsLabels ? nsLabels : undefined;
  if (!source || source[USE_WAYPOINT] === 'none') return false;
  const gwNamespace = source[USE_WAYPOINT_NAMESPACE] ?? namespace;
  return !model.gateways.some((g) => g.namespace === gwNamespace && g.name === source[USE_WAYPOINT]);
}

/** Why the binding leaves the target without an enforcer, or undefined when it is enforced or the input cannot tell. */
function unenforcedWhy(model: MeshModel, ap: AuthorizationPolicyInfo, b: WaypointPolicyBinding): string | undefined {
  const t = b.target;
  const namespace = t.namespace || ap.namespace;
  if (b.bound) return b.problems.length > 0 ? b.problems.join('; ') : undefined;
  switch (b.reason) {
    case 'Invalid': return b.message;
    case 'TargetNotFound':
      if (t.kind === 'GatewayClass') return `GatewayClass ${t.name} does not exist (only ${WAYPOINT_GATEWAY_CLASS} binds to waypoints)`;
      return kindVisible(model, t.kind, namespace) ? `${t.kind} ${namespace}/${t.name} is not in the input` : undefined;
    case 'AncestorNotBound': {
      const obj = t.kind === 'Service' ? model.servicesIn(namespace).find((s) => s.name === t.name)
        : model.serviceEntries.find((s) => s.namespace === namespace && s.name === t.name);
      if (waypointOutsideInput(model, obj?.labels, namespace)) return undefined;
      // Say why the label did not bind (opted out, attachment denied, waypoint-for workload, ...).
      const svc = t.kind === 'Service' ? model.servicesIn(namespace).find((s) => s.name === t.name) : undefined;
      return svc ? `${b.message}: ${serviceWaypoint(model, svc).reason}` : b.message;
    }
    default: return undefined;
  }
}

function unenforcedTargetRefs(model: MeshModel, ap: AuthorizationPolicyInfo, world: WaypointPolicyWorld): Finding[] {
  const bindings = waypointPolicyBindings(policyManifest(ap), model.options.rootNamespace, world, ap.namespace);
  const out: Finding[] = [];
  bindings.forEach((b, i) => {
    const why = unenforcedWhy(model, ap, b);
    if (why === undefined) return;
    const t = b.target;
    out.push(findingOf(POLICY_ENFORCED_NOWHERE, {
      resource: ap.ref,
      path: targetPath(ap, i),
      message: `AuthorizationPolicy ${ap.namespace}/${ap.name} (${ap.action}) targets ${t.kind} ${t.namespace || ap.namespace}/${t.name}, which no waypoint `
        + `takes (istiod: ${b.reason}, ${why}); ztunnel and sidecars ignore targetRefs policies, so nothing enforces it for that target`,
      fix: t.kind === 'Service' || t.kind === 'ServiceEntry'
        ? `label the ${t.kind} (or its namespace) istio.io/use-waypoint=<Gateway of class ${WAYPOINT_GATEWAY_CLASS}> in the policy's namespace, `
          + 'or use a selector on its workloads instead of targetRefs'
        : `target an existing waypoint Gateway in ${ap.namespace}, or GatewayClass ${WAYPOINT_GATEWAY_CLASS} from the root namespace ${model.options.rootNamespace}`,
    }));
  });
  return out;
}

interface Proxyless {
  readonly workloads: readonly Workload[];
  readonly first: DataplaneResolution;
}

/** The workloads when every one of them runs without a proxy (and is admitted), else undefined. */
function allProxyless(model: MeshModel, workloads: readonly Workload[]): Proxyless | undefined {
  if (workloads.length === 0) return undefined;
  // Stops at the first workload with a proxy.
  for (const w of workloads) if (resolveDataplane(model, w).dataplane !== 'none') return undefined;
  return { workloads, first: resolveDataplane(model, workloads[0]) };
}

function describeProxyless(p: Proxyless): string {
  return `${listSome(p.workloads.map(describeWorkload))}, but none of them has a proxy (${p.first.reason}${p.first.assumed ? ', assumed' : ''})`;
}

const PROXY_FIX = 'enable sidecar injection (istio-injection=enabled) or ambient mode (istio.io/dataplane-mode=ambient) for these workloads, or delete the policy';

function proxylessPeerAuthentication(model: MeshModel, p: PeerAuthenticationPolicy): Finding | undefined {
  if (p.level !== 'workload' && p.level !== 'namespace') return undefined;
  // Only STRICT asks a proxy for something a proxy-less pod does not already do: accept plaintext.
  const strictPorts = p.portLevel.filter((x) => x.mode === 'STRICT');
  if (p.mode !== 'STRICT' && strictPorts.length === 0) return undefined;
  const targets = allProxyless(model, p.level === 'workload' ? model.workloadsMatching(p.namespace, p.selector!) : model.workloadsIn(p.namespace));
  if (!targets) return undefined;
  const what = p.mode === 'STRICT' ? 'STRICT' : `STRICT on port(s) ${strictPorts.map((x) => x.port).join(', ')}`;
  return findingOf(POLICY_ENFORCED_NOWHERE, {
    resource: p.ref,
    path: p.mode === 'STRICT' ? '/spec/mtls/mode' : strictPorts[0].path,
    message: `PeerAuthentication ${p.namespace}/${p.name} requires ${what} for ${describeProxyless(targets)}, so nothing enforces it and they accept plaintext`,
    fix: PROXY_FIX,
  });
}

function proxylessAuthorization(model: MeshModel, ap: AuthorizationPolicyInfo): Finding | undefined {
  if (ap.hasTargetRefs || (!ap.selector && ap.namespace === model.options.rootNamespace)) return undefined;
  // An ALLOW-everything policy loses nothing when it is not enforced.
  if (ap.action === 'ALLOW' && ap.rules.length > 0 && ap.rules.some((r) => r.matchesEverything)) return undefined;
  const targets = allProxyless(model, workloadsUnderPolicy(model, ap));
  if (!targets) return undefined;
  const effect = ap.action === 'DENY' ? 'the requests it denies are allowed'
    : ap.action === 'ALLOW' ? 'every request is allowed, not only those it allows'
      : ap.action === 'CUSTOM' ? 'the external authorizer is never asked' : 'nothing is audited';
  return findingOf(POLICY_ENFORCED_NOWHERE, {
    resource: ap.ref,
    path: ap.selector ? '/spec/selector' : '',
    message: `AuthorizationPolicy ${ap.namespace}/${ap.name} (${ap.action}) applies to ${describeProxyless(targets)}, so nothing enforces it: ${effect}`,
    fix: PROXY_FIX,
  });
}

export const policyEnforcedNowhere: AnalysisRule = {
  info: POLICY_ENFORCED_NOWHERE,
  check(ctx): Finding[] {
    const m = ctx.model;
    const world = waypointWorldOf(m);
    const out: Finding[] = [];
    for (const ap of m.authorizationPolicies) {
      const found = ap.hasTargetRefs ? unenforcedTargetRefs(m, ap, world) : [proxylessAuthorization(m, ap)];
      for (const f of found) if (f) out.push(f);
    }
    for (const p of m.peerAuthentications) {
      const f = proxylessPeerAuthentication(m, p);
      if (f) out.push(f);
    }
    return out;
  },
};

