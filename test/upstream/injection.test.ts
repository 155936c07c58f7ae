/*
 * Upstream's tests are our truth: Istio 1.30.3 cases for sidecar injection,
 * ambient enrolment, IST0123 and the tlsMode / tunnel labels, ported as data
 * rows, each naming its source (istio/istio 1.30.3 <path> <test> <case>).
 *
 * Upstream cases not ported, and why:
 * | source                                                            | reason |
 * | pkg/kube/inject/webhook_test.go (all but TestInjectRequired)       | they check the rendered pod (patches, templates, probes, revisions of the status), not whether to inject |
 * | pkg/kube/inject/inject_test.go TestInjection, the other golden files | they check the rendered pod spec; only the inject / skip outcome is ported (table C) |
 * | pkg/kube/inject/inject_test.go TestInjection traffic-annotations-bad-*  | the pod is rejected by annotation validation, which is the capture slice's, not injection's |
 * | cni/pkg/util/podutil_test.go TestGetPodIPs*                         | pod IPs of a live pod; no input fact |
 * | cni/pkg/util/podutil_test.go TestEnablementFromString              | only checks that YAML parses into selectors; we take typed selectors (its "namespace only" selector is used in table F) |
 * | cni/pkg/plugin/plugin_test.go TestIsAmbientPod, *ServerFails, TestCmdAdd (sidecar redirect) | API-server retries, node-agent socket errors and iptables arguments; need a live node |
 * | pilot/pkg/serviceregistry/ambient/workloads_test.go (other cases)  | they check the whole Workload proto (services, waypoints, authz), not the tunnel protocol |
 */
import { describe, expect, it } from 'vitest';
import {
  dataplaneLabelConflicts, decideAmbientEnrolment, decideInjection, DEFAULT_CNI_EXCLUDE_NAMESPACES, endpointTlsMode,
  EnablementSelector, hboneCapable, IGNORED_NAMESPACES, InjectionOptions, injectionWebhooks, injectorVerdict, LabelSelector,
  PodFacts, selectingWebhooks, splitExcludeNamespaces,
} from '../../src/resolution/injection';

type Map = Record<string, string>;

const INJECT = 'sidecar.istio.io/inject';
const STATUS = 'sidecar.istio.io/status';
const REV = 'istio.io/rev';
const MODE = 'istio.io/dataplane-mode';
const exists = (key: string): LabelSelector => ({ matchExpressions: [{ key, operator: 'Exists' }] });

function pod(p: Partial<PodFacts> = {}): PodFacts {
  return { kind: 'Deployment', labels: {}, annotations: {}, hostNetwork: false, hasProxyContainer: false, ...p };
}

// ---------------------------------------------------------------- A: injectRequired

interface PolicyRow {
  source: string;
  policy: string;
  never?: LabelSelector[];
  always?: LabelSelector[];
  hostNetwork?: boolean;
  labels?: Map;
  annotations?: Map;
  want: boolean;
}

const W = 'istio/istio 1.30.3 pkg/kube/inject/webhook_test.go TestInjectRequired';
const fooBar = [{ matchLabels: { foo: 'bar' } }];
const fooLabels = { foo: '', foo2: 'bar2' };

