import { Labels, NO_LABELS } from '../model/labels';

/*
 * Which data plane a pod gets, decided the way Istio 1.30.3 decides it:
 * the sidecar injection webhooks (their selectors, then the injector's own
 * policy check), istio-cni's ambient enablement selectors, and the two pod
 * labels the injector writes (`security.istio.io/tlsMode` and
 * `networking.istio.io/tunnel`) as pilot reads them.
 *
 * Inputs are plain label and annotation maps. For a workload, pass the labels
 * and annotations of its pod template: labels on the Deployment (or other
 * controller) object itself never reach its pods, so the webhooks never see them.
 */

/** Pod label and legacy pod annotation that opt a pod in or out of injection. */
export const SIDECAR_INJECT = 'sidecar.istio.io/inject';
/** The annotation the injector writes on every pod it injects (its presence is what CNI checks). */
export const SIDECAR_STATUS = 'sidecar.istio.io/status';
/** The legacy namespace injection label. */
export const ISTIO_INJECTION = 'istio-injection';
/** The revision label, on a namespace or a pod. */
export const ISTIO_REV = 'istio.io/rev';
/** The ambient enrolment label, on a namespace or a pod. */
export const DATAPLANE_MODE = 'istio.io/dataplane-mode';
/** The endpoint TLS mode label the injector writes and auto mTLS reads. */
export const TLS_MODE = 'security.istio.io/tlsMode';
/** The label that says a pod accepts HBONE, a comma-separated list of tunnel types. */
export const TUNNEL = 'networking.istio.io/tunnel';
/** The annotation istio-cni sets on a pod once ztunnel captures it. */
export const AMBIENT_REDIRECTION = 'ambient.istio.io/redirection';

/** Namespaces the injector refuses whatever their labels (istio/istio `pkg/kube/inject/initializer.go`). */
export const IGNORED_NAMESPACES: readonly string[] = Object.freeze(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** istio-cni's default `excludeNamespaces` (istio-cni chart values). */
export const DEFAULT_CNI_EXCLUDE_NAMESPACES: readonly string[] = Object.freeze(['kube-system']);

// ---------------------------------------------------------------- label selectors

/** A Kubernetes set-based selector operator. */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One `matchExpressions` entry of a Kubernetes label selector. */
export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values?: readonly string[];
}

/** A Kubernetes `metav1.LabelSelector`. */
export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly SelectorRequirement[];
}

/** True when the selector has no requirement at all (Kubernetes then matches everything). */
export function isEmptyLabelSelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? NO_LABELS).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/**
 * Kubernetes label-selector semantics: every `matchLabels` pair and every
 * expression must hold; `NotIn` and `DoesNotExist` hold for a missing key.
 * An empty selector matches every label set.
 */
export function labelSelectorMatches(selector: LabelSelector, labels: Labels): boolean {
  const matchLabels = selector.matchLabels ?? NO_LABELS;
  for (const key of Object.keys(matchLabels)) {
    if (labels[key] !== matchLabels[key]) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    if (!requirementHolds(req, labels)) return false;
  }
  return true;
}

function requirementHolds(req: SelectorRequirement, labels: Labels): boolean {
  const present = Object.prototype.hasOwnProperty.call(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In': return present && values.includes(labels[req.key]);
    case 'NotIn': return !present || !values.includes(labels[req.key]);
    case 'Exists': return present;
    case 'DoesNotExist': return !present;
  }
}

