import { describe, expect, it } from 'vitest';
import { ap, deploy, DISABLE, dr, findings, ns, pa, sel, STRICT, svc } from './helpers';

describe('IMA004 selector-matches-nothing', () => {
  it('Compliance: selectors that match pod-template labels', () => {
    expect(findings('IMA004', [
      ns('p'), deploy('p', 'api'),
      pa('p', 'x', { ...sel({ app: 'api' }), ...STRICT }),
      ap('p', 'y', { ...sel({ app: 'api' }) }),
      dr('p', 'z', { host: 'api', workloadSelector: { matchLabels: { app: 'api' } } }),
    ])).toEqual([]);
  });
  it('Noncompliance 1: a PeerAuthentication selector matching no workload of its namespace', () => {
    const f = findings('IMA004', [ns('p'), deploy('p', 'api'), pa('p', 'x', { ...sel({ app: 'apj' }), ...STRICT })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toBe('PeerAuthentication p/x selects app=apj, but none of the 1 workload(s) of namespace p in the input has these pod labels');
    expect(f[0].path).toBe('/spec/selector/matchLabels');
  });
  it('Noncompliance 2: AuthorizationPolicy and DestinationRule workloadSelector', () => {
    const f = findings('IMA004', [ns('p'), deploy('p', 'api'), ap('p', 'y', sel({ app: 'nope' })), dr('p', 'z', { host: 'api', workloadSelector: { matchLabels: { app: 'nope' } } })]);
    expect(f.map((x) => x.resource.kind).sort()).toEqual(['AuthorizationPolicy', 'DestinationRule']);
  });
  it('Noncompliance 3: a root-namespace AuthorizationPolicy selector matching nothing in the whole mesh', () => {
    expect(findings('IMA004', [deploy('a', 'api'), ap('istio-system', 'y', sel({ version: 'bogus' }))])).toHaveLength(1);
  });
  it('trap: labels on the Deployment object are not pod labels', () => {
    const d = deploy('p', 'api', { labels: { app: 'api' } }) as { metadata: Record<string, unknown> };
    d.metadata.labels = { team: 'x' };
    expect(findings('IMA004', [d, pa('p', 'x', { ...sel({ team: 'x' }), ...STRICT })])).toHaveLength(1);
  });
  it('trap: no workloads of that namespace in the input', () => {
    expect(findings('IMA004', [deploy('other', 'api'), pa('p', 'x', { ...sel({ app: 'api' }), ...STRICT })])).toEqual([]);
  });
  it('trap: selector: {} is selector-less, not a selector that matches nothing', () => {
    expect(findings('IMA004', [deploy('p', 'api'), pa('p', 'x', { selector: {}, ...STRICT }), ap('p', 'y', { selector: { matchLabels: {} } })])).toEqual([]);
  });
  it('trap: a root-namespace AuthorizationPolicy selector matching a workload of another namespace', () => {
    expect(findings('IMA004', [deploy('a', 'api'), svc('a', 'api', { app: 'api' }, [{ port: 80 }]), ap('istio-system', 'y', sel({ app: 'api' }))])).toEqual([]);
  });
});

describe('IMA005 root-namespace-selector-ignored', () => {
  it('Compliance: a selector-less mesh policy', () => {
    expect(findings('IMA005', [pa('istio-system', 'default', STRICT)])).toEqual([]);
  });
  it('Noncompliance 1: a selector policy in the root namespace', () => {
    const f = findings('IMA005', [pa('istio-system', 'gw', { ...sel({ app: 'gw' }), ...DISABLE })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Istio ignores selector policies there');
    expect(f[0].path).toBe('/spec/selector');
  });
  it('trap: selector: {} in the root namespace is the mesh policy', () => {
    expect(findings('IMA005', [pa('istio-system', 'x', { selector: {}, ...STRICT })])).toEqual([]);
  });
  it('trap: a selector policy in an application namespace', () => {
    expect(findings('IMA005', [pa('app', 'x', { ...sel({ app: 'gw' }), ...STRICT })])).toEqual([]);
  });
});

describe('IMA006 port-level-not-container-port', () => {
  const api = deploy('p', 'api', { ports: [8080] });
  it('Compliance: port-level keys are container ports', () => {
    expect(findings('IMA006', [api, pa('p', 'x', { ...sel({ app: 'api' }), portLevelMtls: { 8080: { mode: 'DISABLE' } } })])).toEqual([]);
  });
  it('Noncompliance 1: the Service port instead of the target port, with the mapping in the message', () => {
    const f = findings('IMA006', [api, svc('p', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]), pa('p', 'x', { ...sel({ app: 'api' }), portLevelMtls: { 80: { mode: 'DISABLE' } } })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Service p/api maps 80→8080');
    expect(f[0].path).toBe('/spec/portLevelMtls/80');
  });
  it('Noncompliance 2: a port nobody declares', () => {
    expect(findings('IMA006', [api, pa('p', 'x', { ...sel({ app: 'api' }), portLevelMtls: { 9999: { mode: 'PERMISSIVE' } } })])).toHaveLength(1);
  });
  it('trap: workloads that declare no container ports are not judged', () => {
    const bare = deploy('p', 'api', { ports: [] });
    expect(findings('IMA006', [bare, pa('p', 'x', { ...sel({ app: 'api' }), portLevelMtls: { 9999: { mode: 'PERMISSIVE' } } })])).toEqual([]);
  });
  it('trap: workloads not in the input', () => {
    expect(findings('IMA006', [pa('p', 'x', { ...sel({ app: 'api' }), portLevelMtls: { 9999: { mode: 'PERMISSIVE' } } })])).toEqual([]);
  });
});
