/**
 * Traffic capture of a sidecar pod, read from its pod-template annotations the
 * way Istio does: what the injection webhook rejects, which inbound ports
 * istio-iptables (or istio-cni) hands to Envoy, and which outbound connections
 * skip the client sidecar. Facts read in istio/istio 1.30.3:
 * pkg/kube/inject/validate.go, pkg/kube/inject/template.go, the
 * istio-discovery injection-template.yaml, tools/istio-iptables/pkg/capture/run.go,
 * tools/common/config and cni/pkg/plugin/sidecar_redirect.go.
 */
import { CAPTURE_DEFAULTS } from '../model/mesh-options';

/** How the sidecar intercepts traffic; NONE installs no iptables rules at all. */
export type InterceptionMode = 'REDIRECT' | 'TPROXY' | 'NONE';

/** The mesh-wide values the injector uses where a pod has no annotation (Helm `global.proxy`, ProxyConfig, `pilot.cni.enabled`). */
export interface CaptureDefaults {
  readonly includeInboundPorts: string;
  readonly excludeInboundPorts: string;
  /** Helm `global.proxy.includeIPRanges`. */
  readonly includeOutboundIPRanges: string;
  /** Helm `global.proxy.excludeIPRanges`. */
  readonly excludeOutboundIPRanges: string;
  readonly includeOutboundPorts: string;
  readonly excludeOutboundPorts: string;
  readonly statusPort: number;
  /** The pod's effective ProxyConfig `interceptionMode`. */
  readonly interceptionMode: InterceptionMode;
  /** istio-cni programs the rules instead of the istio-init container. */
  readonly cni: boolean;
}

/** Istio 1.30.3's defaults: istio-discovery values.yaml `global.proxy`, ProxyConfig REDIRECT, no istio-cni. */
export const ISTIO_CAPTURE_DEFAULTS: CaptureDefaults = Object.freeze({ ...CAPTURE_DEFAULTS, cni: false });

/** The annotations this module reads. */
export const CAPTURE_ANNOTATIONS = Object.freeze({
  interceptionMode: 'sidecar.istio.io/interceptionMode',
  statusPort: 'status.sidecar.istio.io/port',
  includeInboundPorts: 'traffic.sidecar.istio.io/includeInboundPorts',
  excludeInboundPorts: 'traffic.sidecar.istio.io/excludeInboundPorts',
  includeOutboundIPRanges: 'traffic.sidecar.istio.io/includeOutboundIPRanges',
  excludeOutboundIPRanges: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
  includeOutboundPorts: 'traffic.sidecar.istio.io/includeOutboundPorts',
  excludeOutboundPorts: 'traffic.sidecar.istio.io/excludeOutboundPorts',
  excludeInterfaces: 'traffic.sidecar.istio.io/excludeInterfaces',
  kubevirtInterfaces: 'traffic.sidecar.istio.io/kubevirtInterfaces',
  rerouteVirtualInterfaces: 'istio.io/reroute-virtual-interfaces',
});

const A = CAPTURE_ANNOTATIONS;

/** Who refuses the pod: the webhook (no pod is created), istio-cni (the sandbox fails) or the istio-init container (the pod never starts). */
export type CaptureRejecter = 'injection-webhook' | 'istio-cni' | 'istio-init';

/** A value that keeps the pod from existing or from starting. */
export interface CaptureProblem {
  readonly annotation: string;
  readonly value: string;
  /** What is wrong and what is allowed, in our words. */
  readonly message: string;
  readonly rejectedBy: CaptureRejecter;
  /** Read from source only; needs a cluster test to confirm. */
  readonly unverified: boolean;
}

/** The settings istio-iptables (`-m -b -d -i -x -q -o -c -k`) or istio-cni programs, as the strings they receive. */
export interface CaptureSettings {
  readonly mode: string;
  readonly includeInboundPorts: string;
  readonly excludeInboundPorts: string;
  readonly includeOutboundIPRanges: string;
  readonly excludeOutboundIPRanges: string;
  readonly includeOutboundPorts: string;
  readonly excludeOutboundPorts: string;
  readonly excludeInterfaces: string;
  readonly rerouteVirtualInterfaces: string;
}

