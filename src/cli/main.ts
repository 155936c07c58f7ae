import * as fs from 'fs';
import * as path from 'path';
import { parseManifests } from '../input/parse-manifests';
import { lint, LintInput, LintOptions } from '../lint';
import { runCheckCa } from './check-ca';
import { Io, meshOptions, parseCommandArgs, UsageError, validationOptions } from './command';
import { runExplain } from './explain';
import { runPlan } from './plan';
import { MAX_FILE_BYTES, streamInputs } from './read-inputs';
import { readRegularFile, RefusedFile } from '../files/open-file';
import { groupOf, refOf, ResourceRef } from '../model/manifest';
import { visible } from '../report/escape';
import { renderLintGithub } from '../report/github';
import { renderLintJson } from '../report/json';
import { failsLint, InputProblem, LintReport, LocatedFinding } from '../report/lint-report';
import { renderLintSarif, REPOSITORY_URL } from '../report/sarif';
import { renderLintText } from '../report/text';
import { ALL_RULES } from '../rules-catalog';
import { schemaSetFromCrds } from '../validation/schema';

const USAGE = `Usage: istio-mtls <command> [options] [FILES|DIRS|-]...

Commands:
  lint      validate manifests as the cluster would (CRD schema, CEL, Istio and
            prometheus-operator webhooks) and analyse them together as one mesh
  explain   show the effective mTLS mode of every workload and port, and why
  plan      the phased migration of a cluster dump from plaintext to STRICT
            (inject, mesh PERMISSIVE, namespaces STRICT in order, mesh STRICT):
            runbook on stdout, phase files with --out
  check-ca  preflight a custom CA (ca-cert.pem, ca-key.pem, cert-chain.pem,
            root-cert.pem in DIR) before it becomes the cacerts Secret

Mesh options (lint, explain, plan): what the manifests cannot show
  -n, --namespace NS              where documents that name no namespace land
                                  (Helm, Kustomize output), as kubectl apply
                                  -n NS (default: default); a document that
                                  names another namespace is refused
  --root-namespace NS             Istio root namespace (default istio-system)
  --trust-domain TD               mesh trust domain (default cluster.local)
  --trust-domain-aliases TD,...   other trust domains the mesh accepts
  --no-auto-mtls                  the mesh runs with enableAutoMtls: false
  --ambient                       ambient mode is installed (istiod and istio-cni)
  --istio-cni                     sidecar capture is set up by istio-cni
  --sidecar-hbone, --no-sidecar-hbone
                                  sidecars carry networking.istio.io/tunnel=http
                                  (default: with --ambient)
  --service-cidrs CIDR,...        the cluster's Service CIDRs (for outbound
  --pod-cidrs CIDR,...            IP-range capture; default unknown)
  --outbound-traffic-policy ALLOW_ANY|REGISTRY_ONLY
                                  meshConfig.outboundTrafficPolicy (default ALLOW_ANY)
  --known-revisions REV,...       installed revisions and tags (default: any)
  --enable-tls-on-sidecar-ingress istiod's ENABLE_TLS_ON_SIDECAR_INGRESS
  --capture-default NAME=VALUE    an injector capture default (repeatable), e.g.
                                  excludeInboundPorts=9090, statusPort=15020
  --max-review-days N             how far ahead a review-by date may lie (default 365)
  --name-validation-scheme legacy|utf8
                                  how prometheus-operator's webhook checks
                                  PrometheusRule names: its flag (default legacy)
  -h, --help                      show this help
  -v, --version                   show the version

lint:
  --format text|json|sarif|github
                             output format (default text); github: workflow
                             commands that annotate files in GitHub Actions
  --crds FILE                validate against these CRDs (kubectl get crd -o yaml)
                             instead of the built-in Istio 1.30.3 and
                             prometheus-operator v0.93.0 ones
  --no-analysis              per-resource validation only
  --fail-on error|warning    exit 1 on errors (default) or on warnings too;
                             an acknowledged finding never does

explain:
  --format text|json|markdown|mermaid   output format (default text)
  --connections                          add the client -> service matrix

plan:
  --namespaces LIST            namespaces to tighten, in order (a,b; a+b is one batch)
  --out DIR                    also write NN-<phase>.k8s.yaml and <name>-runbook.md
  --caller NS/WORKLOAD=NS/SERVICE:PORT
                               a call the dump does not show (repeatable)
  --plaintext-caller NS/NAME=NS/SERVICE:PORT
                               a client outside the dump that sends plaintext (repeatable)
  --revision REV               inject with istio.io/rev=REV
  --name NAME                  plan name (default mtls-migration)

check-ca DIR:
  --window 30d                 fail certificates expiring within this window
  --workload-cert-ttl 24h      check the workload TTL fits the CA's remaining life
  --format text|json           output format (default text)

Operands are files, directories (searched for *.yaml, *.yml, *.json) or - for
standard input. Exit status: 0 no error findings (plan: every phase safe), 1 error
findings (plan: a phase breaks a connection), 2 unusable input or usage. Output
cut short by its reader (| head) ends quietly with the same status.`;

