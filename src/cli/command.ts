import { parseArgs } from 'util';
import { CaptureDefaultsOptions, MeshOptions, meshOptionProblems } from '../model/mesh-options';
import type { ValidationOptions } from '../validation/validate';
import { dns1123LabelErrors } from '../vocabulary/kube-names';

/*
 * What every istio-mtls command shares: where it writes, how it reports a usage
 * mistake, and the mesh options all of them take. main.ts dispatches to the
 * commands; the commands import this file, never main.ts, so there is no cycle.
 */

/** A mistake in how the command was called or what it was given: one line on stderr, exit 2. */
export class UsageError extends Error {}

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly readStdin?: () => Buffer;
}

/** Parses options shared by all commands plus the command's own, rejecting anything unknown. */
export function parseCommandArgs(
  command: string, args: readonly string[], own: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        'root-namespace': { type: 'string' },
        'trust-domain': { type: 'string' },
        'trust-domain-aliases': { type: 'string' },
        'no-auto-mtls': { type: 'boolean' },
        'ambient': { type: 'boolean' },
        'istio-cni': { type: 'boolean' },
        'sidecar-hbone': { type: 'boolean' },
        'no-sidecar-hbone': { type: 'boolean' },
        'service-cidrs': { type: 'string' },
        'pod-cidrs': { type: 'string' },
        'outbound-traffic-policy': { type: 'string' },
        'known-revisions': { type: 'string' },
        'enable-tls-on-sidecar-ingress': { type: 'boolean' },
        'capture-default': { type: 'string', multiple: true },
        'max-review-days': { type: 'string' },
        'name-validation-scheme': { type: 'string' },
        'namespace': { type: 'string', short: 'n' },
        'help': { type: 'boolean', short: 'h' },
        ...own,
      },
    });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.split('\n')[0]}`);
  }
  return { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals };
}

/** The flag of each mesh option, for messages. */
const FLAG_OF: Readonly<Record<string, string>> = {
  rootNamespace: '--root-namespace',
  trustDomain: '--trust-domain',
  trustDomainAliases: '--trust-domain-aliases',
  serviceCidrs: '--service-cidrs',
  podCidrs: '--pod-cidrs',
  outboundTrafficPolicy: '--outbound-traffic-policy',
  knownRevisions: '--known-revisions',
  maxReviewDays: '--max-review-days',
};

/** `a,b, c` as a list; an empty item is kept so that the check names it. */
function listFlag(value: unknown): string[] | undefined {
  return typeof value === 'string' ? value.split(',').map((s) => s.trim()) : undefined;
}

/** A whole number as a number; anything else as given, so that the check names the bad value. */
function numberFlag(value: unknown): unknown {
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
}

/** The mesh options of the flags every command shares, as the engine takes them; a bad value is a UsageError naming the flag. */
export function meshOptions(values: Record<string, unknown>): MeshOptions {
  if (values['sidecar-hbone'] && values['no-sidecar-hbone']) throw new UsageError('--sidecar-hbone and --no-sidecar-hbone contradict each other: give one');
  // The namespace documents without one land in (kubectl apply -n): a name the API server would take.
  const namespace = values.namespace;
  if (typeof namespace === 'string' && dns1123LabelErrors(namespace).length > 0) {
    throw new UsageError(`--namespace must be a namespace name (DNS-1123 label), got "${namespace}": ${dns1123LabelErrors(namespace).join('; ')}`);
  }
  const captureDefaults: Record<string, string | number> = {};
  for (const item of (values['capture-default'] as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--capture-default must be NAME=VALUE (e.g. excludeInboundPorts=15021), got "${item}"`);
    const name = item.slice(0, eq);
    const value = item.slice(eq + 1);
    captureDefaults[name] = name === 'statusPort' && /^\d+$/.test(value) ? Number(value) : value;
  }
  const options: Record<string, unknown> = {
    rootNamespace: values['root-namespace'],
    trustDomain: values['trust-domain'],
    trustDomainAliases: listFlag(values['trust-domain-aliases']),
    autoMtls: values['no-auto-mtls'] ? false : undefined,
    ambient: values.ambient ? true : undefined,
    istioCni: values['istio-cni'] ? true : undefined,
    sidecarHbone: values['sidecar-hbone'] ? true : values['no-sidecar-hbone'] ? false : undefined,
    serviceCidrs: listFlag(values['service-cidrs']),
    podCidrs: listFlag(values['pod-cidrs']),
    outboundTrafficPolicy: values['outbound-traffic-policy'],
    knownRevisions: listFlag(values['known-revisions']),
    enableTlsOnSidecarIngress: values['enable-tls-on-sidecar-ingress'] ? true : undefined,
    captureDefaults: Object.keys(captureDefaults).length > 0 ? captureDefaults as CaptureDefaultsOptions : undefined,
    maxReviewDays: numberFlag(values['max-review-days']),
    defaultNamespace: namespace,
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  const problems = meshOptionProblems(options as MeshOptions);
  if (problems.length > 0) {
    const p = problems[0];
    const flag = FLAG_OF[p.option] ?? (p.option.startsWith('captureDefaults.') ? `--capture-default ${p.option.slice('captureDefaults.'.length)}` : `--${p.option}`);
    throw new UsageError(`${flag} ${p.message}`);
  }
  return options as MeshOptions;
}

/** The validation options of the flags every command shares; a bad value is a UsageError naming the flag. */
export function validationOptions(values: Record<string, unknown>): ValidationOptions {
  const scheme = values['name-validation-scheme'];
  if (scheme === undefined) return {};
  if (scheme !== 'legacy' && scheme !== 'utf8') {
    throw new UsageError(`--name-validation-scheme must be legacy or utf8 (prometheus-operator's webhook flag), got "${String(scheme)}"`);
  }
  return { nameValidationScheme: scheme };
}
