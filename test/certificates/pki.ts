/**
 * Test PKI built with the openssl CLI at test time (Node's crypto cannot
 * create X.509 certificates). `openssl ca` takes explicit -startdate and
 * -enddate, which makes expired and not-yet-valid certificates without
 * faking the clock. If openssl is missing the tests fail with a clear
 * message rather than skipping.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CaBundlePem } from '../../src/certificates';

/** The instant the preflight tests check at; fixture dates are chosen around it. */
export const NOW = new Date('2030-06-01T00:00:00Z');

export type Extensions = 'ca' | 'not-ca' | 'ca-no-certsign' | 'ca-no-keyusage'
  | 'ca-pathlen-0' | 'ca-pathlen-1' | 'ca-pathlen-2'
  | 'ca-eku-server' | 'ca-eku-client' | 'ca-eku-both' | 'ca-eku-any' | 'ca-eku-codesign';

export interface Cert {
  readonly pem: string;
  readonly key: Key;
}

export interface Key {
  readonly pem: string;
  readonly file: string;
}

const CONFIG = `[ ca ]
default_ca = CA_default
[ CA_default ]
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ not-ca_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
[ ca-no-certsign_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,cRLSign
[ ca-no-keyusage_ext ]
basicConstraints = critical,CA:TRUE
[ ca-pathlen-0_ext ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
[ ca-pathlen-1_ext ]
basicConstraints = critical,CA:TRUE,pathlen:1
keyUsage = critical,keyCertSign,cRLSign
[ ca-pathlen-2_ext ]
basicConstraints = critical,CA:TRUE,pathlen:2
keyUsage = critical,keyCertSign,cRLSign
[ ca-eku-server_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = serverAuth
[ ca-eku-client_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = clientAuth
[ ca-eku-both_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = serverAuth,clientAuth
[ ca-eku-any_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = anyExtendedKeyUsage
[ ca-eku-codesign_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = codeSigning
`;

/** Fails loudly (not a skip) when openssl is not installed. */
export function requireOpenssl(): string {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('these tests need the openssl command to generate certificates; install it (Debian: apt-get install openssl)');
  }
}

/** A scratch certificate authority in a temporary directory. */
export class TestPki {
  public readonly dir: string;
  private counter = 0;

  public constructor() {
    requireOpenssl();
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imc-pki-'));
    fs.writeFileSync(path.join(this.dir, 'ca.cnf'), CONFIG);
    fs.mkdirSync(path.join(this.dir, 'newcerts'));
    fs.writeFileSync(path.join(this.dir, 'index.txt'), '');
    fs.writeFileSync(path.join(this.dir, 'serial'), '1000\n');
  }

  /** A new private key: EC P-256 (fast) or RSA 2048. */
  public key(type: 'ec' | 'rsa' = 'ec'): Key {
    const file = this.file('key.pem');
    const args = type === 'ec'
      ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]
      : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file];
    this.openssl(args);
    return { file, pem: fs.readFileSync(file, 'utf8') };
  }

  /** An EC key as `openssl ecparam -genkey` writes it: an EC PARAMETERS block, then the EC PRIVATE KEY. */
  public ecKeyWithParameters(): Key {
    const file = this.file('ecparam-key.pem');
    this.openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-out', file]);
    return { file, pem: fs.readFileSync(file, 'utf8') };
  }

  /** The public key of `key`, PEM (`PUBLIC KEY`). */
  public publicKeyOf(key: Key): string {
    const out = this.file('pub.pem');
    this.openssl(['pkey', '-in', key.file, '-pubout', '-out', out]);
    return fs.readFileSync(out, 'utf8');
  }

  /** The key encrypted with a passphrase: PKCS#8 (`ENCRYPTED PRIVATE KEY`) or traditional (`Proc-Type: 4,ENCRYPTED`). */
  public encrypt(key: Key, form: 'pkcs8' | 'traditional'): string {
    const out = this.file('enc.pem');
    const args = form === 'pkcs8'
      ? ['pkey', '-in', key.file, '-aes256', '-passout', 'pass:test-only', '-out', out]
      : ['pkey', '-in', key.file, '-aes256', '-passout', 'pass:test-only', '-traditional', '-out', out];
    this.openssl(args);
    return fs.readFileSync(out, 'utf8');
  }

  /**
   * A certificate for `cn`, valid from `start` to `end` (YYYY-MM-DD, midnight
   * UTC), signed by `issuer` or self-signed.
   */
  public cert(cn: string, opts: { start: string; end: string; issuer?: Cert; key?: Key; ext?: Extensions }): Cert {
    const key = opts.key ?? this.key();
    const csr = this.file('req.csr');
    const out = this.file('cert.pem');
    this.openssl(['req', '-new', '-config', 'ca.cnf', '-key', key.file, '-subj', `/CN=${cn}`, '-out', csr]);
    const signer = opts.issuer
      ? ['-cert', this.write('issuer.pem', opts.issuer.pem), '-keyfile', opts.issuer.key.file]
      : ['-selfsign', '-keyfile', key.file];
    this.openssl(['ca', '-batch', '-config', 'ca.cnf', '-notext', ...signer, '-in', csr, '-out', out,
      '-startdate', stamp(opts.start), '-enddate', stamp(opts.end), '-extensions', `${opts.ext ?? 'ca'}_ext`]);
    return { key, pem: normalize(fs.readFileSync(out, 'utf8')) };
  }

  /** Writes a `cacerts` directory with the four files; returns its path. */
  public writeBundle(bundle: CaBundlePem, name = 'cacerts'): string {
    const dir = path.join(this.dir, `${name}-${++this.counter}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'ca-cert.pem'), bundle.caCert);
    fs.writeFileSync(path.join(dir, 'ca-key.pem'), bundle.caKey);
    fs.writeFileSync(path.join(dir, 'cert-chain.pem'), bundle.certChain);
    fs.writeFileSync(path.join(dir, 'root-cert.pem'), bundle.rootCert);
    return dir;
  }

  public cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private file(suffix: string): string {
    return path.join(this.dir, `${++this.counter}-${suffix}`);
  }

  private write(suffix: string, content: string): string {
    const f = this.file(suffix);
    fs.writeFileSync(f, content);
    return f;
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }
}

/** `2030-06-11` → `20300611000000Z` (openssl ca's -startdate/-enddate form). */
function stamp(date: string): string {
  return `${date.replace(/-/g, '')}000000Z`;
}

/** Only the PEM block, without any text openssl put around it. */
function normalize(pem: string): string {
  const m = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/.exec(pem);
  if (!m) throw new Error('openssl produced no certificate');
  return m[0].endsWith('\n') ? m[0] : m[0] + '\n';
}

/** A fresh PKI with a valid root → cluster CA chain, written as a cacerts bundle directory. */
export function validBundle(): { pki: TestPki; root: Cert; ca: Cert; dir: string } {
  const pki = new TestPki();
  const root = pki.cert('Acme Root CA', { start: '2020-01-01', end: '2099-12-31' });
  const ca = pki.cert('Acme Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: root });
  const dir = pki.writeBundle({ caCert: ca.pem, caKey: ca.key.pem, certChain: ca.pem + root.pem, rootCert: root.pem });
  return { pki, root, ca, dir };
}
