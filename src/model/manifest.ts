/**
 * A Kubernetes object as plain data: what a cdk8s chart synthesizes and what a
 * YAML file or cluster dump holds. The engine reads nothing else.
 */
export interface Manifest {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: ManifestMetadata;
  readonly spec?: unknown;
  readonly [key: string]: unknown;
}

export interface ManifestMetadata {
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly labels?: unknown;
  readonly annotations?: unknown;
  readonly [key: string]: unknown;
}

/** Identifies one resource in findings and reports. */
export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** Empty when the manifest names no namespace. */
  readonly namespace: string;
  readonly name: string;
}

/** Where a manifest came from, when known. */
export interface SourceLocation {
  /** The file as the user named it (CLI), if any. */
  readonly file?: string;
  /** 0-based index of the document within the file. */
  readonly documentIndex?: number;
  /** The cdk8s construct path (synth), if any. */
  readonly constructPath?: string;
}

/** A manifest and where it came from. */
export interface SourcedManifest {
  readonly manifest: Manifest;
  readonly source: SourceLocation;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The reference of a manifest, tolerating any shape of input. */
export function refOf(manifest: Manifest): ResourceRef {
  // A document may be null, a number or a list: it has no reference then.
  const m: Manifest = isPlainObject(manifest) ? manifest : {};
  const md = isPlainObject(m.metadata) ? m.metadata : {};
  return {
    apiVersion: str(m.apiVersion),
    kind: str(m.kind),
    namespace: str(md.namespace),
    name: str(md.name),
  };
}

/** `Kind namespace/name` (or `Kind name` without namespace), as used in messages. */
export function describeRef(ref: ResourceRef): string {
  const name = ref.name || '<unnamed>';
  return `${ref.kind || '<no kind>'} ${ref.namespace ? `${ref.namespace}/${name}` : name}`;
}

/** The API group of an apiVersion (`security.istio.io/v1` → `security.istio.io`, `v1` → ``). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `v` when it is an object (not an array), else a new empty one: reads optional fields of untrusted input.
 * @internal
 */
export function objectOrEmpty(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

/**
 * `v` when it is an array, else a new empty one.
 * @internal
 */
export function listOrEmpty(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
