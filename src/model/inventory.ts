import { serviceHostname } from './hosts';
import { Labels, NO_LABELS, sharedStringMap, stringMap, stringValue } from './labels';
import { sortInPlace } from './lists';
import { Manifest, ResourceRef, isPlainObject, listOrEmpty, objectOrEmpty, refOf } from './manifest';
import { portNumber } from './policies';
import { UNSHARED, ValueSharing, sharedList } from './shared-values';

export interface NamespaceInfo {
  readonly ref: ResourceRef;
  readonly name: string;
  readonly labels: Labels;
  /** The Namespace's annotations whose key is in an `istio.io` domain; absent when it has none. */
  readonly istioAnnotations?: Labels;
}

/** The kinds whose pods the engine reads. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Pod',
]);

export interface ContainerPort {
  readonly port: number;
  readonly name?: string;
  readonly protocol: string;
}

export interface Workload {
  readonly ref: ResourceRef;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** `namespace/kind/name`, unique in a model. */
  readonly key: string;
  /** Pod-template labels (the labels Istio selectors see); labels on the controller object do not count. */
  readonly labels: Labels;
  /** Pod-template annotations. */
  readonly podAnnotations: Labels;
  readonly ports: readonly ContainerPort[];
  readonly serviceAccount: string;
  readonly hostNetwork: boolean;
  /** True when the pod spec already carries an `istio-proxy` container (a dump of an injected pod). */
  readonly hasProxyContainer: boolean;
  /** The `runAsUser` settings of the pod spec; absent when neither the pod nor an application container sets one. */
  readonly runAsUsers?: RunAsUsers;
  /**
   * True for a Pod read from a cluster: it carries what only the API server
   * writes (uid, creationTimestamp, resourceVersion or status), so it already
   * runs and the injection webhook will not see it again.
   */
  readonly created?: boolean;
  /**
   * Labels and annotations whose key is in an `istio.io` domain, on the
   * controller object's own metadata (never on a Pod's): they never reach its
   * pods. Absent when there are none.
   */
  readonly ownIstioLabels?: Labels;
  readonly ownIstioAnnotations?: Labels;
}

/** The `securityContext.runAsUser` values of a pod spec (the UID a container runs as: its own, else the pod's). */
export interface RunAsUsers {
  /** `spec.securityContext.runAsUser`. */
  readonly pod?: number;
  /** Every container of `containers` (init containers are left out), in order, with its own runAsUser when set. */
  readonly containers: readonly { readonly name: string; readonly index: number; readonly runAsUser?: number }[];
}

export interface ServicePort {
  readonly port: number;
  readonly name?: string;
  /** A number, or the name of a container port. */
  readonly targetPort: number | string;
  readonly protocol: string;
  /** `appProtocol`, which Istio reads before the name prefix to pick the port's protocol. */
  readonly appProtocol?: string;
}

