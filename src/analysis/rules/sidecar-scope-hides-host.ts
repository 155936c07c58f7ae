import { Finding, findingOf } from '../../model/finding';
import { isWildcardHost } from '../../model/hosts';
import { ServiceInfo, Workload } from '../../model/inventory';
import { selectorMatches } from '../../model/labels';
import { MeshModel } from '../../model/mesh-model';
import { AuthorizationPolicyInfo } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { SidecarEgressListener, SidecarInfo } from '../../model/sidecars';
import { VirtualServiceInfo } from '../../model/virtual-services';
import { resolveDataplane } from '../../resolution/dataplane';
import { declaredCallers } from '../../resolution/explain';
import { resolveInbound } from '../../resolution/inbound';
import { visibleVirtualServices } from '../../resolution/routes';
import { hostImported, sidecarFor, unmatchedTraffic } from '../../resolution/sidecar-scope';
import { AnalysisContext, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const SIDECAR_SCOPE_HIDES_HOST: RuleInfo = {
  code: 'IMA031',
  category: 'sidecar-scope-hides-host',
  severity: 'error',
  title: 'A Sidecar resource hides a Service its workload calls',
  explanation: 'A Sidecar\'s `egress[].hosts` decide which Services the workload\'s sidecar knows. A call to a Service it '
    + 'does not import is unmatched traffic: with ALLOW_ANY (the Sidecar\'s `outboundTrafficPolicy`, else the mesh\'s) it '
    + 'goes to the PassthroughCluster, with no TLS and no auto mTLS, so a STRICT server port resets it (error) and a '
    + 'PERMISSIVE one takes it unencrypted and without identity (warning); with REGISTRY_ONLY it goes to the '
    + 'BlackHoleCluster and fails whatever the server (error). Manifests do not say what a workload calls, so the rule '
    + 'judges the calls the configuration declares: Services named by DestinationRules or VirtualServices of the workload\'s '
    + 'namespace (hosts and route destinations; a rule exists for a host because the namespace calls it), Services whose '
    + 'ALLOW AuthorizationPolicies name its service account or namespace as a source (the server expects the call), and the '
    + 'other Services of its own namespace (the usual neighbours, as plaintext-client-to-strict assumes). The workload\'s '
    + 'own Services are not counted. A host is imported when an egress listener for the port lists it (`./*`, `ns/*`, '
    + '`*/host`, wildcards) or imports a VirtualService that routes to it. Only sidecar workloads are judged (ztunnel never '
    + 'reads Sidecars); a Sidecar with an `egressProxy` sends unmatched traffic there, which is not judged; servers whose '
    + 'port takes plaintext anyway (no proxy, DISABLE, port not captured) lose nothing under ALLOW_ANY.',
  source: 'pilot/pkg/model/sidecar.go (egress imports), pilot/pkg/networking/core/cluster_builder.go '
    + '(buildDefaultPassthroughCluster, buildBlackHoleCluster), Istio Sidecar reference (outboundTrafficPolicy)',
};

/** Why the engine takes a Service as called. */
interface Called {
  readonly service: ServiceInfo;
  readonly why: string;
}

/** The Services an AuthorizationPolicy protects: those selecting the workloads it selects. */
function protectedServices(model: MeshModel, ap: AuthorizationPolicyInfo): ServiceInfo[] {
  if (ap.hasTargetRefs) return [];
  const root = model.options.rootNamespace;
  const targets = ap.namespace === root
    ? (ap.selector ? model.workloadsMatchingAnywhere(ap.selector) : [])
    : model.workloadsMatching(ap.namespace, ap.selector ?? {});
  const out = new Map<string, ServiceInfo>();
  for (const t of targets) for (const s of model.servicesSelecting(t)) out.set(s.key, s);
  return [...out.values()];
}

/** The Services the configuration says `w` calls (see the explanation), each with the first reason found. */
/** What the calls of every workload are read from, indexed once per analysis. */
interface CallIndex {
  readonly virtualServicesIn: Map<string, VirtualServiceInfo[]>;
  /** By `namespace\u0000serviceAccount` and `namespace\u0000*`: the Services ALLOW policies let those callers reach. */
  readonly allowedFor: Map<string, { service: ServiceInfo; why: string }[]>;
}

function callIndex(model: MeshModel): CallIndex {
  const virtualServicesIn = new Map<string, VirtualServiceInfo[]>();
  for (const vs of model.virtualServices) {
    const list = virtualServicesIn.get(vs.namespace);
    if (list) list.push(vs); else virtualServicesIn.set(vs.namespace, [vs]);
  }
  const allowedFor = new Map<string, { service: ServiceInfo; why: string }[]>();
  for (const ap of model.authorizationPolicies) {
    if (ap.action !== 'ALLOW') continue;
    const callers = declaredCallers(model, ap);
    if (callers.length === 0) continue;
    const services = protectedServices(model, ap);
    const why = `AuthorizationPolicy ${ap.namespace}/${ap.name} allows it`;
    for (const c of callers) {
      const key = `${c.namespace}\u0000${c.serviceAccount ?? '*'}`;
      const list = allowedFor.get(key) ?? [];
      for (const service of services) list.push({ service, why });
      allowedFor.set(key, list);
    }
  }
  return { virtualServicesIn, allowedFor };
}

function calledServices(model: MeshModel, index: CallIndex, w: Workload): Called[] {
  const out = new Map<string, Called>();
  const own = new Set(model.servicesSelecting(w).map((s) => s.key));
  const add = (s: ServiceInfo | undefined, why: string) => {
    if (s && !own.has(s.key) && !out.has(s.key)) out.set(s.key, { service: s, why });
  };
  const byHost = (host: string, why: string) => {
    if (!isWildcardHost(host)) add(model.serviceByHostname(host.toLowerCase()), why);
  };
  for (const d of model.destinationRulesIn(w.namespace)) {
    if (d.workloadSelector && !selectorMatches(d.workloadSelector, w.labels)) continue;
    byHost(d.fqdn, `named by DestinationRule ${d.namespace}/${d.name}`);
  }
  for (const vs of index.virtualServicesIn.get(w.namespace) ?? []) {
    const why = `named by VirtualService ${vs.namespace}/${vs.name}`;
    for (const h of vs.fqdns) byHost(h, why);
    for (const r of [...vs.http, ...vs.tls, ...vs.tcp]) for (const d of [...r.destinations, ...r.mirrors]) byHost(d.fqdn, why);
  }
  for (const key of [`${w.namespace}\u0000${w.serviceAccount}`, `${w.namespace}\u0000*`]) {
    for (const { service, why } of index.allowedFor.get(key) ?? []) add(service, why);
  }
  for (const s of model.servicesIn(w.namespace)) add(s, 'same namespace');
  return [...out.values()];
}

/** The egress listener that decides for a port: the one declared on it, else the catch-all one. */
function deciding(sidecar: SidecarInfo, port: number): SidecarEgressListener | undefined {
  return sidecar.egress.find((l) => l.port === port && l.protocol !== 'HTTP_PROXY')
    ?? sidecar.egress.find((l) => l.port === undefined)
    ?? sidecar.egress[0];
}

interface Hit {
  sidecar: SidecarInfo;
  service: ServiceInfo;
  path: string;
  clients: string[];
  whys: string[];
  ports: number[];
  error: boolean;
  outcome: string;
}

/** What the unmatched plaintext meets at the Service's endpoints on `port`: undefined when nothing is lost. */
function serverOutcome(model: MeshModel, ctx: AnalysisContext, service: ServiceInfo, port: number): { error: boolean; text: string } | undefined {
  const strict: string[] = [];
  const permissive: string[] = [];
  for (const ep of ctx.cache.endpointsOf(service)) {
    if (ep.port.port !== port) continue;
    const p = resolveInbound(model, ep.server).port(ep.targetPort);
    const at = `${describeWorkload(ep.server)}:${ep.targetPort}`;
    if (p.accepts === 'mtls') strict.push(at);
    else if (p.accepts === 'mtls+plaintext' || p.accepts === 'ambiguous') permissive.push(at);
  }
  if (strict.length > 0) return { error: true, text: `${listSome(strict)} accepts only mTLS (STRICT), so the call is reset` };
  if (permissive.length > 0) return { error: false, text: `${listSome(permissive)} is PERMISSIVE and takes it unencrypted and without identity` };
  return undefined;
}

export const sidecarScopeHidesHost: AnalysisRule = {
  info: SIDECAR_SCOPE_HIDES_HOST,
  check(ctx): Finding[] {
    const m = ctx.model;
    if (m.sidecars.length === 0) return [];
    const hits = new Map<string, Hit>();
    const index = callIndex(m);
    const visibleIn = new Map<string, Set<VirtualServiceInfo>>();
    const importedCache = new Map<string, boolean>();
    // Only VirtualServices that route to a host can import it: indexed by destination host.
    const routingTo = new Map<string, VirtualServiceInfo[]>();
    for (const vs of m.virtualServices) {
      for (const r of [...vs.http, ...vs.tls, ...vs.tcp]) {
        for (const d of [...r.destinations, ...r.mirrors]) {
          const list = routingTo.get(d.fqdn);
          if (!list) routingTo.set(d.fqdn, [vs]); else if (!list.includes(vs)) list.push(vs);
        }
      }
    }
    for (const w of m.workloads) {
      const plane = resolveDataplane(m, w);
      if (plane.dataplane !== 'sidecar' || !plane.admitted) continue;
      const sidecar = sidecarFor(w, m.sidecars, m.options.rootNamespace).sidecar;
      if (!sidecar || sidecar.egress.length === 0) continue;
      const unmatched = unmatchedTraffic(sidecar, m.options.outboundTrafficPolicy);
      if (unmatched === 'egress-proxy') continue;
      let visible = visibleIn.get(w.namespace);
      if (!visible) { visible = new Set(visibleVirtualServices(m.virtualServices, w.namespace)); visibleIn.set(w.namespace, visible); }
      for (const { service, why } of calledServices(m, index, w)) {
        const ports = service.ports.map((p) => p.port);
        const target = { hostname: service.hostname, namespace: service.namespace, ports };
        for (const port of ports) {
          // The same Sidecar, host and port give the same answer for every workload of a namespace.
          const importKey = `${sidecar.namespace}/${sidecar.name}\u0000${w.namespace}\u0000${service.key}\u0000${port}`;
          let imported = importedCache.get(importKey);
          if (imported === undefined) {
            const virtualServices = (routingTo.get(service.hostname) ?? []).filter((vs) => visible!.has(vs));
            imported = hostImported(sidecar, target, port, { configNamespace: w.namespace, virtualServices });
            importedCache.set(importKey, imported);
          }
          if (imported) continue;
          let outcome: { error: boolean; text: string } | undefined;
          if (unmatched === 'blackhole') {
            outcome = { error: true, text: 'REGISTRY_ONLY sends it to the BlackHoleCluster, so it fails whatever the server' };
          } else {
            const server = serverOutcome(m, ctx, service, port);
            if (server) outcome = { error: server.error, text: `it goes to the PassthroughCluster as plaintext (no auto mTLS), and ${server.text}` };
          }
          if (!outcome) continue;
          const key = `${sidecar.namespace}/${sidecar.name}\u0000${service.key}`;
          const listener = deciding(sidecar, port);
          let hit = hits.get(key);
          if (!hit) {
            hit = { sidecar, service, path: listener ? `${listener.path}/hosts` : '/spec/egress', clients: [], whys: [], ports: [], error: false, outcome: outcome.text };
            hits.set(key, hit);
          }
          const who = describeWorkload(w);
          if (!hit.clients.includes(who)) hit.clients.push(who);
          if (!hit.whys.includes(why)) hit.whys.push(why);
          if (!hit.ports.includes(port)) hit.ports.push(port);
          // The first error's story wins the message; a warning's only until an error comes.
          if (outcome.error && !hit.error) { hit.error = true; hit.outcome = outcome.text; }
        }
      }
    }
    return [...hits.values()].map((h) => findingOf(SIDECAR_SCOPE_HIDES_HOST, {
      resource: h.sidecar.ref,
      path: h.path,
      severity: h.error ? 'error' : 'warning',
      message: `Sidecar ${h.sidecar.namespace}/${h.sidecar.name} does not import Service ${h.service.namespace}/${h.service.name} `
        + `(port ${h.ports.sort((a, b) => a - b).join(', ')}), which ${listSome(h.clients)} calls (${listSome(h.whys, 2)}); ${h.outcome}`,
      fix: `add "${h.service.namespace}/${h.service.hostname}" (or "${h.service.namespace}/*") to the egress hosts of Sidecar `
        + `${h.sidecar.namespace}/${h.sidecar.name}`,
      related: [h.service.ref],
    }));
  },
};