const injectRequiredRows: PolicyRow[] = [
  { source: `${W} #1 "no-policy"`, policy: 'enabled', annotations: {}, want: true },
  { source: `${W} #2 "default-policy"`, policy: 'enabled', want: true },
  { source: `${W} #3 "force-on-policy"`, policy: 'enabled', annotations: { [INJECT]: 'true' }, want: true },
  { source: `${W} #4 "force-off-policy"`, policy: 'enabled', annotations: { [INJECT]: 'false' }, want: false },
  { source: `${W} #5 "no-policy"`, policy: 'disabled', annotations: {}, want: false },
  { source: `${W} #6 "default-policy"`, policy: 'disabled', want: false },
  { source: `${W} #7 "force-on-policy"`, policy: 'disabled', annotations: { [INJECT]: 'true' }, want: true },
  { source: `${W} #8 "force-off-policy"`, policy: 'disabled', annotations: { [INJECT]: 'false' }, want: false },
  { source: `${W} #9 "invalid-inject-value-yes"`, policy: 'enabled', annotations: { [INJECT]: 'yes' }, want: true },
  { source: `${W} #10 "invalid-inject-value-on"`, policy: 'disabled', annotations: { [INJECT]: 'on' }, want: false },
  { source: `${W} #11 "invalid-inject-value-random"`, policy: 'enabled', labels: { [INJECT]: 'random' }, want: true },
  { source: `${W} #12 "force-off-policy" (hostNetwork)`, policy: 'enabled', hostNetwork: true, annotations: {}, want: false },
  { source: `${W} #13 "wrong-policy"`, policy: 'wrong_policy', annotations: {}, want: false },
  { source: `${W} #14 "policy-enabled-always-inject-no-labels"`, policy: 'enabled', always: fooBar, want: true },
  { source: `${W} #15 "policy-enabled-always-inject-with-labels"`, policy: 'enabled', always: fooBar, labels: { foo: 'bar1' }, want: true },
  { source: `${W} #16 "policy-disabled-always-inject-no-labels"`, policy: 'disabled', always: fooBar, want: false },
  { source: `${W} #17 "policy-disabled-always-inject-with-labels"`, policy: 'disabled', always: fooBar, labels: { foo: 'bar' }, want: true },
  { source: `${W} #18 "policy-enabled-never-inject-no-labels"`, policy: 'enabled', never: fooBar, want: true },
  { source: `${W} #19 "policy-enabled-never-inject-with-labels"`, policy: 'enabled', never: fooBar, labels: { foo: 'bar' }, want: false },
  { source: `${W} #20 "policy-disabled-never-inject-no-labels"`, policy: 'disabled', never: fooBar, want: false },
  { source: `${W} #21 "policy-disabled-never-inject-with-labels"`, policy: 'disabled', never: fooBar, labels: { foo: 'bar' }, want: false },
  { source: `${W} #22 "policy-enabled-never-inject-with-empty-label"`, policy: 'enabled', never: [exists('foo')], labels: fooLabels, want: false },
  { source: `${W} #23 "policy-disabled-always-inject-with-empty-label"`, policy: 'disabled', always: [exists('foo')], labels: fooLabels, want: true },
  { source: `${W} #24 "policy-disabled-always-never-inject-with-label-returns-true"`, policy: 'disabled', always: [exists('always')], never: [exists('never')], labels: { always: 'bar', foo2: 'bar2' }, want: true },
  { source: `${W} #25 "policy-disabled-always-never-inject-with-label-returns-false"`, policy: 'disabled', always: [exists('always')], never: [exists('never')], labels: { never: 'bar', foo2: 'bar2' }, want: false },
  { source: `${W} #26 "policy-disabled-always-never-inject-with-both-labels"`, policy: 'disabled', always: [exists('always')], never: [exists('never')], labels: { always: 'bar', never: 'bar2' }, want: false },
  { source: `${W} #27 "policy-enabled-annotation-true-never-inject"`, policy: 'enabled', never: [exists('foo')], annotations: { [INJECT]: 'true' }, labels: fooLabels, want: true },
  { source: `${W} #28 "policy-enabled-annotation-false-always-inject"`, policy: 'enabled', always: [exists('foo')], annotations: { [INJECT]: 'false' }, labels: fooLabels, want: false },
  { source: `${W} #29 "policy-disabled-annotation-false-always-inject"`, policy: 'disabled', always: [exists('foo')], annotations: { [INJECT]: 'false' }, labels: fooLabels, want: false },
  { source: `${W} #30 "policy-enabled-never-inject-multiple-labels"`, policy: 'enabled', never: [exists('foo'), exists('bar')], labels: { label1: '', bar: 'anything' }, want: false },
  { source: `${W} #31 "policy-enabled-always-inject-multiple-labels"`, policy: 'disabled', always: [exists('foo'), exists('bar')], labels: { label1: '', bar: 'anything' }, want: true },
  { source: `${W} #32 "policy-disabled-annotation-true-never-inject"`, policy: 'disabled', never: [exists('foo')], annotations: { [INJECT]: 'true' }, labels: fooLabels, want: true },
  { source: `${W} #33 "policy-disabled-label-enabled"`, policy: 'disabled', labels: { [INJECT]: 'true' }, want: true },
  { source: `${W} #34 "policy-disabled-both-enabled"`, policy: 'disabled', annotations: { [INJECT]: 'true' }, labels: { [INJECT]: 'true' }, want: true },
  { source: `${W} #35 "policy-disabled-label-enabled-annotation-disabled"`, policy: 'disabled', annotations: { [INJECT]: 'false' }, labels: { [INJECT]: 'true' }, want: true },
  { source: `${W} #36 "policy-disabled-label-disabled-annotation-enabled"`, policy: 'disabled', annotations: { [INJECT]: 'true' }, labels: { [INJECT]: 'false' }, want: false },
];

describe('injectorVerdict: istio/istio 1.30.3 pkg/kube/inject/webhook_test.go TestInjectRequired', () => {
  it.each(injectRequiredRows)('$source', (row) => {
    const verdict = injectorVerdict('test-namespace',
      { labels: row.labels ?? {}, annotations: row.annotations ?? {}, hostNetwork: row.hostNetwork ?? false },
      { policy: row.policy, neverInjectSelector: row.never, alwaysInjectSelector: row.always });
    expect(verdict.required).toBe(row.want);
    expect(verdict.reason).not.toBe('');
  });
});

// ---------------------------------------------------------------- B: ignored namespaces

const I = 'istio/istio 1.30.3 pkg/kube/inject/initializer_test.go TestSystemNamespaces_Contains';
const ignoredRows = [
  { source: `${I} KubeSystemNamespace`, ns: 'kube-system', ignored: true },
  { source: `${I} KubePublicNamespace`, ns: 'kube-public', ignored: true },
  { source: `${I} KubeNodeLeaseNamespace`, ns: 'kube-node-lease', ignored: true },
  { source: `${I} LocalPathStorageNamespace`, ns: 'local-path-storage', ignored: true },
  { source: `${I} "fake"`, ns: 'fake', ignored: false },
];

describe('IGNORED_NAMESPACES: istio/istio 1.30.3 pkg/kube/inject/initializer_test.go', () => {
  it.each(ignoredRows)('$source', (row) => {
    expect(IGNORED_NAMESPACES.includes(row.ns)).toBe(row.ignored);
    // Even an explicit opt-in does not inject there.
    expect(injectorVerdict(row.ns, { labels: { [INJECT]: 'true' }, annotations: {}, hostNetwork: false }).required).toBe(!row.ignored);
  });
});

