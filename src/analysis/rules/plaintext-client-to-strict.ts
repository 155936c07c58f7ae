import { Finding, findingOf } from '../../model/finding';
import { ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';
import { clientTlsFromLookup } from '../../resolution/client-tls';
import { ANY_OTHER_NAMESPACE, AnalysisContext, describeDecision, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const PLAINTEXT_CLIENT_TO_STRICT: RuleInfo = {
  code: 'IMA012',
  category: 'plaintext-client-to-strict',
  severity: 'error',
  title: 'Clients send plaintext to a STRICT server',
  explanation: 'STRICT accepts only Istio mTLS (HBONE counts). Two kinds of clients send plaintext without any DestinationRule '
    + 'saying so: workloads with no proxy at all, neither a sidecar nor ambient enrolment (reported against the STRICT '
    + 'Service ports of their own namespace, the ones they most likely call, whether a sidecar or ztunnel enforces them); '
    + 'and client sidecars when auto mTLS is off and no DestinationRule sets tls for the host (reported on the STRICT '
    + 'PeerAuthentication, naming the hosts). Ambient clients send HBONE, and so do client sidecars toward ambient pods; a port '
    + 'the server sidecar does not capture takes plaintext. Clients whose sidecar lets an outbound port bypass it, and ambient '
    + 'clients calling a pod that does not accept HBONE, are left to their own rules; a DestinationRule that sets tls DISABLE '
    + 'is reported once, by dr-disables-tls-to-strict. Kiali reports KIA0401 (mesh) and KIA0501 (namespace) on a '
    + 'selector-less STRICT PeerAuthentication when auto mTLS is off (since Kiali #6009 it returns early when auto mTLS is on) '
    + 'and no `*.local` (or, for KIA0501, namespace-wide) rule sets ISTIO_MUTUAL; host-specific ISTIO_MUTUAL rules, which do '
    + 'make clients send mTLS, do not count there.',
  source: 'Istio "Mutual TLS Migration" and "Auto mutual TLS", pilot/pkg/serviceregistry/ambient/authorization.go',
  upstream: 'Istio 1.30.3; Kiali v2.30.0 KIA0401, KIA0501',
};

function checkUninjectedClients(ctx: AnalysisContext): Finding[] {
  const m = ctx.model;
  const out: Finding[] = [];
  for (const ns of m.namespaceNames) {
    // Only clients with no proxy at all: ambient clients send HBONE, and client sidecars send what their rules say.
    const clients = m.workloadsIn(ns).filter((w) => { const d = ctx.dataplane(w); return d.dataplane === 'none' && !d.assumed; });
    if (clients.length === 0) continue;
    const strict: string[] = [];
    const related: ResourceRef[] = [];
    for (const s of m.servicesIn(ns)) {
      for (const ep of ctx.cache.endpointsOf(s)) {
        const port = ctx.inbound(ep.server).port(ep.targetPort);
        if (port.accepts !== 'mtls') continue;
        const by = port.enforcedBy === 'ztunnel' ? ' in ambient (ztunnel)' : '';
        strict.push(`Service ${s.name}:${ep.port.port} → ${describeWorkload(ep.server)}:${ep.targetPort} ${describeDecision(port)}${by}`);
        if (port.decidedBy && !related.some((r) => r === port.decidedBy!.ref)) related.push(port.decidedBy.ref);
      }
    }
    if (strict.length === 0) continue;
    for (const c of clients) {
      const d = ctx.dataplane(c);
      const what = m.options.ambient ? 'has no sidecar and is not in ambient' : 'has no sidecar';
      out.push(findingOf(PLAINTEXT_CLIENT_TO_STRICT, {
        resource: c.ref,
        message: `${describeWorkload(c)} ${what} (${d.reason}) and sends plaintext, but in its namespace `
          + `${listSome(strict)} is STRICT; its calls are reset`,
        fix: m.options.ambient
          ? 'inject a sidecar into this workload or enrol it in ambient (istio.io/dataplane-mode=ambient), or give the servers it calls a PERMISSIVE exception on that port'
          : 'inject a sidecar into this workload, or give the servers it calls a PERMISSIVE exception on that port',
        related,
      }));
    }
  }
  return out;
}

function checkAutoMtlsOff(ctx: AnalysisContext): Finding[] {
  const m = ctx.model;
  if (m.options.autoMtls) return [];
  // policy ref key → hosts reached in plaintext
  const byPolicy = new Map<string, { ref: ResourceRef; hosts: string[] }>();
  const note = (ref: ResourceRef, host: string) => {
    const k = `${ref.namespace}/${ref.name}`;
    const e = byPolicy.get(k);
    if (e) { if (!e.hosts.includes(host)) e.hosts.push(host); } else {byPolicy.set(k, { ref, hosts: [host] });}
  };
  // Only plaintext for want of a tls setting: a rule that sets DISABLE is dr-disables-tls-to-strict's finding.
  const plaintext = (ownNs: string, host: string, hostNs: string, port: number) => ctx.clientContexts(ownNs).some((c) => {
    const sent = clientTlsFromLookup(m, true, ctx.lookup(c, host, hostNs), port, undefined);
    return sent.tls === 'plaintext' && sent.source === 'auto-mtls-off';
  });
  for (const s of m.services) {
    for (const ep of ctx.cache.endpointsOf(s)) {
      // Ports a sidecar captures and enforces STRICT on; client sidecars send HBONE to ambient pods, auto mTLS or not.
      const mode = ctx.inbound(ep.server).port(ep.targetPort);
      if (mode.enforcedBy !== 'sidecar' || mode.accepts !== 'mtls' || !mode.decidedBy) continue;
      if (plaintext(s.namespace, s.hostname, s.namespace, ep.port.port)) note(mode.decidedBy.ref, `Service ${s.namespace}/${s.name}:${ep.port.port}`);
    }
  }
  // Namespaces whose workloads are not in the input: judge the namespace (or mesh) level.
  const namespaceLevel = new Set(m.peerAuthentications.filter((p) => p.level === 'namespace').map((p) => p.namespace));
  const scopes = [...namespaceLevel].filter((ns) => !ctx.hasWorkloads(ns)).sort();
  if (m.workloads.length === 0) scopes.push(ANY_OTHER_NAMESPACE);
  for (const ns of scopes) {
    if (ctx.hypotheticalDataplane(ns, {}).dataplane === 'ambient') continue;
    const mode = ctx.namespaceMode(ns);
    if (mode.mode !== 'STRICT' || !mode.decidedBy) continue;
    if (plaintext(ns, ctx.placeholder(ns), ns, 0)) note(mode.decidedBy.ref, ns === ANY_OTHER_NAMESPACE ? 'hosts of the mesh' : `hosts of namespace ${ns}`);
  }
  return [...byPolicy.values()].map(({ ref, hosts }) => findingOf(PLAINTEXT_CLIENT_TO_STRICT, {
    resource: ref,
    path: '/spec/mtls/mode',
    message: `PeerAuthentication ${ref.namespace}/${ref.name} is STRICT, but auto mTLS is off and no DestinationRule sets tls `
      + `ISTIO_MUTUAL for ${listSome(hosts)}; clients send plaintext and are reset`,
    fix: 'turn auto mTLS on, or add a DestinationRule with tls ISTIO_MUTUAL for these hosts',
  }));
}

export const plaintextClientToStrict: AnalysisRule = {
  info: PLAINTEXT_CLIENT_TO_STRICT,
  check(ctx): Finding[] {
    return [...checkUninjectedClients(ctx), ...checkAutoMtlsOff(ctx)];
  },
};
