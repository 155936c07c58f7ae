import { isIP } from 'net';
import { Finding, pointer } from '../../model/finding';
import { isPlainObject, Manifest, ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';
import { parseGoDurationNanos } from '../../vocabulary/duration';

/**
 * Shared pieces of the Istio webhook layer: reading untyped manifest data
 * without throwing, collecting findings against a rule catalogue, and the
 * syntax checks istiod applies to several kinds (selectors, hosts, ports,
 * IPs, durations, labels, annotations).
 */

export type Obj = Record<string, unknown>;
export type Path = readonly (string | number)[];

/** The value as a plain object, or undefined for anything else (null, arrays, scalars). */
export function objectAt(v: unknown): Obj | undefined {
  return isPlainObject(v) ? v : undefined;
}

/** The value as an array, or undefined. */
export function arrayAt(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

/** The value as a string, or undefined. */
export function stringAt(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The value as a finite number, or undefined. */
export function numberAt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Whether istiod sees the field as set once the JSON is decoded into its
 * protobuf type: a message (object) counts even when empty, while an empty
 * list or map decodes to nil and so counts as unset.
 */
export function isSetMessage(v: unknown): boolean {
  return isPlainObject(v);
}

/** A list istiod decodes as non-nil: present and non-empty. */
export function isNonEmptyList(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

/** A map istiod decodes as non-nil: an object with at least one key. */
export function isNonEmptyMap(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length > 0;
}

/** The strings of a list field, with their indexes; non-strings are skipped (the schema layer reports them). */
export function stringItems(v: unknown): { value: string; index: number }[] {
  const out: { value: string; index: number }[] = [];
  const list = arrayAt(v);
  if (!list) return out;
  list.forEach((item, index) => {
    if (typeof item === 'string') out.push({ value: item, index });
  });
  return out;
}

/** Quotes a value for a message, the way JSON would, so empty strings and spaces are visible. */
export function q(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? safeString(value) : s;
  } catch {
    return safeString(value);
  }
}

/** String(value) that cannot throw (objects without a prototype, or with a throwing toString). */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The rules of each catalogue by code, built once per catalogue. */
const rulesByCode = new WeakMap<readonly RuleInfo[], ReadonlyMap<string, RuleInfo>>();

function byCode(rules: readonly RuleInfo[]): ReadonlyMap<string, RuleInfo> {
  let map = rulesByCode.get(rules);
  if (!map) {
    map = new Map(rules.map((r) => [r.code, r]));
    rulesByCode.set(rules, map);
  }
  return map;
}

/** Collects findings for one resource against one rule catalogue. */
export class FindingSink {
  private readonly found: Finding[] = [];

  constructor(private readonly ref: ResourceRef, private readonly rules: readonly RuleInfo[]) {}

  /** Records a finding; the severity comes from the catalogue so a code never changes severity. */
  add(code: string, path: Path, message: string, fix: string): void {
    const rule = byCode(this.rules).get(code);
    if (!rule) throw new Error(`unknown webhook rule code ${code}`);
    this.found.push({
      code,
      severity: rule.severity,
      category: rule.category,
      message,
      fix,
      resource: this.ref,
      path: pointer(...path),
    });
  }

  get findings(): Finding[] {
    return this.found;
  }
}

// ---------------------------------------------------------------------------
// Document order

/**
 * Sorts findings into the order their fields appear in the manifest. A path
 * that does not exist (a missing field) sorts with its nearest existing
 * parent; ties keep the order the checks produced them in.
 */
export function inDocumentOrder(manifest: Manifest, findings: Finding[]): Finding[] {
  // Nothing to order (most resources have no webhook finding): no need to walk the manifest.
  if (findings.length < 2) return findings;
  const order = new Map<string, number>();
  let next = 0;
  const walk = (value: unknown, path: string, depth: number): void => {
    order.set(path, next++);
    if (depth > 64) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}/${i}`, depth + 1));
    } else if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1);
    }
  };
  walk(manifest, '', 0);
  const rank = (path: string): number => {
    let p = path;
    for (;;) {
      const r = order.get(p);
      if (r !== undefined) return r;
      if (p === '') return 0;
      p = p.slice(0, p.lastIndexOf('/'));
    }
  };
  return findings
    .map((f, i) => ({ f, i, r: rank(f.path) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.f);
}

// ---------------------------------------------------------------------------
// DNS names and labels, as Istio checks them (pkg/config/labels, validation/agent)

const ISTIO_DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const ISTIO_WILDCARD_LABEL = /^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
const ISTIO_QUALIFIED_NAME = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const ISTIO_LABEL_VALUE = /^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ISTIO_DNS_PREFIX = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)*$/;

/** Istio's DNS-1123 label: like Kubernetes' but upper case letters are accepted. At most 63 characters. */
export function isIstioDnsLabel(value: string): boolean {
  return value.length <= 63 && ISTIO_DNS1123_LABEL.test(value);
}

function isIstioWildcardLabel(value: string): boolean {
  return value.length <= 63 && ISTIO_WILDCARD_LABEL.test(value);
}

/** Go's strconv.Atoi succeeds: an optional sign and decimal digits within the int64 range (a longer run of digits is not "numeric" there). */
function isGoAtoi(text: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(text)) return false;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** Why a dotted name is not a list of DNS labels (Istio's ValidateDNS1123Labels), or undefined. */
function dnsLabelsProblem(domain: string): string | undefined {
  const parts = domain.split('.');
  const tld = parts[parts.length - 1];
  if (isGoAtoi(tld)) return `its top-level label ${q(tld)} is all digits`;
  for (let i = 0; i < parts.length; i++) {
    const label = parts[i];
    if (i === parts.length - 1 && label === '') return undefined;
    if (!isIstioDnsLabel(label)) return `label ${q(label)} is not a DNS-1123 label`;
  }
  return undefined;
}

/**
 * Why a host is not a valid, optionally wildcarded, DNS name (Istio's
 * agent.ValidateWildcardDomain), or undefined when it is valid.
 */
export function wildcardDomainProblem(domain: string): string | undefined {
  if (domain.length > 255) return `it is longer than 255 characters (${domain.length})`;
  if (domain.length === 0) return 'it is empty';
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (!isIstioWildcardLabel(first)) return `its first label ${q(first)} is neither "*", "*-name"/"*name" nor a DNS-1123 label`;
  if (dot >= 0) return dnsLabelsProblem(domain.slice(dot + 1));
  return undefined;
}

/** Why a name is not a fully qualified DNS name without wildcards (Istio's agent.ValidateFQDN), or undefined. */
export function fqdnProblem(name: string): string | undefined {
  if (name.length > 255) return `it is longer than 255 characters (${name.length})`;
  if (name.length === 0) return 'it is empty';
  return dnsLabelsProblem(name);
}

/** Why a label key is not valid for Istio (labels.Instance.Validate), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  let prefix = '';
  let name = key;
  if (slash >= 0) {
    prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (!ISTIO_DNS_PREFIX.test(prefix)) return `its prefix ${q(prefix)} is not a DNS subdomain`;
    if (prefix.length > 253) return 'its prefix is longer than 253 characters';
  }
  if (!ISTIO_QUALIFIED_NAME.test(name)) {
    return 'its name must be alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character';
  }
  if (name.length > 63) return `its name is longer than 63 characters (${name.length})`;
  return undefined;
}

/** Whether a label value is valid for Istio (labels.Instance.Validate; no length limit there). */
export function isIstioLabelValue(value: string): boolean {
  return ISTIO_LABEL_VALUE.test(value);
}

// ---------------------------------------------------------------------------
// IP addresses and CIDR ranges, as Go's net/netip parses them

/** Go's netip.ParseAddr: IPv4 dotted decimal without leading zeros, or IPv6 with an optional zone. */
export function isGoIPAddr(value: string): boolean {
  return isIP(value) !== 0;
}

/** Why a value is not a CIDR range for Go's netip.ParsePrefix, or undefined. Host bits may be set. */
export function goPrefixProblem(value: string): string | undefined {
  const slash = value.lastIndexOf('/');
  if (slash < 0) return 'it has no "/<bits>"';
  const addr = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  const family = isIP(addr);
  if (family === 0) return `${q(addr)} is not an IP address`;
  if (addr.includes('%')) return 'an IPv6 zone is not allowed in a range';
  if (!/^(0|[1-9][0-9]*)$/.test(bits)) return `the prefix length ${q(bits)} is not a decimal number`;
  const max = family === 4 ? 32 : 128;
  if (Number(bits) > max) return `the prefix length ${bits} is larger than ${max}`;
  return undefined;
}

/** Why a value is neither an IP nor a CIDR range (Istio's security.ValidateIPs), or undefined. */
export function ipOrCidrProblem(value: string): string | undefined {
  if (value.includes('/')) return goPrefixProblem(value);
  return isGoIPAddr(value) ? undefined : 'it is not an IP address (and has no "/" for a CIDR range)';
}

// ---------------------------------------------------------------------------
// Ports

/** Istio's security.ValidatePorts: a decimal string (no sign) whose value is at most 65535; "0" passes. */
export function isPortString(value: string): boolean {
  return /^[0-9]+$/.test(value) && BigInt(value) <= 65535n;
}

/** Istio's agent.ValidatePort: 1..65535. */
export function isPortNumber(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

// ---------------------------------------------------------------------------
// Durations

/**
 * Parses a duration as istiod reads it: golang/protobuf's jsonpb decodes a
 * google.protobuf.Duration with Go's time.ParseDuration, so both the protobuf
 * JSON form (`"1.5s"`) and Go's form (`"1m30s"`, `"100ms"`) work, and anything
 * beyond ±2^63-1 ns fails. Returns nanoseconds, or undefined when istiod
 * cannot decode it.
 */
export function parseDurationNanos(text: string): bigint | undefined {
  try {
    return parseGoDurationNanos(text);
  } catch {
    return undefined;
  }
}

/**
 * Why a duration is not one Istio accepts (agent.ValidateDuration: at least
 * 1ms, whole milliseconds), or undefined.
 */
export function durationProblem(text: string): string | undefined {
  const nanos = parseDurationNanos(text);
  if (nanos === undefined) return 'it is not a duration (write it like "5s", "1.5s" or "100ms")';
  if (nanos < 1_000_000n) return 'it is shorter than 1ms';
  if (nanos % 1_000_000n !== 0n) return 'it is not a whole number of milliseconds';
  return undefined;
}

// ---------------------------------------------------------------------------
// Annotations handled by istiod before any kind-specific check (validateMetadata)

export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';
export const ALWAYS_REJECT_ANNOTATION = 'internal.istio.io/webhook-always-reject';

/** The annotations of a manifest as a plain object (empty when absent or malformed). */
export function annotationsOf(manifest: Manifest): Obj {
  const md = objectAt(manifest.metadata);
  return objectAt(md?.annotations) ?? {};
}

/** Go's strconv.ParseBool. */
export function isGoBool(value: string): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value);
}

/**
 * The metadata checks istiod runs before any kind-specific check, for kinds
 * that do not support the dry-run annotation.
 */
export function checkCommonAnnotations(sink: FindingSink, manifest: Manifest, dryRunCode: string, alwaysRejectCode: string, kind: string): void {
  const annotations = annotationsOf(manifest);
  if (Object.prototype.hasOwnProperty.call(annotations, DRY_RUN_ANNOTATION)) {
    sink.add(dryRunCode, ['metadata', 'annotations', DRY_RUN_ANNOTATION],
      `annotation ${DRY_RUN_ANNOTATION} is not supported on a ${kind}: only AuthorizationPolicy can be dry-run`,
      `remove the ${DRY_RUN_ANNOTATION} annotation`);
  }
  checkAlwaysReject(sink, manifest, alwaysRejectCode);
}

/** istiod's test hook: any object with this annotation is rejected. */
export function checkAlwaysReject(sink: FindingSink, manifest: Manifest, code: string): void {
  const annotations = annotationsOf(manifest);
  if (Object.prototype.hasOwnProperty.call(annotations, ALWAYS_REJECT_ANNOTATION)) {
    sink.add(code, ['metadata', 'annotations', ALWAYS_REJECT_ANNOTATION],
      `annotation ${ALWAYS_REJECT_ANNOTATION} makes istiod reject the object`,
      `remove the ${ALWAYS_REJECT_ANNOTATION} annotation (it exists only to test the webhook)`);
  }
}

// ---------------------------------------------------------------------------
// Workload selectors (validateWorkloadSelector), shared by all three kinds

export interface SelectorCodes {
  readonly emptyKey: string;
  readonly wildcard: string;
  readonly noLabels: string;
}

/**
 * Checks a `{matchLabels}` selector the way istiod does: no empty key, no
 * `*` in keys or values, and a warning when it carries no labels at all
 * (it then selects every workload in the namespace).
 */
export function checkWorkloadSelector(sink: FindingSink, selector: unknown, path: Path, field: string, codes: SelectorCodes): void {
  if (selector === undefined || selector === null) return;
  const sel = objectAt(selector);
  if (!sel) return;
  const labels = objectAt(sel.matchLabels);
  if (labels) {
    for (const [key, raw] of Object.entries(labels)) {
      const value = typeof raw === 'string' ? raw : raw === null || raw === undefined ? '' : safeString(raw);
      if (key === '') {
        sink.add(codes.emptyKey, [...path, 'matchLabels', key],
          `${field}.matchLabels has an empty key (value ${q(value)}): every label needs a key`,
          'remove the entry or give it the label key the workloads carry, e.g. "app"');
      }
      if (key.includes('*') || value.includes('*')) {
        sink.add(codes.wildcard, [...path, 'matchLabels', key],
          `${field}.matchLabels ${q(`${key}=${value}`)} contains "*": selectors match labels exactly, wildcards are not supported`,
          'list the exact label value of the workloads to select (use several policies for several values)');
      }
    }
  }
  if (!labels || Object.keys(labels).length === 0) {
    sink.add(codes.noLabels, [...path],
      `${field} has no matchLabels: it selects every workload in the namespace, as if it were absent`,
      `add matchLabels naming the workload, or remove ${field} to state that the policy is namespace-wide`);
  }
}
