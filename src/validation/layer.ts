import { Finding } from '../model/finding';
import { Manifest, ResourceRef } from '../model/manifest';

/**
 * A per-resource validation layer. Layers are pure: the same manifest gives the
 * same findings. `ref` is precomputed by the caller (refOf(manifest)).
 */
export type ValidationLayer = (manifest: Manifest, ref: ResourceRef) => Finding[];

/** The resource kinds the validator knows, by `group/Kind`. */
export const VALIDATED_KINDS = [
  'security.istio.io/PeerAuthentication',
  'security.istio.io/AuthorizationPolicy',
  'networking.istio.io/DestinationRule',
  'networking.istio.io/VirtualService',
  'networking.istio.io/ServiceEntry',
  'networking.istio.io/WorkloadEntry',
  'networking.istio.io/Sidecar',
  'monitoring.coreos.com/PrometheusRule',
] as const;