// ---------------------------------------------------------------- C: kube-inject golden files (inject or skip)

const K = 'istio/istio 1.30.3 pkg/kube/inject/inject_test.go TestInjection';
const app = { app: 'hello', tier: 'backend', track: 'stable' };
interface KubeInjectRow { source: string; ns: string; labels: Map; annotations: Map; hostNetwork: boolean; injected: boolean }
const kubeInjectRows: KubeInjectRow[] = [
  { source: `${K} hello.yaml`, ns: 'default', labels: app, annotations: {}, hostNetwork: false, injected: true },
  { source: `${K} hello-namespace.yaml`, ns: 'test', labels: app, annotations: {}, hostNetwork: false, injected: true },
  { source: `${K} hello-ignore.yaml`, ns: 'default', labels: app, annotations: { [INJECT]: 'false' }, hostNetwork: false, injected: false },
  { source: `${K} hello-host-network.yaml`, ns: 'default', labels: app, annotations: {}, hostNetwork: true, injected: false },
  { source: `${K} hello-host-network-with-ns.yaml`, ns: 'sample', labels: app, annotations: {}, hostNetwork: true, injected: false },
  { source: `${K} only-proxy-container.yaml`, ns: 'default', labels: { istio: 'ingressgateway' }, annotations: {}, hostNetwork: false, injected: true },
  { source: `${K} gateway.yaml`, ns: 'default', labels: { istio: 'ingressgateway' }, annotations: { 'inject.istio.io/templates': 'gateway' }, hostNetwork: false, injected: true },
  { source: `${K} proxy-override.yaml`, ns: 'default', labels: { app: 'hello' }, annotations: {}, hostNetwork: false, injected: true },
  { source: `${K} merge-probers.yaml (already injected)`, ns: 'default', labels: { ...app, 'security.istio.io/tlsMode': 'istio' }, annotations: { [STATUS]: '{"revision":"default"}' }, hostNetwork: false, injected: true },
];

describe('injectorVerdict with kube-inject\'s config (policy enabled): istio/istio 1.30.3 pkg/kube/inject/inject_test.go', () => {
  it.each(kubeInjectRows)('$source', (row) => {
    expect(injectorVerdict(row.ns, row, { policy: 'enabled' }).required).toBe(row.injected);
  });
});

// ---------------------------------------------------------------- D: the webhook selectors

const M = 'istio/istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml';
const T = 'istio/istio 1.30.3 manifests/charts/istio-control/istio-discovery/templates/revision-tags-mwc.yaml';

interface WebhookRow {
  source: string;
  ns?: string;
  nsLabels: Map;
  podLabels: Map;
  revisions: string[];
  byDefault?: boolean;
  want: string[];
}

const NS_HOOK = 'namespace.sidecar-injector.istio.io';
const OBJ_HOOK = 'object.sidecar-injector.istio.io';
const REV_NS_HOOK = 'rev.namespace.sidecar-injector.istio.io';
const REV_OBJ_HOOK = 'rev.object.sidecar-injector.istio.io';
const AUTO_HOOK = 'auto.sidecar-injector.istio.io';
const D = ['default'];
const DC = ['default', 'canary'];

