import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES } from './support';

const clean = path.join(FIXTURES, 'clean-mesh.yaml');

describe('istio-mtls explain', () => {
  it('shows each workload and port with its mode and why', () => {
    const r = cli(['explain', clean]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      'namespace production',
      '  Deployment checkout: STRICT — PeerAuthentication istio-system/default',
      '  Deployment payment: STRICT — PeerAuthentication istio-system/default',
      '    port 8080: STRICT — PeerAuthentication istio-system/default',
      '',
      '2 workloads',
      '',
    ].join('\n'));
  });

  it('prints the JSON contract with connections', () => {
    const json = JSON.parse(cli(['explain', '--format', 'json', '--connections', clean]).stdout);
    expect(json.workloads[1]).toEqual({
      namespace: 'production',
      name: 'payment',
      kind: 'Deployment',
      sidecar: true,
      dataplane: 'sidecar',
      dataplaneReason: 'namespace production has istio-injection=enabled',
      mode: 'STRICT',
      decidedBy: { kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' },
      ports: [{ port: 8080, mode: 'STRICT', decidedBy: { kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' }, accepts: 'mtls', captured: true }],
    });
    expect(json.connections).toEqual([expect.objectContaining({
      from: { namespace: 'production', name: 'checkout' },
      to: { namespace: 'production', name: 'payment', service: 'payment', port: 80 },
      tls: 'mtls',
      outcome: 'ok',
      destinationRule: null,
    })]);
  });

  it('shows a failing connection when the mesh is tightened under a sidecar-less client', () => {
    const mesh = [
      'apiVersion: security.istio.io/v1', 'kind: PeerAuthentication', 'metadata: {name: default, namespace: istio-system}', 'spec: {mtls: {mode: STRICT}}',
      '---', 'apiVersion: v1', 'kind: Namespace', 'metadata: {name: legacy}',
      '---', 'apiVersion: v1', 'kind: Namespace', 'metadata: {name: shop, labels: {istio-injection: enabled}}',
      '---', 'apiVersion: batch/v1', 'kind: Job', 'metadata: {name: batch, namespace: legacy}',
      'spec: {template: {metadata: {labels: {app: batch}}, spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}}',
      '---', 'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: pay, namespace: shop}',
      'spec: {selector: {matchLabels: {app: pay}}, template: {metadata: {labels: {app: pay}}, spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}}}',
      '---', 'apiVersion: v1', 'kind: Service', 'metadata: {name: pay, namespace: shop}', 'spec: {selector: {app: pay}, ports: [{port: 80, targetPort: 8080}]}',
      '---', 'apiVersion: security.istio.io/v1', 'kind: AuthorizationPolicy', 'metadata: {name: pay, namespace: shop}',
      'spec: {selector: {matchLabels: {app: pay}}, rules: [{from: [{source: {namespaces: [legacy]}}]}]}',
    ].join('\n');
    const json = JSON.parse(cli(['explain', '--format', 'json', '--connections', '-'], mesh).stdout);
    const failing = json.connections.filter((c: any) => c.outcome === 'fails');
    expect(failing).toEqual([expect.objectContaining({ from: { namespace: 'legacy', name: 'batch' }, tls: 'plaintext' })]);
    const mermaid = cli(['explain', '--format', 'mermaid', '--connections', '-'], mesh).stdout;
    expect(mermaid).toMatch(/^flowchart LR\n/);
    expect(mermaid).toMatch(/-\. ".*FAILS" \.->/);
    expect(mermaid).toContain('linkStyle');
    const md = cli(['explain', '--format', 'markdown', '--connections', '-'], mesh).stdout;
    expect(md).toContain('| `legacy/batch` | `pay.shop:80` | plaintext | **fails** |');
  });

  it('rejects an unknown format', () => {
    expect(cli(['explain', '--format', 'dot', clean])).toMatchObject({ code: 2, stderr: 'istio-mtls: explain: --format must be text, json, markdown, mermaid, got "dot"\n' });
  });
});