/** Where an outbound TCP connection goes: to the client sidecar, straight out, or it depends on an IP that is not known. */
export type OutboundCapture = 'captured' | 'bypassed' | 'unknown';

/** A connection the pod's app opens; the IP is the one the pod sees (a Service IP for ClusterIP calls). */
export interface OutboundDestination {
  readonly port: number;
  readonly ip?: string;
}

/** What the iptables rules of one pod do with TCP traffic. */
export interface CaptureRules {
  /** When every inbound port is captured but a few: those ports (sorted); null when capture is a list or nothing. */
  readonly inboundUncaptured: readonly number[] | null;
  /** Whether a connection to this container port is redirected to Envoy. */
  inboundCaptured(port: number): boolean;
  outbound(destination: OutboundDestination): OutboundCapture;
}

/** The capture of one pod template. */
export interface PodCapture extends CaptureRules {
  /** False when `problems` is non-empty: the pod is never created or never starts, and every answer is "not captured". */
  readonly admitted: boolean;
  readonly problems: readonly CaptureProblem[];
  /** The interception mode; the default when the annotation is invalid. */
  readonly mode: InterceptionMode;
  readonly cni: boolean;
  /** What iptables is programmed with; null when nothing is (mode NONE, or not admitted). */
  readonly settings: CaptureSettings | null;
  /** Why inbound capture is narrower than "every port", e.g. exclusions ignored because include is a list. */
  readonly inboundNote?: string;
  /** Facts the port answers cannot carry: interfaces that bypass capture or count as outbound. */
  readonly notes: readonly string[];
}

// ---------------------------------------------------------------------------
// Go's string and number parsing, as the injector and istio-iptables use it.

/** Go's unicode.IsSpace set, which strings.TrimSpace strips (JS trim() differs: it strips U+FEFF and keeps U+0085). */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

function goTrimSpace(s: string): string {
  return s.replace(GO_TRIM, '');
}

/** strconv.ParseUint(s, 10, 16): ASCII digits only, no sign, leading zeros allowed. */
function parseUint16(s: string): number | null {
  if (!/^[0-9]+$/.test(s)) return null;
  const n = Number(s);
  return n <= 65535 ? n : null;
}

/** The injector's port list check: trim the whole, split on commas, trim each item, each a uint16. Returns the bad item or null. */
function badPortItem(list: string): string | null {
  const trimmed = goTrimSpace(list);
  if (trimmed.length === 0) return null;
  for (const item of trimmed.split(',')) {
    if (parseUint16(goTrimSpace(item)) === null) return item;
  }
  return null;
}

/** tools/common/config Split: commas, empty items dropped, nothing trimmed. */
function splitList(s: string): string[] {
  return s === '' ? [] : s.split(',').filter((x) => x !== '');
}

interface ParsedAddress {
  readonly bytes: readonly number[];
  readonly v6: boolean;
}

interface ParsedPrefix extends ParsedAddress {
  readonly bits: number;
}

/** netip.ParseAddr's IPv4 form: four decimal fields 0-255, no leading zeros, no empty field. */
function parseIPv4(s: string): number[] | null {
  const fields = s.split('.');
  if (fields.length !== 4) return null;
  const out: number[] = [];
  for (const f of fields) {
    if (!/^[0-9]{1,3}$/.test(f) || (f.length > 1 && f[0] === '0')) return null;
    const n = Number(f);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** netip.ParseAddr's IPv6 form: hex groups of 1-4 digits, one `::` that stands for at least one group, an optional trailing IPv4, an optional zone. */
function parseIPv6(input: string): { bytes: number[]; zone: boolean } | null {
  let s = input;
  let zone = false;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (pct === s.length - 1) return null;
    zone = true;
    s = s.slice(0, pct);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (part: string, allowIPv4: boolean): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (allowIPv4 && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return null;
        out.push(...v4);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
        const n = parseInt(g, 16);
        out.push(Math.floor(n / 256), n % 256);
      }
    }
    return out;
  };
  if (halves.length === 1) {
    const bytes = parseGroups(halves[0], true);
    return bytes && bytes.length === 16 ? { bytes, zone } : null;
  }
  const head = parseGroups(halves[0], false);
  const tail = parseGroups(halves[1], true);
  // The `::` must stand for at least one all-zero group.
  if (!head || !tail || head.length + tail.length > 14) return null;
  return { bytes: [...head, ...new Array<number>(16 - head.length - tail.length).fill(0), ...tail], zone };
}

