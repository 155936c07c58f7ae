import { createPrivateKey, KeyObject, X509Certificate } from 'crypto';
import { CA_FILES, CaBundlePem, CaFileName, CertificateFinding } from './certificate-finding';
import { formatDistinguishedName, formatInstant, formatSpan, isKeyLabel, caExtensionsOf, splitPemBlocks } from './pem';
import { CERTIFICATE_RULES } from './rules';

const DAY_MS = 86_400_000;

/** Options of {@link preflightCa}. */
export interface CaPreflightOptions {
  /** The instant the bundle is checked at (inject a fixed one in tests). */
  readonly now: Date;
  /**
   * Certificates expiring within this many milliseconds of `now` are errors.
   * @default 30 days
   */
  readonly expiryWindowMs?: number;
  /**
   * The TTL of the workload certificates the CA will issue, checked to fit
   * inside the CA's remaining life.
   * @default - not checked
   */
  readonly workloadCertTtlMs?: number;
}

/** A parsed certificate and where it came from. */
interface Loaded {
  readonly cert: X509Certificate;
  readonly file: CaFileName;
  /** 1-based position in its file. */
  readonly position: number;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const SEVERITY = new Map(CERTIFICATE_RULES.map((r) => [r.code, r.severity]));

/** `preflightCa` (see index.ts, which loads this module at its first call). */
export function preflightCa(bundle: CaBundlePem, options: CaPreflightOptions): CertificateFinding[] {
  const findings: CertificateFinding[] = [];
  const add = (code: string, file: CaFileName, message: string, fix: string): void => {
    findings.push({ code, severity: SEVERITY.get(code) ?? 'error', file, message, fix });
  };
  const now = options.now;
  const windowMs = options.expiryWindowMs ?? 30 * DAY_MS;

  const caCerts = loadCertificates(bundle.caCert, 'ca-cert.pem', add);
  const chain = loadCertificates(bundle.certChain, 'cert-chain.pem', add);
  const roots = loadCertificates(bundle.rootCert, 'root-cert.pem', add);
  const key = loadPrivateKey(bundle.caKey, add);
  const caCert = caCerts?.[0];

  if (caCerts && caCerts.length > 1) {
    add('IMC009', 'ca-cert.pem', `holds ${caCerts.length} certificates; istiod signs with the first ("${caCerts[0].subject}") and ignores the others`,
      'keep only the signing CA certificate in ca-cert.pem and put its issuers in cert-chain.pem');
  }

  if (caCert && key) checkKeyPair(caCert, key, add);
  if (caCert) checkCanSign(caCert, add);
  for (const root of roots ?? []) {
    checkCanSign(root, add);
    if (!issuedBy(root.cert, root.cert)) {
      add('IMC013', 'root-cert.pem', `certificate #${root.position} "${root.subject}" is not self-signed (issuer "${formatDistinguishedName(root.cert.issuer)}")`,
        'put only self-signed root certificates in root-cert.pem; intermediates belong in cert-chain.pem');
    }
  }

  const path = caCert && roots && roots.length > 0 && chain ? buildPath(caCert, chain, roots, add) : undefined;
  if (path && chain) {
    for (const link of path.slice(1, -1)) checkCanSign(link, add);
    checkChainOrder(caCert!, chain, path, add);
  }

  checkValidity(uniqueCertificates(caCerts, roots, chain), now, windowMs, add);

  if (path && options.workloadCertTtlMs !== undefined) {
    const limiting = path.reduce((a, b) => (b.notAfter < a.notAfter ? b : a));
    const remaining = limiting.notAfter.getTime() - now.getTime();
    if (remaining > 0 && options.workloadCertTtlMs > remaining) {
      add('IMC017', limiting.file, `the workload certificate TTL (${formatSpan(options.workloadCertTtlMs)}) is longer than the CA's remaining life: "${limiting.subject}" expires on ${formatInstant(limiting.notAfter)}, in ${formatSpan(remaining)}`,
        'rotate the CA to a longer-lived one, or shorten the workload certificate TTL below the CA\'s remaining life');
    }
  }

  const order = (f: CaFileName): number => CA_FILES.indexOf(f);
  return findings.map((f, i) => ({ f, i })).sort((a, b) => order(a.f.file) - order(b.f.file) || a.i - b.i).map((x) => x.f);
}

type Add = (code: string, file: CaFileName, message: string, fix: string) => void;

/** Parses the certificates of one file; undefined (with a finding) when it is unusable. */
function loadCertificates(pem: string, file: CaFileName, add: Add): Loaded[] | undefined {
  const blocks = splitPemBlocks(pem);
  if (blocks.length === 0) {
    add('IMC001', file, 'holds no PEM block', `write the PEM-encoded certificate(s) (-----BEGIN CERTIFICATE-----) into ${file}`);
    return undefined;
  }
  const out: Loaded[] = [];
  let ok = true;
  blocks.forEach((block, index) => {
    const position = index + 1;
    if (block.label !== 'CERTIFICATE') {
      const what = isKeyLabel(block.label) ? 'a key' : `a "${block.label}" block`;
      add('IMC002', file, `block #${position} is ${what}, not a certificate`, `${file} must hold only certificates; keep the CA key in ca-key.pem alone`);
      ok = false;
      return;
    }
    try {
      const cert = new X509Certificate(block.text);
      out.push({
        cert,
        file,
        position,
        subject: formatDistinguishedName(cert.subject),
        notBefore: new Date(cert.validFrom),
        notAfter: new Date(cert.validTo),
      });
    } catch {
      add('IMC002', file, `block #${position} is not a valid X.509 certificate`, `re-export the certificate in PEM form (openssl x509 -in CERT -out ${file})`);
      ok = false;
    }
  });
  return ok ? out : undefined;
}

/** Parses ca-key.pem; undefined (with a finding) when it is unusable. Never echoes the key or crypto's error text. */
function loadPrivateKey(pem: string, add: Add): KeyObject | undefined {
  const blocks = splitPemBlocks(pem).filter((b) => isKeyLabel(b.label) && b.label !== 'PUBLIC KEY');
  const fix = 'write the signing CA\'s unencrypted private key (PKCS#1, SEC1 or PKCS#8 PEM) into ca-key.pem';
  if (blocks.length === 0) {
    add('IMC001', 'ca-key.pem', 'holds no private key', fix);
    return undefined;
  }
  if (blocks.length > 1) {
    add('IMC004', 'ca-key.pem', `holds ${blocks.length} keys; it must hold exactly one`, fix);
    return undefined;
  }
  const [block] = blocks;
  if (block.label === 'ENCRYPTED PRIVATE KEY' || block.encryptedHeader) {
    add('IMC003', 'ca-key.pem', 'the private key is encrypted; istiod cannot read an encrypted key',
      'decrypt it (openssl pkey -in ENCRYPTED-KEY -out ca-key.pem) and protect the Secret instead: encryption at rest, RBAC on istio-system');
    return undefined;
  }
  try {
    return createPrivateKey({ key: block.text, format: 'pem' });
  } catch {
    add('IMC004', 'ca-key.pem', 'the private key cannot be parsed', fix);
    return undefined;
  }
}

const KEY_TYPE_NAMES: Record<string, string> = { 'rsa': 'RSA', 'rsa-pss': 'RSA-PSS', 'ec': 'EC', 'ed25519': 'Ed25519', 'ed448': 'Ed448', 'dsa': 'DSA' };
const keyTypeName = (t: string | undefined): string => (t ? KEY_TYPE_NAMES[t] ?? t : 'unknown');

function checkKeyPair(caCert: Loaded, key: KeyObject, add: Add): void {
  const keyType = key.asymmetricKeyType;
  const certType = caCert.cert.publicKey.asymmetricKeyType;
  if (keyType !== certType) {
    add('IMC005', 'ca-key.pem', `holds an ${keyTypeName(keyType)} key, but the public key of ca-cert.pem "${caCert.subject}" is ${keyTypeName(certType)}`,
      'use the private key that was generated with ca-cert.pem\'s certificate request');
    return;
  }
  if (!caCert.cert.checkPrivateKey(key)) {
    add('IMC006', 'ca-key.pem', `is not the private key of ca-cert.pem "${caCert.subject}"`,
      'use the private key that was generated with ca-cert.pem\'s certificate request, or re-issue ca-cert.pem for this key');
  }
}

/** A CA that will sign: basicConstraints CA:TRUE and, when keyUsage is present, keyCertSign. */
function checkCanSign(c: Loaded, add: Add): void {
  const where = c.file === 'ca-cert.pem' ? `"${c.subject}"` : `certificate #${c.position} "${c.subject}"`;
  let ext: ReturnType<typeof caExtensionsOf>;
  try {
    ext = caExtensionsOf(c.cert.raw);
  } catch {
    ext = { isCa: c.cert.ca, keyCertSign: undefined }; // X509Certificate parsed it; fall back to OpenSSL's view
  }
  if (!ext.isCa) {
    add('IMC007', c.file, `${where} is not a CA (basicConstraints CA:TRUE is missing)`,
      'issue it with basicConstraints=critical,CA:TRUE (openssl: -extensions v3_ca)');
    return; // its keyUsage is moot until it is a CA
  }
  if (ext.keyCertSign === false) {
    add('IMC008', c.file, `${where} has a keyUsage extension without keyCertSign, so it may not sign certificates`,
      'issue it with keyUsage=critical,keyCertSign,cRLSign (plus digitalSignature if you like)');
  }
}

/**
 * Whether `parent` issued `child`: the names link and the signature verifies
 * with the parent's key. Not `checkIssued`: OpenSSL's check also refuses
 * issuers that may not sign, which we report separately (IMC007, IMC008).
 */
function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.issuer === parent.subject && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/**
 * Follows issuers from ca-cert through cert-chain.pem (in any order) to a root
 * of root-cert.pem. Returns the path, ca-cert first and the root last, or
 * undefined (with a finding) when there is none.
 */
function buildPath(caCert: Loaded, chain: readonly Loaded[], roots: readonly Loaded[], add: Add): Loaded[] | undefined {
  const path: Loaded[] = [caCert];
  const isRoot = (c: Loaded): boolean => roots.some((r) => r.cert.fingerprint256 === c.cert.fingerprint256);
  let current = caCert;
  for (let depth = 0; depth < 16; depth++) {
    if (isRoot(current)) return path;
    const seen = (c: Loaded): boolean => path.some((p) => p.cert.fingerprint256 === c.cert.fingerprint256);
    const root = roots.find((r) => issuedBy(current.cert, r.cert));
    if (root) return [...path, root];
    const next = chain.find((c) => !seen(c) && issuedBy(current.cert, c.cert));
    if (!next) {
      const issuer = formatDistinguishedName(current.cert.issuer);
      const named = [...chain, ...roots].find((c) => !seen(c) && current.cert.issuer === c.cert.subject);
      const what = current === caCert ? `ca-cert.pem "${current.subject}"` : `"${current.subject}"`;
      if (named) {
        add('IMC012', 'cert-chain.pem', `${what} names "${issuer}" as its issuer, but its signature does not verify with the key of that certificate in ${named.file}`,
          'the issuer was re-generated with the same name: put the certificate that really signed it into cert-chain.pem / root-cert.pem, or re-issue it');
      } else {
        add('IMC012', 'cert-chain.pem', `${what} is issued by "${issuer}", which is in neither cert-chain.pem nor root-cert.pem`,
          'add the missing issuer to cert-chain.pem (and its root to root-cert.pem), so that ca-cert.pem chains up to root-cert.pem');
      }
      return undefined;
    }
    path.push(next);
    current = next;
  }
  add('IMC012', 'cert-chain.pem', `ca-cert.pem "${caCert.subject}" does not reach root-cert.pem within 16 certificates`,
    'shorten the chain: Istio deployments use one or two intermediates');
  return undefined;
}

/** cert-chain.pem must be ca-cert, then each issuer in turn (the root optional at the end). */
function checkChainOrder(caCert: Loaded, chain: readonly Loaded[], path: readonly Loaded[], add: Add): void {
  const expected = path.map((p) => `"${p.subject}"`).join(' -> ');
  const fix = `order cert-chain.pem leaf to root: ${expected}`;
  const caIndex = chain.findIndex((c) => c.cert.fingerprint256 === caCert.cert.fingerprint256);
  if (caIndex < 0) {
    add('IMC010', 'cert-chain.pem', `does not contain ca-cert.pem "${caCert.subject}"; it starts with "${chain[0].subject}"`,
      `start cert-chain.pem with ca-cert.pem, then its issuers: ${expected}`);
    return;
  }
  if (caIndex > 0) {
    add('IMC011', 'cert-chain.pem', `ca-cert.pem "${caCert.subject}" is certificate #${caIndex + 1}; it must come first`, fix);
    return;
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!issuedBy(chain[i].cert, chain[i + 1].cert)) {
      add('IMC011', 'cert-chain.pem', `certificate #${i + 1} "${chain[i].subject}" is followed by "${chain[i + 1].subject}", which did not issue it`, fix);
      return;
    }
  }
}

