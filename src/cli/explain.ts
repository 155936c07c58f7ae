import { Io, meshOptions, parseCommandArgs, UsageError, validationOptions } from './command';
import { streamInputs } from './read-inputs';
import { admitEach, RejectedInput } from '../lint';
import { ModelEntries, modelOfEntries } from '../model/mesh-model';
import { resolveMeshOptions } from '../model/mesh-options';
import { renderExplainMarkdown } from '../report/explain-markdown';
import { renderExplainMermaid } from '../report/explain-mermaid';
import { renderExplainText } from '../report/explain-text';
import { InputProblem } from '../report/lint-report';
import { explainMesh, withLeftOut } from '../resolution';
import { ExplainedLeftOut, MeshExplanation as Explanation } from '../resolution/explain';

const FORMATS = ['text', 'json', 'markdown', 'mermaid'];

/** `istio-mtls explain`: what Istio will enforce on every workload and port, and why. */
export function runExplain(args: readonly string[], io: Io): number {
  const { values, positionals } = parseCommandArgs('explain', args, {
    format: { type: 'string' },
    connections: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout('Usage: istio-mtls explain [--format text|json|markdown|mermaid] [--connections] [FILES|DIRS|-]...\n');
    return 0;
  }
  const format = (values.format as string | undefined) ?? 'text';
  if (!FORMATS.includes(format)) throw new UsageError(`explain: --format must be ${FORMATS.join(', ')}, got "${format}"`);
  if (positionals.length === 0) throw new UsageError('explain: give files, directories, or - to read standard input');
  const mesh = meshOptions(values);
  const problems: InputProblem[] = [];
  const read = streamInputs(positionals, problems, io.readStdin, values.namespace as string | undefined);
  // The cluster would not store an object it rejects: explain the others, and say which were left out.
  // Each object is read into the model as its file is read, and not kept.
  const opts = resolveMeshOptions(mesh);
  const entries = new ModelEntries(opts);
  const rejected = admitEach(read, validationOptions(values), (input) => entries.addUncompared(input.manifest));
  for (const p of problems) io.stderr(`${p.file}:${p.line}:${p.column}: ${p.message}\n`);
  const model = modelOfEntries(entries, opts);
  const explanation: Explanation = withLeftOut(explainMesh(model, { connections: Boolean(values.connections) }), rejected.map(leftOutOf));
  if (format === 'json') io.stdout(JSON.stringify(explanation, null, 2) + '\n');
  else if (format === 'markdown') io.stdout(renderExplainMarkdown(explanation));
  else if (format === 'mermaid') io.stdout(renderExplainMermaid(explanation));
  else io.stdout(renderExplainText(explanation));
  return problems.length > 0 ? 2 : 0;
}

function leftOutOf({ rejection: r }: RejectedInput): ExplainedLeftOut {
  return {
    apiVersion: r.resource.apiVersion,
    kind: r.resource.kind,
    namespace: r.resource.namespace,
    name: r.resource.name,
    ...(r.file !== undefined ? { file: r.file } : {}),
    ...(r.line !== undefined ? { line: r.line, column: r.column } : {}),
    code: r.code,
    message: r.message,
  };
}
