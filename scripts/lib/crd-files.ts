import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/**
 * The CRD files the project generates from. Outside this repository, download
 * them from upstream and pass their folder to `npm run import -- --crds DIR`.
 */
export const UPSTREAM_CRD_FILES = [
  {
    file: 'istio-crd-all.gen.yaml',
    upstream: 'https://raw.githubusercontent.com/istio/istio/1.30.3/manifests/charts/base/files/crd-all.gen.yaml',
    release: 'Istio 1.30.3',
  },
  {
    file: 'monitoring.coreos.com_prometheusrules.yaml',
    upstream:
      'https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/v0.93.0/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml',
    release: 'prometheus-operator v0.93.0',
  },
] as const;

/** The CRDs the library uses, by `metadata.name`. */
export const USED_CRDS = [
  'peerauthentications.security.istio.io',
  'authorizationpolicies.security.istio.io',
  'destinationrules.networking.istio.io',
  // the engine reads these four to know routes, registry entries and sidecar scopes
  'virtualservices.networking.istio.io',
  'serviceentries.networking.istio.io',
  'workloadentries.networking.istio.io',
  'sidecars.networking.istio.io',
  'prometheusrules.monitoring.coreos.com',
] as const;

export type Crd = {
  apiVersion: string;
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: { name: string; served: boolean; storage: boolean; schema?: { openAPIV3Schema: unknown } }[];
  };
};

/** Reads every CustomResourceDefinition in the given files (multi-document YAML or `kind: List`). */
export function readCrds(files: string[]): Crd[] {
  const out: Crd[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJS({ maxAliasCount: 100 }) as any;
      const items = value?.kind === 'List' || value?.kind === 'CustomResourceDefinitionList' ? value.items ?? [] : [value];
      for (const item of items) if (item?.kind === 'CustomResourceDefinition') out.push(item as Crd);
    }
  }
  return out;
}

/** The upstream CRD files in `dir`, failing with the download location of any that is missing. */
export function crdFilesIn(dir: string): string[] {
  return UPSTREAM_CRD_FILES.map(({ file, upstream }) => {
    const p = path.join(dir, file);
    if (!fs.existsSync(p)) throw new Error(`missing ${p}: download it from ${upstream}`);
    return p;
  });
}
