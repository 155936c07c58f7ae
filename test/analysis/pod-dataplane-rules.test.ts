import { describe, expect, it } from 'vitest';
import { deploy, DISABLE, dr, findings, ns, pa, PERMISSIVE, sel, STRICT, svc, tls } from './helpers';
import { Manifest } from '../../src/model/manifest';

const AMBIENT = { ambient: true };
type Strings = Record<string, string>;
const pod = (namespace: string, name: string, labels: Strings = {}, annotations: Strings = {}, proxy = false): Manifest => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels, annotations },
  spec: { containers: [{ name: 'server', image: 'example/app' }, ...(proxy ? [{ name: 'istio-proxy', image: 'example/proxyv2' }] : [])] },
});

describe('IMA018 dataplane-conflict', () => {
  // istio/istio 1.30.3 pkg/config/analysis/analyzers/analyzers_test.go case "istioInjection",
  // testdata/injection.yaml: IST0123 for busted, multi-ns-1, multi-ns-2 and multi-ns-3 only.
  const upstream: { source: string; name: string; labels: Record<string, string>; ist0123: boolean }[] = [
    { source: 'injection.yaml Namespace default', name: 'default', labels: { 'istio-injection': 'enabled' }, ist0123: false },
    { source: 'injection.yaml Namespace ambient', name: 'ambient', labels: { 'istio.io/dataplane-mode': 'ambient' }, ist0123: false },
    { source: 'injection.yaml Namespace foo', name: 'foo', labels: { 'istio-injection': 'disabled' }, ist0123: false },
    { source: 'injection.yaml Namespace bar', name: 'bar', labels: {}, ist0123: false },
    { source: 'injection.yaml Namespace canary-test', name: 'canary-test', labels: { 'istio.io/rev': 'canary' }, ist0123: false },
    { source: 'injection.yaml Namespace pidgeon-test', name: 'pidgeon-test', labels: { 'istio.io/rev': 'pidgeon' }, ist0123: false },
    { source: 'injection.yaml Namespace busted', name: 'busted', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }, ist0123: true },
    { source: 'injection.yaml Namespace multi-ns-1', name: 'multi-ns-1', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'test' }, ist0123: true },
    {
      source: 'injection.yaml Namespace multi-ns-2',
      name: 'multi-ns-2',
      labels: { 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' },
      ist0123: true,
    },
    { source: 'injection.yaml Namespace multi-ns-3', name: 'multi-ns-3', labels: { 'istio.io/rev': 'test', 'istio.io/dataplane-mode': 'ambient' }, ist0123: true },
    {
      source: 'injection.yaml Namespace not-conflict-ns-1',
      name: 'not-conflict-ns-1',
      labels: { 'istio-injection': 'disabled', 'istio.io/dataplane-mode': 'ambient' },
      ist0123: false,
    },
    { source: 'injection.yaml Namespace not-conflict-ns-2', name: 'not-conflict-ns-2', labels: { 'istio-injection': 'disabled', 'istio.io/rev': 'test' }, ist0123: false },
  ];
  // The Pods of the same file: none of them carries two data-plane labels.
  const upstreamPods = [
    pod('default', 'injectedpod', {}, {}, true),
    pod('default', 'noninjectedpod'),
    pod('default', 'podinjectiondisabled', {}, { 'sidecar.istio.io/inject': 'false' }),
    pod('istio-system', 'istiod-canary-1234567890-12345', { 'app': 'istiod', 'istio': 'pilot', 'istio.io/rev': 'canary' }),
    pod('default', 'podinjectiondisabled-label', { 'sidecar.istio.io/inject': 'false' }),
    pod('default', 'podinjectiondisabled-label-and-anno', { 'sidecar.istio.io/inject': 'false' }, { 'sidecar.istio.io/inject': 'true' }),
    { ...pod('default', 'noninjectedpodhostnetwork'), spec: { hostNetwork: true, containers: [{ name: 'server', image: 'example/app' }] } },
  ];

  it.each(upstream)('upstream $source: IST0123 $ist0123', ({ name, labels, ist0123 }) => {
    const f = findings('IMA018', [ns(name, labels)], AMBIENT);
    expect(f).toHaveLength(ist0123 ? 1 : 0);
    if (ist0123) expect(f[0]).toMatchObject({ severity: 'warning', resource: { kind: 'Namespace', name } });
  });
  it('upstream injection.yaml as a whole: exactly the four IST0123 namespaces', () => {
    const f = findings('IMA018', [...upstream.map((u) => ns(u.name, u.labels)), ...upstreamPods], AMBIENT);
    expect(f.map((x) => x.resource.name)).toEqual(['busted', 'multi-ns-1', 'multi-ns-2', 'multi-ns-3']);
  });

  it('Compliance: one data-plane label per namespace, pods that follow their namespace', () => {
    expect(findings('IMA018', [
      ns('shop'), deploy('shop', 'api'),
      ns('mesh', { 'istio.io/dataplane-mode': 'ambient' }), deploy('mesh', 'web'),
      ns('canary', { 'istio.io/rev': 'canary' }), deploy('canary', 'job'),
    ], AMBIENT)).toEqual([]);
  });
  it('Noncompliance 1: SEMANTICS §1 example 2, istio-injection=enabled and dataplane-mode=ambient (the sidecar wins)', () => {
    const f = findings('IMA018', [ns('pay', { 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' }), deploy('pay', 'api')], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ code: 'IMA018', severity: 'warning', path: '/metadata/labels/istio.io~1dataplane-mode', resource: { kind: 'Namespace', name: 'pay' } });
    expect(f[0].message).toBe('Namespace pay carries istio-injection=enabled, istio.io/dataplane-mode=ambient (IST0123): its pods get a sidecar '
      + '(namespace pay has istio-injection=enabled), and a sidecar wins over ambient; istio.io/dataplane-mode=ambient has no effect: '
      + 'istio-cni skips pods with a sidecar');
  });
  it('Noncompliance 2: istio-injection=enabled and istio.io/rev (istio-injection wins, the revision is ignored)', () => {
    const f = findings('IMA018', [ns('shop', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' })]);
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/metadata/labels/istio.io~1rev');
    expect(f[0].message).toContain('istio.io/rev=canary has no effect: the revision webhooks skip namespaces labelled istio-injection');
  });
  it('Noncompliance 3: istio.io/rev naming no installed revision and dataplane-mode=ambient (ambient wins)', () => {
    const f = findings('IMA018', [ns('shop', { 'istio.io/rev': 'test', 'istio.io/dataplane-mode': 'ambient' })], { ...AMBIENT, knownRevisions: ['default'] });
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/metadata/labels/istio.io~1rev');
    expect(f[0].message).toContain('its pods are in ambient');
    expect(f[0].message).toContain('istio.io/rev=test has no effect');
  });
  it('Noncompliance 4: istio.io/rev of an assumed revision and dataplane-mode=ambient (the sidecar wins, the assumption is named)', () => {
    const f = findings('IMA018', [ns('shop', { 'istio.io/rev': 'test', 'istio.io/dataplane-mode': 'ambient' })], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/metadata/labels/istio.io~1dataplane-mode');
    expect(f[0].message).toContain('assuming revision test is installed');
  });
  it('Noncompliance 5: a pod template labelled dataplane-mode=ambient in an injected namespace gets a sidecar', () => {
    const f = findings('IMA018', [ns('shop'), deploy('shop', 'api', { labels: { 'app': 'api', 'istio.io/dataplane-mode': 'ambient' } })], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ resource: { kind: 'Deployment', name: 'api' }, path: '/spec/template/metadata/labels/istio.io~1dataplane-mode' });
    expect(f[0].message).toContain('Deployment shop/api labels its pods istio.io/dataplane-mode=ambient: its pods get a sidecar');
  });
  it('Noncompliance 6: a pod template with istio.io/rev and dataplane-mode=ambient (IST0123 counted on the pod labels)', () => {
    const f = findings('IMA018', [ns('mesh', {}), deploy('mesh', 'api', { kind: 'CronJob', labels: { 'istio.io/rev': 'canary', 'istio.io/dataplane-mode': 'ambient' } })], AMBIENT);
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/spec/jobTemplate/spec/template/metadata/labels/istio.io~1dataplane-mode');
    expect(f[0].message).toContain('istio.io/rev=canary, istio.io/dataplane-mode=ambient');
  });
  it('Noncompliance 7: no label takes effect (the revision is not installed, ambient is not)', () => {
    const f = findings('IMA018', [ns('shop', { 'istio.io/rev': 'test', 'istio.io/dataplane-mode': 'ambient' })], { knownRevisions: ['default'] });
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/metadata/labels');
    expect(f[0].message).toContain('its pods get no proxy (namespace shop has istio.io/rev=test, which is not an installed revision or tag; ambient is not installed), '
      + 'so none of these labels takes effect');
  });
  it('trap: istio-injection=disabled next to dataplane-mode or rev (IST0123 does not count them)', () => {
    expect(findings('IMA018', [ns('a', { 'istio-injection': 'disabled', 'istio.io/dataplane-mode': 'ambient' }), ns('b', { 'istio-injection': 'disabled', 'istio.io/rev': 'x' })], AMBIENT)).toEqual([]);
  });
  it('trap: istio-system is never reported', () => {
    expect(findings('IMA018', [ns('istio-system', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' })])).toEqual([]);
  });
  it('trap: a pod labelled dataplane-mode=none in an injected namespace only opts out of ambient', () => {
    expect(findings('IMA018', [ns('shop'), deploy('shop', 'api', { labels: { 'app': 'api', 'istio.io/rev': 'canary', 'istio.io/dataplane-mode': 'none' } })], AMBIENT)).toEqual([]);
  });
  it('trap: a pod labelled ambient that opts out of injection really is ambient', () => {
    const labels = { 'app': 'api', 'istio.io/dataplane-mode': 'ambient', 'sidecar.istio.io/inject': 'false' };
    expect(findings('IMA018', [ns('shop'), deploy('shop', 'api', { labels })], AMBIENT)).toEqual([]);
  });
  it('trap: a pod that opts into a sidecar in an ambient namespace (the documented precedence, no label of its own)', () => {
    expect(findings('IMA018', [ns('mesh', { 'istio.io/dataplane-mode': 'ambient' }), deploy('mesh', 'api', { labels: { 'app': 'api', 'sidecar.istio.io/inject': 'true' } })], AMBIENT))
      .toEqual([]);
  });
});

describe('IMA026 invalid-capture-annotation', () => {
  const injected = (annotations: Record<string, string>, kind = 'Deployment') => [ns('shop'), deploy('shop', 'api', { podAnnotations: annotations, kind })];

  // istio/istio 1.30.3 pkg/kube/inject/inject_test.go TestInjection, testdata/inject/traffic-annotations*.yaml:
  // the bad-* inputs make injection fail (expectedError), the others inject.
  const upstream: { source: string; annotations: Record<string, string>; rejected: string | null }[] = [
    { source: 'traffic-annotations-bad-includeipranges.yaml', annotations: { 'traffic.sidecar.istio.io/includeOutboundIPRanges': 'bad' }, rejected: 'traffic.sidecar.istio.io/includeOutboundIPRanges' },
    { source: 'traffic-annotations-bad-excludeipranges.yaml', annotations: { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '*' }, rejected: 'traffic.sidecar.istio.io/excludeOutboundIPRanges' },
    { source: 'traffic-annotations-bad-includeinboundports.yaml', annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': 'bad' }, rejected: 'traffic.sidecar.istio.io/includeInboundPorts' },
    { source: 'traffic-annotations-bad-excludeinboundports.yaml', annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '*' }, rejected: 'traffic.sidecar.istio.io/excludeInboundPorts' },
    { source: 'traffic-annotations-bad-excludeoutboundports.yaml', annotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': 'bad' }, rejected: 'traffic.sidecar.istio.io/excludeOutboundPorts' },
    {
      source: 'traffic-annotations.yaml',
      annotations: {
        'traffic.sidecar.istio.io/includeInboundPorts': '1,2,3',
        'traffic.sidecar.istio.io/excludeInboundPorts': '4,5,6',
        'traffic.sidecar.istio.io/excludeOutboundPorts': '7,8,9',
        'traffic.sidecar.istio.io/includeOutboundIPRanges': '127.0.0.1/24,10.96.0.1/24',
        'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.2/24,10.96.0.3/24',
      },
      rejected: null,
    },
    {
      source: 'traffic-annotations-wildcards.yaml',
      annotations: {
        'traffic.sidecar.istio.io/includeInboundPorts': '*',
        'traffic.sidecar.istio.io/excludeInboundPorts': '4,5,6',
        'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
        'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.2/24,10.96.0.3/24',
      },
      rejected: null,
    },
    {
      source: 'traffic-annotations-empty-includes.yaml',
      annotations: {
        'traffic.sidecar.istio.io/includeInboundPorts': '',
        'traffic.sidecar.istio.io/excludeInboundPorts': '4,5,6',
        'traffic.sidecar.istio.io/includeOutboundIPRanges': '',
        'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.2/24,10.96.0.3/24',
      },
      rejected: null,
    },
  ];
  it.each(upstream)('upstream $source', ({ annotations, rejected }) => {
    const f = findings('IMA026', injected(annotations));
    expect(f.map((x) => x.path)).toEqual(rejected ? [`/spec/template/metadata/annotations/${rejected.replace('/', '~1')}`] : []);
  });

  it('Compliance: valid values, spaces after commas in a port list, NONE without istio-cni', () => {
    expect(findings('IMA026', injected({
      'traffic.sidecar.istio.io/excludeInboundPorts': '8080, 9090',
      'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8,172.16.0.0/12',
    }))).toEqual([]);
    expect(findings('IMA026', injected({ 'sidecar.istio.io/interceptionMode': 'NONE' }))).toEqual([]);
  });
  it('Noncompliance 1: SEMANTICS §2 example 5, a space after the comma of a CIDR list', () => {
    const f = findings('IMA026', injected({ 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8, 172.16.0.0/12' }));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ code: 'IMA026', severity: 'error', path: '/spec/template/metadata/annotations/traffic.sidecar.istio.io~1excludeOutboundIPRanges' });
    expect(f[0].message).toContain('annotation traffic.sidecar.istio.io/excludeOutboundIPRanges: "10.0.0.0/8, 172.16.0.0/12" is refused');
    expect(f[0].message).toContain('" 172.16.0.0/12" is not a CIDR');
    expect(f[0].message).toContain('no pod is ever created');
    expect(f[0].fix).toContain('no spaces');
  });
  it('Noncompliance 2: an interception mode in lower case, on a bare Pod', () => {
    const f = findings('IMA026', injected({ 'sidecar.istio.io/interceptionMode': 'redirect' }, 'Pod'));
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/metadata/annotations/sidecar.istio.io~1interceptionMode');
    expect(f[0].message).toContain('not one of REDIRECT, TPROXY, NONE');
  });
  it('Noncompliance 3: interceptionMode NONE with istio-cni (unverified, said so)', () => {
    const f = findings('IMA026', injected({ 'sidecar.istio.io/interceptionMode': 'NONE' }), { istioCni: true });
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('istio-cni accepts only REDIRECT or TPROXY, not "NONE"');
    expect(f[0].message).toContain('the pod never starts');
    expect(f[0].message).toContain('unverified');
    expect(f[0].fix).toContain('REDIRECT or TPROXY');
  });
  it('Noncompliance 4: a port range in includeOutboundPorts (not checked by the webhook; istio-iptables fails)', () => {
    const f = findings('IMA026', injected({ 'traffic.sidecar.istio.io/includeOutboundPorts': '8000-8010' }));
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('istio-iptables fails, so the pod never starts');
  });
  it('Noncompliance 5: a broken mesh default is reported on the workload, with no annotation path', () => {
    const f = findings('IMA026', [ns('shop'), deploy('shop', 'api')], { captureDefaults: { excludeOutboundIPRanges: '10.0.0.0/8, 10.1.0.0/16' } });
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('');
    expect(f[0].message).toContain('the mesh default for traffic.sidecar.istio.io/excludeOutboundIPRanges');
  });
  it('Noncompliance 6: two bad annotations give two findings', () => {
    expect(findings('IMA026', injected({ 'traffic.sidecar.istio.io/excludeInboundPorts': '8080,', 'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.0.0.1' })))
      .toHaveLength(2);
  });
  it('trap: the same annotation on a pod that gets no sidecar (the webhook never sees it)', () => {
    expect(findings('IMA026', [ns('legacy', {}), deploy('legacy', 'api', { podAnnotations: { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8, 172.16.0.0/12' } })]))
      .toEqual([]);
  });
  it('trap: sidecar annotations on an ambient pod have no effect', () => {
    expect(findings('IMA026', [ns('mesh', { 'istio.io/dataplane-mode': 'ambient' }),
      deploy('mesh', 'api', { podAnnotations: { 'sidecar.istio.io/interceptionMode': 'NONE' } })], { ambient: true, istioCni: true })).toEqual([]);
  });
});

describe('IMA030 hand-set-tls-mode', () => {
  const TLS = 'security.istio.io/tlsMode';
  const server = (namespace: string, tlsMode: string | undefined, extra: Strings = {}, podAnnotations?: Strings): Manifest[] => [
    deploy(namespace, 'api', { labels: { app: 'api', ...(tlsMode === undefined ? {} : { [TLS]: tlsMode }), ...extra }, ports: [8080], podAnnotations }),
    svc(namespace, 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]),
  ];

  it('Compliance: an injected pod labelled istio, an uninjected one labelled disabled, an empty value (the injector writes istio)', () => {
    expect(findings('IMA030', [ns('shop'), ...server('shop', 'istio'), pa('shop', 'default', STRICT)])).toEqual([]);
    expect(findings('IMA030', [ns('legacy', {}), ...server('legacy', 'disabled'), pa('istio-system', 'default', PERMISSIVE)])).toEqual([]);
    expect(findings('IMA030', [ns('shop'), ...server('shop', ''), pa('shop', 'default', STRICT)])).toEqual([]);
  });
  it('Noncompliance 1: SEMANTICS §5 example 1, an uninjected pod labelled istio gets mTLS it cannot terminate', () => {
    const f = findings('IMA030', [ns('legacy', {}), ...server('legacy', 'istio')]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ code: 'IMA030', severity: 'error', path: '/spec/template/metadata/labels/security.istio.io~1tlsMode' });
    expect(f[0].message).toContain('Deployment legacy/api labels its pods security.istio.io/tlsMode: "istio" although they have no sidecar');
    expect(f[0].message).toContain('sends Istio mTLS to Service legacy/api:80 → port 8080 (no sidecar)');
  });
  it('Noncompliance 2: SEMANTICS §5 example 2, an injected pod labelled disabled behind STRICT (error) or PERMISSIVE (warning)', () => {
    const strict = findings('IMA030', [ns('shop'), ...server('shop', 'disabled'), pa('shop', 'default', STRICT)]);
    expect(strict).toHaveLength(1);
    expect(strict[0].severity).toBe('error');
    expect(strict[0].message).toContain('sends plaintext to Service shop/api:80 → port 8080 STRICT (PeerAuthentication shop/default), and STRICT rejects plaintext');
    expect(strict[0].related).toEqual([expect.objectContaining({ kind: 'PeerAuthentication', name: 'default' })]);
    const permissive = findings('IMA030', [ns('shop'), ...server('shop', 'disabled'), pa('shop', 'default', PERMISSIVE)]);
    expect(permissive).toHaveLength(1);
    expect(permissive[0].severity).toBe('warning');
    expect(permissive[0].message).toContain('which PERMISSIVE accepts unencrypted');
  });
  it('Noncompliance 3: SEMANTICS §5 example 3, "Istio" is not istio', () => {
    const f = findings('IMA030', [ns('shop'), ...server('shop', 'Istio'), pa('shop', 'default', STRICT)]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
  });
  it('Noncompliance 4: a headless Service over a single labelled StatefulSet', () => {
    const sts = deploy('db', 'pg', { kind: 'StatefulSet', labels: { app: 'pg', [TLS]: 'disabled' }, ports: [5432] });
    const headless: Manifest = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'pg', namespace: 'db' }, spec: { clusterIP: 'None', selector: { app: 'pg' }, ports: [{ port: 5432 }] } };
    const f = findings('IMA030', [ns('db'), sts, headless, pa('db', 'default', STRICT)]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
  });
  it('trap: an ambient pod labelled istio (sidecars and ztunnel send it HBONE)', () => {
    expect(findings('IMA030', [ns('mesh', { 'istio.io/dataplane-mode': 'ambient' }), ...server('mesh', 'istio'), pa('mesh', 'default', STRICT)], AMBIENT)).toEqual([]);
  });
  it('trap: a DestinationRule sets tls, so the label is not read', () => {
    expect(findings('IMA030', [ns('shop'), ...server('shop', 'disabled'), pa('shop', 'default', STRICT),
      dr('shop', 'api', { host: 'api', ...tls('ISTIO_MUTUAL') })])).toEqual([]);
  });
  it('trap: auto mTLS is off, so the label is not read', () => {
    expect(findings('IMA030', [ns('shop'), ...server('shop', 'disabled'), pa('shop', 'default', STRICT)], { autoMtls: false })).toEqual([]);
  });
  it('trap: the port is DISABLE, so clients send plaintext with or without the label', () => {
    expect(findings('IMA030', [ns('shop'), ...server('shop', 'disabled'), pa('shop', 'default', DISABLE)])).toEqual([]);
    expect(findings('IMA030', [ns('legacy', {}), ...server('legacy', 'istio'), pa('legacy', 'api', { ...sel({ app: 'api' }), ...DISABLE })])).toEqual([]);
  });
  it('trap: the sidecar does not capture the port, so plaintext is what it takes', () => {
    expect(findings('IMA030', [ns('shop'), ...server('shop', 'disabled', {}, { 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' }),
      pa('shop', 'default', STRICT)])).toEqual([]);
  });
  it('trap: no Service selects the workload', () => {
    expect(findings('IMA030', [ns('shop'), deploy('shop', 'api', { labels: { app: 'api', [TLS]: 'disabled' } }), pa('shop', 'default', STRICT)])).toEqual([]);
  });
});
