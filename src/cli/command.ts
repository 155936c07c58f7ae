import { parseArgs } from 'util';
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
  command: string, args: readonly string[], own: Record<string, { type: 'string' | 'boolean'; short?: string }>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        'root-namespace': { type: 'string' },
        'trust-domain': { type: 'string' },
        'no-auto-mtls': { type: 'boolean' },
        'help': { type: 'boolean', short: 'h' },
        ...own,
      },
    });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.split('\n')[0]}`);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/** The mesh options (`--root-namespace`, `--trust-domain`, `--no-auto-mtls`) as the engine takes them. */
export function meshOptions(values: Record<string, unknown>) {
  const rootNamespace = values['root-namespace'] as string | undefined;
  const trustDomain = values['trust-domain'] as string | undefined;
  if (rootNamespace !== undefined && dns1123LabelErrors(rootNamespace).length > 0) {
    throw new UsageError(`--root-namespace must be a namespace name (DNS-1123 label), got "${rootNamespace}"`);
  }
  if (trustDomain !== undefined && (trustDomain === '' || trustDomain.includes('/'))) {
    throw new UsageError(`--trust-domain must be a trust domain such as cluster.local, got "${trustDomain}"`);
  }
  return {
    ...(rootNamespace ? { rootNamespace } : {}),
    ...(trustDomain ? { trustDomain } : {}),
    ...(values['no-auto-mtls'] ? { autoMtls: false } : {}),
  };
}