export interface ServiceInfo {
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name`. */
  readonly key: string;
  readonly hostname: string;
  /** Undefined when the Service has no selector (endpoints managed by hand, ExternalName). */
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
  /** `clusterIP: None`: clients reach the pods directly (pilot's Passthrough resolution). */
  readonly headless: boolean;
  /** The Service's own labels (e.g. `istio.io/use-waypoint`). */
  readonly labels: Labels;
}

export function parseNamespace(m: Manifest): NamespaceInfo {
  const ref = refOf(m);
  const metadata = objectOrEmpty(m.metadata);
  const istioAnnotations = istioKeys(metadata.annotations);
  return Object.freeze({
    ref: { ...ref, namespace: '' }, name: ref.name, labels: stringMap(metadata.labels), ...(istioAnnotations ? { istioAnnotations } : {}),
  });
}

/** Keys with a prefix in an `istio.io` domain (`sidecar.istio.io/inject`, `istio.io/rev`). */
const ISTIO_KEY = /(^|\.)istio\.io\//;

/** The entries of `stringMap(v)` whose key is in an `istio.io` domain; undefined when none. */
function istioKeys(v: unknown): Labels | undefined {
  if (!isPlainObject(v)) return undefined;
  let kept: Record<string, string> | undefined;
  for (const k of Object.keys(v)) {
    if (!ISTIO_KEY.test(k)) continue;
    const val = stringValue(v[k]);
    if (val === undefined) continue;
    kept ??= {};
    kept[k] = val;
  }
  return kept ? Object.freeze(kept) : undefined;
}

/** A Kubernetes int64 field: an integer, else undefined. */
function integerOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** The runAsUser settings of a pod spec, or undefined when none is set. */
function runAsUsersOf(spec: Record<string, unknown>): RunAsUsers | undefined {
  const pod = integerOf(objectOrEmpty(spec.securityContext).runAsUser);
  const list = listOrEmpty(spec.containers);
  // Most pod specs set none: then no container entry is built.
  if (pod === undefined && list.every((c) => integerOf(objectOrEmpty(objectOrEmpty(c).securityContext).runAsUser) === undefined)) return undefined;
  const containers = list.map((c, index) => {
    const container = objectOrEmpty(c);
    const runAsUser = integerOf(objectOrEmpty(container.securityContext).runAsUser);
    const name = typeof container.name === 'string' ? container.name : '';
    return Object.freeze(runAsUser === undefined ? { name, index } : { name, index, runAsUser });
  });
  return Object.freeze({ ...(pod === undefined ? {} : { pod }), containers: Object.freeze(containers) });
}

/** Fields only the API server writes: a Pod that has one was read from a cluster. */
function readFromCluster(m: Manifest): boolean {
  const metadata = objectOrEmpty(m.metadata);
  const written = (v: unknown) => (typeof v === 'string' && v !== '') || (typeof v === 'number');
  return written(metadata.uid) || written(metadata.creationTimestamp) || written(metadata.resourceVersion)
    || (isPlainObject(m.status) && Object.keys(m.status).length > 0);
}

/** `v[key]` when `v` is an object (not an array), else undefined. */
function fieldOf(v: unknown, key: string): unknown {
  return isPlainObject(v) ? v[key] : undefined;
}

/** The pod template (an object with metadata and spec) of a workload kind, or undefined when the manifest has none. */
function podTemplateOf(m: Manifest, kind: string): Record<string, unknown> | undefined {
  // A Pod is its own template.
  if (kind === 'Pod') return m;
  const template = kind === 'CronJob' ? fieldOf(fieldOf(fieldOf(m.spec, 'jobTemplate'), 'spec'), 'template') : fieldOf(m.spec, 'template');
  return isPlainObject(template) && (isPlainObject(template.spec) || isPlainObject(template.metadata)) ? template : undefined;
}

/** The container ports of a pod spec's `containers`, without repeats of a port and protocol, sorted by port and protocol. */
function containerPortsOf(containers: unknown, shared: ValueSharing): ContainerPort[] {
  const ports: ContainerPort[] = [];
  for (const c of listOrEmpty(containers)) {
    for (const p of listOrEmpty(fieldOf(c, 'ports'))) {
      if (!isPlainObject(p)) continue;
      const port = portNumber(p.containerPort);
      if (port === undefined) continue;
      const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
      if (ports.some((known) => known.port === port && known.protocol === protocol)) continue;
      const name = typeof p.name === 'string' && p.name ? p.name : undefined;
      const node = shared.root('cp').at(port).at(protocol).at(name);
      ports.push((node.value as ContainerPort | undefined) ?? node.keep(Object.freeze(name ? { port, protocol, name } : { port, protocol })));
    }
  }
  return sortInPlace(ports, (a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : 1));
}

/** True when a container of `containers` or `initContainers` is named `istio-proxy`. */
function hasProxyContainerIn(spec: Record<string, unknown>): boolean {
  return listOrEmpty(spec.containers).some((c) => fieldOf(c, 'name') === 'istio-proxy')
    || listOrEmpty(spec.initContainers).some((c) => fieldOf(c, 'name') === 'istio-proxy');
}

/** A Workload being built: its optional facts are set only when present. */
type WorkloadFields = { -readonly [K in keyof Workload]: Workload[K] };

/**
 * `ref` defaults to the manifest's, placed in `namespace`. Equal ports and
 * port lists are taken from `shared` when given.
 */
export function parseWorkload(
  m: Manifest, namespace: string, ref: ResourceRef = { ...refOf(m), namespace }, shared: ValueSharing = UNSHARED,
): Workload | undefined {
  const tpl = podTemplateOf(m, ref.kind);
  if (!tpl || !ref.name) return undefined;
  const spec = objectOrEmpty(tpl.spec);
  const metadata = tpl.metadata;
  const sa = spec.serviceAccountName ?? spec.serviceAccount;
  const runAsUsers = runAsUsersOf(spec);
  const ownIstioLabels = ref.kind === 'Pod' ? undefined : istioKeys(fieldOf(m.metadata, 'labels'));
  const ownIstioAnnotations = ref.kind === 'Pod' ? undefined : istioKeys(fieldOf(m.metadata, 'annotations'));
  const w: WorkloadFields = {
    ref,
    kind: ref.kind,
    namespace,
    name: ref.name,
    // join() builds one flat string; a template literal keeps a chain of cons strings (about three times the bytes).
    key: [namespace, ref.kind, ref.name].join('/'),
    labels: sharedStringMap(fieldOf(metadata, 'labels'), shared),
    podAnnotations: sharedStringMap(fieldOf(metadata, 'annotations'), shared),
    ports: sharedList(shared, 'cpl', containerPortsOf(spec.containers, shared)),
    serviceAccount: typeof sa === 'string' && sa ? sa : 'default',
    hostNetwork: spec.hostNetwork === true,
    hasProxyContainer: hasProxyContainerIn(spec),
  };
  // Optional facts only when present: most workloads have none, and the model lives beside the app at synth time.
  if (runAsUsers) w.runAsUsers = runAsUsers;
  if (ref.kind === 'Pod' && readFromCluster(m)) w.created = true;
  if (ownIstioLabels) w.ownIstioLabels = ownIstioLabels;
  if (ownIstioAnnotations) w.ownIstioAnnotations = ownIstioAnnotations;
  return Object.freeze(w);
}

/**
 * `ref` defaults to the manifest's, placed in `namespace`. Equal ports and
 * port lists are taken from `shared` when given.
 */
export function parseService(
  m: Manifest, namespace: string, clusterDomain: string, ref: ResourceRef = { ...refOf(m), namespace }, shared: ValueSharing = UNSHARED,
): ServiceInfo | undefined {
  if (!ref.name) return undefined;
  const spec = objectOrEmpty(m.spec);
  const ports: ServicePort[] = [];
  for (const sp of listOrEmpty(spec.ports)) {
    if (!isPlainObject(sp)) continue;
    const port = portNumber(sp.port);
    if (port === undefined) continue;
    const raw = sp.targetPort;
    const targetPort = portNumber(raw) ?? (typeof raw === 'string' && raw ? raw : port);
    const name = typeof sp.name === 'string' ? sp.name : undefined;
    const protocol = typeof sp.protocol === 'string' ? sp.protocol : 'TCP';
    const appProtocol = typeof sp.appProtocol === 'string' && sp.appProtocol ? sp.appProtocol : undefined;
    const node = shared.root('sp').at(port).at(targetPort).at(protocol).at(name || undefined).at(appProtocol);
    ports.push((node.value as ServicePort | undefined) ?? node.keep(Object.freeze({
      port, targetPort, protocol, ...(name ? { name } : {}), ...(appProtocol ? { appProtocol } : {}),
    })));
  }
  sortInPlace(ports, (a, b) => a.port - b.port);
  const selector = spec.type === 'ExternalName' || !isPlainObject(spec.selector) ? undefined : sharedStringMap(spec.selector, shared);
  return Object.freeze({
    ref,
    namespace,
    name: ref.name,
    key: [namespace, ref.name].join('/'),
    hostname: serviceHostname(ref.name, namespace, clusterDomain),
    selector: selector === NO_LABELS ? undefined : selector,
    ports: sharedList(shared, 'spl', ports),
    headless: spec.clusterIP === 'None',
    labels: sharedStringMap(fieldOf(m.metadata, 'labels'), shared),
  });
}

/**
 * The container port a Service port reaches on one workload: a number as is,
 * a name through the workload's container port names (undefined when the
 * workload has no port of that name, so Kubernetes lists no endpoint for it).
 */
export function targetPortOn(servicePort: ServicePort, workload: Workload): number | undefined {
  if (typeof servicePort.targetPort === 'number') return servicePort.targetPort;
  const p = workload.ports.find((cp) => cp.name === servicePort.targetPort);
  return p?.port;
}

