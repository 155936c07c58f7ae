import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support';
import { MAX_FILE_BYTES } from '../../src/cli/read-inputs';
import { CaSource, MeshCertificates } from '../../src/constructs/mesh-certificates';
import { readAtMost, readRegularFile, RefusedFile } from '../../src/files/open-file';
import { validBundle } from '../certificates/pki';

/*
 * Input that could hang the CLI or exhaust its memory: FIFOs (they wait for a
 * writer), devices and endless pipes (they never end), files past the cap.
 * Anything that could hang runs in a child process with a generous guard, so
 * a regression fails the test instead of hanging the run; nothing asserts how
 * fast it ends (the machine is shared).
 */

const ENTRY = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
/** Kills a hung child: far above the few seconds a run takes, even on a loaded machine. */
const HANG_GUARD_MS = 120_000;
const ALLOWED = 'give regular files, directories (searched for *.yaml, *.yml, *.json) or - for standard input';
const CAP = `the ${MAX_FILE_BYTES}-byte (64 MiB) limit of one input`;
const PEER_AUTHENTICATION = 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec: {mtls: {mode: STRICT}}\n';

let dir: string;
let fifo: string;
let deviceLink: string;
let manifest: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'special-files-'));
  fifo = path.join(dir, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  deviceLink = path.join(dir, 'zero.yaml');
  fs.symlinkSync('/dev/zero', deviceLink);
  manifest = path.join(dir, 'ok.yaml');
  fs.writeFileSync(manifest, PEER_AUTHENTICATION);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The real command in a child process, killed if it hangs; `shell` wraps it (e.g. `yes | CLI`). */
function real(args: string[], shell?: (command: string) => string) {
  const command = [process.execPath, '--import', 'tsx', ENTRY, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const res = spawnSync('bash', ['-c', shell ? shell(command) : `${command} </dev/null`], { encoding: 'utf8', timeout: HANG_GUARD_MS });
  expect(res.error, 'the command hung (killed after the guard)').toBeUndefined();
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** The arguments of each input-reading command around its operands. */
const COMMANDS: [string, (operands: string[]) => string[]][] = [
  ['lint', (o) => ['lint', ...o]],
  ['explain', (o) => ['explain', ...o]],
  ['plan', (o) => ['plan', '--namespaces', 'shop', ...o]],
];

describe.each(COMMANDS)('%s refuses special files with exit 2 and one line each', (_name, argv) => {
  it('a FIFO (which would wait for a writer), without waiting', () => {
    const res = real(argv([fifo, manifest]));
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`${fifo}:1:1: is a FIFO, not a regular file; ${ALLOWED}\n`);
  });

  it('a character device and a symlink to one (which never end)', () => {
    const res = real(argv(['/dev/zero', deviceLink, manifest]));
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`/dev/zero:1:1: is a character device, not a regular file; ${ALLOWED}\n`
      + `${deviceLink}:1:1: is a character device, not a regular file; ${ALLOWED}\n`);
  });

  it('endless standard input (a child writing forever), stopped at the cap', () => {
    // `yes` writes until the pipe closes; the status of the CLI is the pipeline's (pipefail would report yes's SIGPIPE).
    const res = real(argv(['-']), (command) => `yes 'a: 1' | ${command}`);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`-:1:1: standard input holds more than ${CAP}; reading stopped there\n`);
  });
});

describe('special files met while walking a directory', () => {
  it('are refused like operands; the regular files beside them are read', () => {
    const walked = fs.mkdtempSync(path.join(dir, 'walk-'));
    execFileSync('mkfifo', [path.join(walked, 'b-fifo.yaml')]);
    fs.symlinkSync('/dev/null', path.join(walked, 'c-null.yml'));
    fs.writeFileSync(path.join(walked, 'a.yaml'), PEER_AUTHENTICATION);
    const res = real(['lint', '--format', 'json', walked]);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`${walked}/b-fifo.yaml:1:1: is a FIFO, not a regular file; ${ALLOWED}\n`
      + `${walked}/c-null.yml:1:1: is a character device, not a regular file; ${ALLOWED}\n`);
    expect(JSON.parse(res.stdout).summary.resources).toBe(1);
  });

  it('a socket is refused too', async () => {
    const socket = path.join(dir, 'socket.yaml');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(cli(['lint', socket])).toMatchObject({ code: 2, stderr: `${socket}:1:1: is a socket, not a regular file; ${ALLOWED}\n` });
    } finally {
      server.close();
    }
  });
});

