import { WaypointBinding, waypointFor } from './waypoints';
import { AuthorizationEnforcement, authorizationEnforcement } from './ztunnel-authorization';
import { ServiceInfo, Workload } from '../model/inventory';
import { MeshModel } from '../model/mesh-model';
import { AuthorizationPolicyInfo } from '../model/policies';

/*
 * The ambient facts of the model's objects: which waypoint a Service or a
 * workload uses, and which enforcer applies an AuthorizationPolicy. Memoized
 * per model, as resolving is pure.
 */

const waypoints = new WeakMap<MeshModel, Map<string, WaypointBinding>>();
const enforcements = new WeakMap<MeshModel, WeakMap<AuthorizationPolicyInfo, AuthorizationEnforcement>>();

/** The waypoint a Service's traffic goes through (`istio.io/use-waypoint` on it or its Namespace). */
export function serviceWaypoint(model: MeshModel, service: ServiceInfo): WaypointBinding {
  return memo(model, `s\u0000${service.key}`, () => waypointFor(
    { kind: 'Service', namespace: service.namespace, name: service.name, labels: service.labels },
    model.namespace(service.namespace)?.labels, model.gateways, model.gatewayClasses, 'service',
  ));
}

/** The waypoint a workload's pod-addressed traffic goes through. */
export function workloadWaypoint(model: MeshModel, workload: Workload): WaypointBinding {
  return memo(model, `w\u0000${workload.key}`, () => waypointFor(
    { kind: 'Pod', namespace: workload.namespace, name: workload.name, labels: workload.labels },
    model.namespace(workload.namespace)?.labels, model.gateways, model.gatewayClasses, 'workload',
  ));
}

/** Who applies an AuthorizationPolicy: waypoints (targetRefs), ztunnel (what it keeps of the rules), sidecars. */
export function enforcementOf(model: MeshModel, ap: AuthorizationPolicyInfo): AuthorizationEnforcement {
  let byPolicy = enforcements.get(model);
  if (!byPolicy) { byPolicy = new WeakMap(); enforcements.set(model, byPolicy); }
  let e = byPolicy.get(ap);
  if (!e) {
    const manifest = { apiVersion: ap.ref.apiVersion, kind: 'AuthorizationPolicy', metadata: { name: ap.name, namespace: ap.namespace, annotations: ap.annotations }, spec: ap.spec };
    e = authorizationEnforcement(manifest, model.options.rootNamespace, { namespace: ap.namespace });
    byPolicy.set(ap, e);
  }
  return e;
}

function memo(model: MeshModel, key: string, compute: () => WaypointBinding): WaypointBinding {
  let byKey = waypoints.get(model);
  if (!byKey) { byKey = new Map(); waypoints.set(model, byKey); }
  let b = byKey.get(key);
  if (!b) { b = compute(); byKey.set(key, b); }
  return b;
}
