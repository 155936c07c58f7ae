import { Finding, findingOf, pointer } from '../../model/finding';
import { NamespaceInfo, Workload } from '../../model/inventory';
import { Labels } from '../../model/labels';
import { MeshModel } from '../../model/mesh-model';
import { RuleInfo } from '../../model/rule-info';
import { resolveDataplane } from '../../resolution/dataplane';
import {
  DATAPLANE_MODE, ISTIO_INJECTION, ISTIO_REV, PodFacts, dataplaneLabelConflicts, decideAmbientEnrolment, decideInjection,
} from '../../resolution/injection';
import { describeWorkload, podTemplatePointer } from '../context';
import { AnalysisRule } from '../rule';

export const DATAPLANE_CONFLICT: RuleInfo = {
  code: 'IMA018',
  category: 'dataplane-conflict',
  severity: 'warning',
  title: 'More than one data-plane label on a Namespace or pod template',
  explanation: 'The sidecar injection webhooks select on `istio-injection` (which wins: the revision webhooks skip namespaces that carry it) '
    + 'or `istio.io/rev`; istio-cni enrols pods in ambient on `istio.io/dataplane-mode`, but skips every pod that got a sidecar, so the '
    + 'sidecar wins over ambient. A Namespace carrying more than one of these labels therefore gets one data plane and silently ignores '
    + 'the other label; Istio\'s analyzer reports it as IST0123 (NamespaceMultipleInjectionLabels), counting `istio.io/rev` and '
    + '`istio.io/dataplane-mode` only when `istio-injection` is absent or `enabled`, and never istio-system. The same count is applied '
    + 'to pod-template labels (where `istio.io/dataplane-mode: none`, a plain opt-out, is not counted), and a pod template labelled '
    + '`istio.io/dataplane-mode: ambient` that gets a sidecar anyway (from its namespace or `sidecar.istio.io/inject`) is reported too.',
  source: 'pkg/config/analysis/analyzers/injection/injection.go (IST0123); manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml; '
    + 'cni/pkg/util/enablement_selector.go',
  upstream: 'Istio 1.30.3; istioctl 1.30.3 IST0123; Kiali v2.30.0 KIA1311, KIA1315',
};


const labelKey = (entry: string): string => entry.slice(0, entry.indexOf('='));

/** The labels that lose, with why, given the data plane the pods get. */
function losers(found: readonly string[], labels: Labels, plane: 'sidecar' | 'ambient' | 'none', onPod: boolean): { label: string; why: string }[] {
  const out: { label: string; why: string }[] = [];
  for (const entry of found) {
    const key = labelKey(entry);
    if (onPod && key === ISTIO_INJECTION) {
      out.push({ label: entry, why: 'istio-injection is a Namespace label and does nothing on a pod' });
    } else if (plane === 'sidecar') {
      if (key === DATAPLANE_MODE) out.push({ label: entry, why: 'istio-cni skips pods with a sidecar' });
      // istio-injection decides; the revision webhooks skip namespaces that carry it.
      if (key === ISTIO_REV && !onPod && labels[ISTIO_INJECTION] !== undefined) out.push({ label: entry, why: 'the revision webhooks skip namespaces labelled istio-injection' });
    } else if (plane === 'ambient') {
      if (key !== DATAPLANE_MODE) out.push({ label: entry, why: 'it injects no sidecar here' });
    }
  }
  return out;
}

function outcome(plane: 'sidecar' | 'ambient' | 'none', reason: string): string {
  switch (plane) {
    case 'sidecar': return `its pods get a sidecar (${reason}), and a sidecar wins over ambient`;
    case 'ambient': return `its pods are in ambient (${reason})`;
    default: return `its pods get no proxy (${reason}), so none of these labels takes effect`;
  }
}

function assumedRevision(model: MeshModel, labels: Labels): string {
  const rev = labels[ISTIO_REV];
  return rev !== undefined && model.options.knownRevisions === undefined && labels[ISTIO_INJECTION] === undefined
    ? ` (assuming revision ${rev} is installed; set knownRevisions to check)` : '';
}

