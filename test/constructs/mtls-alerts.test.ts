import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { MtlsAlerts } from '../../src/constructs/mtls-alerts';

function chart(): Chart {
  return new Chart(Testing.app(), 'c', { namespace: 'monitoring' });
}

/** Objects that put the namespaces into the app: a Namespace object for the first, a ConfigMap in each other. */
function appNamespaces(c: Chart, ...names: string[]): void {
  names.forEach((ns, i) => {
    if (i === 0) new ApiObject(c, `ns-${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    else new ApiObject(c, `cm-${ns}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns } });
  });
}

const PLAINTEXT_ONLY = { workloadCertificate: false, controlPlaneCertificates: false } as const;

describe('MtlsAlerts', () => {
  it('emits the guide\'s workload certificate alert and the istiod root and chain alerts by default', () => {
    const c = chart();
    new MtlsAlerts(c, 'Alerts');
    const [rule] = Testing.synth(c);
    expect(rule.metadata).toEqual({ name: 'istio-mtls-alerts', namespace: 'monitoring' });
    expect(rule.spec.groups).toHaveLength(1);
    const [group] = rule.spec.groups;
    expect(group.name).toBe('istio.certificates');
    expect(group.rules[0]).toEqual({
      alert: 'IstioCertificateExpiringSoon',
      expr: '(istio_agent_cert_expiry_timestamp_seconds - time()) < 14400',
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Istio workload certificate expiring soon',
        description: 'Certificate for {{ $labels.pod }} expires in less than 4 hours',
      },
    });
    expect(group.rules.slice(1).map((r: any) => [r.alert, r.expr, r.for, r.labels.severity])).toEqual([
      ['IstioRootCertificateExpiringSoon', '(citadel_server_root_cert_expiry_timestamp - time()) < 2592000', '15m', 'critical'],
      ['IstioCertificateChainExpiringSoon', '(citadel_server_cert_chain_expiry_timestamp - time()) < 2592000', '15m', 'critical'],
    ]);
  });
  it('takes thresholds as Durations', () => {
    const c = chart();
    new MtlsAlerts(c, 'Alerts', {
      workloadCertificate: { threshold: Duration.minutes(90), for: Duration.minutes(10), severity: 'critical' },
      controlPlaneCertificates: { threshold: Duration.days(60) },
      labels: { release: 'prometheus' },
    });
    const [rule] = Testing.synth(c);
    expect(rule.metadata.labels).toEqual({ release: 'prometheus' });
    const [wl, root] = rule.spec.groups[0].rules;
    expect([wl.expr, wl.for, wl.labels.severity, wl.annotations.description]).toEqual([
      '(istio_agent_cert_expiry_timestamp_seconds - time()) < 5400', '10m', 'critical', 'Certificate for {{ $labels.pod }} expires in less than 1 hour 30 minutes',
    ]);
    expect(root.expr).toBe('(citadel_server_root_cert_expiry_timestamp - time()) < 5184000');
  });
  it('alerts on plaintext reaching STRICT namespaces and workloads (requests and TCP), sorted', () => {
    const c = chart();
    appNamespaces(c, 'staging', 'production', 'payments');
    new MtlsAlerts(c, 'Alerts', {
      workloadCertificate: false,
      controlPlaneCertificates: false,
      plaintextTraffic: {
        namespaces: ['staging', 'production', 'staging'],
        workloads: [{ namespace: 'payments', name: 'ledger' }, { namespace: 'payments', name: 'card-vault' }],
      },
    });
    const rule = Testing.synth(c).find((m) => m.kind === 'PrometheusRule');
    expect(rule.spec.groups.map((g: any) => g.name)).toEqual(['istio.mtls']);
    const rules = rule.spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual([
      'IstioPlaintextRequestsToStrictNamespace', 'IstioPlaintextConnectionsToStrictNamespace',
      'IstioPlaintextRequestsToStrictWorkload', 'IstioPlaintextConnectionsToStrictWorkload',
    ]);
    expect(rules[0].expr).toBe('sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{reporter="destination",connection_security_policy!="mutual_tls",destination_workload_namespace=~"production|staging"}[5m])) > 0');
    expect(rules[1].expr).toBe('sum by (destination_workload_namespace, destination_workload) (rate(istio_tcp_connections_opened_total{reporter="destination",connection_security_policy!="mutual_tls",destination_workload_namespace=~"production|staging"}[5m])) > 0');
    expect(rules[2].expr).toBe('sum by (destination_workload_namespace, destination_workload) ('
      + 'rate(istio_requests_total{reporter="destination",connection_security_policy!="mutual_tls",destination_workload_namespace="payments",destination_workload="card-vault"}[5m])'
      + ' or rate(istio_requests_total{reporter="destination",connection_security_policy!="mutual_tls",destination_workload_namespace="payments",destination_workload="ledger"}[5m])) > 0');
    expect([rules[0].for, rules[0].labels]).toEqual(['5m', { severity: 'critical' }]);
  });
  it('fails with no alert at all', () => {
    expect(() => new MtlsAlerts(chart(), 'A', { workloadCertificate: false, controlPlaneCertificates: false })).toThrow(
      "[MtlsAlerts] has no alerts: 'workloadCertificate' and 'controlPlaneCertificates' are false and 'plaintextTraffic' names no namespace or workload");
    expect(() => new MtlsAlerts(chart(), 'A', { plaintextTraffic: {} })).toThrow("[MtlsAlerts] 'plaintextTraffic' must name at least one namespace or workload");
  });
  it('fails on bad durations', () => {
    expect(() => new MtlsAlerts(chart(), 'A', { workloadCertificate: { threshold: Duration.millis(1500) } })).toThrow(
      "[MtlsAlerts] 'workloadCertificate.threshold' must be a whole number of seconds, got 1 second 500 millis");
    expect(() => new MtlsAlerts(chart(), 'A', { controlPlaneCertificates: { for: Duration.seconds(0) } })).toThrow(
      "[MtlsAlerts] 'controlPlaneCertificates.for' must be positive, got 0 seconds");
    expect(() => new MtlsAlerts(chart(), 'A', { workloadCertificate: { threshold: '4h' as any } })).toThrow(
      "[MtlsAlerts] 'workloadCertificate.threshold' must be a cdk8s Duration, got \"4h\"");
  });
  it('fails on bad names, labels and severities', () => {
    expect(() => new MtlsAlerts(chart(), 'A', { plaintextTraffic: { namespaces: ['Prod'] } })).toThrow(
      "[MtlsAlerts] 'plaintextTraffic.namespaces[0]' must be a DNS-1123 label, got \"Prod\"");
    expect(() => new MtlsAlerts(chart(), 'A', { plaintextTraffic: { workloads: [{ namespace: 'p', name: 'A' }] } })).toThrow(
      "[MtlsAlerts] 'plaintextTraffic.workloads[0].name' must be a DNS-1123 subdomain, got \"A\"");
    expect(() => new MtlsAlerts(chart(), 'A', { workloadCertificate: { severity: 'very bad' } })).toThrow(
      "[MtlsAlerts] 'workloadCertificate.severity' must be a non-empty label value, got \"very bad\"");
    expect(() => new MtlsAlerts(chart(), 'A', { labels: { 'a b': 'x' } })).toThrow("[MtlsAlerts] 'labels[\"a b\"]' must be a valid label key");
    expect(() => new MtlsAlerts(chart(), 'A', { certificateGroupName: '' })).toThrow("[MtlsAlerts] 'certificateGroupName' must be a non-empty string, got \"\"");
    expect(() => new MtlsAlerts(chart(), 'A', { plaintextGroupName: ' ' })).toThrow("[MtlsAlerts] 'plaintextGroupName' must be a non-empty string, got \" \"");
    expect(() => new MtlsAlerts(chart(), 'A', { name: 'Alerts' })).toThrow("[MtlsAlerts] 'name' must be a DNS-1123 subdomain, got \"Alerts\"");
  });
  describe('namespaces that must exist in the app', () => {
    it('Compliance: alerted namespaces and workload namespaces the app has', () => {
      const c = chart();
      appNamespaces(c, 'shop', 'web');
      new MtlsAlerts(c, 'Alerts', { ...PLAINTEXT_ONLY, plaintextTraffic: { namespaces: ['shop'], workloads: [{ namespace: 'web', name: 'frontend' }] } });
      expect(() => Testing.synth(c)).not.toThrow();
    });
    it('Noncompliance 1: a typo in a namespace fails synth at the construct\'s path with the nearest name', () => {
      const c = chart();
      appNamespaces(c, 'shop', 'web');
      new MtlsAlerts(c, 'Alerts', { ...PLAINTEXT_ONLY, plaintextTraffic: { namespaces: ['web', 'shopp'] } });
      expect(() => Testing.synth(c)).toThrow(
        '[c/Alerts] [MtlsAlerts] \'plaintextTraffic.namespaces[1]\' names namespace "shopp", which is not in the app; did you mean "shop"?');
    });
    it('Noncompliance 2: a workload\'s namespace nothing is close to lists the app\'s namespaces', () => {
      const c = chart();
      appNamespaces(c, 'shop', 'web');
      new MtlsAlerts(c, 'Alerts', { ...PLAINTEXT_ONLY, plaintextTraffic: { workloads: [{ namespace: 'payments', name: 'ledger' }] } });
      expect(() => Testing.synth(c)).toThrow(
        '[c/Alerts] [MtlsAlerts] \'plaintextTraffic.workloads[0].namespace\' names namespace "payments", which is not in the app (it has istio-system, shop, web)');
    });
    it('Noncompliance 3: the PrometheusRule\'s own namespace is not evidence, another object there is', () => {
      const c = chart();
      new MtlsAlerts(c, 'Alerts', { ...PLAINTEXT_ONLY, plaintextTraffic: { namespaces: ['monitoring'] } });
      expect(() => Testing.synth(c)).toThrow("[c/Alerts] [MtlsAlerts] 'plaintextTraffic.namespaces[0]' names namespace \"monitoring\", which is not in the app");
      appNamespaces(c, 'monitoring');
      expect(() => Testing.synth(c)).not.toThrow();
    });
  });
  it('fails without namespace when the chart has none', () => {
    expect(() => new MtlsAlerts(Testing.chart(), 'A')).toThrow("[MtlsAlerts] 'namespace' is required when the chart has no namespace: a PrometheusRule is namespaced");
  });
});