function hasKey(map: Readonly<Record<string, string>>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

// ---------------------------------------------------------------- the injector's policy check

/** The facts of a pod the webhooks and istio-cni read: its (template) labels and annotations. */
export interface PodFacts {
  /** The workload kind, for messages: `Pod`, `Deployment`, ... */
  readonly kind: string;
  /** Pod (template) labels; never the controller object's own labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Pod (template) annotations. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly hostNetwork: boolean;
  /** A container named `istio-proxy` is in the spec (by itself not a sidecar: see `decideInjection`). */
  readonly hasProxyContainer: boolean;
}

/** The injector's configuration (`global.proxy.autoInject`, `sidecarInjectorWebhook.never/alwaysInjectSelector`). */
export interface InjectorPolicy {
  /** `enabled` or `disabled`; any other value turns injection off. @default 'enabled' */
  readonly policy?: string;
  readonly neverInjectSelector?: readonly LabelSelector[];
  readonly alwaysInjectSelector?: readonly LabelSelector[];
}

/** The injector's own answer once a webhook has called it. */
export interface InjectorVerdict {
  readonly required: boolean;
  readonly reason: string;
}

/**
 * The check the injector runs on every pod a webhook sends it (istio/istio
 * `pkg/kube/inject/inject.go` injectRequired): hostNetwork and the ignored
 * system namespaces never; then the pod label `sidecar.istio.io/inject`, or the
 * legacy annotation when the label is absent (a present label wins, even
 * empty); only `true` and `false` decide; otherwise the never- and
 * always-inject selectors, then the policy default.
 */
export function injectorVerdict(namespace: string, pod: Pick<PodFacts, 'labels' | 'annotations' | 'hostNetwork'>, config: InjectorPolicy = {}): InjectorVerdict {
  if (pod.hostNetwork) return { required: false, reason: 'hostNetwork pods are never injected' };
  if (IGNORED_NAMESPACES.includes(namespace)) return { required: false, reason: `namespace ${namespace} is never injected` };
  const fromLabel = hasKey(pod.labels, SIDECAR_INJECT);
  const value = fromLabel ? pod.labels[SIDECAR_INJECT] : (pod.annotations[SIDECAR_INJECT] ?? '');
  const source = fromLabel ? `pod label ${SIDECAR_INJECT}=${value}` : `pod annotation ${SIDECAR_INJECT}: "${value}"`;
  if (value === 'true') return { required: true, reason: `${source} opts in` };
  if (value === 'false') return { required: false, reason: `${source} opts out` };
  // An unset or non-boolean value falls back to the selectors, then the policy.
  const fallback = value === '' ? '' : `${source} is neither "true" nor "false"; `;
  const never = (config.neverInjectSelector ?? []).find((s) => !isEmptyLabelSelector(s) && labelSelectorMatches(s, pod.labels));
  if (never) return { required: false, reason: `${fallback}the pod labels match a neverInjectSelector` };
  const always = (config.alwaysInjectSelector ?? []).find((s) => !isEmptyLabelSelector(s) && labelSelectorMatches(s, pod.labels));
  if (always) return { required: true, reason: `${fallback}the pod labels match an alwaysInjectSelector` };
  const policy = config.policy ?? 'enabled';
  if (policy === 'enabled') return { required: true, reason: `${fallback}the injector's policy is enabled` };
  if (policy === 'disabled') return { required: false, reason: `${fallback}the injector's policy is disabled and nothing opts in` };
  return { required: false, reason: `${fallback}the injector's policy "${policy}" is invalid, which turns injection off` };
}

// ---------------------------------------------------------------- the webhooks' selectors

/** One mutating webhook of the istio-discovery chart, with the revision it injects. */
export interface InjectionWebhook {
  /** `namespace.sidecar-injector.istio.io`, `rev.object.sidecar-injector.istio.io`, ... */
  readonly name: string;
  /** The revision (or revision tag) whose istiod answers it; `default` for the default revision. */
  readonly revision: string;
  readonly namespaceSelector: LabelSelector;
  readonly objectSelector: LabelSelector;
}

const NOT_OPTED_OUT: SelectorRequirement = { key: SIDECAR_INJECT, operator: 'NotIn', values: ['false'] };
const absent = (key: string): SelectorRequirement => ({ key, operator: 'DoesNotExist' });
const oneOf = (key: string, value: string): SelectorRequirement => ({ key, operator: 'In', values: [value] });

/**
 * The webhooks the istio-discovery chart (and `istioctl tag set`) installs for
 * the given revisions or tags (istio/istio `manifests/charts/istio-control/
 * istio-discovery/templates/mutatingwebhook.yaml`, `revision-tags-mwc.yaml`).
 * Every revision R gets `rev.namespace` (namespace `istio.io/rev=R` without
 * `istio-injection`) and `rev.object` (namespace with neither label, pod
 * `istio.io/rev=R`); the revision or tag `default` also gets `namespace`
 * (`istio-injection=enabled`) and `object` (pod `sidecar.istio.io/inject=true`
 * without `istio.io/rev`), plus `auto` with `enableNamespacesByDefault`.
 * All of them skip pods labelled `sidecar.istio.io/inject=false`.
 */
export function injectionWebhooks(revisions: readonly string[], enableNamespacesByDefault = false): InjectionWebhook[] {
  const out: InjectionWebhook[] = [];
  for (const revision of [...new Set(revisions)]) {
    out.push({
      name: 'rev.namespace.sidecar-injector.istio.io',
      revision,
      namespaceSelector: { matchExpressions: [oneOf(ISTIO_REV, revision), absent(ISTIO_INJECTION)] },
      objectSelector: { matchExpressions: [NOT_OPTED_OUT] },
    }, {
      name: 'rev.object.sidecar-injector.istio.io',
      revision,
      namespaceSelector: { matchExpressions: [absent(ISTIO_REV), absent(ISTIO_INJECTION)] },
      objectSelector: { matchExpressions: [NOT_OPTED_OUT, oneOf(ISTIO_REV, revision)] },
    });
    if (revision !== 'default') continue;
    out.push({
      name: 'namespace.sidecar-injector.istio.io',
      revision,
      namespaceSelector: { matchExpressions: [oneOf(ISTIO_INJECTION, 'enabled')] },
      objectSelector: { matchExpressions: [NOT_OPTED_OUT] },
    }, {
      name: 'object.sidecar-injector.istio.io',
      revision,
      namespaceSelector: { matchExpressions: [absent(ISTIO_INJECTION), absent(ISTIO_REV)] },
      objectSelector: { matchExpressions: [oneOf(SIDECAR_INJECT, 'true'), absent(ISTIO_REV)] },
    });
    if (enableNamespacesByDefault) {
      out.push({
        name: 'auto.sidecar-injector.istio.io',
        revision,
        namespaceSelector: {
          matchExpressions: [absent(ISTIO_INJECTION), absent(ISTIO_REV),
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: IGNORED_NAMESPACES }],
        },
        objectSelector: { matchExpressions: [absent(SIDECAR_INJECT), absent(ISTIO_REV)] },
      });
    }
  }
  return out;
}

