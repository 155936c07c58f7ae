import { Finding, findingOf } from '../../model/finding';
import { DestinationRulePolicy } from '../../model/policies';
import { RuleInfo, Severity } from '../../model/rule-info';
import { TlsInfo, TrafficPolicyInfo } from '../../model/traffic-policy';
import { AnalysisRule } from '../rule';

export const DESTINATION_RULE_TLS_WITHOUT_CA: RuleInfo = {
  code: 'IMA037',
  category: 'destination-rule-tls-without-ca',
  severity: 'warning',
  title: 'TLS a DestinationRule originates is not verified as the rule suggests',
  explanation: 'For `tls.mode` SIMPLE or MUTUAL a sidecar originates TLS with what the rule gives it. In Istio 1.30 '
    + '(VERIFY_CERTIFICATE_AT_CLIENT, on by default) an empty `caCertificates` does not mean "no verification": pilot '
    + 'takes the OS CA bundle (`system`) and the proxy verifies the server against the public roots, and with neither '
    + '`sni` nor `subjectAltNames` it checks the server name from the HTTP Host header (auto SAN validation, HTTP only). '
    + 'So istioctl\'s IST0128/IST0129 ("no caCertificates are set to validate server identity") are out of date, and '
    + 'this rule says what Istio 1.30.3 does instead: a warning when `insecureSkipVerify: true` turns verification off; '
    + 'a warning when `sni` is set without `subjectAltNames` and without `caCertificates`, since then no server name is '
    + 'checked at all and any certificate a public CA issued is accepted; a warning when `credentialName` is set on a '
    + 'rule without `workloadSelector`, since pilot builds no TLS for sidecars from such a rule (the secret would go to '
    + 'every sidecar in scope), so a sidecar calling the host directly sends plaintext while gateways use the secret; and '
    + 'info otherwise, when the server is verified against the public roots rather than a private CA (a server with a '
    + 'certificate of a private CA then fails the handshake; TCP traffic without `sni` or `subjectAltNames` gets no '
    + 'server-name check). The top-level policy, each port-level entry and each subset\'s policy are judged (istioctl '
    + 'judges the first two); `credentialName` with a `workloadSelector` takes the CA from the secret and is not '
    + 'reported, as in istioctl.',
  source: 'pilot/pkg/networking/core/cluster_tls.go (buildUpstreamClusterTLSContext, constructUpstreamTLS, '
    + 'setAutoSniAndAutoSanValidation), pkg/config/analysis/analyzers/destinationrule/ca-certificates.go (IST0128, IST0129)',
  upstream: 'Istio 1.30.3; istioctl IST0128, IST0129',
};

/** One `tls` of a rule and where it sits, for messages. */
interface Placed {
  readonly tls: TlsInfo;
  readonly where: string;
}

function placed(d: DestinationRulePolicy): Placed[] {
  const out: Placed[] = [];
  const add = (p: TrafficPolicyInfo | undefined, subset?: string) => {
    if (!p) return;
    const of = subset !== undefined ? `subset ${subset}` : '';
    if (p.tls) out.push({ tls: p.tls, where: of || 'for the host' });
    for (const e of p.portLevelSettings) if (e.tls) out.push({ tls: e.tls, where: `${of ? `${of}, ` : ''}port ${e.port}` });
  };
  add(d.traffic.trafficPolicy);
  for (const s of d.traffic.subsets) add(s.trafficPolicy, s.name);
  return out;
}

/** What Istio 1.30.3 does with the server's certificate, when worth saying. */
function judge(d: DestinationRulePolicy, t: TlsInfo): { severity: Severity; path: string; what: string; fix: string } | undefined {
  if (t.mode !== 'SIMPLE' && t.mode !== 'MUTUAL') return undefined;
  if (t.insecureSkipVerify) {
    return {
      severity: 'warning',
      path: `${t.path}/insecureSkipVerify`,
      what: 'sets insecureSkipVerify: true, so the proxy does not verify the server\'s certificate at all (anyone on the path can impersonate it)',
      fix: 'remove insecureSkipVerify and give caCertificates (or credentialName) with the CA that signs the server\'s certificate',
    };
  }
  // pilot takes the CA from a `configmap://` credential for any proxy; a secret only for workloads a selector names.
  if (t.credentialName !== undefined && !t.credentialName.startsWith('configmap://')) {
    if (d.traffic.hasWorkloadSelector) return undefined;
    return {
      severity: 'warning',
      path: `${t.path}/credentialName`,
      what: `names credentialName ${t.credentialName} in a rule without workloadSelector: pilot builds no TLS for sidecars from it, so a `
        + 'sidecar calling the host sends plaintext (only gateways originate TLS with the secret)',
      fix: 'add a workloadSelector naming the workloads that may read the secret, or originate TLS at an egress gateway',
    };
  }
  if (t.credentialName !== undefined || t.caCertificates !== undefined) return undefined;
  if (t.sni !== undefined && t.subjectAltNames === undefined) {
    return {
      severity: 'warning',
      path: t.path,
      what: `sets sni ${t.sni} without subjectAltNames or caCertificates: the proxy verifies the chain against the OS CA bundle only `
        + 'and checks no server name, so any certificate a public CA issued is accepted',
      fix: 'add subjectAltNames with the server\'s name (and caCertificates if its CA is private)',
    };
  }
  const names = t.subjectAltNames !== undefined ? `the server name is checked against subjectAltNames ${t.subjectAltNames.join(', ')}`
    : 'the server name is checked from the HTTP Host header (auto SAN validation); TCP traffic gets no server-name check';
  return {
    severity: 'info',
    path: t.path,
    what: `has no caCertificates: the proxy verifies the server against the OS (public) CA bundle, not a private CA, and ${names}`,
    fix: 'set caCertificates (or credentialName with a workloadSelector) when the server\'s certificate comes from a private CA',
  };
}

export const destinationRuleTlsWithoutCa: AnalysisRule = {
  info: DESTINATION_RULE_TLS_WITHOUT_CA,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    for (const d of ctx.model.destinationRules) {
      for (const p of placed(d)) {
        const j = judge(d, p.tls);
        if (!j) continue;
        out.push(findingOf(DESTINATION_RULE_TLS_WITHOUT_CA, {
          resource: d.ref,
          path: j.path,
          severity: j.severity,
          message: `DestinationRule ${d.namespace}/${d.name} (host ${d.fqdn}) originates TLS ${p.tls.mode} (${p.where}) and ${j.what}`,
          fix: j.fix,
        }));
      }
    }
    return out;
  },
};
