import { describe, expect, it } from 'vitest';
import { assertCase, authorizationPolicy as ap, codes, findings, RuleCase } from './helpers';
import { pointer } from '../../../src/model/finding';
import { Manifest } from '../../../src/model/manifest';
import { AUTHORIZATION_POLICY_RULES } from '../../../src/validation/istio';
import { pathTemplateProblem } from '../../../src/validation/istio/security-values';
import { validateManifest } from '../../../src/validation/validate';

const sel = { matchLabels: { app: 'payments' } };
/** An ALLOW policy with one rule whose source is `source`. */
const from = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ap({ selector: sel, rules: [{ from: [{ source }], ...extra }] });
/** An ALLOW policy with one rule whose operation is `operation`. */
const to = (operation: Record<string, unknown>) => ap({ selector: sel, rules: [{ to: [{ operation }] }] });
/** An ALLOW policy with one rule with one condition. */
const when = (condition: Record<string, unknown>) => ap({ selector: sel, rules: [{ when: [condition] }] });

const CASES: RuleCase[] = [
  {
    code: 'IMV501',
    name: 'selector and targetRefs together',
    reject: ap({ selector: sel, targetRefs: [{ kind: 'Service', group: '', name: 'payments' }], rules: [{}] }),
    accept: ap({ targetRefs: [{ kind: 'Service', group: '', name: 'payments' }], rules: [{}] }),
    path: '/spec',
  },
  {
    code: 'IMV502',
    name: 'empty selector key',
    reject: ap({ selector: { matchLabels: { '': 'x' } } }),
    accept: ap({ selector: { matchLabels: { x: '' } } }),
  },
  {
    code: 'IMV503',
    name: 'wildcard selector value',
    reject: ap({ selector: { matchLabels: { app: '*' } } }),
    accept: ap({ selector: { matchLabels: { app: 'payments' } } }),
    path: '/spec/selector/matchLabels/app',
  },
  {
    code: 'IMV504',
    name: 'selector without labels',
    reject: ap({ selector: { matchLabels: {} }, rules: [{}] }),
    accept: ap({ rules: [{}] }),
  },
  {
    code: 'IMV505',
    name: 'targetRef without name',
    reject: ap({ targetRef: { kind: 'Service', group: '', name: '' } }),
    accept: ap({ targetRef: { kind: 'Service', group: '', name: 'payments' } }),
    path: '/spec/targetRef/name',
  },
  {
    code: 'IMV506',
    name: 'cross-namespace targetRefs',
    reject: ap({ targetRefs: [{ kind: 'Service', group: '', name: 'payments', namespace: 'other' }] }),
    accept: ap({ targetRefs: [{ kind: 'Service', group: '', name: 'payments', namespace: '' }] }),
    path: '/spec/targetRefs/0/namespace',
  },
  {
    code: 'IMV507',
    name: 'a Deployment target',
    reject: ap({ targetRef: { kind: 'Deployment', group: 'apps', name: 'payments' } }),
    accept: ap({ targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' } }),
  },
  {
    code: 'IMV507',
    name: 'a Service in the wrong group',
    reject: ap({ targetRefs: [{ kind: 'Service', group: 'networking.istio.io', name: 'payments' }] }),
    accept: ap({ targetRefs: [{ kind: 'ServiceEntry', group: 'networking.istio.io', name: 'payments' }, { kind: 'Service', group: 'core', name: 'p' }] }),
  },
  {
    code: 'IMV508',
    name: 'CUSTOM without rules',
    reject: ap({ action: 'CUSTOM', provider: { name: 'ext-authz' } }),
    accept: ap({ action: 'CUSTOM', provider: { name: 'ext-authz' }, rules: [{}] }),
    path: '/spec/rules',
  },
  {
    code: 'IMV509',
    name: 'CUSTOM without provider',
    reject: ap({ action: 'CUSTOM', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] }),
    accept: ap({ action: 'CUSTOM', provider: { name: 'not-in-any-mesh-config' }, rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] }),
  },
  {
    code: 'IMV510',
    name: 'CUSTOM matching principals',
    reject: ap({ action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/a/sa/b'] } }] }] }),
    accept: ap({ action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }] }),
    path: '/spec/rules/0/from/0/source/principals',
  },
  {
    code: 'IMV511',
    name: 'CUSTOM with a request.auth condition',
    reject: ap({ action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ when: [{ key: 'request.auth.claims[iss]', values: ['x'] }] }] }),
    accept: ap({ action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ when: [{ key: 'request.headers[x-user]', values: ['x'] }] }] }),
  },
  {
    code: 'IMV512',
    name: 'provider on an ALLOW policy',
    reject: ap({ provider: { name: 'opa' }, rules: [{}] }),
    accept: ap({ action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] }),
  },
  {
    code: 'IMV513',
    name: 'DENY without rules',
    reject: ap({ action: 'DENY', selector: sel }),
    accept: ap({ action: 'DENY', selector: sel, rules: [{}] }),
  },
  {
    code: 'IMV513',
    name: 'DENY with an empty rules list (decoded as no rules)',
    reject: ap({ action: 'DENY', rules: [] }),
    accept: ap({ action: 'ALLOW', rules: [] }),
  },
  {
    code: 'IMV514',
    name: 'a null rule',
    reject: ap({ rules: [null] }),
    accept: ap({ rules: [{}] }),
    path: '/spec/rules/0',
  },
  {
    code: 'IMV515',
    name: 'from entry without source',
    reject: ap({ rules: [{ from: [{}] }] }),
    accept: ap({ rules: [{ from: [{ source: { namespaces: ['shop'] } }] }] }),
    path: '/spec/rules/0/from/0/source',
  },
  {
    code: 'IMV516',
    name: 'serviceAccounts with namespaces',
    reject: from({ serviceAccounts: ['shop/checkout'], namespaces: ['shop'] }),
    accept: from({ serviceAccounts: ['shop/checkout'], ipBlocks: ['10.0.0.0/8'] }),
    path: '/spec/rules/0/from/0/source',
  },
  {
    code: 'IMV517',
    name: 'empty source',
    reject: from({}),
    accept: from({ notRequestPrincipals: ['*'] }),
  },
  {
    code: 'IMV517',
    name: 'source whose only list is empty',
    reject: from({ principals: [] }),
    accept: from({ trustDomains: ['cluster.local'] }),
  },
  {
    code: 'IMV518',
    name: 'IPv4 with a leading zero',
    reject: from({ ipBlocks: ['10.0.0.010'] }),
    accept: from({ ipBlocks: ['10.0.0.10'] }),
    path: '/spec/rules/0/from/0/source/ipBlocks/0',
  },
  {
    code: 'IMV518',
    name: 'CIDR with a prefix longer than 32',
    reject: from({ remoteIpBlocks: ['10.0.0.0/33'] }),
    accept: from({ remoteIpBlocks: ['10.0.0.1/32', '2001:db8::/32', '10.0.0.1/8'] }),
  },
  {
    code: 'IMV518',
    name: 'a host name instead of an address',
    reject: from({ notIpBlocks: ['db.internal'] }),
    accept: from({ notIpBlocks: ['fe80::1%eth0', '::ffff:10.0.0.1'] }),
  },
  {
    code: 'IMV519',
    name: 'empty principal',
    reject: from({ principals: ['cluster.local/ns/shop/sa/checkout', ''] }),
    accept: from({ principals: ['cluster.local/ns/shop/sa/checkout', '*'] }),
    path: '/spec/rules/0/from/0/source/principals/1',
  },
  {
    code: 'IMV519',
    name: 'empty method',
    reject: to({ methods: [''] }),
    accept: to({ methods: ['GET'] }),
  },
  {
    code: 'IMV520',
    name: 'service account with a wildcard',
    reject: from({ serviceAccounts: ['shop/*'] }),
    accept: from({ serviceAccounts: ['shop/checkout', 'checkout'] }),
    path: '/spec/rules/0/from/0/source/serviceAccounts/0',
  },
  {
    code: 'IMV520',
    name: 'a principal written as a service account',
    reject: from({ notServiceAccounts: ['cluster.local/ns/shop/sa/checkout'] }),
    accept: from({ notServiceAccounts: ['shop/checkout'] }),
  },
  {
    code: 'IMV520',
    name: 'service account with an empty namespace',
    reject: from({ serviceAccounts: ['/checkout'] }),
    accept: from({ serviceAccounts: ['checkout'] }),
  },
  {
    code: 'IMV520',
    name: 'more than 16 service accounts',
    reject: from({ serviceAccounts: Array.from({ length: 17 }, (_, i) => `sa-${i}`) }),
    accept: from({ serviceAccounts: Array.from({ length: 16 }, (_, i) => `sa-${i}`) }),
  },
  {
    code: 'IMV521',
    name: 'to entry without operation',
    reject: ap({ rules: [{ to: [{}] }] }),
    accept: ap({ rules: [{ to: [{ operation: { ports: ['8080'] } }] }] }),
  },
  {
    code: 'IMV522',
    name: 'empty operation',
    reject: to({}),
    accept: to({ notPaths: ['/healthz'] }),
  },
  {
    code: 'IMV523',
    name: 'port above 65535',
    reject: to({ ports: ['65536'] }),
    accept: to({ ports: ['65535', '0', '08080'] }),
    path: '/spec/rules/0/to/0/operation/ports/0',
  },
  {
    code: 'IMV523',
    name: 'port range',
    reject: to({ notPorts: ['8000-9000'] }),
    accept: to({ notPorts: ['8000'] }),
  },
  {
    code: 'IMV524',
    name: 'named path variable',
    reject: to({ paths: ['/users/{id}'] }),
    accept: to({ paths: ['/users/{*}', '/static/*'] }),
  },
  {
    code: 'IMV524',
    name: '{**} not last',
    reject: to({ notPaths: ['/{**}/x/{*}'] }),
    accept: to({ notPaths: ['/{**}/x', '/x/{*}/{**}'] }),
  },
  {
    code: 'IMV525',
    name: 'condition without key',
    reject: when({ values: ['x'] }),
    accept: when({ key: 'request.headers[x-user]', values: ['x'] }),
    path: '/spec/rules/0/when/0/key',
  },
  {
    code: 'IMV526',
    name: 'condition without values',
    reject: when({ key: 'source.ip', values: [] }),
    accept: when({ key: 'source.ip', notValues: ['10.0.0.1'] }),
  },
  {
    code: 'IMV527',
    name: 'unknown attribute',
    reject: when({ key: 'source.user', values: ['x'] }),
    accept: when({ key: 'source.principal', values: ['x'] }),
    path: '/spec/rules/0/when/0/key',
  },
  {
    code: 'IMV527',
    name: 'header without brackets',
    reject: when({ key: 'request.headers', values: ['x'] }),
    accept: when({ key: 'request.headers[x]', values: ['x'] }),
  },
  {
    code: 'IMV527',
    name: 'replaced attribute destination.labels',
    reject: when({ key: 'destination.labels[app]', values: ['x'] }),
    accept: when({ key: 'experimental.envoy.filters.a.b[c]', values: ['x'] }),
  },
  {
    code: 'IMV528',
    name: 'bad IP in a source.ip condition',
    reject: when({ key: 'source.ip', values: ['10.0.0.0/40'] }),
    accept: when({ key: 'source.ip', values: ['10.0.0.0/24'] }),
    path: '/spec/rules/0/when/0/values/0',
  },
  {
    code: 'IMV528',
    name: 'bad port in destination.port',
    reject: when({ key: 'destination.port', notValues: ['http'] }),
    accept: when({ key: 'destination.port', notValues: ['80'] }),
  },
  {
    code: 'IMV528',
    name: 'empty condition value',
    reject: when({ key: 'request.auth.claims[iss]', values: [''] }),
    accept: when({ key: 'request.auth.claims[iss]', values: ['*'] }),
  },
  {
    code: 'IMV529',
    name: 'DENY on paths only',
    reject: ap({ action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] }),
    accept: ap({ action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'], ports: ['8080'] } }] }] }),
    path: '/spec/rules/0',
  },
  {
    code: 'IMV529',
    name: 'DENY on request principals only',
    reject: ap({ action: 'DENY', rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }] }),
    accept: ap({ action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }] }),
  },
  {
    code: 'IMV530',
    name: 'dry-run that is not a boolean',
    reject: ap({ rules: [{}] }, { annotations: { 'istio.io/dry-run': 'yes' } }),
    accept: ap({ rules: [{}] }, { annotations: { 'istio.io/dry-run': 'True' } }),
  },
  {
    code: 'IMV530',
    name: 'dry-run on a CUSTOM policy',
    reject: ap({ action: 'CUSTOM', provider: { name: 'x' }, rules: [{}] }, { annotations: { 'istio.io/dry-run': 'true' } }),
    accept: ap({ action: 'DENY', rules: [{}] }, { annotations: { 'istio.io/dry-run': 'true' } }),
  },
  {
    code: 'IMV531',
    name: 'always-reject annotation',
    reject: ap({}, { annotations: { 'internal.istio.io/webhook-always-reject': 'true' } }),
    accept: ap({}, { annotations: {} }),
  },
  {
    code: 'IMV532',
    name: 'a SPIFFE ID in trustDomains',
    reject: from({ trustDomains: ['spiffe://cluster.local'] }),
    accept: from({ trustDomains: ['cluster.local', '*.example.com', 'prod-*', '*'] }),
    path: '/spec/rules/0/from/0/source/trustDomains/0',
  },
  {
    code: 'IMV532',
    name: 'a wildcard inside a notTrustDomains value',
    reject: from({ notTrustDomains: ['prod.*.example.com'] }),
    accept: from({ notTrustDomains: ['*.example.com'] }),
    path: '/spec/rules/0/from/0/source/notTrustDomains/0',
  },
];

