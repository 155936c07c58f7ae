/*
 * DestinationRule traffic policies: merging rules, port-level replacement and
 * subset merging, from upstream's tests (istio/istio 1.30.3).
 *
 * Part 1 runs pilot/pkg/model/push_context_test.go TestSetDestinationRuleMerging
 * and TestSetDestinationRuleWithWorkloadSelector through destinationRuleIndexes
 * / mergeDestinationRules (pilot/pkg/model/destination_rule.go mergeDestinationRule).
 * Part 2 runs pilot/pkg/networking/util/util_test.go TestMergeSubsetTrafficPolicy
 * through mergeSubsetPolicy: each field of the result is checked by where it
 * came from (top-level, top-level port entry, subset, subset port entry).
 * Part 3 is our own cases for the traps of SEMANTICS.md §0 S2 and §3 rules 5-6.
 *
 * Upstream cases not ported:
 * | source | case | reason |
 * | pilot/pkg/model/destination_rule_test.go TestConsolidatedDestRuleEquals | all 6 | compares Go pointers and nil receivers of ConsolidatedDestRule.Equals; no counterpart in plain data |
 * | pilot/pkg/model/push_context_test.go TestSetDestinationRuleWithExportTo | all | the lookup across client, Service and root namespaces (destination-rule-lookup.ts), not merging |
 * | pilot/pkg/model/push_context_test.go TestSetDestinationRuleWithWorkloadSelector | the proxy-side list order of ps.destinationRule | lookup; the merged `from` lists it also checks are ported |
 */
import { describe, expect, it } from 'vitest';
import { Manifest } from '../../src/model';
import {
  DestinationRuleIndexes,
  EffectivePolicy,
  clusterPolicyFor,
  destinationRuleIndexes,
  endpointLevelTls,
  endpointLevelTlsFor,
  mergeDestinationRules,
  mergeSubsetPolicy,
  readDestinationRuleTraffic,
  trafficPolicyForPort,
} from '../../src/model/traffic-policy';

const PUSH_TEST = 'pilot/pkg/model/push_context_test.go';
const UTIL_TEST = 'pilot/pkg/networking/util/util_test.go';
const HOST = 'httpbin.org';

function dr(name: string, namespace: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace }, spec: { host: HOST, ...spec } };
}
const subsets = (...names: string[]) => ({ subsets: names.map((name) => ({ name })) });

// ---------------------------------------------------------------------------
// Part 1: merging rules of one host in one namespace
// ---------------------------------------------------------------------------

interface ExpectedEntry {
  readonly from: readonly string[];
  readonly subsets?: readonly string[];
  readonly exportTo?: readonly string[];
  /** The rule whose top-level policy the entry keeps, or null for none. */
  readonly policyFrom?: string | null;
}

interface MergeRow {
  readonly source: string;
  /** In creation order. */
  readonly rules: readonly Manifest[];
  readonly namespace: string;
  readonly index: keyof DestinationRuleIndexes;
  readonly defaultExportToPrivate?: boolean;
  readonly expected: readonly ExpectedEntry[];
}

const selectorRule = (name: string, app: string, extra: Record<string, unknown> = {}) => dr(name, 'test', {
  exportTo: ['test2', '.'], workloadSelector: { matchLabels: { app } }, ...extra,
});
const tlsPolicy = (mode: string) => ({ trafficPolicy: { tls: { mode } } });
// TestSetDestinationRuleWithWorkloadSelector: nsRule4 is oldest, nsRule1 next, nsRule2 and nsRule3 share a timestamp (name decides).
const WITH_SELECTOR_RULES = [
  dr('nsRule4', 'test', { exportTo: ['.', 'test2'], trafficPolicy: { connectionPool: {}, outlierDetection: {}, tls: { mode: 'SIMPLE' } } }),
  selectorRule('nsRule1', 'app1', { trafficPolicy: { connectionPool: {}, tls: { mode: 'MUTUAL' } } }),
  selectorRule('nsRule2', 'app2', { trafficPolicy: { connectionPool: {}, outlierDetection: {}, tls: { mode: 'SIMPLE' } } }),
  selectorRule('nsRule3', 'app2', { trafficPolicy: { connectionPool: {}, outlierDetection: {}, tls: { mode: 'SIMPLE' } } }),
];
const MERGING_RULES = [
  dr('rule1', 'test', subsets('subset1', 'subset2')),
  dr('rule2', 'test', subsets('subset3', 'subset4')),
  dr('rule3', 'test', { exportTo: ['istio-system'], ...subsets('subset5', 'subset6') }),
];

