import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { describeDecision } from '../context';
import { describeNamespaceScope, destinationRuleImpact, settingsWithMode } from '../destination-rule-impact';
import { AnalysisRule, listSome } from '../rule';

export const DR_MTLS_TO_NON_MTLS_SERVER: RuleInfo = {
  code: 'IMA008',
  category: 'dr-mtls-to-non-mtls-server',
  severity: 'error',
  title: 'DestinationRule sends Istio mTLS to a server that cannot take it',
  explanation: 'A DestinationRule with `tls.mode: ISTIO_MUTUAL` makes client sidecars send Istio mTLS whatever the server. '
    + 'A server without a sidecar, or whose port is DISABLE, cannot terminate it and the connection fails (503 / reset). '
    + 'With auto mTLS and no tls set, Istio would have sent plaintext. Kiali reports KIA0505/KIA0506 on the PeerAuthentication; '
    + 'here the rule that sends mTLS is named, per port.',
  source: 'pilot/pkg/xds/endpoints/mtls_checker.go, pilot/pkg/networking/core/cluster_tls.go',
};

export const drMtlsToNonMtlsServer: AnalysisRule = {
  info: DR_MTLS_TO_NON_MTLS_SERVER,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    for (const dr of ctx.model.destinationRules) {
      for (const setting of settingsWithMode(dr, 'ISTIO_MUTUAL')) {
        const impact = destinationRuleImpact(ctx, dr, setting);
        const noSidecar = impact.endpoints.filter((e) => !e.sidecar);
        const disabled = impact.endpoints.filter((e) => e.sidecar && e.mode.possibleModes.length === 1 && e.mode.mode === 'DISABLE');
        const hitNs = impact.namespaces.filter((n) => n.mode.mode === 'DISABLE');
        if (noSidecar.length + disabled.length + hitNs.length === 0) continue;
        const where = [
          ...noSidecar.map((e) => `${e.server.kind} ${e.server.namespace}/${e.server.name} has no sidecar`),
          ...disabled.map((e) => `${e.server.kind} ${e.server.namespace}/${e.server.name}:${e.targetPort} is ${describeDecision(e.mode)}`),
          ...hitNs.map((n) => `${describeNamespaceScope(n.namespace)} is ${describeDecision(n.mode)}`),
        ];
        const decision = disabled[0]?.mode ?? hitNs[0]?.mode;
        const at = setting.port !== undefined ? ` port ${setting.port}` : '';
        out.push(findingOf(DR_MTLS_TO_NON_MTLS_SERVER, {
          resource: dr.ref,
          path: setting.path,
          message: `DestinationRule ${dr.namespace}/${dr.name} sets tls ISTIO_MUTUAL for ${dr.host}${at}, but ${listSome(where)}; `
            + 'those connections fail',
          fix: 'remove the tls setting and let auto mTLS pick per endpoint, or give the server a sidecar and a mode that accepts mTLS',
          related: decision?.decidedBy ? [decision.decidedBy.ref] : [],
        }));
      }
    }
    return out;
  },
};
