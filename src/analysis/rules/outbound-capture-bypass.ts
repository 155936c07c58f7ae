import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { ResourceRef } from '../../model/manifest';
import { RuleInfo, Severity } from '../../model/rule-info';
import { CAPTURE_ANNOTATIONS, CaptureSettings, OutboundCapture, PodCapture } from '../../resolution/capture';
import { resolveDataplane } from '../../resolution/dataplane';
import { InboundPort, resolveInbound } from '../../resolution/inbound';
import { AnalysisContext, describeWorkload, podTemplatePointer } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const OUTBOUND_CAPTURE_BYPASS: RuleInfo = {
  code: 'IMA025',
  category: 'outbound-capture-bypass',
  severity: 'error',
  title: 'A client sidecar lets calls to mesh Services bypass it',
  explanation: 'istio-iptables (or istio-cni) returns a connection before the client sidecar sees it when its destination port is '
    + 'in excludeOutboundPorts or its destination IP is in excludeOutboundIPRanges or outside includeOutboundIPRanges. The '
    + 'application\'s own bytes, usually plaintext, then go straight to the server: a STRICT server (sidecar or ztunnel) resets '
    + 'them, a PERMISSIVE one accepts them unencrypted and without a peer identity, so identity-based ALLOW rules deny them. '
    + 'For a ClusterIP call the pod sees the Service IP and Service port; for a headless Service, the pod IP and container port. '
    + 'Every Service port of the input is judged (the annotations are pod-wide and iptables knows no namespaces), but only '
    + 'endpoints whose proxy enforces a mode are reported. IP ranges are judged against the serviceCidrs/podCidrs mesh options; '
    + 'without them the answer depends on the Service IP and is reported once per client as a warning.',
  source: 'tools/istio-iptables/pkg/capture/run.go (ISTIO_OUTPUT); cni/pkg/plugin/sidecar_redirect.go',
};

const A = CAPTURE_ANNOTATIONS;

// ---------------------------------------------------------------------------
// Address ranges, to sample the Service (or pod) CIDRs at every boundary the capture ranges draw.

interface Range {
  readonly v6: boolean;
  readonly start: bigint;
  readonly end: bigint;
}

function parseV4(s: string): bigint | null {
  const f = s.split('.');
  if (f.length !== 4 || f.some((x) => !/^[0-9]{1,3}$/.test(x) || Number(x) > 255)) return null;
  return f.reduce((n, x) => n * 256n + BigInt(Number(x)), 0n);
}

function parseV6(s: string): bigint | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): bigint[] | null => {
    if (part === '') return [];
    const g = part.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g.map((x) => BigInt(parseInt(x, 16))) : null;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  return [...head, ...new Array<bigint>(halves.length === 2 ? fill : 0).fill(0n), ...tail].reduce((n, x) => n * 65536n + x, 0n);
}

function parseRange(text: string): Range | null {
  const [addr, bitsText, extra] = text.trim().split('/');
  if (extra !== undefined || bitsText === undefined || !/^[0-9]+$/.test(bitsText)) return null;
  const v6 = addr.includes(':');
  const n = v6 ? parseV6(addr) : parseV4(addr);
  const width = v6 ? 128 : 32;
  const bits = Number(bitsText);
  if (n === null || bits > width) return null;
  const size = 2n ** BigInt(width - bits);
  const start = n - (n % size);
  return { v6, start, end: start + size - 1n };
}

function addressText(v6: boolean, n: bigint): string {
  if (!v6) return [3n, 2n, 1n, 0n].map((i) => String((n / 256n ** i) % 256n)).join('.');
  return [7n, 6n, 5n, 4n, 3n, 2n, 1n, 0n].map((i) => ((n / 65536n ** i) % 65536n).toString(16)).join(':');
}

/**
 * One address at the start of every stretch of `cidrs` over which the capture
 * ranges give the same answer: the CIDR's first address, and each range's
 * first address and the one after its last, where they fall inside.
 */
