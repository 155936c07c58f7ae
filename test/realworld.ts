import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Manifest } from '../src/model/manifest';

/** The shared folder beside the repository: the official CRDs, the seed guide and the real-world manifests. */
export const SHARED = path.resolve(__dirname, '..', '..', 'shared');

/** Third-party manifests beside the repository (see its README); tests skip when it is absent. */
export const REALWORLD = path.join(SHARED, 'realworld');

/** The YAML files under `dir`, recursively, in a stable order. */
export function yamlFiles(dir: string = REALWORLD): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(d.name) ? [p] : [];
  }).sort();
}

export interface RealworldDoc {
  /** The file, relative to `REALWORLD`. */
  readonly file: string;
  /** The document's index in its file. */
  readonly index: number;
  readonly manifest: Manifest;
}

/** Every document of the real-world files that is an object (not empty, not a scalar), file by file in `yamlFiles` order. */
export function realworldDocs(): RealworldDoc[] {
  return yamlFiles(REALWORLD).flatMap((f) => parseAllDocuments(fs.readFileSync(f, 'utf8'))
    .map((d, index) => ({ file: path.relative(REALWORLD, f), index, manifest: d.toJS() as Manifest }))
    .filter((d) => d.manifest !== null && typeof d.manifest === 'object'));
}
