import {
  ALWAYS_REJECT_ANNOTATION, arrayAt, checkCommonAnnotations, checkWorkloadSelector, durationProblem, FindingSink, fqdnProblem,
  isGoIPAddr, isIstioDnsLabel, isIstioLabelValue, isNonEmptyList, isPortNumber, isSetMessage, labelKeyProblem,
  numberAt, objectAt, Obj, parseDurationNanos, Path, q, stringAt, stringItems, wildcardDomainProblem,
} from './common';
import { Finding } from '../../model/finding';
import { Manifest, ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';

const SOURCE = 'istio/istio pkg/config/validation/validation.go';
const AGENT = 'istio/istio pkg/config/validation/agent/validation.go';

function rule(code: string, severity: 'error' | 'warning', title: string, explanation: string, source: string): RuleInfo {
  return { code, category: 'webhook', severity, title, explanation, source };
}

/** What istiod's validating webhook checks on a DestinationRule (networking.istio.io v1, v1beta1, v1alpha3). */
export const DESTINATION_RULE_RULES: RuleInfo[] = [
  rule('IMV601', 'error', 'Invalid host',
    'host must be a DNS name, optionally with a wildcard first label ("*.example.com", "*"); IP addresses and names '
    + 'with an all-numeric top-level label are rejected.', `${AGENT} ValidateWildcardDomain`),
  rule('IMV602', 'error', 'Empty traffic policy',
    'A trafficPolicy must set at least one of loadBalancer, connectionPool, outlierDetection, tls, portLevelSettings, '
    + 'tunnel or proxyProtocol.', `${SOURCE} validateTrafficPolicy`),
  rule('IMV603', 'error', 'tunnel together with proxyProtocol',
    'A traffic policy cannot both tunnel the connection and prepend a PROXY protocol header.', `${SOURCE} validateTrafficPolicy`),
  rule('IMV604', 'error', 'Empty connection pool',
    'A connectionPool must set http or tcp settings.', `${SOURCE} validateConnectionPool`),
  rule('IMV605', 'error', 'Negative connection pool limit',
    'Connection pool limits (maxConnections, http1MaxPendingRequests, http2MaxRequests, maxRequestsPerConnection, '
    + 'maxRetries, maxConcurrentStreams) must not be negative.', `${SOURCE} validateConnectionPool`),
  rule('IMV606', 'error', 'useClientProtocol with h2UpgradePolicy UPGRADE',
    'Upgrading to HTTP/2 and keeping the client\'s protocol contradict each other.', `${SOURCE} validateConnectionPool`),
  rule('IMV607', 'error', 'Invalid duration',
    'Durations in a DestinationRule are read with Go\'s time.ParseDuration (so at most about 292 years), must be at least 1ms '
    + 'and a whole number of milliseconds.', `${AGENT} ValidateDuration`),
  rule('IMV608', 'warning', 'Deprecated outlierDetection.consecutiveErrors',
    'consecutiveErrors is deprecated; istiod warns and recommends consecutiveGatewayErrors or consecutive5xxErrors.',
    `${SOURCE} validateOutlierDetection`),
  rule('IMV609', 'error', 'consecutiveLocalOriginFailures without splitExternalLocalOriginErrors',
    'Local-origin failures are only counted apart when splitExternalLocalOriginErrors is true.', `${SOURCE} validateOutlierDetection`),
  rule('IMV610', 'error', 'Percentage out of range',
    'outlierDetection.maxEjectionPercent and minHealthPercent are percentages from 0 to 100.', `${SOURCE} ValidatePercent`),
  rule('IMV611', 'error', 'httpCookie without a name',
    'Consistent hashing on a cookie needs the cookie name.', `${SOURCE} validateLoadBalancer`),
  rule('IMV612', 'warning', 'Deprecated consistentHash.minimumRingSize',
    'minimumRingSize is deprecated; istiod warns and recommends consistentHash.ringHash.minimumRingSize.', `${SOURCE} validateLoadBalancer`),
  rule('IMV613', 'error', 'minimumRingSize together with maglev or ringHash',
    'The deprecated minimumRingSize cannot be combined with a maglev or ringHash hash algorithm.', `${SOURCE} validateLoadBalancer`),
  rule('IMV614', 'error', 'Invalid maglev table size',
    'maglev.tableSize must be set, be a prime number and be less than 5000011 (as Envoy requires).', `${SOURCE} validateLoadBalancer`),
  rule('IMV615', 'error', 'distribute together with failover',
    'localityLbSetting can either distribute traffic by weight or fail over between regions, not both.', `${AGENT} ValidateLocalityLbSetting`),
  rule('IMV616', 'error', 'failover with a topology label in failoverPriority',
    'failover cannot be combined with the region, zone or subzone topology labels in failoverPriority.', `${AGENT} ValidateLocalityLbSetting`),
  rule('IMV617', 'error', 'Invalid locality weights',
    'Each distribute entry gives weights from 1 to 100 that add up to exactly 100.', `${AGENT} ValidateLocalityLbSetting`),
  rule('IMV618', 'error', 'Invalid or overlapping locality',
    'Localities are "region/zone/subzone" without empty parts, with at most one "*" and only at the end, and must not overlap.',
    `${AGENT} validateLocalities`),
  rule('IMV619', 'warning', 'Locality failover without outlier detection',
    'Failover only happens when unhealthy endpoints are ejected, which needs outlierDetection; istiod warns.', `${AGENT} ValidateLocalityLbSetting`),
  rule('IMV620', 'error', 'Invalid failover entry',
    'failover from/to are two different regions, without "/" or "*".', `${AGENT} ValidateLocalityLbSetting`),
  rule('IMV621', 'error', 'warmup without duration',
    'loadBalancer.warmup needs a duration.', `${SOURCE} validateLoadBalancer`),
  rule('IMV622', 'error', 'warmup value out of range',
    'warmup.minimumPercent is at most 100 and warmup.aggression at least 1.', `${SOURCE} validateLoadBalancer`),
  rule('IMV623', 'error', 'Invalid configmap:// credentialName',
    'A configmap:// credentialName must read "configmap://<namespace>/<name>" with the DestinationRule\'s own namespace.',
    `${AGENT} ValidateTLS`),
  rule('IMV624', 'error', 'insecureSkipVerify with verification settings',
    'With insecureSkipVerify: true the server certificate is not verified, so caCertificates, subjectAltNames (and in '
    + 'SIMPLE mode credentialName) are contradictory and rejected.', `${AGENT} ValidateTLS`),
  rule('IMV625', 'error', 'credentialName with inline certificates',
    'In SIMPLE or MUTUAL mode credentialName provides the certificates; clientCertificate, privateKey, caCertificates '
    + 'and caCrl must then be left out.', `${AGENT} ValidateTLS`),
  rule('IMV626', 'error', 'MUTUAL TLS without a client certificate',
    'tls.mode MUTUAL presents a client certificate: set credentialName, or both clientCertificate and privateKey. '
    + '(The CRD schema accepts this; only the webhook rejects it.)', `${AGENT} ValidateTLS`),
  rule('IMV627', 'error', 'Port-level setting without a port',
    'Each portLevelSettings entry must name the port it applies to.', `${SOURCE} validatePortTrafficPolicies`),
  rule('IMV628', 'error', 'Empty port-level setting',
    'A portLevelSettings entry must set at least one of loadBalancer, connectionPool, outlierDetection or tls.',
    `${SOURCE} validatePortTrafficPolicies`),
  rule('IMV629', 'error', 'Invalid tunnel protocol',
    'tunnel.protocol is CONNECT or POST.', `${SOURCE} validateTunnelSettings`),
  rule('IMV630', 'error', 'Invalid tunnel target host',
    'tunnel.targetHost is a fully qualified DNS name or an IP address.', `${SOURCE} validateTunnelSettings`),
  rule('IMV631', 'error', 'Invalid tunnel target port',
    'tunnel.targetPort is a port from 1 to 65535.', `${SOURCE} validateTunnelSettings`),
  rule('IMV632', 'error', 'Null subset',
    'Each entry of subsets must be a subset object.', `${SOURCE} ValidateDestinationRule`),
  rule('IMV633', 'error', 'Duplicate subset name',
    'Subset names identify subsets for routing and must be unique within a DestinationRule.', `${SOURCE} ValidateDestinationRule`),
  rule('IMV634', 'error', 'Invalid subset name',
    'A subset name is a DNS-1123 label (Istio also accepts upper case letters).', `${SOURCE} validateSubsetName`),
  rule('IMV635', 'error', 'Invalid subset label',
    'Subset labels must be valid label keys and values.', 'istio/istio pkg/config/labels/instance.go Instance.Validate'),
  rule('IMV636', 'error', 'Invalid exportTo entry',
    'exportTo entries are ".", "*" or a namespace name; "~" is only for ServiceEntries.', 'istio/istio pkg/config/visibility/visibility.go Validate'),
  rule('IMV637', 'error', 'Duplicate exportTo entry',
    'Each namespace appears once in exportTo ("." counts as the DestinationRule\'s own namespace).', `${SOURCE} validateExportTo`),
  rule('IMV638', 'error', 'exportTo beyond the namespace with a workloadSelector',
    'A DestinationRule with a workloadSelector applies only in its own namespace: exportTo may only hold that namespace.',
    `${SOURCE} validateExportTo`),
  rule('IMV639', 'error', 'exportTo "*" with other entries',
    '"*" already exports to every namespace; other entries next to it are rejected.', `${SOURCE} validateExportTo`),
  rule('IMV640', 'error', 'Empty label key in workloadSelector',
    'A selector label needs a key; istiod rejects an empty one.', `${SOURCE} validateWorkloadSelector`),
  rule('IMV641', 'error', 'Wildcard in workloadSelector',
    'Workload selectors match labels exactly; istiod rejects "*" in a label key or value.', `${SOURCE} validateWorkloadSelector`),
  rule('IMV642', 'warning', 'workloadSelector without labels',
    'A workloadSelector without matchLabels selects every workload of the namespace. istiod accepts it with a warning.',
    `${SOURCE} validateWorkloadSelector`),
  rule('IMV643', 'error', 'Dry-run annotation on a DestinationRule',
    'Only AuthorizationPolicy supports the istio.io/dry-run annotation; istiod rejects it on any other kind.',
    `${SOURCE} checkDryRunAnnotation`),
  rule('IMV644', 'error', 'Always-reject annotation',
    `istiod rejects every object carrying the ${ALWAYS_REJECT_ANNOTATION} annotation (a test hook).`, `${SOURCE} validateMetadata`),
  rule('IMV645', 'error', 'Invalid cookie attribute name',
    'Each entry of consistentHash.httpCookie.attributes needs a name, and no two entries may share one.', `${SOURCE} validateLoadBalancer`),
  rule('IMV646', 'error', 'Invalid PROXY protocol version',
    'proxyProtocol.version is V1 or V2.', `${SOURCE} validateProxyProtocol`),
];

const TOPOLOGY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

/** Istio's webhook rules for one DestinationRule. */
export function validateDestinationRule(manifest: Manifest, ref: ResourceRef): Finding[] {
  const sink = new FindingSink(ref, DESTINATION_RULE_RULES);
  checkCommonAnnotations(sink, manifest, 'IMV643', 'IMV644', 'DestinationRule');
  const spec = objectAt(manifest.spec) ?? {};
  const ctx: Ctx = { sink, namespace: ref.namespace };

  const host = stringAt(spec.host) ?? '';
  const hostProblem = wildcardDomainProblem(host);
  if (hostProblem) {
    sink.add('IMV601', ['spec', 'host'], `host ${q(host)} is not a valid host name: ${hostProblem}`,
      'use the service\'s DNS name, e.g. "reviews.prod.svc.cluster.local" or "reviews", or a wildcard such as "*.example.com"');
  }
  checkTrafficPolicy(ctx, spec.trafficPolicy, ['spec', 'trafficPolicy'], 'trafficPolicy');

  const seen = new Set<string>();
  arrayAt(spec.subsets)?.forEach((raw, i) => {
    const path: Path = ['spec', 'subsets', i];
    const subset = objectAt(raw);
    if (!subset) {
      sink.add('IMV632', path, `subsets[${i}] is ${q(raw ?? null)}, not a subset`, 'remove the entry or give it a name and labels');
      return;
    }
    const name = stringAt(subset.name) ?? '';
    if (seen.has(name)) {
      sink.add('IMV633', [...path, 'name'], `subset name ${q(name)} is used more than once: subset names must be unique`,
        'rename one of the subsets, or merge their settings into one');
    }
    seen.add(name);
    if (name === '') {
      sink.add('IMV634', [...path, 'name'], `subsets[${i}] has no name: a subset needs a DNS-1123 label name such as "v1"`,
        'set name, e.g. "v1"');
    } else if (!isIstioDnsLabel(name)) {
      sink.add('IMV634', [...path, 'name'],
        `subset name ${q(name)} is not a DNS-1123 label: use at most 63 letters, digits and "-", starting and ending with a letter or digit`,
        'rename the subset, e.g. "v1" or "canary" (and the VirtualService routes that use it)');
    }
    checkSubsetLabels(ctx, subset.labels, [...path, 'labels']);
    checkTrafficPolicy(ctx, subset.trafficPolicy, [...path, 'trafficPolicy'], `subsets[${i}].trafficPolicy`);
  });

  checkExportTo(ctx, spec.exportTo, isSetMessage(spec.workloadSelector));
  checkWorkloadSelector(sink, spec.workloadSelector, ['spec', 'workloadSelector'], 'workloadSelector',
    { emptyKey: 'IMV640', wildcard: 'IMV641', noLabels: 'IMV642' });
  return sink.findings;
}

interface Ctx {
  readonly sink: FindingSink;
  /** The DestinationRule's namespace; empty when the manifest does not say (then namespace-dependent checks are skipped). */
  readonly namespace: string;
}

function checkTrafficPolicy(ctx: Ctx, raw: unknown, path: Path, field: string): void {
  const policy = objectAt(raw);
  if (!policy) return;
  const fields = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls', 'tunnel', 'proxyProtocol', 'retryBudget'];
  if (!fields.some((f) => isSetMessage(policy[f])) && !isNonEmptyList(policy.portLevelSettings)) {
    ctx.sink.add('IMV602', path,
      `${field} is empty: set at least one of loadBalancer, connectionPool, outlierDetection, tls, portLevelSettings, tunnel or proxyProtocol`,
      `remove ${field}, or fill in the settings it should carry`);
    return;
  }
  if (isSetMessage(policy.tunnel) && isSetMessage(policy.proxyProtocol)) {
    ctx.sink.add('IMV603', path, `${field} sets both tunnel and proxyProtocol: they cannot be used together`,
      'keep only one of tunnel and proxyProtocol');
    return;
  }
  checkSettings(ctx, policy, path, field);
  arrayAt(policy.portLevelSettings)?.forEach((entry, i) => checkPortSettings(ctx, entry, [...path, 'portLevelSettings', i], `${field}.portLevelSettings[${i}]`));
  checkTunnel(ctx, objectAt(policy.tunnel), [...path, 'tunnel'], `${field}.tunnel`);
  checkProxyProtocol(ctx, objectAt(policy.proxyProtocol), [...path, 'proxyProtocol', 'version'], `${field}.proxyProtocol.version`);
}

/** istiod also reads the version enum by number (V1 = 0, V2 = 1) and rejects other numbers; an unknown name fails decoding (IMV803). */
function checkProxyProtocol(ctx: Ctx, proxyProtocol: Obj | undefined, path: Path, field: string): void {
  const version = proxyProtocol?.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version === 0 || version === 1) return;
  ctx.sink.add('IMV646', path, `${field} is ${version}: allowed are "V1" and "V2"`, 'set version to V1 or V2');
}