/** netip.ParseAddr: the first `.`, `:` or `%` decides the family. */
function parseAddress(s: string): (ParsedAddress & { zone: boolean }) | null {
  const marker = /[.:%]/.exec(s);
  if (!marker || marker[0] === '%') return null;
  if (marker[0] === '.') {
    const v4 = parseIPv4(s);
    return v4 ? { bytes: v4, v6: false, zone: false } : null;
  }
  const v6 = parseIPv6(s);
  return v6 ? { bytes: v6.bytes, v6: true, zone: v6.zone } : null;
}

/** netip.ParsePrefix: an address without a zone, `/`, a length with no sign or leading zero, at most 32 or 128. */
function parsePrefix(s: string): ParsedPrefix | null {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return null;
  const addr = parseAddress(s.slice(0, slash));
  if (!addr || addr.zone) return null;
  const bitsText = s.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (bits > (addr.v6 ? 128 : 32)) return null;
  return { bytes: addr.bytes, v6: addr.v6, bits };
}

/** Whether the address lies in the prefix (iptables masks the prefix's host bits). */
function prefixContains(prefix: ParsedPrefix, addr: ParsedAddress): boolean {
  if (prefix.v6 !== addr.v6) return false;
  let bits = prefix.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const shift = 2 ** Math.max(0, 8 - bits);
    if (Math.floor(prefix.bytes[i] / shift) !== Math.floor(addr.bytes[i] / shift)) return false;
  }
  return true;
}

/** netip IsLoopback: 127.0.0.0/8, ::1, and 127.0.0.0/8 mapped into IPv6. */
function isLoopback(addr: ParsedAddress): boolean {
  if (!addr.v6) return addr.bytes[0] === 127;
  const mappedV4 = addr.bytes.slice(0, 10).every((b) => b === 0) && addr.bytes[10] === 255 && addr.bytes[11] === 255;
  return mappedV4 ? addr.bytes[12] === 127 : addr.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

/** The injector's CIDR list check: split on commas without trimming, each a prefix. Returns the bad item or null. */
function badCidrItem(list: string): string | null {
  if (list.length === 0) return null;
  for (const item of list.split(',')) {
    if (!parsePrefix(item)) return item;
  }
  return null;
}

const INTERFACE_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]*$/;

