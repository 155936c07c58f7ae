import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { CA_FILES, CACERTS_MAX_BYTES, CaBundlePem, CaFileName, CertificateFinding, preflightCa } from '../certificates';
import { Io } from './command';
import { fileKind, openWithoutWaiting, readAtMost } from '../files/open-file';
import { parseGoDuration, parsePrometheusDuration } from '../vocabulary/duration';

const USAGE = `Usage: istio-mtls check-ca DIR [--window 30d] [--workload-cert-ttl 24h] [--format text|json]

Checks the four files of Istio's cacerts Secret in DIR (ca-cert.pem, ca-key.pem,
cert-chain.pem, root-cert.pem) before they reach a cluster: the key matches
ca-cert, ca-cert is a CA allowed to sign, cert-chain.pem runs from ca-cert to
root-cert.pem, nothing is expired or expires within the window, and the
workload certificate TTL fits in the CA's remaining life. It also refuses
what istiod or a TLS handshake would: a path length constraint the chain
exceeds, a CA extended key usage without serverAuth or clientAuth, a
ca-key.pem whose first PEM block is not the key, and files that together
exceed the 1 MiB a Secret holds (a larger file is not read). Key material is
never printed. Each file must be a regular file (a FIFO or device is refused).

Options:
  --window D              expiry window, Prometheus-style duration (default 30d)
  --workload-cert-ttl D   workload certificate TTL, Go duration (default 24h,
                          Istio's SECRET_TTL default)
  --format text|json      output format (default text)

Exit status: 0 no error findings, 1 error findings, 2 unusable input or usage.`;

const FORMATS = ['text', 'json'];

/** Options for tests: the clock the certificates are checked against. */
export interface CheckCaOptions {
  /** @default - the system clock */
  readonly clock?: () => Date;
}

/** `istio-mtls check-ca DIR`: the `cacerts` preflight. Returns the exit status; never throws for user mistakes. */
export function runCheckCa(args: readonly string[], io: Io, options: CheckCaOptions = {}): number {
  const usage = (message: string): number => {
    io.stderr(`istio-mtls check-ca: ${message}\n`);
    return 2;
  };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (e) {
    return usage(`${(e as Error).message} (see istio-mtls check-ca --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE + '\n');
    return 0;
  }
  const format = values.format ?? 'text';
  if (!FORMATS.includes(format)) return usage(`--format must be ${FORMATS.join(' or ')}, got "${format}"`);
  const window = parsePrometheusDuration(values.window ?? '30d');
  if (!window.ok) return usage(`--window must be a duration such as 30d or 720h, got "${values.window}": ${window.error}`);
  const ttl = parseGoDuration(values['workload-cert-ttl'] ?? '24h');
  if (!ttl.ok || ttl.milliseconds <= 0) {
    return usage(`--workload-cert-ttl must be a positive Go duration such as 24h, got "${values['workload-cert-ttl']}"`);
  }
  if (positionals.length !== 1) return usage(`give exactly one directory holding ${CA_FILES.join(', ')}; got ${positionals.length}`);
  const [dir] = positionals;

  const read = readCaDirectory(dir);
  if (typeof read === 'string') return usage(read);

  const now = (options.clock ?? (() => new Date()))();
  const findings = preflightCa(read.bundle, { now, expiryWindowMs: window.milliseconds, workloadCertTtlMs: ttl.milliseconds, fileSizes: read.sizes });
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (format === 'json') {
    io.stdout(JSON.stringify({ directory: dir, errors, warnings: findings.length - errors, findings }, null, 2) + '\n');
  } else {
    io.stdout(renderText(dir, findings, errors));
  }
  return errors > 0 ? 1 : 0;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      'window': { type: 'string' },
      'workload-cert-ttl': { type: 'string' },
      'format': { type: 'string' },
      'help': { type: 'boolean', short: 'h' },
    },
  });
}

/** The four files as read, with their sizes in bytes. */
interface CaDirectory {
  readonly bundle: CaBundlePem;
  readonly sizes: { [file in CaFileName]?: number };
}

/** Reads the four files; a one-line problem when the directory is unusable. */
function readCaDirectory(dir: string): CaDirectory | string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return `"${dir}" does not exist`;
  }
  if (!stat.isDirectory()) return `"${dir}" is not a directory`;
  const contents = new Map<CaFileName, string>();
  const sizes: { [file in CaFileName]?: number } = {};
  const missing: string[] = [];
  const special: string[] = [];
  for (const name of CA_FILES) {
    let fd: number;
    try {
      fd = openWithoutWaiting(path.join(dir, name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      missing.push(code === 'ENOENT' ? name : `${name} (${code ?? 'unreadable'})`);
      continue;
    }
    try {
      const fileStat = fs.fstatSync(fd);
      // A FIFO or device never ends (or never starts): refuse it rather than wait or read forever.
      if (!fileStat.isFile()) {
        special.push(`${name} (${fileKind(fileStat)})`);
      } else {
        // The preflight reports a file over the limit from its size (IMC021) without its text; the cap also holds if it grows meanwhile.
        const text = fileStat.size > CACERTS_MAX_BYTES ? undefined : readAtMost(fd, CACERTS_MAX_BYTES, fileStat.size);
        contents.set(name, text?.toString('utf8') ?? '');
        sizes[name] = text?.length ?? Math.max(fileStat.size, CACERTS_MAX_BYTES + 1);
      }
    } catch (e) {
      missing.push(`${name} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    } finally {
      fs.closeSync(fd);
    }
  }
  if (missing.length > 0) return `"${dir}" lacks ${missing.join(', ')}; a cacerts directory holds ${CA_FILES.join(', ')}`;
  if (special.length > 0) return `"${dir}" holds ${special.join(', ')} where a regular file belongs; check-ca reads only regular files`;
  return {
    bundle: {
      caCert: contents.get('ca-cert.pem')!,
      caKey: contents.get('ca-key.pem')!,
      certChain: contents.get('cert-chain.pem')!,
      rootCert: contents.get('root-cert.pem')!,
    },
    sizes,
  };
}

function renderText(dir: string, findings: readonly CertificateFinding[], errors: number): string {
  let out = '';
  for (const f of findings) out += `${f.code} ${f.severity} ${f.file}: ${f.message}\n  fix: ${f.fix}\n`;
  const warnings = findings.length - errors;
  out += findings.length === 0
    ? `${dir}: no problems found\n`
    : `${dir}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`;
  return out;
}
