import { Labels, stringMap } from './labels';
import { frozenList } from './lists';
import { Manifest, ResourceRef, groupOf, isPlainObject, listOrEmpty, objectOrEmpty, refOf } from './manifest';

/** The API group of the Kubernetes Gateway API (not Istio's `networking.istio.io` Gateway). */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** Which namespaces a listener accepts routes (and, for a waypoint, bindings) from. */
export type RouteNamespacesFrom = 'Same' | 'All' | 'Selector';

/** One `matchExpressions` entry of a Kubernetes label selector. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values: readonly string[];
}

/**
 * A Kubernetes `metav1.LabelSelector` as written. `valid` is false when
 * Kubernetes could not turn it into a selector (unknown operator, `In`
 * without values, ...): such a selector matches nothing.
 */
export interface NamespaceLabelSelector {
  readonly matchLabels: Labels;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
  readonly valid: boolean;
}

export interface GatewayListenerInfo {
  readonly name: string;
  /** Undefined when the port is missing or not a number. */
  readonly port?: number;
  readonly protocol: string;
  /** `allowedRoutes.namespaces.from`; Same when absent, as the Gateway API defaults it. */
  readonly allowedFrom: RouteNamespacesFrom;
  /** True when `from` was written with a value that is none of Same, All, Selector (Istio then behaves as Same). */
  readonly allowedFromUnknown: boolean;
  /** `allowedRoutes.namespaces.selector`; undefined when absent (a Selector listener then matches nothing). */
  readonly allowedSelector?: NamespaceLabelSelector;
}

/** A Gateway API `Gateway`, reduced to what waypoint binding reads. */
export interface GatewayInfo {
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  readonly gatewayClassName: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  /** The `istio.io/waypoint-for` label, if any. */
  readonly waypointFor?: string;
  readonly listeners: readonly GatewayListenerInfo[];
  /** True when `status.addresses` is a non-empty list: istiod only treats such a Gateway as a ready waypoint. */
  readonly hasStatusAddresses: boolean;
}

/** A Gateway API `GatewayClass` (cluster-scoped). */
export interface GatewayClassInfo {
  readonly ref: ResourceRef;
  readonly name: string;
  readonly controllerName: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  /** The `istio.io/waypoint-for` label, if any. */
  readonly waypointFor?: string;
}

const WAYPOINT_FOR = 'istio.io/waypoint-for';
const FROM_VALUES: ReadonlySet<string> = new Set(['Same', 'All', 'Selector']);
const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function strings(v: unknown): string[] {
  return listOrEmpty(v).filter((x): x is string => typeof x === 'string');
}

function isGatewayApiKind(m: Manifest, kind: string): boolean {
  return m.kind === kind && typeof m.apiVersion === 'string' && groupOf(m.apiVersion) === GATEWAY_API_GROUP;
}

/** True for a Gateway API `Gateway` of any version (v1, v1beta1, v1alpha2). */
export function isGatewayManifest(m: Manifest): boolean {
  return isGatewayApiKind(m, 'Gateway');
}

/** True for a Gateway API `GatewayClass` of any version. */
export function isGatewayClassManifest(m: Manifest): boolean {
  return isGatewayApiKind(m, 'GatewayClass');
}

/** A label selector as written; requirements Kubernetes would reject make it `valid: false`. */
export function parseLabelSelector(v: unknown): NamespaceLabelSelector {
  const raw = objectOrEmpty(v);
  let valid = true;
  const matchExpressions = listOrEmpty(raw.matchExpressions).map((e) => {
    const entry = objectOrEmpty(e);
    const requirement = { key: str(entry.key), operator: str(entry.operator), values: frozenList(strings(entry.values)) };
    // metav1.LabelSelectorAsSelector: In/NotIn need values, Exists/DoesNotExist forbid them.
    const needsValues = requirement.operator === 'In' || requirement.operator === 'NotIn';
    if (!requirement.key || !OPERATORS.has(requirement.operator) || needsValues !== (requirement.values.length > 0)) valid = false;
    return Object.freeze(requirement);
  });
  return Object.freeze({ matchLabels: stringMap(raw.matchLabels), matchExpressions: frozenList(matchExpressions), valid });
}