/**
 * Runs the command line; returns the exit status. Never throws for user mistakes.
 * Every write to stderr is one line: control characters of file names and
 * messages are shown escaped (`\n`, `\u001b`), so one problem is one line.
 */
export function run(argv: readonly string[], given: Io): number {
  const io: Io = { ...given, stderr: (s) => given.stderr(oneLine(s)) };
  try {
    return dispatch(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`istio-mtls: ${e.message}\n`);
      return 2;
    }
    // Our bug: say so in one line, with what to report.
    io.stderr(`istio-mtls: internal error: ${(e as Error)?.message ?? String(e)} (please report this)\n`);
    return 2;
  }
}

/** `s` (one message, ending in a newline) as exactly one line. */
function oneLine(s: string): string {
  return visible(s.endsWith('\n') ? s.slice(0, -1) : s) + '\n';
}

function dispatch(argv: readonly string[], io: Io): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    io.stdout(version() + '\n');
    return 0;
  }
  if (command === 'lint') return runLint(rest, io);
  if (command === 'explain') return runExplain(rest, io);
  if (command === 'plan') return runPlan(rest, io);
  if (command === 'check-ca') return runCheckCa(rest, io);
  throw new UsageError(`unknown command "${command}"; expected lint, explain, plan or check-ca (see istio-mtls --help)`);
}

function runLint(args: readonly string[], io: Io): number {
  const { values, positionals } = parseCommandArgs('lint', args, {
    'format': { type: 'string' },
    'crds': { type: 'string' },
    'no-analysis': { type: 'boolean' },
    'fail-on': { type: 'string' },
  });
  if (values.help) {
    io.stdout(USAGE + '\n');
    return 0;
  }
  const format = (values.format as string | undefined) ?? 'text';
  if (!['text', 'json', 'sarif', 'github'].includes(format)) {
    throw new UsageError(`lint: --format must be text, json, sarif or github, got "${format}"`);
  }
  const failOn = (values['fail-on'] as string | undefined) ?? 'error';
  if (failOn !== 'error' && failOn !== 'warning') throw new UsageError(`lint: --fail-on must be error or warning, got "${failOn}"`);
  if (positionals.length === 0) throw new UsageError('lint: give files, directories, or - to read standard input');
  const options: LintOptions = {
    ...validationOptions(values),
    ...(values.crds ? { crds: loadCrds(values.crds as string) } : {}),
    mesh: meshOptions(values),
    analyze: !values['no-analysis'],
  };
  const problems: InputProblem[] = [];
  // Each object is linted as its file is read and not kept: only counted, and for SARIF where it is.
  let resources = 0;
  const inputs: PlacedInput[] = [];
  const read = (function* placed(): Generator<LintInput> {
    for (const input of streamInputs(positionals, problems, io.readStdin, values.namespace as string | undefined)) {
      resources++;
      if (format === 'sarif') inputs.push({ ref: refOf(input.manifest), file: input.file, locate: input.locate });
      yield input;
    }
  })();
  const findings = lint(read, options);
  const report: LintReport = { findings, resources, problems };
  for (const p of problems) io.stderr(`${p.file}:${p.line}:${p.column}: ${p.message}\n`);
  io.stdout(renderLint(format, report, inputs));
  if (problems.length > 0) return 2;
  return failsLint(findings, failOn) ? 1 : 0;
}

