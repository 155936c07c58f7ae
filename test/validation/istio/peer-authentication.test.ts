import { describe, expect, it } from 'vitest';
import { assertCase, codes, findings, peerAuthentication as pa, RuleCase } from './helpers';
import { PEER_AUTHENTICATION_RULES } from '../../../src/validation/istio';

const workload = { matchLabels: { app: 'billing' } };

const CASES: RuleCase[] = [
  {
    code: 'IMV401',
    name: 'port-level modes without a selector',
    reject: pa({ mtls: { mode: 'STRICT' }, portLevelMtls: { 8443: { mode: 'PERMISSIVE' } } }),
    accept: pa({ selector: workload, mtls: { mode: 'STRICT' }, portLevelMtls: { 8443: { mode: 'PERMISSIVE' } } }),
    path: '/spec/portLevelMtls',
  },
  {
    code: 'IMV401',
    name: 'port-level modes with a selector that has no labels',
    reject: pa({ selector: { matchLabels: {} }, portLevelMtls: { 8443: { mode: 'DISABLE' } } }),
    accept: pa({ selector: { matchLabels: {} }, mtls: { mode: 'DISABLE' } }),
  },
  {
    code: 'IMV402',
    name: 'port 0',
    reject: pa({ selector: workload, portLevelMtls: { 0: { mode: 'STRICT' } } }),
    accept: pa({ selector: workload, portLevelMtls: { 1: { mode: 'STRICT' } } }),
    path: '/spec/portLevelMtls/0',
  },
  {
    code: 'IMV402',
    name: 'port above 65535',
    reject: pa({ selector: workload, portLevelMtls: { 65536: { mode: 'STRICT' } } }),
    accept: pa({ selector: workload, portLevelMtls: { 65535: { mode: 'STRICT' } } }),
  },
  {
    code: 'IMV402',
    name: 'a port name instead of a number',
    reject: pa({ selector: workload, portLevelMtls: { http: { mode: 'STRICT' } } }),
    accept: pa({ selector: workload, portLevelMtls: { 8080: { mode: 'STRICT' } } }),
  },
  {
    code: 'IMV403',
    name: 'empty selector key',
    reject: pa({ selector: { matchLabels: { '': 'billing' } } }),
    accept: pa({ selector: { matchLabels: { app: '' } } }),
    path: '/spec/selector/matchLabels/',
  },
  {
    code: 'IMV404',
    name: 'wildcard in a selector value',
    reject: pa({ selector: { matchLabels: { app: 'billing-*' } } }),
    accept: pa({ selector: { matchLabels: { app: 'billing-v2' } } }),
    path: '/spec/selector/matchLabels/app',
  },
  {
    code: 'IMV404',
    name: 'wildcard in a selector key',
    reject: pa({ selector: { matchLabels: { 'app*': 'billing' } } }),
    accept: pa({ selector: { matchLabels: { 'app.kubernetes.io/name': 'billing' } } }),
  },
  {
    code: 'IMV405',
    name: 'selector without labels',
    reject: pa({ selector: {}, mtls: { mode: 'STRICT' } }),
    accept: pa({ mtls: { mode: 'STRICT' } }),
    path: '/spec/selector',
  },
  {
    code: 'IMV406',
    name: 'dry-run annotation',
    reject: pa({ mtls: { mode: 'STRICT' } }, { annotations: { 'istio.io/dry-run': 'true' } }),
    accept: pa({ mtls: { mode: 'STRICT' } }, { annotations: { 'istio.io/rev': 'canary' } }),
    path: '/metadata/annotations/istio.io~1dry-run',
  },
  {
    code: 'IMV407',
    name: 'always-reject annotation',
    reject: pa({}, { annotations: { 'internal.istio.io/webhook-always-reject': '' } }),
    accept: pa({}, { annotations: { 'internal.istio.io/other': '' } }),
  },
  {
    code: 'IMV408',
    name: 'an empty portLevelMtls map',
    reject: pa({ selector: workload, portLevelMtls: {} }),
    accept: pa({ selector: workload, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } }),
    path: '/spec/portLevelMtls',
  },
];

describe('PeerAuthentication webhook rules', () => {
  for (const c of CASES) {
    it(`${c.code}: fails on ${c.name}, passes the variant next to it`, () => assertCase(c));
  }

  it('has a reject case for every code of its catalogue', () => {
    expect(new Set(CASES.map((c) => c.code))).toEqual(new Set(PEER_AUTHENTICATION_RULES.map((r) => r.code)));
  });

  it('fails with the exact message for port-level modes without a selector', () => {
    const [f] = findings(pa({ portLevelMtls: { 8443: { mode: 'PERMISSIVE' } } }));
    expect(f).toMatchObject({
      code: 'IMV401',
      severity: 'error',
      category: 'webhook',
      path: '/spec/portLevelMtls',
      message: 'portLevelMtls requires a selector: port-level settings apply only to workloads a selector picks',
      resource: { kind: 'PeerAuthentication', namespace: 'shop', name: 'pa', apiVersion: 'security.istio.io/v1' },
    });
  });

  it('fails with the exact message for a port out of range', () => {
    const f = findings(pa({ selector: workload, portLevelMtls: { 70000: { mode: 'STRICT' } } }));
    expect(f.map((x) => x.message)).toEqual(['portLevelMtls key "70000" is not a port: keys must be workload port numbers from 1 to 65535, without leading zeros']);
  });

  it('reports the empty selector as a warning, not an error', () => {
    expect(findings(pa({ selector: {} })).map((f) => [f.code, f.severity])).toEqual([['IMV405', 'warning']]);
  });

  it('accepts the mesh-wide STRICT policy of the guide', () => {
    expect(findings(pa({ mtls: { mode: 'STRICT' } }, { name: 'default', namespace: 'istio-system' }))).toEqual([]);
  });

  it('accepts the same policy in v1beta1', () => {
    const m = { ...pa({ selector: workload, portLevelMtls: { 8080: { mode: 'DISABLE' } } }), apiVersion: 'security.istio.io/v1beta1' };
    expect(codes(m)).toEqual([]);
  });

  it('accepts port keys written as YAML integers (they arrive as strings after parsing)', () => {
    expect(codes(pa({ selector: workload, portLevelMtls: { 8080: { mode: 'DISABLE' }, 9090: { mode: 'STRICT' } } }))).toEqual([]);
  });

  it('flags an empty portLevelMtls map only as empty, not as port-level modes without a selector', () => {
    expect(codes(pa({ portLevelMtls: {} }))).toEqual(['IMV408']);
  });
});