function sampleAddresses(cidrs: readonly string[], settings: CaptureSettings): string[] {
  const ranges = [settings.includeOutboundIPRanges, settings.excludeOutboundIPRanges]
    .flatMap((l) => l.split(','))
    .filter((x) => x.trim() !== '' && x.trim() !== '*')
    .map(parseRange)
    .filter((r): r is Range => r !== null);
  const out = new Set<string>();
  for (const c of cidrs.map(parseRange)) {
    if (!c) continue;
    const points = [c.start, ...ranges.filter((r) => r.v6 === c.v6).flatMap((r) => [r.start, r.end + 1n])];
    for (const p of points) if (p >= c.start && p <= c.end) out.add(addressText(c.v6, p));
  }
  return [...out];
}

/** Where a call to `port` goes when the destination IP is some address of `cidrs` (unknown when no CIDR is given). */
function outboundOf(capture: PodCapture, settings: CaptureSettings, port: number, cidrs: readonly string[] | undefined): OutboundCapture {
  const byPort = capture.outbound({ port });
  if (byPort !== 'unknown' || !cidrs || cidrs.length === 0) return byPort;
  const outcomes = new Set(sampleAddresses(cidrs, settings).map((ip) => capture.outbound({ port, ip })));
  return outcomes.size === 1 ? [...outcomes][0] : 'unknown';
}

function portListed(list: string, port: number): boolean {
  return list.split(',').some((x) => x.trim() === String(port));
}

// ---------------------------------------------------------------------------

interface Bypass {
  readonly call: string;
  readonly severity: Severity;
  readonly server: string;
  readonly related?: ResourceRef;
}

function judge(p: InboundPort): { severity: Severity; effect: string } | undefined {
  const mode = p.mode === 'ambiguous' ? p.possibleModes.join(' or ') : p.mode;
  const by = p.decidedBy ? ` (PeerAuthentication ${p.decidedBy.namespace}/${p.decidedBy.name})` : '';
  const where = p.enforcedBy === 'ztunnel' ? ' in ambient (ztunnel)' : '';
  switch (p.accepts) {
    case 'mtls': return { severity: 'error', effect: `is ${mode}${by}${where} and rejects them` };
    case 'mtls+plaintext': return { severity: 'warning', effect: `is ${mode}${by}${where} and accepts them unencrypted, without a peer identity` };
    case 'ambiguous': return { severity: 'warning', effect: `is ${mode}${by} depending on which competing PeerAuthentication is oldest` };
    default: return undefined;
  }
}

function worst(bypasses: readonly Bypass[]): Severity {
  return bypasses.some((b) => b.severity === 'error') ? 'error' : 'warning';
}

function relatedOf(bypasses: readonly Bypass[]): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const b of bypasses) if (b.related && !out.includes(b.related)) out.push(b.related);
  return out;
}

