import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Finding } from '../../../src/model/finding';
import { Manifest, refOf } from '../../../src/model/manifest';
import { CrdSchemaSet, schemaSetFromCrds, validateStructure } from '../../../src/validation/schema';

import { RealworldDoc, SHARED, realworldDocs } from '../../realworld';

/** A one-version CRD `widgets.example.com` (kind Widget, v1) whose spec has the given schema. */
export function widgetCrd(spec: Record<string, unknown>, extra: { status?: boolean; root?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets' },
      scope: 'Namespaced',
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        ...(extra.status ? { subresources: { status: {} } } : {}),
        schema: { openAPIV3Schema: { type: 'object', properties: { spec, status: { type: 'object', properties: { phase: { type: 'string' } } } }, ...extra.root } },
      }],
    },
  };
}

export function widgetSet(spec: Record<string, unknown>, extra: { status?: boolean; root?: Record<string, unknown> } = {}): CrdSchemaSet {
  return schemaSetFromCrds([widgetCrd(spec, extra)]);
}

export function widget(spec: unknown, more: Record<string, unknown> = {}): Manifest {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns' }, spec, ...more };
}

export function check(manifest: Manifest, set?: CrdSchemaSet): Finding[] {
  return validateStructure(manifest, refOf(manifest), set);
}

/** `code path` of each finding, sorted: the shape most tests compare. */
export function codes(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.code} ${f.path}`);
}

export function errors(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error');
}

/** The official CRD documents of the workspace (read-only reference data). */
export function officialCrdDocs(): unknown[] {
  const dir = path.join(SHARED, 'crds');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS({ maxAliasCount: 100 })));
}

/** Every YAML document of the real-world corpus, with `_err` test metadata removed. */
export function corpusDocs(): RealworldDoc[] {
  return realworldDocs().map((d) => {
    const { _err, ...rest } = d.manifest as Record<string, unknown>;
    void _err;
    return { ...d, manifest: rest as Manifest };
  });
}
