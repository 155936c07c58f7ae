/**
 * The Sidecar resource as pilot reads it (`pilot/pkg/model/sidecar.go`): which
 * workloads it selects, what its egress listeners import, its ingress
 * listeners and its outbound traffic policy.
 */
import { pointer } from './finding';
import { Labels, stringMap } from './labels';
import { frozenList } from './lists';
import { Manifest, ResourceRef, isPlainObject, listOrEmpty, objectOrEmpty, refOf } from './manifest';
import { portNumber } from './policies';

/** What a sidecar does with traffic to a host it does not import. */
export type OutboundTrafficPolicyMode = 'ALLOW_ANY' | 'REGISTRY_ONLY';

/** One `namespace/host` entry of an egress listener's `hosts`. */
export interface SidecarEgressHost {
  /** The entry as written. */
  readonly raw: string;
  /** `*`, `~`, `.` or a namespace name, as written. */
  readonly namespace: string;
  /** `*`, `*.suffix` or an exact DNS name. */
  readonly host: string;
}

export interface SidecarEgressListener {
  readonly index: number;
  readonly path: string;
  /** `port.number`; undefined for the catch-all listener (no port). */
  readonly port?: number;
  /** `port.protocol` as written (upper-cased), when set. */
  readonly protocol?: string;
  readonly hosts: readonly SidecarEgressHost[];
  /** Entries pilot skips because they are not of the form `namespace/host`. */
  readonly invalidHosts: readonly string[];
}

export interface SidecarIngressListener {
  readonly index: number;
  readonly path: string;
  /** `port.number`: the container port whose inbound chain it defines. */
  readonly port: number;
  /** `port.protocol` as written (upper-cased), or '' when absent. */
  readonly protocol: string;
  readonly name?: string;
  /** True when the entry carries a `tls` block (honoured only under §6 rule 4's conditions). */
  readonly hasTls: boolean;
  /** `tls.mode` as written, when set. */
  readonly tlsMode?: string;
}

export interface SidecarInfo {
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  /**
   * `workloadSelector.labels` when the manifest has a `workloadSelector`, even
   * an empty one: pilot treats any present selector as a selector (an empty
   * one matches every workload and still wins over the selector-less Sidecar).
   */
  readonly workloadSelector?: Labels;
  /** Egress listeners in order; empty when the Sidecar has none (then pilot imports `*\/*`). */
  readonly egress: readonly SidecarEgressListener[];
  readonly ingress: readonly SidecarIngressListener[];
  /**
   * `outboundTrafficPolicy.mode`. A present policy without `mode` is
   * REGISTRY_ONLY (the enum's zero value); undefined when the Sidecar has no
   * policy and the mesh's applies.
   */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicyMode;
  /** True when `outboundTrafficPolicy.egressProxy` is set: unmatched traffic goes there instead of passthrough. */
  readonly hasEgressProxy: boolean;
  readonly annotations: Labels;
}

function strings(v: unknown): string[] {
  return listOrEmpty(v).filter((x): x is string => typeof x === 'string');
}

function protocolOf(port: Record<string, unknown>): string | undefined {
  return typeof port.protocol === 'string' && port.protocol !== '' ? port.protocol.toUpperCase() : undefined;
}

function parseEgress(raw: unknown, index: number): SidecarEgressListener {
  const e = objectOrEmpty(raw);
  const port = objectOrEmpty(e.port);
  const number = portNumber(port.number);
  const protocol = protocolOf(port);
  const hosts: SidecarEgressHost[] = [];
  const invalid: string[] = [];
  for (const h of strings(e.hosts)) {
    // pilot skips any entry without exactly one slash (convertIstioListenerToWrapper).
    const parts = h.split('/');
    if (parts.length !== 2) { invalid.push(h); continue; }
    hosts.push(Object.freeze({ raw: h, namespace: parts[0], host: parts[1] }));
  }
  return Object.freeze({
    index,
    path: pointer('spec', 'egress', index),
    ...(number !== undefined ? { port: number } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    hosts: frozenList(hosts),
    invalidHosts: frozenList(invalid),
  });
}

function parseIngress(raw: unknown, index: number): SidecarIngressListener | undefined {
  const i = objectOrEmpty(raw);
  const port = objectOrEmpty(i.port);
  const number = portNumber(port.number);
  if (number === undefined) return undefined;
  const tls = i.tls;
  const mode = isPlainObject(tls) && typeof tls.mode === 'string' ? tls.mode : undefined;
  return Object.freeze({
    index,
    path: pointer('spec', 'ingress', index),
    port: number,
    protocol: protocolOf(port) ?? '',
    ...(typeof port.name === 'string' && port.name !== '' ? { name: port.name } : {}),
    hasTls: isPlainObject(tls),
    ...(mode !== undefined ? { tlsMode: mode } : {}),
  });
}

/**
 * Reads a Sidecar placed in `namespace`. `ref` defaults to the manifest's,
 * placed in `namespace`.
 */
export function parseSidecar(m: Manifest, namespace: string, ref: ResourceRef = { ...refOf(m), namespace }): SidecarInfo {
  const spec = objectOrEmpty(m.spec);
  const policy = spec.outboundTrafficPolicy;
  const ingress: SidecarIngressListener[] = [];
  listOrEmpty(spec.ingress).forEach((raw, i) => {
    const parsed = parseIngress(raw, i);
    if (parsed) ingress.push(parsed);
  });
  return Object.freeze({
    ref,
    namespace,
    name: ref.name,
    ...(isPlainObject(spec.workloadSelector) ? { workloadSelector: stringMap(spec.workloadSelector.labels) } : {}),
    egress: frozenList(listOrEmpty(spec.egress).map(parseEgress)),
    ingress: frozenList(ingress),
    ...(isPlainObject(policy) ? { outboundTrafficPolicy: policy.mode === 'ALLOW_ANY' ? 'ALLOW_ANY' as const : 'REGISTRY_ONLY' as const } : {}),
    hasEgressProxy: isPlainObject(policy) && isPlainObject(policy.egressProxy),
    annotations: stringMap(objectOrEmpty(m.metadata).annotations),
  });
}