/** The last answer of `webhooksOf`: every pod of a mesh asks, nearly always with the same revisions. */
let lastWebhooks: { readonly revisions: readonly string[]; readonly byDefault: boolean; readonly webhooks: readonly InjectionWebhook[] } | undefined;

/** `injectionWebhooks`, shared between calls with the same revisions. */
function webhooksOf(revisions: readonly string[], enableNamespacesByDefault: boolean): readonly InjectionWebhook[] {
  const last = lastWebhooks;
  if (last && last.byDefault === enableNamespacesByDefault && last.revisions.length === revisions.length
    && last.revisions.every((r, i) => r === revisions[i])) return last.webhooks;
  const webhooks = Object.freeze(injectionWebhooks(revisions, enableNamespacesByDefault));
  lastWebhooks = { revisions: [...revisions], byDefault: enableNamespacesByDefault, webhooks };
  return webhooks;
}

/**
 * The webhooks whose namespace and object selectors both match. The API
 * server adds `kubernetes.io/metadata.name` to every Namespace, so it is
 * added here from `namespace`.
 */
export function selectingWebhooks(namespace: string, nsLabels: Labels, podLabels: Labels, webhooks: readonly InjectionWebhook[]): InjectionWebhook[] {
  return objectSelected(namespaceSelected(namespace, nsLabels, webhooks), podLabels);
}

function namespaceSelected(namespace: string, nsLabels: Labels, webhooks: readonly InjectionWebhook[]): readonly InjectionWebhook[] {
  const withName: Labels = { ...nsLabels, 'kubernetes.io/metadata.name': namespace };
  return webhooks.filter((w) => labelSelectorMatches(w.namespaceSelector, withName));
}

function objectSelected(webhooks: readonly InjectionWebhook[], podLabels: Labels): InjectionWebhook[] {
  return webhooks.filter((w) => labelSelectorMatches(w.objectSelector, podLabels));
}

/** The last answer of `namespaceSelected` for frozen labels: pods are resolved namespace by namespace. */
let lastNamespace: {
  readonly name: string;
  readonly labels: Labels;
  readonly webhooks: readonly InjectionWebhook[];
  readonly selected: readonly InjectionWebhook[];
} | undefined;