const webhookRows: WebhookRow[] = [
  { source: `${M} namespace. (istio-injection In [enabled])`, nsLabels: { 'istio-injection': 'enabled' }, podLabels: {}, revisions: D, want: [`${NS_HOOK} default`] },
  { source: `${M} namespace. objectSelector inject NotIn [false]`, nsLabels: { 'istio-injection': 'enabled' }, podLabels: { [INJECT]: 'false' }, revisions: D, want: [] },
  { source: `${M} namespace. with the pod label true`, nsLabels: { 'istio-injection': 'enabled' }, podLabels: { [INJECT]: 'true' }, revisions: D, want: [`${NS_HOOK} default`] },
  { source: `${M} namespace. with an invalid pod label value`, nsLabels: { 'istio-injection': 'enabled' }, podLabels: { [INJECT]: 'yes' }, revisions: D, want: [`${NS_HOOK} default`] },
  { source: `${M} "if both revision and legacy selector, we give precedence to the legacy one"`, nsLabels: { 'istio-injection': 'enabled', [REV]: 'canary' }, podLabels: {}, revisions: DC, want: [`${NS_HOOK} default`] },
  { source: `${M} every namespaceSelector: istio-injection DoesNotExist or In [enabled] (disabled + rev)`, nsLabels: { 'istio-injection': 'disabled', [REV]: 'canary' }, podLabels: {}, revisions: DC, want: [] },
  { source: `${M} every namespaceSelector (disabled + pod label true)`, nsLabels: { 'istio-injection': 'disabled' }, podLabels: { [INJECT]: 'true' }, revisions: D, want: [] },
  { source: `${M} every namespaceSelector (disabled + pod rev)`, nsLabels: { 'istio-injection': 'disabled' }, podLabels: { [REV]: 'canary' }, revisions: DC, want: [] },
  { source: `${M} every namespaceSelector (empty istio-injection value)`, nsLabels: { 'istio-injection': '' }, podLabels: { [INJECT]: 'true' }, revisions: D, want: [] },
  { source: `${M} rev.namespace. (istio.io/rev In [canary], istio-injection DoesNotExist)`, nsLabels: { [REV]: 'canary' }, podLabels: {}, revisions: DC, want: [`${REV_NS_HOOK} canary`] },
  { source: `${M} rev.namespace. objectSelector inject NotIn [false]`, nsLabels: { [REV]: 'canary' }, podLabels: { [INJECT]: 'false' }, revisions: DC, want: [] },
  { source: `${M} rev.namespace. wins over a pod revision (rev.object. needs no namespace rev)`, nsLabels: { [REV]: 'canary' }, podLabels: { [REV]: 'stable' }, revisions: ['default', 'canary', 'stable'], want: [`${REV_NS_HOOK} canary`] },
  { source: `${M} object. needs istio.io/rev DoesNotExist on the namespace`, nsLabels: { [REV]: 'canary' }, podLabels: { [INJECT]: 'true' }, revisions: DC, want: [`${REV_NS_HOOK} canary`] },
  { source: `${M} rev.namespace. of a revision not installed`, nsLabels: { [REV]: 'canary' }, podLabels: {}, revisions: D, want: [] },
  { source: `${M} rev.namespace. for the default revision ("default")`, nsLabels: { [REV]: 'default' }, podLabels: {}, revisions: D, want: [`${REV_NS_HOOK} default`] },
  { source: `${M} object. (pod inject In [true], istio.io/rev DoesNotExist)`, nsLabels: {}, podLabels: { [INJECT]: 'true' }, revisions: D, want: [`${OBJ_HOOK} default`] },
  { source: `${M} object. "revision label ... has priority"`, nsLabels: {}, podLabels: { [INJECT]: 'true', [REV]: 'canary' }, revisions: DC, want: [`${REV_OBJ_HOOK} canary`] },
  { source: `${M} rev.object. (pod istio.io/rev In [canary])`, nsLabels: {}, podLabels: { [REV]: 'canary' }, revisions: DC, want: [`${REV_OBJ_HOOK} canary`] },
  { source: `${M} rev.object. objectSelector inject NotIn [false]`, nsLabels: {}, podLabels: { [REV]: 'canary', [INJECT]: 'false' }, revisions: DC, want: [] },
  { source: `${M} rev.object. for the default revision ("default")`, nsLabels: {}, podLabels: { [REV]: 'default' }, revisions: D, want: [`${REV_OBJ_HOOK} default`] },
  { source: `${M} object. needs the exact value "true"`, nsLabels: {}, podLabels: { [INJECT]: 'yes' }, revisions: D, want: [] },
  { source: `${M} no webhook for an unlabelled pod in an unlabelled namespace`, nsLabels: {}, podLabels: {}, revisions: D, want: [] },
  { source: `${M} namespace. and object. exist only for the default revision`, nsLabels: { 'istio-injection': 'enabled' }, podLabels: {}, revisions: ['canary'], want: [] },
  { source: `${T} tag "default" installs namespace. and object. too`, nsLabels: {}, podLabels: { [INJECT]: 'true' }, revisions: ['default'], want: [`${OBJ_HOOK} default`] },
  { source: `${T} a tag answers rev.namespace. like a revision`, nsLabels: { [REV]: 'prod' }, podLabels: {}, revisions: ['default', 'prod'], want: [`${REV_NS_HOOK} prod`] },
  { source: `${M} auto. (enableNamespacesByDefault)`, nsLabels: {}, podLabels: {}, revisions: D, byDefault: true, want: [`${AUTO_HOOK} default`] },
  { source: `${M} auto. excludes kube-system by kubernetes.io/metadata.name`, ns: 'kube-system', nsLabels: {}, podLabels: {}, revisions: D, byDefault: true, want: [] },
  { source: `${M} auto. needs sidecar.istio.io/inject DoesNotExist`, nsLabels: {}, podLabels: { [INJECT]: 'true' }, revisions: D, byDefault: true, want: [`${OBJ_HOOK} default`] },
  { source: `${M} auto. with the pod label false`, nsLabels: {}, podLabels: { [INJECT]: 'false' }, revisions: D, byDefault: true, want: [] },
];

describe('selectingWebhooks: the istio-discovery chart\'s webhook selectors', () => {
  it.each(webhookRows)('$source', (row) => {
    const hooks = selectingWebhooks(row.ns ?? 'app', row.nsLabels, row.podLabels, injectionWebhooks(row.revisions, row.byDefault ?? false));
    expect(hooks.map((h) => `${h.name} ${h.revision}`)).toEqual(row.want);
  });
});

// ---------------------------------------------------------------- E: decideInjection (the traps)

interface DecisionRow {
  source: string;
  ns?: string;
  nsLabels?: Map;
  pod: Partial<PodFacts>;
  options?: Partial<InjectionOptions>;
  injected: boolean;
  assumed?: boolean;
  revision?: string;
}

