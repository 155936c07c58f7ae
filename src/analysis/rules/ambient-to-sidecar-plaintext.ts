import { Finding, findingOf } from '../../model/finding';
import { ServiceInfo, Workload } from '../../model/inventory';
import { RuleInfo } from '../../model/rule-info';
import { resolveConnection } from '../../resolution/connection';
import { resolveDataplane } from '../../resolution/dataplane';
import { SIDECAR_STATUS, TUNNEL } from '../../resolution/injection';
import { AnalysisContext, describeDecision, describeWorkload } from '../context';
import { AnalysisRule } from '../rule';

export const AMBIENT_TO_SIDECAR_PLAINTEXT: RuleInfo = {
  code: 'IMA023',
  category: 'ambient-to-sidecar-plaintext',
  severity: 'error',
  title: 'Ambient clients send plaintext to a sidecar pod that does not accept HBONE',
  explanation: 'ztunnel sends HBONE (mTLS on port 15008) only to pods istiod marks as HBONE-capable: ambient pods, and sidecar pods '
    + 'whose label `networking.istio.io/tunnel` lists `http`. The injector adds that label only when the proxy metadata sets '
    + '`ISTIO_META_ENABLE_HBONE=true` (the ambient profile does), so pods injected before it, pre-injected manifests and meshes '
    + 'that do not set it lack it. Toward such a pod ztunnel sends plain TCP, and so does a waypoint, which speaks no legacy '
    + 'Istio mTLS. A STRICT server port refuses it (error); a PERMISSIVE one accepts it, unencrypted and without identity, '
    + 'so identity-based authorization no longer matches (warning). Every Service port whose endpoints are such sidecar pods '
    + 'is judged once ambient workloads exist in the input: the ambient client does not change what ztunnel sends. The '
    + 'finding sits on the server workload, one per Service port, because re-injecting its pods with HBONE enabled is the '
    + 'change that fixes it; relaxing its PeerAuthentication only turns a refused connection into an unencrypted one.',
  source: 'ztunnel src/proxy/outbound.rs (build_request), pilot/pkg/serviceregistry/ambient/workloads.go (tunnel protocol), '
    + 'manifests/charts/istio-control/istio-discovery/files/injection-template.yaml',
};

/** The JSON pointer of the pod template's labels of a workload kind. */
function podLabelsPath(kind: string): string {
  if (kind === 'Pod') return '/metadata/labels';
  if (kind === 'CronJob') return '/spec/jobTemplate/spec/template/metadata/labels';
  return '/spec/template/metadata/labels';
}

/** Why the sidecar pod carries no usable tunnel label. */
function whyNoHbone(ctx: AnalysisContext, w: Workload): string {
  const own = w.labels[TUNNEL];
  if (own !== undefined) return `its ${TUNNEL} label "${own}" does not list http`;
  if (w.podAnnotations[SIDECAR_STATUS] !== undefined || w.hasProxyContainer) {
    return `it was injected without HBONE (the template already carries the sidecar and no ${TUNNEL} label)`;
  }
  if (!ctx.model.options.sidecarHbone) return `the injector does not set ISTIO_META_ENABLE_HBONE (mesh option sidecarHbone: false), so no ${TUNNEL} label`;
  return `it has no ${TUNNEL}: http label`;
}

/** An ambient client of the input, from the Service's namespace if there is one. */
function exampleClient(ambient: readonly Workload[], service: ServiceInfo): Workload {
  return ambient.find((w) => w.namespace === service.namespace) ?? ambient[0];
}

export const ambientToSidecarPlaintext: AnalysisRule = {
  info: AMBIENT_TO_SIDECAR_PLAINTEXT,
  check(ctx): Finding[] {
    const model = ctx.model;
    if (!model.options.ambient) return [];
    const ambient = model.workloads.filter((w) => {
      const d = resolveDataplane(model, w);
      return d.dataplane === 'ambient' && d.admitted;
    });
    if (ambient.length === 0) return [];
    const out: Finding[] = [];
    for (const service of model.services) {
      const servers = model.workloadsOf(service).filter((w) => {
        const d = resolveDataplane(model, w);
        return d.dataplane === 'sidecar' && d.admitted && !d.hbone;
      });
      if (servers.length === 0) continue;
      const client = exampleClient(ambient, service);
      for (const server of servers) {
        service.ports.forEach((sp) => {
          const c = resolveConnection(model, client, service, sp.port, server);
          const inbound = c.inbound;
          // Ports the sidecar does not capture take plaintext anyway (capture rules report them); DISABLE asks for plaintext.
          if (c.tls !== 'plaintext' || !inbound || inbound.enforcedBy !== 'sidecar' || !inbound.captured) return;
          const fails = c.outcome === 'fails';
          if (!fails && !inbound.possibleModes.includes('PERMISSIVE')) return;
          const target = `${describeWorkload(server)}:${c.targetPort}`;
          const others = ambient.length > 1 ? ` and ${ambient.length - 1} more` : '';
          const effect = fails
            ? 'the sidecar refuses it and the connections are reset'
            : 'the sidecar accepts it: unencrypted and without identity, so identity-based authorization no longer matches';
          out.push(findingOf(AMBIENT_TO_SIDECAR_PLAINTEXT, {
            resource: server.ref,
            path: podLabelsPath(server.kind),
            severity: fails ? 'error' : 'warning',
            message: `ambient clients (${describeWorkload(client)}${others}) calling Service ${service.namespace}/${service.name}:${sp.port} `
              + `reach ${target}, a sidecar pod that does not accept HBONE (${whyNoHbone(ctx, server)}), so ztunnel sends plaintext TCP; `
              + `port ${c.targetPort} is ${describeDecision(inbound)}: ${effect}`,
            fix: `re-inject ${describeWorkload(server)} with ISTIO_META_ENABLE_HBONE=true (the ambient profile; rollout restart, or `
              + `re-run kube-inject for a pre-injected manifest) so its pods carry ${TUNNEL}: http and take HBONE, or enrol it in ambient`,
            related: [service.ref, ...(inbound.decidedBy ? [inbound.decidedBy.ref] : [])],
          }));
        });
      }
    }
    return out;
  },
};
