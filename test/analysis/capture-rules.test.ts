import { describe, expect, it } from 'vitest';
import { DISABLE, deploy, dr, findings, ns, pa, PERMISSIVE, sel, STRICT, svc, tls, UNSET } from './helpers';
import { Manifest } from '../../src/model/manifest';

const EXCLUDE_IN = 'traffic.sidecar.istio.io/excludeInboundPorts';
const INCLUDE_IN = 'traffic.sidecar.istio.io/includeInboundPorts';
const EXCLUDE_OUT = 'traffic.sidecar.istio.io/excludeOutboundPorts';
const EXCLUDE_RANGES = 'traffic.sidecar.istio.io/excludeOutboundIPRanges';
const INCLUDE_RANGES = 'traffic.sidecar.istio.io/includeOutboundIPRanges';
const INCLUDE_OUT = 'traffic.sidecar.istio.io/includeOutboundPorts';
const MODE = 'sidecar.istio.io/interceptionMode';

const annotationPath = (a: string) => `/spec/template/metadata/annotations/${a.replace('/', '~1')}`;

/** Deployment shop/api on 8080 and 9090, behind Service api (80 → 8080, 9090 → 9090). */
function api(podAnnotations?: Record<string, string>, namespace = 'shop'): Manifest[] {
  return [
    deploy(namespace, 'api', { ports: [8080, 9090], podAnnotations }),
    svc(namespace, 'api', { app: 'api' }, [{ port: 80, targetPort: 8080, name: 'http' }, { port: 9090, targetPort: 9090, name: 'tcp-admin' }]),
  ];
}

function headless(namespace: string, name: string, selector: Record<string, string>, ports: { port: number; targetPort: number }[]): Manifest {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP: 'None', selector, ports } };
}

function sidecarResource(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace }, spec };
}

