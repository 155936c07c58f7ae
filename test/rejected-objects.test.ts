/**
 * An object the cluster would reject never enters the mesh analysis: the
 * cluster would not store it. Checked in every face that analyses: lint()
 * (the CLI's lint and the cdk8s plugin), explain and plan (CLI), and the
 * synth-time validation (appFindings).
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cli } from './cli/support';
import { DUMP } from './migration/helpers';
import { deploy, dr, ns, pa, STRICT, svc } from './resolution/helpers';
import { appFindings } from '../src/cdk8s/app-findings';
import { admitInputs, lint, LintInput } from '../src/lint';
import { Manifest } from '../src/model/manifest';

/** A workload policy that weakens `shop/api` to DISABLE, without the exception annotations (IMA016 when stored). */
function weakening(metadata: Record<string, unknown> = {}): Manifest {
  const p = pa('shop', 'api-legacy', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'DISABLE' } });
  return { ...p, metadata: { ...p.metadata, ...metadata } };
}

/** The same policy with a label value the API server rejects (IMV109): it is never stored. */
const REJECTED_BY_OBJECT_META = weakening({ labels: { team: 'payments team' } });

const MESH: Manifest[] = [
  ns('shop'),
  deploy('shop', 'api'),
  svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]),
  pa('istio-system', 'default', STRICT),
];

const inputs = (manifests: readonly Manifest[]): LintInput[] => manifests.map((manifest) => ({ manifest }));
const codesOn = (manifests: readonly Manifest[], name: string) => lint(inputs(manifests)).filter((f) => f.resource.name === name).map((f) => f.code);
const yaml = (manifests: readonly Manifest[]) => manifests.map((m) => stringify(m)).join('---\n');

