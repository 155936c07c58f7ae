import { describe, expect, it } from 'vitest';
import { ap, deploy, DeployOpts, findings, ns, pa, PERMISSIVE, sel, STRICT, svc } from './helpers';
import { Manifest } from '../../src/model/manifest';

/*
 * The issue #26 checks that Kiali and istioctl make on AuthorizationPolicy
 * identities and sidecar injection (IMA039–IMA043), and the exception an
 * ALLOW policy makes useless (IMA044). The anchors' own cases are in
 * test/upstream/anchors-authz-injection.test.ts.
 */

const allowFrom = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ rules: [{ from: [{ source }], ...extra }] });

/** A Deployment with `extra` merged into its own metadata (`metadata`) or its pod spec (`podSpec`). */
function withSpec(
  namespace: string, name: string, podSpec: Record<string, unknown>, metadata: Record<string, unknown> = {}, opts: DeployOpts = {},
): Manifest {
  const d = deploy(namespace, name, opts);
  const template = (d.spec as { template: { metadata: object; spec: object } }).template;
  return {
    ...d,
    metadata: { ...(d.metadata as object), ...metadata },
    spec: { ...(d.spec as object), template: { ...template, spec: { ...template.spec, ...podSpec } } },
  };
}

/** A Pod as `kubectl get pod -o yaml` shows it: with a uid and a status. */
interface PodExtra { labels?: Record<string, string>; containers?: string[]; spec?: Record<string, unknown> }

function runningPod(namespace: string, name: string, extra: PodExtra = {}): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: '0b6c4b52-1f1c-4c39-9a4e-3f1b9f0e9a11', labels: extra.labels ?? { app: name } },
    spec: { containers: (extra.containers ?? ['app']).map((c) => ({ name: c, image: `example/${c}` })), ...extra.spec },
    status: { phase: 'Running' },
  };
}