const OURS = 'ours (DESIGN.md "Sidecars")';
const decisionRows: DecisionRow[] = [
  { source: `${OURS}: pod istio.io/rev in an unlabelled namespace is injected (rev.object.)`, nsLabels: {}, pod: { labels: { [REV]: 'canary' } }, injected: true, revision: 'canary' },
  { source: `${OURS}: pod istio.io/rev of a revision not installed`, nsLabels: {}, pod: { labels: { [REV]: 'canary' } }, options: { knownRevisions: ['default'] }, injected: false },
  { source: `${OURS}: the label true beats the annotation false (unlabelled namespace)`, nsLabels: {}, pod: { labels: { [INJECT]: 'true' }, annotations: { [INJECT]: 'false' } }, injected: true, revision: 'default' },
  { source: `${OURS}: the label true beats the annotation false (enabled namespace)`, nsLabels: { 'istio-injection': 'enabled' }, pod: { labels: { [INJECT]: 'true' }, annotations: { [INJECT]: 'false' } }, injected: true },
  { source: `${OURS}: the annotation false opts out once a webhook selects`, nsLabels: { 'istio-injection': 'enabled' }, pod: { annotations: { [INJECT]: 'false' } }, injected: false },
  { source: `${OURS}: the annotation true never reaches a webhook selector`, nsLabels: {}, pod: { annotations: { [INJECT]: 'true' } }, injected: false },
  { source: `${OURS}: an invalid label value falls back to the namespace (enabled)`, nsLabels: { 'istio-injection': 'enabled' }, pod: { labels: { [INJECT]: 'yes' } }, injected: true },
  { source: `${OURS}: an invalid label value falls back to the namespace (unlabelled)`, nsLabels: {}, pod: { labels: { [INJECT]: 'True' } }, injected: false },
  { source: `${OURS}: an invalid annotation value falls back to the namespace`, nsLabels: { 'istio-injection': 'enabled' }, pod: { annotations: { [INJECT]: 'False' } }, injected: true },
  { source: `${OURS}: an empty label hides the annotation false`, nsLabels: { 'istio-injection': 'enabled' }, pod: { labels: { [INJECT]: '' }, annotations: { [INJECT]: 'false' } }, injected: true },
  { source: `${OURS}: kube-system is never injected`, ns: 'kube-system', nsLabels: { 'istio-injection': 'enabled' }, pod: {}, injected: false },
  { source: `${OURS}: kube-public is never injected`, ns: 'kube-public', nsLabels: {}, pod: { labels: { [INJECT]: 'true' } }, injected: false },
  { source: `${OURS}: kube-node-lease is never injected`, ns: 'kube-node-lease', nsLabels: { [REV]: 'canary' }, pod: {}, injected: false },
  { source: `${OURS}: local-path-storage is never injected`, ns: 'local-path-storage', nsLabels: {}, pod: { labels: { [REV]: 'canary' } }, injected: false },
  { source: `${OURS}: hostNetwork pods are never injected`, nsLabels: { 'istio-injection': 'enabled' }, pod: { hostNetwork: true }, injected: false },
  { source: `${OURS}: an istio-proxy container someone wrote is not a sidecar`, nsLabels: {}, pod: { hasProxyContainer: true }, injected: false },
  { source: `${OURS}: a selected pod with its own istio-proxy container is injected`, nsLabels: { 'istio-injection': 'enabled' }, pod: { hasProxyContainer: true }, injected: true },
  { source: `${OURS}: the injector's status annotation means injected`, nsLabels: {}, pod: { hasProxyContainer: true, annotations: { [STATUS]: '{"containers":["istio-proxy"],"revision":"canary"}' } }, injected: true, revision: 'canary' },
  { source: `${OURS}: istio-injection=disabled wins over istio.io/rev`, nsLabels: { 'istio-injection': 'disabled', [REV]: 'canary' }, pod: {}, injected: false },
  { source: `${OURS}: istio-injection=enabled with istio.io/rev: the default revision injects`, nsLabels: { 'istio-injection': 'enabled', [REV]: 'canary' }, pod: {}, injected: true, revision: 'default' },
  { source: `${OURS}: istio-injection=enabled without a default revision or tag`, nsLabels: { 'istio-injection': 'enabled' }, pod: {}, options: { knownRevisions: ['canary'] }, injected: false },
  { source: `${OURS}: namespace istio.io/rev injects that revision`, nsLabels: { [REV]: 'canary' }, pod: {}, options: { knownRevisions: ['default', 'canary'] }, injected: true, revision: 'canary' },
  { source: `${OURS}: namespace istio.io/rev of a revision not installed`, nsLabels: { [REV]: 'old' }, pod: {}, options: { knownRevisions: ['default', 'canary'] }, injected: false },
  { source: `${OURS}: a neverInjectSelector refuses a selected pod`, nsLabels: { 'istio-injection': 'enabled' }, pod: { labels: { job: 'batch' } }, options: { neverInjectSelector: [{ matchLabels: { job: 'batch' } }] }, injected: false },
  { source: `${OURS}: autoInject disabled needs an explicit opt-in`, nsLabels: { 'istio-injection': 'enabled' }, pod: {}, options: { policy: 'disabled' }, injected: false },
  { source: `${OURS}: enableNamespacesByDefault injects unlabelled namespaces`, nsLabels: {}, pod: {}, options: { enableNamespacesByDefault: true }, injected: true },
  { source: `${OURS}: unknown Namespace, assumed injected`, pod: {}, injected: true, assumed: true },
  { source: `${OURS}: unknown Namespace, assumed not injected`, pod: {}, options: { assumeInjectedWhenNamespaceUnknown: false }, injected: false, assumed: true },
  { source: `${OURS}: unknown Namespace, the pod label true opts in`, pod: { labels: { [INJECT]: 'true' } }, options: { assumeInjectedWhenNamespaceUnknown: false }, injected: true, assumed: false },
  { source: `${OURS}: unknown Namespace, the pod istio.io/rev opts in`, pod: { labels: { [REV]: 'canary' } }, options: { assumeInjectedWhenNamespaceUnknown: false }, injected: true, assumed: false, revision: 'canary' },
  { source: `${OURS}: unknown Namespace, the pod label false opts out`, pod: { labels: { [INJECT]: 'false' } }, injected: false, assumed: false },
  { source: `${OURS}: unknown Namespace, the annotation false opts out`, pod: { annotations: { [INJECT]: 'false' } }, injected: false, assumed: false },
  { source: `${OURS}: unknown Namespace, hostNetwork`, pod: { hostNetwork: true }, injected: false, assumed: false },
  { source: `${OURS}: unknown Namespace kube-system`, ns: 'kube-system', pod: {}, injected: false, assumed: false },
];

