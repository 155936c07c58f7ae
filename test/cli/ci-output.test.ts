/**
 * The CLI in CI: `lint --format github`, SARIF a code-scanning upload can use,
 * acknowledged findings that report but never fail, stderr one line per
 * problem, and output cut short by its reader (`| head -1`) ending quietly.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, FIXTURES } from './support';

const ENTRY = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
const bad = path.join(FIXTURES, 'bad-mesh.yaml');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-output-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A review date inside the default 365-day horizon, whatever day the test runs. */
function reviewBy(days = 60): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A PeerAuthentication with a typo (IMV204, an error) that its owner acknowledged. */
function acknowledgedTypo(): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: production
  annotations:
    mtls.acknowledge/IMV204: "owner=team-mesh; review-by=${reviewBy()}; reason=fixed by the v2 rollout, ticket MESH-7"
spec:
  mtls:
    mode: STRIC
`;
}

describe('lint --format github', () => {
  it('annotates every finding on its file, line and column, then prints the summary; the exit status is unchanged', () => {
    const rel = path.relative(process.cwd(), bad);
    const r = cli(['lint', '--format', 'github', rel]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    // In file order: each finding one command, then the summary.
    expect(lines.map((l) => /^::(\w+) file=([^,]*),line=(\d+),col=(\d+),title=(\w+)::/.exec(l)?.slice(1).join(' '))).toEqual([
      `notice ${rel} 2 1 IMV303`, `error ${rel} 9 11 IMV204`, `error ${rel} 24 11 IMA010`, undefined,
    ]);
    expect(lines[1]).toMatch(/::PeerAuthentication production\/default: spec\.mtls\.mode: unsupported value "STRIC"; allowed: UNSET, DISABLE, PERMISSIVE, STRICT%0Afix: did you mean STRICT\?/);
    expect(lines[3]).toBe('2 resources, 2 errors, 0 warnings, 1 note');
  });

  it('annotates unreadable input as an error, and still lists it on stderr', () => {
    const broken = path.join(FIXTURES, 'broken.yaml');
    const r = cli(['lint', '--format', 'github', broken]);
    expect(r.code).toBe(2);
    expect(r.stdout.split('\n')[0]).toBe(`::error file=${broken},line=4,col=1,title=unreadable input::`
      + 'YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('lint --format sarif for code scanning', () => {
  it('gives every result a physical location, a fingerprint and a rule with a helpUri; URIs are percent-encoded', () => {
    const sub = path.join(dir, 'mesh #1 100% ü');
    fs.mkdirSync(sub, { recursive: true });
    fs.copyFileSync(bad, path.join(sub, 'bad mesh.yaml'));
    // The same policy without a namespace (Helm output): its analysis finding names the default namespace.
    fs.writeFileSync(path.join(sub, 'no-namespace.yaml'), fs.readFileSync(bad, 'utf8').split('---\n')[1].replace('  namespace: production\n', ''));
    const r = cli(['lint', '--format', 'sarif', path.relative(process.cwd(), sub)]);
    const run = JSON.parse(r.stdout).runs[0];
    const relDir = path.relative(process.cwd(), sub).split(path.sep).map(encodeURIComponent).join('/');
    expect(run.results.length).toBeGreaterThanOrEqual(4);
    for (const result of run.results) {
      const uri: string = result.locations[0].physicalLocation.artifactLocation.uri;
      expect([`${relDir}/bad%20mesh.yaml`, `${relDir}/no-namespace.yaml`]).toContain(uri);
      expect(uri).toContain('mesh%20%231%20100%25%20%C3%BC/');
      expect(result.partialFingerprints['istioMtlsFinding/v1']).toMatch(/^[0-9a-f]{64}$/);
    }
    // The namespace-less policy's principal finding sits on its own file, at the principal.
    const unplaced = run.results.find((x: any) => x.ruleId === 'IMA010' && x.locations[0].physicalLocation.artifactLocation.uri.endsWith('no-namespace.yaml'));
    expect(unplaced.locations[0].physicalLocation.region).toEqual({ startLine: 13, startColumn: 11 });
    for (const rule of run.tool.driver.rules) {
      expect(rule.helpUri).toBe(`https://github.com/cdk8s-istio-mtls/cdk8s-istio-mtls/blob/main/RULES.md#${rule.id.toLowerCase()}`);
    }
    expect(run.tool.driver.informationUri).toBe('https://github.com/cdk8s-istio-mtls/cdk8s-istio-mtls');
  });
});