/** `selectingWebhooks` for namespace labels that never change (the model's, frozen): the namespace selectors' answer is kept. */
function selectingWebhooksOfFrozen(
  namespace: string, nsLabels: Labels, podLabels: Labels, webhooks: readonly InjectionWebhook[],
): InjectionWebhook[] {
  let last = lastNamespace;
  if (!last || last.name !== namespace || last.labels !== nsLabels || last.webhooks !== webhooks) {
    last = { name: namespace, labels: nsLabels, webhooks, selected: namespaceSelected(namespace, nsLabels, webhooks) };
    lastNamespace = last;
  }
  return objectSelected(last.selected, podLabels);
}

// ---------------------------------------------------------------- decideInjection

/** A pod's Namespace as the input has it. */
export interface NamespaceFacts {
  readonly name: string;
  /** The Namespace's labels; `undefined` when the Namespace is not in the input. */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface InjectionOptions extends InjectorPolicy {
  /** The answer for a pod that does not opt in itself when its Namespace is not in the input. */
  readonly assumeInjectedWhenNamespaceUnknown: boolean;
  /**
   * Installed revisions and revision tags; `default` stands for the default
   * revision or the `default` tag (the only ones that answer `istio-injection`
   * and `sidecar.istio.io/inject`). `undefined`: any revision is assumed installed.
   */
  readonly knownRevisions?: readonly string[];
  /** `sidecarInjectorWebhook.enableNamespacesByDefault`. @default false */
  readonly enableNamespacesByDefault?: boolean;
}

export interface InjectionDecision {
  /** The pod runs an Istio sidecar. */
  readonly injected: boolean;
  /** One line: which label, annotation, webhook or fact decided. */
  readonly reason: string;
  /** True when the Namespace is not in the input and the answer is the `assumeInjectedWhenNamespaceUnknown` default. */
  readonly assumed: boolean;
  /** The revision (or tag) whose injector injects, when known. */
  readonly revision?: string;
}

/**
 * Whether the pod gets (or already has) an Istio sidecar, as in Istio 1.30.3:
 * the injector's status annotation means it already did; otherwise a webhook
 * of an installed revision must select the pod (`injectionWebhooks`) and the
 * injector's own check must agree (`injectorVerdict`).
 *
 * A container named `istio-proxy` alone is not a sidecar: the injector puts
 * one there only together with `sidecar.istio.io/status` (an injected pod or
 * `istioctl kube-inject` output). Pass pod-template labels and annotations,
 * never those of the controller object.
 */
export function decideInjection(ns: NamespaceFacts, pod: PodFacts, options: InjectionOptions): InjectionDecision {
  if (hasKey(pod.annotations, SIDECAR_STATUS)) {
    return { injected: true, reason: `the ${pod.kind} carries ${SIDECAR_STATUS}: the injector already added the sidecar`, assumed: false, ...statusRevision(pod.annotations[SIDECAR_STATUS]) };
  }
  const verdict = injectorVerdict(ns.name, pod, options);
  const proxyNote = pod.hasProxyContainer ? ` (its istio-proxy container without ${SIDECAR_STATUS} is not a sidecar)` : '';
  const refuse = (reason: string, assumed = false): InjectionDecision => ({ injected: false, reason: reason + proxyNote, assumed });
  if (ns.labels === undefined) return decideInUnknownNamespace(ns.name, pod, options, verdict, refuse);

  const revisions = options.knownRevisions ?? ['default', ...presentRevisions(ns.labels, pod.labels)];
  const installed = webhooksOf(revisions, options.enableNamespacesByDefault ?? false);
  const webhooks = Object.isFrozen(ns.labels)
    ? selectingWebhooksOfFrozen(ns.name, ns.labels, pod.labels, installed)
    : selectingWebhooks(ns.name, ns.labels, pod.labels, installed);
  const webhook = webhooks[0];
  if (!webhook) return refuse(whyNoWebhook(ns.name, ns.labels, pod, revisions));
  const selected = selectedBecause(webhook, ns.name, pod.labels);
  if (!verdict.required) return refuse(`${selected}, but ${verdict.reason}`);
  // The default policy needs no mention; a selector that decided does.
  const because = verdict.reason === "the injector's policy is enabled" ? selected : `${selected}; ${verdict.reason}`;
  return { injected: true, reason: because, assumed: false, revision: webhook.revision };
}

/** The last answer of `selectedBecause` that the pod's labels do not change: a namespace's pods share its reason. */
let lastSelected: { readonly webhook: InjectionWebhook; readonly namespace: string; readonly reason: string } | undefined;

/** Why a webhook selects the pod, in the labels' words. */
function selectedBecause(webhook: InjectionWebhook, namespace: string, podLabels: Labels): string {
  if (webhook.name === 'rev.object.sidecar-injector.istio.io') return `pod label ${ISTIO_REV}=${podLabels[ISTIO_REV]} opts in`;
  const last = lastSelected;
  if (last && last.webhook === webhook && last.namespace === namespace) return last.reason;
  const reason = webhookReason(webhook, namespace);
  lastSelected = { webhook, namespace, reason };
  return reason;
}

/** `selectedBecause` for a webhook whose selection does not depend on the pod's labels. */
function webhookReason(webhook: InjectionWebhook, namespace: string): string {
  const rev = webhook.revision === 'default' ? '' : ` (revision ${webhook.revision})`;
  switch (webhook.name) {
    case 'namespace.sidecar-injector.istio.io': return `namespace ${namespace} has ${ISTIO_INJECTION}=enabled`;
    case 'object.sidecar-injector.istio.io': return `pod label ${SIDECAR_INJECT}=true opts in`;
    case 'rev.namespace.sidecar-injector.istio.io': return `namespace ${namespace} has ${ISTIO_REV}=${webhook.revision}`;
    default: return `${webhook.name}${rev} selects the pod`;
  }
}

function decideInUnknownNamespace(
  namespace: string, pod: PodFacts, options: InjectionOptions, verdict: InjectorVerdict,
  refuse: (reason: string, assumed?: boolean) => InjectionDecision,
): InjectionDecision {
  const missing = `Namespace ${namespace} is not in the input`;
  // The injector's check reads no namespace label, so its refusal holds whatever they are.
  if (!verdict.required) return refuse(`${verdict.reason} (${missing})`);
  const revisions = options.knownRevisions ?? ['default', ...presentRevisions(NO_LABELS, pod.labels)];
  const optIn = selectingWebhooks(namespace, NO_LABELS, pod.labels, webhooksOf(revisions, false))[0];
  if (optIn) {
    // Only a namespace istio-injection other than enabled could still refuse it.
    return { injected: true, reason: `${optIn.name} (revision ${optIn.revision}) selects the pod by its own labels (${missing}; assumes it has no istio-injection=disabled)`, assumed: false, revision: optIn.revision };
  }
  const assumed = options.assumeInjectedWhenNamespaceUnknown;
  if (!assumed) return refuse(`${missing}; assumed not injected`, true);
  return { injected: true, reason: `${missing}; assumed injected`, assumed: true };
}

/** Revisions named by the labels, so that "any revision is installed" covers them. */
function presentRevisions(nsLabels: Labels, podLabels: Labels): string[] {
  return [nsLabels[ISTIO_REV], podLabels[ISTIO_REV]].filter((r): r is string => r !== undefined && r !== '');
}

function statusRevision(status: string): { revision?: string } {
  try {
    const parsed: unknown = JSON.parse(status);
    const revision = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).revision : undefined;
    return typeof revision === 'string' && revision !== '' ? { revision } : {};
  } catch {
    return {};
  }
}

