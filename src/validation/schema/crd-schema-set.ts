import { groupOf } from '../../model/manifest';
import { GENERATED_CRDS } from '../schemas';
import { CrdSchemas, CrdVersionSchema } from './crd-schema';
import { collectCrdDocuments, crdSchemasFrom } from './from-crd';
import { builtinCrdSchemas } from './precompiled';
import { StructuralSchema } from './structural';

/** The schema of one served version of a kind. */
export interface ServedSchema {
  readonly crd: CrdSchemas;
  readonly version: string;
  readonly schema: StructuralSchema;
}

/** The CRD and version serving an apiVersion/kind, and its ServedSchema once `lookup` has built it. */
interface Found {
  readonly crd: CrdSchemas;
  readonly served: CrdVersionSchema;
  schema?: ServedSchema;
}

/**
 * The CRD schemas validation runs against, looked up by apiVersion and kind.
 * Immutable; validators compiled from it are cached per schema object.
 */
export class CrdSchemaSet {
  private readonly byGroupKind: ReadonlyMap<string, CrdSchemas>;
  /** Answers of `find`, by apiVersion and kind (the set is immutable). */
  private readonly found = new Map<string, Map<string, Found | undefined>>();
  /** The last answer of `find`: an object is looked up several times in a row, and apps list objects of a kind together. */
  private last: { readonly apiVersion: string; readonly kind: string; readonly found: Found | undefined } | undefined;

  /** @internal use {@link builtinSchemaSet} or {@link schemaSetFromCrds}. */
  constructor(crds: readonly CrdSchemas[]) {
    const map = new Map<string, CrdSchemas>();
    for (const crd of crds) map.set(`${crd.group}/${crd.kind}`, crd);
    this.byGroupKind = map;
  }

  /** True when a CRD in the set serves `apiVersion` for `kind`. */
  public has(apiVersion: string, kind: string): boolean {
    return this.find(apiVersion, kind) !== undefined;
  }

  /** The versions a CRD in the set serves for the group of `apiVersion` and `kind` (empty when the kind is unknown). */
  public servedVersions(apiVersion: string, kind: string): string[] {
    const crd = this.byGroupKind.get(`${groupOf(apiVersion)}/${kind}`);
    return crd ? crd.versions.map((v) => v.name) : [];
  }

  /** The CRD names in the set, sorted. */
  public crdNames(): string[] {
    return [...this.byGroupKind.values()].map((c) => c.name).sort();
  }

  /** The schema that validates `apiVersion`/`kind`, if a CRD in the set serves it. */
  public lookup(apiVersion: string, kind: string): ServedSchema | undefined {
    const found = this.find(apiVersion, kind);
    if (!found) return undefined;
    found.schema ??= { crd: found.crd, version: found.served.name, schema: found.crd.schemas[found.served.schema] };
    return found.schema;
  }

  /** The CRD and version serving `apiVersion`/`kind`, without reading the schemas (the built-in ones load on first read). */
  private find(apiVersion: string, kind: string): Found | undefined {
    const last = this.last;
    if (last && last.apiVersion === apiVersion && last.kind === kind) return last.found;
    const found = this.findRemembered(apiVersion, kind);
    this.last = { apiVersion, kind, found };
    return found;
  }

  private findRemembered(apiVersion: string, kind: string): Found | undefined {
    // Every object of an app is looked up, and apps have few distinct apiVersion/kind pairs: remember the answers.
    let byKind = this.found.get(apiVersion);
    if (!byKind) {
      if (this.found.size >= 1024) this.found.clear(); // bounded, whatever the input
      byKind = new Map();
      this.found.set(apiVersion, byKind);
    }
    if (byKind.has(kind)) return byKind.get(kind);
    if (byKind.size >= 1024) byKind.clear();
    const result = this.findUncached(apiVersion, kind);
    byKind.set(kind, result);
    return result;
  }

  private findUncached(apiVersion: string, kind: string): Found | undefined {
    const slash = apiVersion.indexOf('/');
    if (slash < 0) return undefined;
    const crd = this.byGroupKind.get(`${apiVersion.slice(0, slash)}/${kind}`);
    const version = apiVersion.slice(slash + 1);
    const served = crd?.versions.find((v) => v.name === version);
    return crd && served ? { crd, served } : undefined;
  }
}

let builtin: CrdSchemaSet | undefined;

/**
 * The schemas generated from the official CRDs (Istio 1.30.3:
 * PeerAuthentication, AuthorizationPolicy, DestinationRule; prometheus-operator
 * v0.93.0: PrometheusRule), shared by all callers. Each kind's schema is
 * loaded on its first lookup, and validated with validators precompiled by
 * `npm run import` (ajv standalone code), so no schema is compiled at run time.
 */
export function builtinSchemaSet(): CrdSchemaSet {
  builtin ??= new CrdSchemaSet(GENERATED_CRDS.map(builtinCrdSchemas));
  return builtin;
}

/**
 * A schema set from CustomResourceDefinition documents, e.g. your cluster's
 * (`kubectl get crd -o yaml`: a `kind: List`), or parsed multi-document YAML.
 * Non-CRD documents are ignored. Applies the same conversion as the built-in
 * schemas. Throws an Error naming the CRD when one is not structural or
 * otherwise unusable, and when no CRD is found at all.
 */
export function schemaSetFromCrds(docs: unknown[]): CrdSchemaSet {
  const crds = collectCrdDocuments(docs);
  if (crds.length === 0) throw new Error('no CustomResourceDefinition found in the given documents');
  return new CrdSchemaSet(crds.map((d) => crdSchemasFrom(d)));
}
