import { Manifest } from '../model/manifest';
import { ISTIO_REQUESTS_METRIC, ISTIO_TCP_CONNECTIONS_METRIC, PLAINTEXT_TRAFFIC_MATCHERS } from '../vocabulary/istio-metrics';

/**
 * What a tightening phase watches: plaintext requests and TCP connections
 * reported by the destination sidecar (`reporter="destination"`, Istio's
 * standard metrics) with `connection_security_policy` other than
 * `mutual_tls`, into the namespaces it makes STRICT.
 */
export interface GateScope {
  /** The namespaces watched; `undefined` for every namespace (the mesh phase). */
  readonly namespaces?: readonly string[];
  /** Namespaces left out of a mesh-wide scope (none for a namespace scope). */
  readonly excludedNamespaces?: readonly string[];
  /**
   * Workloads that keep a documented exception (`namespace/name`): they may
   * still take plaintext, so they are left out of the gate and the alert.
   */
  readonly exceptions: readonly string[];
}

const WINDOW = '5m';
const METRICS = [ISTIO_REQUESTS_METRIC, ISTIO_TCP_CONNECTIONS_METRIC] as const;

function regex(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.]/g, '\\\\.')).join('|');
}

/** The label selectors (after the plaintext matchers) whose union the scope watches. */
function selectors(scope: GateScope): string[] {
  const byNs = new Map<string, string[]>();
  for (const e of [...scope.exceptions].sort()) {
    const [ns, name] = e.split('/');
    byNs.set(ns, [...(byNs.get(ns) ?? []), name]);
  }
  const withExceptions = (ns: string) => {
    const names = byNs.get(ns);
    return `destination_workload_namespace="${ns}"${names ? `,destination_workload!~"${regex(names)}"` : ''}`;
  };
  if (scope.namespaces) return [...scope.namespaces].sort().map(withExceptions);
  const special = [...new Set([...byNs.keys(), ...(scope.excludedNamespaces ?? [])])].sort();
  const out = special.length > 0 ? [`destination_workload_namespace!~"${regex(special)}"`] : [''];
  for (const ns of [...byNs.keys()].sort()) if (!(scope.excludedNamespaces ?? []).includes(ns)) out.push(withExceptions(ns));
  return out;
}

function union(metric: string, scope: GateScope): string {
  return selectors(scope).map((s) => `rate(${metric}{${PLAINTEXT_TRAFFIC_MATCHERS}${s ? ',' + s : ''}}[${WINDOW}])`).join(' or ');
}

/**
 * The PromQL that must return 0 before the phase is applied: the rate of
 * plaintext requests plus plaintext TCP connections into the scope. It always
 * returns one sample (`or vector(0)`), so "no data" reads as 0 too.
 */
export function gateQuery(scope: GateScope): string {
  return METRICS.map((m) => `(sum(${union(m, scope)}) or vector(0))`).join(' + ');
}

/** The alert rules that keep watching the scope once the phase is applied. */
export function gateAlertRules(scope: GateScope, target: string): Record<string, unknown>[] {
  const by = 'sum by (destination_workload_namespace, destination_workload)';
  const rule = (alert: string, metric: string, what: string) => ({
    alert,
    expr: `${by} (${union(metric, scope)}) > 0`,
    for: WINDOW,
    labels: { severity: 'critical' },
    annotations: {
      summary: `Plaintext ${what} reaching ${target}, which the mTLS migration made STRICT`,
      description: `{{ $labels.destination_workload_namespace }}/{{ $labels.destination_workload }} receives ${what} without mutual TLS; `
        + 'a caller without a sidecar is being rejected: roll back to the previous phase or add a WorkloadException',
    },
  });
  return [
    rule('IstioMigrationPlaintextRequests', METRICS[0], 'requests'),
    rule('IstioMigrationPlaintextConnections', METRICS[1], 'TCP connections'),
  ];
}

/** The PrometheusRule of one gate. */
export function gatePrometheusRule(
  name: string, namespace: string, group: string, scope: GateScope, target: string, labels: Readonly<Record<string, string>>,
): Manifest {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name, namespace, ...(Object.keys(labels).length > 0 ? { labels: sortRecord(labels) } : {}) },
    spec: { groups: [{ name: group, rules: gateAlertRules(scope, target) }] },
  };
}

function sortRecord<T>(r: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));
}
