import { createPrivateKey, KeyObject, X509Certificate } from 'crypto';
import { CA_FILES, CACERTS_MAX_BYTES, CaBundlePem, CaFileName, CertificateFinding } from './certificate-finding';
import { CaExtensions, formatDistinguishedName, formatInstant, formatSpan, isKeyLabel, caExtensionsOf, splitPemBlocks } from './pem';
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
  /**
   * The size in bytes of each file as read, for callers that read files (a
   * file over the Secret limit need not be read at all; pass `''` for it).
   * @default - the UTF-8 length of each text
   */
  readonly fileSizes?: { readonly [file in CaFileName]?: number };
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

  const usable = checkSizes(bundle, options.fileSizes ?? {}, add);
  const caCerts = usable.has('ca-cert.pem') ? loadCertificates(bundle.caCert, 'ca-cert.pem', add) : undefined;
  const chain = usable.has('cert-chain.pem') ? loadCertificates(bundle.certChain, 'cert-chain.pem', add) : undefined;
  const roots = usable.has('root-cert.pem') ? loadCertificates(bundle.rootCert, 'root-cert.pem', add) : undefined;
  const key = usable.has('ca-key.pem') ? loadPrivateKey(bundle.caKey, add) : undefined;
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
    checkPathLengths(path, add);
  }
  if (path) checkExtendedKeyUsage(path, true, add);
  else if (caCert) checkExtendedKeyUsage([caCert], false, add);

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

const CONTENT_OF: Record<CaFileName, keyof CaBundlePem> = {
  'ca-cert.pem': 'caCert', 'ca-key.pem': 'caKey', 'cert-chain.pem': 'certChain', 'root-cert.pem': 'rootCert',
};

/**
 * The files small enough to read: one over the Secret limit alone is
 * reported and left unparsed; four that together exceed it are reported on
 * the largest.
 */
function checkSizes(bundle: CaBundlePem, given: NonNullable<CaPreflightOptions['fileSizes']>, add: Add): Set<CaFileName> {
  const sizes = CA_FILES.map((file) => ({ file, bytes: given[file] ?? Buffer.byteLength(bundle[CONTENT_OF[file]] ?? '', 'utf8') }));
  const limit = `${CACERTS_MAX_BYTES} bytes (1 MiB)`;
  const fix = 'check the path: a cacerts file holds a few certificates or one key, a few kilobytes';
  const usable = new Set<CaFileName>();
  for (const { file, bytes } of sizes) {
    if (bytes > CACERTS_MAX_BYTES) add('IMC021', file, `is ${bytes} bytes, more than the ${limit} a Kubernetes Secret holds; it was not read`, fix);
    else usable.add(file);
  }
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  if (usable.size === CA_FILES.length && total > CACERTS_MAX_BYTES) {
    const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    add('IMC021', largest.file, `the four files hold ${total} bytes together (this one ${largest.bytes}), more than the ${limit} a Kubernetes Secret holds`, fix);
  }
  return usable;
}

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
  const all = splitPemBlocks(pem);
  const blocks = all.filter((b) => isKeyLabel(b.label) && b.label !== 'PUBLIC KEY');
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
  if (all[0] !== block) {
    const first = isKeyLabel(all[0].label) ? 'a public key' : `of type "${all[0].label}"`;
    add('IMC020', 'ca-key.pem', `block #1 is ${first}, not the private key (block #${all.indexOf(block) + 1}); istiod reads only the first block`,
      'keep only the private key in ca-key.pem (openssl pkey -in ca-key.pem -out ca-key.pem drops the rest)');
  } else if (!ISTIO_KEY_LABELS.has(block.label)) {
    // Not the label itself in the message: findings never spell out key block armour.
    add('IMC004', 'ca-key.pem', 'the private key is in a PEM block type istiod does not read; it reads SEC1 EC, PKCS#1 RSA and unencrypted PKCS#8 keys',
      'convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt -in KEY -out ca-key.pem)');
    return undefined;
  }
  try {
    return createPrivateKey({ key: block.text, format: 'pem' });
  } catch {
    add('IMC004', 'ca-key.pem', 'the private key cannot be parsed', fix);
    return undefined;
  }
}

/** The PEM block types istiod decodes as a private key (ParsePemEncodedKey). */
const ISTIO_KEY_LABELS: ReadonlySet<string> = new Set(['EC PRIVATE KEY', 'RSA PRIVATE KEY', 'PRIVATE KEY']);

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

/** How findings name a certificate: by subject in ca-cert.pem, by position and subject elsewhere. */
function describe(c: Loaded): string {
  return c.file === 'ca-cert.pem' ? `"${c.subject}"` : `certificate #${c.position} "${c.subject}"`;
}

