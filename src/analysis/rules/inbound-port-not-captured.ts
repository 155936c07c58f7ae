import { Finding, findingOf } from '../../model/finding';
import { ServiceInfo, Workload } from '../../model/inventory';
import { MeshModel } from '../../model/mesh-model';
import { RuleInfo, Severity } from '../../model/rule-info';
import { CAPTURE_ANNOTATIONS, PodCapture } from '../../resolution/capture';
import { ConnectionResolution, resolveConnection } from '../../resolution/connection';
import { resolveDataplane } from '../../resolution/dataplane';
import { InboundPort, resolveInbound } from '../../resolution/inbound';
import { ingressListenerFor, sidecarFor } from '../../resolution/sidecar-scope';
import { AnalysisContext, describeWorkload, podTemplatePointer } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const INBOUND_PORT_NOT_CAPTURED: RuleInfo = {
  code: 'IMA024',
  category: 'inbound-port-not-captured',
  severity: 'error',
  title: 'A sidecar does not capture an inbound port',
  explanation: 'The injector turns the traffic.sidecar.istio.io/* annotations (or the mesh defaults) into the iptables rules of '
    + 'istio-init or istio-cni. A port the rules do not redirect (excludeInboundPorts, a list-valued includeInboundPorts that '
    + 'omits it, includeInboundPorts "", interceptionMode NONE) never reaches Envoy: plaintext from anyone reaches the application '
    + 'and the PeerAuthentication is not enforced there, while pilot still builds the filter chain, so nothing in the proxy config '
    + 'shows it. Auto mTLS cannot see it either and keeps sending Istio mTLS, which the application receives as TLS it cannot read. '
    + 'Error when the port is STRICT, warning otherwise (DISABLE ports are skipped: clients already send plaintext). '
    + 'Also reports, as info, excludeInboundPorts ignored because includeInboundPorts is a list.',
  source: 'tools/istio-iptables/pkg/capture/run.go; injection-template.yaml; istio.io FAQ "automtls-exclude-port"',
};

const A = CAPTURE_ANNOTATIONS;

/** Ports of the proxy itself (admin, outbound, inbound, tunnel, status, health, DNS, Prometheus): never application ports. */
const PROXY_PORTS = new Set([15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090]);

/** JSON pointer of a pod-template annotation on the workload's manifest. */
/** The annotation (or mesh default) that keeps `port` from Envoy, as "annotation value" text and the annotation to change. */
function whyNotCaptured(w: Workload, capture: PodCapture, port: number, m: MeshModel): { annotation: string; why: string; fix: string } {
  const given = (a: string, fallback: string): string => {
    const v = w.podAnnotations[a];
    return v === undefined ? `the mesh default ${a.split('/')[1]} "${fallback}"` : `${a}: "${v}"`;
  };
  const d = m.options.captureDefaults;
  if (capture.mode === 'NONE') {
    return {
      annotation: A.interceptionMode,
      why: `${given(A.interceptionMode, d.interceptionMode)} installs no capture rules`,
      fix: `remove ${A.interceptionMode} (or set REDIRECT) so the sidecar captures port ${port}`,
    };
  }
  const include = capture.settings?.includeInboundPorts ?? d.includeInboundPorts;
  if (include.trim() === '') {
    return {
      annotation: A.includeInboundPorts,
      why: `${given(A.includeInboundPorts, d.includeInboundPorts)} captures no inbound port`,
      fix: `set ${A.includeInboundPorts} to "*" (or list ${port})`,
    };
  }
  if (include.trim() !== '*') {
    return {
      annotation: A.includeInboundPorts,
      why: `${given(A.includeInboundPorts, d.includeInboundPorts)} does not list ${port}`,
      fix: `add ${port} to ${A.includeInboundPorts} (or set it to "*")`,
    };
  }
  const status = w.podAnnotations[A.statusPort];
  if (status !== undefined && Number(status.trim()) === port) {
    return { annotation: A.statusPort, why: `${A.statusPort}: "${status}" makes it the proxy's status port`, fix: `move ${A.statusPort} to a port the application does not use` };
  }
  return {
    annotation: A.excludeInboundPorts,
    why: `${given(A.excludeInboundPorts, d.excludeInboundPorts)} excludes it`,
    fix: `remove ${port} from ${A.excludeInboundPorts}`,
  };
}

/** The port's mode as a phrase: `STRICT (PeerAuthentication ns/name)`. */
function modeText(p: InboundPort): string {
  const mode = p.mode === 'ambiguous' ? p.possibleModes.join(' or ') : p.mode;
  return p.decidedBy ? `${mode} (PeerAuthentication ${p.decidedBy.namespace}/${p.decidedBy.name})` : `${mode} (Istio default)`;
}

interface ServiceCall {
  readonly service: ServiceInfo;
  readonly servicePort: number;
  readonly connections: readonly ConnectionResolution[];
}

/** What representative sidecar clients do when they call the Services that reach `port`. */
function serviceCalls(ctx: AnalysisContext, w: Workload, port: number): ServiceCall[] {
  const out: ServiceCall[] = [];
  for (const s of ctx.model.servicesSelecting(w)) {
    for (const ep of ctx.cache.endpointsOf(s)) {
      if (ep.server !== w || ep.targetPort !== port) continue;
      const reps = ctx.clientContexts(s.namespace).map((c) => ctx.sidecarClientIn(c.namespace));
      out.push({ service: s, servicePort: ep.port.port, connections: reps.map((c) => resolveConnection(ctx.model, c, s, ep.port.port, w)) });
    }
  }
  return out;
}

