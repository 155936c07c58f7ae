import { describe, expect, it } from 'vitest';
import { ap, deploy, DISABLE, dr, findings, ns, pa, PERMISSIVE, sel, STRICT, svc } from './helpers';
import { Manifest } from '../../src/model/manifest';

function vs(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace }, spec };
}

function sidecar(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace }, spec };
}

function pod(namespace: string, name: string, labels: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'app', image: 'example/app' }] } };
}

const to = (host: string, subset?: string, weight?: number) => ({
  destination: { host, ...(subset ? { subset } : {}) },
  ...(weight !== undefined ? { weight } : {}),
});
const REVIEWS = 'reviews.bookinfo.svc.cluster.local';

/** bookinfo's reviews v1 and v2 behind one Service, and a client namespace `web`. */
const bookinfo: Manifest[] = [
  ns('bookinfo'), ns('web'),
  deploy('bookinfo', 'reviews-v1', { labels: { app: 'reviews', version: 'v1' }, ports: [9080] }),
  deploy('bookinfo', 'reviews-v2', { labels: { app: 'reviews', version: 'v2' }, ports: [9080] }),
  svc('bookinfo', 'reviews', { app: 'reviews' }, [{ port: 9080, name: 'http' }]),
  deploy('web', 'front'),
];
const subsets = [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }];

