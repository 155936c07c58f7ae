import { Io, meshOptions, parseCommandArgs, UsageError, validationOptions } from './command';
import { readInputs, requireNamespace } from './read-inputs';
import { admitInputs, RejectedInput } from '../lint';
import { buildMeshModel } from '../model';
import { renderExplainMarkdown } from '../report/explain-markdown';
import { renderExplainMermaid } from '../report/explain-mermaid';
import { renderExplainText } from '../report/explain-text';
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
  const read = requireNamespace(readInputs(positionals, io.readStdin), values.namespace as string | undefined);
  for (const p of read.problems) io.stderr(`${p.file}:${p.line}:${p.column}: ${p.message}\n`);
  // The cluster would not store an object it rejects: explain the others, and say which were left out.
  const { admitted, rejected } = admitInputs(read.inputs, validationOptions(values));
  const model = buildMeshModel(admitted.map((i) => i.manifest), mesh);
  const explanation: Explanation = withLeftOut(explainMesh(model, { connections: Boolean(values.connections) }), rejected.map(leftOutOf));
  if (format === 'json') io.stdout(JSON.stringify(explanation, null, 2) + '\n');
  else if (format === 'markdown') io.stdout(renderExplainMarkdown(explanation));
  else if (format === 'mermaid') io.stdout(renderExplainMermaid(explanation));
  else io.stdout(renderExplainText(explanation));
  return read.problems.length > 0 ? 2 : 0;
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
