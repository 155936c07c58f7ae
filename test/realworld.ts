import * as fs from 'fs';
import * as path from 'path';

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
