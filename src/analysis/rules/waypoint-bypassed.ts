import { policyManifest, waypointWorldOf } from './policy-enforced-nowhere';
import { Finding, findingOf } from '../../model/finding';
import { GatewayInfo } from '../../model/gateways';
import { Workload } from '../../model/inventory';
import { Labels } from '../../model/labels';
import { ResourceRef } from '../../model/manifest';
import { MeshModel } from '../../model/mesh-model';
import { AuthorizationPolicyInfo } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { serviceWaypoint } from '../../resolution/ambient-bindings';
import { resolveDataplane } from '../../resolution/dataplane';
import { MESH_CONTROLLER, WAYPOINT_GATEWAY_CLASS, WaypointRef } from '../../resolution/waypoints';
import { waypointPolicyBindings } from '../../resolution/ztunnel-authorization';
import { describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const WAYPOINT_BYPASSED: RuleInfo = {
  code: 'IMA022',
  category: 'waypoint-bypassed',
  severity: 'warning',
  title: 'Waypoint policy bypassed by sidecar, ingress or out-of-mesh clients',
  explanation: 'An AuthorizationPolicy with targetRefs is enforced only by the waypoint, and only for traffic that reaches '
    + 'it. Ambient clients send a Service\'s traffic through its waypoint; sidecar clients never do (istiod sends them '
    + 'straight to the endpoints, over HBONE to ambient pods), clients without a proxy connect to the pods directly, and '
    + 'ingress gateways go through the waypoint only when the Service (or its namespace) carries '
    + 'istio.io/ingress-use-waypoint=true. For those callers the policy does not exist. Every sidecar or proxy-less '
    + 'workload and ingress gateway of the input other than the Service\'s own pods counts as a possible caller. The '
    + 'usual guard is an L4 selector policy on the Service\'s pods, enforced by ztunnel, that allows only the waypoint\'s '
    + 'identity (or istiod\'s PILOT_AUTO_ALLOW_WAYPOINT_POLICY, off by default).',
  source: 'pilot/pkg/xds/endpoints/endpoint_builder.go (findServiceWaypoint, "We intentionally do not take into account '
    + 'waypoints here"); pilot/pkg/serviceregistry/ambient/services.go ingressUseWaypointFromLabels',
};

const GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name';
const INGRESS_USE_WAYPOINT = 'istio.io/ingress-use-waypoint';
// Go strconv.ParseBool.
const TRUE_STRINGS: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const EAST_WEST_CONTROLLER = 'istio.io/eastwest-controller';
// Gateways of these kinds are not ingress: egress, and east-west gateways (which use waypoints).
const NOT_INGRESS: ReadonlySet<string> = new Set(['egressgateway', 'eastwestgateway']);

/** What a Gateway API Gateway is: a waypoint, an east-west gateway, or an ingress gateway. */
function gatewayRole(model: MeshModel, g: GatewayInfo): 'waypoint' | 'east-west' | 'ingress' {
  const controller = model.gatewayClasses.find((c) => c.name === g.gatewayClassName)?.controllerName;
  if (g.gatewayClassName === WAYPOINT_GATEWAY_CLASS || controller === MESH_CONTROLLER) return 'waypoint';
  if (g.gatewayClassName === 'istio-east-west' || controller === EAST_WEST_CONTROLLER) return 'east-west';
  return 'ingress';
}

/** How a workload of the input calls a Service: through its own gateway role, a sidecar, or no proxy. */
function clientKind(model: MeshModel, w: Workload): 'ingress' | 'sidecar' | 'none' | 'skip' {
  const own = w.labels[GATEWAY_NAME];
  if (own !== undefined) {
    const gw = model.gateways.find((g) => g.namespace === w.namespace && g.name === own);
    if (gw) return gatewayRole(model, gw) === 'ingress' ? 'ingress' : 'skip';
  }
  if (NOT_INGRESS.has(w.labels.istio ?? '')) return 'skip';
  if (w.labels.istio === 'ingressgateway' || w.podAnnotations['inject.istio.io/templates'] === 'gateway') return 'ingress';
  const d = resolveDataplane(model, w);
  if (!d.admitted) return 'skip';
  return d.dataplane === 'ambient' ? 'skip' : d.dataplane;
}

/** `istio.io/ingress-use-waypoint` of the target, else of its namespace, read as Go's ParseBool. */
function ingressUsesWaypoint(targetLabels: Labels, namespaceLabels: Labels | undefined): boolean {
  const value = INGRESS_USE_WAYPOINT in targetLabels ? targetLabels[INGRESS_USE_WAYPOINT] : namespaceLabels?.[INGRESS_USE_WAYPOINT];
  return value !== undefined && TRUE_STRINGS.has(value);
}

/** One destination a targetRefs policy protects through a waypoint. */
interface Protected {
  readonly ref: ResourceRef;
  readonly description: string;
  readonly labels: Labels;
  readonly namespace: string;
  readonly waypoint: WaypointRef;
  /** The pods behind it, which are not its callers. */
  readonly own: readonly Workload[];
  readonly path: string;
}

function sameWaypoint(a: WaypointRef | null, b: WaypointRef): boolean {
  return a !== null && a.namespace === b.namespace && a.name === b.name;
}

/** The Services and ServiceEntries behind each waypoint-bound target of the policy. */
function protectedBy(model: MeshModel, ap: AuthorizationPolicyInfo): Protected[] {
  const legacy = !(Array.isArray(ap.spec.targetRefs) && ap.spec.targetRefs.length > 0);
  const out: Protected[] = [];
  waypointPolicyBindings(policyManifest(ap), model.options.rootNamespace, waypointWorldOf(model), ap.namespace).forEach((b, i) => {
    if (!b.bound || b.problems.length > 0 || !b.waypoint) return;
    const path = legacy ? '/spec/targetRef' : `/spec/targetRefs/${i}`;
    const waypoint = b.waypoint;
    const namespace = b.target.namespace || ap.namespace;
    if (b.target.kind === 'Service' || b.target.kind === 'Gateway') {
      const services = b.target.kind === 'Service' ? model.servicesIn(namespace).filter((s) => s.name === b.target.name)
        : model.services.filter((s) => sameWaypoint(serviceWaypoint(model, s).waypoint, waypoint));
      // A Gateway target that is an ingress gateway is enforced there, for the traffic it takes in.
      const gw = model.gateways.find((g) => g.namespace === waypoint.namespace && g.name === waypoint.name);
      if (b.target.kind === 'Gateway' && gw && gatewayRole(model, gw) !== 'waypoint') return;
      for (const s of services) {
        out.push({ ref: s.ref, description: `Service ${s.namespace}/${s.name}`, labels: s.labels, namespace: s.namespace, waypoint, own: model.workloadsOf(s), path });
      }
    } else if (b.target.kind === 'ServiceEntry') {
      const se = model.serviceEntries.find((s) => s.namespace === namespace && s.name === b.target.name);
      if (se) out.push({ ref: se.ref, description: `ServiceEntry ${se.namespace}/${se.name}`, labels: se.labels, namespace, waypoint, own: [], path });
    }
  });
  return out;
}

interface Bypassers {
  readonly sidecar: string[];
  readonly none: string[];
  readonly ingress: string[];
}

function bypassersOf(model: MeshModel, target: Protected): Bypassers {
  const out: Bypassers = { sidecar: [], none: [], ingress: [] };
  const own = new Set(target.own);
  const ingressSkips = ingressUsesWaypoint(target.labels, model.namespace(target.namespace)?.labels);
  const ingressWorkloads = new Set<string>();
  for (const w of model.workloads) {
    if (own.has(w)) continue;
    const kind = clientKind(model, w);
    if (kind === 'skip') continue;
    if (kind === 'ingress') {
      if (w.labels[GATEWAY_NAME] !== undefined) ingressWorkloads.add(`${w.namespace}/${w.labels[GATEWAY_NAME]}`);
      if (!ingressSkips) out.ingress.push(describeWorkload(w));
    } else {
      out[kind].push(describeWorkload(w));
    }
  }
  // Ingress Gateways of the Gateway API whose pods (deployed by istiod) are not in the input.
  if (!ingressSkips) {
    for (const g of model.gateways) {
      if (gatewayRole(model, g) === 'ingress' && !ingressWorkloads.has(`${g.namespace}/${g.name}`)) out.ingress.push(`Gateway ${g.namespace}/${g.name}`);
    }
  }
  return out;
}

export const waypointBypassed: AnalysisRule = {
  info: WAYPOINT_BYPASSED,
  check(ctx): Finding[] {
    const m = ctx.model;
    const out: Finding[] = [];
    for (const ap of m.authorizationPolicies) {
      if (!ap.hasTargetRefs) continue;
      for (const target of protectedBy(m, ap)) {
        const by = bypassersOf(m, target);
        const groups = [
          ...(by.sidecar.length > 0 ? [`sidecar clients (${listSome(by.sidecar)})`] : []),
          ...(by.none.length > 0 ? [`clients without a proxy (${listSome(by.none)})`] : []),
          ...(by.ingress.length > 0 ? [`ingress gateways without ${INGRESS_USE_WAYPOINT}=true (${listSome(by.ingress)})`] : []),
        ];
        if (groups.length === 0) continue;
        const wp = `${target.waypoint.namespace}/${target.waypoint.name}`;
        out.push(findingOf(WAYPOINT_BYPASSED, {
          resource: ap.ref,
          path: target.path,
          message: `AuthorizationPolicy ${ap.namespace}/${ap.name} (${ap.action}) is enforced only by waypoint ${wp} for ${target.description}, `
            + `but ${groups.join(', ')} reach it without the waypoint, so the policy does not apply to them`,
          fix: `move these clients to ambient mode${by.ingress.length > 0 ? `, label ${target.description} ${INGRESS_USE_WAYPOINT}=true` : ''}, `
            + 'and add a selector policy on its pods that allows only the waypoint\'s identity (ztunnel enforces it)',
          related: [target.ref],
        }));
      }
    }
    return out;
  },
};
