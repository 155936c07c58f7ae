import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CA_FILES, CACERTS_MAX_BYTES, CaBundlePem, CaFileName, formatCertificateFinding, preflightCa } from '../certificates';
import { readRegularFile, RefusedFile } from '../files/open-file';
import { checkDns1123Label, checkObjectName, fail, show } from '../vocabulary/checks';
import { parseGoDuration, parsePrometheusDuration } from '../vocabulary/duration';

const OWNER = 'MeshCertificates';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Paths of the four `cacerts` files. */
export interface CaFilePaths {
  /** The signing (intermediate) CA certificate. */
  readonly caCert: string;
  /** The signing CA's unencrypted private key. */
  readonly caKey: string;
  /** ca-cert, then each issuer up to the root. */
  readonly certChain: string;
  /** The root certificate(s). */
  readonly rootCert: string;
}

const PROP_OF: Record<CaFileName, keyof CaBundlePem> = {
  'ca-cert.pem': 'caCert',
  'ca-key.pem': 'caKey',
  'cert-chain.pem': 'certChain',
  'root-cert.pem': 'rootCert',
};

/**
 * Where the four files of the `cacerts` Secret come from: a directory, four
 * file paths, or PEM strings. Files are read once, when the construct is
 * created (synth time), relative to the working directory of `cdk8s synth`.
 */
export class CaSource {
  /** The directory holding ca-cert.pem, ca-key.pem, cert-chain.pem and root-cert.pem (what `kubectl create secret generic cacerts --from-file` takes). */
  public static fromDirectory(directory: string): CaSource {
    if (typeof directory !== 'string' || directory.trim() === '') fail(OWNER, `'ca' directory must be a non-empty path, got ${show(directory)}`);
    const paths = Object.fromEntries(CA_FILES.map((f) => [PROP_OF[f], path.join(directory, f)])) as unknown as CaFilePaths;
    return CaSource.fromFiles(paths);
  }

  /** Four file paths, for files not named as Istio names them. */
  public static fromFiles(files: CaFilePaths): CaSource {
    for (const f of CA_FILES) {
      const p = files?.[PROP_OF[f]];
      if (typeof p !== 'string' || p.trim() === '') fail(OWNER, `'ca' file for ${f} ('${PROP_OF[f]}') must be a non-empty path, got ${show(p)}`);
    }
    return new CaSource((f) => files[PROP_OF[f]]);
  }

  /** PEM text held in memory (e.g. fetched from a vault by the app). */
  public static fromPem(pem: CaBundlePem): CaSource {
    for (const f of CA_FILES) {
      if (typeof pem?.[PROP_OF[f]] !== 'string') fail(OWNER, `'ca' PEM for ${f} ('${PROP_OF[f]}') must be a string, got ${typeof pem?.[PROP_OF[f]]}`);
    }
    return new CaSource(undefined, pem);
  }

  private constructor(private readonly pathOf?: (f: CaFileName) => string, private readonly pem?: CaBundlePem) {}

  /** Where a file comes from, for messages: `ca-cert.pem` or `ca-cert.pem (certs/ca-cert.pem)`. @internal */
  public _describe(file: CaFileName): string {
    return this.pathOf ? `${file} (${this.pathOf(file)})` : file;
  }

