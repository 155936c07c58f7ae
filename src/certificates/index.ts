/* eslint-disable @typescript-eslint/no-require-imports */
import type { CaBundlePem, CertificateFinding } from './certificate-finding';
import type { CaPreflightOptions } from './preflight';

export * from './certificate-finding';
export * from './rules';
export { formatDistinguishedName, formatInstant, formatSpan } from './pem';
export type { CaPreflightOptions } from './preflight';

/**
 * Checks a `cacerts` bundle the way istiod and Envoy will use it: the key
 * matches ca-cert, ca-cert may sign, cert-chain.pem runs from ca-cert up to
 * root-cert.pem with every signature verifying, nothing is expired, not yet
 * valid or expiring within the window, and the workload certificate TTL fits
 * in the CA's remaining life; no pathlen is exceeded, no CA's extended key
 * usage leaves out serverAuth or clientAuth, ca-key.pem starts with the key,
 * and the files fit in a Secret (1 MiB). Pure: no files, no clock of its own,
 * never throws for bad input. Findings never contain key material.
 */
export function preflightCa(bundle: CaBundlePem, options: CaPreflightOptions): CertificateFinding[] {
  // Loaded at the first check rather than when the library is imported (cold start).
  return (require('./preflight') as typeof import('./preflight')).preflightCa(bundle, options);
}