/** The settings shared by a traffic policy and its port-level entries. */
function checkSettings(ctx: Ctx, policy: Obj, path: Path, field: string): void {
  const outlier = objectAt(policy.outlierDetection);
  checkOutlierDetection(ctx, outlier, [...path, 'outlierDetection'], `${field}.outlierDetection`);
  checkConnectionPool(ctx, policy.connectionPool, [...path, 'connectionPool'], `${field}.connectionPool`);
  checkLoadBalancer(ctx, objectAt(policy.loadBalancer), !!outlier, [...path, 'loadBalancer'], `${field}.loadBalancer`);
  checkTls(ctx, objectAt(policy.tls), [...path, 'tls'], `${field}.tls`);
}

function checkPortSettings(ctx: Ctx, raw: unknown, path: Path, field: string): void {
  const entry = objectAt(raw);
  if (!entry) {
    ctx.sink.add('IMV627', path, `${field} is ${q(raw ?? null)}, not a port traffic policy`,
      'remove the entry, or write it as `- port: {number: 8080}` with the settings for that port');
    return;
  }
  if (!isSetMessage(entry.port)) {
    ctx.sink.add('IMV627', [...path, 'port'], `${field} has no port: each port-level setting must name its port`,
      'add `port: {number: <service port>}`');
  }
  if (!['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'].some((f) => isSetMessage(entry[f]))) {
    ctx.sink.add('IMV628', path, `${field} sets nothing for its port: set at least one of loadBalancer, connectionPool, outlierDetection or tls`,
      'add the settings for this port, or remove the entry');
    return;
  }
  checkSettings(ctx, entry, path, field);
}