function extensionsOf(c: Loaded): CaExtensions {
  try {
    return caExtensionsOf(c.cert.raw);
  } catch {
    return { isCa: c.cert.ca, keyCertSign: undefined }; // X509Certificate parsed it; fall back to OpenSSL's view
  }
}

/** A CA that will sign: basicConstraints CA:TRUE and, when keyUsage is present, keyCertSign. */
function checkCanSign(c: Loaded, add: Add): void {
  const where = describe(c);
  const ext = extensionsOf(c);
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
 * The pathLenConstraint of each CA on the path (ca-cert first, the root
 * last) against the CA certificates under it: at every handshake Envoy
 * counts those between it and the workload certificate, ca-cert included
 * and self-issued ones not (the root, a trust anchor, is not checked); at
 * start-up istiod's Go check counts the intermediates between ca-cert and
 * it, ca-cert not included (the root included).
 */
function checkPathLengths(path: readonly Loaded[], add: Add): void {
  const selfIssued = (c: Loaded) => c.cert.subject === c.cert.issuer;
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    const limit = extensionsOf(c).pathLen;
    if (limit === undefined) continue;
    const below = path.slice(0, i);
    const handshake = i < path.length - 1 ? below.filter((b) => !selfIssued(b)) : [];
    const startUp = below.slice(1);
    const names = (list: readonly Loaded[]) => list.map((b) => `"${b.subject}"`).join(', ');
    const fix = (needed: number) => `re-issue "${c.subject}" with pathlen:${needed} or more, or without a pathlen `
      + `(openssl: basicConstraints=critical,CA:TRUE,pathlen:${needed}), or shorten the chain`;
    if (handshake.length > limit) {
      add('IMC018', c.file, `${describe(c)} allows ${limit} CA certificate(s) below it (pathlen:${limit}), but every workload certificate `
        + `chains through ${handshake.length} (${names(handshake)}): sidecars reject every workload certificate, so every mTLS handshake fails`,
      fix(handshake.length));
    } else if (startUp.length > limit) {
      add('IMC018', c.file, `${describe(c)} allows ${limit} intermediate CA certificate(s) below it (pathlen:${limit}), but ${startUp.length} `
        + `stand between it and ca-cert.pem (${names(startUp)}): istiod refuses the bundle at start-up`,
      fix(startUp.length));
    }
  }
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
const EKU_NAMES: Readonly<Record<string, string>> = {
  [SERVER_AUTH]: 'serverAuth',
  [CLIENT_AUTH]: 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  [ANY_EXTENDED_KEY_USAGE]: 'anyExtendedKeyUsage',
};

/**
 * The extendedKeyUsage of each CA on the path (or of ca-cert alone when no
 * path was found). istiod's Go check wants serverAuth or anyExtendedKeyUsage
 * on every one; Envoy wants serverAuth and clientAuth on every one it does
 * not hold as a trust anchor (`endsAtAnchor`: the last is the root).
 */
function checkExtendedKeyUsage(certs: readonly Loaded[], endsAtAnchor: boolean, add: Add): void {
  certs.forEach((c, i) => {
    const usages = extensionsOf(c).extKeyUsage;
    if (usages === undefined) return;
    const has = (oid: string) => usages.includes(oid);
    const istiodRefuses = !has(SERVER_AUTH) && !has(ANY_EXTENDED_KEY_USAGE);
    const checkedByEnvoy = !(endsAtAnchor && i === certs.length - 1);
    const envoyMissing = checkedByEnvoy ? [SERVER_AUTH, CLIENT_AUTH].filter((u) => !has(u)) : [];
    if (!istiodRefuses && envoyMissing.length === 0) return;
    const missing = [...new Set([...(istiodRefuses ? [SERVER_AUTH] : []), ...envoyMissing])].map((u) => EKU_NAMES[u]);
    const effects = [
      ...(istiodRefuses ? ['istiod verifies the bundle for serverAuth at start-up and refuses it'] : []),
      ...(envoyMissing.includes(CLIENT_AUTH) ? ['sidecars refuse every workload certificate under it as a client certificate'] : []),
      ...(envoyMissing.includes(SERVER_AUTH) && !istiodRefuses
        ? ['sidecars refuse every workload certificate under it as a server certificate (Envoy does not count anyExtendedKeyUsage)'] : []),
    ];
    const listed = usages.length > 0 ? usages.map((u) => EKU_NAMES[u] ?? u).join(', ') : 'no usage';
    add('IMC019', c.file, `${describe(c)} has extendedKeyUsage ${listed}, without ${missing.join(' or ')}: ${effects.join('; ')}`,
      'issue CA certificates without an extendedKeyUsage extension (a CA needs none), or with extendedKeyUsage=serverAuth,clientAuth');
  });
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
    const where = describe(c);
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