const MERGE_ROWS: readonly MergeRow[] = [
  {
    source: `${PUSH_TEST} TestSetDestinationRuleMerging (private index)`,
    rules: MERGING_RULES,
    namespace: 'test',
    index: 'namespaceLocal',
    expected: [{ from: ['rule1', 'rule2'], subsets: ['subset1', 'subset2', 'subset3', 'subset4'] }],
  },
  {
    source: `${PUSH_TEST} TestSetDestinationRuleMerging (public index)`,
    rules: MERGING_RULES,
    namespace: 'test',
    index: 'exported',
    expected: [
      { from: ['rule1', 'rule2'], subsets: ['subset1', 'subset2', 'subset3', 'subset4'] },
      { from: ['rule3'], subsets: ['subset5', 'subset6'], exportTo: ['istio-system'] },
    ],
  },
  {
    source: `${PUSH_TEST} TestSetDestinationRuleWithWorkloadSelector "return list of DRs for specific host"`,
    rules: WITH_SELECTOR_RULES,
    namespace: 'test',
    index: 'namespaceLocal',
    expected: [
      { from: ['nsRule1', 'nsRule4'], policyFrom: 'nsRule1' },
      { from: ['nsRule2', 'nsRule3', 'nsRule4'], policyFrom: 'nsRule2' },
      { from: ['nsRule4'], policyFrom: 'nsRule4' },
    ],
  },
  {
    source: `${PUSH_TEST} TestSetDestinationRuleWithWorkloadSelector "workload specific DR should not be exported"`,
    rules: WITH_SELECTOR_RULES,
    namespace: 'test',
    index: 'exported',
    expected: [{ from: ['nsRule4'] }],
  },
  {
    source: `${PUSH_TEST} TestSetDestinationRuleWithWorkloadSelector "rules with same workloadselector should be merged"`,
    rules: WITH_SELECTOR_RULES.slice(0, 4),
    namespace: 'test',
    index: 'namespaceLocal',
    expected: [
      { from: ['nsRule1', 'nsRule4'] },
      { from: ['nsRule2', 'nsRule3', 'nsRule4'], exportTo: ['.'] },
      { from: ['nsRule4'], exportTo: ['.', 'test2'] },
    ],
  },
  // Our own cases (SEMANTICS.md §3 rule 5 and the code of mergeDestinationRule).
  {
    source: 'ours: the first top-level policy wins (creation order a, b)',
    rules: [dr('a', 'web', tlsPolicy('DISABLE')), dr('b', 'web', tlsPolicy('ISTIO_MUTUAL'))],
    namespace: 'web',
    index: 'namespaceLocal',
    expected: [{ from: ['a', 'b'], policyFrom: 'a' }],
  },
  {
    source: 'ours: the first top-level policy wins (creation order b, a)',
    rules: [dr('b', 'web', tlsPolicy('ISTIO_MUTUAL')), dr('a', 'web', tlsPolicy('DISABLE'))],
    namespace: 'web',
    index: 'namespaceLocal',
    expected: [{ from: ['b', 'a'], policyFrom: 'b' }],
  },
  {
    source: 'ours: a rule without a policy takes the next one\'s',
    rules: [dr('a', 'web', subsets('v1')), dr('b', 'web', tlsPolicy('ISTIO_MUTUAL'))],
    namespace: 'web',
    index: 'namespaceLocal',
    expected: [{ from: ['a', 'b'], subsets: ['v1'], policyFrom: 'b' }],
  },
  {
    source: 'ours: `trafficPolicy: {}` is a set (non-nil) policy and blocks the next one',
    rules: [dr('a', 'web', { trafficPolicy: {} }), dr('b', 'web', tlsPolicy('ISTIO_MUTUAL'))],
    namespace: 'web',
    index: 'namespaceLocal',
    expected: [{ from: ['a', 'b'], policyFrom: 'a' }],
  },
  {
    source: 'ours: a duplicate subset name keeps the first rule\'s subset',
    rules: [dr('a', 'web', subsets('v1', 'v2')), dr('b', 'web', subsets('v2', 'v3'))],
    namespace: 'web',
    index: 'namespaceLocal',
    expected: [{ from: ['a', 'b'], subsets: ['v1', 'v2', 'v3'], policyFrom: null }],
  },
  {
    source: 'ours: exportTo "." and the own namespace name are different sets, so the rules stay apart',
    rules: [dr('a', 'web', { exportTo: ['.'], ...subsets('v1') }), dr('b', 'web', { exportTo: ['web'], ...subsets('v2') })],
    namespace: 'web',
    index: 'namespaceLocal',
    expected: [{ from: ['a'], subsets: ['v1'] }, { from: ['b'], subsets: ['v2'] }],
  },
  {
    source: 'ours: rules with different workload selectors stay apart',
    rules: [selectorRule('a', 'x', subsets('v1')), selectorRule('b', 'y', subsets('v2'))],
    namespace: 'test',
    index: 'namespaceLocal',
    expected: [{ from: ['a'], subsets: ['v1'] }, { from: ['b'], subsets: ['v2'] }],
  },
  {
    source: 'ours: with defaultDestinationRuleExportTo ["."] a rule without exportTo is not exported',
    rules: [dr('a', 'web', subsets('v1'))],
    namespace: 'web',
    index: 'exported',
    defaultExportToPrivate: true,
    expected: [],
  },
  {
    source: 'ours: a private rule of the root namespace goes to the root-local index',
    rules: [dr('a', 'istio-system', { exportTo: ['.'], ...subsets('v1') })],
    namespace: 'istio-system',
    index: 'rootLocal',
    expected: [{ from: ['a'], subsets: ['v1'] }],
  },
];