function checkDuration(ctx: Ctx, raw: unknown, path: Path, field: string): void {
  if (typeof raw !== 'string') return;
  const problem = durationProblem(raw);
  if (problem) {
    ctx.sink.add('IMV607', path, `${field} ${q(raw)} is not a valid duration: ${problem} (allowed: at least 1ms, in whole milliseconds)`,
      'write the duration as e.g. "10s", "1.5s" or "250ms"');
  }
}

function checkOutlierDetection(ctx: Ctx, outlier: Obj | undefined, path: Path, field: string): void {
  if (!outlier) return;
  checkDuration(ctx, outlier.baseEjectionTime, [...path, 'baseEjectionTime'], `${field}.baseEjectionTime`);
  const consecutiveErrors = numberAt(outlier.consecutiveErrors);
  if (consecutiveErrors !== undefined && consecutiveErrors !== 0) {
    ctx.sink.add('IMV608', [...path, 'consecutiveErrors'],
      `${field}.consecutiveErrors is deprecated (set to ${consecutiveErrors}): use consecutiveGatewayErrors or consecutive5xxErrors`,
      `replace consecutiveErrors: ${consecutiveErrors} with consecutive5xxErrors: ${consecutiveErrors} (or consecutiveGatewayErrors)`);
  }
  const localOrigin = numberAt(outlier.consecutiveLocalOriginFailures);
  if (outlier.splitExternalLocalOriginErrors !== true && localOrigin !== undefined && localOrigin > 0) {
    ctx.sink.add('IMV609', [...path, 'consecutiveLocalOriginFailures'],
      `${field}.consecutiveLocalOriginFailures is ${localOrigin} but splitExternalLocalOriginErrors is not true: local-origin failures are not counted apart`,
      'set splitExternalLocalOriginErrors: true, or remove consecutiveLocalOriginFailures');
  }
  checkDuration(ctx, outlier.interval, [...path, 'interval'], `${field}.interval`);
  for (const key of ['maxEjectionPercent', 'minHealthPercent']) {
    const value = numberAt(outlier[key]);
    if (value !== undefined && (value < 0 || value > 100)) {
      ctx.sink.add('IMV610', [...path, key], `${field}.${key} is ${value}: it is a percentage from 0 to 100`,
        `set ${key} between 0 and 100`);
    }
  }
}

