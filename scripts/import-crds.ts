/**
 * Regenerates what the project derives from the official CRDs:
 *  - imports/: typed L1 classes (`cdk8s import`) for the v1 versions of
 *    PeerAuthentication, AuthorizationPolicy, DestinationRule and PrometheusRule;
 *  - src/validation/schemas/: structural schemas with their CEL rules (no descriptions).
 *
 * Usage: npm run import -- [--crds DIR]   (default: ../shared/crds)
 * The upstream files are listed in scripts/lib/crd-files.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { crdFilesIn, readCrds, USED_CRDS, Crd } from './lib/crd-files';
import { generateSchemas } from './lib/generate-schemas';
import { withoutLeadingGvkSpread } from './lib/gvk-spread';

const ROOT = path.resolve(__dirname, '..');

function main(argv: string[]): void {
  const i = argv.indexOf('--crds');
  const dir = i >= 0 ? argv[i + 1] : path.join(ROOT, '..', 'shared', 'crds');
  if (!dir) throw new Error('--crds needs a folder');
  const crds = readCrds(crdFilesIn(dir)).filter((c) => (USED_CRDS as readonly string[]).includes(c.metadata.name));
  for (const name of USED_CRDS) {
    if (!crds.some((c) => c.metadata.name === name)) throw new Error(`no CustomResourceDefinition ${name} in ${dir}`);
  }
  importL1(crds);
  generateSchemas(crds, path.join(ROOT, 'src', 'validation', 'schemas'));
}

/** One module per API group, each with only the v1 version so the classes emit `v1`. */
function importL1(crds: Crd[]): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-mtls-import-'));
  const out = path.join(ROOT, 'imports');
  fs.rmSync(out, { recursive: true, force: true });
  const groups = [...new Set(crds.map((c) => c.spec.group))].sort();
  for (const group of groups) {
    const docs = crds
      .filter((c) => c.spec.group === group)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((c) => ({ ...c, spec: { ...c.spec, versions: c.spec.versions.filter((v) => v.name === 'v1') } }));
    const file = path.join(tmp, `${group}.yaml`);
    fs.writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
    execFileSync(
      path.join(ROOT, 'node_modules', '.bin', 'cdk8s'),
      ['import', file, '--output', out, '--language', 'typescript', '--no-save', '--no-check-upgrade'],
      { cwd: tmp, stdio: 'inherit' },
    );
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const file of fs.readdirSync(out).filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(out, file), 'utf8');
    fs.writeFileSync(path.join(out, file), withoutLeadingGvkSpread(text, file));
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`import: ${(e as Error).message}\n`);
  process.exit(1);
}
