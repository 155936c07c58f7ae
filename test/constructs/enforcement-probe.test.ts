import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnforcementProbe, EnforcementProbeProps, MTLS_PROBE_EXIT, PLAINTEXT_PROBE_EXIT } from '../../src/constructs/enforcement-probe';

const BASE: EnforcementProbeProps = { host: 'my-service.production.svc.cluster.local', plaintextNamespace: 'mtls-probe', meshNamespace: 'production' };

function synth(props: Partial<EnforcementProbeProps> = {}) {
  const chart = Testing.chart();
  const probe = new EnforcementProbe(chart, 'Probe', { ...BASE, ...props });
  return { probe, manifests: Testing.synth(chart) };
}

const SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 100,
  runAsGroup: 101,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

describe('EnforcementProbe', () => {
  it('emits the plaintext Job outside the mesh and the mTLS Job inside it', () => {
    const { manifests, probe } = synth();
    expect(probe.url).toBe('http://my-service.production.svc.cluster.local:80/');
    expect(probe.node.defaultChild).toBe(probe.plaintextJob);
    const [plain, mtls] = manifests;
    expect(plain.apiVersion).toBe('batch/v1');
    expect(plain.kind).toBe('Job');
    expect(plain.metadata).toEqual({
      name: 'mtls-enforcement-probe-plaintext',
      namespace: 'mtls-probe',
      labels: { 'app.kubernetes.io/name': 'mtls-enforcement-probe', 'app.kubernetes.io/component': 'plaintext' },
    });
    expect(plain.spec.backoffLimit).toBe(0);
    expect(plain.spec.ttlSecondsAfterFinished).toBe(600);
    expect(plain.spec.activeDeadlineSeconds).toBe(5 * (10 + 5) + 120);
    expect(plain.spec.template.metadata).toEqual({
      labels: { 'app.kubernetes.io/name': 'mtls-enforcement-probe', 'app.kubernetes.io/component': 'plaintext', 'sidecar.istio.io/inject': 'false' },
    });
    const pod = plain.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers).toHaveLength(1);
    const [c] = pod.containers;
    expect(c.image).toBe('curlimages/curl:8.10.1');
    expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.env).toEqual([
      { name: 'TARGET_URL', value: 'http://my-service.production.svc.cluster.local:80/' },
      { name: 'ATTEMPTS', value: '5' },
      { name: 'RETRY_DELAY', value: '5' },
      { name: 'CONNECT_TIMEOUT', value: '5' },
      { name: 'MAX_TIME', value: '10' },
    ]);
    expect(c.securityContext).toEqual(SECURITY_CONTEXT);
    expect(c.resources).toEqual({ requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } });

    expect(mtls.metadata).toEqual({
      name: 'mtls-enforcement-probe-mtls',
      namespace: 'production',
      labels: { 'app.kubernetes.io/name': 'mtls-enforcement-probe', 'app.kubernetes.io/component': 'mtls' },
    });
    expect(mtls.spec.template.metadata).toEqual({
      labels: { 'app.kubernetes.io/name': 'mtls-enforcement-probe', 'app.kubernetes.io/component': 'mtls', 'sidecar.istio.io/inject': 'true' },
      annotations: { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}' },
    });
    expect(mtls.spec.template.spec.automountServiceAccountToken).toBeUndefined();
    expect(mtls.spec.template.spec.containers[0].securityContext).toEqual(SECURITY_CONTEXT);
    expect(mtls.spec.template.spec.securityContext).toBeUndefined(); // istio-init runs as root
  });

  it('takes the options and emits only the plaintext Job without meshNamespace', () => {
    const { manifests, probe } = synth({
      meshNamespace: undefined,
      port: 8080,
      path: '/healthz?probe=1',
      name: 'payments-probe',
      image: 'registry.local/curl:8',
      attempts: 3,
      retryDelaySeconds: 2,
      connectTimeoutSeconds: 3,
      maxTimeSeconds: 4,
      ttlSecondsAfterFinished: 0,
    });
    expect(probe.mtlsJob).toBeUndefined();
    expect(manifests).toHaveLength(1);
    const [job] = manifests;
    expect(job.metadata.name).toBe('payments-probe-plaintext');
    expect(job.spec.ttlSecondsAfterFinished).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBe(3 * (4 + 2) + 120);
    const c = job.spec.template.spec.containers[0];
    expect(c.image).toBe('registry.local/curl:8');
    expect(c.env.map((e: { value: string }) => e.value)).toEqual(['http://my-service.production.svc.cluster.local:8080/healthz?probe=1', '3', '2', '3', '4']);
  });

  it('synthesizes byte-identical output', () => {
    expect(JSON.stringify(synth().manifests)).toBe(JSON.stringify(synth().manifests));
  });

  describe('fails early on bad props', () => {
    const cases: Array<[string, Partial<EnforcementProbeProps>, string]> = [
      ['a host with a scheme', { host: 'http://svc' }, '[EnforcementProbe] \'host\' must be a DNS-1123 subdomain, got "http://svc"'],
      ['a port out of range', { port: 70000 }, '[EnforcementProbe] \'port\' must be an integer port number between 1 and 65535, got 70000'],
      ['a path without a slash', { path: 'healthz' }, '[EnforcementProbe] \'path\' must start with "/" and use only URL characters (no spaces, quotes or #), got "healthz"'],
      ['a path with a quote', { path: '/a"b' }, '[EnforcementProbe] \'path\' must start with "/" and use only URL characters (no spaces, quotes or #), got "/a\\"b"'],
      ['a bad plaintext namespace', { plaintextNamespace: 'No' }, '[EnforcementProbe] \'plaintextNamespace\' must be a DNS-1123 label, got "No"'],
      ['a bad mesh namespace', { meshNamespace: '' }, '[EnforcementProbe] \'meshNamespace\' must be a DNS-1123 label, got ""'],
      ['a long name', { name: 'a'.repeat(54) }, `[EnforcementProbe] 'name' must be at most 53 characters, so that "${'a'.repeat(54)}-plaintext" is a valid Job name, got "${'a'.repeat(54)}" (54)`],
      ['an image with spaces', { image: 'curl latest' }, '[EnforcementProbe] \'image\' must be an image reference without spaces, got "curl latest"'],
      ['zero attempts', { attempts: 0 }, '[EnforcementProbe] \'attempts\' must be an integer between 1 and 20, got 0'],
      ['a fractional delay', { retryDelaySeconds: 1.5 }, '[EnforcementProbe] \'retryDelaySeconds\' must be an integer between 0 and 60, got 1.5'],
      ['a max time below the connect timeout', { connectTimeoutSeconds: 10, maxTimeSeconds: 5 }, '[EnforcementProbe] \'maxTimeSeconds\' (5) must be at least \'connectTimeoutSeconds\' (10)'],
      ['a negative TTL', { ttlSecondsAfterFinished: -1 }, '[EnforcementProbe] \'ttlSecondsAfterFinished\' must be an integer between 0 and 604800, got -1'],
    ];
    it.each(cases)('fails on %s', (_name, props, message) => {
      expect(() => synth(props)).toThrow(message);
    });
  });

  describe('the scripts, run with a fake curl', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imc-probe-'));
      // Answers request N with the Nth "rc:http_code" of FAKE_OUTCOMES; records quitquitquit calls.
      fs.writeFileSync(path.join(dir, 'curl'), `#!/bin/sh
case "$*" in *quitquitquit*) echo quit >> "$FAKE_STATE.quit"; exit 0 ;; esac
n=$(cat "$FAKE_STATE" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$FAKE_STATE"
outcome=$(echo "$FAKE_OUTCOMES" | cut -d' ' -f"$n")
printf '%s' "\${outcome#*:}"
exit "\${outcome%%:*}"
`, { mode: 0o755 });
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    function runScript(job: 'plaintext' | 'mtls', outcomes: string) {
      const manifests = synth({ retryDelaySeconds: 0, attempts: 3 }).manifests;
      const c = manifests[job === 'plaintext' ? 0 : 1].spec.template.spec.containers[0];
      const state = path.join(dir, `state-${Math.random().toString(36).slice(2)}`);
      const env: Record<string, string> = { PATH: `${dir}:${process.env.PATH}`, FAKE_STATE: state, FAKE_OUTCOMES: outcomes };
      for (const e of c.env) env[e.name] = e.value;
      const r = spawnSync(c.command[0], c.command.slice(1), { env, encoding: 'utf8' });
      const quits = fs.existsSync(`${state}.quit`) ? fs.readFileSync(`${state}.quit`, 'utf8').trim().split('\n').length : 0;
      return { status: r.status, lines: r.stdout.trim().split('\n'), stderr: r.stderr, quits };
    }

    it('plaintext: a reset is ENFORCED (exit 0), after inconclusive attempts', () => {
      const r = runScript('plaintext', '7:000 56:000');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(PLAINTEXT_PROBE_EXIT.enforced);
      expect(r.lines).toEqual([
        'attempt 1/3: plaintext GET http://my-service.production.svc.cluster.local:80/: connection refused (curl exit 7, HTTP 000)',
        'attempt 2/3: plaintext GET http://my-service.production.svc.cluster.local:80/: receive failure: connection reset by peer (curl exit 56, HTTP 000)',
        'RESULT: ENFORCED - plaintext connection reset by the server (curl exit 56)',
      ]);
    });
    it.each(['52:000', '55:000'])('plaintext: %s counts as a reset', (outcome) => {
      expect(runScript('plaintext', outcome).status).toBe(PLAINTEXT_PROBE_EXIT.enforced);
    });
    it('plaintext: any HTTP answer is NOT ENFORCED (exit 1) at once', () => {
      const r = runScript('plaintext', '0:403 56:000');
      expect(r.status).toBe(PLAINTEXT_PROBE_EXIT.notEnforced);
      expect(r.lines.at(-1)).toBe('RESULT: NOT ENFORCED - plaintext request answered with HTTP 403; the server accepts plaintext');
      expect(r.lines).toHaveLength(2);
    });
    it('plaintext: only DNS failures and timeouts are INCONCLUSIVE (exit 2)', () => {
      const r = runScript('plaintext', '6:000 28:000 7:000');
      expect(r.status).toBe(PLAINTEXT_PROBE_EXIT.inconclusive);
      expect(r.lines).toEqual([
        'attempt 1/3: plaintext GET http://my-service.production.svc.cluster.local:80/: could not resolve host (curl exit 6, HTTP 000)',
        'attempt 2/3: plaintext GET http://my-service.production.svc.cluster.local:80/: timed out (curl exit 28, HTTP 000)',
        'attempt 3/3: plaintext GET http://my-service.production.svc.cluster.local:80/: connection refused (curl exit 7, HTTP 000)',
        'RESULT: INCONCLUSIVE - no attempt reached the server\'s proxy (last: connection refused); check the host, port and endpoints',
      ]);
      expect(r.quits).toBe(0);
    });
    it('mtls: an HTTP answer is MTLS OK (exit 0) and stops the sidecar', () => {
      const r = runScript('mtls', '56:000 0:404');
      expect(r.status).toBe(MTLS_PROBE_EXIT.ok);
      expect(r.lines).toEqual([
        'attempt 1/3: GET http://my-service.production.svc.cluster.local:80/ through the sidecar: receive failure: connection reset by peer (curl exit 56, HTTP 000)',
        'attempt 2/3: GET http://my-service.production.svc.cluster.local:80/ through the sidecar: HTTP response (curl exit 0, HTTP 404)',
        'RESULT: MTLS OK - HTTP 404 over Istio mTLS',
      ]);
      expect(r.quits).toBe(1);
    });
    it('mtls: 503 from the client proxy and resets are MTLS FAILED (exit 1), and the sidecar is stopped', () => {
      const r = runScript('mtls', '0:503 56:000 0:503');
      expect(r.status).toBe(MTLS_PROBE_EXIT.failed);
      expect(r.lines.at(-1)).toBe('RESULT: MTLS FAILED - no HTTP answer other than 503 (last: HTTP response, HTTP 503); check that this pod has a sidecar and the server\'s certificates');
      expect(r.quits).toBe(1);
    });
  });
});