/** An input without its manifest. */
interface PlacedInput {
  readonly ref: ResourceRef;
  readonly file?: string;
  readonly locate?: LintInput['locate'];
}

function renderLint(format: string, report: LintReport, inputs: readonly PlacedInput[]): string {
  if (format === 'json') return renderLintJson(report);
  if (format === 'github') return renderLintGithub(report);
  if (format !== 'sarif') return renderLintText(report);
  const placed = { ...report, findings: report.findings.map((f) => (f.file !== undefined ? f : inFileOfResource(f, inputs))) };
  return renderLintSarif(placed, { rules: ALL_RULES, toolVersion: version(), informationUri: REPOSITORY_URL });
}

/**
 * A finding the analysis could not place (its resource is no input by that
 * exact name, e.g. a document without a namespace), placed for SARIF, whose
 * consumers need a file for every result: the input of the same group, kind
 * and name, with that namespace or none (the last such, as kubectl apply keeps
 * it), at the finding's field; failing that, the first input file, unpositioned.
 */
function inFileOfResource(f: LocatedFinding, inputs: readonly PlacedInput[]): LocatedFinding {
  const r = f.resource;
  const source = inputs.filter((i) => {
    const m = i.ref;
    return i.file !== undefined && m.kind === r.kind && m.name === r.name && groupOf(m.apiVersion) === groupOf(r.apiVersion)
      && (m.namespace === r.namespace || m.namespace === '');
  }).pop();
  if (source) {
    const pos = source.locate?.(f.path);
    return { ...f, file: source.file, ...(pos ? { line: pos.line, column: pos.col } : {}) };
  }
  const first = inputs.find((i) => i.file !== undefined);
  return first ? { ...f, file: first.file } : f;
}

function loadCrds(file: string) {
  let content: Buffer;
  try {
    content = readRegularFile(file, MAX_FILE_BYTES);
  } catch (e) {
    if (e instanceof RefusedFile) throw new UsageError(`--crds ${file} ${e.message}; give the file kubectl get crd -o yaml wrote`);
    throw new UsageError(`--crds ${file}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const parsed = parseManifests(content);
  if (parsed.problems.length > 0) {
    const p = parsed.problems[0];
    throw new UsageError(`${file}:${p.position.line}:${p.position.col}: ${p.message}`);
  }
  try {
    return schemaSetFromCrds(parsed.manifests.map((m) => m.manifest));
  } catch (e) {
    throw new UsageError(`--crds ${file}: ${(e as Error).message}`);
  }
}

let cachedVersion: string | undefined;
export function version(): string {
  if (cachedVersion) return cachedVersion;
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8'));
      if (pkg.name === 'cdk8s-istio-mtls') return (cachedVersion = String(pkg.version));
    }
    dir = path.dirname(dir);
  }
  return (cachedVersion = '0.0.0');
}

/** Entry point of the `istio-mtls` bin. */
export function main(argv: readonly string[]): void {
  // A reader that stops early (`| head -1`) closes the pipe: end quietly, with the status already decided.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') process.stderr.write(`istio-mtls: cannot write the output: ${visible(e.message)}\n`);
    process.exit(e.code === 'EPIPE' ? process.exitCode ?? 0 : 2);
  });
  process.stderr.on('error', () => process.exit(process.exitCode ?? 2));
  const code = run(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
  process.exitCode = code;
}

if (require.main === module) main(process.argv.slice(2));
