import {
  GatewayClassInfo, GatewayInfo, GatewayListenerInfo, NamespaceLabelSelector, RouteNamespacesFrom, labelSelectorMatches,
} from '../model/gateways';
import { Labels, NO_LABELS } from '../model/labels';

/** The objects that can carry `istio.io/use-waypoint`. */
export type WaypointTargetKind = 'Service' | 'Pod' | 'ServiceEntry' | 'WorkloadEntry';

/** Which traffic is being bound: to a Service (or ServiceEntry) host, or to a workload address. */
export type WaypointTrafficType = 'service' | 'workload';

/**
 * The object whose waypoint is asked for. For a WorkloadEntry pass its
 * `metadata.labels` (istiod reads only those); for a ServiceEntry with
 * `traffic: 'workload'` pass the labels of one inline `endpoints[]` entry.
 */
export interface WaypointTarget {
  readonly kind: WaypointTargetKind;
  readonly namespace: string;
  readonly name?: string;
  readonly labels: Labels;
}

export interface WaypointRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * How the binding ended, named after istiod's status reasons where it has one
 * (`WaypointIsNotReady`, `AttachmentDenied`, `UnsupportedTrafficType`).
 */
export type WaypointBindingStatus =
  | 'bound'
  | 'no-waypoint'
  | 'opted-out'
  | 'is-waypoint'
  | 'not-ready'
  | 'attachment-denied'
  | 'unsupported-traffic-type';

export interface WaypointBinding {
  readonly waypoint: WaypointRef | null;
  readonly status: WaypointBindingStatus;
  /** Where the `istio.io/use-waypoint` label that decided was read. */
  readonly labelSource: 'object' | 'namespace' | null;
  /** One line: which label and which Gateway decided. */
  readonly reason: string;
  /** What keeps the label from working as its author meant, one sentence each. */
  readonly problems: readonly string[];
  /** True when the bound Gateway has no `status.addresses`: istiod binds only ready Gateways, offline we assume it is ready. */
  readonly assumedReady: boolean;
}

export interface WaypointOptions {
  /**
   * Treat a Gateway without `status.addresses` as absent, as istiod does
   * (default false: a Gateway in the input counts as present and ready).
   */
  readonly requireReadyStatus?: boolean;
}

/** The value of `istio.io/waypoint-for` a waypoint ends up with. */
export type WaypointForValue = string;

/** The protocol and port ztunnel uses to hand inbound traffic to a waypoint instance (`ambient.istio.io/waypoint-inbound-binding`). */
export interface WaypointInboundBinding {
  readonly protocol: 'NONE' | 'PROXY';
  /** 0 when the annotation names no port. */
  readonly port: number;
}

/** The namespaces a waypoint accepts bindings from, and the listener that says so. */
export interface WaypointAllowedRoutes {
  readonly from: RouteNamespacesFrom;
  /** The namespace selector for `from: Selector`; undefined there means no namespace matches. */
  readonly selector?: NamespaceLabelSelector;
  /** The listener read; undefined when no listener applies and istiod falls back to Same. */
  readonly listener?: string;
}

const USE_WAYPOINT = 'istio.io/use-waypoint';
const USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
const GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name';
const GATEWAY_MANAGED = 'gateway.istio.io/managed';
const INBOUND_BINDING = 'ambient.istio.io/waypoint-inbound-binding';
/** The GatewayClass istiod creates for waypoints, and its controller. */
export const WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';
export const MESH_CONTROLLER = 'istio.io/mesh-controller';
const SANDWICH_PROXY_PROTOCOL = 'istio.io/PROXY';
// Services of waypoints and east-west gateways never get a waypoint themselves (waypoints.go fetchWaypointForService).
const GATEWAY_SERVICE_MANAGERS: ReadonlySet<string> = new Set(['istio.io-mesh-controller', 'istio.io-eastwest-controller']);
const MAX_UINT32 = 4294967295;