describe('decideInjection: webhook selectors, then the injector\'s check', () => {
  it.each(decisionRows)('$source', (row) => {
    const options: InjectionOptions = { assumeInjectedWhenNamespaceUnknown: true, ...row.options };
    const d = decideInjection({ name: row.ns ?? 'app', labels: row.nsLabels }, pod(row.pod), options);
    expect(d.injected).toBe(row.injected);
    expect(d.assumed).toBe(row.assumed ?? false);
    if (row.revision !== undefined) expect(d.revision).toBe(row.revision);
    if (!d.injected) expect(d.revision).toBeUndefined();
    expect(d.reason).not.toBe('');
  });

  it('says why an istio-proxy container someone wrote is not a sidecar', () => {
    const d = decideInjection({ name: 'app', labels: {} }, pod({ hasProxyContainer: true }), { assumeInjectedWhenNamespaceUnknown: true });
    expect(d.reason).toContain(STATUS);
  });
});

// ---------------------------------------------------------------- F: ambient enrolment

interface AmbientRow {
  source: string;
  ns?: string;
  nsLabels?: Map;
  pod: Partial<PodFacts>;
  injected?: boolean;
  ambient?: boolean;
  exclude?: readonly string[];
  selectors?: EnablementSelector[];
  want: boolean;
  assumed?: boolean;
}

const P = 'istio/istio 1.30.3 cni/pkg/util/podutil_test.go TestPodRedirectionEnabled';
const C = 'istio/istio 1.30.3 cni/pkg/plugin/plugin_test.go';
const ambientNs = { [MODE]: 'ambient' };
const withSidecar = { annotations: { [STATUS]: 'test' } };
const SEM = 'ours (SEMANTICS.md §1 rules 1-2)';

const ambientRows: AmbientRow[] = [
  { source: `${P} "ambient mode enabled for namespace"`, nsLabels: ambientNs, pod: {}, want: true },
  { source: `${P} "ambient mode enabled for pod"`, nsLabels: {}, pod: { labels: ambientNs }, want: true },
  { source: `${P} "ambient mode enabled for both namespace and pod"`, nsLabels: ambientNs, pod: { labels: ambientNs }, want: true },
  { source: `${P} "ambient mode enabled for neither namespace nor pod"`, nsLabels: {}, pod: {}, want: false },
  { source: `${P} "pod has sidecar and namespace has ambient enabled"`, nsLabels: ambientNs, pod: withSidecar, want: false },
  { source: `${P} "pod has label to disable ambient redirection"`, nsLabels: ambientNs, pod: { labels: { [MODE]: 'none' } }, want: false },
  { source: `${P} "pod has sidecar, pod has ambient mode label"`, nsLabels: {}, pod: { labels: ambientNs, ...withSidecar }, want: false },
  { source: `${C} TestCmdAddAmbientEnabledOnNS`, ns: 'testNS', nsLabels: ambientNs, pod: {}, exclude: ['testExcludeNS'], want: true },
  { source: `${C} TestCmdAddPodWithProxySidecarAmbientEnabledNS`, ns: 'testNS', nsLabels: ambientNs, pod: { hasProxyContainer: true, annotations: { [STATUS]: 'true' } }, exclude: ['testExcludeNS'], want: false },
  { source: `${C} TestCmdAddPodWithGenericSidecar`, ns: 'testNS', nsLabels: ambientNs, pod: { hasProxyContainer: true }, exclude: ['testExcludeNS'], want: true },
  { source: `${C} TestCmdAddPodDisabledLabel`, ns: 'testNS', nsLabels: ambientNs, pod: { labels: { [MODE]: 'none' } }, exclude: ['testExcludeNS'], want: false },
  { source: `${C} TestCmdAddPodEnabledNamespaceDisabled`, ns: 'testNS', nsLabels: {}, pod: { labels: ambientNs }, exclude: ['testExcludeNS'], want: true },
  { source: `${C} TestCmdAddPodInExcludedNamespace`, ns: 'testExcludeNS', nsLabels: ambientNs, pod: {}, exclude: ['testExcludeNS'], want: false },
  { source: `${SEM}: the injector will add a sidecar, so CNI skips the pod`, nsLabels: ambientNs, pod: {}, injected: true, want: false },
  { source: `${SEM}: ambient not installed`, nsLabels: ambientNs, pod: {}, ambient: false, want: false },
  { source: `${SEM}: kube-system is excluded by default`, ns: 'kube-system', nsLabels: ambientNs, pod: { labels: ambientNs }, want: false },
  { source: `${SEM}: the label value is exact`, nsLabels: { [MODE]: 'Ambient' }, pod: {}, want: false },
  { source: `${SEM}: a pod label other than none keeps the namespace's ambient`, nsLabels: ambientNs, pod: { labels: { [MODE]: 'sidecar' } }, want: true },
  { source: `${SEM}: unknown Namespace, the pod label decides alone`, pod: { labels: ambientNs }, want: true },
  { source: `${SEM}: unknown Namespace, no pod label`, pod: {}, want: false, assumed: true },
  { source: `${SEM}: hostNetwork pod (enrolment unverified)`, nsLabels: ambientNs, pod: { hostNetwork: true }, want: true, assumed: true },
  { source: 'istio/istio 1.30.3 cni/pkg/util/podutil_test.go TestEnablementFromString "namespace only" selector, evaluated', nsLabels: ambientNs, pod: { labels: { [MODE]: 'none' } }, selectors: [{ namespaceSelector: { matchLabels: ambientNs } }], want: true },
];