describe('acknowledged findings', () => {
  it('text marks it, with owner, review date and reason; it never sets exit 1, even with --fail-on warning', () => {
    for (const failOn of ['error', 'warning']) {
      const r = cli(['lint', '--fail-on', failOn, '-'], acknowledgedTypo());
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('-:10:11: acknowledged error IMV204 PeerAuthentication production/default: spec.mtls.mode: unsupported value "STRIC"');
      expect(r.stdout).toContain(`\n  acknowledged by team-mesh, review by ${reviewBy()}: fixed by the v2 rollout, ticket MESH-7\n  fix: did you mean STRICT?`);
      expect(r.stdout).toMatch(/\n1 resource, 0 errors, 0 warnings, 1 note, 1 acknowledged\n$/);
    }
  });

  it('JSON adds the acknowledgment to the finding and counts it apart', () => {
    const json = JSON.parse(cli(['lint', '--format', 'json', '-'], acknowledgedTypo()).stdout);
    expect(json.summary).toEqual({ resources: 1, errors: 0, warnings: 0, acknowledged: 1 });
    expect(json.findings.find((f: { code: string }) => f.code === 'IMV204')).toMatchObject({
      code: 'IMV204', severity: 'error', acknowledged: { owner: 'team-mesh', reviewBy: reviewBy(), reason: 'fixed by the v2 rollout, ticket MESH-7' },
    });
  });

  it('SARIF suppresses it in source with the reason; github makes it a notice', () => {
    const sarif = JSON.parse(cli(['lint', '--format', 'sarif', '-'], acknowledgedTypo()).stdout);
    expect(sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'IMV204').suppressions).toEqual([{
      kind: 'inSource', status: 'accepted', justification: 'fixed by the v2 rollout, ticket MESH-7', properties: { owner: 'team-mesh', reviewBy: reviewBy() },
    }]);
    const github = cli(['lint', '--format', 'github', '-'], acknowledgedTypo());
    expect(github.code).toBe(0);
    expect(github.stdout).toMatch(/^::notice title=IMV204 \(acknowledged\)::PeerAuthentication production\/default: /m);
    expect(github.stdout).not.toMatch(/^::error/m);
  });

  it('an unacknowledged error beside it still fails the run', () => {
    const yaml = acknowledgedTypo() + '---\n' + acknowledgedTypo().replace(/  annotations:\n.*\n/, '').replace('name: default', 'name: other');
    expect(cli(['lint', '-'], yaml).code).toBe(1);
  });
});

describe('stderr: one line per problem', () => {
  it('a file name with a newline and a terminal escape is one visible line', () => {
    const name = path.join(dir, 'evil\nname\u001b[2J.yaml');
    fs.writeFileSync(name, 'a: [\n');
    const r = cli(['lint', name]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0].startsWith(`${dir}/evil\\nname\\u001b[2J.yaml:`)).toBe(true);
    expect(lines[1]).toBe('');
  });

  it('explain, plan and usage errors too', () => {
    expect(cli(['explain', path.join(dir, 'no\nsuch.yaml')]).stderr).toBe(`${dir}/no\\nsuch.yaml:1:1: cannot read: no such file or directory\n`);
    expect(cli(['lint', '--format', 'x\ny', 'f']).stderr).toBe('istio-mtls: lint: --format must be text, json, sarif or github, got "x\\ny"\n');
  });
});

describe('output cut short by its reader', () => {
  /** Runs `istio-mtls ARGS | head -1` in bash; returns what head printed, the CLI's stderr and its exit status. */
  function throughHead(args: string[]): { first: string; stderr: string; status: number } {
    const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const script = `"${process.execPath}" --import tsx "${ENTRY}" ${quoted} 2>"${dir}/stderr" | head -1; echo "\${PIPESTATUS[0]}" >"${dir}/status"`;
    const res = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
    expect(res.error).toBeUndefined();
    return { first: res.stdout, stderr: fs.readFileSync(`${dir}/stderr`, 'utf8'), status: Number(fs.readFileSync(`${dir}/status`, 'utf8')) };
  }

  it('explain … | head -1 ends quietly with the normal status', () => {
    const file = path.join(dir, 'big-mesh.yaml');
    const docs = ['apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n'];
    for (let i = 0; i < 3000; i++) {
      docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${i}, namespace: shop}\nspec: {selector: {matchLabels: {app: a${i}}}, `
        + `template: {metadata: {labels: {app: a${i}}}, spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]}}}\n`);
    }
    fs.writeFileSync(file, docs.join('---\n'));
    // Far more than a pipe holds (64 KiB), so the writer meets a closed pipe.
    expect(cli(['explain', file]).stdout.length).toBeGreaterThan(256 * 1024);
    expect(throughHead(['explain', file])).toEqual({ first: 'namespace shop\n', stderr: '', status: 0 });
  });

  it('lint … | head -1 ends quietly with the normal status (1: errors found)', () => {
    const file = path.join(dir, 'many-typos.yaml');
    const docs: string[] = [];
    for (let i = 0; i < 1000; i++) docs.push(`apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p${i}, namespace: n${i}}\nspec: {mtls: {mode: STRIC}}\n`);
    fs.writeFileSync(file, docs.join('---\n'));
    expect(cli(['lint', file]).stdout.length).toBeGreaterThan(256 * 1024);
    const r = throughHead(['lint', file]);
    expect(r.first).toMatch(/^\S*many-typos\.yaml:1:1: info IMV303 PeerAuthentication n0\/p0: .*\n$/);
    expect(r).toMatchObject({ stderr: '', status: 1 });
  });
});