function checkConnectionPool(ctx: Ctx, raw: unknown, path: Path, field: string): void {
  const pool = objectAt(raw);
  if (!pool) return;
  const http = objectAt(pool.http);
  const tcp = objectAt(pool.tcp);
  if (!http && !tcp) {
    ctx.sink.add('IMV604', path, `${field} is empty: set http or tcp settings`, `fill in ${field}.http or ${field}.tcp, or remove ${field}`);
    return;
  }
  const nonNegative = (obj: Obj, key: string, p: Path, f: string): void => {
    const value = numberAt(obj[key]);
    if (value !== undefined && value < 0) {
      ctx.sink.add('IMV605', [...p, key], `${f}.${key} is ${value}: it must not be negative`,
        `set ${key} to 0 or more (leave it out for Envoy's default)`);
    }
  };
  if (http) {
    const p: Path = [...path, 'http'];
    const f = `${field}.http`;
    for (const key of ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries']) nonNegative(http, key, p, f);
    checkDuration(ctx, http.idleTimeout, [...p, 'idleTimeout'], `${f}.idleTimeout`);
    if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
      ctx.sink.add('IMV606', [...p, 'useClientProtocol'],
        `${f}.useClientProtocol is true while h2UpgradePolicy is UPGRADE: a connection cannot both keep the client's protocol and be upgraded to HTTP/2`,
        'remove useClientProtocol, or set h2UpgradePolicy to DEFAULT or DO_NOT_UPGRADE');
    }
    nonNegative(http, 'maxConcurrentStreams', p, f);
  }
  if (tcp) {
    const p: Path = [...path, 'tcp'];
    const f = `${field}.tcp`;
    nonNegative(tcp, 'maxConnections', p, f);
    checkDuration(ctx, tcp.connectTimeout, [...p, 'connectTimeout'], `${f}.connectTimeout`);
    checkDuration(ctx, tcp.maxConnectionDuration, [...p, 'maxConnectionDuration'], `${f}.maxConnectionDuration`);
    // a zero idle timeout disables it; istiod skips values that round down to 0ms
    const idle = typeof tcp.idleTimeout === 'string' ? parseDurationNanos(tcp.idleTimeout) : undefined;
    if (idle === undefined || idle / 1_000_000n !== 0n) checkDuration(ctx, tcp.idleTimeout, [...p, 'idleTimeout'], `${f}.idleTimeout`);
    const keepalive = objectAt(tcp.tcpKeepalive);
    if (keepalive) {
      checkDuration(ctx, keepalive.time, [...p, 'tcpKeepalive', 'time'], `${f}.tcpKeepalive.time`);
      checkDuration(ctx, keepalive.interval, [...p, 'tcpKeepalive', 'interval'], `${f}.tcpKeepalive.interval`);
    }
  }
}

