import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cert, Key, NOW, TestPki } from './pki';
import { CaBundlePem, CACERTS_MAX_BYTES, CERTIFICATE_RULES, CertificateFinding, formatCertificateFinding, preflightCa } from '../../src/certificates';

const DAY = 86_400_000;

let pki: TestPki;
let root: Cert;
let int1: Cert; // issued by root
let ca: Cert; // ca-cert, issued by int1
let valid: CaBundlePem;

beforeAll(() => {
  pki = new TestPki();
  root = pki.cert('Acme Root CA', { start: '2020-01-01', end: '2099-12-31' });
  int1 = pki.cert('Acme Intermediate CA', { start: '2020-01-01', end: '2098-12-31', issuer: root });
  ca = pki.cert('Acme Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: int1 });
  valid = bundle(ca, [ca, int1, root], [root]);
});

afterAll(() => pki?.cleanup());

function bundle(caCert: Cert, chain: Cert[], roots: Cert[], key: Key | string = caCert.key): CaBundlePem {
  return {
    caCert: caCert.pem,
    caKey: typeof key === 'string' ? key : key.pem,
    certChain: chain.map((c) => c.pem).join(''),
    rootCert: roots.map((c) => c.pem).join(''),
  };
}

function check(b: CaBundlePem, over: { expiryWindowMs?: number; workloadCertTtlMs?: number } = {}): CertificateFinding[] {
  return preflightCa(b, { now: NOW, ...over });
}

/** `CODE file: message` for compact exact comparisons. */
function lines(findings: CertificateFinding[]): string[] {
  return findings.map((f) => `${f.code} ${f.severity} ${f.file}: ${f.message}`);
}

describe('preflightCa', () => {
  describe('Compliance', () => {
    it('accepts a root -> intermediate -> cluster CA bundle, chain with and without the root', () => {
      expect(check(valid, { workloadCertTtlMs: 90 * DAY })).toEqual([]);
      expect(check(bundle(ca, [ca, int1], [root]))).toEqual([]);
    });
    it('accepts ca-cert issued directly by the root, and ca-cert that is itself the root', () => {
      const direct = pki.cert('Direct CA', { start: '2020-01-01', end: '2090-01-01', issuer: root });
      expect(check(bundle(direct, [direct, root], [root]))).toEqual([]);
      expect(check(bundle(root, [root], [root]))).toEqual([]);
    });
    it('accepts a CA without a keyUsage extension (allowed by Envoy and Go)', () => {
      const noKu = pki.cert('No KeyUsage CA', { start: '2020-01-01', end: '2090-01-01', issuer: root, ext: 'ca-no-keyusage' });
      expect(check(bundle(noKu, [noKu, root], [root]))).toEqual([]);
    });
    it('accepts several roots in root-cert.pem (root rotation)', () => {
      const other = pki.cert('Next Root CA', { start: '2020-01-01', end: '2099-12-31' });
      expect(check(bundle(ca, [ca, int1, root], [other, root]))).toEqual([]);
    });
    it('accepts an RSA CA with its RSA key', () => {
      const rsaKey = pki.key('rsa');
      const rsaCa = pki.cert('RSA Cluster CA', { start: '2020-01-01', end: '2090-01-01', issuer: root, key: rsaKey });
      expect(check(bundle(rsaCa, [rsaCa, root], [root]))).toEqual([]);
    });
  });

  describe('Noncompliance', () => {
    it('1. expired root', () => {
      const oldRoot = pki.cert('Old Root CA', { start: '2010-01-01', end: '2021-01-01' });
      const c = pki.cert('Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: oldRoot });
      expect(lines(check(bundle(c, [c, oldRoot], [oldRoot])))).toEqual([
        'IMC014 error root-cert.pem: certificate #1 "CN=Old Root CA" expired on 2021-01-01T00:00:00Z',
      ]);
    });
    it('2. expired intermediate in the chain', () => {
      const oldInt = pki.cert('Old Intermediate CA', { start: '2020-01-01', end: '2025-01-01', issuer: root });
      const c = pki.cert('Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: oldInt });
      expect(lines(check(bundle(c, [c, oldInt, root], [root])))).toEqual([
        'IMC014 error cert-chain.pem: certificate #2 "CN=Old Intermediate CA" expired on 2025-01-01T00:00:00Z',
      ]);
    });
    it('3. expired ca-cert', () => {
      const c = pki.cert('Expired Cluster CA', { start: '2020-01-01', end: '2030-05-31', issuer: root });
      expect(lines(check(bundle(c, [c, root], [root])))).toEqual([
        'IMC014 error ca-cert.pem: "CN=Expired Cluster CA" expired on 2030-05-31T00:00:00Z',
      ]);
    });
    it('4. mismatched key of the same type', () => {
      expect(lines(check(bundle(ca, [ca, int1, root], [root], pki.key('ec'))))).toEqual([
        'IMC006 error ca-key.pem: is not the private key of ca-cert.pem "CN=Acme Cluster CA"',
      ]);
    });
    it('5. key of another type (RSA key, EC certificate)', () => {
      expect(lines(check(bundle(ca, [ca, int1, root], [root], pki.key('rsa'))))).toEqual([
        'IMC005 error ca-key.pem: holds an RSA key, but the public key of ca-cert.pem "CN=Acme Cluster CA" is EC',
      ]);
    });
    it('6. ca-cert is not a CA (basicConstraints CA:FALSE)', () => {
      const leaf = pki.cert('Not A CA', { start: '2020-01-01', end: '2090-01-01', issuer: root, ext: 'not-ca' });
      expect(lines(check(bundle(leaf, [leaf, root], [root])))).toEqual([
        'IMC007 error ca-cert.pem: "CN=Not A CA" is not a CA (basicConstraints CA:TRUE is missing)',
      ]);
    });
    it('7. an intermediate in the chain is not a CA', () => {
      const leafInt = pki.cert('Leaf Intermediate', { start: '2020-01-01', end: '2090-01-01', issuer: root, ext: 'not-ca' });
      const c = pki.cert('Cluster CA', { start: '2020-01-01', end: '2090-01-01', issuer: leafInt });
      expect(lines(check(bundle(c, [c, leafInt, root], [root])))).toEqual([
        'IMC007 error cert-chain.pem: certificate #2 "CN=Leaf Intermediate" is not a CA (basicConstraints CA:TRUE is missing)',
      ]);
    });
    it('8. ca-cert key usage lacks keyCertSign', () => {
      const c = pki.cert('No CertSign CA', { start: '2020-01-01', end: '2090-01-01', issuer: root, ext: 'ca-no-certsign' });
      expect(lines(check(bundle(c, [c, root], [root])))).toEqual([
        'IMC008 error ca-cert.pem: "CN=No CertSign CA" has a keyUsage extension without keyCertSign, so it may not sign certificates',
      ]);
    });
    it('9. wrong chain order: an issuer out of place', () => {
      const [finding] = check(bundle(ca, [ca, root, int1], [root]));
      expect(lines([finding])).toEqual([
        'IMC011 error cert-chain.pem: certificate #1 "CN=Acme Cluster CA" is followed by "CN=Acme Root CA", which did not issue it',
      ]);
      expect(finding.fix).toBe('order cert-chain.pem leaf to root: "CN=Acme Cluster CA" -> "CN=Acme Intermediate CA" -> "CN=Acme Root CA"');
      expect(check(bundle(ca, [ca, root, int1], [root]))).toHaveLength(1);
    });
    it('10. wrong chain order: root to leaf', () => {
      expect(lines(check(bundle(ca, [root, int1, ca], [root])))).toEqual([
        'IMC011 error cert-chain.pem: ca-cert.pem "CN=Acme Cluster CA" is certificate #3; it must come first',
      ]);
    });
    it('11. cert-chain.pem without ca-cert', () => {
      const [finding] = check(bundle(ca, [int1, root], [root]));
      expect(lines([finding])).toEqual([
        'IMC010 error cert-chain.pem: does not contain ca-cert.pem "CN=Acme Cluster CA"; it starts with "CN=Acme Intermediate CA"',
      ]);
      expect(finding.fix).toBe('start cert-chain.pem with ca-cert.pem, then its issuers: "CN=Acme Cluster CA" -> "CN=Acme Intermediate CA" -> "CN=Acme Root CA"');
    });
    it('12. chain does not reach root-cert.pem (missing intermediate)', () => {
      expect(lines(check(bundle(ca, [ca], [root])))).toEqual([
        'IMC012 error cert-chain.pem: ca-cert.pem "CN=Acme Cluster CA" is issued by "CN=Acme Intermediate CA", which is in neither cert-chain.pem nor root-cert.pem',
      ]);
    });
    it('13. chain does not reach root-cert.pem (another root)', () => {
      const stranger = pki.cert('Stranger Root CA', { start: '2020-01-01', end: '2099-12-31' });
      expect(lines(check(bundle(ca, [ca, int1], [stranger])))).toEqual([
        'IMC012 error cert-chain.pem: "CN=Acme Intermediate CA" is issued by "CN=Acme Root CA", which is in neither cert-chain.pem nor root-cert.pem',
      ]);
    });
    it('14. root re-generated with the same name: the signature does not verify', () => {
      const impostor = pki.cert('Acme Root CA', { start: '2020-01-01', end: '2099-12-31' });
      expect(lines(check(bundle(ca, [ca, int1], [impostor])))).toEqual([
        'IMC012 error cert-chain.pem: "CN=Acme Intermediate CA" names "CN=Acme Root CA" as its issuer, but its signature does not verify with the key of that certificate in root-cert.pem',
      ]);
    });
    it('14b. a chain longer than 16 certificates', () => {
      let issuer = root;
      const intermediates: Cert[] = [];
      for (let i = 1; i <= 17; i++) {
        issuer = pki.cert(`Level ${i} CA`, { start: '2020-01-01', end: '2090-01-01', issuer });
        intermediates.unshift(issuer);
      }
      const c = pki.cert('Deep CA', { start: '2020-01-01', end: '2090-01-01', issuer });
      expect(lines(check(bundle(c, [c, ...intermediates, root], [root])))).toEqual([
        'IMC012 error cert-chain.pem: ca-cert.pem "CN=Deep CA" does not reach root-cert.pem within 16 certificates',
      ]);
      expect(check(bundle(c, [c, ...intermediates.slice(0, 14)], [intermediates[14]]))).toEqual([
        expect.objectContaining({ code: 'IMC013' }),
      ]);
    });
    it('15. root-cert.pem holds an intermediate, not a self-signed root', () => {
      expect(lines(check(bundle(ca, [ca, int1], [int1])))).toEqual([
        'IMC013 error root-cert.pem: certificate #1 "CN=Acme Intermediate CA" is not self-signed (issuer "CN=Acme Root CA")',
      ]);
    });
    it('16. expiring within the window (default 30 days) and a configured window', () => {
      const soon = pki.cert('Soon Expiring CA', { start: '2020-01-01', end: '2030-06-11', issuer: root });
      const b = bundle(soon, [soon, root], [root]);
      expect(lines(check(b))).toEqual([
        'IMC016 error ca-cert.pem: "CN=Soon Expiring CA" expires on 2030-06-11T00:00:00Z, in 10 days, within the expiry window of 30 days',
      ]);
      expect(check(b, { expiryWindowMs: 7 * DAY })).toEqual([]);
      expect(lines(check(b, { expiryWindowMs: 11 * DAY }))).toEqual([
        'IMC016 error ca-cert.pem: "CN=Soon Expiring CA" expires on 2030-06-11T00:00:00Z, in 10 days, within the expiry window of 11 days',
      ]);
    });
    it('17. workload certificate TTL beyond the CA\'s remaining life', () => {
      const shortInt = pki.cert('Short Intermediate CA', { start: '2020-01-01', end: '2030-07-15', issuer: root });
      const c = pki.cert('Cluster CA', { start: '2020-01-01', end: '2090-01-01', issuer: shortInt });
      const b = bundle(c, [c, shortInt, root], [root]);
      expect(check(b, { workloadCertTtlMs: 24 * 3_600_000 })).toEqual([]);
      expect(lines(check(b, { workloadCertTtlMs: 90 * DAY }))).toEqual([
        'IMC017 error cert-chain.pem: the workload certificate TTL (90 days) is longer than the CA\'s remaining life: "CN=Short Intermediate CA" expires on 2030-07-15T00:00:00Z, in 44 days',
      ]);
    });
    it('18. encrypted private key, PKCS#8 and traditional', () => {
      for (const form of ['pkcs8', 'traditional'] as const) {
        expect(lines(check(bundle(ca, [ca, int1, root], [root], pki.encrypt(ca.key, form))))).toEqual([
          'IMC003 error ca-key.pem: the private key is encrypted; istiod cannot read an encrypted key',
        ]);
      }
    });
    it('19. not yet valid', () => {
      const future = pki.cert('Future CA', { start: '2031-01-01', end: '2090-01-01', issuer: root });
      expect(lines(check(bundle(future, [future, root], [root])))).toEqual([
        'IMC015 error ca-cert.pem: "CN=Future CA" is not valid before 2031-01-01T00:00:00Z',
      ]);
    });
    it('20. empty files', () => {
      expect(lines(check({ caCert: '', caKey: '', certChain: '\n', rootCert: 'not pem' }))).toEqual([
        'IMC001 error ca-cert.pem: holds no PEM block',
        'IMC001 error ca-key.pem: holds no private key',
        'IMC001 error cert-chain.pem: holds no PEM block',
        'IMC001 error root-cert.pem: holds no PEM block',
      ]);
    });
    it('21. a key or garbage where a certificate belongs', () => {
      const b = { ...valid, certChain: valid.certChain + ca.key.pem, rootCert: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n' };
      expect(lines(check(b))).toEqual([
        'IMC002 error cert-chain.pem: block #4 is a key, not a certificate',
        'IMC002 error root-cert.pem: block #1 is not a valid X.509 certificate',
      ]);
    });
    it('22. two keys, an unparseable key', () => {
      expect(lines(check({ ...valid, caKey: ca.key.pem + int1.key.pem }))).toEqual([
        'IMC004 error ca-key.pem: holds 2 keys; it must hold exactly one',
      ]);
      expect(lines(check({ ...valid, caKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }))).toEqual([
        'IMC004 error ca-key.pem: the private key cannot be parsed',
      ]);
    });
    it('23. several certificates in ca-cert.pem (warning)', () => {
      expect(lines(check({ ...valid, caCert: ca.pem + int1.pem }))).toEqual([
        'IMC009 warning ca-cert.pem: holds 2 certificates; istiod signs with the first ("CN=Acme Cluster CA") and ignores the others',
      ]);
    });
    it('24. several problems at once, ordered by file', () => {
      const oldRoot = pki.cert('Old Root CA', { start: '2010-01-01', end: '2021-01-01' });
      const leaf = pki.cert('Not A CA', { start: '2020-01-01', end: '2030-06-10', issuer: oldRoot, ext: 'not-ca' });
      expect(lines(check(bundle(leaf, [oldRoot, leaf], [oldRoot], pki.key('ec'))))).toEqual([
        'IMC007 error ca-cert.pem: "CN=Not A CA" is not a CA (basicConstraints CA:TRUE is missing)',
        'IMC016 error ca-cert.pem: "CN=Not A CA" expires on 2030-06-10T00:00:00Z, in 9 days, within the expiry window of 30 days',
        'IMC006 error ca-key.pem: is not the private key of ca-cert.pem "CN=Not A CA"',
        'IMC011 error cert-chain.pem: ca-cert.pem "CN=Not A CA" is certificate #2; it must come first',
        'IMC014 error root-cert.pem: certificate #1 "CN=Old Root CA" expired on 2021-01-01T00:00:00Z',
      ]);
    });
  });

  describe('path length constraints (IMC018)', () => {
    it('Compliance: every pathlen leaves room for the CAs below it; a root\'s pathlen:0 directly over ca-cert', () => {
      const r = pki.cert('PL Root', { start: '2020-01-01', end: '2099-12-31', ext: 'ca-pathlen-1' });
      const i = pki.cert('PL Intermediate', { start: '2020-01-01', end: '2098-12-31', issuer: r, ext: 'ca-pathlen-1' });
      const c = pki.cert('PL Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: i, ext: 'ca-pathlen-0' });
      expect(check(bundle(c, [c, i, r], [r]))).toEqual([]);
      const r0 = pki.cert('PL0 Root', { start: '2020-01-01', end: '2099-12-31', ext: 'ca-pathlen-0' });
      const direct = pki.cert('PL0 Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: r0 });
      expect(check(bundle(direct, [direct, r0], [r0]))).toEqual([]);
    });
    it('25. an intermediate with pathlen:0 over ca-cert: every handshake fails', () => {
      const i = pki.cert('PL Zero Intermediate', { start: '2020-01-01', end: '2098-12-31', issuer: root, ext: 'ca-pathlen-0' });
      const c = pki.cert('Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: i });
      const [f] = check(bundle(c, [c, i, root], [root]));
      expect(lines([f])).toEqual([
        'IMC018 error cert-chain.pem: certificate #2 "CN=PL Zero Intermediate" allows 0 CA certificate(s) below it (pathlen:0), but every workload '
          + 'certificate chains through 1 ("CN=Cluster CA"): sidecars reject every workload certificate, so every mTLS handshake fails',
      ]);
      expect(f.fix).toBe('re-issue "CN=PL Zero Intermediate" with pathlen:1 or more, or without a pathlen (openssl: basicConstraints=critical,CA:TRUE,pathlen:1), or shorten the chain');
      expect(check(bundle(c, [c, i, root], [root]))).toHaveLength(1);
    });
    it('26. a root with pathlen:0 over an intermediate: istiod refuses the bundle at start-up', () => {
      const r = pki.cert('PL0 Root CA', { start: '2020-01-01', end: '2099-12-31', ext: 'ca-pathlen-0' });
      const i = pki.cert('Intermediate CA', { start: '2020-01-01', end: '2098-12-31', issuer: r });
      const c = pki.cert('Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: i });
      expect(lines(check(bundle(c, [c, i, r], [r])))).toEqual([
        'IMC018 error root-cert.pem: certificate #1 "CN=PL0 Root CA" allows 0 intermediate CA certificate(s) below it (pathlen:0), but 1 stand '
          + 'between it and ca-cert.pem ("CN=Intermediate CA"): istiod refuses the bundle at start-up',
      ]);
    });
    it('27. two intermediates under a pathlen:1 intermediate', () => {
      const top = pki.cert('Top Intermediate', { start: '2020-01-01', end: '2098-12-31', issuer: root, ext: 'ca-pathlen-1' });
      const mid = pki.cert('Mid Intermediate', { start: '2020-01-01', end: '2098-12-31', issuer: top });
      const c = pki.cert('Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: mid });
      expect(lines(check(bundle(c, [c, mid, top, root], [root])))).toEqual([
        'IMC018 error cert-chain.pem: certificate #3 "CN=Top Intermediate" allows 1 CA certificate(s) below it (pathlen:1), but every workload '
          + 'certificate chains through 2 ("CN=Cluster CA", "CN=Mid Intermediate"): sidecars reject every workload certificate, so every mTLS handshake fails',
      ]);
    });
    it('trap: a self-issued intermediate (key rollover) does not count', () => {
      const old = pki.cert('Rollover CA', { start: '2020-01-01', end: '2098-12-31', issuer: root, ext: 'ca-pathlen-1' });
      const renewed = pki.cert('Rollover CA', { start: '2020-01-01', end: '2098-12-31', issuer: old });
      const c = pki.cert('Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: renewed });
      expect(check(bundle(c, [c, renewed, old, root], [root]))).toEqual([]);
    });
  });

  describe('extended key usage of the CAs (IMC019)', () => {
    const signedBy = (cn: string, ext: Parameters<TestPki['cert']>[1]['ext'], issuer = root) =>
      pki.cert(cn, { start: '2020-01-01', end: '2097-12-31', issuer, ext });
    it('Compliance: no extendedKeyUsage, or serverAuth and clientAuth; a root needs only serverAuth', () => {
      const both = signedBy('Both CA', 'ca-eku-both');
      expect(check(bundle(both, [both, root], [root]))).toEqual([]);
      const serverRoot = pki.cert('Server Root', { start: '2020-01-01', end: '2099-12-31', ext: 'ca-eku-server' });
      const c = signedBy('Cluster CA', 'ca', serverRoot);
      expect(check(bundle(c, [c, serverRoot], [serverRoot]))).toEqual([]);
    });
    it('28. ca-cert for clientAuth only: istiod refuses the bundle', () => {
      const c = signedBy('Client Only CA', 'ca-eku-client');
      const [f] = check(bundle(c, [c, root], [root]));
      expect(lines([f])).toEqual([
        'IMC019 error ca-cert.pem: "CN=Client Only CA" has extendedKeyUsage clientAuth, without serverAuth: istiod verifies the bundle for serverAuth at start-up and refuses it',
      ]);
      expect(f.fix).toBe('issue CA certificates without an extendedKeyUsage extension (a CA needs none), or with extendedKeyUsage=serverAuth,clientAuth');
    });
    it('29. ca-cert for serverAuth only: sidecars refuse the workload certificates as client certificates', () => {
      const c = signedBy('Server Only CA', 'ca-eku-server');
      expect(lines(check(bundle(c, [c, root], [root])))).toEqual([
        'IMC019 error ca-cert.pem: "CN=Server Only CA" has extendedKeyUsage serverAuth, without clientAuth: sidecars refuse every workload certificate under it as a client certificate',
      ]);
    });
    it('30. an intermediate for anyExtendedKeyUsage: istiod accepts it, Envoy does not', () => {
      const i = signedBy('Any Intermediate', 'ca-eku-any');
      const c = signedBy('Cluster CA', 'ca', i);
      expect(lines(check(bundle(c, [c, i, root], [root])))).toEqual([
        'IMC019 error cert-chain.pem: certificate #2 "CN=Any Intermediate" has extendedKeyUsage anyExtendedKeyUsage, without serverAuth or clientAuth: '
          + 'sidecars refuse every workload certificate under it as a client certificate; sidecars refuse every workload certificate under it as a '
          + 'server certificate (Envoy does not count anyExtendedKeyUsage)',
      ]);
    });
    it('31. a root for codeSigning, and ca-cert judged alone when the chain is broken', () => {
      const codeRoot = pki.cert('Code Root', { start: '2020-01-01', end: '2099-12-31', ext: 'ca-eku-codesign' });
      const c = signedBy('Cluster CA', 'ca', codeRoot);
      expect(lines(check(bundle(c, [c, codeRoot], [codeRoot])))).toEqual([
        'IMC019 error root-cert.pem: certificate #1 "CN=Code Root" has extendedKeyUsage codeSigning, without serverAuth: istiod verifies the bundle for serverAuth at start-up and refuses it',
      ]);
      const lost = signedBy('Lost CA', 'ca-eku-codesign', int1);
      expect(lines(check(bundle(lost, [lost], [root])))).toEqual([
        'IMC019 error ca-cert.pem: "CN=Lost CA" has extendedKeyUsage codeSigning, without serverAuth or clientAuth: istiod verifies the bundle for '
          + 'serverAuth at start-up and refuses it; sidecars refuse every workload certificate under it as a client certificate',
        'IMC012 error cert-chain.pem: ca-cert.pem "CN=Lost CA" is issued by "CN=Acme Intermediate CA", which is in neither cert-chain.pem nor root-cert.pem',
      ]);
    });
  });

  describe('ca-key.pem read as istiod reads it (IMC020, IMC004)', () => {
    it('Compliance: text before the key is not a block', () => {
      expect(check({ ...valid, caKey: `Bag Attributes\n    localKeyID: 01\n${ca.key.pem}` })).toEqual([]);
    });
    it('32. EC PARAMETERS before the key, as openssl ecparam -genkey writes it', () => {
      const key = pki.ecKeyWithParameters();
      const c = pki.cert('Ecparam CA', { start: '2020-01-01', end: '2097-12-31', issuer: root, key });
      const [f] = check(bundle(c, [c, root], [root], key));
      expect(lines([f])).toEqual([
        'IMC020 error ca-key.pem: block #1 is of type "EC PARAMETERS", not the private key (block #2); istiod reads only the first block',
      ]);
      expect(f.fix).toBe('keep only the private key in ca-key.pem (openssl pkey -in ca-key.pem -out ca-key.pem drops the rest)');
      expect(check(bundle(c, [c, root], [root], key))).toHaveLength(1);
    });
    it('33. the certificate before the key (a combined PEM), and a public key first', () => {
      expect(lines(check({ ...valid, caKey: ca.pem + ca.key.pem }))).toEqual([
        'IMC020 error ca-key.pem: block #1 is of type "CERTIFICATE", not the private key (block #2); istiod reads only the first block',
      ]);
      const publicKey = pki.publicKeyOf(ca.key);
      expect(lines(check({ ...valid, caKey: publicKey + ca.key.pem }))).toEqual([
        'IMC020 error ca-key.pem: block #1 is a public key, not the private key (block #2); istiod reads only the first block',
      ]);
    });
    it('34. a private key block type istiod does not decode', () => {
      const relabelled = ca.key.pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '-----$1 DSA PRIVATE KEY-----');
      expect(lines(check({ ...valid, caKey: relabelled }))).toEqual([
        'IMC004 error ca-key.pem: the private key is in a PEM block type istiod does not read; it reads SEC1 EC, PKCS#1 RSA and unencrypted PKCS#8 keys',
      ]);
    });
  });

  describe('sizes a Secret can hold (IMC021)', () => {
    it('Compliance: a bundle just under 1 MiB in all', () => {
      const pad = (n: number) => '#'.repeat(n - 1) + '\n';
      const used = Buffer.byteLength(valid.caCert + valid.caKey + valid.certChain + valid.rootCert);
      expect(check({ ...valid, rootCert: valid.rootCert + pad(CACERTS_MAX_BYTES - used) })).toEqual([]);
    });
    it('35. one file over 1 MiB is reported and not read', () => {
      const huge = Array.from({ length: Math.ceil((CACERTS_MAX_BYTES + 1) / root.pem.length) }, () => root.pem).join('');
      expect(lines(check({ ...valid, rootCert: huge }))).toEqual([
        `IMC021 error root-cert.pem: is ${huge.length} bytes, more than the 1048576 bytes (1 MiB) a Kubernetes Secret holds; it was not read`,
      ]);
      // A caller that read the file gives its size and need not pass its text.
      expect(lines(preflightCa({ ...valid, caKey: '' }, { now: NOW, fileSizes: { 'ca-key.pem': 5_000_000 } }))).toEqual([
        'IMC021 error ca-key.pem: is 5000000 bytes, more than the 1048576 bytes (1 MiB) a Kubernetes Secret holds; it was not read',
      ]);
    });
    it('36. four files over 1 MiB together, reported on the largest', () => {
      const pad = (n: number) => '#'.repeat(n - 1) + '\n';
      const b = { ...valid, certChain: valid.certChain + pad(600_000), rootCert: valid.rootCert + pad(500_000) };
      const total = Buffer.byteLength(b.caCert + b.caKey + b.certChain + b.rootCert);
      expect(lines(check(b))).toEqual([
        `IMC021 error cert-chain.pem: the four files hold ${total} bytes together (this one ${Buffer.byteLength(b.certChain)}), more than the 1048576 bytes (1 MiB) a Kubernetes Secret holds`,
      ]);
    });
  });

  it('never puts key material in a message or fix', () => {
    const keyBodies = [ca.key.pem, int1.key.pem, root.key.pem].map((k) => k.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''));
    const scenarios: CaBundlePem[] = [
      bundle(ca, [ca, int1, root], [root], pki.key('rsa')),
      bundle(ca, [ca, int1, root], [root], int1.key),
      { ...valid, caKey: ca.key.pem + int1.key.pem },
      { ...valid, certChain: ca.key.pem + root.key.pem, rootCert: int1.key.pem },
      { ...valid, caCert: ca.key.pem },
      { ...valid, caKey: pki.encrypt(ca.key, 'pkcs8') },
      { ...valid, caKey: ca.key.pem.replace(/A/g, 'B') },
      { ...valid, caKey: ca.pem + ca.key.pem },
      { ...valid, caKey: ca.key.pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '-----$1 DSA PRIVATE KEY-----') },
    ];
    let count = 0;
    for (const s of scenarios) {
      for (const f of check(s)) {
        count++;
        const text = formatCertificateFinding(f) + JSON.stringify(f);
        expect(text).not.toContain('PRIVATE KEY');
        expect(text).not.toContain('-----BEGIN');
        for (const body of keyBodies) {
          for (let i = 0; i + 24 <= body.length; i += 24) expect(text).not.toContain(body.slice(i, i + 24));
        }
      }
    }
    expect(count).toBeGreaterThanOrEqual(scenarios.length);
  });

  it('formats a finding on one line with its fix', () => {
    const [f] = check(bundle(ca, [ca], [root]));
    expect(formatCertificateFinding(f)).toBe(
      'IMC012 cert-chain.pem: ca-cert.pem "CN=Acme Cluster CA" is issued by "CN=Acme Intermediate CA", which is in neither cert-chain.pem nor root-cert.pem. '
      + 'Fix: add the missing issuer to cert-chain.pem (and its root to root-cert.pem), so that ca-cert.pem chains up to root-cert.pem',
    );
  });

  it('documents every code it can emit, with category certificates', () => {
    const codes = CERTIFICATE_RULES.map((r) => r.code);
    expect(codes).toEqual(Array.from({ length: 21 }, (_, i) => `IMC${String(i + 1).padStart(3, '0')}`));
    for (const r of CERTIFICATE_RULES) {
      expect(r.category).toBe('certificates');
      expect(r.title.length).toBeGreaterThan(5);
      expect(r.explanation.length).toBeGreaterThan(40);
    }
    expect(CERTIFICATE_RULES.find((r) => r.code === 'IMC009')?.severity).toBe('warning');
  });
});
