import { Finding, findingOf, pointer } from '../../model/finding';
import { ResourceRef } from '../../model/manifest';
import { PeerAuthenticationPolicy } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { ConnectionResolution, resolveConnection } from '../../resolution/connection';
import { resolveInbound } from '../../resolution/inbound';
import { AnalysisContext, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const NAMESPACE_DISABLE_DISABLES_AUTO_MTLS: RuleInfo = {
  code: 'IMA033',
  category: 'namespace-disable-disables-auto-mtls',
  severity: 'error',
  title: 'A namespace or mesh DISABLE turns auto mTLS off for a STRICT workload',
  explanation: 'When no DestinationRule sets tls, a client sidecar decides between mTLS and plaintext for a whole Service from the '
    + 'mode of the Service\'s namespace: its namespace-level PeerAuthentication, or else the mesh-level one. Workload and port-level '
    + 'policies are not read there. If that mode is DISABLE, every sidecar client sends plaintext to every endpoint of the Service, '
    + 'so a workload a selector policy makes STRICT (or a port it makes STRICT) resets every in-mesh caller '
    + '(istio/istio#56084, open). A DestinationRule with tls ISTIO_MUTUAL for the host, or a PERMISSIVE namespace policy, avoids it. '
    + 'Ambient servers are not affected: sidecars send them HBONE.',
  source: 'pilot/pkg/model/push_context.go (BestEffortInferServiceMTLSMode); pilot/pkg/networking/core/cluster_tls.go',
};

interface Unreachable {
  readonly policy: PeerAuthenticationPolicy;
  readonly path: string;
  readonly calls: string[];
  readonly namespacePolicy: ResourceRef;
  readonly reason: string;
  readonly hosts: string[];
}

export const namespaceDisableDisablesAutoMtls: AnalysisRule = {
  info: NAMESPACE_DISABLE_DISABLES_AUTO_MTLS,
  check(ctx: AnalysisContext): Finding[] {
    const m = ctx.model;
    if (!m.options.autoMtls) return [];
    const byPolicy = new Map<PeerAuthenticationPolicy, Unreachable>();
    for (const s of m.services) {
      const nsMode = ctx.namespaceMode(s.namespace);
      if (nsMode.mode !== 'DISABLE' || !nsMode.decidedBy) continue;
      for (const ep of ctx.cache.endpointsOf(s)) {
        const port = resolveInbound(m, ep.server).port(ep.targetPort);
        if (port.enforcedBy !== 'sidecar' || !port.captured || !port.possibleModes.includes('STRICT')) continue;
        const policy = port.decidedBy;
        if (!policy || (port.level !== 'workload' && port.level !== 'port')) continue;
        const reps = ctx.clientContexts(s.namespace).map((c) => ctx.sidecarClientIn(c.namespace));
        const failed: ConnectionResolution | undefined = reps
          .map((c) => resolveConnection(m, c, s, ep.port.port, ep.server))
          .find((c) => c.outcome === 'fails' && c.tls === 'plaintext' && c.client.source === 'auto-mtls');
        if (!failed) continue;
        const portLevel = policy.portLevel.find((p) => p.port === ep.targetPort && p.mode === 'STRICT');
        let u = byPolicy.get(policy);
        if (!u) {
          u = {
            policy,
            path: portLevel ? portLevel.path : pointer('spec', 'mtls', 'mode'),
            calls: [],
            namespacePolicy: nsMode.decidedBy.ref,
            reason: failed.client.reason,
            hosts: [],
          };
          byPolicy.set(policy, u);
        }
        const call = `Service ${s.namespace}/${s.name}:${ep.port.port} → ${describeWorkload(ep.server)}:${ep.targetPort}`;
        if (!u.calls.includes(call)) u.calls.push(call);
        if (!u.hosts.includes(s.hostname)) u.hosts.push(s.hostname);
      }
    }
    return [...byPolicy.values()].map((u) => {
      const ns = u.namespacePolicy;
      const level = ns.namespace === m.options.rootNamespace ? 'mesh-level' : 'namespace-level';
      return findingOf(NAMESPACE_DISABLE_DISABLES_AUTO_MTLS, {
        resource: u.policy.ref,
        path: u.path,
        message: `PeerAuthentication ${u.policy.namespace}/${u.policy.name} makes ${listSome(u.calls)} STRICT, but the ${level} `
          + `PeerAuthentication ${ns.namespace}/${ns.name} is DISABLE, so every sidecar client without a DestinationRule tls sends `
          + `plaintext (${u.reason}) and is reset`,
        fix: `add a DestinationRule for ${listSome(u.hosts)} with trafficPolicy.tls.mode ISTIO_MUTUAL, or make ${ns.namespace}/${ns.name} `
          + 'PERMISSIVE instead of DISABLE and disable mTLS per workload',
        related: [ns],
      });
    });
  },
};
