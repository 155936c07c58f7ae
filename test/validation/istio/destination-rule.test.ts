import { describe, expect, it } from 'vitest';
import { assertCase, codes, destinationRule, findings, RuleCase } from './helpers';
import { DESTINATION_RULE_RULES } from '../../../src/validation/istio';

const host = 'reviews.shop.svc.cluster.local';
const dr = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => destinationRule({ host, ...spec }, metadata);
const tp = (trafficPolicy: Record<string, unknown>) => dr({ trafficPolicy });
const tls = (settings: Record<string, unknown>) => tp({ tls: settings });
const lb = (loadBalancer: Record<string, unknown>, extra: Record<string, unknown> = {}) => tp({ loadBalancer, ...extra });
const outlier = { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' };

const CASES: RuleCase[] = [
  {
    code: 'IMV601',
    name: 'an IP address as host',
    reject: destinationRule({ host: '10.0.0.1' }),
    accept: destinationRule({ host: 'Reviews.Shop' }),
    path: '/spec/host',
  },
  {
    code: 'IMV601',
    name: 'a wildcard in the middle',
    reject: destinationRule({ host: 'reviews.*.svc.cluster.local' }),
    accept: destinationRule({ host: '*.svc.cluster.local' }),
  },
  {
    code: 'IMV601',
    name: 'an empty host',
    reject: destinationRule({ host: '' }),
    accept: destinationRule({ host: '*' }),
  },
  {
    code: 'IMV602',
    name: 'an empty traffic policy',
    reject: tp({}),
    accept: tp({ tls: {} }),
    path: '/spec/trafficPolicy',
  },
  {
    code: 'IMV602',
    name: 'a subset traffic policy with only an empty portLevelSettings list',
    reject: dr({ subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { portLevelSettings: [] } }] }),
    accept: dr({ subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { retryBudget: { percent: 20 } } }] }),
  },
  {
    code: 'IMV603',
    name: 'tunnel with proxyProtocol',
    reject: tp({ tunnel: { targetHost: 'proxy.example.com', targetPort: 3128 }, proxyProtocol: { version: 'V1' } }),
    accept: tp({ tunnel: { targetHost: 'proxy.example.com', targetPort: 3128 } }),
  },
  {
    code: 'IMV604',
    name: 'an empty connection pool',
    reject: tp({ connectionPool: {} }),
    accept: tp({ connectionPool: { tcp: {} } }),
  },
  {
    code: 'IMV605',
    name: 'a negative limit',
    reject: tp({ connectionPool: { http: { http1MaxPendingRequests: -1 } } }),
    accept: tp({ connectionPool: { http: { http1MaxPendingRequests: 0 } } }),
    path: '/spec/trafficPolicy/connectionPool/http/http1MaxPendingRequests',
  },
  {
    code: 'IMV606',
    name: 'useClientProtocol with UPGRADE',
    reject: tp({ connectionPool: { http: { h2UpgradePolicy: 'UPGRADE', useClientProtocol: true } } }),
    accept: tp({ connectionPool: { http: { h2UpgradePolicy: 'UPGRADE', useClientProtocol: false } } }),
  },
  {
    code: 'IMV607',
    name: 'a sub-millisecond connect timeout',
    reject: tp({ connectionPool: { tcp: { connectTimeout: '0.5ms' } } }),
    accept: tp({ connectionPool: { tcp: { connectTimeout: '1ms' } } }),
    path: '/spec/trafficPolicy/connectionPool/tcp/connectTimeout',
  },
  {
    code: 'IMV607',
    name: 'a duration with microseconds',
    reject: tp({ outlierDetection: { interval: '1.0005s' } }),
    accept: tp({ outlierDetection: { interval: '1.5s', baseEjectionTime: '2m' } }),
  },
  {
    code: 'IMV607',
    name: 'a malformed tcp idle timeout (0s, which disables it, is fine)',
    reject: tp({ connectionPool: { tcp: { idleTimeout: 'soon' } } }),
    accept: tp({ connectionPool: { tcp: { idleTimeout: '0s' } } }),
  },
  {
    code: 'IMV608',
    name: 'deprecated consecutiveErrors',
    reject: tp({ outlierDetection: { consecutiveErrors: 5 } }),
    accept: tp({ outlierDetection: { consecutive5xxErrors: 5 } }),
  },
  {
    code: 'IMV609',
    name: 'local-origin failures without the split',
    reject: tp({ outlierDetection: { consecutiveLocalOriginFailures: 3 } }),
    accept: tp({ outlierDetection: { consecutiveLocalOriginFailures: 3, splitExternalLocalOriginErrors: true } }),
  },
  {
    code: 'IMV610',
    name: 'maxEjectionPercent above 100',
    reject: tp({ outlierDetection: { maxEjectionPercent: 101 } }),
    accept: tp({ outlierDetection: { maxEjectionPercent: 100, minHealthPercent: 0 } }),
  },
  {
    code: 'IMV611',
    name: 'httpCookie without name',
    reject: lb({ consistentHash: { httpCookie: { ttl: '0s' } } }),
    accept: lb({ consistentHash: { httpCookie: { name: 'user', ttl: '0s' } } }),
  },
  {
    code: 'IMV612',
    name: 'deprecated minimumRingSize',
    reject: lb({ consistentHash: { useSourceIp: true, minimumRingSize: 1024 } }),
    accept: lb({ consistentHash: { useSourceIp: true, ringHash: { minimumRingSize: 1024 } } }),
  },
  {
    code: 'IMV613',
    name: 'minimumRingSize with maglev',
    reject: lb({ consistentHash: { useSourceIp: true, minimumRingSize: 1024, maglev: { tableSize: 65537 } } }),
    accept: lb({ consistentHash: { useSourceIp: true, minimumRingSize: 1024 } }),
  },
  {
    code: 'IMV614',
    name: 'a maglev table size that is not prime',
    reject: lb({ consistentHash: { useSourceIp: true, maglev: { tableSize: 65536 } } }),
    accept: lb({ consistentHash: { useSourceIp: true, maglev: { tableSize: 65537 } } }),
  },
  {
    code: 'IMV615',
    name: 'distribute with failover',
    reject: lb({ localityLbSetting: { distribute: [{ from: 'a/*', to: { 'a/*': 100 } }], failover: [{ from: 'a', to: 'b' }] } }, { outlierDetection: outlier }),
    accept: lb({ localityLbSetting: { failover: [{ from: 'a', to: 'b' }] } }, { outlierDetection: outlier }),
  },
  {
    code: 'IMV616',
    name: 'failover with a topology label in failoverPriority',
    reject: lb({ localityLbSetting: { failover: [{ from: 'a', to: 'b' }], failoverPriority: ['topology.kubernetes.io/zone'] } }, { outlierDetection: outlier }),
    accept: lb({ localityLbSetting: { failover: [{ from: 'a', to: 'b' }], failoverPriority: ['topology.istio.io/network'] } }, { outlierDetection: outlier }),
  },
  {
    code: 'IMV617',
    name: 'weights that add up to 90',
    reject: lb({ localityLbSetting: { distribute: [{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 10 } }] } }),
    accept: lb({ localityLbSetting: { distribute: [{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } }] } }),
  },
  {
    code: 'IMV618',
    name: 'overlapping source localities',
    reject: lb({ localityLbSetting: { distribute: [{ from: 'us-west/*', to: { 'us-west/*': 100 } }, { from: 'us-west/zone1', to: { 'us-west/*': 100 } }] } }),
    accept: lb({ localityLbSetting: { distribute: [{ from: 'us-west/*', to: { 'us-west/*': 100 } }, { from: 'us-east/zone1', to: { 'us-east/*': 100 } }] } }),
  },
  {
    code: 'IMV618',
    name: 'a wildcard in the middle of a locality',
    reject: lb({ localityLbSetting: { distribute: [{ from: 'us-west/*/sub', to: { 'us-west/*': 100 } }] } }),
    accept: lb({ localityLbSetting: { distribute: [{ from: 'us-west/zone/*', to: { 'us-west/*': 100 } }] } }),
  },
  {
    code: 'IMV619',
    name: 'failover without outlier detection',
    reject: lb({ localityLbSetting: { failover: [{ from: 'us-east', to: 'us-west' }] } }),
    accept: lb({ localityLbSetting: { failover: [{ from: 'us-east', to: 'us-west' }] } }, { outlierDetection: outlier }),
  },
  {
    code: 'IMV620',
    name: 'failover to the same region',
    reject: lb({ localityLbSetting: { failover: [{ from: 'us-east', to: 'us-east' }] } }, { outlierDetection: outlier }),
    accept: lb({ localityLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } }, { outlierDetection: outlier }),
  },
  {
    code: 'IMV621',
    name: 'warmup without duration',
    reject: lb({ warmup: { minimumPercent: 10 } }),
    accept: lb({ warmup: { duration: '60s', minimumPercent: 10 } }),
  },
  {
    code: 'IMV622',
    name: 'warmup aggression below 1',
    reject: lb({ warmup: { duration: '60s', aggression: 0.5 } }),
    accept: lb({ warmup: { duration: '60s', aggression: 1 } }),
  },
  {
    code: 'IMV623',
    name: 'configmap credential from another namespace',
    reject: tls({ mode: 'SIMPLE', credentialName: 'configmap://other/ca' }),
    accept: tls({ mode: 'SIMPLE', credentialName: 'configmap://shop/ca' }),
    path: '/spec/trafficPolicy/tls/credentialName',
  },
  {
    code: 'IMV624',
    name: 'insecureSkipVerify with a CA (SIMPLE)',
    reject: tls({ mode: 'SIMPLE', insecureSkipVerify: true, caCertificates: '/etc/ca.pem' }),
    accept: tls({ mode: 'SIMPLE', insecureSkipVerify: false, caCertificates: '/etc/ca.pem' }),
  },
  {
    code: 'IMV624',
    name: 'insecureSkipVerify with subjectAltNames (MUTUAL)',
    reject: tls({ mode: 'MUTUAL', insecureSkipVerify: true, credentialName: 'client', subjectAltNames: ['api.example.com'] }),
    accept: tls({ mode: 'MUTUAL', insecureSkipVerify: true, credentialName: 'client' }),
  },
  {
    code: 'IMV625',
    name: 'credentialName with a client certificate',
    reject: tls({ mode: 'MUTUAL', credentialName: 'client', clientCertificate: '/etc/cert.pem', privateKey: '/etc/key.pem' }),
    accept: tls({ mode: 'MUTUAL', credentialName: 'client' }),
  },
  {
    code: 'IMV626',
    name: 'MUTUAL without a client certificate',
    reject: tls({ mode: 'MUTUAL', sni: 'api.example.com' }),
    accept: tls({ mode: 'MUTUAL', clientCertificate: '/etc/cert.pem', privateKey: '/etc/key.pem' }),
    path: '/spec/trafficPolicy/tls/mode',
  },
  {
    code: 'IMV626',
    name: 'MUTUAL in a port-level setting without a client certificate',
    reject: tp({ portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'MUTUAL' } }] }),
    accept: tp({ portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'ISTIO_MUTUAL' } }] }),
  },
  {
    code: 'IMV627',
    name: 'a port-level setting without port',
    reject: tp({ portLevelSettings: [{ tls: { mode: 'ISTIO_MUTUAL' } }] }),
    accept: tp({ portLevelSettings: [{ port: { number: 9080 }, tls: { mode: 'ISTIO_MUTUAL' } }] }),
  },
  {
    code: 'IMV628',
    name: 'a port-level setting with only a port',
    reject: tp({ portLevelSettings: [{ port: { number: 9080 } }] }),
    accept: tp({ portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'LEAST_REQUEST' } }] }),
  },
  {
    code: 'IMV629',
    name: 'an unknown tunnel protocol',
    reject: tp({ tunnel: { protocol: 'GET', targetHost: 'proxy.example.com', targetPort: 3128 } }),
    accept: tp({ tunnel: { protocol: 'POST', targetHost: 'proxy.example.com', targetPort: 3128 } }),
  },
  {
    code: 'IMV630',
    name: 'a tunnel target that is neither a name nor an IP',
    reject: tp({ tunnel: { targetHost: 'proxy_1.example.com', targetPort: 3128 } }),
    accept: tp({ tunnel: { targetHost: '10.0.0.5', targetPort: 3128 } }),
  },
  {
    code: 'IMV631',
    name: 'a tunnel without target port',
    reject: tp({ tunnel: { targetHost: 'proxy.example.com' } }),
    accept: tp({ tunnel: { targetHost: 'proxy.example.com', targetPort: 65535 } }),
  },
  {
    code: 'IMV632',
    name: 'a null subset',
    reject: dr({ subsets: [null] }),
    accept: dr({ subsets: [{ name: 'v1' }] }),
  },
  {
    code: 'IMV633',
    name: 'duplicate subset names',
    reject: dr({ subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v1', labels: { version: 'v2' } }] }),
    accept: dr({ subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] }),
    path: '/spec/subsets/1/name',
  },
  {
    code: 'IMV634',
    name: 'a subset name with a dot',
    reject: dr({ subsets: [{ name: 'v1.0' }] }),
    accept: dr({ subsets: [{ name: 'V1-0' }] }),
  },
  {
    code: 'IMV635',
    name: 'a subset label value with a space',
    reject: dr({ subsets: [{ name: 'v1', labels: { version: 'v 1' } }] }),
    accept: dr({ subsets: [{ name: 'v1', labels: { 'app.kubernetes.io/version': '', 'version': 'v1_0.A' } }] }),
  },
  {
    code: 'IMV636',
    name: 'exportTo "~"',
    reject: dr({ exportTo: ['~'] }),
    accept: dr({ exportTo: ['.'] }),
    path: '/spec/exportTo/0',
  },
  {
    code: 'IMV636',
    name: 'exportTo with an invalid namespace name',
    reject: dr({ exportTo: ['team_a'] }),
    accept: dr({ exportTo: ['team-a', 'istio-system'] }),
  },
  {
    code: 'IMV637',
    name: '"." and the own namespace',
    reject: dr({ exportTo: ['.', 'shop'] }),
    accept: dr({ exportTo: ['.', 'frontend'] }),
  },
  {
    code: 'IMV638',
    name: 'exportTo beyond the namespace with a workloadSelector',
    reject: dr({ workloadSelector: { matchLabels: { app: 'web' } }, exportTo: ['frontend'] }),
    accept: dr({ workloadSelector: { matchLabels: { app: 'web' } }, exportTo: ['shop'] }),
  },
  {
    code: 'IMV639',
    name: '"*" with another entry',
    reject: dr({ exportTo: ['*', 'frontend'] }),
    accept: dr({ exportTo: ['*'] }),
  },
  {
    code: 'IMV640',
    name: 'empty workloadSelector key',
    reject: dr({ workloadSelector: { matchLabels: { '': 'web' } } }),
    accept: dr({ workloadSelector: { matchLabels: { app: 'web' } } }),
  },
  {
    code: 'IMV641',
    name: 'wildcard workloadSelector value',
    reject: dr({ workloadSelector: { matchLabels: { app: 'web*' } } }),
    accept: dr({ workloadSelector: { matchLabels: { app: 'web' } } }),
  },
  {
    code: 'IMV642',
    name: 'workloadSelector without labels',
    reject: dr({ workloadSelector: {} }),
    accept: dr({}),
  },
  {
    code: 'IMV643',
    name: 'dry-run annotation',
    reject: dr({}, { annotations: { 'istio.io/dry-run': 'false' } }),
    accept: dr({}, { annotations: { 'istio.io/dry_run': 'false' } }),
  },
  {
    code: 'IMV644',
    name: 'always-reject annotation',
    reject: dr({}, { annotations: { 'internal.istio.io/webhook-always-reject': '1' } }),
    accept: dr({}),
  },
  {
    code: 'IMV645',
    name: 'a cookie attribute without a name',
    reject: lb({ consistentHash: { httpCookie: { name: 'user', ttl: '0s', attributes: [{ name: 'SameSite', value: 'Lax' }, { name: '', value: 'x' }] } } }),
    accept: lb({ consistentHash: { httpCookie: { name: 'user', ttl: '0s', attributes: [{ name: 'SameSite', value: 'Lax' }, { name: 'Secure' }] } } }),
    path: '/spec/trafficPolicy/loadBalancer/consistentHash/httpCookie/attributes/1/name',
  },
  {
    code: 'IMV645',
    name: 'a repeated cookie attribute',
    reject: lb({ consistentHash: { httpCookie: { name: 'user', attributes: [{ name: 'SameSite', value: 'Lax' }, { name: 'SameSite', value: 'Strict' }] } } }),
    accept: lb({ consistentHash: { httpCookie: { name: 'user', attributes: [{ name: 'SameSite', value: 'Lax' }, { name: 'samesite', value: 'Strict' }] } } }),
    path: '/spec/trafficPolicy/loadBalancer/consistentHash/httpCookie/attributes/1/name',
  },
  {
    code: 'IMV646',
    name: 'a PROXY protocol version istiod does not know',
    reject: tp({ proxyProtocol: { version: 2 } }),
    accept: tp({ proxyProtocol: { version: 'V2' } }),
    path: '/spec/trafficPolicy/proxyProtocol/version',
  },
];

