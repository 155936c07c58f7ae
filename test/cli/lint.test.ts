import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES } from './support';

const bad = path.join(FIXTURES, 'bad-mesh.yaml');
const clean = path.join(FIXTURES, 'clean-mesh.yaml');
const broken = path.join(FIXTURES, 'broken.yaml');

describe('istio-mtls lint', () => {
  it('exits 0 on a clean mesh', () => {
    const r = cli(['lint', clean]);
    expect(r).toEqual({ code: 0, stdout: '6 resources, 0 errors, 0 warnings\n', stderr: '' });
  });

  it('exits 1 with validation and analysis findings, located at the field', () => {
    const r = cli(['lint', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`${bad}:9:11: error IMV204 PeerAuthentication production/default: spec.mtls.mode: unsupported value "STRIC"; allowed: UNSET, DISABLE, PERMISSIVE, STRICT\n  fix: did you mean STRICT?`);
    expect(r.stdout).toContain(`${bad}:24:11: error IMA010 AuthorizationPolicy production/payment principal "spiffe://cluster.local/ns/production/sa/checkout"`);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('2 resources, 2 errors, 0 warnings, 1 note');
  });

  it('prints the JSON contract, with category next to code and the file as given', () => {
    const rel = path.relative(process.cwd(), bad);
    const r = cli(['lint', '--format', 'json', rel]);
    const json = JSON.parse(r.stdout);
    expect(json.summary).toEqual({ resources: 2, errors: 2, warnings: 0, acknowledged: 0 });
    const ima = json.findings.find((f: any) => f.code === 'IMA010');
    expect(ima).toMatchObject({
      code: 'IMA010',
      category: 'principal-format',
      severity: 'error',
      resource: { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', namespace: 'production', name: 'payment' },
      file: rel,
      path: '/spec/rules/0/from/0/source/principals/0',
      line: 24,
      column: 11,
    });
    expect(Object.keys(json.findings[0]).slice(0, 4)).toEqual(['code', 'category', 'severity', 'message']);
  });

  it('prints SARIF with rule metadata from the catalogue', () => {
    const sarif = JSON.parse(cli(['lint', '--format', 'sarif', bad]).stdout);
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules.map((r: any) => r.id)).toEqual(['IMA010', 'IMV204', 'IMV303']);
    expect(rules[0].properties.category).toBe('principal-format');
    expect(rules[0].fullDescription.text.length).toBeGreaterThan(20);
  });

  it('reads standard input with -', () => {
    const r = cli(['lint', '-'], fs.readFileSync(bad, 'utf8'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('-:9:11: error IMV204');
  });

  it('reads directories recursively, in sorted order, YAML and JSON only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-dir-'));
    fs.mkdirSync(path.join(dir, 'b'));
    fs.copyFileSync(bad, path.join(dir, 'b', 'bad.yml'));
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a manifest: [');
    // cdk8s writes this next to the manifests when a validation plugin runs.
    fs.writeFileSync(path.join(dir, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources: {} }));
    const r = cli(['lint', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('3 resources, 2 errors, 0 warnings, 1 note');
    fs.rmSync(dir, { recursive: true });
  });

  it('exits 2 on an unreadable document but still checks the others', () => {
    const r = cli(['lint', broken, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${broken}:4:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }\n`);
    expect(r.stdout).toContain('error IMV204');
    expect(r.stdout).toContain('1 unreadable document (see stderr)');
  });

  it('exits 2 with one line for a missing file', () => {
    const r = cli(['lint', 'no/such/file.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('no/such/file.yaml:1:1: cannot read: no such file or directory\n');
  });

  it.each([
    [['lint'], 'istio-mtls: lint: give files, directories, or - to read standard input\n'],
    [['lint', '--format', 'xml', 'x'], 'istio-mtls: lint: --format must be text, json, sarif or github, got "xml"\n'],
    [['lint', '--frob', 'x'], "istio-mtls: lint: Unknown option '--frob'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--frob\"\n"],
    [['frob'], 'istio-mtls: unknown command "frob"; expected lint, explain, plan or check-ca (see istio-mtls --help)\n'],
    [['lint', '--crds', 'nope.yaml', 'x'], 'istio-mtls: --crds nope.yaml: cannot read: no such file\n'],
    [['lint', '--root-namespace', 'Istio', 'x'], 'istio-mtls: --root-namespace must be a namespace name (DNS-1123 label), got "Istio"\n'],
    [['lint', '--service-cidrs', '10.96.0.0/12, 10.0.0.0', 'x'], 'istio-mtls: --service-cidrs must be a list of CIDRs such as 10.96.0.0/12; "10.0.0.0" is not one\n'],
    [['lint', '--outbound-traffic-policy', 'deny', 'x'], 'istio-mtls: --outbound-traffic-policy must be ALLOW_ANY or REGISTRY_ONLY, got "deny"\n'],
    [['lint', '--known-revisions', 'canary,', 'x'], 'istio-mtls: --known-revisions must be a list of revision names (label values such as 1-30-3 or default); "" is not one\n'],
    [['lint', '--capture-default', 'statusPort=x', 'x'], 'istio-mtls: --capture-default statusPort must be a port number (1-65535), got "x"\n'],
    [['lint', '--capture-default', 'excludeInboundPorts', 'x'], 'istio-mtls: --capture-default must be NAME=VALUE (e.g. excludeInboundPorts=15021), got "excludeInboundPorts"\n'],
    [['lint', '--sidecar-hbone', '--no-sidecar-hbone', 'x'], 'istio-mtls: --sidecar-hbone and --no-sidecar-hbone contradict each other: give one\n'],
  ])('fails usage %j with exit 2 and one line', (argv, message) => {
    const r = cli(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(message);
    expect(r.stdout).toBe('');
  });

  it('takes principals in a trust-domain alias as the mesh\'s own with --trust-domain-aliases', () => {
    const yaml = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: a}\n'
      + 'spec: {rules: [{from: [{source: {principals: [old.example/ns/b/sa/c]}}]}]}\n';
    const codes = (argv: string[]) => JSON.parse(cli([...argv, '--format', 'json', '-'], yaml).stdout).findings.map((f: { code: string }) => f.code);
    expect(codes(['lint'])).toContain('IMA011');
    expect(codes(['lint', '--trust-domain-aliases', 'old.example, other.example'])).not.toContain('IMA011');
  });

  it('validates against the user\'s CRDs with --crds', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-crds-'));
    // A cluster whose PeerAuthentication CRD has no STRIC-rejecting enum: the schema accepts the typo, and only the CRD given is used.
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'peerauthentications.security.istio.io' },
      spec: {
        group: 'security.istio.io',
        scope: 'Namespaced',
        names: { kind: 'PeerAuthentication', plural: 'peerauthentications', singular: 'peerauthentication', listKind: 'PeerAuthenticationList' },
        versions: [{
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { mtls: { type: 'object', properties: { mode: { type: 'string' } } } } } } } },
        }],
      },
    };
    const crdFile = path.join(dir, 'crds.yaml');
    fs.writeFileSync(crdFile, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [crd] }));
    const r = cli(['lint', '--crds', crdFile, '--no-analysis', '--format', 'json', bad]);
    const codes = JSON.parse(r.stdout).findings.map((f: any) => f.code);
    expect(codes).not.toContain('IMV204');
    expect(cli(['lint', '--crds', bad, bad]).stderr).toMatch(/^istio-mtls: --crds .*bad-mesh\.yaml: /);
    fs.rmSync(dir, { recursive: true });
  });

  it('fails on warnings with --fail-on warning', () => {
    // A selector without labels is a webhook warning (IMV405), not an error.
    const yaml = 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: a}\nspec: {selector: {}, mtls: {mode: STRICT}}\n';
    expect(cli(['lint', '-'], yaml).code).toBe(0);
    expect(cli(['lint', '--fail-on', 'warning', '-'], yaml).code).toBe(1);
    expect(cli(['lint', '--fail-on', 'info', '-'], yaml)).toMatchObject({ code: 2, stderr: 'istio-mtls: lint: --fail-on must be error or warning, got "info"\n' });
  });

  it('prints help and version', () => {
    expect(cli(['--help']).stdout).toMatch(/^Usage: istio-mtls <command>/);
    expect(cli(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(cli([]).code).toBe(2);
  });
});
