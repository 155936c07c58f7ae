import { DEFAULT_EXCEPTION_ANNOTATION_PREFIX, DEFAULT_MAX_REVIEW_DAYS } from '../vocabulary/exception-annotations';

/** Mesh-wide facts the manifests do not carry. */
export interface MeshOptions {
  /**
   * Istio's root namespace (meshConfig.rootNamespace): where mesh-wide policies live.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The mesh trust domain, first segment of every principal.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Other trust domains the mesh accepts (meshConfig.trustDomainAliases).
   * @default - none
   */
  readonly trustDomainAliases?: readonly string[];
  /**
   * Whether auto mTLS is on (meshConfig.enableAutoMtls).
   * @default true
   */
  readonly autoMtls?: boolean;
  /**
   * The Kubernetes cluster DNS domain, used to expand short DestinationRule hosts.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Namespace given to manifests that name none (as `kubectl apply` would).
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * Prefix of the exception annotations WorkloadException writes.
   * @default 'mtls.exception/'
   */
  readonly exceptionAnnotationPrefix?: string;
  /**
   * Whether workloads in namespaces absent from the input are assumed to get a sidecar.
   * Partial inputs (one app's manifests) rarely carry their Namespace; assuming no
   * sidecar would make every connection fail.
   * @default true
   */
  readonly assumeInjectedWhenNamespaceUnknown?: boolean;
  /**
   * "Today", for review-by dates. The only clock the engine reads.
   * @default - the current time when the model is built
   */
  readonly now?: Date;
  /**
   * How many days ahead of "today" the review-by date of an mTLS exception
   * (`mtls.exception/review-by`) or of an acknowledged finding
   * (`mtls.acknowledge/<CODE>`) may lie: a later date is an error, so that
   * nothing is accepted for good by writing a far-away date. At most 3650.
   * @default 365
   */
  readonly maxReviewDays?: number;
  /**
   * Whether ambient mode is installed (istiod with `PILOT_ENABLE_AMBIENT`,
   * istio-cni with `ambient.enabled`, as the `ambient` profile sets them).
   * Without it, the `istio.io/dataplane-mode` label enrols nothing.
   * @default false
   */
  readonly ambient?: boolean;
  /**
   * Namespaces istio-cni never enrols in ambient mode (its `excludeNamespaces`).
   * @default ['kube-system']
   */
  readonly ambientExcludeNamespaces?: readonly string[];
  /**
   * Whether injected sidecars carry `networking.istio.io/tunnel: http` (proxy
   * metadata `ISTIO_META_ENABLE_HBONE`, set by the ambient profile), so that
   * ambient clients reach them over HBONE.
   * @default - the value of `ambient`
   */
  readonly sidecarHbone?: boolean;
  /**
   * Whether sidecar traffic capture is set up by istio-cni rather than the
   * `istio-init` container (it adds exclusions and refuses `interceptionMode: NONE`).
   * @default false
   */
  readonly istioCni?: boolean;
  /**
   * The injector's capture defaults (Helm `global.proxy`), for pods whose
   * template does not set the `traffic.sidecar.istio.io/*` annotations.
   * @default - Istio's: every inbound port, every outbound IP range, no exclusions, status port 15020
   */
  readonly captureDefaults?: CaptureDefaultsOptions;
  /**
   * The cluster's Service and pod CIDRs, to judge `includeOutboundIPRanges`
   * and `excludeOutboundIPRanges`. Without them, whether a call falls in a
   * range is reported as unknown, never assumed.
   * @default - unknown
   */
  readonly serviceCidrs?: readonly string[];
  readonly podCidrs?: readonly string[];
  /**
   * meshConfig.outboundTrafficPolicy.mode: where sidecars send calls to hosts
   * their Sidecar resource does not import.
   * @default 'ALLOW_ANY'
   */
  readonly outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /**
   * The revisions installed (values of `istio.io/rev` that have an injection
   * webhook), including revision tags such as `default`.
   * @default - any revision named is assumed installed, and explanations say so
   */
  readonly knownRevisions?: readonly string[];
  /**
   * istiod's `ENABLE_TLS_ON_SIDECAR_INGRESS`, without which a Sidecar's
   * `ingress[].tls` is ignored.
   * @default false
   */
  readonly enableTlsOnSidecarIngress?: boolean;
}