function checkWorkload(ctx: AnalysisContext, w: Workload): Finding[] {
  const m = ctx.model;
  const plane = resolveDataplane(m, w);
  const capture = plane.capture;
  if (plane.dataplane !== 'sidecar' || !plane.admitted || !capture) return [];
  // Capture of every port but proxy ports: no application port can be missed (the common case, decided without the Services).
  if (capture.inboundUncaptured?.every((port) => PROXY_PORTS.has(port))) return ignoredExclusions(w, capture, m);
  const out: Finding[] = [];
  const inbound = resolveInbound(m, w);
  const ports = new Set<number>();
  for (const p of w.ports) if (p.protocol.toUpperCase() === 'TCP') ports.add(p.port);
  for (const s of m.servicesSelecting(w)) {
    for (const ep of ctx.cache.endpointsOf(s)) if (ep.server === w && ep.port.protocol.toUpperCase() === 'TCP') ports.add(ep.targetPort);
  }
  const sidecar = capture.mode === 'NONE' ? sidecarFor(w, m.sidecars, m.options.rootNamespace).sidecar : null;
  for (const port of [...ports].sort((a, b) => a - b)) {
    if (PROXY_PORTS.has(port)) continue;
    const p = inbound.port(port);
    if (p.captured || p.enforcedBy !== 'sidecar') continue;
    // interceptionMode NONE: Envoy binds the ports a Sidecar's ingress lists, so traffic to them reaches it.
    if (sidecar && ingressListenerFor(sidecar, port)) continue;
    if (p.possibleModes.every((mode) => mode === 'DISABLE')) continue;
    const strict = p.possibleModes.includes('STRICT');
    const calls = serviceCalls(ctx, w, port);
    const failing = calls.filter((c) => c.connections.some((x) => x.outcome === 'fails' && x.tls !== 'plaintext'));
    const plaintextOk = calls.length > 0 && calls.every((c) => c.connections.every((x) => x.tls === 'plaintext' && x.outcome === 'ok'));
    // Every caller already sends plaintext (a DestinationRule DISABLE): the bypass is intended; only an unenforced STRICT is left.
    if (plaintextOk && !strict) continue;
    const severity: Severity = strict && !plaintextOk ? 'error' : 'warning';
    const why = whyNotCaptured(w, capture, port, m);
    const callText = failing.length > 0
      ? `; sidecar clients of ${listSome(failing.map((c) => `Service ${c.service.namespace}/${c.service.name}:${c.servicePort}`))} `
        + `send Istio mTLS (${failing[0].connections.find((x) => x.outcome === 'fails')!.client.reason}) that the application cannot read, so their calls fail`
      : plaintextOk ? `; its clients send plaintext (${calls[0].connections[0].client.reason}), so nothing enforces the STRICT intent` : '';
    const dr = calls[0]?.service;
    out.push(findingOf(INBOUND_PORT_NOT_CAPTURED, {
      resource: w.ref,
      path: podTemplatePointer(w, 'annotations', why.annotation),
      severity,
      message: `${describeWorkload(w)}: the sidecar does not capture port ${port} (${why.why}), so plaintext reaches the application `
        + `and its mode ${modeText(p)} is not enforced${callText}`,
      fix: `${why.fix}; if the bypass is intended, give clients a DestinationRule${dr ? ` for ${dr.hostname}` : ''} with `
        + `portLevelSettings port ${calls[0]?.servicePort ?? port} tls mode DISABLE`,
      related: p.decidedBy ? [p.decidedBy.ref] : undefined,
    }));
  }
  out.push(...ignoredExclusions(w, capture, m));
  return out;
}

/** excludeInboundPorts set while includeInboundPorts is a list: istio-iptables never reads the exclusions. */
function ignoredExclusions(w: Workload, capture: PodCapture, m: MeshModel): Finding[] {
  const settings = capture.settings;
  if (!settings || capture.mode === 'NONE') return [];
  const include = settings.includeInboundPorts.trim();
  const excluded = (w.podAnnotations[A.excludeInboundPorts] ?? m.options.captureDefaults.excludeInboundPorts).trim();
  if (include === '' || include === '*' || excluded === '') return [];
  return [findingOf(INBOUND_PORT_NOT_CAPTURED, {
    resource: w.ref,
    path: podTemplatePointer(w, 'annotations', A.excludeInboundPorts),
    severity: 'info',
    message: `${describeWorkload(w)}: excludeInboundPorts "${excluded}" is ignored because includeInboundPorts "${include}" is a list; `
      + `only ports ${include} are captured`,
    fix: `remove ${A.excludeInboundPorts} (it has no effect), or set ${A.includeInboundPorts} to "*" so the exclusions apply`,
  })];
}

export const inboundPortNotCaptured: AnalysisRule = {
  info: INBOUND_PORT_NOT_CAPTURED,
  check(ctx): Finding[] {
    return ctx.model.workloads.flatMap((w) => checkWorkload(ctx, w));
  },
};