describe('IMA027 route-subset-missing', () => {
  it('Compliance: the Service-namespace rule defines the routed subsets, and clients of every namespace pick it', () => {
    expect(findings('IMA027', [...bookinfo, dr('bookinfo', 'reviews', { host: 'reviews', subsets }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1', 90), to('reviews', 'v2', 10)] }] })])).toEqual([]);
  });
  it('Noncompliance 1: a client-namespace rule without the subset shadows the one that has it (SEMANTICS §3 example 6; IST0101 misses it)', () => {
    const f = findings('IMA027', [...bookinfo,
      dr('web', 'reviews', { host: REVIEWS, trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } }),
      dr('bookinfo', 'reviews', { host: 'reviews', subsets }),
      vs('web', 'reviews', { hosts: [REVIEWS], http: [{ route: [to(REVIEWS, 'v2')] }] })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].resource).toMatchObject({ kind: 'VirtualService', namespace: 'web', name: 'reviews' });
    expect(f[0].path).toBe('/spec/http/0/route/0/destination/subset');
    expect(f[0].message).toBe('VirtualService web/reviews http[0] sends Deployment web/front to subset v2 of reviews.bookinfo.svc.cluster.local, '
      + 'but DestinationRule web/reviews, the rule these clients pick for reviews.bookinfo.svc.cluster.local, defines no subset v2 '
      + '(DestinationRule bookinfo/reviews defines it, but is not the rule they pick); the cluster does not exist and the traffic fails with 503');
    expect(f[0].related?.map((r) => `${r.namespace}/${r.name}`)).toEqual(['web/reviews', 'bookinfo/reviews']);
  });
  it('Noncompliance 2: a weighted leg to a subset no rule defines is reported with its weight', () => {
    const f = findings('IMA027', [...bookinfo, dr('bookinfo', 'reviews', { host: 'reviews', subsets: [subsets[0]] }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1', 90), to('reviews', 'v3', 10)] }] })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('http[0], weight 10% sends Deployment bookinfo/reviews-v1, Deployment bookinfo/reviews-v2, Deployment web/front to subset v3');
    expect(f[0].path).toBe('/spec/http/0/route/1/destination/subset');
  });
  it('Noncompliance 3: no DestinationRule for the host at all', () => {
    const f = findings('IMA027', [...bookinfo, vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1')] }] })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('no DestinationRule for reviews.bookinfo.svc.cluster.local is visible to these clients');
    expect(f[0].path).toBe('/spec/http/0/route/0/destination/subset');
  });
  it('Noncompliance 7: a TCP route on an opaque port', () => {
    const f = findings('IMA027', [...bookinfo, svc('bookinfo', 'db', { app: 'reviews' }, [{ port: 5432, name: 'tcp-pg', targetPort: 9080 }]),
      vs('bookinfo', 'db', { hosts: ['db'], tcp: [{ route: [to('db', 'v1')] }] })]);
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/spec/tcp/0/route/0/destination/subset');
  });
  it('trap: a TCP route on an HTTP port is not used (the port takes the http routes)', () => {
    expect(findings('IMA027', [...bookinfo, vs('bookinfo', 'reviews', { hosts: ['reviews'], tcp: [{ route: [to('reviews', 'v1')] }] })])).toEqual([]);
  });
  it('Noncompliance 4: a mirror to a missing subset loses only the copies (warning)', () => {
    const f = findings('IMA027', [...bookinfo, dr('bookinfo', 'reviews', { host: 'reviews', subsets }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1')], mirror: { host: 'reviews', subset: 'shadow' } }] })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].path).toBe('/spec/http/0/mirror/subset');
    expect(f[0].message).toContain('the mirrored copies go to a cluster that does not exist and are lost');
  });
  it('Noncompliance 5: a defined subset whose labels select none of the Service\'s pod templates (warning, on the subset)', () => {
    const f = findings('IMA027', [...bookinfo,
      dr('bookinfo', 'reviews', { host: 'reviews', subsets: [...subsets, { name: 'v3', labels: { version: 'v3' } }] }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v3')] }] })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].resource).toMatchObject({ kind: 'DestinationRule', namespace: 'bookinfo', name: 'reviews' });
    expect(f[0].path).toBe('/spec/subsets/2/labels');
    expect(f[0].message).toBe('Subset v3 of DestinationRule bookinfo/reviews selects version=v3 of Service bookinfo/reviews, but none of its pod templates '
      + '(Deployment bookinfo/reviews-v1, Deployment bookinfo/reviews-v2) carries those labels; VirtualService bookinfo/reviews http[0] '
      + 'sends traffic to an empty cluster, which gets 503');
  });
  it('Noncompliance 6: only the clients whose workloadSelector rule lacks the subset are named', () => {
    const f = findings('IMA027', [...bookinfo, deploy('web', 'canary', { labels: { app: 'canary' } }),
      dr('web', 'canary-reviews', { host: REVIEWS, workloadSelector: { matchLabels: { app: 'canary' } } }),
      dr('bookinfo', 'reviews', { host: 'reviews', subsets }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v2')] }] })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('sends Deployment web/canary to subset v2');
    expect(f[0].message).toContain('DestinationRule web/canary-reviews, the rule these clients pick');
  });
  it('trap: a VirtualService bound only to an ingress gateway is not used by sidecars (IST0101 reports it)', () => {
    expect(findings('IMA027', [...bookinfo, dr('bookinfo', 'reviews', { host: 'reviews', subsets }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], gateways: ['istio-system/ingress'], http: [{ route: [to('reviews', 'v9')] }] })])).toEqual([]);
  });
  it('trap: a VirtualService exported only to its namespace is not used by clients that pick another rule', () => {
    expect(findings('IMA027', [...bookinfo, dr('web', 'reviews', { host: REVIEWS }), dr('bookinfo', 'reviews', { host: 'reviews', subsets }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], exportTo: ['.'], http: [{ route: [to('reviews', 'v2')] }] })])).toEqual([]);
  });
  it('trap: rules for one host in one namespace are merged, so a subset of the second counts', () => {
    expect(findings('IMA027', [...bookinfo, dr('bookinfo', 'reviews-a', { host: 'reviews', subsets: [subsets[0]] }),
      dr('bookinfo', 'reviews-b', { host: 'reviews', subsets: [subsets[1]] }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v2')] }] })])).toEqual([]);
  });
  it('trap: a route whose sourceLabels select no client of the input sends nobody anywhere', () => {
    expect(findings('IMA027', [...bookinfo, dr('bookinfo', 'reviews', { host: 'reviews', subsets }),
      vs('bookinfo', 'reviews', {
        hosts: ['reviews'],
        http: [
          { match: [{ sourceLabels: { app: 'tester' } }], route: [to('reviews', 'v9')] }, { route: [to('reviews', 'v1')] },
        ],
      })])).toEqual([]);
  });
  it('trap: a wildcard VirtualService loses to the exact one for the host', () => {
    expect(findings('IMA027', [...bookinfo, dr('bookinfo', 'reviews', { host: 'reviews', subsets }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1')] }] }),
      vs('bookinfo', 'catch-all', { hosts: ['*.bookinfo.svc.cluster.local'], http: [{ route: [to('reviews', 'v9')] }] })])).toEqual([]);
  });
  it('trap: subset labels on node topology are unknown offline and taken to match', () => {
    expect(findings('IMA027', [...bookinfo, dr('bookinfo', 'reviews', { host: 'reviews', subsets: [{ name: 'west', labels: { 'topology.kubernetes.io/region': 'us-west-1' } }] }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'west')] }] })])).toEqual([]);
  });
  it('trap: without the Service\'s workloads in the input, an empty subset is not judged', () => {
    expect(findings('IMA027', [svc('bookinfo', 'reviews', { app: 'reviews' }, [{ port: 9080, name: 'http' }]),
      dr('bookinfo', 'reviews', { host: 'reviews', subsets: [{ name: 'v3', labels: { version: 'v3' } }] }),
      vs('bookinfo', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v3')] }] })])).toEqual([]);
  });
  it('trap: clients without a sidecar ignore VirtualServices', () => {
    expect(findings('IMA027', [ns('legacy', {}), deploy('legacy', 'cron'),
      vs('legacy', 'reviews', { hosts: [REVIEWS], http: [{ route: [to(REVIEWS, 'v9')] }] })])).toEqual([]);
  });

  // istioctl IST0101 (virtualservice/destinationrules.go) and IST0173 (destinationrule/subset.go) fixtures.
  const ist0101Dr = dr('default', 'reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
  const upstream: { source: string; manifests: Manifest[]; istioctl: number; ours: number; note?: string }[] = [
    {
      source: 'analyzers_test.go virtualServiceDestinationRules, testdata/virtualservice_destinationrules.yaml reviews (hosts added)',
      manifests: [ist0101Dr, vs('default', 'reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1')] }] })],
      istioctl: 0,
      ours: 0,
    },
    {
      source: 'analyzers_test.go virtualServiceDestinationRules, testdata/virtualservice_destinationrules.yaml reviews-bogussubset (hosts added)',
      manifests: [ist0101Dr, vs('default', 'reviews-bogussubset', { hosts: ['reviews'], http: [{ route: [to('reviews', 'bogus')] }] })],
      istioctl: 1,
      ours: 1,
    },
    {
      source: 'analyzers_test.go virtualServiceDestinationRules, testdata/virtualservice_destinationrules.yaml reviews-fqdn (hosts added)',
      manifests: [ist0101Dr, vs('default', 'reviews-fqdn', { hosts: ['reviews'], http: [{ route: [to('reviews.default.svc.cluster.local', 'v1')] }] })],
      istioctl: 0,
      ours: 0,
    },
    {
      source: 'analyzers_test.go virtualServiceDestinationRules, testdata/virtualservice_destinationrules.yaml reviews-mirror (hosts added)',
      manifests: [ist0101Dr, vs('default', 'reviews-mirror', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1')], mirror: { host: 'reviews', subset: 'v1' } }] })],
      istioctl: 0,
      ours: 0,
    },
    {
      source: 'analyzers_test.go virtualServiceDestinationRules, testdata/virtualservice_destinationrules.yaml reviews-mirror-bogussubset (hosts added)',
      manifests: [ist0101Dr, vs('default', 'reviews-mirror-bogussubset', { hosts: ['reviews'], http: [{ route: [to('reviews', 'v1')], mirror: { host: 'reviews', subset: 'bogus' } }] })],
      istioctl: 1,
      ours: 1,
      note: 'ours is a warning: only the mirrored copies are lost',
    },
    {
      source: 'analyzers_test.go virtualServiceDestinationRules, testdata/virtualservice_destinationrules.yaml reviews-bogussubset as written (no hosts)',
      manifests: [ist0101Dr, vs('default', 'reviews-bogussubset', { http: [{ route: [to('reviews', 'bogus')] }] })],
      istioctl: 1,
      ours: 0,
      note: 'differs: a VirtualService without hosts is rejected by validation and routes no client',
    },
    {
      source: 'analyzers_test.go DestinationRuleSubsetsNotSelectPods, testdata/destinationrule-subsets-not-select-pods.yaml (no pods), routed',
      manifests: [svc('default', 'httpbin', { app: 'httpbin' }, [{ port: 8000, name: 'http' }]),
        dr('default', 'subsets-not-select-pods', { host: 'httpbin.default.svc.cluster.local', subsets: [{ name: 'fake', labels: { version: 'v3' } }] }),
        vs('default', 'httpbin', { hosts: ['httpbin'], http: [{ route: [to('httpbin', 'fake')] }] })],
      istioctl: 1,
      ours: 0,
      note: 'differs: without the Service\'s pods in the input we do not claim the subset is empty',
    },
    {
      source: 'same fixture with an httpbin pod labelled version: v1 added, routed',
      manifests: [ns('default'), pod('default', 'httpbin', { app: 'httpbin', version: 'v1' }), svc('default', 'httpbin', { app: 'httpbin' }, [{ port: 8000, name: 'http' }]),
        dr('default', 'subsets-not-select-pods', { host: 'httpbin.default.svc.cluster.local', subsets: [{ name: 'fake', labels: { version: 'v3' } }] }),
        vs('default', 'httpbin', { hosts: ['httpbin'], http: [{ route: [to('httpbin', 'fake')] }] })],
      istioctl: 1,
      ours: 1,
    },
    {
      source: 'analyzers_test.go DestinationRuleSubsetsWithTopologyLabels, testdata/destinationrule-subsets-with-topology-labels.yaml, routed',
      manifests: [ns('default'), pod('default', 'httpbin-pod', { app: 'httpbin', version: 'v1' }), svc('default', 'httpbin', { app: 'httpbin' }, [{ port: 8000, name: 'http' }]),
        dr('default', 'subsets-with-topology-labels', {
          host: 'httpbin.default.svc.cluster.local',
          subsets: [
            { name: 'region-us-west', labels: { 'topology.kubernetes.io/region': 'us-west-1' } },
            { name: 'zone-us-west-1a', labels: { 'topology.kubernetes.io/zone': 'us-west-1a' } },
            { name: 'app-v1', labels: { version: 'v1' } },
            { name: 'mixed-labels', labels: { 'version': 'v1', 'topology.kubernetes.io/region': 'us-west-1' } },
          ],
        }),
        vs('default', 'httpbin', {
          hosts: ['httpbin'],
          http: [{
            route: [
              to('httpbin', 'region-us-west', 25), to('httpbin', 'zone-us-west-1a', 25), to('httpbin', 'app-v1', 25), to('httpbin', 'mixed-labels', 25),
            ],
          }],
        })],
      istioctl: 0,
      ours: 0,
    },
  ];
  for (const row of upstream) {
    it(`upstream: ${row.source}${row.note ? ` (${row.note})` : ''}`, () => {
      expect(findings('IMA027', row.manifests)).toHaveLength(row.ours);
    });
  }
  it('upstream agreement: 7 of 9 rows agree with istioctl', () => {
    expect(upstream.filter((r) => r.istioctl === r.ours)).toHaveLength(7);
  });
});

const PAY = 'pay.payments.svc.cluster.local';
/** `web/front` and the Service `payments/pay` (port 80 → 8080). */
const payments: Manifest[] = [
  ns('web'), ns('payments'),
  deploy('web', 'front', { serviceAccount: 'front' }),
  deploy('payments', 'pay', { ports: [8080] }),
  svc('payments', 'pay', { app: 'pay' }, [{ port: 80, targetPort: 8080, name: 'http' }]),
];
const scoped = sidecar('web', 'default', { egress: [{ hosts: ['./*', 'istio-system/*'] }] });
const namesPay = dr('web', 'pay', { host: PAY, trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } });

describe('IMA031 sidecar-scope-hides-host', () => {
  it('Compliance: the Sidecar imports the namespace of every Service the workload calls', () => {
    expect(findings('IMA031', [...payments, pa('payments', 'default', STRICT), namesPay,
      sidecar('web', 'default', { egress: [{ hosts: ['./*', 'payments/*'] }] })])).toEqual([]);
    expect(findings('IMA031', [...payments, pa('payments', 'default', STRICT), namesPay,
      sidecar('web', 'default', { egress: [{ hosts: ['./*', `*/${PAY}`] }] })])).toEqual([]);
  });
  it('Noncompliance 1: a called host outside the scope goes to the PassthroughCluster in plaintext and a STRICT port resets it (SEMANTICS §6 example 1)', () => {
    const f = findings('IMA031', [...payments, pa('payments', 'default', STRICT), namesPay, scoped]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].resource).toMatchObject({ kind: 'Sidecar', namespace: 'web', name: 'default' });
    expect(f[0].path).toBe('/spec/egress/0/hosts');
    expect(f[0].message).toBe('Sidecar web/default does not import Service payments/pay (port 80), which Deployment web/front calls '
      + '(named by DestinationRule web/pay); it goes to the PassthroughCluster as plaintext (no auto mTLS), and Deployment payments/pay:8080 '
      + 'accepts only mTLS (STRICT), so the call is reset');
  });
  it('Noncompliance 2: REGISTRY_ONLY blackholes the call whatever the server (SEMANTICS §6 example 2)', () => {
    const f = findings('IMA031', [...payments, ns('payments', {}), namesPay,
      sidecar('web', 'default', { egress: [{ hosts: ['./*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toContain('REGISTRY_ONLY sends it to the BlackHoleCluster, so it fails whatever the server');
    expect(findings('IMA031', [...payments, namesPay, scoped], { outboundTrafficPolicy: 'REGISTRY_ONLY' })[0].severity).toBe('error');
  });
  it('Noncompliance 3: a PERMISSIVE server takes the passthrough plaintext unencrypted (warning)', () => {
    const f = findings('IMA031', [...payments, namesPay, scoped]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('Deployment payments/pay:8080 is PERMISSIVE and takes it unencrypted and without identity');
  });
  it('Noncompliance 4: an AuthorizationPolicy that allows the workload\'s service account declares the call', () => {
    const f = findings('IMA031', [...payments, pa('payments', 'default', STRICT), scoped,
      ap('payments', 'allow-front', { ...sel({ app: 'pay' }), rules: [{ from: [{ source: { principals: ['cluster.local/ns/web/sa/front'] } }] }] })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('(AuthorizationPolicy payments/allow-front allows it)');
  });
  it('Noncompliance 5: a Sidecar that imports only istio-system hides the workload\'s neighbours', () => {
    const f = findings('IMA031', [ns('web'), deploy('web', 'front'), deploy('web', 'cart'), svc('web', 'cart', { app: 'cart' }, [{ port: 80, targetPort: 8080 }]),
      pa('web', 'default', STRICT), sidecar('web', 'default', { egress: [{ hosts: ['istio-system/*'] }] })]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('Service web/cart (port 80), which Deployment web/front calls (same namespace)');
  });
  it('Noncompliance 6: a listener declared on the port decides for that port alone', () => {
    const f = findings('IMA031', [...payments, pa('payments', 'default', STRICT), namesPay,
      sidecar('web', 'default', { egress: [{ port: { number: 80, protocol: 'HTTP', name: 'http' }, hosts: ['./*'] }, { hosts: ['payments/*'] }] })]);
    expect(f).toHaveLength(1);
    expect(f[0].path).toBe('/spec/egress/0/hosts');
  });
  it('Noncompliance 7: an ambient server port that is STRICT rejects the passthrough plaintext', () => {
    const f = findings('IMA031', [...payments, ns('payments', { 'istio.io/dataplane-mode': 'ambient' }), pa('payments', 'default', STRICT), namesPay, scoped],
      { ambient: true });
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
  });
  it('trap: a VirtualService the Sidecar imports that routes to the host imports it too', () => {
    expect(findings('IMA031', [...payments, pa('payments', 'default', STRICT), scoped,
      vs('web', 'pay', { hosts: [PAY], http: [{ route: [to(PAY)] }] })])).toEqual([]);
  });
  it('trap: a server that takes plaintext anyway (no sidecar, DISABLE) loses nothing under ALLOW_ANY', () => {
    expect(findings('IMA031', [...payments, ns('payments', {}), pa('payments', 'default', STRICT), namesPay, scoped])).toEqual([]);
    expect(findings('IMA031', [...payments, pa('payments', 'default', DISABLE), namesPay, scoped])).toEqual([]);
  });
  it('trap: clients without a sidecar, and ambient clients, ignore Sidecar resources', () => {
    expect(findings('IMA031', [...payments, ns('web', {}), pa('payments', 'default', STRICT), namesPay, scoped])).toEqual([]);
    expect(findings('IMA031', [...payments, ns('web', { 'istio.io/dataplane-mode': 'ambient' }), pa('payments', 'default', STRICT), namesPay, scoped],
      { ambient: true })).toEqual([]);
  });
  it('trap: a Sidecar without egress imports everything; one with an egressProxy sends unmatched traffic there', () => {
    expect(findings('IMA031', [...payments, pa('payments', 'default', STRICT), namesPay, sidecar('web', 'default', { ingress: [] })])).toEqual([]);
    expect(findings('IMA031', [...payments, pa('payments', 'default', STRICT), namesPay, sidecar('web', 'default', {
      egress: [{ hosts: ['./*'] }], outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'egress.istio-system.svc.cluster.local', port: { number: 80 } } },
    })])).toEqual([]);
  });
  it('trap: a Sidecar whose selector does not match the workload does not scope it', () => {
    expect(findings('IMA031', [...payments, pa('payments', 'default', STRICT), namesPay,
      sidecar('web', 'batch', { workloadSelector: { labels: { app: 'batch' } }, egress: [{ hosts: ['./*'] }] })])).toEqual([]);
  });
  it('trap: the workload\'s own Service, and Services nothing names, are not calls', () => {
    expect(findings('IMA031', [...payments, pa('payments', 'default', STRICT), scoped,
      svc('web', 'front', { app: 'front' }, [{ port: 80, targetPort: 8080 }]), sidecar('web', 'default', { egress: [{ hosts: ['istio-system/*'] }] })])).toEqual([]);
  });
  it('trap: an AuthorizationPolicy that allows another service account does not declare the call', () => {
    expect(findings('IMA031', [...payments, pa('payments', 'default', STRICT), scoped,
      ap('payments', 'allow-other', { ...sel({ app: 'pay' }), rules: [{ from: [{ source: { principals: ['cluster.local/ns/web/sa/other'] } }] }] })])).toEqual([]);
  });
});

const api: Manifest[] = [ns('web'), deploy('web', 'api', { ports: [8443, 8080] })];
const ingressTls = sidecar('web', 'api', {
  workloadSelector: { labels: { app: 'api' } },
  ingress: [{ port: { number: 8443, protocol: 'HTTPS', name: 'https' }, defaultEndpoint: '127.0.0.1:8443', tls: { mode: 'SIMPLE', credentialName: 'api-cert' } }],
});
const port8443Disabled = pa('web', 'api', { ...sel({ app: 'api' }), ...STRICT, portLevelMtls: { 8443: { mode: 'DISABLE' } } });

describe('IMA032 sidecar-ingress-tls-ignored', () => {
  it('Compliance: the flag is on and the port is DISABLE; ingress without tls', () => {
    expect(findings('IMA032', [...api, ingressTls, port8443Disabled], { enableTlsOnSidecarIngress: true })).toEqual([]);
    expect(findings('IMA032', [...api, sidecar('web', 'api', { ingress: [{ port: { number: 8443, protocol: 'HTTPS' }, defaultEndpoint: '127.0.0.1:8443' }] })])).toEqual([]);
  });
  it('Noncompliance 1: istiod runs without ENABLE_TLS_ON_SIDECAR_INGRESS (SEMANTICS §6 example 3)', () => {
    const f = findings('IMA032', [...api, ingressTls, pa('web', 'default', STRICT)]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].path).toBe('/spec/ingress/0/tls');
    expect(f[0].message).toBe('Sidecar web/api sets tls on ingress port 8443, but istiod ignores it: ENABLE_TLS_ON_SIDECAR_INGRESS is off '
      + '(mesh option enableTlsOnSidecarIngress), so the port keeps Istio mTLS and never presents the configured certificate');
  });
  it('Noncompliance 2: the flag is on but the port is STRICT', () => {
    const f = findings('IMA032', [...api, ingressTls, pa('web', 'default', STRICT)], { enableTlsOnSidecarIngress: true });
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('and Deployment web/api:8443 is STRICT (PeerAuthentication web/default)');
    expect(f[0].related?.[0].name).toBe('default');
  });
  it('Noncompliance 3: the flag is on, the workloads are not in the input, and the namespace is PERMISSIVE by default', () => {
    const f = findings('IMA032', [ingressTls], { enableTlsOnSidecarIngress: true });
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('port 8443 of its workloads (not in the input) is PERMISSIVE (Istio default)');
  });
  it('Noncompliance 4: a DISABLE on another port does not count', () => {
    expect(findings('IMA032', [...api, ingressTls, pa('web', 'api', { ...sel({ app: 'api' }), portLevelMtls: { 8080: { mode: 'DISABLE' } } })],
      { enableTlsOnSidecarIngress: true })).toHaveLength(1);
  });
  it('trap: a workload-wide or namespace DISABLE makes the port DISABLE', () => {
    expect(findings('IMA032', [...api, ingressTls, pa('web', 'default', DISABLE)], { enableTlsOnSidecarIngress: true })).toEqual([]);
    expect(findings('IMA032', [...api, ingressTls, pa('web', 'api', { ...sel({ app: 'api' }), ...DISABLE })], { enableTlsOnSidecarIngress: true })).toEqual([]);
  });
  it('trap: a Sidecar that applies only to workloads without a sidecar configures nothing', () => {
    expect(findings('IMA032', [ns('web', {}), deploy('web', 'api', { ports: [8443] }), ingressTls])).toEqual([]);
  });
  it('trap: with the flag on, a Sidecar that applies to none of its namespace\'s workloads in the input is not judged by mode', () => {
    const plainSidecar = sidecar('web', 'api', { workloadSelector: { labels: { app: 'api' } }, ingress: [{ port: { number: 8443, protocol: 'HTTPS' }, defaultEndpoint: '127.0.0.1:8443' }] });
    const nsWide = sidecar('web', 'default', { ingress: [{ port: { number: 8443, protocol: 'HTTPS' }, defaultEndpoint: '127.0.0.1:8443', tls: { mode: 'SIMPLE' } }] });
    expect(findings('IMA032', [...api, plainSidecar, nsWide, pa('web', 'default', PERMISSIVE)], { enableTlsOnSidecarIngress: true })).toEqual([]);
    expect(findings('IMA032', [...api, plainSidecar, nsWide, pa('web', 'default', PERMISSIVE)])).toHaveLength(1);
  });
});