/** Envoy's primality test for maglev table sizes (1, 2 and 3 count as prime). */
function isEnvoyPrime(x: bigint): boolean {
  if (x !== 0n && x < 4n) return true;
  if (x % 2n === 0n) return false;
  for (let f = 3n; f * f <= x; f += 2n) if (x % f === 0n) return false;
  return true;
}

function integerAt(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return BigInt(v);
  return undefined;
}

function checkLoadBalancer(ctx: Ctx, lb: Obj | undefined, hasOutlier: boolean, path: Path, field: string): void {
  if (!lb) return;
  const hash = objectAt(lb.consistentHash);
  if (hash) {
    const hp: Path = [...path, 'consistentHash'];
    const hf = `${field}.consistentHash`;
    const cookie = objectAt(hash.httpCookie);
    if (cookie && !stringAt(cookie.name)) {
      ctx.sink.add('IMV611', [...hp, 'httpCookie', 'name'], `${hf}.httpCookie has no name: hashing on a cookie needs the cookie's name`,
        'set httpCookie.name, e.g. "session-id"');
    }
    if (cookie) checkCookieAttributes(ctx, cookie.attributes, [...hp, 'httpCookie', 'attributes'], `${hf}.httpCookie.attributes`);
    const ringSize = integerAt(hash.minimumRingSize);
    if (ringSize !== undefined && ringSize !== 0n) {
      ctx.sink.add('IMV612', [...hp, 'minimumRingSize'],
        `${hf}.minimumRingSize is deprecated: use consistentHash.ringHash.minimumRingSize`,
        `move the value to ringHash: {minimumRingSize: ${ringSize}}`);
      if (isSetMessage(hash.maglev) || isSetMessage(hash.ringHash)) {
        ctx.sink.add('IMV613', [...hp, 'minimumRingSize'],
          `${hf} sets minimumRingSize together with ${isSetMessage(hash.maglev) ? 'maglev' : 'ringHash'}: only one of them can be used`,
          'remove the deprecated minimumRingSize and keep the hash algorithm settings');
      }
    }
    const maglev = objectAt(hash.maglev);
    if (maglev) {
      const size = integerAt(maglev.tableSize) ?? 0n;
      const problems: string[] = [];
      if (size === 0n) problems.push('it must be set');
      if (size >= 5000011n) problems.push('it must be less than 5000011');
      // the primality test is only run below the limit: a huge size would take minutes, and is rejected anyway
      else if (!isEnvoyPrime(size)) problems.push('it must be a prime number');
      if (problems.length > 0) {
        ctx.sink.add('IMV614', [...hp, 'maglev', 'tableSize'], `${hf}.maglev.tableSize is ${size}: ${problems.join(', ')}`,
          'use a prime below 5000011, e.g. 65537 (Envoy\'s default)');
      }
    }
  }
  checkLocality(ctx, objectAt(lb.localityLbSetting), hasOutlier, [...path, 'localityLbSetting'], `${field}.localityLbSetting`);
  const warmup = objectAt(lb.warmup);
  if (warmup) {
    const wp: Path = [...path, 'warmup'];
    if (warmup.duration === undefined || warmup.duration === null) {
      ctx.sink.add('IMV621', wp, `${field}.warmup has no duration: the warm-up period must be given`, 'set warmup.duration, e.g. "60s"');
    } else {
      checkDuration(ctx, warmup.duration, [...wp, 'duration'], `${field}.warmup.duration`);
    }
    const minimum = numberAt(warmup.minimumPercent);
    if (minimum !== undefined && minimum > 100) {
      ctx.sink.add('IMV622', [...wp, 'minimumPercent'], `${field}.warmup.minimumPercent is ${minimum}: it must be at most 100`,
        'set minimumPercent between 0 and 100');
    }
    const aggression = numberAt(warmup.aggression);
    if (aggression !== undefined && aggression < 1) {
      ctx.sink.add('IMV622', [...wp, 'aggression'], `${field}.warmup.aggression is ${aggression}: it must be at least 1`,
        'set aggression to 1 (linear) or more');
    }
  }
}