/** pkg/util/net ValidateInterfaceNames: comma list, items trimmed, 1-15 characters, a letter first. Returns a message or null. */
function badInterfaceNames(list: string): string | null {
  if (list.length === 0) return null;
  for (const raw of list.split(',')) {
    const name = goTrimSpace(raw);
    if (name.length === 0) return 'an interface name is empty';
    if (name.length > 15) return `interface name "${name}" is longer than 15 characters`;
    if (!INTERFACE_NAME.test(name)) return `interface name "${name}" must start with a letter and contain only letters, digits, '_', '.' and '-'`;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Validation.

const PORT_LIST_HINT = 'use port numbers 0-65535 separated by commas, e.g. "8080,9090" (spaces allowed, no ranges, no empty items)';
const CIDR_LIST_HINT = 'use CIDRs separated by commas with no spaces, e.g. "10.0.0.0/8,172.16.0.0/12" (a bare IP needs /32)';

function portListMessage(name: string, value: string, wildcard: boolean): string | null {
  if (wildcard && value === '*') return null;
  const bad = badPortItem(value);
  if (bad === null) return null;
  return `${name} "${value}": "${bad}" is not a port number; ${PORT_LIST_HINT}${wildcard ? ', or exactly "*" for every port' : ''}`;
}

function cidrListMessage(name: string, value: string, wildcard: boolean): string | null {
  if (wildcard && value === '*') return null;
  const bad = badCidrItem(value);
  if (bad === null) return null;
  return `${name} "${value}": "${bad}" is not a CIDR; ${CIDR_LIST_HINT}${wildcard ? ', or exactly "*" for every address' : ''}`;
}

type Validator = (value: string) => string | null;

/** The capture-related entries of the webhook's annotation validators (validate.go AnnotationValidation), in a fixed order. */
const WEBHOOK_VALIDATORS: ReadonlyArray<readonly [string, Validator]> = [
  [A.interceptionMode, (v) => (v === 'REDIRECT' || v === 'TPROXY' || v === 'NONE'
    ? null : `interceptionMode "${v}" is not one of REDIRECT, TPROXY, NONE (exact, upper case)`)],
  [A.statusPort, (v) => (parseUint16(goTrimSpace(v)) === null ? `status port "${v}" is not a port number 0-65535` : null)],
  [A.includeOutboundIPRanges, (v) => cidrListMessage('includeOutboundIPRanges', v, true)],
  [A.excludeOutboundIPRanges, (v) => cidrListMessage('excludeOutboundIPRanges', v, false)],
  [A.includeInboundPorts, (v) => portListMessage('includeInboundPorts', v, true)],
  [A.excludeInboundPorts, (v) => portListMessage('excludeInboundPorts', v, false)],
  [A.excludeOutboundPorts, (v) => portListMessage('excludeOutboundPorts', v, false)],
  [A.excludeInterfaces, badInterfaceNames],
  [A.kubevirtInterfaces, badInterfaceNames],
  [A.rerouteVirtualInterfaces, badInterfaceNames],
];

/**
 * The injection webhook's verdict on a pod template's capture annotations
 * (an error fails admission, and `failurePolicy: Fail` means no pod). Only
 * annotations that are present are checked; `includeOutboundPorts` is not
 * checked by the webhook at all.
 */
export function validateCaptureAnnotations(annotations: Readonly<Record<string, string>>): CaptureProblem[] {
  const problems: CaptureProblem[] = [];
  for (const [annotation, validate] of WEBHOOK_VALIDATORS) {
    const value = annotations[annotation];
    if (value === undefined) continue;
    const message = validate(value);
    if (message !== null) problems.push({ annotation, value, message, rejectedBy: 'injection-webhook', unverified: false });
  }
  return problems;
}

// ---------------------------------------------------------------------------
// What the injector renders.

function annotationOr(annotations: Readonly<Record<string, string>>, name: string, fallback: string): string {
  // A present annotation, even "", replaces the default (template.go getAnnotation).
  const value = annotations[name];
  return value === undefined ? fallback : value;
}

/** template.go excludeInboundPort: append the status port to the exclusions unless it is 0, empty or already listed verbatim. */
function withStatusPortExcluded(statusPort: string, excluded: string): string {
  const port = goTrimSpace(statusPort);
  if (port.length === 0 || port === '0') return excluded;
  const kept: string[] = [];
  for (const item of excluded.split(',')) {
    if (item === port) return excluded;
    const trimmed = goTrimSpace(item);
    if (trimmed.length > 0) kept.push(trimmed);
  }
  return [...kept, port].join(',');
}

function statusPortOf(annotations: Readonly<Record<string, string>>, defaults: CaptureDefaults): string {
  return annotationOr(annotations, A.statusPort, String(defaults.statusPort));
}

/** The user's inbound exclusions (annotation, else default), before the injector adds the status port. */
function userExclusionsOf(annotations: Readonly<Record<string, string>>, defaults: CaptureDefaults): string {
  return annotationOr(annotations, A.excludeInboundPorts, defaults.excludeInboundPorts);
}

/** The istio-iptables arguments the injection template gives the istio-init container. */
export function initContainerSettings(annotations: Readonly<Record<string, string>>, defaults: CaptureDefaults): CaptureSettings {
  const excluded = withStatusPortExcluded(statusPortOf(annotations, defaults), userExclusionsOf(annotations, defaults));
  return {
    mode: annotationOr(annotations, A.interceptionMode, defaults.interceptionMode),
    includeInboundPorts: annotationOr(annotations, A.includeInboundPorts, defaults.includeInboundPorts),
    // Envoy's Prometheus and health ports are always skipped ahead of the user's list.
    excludeInboundPorts: excluded ? `15090,15021,${excluded}` : '15090,15021',
    includeOutboundIPRanges: annotationOr(annotations, A.includeOutboundIPRanges, defaults.includeOutboundIPRanges),
    excludeOutboundIPRanges: annotationOr(annotations, A.excludeOutboundIPRanges, defaults.excludeOutboundIPRanges),
    includeOutboundPorts: annotationOr(annotations, A.includeOutboundPorts, defaults.includeOutboundPorts),
    excludeOutboundPorts: annotationOr(annotations, A.excludeOutboundPorts, defaults.excludeOutboundPorts),
    excludeInterfaces: annotations[A.excludeInterfaces] ?? '',
    // The newer annotation wins over the deprecated kubevirt one.
    rerouteVirtualInterfaces: annotations[A.rerouteVirtualInterfaces] ?? annotations[A.kubevirtInterfaces] ?? '',
  };
}

/**
 * The pod's annotations after injection with istio-cni on: the template's
 * own annotations stay, and the injector writes the resolved capture values
 * over them (empty IP ranges and unset outbound port lists are not written).
 */
export function injectedCniAnnotations(annotations: Readonly<Record<string, string>>, defaults: CaptureDefaults): Record<string, string> {
  const out: Record<string, string> = { ...annotations };
  out[A.interceptionMode] = annotationOr(annotations, A.interceptionMode, defaults.interceptionMode);
  const includeRanges = annotationOr(annotations, A.includeOutboundIPRanges, defaults.includeOutboundIPRanges);
  if (includeRanges !== '') out[A.includeOutboundIPRanges] = includeRanges;
  const excludeRanges = annotationOr(annotations, A.excludeOutboundIPRanges, defaults.excludeOutboundIPRanges);
  if (excludeRanges !== '') out[A.excludeOutboundIPRanges] = excludeRanges;
  out[A.includeInboundPorts] = annotationOr(annotations, A.includeInboundPorts, defaults.includeInboundPorts);
  out[A.excludeInboundPorts] = withStatusPortExcluded(statusPortOf(annotations, defaults), userExclusionsOf(annotations, defaults));
  if (annotations[A.includeOutboundPorts] !== undefined || defaults.includeOutboundPorts !== '') {
    out[A.includeOutboundPorts] = annotationOr(annotations, A.includeOutboundPorts, defaults.includeOutboundPorts);
  }
  if (annotations[A.excludeOutboundPorts] !== undefined || defaults.excludeOutboundPorts !== '') {
    out[A.excludeOutboundPorts] = annotationOr(annotations, A.excludeOutboundPorts, defaults.excludeOutboundPorts);
  }
  return out;
}

/** The result of istio-cni reading an injected pod: the settings it programs, or the first value it refuses. */
export interface CniRedirect {
  readonly settings: CaptureSettings | null;
  readonly problem: CaptureProblem | null;
}

/** One annotation istio-cni reads: its default when absent, and its check. */
interface CniParam {
  readonly annotation: string;
  readonly fallback: string;
  readonly validate: Validator;
}

/** istio-cni accepts "*" in every port list (the webhook has already refused it where it is wrong). */
function cniPortList(name: string): Validator {
  return (v) => portListMessage(name, v, true);
}

/**
 * istio-cni's reading of an injected pod's annotations (sidecar_redirect.go
 * NewRedirect): its own defaults where an annotation is absent, only REDIRECT
 * or TPROXY, and 15020, 15021 and 15090 always excluded inbound.
 */
export function cniRedirect(podAnnotations: Readonly<Record<string, string>>): CniRedirect {
  const values: string[] = [];
  const params: CniParam[] = [
    { annotation: A.interceptionMode, fallback: 'REDIRECT', validate: (v) => (v === 'REDIRECT' || v === 'TPROXY' ? null : `istio-cni accepts only REDIRECT or TPROXY, not "${v}"`) },
    { annotation: A.includeOutboundIPRanges, fallback: '*', validate: (v) => cidrListMessage('includeOutboundIPRanges', v, true) },
    { annotation: A.excludeOutboundIPRanges, fallback: '', validate: (v) => cidrListMessage('excludeOutboundIPRanges', v, false) },
    { annotation: A.excludeInboundPorts, fallback: '15020', validate: cniPortList('excludeInboundPorts') },
    { annotation: A.includeInboundPorts, fallback: '*', validate: cniPortList('includeInboundPorts') },
    { annotation: A.excludeOutboundPorts, fallback: '15020', validate: cniPortList('excludeOutboundPorts') },
    { annotation: A.includeOutboundPorts, fallback: '', validate: cniPortList('includeOutboundPorts') },
    { annotation: A.excludeInterfaces, fallback: '', validate: badInterfaceNames },
  ];
  // The deprecated kubevirt annotation is read only when the newer one is absent.
  const rerouteName = podAnnotations[A.rerouteVirtualInterfaces] !== undefined ? A.rerouteVirtualInterfaces : A.kubevirtInterfaces;
  params.push({ annotation: rerouteName, fallback: '', validate: badInterfaceNames });
  for (const p of params) {
    const value = podAnnotations[p.annotation];
    if (value === undefined) { values.push(p.fallback); continue; }
    const message = p.validate(value);
    if (message !== null) {
      return { settings: null, problem: { annotation: p.annotation, value, message, rejectedBy: 'istio-cni', unverified: true } };
    }
    values.push(value);
  }
  const [mode, includeRanges, excludeRanges, excludeInbound, includeInbound, excludeOutbound, includeOutbound, excludeInterfaces, reroute] = values;
  const trimmed = goTrimSpace(excludeInbound);
  const joined = `${trimmed}${trimmed.length > 0 && !trimmed.endsWith(',') ? ',' : ''}15020,15021,15090`;
  return {
    settings: {
      mode,
      includeInboundPorts: includeInbound,
      excludeInboundPorts: [...new Set(joined.split(','))].join(','),
      includeOutboundIPRanges: includeRanges,
      excludeOutboundIPRanges: excludeRanges,
      includeOutboundPorts: includeOutbound,
      excludeOutboundPorts: excludeOutbound,
      excludeInterfaces,
      rerouteVirtualInterfaces: reroute,
    },
    problem: null,
  };
}

// ---------------------------------------------------------------------------
// What the iptables rules do.

interface NetworkRange {
  readonly wildcard: boolean;
  readonly prefixes: readonly ParsedPrefix[];
  /** A listed prefix's own address is loopback (tools/common/config HasLoopBackIP). */
  readonly hasLoopback: boolean;
}

/** tools/common/config SeparateV4V6, both families in one list; null where istio-iptables would fail. */
function parseRange(list: string): NetworkRange | null {
  if (list === '*') return { wildcard: true, prefixes: [], hasLoopback: false };
  const prefixes: ParsedPrefix[] = [];
  for (const item of splitList(list)) {
    const p = parsePrefix(item);
    if (!p) return null;
    prefixes.push(p);
  }
  return { wildcard: false, prefixes, hasLoopback: prefixes.some(isLoopback) };
}

function portSet(list: string): ReadonlySet<number> {
  const ports = new Set<number>();
  for (const item of splitList(list)) {
    const port = parseUint16(goTrimSpace(item));
    if (port !== null) ports.add(port);
  }
  return ports;
}

/** The HBONE tunnel port: the nat table always returns it before any capture rule. */
const TUNNEL_PORT = 15008;

const NOTHING_CAPTURED: CaptureRules = Object.freeze({
  inboundCaptured: () => false,
  inboundUncaptured: null,
  outbound: () => 'bypassed' as const,
});

/**
 * The TCP behaviour of the rules istio-iptables (run.go) installs for these
 * settings. Inbound: "" captures nothing, "*" every port but the exclusions,
 * a list only its ports. Outbound, first match wins: excluded port, loopback,
 * excluded range, included port, included range or "*"; else straight out.
 * Values istio-iptables cannot parse are treated as matching nothing.
 */
export function iptablesCapture(settings: CaptureSettings): CaptureRules {
  // The injector runs no istio-iptables for NONE; istio-iptables treats any other mode but TPROXY as REDIRECT.
  if (settings.mode === 'NONE') return NOTHING_CAPTURED;
  const tproxy = settings.mode === 'TPROXY';
  const include = settings.includeInboundPorts;
  const includedInbound = portSet(include);
  const excludedInbound = portSet(settings.excludeInboundPorts);
  const excludedOutboundPorts = portSet(settings.excludeOutboundPorts);
  const includedOutboundPorts = portSet(settings.includeOutboundPorts);
  const empty: NetworkRange = { wildcard: false, prefixes: [], hasLoopback: false };
  const includeRange = parseRange(settings.includeOutboundIPRanges) ?? empty;
  const excludeRange = parseRange(settings.excludeOutboundIPRanges) ?? empty;

  function inboundCaptured(port: number): boolean {
    // TPROXY marks packets in the mangle table, ahead of the nat RETURN for the tunnel port.
    if (port === TUNNEL_PORT && !tproxy) return false;
    if (include === '') return false;
    if (include === '*') return !excludedInbound.has(port);
    return includedInbound.has(port);
  }

  function outboundForAddress(port: number, addr: ParsedAddress): OutboundCapture {
    if (isLoopback(addr)) {
      // Traffic to 127.0.0.1 and ::1 always returns; other loopback traffic leaves via lo and returns unless a loopback range is included.
      const host = addr.v6 || addr.bytes.join('.') === '127.0.0.1';
      if (host || !includeRange.hasLoopback) return 'bypassed';
    }
    if (excludeRange.prefixes.some((p) => prefixContains(p, addr))) return 'bypassed';
    if (includedOutboundPorts.has(port)) return 'captured';
    if (includeRange.wildcard || includeRange.prefixes.some((p) => prefixContains(p, addr))) return 'captured';
    return 'bypassed';
  }

  function outboundForUnknownAddress(port: number): OutboundCapture {
    // Any non-loopback address of either family is possible; collect every outcome one could reach.
    const outcomes = new Set<OutboundCapture>();
    if (excludeRange.prefixes.length > 0) outcomes.add('bypassed');
    if (includedOutboundPorts.has(port) || includeRange.wildcard) {
      outcomes.add('captured');
    } else {
      if (includeRange.prefixes.length > 0) outcomes.add('captured');
      const coversAll = [false, true].every((v6) => includeRange.prefixes.some((p) => p.v6 === v6 && p.bits === 0));
      if (!coversAll) outcomes.add('bypassed');
    }
    return outcomes.size === 1 ? [...outcomes][0] : 'unknown';
  }

  function outbound(destination: OutboundDestination): OutboundCapture {
    if (excludedOutboundPorts.has(destination.port)) return 'bypassed';
    const addr = destination.ip === undefined ? null : parseAddress(destination.ip);
    return addr ? outboundForAddress(destination.port, addr) : outboundForUnknownAddress(destination.port);
  }

  const inboundUncaptured = include === '*' ? [...excludedInbound, ...(tproxy ? [] : [TUNNEL_PORT])].sort((a, b) => a - b) : null;
  return { inboundCaptured, inboundUncaptured, outbound };
}

// ---------------------------------------------------------------------------
// The pod.

function isInterceptionMode(value: string): value is InterceptionMode {
  return value === 'REDIRECT' || value === 'TPROXY' || value === 'NONE';
}

/** Values that reach istio-iptables unchecked (mesh defaults, includeOutboundPorts) and would make it fail. */
function initContainerProblems(settings: CaptureSettings, annotations: Readonly<Record<string, string>>): CaptureProblem[] {
  const problems: CaptureProblem[] = [];
  const check = (annotation: string, value: string, message: string | null): void => {
    if (message !== null) problems.push({ annotation, value, message: `${message} (istio-iptables fails, so the pod never starts)`, rejectedBy: 'istio-init', unverified: true });
  };
  const source = (annotation: string): string => (annotations[annotation] === undefined ? 'the mesh default ' : '');
  check(A.includeOutboundPorts, settings.includeOutboundPorts, portListMessage(`${source(A.includeOutboundPorts)}includeOutboundPorts`, settings.includeOutboundPorts, false));
  if (annotations[A.includeOutboundIPRanges] === undefined) {
    check(A.includeOutboundIPRanges, settings.includeOutboundIPRanges, parseRange(settings.includeOutboundIPRanges)
      ? null : cidrListMessage('the mesh default includeOutboundIPRanges', settings.includeOutboundIPRanges, true));
  }
  if (annotations[A.excludeOutboundIPRanges] === undefined) {
    const range = parseRange(settings.excludeOutboundIPRanges);
    check(A.excludeOutboundIPRanges, settings.excludeOutboundIPRanges, range && !range.wildcard
      ? null : cidrListMessage('the mesh default excludeOutboundIPRanges', settings.excludeOutboundIPRanges, false));
  }
  return problems;
}

function inboundNoteFor(settings: CaptureSettings | null, mode: InterceptionMode, userExclusions: string): string | undefined {
  if (mode === 'NONE') return 'interceptionMode NONE installs no iptables rules: no inbound port reaches Envoy unless a Sidecar resource binds it';
  if (!settings) return undefined;
  const include = settings.includeInboundPorts;
  if (include === '') return 'includeInboundPorts is empty: no inbound port is captured';
  if (include === '*') return undefined;
  const excluded = goTrimSpace(userExclusions);
  const only = `only ports ${include} are captured`;
  return excluded ? `excludeInboundPorts "${excluded}" is ignored because includeInboundPorts is a list: ${only}` : `includeInboundPorts is a list: ${only}`;
}

function interfaceNotes(settings: CaptureSettings | null): string[] {
  if (!settings) return [];
  const notes: string[] = [];
  if (settings.excludeInterfaces) notes.push(`traffic on interfaces ${settings.excludeInterfaces} bypasses the sidecar in both directions`);
  if (settings.rerouteVirtualInterfaces) notes.push(`traffic arriving on interfaces ${settings.rerouteVirtualInterfaces} is treated as outbound (sent to the outbound listener), not as inbound`);
  return notes;
}

const CAPTURE_ANNOTATION_NAMES: readonly string[] = Object.values(CAPTURE_ANNOTATIONS);
const EMPTY_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({});
const defaultCaptures = new WeakMap<CaptureDefaults, PodCapture>();

/**
 * Reads a pod template's traffic-capture annotations as the injector and then
 * istio-iptables (or istio-cni, with `defaults.cni`) do. The webhook rejects
 * invalid values first; a present annotation, even "", replaces the default;
 * the status port (annotation `status.sidecar.istio.io/port`, else the default),
 * 15090 and 15021 are excluded inbound when capture is "*"; istio-cni also
 * always excludes 15020 inbound, skips 15020 outbound unless the pod sets
 * excludeOutboundPorts, and refuses NONE.
 */
export function readPodCapture(annotations: Readonly<Record<string, string>>, defaults: CaptureDefaults): PodCapture {
  // Only these annotations are read: a pod that sets none of them gets the defaults' capture, computed once per defaults.
  if (CAPTURE_ANNOTATION_NAMES.some((name) => annotations[name] !== undefined)) return capturePerAnnotations(annotations, defaults);
  let shared = defaultCaptures.get(defaults);
  if (!shared) { shared = capturePerAnnotations(EMPTY_ANNOTATIONS, defaults); defaultCaptures.set(defaults, shared); }
  return shared;
}

function capturePerAnnotations(annotations: Readonly<Record<string, string>>, defaults: CaptureDefaults): PodCapture {
  const problems = validateCaptureAnnotations(annotations);
  const requested = annotationOr(annotations, A.interceptionMode, defaults.interceptionMode);
  const mode: InterceptionMode = isInterceptionMode(requested) ? requested : defaults.interceptionMode;
  let settings: CaptureSettings | null = null;
  if (problems.length === 0 && defaults.cni) {
    const redirect = cniRedirect(injectedCniAnnotations(annotations, defaults));
    if (redirect.problem) problems.push(redirect.problem);
    settings = redirect.settings;
  } else if (problems.length === 0 && mode !== 'NONE') {
    settings = initContainerSettings(annotations, defaults);
    problems.push(...initContainerProblems(settings, annotations));
  }
  const admitted = problems.length === 0;
  if (!admitted) settings = null;
  const rules = settings ? iptablesCapture(settings) : NOTHING_CAPTURED;
  const inboundNote = admitted ? inboundNoteFor(settings, mode, userExclusionsOf(annotations, defaults)) : undefined;
  return {
    admitted,
    problems,
    mode,
    cni: defaults.cni,
    settings,
    inboundNote,
    notes: interfaceNotes(settings),
    inboundCaptured: rules.inboundCaptured,
    inboundUncaptured: rules.inboundUncaptured,
    outbound: rules.outbound,
  };
}
