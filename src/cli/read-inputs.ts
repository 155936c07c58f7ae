import * as fs from 'fs';
import * as path from 'path';
import { limitOf, readRegularFile, readStandardInput, RefusedFile } from '../files/open-file';
import { parseManifests } from '../input/parse-manifests';
import { LintInput } from '../lint';
import { isClusterScoped } from '../model/cluster-scoped';
import { describeRef, groupOf, refOf } from '../model/manifest';
import { InputProblem } from '../report/lint-report';

export interface ReadResult {
  readonly inputs: LintInput[];
  readonly problems: InputProblem[];
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Files cdk8s writes next to the manifests that are not manifests. */
const NOT_MANIFESTS = new Set(['construct-metadata.json']);
/**
 * Larger inputs (a file, standard input) are refused rather than parsed: a
 * manifest repository has no such file, and `/dev/zero` or an endless pipe
 * stops here. Room for a 60 MB one-line `kubectl get -o json` dump.
 */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** What a refused operand may be instead, for its message. */
const ALLOWED = 'give regular files, directories (searched for *.yaml, *.yml, *.json) or - for standard input';

/**
 * Reads every operand: a regular file, a directory (recursively: *.yaml,
 * *.yml, *.json, in sorted order), or `-` for standard input, each of at most
 * MAX_FILE_BYTES. A FIFO, device or socket is refused unread. Nothing that
 * fails to read stops the rest from being read; each failure becomes a
 * one-line problem. With `namespace` (-n), objects `kubectl apply -n`
 * refuses become problems too (see namespaceRefusal).
 */
export function readInputs(
  operands: readonly string[], readStdin: () => Buffer = () => readStandardInput(MAX_FILE_BYTES), namespace?: string,
): ReadResult {
  const problems: InputProblem[] = [];
  const inputs = [...streamInputs(operands, problems, readStdin, namespace)];
  return { inputs, problems };
}

/**
 * `readInputs` one file at a time: yields each object as soon as its file is
 * read, so the caller can drop it once used, and adds problems to `problems`
 * as they are met. With `namespace`, an object `kubectl apply -n` would
 * refuse becomes a problem instead (see requireNamespace).
 */
export function* streamInputs(
  operands: readonly string[], problems: InputProblem[],
  readStdin: () => Buffer = () => readStandardInput(MAX_FILE_BYTES), namespace?: string,
): Generator<LintInput> {
  function* ofFile(display: string, content: Buffer): Generator<LintInput> {
    const parsed = parseManifests(content, { file: display });
    for (const p of parsed.problems) problems.push({ file: display, line: p.position.line, column: p.position.col, message: p.message });
    for (const m of parsed.manifests) {
      const input: LintInput = { manifest: m.manifest, file: display, locate: m.locate, reread: m.reread, source: m.source };
      const refusal = namespace === undefined ? undefined : namespaceRefusal(input, namespace);
      if (refusal) problems.push(refusal);
      else yield input;
    }
  }
  const problem = (file: string, message: string) => problems.push({ file, line: 1, column: 1, message });

  for (const operand of operands) {
    if (operand === '-') {
      let content: Buffer;
      try {
        content = readStdin();
      } catch (e) {
        problem('-', e instanceof RefusedFile ? `standard input ${e.message}` : `cannot read standard input: ${reason(e)}`);
        continue;
      }
      // The same cap for standard input however it was read.
      if (content.length > MAX_FILE_BYTES) problem('-', `standard input holds ${content.length} bytes, more than ${limitOf(MAX_FILE_BYTES)}; it was not read`);
      else yield* ofFile('-', content);
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(operand);
    } catch (e) {
      problem(operand, `cannot read: ${reason(e)}`);
      continue;
    }
    const files = stat.isDirectory() ? listManifestFiles(operand, problem) : [operand];
    for (const file of files) {
      let content: Buffer;
      try {
        content = readRegularFile(file, MAX_FILE_BYTES);
      } catch (e) {
        problem(file, e instanceof RefusedFile ? (e.special ? `${e.message}; ${ALLOWED}` : e.message) : `cannot read: ${reason(e)}`);
        continue;
      }
      yield* ofFile(file, content);
    }
  }
}

/**
 * What `kubectl apply -n NS` does with an input (cli-runtime's
 * RequireNamespace): a namespaced object that names no namespace lands in NS
 * (the mesh option `defaultNamespace` does that for the analysis), and one
 * that names another is refused: its problem, or undefined when kept.
 */
function namespaceRefusal(input: LintInput, namespace: string): InputProblem | undefined {
  const ref = refOf(input.manifest);
  if (ref.namespace === '' || ref.namespace === namespace || isClusterScoped(groupOf(ref.apiVersion), ref.kind)) return undefined;
  const at = input.locate?.('/metadata/namespace') ?? { line: 1, col: 1 };
  return {
    file: input.file ?? '-',
    line: at.line,
    column: at.col,
    message: `${describeRef(ref)} is in namespace "${ref.namespace}", not the --namespace "${namespace}" given; kubectl apply -n ${namespace} `
      + `refuses it ("the namespace from the provided object does not match"): drop its metadata.namespace or give --namespace ${ref.namespace}`,
  };
}

function listManifestFiles(dir: string, problem: (file: string, message: string) => void): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      problem(d, `cannot read directory: ${reason(e)}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      } else if (MANIFEST_EXTENSIONS.has(path.extname(e.name).toLowerCase()) && !NOT_MANIFESTS.has(e.name)) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out;
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'not a directory';
    default: return err.message?.split('\n')[0] ?? String(e);
  }
}