/** Every distinct certificate once, attributed to ca-cert.pem, root-cert.pem or cert-chain.pem in that preference. */
function uniqueCertificates(...files: (readonly Loaded[] | undefined)[]): Loaded[] {
  const out: Loaded[] = [];
  for (const file of files) {
    for (const c of file ?? []) {
      if (!out.some((o) => o.cert.fingerprint256 === c.cert.fingerprint256)) out.push(c);
    }
  }
  return out;
}

function checkValidity(certs: readonly Loaded[], now: Date, windowMs: number, add: Add): void {
  for (const c of certs) {
    const where = c.file === 'ca-cert.pem' ? `"${c.subject}"` : `certificate #${c.position} "${c.subject}"`;
    const left = c.notAfter.getTime() - now.getTime();
    if (c.notBefore.getTime() > now.getTime()) {
      add('IMC015', c.file, `${where} is not valid before ${formatInstant(c.notBefore)}`,
        'wait until it is valid, check the clock of the machine that issued it, or re-issue it with a notBefore in the past');
    }
    if (left <= 0) {
      add('IMC014', c.file, `${where} expired on ${formatInstant(c.notAfter)}`,
        'issue a new certificate (and, for a root, distribute the new root to every workload before removing the old one)');
    } else if (left < windowMs) {
      add('IMC016', c.file, `${where} expires on ${formatInstant(c.notAfter)}, in ${formatSpan(left)}, within the expiry window of ${formatSpan(windowMs)}`,
        'rotate it now: issue a new certificate and roll it out while the old one is still valid');
    }
  }
}