describe('mergeDestinationRules / destinationRuleIndexes: upstream tables and our traps', () => {
  it.each(MERGE_ROWS)('$source', (row) => {
    const infos = row.rules.map((m) => readDestinationRuleTraffic(m));
    const indexes = destinationRuleIndexes(infos, {
      namespace: row.namespace, rootNamespace: 'istio-system', defaultExportToPrivate: row.defaultExportToPrivate,
    });
    const got = indexes[row.index];
    expect(got.map((e) => e.from.map((r) => r.name))).toEqual(row.expected.map((e) => e.from));
    row.expected.forEach((want, i) => {
      if (want.subsets) expect(got[i].subsets.map((s) => s.name)).toEqual(want.subsets);
      if (want.exportTo) expect([...got[i].exportTo]).toEqual(want.exportTo);
      if (want.policyFrom !== undefined) expect(got[i].trafficPolicyFrom?.name ?? null).toBe(want.policyFrom);
    });
  });

  it('reports the subset a later rule loses to an earlier one of the same name', () => {
    const [merged] = mergeDestinationRules([dr('a', 'web', subsets('v1')), dr('b', 'web', subsets('v1'))].map((m) => readDestinationRuleTraffic(m)));
    expect(merged.droppedSubsets).toEqual([{ name: 'v1', rule: expect.objectContaining({ name: 'b' }) }]);
    expect(merged.subsets[0].rule.name).toBe('a');
  });
});

// ---------------------------------------------------------------------------
// Part 2: MergeSubsetTrafficPolicy
// ---------------------------------------------------------------------------

type Origin = 'top' | 'top-port' | 'subset' | 'subset-port';
const FIELDS = ['connectionPool', 'outlierDetection', 'loadBalancer', 'tls', 'tunnel', 'proxyProtocol', 'retryBudget'] as const;
type Field = typeof FIELDS[number];

function originOf(path: string): Origin {
  if (path.startsWith('/spec/subsets/0/trafficPolicy/portLevelSettings/')) return 'subset-port';
  if (path.startsWith('/spec/subsets/0/trafficPolicy')) return 'subset';
  if (path.startsWith('/spec/trafficPolicy/portLevelSettings/')) return 'top-port';
  return 'top';
}