/** True when `labels` satisfy the selector; an empty valid selector matches everything, an invalid one nothing. */
export function labelSelectorMatches(selector: NamespaceLabelSelector, labels: Labels): boolean {
  if (!selector.valid) return false;
  for (const k of Object.keys(selector.matchLabels)) {
    if (labels[k] !== selector.matchLabels[k]) return false;
  }
  for (const { key, operator, values } of selector.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const ok = operator === 'In' ? has && values.includes(labels[key])
      : operator === 'NotIn' ? !has || !values.includes(labels[key])
        : operator === 'Exists' ? has
          : !has;
    if (!ok) return false;
  }
  return true;
}

function parseListener(v: unknown): GatewayListenerInfo {
  const l = objectOrEmpty(v);
  const namespaces = objectOrEmpty(objectOrEmpty(l.allowedRoutes).namespaces);
  const from = str(namespaces.from);
  const port = typeof l.port === 'number' && Number.isInteger(l.port) ? l.port : undefined;
  return Object.freeze({
    name: str(l.name),
    ...(port !== undefined ? { port } : {}),
    protocol: str(l.protocol),
    allowedFrom: FROM_VALUES.has(from) ? from as RouteNamespacesFrom : 'Same',
    allowedFromUnknown: from !== '' && !FROM_VALUES.has(from),
    ...(isPlainObject(namespaces.selector) ? { allowedSelector: parseLabelSelector(namespaces.selector) } : {}),
  });
}

function waypointForOf(labels: Labels): { waypointFor?: string } {
  // The label counts when present, even with an empty value (istiod checks presence).
  return Object.prototype.hasOwnProperty.call(labels, WAYPOINT_FOR) ? { waypointFor: labels[WAYPOINT_FOR] } : {};
}

/** A Gateway manifest as a frozen GatewayInfo; a manifest without namespace is placed in `defaultNamespace`. */
export function parseGateway(m: Manifest, defaultNamespace = 'default'): GatewayInfo {
  const base = refOf(m);
  const ref = { ...base, namespace: base.namespace || defaultNamespace };
  const md = objectOrEmpty(m.metadata);
  const spec = objectOrEmpty(m.spec);
  const labels = stringMap(md.labels);
  return Object.freeze({
    ref,
    namespace: ref.namespace,
    name: ref.name,
    gatewayClassName: str(spec.gatewayClassName),
    labels,
    annotations: stringMap(md.annotations),
    ...waypointForOf(labels),
    listeners: frozenList(listOrEmpty(spec.listeners).map(parseListener)),
    hasStatusAddresses: listOrEmpty(objectOrEmpty(m.status).addresses).length > 0,
  });
}

/** A GatewayClass manifest as a frozen GatewayClassInfo. */
export function parseGatewayClass(m: Manifest): GatewayClassInfo {
  const ref = { ...refOf(m), namespace: '' };
  const md = objectOrEmpty(m.metadata);
  const labels = stringMap(md.labels);
  return Object.freeze({
    ref,
    name: ref.name,
    controllerName: str(objectOrEmpty(m.spec).controllerName),
    labels,
    annotations: stringMap(md.annotations),
    ...waypointForOf(labels),
  });
}

/** The Gateways and GatewayClasses among `manifests`, in input order; other kinds are skipped. */
export function readGatewayApi(
  manifests: readonly Manifest[], defaultNamespace = 'default',
): { readonly gateways: readonly GatewayInfo[]; readonly classes: readonly GatewayClassInfo[] } {
  const gateways: GatewayInfo[] = [];
  const classes: GatewayClassInfo[] = [];
  for (const m of manifests) {
    if (isGatewayManifest(m)) gateways.push(parseGateway(m, defaultNamespace));
    else if (isGatewayClassManifest(m)) classes.push(parseGatewayClass(m));
  }
  return Object.freeze({ gateways: frozenList(gateways), classes: frozenList(classes) });
}