function checkNamespace(model: MeshModel, ns: NamespaceInfo): Finding | undefined {
  const found = dataplaneLabelConflicts(ns.labels, ns.name);
  if (found.length === 0) return undefined;
  // What a pod without labels of its own gets in this namespace.
  const pod: PodFacts = { kind: 'Pod', labels: {}, annotations: {}, hostNetwork: false, hasProxyContainer: false };
  const o = model.options;
  const facts = { name: ns.name, labels: ns.labels };
  const injection = decideInjection(facts, pod, {
    assumeInjectedWhenNamespaceUnknown: o.assumeInjectedWhenNamespaceUnknown,
    knownRevisions: o.knownRevisions,
  });
  const ambient = decideAmbientEnrolment(facts, pod, injection.injected, { ambient: o.ambient, excludeNamespaces: o.ambientExcludeNamespaces });
  const plane = injection.injected ? 'sidecar' : ambient.ambient ? 'ambient' : 'none';
  const reason = plane === 'ambient' ? ambient.reason : plane === 'sidecar' ? injection.reason : `${injection.reason}; ${ambient.reason}`;
  const lost = losers(found, ns.labels, plane, false);
  return findingOf(DATAPLANE_CONFLICT, {
    resource: ns.ref,
    path: lost.length > 0 ? pointer('metadata', 'labels', labelKey(lost[0].label)) : '/metadata/labels',
    message: `Namespace ${ns.name} carries ${found.join(', ')} (IST0123): ${outcome(plane, reason)}${assumedRevision(model, ns.labels)}`
      + `${lost.map((l) => `; ${l.label} has no effect: ${l.why}`).join('')}`,
    fix: `keep one data-plane label on Namespace ${ns.name}: istio-injection=enabled or istio.io/rev=<revision> for sidecars, `
      + 'istio.io/dataplane-mode=ambient for ambient (remove the injection label first when moving to ambient)',
  });
}

function withoutKey(labels: Labels, key: string): Labels {
  const { [key]: _dropped, ...rest } = labels;
  return rest;
}

function checkPodTemplate(model: MeshModel, w: Workload): Finding | undefined {
  // On a pod, istio.io/dataplane-mode=none only opts out of ambient: it conflicts with nothing.
  const mode = w.labels[DATAPLANE_MODE];
  const counted = dataplaneLabelConflicts(mode === 'none' ? withoutKey(w.labels, DATAPLANE_MODE) : w.labels);
  const asksAmbient = mode === 'ambient';
  // Most pods carry no data-plane label: nothing to resolve.
  if (counted.length === 0 && !asksAmbient) return undefined;
  const d = resolveDataplane(model, w);
  if (counted.length === 0 && !(asksAmbient && d.dataplane === 'sidecar')) return undefined;
  const found = counted.length > 0 ? counted : [`${DATAPLANE_MODE}=ambient`];
  const lost = losers(found, w.labels, d.dataplane, true);
  return findingOf(DATAPLANE_CONFLICT, {
    resource: w.ref,
    path: lost.length > 0 ? podTemplatePointer(w, 'labels', labelKey(lost[0].label)) : podTemplatePointer(w, 'labels'),
    message: `${describeWorkload(w)} labels its pods ${found.join(', ')}: ${outcome(d.dataplane, d.reason)}`
      + `${lost.map((l) => `; ${l.label} has no effect: ${l.why}`).join('')}`,
    fix: d.dataplane === 'sidecar'
      ? 'for ambient, label the pod template sidecar.istio.io/inject=false (and drop istio.io/rev); for a sidecar, remove istio.io/dataplane-mode'
      : 'keep one data-plane label on the pod template',
  });
}

export const dataplaneConflict: AnalysisRule = {
  info: DATAPLANE_CONFLICT,
  check(ctx): Finding[] {
    const m = ctx.model;
    const out: Finding[] = [];
    for (const ns of m.namespaces) {
      const f = checkNamespace(m, ns);
      if (f) out.push(f);
    }
    for (const w of m.workloads) {
      const f = checkPodTemplate(m, w);
      if (f) out.push(f);
    }
    return out;
  },
};