function whyNoWebhook(namespace: string, nsLabels: Labels, pod: PodFacts, revisions: readonly string[]): string {
  const known = (r: string) => revisions.includes(r);
  const injection = nsLabels[ISTIO_INJECTION];
  if (injection !== undefined && injection !== 'enabled') {
    return `namespace ${namespace} has ${ISTIO_INJECTION}=${injection}, which every injection webhook excludes`;
  }
  if (pod.labels[SIDECAR_INJECT] === 'false') return `pod label ${SIDECAR_INJECT}=false: every injection webhook excludes it`;
  if (injection === 'enabled') return `namespace ${namespace} has ${ISTIO_INJECTION}=enabled, but no default revision or default tag is installed`;
  const nsRev = nsLabels[ISTIO_REV];
  if (nsRev !== undefined) return `namespace ${namespace} has ${ISTIO_REV}=${nsRev}, which is not an installed revision or tag`;
  const podRev = pod.labels[ISTIO_REV];
  if (podRev !== undefined && !known(podRev)) return `pod label ${ISTIO_REV}=${podRev} names no installed revision or tag`;
  if (pod.labels[SIDECAR_INJECT] === 'true' && !known('default')) return `pod label ${SIDECAR_INJECT}=true, but no default revision or default tag is installed`;
  const annotationNote = pod.annotations[SIDECAR_INJECT] === 'true' ? `; the annotation ${SIDECAR_INJECT}: "true" is not seen by webhook selectors, only the label is` : '';
  return `namespace ${namespace} has neither ${ISTIO_INJECTION}=enabled nor ${ISTIO_REV}, and the pod has neither label ${SIDECAR_INJECT}=true nor ${ISTIO_REV}${annotationNote}`;
}

