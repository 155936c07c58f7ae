import { DEFAULT_EXCEPTION_ANNOTATION_PREFIX } from '../vocabulary/exception-annotations';

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
  });
}