describe('IMA024 inbound-port-not-captured', () => {
  it('Compliance: a STRICT sidecar workload with the default capture (every port)', () => {
    expect(findings('IMA024', [ns('shop'), ...api(), pa('shop', 'default', STRICT)])).toEqual([]);
  });
  it('Noncompliance 1: excludeInboundPorts on a STRICT server (SEMANTICS §2 example 1)', () => {
    const f = findings('IMA024', [ns('shop'), ...api({ [EXCLUDE_IN]: '9090' }), pa('shop', 'default', STRICT)]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', resource: { kind: 'Deployment', name: 'api' }, path: annotationPath(EXCLUDE_IN) });
    expect(f[0].message).toContain(`the sidecar does not capture port 9090 (${EXCLUDE_IN}: "9090" excludes it)`);
    expect(f[0].message).toContain('STRICT (PeerAuthentication shop/default) is not enforced');
    expect(f[0].message).toContain('sidecar clients of Service shop/api:9090 send Istio mTLS');
    expect(f[0].fix).toContain(`remove 9090 from ${EXCLUDE_IN}`);
    expect(f[0].fix).toContain('DestinationRule for api.shop.svc.cluster.local with portLevelSettings port 9090 tls mode DISABLE');
    expect(f[0].related?.[0]).toMatchObject({ kind: 'PeerAuthentication', name: 'default' });
  });
  it('Noncompliance 2: a list-valued includeInboundPorts drops the exclusions (SEMANTICS §2 example 2)', () => {
    const f = findings('IMA024', [ns('shop'), ...api({ [INCLUDE_IN]: '8080', [EXCLUDE_IN]: '8080' }), pa('shop', 'default', STRICT)]);
    expect(f.map((x) => [x.severity, x.path])).toEqual([
      ['info', annotationPath(EXCLUDE_IN)],
      ['error', annotationPath(INCLUDE_IN)],
    ]);
    expect(f[0].message).toBe('Deployment shop/api: excludeInboundPorts "8080" is ignored because includeInboundPorts "8080" is a list; only ports 8080 are captured');
    expect(f[1].message).toContain(`${INCLUDE_IN}: "8080" does not list 9090`);
  });
  it('Noncompliance 3: includeInboundPorts "" leaves every Service port uncaptured (SEMANTICS §2 example 3)', () => {
    const f = findings('IMA024', [ns('shop'), ...api({ [INCLUDE_IN]: '' }), pa('shop', 'default', STRICT)]);
    expect(f.map((x) => x.message.match(/port (\d+)/)?.[1])).toEqual(['8080', '9090']);
    expect(f.every((x) => x.severity === 'error' && x.message.includes('captures no inbound port'))).toBe(true);
  });
  it('Noncompliance 4: interceptionMode NONE and no Sidecar resource (SEMANTICS §2 example 6)', () => {
    const f = findings('IMA024', [ns('shop'), ...api({ [MODE]: 'NONE' }), pa('shop', 'default', STRICT)]);
    expect(f).toHaveLength(2);
    expect(f[0]).toMatchObject({ path: annotationPath(MODE) });
    expect(f[0].message).toContain(`${MODE}: "NONE" installs no capture rules`);
  });
  it('Noncompliance 5: a PERMISSIVE port is a warning (in-mesh clients still send mTLS to the application)', () => {
    const f = findings('IMA024', [ns('shop'), ...api({ [EXCLUDE_IN]: '9090' })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('PERMISSIVE (Istio default)');
    expect(f[0].message).toContain('send Istio mTLS');
  });
  it('Noncompliance 6: the bypass is intended (DestinationRule DISABLE for the port) but the port is STRICT: warning', () => {
    const rule = dr('shop', 'api', { host: 'api', trafficPolicy: { portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }] } });
    const f = findings('IMA024', [ns('shop'), ...api({ [EXCLUDE_IN]: '9090' }), pa('shop', 'default', STRICT), rule]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('its clients send plaintext');
  });
  it('Noncompliance 7: the exclusion comes from the mesh default; a Pod and a CronJob get their own annotation paths', () => {
    const f = findings('IMA024', [ns('shop'), ...api(), pa('shop', 'default', STRICT)], { captureDefaults: { excludeInboundPorts: '9090' } });
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('the mesh default excludeInboundPorts "9090" excludes it');
    const pod = findings('IMA024', [ns('shop'), deploy('shop', 'p', { kind: 'Pod', ports: [8080], podAnnotations: { [EXCLUDE_IN]: '8080' } })]);
    expect(pod[0].path).toBe('/metadata/annotations/traffic.sidecar.istio.io~1excludeInboundPorts');
    const cron = findings('IMA024', [ns('shop'), deploy('shop', 'c', { kind: 'CronJob', ports: [8080], podAnnotations: { [EXCLUDE_IN]: '8080' } })]);
    expect(cron[0].path).toBe('/spec/jobTemplate/spec/template/metadata/annotations/traffic.sidecar.istio.io~1excludeInboundPorts');
  });
  it('Noncompliance 8: a workload-level STRICT policy on a declared port no Service targets', () => {
    const f = findings('IMA024', [ns('shop'), deploy('shop', 'w', { ports: [7070], podAnnotations: { [EXCLUDE_IN]: '7070' } }),
      pa('shop', 'w', { ...sel({ app: 'w' }), ...STRICT })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error' });
    expect(f[0].message).not.toContain('sidecar clients');
  });
  it('trap: a DISABLE port that is not captured changes nothing (clients already send plaintext)', () => {
    expect(findings('IMA024', [ns('shop'), ...api({ [EXCLUDE_IN]: '9090' }), pa('shop', 'default', STRICT),
      pa('shop', 'api', { ...sel({ app: 'api' }), portLevelMtls: { 9090: { mode: 'DISABLE' } } })])).toEqual([]);
  });
  it('trap: a DISABLE port that no Service targets', () => {
    expect(findings('IMA024', [ns('shop'), deploy('shop', 'w', { ports: [7070], podAnnotations: { [EXCLUDE_IN]: '7070' } }),
      pa('shop', 'w', { ...sel({ app: 'w' }), ...DISABLE })])).toEqual([]);
  });
  it('trap: PERMISSIVE with a DestinationRule DISABLE for the port is the documented way to bypass (istio.io FAQ)', () => {
    const rule = dr('shop', 'api', { host: 'api', trafficPolicy: { portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }] } });
    expect(findings('IMA024', [ns('shop'), ...api({ [EXCLUDE_IN]: '9090' }), rule])).toEqual([]);
  });
  it('trap: interceptionMode NONE with a Sidecar ingress listener for every port (Envoy binds them)', () => {
    const sc = sidecarResource('shop', 'api', {
      workloadSelector: { labels: { app: 'api' } },
      ingress: [{ port: { number: 8080, protocol: 'HTTP', name: 'http' } }, { port: { number: 9090, protocol: 'TCP', name: 'tcp' } }],
    });
    expect(findings('IMA024', [ns('shop'), ...api({ [MODE]: 'NONE' }), pa('shop', 'default', STRICT), sc])).toEqual([]);
  });
  it('trap: a workload without a sidecar, an ambient workload and a pod the webhook rejects are other rules\' business', () => {
    expect(findings('IMA024', [ns('shop', {}), ...api({ [EXCLUDE_IN]: '9090' }), pa('shop', 'default', STRICT)])).toEqual([]);
    expect(findings('IMA024', [ns('shop', { 'istio.io/dataplane-mode': 'ambient' }), ...api({ [EXCLUDE_IN]: '9090' }), pa('shop', 'default', STRICT)],
      { ambient: true })).toEqual([]);
    expect(findings('IMA024', [ns('shop'), ...api({ [EXCLUDE_IN]: '8000-9090' }), pa('shop', 'default', STRICT)])).toEqual([]);
  });
  it('trap: proxy ports (15020, 15090) declared by a dumped pod and UDP ports are not application TCP ports', () => {
    const m: Manifest = deploy('shop', 'x', { ports: [8080] });
    const containers = (m.spec as any).template.spec.containers;
    containers.push({ name: 'istio-proxy', image: 'proxyv2', ports: [{ containerPort: 15090 }, { containerPort: 15020 }] });
    containers[0].ports.push({ containerPort: 5353, protocol: 'UDP' });
    expect(findings('IMA024', [ns('shop'), m, pa('shop', 'default', STRICT)], {})).toEqual([]);
    const udp: Manifest = deploy('shop', 'u', { ports: [], podAnnotations: { [EXCLUDE_IN]: '5353' } });
    (udp.spec as any).template.spec.containers[0].ports.push({ containerPort: 5353, protocol: 'UDP' });
    expect(findings('IMA024', [ns('shop'), udp, pa('shop', 'default', STRICT)])).toEqual([]);
  });
  it('trap: a space after a comma in a port list is harmless (SEMANTICS §2 example 5): only the excluded ports are reported', () => {
    const f = findings('IMA024', [ns('shop'), deploy('shop', 'api', { ports: [8080, 9090, 7000], podAnnotations: { [EXCLUDE_IN]: '8080, 9090' } })]);
    expect(f.map((x) => x.message.match(/port (\d+)/)?.[1])).toEqual(['8080', '9090']);
  });
});

/** Deployment db/pg (sidecar) on 5432 behind Service pg:5432; client Deployment app/web with `annotations`. */
function pg(client: Record<string, string>, server: Manifest[] = [pa('db', 'default', STRICT)]): Manifest[] {
  return [ns('db'), ns('app'), deploy('db', 'pg', { ports: [5432] }), svc('db', 'pg', { app: 'pg' }, [{ port: 5432, targetPort: 5432, name: 'tcp' }]),
    deploy('app', 'web', { podAnnotations: client }), ...server];
}

const SERVICE_CIDR = { serviceCidrs: ['10.96.0.0/12'], podCidrs: ['10.244.0.0/16'] };

describe('IMA025 outbound-capture-bypass', () => {
  it('Compliance: a client with the default outbound capture', () => {
    expect(findings('IMA025', pg({}), SERVICE_CIDR)).toEqual([]);
  });
  it('Noncompliance 1: excludeOutboundPorts to a STRICT Service (SEMANTICS §2 example 4)', () => {
    const f = findings('IMA025', pg({ [EXCLUDE_OUT]: '5432' }));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', resource: { kind: 'Deployment', namespace: 'app', name: 'web' }, path: annotationPath(EXCLUDE_OUT) });
    expect(f[0].message).toBe(`Deployment app/web: ${EXCLUDE_OUT}: "5432" sends its calls to Service db/pg:5432 (port 5432) around its sidecar as the `
      + 'application\'s plaintext; Deployment db/pg:5432 is STRICT (PeerAuthentication db/default) and rejects them');
    expect(f[0].related).toEqual([expect.objectContaining({ kind: 'PeerAuthentication', namespace: 'db', name: 'default' })]);
  });
  it('Noncompliance 2: the same call to a PERMISSIVE server is accepted unencrypted: warning', () => {
    const f = findings('IMA025', pg({ [EXCLUDE_OUT]: '5432' }, []));
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('accepts them unencrypted');
  });
  it('Noncompliance 3: excludeOutboundIPRanges covering the Service CIDR', () => {
    const f = findings('IMA025', pg({ [EXCLUDE_RANGES]: '10.96.0.0/12' }), SERVICE_CIDR);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: annotationPath(EXCLUDE_RANGES) });
    expect(f[0].message).toContain('with excludeOutboundIPRanges "10.96.0.0/12", its calls to Service db/pg:5432 go around its sidecar');
  });
  it('Noncompliance 4: IP ranges without serviceCidrs: the answer depends on the Service IP (warning)', () => {
    const f = findings('IMA025', pg({ [EXCLUDE_RANGES]: '10.96.0.0/12' }));
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('depends on the Service IP');
  });
  it('Noncompliance 5: includeOutboundIPRanges that leaves out the Service CIDR', () => {
    const f = findings('IMA025', pg({ [INCLUDE_RANGES]: '10.0.0.0/24' }), SERVICE_CIDR);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: annotationPath(INCLUDE_RANGES) });
  });
  it('Noncompliance 6: an exclusion covering part of the Service CIDR: unknown, warning', () => {
    const f = findings('IMA025', pg({ [EXCLUDE_RANGES]: '10.100.0.0/16' }), SERVICE_CIDR);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('depends on the Service IP');
  });
  it('Noncompliance 7: an excluded IP range wins over includeOutboundPorts (ISTIO_OUTPUT order)', () => {
    expect(findings('IMA025', pg({ [EXCLUDE_RANGES]: '10.96.0.0/12', [INCLUDE_OUT]: '5432' }), SERVICE_CIDR)).toHaveLength(1);
  });
  it('Noncompliance 8: a STRICT ambient server rejects the bypassing plaintext too', () => {
    const f = findings('IMA025', [ns('db', { 'istio.io/dataplane-mode': 'ambient' }), ...pg({ [EXCLUDE_OUT]: '5432' }).slice(1)], { ambient: true });
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toContain('in ambient (ztunnel) and rejects them');
  });
  it('Noncompliance 9: a headless Service is called on the container port', () => {
    const manifests = [ns('db'), ns('app'), deploy('db', 'pg', { ports: [5432] }), headless('db', 'pg', { app: 'pg' }, [{ port: 15432, targetPort: 5432 }]),
      deploy('app', 'web', { podAnnotations: { [EXCLUDE_OUT]: '5432' } }), pa('db', 'default', STRICT)];
    const f = findings('IMA025', manifests);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Service db/pg:15432 (port 5432)');
  });
  it('Noncompliance 10: IPv6 Service CIDR inside excludeOutboundIPRanges', () => {
    const f = findings('IMA025', pg({ [EXCLUDE_RANGES]: 'fd00:10:96::/64' }), { serviceCidrs: ['fd00:10:96::/112'] });
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(findings('IMA025', pg({ [EXCLUDE_RANGES]: 'fd00:10:96::8000/113' }), { serviceCidrs: ['fd00:10:96::/112'] })[0].message)
      .toContain('depends on the Service IP');
  });
  it('trap: the excluded port is the target port of a ClusterIP Service, not its port (the pod sees the Service port)', () => {
    const manifests = [ns('db'), ns('app'), deploy('db', 'pg', { ports: [5432] }), svc('db', 'pg', { app: 'pg' }, [{ port: 15432, targetPort: 5432 }]),
      deploy('app', 'web', { podAnnotations: { [EXCLUDE_OUT]: '5432' } }), pa('db', 'default', STRICT)];
    expect(findings('IMA025', manifests)).toEqual([]);
  });
  it('trap: servers without a sidecar or with DISABLE take plaintext anyway', () => {
    expect(findings('IMA025', [ns('db', {}), ...pg({ [EXCLUDE_OUT]: '5432' }).slice(1)])).toEqual([]);
    expect(findings('IMA025', pg({ [EXCLUDE_OUT]: '5432' }, [pa('db', 'default', DISABLE)]))).toEqual([]);
  });
  it('trap: includeOutboundIPRanges set to the Service CIDR (the usual pattern) and an excluded metadata IP', () => {
    expect(findings('IMA025', pg({ [INCLUDE_RANGES]: '10.96.0.0/12,10.244.0.0/16' }), SERVICE_CIDR)).toEqual([]);
    expect(findings('IMA025', pg({ [EXCLUDE_RANGES]: '169.254.169.254/32' }), SERVICE_CIDR)).toEqual([]);
  });
  it('trap: an excluded port no Service uses, and includeOutboundPorts re-capturing a port outside the ranges', () => {
    expect(findings('IMA025', pg({ [EXCLUDE_OUT]: '3306' }))).toEqual([]);
    expect(findings('IMA025', pg({ [INCLUDE_RANGES]: '', [INCLUDE_OUT]: '5432' }), SERVICE_CIDR)).toEqual([]);
  });
  it('trap: a client without a sidecar (IMA012) and a client the webhook rejects (a space in a CIDR list)', () => {
    expect(findings('IMA025', [ns('app', {}), ...pg({ [EXCLUDE_OUT]: '5432' }).filter((m) => !(m.kind === 'Namespace' && m.metadata?.name === 'app'))]))
      .toEqual([]);
    expect(findings('IMA025', pg({ [EXCLUDE_RANGES]: '10.0.0.0/8, 172.16.0.0/12', [EXCLUDE_OUT]: '5432' }))).toEqual([]);
  });
});