// ---------------------------------------------------------------- ambient enrolment

/** istio-cni `ambient.enablementSelectors` entry. An empty selector matches everything. */
export interface EnablementSelector {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
}

/** istio-cni's default enablement selectors (istio-cni chart values). */
export const DEFAULT_ENABLEMENT_SELECTORS: readonly EnablementSelector[] = Object.freeze([
  { podSelector: { matchLabels: { [DATAPLANE_MODE]: 'ambient' } } },
  {
    podSelector: { matchExpressions: [{ key: DATAPLANE_MODE, operator: 'NotIn', values: ['none'] }] },
    namespaceSelector: { matchLabels: { [DATAPLANE_MODE]: 'ambient' } },
  },
]);

export interface AmbientOptions {
  /** Ambient is installed (istiod `PILOT_ENABLE_AMBIENT`, istio-cni `ambient.enabled`). */
  readonly ambient: boolean;
  /** istio-cni `excludeNamespaces`; its default is `DEFAULT_CNI_EXCLUDE_NAMESPACES`. */
  readonly excludeNamespaces: readonly string[];
  /** istio-cni `ambient.enablementSelectors`. @default DEFAULT_ENABLEMENT_SELECTORS */
  readonly enablementSelectors?: readonly EnablementSelector[];
}

export interface AmbientDecision {
  /** ztunnel captures the pod's traffic. */
  readonly ambient: boolean;
  readonly reason: string;
  /** True when the answer depends on something the input does not say (an absent Namespace, a hostNetwork pod). */
  readonly assumed: boolean;
}

/**
 * Whether istio-cni enrols the pod in ambient (istio/istio `cni/pkg/util/
 * enablement_selector.go`, `cni/pkg/nodeagent/informers.go`): ambient must be
 * installed, the namespace must not be excluded, the pod must have no sidecar
 * (`injected`, or the injector's status annotation: a sidecar wins), and some
 * enablement selector must match both the pod and its namespace labels.
 */
export function decideAmbientEnrolment(ns: NamespaceFacts, pod: PodFacts, injected: boolean, options: AmbientOptions): AmbientDecision {
  const no = (reason: string, assumed = false): AmbientDecision => ({ ambient: false, reason, assumed });
  if (!options.ambient) return no('ambient is not installed');
  if (options.excludeNamespaces.includes(ns.name)) return no(`namespace ${ns.name} is in istio-cni's excludeNamespaces`);
  if (injected || hasKey(pod.annotations, SIDECAR_STATUS)) return no('the pod has a sidecar, and istio-cni skips pods with one (the sidecar wins)');
  const selectors = options.enablementSelectors ?? DEFAULT_ENABLEMENT_SELECTORS;
  let needsNamespace = false;
  for (const s of selectors) {
    if (!labelSelectorMatches(s.podSelector ?? {}, pod.labels)) continue;
    const nsSelector = s.namespaceSelector ?? {};
    if (ns.labels === undefined && !isEmptyLabelSelector(nsSelector)) { needsNamespace = true; continue; }
    if (!labelSelectorMatches(nsSelector, ns.labels ?? NO_LABELS)) continue;
    const by = isEmptyLabelSelector(nsSelector) ? 'the pod labels' : `the pod and namespace ${ns.name} labels`;
    // Kubernetes runs no CNI plugin for hostNetwork pods; Istio does not check it.
    if (pod.hostNetwork) return { ambient: true, reason: `${by} match an ambient enablement selector; hostNetwork pod: enrolment unverified`, assumed: true };
    return { ambient: true, reason: `${by} match an ambient enablement selector`, assumed: false };
  }
  if (needsNamespace) return no(`Namespace ${ns.name} is not in the input; its ${DATAPLANE_MODE} label is unknown`, true);
  if (pod.labels[DATAPLANE_MODE] === 'none') return no(`pod label ${DATAPLANE_MODE}=none opts out`);
  return no(`neither the pod nor namespace ${ns.name} is labelled ${DATAPLANE_MODE}=ambient`);
}

