import { StructuralSchema } from './structural';

/** One served version of a CRD, pointing at its (possibly shared) schema. */
export interface CrdVersionSchema {
  readonly name: string;
  /** Index into {@link CrdSchemas.schemas}; versions with identical schemas share one. */
  readonly schema: number;
}

/**
 * What validation needs from one CustomResourceDefinition: its names, whether
 * `status` is a subresource (then the API server drops `status` on create),
 * and one structural schema per distinct served version.
 */
export interface CrdSchemas {
  /** `metadata.name` of the CRD, e.g. `peerauthentications.security.istio.io`. */
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly statusSubresource: boolean;
  readonly versions: readonly CrdVersionSchema[];
  readonly schemas: readonly StructuralSchema[];
}