describe('AuthorizationPolicy webhook rules', () => {
  for (const c of CASES) {
    it(`${c.code}: fails on ${c.name}, passes the variant next to it`, () => assertCase(c));
  }

  it('has a reject case for every code of its catalogue', () => {
    expect(new Set(CASES.map((c) => c.code))).toEqual(new Set(AUTHORIZATION_POLICY_RULES.map((r) => r.code)));
  });

  it('does not reject a principal written with spiffe:// (Istio accepts it; the analyzer explains why it never matches)', () => {
    expect(codes(from({ principals: ['spiffe://cluster.local/ns/a/sa/b'] }))).toEqual([]);
  });

  it('does not check that a CUSTOM provider exists (meshConfig is not known offline)', () => {
    expect(codes(ap({ action: 'CUSTOM', provider: { name: 'opa-ext-authz-grpc' }, rules: [{ to: [{ operation: { paths: ['/api/*'] } }] }] }))).toEqual([]);
  });

  it('accepts an allow-nothing policy (spec {}) and an allow-all policy (rules: [{}])', () => {
    expect(codes(ap({}))).toEqual([]);
    expect(codes(ap({ rules: [{}] }))).toEqual([]);
  });

  it('does not reject empty from/to lists: istiod decodes them as unset', () => {
    expect(codes(ap({ rules: [{ from: [], to: [] }] }))).toEqual([]);
  });

  it('fails with exact messages for a mixed source', () => {
    const f = findings(from({ serviceAccounts: ['shop/checkout'], principals: ['cluster.local/ns/shop/sa/checkout'], ipBlocks: ['10.0.0.256'] }));
    expect(f.map((x) => [x.code, x.path, x.message])).toEqual([
      ['IMV516', '/spec/rules/0/from/0/source',
        'source sets serviceAccounts together with principals: serviceAccounts cannot be combined with principals or namespaces'],
      ['IMV518', '/spec/rules/0/from/0/source/ipBlocks/0',
        'source.ipBlocks[0] "10.0.0.256" is not an IP address or CIDR range: it is not an IP address (and has no "/" for a CIDR range)'],
    ]);
  });

  it('reports a DENY rule on HTTP attributes as a warning with the exact message', () => {
    const f = findings(ap({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] }));
    expect(f.map((x) => [x.severity, x.message])).toEqual([
      ['warning', 'DENY rules[0] matches only HTTP attributes, so it denies all TCP traffic to the workloads in scope, whatever the port'],
    ]);
  });

  it('does not warn about HTTP-only rules of an ALLOW policy', () => {
    expect(codes(ap({ rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }))).toEqual([]);
  });

  it('reports an unknown condition key once, at the key', () => {
    const f = findings(when({ key: 'foo', values: ['a'], notValues: ['b'] }));
    expect(f.map((x) => x.path)).toEqual(['/spec/rules/0/when/0/key']);
  });

  it('checks source.serviceAccount condition values like serviceAccounts', () => {
    expect(codes(when({ key: 'source.serviceAccount', values: ['a/b/c'] }))).toEqual(['IMV528']);
    expect(codes(when({ key: 'source.serviceAccount', values: ['a/b'] }))).toEqual([]);
  });

  it('checks source.trustDomain condition values for wildcard placement only (no "/" rule, unlike trustDomains)', () => {
    expect(codes(when({ key: 'source.trustDomain', values: ['*.example.com', 'prod-*', '*'] }))).toEqual([]);
    expect(codes(when({ key: 'source.trustDomain', values: ['cluster.local/ns/foo'] }))).toEqual([]);
    expect(codes(from({ trustDomains: ['cluster.local/ns/foo'] }))).toEqual(['IMV532']);
    const f = findings(when({ key: 'source.trustDomain', notValues: ['prod.*.example.com', 'a**'] }));
    expect(f.map((x) => [x.code, x.path, x.message])).toEqual([
      ['IMV528', '/spec/rules/0/when/0/notValues/0', 'condition "source.trustDomain" notValues[0] "prod.*.example.com" is not a supported match: '
        + '"*" is only allowed at the start or the end (exact "foo", prefix "foo*", suffix "*foo", or "*" alone)'],
      ['IMV528', '/spec/rules/0/when/0/notValues/1', 'condition "source.trustDomain" notValues[1] "a**" is not a supported match: it has 2 "*": at most one wildcard is allowed'],
    ]);
  });

  it('reports an empty trust domain as an empty value, and a trust domain with "/" with the exact message', () => {
    const f = findings(from({ trustDomains: ['', 'cluster.local/ns/a'] }));
    expect(f.map((x) => [x.code, x.path, x.message])).toEqual([
      ['IMV519', '/spec/rules/0/from/0/source/trustDomains/0', 'source.trustDomains[0] is an empty string: empty values are not allowed'],
      ['IMV532', '/spec/rules/0/from/0/source/trustDomains/1', 'source.trustDomains[1] "cluster.local/ns/a" is not a trust domain: '
        + 'it contains "/": a trust domain is a bare name such as "cluster.local", not a SPIFFE ID or a principal'],
    ]);
  });

  it('rejects trust domains in a CUSTOM policy, as a source field and as a condition', () => {
    const custom = (rule: Record<string, unknown>) => ap({ action: 'CUSTOM', provider: { name: 'opa' }, rules: [rule] });
    expect(codes(custom({ from: [{ source: { notTrustDomains: ['cluster.local'] } }] }))).toEqual(['IMV510']);
    expect(codes(custom({ when: [{ key: 'source.trustDomain', values: ['cluster.local'] }] }))).toEqual(['IMV511']);
  });

  it('warns about a DENY rule whose source matches only trust domains, as istiod counts them as HTTP attributes', () => {
    expect(codes(ap({ action: 'DENY', rules: [{ from: [{ source: { trustDomains: ['evil.example.com'] } }] }] }))).toEqual(['IMV529']);
    expect(codes(ap({ action: 'DENY', rules: [{ from: [{ source: { namespaces: ['evil'] } }] }] }))).toEqual([]);
  });

  it('rejects request.experimental.inline.headers, an attribute Istio 1.30 does not know', () => {
    expect(codes(when({ key: 'request.experimental.inline.headers[x-user]', values: ['a'] }))).toEqual(['IMV527']);
  });

  it('decodes null entries as istiod does: an empty rule part, never a type error', () => {
    expect(codes(ap({ rules: [{ from: [null], to: [null], when: [null] }] }))).toEqual(['IMV515', 'IMV521', 'IMV525']);
    expect(codes(ap({ targetRefs: [null] }))).toEqual(['IMV505', 'IMV507']);
    expect(codes(ap({ selector: null, rules: [{ from: null, to: null, when: null }] }))).toEqual([]);
  });

  it('counts a service account\'s length in UTF-8 bytes, as Go does (the CRD counts 320 characters)', () => {
    const cluster = (sa: string) => validateManifest(from({ serviceAccounts: [sa] })).filter((x) => x.severity === 'error').map((x) => x.code);
    expect(cluster(`ns/${'ü'.repeat(200)}`)).toEqual(['IMV520']);
    expect(cluster(`ns/${'ü'.repeat(158)}`)).toEqual([]);
    expect(cluster(`ns/${'a'.repeat(317)}`)).toEqual([]);
  });

  it('reads a null item of a string list as the empty string, as istiod\'s decoder does', () => {
    expect(codes(from({ principals: ['a', null] }))).toEqual(['IMV519']);
    expect(codes(when({ key: 'source.ip', notValues: [null] }))).toEqual(['IMV528']);
  });

  it('reads an action given as its enum number, as istiod\'s decoder does (1 is DENY)', () => {
    expect(codes(ap({ action: 1 }))).toEqual(['IMV513']);
    expect(codes(ap({ action: 3, rules: [{}] }))).toEqual(['IMV509']);
  });

  it('leaves values of the wrong type to the decoding check of every Istio kind (IMV803), once each', () => {
    expect(findings(ap({ rules: 'x' })).map((x) => [x.code, x.path])).toEqual([['IMV803', '/spec/rules']]);
    expect(findings(when({ key: 'source.ip', values: [1, { a: 1 }] })).map((x) => [x.code, x.path])).toEqual([
      ['IMV803', '/spec/rules/0/when/0/values/0'], ['IMV803', '/spec/rules/0/when/0/values/1'],
    ]);
    expect(findings(from({ ipBlocks: 'x' })).map((x) => x.code)).toEqual(['IMV803']);
  });

  it('never throws on a value of another type, and each type change is reported at its path', () => {
    for (const base of [wideBase('DENY'), wideBase('CUSTOM')]) {
      for (const { path, original } of leaves(base)) {
        for (const replacement of REPLACEMENTS) {
          const mutated = replaceAt(base, path, replacement);
          let got: ReturnType<typeof findings> = [];
          expect(() => { got = findings(mutated); }, `${path.join('.')} = ${JSON.stringify(replacement)}`).not.toThrow();
          // The action enum also decodes from its number.
          const enumNumber = path.join('.') === 'spec.action' && Number.isInteger(replacement);
          if (path[0] === 'spec' && replacement !== null && kindOf(replacement) !== kindOf(original) && !enumNumber) {
            expect(got.filter((x) => x.code === 'IMV803').map((x) => x.path), `${path.join('.')} = ${JSON.stringify(replacement)}`)
              .toContain(pointer(...path));
          }
        }
      }
    }
  });

  it('matches Istio\'s path template rules', () => {
    expect(pathTemplateProblem('/a/{*}/b')).toBeUndefined();
    expect(pathTemplateProblem('/a/{**}')).toBeUndefined();
    expect(pathTemplateProblem('{*}')).toBeUndefined();
    expect(pathTemplateProblem('/{**}/{**}')).toMatch(/last/);
    expect(pathTemplateProblem('/a/{*}/b c')).toMatch(/RFC 3986/);
    expect(pathTemplateProblem('/a/b c')).toBeUndefined();
    expect(pathTemplateProblem('/a/{x}/b')).toMatch(/outside/);
  });
});

