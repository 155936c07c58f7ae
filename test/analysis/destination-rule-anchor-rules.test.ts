import { describe, expect, it } from 'vitest';
import { deploy, dr, findings, ns, pa, svc } from './helpers';
import { Finding } from '../../src/model/finding';
import { Manifest } from '../../src/model/manifest';
import { buildMeshModel } from '../../src/model/mesh-model';
import { explainMesh, lookupDestinationRule, resolveClientTls } from '../../src/resolution';

const tls = (mode: string) => ({ trafficPolicy: { tls: { mode } } });

/** shop/web calls shop/api (port 80 → 8080); both with sidecars. */
const shop: Manifest[] = [
  ns('shop'),
  deploy('shop', 'web', { labels: { app: 'web' } }),
  deploy('shop', 'api', { ports: [8080] }),
  svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]),
];
const API = 'api.shop.svc.cluster.local';

function webToApi(extra: Manifest[]) {
  const model = buildMeshModel([...shop, ...extra]);
  const e = explainMesh(model, { connections: true, connectionScope: 'all' });
  const conn = e.connections!.find((c) => c.from.name === 'web' && c.to.service === 'api')!;
  const client = resolveClientTls(model, model.workloads.find((w) => w.name === 'web')!, model.services[0], 80);
  return { conn, client, model };
}

describe('competing DestinationRules in the resolution: a choice only age decides is never settled by name', () => {
  it('two merged rules with different top-level tls: explain says ambiguous, lists both rules and names none', () => {
    const { conn, client } = webToApi([pa('shop', 'default', { mtls: { mode: 'PERMISSIVE' } }),
      dr('shop', 'a-mtls', { host: 'api', ...tls('ISTIO_MUTUAL') }), dr('shop', 'b-plain', { host: 'api', ...tls('DISABLE') })]);
    expect(conn).toMatchObject({ tls: 'ambiguous', possibleTls: ['mtls', 'plaintext'], outcome: 'ok', destinationRule: null });
    expect(conn.competingDestinationRules).toEqual([{ namespace: 'shop', name: 'a-mtls' }, { namespace: 'shop', name: 'b-plain' }]);
    expect(conn.reason).toContain('DestinationRules shop/a-mtls, shop/b-plain merge differently depending on which is oldest (the client sends mtls or plaintext)');
    // The client-side answer is the least protected one, never mTLS by name order.
    expect(client).toMatchObject({ tls: 'plaintext', possibleTls: ['mtls', 'plaintext'] });
  });

  it('against a STRICT port the contested call fails: never a false STRICT success', () => {
    const { conn } = webToApi([pa('shop', 'default', { mtls: { mode: 'STRICT' } }),
      dr('shop', 'a-mtls', { host: 'api', ...tls('ISTIO_MUTUAL') }), dr('shop', 'b-plain', { host: 'api', ...tls('DISABLE') })]);
    expect(conn).toMatchObject({ tls: 'ambiguous', outcome: 'fails', destinationRule: null });
  });

  it('the contest is the same whatever the rules are named (swapped names give the same answer)', () => {
    const { client } = webToApi([dr('shop', 'a-plain', { host: 'api', ...tls('DISABLE') }), dr('shop', 'b-mtls', { host: 'api', ...tls('ISTIO_MUTUAL') })]);
    expect(client).toMatchObject({ tls: 'plaintext', possibleTls: ['mtls', 'plaintext'] });
  });

  it('trap: two rules that merge cleanly (one top-level policy, distinct subsets) are decided: the policy holder wins whatever its age', () => {
    const { conn, client } = webToApi([
      dr('shop', 'a-subsets', { host: 'api', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
      dr('shop', 'b-policy', { host: 'api', ...tls('DISABLE'), subsets: [{ name: 'v2', labels: { version: 'v2' } }] }),
    ]);
    expect(conn).toMatchObject({ tls: 'plaintext', destinationRule: { namespace: 'shop', name: 'b-policy' } });
    expect(conn.competingDestinationRules).toBeUndefined();
    expect(conn.possibleTls).toBeUndefined();
    // Before the merge was followed, the rule first by name (a-subsets, no tls) made it auto mTLS.
    expect(client).toMatchObject({ tls: 'plaintext', source: 'destination-rule' });
  });

  it('rules of one host that do not merge (exportTo differs): the sidecar uses the newest, so the choice is ambiguous', () => {
    const { conn } = webToApi([pa('shop', 'default', { mtls: { mode: 'PERMISSIVE' } }),
      dr('shop', 'private', { host: 'api', exportTo: ['.'], ...tls('DISABLE') }),
      dr('shop', 'public', { host: 'api', exportTo: ['*'], ...tls('ISTIO_MUTUAL') })]);
    expect(conn).toMatchObject({ tls: 'ambiguous', possibleTls: ['mtls', 'plaintext'], destinationRule: null });
  });

  it('trap: a workloadSelector rule beats the namespace-wide one for its workloads, whatever their age', () => {
    const { conn } = webToApi([
      dr('shop', 'for-web', { host: 'api', workloadSelector: { matchLabels: { app: 'web' } }, ...tls('ISTIO_MUTUAL') }),
      dr('shop', 'everyone', { host: 'api', ...tls('DISABLE') }),
    ]);
    expect(conn).toMatchObject({ tls: 'mtls', destinationRule: { namespace: 'shop', name: 'for-web' } });
    expect(conn.competingDestinationRules).toBeUndefined();
  });

  it('the lookup still names a rule (the first by name, for display) and lists the others as competing', () => {
    const model = buildMeshModel([...shop, dr('shop', 'b', { host: 'api', ...tls('DISABLE') }), dr('shop', 'a', { host: API, ...tls('ISTIO_MUTUAL') })]);
    const lookup = lookupDestinationRule(model, { namespace: 'shop' }, API, 'shop');
    expect(lookup.rule?.name).toBe('a');
    expect(lookup.competing.map((d) => d.name)).toEqual(['b']);
    expect(lookup.consulted?.rules.map((d) => d.name)).toEqual(['a', 'b']);
  });
});

// --- the rules ----------------------------------------------------------------

function vs(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace }, spec };
}
function se(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace }, spec };
}
function sidecar(namespace: string, name: string, hosts: string[]): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace }, spec: { egress: [{ hosts }] } };
}
const v1 = { name: 'v1', labels: { version: 'v1' } };
const v2 = { name: 'v2', labels: { version: 'v2' } };
const brief = (fs: readonly Finding[]) => fs.map((f) => `${f.severity} ${f.resource.namespace}/${f.resource.name} ${f.path}`);

