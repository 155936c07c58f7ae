import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaSource, MeshCertificates, MeshCertificatesProps } from '../../src/constructs/mesh-certificates';
import { Cert, NOW, TestPki, validBundle } from '../certificates/pki';

let pki: TestPki;
let root: Cert;
let ca: Cert;
let validDir: string;

beforeAll(() => {
  ({ pki, root, ca, dir: validDir } = validBundle());
});

afterAll(() => pki?.cleanup());

function synth(props: MeshCertificatesProps) {
  const chart = Testing.chart();
  const mc = new MeshCertificates(chart, 'Certs', { clock: () => NOW, ...props });
  return { mc, manifests: Testing.synth(chart) };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('MeshCertificates', () => {
  it('emits the real Istio settings for the guide\'s certificate rotation settings', () => {
    const { manifests, mc } = synth({ workloadCertTtl: '24h', gracePeriodPercentile: 20, maxWorkloadCertTtl: '720h' });
    expect(manifests).toEqual([{
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'istio-control-plane', namespace: 'istio-system' },
      spec: {
        meshConfig: { defaultConfig: { proxyMetadata: { SECRET_GRACE_PERIOD_RATIO: '0.2', SECRET_TTL: '24h' } } },
        values: { pilot: { env: { MAX_WORKLOAD_CERT_TTL: '720h' } } },
      },
    }]);
    expect(mc.warnings).toEqual([]);
    expect(mc.caSecret).toBeUndefined();
  });

  it('emits only the sections that are set, in another namespace and name', () => {
    const { manifests } = synth({ rootNamespace: 'mesh-root', operatorName: 'certs', workloadCertTtl: '12h' });
    expect(manifests).toEqual([{
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'certs', namespace: 'mesh-root' },
      spec: { meshConfig: { defaultConfig: { proxyMetadata: { SECRET_TTL: '12h' } } } },
    }]);
    expect(synth({ maxWorkloadCertTtl: '48h' }).manifests[0].spec).toEqual({ values: { pilot: { env: { MAX_WORKLOAD_CERT_TTL: '48h' } } } });
    expect(synth({}).manifests).toEqual([]);
  });

  it('drops the guide\'s ISTIO_META_CERT_REFRESH_INTERVAL with a warning', () => {
    const { manifests, mc } = synth({ certRefreshInterval: '10m' });
    expect(manifests).toEqual([]);
    const warning = '[MeshCertificates] \'certRefreshInterval\' (10m) is the guide\'s ISTIO_META_CERT_REFRESH_INTERVAL, which Istio does not read; it is not emitted. The agent renews a certificate when its grace period starts: set \'gracePeriodPercentile\' (SECRET_GRACE_PERIOD_RATIO) instead';
    expect(mc.warnings).toEqual([warning]);
    expect(mc.node.metadata.filter((m) => m.type === 'warning').map((m) => m.data)).toEqual([warning]);
  });

  it('emits the cacerts Secret from a directory, byte for byte', () => {
    const { manifests, mc } = synth({ ca: CaSource.fromDirectory(validDir) });
    expect(manifests).toEqual([{
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cacerts', namespace: 'istio-system' },
      type: 'Opaque',
      data: {
        'ca-cert.pem': b64(ca.pem),
        'ca-key.pem': b64(ca.key.pem),
        'cert-chain.pem': b64(ca.pem + root.pem),
        'root-cert.pem': b64(root.pem),
      },
    }]);
    expect(mc.caSecret).toBeDefined();
    expect(mc.warnings).toEqual([]);
  });

  it('takes four file paths or PEM strings, and is deterministic', () => {
    const files = CaSource.fromFiles({
      caCert: path.join(validDir, 'ca-cert.pem'),
      caKey: path.join(validDir, 'ca-key.pem'),
      certChain: path.join(validDir, 'cert-chain.pem'),
      rootCert: path.join(validDir, 'root-cert.pem'),
    });
    const pem = CaSource.fromPem({ caCert: ca.pem, caKey: ca.key.pem, certChain: ca.pem + root.pem, rootCert: root.pem });
    const a = synth({ ca: files, workloadCertTtl: '24h' }).manifests;
    const b = synth({ ca: pem, workloadCertTtl: '24h' }).manifests;
    expect(a).toEqual(b);
    expect(a.map((m) => m.kind)).toEqual(['IstioOperator', 'Secret']);
    expect(JSON.stringify(synth({ ca: pem }).manifests)).toBe(JSON.stringify(synth({ ca: pem }).manifests));
  });

  it('checks without emitting the Secret when emitSecret is false', () => {
    expect(synth({ ca: CaSource.fromDirectory(validDir), emitSecret: false }).manifests).toEqual([]);
  });

  it('reports warning findings of the preflight as warnings', () => {
    const pem = { caCert: ca.pem + root.pem, caKey: ca.key.pem, certChain: ca.pem + root.pem, rootCert: root.pem };
    const { mc } = synth({ ca: CaSource.fromPem(pem) });
    expect(mc.warnings).toEqual([
      '[MeshCertificates] IMC009 ca-cert.pem: holds 2 certificates; istiod signs with the first ("CN=Acme Cluster CA") and ignores the others. Fix: keep only the signing CA certificate in ca-cert.pem and put its issuers in cert-chain.pem',
    ]);
  });

  describe('fails synth on a bad CA, naming the file and the problem', () => {
    it('fails on a mismatched key and an expired root, with the paths the files came from', () => {
      const oldRoot = pki.cert('Old Root CA', { start: '2010-01-01', end: '2021-01-01' });
      const c = pki.cert('Cluster CA', { start: '2020-01-01', end: '2097-12-31', issuer: oldRoot });
      const dir = pki.writeBundle({ caCert: c.pem, caKey: ca.key.pem, certChain: c.pem + oldRoot.pem, rootCert: oldRoot.pem });
      const chart = Testing.chart();
      new MeshCertificates(chart, 'Certs', { ca: CaSource.fromDirectory(dir), clock: () => NOW });
      expect(() => Testing.synth(chart)).toThrow(
        'Validation failed with the following errors:\n'
        + `  [test/Certs] [MeshCertificates] IMC006 ca-key.pem (${path.join(dir, 'ca-key.pem')}): is not the private key of ca-cert.pem "CN=Cluster CA". Fix: use the private key that was generated with ca-cert.pem's certificate request, or re-issue ca-cert.pem for this key\n`
        + `  [test/Certs] [MeshCertificates] IMC014 root-cert.pem (${path.join(dir, 'root-cert.pem')}): certificate #1 "CN=Old Root CA" expired on 2021-01-01T00:00:00Z. Fix: issue a new certificate (and, for a root, distribute the new root to every workload before removing the old one)`,
      );
    });

    it('fails when the workload certificate TTL outlives the CA, using the configured window', () => {
      const shortCa = pki.cert('Short CA', { start: '2020-01-01', end: '2030-06-30', issuer: root });
      const ca2 = CaSource.fromPem({ caCert: shortCa.pem, caKey: shortCa.key.pem, certChain: shortCa.pem + root.pem, rootCert: root.pem });
      const chart = Testing.chart();
      new MeshCertificates(chart, 'Certs', { ca: ca2, workloadCertTtl: '1440h', expiryWindow: '2w', clock: () => NOW });
      expect(() => Testing.synth(chart)).toThrow(
        'Validation failed with the following errors:\n'
        + '  [test/Certs] [MeshCertificates] IMC017 ca-cert.pem: the workload certificate TTL (60 days) is longer than the CA\'s remaining life: "CN=Short CA" expires on 2030-06-30T00:00:00Z, in 29 days. Fix: rotate the CA to a longer-lived one, or shorten the workload certificate TTL below the CA\'s remaining life',
      );
      const ok = Testing.chart();
      new MeshCertificates(ok, 'Certs', { ca: ca2, workloadCertTtl: '24h', expiryWindow: '2w', clock: () => NOW });
      expect(() => Testing.synth(ok)).not.toThrow();
      const defaultWindow = Testing.chart();
      new MeshCertificates(defaultWindow, 'Certs', { ca: ca2, clock: () => NOW });
      expect(() => Testing.synth(defaultWindow)).toThrow('IMC016 ca-cert.pem: "CN=Short CA" expires on 2030-06-30T00:00:00Z, in 29 days, within the expiry window of 30 days');
    });

    it('fails on an encrypted key without echoing it', () => {
      const chart = Testing.chart();
      new MeshCertificates(chart, 'Certs', { ca: CaSource.fromPem({ caCert: ca.pem, caKey: pki.encrypt(ca.key, 'pkcs8'), certChain: ca.pem + root.pem, rootCert: root.pem }), clock: () => NOW });
      let message = '';
      try {
        Testing.synth(chart);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toBe('Validation failed with the following errors:\n'
        + '  [test/Certs] [MeshCertificates] IMC003 ca-key.pem: the private key is encrypted; istiod cannot read an encrypted key. Fix: decrypt it (openssl pkey -in ENCRYPTED-KEY -out ca-key.pem) and protect the Secret instead: encryption at rest, RBAC on istio-system');
      expect(message).not.toContain('PRIVATE KEY');
    });
  });

  describe('fails early on bad props', () => {
    const cases: Array<[string, MeshCertificatesProps, string]> = [
      ['a TTL that is not a Go duration', { workloadCertTtl: '1d' }, '[MeshCertificates] \'workloadCertTtl\' must be a Go duration such as "24h" or "90m", got "1d": time: unknown unit "d" in duration "1d"'],
      ['a TTL below 1h', { workloadCertTtl: '30m' }, '[MeshCertificates] \'workloadCertTtl\' must be between 1h and 2160h (90 days), got "30m"'],
      ['a TTL above 90 days', { workloadCertTtl: '2161h' }, '[MeshCertificates] \'workloadCertTtl\' must be between 1h and 2160h (90 days), got "2161h"'],
      ['a max TTL above a year', { maxWorkloadCertTtl: '8761h' }, '[MeshCertificates] \'maxWorkloadCertTtl\' must be between 1h and 8760h (365 days), got "8761h"'],
      ['a TTL above the max', { workloadCertTtl: '48h', maxWorkloadCertTtl: '24h' }, '[MeshCertificates] \'workloadCertTtl\' (48h) exceeds \'maxWorkloadCertTtl\' (24h): istiod would refuse every certificate request; raise \'maxWorkloadCertTtl\' or shorten \'workloadCertTtl\''],
      ['a max below the default TTL', { maxWorkloadCertTtl: '12h' }, '[MeshCertificates] \'workloadCertTtl\' (24h, the default) exceeds \'maxWorkloadCertTtl\' (12h): istiod would refuse every certificate request; raise \'maxWorkloadCertTtl\' or shorten \'workloadCertTtl\''],
      ['a percentile of 0', { gracePeriodPercentile: 0 }, '[MeshCertificates] \'gracePeriodPercentile\' must be an integer between 1 and 99, got 0'],
      ['a fractional percentile', { gracePeriodPercentile: 0.2 }, '[MeshCertificates] \'gracePeriodPercentile\' must be an integer between 1 and 99, got 0.2'],
      ['a percentile of 100', { gracePeriodPercentile: 100 }, '[MeshCertificates] \'gracePeriodPercentile\' must be an integer between 1 and 99, got 100'],
      ['a bad refresh interval', { certRefreshInterval: 'ten minutes' }, '[MeshCertificates] \'certRefreshInterval\' must be a Go duration such as "24h" or "90m", got "ten minutes": time: invalid duration "ten minutes"'],
      ['a bad window', { expiryWindow: '30 days' }, '[MeshCertificates] \'expiryWindow\' must be a duration such as "30d", "2w" or "720h", got "30 days": unknown unit " days" in duration "30 days"'],
      ['a bad root namespace', { rootNamespace: 'Istio_System' }, '[MeshCertificates] \'rootNamespace\' must be a DNS-1123 label, got "Istio_System"'],
      ['emitSecret without ca', { emitSecret: false }, '[MeshCertificates] \'emitSecret: false\' only makes sense with \'ca\': there is no Secret to leave out'],
    ];
    it.each(cases)('fails on %s', (_name, props, message) => {
      expect(() => new MeshCertificates(Testing.chart(), 'Certs', props)).toThrow(message);
    });

    it('fails on an unreadable file, naming it', () => {
      const empty = fs.mkdtempSync(path.join(pki.dir, 'empty-'));
      expect(() => new MeshCertificates(Testing.chart(), 'Certs', { ca: CaSource.fromDirectory(empty) })).toThrow(
        `[MeshCertificates] 'ca' file ${JSON.stringify(path.join(empty, 'ca-cert.pem'))} for ca-cert.pem cannot be read (ENOENT)`,
      );
    });

    it('fails on bad sources', () => {
      expect(() => CaSource.fromDirectory('')).toThrow('[MeshCertificates] \'ca\' directory must be a non-empty path, got ""');
      expect(() => CaSource.fromFiles({ caCert: 'a', caKey: '', certChain: 'c', rootCert: 'd' })).toThrow('[MeshCertificates] \'ca\' file for ca-key.pem (\'caKey\') must be a non-empty path, got ""');
      expect(() => CaSource.fromPem({ caCert: 'a', caKey: 'b', certChain: 'c' } as never)).toThrow('[MeshCertificates] \'ca\' PEM for root-cert.pem (\'rootCert\') must be a string, got undefined');
    });
  });
});
