import { Finding, Severity, findingOf } from '../../model/finding';
import { ServiceInfo, Workload, targetPortOn } from '../../model/inventory';
import { ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';
import { EndpointFacts, WireTls, clientTlsFromLookup } from '../../resolution/client-tls';
import { inboundProtocolOf, judgeConnection } from '../../resolution/connection';
import { DataplaneResolution, resolveDataplane } from '../../resolution/dataplane';
import { resolveInbound } from '../../resolution/inbound';
import { TLS_MODE } from '../../resolution/injection';
import { AnalysisContext, describeDecision, describeWorkload, podTemplatePointer } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const HAND_SET_TLS_MODE: RuleInfo = {
  code: 'IMA030',
  category: 'hand-set-tls-mode',
  severity: 'error',
  title: 'Hand-set security.istio.io/tlsMode label that contradicts the pod\'s data plane',
  explanation: 'Pilot takes `security.istio.io/tlsMode` from the pod labels verbatim (`disabled` when absent), and auto mTLS sends Istio mTLS '
    + 'only to endpoints whose value is exactly `istio`. The injector writes the label but keeps a value set by hand, so a sidecar pod '
    + 'labelled `disabled` (or `Istio`, `true`) gets plaintext from sidecar clients, and a pod without a sidecar labelled `istio` gets '
    + 'Istio mTLS it cannot terminate. The label never changes what the server accepts: a STRICT port rejects the plaintext (error), a '
    + 'PERMISSIVE one takes it unencrypted (warning). Reported only where the label changes what sidecar clients send to a Service port '
    + 'of the workload (not when a DestinationRule sets tls, auto mTLS is off, or the port is DISABLE or not captured); ambient pods '
    + 'are not affected (sidecars and ztunnel send them HBONE). The label is deprecated.',
  source: 'manifests/charts/istio-control/istio-discovery/files/injection-template.yaml; pilot/pkg/serviceregistry/kube/conversion.go; '
    + 'pilot/pkg/networking/core/cluster_tls.go',
};

interface Impact {
  readonly severity: Severity;
  readonly text: string;
  readonly related?: ResourceRef;
}

/** What `w` would be labelled without a hand-set value: the injector's `istio` on a sidecar pod, pilot's `disabled` otherwise. */
function naturalTlsMode(d: DataplaneResolution): string {
  return d.dataplane === 'sidecar' ? 'istio' : 'disabled';
}

/** The effects of the label on one Service's ports, from sidecar clients in the representative namespaces. */
function impactsOn(ctx: AnalysisContext, w: Workload, d: DataplaneResolution, s: ServiceInfo): Impact[] {
  const m = ctx.model;
  const natural = naturalTlsMode(d);
  const endpointsWith = (tlsMode: string): EndpointFacts[] | undefined => (s.headless
    ? m.workloadsOf(s).map((e) => {
      const ed = resolveDataplane(m, e);
      return { sidecar: ed.dataplane === 'sidecar', mode: 'PERMISSIVE' as const, tlsMode: e === w ? tlsMode : ed.tlsMode };
    })
    : undefined);
  const out: Impact[] = [];
  for (const sp of s.ports) {
    const target = targetPortOn(sp, w);
    if (target === undefined) continue;
    const inbound = resolveInbound(m, w).port(target);
    const proxy = inbound.enforcedBy !== 'none' && inbound.captured;
    const protocol = inboundProtocolOf(sp);
    let worst: Impact | undefined;
    for (const client of ctx.clientContexts(s.namespace)) {
      const lookup = ctx.lookup(client, s.hostname, s.namespace);
      for (const mode of inbound.possibleModes) {
        const send = (tlsMode: string): WireTls => clientTlsFromLookup(m, true, lookup, sp.port,
          { sidecar: proxy && d.dataplane === 'sidecar', mode, tlsMode }, { service: s, endpoints: endpointsWith(tlsMode) }).tls;
        const actual = send(d.tlsMode);
        if (actual === send(natural)) continue;
        const judged = judgeConnection(actual, proxy, mode, protocol);
        const where = `Service ${s.namespace}/${s.name}:${sp.port} → port ${target}`;
        if (judged.outcome === 'fails') {
          const sent = actual === 'plaintext' ? 'plaintext' : 'Istio mTLS';
          const server = proxy ? ` ${describeDecision({ ...inbound, mode, possibleModes: [mode] })}` : ' (no sidecar)';
          worst = { severity: 'error', text: `sends ${sent} to ${where}${server}, and ${judged.why}`, related: inbound.decidedBy?.ref };
          break;
        }
        if (actual === 'plaintext' && proxy && mode === 'PERMISSIVE' && !worst) {
          worst = { severity: 'warning', text: `sends plaintext to ${where}, which PERMISSIVE accepts unencrypted`, related: inbound.decidedBy?.ref };
        }
      }
      if (worst?.severity === 'error') break;
    }
    if (worst) out.push(worst);
  }
  return out;
}

function check(ctx: AnalysisContext, w: Workload): Finding | undefined {
  const m = ctx.model;
  if (w.labels[TLS_MODE] === undefined) return undefined;
  const d = resolveDataplane(m, w);
  // Ambient pods get HBONE whatever the label; pods that are never admitted are another rule's.
  if (d.dataplane === 'ambient' || !d.admitted || d.tlsMode === naturalTlsMode(d)) return undefined;
  const impacts = m.servicesSelecting(w).flatMap((s) => impactsOn(ctx, w, d, s));
  if (impacts.length === 0) return undefined;
  const errors = impacts.filter((i) => i.severity === 'error');
  const shown = errors.length > 0 ? errors : impacts;
  const related: ResourceRef[] = [];
  for (const i of shown) if (i.related && !related.includes(i.related)) related.push(i.related);
  const plane = d.dataplane === 'sidecar' ? 'they get a sidecar' : `they have no sidecar (${d.reason})`;
  return findingOf(HAND_SET_TLS_MODE, {
    resource: w.ref,
    path: podTemplatePointer(w, 'labels', TLS_MODE),
    severity: errors.length > 0 ? 'error' : 'warning',
    message: `${describeWorkload(w)} labels its pods ${TLS_MODE}: "${w.labels[TLS_MODE]}" although ${plane}, so auto mTLS `
      + `${listSome(shown.map((i) => i.text), 2)}; the label never changes what the server accepts`,
    fix: d.dataplane === 'sidecar'
      ? `remove the ${TLS_MODE} label (the injector sets istio); to accept plaintext on a port, give it a PERMISSIVE PeerAuthentication port entry`
      : `remove the ${TLS_MODE} label (pilot then reads disabled and clients send plaintext), or inject a sidecar`,
    related,
  });
}

export const handSetTlsMode: AnalysisRule = {
  info: HAND_SET_TLS_MODE,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    for (const w of ctx.model.workloads) {
      const f = check(ctx, w);
      if (f) out.push(f);
    }
    return out;
  },
};
