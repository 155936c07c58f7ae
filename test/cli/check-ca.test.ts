import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheckCa } from '../../src/cli/check-ca';
import { Cert, NOW, TestPki, validBundle } from '../certificates/pki';

let pki: TestPki;
let root: Cert;
let ca: Cert;
let validDir: string;

beforeAll(() => {
  ({ pki, root, ca, dir: validDir } = validBundle());
});

afterAll(() => pki?.cleanup());

function run(args: string[], clock: () => Date = () => NOW) {
  let stdout = '';
  let stderr = '';
  const code = runCheckCa(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } }, { clock });
  return { code, stdout, stderr };
}

describe('istio-mtls check-ca', () => {
  it('exits 0 on a sound bundle (with the system clock too)', () => {
    expect(run([validDir])).toEqual({ code: 0, stdout: `${validDir}: no problems found\n`, stderr: '' });
    expect(run([validDir], () => new Date()).code).toBe(0);
  });

  it('fails with 1 and prints each finding with its fix', () => {
    const soon = pki.cert('Soon Expiring CA', { start: '2020-01-01', end: '2030-06-11', issuer: root });
    const dir = pki.writeBundle({ caCert: soon.pem, caKey: ca.key.pem, certChain: soon.pem + root.pem, rootCert: root.pem });
    const r = run([dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      'IMC016 error ca-cert.pem: "CN=Soon Expiring CA" expires on 2030-06-11T00:00:00Z, in 10 days, within the expiry window of 30 days',
      '  fix: rotate it now: issue a new certificate and roll it out while the old one is still valid',
      'IMC006 error ca-key.pem: is not the private key of ca-cert.pem "CN=Soon Expiring CA"',
      '  fix: use the private key that was generated with ca-cert.pem\'s certificate request, or re-issue ca-cert.pem for this key',
      `${dir}: 2 errors, 0 warnings`,
      '',
    ].join('\n'));
    // a shorter window leaves only the key problem
    expect(run([dir, '--window', '7d']).stdout).not.toContain('IMC016');
  });

  it('checks the workload certificate TTL against the CA\'s remaining life', () => {
    const soon = pki.cert('Soon Expiring CA', { start: '2020-01-01', end: '2030-06-11', issuer: root });
    const dir = pki.writeBundle({ caCert: soon.pem, caKey: soon.key.pem, certChain: soon.pem + root.pem, rootCert: root.pem });
    const r = run([dir, '--window', '1d', '--workload-cert-ttl', '720h']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      'IMC017 error ca-cert.pem: the workload certificate TTL (30 days) is longer than the CA\'s remaining life: "CN=Soon Expiring CA" expires on 2030-06-11T00:00:00Z, in 10 days',
    );
    expect(run([dir, '--window', '1d']).code).toBe(0); // the default TTL, 24h, fits
  });

  it('exits 0 with warnings only', () => {
    const dir = pki.writeBundle({ caCert: ca.pem + root.pem, caKey: ca.key.pem, certChain: ca.pem + root.pem, rootCert: root.pem });
    const r = run([dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('IMC009 warning ca-cert.pem: holds 2 certificates;');
    expect(r.stdout).toContain(`${dir}: 0 errors, 1 warning\n`);
  });

  it('prints JSON findings', () => {
    const dir = pki.writeBundle({ caCert: ca.pem, caKey: ca.key.pem, certChain: ca.pem, rootCert: pki.cert('Other Root', { start: '2020-01-01', end: '2099-01-01' }).pem });
    const r = run(['--format', 'json', dir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      directory: dir,
      errors: 1,
      warnings: 0,
      findings: [{
        code: 'IMC012',
        severity: 'error',
        file: 'cert-chain.pem',
        message: 'ca-cert.pem "CN=Acme Cluster CA" is issued by "CN=Acme Root CA", which is in neither cert-chain.pem nor root-cert.pem',
        fix: 'add the missing issuer to cert-chain.pem (and its root to root-cert.pem), so that ca-cert.pem chains up to root-cert.pem',
      }],
    });
  });

  it('never prints key material', () => {
    const encrypted = pki.encrypt(ca.key, 'pkcs8');
    const dir = pki.writeBundle({ caCert: ca.pem, caKey: encrypted, certChain: ca.key.pem, rootCert: root.key.pem });
    for (const format of ['text', 'json']) {
      const r = run([dir, '--format', format]);
      expect(r.code).toBe(1);
      const all = r.stdout + r.stderr;
      expect(all).toContain('IMC003');
      expect(all).not.toContain('PRIVATE KEY');
      const body = ca.key.pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
      expect(all).not.toContain(body.slice(10, 40));
    }
  });

  describe('what istiod or a handshake would refuse', () => {
    it('fails with 1 on a ca-key.pem that starts with EC PARAMETERS (IMC020)', () => {
      const key = pki.ecKeyWithParameters();
      const c = pki.cert('Ecparam CA', { start: '2020-01-01', end: '2097-12-31', issuer: root, key });
      const dir = pki.writeBundle({ caCert: c.pem, caKey: key.pem, certChain: c.pem + root.pem, rootCert: root.pem });
      expect(run([dir])).toEqual({
        code: 1,
        stderr: '',
        stdout: 'IMC020 error ca-key.pem: block #1 is of type "EC PARAMETERS", not the private key (block #2); istiod reads only the first block\n'
          + '  fix: keep only the private key in ca-key.pem (openssl pkey -in ca-key.pem -out ca-key.pem drops the rest)\n'
          + `${dir}: 1 error, 0 warnings\n`,
      });
    });
    it('fails with 1 on a file over 1 MiB, read no further than the limit (IMC021)', () => {
      const dir = pki.writeBundle({ caCert: ca.pem, caKey: ca.key.pem, certChain: ca.pem + root.pem, rootCert: root.pem });
      fs.truncateSync(path.join(dir, 'root-cert.pem'), 3 * 1024 * 1024); // sparse: grows the file without writing it
      const r = run([dir, '--format', 'json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).findings).toEqual([{
        code: 'IMC021',
        severity: 'error',
        file: 'root-cert.pem',
        message: 'is 3145728 bytes, more than the 1048576 bytes (1 MiB) a Kubernetes Secret holds; it was not read',
        fix: 'check the path: a cacerts file holds a few certificates or one key, a few kilobytes',
      }]);
    });
  });

  describe('unusable input exits 2 with one line', () => {
    it('refuses a FIFO, a device and a directory where a file belongs, without waiting on them', () => {
      const dir = pki.writeBundle({ caCert: ca.pem, caKey: ca.key.pem, certChain: ca.pem + root.pem, rootCert: root.pem });
      for (const f of ['ca-key.pem', 'cert-chain.pem', 'root-cert.pem']) fs.rmSync(path.join(dir, f));
      execFileSync('mkfifo', [path.join(dir, 'ca-key.pem')]);
      fs.symlinkSync('/dev/zero', path.join(dir, 'cert-chain.pem'));
      fs.mkdirSync(path.join(dir, 'root-cert.pem'));
      expect(run([dir])).toEqual({
        code: 2,
        stdout: '',
        stderr: `istio-mtls check-ca: "${dir}" holds ca-key.pem (a FIFO), cert-chain.pem (a character device), root-cert.pem (a directory) `
          + 'where a regular file belongs; check-ca reads only regular files\n',
      });
    });

    it('fails on a missing directory, a file instead of a directory, missing files', () => {
      const missing = path.join(pki.dir, 'nope');
      expect(run([missing])).toEqual({ code: 2, stdout: '', stderr: `istio-mtls check-ca: "${missing}" does not exist\n` });
      const file = path.join(validDir, 'ca-cert.pem');
      expect(run([file])).toEqual({ code: 2, stdout: '', stderr: `istio-mtls check-ca: "${file}" is not a directory\n` });
      const partial = fs.mkdtempSync(path.join(pki.dir, 'partial-'));
      fs.copyFileSync(path.join(validDir, 'ca-cert.pem'), path.join(partial, 'ca-cert.pem'));
      fs.copyFileSync(path.join(validDir, 'cert-chain.pem'), path.join(partial, 'cert-chain.pem'));
      expect(run([partial])).toEqual({
        code: 2,
        stdout: '',
        stderr: `istio-mtls check-ca: "${partial}" lacks ca-key.pem, root-cert.pem; a cacerts directory holds ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem\n`,
      });
    });
    it('fails on usage mistakes', () => {
      expect(run([])).toEqual({ code: 2, stdout: '', stderr: 'istio-mtls check-ca: give exactly one directory holding ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem; got 0\n' });
      expect(run([validDir, validDir]).stderr).toBe('istio-mtls check-ca: give exactly one directory holding ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem; got 2\n');
      expect(run([validDir, '--format', 'yaml'])).toEqual({ code: 2, stdout: '', stderr: 'istio-mtls check-ca: --format must be text or json, got "yaml"\n' });
      expect(run([validDir, '--window', '30 days']).stderr).toBe('istio-mtls check-ca: --window must be a duration such as 30d or 720h, got "30 days": unknown unit " days" in duration "30 days"\n');
      expect(run([validDir, '--workload-cert-ttl', '1d']).stderr).toBe('istio-mtls check-ca: --workload-cert-ttl must be a positive Go duration such as 24h, got "1d"\n');
      const unknown = run([validDir, '--bogus']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/^istio-mtls check-ca: Unknown option '--bogus'.* \(see istio-mtls check-ca --help\)\n$/);
      expect(unknown.stderr.split('\n')).toHaveLength(2);
    });
    it('prints help', () => {
      const r = run(['--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: istio-mtls check-ca DIR/);
    });
  });
});