function origins(policy: EffectivePolicy | undefined): Partial<Record<Field, Origin>> | undefined {
  if (policy === undefined) return undefined;
  const out: Partial<Record<Field, Origin>> = {};
  for (const f of FIELDS) {
    const v = policy[f];
    if (v) out[f] = originOf(v.path);
  }
  return out;
}

interface SubsetMergeRow {
  readonly source: string;
  readonly original?: Record<string, unknown>;
  readonly subset?: Record<string, unknown>;
  readonly port?: number;
  /** Where each set field of the result comes from; undefined for a nil result. */
  readonly expected: Partial<Record<Field, Origin>> | undefined;
  readonly loadBalancerSimple?: string;
}

const lb = (simple: string) => ({ loadBalancer: { simple } });
const pool = (http: Record<string, number>) => ({ connectionPool: { http } });
const outlier = (consecutiveErrors: number) => ({ outlierDetection: { consecutiveErrors } });
const portEntry = (number: number, fields: Record<string, unknown>) => ({ port: { number }, ...fields });

const SUBSET_MERGE_ROWS: readonly SubsetMergeRow[] = [
  { source: `${UTIL_TEST} TestMergeSubsetTrafficPolicy "all nil policies"`, expected: undefined },
  {
    source: `${UTIL_TEST} TestMergeSubsetTrafficPolicy "no subset policy"`,
    original: pool({ maxRetries: 10 }),
    expected: { connectionPool: 'top' },
  },
  {
    source: `${UTIL_TEST} TestMergeSubsetTrafficPolicy "no parent policy"`,
    subset: pool({ maxRetries: 10 }),
    expected: { connectionPool: 'subset' },
  },
  {
    source: `${UTIL_TEST} TestMergeSubsetTrafficPolicy "merge non-conflicting fields"`,
    original: { tls: { mode: 'ISTIO_MUTUAL' } },
    subset: { ...pool({ maxRetries: 10 }), tunnel: { targetHost: 'example.com', targetPort: 8443 } },
    expected: { connectionPool: 'subset', tls: 'top', tunnel: 'subset' },
  },
  {
    source: `${UTIL_TEST} TestMergeSubsetTrafficPolicy "subset overwrite top-level fields"`,
    original: { tls: { mode: 'ISTIO_MUTUAL' }, ...pool({ maxRetries: 10 }) },
    subset: { tls: { mode: 'SIMPLE' } },
    expected: { tls: 'subset', connectionPool: 'top' },
  },
  {
    source: `${UTIL_TEST} TestMergeSubsetTrafficPolicy "merge port level policy, and do not inherit top-level fields" (first, no parent)`,
    subset: { ...lb('ROUND_ROBIN'), ...pool({ maxRetries: 10 }), portLevelSettings: [portEntry(8080, lb('LEAST_REQUEST'))] },
    port: 8080,
    expected: { loadBalancer: 'subset-port' },
    loadBalancerSimple: 'LEAST_REQUEST',
  },
  {
    source: `${UTIL_TEST} TestMergeSubsetTrafficPolicy "merge port level policy, and do not inherit top-level fields" (second, with parent)`,
    original: { ...lb('ROUND_ROBIN'), ...outlier(20), portLevelSettings: [portEntry(8080, outlier(15))] },
    subset: { ...lb('ROUND_ROBIN'), ...pool({ maxRetries: 10 }), portLevelSettings: [portEntry(8080, outlier(13))] },
    port: 8080,
    expected: { outlierDetection: 'subset-port' },
  },
  {
    source: `${UTIL_TEST} TestMergeSubsetTrafficPolicy "top-level retryBudget is preserved when subset has a traffic policy"`,
    original: { ...pool({ maxRetries: 10 }), retryBudget: { minRetryConcurrency: 5 } },
    subset: pool({ http2MaxRequests: 1000 }),
    expected: { connectionPool: 'subset', retryBudget: 'top' },
  },
  {
    source: `${UTIL_TEST} TestMergeSubsetTrafficPolicy "subset-level retryBudget overrides top-level retryBudget"`,
    original: { retryBudget: { minRetryConcurrency: 3 } },
    subset: { retryBudget: { minRetryConcurrency: 10 } },
    expected: { retryBudget: 'subset' },
  },
  {
    source: `${UTIL_TEST} TestMergeSubsetTrafficPolicy "default cluster, non-matching port selector"`,
    original: { ...lb('ROUND_ROBIN'), ...outlier(20), portLevelSettings: [portEntry(8080, outlier(15))] },
    subset: { ...lb('ROUND_ROBIN'), ...pool({ maxRetries: 10 }), portLevelSettings: [portEntry(8080, outlier(13))] },
    port: 9090,
    expected: { loadBalancer: 'subset', connectionPool: 'subset', outlierDetection: 'top' },
    loadBalancerSimple: 'ROUND_ROBIN',
  },
  // Our own cases (SEMANTICS.md §3 rule 6 and its traps).
  {
    source: 'ours: a subset without tls inherits the top-level ISTIO_MUTUAL (bookinfo-style subsets)',
    original: { tls: { mode: 'ISTIO_MUTUAL' } },
    subset: lb('RANDOM'),
    port: 9080,
    expected: { tls: 'top', loadBalancer: 'subset' },
  },
  {
    source: 'ours: any subset port entry for the port resets tls, even one that sets only connectionPool',
    original: { tls: { mode: 'ISTIO_MUTUAL' } },
    subset: { portLevelSettings: [portEntry(9080, pool({ maxRetries: 1 }))] },
    port: 9080,
    expected: { connectionPool: 'subset-port' },
  },
  {
    source: 'ours: a top-level port entry without tls drops the top-level tls before the subset merge (S2)',
    original: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [portEntry(9080, outlier(5))] },
    subset: lb('RANDOM'),
    port: 9080,
    expected: { outlierDetection: 'top-port', loadBalancer: 'subset' },
  },
  {
    source: 'ours: a port entry replaces tunnel, proxyProtocol and retryBudget too (they fall back to defaults)',
    original: { tunnel: { targetHost: 'h', targetPort: 1 }, retryBudget: {}, proxyProtocol: {}, portLevelSettings: [portEntry(80, lb('RANDOM'))] },
    port: 80,
    expected: { loadBalancer: 'top-port' },
  },
  {
    source: 'ours: the first port entry for a port is the one used',
    original: { portLevelSettings: [portEntry(80, lb('RANDOM')), portEntry(80, { tls: { mode: 'DISABLE' } })] },
    port: 80,
    expected: { loadBalancer: 'top-port' },
    loadBalancerSimple: 'RANDOM',
  },
];