describe('IMA034 competing-destination-rules', () => {
  it('Compliance: rules of one host that merge cleanly (distinct subsets, one top-level policy)', () => {
    expect(findings('IMA034', [...shop, dr('shop', 'api-v1', { host: 'api', ...tls('ISTIO_MUTUAL'), subsets: [v1] }),
      dr('shop', 'api-v2', { host: API, subsets: [v2] })])).toEqual([]);
  });
  it('Noncompliance 1: two top-level policies whose TLS differs are an error on both, naming each other', () => {
    const f = findings('IMA034', [...shop, dr('shop', 'a', { host: 'api', ...tls('ISTIO_MUTUAL') }), dr('shop', 'b', { host: API, ...tls('DISABLE') })]);
    expect(brief(f)).toEqual(['error shop/a /spec/trafficPolicy', 'error shop/b /spec/trafficPolicy']);
    expect(f[0].message).toBe('DestinationRules shop/a, shop/b apply to host api.shop.svc.cluster.local in namespace shop for clients in namespace '
      + 'shop, clients in other namespaces: both set a top-level trafficPolicy and Istio keeps only the oldest one\'s. Which applies depends on '
      + 'their age, which manifests do not carry; the TLS they would apply differs (DISABLE from shop/b, ISTIO_MUTUAL from shop/a)');
    expect(f[0].related?.map((r) => r.name)).toEqual(['b']);
    expect(f[1].related?.map((r) => r.name)).toEqual(['a']);
  });
  it('Noncompliance 2: two top-level policies with the same TLS (load balancing only) are a warning', () => {
    const lb = (simple: string) => ({ trafficPolicy: { loadBalancer: { simple } } });
    const f = findings('IMA034', [...shop, dr('shop', 'a', { host: 'api', ...lb('ROUND_ROBIN') }), dr('shop', 'b', { host: 'api', ...lb('LEAST_REQUEST') })]);
    expect(brief(f)).toEqual(['warning shop/a /spec/trafficPolicy', 'warning shop/b /spec/trafficPolicy']);
  });
  it('Noncompliance 3: a subset name defined twice (the oldest definition wins) is reported at the subset', () => {
    const f = findings('IMA034', [...shop, dr('shop', 'a', { host: 'api', subsets: [v1] }), dr('shop', 'b', { host: 'api', subsets: [v2, { ...v1, labels: { track: 'x' } }] })]);
    expect(brief(f)).toEqual(['warning shop/a /spec/subsets/0', 'warning shop/b /spec/subsets/1']);
    expect(f[0].message).toContain('subset v1 is defined by more than one of them and Istio keeps the oldest definition');
  });
  it('Noncompliance 4: a duplicated subset whose own tls differs is an error', () => {
    const f = findings('IMA034', [...shop, dr('shop', 'a', { host: 'api', subsets: [{ ...v1, ...tls('DISABLE') }] }),
      dr('shop', 'b', { host: 'api', subsets: [{ ...v1, ...tls('ISTIO_MUTUAL') }] })]);
    expect(f.map((x) => x.severity)).toEqual(['error', 'error']);
  });
  it('Noncompliance 5: rules that do not merge (exportTo differs): the sidecar uses the newest entry alone', () => {
    const f = findings('IMA034', [...shop, dr('shop', 'private', { host: 'api', exportTo: ['.'], subsets: [v1] }),
      dr('shop', 'public', { host: 'api', exportTo: ['*'], subsets: [v2] })]);
    expect(brief(f)).toEqual(['warning shop/private /spec/exportTo', 'warning shop/public /spec/exportTo']);
    expect(f[0].message).toContain('for clients in namespace shop: they do not all merge (exportTo or workloadSelector differ), and a sidecar uses only '
      + 'the newest of the entries it sees');
  });
  it('Noncompliance 6: two rules with the same workloadSelector merge for the workloads it selects', () => {
    const selector = { workloadSelector: { matchLabels: { app: 'web' } } };
    const f = findings('IMA034', [...shop, dr('shop', 'a', { host: 'api', ...selector, ...tls('ISTIO_MUTUAL') }),
      dr('shop', 'b', { host: 'api', ...selector, ...tls('DISABLE') })]);
    expect(brief(f)).toEqual(['error shop/a /spec/trafficPolicy', 'error shop/b /spec/trafficPolicy']);
    expect(f[0].message).toContain('for clients with app=web in namespace shop');
  });
  it('Noncompliance 7: two root-namespace rules compete for the whole mesh', () => {
    const f = findings('IMA034', [...shop, dr('istio-system', 'a', { host: '*.local', ...tls('ISTIO_MUTUAL') }),
      dr('istio-system', 'b', { host: '*.local', ...tls('DISABLE') })]);
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('clients in namespace istio-system, clients in other namespaces'), expect.any(String)]);
  });
  it('a contested DISABLE is judged by IMA007 too, whatever its name: it may be the policy Istio keeps', () => {
    const m = [...shop, pa('shop', 'default', { mtls: { mode: 'STRICT' } }), dr('shop', 'a-mtls', { host: 'api', ...tls('ISTIO_MUTUAL') }),
      dr('shop', 'b-plain', { host: 'api', ...tls('DISABLE') })];
    expect(brief(findings('IMA007', m))).toEqual(['error shop/b-plain /spec/trafficPolicy/tls/mode']);
    expect(brief(findings('IMA034', m))).toEqual(['error shop/a-mtls /spec/trafficPolicy', 'error shop/b-plain /spec/trafficPolicy']);
  });
  it('trap: a selector-less rule merged into a workloadSelector one never wins its policy (selector rules sort first)', () => {
    expect(findings('IMA034', [...shop, dr('shop', 'for-web', { host: 'api', workloadSelector: { matchLabels: { app: 'web' } }, ...tls('ISTIO_MUTUAL') }),
      dr('shop', 'everyone', { host: 'api', ...tls('DISABLE') })])).toEqual([]);
  });
  it('trap: rules of different namespaces never merge; each client looks in its own namespace first', () => {
    expect(findings('IMA034', [...shop, ns('web'), dr('shop', 'a', { host: 'api', ...tls('ISTIO_MUTUAL') }),
      dr('web', 'b', { host: API, ...tls('DISABLE') })])).toEqual([]);
  });
  it('trap: a wildcard and a specific host never merge (the most specific wins)', () => {
    expect(findings('IMA034', [...shop, dr('shop', 'all', { host: '*.shop.svc.cluster.local', ...tls('ISTIO_MUTUAL') }),
      dr('shop', 'api', { host: 'api', ...tls('DISABLE') })])).toEqual([]);
  });
  it('trap: `api.shop` is literal in istiod, so it does not merge with `api`', () => {
    expect(findings('IMA034', [...shop, dr('shop', 'a', { host: 'api', ...tls('ISTIO_MUTUAL') }), dr('shop', 'b', { host: 'api.shop', ...tls('DISABLE') })])).toEqual([]);
  });
  it('trap: clients whose Sidecar does not import the host never use the rules', () => {
    expect(findings('IMA034', [...shop, sidecar('shop', 'default', ['./*']),
      dr('shop', 'a', { host: 'kubernetes.default.svc.cluster.local', exportTo: ['.'], ...tls('ISTIO_MUTUAL') }),
      dr('shop', 'b', { host: 'kubernetes.default.svc.cluster.local', exportTo: ['.'], ...tls('DISABLE') })])).toEqual([]);
  });
  it('trap: the same findings whatever the input order', () => {
    const m = [...shop, dr('shop', 'a', { host: 'api', ...tls('ISTIO_MUTUAL'), subsets: [v1] }), dr('shop', 'b', { host: 'api', ...tls('DISABLE'), subsets: [v1] })];
    expect(JSON.stringify(findings('IMA034', [...m].reverse()))).toBe(JSON.stringify(findings('IMA034', m)));
  });
});