  /** Reads the bundle; throws `[MeshCertificates] …` naming the unreadable file. Never echoes contents. @internal */
  public _read(): CaBundlePem {
    if (this.pem) return this.pem;
    const out: Partial<Record<keyof CaBundlePem, string>> = {};
    for (const f of CA_FILES) {
      const p = this.pathOf!(f);
      try {
        // As check-ca reads them: a FIFO or device would hang synth, a huge file exhaust memory.
        out[PROP_OF[f]] = readRegularFile(p, CACERTS_MAX_BYTES, 'a Kubernetes Secret').toString('utf8');
      } catch (e) {
        if (e instanceof RefusedFile) fail(OWNER, `'ca' file ${show(p)} for ${f} ${e.message}${e.special ? '; give a regular PEM file' : ''}`);
        fail(OWNER, `'ca' file ${show(p)} for ${f} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    return out as CaBundlePem;
  }
}

/** Properties of {@link MeshCertificates}. */
export interface MeshCertificatesProps {
  /**
   * The Istio root namespace, where istiod reads the `cacerts` Secret and
   * where the IstioOperator is written.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * Lifetime of the workload certificates proxies request, a Go duration
   * between 1h and 2160h (90 days). Emitted as the istio-agent setting
   * `SECRET_TTL` in `meshConfig.defaultConfig.proxyMetadata` — what the
   * guide's `pilot.env.WORKLOAD_CERT_TTL` (not an Istio setting) meant.
   * @default - Istio's default, 24h
   */
  readonly workloadCertTtl?: string;

  /**
   * The longest workload certificate istiod will sign, a Go duration between
   * 1h and 8760h. istiod refuses a request above it ("requested TTL … is
   * greater than the max allowed TTL"), so it must be at least
   * `workloadCertTtl`. Emitted as `values.pilot.env.MAX_WORKLOAD_CERT_TTL`.
   * @default - Istio's default, 2160h (90 days)
   */
  readonly maxWorkloadCertTtl?: string;

  /**
   * Renew a workload certificate when less than this percentage of its life
   * is left, an integer 1–99. Emitted as the istio-agent setting
   * `SECRET_GRACE_PERIOD_RATIO` (percentile / 100) — what the guide's
   * `CITADEL_SELF_SIGNED_CA_GRACE_PERIOD_PERCENTILE` (not an Istio setting)
   * meant.
   * @default - Istio's default, 50
   */
  readonly gracePeriodPercentile?: number;

  /**
   * The guide's `ISTIO_META_CERT_REFRESH_INTERVAL`. Istio has no such
   * setting: the agent schedules each renewal from the grace period, it does
   * not poll. The value is checked (a Go duration) and dropped with a
   * warning; use `gracePeriodPercentile`.
   * @default - none
   */
  readonly certRefreshInterval?: string;

  /**
   * The CA to plug into istiod: emits the `cacerts` Secret and checks the
   * files at synth time.
   * @default - istiod keeps its self-signed CA; no Secret, no preflight
   */
  readonly ca?: CaSource;

  /**
   * Emit the `cacerts` Secret. Set to false to run only the preflight when
   * the Secret is created another way (External Secrets, `kubectl create
   * secret`), keeping the key out of the synthesized manifests.
   * @default true
   */
  readonly emitSecret?: boolean;

  /**
   * A CA certificate expiring within this window fails synth (IMC016). A
   * duration such as `30d`, `2w`, `720h`.
   * @default '30d'
   */
  readonly expiryWindow?: string;

  /**
   * The name of the IstioOperator.
   * @default 'istio-control-plane'
   */
  readonly operatorName?: string;

  /**
   * The clock the certificates are checked against (for tests).
   * @default - the system clock, at synth
   */
  readonly clock?: () => Date;
}

/** istiod's default MAX_WORKLOAD_CERT_TTL (security/pkg/cmd: DefaultMaxWorkloadCertTTL). */
const ISTIO_MAX_WORKLOAD_CERT_TTL_MS = 90 * DAY_MS;
/** istio-agent's default SECRET_TTL. */
const ISTIO_SECRET_TTL_MS = 24 * HOUR_MS;

function goDuration(prop: string, value: string | undefined, minMs: number, maxMs: number, range: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' ? parseGoDuration(value) : { ok: false as const, error: 'not a string' };
  if (!parsed.ok) fail(OWNER, `'${prop}' must be a Go duration such as "24h" or "90m", got ${show(value)}: ${parsed.error}`);
  if (parsed.milliseconds < minMs || parsed.milliseconds > maxMs) fail(OWNER, `'${prop}' must be between ${range}, got ${show(value)}`);
  return parsed.milliseconds;
}

/**
 * Istio's certificate settings and plugged-in CA: an IstioOperator with the
 * workload certificate TTL and renewal settings (the guide's "Configuring
 * Certificate Rotation", with the settings Istio really reads), and the
 * `cacerts` Secret built from PEM files, checked at synth so that a CA with
 * a mismatched key, a broken chain or an expiring certificate never reaches
 * the cluster.
 *
 * There is no single primary child: `IstioOperator` and `CaCerts` are both
 * optional.
 */
export class MeshCertificates extends Construct {
  /** The IstioOperator, when any certificate setting is given. */
  public readonly istioOperator?: ApiObject;
  /** The `cacerts` Secret, when `ca` is given and `emitSecret` is not false. */
  public readonly caSecret?: ApiObject;
  /** The root namespace. */
  public readonly rootNamespace: string;
  /** Warnings about the props (settings that have no effect in Istio). Also node metadata of type `warning`. */
  public readonly warnings: readonly string[];

  public constructor(scope: Construct, id: string, props: MeshCertificatesProps = {}) {
    super(scope, id);
    this.rootNamespace = props.rootNamespace ?? 'istio-system';
    checkDns1123Label(OWNER, 'rootNamespace', this.rootNamespace);
    const operatorName = props.operatorName ?? 'istio-control-plane';
    checkObjectName(OWNER, 'operatorName', operatorName);

    const ttlMs = goDuration('workloadCertTtl', props.workloadCertTtl, HOUR_MS, 90 * DAY_MS, '1h and 2160h (90 days)');
    const maxMs = goDuration('maxWorkloadCertTtl', props.maxWorkloadCertTtl, HOUR_MS, 365 * DAY_MS, '1h and 8760h (365 days)');
    const effectiveTtl = ttlMs ?? ISTIO_SECRET_TTL_MS;
    const effectiveMax = maxMs ?? ISTIO_MAX_WORKLOAD_CERT_TTL_MS;
    if (effectiveTtl > effectiveMax) {
      fail(OWNER, `'workloadCertTtl' (${props.workloadCertTtl ?? '24h, the default'}) exceeds 'maxWorkloadCertTtl' (${props.maxWorkloadCertTtl ?? '2160h, the default'}): istiod would refuse every certificate request; raise 'maxWorkloadCertTtl' or shorten 'workloadCertTtl'`);
    }
    const percentile = props.gracePeriodPercentile;
    if (percentile !== undefined && (!Number.isInteger(percentile) || percentile < 1 || percentile > 99)) {
      fail(OWNER, `'gracePeriodPercentile' must be an integer between 1 and 99, got ${show(percentile)}`);
    }
    goDuration('certRefreshInterval', props.certRefreshInterval, 1000, 24 * HOUR_MS, '1s and 24h');
    const windowText = props.expiryWindow ?? '30d';
    const window = typeof windowText === 'string' ? parsePrometheusDuration(windowText) : { ok: false as const, error: 'not a string' };
    if (!window.ok) fail(OWNER, `'expiryWindow' must be a duration such as "30d", "2w" or "720h", got ${show(windowText)}: ${window.error}`);
    if (props.emitSecret === false && !props.ca) fail(OWNER, "'emitSecret: false' only makes sense with 'ca': there is no Secret to leave out");

    const warnings: string[] = [];
    if (props.certRefreshInterval !== undefined) {
      warnings.push(`[${OWNER}] 'certRefreshInterval' (${props.certRefreshInterval}) is the guide's ISTIO_META_CERT_REFRESH_INTERVAL, which Istio does not read; it is not emitted. The agent renews a certificate when its grace period starts: set 'gracePeriodPercentile' (SECRET_GRACE_PERIOD_RATIO) instead`);
    }

    const proxyMetadata: Record<string, string> = {};
    if (props.workloadCertTtl !== undefined) proxyMetadata.SECRET_TTL = props.workloadCertTtl;
    if (percentile !== undefined) proxyMetadata.SECRET_GRACE_PERIOD_RATIO = String(percentile / 100);
    const pilotEnv: Record<string, string> = {};
    if (props.maxWorkloadCertTtl !== undefined) pilotEnv.MAX_WORKLOAD_CERT_TTL = props.maxWorkloadCertTtl;
    if (Object.keys(proxyMetadata).length > 0 || Object.keys(pilotEnv).length > 0) {
      this.istioOperator = new ApiObject(this, 'IstioOperator', {
        apiVersion: 'install.istio.io/v1alpha1',
        kind: 'IstioOperator',
        metadata: { name: operatorName, namespace: this.rootNamespace },
        spec: {
          ...(Object.keys(proxyMetadata).length > 0 ? { meshConfig: { defaultConfig: { proxyMetadata: sorted(proxyMetadata) } } } : {}),
          ...(Object.keys(pilotEnv).length > 0 ? { values: { pilot: { env: sorted(pilotEnv) } } } : {}),
        },
      });
    }

    if (props.ca) {
      const source = props.ca;
      const bundle = source._read();
      if (props.emitSecret ?? true) {
        this.caSecret = new ApiObject(this, 'CaCerts', {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'cacerts', namespace: this.rootNamespace },
          type: 'Opaque',
          data: Object.fromEntries(CA_FILES.map((f) => [f, Buffer.from(bundle[PROP_OF[f]], 'utf8').toString('base64')])),
        });
      }
      const clock = props.clock ?? (() => new Date());
      const expiryWindowMs = window.milliseconds;
      // Warnings (IMC009) do not depend on the clock: report them now; errors are checked at synth.
      for (const f of preflightCa(bundle, { now: clock(), expiryWindowMs })) {
        if (f.severity === 'warning') warnings.push(`[${OWNER}] ${formatCertificateFinding(f, source._describe(f.file))}`);
      }
      this.node.addValidation({
        validate: () => preflightCa(bundle, { now: clock(), expiryWindowMs, workloadCertTtlMs: effectiveTtl })
          .filter((f) => f.severity === 'error')
          .map((f) => `[${OWNER}] ${formatCertificateFinding(f, source._describe(f.file))}`),
      });
    }
    this.warnings = warnings;
    for (const w of warnings) this.node.addMetadata('warning', w);
  }
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}