function has(labels: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

function describe(ref: WaypointRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/** The class of `gateway` among `classes`, if in the input. */
function classOf(gateway: GatewayInfo, classes: readonly GatewayClassInfo[]): GatewayClassInfo | undefined {
  return classes.find((c) => c.name === gateway.gatewayClassName);
}

/**
 * `istio.io/waypoint-for` of the Gateway, else of its GatewayClass, else
 * `service` (waypoints.go gatewayToWaypointTransform). Any string may come
 * back: istiod keeps unknown values, which then bind nothing.
 */
export function waypointTrafficType(gateway: GatewayInfo, classes: readonly GatewayClassInfo[]): WaypointForValue {
  if (gateway.waypointFor !== undefined) return gateway.waypointFor;
  return classOf(gateway, classes)?.waypointFor ?? 'service';
}

/** True when a waypoint of `waypointFor` takes `traffic`: `all` takes both, `none` neither. */
export function waypointAccepts(trafficType: WaypointForValue, traffic: WaypointTrafficType): boolean {
  return trafficType === traffic || trafficType === 'all';
}

/** The inbound binding annotation of the Gateway, else of its class; null when absent or not `NONE`/`PROXY[/port]`. */
export function waypointInboundBinding(gateway: GatewayInfo, gatewayClass?: GatewayClassInfo): WaypointInboundBinding | null {
  const value = has(gateway.annotations, INBOUND_BINDING) ? gateway.annotations[INBOUND_BINDING]
    : gatewayClass && has(gatewayClass.annotations, INBOUND_BINDING) ? gatewayClass.annotations[INBOUND_BINDING] : undefined;
  if (value === undefined) return null;
  const parts = value.split('/');
  if (parts.length > 2) return null;
  if (parts[0] !== 'NONE' && parts[0] !== 'PROXY') return null;
  // istiod logs a bad port and goes on with what strconv.ParseUint returned: 0, or the maximum when out of range.
  const port = parts.length < 2 ? 0 : /^\d+$/.test(parts[1]) ? Math.min(Number(parts[1]), MAX_UINT32) : 0;
  return { protocol: parts[0], port };
}

function boundListener(gateway: GatewayInfo, binding: WaypointInboundBinding | null): GatewayListenerInfo | undefined {
  if (!binding) return undefined;
  if (binding.port !== 0) return gateway.listeners.find((l) => l.port === binding.port);
  if (binding.protocol === 'PROXY') return gateway.listeners.find((l) => l.protocol === SANDWICH_PROXY_PROTOCOL);
  return undefined;
}

/**
 * Which namespaces may bind to the waypoint (waypoints.go makeAllowedRoutes):
 * the listener named by the inbound binding, else the HBONE listener on
 * 15008, else Same; a listener without `allowedRoutes.namespaces` means Same.
 */
export function waypointAllowedRoutes(gateway: GatewayInfo, classes: readonly GatewayClassInfo[]): WaypointAllowedRoutes {
  const listener = boundListener(gateway, waypointInboundBinding(gateway, classOf(gateway, classes)))
    ?? gateway.listeners.find((l) => l.protocol === 'HBONE' && l.port === 15008);
  if (!listener) return { from: 'Same' };
  return {
    from: listener.allowedFrom,
    ...(listener.allowedSelector ? { selector: listener.allowedSelector } : {}),
    listener: listener.name,
  };
}

/** True when an object in `namespace` (with `namespaceLabels`) may bind to a waypoint in `waypointNamespace`. */
export function waypointAllowsNamespace(
  routes: WaypointAllowedRoutes, waypointNamespace: string, namespace: string, namespaceLabels: Labels,
): boolean {
  if (routes.from === 'All') return true;
  // A Selector listener without a selector matches nothing (metav1.LabelSelectorAsSelector(nil)).
  if (routes.from === 'Selector') return routes.selector !== undefined && labelSelectorMatches(routes.selector, namespaceLabels);
  return waypointNamespace === namespace;
}

/** `istio.io/use-waypoint` on `labels`: `none` opts out; the namespace comes from `istio.io/use-waypoint-namespace`, else `fallbackNamespace`. */
function useWaypointLabel(labels: Labels, fallbackNamespace: string): WaypointRef | 'none' | undefined {
  if (!has(labels, USE_WAYPOINT)) return undefined;
  const name = labels[USE_WAYPOINT];
  if (name === 'none') return 'none';
  return { name, namespace: has(labels, USE_WAYPOINT_NAMESPACE) ? labels[USE_WAYPOINT_NAMESPACE] : fallbackNamespace };
}

function findWaypoint(ref: WaypointRef, gateways: readonly GatewayInfo[], options: WaypointOptions): GatewayInfo | undefined {
  const gw = gateways.find((g) => g.namespace === ref.namespace && g.name === ref.name);
  if (!gw) return undefined;
  return options.requireReadyStatus && !gw.hasStatusAddresses ? undefined : gw;
}

/** Why a Gateway bound by name may not behave as a waypoint (istiod itself binds any Gateway of that name). */
function classProblems(gw: GatewayInfo, classes: readonly GatewayClassInfo[]): string[] {
  if (gw.gatewayClassName === WAYPOINT_GATEWAY_CLASS) return [];
  const cls = classOf(gw, classes);
  if (cls?.controllerName === MESH_CONTROLLER) return [];
  return [`Gateway ${gw.namespace}/${gw.name} has gatewayClassName '${gw.gatewayClassName}', not ${WAYPOINT_GATEWAY_CLASS}: `
    + 'istiod still sends traffic to it as a waypoint, but no waypoint proxy serves it [U]'];
}

interface Decided {
  readonly waypoint: WaypointRef | null;
  readonly status: WaypointBindingStatus;
  readonly labelSource: 'object' | 'namespace' | null;
  readonly reason: string;
  readonly problems?: readonly string[];
  readonly assumedReady?: boolean;
}

function result(d: Decided): WaypointBinding {
  return Object.freeze({
    waypoint: d.waypoint,
    status: d.status,
    labelSource: d.labelSource,
    reason: d.reason,
    problems: Object.freeze([...(d.problems ?? [])]),
    assumedReady: d.assumedReady ?? false,
  });
}

/**
 * The waypoint `target` uses for `traffic` (istio/istio 1.30.3
 * pilot/pkg/serviceregistry/ambient/waypoints.go fetchWaypointForService,
 * fetchWaypointForWorkload): the object's `istio.io/use-waypoint` wins over
 * its namespace's, `none` opts out, the Gateway must allow the object's
 * namespace, and its `istio.io/waypoint-for` must take the traffic.
 * `namespaceLabels` is undefined when the Namespace is not in the input.
 */
export function waypointFor(
  target: WaypointTarget,
  namespaceLabels: Labels | undefined,
  gateways: readonly GatewayInfo[],
  classes: readonly GatewayClassInfo[],
  traffic: WaypointTrafficType,
  options: WaypointOptions = {},
): WaypointBinding {
  const what = `${target.kind} ${target.namespace}/${target.name ?? '<unnamed>'}`;
  if (traffic === 'service' && GATEWAY_SERVICE_MANAGERS.has(target.labels[GATEWAY_MANAGED])) {
    return result({ waypoint: null, status: 'is-waypoint', labelSource: null, reason: `${what} belongs to a gateway (${GATEWAY_MANAGED}=${target.labels[GATEWAY_MANAGED]}) and never uses a waypoint` });
  }
  if (traffic === 'workload' && has(target.labels, GATEWAY_NAME)) {
    const own = findWaypoint({ namespace: target.namespace, name: target.labels[GATEWAY_NAME] }, gateways, options);
    if (own) return result({ waypoint: null, status: 'is-waypoint', labelSource: null, reason: `${what} is an instance of Gateway ${own.namespace}/${own.name} and never uses a waypoint` });
  }
  const onObject = useWaypointLabel(target.labels, target.namespace);
  if (onObject === 'none') {
    return result({ waypoint: null, status: 'opted-out', labelSource: 'object', reason: `${what} has ${USE_WAYPOINT}=none` });
  }
  const onNamespace = onObject === undefined && namespaceLabels ? useWaypointLabel(namespaceLabels, target.namespace) : undefined;
  const ref = onObject ?? (onNamespace === 'none' ? undefined : onNamespace);
  if (!ref) {
    const reason = onNamespace === 'none' ? `namespace ${target.namespace} has ${USE_WAYPOINT}=none`
      : namespaceLabels ? `neither ${what} nor namespace ${target.namespace} has ${USE_WAYPOINT}`
        : `${what} has no ${USE_WAYPOINT} and Namespace ${target.namespace} is not in the input`;
    return result({ waypoint: null, status: onNamespace === 'none' ? 'opted-out' : 'no-waypoint', labelSource: onNamespace === 'none' ? 'namespace' : null, reason });
  }
  const labelSource = onObject ? 'object' : 'namespace';
  const where = labelSource === 'object' ? what : `namespace ${target.namespace}`;
  const label = `${where} has ${USE_WAYPOINT}=${ref.name}`;
  const gw = findWaypoint(ref, gateways, options);
  if (!gw) {
    const absent = gateways.some((g) => g.namespace === ref.namespace && g.name === ref.name) ? 'has no status.addresses (not ready)' : 'is not in the input';
    return result({ waypoint: null, status: 'not-ready', labelSource, reason: `${label}, but Gateway ${describe(ref)} ${absent}`, problems: [`Gateway ${describe(ref)} named by ${label} ${absent}: no waypoint is used`] });
  }
  const problems = classProblems(gw, classes);
  const routes = waypointAllowedRoutes(gw, classes);
  if (!waypointAllowsNamespace(routes, gw.namespace, target.namespace, namespaceLabels ?? NO_LABELS)) {
    const denied = `Gateway ${describe(ref)} does not allow attachment from namespace ${target.namespace} (allowedRoutes from ${routes.from}${routes.listener !== undefined ? ` on listener '${routes.listener}'` : ''})`;
    return result({ waypoint: null, status: 'attachment-denied', labelSource, reason: `${label}, but ${denied}`, problems: [...problems, denied] });
  }
  const waypointForValue = waypointTrafficType(gw, classes);
  if (!waypointAccepts(waypointForValue, traffic)) {
    const mismatch = `Gateway ${describe(ref)} is for '${waypointForValue}' traffic, not ${traffic} traffic`;
    // A workload that only inherits its namespace's label silently skips a service waypoint (waypoints.go fetchWaypointForWorkload).
    if (traffic === 'workload' && labelSource === 'namespace') {
      return result({ waypoint: null, status: 'no-waypoint', labelSource, reason: `${label}, but ${mismatch}, so ${what} uses none`, problems });
    }
    return result({ waypoint: null, status: 'unsupported-traffic-type', labelSource, reason: `${label}, but ${mismatch}`, problems: [...problems, mismatch] });
  }
  const assumedReady = !gw.hasStatusAddresses;
  return result({
    waypoint: { namespace: gw.namespace, name: gw.name },
    status: 'bound',
    labelSource,
    reason: `${label}: Gateway ${describe(ref)} (waypoint-for ${waypointForValue})${assumedReady ? ', assumed ready (no status.addresses in the input)' : ''}`,
    problems,
    assumedReady,
  });
}