describe('IMA035 destination-rule-host-not-found', () => {
  it('Compliance: short names, FQDNs, wildcards and ServiceEntry hosts that exist', () => {
    expect(findings('IMA035', [...shop, dr('shop', 'short', { host: 'api' }), dr('shop', 'fqdn', { host: API }), dr('shop', 'ns', { host: '*.shop.svc.cluster.local' }),
      dr('istio-system', 'mesh', { host: '*.local' }), se('shop', 'ext', { hosts: ['api.example.com'] }), dr('shop', 'ext', { host: 'api.example.com' })])).toEqual([]);
  });
  it('Noncompliance 1: a short name of no Service of the rule\'s namespace (whose Services are in the input)', () => {
    const f = findings('IMA035', [...shop, dr('shop', 'typo', { host: 'apx' })]);
    expect(brief(f)).toEqual(['warning shop/typo /spec/host']);
    expect(f[0].message).toBe('DestinationRule shop/typo has host apx.shop.svc.cluster.local (written "apx"), but it matches no Service or ServiceEntry, '
      + 'and the input holds the Services of namespace shop: the rule applies to nothing (its tls and subsets are never used)');
  });
  it('Noncompliance 2: `svc.ns` is literal in istiod (Kiali accepts it): the rule applies to nothing', () => {
    for (const host of ['api.shop', 'api.shop.svc', 'api.shop.svc.cluster']) {
      const f = findings('IMA035', [...shop, dr('web', 'partial', { host })]);
      expect(f.map((x) => x.message)).toEqual([`DestinationRule web/partial has host ${host}, which istiod takes literally (only a name without dots is `
        + 'completed): it is not Service shop/api, matches no Service or ServiceEntry, and the rule applies to nothing']);
      expect(f[0].fix).toBe('write "api.shop.svc.cluster.local"');
    }
  });
  it('Noncompliance 3: a ServiceEntry that declares the host but is not exported to the rule\'s namespace', () => {
    const f = findings('IMA035', [...shop, ns('web'), se('shop', 'ext', { hosts: ['api.example.com'], exportTo: ['.'] }), dr('web', 'ext', { host: 'api.example.com' })]);
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('only ServiceEntry shop/ext declares it, which is not exported to namespace web')]);
    expect(f[0].related?.map((r) => r.name)).toEqual(['ext']);
  });
  it('Noncompliance 4: an external name no ServiceEntry of the input declares (the input holds ServiceEntries)', () => {
    const f = findings('IMA035', [...shop, se('shop', 'ext', { hosts: ['api.example.com'] }), dr('shop', 'other', { host: 'db.example.com' }),
      dr('shop', 'wild', { host: '*.example.org' })]);
    expect(brief(f)).toEqual(['warning shop/other /spec/host', 'warning shop/wild /spec/host']);
  });
  it('trap: no Service of the host\'s namespace in the input: not judged', () => {
    expect(findings('IMA035', [...shop, dr('shop', 'elsewhere', { host: 'db.data.svc.cluster.local' })])).toEqual([]);
  });
  it('trap: an external name without any ServiceEntry in the input: not judged', () => {
    expect(findings('IMA035', [...shop, dr('shop', 'ext', { host: 'db.example.com' })])).toEqual([]);
  });
  it('trap: a root-namespace rule counts a ServiceEntry private to its own namespace (clients there reach root rules)', () => {
    expect(findings('IMA035', [...shop, se('shop', 'ext', { hosts: ['api.example.com'], exportTo: ['.'] }),
      dr('istio-system', 'ext', { host: 'api.example.com' })])).toEqual([]);
  });
  it('trap: a wildcard ServiceEntry covers the host; a short ServiceEntry host is its namespace\'s', () => {
    expect(findings('IMA035', [...shop, se('shop', 'wild', { hosts: ['*.example.com'] }), dr('shop', 'a', { host: 'db.example.com' }),
      se('shop', 'short', { hosts: ['cache'], location: 'MESH_INTERNAL' }), dr('shop', 'b', { host: 'cache' })])).toEqual([]);
  });
});