function checkCookieAttributes(ctx: Ctx, raw: unknown, path: Path, field: string): void {
  const seen = new Set<string>();
  arrayAt(raw)?.forEach((entry, i) => {
    const name = stringAt(objectAt(entry)?.name) ?? '';
    if (name === '') {
      ctx.sink.add('IMV645', [...path, i, 'name'], `${field}[${i}] has no name: every cookie attribute needs one`,
        'set the attribute name, e.g. "SameSite", or remove the entry');
    } else if (seen.has(name)) {
      ctx.sink.add('IMV645', [...path, i, 'name'], `${field}[${i}] repeats the attribute name ${q(name)}: each name may appear once`,
        `keep one ${q(name)} entry with the value you want`);
    }
    seen.add(name);
  });
}

function checkLocality(ctx: Ctx, lb: Obj | undefined, hasOutlier: boolean, path: Path, field: string): void {
  if (!lb) return;
  const distribute = arrayAt(lb.distribute) ?? [];
  const failover = arrayAt(lb.failover) ?? [];
  const priority = stringItems(lb.failoverPriority);
  if (distribute.length > 0 && failover.length > 0) {
    ctx.sink.add('IMV615', path, `${field} sets both distribute and failover: use one or the other`,
      'keep distribute for weighted traffic across localities, or failover for ordered fallback');
    return;
  }
  if (failover.length > 0 && priority.length > 0) {
    const topo = priority.find((p) => TOPOLOGY_LABELS.includes(p.value));
    if (topo) {
      ctx.sink.add('IMV616', [...path, 'failoverPriority', topo.index],
        `${field}.failoverPriority lists ${q(topo.value)} while failover is set: topology labels cannot be combined with failover`,
        'remove failover, or remove the region/zone/subzone labels from failoverPriority');
      return;
    }
  }
  const sources: string[] = [];
  for (let i = 0; i < distribute.length; i++) {
    const entry = objectAt(distribute[i]) ?? {};
    const dp: Path = [...path, 'distribute', i];
    sources.push(stringAt(entry.from) ?? '');
    const to = objectAt(entry.to) ?? {};
    let total = 0;
    for (const [loc, weightRaw] of Object.entries(to)) {
      const weight = numberAt(weightRaw) ?? 0;
      if (weight <= 0 || weight > 100) {
        ctx.sink.add('IMV617', [...dp, 'to', loc], `${field}.distribute[${i}].to[${q(loc)}] has weight ${weight}: weights are from 1 to 100`,
          'give every destination locality a weight from 1 to 100, adding up to 100');
        return;
      }
      total += weight;
    }
    if (total !== 100) {
      ctx.sink.add('IMV617', [...dp, 'to'], `${field}.distribute[${i}].to weights add up to ${total}: they must add up to exactly 100`,
        'adjust the weights so that they sum to 100');
      return;
    }
    const destProblem = localitiesProblem(Object.keys(to));
    if (destProblem) ctx.sink.add('IMV618', [...dp, 'to'], `${field}.distribute[${i}].to: ${destProblem}`, LOCALITY_FIX);
  }
  const sourceProblem = localitiesProblem(sources);
  if (sourceProblem) ctx.sink.add('IMV618', [...path, 'distribute'], `${field}.distribute from: ${sourceProblem}`, LOCALITY_FIX);
  if ((failover.length > 0 || priority.length > 0) && !hasOutlier) {
    ctx.sink.add('IMV619', path,
      `${field} sets ${failover.length > 0 ? 'failover' : 'failoverPriority'} but the traffic policy has no outlierDetection: endpoints are never ejected, so traffic never fails over`,
      'add outlierDetection (e.g. consecutive5xxErrors and interval) to the same traffic policy');
  }
  failover.forEach((raw, i) => {
    const entry = objectAt(raw) ?? {};
    const from = stringAt(entry.from) ?? '';
    const to = stringAt(entry.to) ?? '';
    const fp: Path = [...path, 'failover', i];
    const problems: string[] = [];
    if (from === to) problems.push(`from and to are both ${q(from)}: fail over to a different region`);
    if (from.includes('/') || to.includes('/')) problems.push('failover names regions only, without "/"');
    if (from.includes('*') || to.includes('*')) problems.push('failover regions cannot contain "*"');
    for (const problem of problems) {
      ctx.sink.add('IMV620', fp, `${field}.failover[${i}] (${q(from)} → ${q(to)}): ${problem}`,
        'name two different regions, e.g. from: us-east1, to: us-west1');
    }
  });
}

