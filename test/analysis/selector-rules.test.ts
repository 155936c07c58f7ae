import { describe, expect, it } from 'vitest';
import { ap, deploy, DISABLE, dr, findings, ns, pa, sel, STRICT, svc } from './helpers';
import { Manifest } from '../../src/model/manifest';

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
  describe('suggests the nearest existing labels', () => {
    const FIX = 'correct the labels to match a pod template, or delete the policy';
    const api = deploy('p', 'api', { labels: { app: 'api', tier: 'backend' } });
    const web = deploy('p', 'web', { labels: { app: 'web', tier: 'frontend' } });
    const fixOf = (selector: Record<string, string>, extra: Manifest[] = []) =>
      findings('IMA004', [ns('p'), api, web, ...extra, pa('p', 'x', { ...sel(selector), ...STRICT })]).map((f) => f.fix);
    it('Noncompliance 4: the nearest value of the same key', () => {
      expect(fixOf({ app: 'apj' })).toEqual([`did you mean app=api, which selects Deployment p/api? Otherwise ${FIX}`]);
    });
    it('Noncompliance 5: the nearest key, keeping the value', () => {
      expect(fixOf({ ap: 'web' })).toEqual([`did you mean app=web, which selects Deployment p/web? Otherwise ${FIX}`]);
    });
    it('Noncompliance 6: only the labels no workload carries change, and the result must select something', () => {
      expect(fixOf({ app: 'api', tier: 'backnd' })).toEqual([`did you mean app=api,tier=backend, which selects Deployment p/api? Otherwise ${FIX}`]);
      // Each label exists, on different workloads: no single fix, no suggestion.
      expect(fixOf({ app: 'api', tier: 'frontend' })).toEqual([FIX]);
      // tier=frontnd → frontend, which is web's, and web is not app=api.
      expect(fixOf({ app: 'api', tier: 'frontnd' })).toEqual([FIX]);
    });
    it('Noncompliance 7: nothing close enough, and a root-namespace AuthorizationPolicy looking in every namespace', () => {
      expect(fixOf({ app: 'billing' })).toEqual([FIX]);
      const f = findings('IMA004', [deploy('a', 'reviews'), deploy('b', 'ratings'), ap('istio-system', 'y', sel({ app: 'reviws' }))]);
      expect(f.map((x) => x.fix)).toEqual([`did you mean app=reviews, which selects Deployment a/reviews? Otherwise ${FIX}`]);
    });
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
  const exceptionOn = (port: number | string, mode = 'DISABLE') => pa('p', 'x', { ...sel({ app: 'api' }), portLevelMtls: { [port]: { mode } } });
  it('Compliance: port-level keys are container ports', () => {
    expect(findings('IMA006', [api, svc('p', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]), exceptionOn(8080)])).toEqual([]);
  });
  it('Noncompliance 1: the Service port instead of its target port is an error naming the mapping and the key to write', () => {
    const f = findings('IMA006', [api, svc('p', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]), exceptionOn(80)]);
    expect(f.map((x) => [x.severity, x.path, x.message, x.fix])).toEqual([[
      'error',
      '/spec/portLevelMtls/80',
      'PeerAuthentication p/x sets port 80 to DISABLE, but 80 is a Service port: Service p/api sends it to container port 8080. '
        + 'portLevelMtls keys are container ports, so this key matches no traffic and container port 8080 keeps the workload\'s mode',
      'write the target port 8080 instead of 80 as the portLevelMtls key',
    ]]);
  });
  it('Noncompliance 2: a named targetPort, and two Services sending the port to different container ports', () => {
    const web = deploy('p', 'api', { ports: [{ port: 8080, name: 'http' }, { port: 9090, name: 'admin' }] });
    const f = findings('IMA006', [
      web, svc('p', 'api', { app: 'api' }, [{ port: 80, targetPort: 'http' }]), svc('p', 'api-admin', { app: 'api' }, [{ port: 80, targetPort: 9090 }]),
      exceptionOn(80, 'PERMISSIVE'),
    ]);
    expect(f.map((x) => [x.severity, x.message, x.fix])).toEqual([[
      'error',
      'PeerAuthentication p/x sets port 80 to PERMISSIVE, but 80 is a Service port: Service p/api sends it to container port 8080, '
        + 'Service p/api-admin sends it to container port 9090. portLevelMtls keys are container ports, so this key matches no traffic '
        + 'and container ports 8080 and 9090 keep the workload\'s mode',
      'write the target port 8080 or 9090 instead of 80 as the portLevelMtls key',
    ]]);
  });
  it('Noncompliance 3: a port nobody declares and no Service maps stays a warning', () => {
    const f = findings('IMA006', [api, svc('p', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]), exceptionOn(9999, 'PERMISSIVE')]);
    expect(f.map((x) => [x.severity, x.message, x.fix])).toEqual([[
      'warning',
      'PeerAuthentication p/x sets port 9999 to PERMISSIVE, but Deployment p/api declare only container port(s) 8080',
      'use a container port the selected workloads listen on',
    ]]);
  });
  it('trap: a Service port equal to its target port that no workload declares is not a Service-port mix-up', () => {
    const f = findings('IMA006', [api, svc('p', 'api', { app: 'api' }, [{ port: 9000, targetPort: 9000 }]), exceptionOn(9000)]);
    expect(f.map((x) => x.severity)).toEqual(['warning']);
  });
  it('trap: a Service that does not select the workloads says nothing about them', () => {
    const f = findings('IMA006', [api, svc('p', 'other', { app: 'other' }, [{ port: 80, targetPort: 8080 }]), exceptionOn(80)]);
    expect(f.map((x) => x.severity)).toEqual(['warning']);
  });
  it('trap: workloads that declare no container ports are not judged', () => {
    const bare = deploy('p', 'api', { ports: [] });
    expect(findings('IMA006', [bare, exceptionOn(9999, 'PERMISSIVE')])).toEqual([]);
  });
  it('trap: workloads not in the input', () => {
    expect(findings('IMA006', [exceptionOn(9999, 'PERMISSIVE')])).toEqual([]);
  });
});