describe('IMA036 subset-matches-nothing', () => {
  const versions = [...shop, deploy('shop', 'api-v1', { labels: { app: 'api', version: 'v1' } })];
  it('Compliance: each subset selects a pod template of the Service', () => {
    expect(findings('IMA036', [...versions, dr('shop', 'api', { host: 'api', subsets: [v1] })])).toEqual([]);
  });
  it('Noncompliance 1: a routed subset that selects nothing is a warning naming the route', () => {
    const f = findings('IMA036', [...versions, dr('shop', 'api', { host: 'api', subsets: [v1, v2] }),
      vs('shop', 'api', { hosts: ['api'], http: [{ route: [{ destination: { host: 'api', subset: 'v2' } }] }] })]);
    expect(brief(f)).toEqual(['warning shop/api /spec/subsets/1']);
    expect(f[0].message).toBe('Subset v2 of DestinationRule shop/api (host api.shop.svc.cluster.local) has labels version=v2, which match none of '
      + 'the endpoints of Service shop/api (selector app=api) in the input, so its cluster has no endpoints; VirtualService shop/api routes to it, '
      + 'and those requests fail with 503 (no healthy upstream)');
  });
  it('Noncompliance 2: an unused subset that selects nothing is info', () => {
    expect(brief(findings('IMA036', [...versions, dr('shop', 'api', { host: 'api', subsets: [v1, v2] })]))).toEqual(['info shop/api /spec/subsets/1']);
  });
  it('Noncompliance 3: the Service selector counts: `version: v2` of another app\'s pod does not make the subset select anything', () => {
    const f = findings('IMA036', [...versions, deploy('shop', 'web-v2', { labels: { app: 'web', version: 'v2' } }), dr('shop', 'api', { host: 'api', subsets: [v2] })]);
    expect(brief(f)).toEqual(['info shop/api /spec/subsets/0']);
  });
  it('Noncompliance 4: a subset without labels is info (it is the host\'s default cluster)', () => {
    const f = findings('IMA036', [...versions, dr('shop', 'api', { host: 'api', subsets: [{ name: 'all' }] })]);
    expect(f.map((x) => `${x.severity} ${x.message}`)).toEqual(['info Subset all of DestinationRule shop/api has no labels, so it selects every '
      + 'endpoint of api.shop.svc.cluster.local, like the host\'s default cluster']);
  });
  it('Noncompliance 5: a ServiceEntry whose inline endpoints carry other labels', () => {
    const f = findings('IMA036', [...shop, se('shop', 'db', { hosts: ['db.example.com'], endpoints: [{ address: '10.0.0.1', labels: { zone: 'a' } }] }),
      dr('shop', 'db', { host: 'db.example.com', subsets: [{ name: 'b', labels: { zone: 'b' } }] })]);
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('match none of the endpoints of ServiceEntry shop/db')]);
  });
  it('Noncompliance 6: an empty topology value never matches (pilot never sets one)', () => {
    const f = findings('IMA036', [...versions, dr('shop', 'api', { host: 'api', subsets: [{ name: 'nowhere', labels: { 'topology.kubernetes.io/region': '' } }] })]);
    expect(brief(f)).toEqual(['info shop/api /spec/subsets/0']);
  });
  it('trap: topology labels with a value are unknown offline and taken to match', () => {
    expect(findings('IMA036', [...versions, dr('shop', 'api', { host: 'api', subsets: [{ name: 'west', labels: { 'topology.kubernetes.io/region': 'us-west1' } }] })]))
      .toEqual([]);
  });
  it('trap: a WorkloadEntry the Service selects is an endpoint too', () => {
    const we = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'WorkloadEntry',
      metadata: { name: 'vm', namespace: 'shop' },
      spec: { address: '10.0.0.9', labels: { app: 'api', version: 'vm' } },
    };
    expect(findings('IMA036', [...versions, we, dr('shop', 'api', { host: 'api', subsets: [{ name: 'vm', labels: { version: 'vm' } }] })])).toEqual([]);
  });
  it('trap: no workload of the Service\'s namespace in the input, a wildcard host or a Service without selector: not judged', () => {
    expect(findings('IMA036', [ns('data'), svc('data', 'db', { app: 'db' }, [{ port: 5432 }]), dr('data', 'db', { host: 'db', subsets: [v2] })])).toEqual([]);
    expect(findings('IMA036', [...versions, dr('shop', 'all', { host: '*.shop.svc.cluster.local', subsets: [v2] })])).toEqual([]);
    const manual = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } };
    expect(findings('IMA036', [...versions, manual, dr('shop', 'manual', { host: 'manual', subsets: [v2] })])).toEqual([]);
  });
});