describe('rejected objects', () => {
  describe('Compliance', () => {
    it('a stored weakening policy decides the mode and is analysed', () => {
      expect(codesOn([...MESH, weakening()], 'api-legacy')).toEqual(['IMA016']);
      const json = JSON.parse(cli(['explain', '--format', 'json', '-'], yaml([...MESH, weakening()])).stdout);
      expect(json.workloads[0]).toMatchObject({ name: 'api', mode: 'DISABLE', decidedBy: { name: 'api-legacy' } });
      expect(json.leftOut).toBeUndefined();
    });
  });

  describe('Noncompliance', () => {
    it('1: lint reports a policy the API server rejects, and the analysis never sees it', () => {
      expect(codesOn([...MESH, REJECTED_BY_OBJECT_META], 'api-legacy')).toEqual(['IMV109']);
    });

    it('2: an object rejected by the CRD schema, a CEL rule or the webhook is left out as well', () => {
      // CEL: portLevelMtls needs a selector.
      const byCel = pa('shop', 'ports', { mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } });
      // Schema: an unknown mode.
      const bySchema = pa('shop', 'typo', { mtls: { mode: 'DISABLED' } });
      // Webhook: a workloadSelector DestinationRule exported beyond its namespace (IMV638).
      const byWebhook = dr('shop', 'plain', {
        host: 'api.shop.svc.cluster.local', exportTo: ['.', 'web'], workloadSelector: { matchLabels: { app: 'api' } }, trafficPolicy: { tls: { mode: 'DISABLE' } },
      });
      const { admitted, rejected } = admitInputs(inputs([...MESH, byCel, bySchema, byWebhook]));
      expect(admitted.map((i) => i.manifest)).toEqual(MESH);
      expect(rejected.map((r) => [r.rejection.resource.name, r.rejection.category])).toEqual([['ports', 'cel'], ['typo', 'schema'], ['plain', 'webhook']]);
      const analysed = lint(inputs([...MESH, byCel, bySchema, byWebhook])).filter((f) => f.code.startsWith('IMA'));
      expect(analysed).toEqual(lint(inputs(MESH)).filter((f) => f.code.startsWith('IMA')));
    });

    it('3: a rejected redefinition leaves the stored definition in place, as kubectl apply would', () => {
      const rejectedDisable = { ...pa('istio-system', 'default', { mtls: { mode: 'DISABLE' } }), metadata: { name: 'default', namespace: 'istio-system', labels: { a: '-' } } };
      const json = JSON.parse(cli(['explain', '--format', 'json', '-'], yaml([...MESH, rejectedDisable])).stdout);
      expect(json.workloads[0]).toMatchObject({ name: 'api', mode: 'STRICT', decidedBy: { kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' } });
      expect(json.leftOut).toEqual([{
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        namespace: 'istio-system',
        name: 'default',
        file: '-',
        line: 54,
        column: 8,
        code: 'IMV109',
        message: 'label "a" has invalid value "-": must be empty or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character',
      }]);
    });

    it('4: explain leaves the rejected policy out of every format, and names it, sorted by namespace and name', () => {
      const second = { ...pa('istio-system', 'zz', STRICT), metadata: { name: 'zz', namespace: 'istio-system', labels: 7 } };
      const input = yaml([...MESH, REJECTED_BY_OBJECT_META, second]);
      const text = cli(['explain', '-'], input);
      expect(text.code).toBe(0);
      expect(text.stdout).toBe([
        'namespace shop',
        '  Deployment api: STRICT — PeerAuthentication istio-system/default',
        '    port 8080: STRICT — PeerAuthentication istio-system/default',
        '',
        'left out: the cluster would reject these objects, so nothing above counts them',
        '  PeerAuthentication istio-system/zz (-:67:11): IMV109 metadata.labels must be a map of strings, got number 7',
        '  PeerAuthentication shop/api-legacy (-:54:11): IMV109 label "team" has invalid value "payments team": must be empty or consist of alphanumeric characters,'
        + ' \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character',
        '',
        '1 workload, 2 objects left out',
        '',
      ].join('\n'));
      // Without the left-out section, the same as explaining the input without the rejected objects.
      const clean = cli(['explain', '-'], yaml(MESH)).stdout;
      expect(text.stdout.replace(/\nleft out:[^]*?\n\n/, '\n').replace(', 2 objects left out', '')).toBe(clean);

      const md = cli(['explain', '--format', 'markdown', '-'], input).stdout;
      expect(md).toContain([
        '## Left out', '', 'The cluster would reject these objects, so the tables above do not count them.', '',
        '| Object | Where | Code | Why |', '| --- | --- | --- | --- |',
        '| `PeerAuthentication istio-system/zz` | -:67:11 | IMV109 | metadata.labels must be a map of strings, got number 7 |',
      ].join('\n'));
      expect(md.split('## Left out')[0]).not.toContain('api-legacy');

      const mermaid = cli(['explain', '--format', 'mermaid', '-'], input).stdout;
      expect(mermaid).toContain([
        '  subgraph leftout["left out: the cluster would reject them"]',
        '    x0["PeerAuthentication istio-system/zz<br/>IMV109"]:::rejected',
        '    x1["PeerAuthentication shop/api-legacy<br/>IMV109"]:::rejected',
        '  end',
      ].join('\n'));
      expect(mermaid).toContain('  classDef rejected ');
    });

    it('5: plan leaves the rejected policy out and says so on stderr', () => {
      const rejected = yaml([{ ...weakening({ labels: { team: 'payments team' } }), metadata: { name: 'legacy', namespace: 'shop', labels: { team: 'payments team' } } }]);
      const plain = cli(['plan', '--namespaces', 'web,shop', DUMP]);
      const withRejected = cli(['plan', '--namespaces', 'web,shop', DUMP, '-'], rejected);
      expect(withRejected.stdout).toBe(plain.stdout);
      expect(withRejected.code).toBe(plain.code);
      expect(withRejected.stderr).toBe('istio-mtls plan: left out PeerAuthentication shop/legacy (-:7:11), which the cluster would reject: IMV109 label "team" has invalid value'
        + ' "payments team": must be empty or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character\n');
    });

    it('6: synth-time validation reports the rejected object and analyses the app without it', () => {
      const build = (withRejected: boolean) => {
        const app = Testing.app();
        const chart = new Chart(app, 'mesh');
        MESH.forEach((m, i) => new ApiObject(chart, `o${i}`, m as any));
        if (withRejected) new ApiObject(chart, 'legacy', REJECTED_BY_OBJECT_META as any);
        return app;
      };
      const found = appFindings(build(true)).map(({ finding: f, source }) => [f.code, source?.node.id]);
      expect(found.filter(([, id]) => id === 'legacy')).toEqual([['IMV109', 'legacy']]);
      expect(found.filter(([, id]) => id !== 'legacy')).toEqual(appFindings(build(false)).map(({ finding: f, source }) => [f.code, source?.node.id]));
    });
  });
});
