import { analyzeMesh } from './analysis/analyze';
import { compareFindings, Finding } from './model/finding';
import { Manifest, refOf } from './model/manifest';
import { buildMeshModel } from './model/mesh-model';
import { MeshOptions } from './model/mesh-options';
import { LocatedFinding } from './report/lint-report';
import { validateManifest, ValidationOptions } from './validation/validate';

/** One manifest to lint, with what is known of where it came from. */
export interface LintInput {
  readonly manifest: Manifest;
  /** The file as the user named it. */
  readonly file?: string;
  /** Maps a JSON pointer inside the manifest to a 1-based line and column in `file`. */
  readonly locate?: (pointer: string) => { line: number; col: number };
  /** The cdk8s construct path of the manifest. */
  readonly constructPath?: string;
}

export interface LintOptions extends ValidationOptions {
  /** Mesh-wide facts for the analysis (root namespace, trust domain, auto mTLS). */
  readonly mesh?: MeshOptions;
  /**
   * Run the cross-resource analysis as well as per-resource validation.
   * @default true
   */
  readonly analyze?: boolean;
}

const INTERNAL_ERROR = 'IMV001';

/**
 * Validates every manifest and analyses them together as one mesh. A manifest
 * that breaks a check never stops the others from being checked. Findings come
 * back located and in a deterministic order.
 */
export function lint(inputs: readonly LintInput[], options: LintOptions = {}): LocatedFinding[] {
  const located = validateInputs(inputs, options);
  if (options.analyze !== false) located.push(...analyzeInputs(inputs, options));
  return sortLocated(located);
}

/** Per-resource validation of each input, located; one failing check never stops the others. */
export function validateInputs(inputs: readonly LintInput[], options: ValidationOptions = {}): LocatedFinding[] {
  const located: LocatedFinding[] = [];
  for (const input of inputs) {
    let findings: Finding[];
    try {
      findings = validateManifest(input.manifest, options);
    } catch (e) {
      // A crash in a check is our bug, not the user's: report it and go on.
      findings = [{
        code: INTERNAL_ERROR,
        severity: 'error',
        category: 'internal',
        resource: refOf(input.manifest),
        path: '',
        message: `the validator failed on this resource (${String((e as Error)?.message ?? e).split('\n')[0]}); please report this with the manifest`,
      }];
    }
    for (const f of findings) located.push(place(f, input));
  }
  return located;
}

/** The cross-resource analysis of the inputs as one cluster state, located on the inputs. */
export function analyzeInputs(inputs: readonly LintInput[], options: LintOptions = {}): LocatedFinding[] {
  const byRef = new Map<string, LintInput>();
  for (const input of inputs) {
    const ref = refOf(input.manifest);
    const key = refKey(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    // Later objects replace earlier ones of the same name, as kubectl apply does.
    byRef.set(key, input);
  }
  const model = buildMeshModel(inputs.map((i) => i.manifest), options.mesh);
  return analyzeMesh(model).map((f) => {
    const r = f.resource;
    return place(f, byRef.get(refKey(r.apiVersion, r.kind, r.namespace, r.name)));
  });
}

/** Deterministic order: file and position, then resource, path, severity, code and message. */
export function sortLocated(findings: LocatedFinding[]): LocatedFinding[] {
  return findings.sort((a, b) => compareFiles(a, b) || compareFindings(a, b));
}

function place(f: Finding, input: LintInput | undefined): LocatedFinding {
  if (!input) return f;
  const pos = input.locate?.(f.path);
  return {
    ...f,
    ...(input.file !== undefined ? { file: input.file } : {}),
    ...(pos ? { line: pos.line, column: pos.col } : {}),
    ...(input.constructPath ? { constructPath: input.constructPath } : {}),
  };
}

function compareFiles(a: LocatedFinding, b: LocatedFinding): number {
  const fa = a.file ?? '';
  const fb = b.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

function refKey(apiVersion: string, kind: string, namespace: string, name: string): string {
  return `${apiVersion.split('/')[0]}\u0000${kind}\u0000${namespace}\u0000${name}`;
}