describe('IMA037 destination-rule-tls-without-ca', () => {
  const origin = (t: Record<string, unknown>, extra: Record<string, unknown> = {}) => dr('shop', 'ext', { host: 'api.example.com', trafficPolicy: { tls: t }, ...extra });
  it('Compliance: a private CA, a CA from a secret a workloadSelector names, Istio mTLS and DISABLE', () => {
    expect(findings('IMA037', [origin({ mode: 'SIMPLE', caCertificates: '/etc/certs/ca.pem', sni: 'api.example.com' }),
      dr('shop', 'secret', { host: 'db.example.com', workloadSelector: { matchLabels: { app: 'web' } }, trafficPolicy: { tls: { mode: 'MUTUAL', credentialName: 'db' } } }),
      dr('shop', 'mesh', { host: 'api', ...tls('ISTIO_MUTUAL') }), dr('shop', 'off', { host: 'web', ...tls('DISABLE') })])).toEqual([]);
  });
  it('Noncompliance 1: insecureSkipVerify turns verification off (warning)', () => {
    const f = findings('IMA037', [origin({ mode: 'SIMPLE', caCertificates: '/etc/certs/ca.pem', insecureSkipVerify: true })]);
    expect(brief(f)).toEqual(['warning shop/ext /spec/trafficPolicy/tls/insecureSkipVerify']);
    expect(f[0].message).toBe('DestinationRule shop/ext (host api.example.com) originates TLS SIMPLE (for the host) and sets insecureSkipVerify: true, '
      + 'so the proxy does not verify the server\'s certificate at all (anyone on the path can impersonate it)');
  });
  it('Noncompliance 2: sni without subjectAltNames or caCertificates: no server name is checked (warning)', () => {
    const f = findings('IMA037', [origin({ mode: 'SIMPLE', sni: 'api.example.com' })]);
    expect(f.map((x) => `${x.severity} ${x.message}`)).toEqual(['warning DestinationRule shop/ext (host api.example.com) originates TLS SIMPLE (for the '
      + 'host) and sets sni api.example.com without subjectAltNames or caCertificates: the proxy verifies the chain against the OS CA bundle only and '
      + 'checks no server name, so any certificate a public CA issued is accepted']);
  });
  it('Noncompliance 3: credentialName without workloadSelector: sidecars get no TLS from it (warning)', () => {
    const f = findings('IMA037', [dr('shop', 'ext', { host: 'api.example.com', trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE', credentialName: 'ext' } }] } })]);
    expect(brief(f)).toEqual(['warning shop/ext /spec/trafficPolicy/portLevelSettings/0/tls/credentialName']);
    expect(f[0].message).toContain('(port 443) and names credentialName ext in a rule without workloadSelector: pilot builds no TLS for sidecars from it');
  });
  it('Noncompliance 4: no caCertificates: verified against the public roots, not a private CA (info)', () => {
    const f = findings('IMA037', [origin({ mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem' })]);
    expect(brief(f)).toEqual(['info shop/ext /spec/trafficPolicy/tls']);
    expect(f[0].message).toContain('the proxy verifies the server against the OS (public) CA bundle, not a private CA');
  });
  it('Noncompliance 5: a subset\'s own tls is judged too (istioctl does not)', () => {
    const f = findings('IMA037', [dr('shop', 'ext', { host: 'api.example.com', subsets: [{ name: 'v1', labels: { version: 'v1' }, ...tls('SIMPLE') }] })]);
    expect(f.map((x) => `${x.severity} ${x.path} ${x.message.includes('(subset v1)')}`)).toEqual(['info /spec/subsets/0/trafficPolicy/tls true']);
  });
  it('trap: subjectAltNames without a CA is info only (the server name is checked)', () => {
    const f = findings('IMA037', [origin({ mode: 'SIMPLE', sni: 'api.example.com', subjectAltNames: ['api.example.com'] })]);
    expect(f.map((x) => x.severity)).toEqual(['info']);
    expect(f[0].message).toContain('the server name is checked against subjectAltNames api.example.com');
  });
  it('trap: a configmap:// credential carries its CA for every proxy', () => {
    expect(findings('IMA037', [origin({ mode: 'SIMPLE', credentialName: 'configmap://ca-bundle' })])).toEqual([]);
  });
});

describe('IMA038 export-to-unknown-namespace', () => {
  it('Compliance: `.`, `*` and namespaces of the input', () => {
    expect(findings('IMA038', [...shop, ns('web'), dr('shop', 'a', { host: 'api', exportTo: ['.', 'web'] }), dr('shop', 'b', { host: 'api', exportTo: ['*'] }),
      vs('shop', 'api', { hosts: ['api'], exportTo: ['shop', 'istio-system'] })])).toEqual([]);
  });
  it('Noncompliance 1: a DestinationRule exported to a misspelt namespace', () => {
    const f = findings('IMA038', [...shop, dr('shop', 'a', { host: 'api', exportTo: ['.', 'shpo'] })]);
    expect(brief(f)).toEqual(['warning shop/a /spec/exportTo/1']);
    expect(f[0].message).toBe('DestinationRule shop/a is exported to namespace "shpo", which is not in the input (namespaces: istio-system, shop): '
      + 'this entry makes it visible nowhere until such a namespace exists');
  });
  it('Noncompliance 2: VirtualServices and ServiceEntries too', () => {
    const f = findings('IMA038', [...shop, vs('shop', 'api', { hosts: ['api'], exportTo: ['frontend'] }), se('shop', 'ext', { hosts: ['a.example.com'], exportTo: ['.', 'backend'] })]);
    expect(brief(f)).toEqual(['warning shop/ext /spec/exportTo/1', 'warning shop/api /spec/exportTo/0']);
  });
  it('trap: without Namespace objects nothing is judged', () => {
    expect(findings('IMA038', [deploy('shop', 'api'), dr('shop', 'a', { host: 'api', exportTo: ['shpo'] })])).toEqual([]);
  });
  it('trap: a namespace some object lives in is known without its Namespace object; `~` hides a ServiceEntry everywhere', () => {
    expect(findings('IMA038', [...shop, deploy('web', 'front'), dr('shop', 'a', { host: 'api', exportTo: ['web'] }),
      se('shop', 'ext', { hosts: ['a.example.com'], exportTo: ['~'] })])).toEqual([]);
  });
});