/** Namespace shop with Service api (80 → 8080) over Deployment api, and `policies`. */
function shop(...policies: Manifest[]): Manifest[] {
  return [ns('shop'), ns('web'), ...api(), deploy('web', 'front'), ...policies];
}

const apiStrict = pa('shop', 'api-strict', { ...sel({ app: 'api' }), ...STRICT });

describe('IMA033 namespace-disable-disables-auto-mtls', () => {
  it('Compliance: a STRICT workload policy under a PERMISSIVE namespace', () => {
    expect(findings('IMA033', shop(pa('shop', 'default', PERMISSIVE), apiStrict))).toEqual([]);
  });
  it('Noncompliance 1: namespace DISABLE, workload STRICT (SEMANTICS §0 S1, istio/istio#56084)', () => {
    const f = findings('IMA033', shop(pa('shop', 'default', DISABLE), apiStrict));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', resource: { kind: 'PeerAuthentication', name: 'api-strict' }, path: '/spec/mtls/mode' });
    expect(f[0].related).toEqual([expect.objectContaining({ namespace: 'shop', name: 'default' })]);
    expect(f[0].message).toContain('makes Service shop/api:80 → Deployment shop/api:8080, Service shop/api:9090 → Deployment shop/api:9090 STRICT');
    expect(f[0].message).toContain('namespace-level PeerAuthentication shop/default is DISABLE');
    expect(f[0].fix).toContain('DestinationRule for api.shop.svc.cluster.local with trafficPolicy.tls.mode ISTIO_MUTUAL');
  });
  it('Noncompliance 2: a mesh-level DISABLE and no namespace policy', () => {
    const f = findings('IMA033', shop(pa('istio-system', 'default', DISABLE), apiStrict));
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('mesh-level PeerAuthentication istio-system/default is DISABLE');
  });
  it('Noncompliance 3: a STRICT port under a PERMISSIVE workload policy (reported on the port entry)', () => {
    const f = findings('IMA033', shop(pa('shop', 'default', DISABLE), pa('shop', 'api', { ...sel({ app: 'api' }), ...PERMISSIVE, portLevelMtls: { 8080: STRICT.mtls } })));
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/spec/portLevelMtls/8080/mode');
    expect(f[0].message).toContain('makes Service shop/api:80 → Deployment shop/api:8080 STRICT');
  });
  it('Noncompliance 4: a namespace policy with mode UNSET inherits a mesh DISABLE', () => {
    expect(findings('IMA033', shop(pa('istio-system', 'default', DISABLE), pa('shop', 'default', UNSET), apiStrict))).toHaveLength(1);
  });
  it('Noncompliance 5: a DestinationRule without tls (only a load balancer) does not help', () => {
    expect(findings('IMA033', shop(pa('shop', 'default', DISABLE), apiStrict,
      dr('shop', 'api', { host: 'api', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } })))).toHaveLength(1);
  });
  it('trap: a DestinationRule ISTIO_MUTUAL for the host (the workaround): nothing fails', () => {
    expect(findings('IMA033', shop(pa('shop', 'default', DISABLE), apiStrict, dr('shop', 'api', { host: 'api', ...tls('ISTIO_MUTUAL') })))).toEqual([]);
    expect(findings('IMA033', shop(pa('shop', 'default', DISABLE), apiStrict, dr('istio-system', 'all', { host: '*.local', ...tls('ISTIO_MUTUAL') })))).toEqual([]);
  });
  it('trap: a PERMISSIVE workload under a DISABLE namespace accepts the plaintext', () => {
    expect(findings('IMA033', shop(pa('shop', 'default', DISABLE), pa('shop', 'api', { ...sel({ app: 'api' }), ...PERMISSIVE })))).toEqual([]);
  });
  it('trap: a namespace PERMISSIVE overrides a mesh DISABLE', () => {
    expect(findings('IMA033', shop(pa('istio-system', 'default', DISABLE), pa('shop', 'default', PERMISSIVE), apiStrict))).toEqual([]);
  });
  it('trap: auto mTLS off (every client sends plaintext; IMA012 reports it) and ambient servers (sidecars send HBONE)', () => {
    expect(findings('IMA033', shop(pa('shop', 'default', DISABLE), apiStrict), { autoMtls: false })).toEqual([]);
    const ambient = [ns('shop', { 'istio.io/dataplane-mode': 'ambient' }), ...shop(pa('shop', 'default', DISABLE), apiStrict).slice(1)];
    expect(findings('IMA033', ambient, { ambient: true })).toEqual([]);
  });
  it('trap: a STRICT port the sidecar does not capture is IMA024\'s (plaintext reaches the application)', () => {
    expect(findings('IMA033', [ns('shop'), ...api({ [INCLUDE_IN]: '' }), pa('shop', 'default', DISABLE), apiStrict])).toEqual([]);
  });

  // pilot/pkg/model/push_context_test.go TestBestEffortInferServiceMTLSMode: the namespace mode pilot infers for a
  // ClientSideLB Service. Only a DISABLE result can turn auto mTLS off, so neither case may fire.
  const upstream: { source: string; policies: Manifest[]; namespace: string; fires: boolean }[] = [
    {
      source: 'push_context_test.go TestBestEffortInferServiceMTLSMode "from namespace policy" (wholeNS default STRICT → STRICT)',
      policies: [pa('whole', 'default', STRICT), pa('whole', 'w', { ...sel({ app: 'api' }), ...STRICT })],
      namespace: 'whole',
      fires: false,
    },
    {
      source: 'push_context_test.go TestBestEffortInferServiceMTLSMode "from mesh default" (a workload DISABLE is ignored → PERMISSIVE)',
      policies: [pa('partial', 'workload-beta-policy', { ...sel({ app: 'httpbin', version: 'v1' }), ...DISABLE }),
        pa('partial', 'w', { ...sel({ app: 'api' }), ...STRICT })],
      namespace: 'partial',
      fires: false,
    },
    {
      source: 'same test, with the namespace policy of "from namespace policy" set to DISABLE instead (the S1 case)',
      policies: [pa('whole', 'default', DISABLE), pa('whole', 'w', { ...sel({ app: 'api' }), ...STRICT })],
      namespace: 'whole',
      fires: true,
    },
  ];
  for (const c of upstream) {
    it(`upstream: ${c.source}`, () => {
      const f = findings('IMA033', [ns(c.namespace), ...api(undefined, c.namespace), ...c.policies]);
      expect(f).toHaveLength(c.fires ? 1 : 0);
    });
  }
});