function subsetMergeRule(row: SubsetMergeRow) {
  return readDestinationRuleTraffic(dr('r', 'ns', {
    ...(row.original ? { trafficPolicy: row.original } : {}),
    subsets: [{ name: 's', ...(row.subset ? { trafficPolicy: row.subset } : {}) }],
  }));
}

describe('mergeSubsetPolicy / trafficPolicyForPort: upstream tables and our traps', () => {
  it.each(SUBSET_MERGE_ROWS)('$source', (row) => {
    const rule = subsetMergeRule(row);
    const merged = mergeSubsetPolicy(rule.trafficPolicy, rule.subsets[0].trafficPolicy, row.port);
    expect(origins(merged)).toEqual(row.expected);
    if (row.loadBalancerSimple) expect(merged?.loadBalancer?.simple).toBe(row.loadBalancerSimple);
    // The cluster of a named subset (clusterPolicyFor) is the same merge when a port is given.
    if (row.port !== undefined) expect(origins(clusterPolicyFor(rule, 's', row.port))).toEqual(row.expected);
  });

  it('marks a policy a port entry replaced', () => {
    const rule = subsetMergeRule({ source: '', original: { tls: { mode: 'SIMPLE' }, portLevelSettings: [portEntry(80, {})] }, expected: {} });
    expect(trafficPolicyForPort(rule.trafficPolicy, 80)).toEqual({ portLevel: true });
    expect(trafficPolicyForPort(rule.trafficPolicy, 81)?.tls?.mode).toBe('SIMPLE');
    expect(trafficPolicyForPort(undefined, 80)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Part 3: what the endpoint builder reads (S2) and how manifests are read
// ---------------------------------------------------------------------------

describe('endpointLevelTls: the rule-level tls survives a port entry without tls (S2)', () => {
  const rule = readDestinationRuleTraffic(dr('r', 'ns', {
    trafficPolicy: {
      tls: { mode: 'DISABLE' },
      portLevelSettings: [portEntry(80, pool({ maxRetries: 1 })), portEntry(80, { tls: { mode: 'ISTIO_MUTUAL' } }), portEntry(81, pool({}))],
    },
    subsets: [{ name: 'v1', trafficPolicy: pool({}) }, { name: 'v2', trafficPolicy: { tls: { mode: 'SIMPLE' } } }],
  }));

  it('uses the first entry for the port that sets tls, else the rule-level tls', () => {
    expect(endpointLevelTls(rule.trafficPolicy, 80)?.mode).toBe('ISTIO_MUTUAL');
    expect(endpointLevelTls(rule.trafficPolicy, 81)?.mode).toBe('DISABLE');
    // ...while the cluster itself has no tls on 81: auto mTLS builds it.
    expect(clusterPolicyFor(rule, undefined, 81)?.tls).toBeUndefined();
  });

  it('reads only the subset\'s own policy for a subset cluster, nothing for a missing subset', () => {
    expect(endpointLevelTlsFor(rule, 'v1', 81)).toBeUndefined();
    expect(clusterPolicyFor(rule, 'v1', 81)?.tls).toBeUndefined();
    expect(endpointLevelTlsFor(rule, 'v2', 81)?.mode).toBe('SIMPLE');
    expect(endpointLevelTlsFor(rule, undefined, 81)?.mode).toBe('DISABLE');
    expect(endpointLevelTlsFor(rule, 'v9', 81)).toBeUndefined();
    expect(clusterPolicyFor(rule, 'v9', 81)).toBeUndefined();
  });
});

describe('readDestinationRuleTraffic', () => {
  it('reads tls as a proto does: no mode is DISABLE, enum numbers count, other values are invalid', () => {
    const read = (tls: unknown) => readDestinationRuleTraffic(dr('r', 'ns', { trafficPolicy: { tls } })).trafficPolicy?.tls;
    expect(read({ sni: 'a.example' })).toMatchObject({ mode: 'DISABLE', modeSource: 'default', sni: 'a.example', modePath: '/spec/trafficPolicy/tls/mode' });
    expect(read({ mode: 3 })).toMatchObject({ mode: 'ISTIO_MUTUAL', modeSource: 'written' });
    expect(read({ mode: 'istio_mutual' })).toMatchObject({ mode: 'DISABLE', modeSource: 'invalid' });
    expect(read({ mode: 'MUTUAL', credentialName: 'c', clientCertificate: '/a' })).toMatchObject({ credentialName: 'c', hasClientCertificate: true, hasPrivateKey: false });
    expect(read(null)).toBeUndefined();
  });

  it('keeps exportTo verbatim, counts `workloadSelector: {}` as a selector and skips port entries without a number', () => {
    const info = readDestinationRuleTraffic(dr('r', 'ns', {
      exportTo: ['.', '*'],
      workloadSelector: {},
      trafficPolicy: { portLevelSettings: [{ port: {} }, portEntry(8080, { tls: { mode: 'SIMPLE' } }), { port: { number: '8443' } }] },
    }));
    expect(info.exportTo).toEqual(['.', '*']);
    expect(info.hasWorkloadSelector).toBe(true);
    expect(info.trafficPolicy?.portLevelSettings.map((p) => [p.port, p.path])).toEqual([
      [8080, '/spec/trafficPolicy/portLevelSettings/1'], [8443, '/spec/trafficPolicy/portLevelSettings/2'],
    ]);
    expect(Object.isFrozen(info) && Object.isFrozen(info.trafficPolicy)).toBe(true);
  });
});
