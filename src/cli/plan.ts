import * as fs from 'fs';
import * as path from 'path';
import { Io, meshOptions, parseCommandArgs, UsageError, validationOptions } from './command';
import { readInputs } from './read-inputs';
import { admitInputs } from '../lint';
import { DeclaredCaller, MigrationPlanOptions, PlaintextCaller, ServiceTarget, migrationOptionErrors } from '../migration/options';
import { planMigration, unknownNamespaceProblems } from '../migration/plan';
import { renderRunbook } from '../migration/runbook';
import { describeRef } from '../model/manifest';

export const PLAN_USAGE = `Usage: istio-mtls plan --namespaces NS[,NS+NS...] [options] [FILES|DIRS|-]...

Plans the migration of a cluster dump (kubectl get ns,deploy,sts,ds,svc,
peerauthentications,destinationrules,authorizationpolicies -A -o yaml) from
plaintext to STRICT mTLS and prints the runbook (Markdown): inject, mesh
PERMISSIVE, each namespace STRICT in the given order, mesh STRICT.

  --namespaces LIST        namespaces to tighten, in order, comma-separated;
                           NS+NS tightens a batch in one phase
  --out DIR                also write NN-<phase>.k8s.yaml and <name>-runbook.md
  --caller NS/WORKLOAD=NS/SERVICE:PORT
                           a call the dump does not show (repeatable)
  --plaintext-caller NS/NAME=NS/SERVICE:PORT
                           a client outside the dump that sends plaintext (repeatable)
  --revision REV           inject with istio.io/rev=REV instead of istio-injection=enabled
  --name NAME              plan name (default mtls-migration)

Every namespace in --namespaces must be in the input (a Namespace object, or
an object that lives there); an unknown one is refused with the nearest
existing name, before anything is printed or written.

Exit status: 0 every phase is safe, 1 a phase would break a connection (listed
on stderr), 2 unusable input or usage (an unknown namespace, caller or
Service port included).`;

function parseTarget(flag: string, value: string): { from: { namespace: string; name: string }; to: ServiceTarget } {
  const m = /^([^/=]+)\/([^/=]+)=([^/=]+)\/([^/=:]+):([0-9]+)$/.exec(value);
  if (!m) throw new UsageError(`plan: ${flag} must be NS/NAME=NS/SERVICE:PORT, got "${value}"`);
  return { from: { namespace: m[1], name: m[2] }, to: { namespace: m[3], service: m[4], port: Number(m[5]) } };
}

function list(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

/** `istio-mtls plan`: the phased migration of a cluster dump, as a runbook and (with --out) phase files. */
export function runPlan(args: readonly string[], io: Io): number {
  const own = {
    'namespaces': { type: 'string' as const },
    'out': { type: 'string' as const },
    'caller': { type: 'string' as const, multiple: true },
    'plaintext-caller': { type: 'string' as const, multiple: true },
    'revision': { type: 'string' as const },
    'name': { type: 'string' as const },
  };
  const { values, positionals } = parseCommandArgs('plan', args, own);
  if (values.help) {
    io.stdout(PLAN_USAGE + '\n');
    return 0;
  }
  const nsArg = values.namespaces as string | undefined;
  if (nsArg === undefined || nsArg.trim() === '') throw new UsageError('plan: --namespaces is required, e.g. --namespaces staging,production');
  if (positionals.length === 0) throw new UsageError('plan: give files, directories, or - to read standard input');
  const namespaces = nsArg.split(',').map((entry) => {
    const batch = entry.split('+').map((s) => s.trim());
    return batch.length === 1 ? batch[0] : batch;
  });
  const callers: DeclaredCaller[] = list(values.caller).map((v) => parseTarget('--caller', v));
  const plaintextCallers: PlaintextCaller[] = list(values['plaintext-caller']).map((v) => {
    const t = parseTarget('--plaintext-caller', v);
    return { namespace: t.from.namespace, name: t.from.name, to: t.to };
  });
  const options: MigrationPlanOptions = {
    namespaces,
    callers,
    plaintextCallers,
    ...(values.revision !== undefined ? { injection: { key: 'istio.io/rev', value: values.revision as string } } : {}),
    ...(values.name !== undefined ? { name: values.name as string } : {}),
    mesh: meshOptions(values),
  };
  const errors = migrationOptionErrors(options);
  if (errors.length > 0) throw new UsageError(`plan: ${errors[0].replace(/^'namespaces(\[[0-9]+\])*'/, '--namespaces')}`);

  const read = readInputs(positionals, io.readStdin, values.namespace as string | undefined);
  for (const p of read.problems) io.stderr(`${p.file}:${p.line}:${p.column}: ${p.message}\n`);
  if (read.problems.length > 0) return 2;
  // The cluster would not store an object it rejects: plan without it, and say so.
  const { admitted, rejected } = admitInputs(read.inputs, validationOptions(values));
  for (const { rejection: r } of rejected) {
    const where = r.file !== undefined ? ` (${r.file}${r.line !== undefined ? `:${r.line}:${r.column}` : ''})` : '';
    io.stderr(`istio-mtls plan: left out ${describeRef(r.resource)}${where}, which the cluster would reject: ${r.code} ${r.message}\n`);
  }
  const manifests = admitted.map((i) => i.manifest);
  // A mistyped namespace would plan a namespace nothing lives in: refuse it before printing a runbook for it.
  const unknown = unknownNamespaceProblems(manifests, options, '--namespaces');
  for (const p of unknown) io.stderr(`istio-mtls plan: ${p}\n`);
  if (unknown.length > 0) return 2;
  const plan = planMigration(manifests, options);
  const runbook = renderRunbook(plan);
  io.stdout(runbook);
  if (values.out !== undefined) {
    const dir = values.out as string;
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const phase of plan.phases) {
        fs.writeFileSync(path.join(dir, `${phase.id}.k8s.yaml`), phase.manifests.map((m) => yamlLib().stringify(m)).join('---\n'));
      }
      fs.writeFileSync(path.join(dir, `${plan.name}-runbook.md`), runbook);
    } catch (e) {
      throw new UsageError(`plan: --out ${dir}: cannot write: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  for (const p of plan.problems) io.stderr(`istio-mtls plan: ${p}\n`);
  for (const f of plan.failures) io.stderr(`istio-mtls plan: ${f.message}\n`);
  if (plan.problems.length > 0) return 2;
  return plan.failures.length > 0 ? 1 : 0;
}

/** `yaml` is loaded only when phase files are written: lint and explain load this module too. */
function yamlLib(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}
