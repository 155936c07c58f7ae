import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cli } from './support';
import { lint } from '../../src/lint';
import { Manifest } from '../../src/model/manifest';
import { REALWORLD } from '../realworld';

/*
 * --namespace NS reads the input as `kubectl apply -n NS` applies it
 * (cli-runtime's RequireNamespace): a namespaced object that names no
 * namespace lands in NS, one that names another is refused, a cluster-scoped
 * one is left alone. Findings on documents without a namespace (Helm and
 * Kustomize output) keep their file, line and column.
 */

/** Helm-style output: no document names a namespace. The policy's selector has a typo (IMA004). */
const CHART = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 8080
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-frontend
spec:
  selector:
    matchLabels: {app: wbe}
  action: ALLOW
  rules:
  - from:
    - source:
        namespaces: [shop]
`;

/** The line and column of `app: wbe`'s value, where IMA004 points. */
const SELECTOR_AT = { line: 24, column: 18 };

/** A document that names its namespace: line 5 is `namespace: prod`, its value at column 14. */
const IN_PROD = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: prod
spec:
  mtls: {mode: STRICT}
`;

let dir: string;
let chart: string;
let inProd: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'namespace-flag-'));
  chart = path.join(dir, 'chart.yaml');
  fs.writeFileSync(chart, CHART);
  inProd = path.join(dir, 'prod.yaml');
  fs.writeFileSync(inProd, IN_PROD);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function lintJson(args: string[]) {
  const r = cli(['lint', '--format', 'json', ...args]);
  return { ...r, report: JSON.parse(r.stdout) };
}

describe('--namespace places documents that name none', () => {
  it('in NS, and each finding keeps its file, line and column', () => {
    const { code, stderr, report } = lintJson(['--namespace', 'shop', chart]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(report.findings.map((f: Record<string, unknown>) => [f.code, f.resource, f.file, f.line, f.column])).toEqual([
      ['IMA004', { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', namespace: 'shop', name: 'allow-frontend' },
        chart, SELECTOR_AT.line, SELECTOR_AT.column],
    ]);
    expect(report.findings[0].message).toContain('none of the 1 workload(s) of namespace shop');
  });

  it('in default without it, as kubectl apply without -n, also located', () => {
    const { code, report } = lintJson([chart]);
    expect(code).toBe(0);
    expect(report.findings.map((f: Record<string, unknown>) => [f.code, (f.resource as { namespace: string }).namespace, f.file, f.line, f.column]))
      .toEqual([['IMA004', 'default', chart, SELECTOR_AT.line, SELECTOR_AT.column]]);
  });

  it('-n is the short form; text, SARIF and github output carry the position', () => {
    const at = `${chart}:${SELECTOR_AT.line}:${SELECTOR_AT.column}`;
    expect(cli(['lint', '-n', 'shop', chart]).stdout).toContain(`${at}: warning IMA004 AuthorizationPolicy shop/allow-frontend`);
    const sarif = JSON.parse(cli(['lint', '-n', 'shop', '--format', 'sarif', chart]).stdout);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.region)
      .toMatchObject({ startLine: SELECTOR_AT.line, startColumn: SELECTOR_AT.column });
    expect(cli(['lint', '-n', 'shop', '--format', 'github', chart]).stdout).toContain(`line=${SELECTOR_AT.line},col=${SELECTOR_AT.column}`);
  });

  it('explain and plan see the workload in NS', () => {
    const explained = cli(['explain', '--namespace', 'shop', chart]);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(/^namespace shop\n {2}Deployment web: PERMISSIVE/);
    // Without -n the chart is in default, so shop is a namespace the input does not have.
    expect(cli(['plan', '--namespaces', 'shop', chart])).toMatchObject({ code: 2, stdout: '' });
    const planned = cli(['plan', '--namespaces', 'shop', '-n', 'shop', chart]);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('| Deployment shop/web |');
  });

  it('the library places findings on namespace-less manifests in the default namespace it was given', () => {
    const manifests = parseAllDocuments(CHART).map((d) => d.toJS() as Manifest);
    const inputs = manifests.map((manifest) => ({ manifest, file: 'chart.yaml', locate: () => ({ line: 7, col: 3 }) }));
    expect(lint(inputs, { mesh: { defaultNamespace: 'shop' } }).map((f) => [f.code, f.resource.namespace, f.file, f.line, f.column]))
      .toEqual([['IMA004', 'shop', 'chart.yaml', 7, 3]]);
  });
});

describe('--namespace refuses a document in another namespace, as kubectl apply -n does', () => {
  const refusal = (file: string) => `${file}:5:14: PeerAuthentication prod/default is in namespace "prod", not the --namespace "shop" given; `
    + 'kubectl apply -n shop refuses it ("the namespace from the provided object does not match"): drop its metadata.namespace or give --namespace prod\n';

  it('lint: one located line on stderr, exit 2; the document is left out, the others are linted', () => {
    const { code, stderr, report } = lintJson(['-n', 'shop', chart, inProd]);
    expect(code).toBe(2);
    expect(stderr).toBe(refusal(inProd));
    expect(report.summary.resources).toBe(2);
    expect(report.findings.map((f: Record<string, unknown>) => f.code)).toEqual(['IMA004']);
  });

  it('explain and plan too', () => {
    expect(cli(['explain', '-n', 'shop', chart, inProd])).toMatchObject({ code: 2, stderr: refusal(inProd) });
    expect(cli(['plan', '--namespaces', 'shop', '-n', 'shop', chart, inProd])).toEqual({ code: 2, stdout: '', stderr: refusal(inProd) });
  });

  it('on standard input, named -', () => {
    expect(cli(['lint', '-n', 'shop', '-'], IN_PROD)).toMatchObject({ code: 2, stderr: refusal('-') });
  });

  it('keeps a document that names NS itself, and without -n any namespace', () => {
    expect(cli(['lint', '-n', 'prod', inProd])).toMatchObject({ code: 0, stderr: '' });
    expect(cli(['lint', inProd])).toMatchObject({ code: 0, stderr: '' });
  });

  it('leaves a cluster-scoped object alone, whatever namespace it writes (the API server clears it)', () => {
    const role = path.join(dir, 'cluster-role.yaml');
    fs.writeFileSync(role, 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader, namespace: prod}\nrules: []\n');
    expect(lintJson(['-n', 'shop', role])).toMatchObject({ code: 0, stderr: '', report: { summary: { resources: 1 } } });
  });

  it('fails on a --namespace that is no namespace name, before reading anything', () => {
    for (const command of [['lint'], ['explain'], ['plan', '--namespaces', 'shop']]) {
      expect(cli([...command, '--namespace', 'Shop_1', path.join(dir, 'missing.yaml')])).toEqual({
        code: 2,
        stdout: '',
        stderr: 'istio-mtls: --namespace must be a namespace name (DNS-1123 label), got "Shop_1": '
          + 'must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character\n',
      });
    }
  });
});

describe.skipIf(!fs.existsSync(REALWORLD))('the real-world corpus', () => {
  it('every finding has a file, a line and a column (many documents name no namespace)', () => {
    const { report } = lintJson([REALWORLD]);
    expect(report.findings.length).toBeGreaterThan(100);
    const unplaced = report.findings.filter((f: Record<string, unknown>) => f.file === undefined || f.line === undefined || f.column === undefined);
    expect(unplaced).toEqual([]);
  });
});
