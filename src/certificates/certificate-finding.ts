import { Severity } from '../model/finding';

/** The four files of Istio's `cacerts` Secret, in the order findings are reported. */
export const CA_FILES = ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem'] as const;

/**
 * The most bytes the four files may hold together, and so any one of them:
 * the API server refuses a Secret whose data is larger (MaxSecretSize).
 */
export const CACERTS_MAX_BYTES = 1024 * 1024;

/** One of the `cacerts` files. */
export type CaFileName = typeof CA_FILES[number];

/** The contents of the four `cacerts` files as PEM text. */
export interface CaBundlePem {
  /** The signing (intermediate) CA certificate. */
  readonly caCert: string;
  /** The signing CA's private key, unencrypted. */
  readonly caKey: string;
  /** The chain from the signing CA up to the root: ca-cert first, then each issuer. */
  readonly certChain: string;
  /** The root certificate(s): the mesh's trust anchor. */
  readonly rootCert: string;
}

/**
 * One problem the CA preflight found. Plain data: the caller decides what is
 * fatal. Messages name certificates by subject and dates; never key material.
 */
export interface CertificateFinding {
  /** Stable code, `IMC0xx` (see `CERTIFICATE_RULES`). */
  readonly code: string;
  readonly severity: Severity;
  /** The file the problem is in. */
  readonly file: CaFileName;
  /** One line: what is wrong, with the certificate's subject and dates. */
  readonly message: string;
  /** One line: how to fix it. */
  readonly fix: string;
}

/**
 * `IMC014 root-cert.pem: message. Fix: fix` — one line, for synth errors.
 * `fileLabel` replaces the file name, e.g. with the path it was read from.
 */
export function formatCertificateFinding(f: CertificateFinding, fileLabel: string = f.file): string {
  return `${f.code} ${fileLabel}: ${f.message}. Fix: ${f.fix}`;
}