const LOCALITY_FIX = 'write localities as "region", "region/zone" or "region/zone/subzone", with "*" only at the end, each covered once';

/** The first problem istiod finds in a list of localities (validateLocalities), or undefined. */
function localitiesProblem(localities: string[]): string | undefined {
  const regions = new Map<string, Map<string, Set<string>>>();
  const overlap = (l: string): string => `locality ${q(l)} overlaps one listed before`;
  for (const locality of localities) {
    const stars = locality.split('*').length - 1;
    if (stars > 1 || (stars === 1 && !locality.endsWith('*'))) return `locality ${q(locality)} may have one "*", only at its end`;
    if (regions.has('*')) return overlap(locality);
    const items = locality.split('/');
    const parts = items.length > 3 ? [...items.slice(0, 2), items.slice(2).join('/')] : items;
    if (parts.some((p) => p === '')) return `locality ${q(locality)} has an empty region, zone or subzone`;
    const [region, zone, subzone] = parts;
    const zones = regions.get(region);
    if (parts.length === 1) {
      if (zones) return overlap(locality);
      regions.set(region, new Map([['*', new Set(['*'])]]));
    } else if (parts.length === 2) {
      if (zones) {
        if (zones.has('*') || zones.has(zone)) return overlap(locality);
        zones.set(zone, new Set(['*']));
      } else {
        regions.set(region, new Map([[zone, new Set(['*'])]]));
      }
    } else if (zones) {
      if (zones.has('*')) return overlap(locality);
      const subzones = zones.get(zone);
      if (subzones) {
        if (subzones.has('*') || subzones.has(subzone)) return overlap(locality);
        subzones.add(subzone);
      } else {
        zones.set(zone, new Set([subzone]));
      }
    } else {
      regions.set(region, new Map([[zone, new Set([subzone])]]));
    }
  }
  return undefined;
}

function checkTls(ctx: Ctx, tls: Obj | undefined, path: Path, field: string): void {
  if (!tls) return;
  const mode = stringAt(tls.mode) ?? 'DISABLE';
  const credentialName = stringAt(tls.credentialName) ?? '';
  const has = (key: string): boolean => (stringAt(tls[key]) ?? '') !== '';
  const hasSans = isNonEmptyList(tls.subjectAltNames);

  if (credentialName.startsWith('configmap://')) {
    const rest = credentialName.slice('configmap://'.length).split('/');
    let problem: string | undefined;
    if (rest.length <= 1) {problem = 'it needs both a namespace and a name';} else if (rest[0] === '') {problem = 'its namespace is empty';} else if (rest[1] === '') {problem = 'its name is empty';} else if (ctx.namespace !== '' && rest[0] !== ctx.namespace) {
      problem = `its namespace ${q(rest[0])} is not the DestinationRule's namespace ${q(ctx.namespace)}`;
    }
    if (problem) {
      ctx.sink.add('IMV623', [...path, 'credentialName'], `${field}.credentialName ${q(credentialName)} is invalid: ${problem}`,
        `write it as "configmap://${ctx.namespace || '<namespace>'}/<configmap-name>" with the DestinationRule's own namespace`);
    }
  }

  if (tls.insecureSkipVerify === true) {
    const conflicting: string[] = [];
    if (mode === 'SIMPLE') {
      if (has('caCertificates')) conflicting.push('caCertificates');
      if (credentialName !== '') conflicting.push('credentialName');
      if (hasSans) conflicting.push('subjectAltNames');
    } else if (mode === 'MUTUAL') {
      if (has('caCertificates')) conflicting.push('caCertificates');
      if (hasSans) conflicting.push('subjectAltNames');
    }
    if (conflicting.length > 0) {
      ctx.sink.add('IMV624', [...path, 'insecureSkipVerify'],
        `${field}.insecureSkipVerify is true but ${conflicting.join(', ')} ${conflicting.length > 1 ? 'are' : 'is'} set: a certificate that is not verified cannot be checked against a CA or names`,
        `remove insecureSkipVerify to verify the server, or remove ${conflicting.join(' and ')}`);
    }
  }

  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && credentialName !== '') {
    const inline = ['clientCertificate', 'caCertificates', 'privateKey', 'caCrl'].filter(has);
    if (inline.length > 0) {
      ctx.sink.add('IMV625', [...path, 'credentialName'],
        `${field}.credentialName ${q(credentialName)} is set together with ${inline.join(', ')}: with credentialName the certificates come from the secret`,
        `remove ${inline.join(' and ')}, or remove credentialName and give the files instead`);
    }
    return;
  }
  if (mode === 'MUTUAL') {
    const missing = ['clientCertificate', 'privateKey'].filter((k) => !has(k));
    if (missing.length > 0) {
      ctx.sink.add('IMV626', [...path, 'mode'],
        `${field}.mode MUTUAL requires a client certificate, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing and no credentialName is set`,
        'set credentialName to a secret holding the client certificate and key, set clientCertificate and privateKey, or use mode ISTIO_MUTUAL for mesh traffic');
    }
  }
}