describe('DestinationRule webhook rules', () => {
  for (const c of CASES) {
    it(`${c.code}: fails on ${c.name}, passes the variant next to it`, () => assertCase(c));
  }

  it('has a reject case for every code of its catalogue', () => {
    expect(new Set(CASES.map((c) => c.code))).toEqual(new Set(DESTINATION_RULE_RULES.map((r) => r.code)));
  });

  it('accepts the ISTIO_MUTUAL rule of the guide in every served version', () => {
    for (const apiVersion of ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3']) {
      const m = { ...dr({ trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }), apiVersion };
      expect(codes(m)).toEqual([]);
    }
  });

  it('accepts SIMPLE TLS with SNI and a CA for an external service', () => {
    expect(codes(destinationRule({ host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'api.example.com', caCertificates: '/etc/ca.pem', subjectAltNames: ['api.example.com'] } } }))).toEqual([]);
  });

  it('fails with the exact message for MUTUAL without client certificate', () => {
    const f = findings(tls({ mode: 'MUTUAL' }));
    expect(f.map((x) => [x.code, x.severity, x.message])).toEqual([[
      'IMV626', 'error',
      'trafficPolicy.tls.mode MUTUAL requires a client certificate, but clientCertificate and privateKey are missing and no credentialName is set',
    ]]);
  });

  it('fails with the exact message for an IP host', () => {
    expect(findings(destinationRule({ host: '10.0.0.1' })).map((x) => x.message)).toEqual([
      'host "10.0.0.1" is not a valid host name: its top-level label "1" is all digits',
    ]);
  });

  it('names "." as the duplicate of the own namespace', () => {
    expect(findings(dr({ exportTo: ['.', 'shop'] })).map((x) => [x.path, x.message])).toEqual([
      ['/spec/exportTo/1', 'exportTo lists both "." and "shop", the DestinationRule\'s own namespace: they are the same entry'],
    ]);
  });

  it('stops at an empty traffic policy, as istiod does', () => {
    expect(codes(tp({}))).toEqual(['IMV602']);
  });

  it('checks subset traffic policies with the subset in the message', () => {
    const f = findings(dr({ subsets: [{ name: 'v1', trafficPolicy: { tls: { mode: 'MUTUAL', credentialName: 'c', caCrl: '/crl.pem' } } }] }));
    expect(f.map((x) => [x.code, x.path])).toEqual([['IMV625', '/spec/subsets/0/trafficPolicy/tls/credentialName']]);
    expect(f[0].message).toMatch(/^subsets\[0\]\.trafficPolicy\.tls\.credentialName "c" is set together with caCrl/);
  });

  it('accepts Go-style durations and a disabled (0s) tcp idle timeout', () => {
    expect(codes(tp({ connectionPool: { tcp: { connectTimeout: '1m30s', idleTimeout: '0s' }, http: { idleTimeout: '1h' } } }))).toEqual([]);
  });

  it('skips checks that need the namespace when the manifest has none', () => {
    const m = destinationRule({ host, exportTo: ['.', 'shop'], trafficPolicy: { tls: { mode: 'SIMPLE', credentialName: 'configmap://shop/ca' } } }, { namespace: undefined });
    expect(codes(m)).toEqual([]);
  });

  it('fails with the exact message for a repeated cookie attribute', () => {
    const f = findings(lb({ consistentHash: { httpCookie: { name: 'user', attributes: [{ name: 'Secure' }, { name: 'Secure' }] } } }));
    expect(f.map((x) => [x.code, x.message])).toEqual([[
      'IMV645', 'trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[1] repeats the attribute name "Secure": each name may appear once',
    ]]);
  });

  it('rejects a huge maglev table size at once, without testing it for primality', () => {
    const started = Date.now();
    expect(codes(lb({ consistentHash: { useSourceIp: true, maglev: { tableSize: 1000000000000000000 } } }))).toEqual(['IMV614']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reads the PROXY protocol version by name or by number, as istiod does', () => {
    expect(codes(tp({ proxyProtocol: { version: 1 } }))).toEqual([]);
    expect(codes(tp({ proxyProtocol: { version: 'V3' } }))).toEqual(['IMV803']);
  });

  it('still flags a workloadSelector rule exported to "*" without a namespace', () => {
    const m = destinationRule({ host, workloadSelector: { matchLabels: { app: 'web' } }, exportTo: ['*'] }, { namespace: undefined });
    expect(codes(m)).toEqual(['IMV638']);
  });
});