/** A policy that sets every field the webhook reads, to replace field by field. */
function wideBase(action: 'DENY' | 'CUSTOM'): Manifest {
  const one = ['a'];
  return ap({
    action,
    provider: { name: 'opa' },
    selector: { matchLabels: { app: 'api' } },
    targetRef: { group: '', kind: 'Service', name: 'api', namespace: '' },
    targetRefs: [{ group: '', kind: 'Service', name: 'api' }],
    rules: [{
      from: [{
        source: {
          principals: one,
          requestPrincipals: one,
          namespaces: one,
          ipBlocks: ['10.0.0.1'],
          remoteIpBlocks: ['10.0.0.0/8'],
          notPrincipals: one,
          notRequestPrincipals: one,
          notNamespaces: one,
          notIpBlocks: ['10.0.0.2'],
          notRemoteIpBlocks: ['10.1.0.0/16'],
          serviceAccounts: ['ns/sa'],
          notServiceAccounts: ['sa'],
          trustDomains: ['cluster.local'],
          notTrustDomains: ['*.example.com'],
        },
      }],
      to: [{ operation: { ports: ['80'], methods: ['GET'], paths: ['/a/{*}'], hosts: one, notPorts: ['81'], notMethods: one, notPaths: one, notHosts: one } }],
      when: [{ key: 'source.ip', values: ['10.0.0.1'], notValues: ['10.0.0.2'] }, { key: 'source.trustDomain', values: ['*.local'] }],
    }],
  }, { annotations: { 'istio.io/dry-run': 'true' } });
}

/** Values of every JSON type, including the ones the issue saw crash validators. */
const REPLACEMENTS: readonly unknown[] = [null, 0, -1.5, 'x', '', true, [], [1, { a: 1 }], ['x'], {}, { a: 1 }];

type Token = string | number;

/** Every value of a manifest (objects and lists included) with its path. */
function leaves(value: unknown, path: Token[] = []): { path: Token[]; original: unknown }[] {
  const here = path.length > 0 ? [{ path, original: value }] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => leaves(v, [...path, i]))];
  if (value !== null && typeof value === 'object') {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]))];
  }
  return here;
}

function replaceAt(manifest: Manifest, path: readonly Token[], replacement: unknown): Manifest {
  const copy = structuredClone(manifest) as Record<string | number, unknown>;
  let node = copy;
  for (const token of path.slice(0, -1)) node = node[token] as Record<string | number, unknown>;
  node[path[path.length - 1]] = replacement;
  return copy as unknown as Manifest;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