function checkTunnel(ctx: Ctx, tunnel: Obj | undefined, path: Path, field: string): void {
  if (!tunnel) return;
  const protocol = stringAt(tunnel.protocol) ?? '';
  if (protocol !== '' && protocol !== 'CONNECT' && protocol !== 'POST') {
    ctx.sink.add('IMV629', [...path, 'protocol'], `${field}.protocol is ${q(protocol)}: allowed are "CONNECT" and "POST"`,
      'set protocol to CONNECT (the default) or POST');
  }
  const target = stringAt(tunnel.targetHost) ?? '';
  const fqdn = fqdnProblem(target);
  if (fqdn && !isGoIPAddr(target)) {
    ctx.sink.add('IMV630', [...path, 'targetHost'], `${field}.targetHost ${q(target)} is neither a DNS name nor an IP address: ${fqdn}`,
      'set targetHost to the host name or IP of the tunnel proxy');
  }
  const port = numberAt(tunnel.targetPort) ?? 0;
  if (!isPortNumber(port)) {
    ctx.sink.add('IMV631', [...path, 'targetPort'], `${field}.targetPort is ${port}: it must be a port from 1 to 65535`,
      'set targetPort to the port of the tunnel proxy');
  }
}

function checkSubsetLabels(ctx: Ctx, raw: unknown, path: Path): void {
  const labels = objectAt(raw);
  if (!labels) return;
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) {
      ctx.sink.add('IMV635', [...path, key], `subset label key ${q(key)} is invalid: ${keyProblem}`,
        'use the label key the workloads carry, e.g. "version"');
    }
    if (typeof value === 'string' && !isIstioLabelValue(value)) {
      ctx.sink.add('IMV635', [...path, key], `subset label ${q(key)} has invalid value ${q(value)}: use letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
        'use the label value the workloads carry, e.g. "v1"');
    }
  }
}

function checkExportTo(ctx: Ctx, raw: unknown, hasWorkloadSelector: boolean): void {
  const entries = stringItems(raw);
  const total = arrayAt(raw)?.length ?? 0;
  if (total === 0) return;
  const ns = ctx.namespace;
  const accepted = new Set<string>();
  const writtenAs = new Map<string, string>();
  for (const { value, index } of entries) {
    const key = value === '.' ? (ns || '.') : value;
    const path: Path = ['spec', 'exportTo', index];
    if (accepted.has(key)) {
      const first = writtenAs.get(key);
      ctx.sink.add('IMV637', path,
        first !== value ? `exportTo lists both "." and ${q(ns)}, the DestinationRule's own namespace: they are the same entry` : `exportTo lists ${q(value)} more than once`,
        'remove the duplicate entry');
      continue;
    }
    if (key === '~') {
      ctx.sink.add('IMV636', path, 'exportTo "~" (no one) is not allowed for a DestinationRule: it is only for ServiceEntries',
        'use "." to keep the rule in its namespace, or remove the DestinationRule');
    } else if (key !== '.' && key !== '*' && !isIstioDnsLabel(key)) {
      ctx.sink.add('IMV636', path, `exportTo entry ${q(value)} is invalid: allowed are ".", "*" or a namespace name`,
        'use "." for this namespace, "*" for all namespaces, or namespace names');
    } else {
      accepted.add(key);
      writtenAs.set(key, value);
    }
  }
  if (hasWorkloadSelector && accepted.size > 0) {
    const own = ns ? accepted.has(ns) : accepted.has('.');
    const named = [...accepted].filter((k) => k !== '.' && k !== '*');
    let problem: string | undefined;
    if (own && accepted.size > 1) problem = 'it may only hold the DestinationRule\'s own namespace, but has several entries';
    else if (!own && (accepted.has('*') || (ns !== '' || named.length > 1))) problem = 'it exports beyond the DestinationRule\'s own namespace';
    if (problem) {
      ctx.sink.add('IMV638', ['spec', 'exportTo'], `exportTo of a DestinationRule with a workloadSelector: ${problem}`,
        'set exportTo: ["."] (or leave it out); a rule with a workloadSelector applies only in its own namespace');
    }
  }
  if (accepted.has('*') && total > 1) {
    ctx.sink.add('IMV639', ['spec', 'exportTo'], `exportTo has "*" and ${total - 1} other ${total > 2 ? 'entries' : 'entry'}: "*" already exports to every namespace`,
      'keep only "*", or list the namespaces without "*"');
  }
}