describe('decideAmbientEnrolment: istio-cni enablement selectors', () => {
  it.each(ambientRows)('$source', (row) => {
    const d = decideAmbientEnrolment({ name: row.ns ?? 'app', labels: row.nsLabels }, pod(row.pod), row.injected ?? false, {
      ambient: row.ambient ?? true,
      excludeNamespaces: row.exclude ?? DEFAULT_CNI_EXCLUDE_NAMESPACES,
      enablementSelectors: row.selectors,
    });
    expect(d.ambient).toBe(row.want);
    expect(d.assumed).toBe(row.assumed ?? false);
    expect(d.reason).not.toBe('');
  });
});

const S = 'istio/istio 1.30.3 cni/pkg/util/podutil_test.go TestSplitExcludeNamespaces';
const splitRows = [
  { source: `${S} "empty string"`, input: '', want: [] },
  { source: `${S} "string of spaces"`, input: '  ', want: [] },
  { source: `${S} "single namespace"`, input: 'kube-system', want: ['kube-system'] },
  { source: `${S} "single namespace with spaces"`, input: ' kube-system ', want: ['kube-system'] },
  { source: `${S} "two namespaces"`, input: 'kube-system,istio-system', want: ['kube-system', 'istio-system'] },
  { source: `${S} "two namespaces with spaces"`, input: ' kube-system , istio-system ', want: ['kube-system', 'istio-system'] },
  { source: `${S} "trailing comma"`, input: 'kube-system,', want: ['kube-system'] },
  { source: `${S} "leading comma"`, input: ',kube-system', want: ['kube-system'] },
  { source: `${S} "embedded empty"`, input: 'kube-system,,istio-system', want: ['kube-system', 'istio-system'] },
  { source: `${S} "only commas"`, input: ',,', want: [] },
];

describe('splitExcludeNamespaces: istio/istio 1.30.3 cni/pkg/util/podutil_test.go', () => {
  it.each(splitRows)('$source', (row) => {
    expect(splitExcludeNamespaces(row.input)).toEqual(row.want);
  });
});

// ---------------------------------------------------------------- G: IST0123

const A = 'istio/istio 1.30.3 pkg/config/analysis/analyzers/analyzers_test.go istioInjection (testdata/injection.yaml)';
const ist0123Rows: { source: string; ns: string; labels: Map; conflict: boolean }[] = [
  { source: `${A} Namespace default`, ns: 'default', labels: { 'istio-injection': 'enabled' }, conflict: false },
  { source: `${A} Namespace ambient`, ns: 'ambient', labels: { [MODE]: 'ambient' }, conflict: false },
  { source: `${A} Namespace foo`, ns: 'foo', labels: { 'istio-injection': 'disabled' }, conflict: false },
  { source: `${A} Namespace bar`, ns: 'bar', labels: {}, conflict: false },
  { source: `${A} Namespace canary-test`, ns: 'canary-test', labels: { [REV]: 'canary' }, conflict: false },
  { source: `${A} Namespace pidgeon-test`, ns: 'pidgeon-test', labels: { [REV]: 'pidgeon' }, conflict: false },
  { source: `${A} Namespace busted`, ns: 'busted', labels: { 'istio-injection': 'enabled', [REV]: 'canary' }, conflict: true },
  { source: `${A} Namespace multi-ns-1`, ns: 'multi-ns-1', labels: { 'istio-injection': 'enabled', [REV]: 'test' }, conflict: true },
  { source: `${A} Namespace multi-ns-2`, ns: 'multi-ns-2', labels: { 'istio-injection': 'enabled', [MODE]: 'ambient' }, conflict: true },
  { source: `${A} Namespace multi-ns-3`, ns: 'multi-ns-3', labels: { [REV]: 'test', [MODE]: 'ambient' }, conflict: true },
  { source: `${A} Namespace not-conflict-ns-1`, ns: 'not-conflict-ns-1', labels: { 'istio-injection': 'disabled', [MODE]: 'ambient' }, conflict: false },
  { source: `${A} Namespace not-conflict-ns-2`, ns: 'not-conflict-ns-2', labels: { 'istio-injection': 'disabled', [REV]: 'test' }, conflict: false },
  { source: 'ours (injection.go): istio-system is never reported', ns: 'istio-system', labels: { 'istio-injection': 'enabled', [REV]: 'test' }, conflict: false },
  { source: 'ours (injection.go): any dataplane-mode value counts', ns: 'x', labels: { [REV]: 'test', [MODE]: 'none' }, conflict: true },
];