/** The injector's capture defaults, each as the annotation of the same name would carry it. */
export interface CaptureDefaultsOptions {
  /** @default '*' */
  readonly includeInboundPorts?: string;
  /** @default '' */
  readonly excludeInboundPorts?: string;
  /** @default '*' */
  readonly includeOutboundIPRanges?: string;
  /** @default '' */
  readonly excludeOutboundIPRanges?: string;
  /** @default '' */
  readonly includeOutboundPorts?: string;
  /** @default '' */
  readonly excludeOutboundPorts?: string;
  /** @default 15020 */
  readonly statusPort?: number;
  /** @default 'REDIRECT' */
  readonly interceptionMode?: 'REDIRECT' | 'TPROXY' | 'NONE';
}

/** MeshOptions with every default filled in. */
export interface ResolvedMeshOptions {
  readonly rootNamespace: string;
  readonly trustDomain: string;
  readonly trustDomainAliases: readonly string[];
  readonly autoMtls: boolean;
  readonly clusterDomain: string;
  readonly defaultNamespace: string;
  readonly exceptionAnnotationPrefix: string;
  readonly assumeInjectedWhenNamespaceUnknown: boolean;
  readonly now: Date;
  readonly maxReviewDays: number;
  readonly ambient: boolean;
  readonly ambientExcludeNamespaces: readonly string[];
  readonly sidecarHbone: boolean;
  readonly istioCni: boolean;
  readonly captureDefaults: Required<CaptureDefaultsOptions>;
  readonly serviceCidrs?: readonly string[];
  readonly podCidrs?: readonly string[];
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  readonly knownRevisions?: readonly string[];
  readonly enableTlsOnSidecarIngress: boolean;
}

/** The injector's capture defaults of Istio 1.30.3 (istio-discovery values.yaml `global.proxy`, ProxyConfig REDIRECT). */
export const CAPTURE_DEFAULTS: Required<CaptureDefaultsOptions> = Object.freeze({
  includeInboundPorts: '*',
  excludeInboundPorts: '',
  includeOutboundIPRanges: '*',
  excludeOutboundIPRanges: '',
  includeOutboundPorts: '',
  excludeOutboundPorts: '',
  statusPort: 15020,
  interceptionMode: 'REDIRECT',
});

function frozenCopy(list: readonly string[] | undefined): readonly string[] | undefined {
  return list === undefined ? undefined : Object.freeze([...list]);
}

export function resolveMeshOptions(options: MeshOptions = {}): ResolvedMeshOptions {
  return Object.freeze({
    rootNamespace: options.rootNamespace || 'istio-system',
    trustDomain: options.trustDomain || 'cluster.local',
    trustDomainAliases: Object.freeze([...(options.trustDomainAliases ?? [])]),
    autoMtls: options.autoMtls ?? true,
    clusterDomain: options.clusterDomain || 'cluster.local',
    defaultNamespace: options.defaultNamespace || 'default',
    exceptionAnnotationPrefix: options.exceptionAnnotationPrefix ?? DEFAULT_EXCEPTION_ANNOTATION_PREFIX,
    assumeInjectedWhenNamespaceUnknown: options.assumeInjectedWhenNamespaceUnknown ?? true,
    now: options.now ?? new Date(),
    maxReviewDays: options.maxReviewDays ?? DEFAULT_MAX_REVIEW_DAYS,
    ambient: options.ambient ?? false,
    ambientExcludeNamespaces: Object.freeze([...(options.ambientExcludeNamespaces ?? ['kube-system'])]),
    sidecarHbone: options.sidecarHbone ?? options.ambient ?? false,
    istioCni: options.istioCni ?? false,
    captureDefaults: Object.freeze({ ...CAPTURE_DEFAULTS, ...definedOnly(options.captureDefaults ?? {}) }),
    serviceCidrs: frozenCopy(options.serviceCidrs),
    podCidrs: frozenCopy(options.podCidrs),
    outboundTrafficPolicy: options.outboundTrafficPolicy ?? 'ALLOW_ANY',
    knownRevisions: frozenCopy(options.knownRevisions),
    enableTlsOnSidecarIngress: options.enableTlsOnSidecarIngress ?? false,
  });
}

/** The entries of `o` whose value is not undefined (an explicit undefined keeps the default). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One problem with a mesh option: the option's name (as in MeshOptions), and what is wrong with the value given. */
export interface MeshOptionProblem {
  readonly option: string;
  readonly message: string;
}

/** The largest `maxReviewDays`: ten years is already "never" for a review. */
const MAX_REVIEW_DAYS_LIMIT = 3650;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CAPTURE_KEYS: readonly (keyof CaptureDefaultsOptions)[] = [
  'includeInboundPorts', 'excludeInboundPorts', 'includeOutboundIPRanges', 'excludeOutboundIPRanges',
  'includeOutboundPorts', 'excludeOutboundPorts', 'statusPort', 'interceptionMode',
];

