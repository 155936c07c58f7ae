import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { RuleInfo } from '../../model/rule-info';
import { DataplaneResolution } from '../../resolution/dataplane';
import { describeDecision, describeWorkload } from '../context';
import { ImpactedServer, describeNamespaceScope, destinationRuleImpact, settingsWithMode } from '../destination-rule-impact';
import { AnalysisRule, listSome } from '../rule';

export const DR_MTLS_TO_NON_MTLS_SERVER: RuleInfo = {
  code: 'IMA008',
  category: 'dr-mtls-to-non-mtls-server',
  severity: 'error',
  title: 'DestinationRule sends Istio mTLS to a server that cannot take it',
  explanation: 'A DestinationRule with `tls.mode: ISTIO_MUTUAL` makes client sidecars send Istio mTLS whatever the server. '
    + 'A server without a sidecar, a port its sidecar does not capture (traffic.sidecar.istio.io annotations) or a port that '
    + 'is DISABLE cannot terminate it and the connection fails (503 / reset). With auto mTLS and no tls set, Istio would have '
    + 'sent plaintext. A portLevelSettings entry without tls leaves its port without a cluster tls, but pilot still marks the '
    + 'endpoints with the rule-level mode, so ISTIO_MUTUAL still reaches them. With ambient installed, client sidecars send '
    + 'HBONE to ambient pods whatever the rule says, so ambient servers are not judged (except behind a headless Service, '
    + 'where an explicit tls gets no HBONE and ztunnel cannot terminate the Istio mTLS). Kiali reports KIA0505/KIA0506 on the '
    + 'PeerAuthentication; here the rule that sends mTLS is named, per port.',
  source: 'pilot/pkg/xds/endpoints/mtls_checker.go, pilot/pkg/networking/core/cluster_tls.go',
};

/** Why the endpoint cannot take the Istio mTLS it is sent; undefined when it can (or its pods never exist). */
function refusal(e: ImpactedServer): string | undefined {
  const w = describeWorkload(e.server);
  const p = e.inbound;
  if (e.dataplane === 'ambient') return `${w}:${e.targetPort} is ambient behind headless Service ${e.service.name}, so no HBONE: ztunnel cannot terminate Istio mTLS`;
  if (e.dataplane === 'none') return `${w} has no sidecar`;
  if (p.enforcedBy === 'none') return undefined;
  if (!p.captured) return `${w}:${e.targetPort} is not captured by its sidecar (plaintext reaches the application)`;
  if (p.possibleModes.length === 1 && p.mode === 'DISABLE') return `${w}:${e.targetPort} is ${describeDecision(p)}`;
  return undefined;
}

export const drMtlsToNonMtlsServer: AnalysisRule = {
  info: DR_MTLS_TO_NON_MTLS_SERVER,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    const m = ctx.model;
    // Whether a PeerAuthentication the namespace's workloads weigh (mesh, namespace, workload level) says DISABLE anywhere.
    const disables = new Map<string, boolean>();
    const mayDisable = (ns: string): boolean => {
      let d = disables.get(ns);
      if (d === undefined) {
        const root = m.options.rootNamespace;
        const candidates = [...m.peerAuthenticationsIn(root).filter((p) => p.level === 'mesh'), ...m.peerAuthenticationsIn(ns)];
        d = candidates.some((p) => p.mode === 'DISABLE' || p.portLevel.some((x) => x.mode === 'DISABLE'));
        disables.set(ns, d);
      }
      return d;
    };
    // refusal() in cheap terms, before the port's mode is resolved: an admitted sidecar that captures the port refuses only DISABLE.
    const mayRefuse = (w: Workload, plane: DataplaneResolution, port: number): boolean => plane.dataplane !== 'sidecar'
      || (plane.admitted && !(plane.capture?.inboundCaptured(port) && !mayDisable(w.namespace)));
    for (const dr of ctx.model.destinationRules) {
      for (const setting of settingsWithMode(dr, 'ISTIO_MUTUAL')) {
        const impact = destinationRuleImpact(ctx, dr, setting, { server: mayRefuse, endpoint: (e) => refusal(e) !== undefined });
        const hit = impact.endpoints.filter((e) => e.wire === 'mtls').map((e) => ({ e, why: refusal(e) })).filter((x) => x.why !== undefined);
        const hitNs = impact.namespaces.filter((n) => n.mode.mode === 'DISABLE');
        if (hit.length + hitNs.length === 0) continue;
        const where = [
          ...[...new Set(hit.map((x) => x.why!))],
          ...hitNs.map((n) => `${describeNamespaceScope(n.namespace)} is ${describeDecision(n.mode)}`),
        ];
        const decision = hit.find((x) => x.e.inbound.captured && x.e.inbound.decidedBy)?.e.inbound ?? hitNs[0]?.mode;
        const at = setting.port !== undefined ? ` port ${setting.port}` : '';
        const metadata = hit.some((x) => x.e.via === 'endpoint-metadata')
          ? ' (a portLevelSettings entry without tls still leaves the endpoints marked ISTIO_MUTUAL)' : '';
        out.push(findingOf(DR_MTLS_TO_NON_MTLS_SERVER, {
          resource: dr.ref,
          path: setting.path,
          message: `DestinationRule ${dr.namespace}/${dr.name} sets tls ISTIO_MUTUAL for ${dr.host}${at}${metadata}, but ${listSome(where)}; `
            + 'those connections fail',
          fix: 'remove the tls setting and let auto mTLS pick per endpoint, or give the server a sidecar that captures the port and a mode that accepts mTLS',
          related: decision?.decidedBy ? [decision.decidedBy.ref] : [],
        }));
      }
    }
    return out;
  },
};
