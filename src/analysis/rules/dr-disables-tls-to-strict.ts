import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { describeDecision } from '../context';
import { describeNamespaceScope, destinationRuleImpact, settingsWithMode } from '../destination-rule-impact';
import { AnalysisRule, listSome } from '../rule';

export const DR_DISABLES_TLS_TO_STRICT: RuleInfo = {
  code: 'IMA007',
  category: 'dr-disables-tls-to-strict',
  severity: 'error',
  title: 'DestinationRule sends plaintext to a STRICT server',
  explanation: 'A DestinationRule with `tls.mode: DISABLE` (for the host or one port) makes client sidecars send plaintext, '
    + 'overriding auto mTLS. A server whose port is STRICT resets those connections. Only rules that some client actually '
    + 'chooses (lookup path client → service → root namespace, exportTo, most specific host) and only the setting in force '
    + 'on each port are judged; a portLevelSettings entry without tls leaves its port without a cluster tls, but pilot still '
    + 'marks the endpoints with the rule-level DISABLE, so auto mTLS sends them plaintext too. A port its sidecar does not '
    + 'capture, or a server without a sidecar, takes the plaintext. With ambient installed, client sidecars send HBONE to '
    + 'ambient pods whatever the rule says, so ambient servers are not judged (except behind a headless Service, where an '
    + 'explicit tls gets no HBONE and ztunnel refuses the plaintext on a STRICT port). Kiali reports KIA0208 on a `*.local` '
    + 'DISABLE rule while the mesh policy is STRICT, and on a namespace-wide (`*.<ns>.svc.cluster.local`) DISABLE rule when '
    + 'the namespace has no selector-less PeerAuthentication and the mesh is STRICT; KIA0207 on a namespace-wide DISABLE rule '
    + 'when the namespace policy is STRICT. Here every rule, level and port is resolved.',
  source: 'pilot/pkg/model/push_context.go (destinationRule), pilot/pkg/networking/core/cluster_tls.go (buildAutoMtlsSettings)',
  upstream: 'Istio 1.30.3; Kiali v2.30.0 KIA0207, KIA0208',
};

export const drDisablesTlsToStrict: AnalysisRule = {
  info: DR_DISABLES_TLS_TO_STRICT,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    for (const dr of ctx.model.destinationRules) {
      for (const setting of settingsWithMode(dr, 'DISABLE')) {
        const impact = destinationRuleImpact(ctx, dr, setting, { endpoint: (e) => e.inbound.accepts === 'mtls' });
        const hit = impact.endpoints.filter((e) => e.wire === 'plaintext');
        const hitNs = impact.namespaces.filter((n) => n.mode.mode === 'STRICT');
        if (hit.length === 0 && hitNs.length === 0) continue;
        const where = [
          ...hit.map((e) => `${e.server.kind} ${e.server.namespace}/${e.server.name}:${e.targetPort} (Service ${e.service.name}:${e.servicePort}`
            + `${e.dataplane === 'ambient' ? ', ambient, headless: no HBONE' : ''})`),
          ...hitNs.map((n) => describeNamespaceScope(n.namespace)),
        ];
        const decision = hit.length ? hit[0].inbound : hitNs[0].mode;
        const at = setting.port !== undefined ? ` port ${setting.port}` : '';
        const metadata = hit.some((e) => e.via === 'endpoint-metadata')
          ? ' (a portLevelSettings entry without tls still leaves the endpoints marked DISABLE)' : '';
        out.push(findingOf(DR_DISABLES_TLS_TO_STRICT, {
          resource: dr.ref,
          path: setting.path,
          message: `DestinationRule ${dr.namespace}/${dr.name} sets tls DISABLE for ${dr.host}${at}${metadata}, but ${listSome(where)} `
            + `is ${describeDecision(decision)}; clients using this rule send plaintext and are reset`,
          fix: 'remove the tls DISABLE (auto mTLS then sends Istio mTLS) or set ISTIO_MUTUAL',
          related: decision.decidedBy ? [decision.decidedBy.ref] : [],
        }));
      }
    }
    return out;
  },
};