/**
 * istio-cni's parsing of its comma-separated `excludeNamespaces` setting:
 * items are trimmed and empty items dropped (istio/istio `cni/pkg/util/podutil.go`).
 */
export function splitExcludeNamespaces(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

// ---------------------------------------------------------------- IST0123

/**
 * The namespace labels Istio's analyzer reports as `IST0123`
 * (NamespaceMultipleInjectionLabels) when there are two or more: any
 * `istio-injection`, plus `istio.io/rev` and `istio.io/dataplane-mode` (any
 * value) unless `istio-injection` is present with a value other than
 * `enabled`. `istio-system` is never reported (istio/istio
 * `pkg/config/analysis/analyzers/injection/injection.go`). Empty: no conflict.
 */
export function dataplaneLabelConflicts(labels: Labels, namespace?: string): string[] {
  if (namespace === 'istio-system') return [];
  const found: string[] = [];
  const injection = labels[ISTIO_INJECTION];
  if (injection !== undefined) found.push(`${ISTIO_INJECTION}=${injection}`);
  for (const key of [ISTIO_REV, DATAPLANE_MODE]) {
    if (hasKey(labels, key) && (injection === undefined || injection === 'enabled')) found.push(`${key}=${labels[key]}`);
  }
  return found.length > 1 ? found : [];
}

// ---------------------------------------------------------------- endpoint labels as pilot sees them

/** What `endpointTlsMode` and `hboneCapable` read of a pod. */
export interface PodMeta {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The injector renders its template over these labels: the pod will be injected and was not already. */
function injectorRendersLabels(pod: PodMeta, injected: boolean): boolean {
  return injected && !hasKey(pod.annotations, SIDECAR_STATUS);
}

/**
 * `security.istio.io/tlsMode` as pilot reads it for the pod's endpoints:
 * the injector writes the pod's own value, or `istio` when it has none (Helm
 * `default`, so an empty value also becomes `istio`); pilot then takes the
 * label verbatim, `disabled` when absent. Only the exact `istio` makes auto
 * mTLS send mTLS. `injected` is `decideInjection(...).injected`.
 */
export function endpointTlsMode(pod: PodMeta, injected: boolean): string {
  const own = pod.labels[TLS_MODE];
  if (injectorRendersLabels(pod, injected)) return own === undefined || own === '' ? 'istio' : own;
  return own ?? 'disabled';
}

export interface HboneOptions {
  /** `decideAmbientEnrolment(...).ambient`. */
  readonly ambient: boolean;
  /** The injector's proxy metadata sets `ISTIO_META_ENABLE_HBONE=true` (the ambient profile does). */
  readonly injectorEnablesHbone: boolean;
}

/**
 * Whether pilot tells ztunnel the pod accepts HBONE (istio/istio
 * `pilot/pkg/serviceregistry/ambient/workloads.go` setTunnelProtocol): an
 * ambient pod (istio-cni marks it `ambient.istio.io/redirection: enabled`),
 * or `networking.istio.io/tunnel` listing `http`. The list is split on commas
 * without trimming, so `h2, http` does not list `http`. The injector adds
 * the label (the pod's own value, else `http`) only with `ISTIO_META_ENABLE_HBONE`.
 * A pod already injected keeps the labels it was injected with.
 */
export function hboneCapable(pod: PodMeta, injected: boolean, opts: HboneOptions): boolean {
  if (opts.ambient || pod.annotations[AMBIENT_REDIRECTION] === 'enabled') return true;
  let tunnel = pod.labels[TUNNEL];
  if (injectorRendersLabels(pod, injected) && opts.injectorEnablesHbone) tunnel = tunnel === undefined || tunnel === '' ? 'http' : tunnel;
  return tunnel !== undefined && tunnel.split(',').includes('http');
}