describe('the size cap', () => {
  it('holds for /dev/zero as standard input, which reads no further than the cap', () => {
    // Memory stays near the cap: the chunks read so far, never the 3 GiB an unbounded read reached.
    const probe = `const { run } = require(${JSON.stringify(ENTRY)});
      const code = run(['lint', '-'], { stdout: () => {}, stderr: (s) => process.stderr.write(s) });
      process.stdout.write(JSON.stringify({ code, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));`;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], {
      encoding: 'utf8', timeout: HANG_GUARD_MS, stdio: [fs.openSync('/dev/zero', 'r'), 'pipe', 'pipe'],
    });
    expect(res.error, 'the command hung (killed after the guard)').toBeUndefined();
    expect(res.stderr).toBe(`-:1:1: standard input holds more than ${CAP}; reading stopped there\n`);
    const { code, maxRssBytes } = JSON.parse(res.stdout);
    expect(code).toBe(2);
    expect(maxRssBytes).toBeLessThan(1024 * 1024 * 1024);
  });

  it('refuses a file one byte over the cap without reading it; the other operands are still read', () => {
    const big = path.join(dir, 'big.json');
    // Sparse: the size without the disk space.
    fs.writeFileSync(big, '');
    fs.truncateSync(big, MAX_FILE_BYTES + 1);
    const res = cli(['lint', '--format', 'json', big, manifest]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`${big}:1:1: is ${MAX_FILE_BYTES + 1} bytes, more than ${CAP}; it was not read\n`);
    expect(JSON.parse(res.stdout).summary.resources).toBe(1);
  });

  it('reads a file of exactly the cap (a 60 MB one-line JSON dump fits)', () => {
    const exact = path.join(dir, 'exact.json');
    fs.writeFileSync(exact, '');
    fs.truncateSync(exact, MAX_FILE_BYTES);
    expect(readRegularFile(exact, MAX_FILE_BYTES).length).toBe(MAX_FILE_BYTES);
    expect(MAX_FILE_BYTES).toBeGreaterThan(60_000_000);
  });

  it('reads a stream in growing chunks up to its end, and stops one byte past the cap', () => {
    const fd = fs.openSync('/dev/zero', 'r');
    try {
      expect(readAtMost(fd, 1_000_000)).toBeUndefined();
    } finally {
      fs.closeSync(fd);
    }
    const text = path.join(dir, 'text.yaml');
    const content = Buffer.from('x'.repeat(300_000));
    fs.writeFileSync(text, content);
    const fd2 = fs.openSync(text, 'r');
    try {
      // No size hint: several chunks, joined in order.
      expect(readAtMost(fd2, 300_000)?.equals(content)).toBe(true);
    } finally {
      fs.closeSync(fd2);
    }
  });

  it('holds for --crds, which refuses special files too', () => {
    const res = real(['lint', '--crds', fifo, manifest]);
    expect(res).toEqual({ status: 2, stdout: '', stderr: `istio-mtls: --crds ${fifo} is a FIFO, not a regular file; give the file kubectl get crd -o yaml wrote\n` });
  });

  it('throws RefusedFile naming the kind or the size, never waiting', () => {
    expect(() => readRegularFile(fifo, 10)).toThrow(new RefusedFile('is a FIFO, not a regular file', true));
    expect(() => readRegularFile(manifest, 10)).toThrow(new RefusedFile(
      `is ${PEER_AUTHENTICATION.length} bytes, more than the 10-byte limit of one input; it was not read`, false,
    ));
  });
});

describe('MeshCertificates reads its PEM files as check-ca does', () => {
  it('fails on a FIFO or a device where a PEM file belongs, without waiting, naming the file', () => {
    const { pki, dir: valid } = validBundle();
    try {
      const key = path.join(valid, 'ca-key.pem');
      fs.rmSync(key);
      execFileSync('mkfifo', [key]);
      expect(() => new MeshCertificates(Testing.chart(), 'Certs', { ca: CaSource.fromDirectory(valid) })).toThrow(
        `[MeshCertificates] 'ca' file ${JSON.stringify(key)} for ca-key.pem is a FIFO, not a regular file; give a regular PEM file`,
      );
      const chain = path.join(valid, 'cert-chain.pem');
      expect(() => new MeshCertificates(Testing.chart(), 'Certs', {
        ca: CaSource.fromFiles({ caCert: path.join(valid, 'ca-cert.pem'), caKey: '/dev/zero', certChain: chain, rootCert: path.join(valid, 'root-cert.pem') }),
      })).toThrow('[MeshCertificates] \'ca\' file "/dev/zero" for ca-key.pem is a character device, not a regular file; give a regular PEM file');
    } finally {
      pki.cleanup();
    }
  });

  it('fails on a file over the 1 MiB a Secret holds, without reading it', () => {
    const { pki, dir: valid } = validBundle();
    try {
      const chain = path.join(valid, 'cert-chain.pem');
      fs.truncateSync(chain, 3 * 1024 * 1024);
      expect(() => new MeshCertificates(Testing.chart(), 'Certs', { ca: CaSource.fromDirectory(valid) })).toThrow(
        `[MeshCertificates] 'ca' file ${JSON.stringify(chain)} for cert-chain.pem is 3145728 bytes, `
        + 'more than the 1048576-byte (1 MiB) limit of a Kubernetes Secret; it was not read',
      );
    } finally {
      pki.cleanup();
    }
  });
});