describe('IMA039 authz-unknown-namespace', () => {
  const base = [ns('shop'), ns('prod-web'), ns('ns-a-prod'), deploy('billing', 'api')];
  it('Compliance: existing namespaces, prefix, suffix and middle wildcards, namespaces known from other objects, *', () => {
    const policy = ap('shop', 'p', allowFrom({ namespaces: ['shop', 'prod-*', '*-web', 'ns-*-prod', 'billing', 'istio-system', '*'] }));
    expect(findings('IMA039', [...base, policy])).toEqual([]);
  });
  it('Noncompliance 1: a namespaces entry that matches no namespace', () => {
    const f = findings('IMA039', [...base, ap('shop', 'p', allowFrom({ namespaces: ['shop', 'shopp'] }))]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', path: '/spec/rules/0/from/0/source/namespaces/1' });
    expect(f[0].message).toBe('AuthorizationPolicy shop/p namespaces entry "shopp" matches no namespace of the input '
      + '(billing, istio-system, ns-a-prod, prod-web, shop); it matches no caller');
  });
  it('Noncompliance 2: a notNamespaces entry excludes nobody', () => {
    const f = findings('IMA039', [...base, ap('shop', 'p', { action: 'DENY', ...allowFrom({ notNamespaces: ['prod-*', 'staging-*'] }) })]);
    expect(f.map((x) => x.path)).toEqual(['/spec/rules/0/from/0/source/notNamespaces/1']);
    expect(f[0].message).toContain('it excludes nobody');
  });
  it('Noncompliance 3: a source.namespace condition value', () => {
    const f = findings('IMA039', [...base, ap('shop', 'p', { rules: [{ when: [{ key: 'source.namespace', values: ['web'] }] }] })]);
    expect(f.map((x) => x.path)).toEqual(['/spec/rules/0/when/0/values/0']);
    expect(f[0].message).toContain('condition source.namespace entry "web"');
  });
  it('Noncompliance 4: istiod compares case-sensitively (istioctl does not)', () => {
    expect(findings('IMA039', [...base, ap('shop', 'p', allowFrom({ namespaces: ['Shop'] }))])).toHaveLength(1);
  });
  it('trap: an input without Namespace objects does not describe the namespaces: nothing is judged', () => {
    expect(findings('IMA039', [deploy('shop', 'api'), ap('shop', 'p', allowFrom({ namespaces: ['anything'] }))])).toEqual([]);
  });
});

describe('IMA040 authz-unknown-service-account', () => {
  const shop = [deploy('shop', 'web', { serviceAccount: 'web' }), deploy('shop', 'worker')];
  const principals = (list: string[], field = 'principals') => ap('shop', 'p', allowFrom({ [field]: list }));
  it('Compliance: service accounts in use (serviceAccountName, else default), prefix and suffix patterns, serviceAccounts entries', () => {
    expect(findings('IMA040', [...shop, principals([
      'cluster.local/ns/shop/sa/web', 'cluster.local/ns/shop/sa/default', 'cluster.local/ns/shop/sa/w*', 'cluster.local/ns/shop/*',
      '*/ns/shop/sa/web', '*.local/ns/shop/sa/default',
    ])])).toEqual([]);
    expect(findings('IMA040', [...shop, principals(['web', 'shop/default'], 'serviceAccounts')])).toEqual([]);
  });
  it('Compliance: the trust domain may be an alias, or cluster.local on a mesh with its own trust domain', () => {
    const opts = { trustDomain: 'prod.example', trustDomainAliases: ['old.example'] };
    expect(findings('IMA040', [...shop, principals(['prod.example/ns/shop/sa/web', 'old.example/ns/shop/sa/web', 'cluster.local/ns/shop/sa/web'])], opts)).toEqual([]);
  });
  it('Noncompliance 1: a principal naming a service account no workload of the namespace runs as', () => {
    const f = findings('IMA040', [...shop, principals(['cluster.local/ns/shop/sa/web', 'cluster.local/ns/shop/sa/wbe'])]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', path: '/spec/rules/0/from/0/source/principals/1' });
    expect(f[0].message).toBe('AuthorizationPolicy shop/p principal "cluster.local/ns/shop/sa/wbe" names service account "wbe" in '
      + 'namespace shop, but no workload of shop in the input runs as it (in use: default, web); it matches no caller');
  });
  it('Noncompliance 2: notPrincipals and source.principal conditions', () => {
    const f = findings('IMA040', [...shop, ap('shop', 'p', {
      rules: [{ from: [{ source: { notPrincipals: ['cluster.local/ns/shop/sa/admin'] } }], when: [{ key: 'source.principal', values: ['cluster.local/ns/shop/sa/x'] }] }],
    })]);
    expect(f.map((x) => x.path)).toEqual(['/spec/rules/0/from/0/source/notPrincipals/0', '/spec/rules/0/when/0/values/0']);
    expect(f[0].message).toContain('it excludes nobody');
  });
  it('Noncompliance 3: a serviceAccounts entry, in the policy\'s namespace or another', () => {
    const f = findings('IMA040', [...shop, deploy('web', 'front'), principals(['webb', 'web/front'], 'serviceAccounts')]);
    expect(f.map((x) => x.message.split(' names ')[1].split(',')[0])).toEqual([
      'service account "webb" in namespace shop', 'service account "front" in namespace web',
    ]);
  });
  it('Noncompliance 4: a prefix pattern that no service account in use starts with', () => {
    const f = findings('IMA040', [...shop, principals(['cluster.local/ns/shop/sa/api-*'])]);
    expect(f[0].message).toContain('names service accounts starting with "api-" in namespace shop');
  });
  it('trap: namespaces whose workloads are not in the input, other trust domains, * and malformed principals are left to other rules', () => {
    expect(findings('IMA040', [...shop, principals([
      'cluster.local/ns/bank/sa/x', 'other.example/ns/shop/sa/x', '*', '*/ns/shop/sa/x*', 'shop/x', 'cluster.local/ns/sh*',
    ])])).toEqual([]);
  });
  it('trap: a WorkloadEntry\'s service account counts', () => {
    const vm = { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'vm', namespace: 'shop' }, spec: { address: '10.0.0.9', serviceAccount: 'legacy' } };
    expect(findings('IMA040', [...shop, vm, principals(['cluster.local/ns/shop/sa/legacy'])])).toEqual([]);
  });
});

describe('IMA041 pod-missing-proxy', () => {
  const injected = ns('shop');
  it('Compliance: an injected Pod, an opted-out or hostNetwork Pod, and a Pod manifest not yet applied', () => {
    expect(findings('IMA041', [injected,
      runningPod('shop', 'ok', { containers: ['app', 'istio-proxy'] }),
      runningPod('shop', 'native', { spec: { initContainers: [{ name: 'istio-proxy', image: 'proxyv2' }] } }),
      runningPod('shop', 'out', { labels: { 'sidecar.istio.io/inject': 'false' } }),
      runningPod('shop', 'host', { spec: { hostNetwork: true } }),
      deploy('shop', 'manifest', { kind: 'Pod' })])).toEqual([]);
  });
  it('Noncompliance 1: a running Pod without istio-proxy in an istio-injection=enabled namespace', () => {
    const f = findings('IMA041', [injected, runningPod('shop', 'old')]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', resource: { kind: 'Pod', name: 'old' } });
    expect(f[0].message).toBe('Pod shop/old runs without an istio-proxy container, but namespace shop has istio-injection=enabled '
      + '(IST0103): it was created before injection applied to it, so it takes and sends plaintext');
  });
  it('Noncompliance 2: a revision namespace (istioctl looks at istio-injection only)', () => {
    expect(findings('IMA041', [ns('shop', { 'istio.io/rev': 'stable' }), runningPod('shop', 'old')])).toHaveLength(1);
  });
  it('Noncompliance 3: an error where the policies make the pod STRICT: nothing enforces it', () => {
    const f = findings('IMA041', [injected, pa('istio-system', 'default', STRICT), runningPod('shop', 'old')]);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toContain('although it is STRICT (PeerAuthentication istio-system/default), which nothing enforces');
  });
  it('Noncompliance 4: a Pod owned by a ReplicaSet of the input (a cluster dump) is still judged', () => {
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d9', namespace: 'shop' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app' }] } } } };
    const pod = runningPod('shop', 'web-5d9-x2k');
    const owned = { ...pod, metadata: { ...(pod.metadata as object), ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d9' }] } };
    expect(findings('IMA041', [injected, rs, owned]).map((f) => f.resource.name)).toEqual(['web-5d9-x2k']);
  });
  it('trap: namespaces that inject nothing, or that the input does not hold', () => {
    expect(findings('IMA041', [ns('shop', { 'istio-injection': 'disabled' }), runningPod('shop', 'old')])).toEqual([]);
    expect(findings('IMA041', [ns('shop', { 'istio.io/dataplane-mode': 'ambient' }), runningPod('shop', 'old')], { ambient: true })).toEqual([]);
    expect(findings('IMA041', [runningPod('shop', 'old')])).toEqual([]);
  });
});