function checkClient(ctx: AnalysisContext, client: Workload): Finding[] {
  const m = ctx.model;
  const plane = resolveDataplane(m, client);
  const capture = plane.capture;
  const settings = capture?.settings;
  // interceptionMode NONE (no settings) is a different setup: the application must address Envoy itself.
  if (plane.dataplane !== 'sidecar' || !plane.admitted || !capture || !settings) return [];
  if (settings.excludeOutboundPorts.trim() === '' && settings.excludeOutboundIPRanges.trim() === '' && settings.includeOutboundIPRanges.trim() === '*') return [];
  const byPort = new Map<string, Bypass[]>();
  const byRange: Bypass[] = [];
  const unknown: Bypass[] = [];
  for (const s of m.services) {
    for (const ep of ctx.cache.endpointsOf(s)) {
      if (ep.server === client || ep.port.protocol.toUpperCase() !== 'TCP') continue;
      // A ClusterIP call leaves the pod for the Service IP and port; a headless one for the pod IP and container port.
      const port = s.headless ? ep.targetPort : ep.port.port;
      const outcome = outboundOf(capture, settings, port, s.headless ? m.options.podCidrs : m.options.serviceCidrs);
      if (outcome === 'captured') continue;
      const inbound = resolveInbound(m, ep.server).port(ep.targetPort);
      const j = judge(inbound);
      if (!j) continue;
      const call = `Service ${s.namespace}/${s.name}:${ep.port.port}`;
      const b: Bypass = {
        call,
        severity: outcome === 'unknown' ? 'warning' : j.severity,
        server: `${describeWorkload(ep.server)}:${ep.targetPort} ${j.effect}`,
        related: inbound.decidedBy?.ref,
      };
      if (outcome === 'unknown') unknown.push(b);
      else if (portListed(settings.excludeOutboundPorts, port)) byPort.set(`${call}|${port}`, [...(byPort.get(`${call}|${port}`) ?? []), b]);
      else byRange.push(b);
    }
  }
  const out: Finding[] = [];
  const portValue = client.podAnnotations[A.excludeOutboundPorts];
  const portSource = portValue === undefined ? `the ${plane.capture?.cni ? 'istio-cni or mesh' : 'mesh'} default excludeOutboundPorts "${settings.excludeOutboundPorts}"` : `${A.excludeOutboundPorts}: "${portValue}"`;
  for (const [key, bs] of [...byPort].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const port = key.split('|')[1];
    const failing = bs.filter((b) => b.severity === 'error');
    const shown = failing.length > 0 ? failing : bs;
    out.push(findingOf(OUTBOUND_CAPTURE_BYPASS, {
      resource: client.ref,
      path: podTemplatePointer(client, 'annotations', A.excludeOutboundPorts),
      severity: worst(bs),
      message: `${describeWorkload(client)}: ${portSource} sends its calls to ${bs[0].call} (port ${port}) around its sidecar as the `
        + `application's plaintext; ${listSome(shown.map((b) => b.server))}`,
      fix: `remove ${port} from ${A.excludeOutboundPorts} so the sidecar sends Istio mTLS, or make the server port PERMISSIVE if plaintext is intended`,
      related: relatedOf(bs),
    }));
  }
  const rangeAnnotation = settings.excludeOutboundIPRanges.trim() !== '' ? A.excludeOutboundIPRanges : A.includeOutboundIPRanges;
  const rangeText = [
    settings.excludeOutboundIPRanges.trim() !== '' ? `excludeOutboundIPRanges "${settings.excludeOutboundIPRanges}"` : '',
    settings.includeOutboundIPRanges.trim() !== '*' ? `includeOutboundIPRanges "${settings.includeOutboundIPRanges}"` : '',
  ].filter((x) => x).join(' and ');
  if (byRange.length > 0) {
    const failing = byRange.filter((b) => b.severity === 'error');
    const shown = failing.length > 0 ? failing : byRange;
    out.push(findingOf(OUTBOUND_CAPTURE_BYPASS, {
      resource: client.ref,
      path: podTemplatePointer(client, 'annotations', rangeAnnotation),
      severity: worst(byRange),
      message: `${describeWorkload(client)}: with ${rangeText}, its calls to ${listSome([...new Set(shown.map((b) => b.call))])} go around its `
        + `sidecar (their IPs fall in the Service or pod CIDRs given) as the application's plaintext; ${listSome(shown.map((b) => b.server))}`,
      fix: `keep the cluster's Service and pod CIDRs out of ${A.excludeOutboundIPRanges} and inside ${A.includeOutboundIPRanges}`,
      related: relatedOf(byRange),
    }));
  }
  if (unknown.length > 0) {
    out.push(findingOf(OUTBOUND_CAPTURE_BYPASS, {
      resource: client.ref,
      path: podTemplatePointer(client, 'annotations', rangeAnnotation),
      severity: 'warning',
      message: `${describeWorkload(client)}: with ${rangeText}, whether its calls to ${listSome([...new Set(unknown.map((b) => b.call))])} bypass `
        + `its sidecar depends on the Service IP; if they do, they leave as plaintext and ${listSome(unknown.map((b) => b.server))}`,
      fix: 'give the serviceCidrs and podCidrs mesh options to decide, and keep those CIDRs out of '
        + `${A.excludeOutboundIPRanges} and inside ${A.includeOutboundIPRanges}`,
      related: relatedOf(unknown),
    }));
  }
  return out;
}

export const outboundCaptureBypass: AnalysisRule = {
  info: OUTBOUND_CAPTURE_BYPASS,
  check(ctx): Finding[] {
    return ctx.model.workloads.flatMap((w) => checkClient(ctx, w));
  },
};