/** True for an IPv4 or IPv6 prefix (`10.96.0.0/12`, `fd00::/108`), as Go's netip.ParsePrefix reads it. */
export function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const bits = Number(m[2]);
  if (m[1].includes(':')) return bits <= 128 && isIpv6(m[1]);
  return bits <= 32 && /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(m[1]);
}

function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
}

/**
 * What is wrong with mesh options given by a user (CLI flags, plugin
 * properties, `MtlsValidation.enable`): each problem names the option, the
 * bad value and what is allowed. Empty when all are usable.
 */
export function meshOptionProblems(options: MeshOptions): MeshOptionProblem[] {
  const out: MeshOptionProblem[] = [];
  const o = options as Record<string, unknown>;
  const show = (v: unknown) => JSON.stringify(v);
  const bad = (option: string, expected: string): void => void out.push({ option, message: `must be ${expected}, got ${show(o[option])}` });
  const list = (option: string, expected: string, ok: (s: string) => boolean): void => {
    const v = o[option];
    if (v === undefined) return;
    if (!Array.isArray(v)) {
      bad(option, `a list of ${expected}`);
      return;
    }
    const wrong = v.find((x) => typeof x !== 'string' || !ok(x));
    if (wrong !== undefined) out.push({ option, message: `must be a list of ${expected}; ${show(wrong)} is not one` });
  };
  if (o.rootNamespace !== undefined && (typeof o.rootNamespace !== 'string' || !DNS_LABEL.test(o.rootNamespace))) bad('rootNamespace', 'a namespace name (DNS-1123 label)');
  for (const [key, what] of [['trustDomain', 'a trust domain'], ['clusterDomain', 'a DNS domain']] as const) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'string' || v === '' || v.includes('/'))) bad(key, `${what} such as cluster.local`);
  }
  list('trustDomainAliases', 'trust domains such as old-td.example', (s) => s !== '' && !s.includes('/'));
  list('ambientExcludeNamespaces', 'namespace names', (s) => DNS_LABEL.test(s));
  list('serviceCidrs', 'CIDRs such as 10.96.0.0/12', isCidr);
  list('podCidrs', 'CIDRs such as 10.244.0.0/16', isCidr);
  list('knownRevisions', 'revision names (label values such as 1-30-3 or default)', (s) => s !== '' && s.length <= 63 && LABEL_VALUE.test(s));
  for (const key of ['autoMtls', 'assumeInjectedWhenNamespaceUnknown', 'ambient', 'sidecarHbone', 'istioCni', 'enableTlsOnSidecarIngress'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') bad(key, 'true or false');
  }
  const days = o.maxReviewDays;
  if (days !== undefined && (!Number.isInteger(days) || (days as number) < 1 || (days as number) > MAX_REVIEW_DAYS_LIMIT)) {
    bad('maxReviewDays', `a whole number of days from 1 to ${MAX_REVIEW_DAYS_LIMIT}`);
  }
  if (o.now !== undefined && !(o.now instanceof Date && !Number.isNaN(o.now.getTime()))) bad('now', 'a valid Date');
  if (o.outboundTrafficPolicy !== undefined && o.outboundTrafficPolicy !== 'ALLOW_ANY' && o.outboundTrafficPolicy !== 'REGISTRY_ONLY') {
    bad('outboundTrafficPolicy', 'ALLOW_ANY or REGISTRY_ONLY');
  }
  const capture = o.captureDefaults;
  if (capture !== undefined) {
    if (typeof capture !== 'object' || capture === null || Array.isArray(capture)) return [...out, { option: 'captureDefaults', message: `must be a map, got ${show(capture)}` }];
    for (const [key, value] of Object.entries(capture)) {
      const option = `captureDefaults.${key}`;
      if (!(CAPTURE_KEYS as readonly string[]).includes(key)) {
        out.push({ option, message: `is not a capture default; expected one of ${CAPTURE_KEYS.join(', ')}` });
      } else if (key === 'statusPort') {
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535) out.push({ option, message: `must be a port number (1-65535), got ${show(value)}` });
      } else if (key === 'interceptionMode') {
        if (value !== 'REDIRECT' && value !== 'TPROXY' && value !== 'NONE') out.push({ option, message: `must be REDIRECT, TPROXY or NONE, got ${show(value)}` });
      } else if (typeof value !== 'string') {
        out.push({ option, message: `must be a string as the annotation of that name would carry it, got ${show(value)}` });
      }
    }
  }
  return out;
}