describe('IMA042 proxy-uid-conflict', () => {
  it('Compliance: other UIDs, a pod-level 1337 every container overrides, init containers, istio-proxy, pods without a sidecar', () => {
    expect(findings('IMA042', [ns('shop'),
      withSpec('shop', 'a', { securityContext: { runAsUser: 1000 } }),
      withSpec('shop', 'b', { securityContext: { runAsUser: 1337 }, containers: [{ name: 'app', securityContext: { runAsUser: 1000 } }] }),
      withSpec('shop', 'c', { initContainers: [{ name: 'setup', securityContext: { runAsUser: 1337 } }] }),
      withSpec('shop', 'd', { containers: [{ name: 'app' }, { name: 'istio-proxy', securityContext: { runAsUser: 1337 } }] }),
      withSpec('shop', 'e', { securityContext: { runAsUser: 1337 } }, {}, { labels: { 'app': 'e', 'sidecar.istio.io/inject': 'false' } })])).toEqual([]);
  });
  it('Noncompliance 1: an application container running as 1337', () => {
    const f = findings('IMA042', [ns('shop'), withSpec('shop', 'api', { containers: [{ name: 'app' }, { name: 'batch', securityContext: { runAsUser: 1337 } }] })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', path: '/spec/template/spec/containers/1/securityContext/runAsUser' });
    expect(f[0].message).toBe('Deployment shop/api runs container(s) "batch" as UID 1337, the sidecar\'s own user (IST0144): '
      + 'the sidecar\'s iptables let that user\'s traffic bypass it, so these calls leave without mTLS');
  });
  it('Noncompliance 2: a pod-level 1337 that a container inherits', () => {
    const f = findings('IMA042', [ns('shop'), withSpec('shop', 'api', { securityContext: { runAsUser: 1337 } })]);
    expect(f[0].path).toBe('/spec/template/spec/securityContext/runAsUser');
    expect(f[0].message).toContain('"app" as UID 1337 (the pod\'s runAsUser)');
  });
  it('Noncompliance 3: every workload kind (istioctl judges Pods and Deployments only)', () => {
    const sts = { ...withSpec('shop', 'db', { securityContext: { runAsUser: 1337 } }), kind: 'StatefulSet' };
    expect(findings('IMA042', [ns('shop'), sts]).map((f) => f.resource.kind)).toEqual(['StatefulSet']);
  });
});

describe('IMA043 inject-label-on-wrong-object', () => {
  it('Compliance: the label and annotations on the pod template, and the same key on both', () => {
    const both = withSpec('shop', 'b', {}, { labels: { 'sidecar.istio.io/inject': 'false' } }, { labels: { 'app': 'b', 'sidecar.istio.io/inject': 'false' } });
    expect(findings('IMA043', [ns('shop'),
      deploy('shop', 'a', { labels: { 'app': 'a', 'sidecar.istio.io/inject': 'false' }, podAnnotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' } }),
      both])).toEqual([]);
  });
  it('Noncompliance 1: sidecar.istio.io/inject on the Deployment\'s own labels', () => {
    const f = findings('IMA043', [ns('shop'), withSpec('shop', 'job', {}, { labels: { 'sidecar.istio.io/inject': 'false' } })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', path: '/metadata/labels/sidecar.istio.io~1inject' });
    expect(f[0].message).toBe('Deployment shop/job carries label sidecar.istio.io/inject=false on its own metadata, where nothing '
      + 'reads it (IST0107): only the pod template\'s labels and annotations reach its pods, which get a sidecar (namespace shop has istio-injection=enabled)');
  });
  it('Noncompliance 2: Pod-only annotations (capture, proxy config) on the controller\'s metadata', () => {
    const annotations = { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090', 'proxy.istio.io/config': '{}', 'example.com/team': 'a' };
    const f = findings('IMA043', [ns('shop'), { ...withSpec('shop', 'db', {}, { annotations }), kind: 'StatefulSet' }]);
    expect(f[0].message).toContain('StatefulSet shop/db carries annotation proxy.istio.io/config: "{}", annotation traffic.sidecar.istio.io/excludeInboundPorts: "9090"');
  });
  it('Noncompliance 3: sidecar.istio.io/inject on a Namespace', () => {
    const f = findings('IMA043', [ns('shop', { 'sidecar.istio.io/inject': 'true' })]);
    expect(f[0]).toMatchObject({ resource: { kind: 'Namespace', name: 'shop' }, path: '/metadata/labels/sidecar.istio.io~1inject' });
  });
  it('trap: Namespace labels that do belong there, a Pod\'s own labels, other domains', () => {
    expect(findings('IMA043', [ns('shop', { 'istio.io/rev': 'stable', 'istio.io/dataplane-mode': 'ambient' }),
      deploy('shop', 'p', { kind: 'Pod', labels: { 'app': 'p', 'sidecar.istio.io/inject': 'false' } }),
      withSpec('shop', 'x', {}, { labels: { 'app.kubernetes.io/name': 'x' }, annotations: { 'deployment.kubernetes.io/revision': '3' } })])).toEqual([]);
  });
});

describe('IMA044 exception-denied-by-authz', () => {
  const api = [ns('pay'), deploy('pay', 'api', { ports: [8080, 8443] }), svc('pay', 'api', { app: 'api' }, [{ port: 443, targetPort: 8443 }])];
  const strict = pa('pay', 'default', STRICT);
  const exception = pa('pay', 'legacy', { ...sel({ app: 'api' }), portLevelMtls: { 8443: { mode: 'PERMISSIVE' } } });
  const checkout = { principals: ['cluster.local/ns/shop/sa/checkout'] };
  it('Compliance: an ALLOW rule without identity fields admits the plaintext callers on the port', () => {
    const policy = ap('pay', 'access', { ...sel({ app: 'api' }), rules: [{ from: [{ source: checkout }] }, { to: [{ operation: { ports: ['8443'], paths: ['/invoices'] } }] }] });
    expect(findings('IMA044', [...api, strict, exception, policy])).toEqual([]);
    const ipBlocks = ap('pay', 'access', { ...sel({ app: 'api' }), rules: [{ from: [{ source: checkout }, { source: { ipBlocks: ['10.1.0.0/16'] } }] }] });
    expect(findings('IMA044', [...api, strict, exception, ipBlocks])).toEqual([]);
  });
  it('Noncompliance 1: a port-level PERMISSIVE exception under a STRICT namespace, and an ALLOW on principals (the README quick start)', () => {
    const f = findings('IMA044', [...api, strict, exception, ap('pay', 'access', { ...sel({ app: 'api' }), ...allowFrom(checkout, { to: [{ operation: { methods: ['POST'] } }] }) })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', resource: { kind: 'PeerAuthentication', name: 'legacy' }, path: '/spec/portLevelMtls/8443/mode' });
    expect(f[0].related?.map((r) => r.name)).toEqual(['access']);
    expect(f[0].message).toBe('PeerAuthentication pay/legacy makes Deployment pay/api:8443 PERMISSIVE for plaintext callers, but '
      + 'AuthorizationPolicy pay/access (ALLOW) admits there only callers with an mTLS identity (principals); plaintext callers '
      + 'are denied, so the exception admits nobody');
  });
  it('Noncompliance 2: a namespace PERMISSIVE under a STRICT mesh, and a namespace-wide ALLOW on namespaces', () => {
    const f = findings('IMA044', [...api, pa('istio-system', 'default', STRICT), pa('pay', 'default', PERMISSIVE),
      ap('pay', 'from-shop', allowFrom({ namespaces: ['shop'] }))]);
    expect(f.map((x) => [x.resource.name, x.path])).toEqual([['default', '/spec/mtls/mode']]);
    expect(f[0].message).toContain('makes Deployment pay/api:8080, Deployment pay/api:8443 PERMISSIVE');
  });
  it('Noncompliance 3: identity conditions, and root-namespace ALLOW policies', () => {
    const f = findings('IMA044', [...api, strict, exception, ap('istio-system', 'mesh', { rules: [{ when: [{ key: 'source.namespace', values: ['shop'] }] }] })]);
    expect(f[0].message).toContain('AuthorizationPolicy istio-system/mesh (ALLOW) admits there only callers with an mTLS identity (source.namespace)');
  });
  it('trap: no exception (the PERMISSIVE default), no ALLOW, a dry-run ALLOW, or no ALLOW rule for the port at all', () => {
    const allow = ap('pay', 'access', { ...sel({ app: 'api' }), ...allowFrom(checkout) });
    expect(findings('IMA044', [...api, allow])).toEqual([]);
    expect(findings('IMA044', [...api, strict, exception])).toEqual([]);
    const dryRun = { ...allow, metadata: { ...(allow.metadata as object), annotations: { 'istio.io/dry-run': 'true' } } };
    expect(findings('IMA044', [...api, strict, exception, dryRun])).toEqual([]);
    const otherPort = ap('pay', 'access', { ...sel({ app: 'api' }), ...allowFrom(checkout, { to: [{ operation: { ports: ['8080'] } }] }) });
    expect(findings('IMA044', [...api, strict, exception, otherPort])).toEqual([]);
  });
  it('trap: an ALLOW that excludes callers (notPrincipals) matches plaintext: authz-requires-mtls says what that admits', () => {
    expect(findings('IMA044', [...api, strict, exception, ap('pay', 'access', allowFrom({ notPrincipals: ['cluster.local/ns/x/sa/y'] }))])).toEqual([]);
  });
  it('trap: an exception documented with the reason annotation is judged even without a STRICT level above it', () => {
    const documented = pa('pay', 'legacy', { ...sel({ app: 'api' }), portLevelMtls: { 8443: { mode: 'PERMISSIVE' } } }, { 'mtls.exception/reason': 'batch' });
    const allow = ap('pay', 'access', { ...sel({ app: 'api' }), ...allowFrom(checkout) });
    expect(findings('IMA044', [...api, documented, allow])).toHaveLength(1);
    expect(findings('IMA044', [...api, exception, allow])).toEqual([]);
  });
});