describe('dataplaneLabelConflicts (IST0123)', () => {
  it.each(ist0123Rows)('$source', (row) => {
    const found = dataplaneLabelConflicts(row.labels, row.ns);
    expect(found.length > 0).toBe(row.conflict);
    if (row.conflict) expect(found).toEqual(Object.entries(row.labels).map(([k, v]) => `${k}=${v}`));
  });
});

// ---------------------------------------------------------------- H: tlsMode and tunnel labels

const G = 'istio/istio 1.30.3 pkg/kube/inject/inject_test.go TestInjection golden';
const TLS = 'security.istio.io/tlsMode';
const TUN = 'networking.istio.io/tunnel';
const TLS_SEM = 'ours (SEMANTICS.md §5)';

const tlsModeRows: { source: string; labels: Map; annotations: Map; injected: boolean; want: string }[] = [
  { source: `${G} hello.yaml.injected (tlsMode: istio)`, labels: app, annotations: {}, injected: true, want: 'istio' },
  { source: `${G} hello-mtls-not-ready.yaml.injected (own value kept)`, labels: { ...app, [TLS]: 'disabled' }, annotations: {}, injected: true, want: 'disabled' },
  { source: `${G} merge-probers.yaml.injected (already injected)`, labels: { ...app, [TLS]: 'istio' }, annotations: { [STATUS]: '{}' }, injected: true, want: 'istio' },
  { source: `${TLS_SEM} example 1: a hand-set istio on a pod without sidecar`, labels: { [TLS]: 'istio' }, annotations: {}, injected: false, want: 'istio' },
  { source: `${TLS_SEM} example 3: Istio is kept verbatim`, labels: { [TLS]: 'Istio' }, annotations: {}, injected: true, want: 'Istio' },
  { source: `${TLS_SEM} rule 2: absent on a pod without sidecar is disabled`, labels: {}, annotations: {}, injected: false, want: 'disabled' },
  { source: `${TLS_SEM} rule 1: Helm default turns an empty value into istio`, labels: { [TLS]: '' }, annotations: {}, injected: true, want: 'istio' },
  { source: `${TLS_SEM} rule 2: an empty value on a pod without sidecar stays empty`, labels: { [TLS]: '' }, annotations: {}, injected: false, want: '' },
  { source: `${TLS_SEM} rule 2: an injected pod dump without the label`, labels: {}, annotations: { [STATUS]: '{}' }, injected: true, want: 'disabled' },
];

describe('endpointTlsMode: security.istio.io/tlsMode as pilot reads it', () => {
  it.each(tlsModeRows)('$source', (row) => {
    expect(endpointTlsMode(row, row.injected)).toBe(row.want);
  });
});

const WL = 'istio/istio 1.30.3 pilot/pkg/serviceregistry/ambient/workloads_test.go';
const HB = 'ours (SEMANTICS.md §1 rule 4)';
interface HboneRow { source: string; labels: Map; annotations: Map; injected: boolean; ambient: boolean; enableHbone: boolean; want: boolean }
const hboneRows: HboneRow[] = [
  { source: `${WL} TestWorkloadEntryWorkloads "we with tunnel label is HBONE"`, labels: { [TUN]: 'http' }, annotations: {}, injected: false, ambient: false, enableHbone: false, want: true },
  { source: `${WL} TestWorkloadEntryWorkloads "we without labels"`, labels: {}, annotations: {}, injected: false, ambient: false, enableHbone: false, want: false },
  { source: `${WL} TestPodWorkloads "pod with service"`, labels: { app: 'foo' }, annotations: {}, injected: false, ambient: false, enableHbone: false, want: false },
  { source: `${G} hello.yaml.injected (no ENABLE_HBONE, no tunnel label)`, labels: app, annotations: {}, injected: true, ambient: false, enableHbone: false, want: false },
  { source: `${HB}: an ambient pod`, labels: {}, annotations: {}, injected: false, ambient: true, enableHbone: false, want: true },
  { source: `${HB}: ztunnel's redirection annotation on a pod dump`, labels: {}, annotations: { 'ambient.istio.io/redirection': 'enabled' }, injected: false, ambient: false, enableHbone: false, want: true },
  { source: `${HB}: injected under ISTIO_META_ENABLE_HBONE`, labels: {}, annotations: {}, injected: true, ambient: false, enableHbone: true, want: true },
  { source: `${HB}: injected before ENABLE_HBONE (dump without the label)`, labels: {}, annotations: { [STATUS]: '{}' }, injected: true, ambient: false, enableHbone: true, want: false },
  { source: `${HB}: the injector keeps the pod's own tunnel value`, labels: { [TUN]: 'h2' }, annotations: {}, injected: true, ambient: false, enableHbone: true, want: false },
  { source: `${HB}: a list with http`, labels: { [TUN]: 'h2,http' }, annotations: {}, injected: true, ambient: false, enableHbone: false, want: true },
  { source: `${HB}: a list is split without trimming`, labels: { [TUN]: 'h2, http' }, annotations: {}, injected: true, ambient: false, enableHbone: false, want: false },
  { source: `${HB}: no sidecar, no ENABLE_HBONE effect`, labels: {}, annotations: {}, injected: false, ambient: false, enableHbone: true, want: false },
];

describe('hboneCapable: networking.istio.io/tunnel as pilot reads it', () => {
  it.each(hboneRows)('$source', (row) => {
    expect(hboneCapable(row, row.injected, { ambient: row.ambient, injectorEnablesHbone: row.enableHbone })).toBe(row.want);
  });
});
