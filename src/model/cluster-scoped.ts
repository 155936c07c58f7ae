/**
 * The cluster-scoped kinds of Kubernetes 1.35 that can be applied (review
 * kinds, which are never stored, left out) and of the Gateway API, by API
 * group. The API server clears `metadata.namespace` on these, so two
 * manifests of one name are one object whatever namespace they write. Kinds
 * of other CustomResourceDefinitions are taken as namespaced, unless a CRD
 * of the model's input says otherwise (mesh-model.ts).
 */
const CLUSTER_SCOPED: ReadonlyMap<string, ReadonlySet<string>> = new Map(Object.entries({
  '': new Set(['ComponentStatus', 'Namespace', 'Node', 'PersistentVolume']),
  'admissionregistration.k8s.io': new Set([
    'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
    'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
  ]),
  'apiextensions.k8s.io': new Set(['CustomResourceDefinition']),
  'apiregistration.k8s.io': new Set(['APIService']),
  'certificates.k8s.io': new Set(['CertificateSigningRequest', 'ClusterTrustBundle']),
  'flowcontrol.apiserver.k8s.io': new Set(['FlowSchema', 'PriorityLevelConfiguration']),
  'internal.apiserver.k8s.io': new Set(['StorageVersion']),
  'networking.k8s.io': new Set(['IngressClass', 'IPAddress', 'ServiceCIDR']),
  'node.k8s.io': new Set(['RuntimeClass']),
  'rbac.authorization.k8s.io': new Set(['ClusterRole', 'ClusterRoleBinding']),
  'resource.k8s.io': new Set(['DeviceClass', 'DeviceTaintRule', 'ResourceSlice']),
  'scheduling.k8s.io': new Set(['PriorityClass']),
  'storage.k8s.io': new Set(['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment', 'VolumeAttributesClass']),
  'storagemigration.k8s.io': new Set(['StorageVersionMigration']),
  'gateway.networking.k8s.io': new Set(['GatewayClass']),
}));

/**
 * Whether objects of this API group and kind live outside namespaces.
 * @internal
 */
export function isClusterScoped(group: string, kind: string): boolean {
  return CLUSTER_SCOPED.get(group)?.has(kind) === true;
}
