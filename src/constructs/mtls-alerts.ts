import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { namespaceOf, optionalName } from './scope';
import {
  PrometheusRule, PrometheusRuleSpecGroups, PrometheusRuleSpecGroupsRules, PrometheusRuleSpecGroupsRulesExpr,
} from '../../imports/monitoring.coreos.com';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import type { Manifest } from '../model/manifest';
import { checkDns1123Label, checkLabels, checkNonEmpty, checkObjectName, fail, show } from '../vocabulary/checks';
import { ISTIO_REQUESTS_METRIC, ISTIO_TCP_CONNECTIONS_METRIC, PLAINTEXT_TRAFFIC_MATCHERS } from '../vocabulary/istio-metrics';
import { labelValueErrors } from '../vocabulary/kube-names';
import { toHumanDuration, toPrometheusDuration } from '../vocabulary/threshold';

/** Options of the workload-certificate expiry alert. */
export interface WorkloadCertificateAlertOptions {
  /**
   * Alert when a workload certificate expires within this time. Certificates
   * normally rotate long before (default lifetime 24h), so firing means
   * rotation is failing.
   * @default Duration.hours(4)
   */
  readonly threshold?: Duration;

  /**
   * How long the condition must hold before the alert fires.
   * @default Duration.minutes(5)
   */
  readonly for?: Duration;

  /**
   * The `severity` label.
   * @default 'warning'
   */
  readonly severity?: string;
}

/** Options of the istiod root and chain certificate expiry alerts. */
export interface ControlPlaneCertificateAlertOptions {
  /**
   * Alert when the istiod root certificate or CA chain expires within this time.
   * @default Duration.days(30)
   */
  readonly threshold?: Duration;

  /**
   * How long the condition must hold before the alert fires.
   * @default Duration.minutes(15)
   */
  readonly for?: Duration;

  /**
   * The `severity` label.
   * @default 'critical'
   */
  readonly severity?: string;
}

/** A workload meant to accept only mTLS. */
export interface StrictWorkloadRef {
  /** Its namespace. */
  readonly namespace: string;
  /** Its workload name, as Istio reports it in `destination_workload` (usually the Deployment name). */
  readonly name: string;
}

/** Options of the plaintext-traffic alerts. */
export interface PlaintextTrafficAlertOptions {
  /**
   * Namespaces meant to be STRICT. Each must be a namespace of the app (an
   * object lives there, or a Namespace object names it): an alert on a
   * namespace nothing lives in never fires, so synth fails on one, naming
   * the nearest existing namespace.
   * @default - none
   */
  readonly namespaces?: string[];

  /**
   * Workloads meant to be STRICT; their namespaces must be namespaces of the
   * app, like `namespaces`.
   * @default - none
   */
  readonly workloads?: StrictWorkloadRef[];

  /**
   * The rate window.
   * @default Duration.minutes(5)
   */
  readonly window?: Duration;

  /**
   * How long plaintext must be seen before the alert fires.
   * @default Duration.minutes(5)
   */
  readonly for?: Duration;

  /**
   * The `severity` label.
   * @default 'critical'
   */
  readonly severity?: string;
}

/** Properties of {@link MtlsAlerts}. */
export interface MtlsAlertsProps {
  /**
   * The workload-certificate expiry alert (`istio_agent_cert_expiry_timestamp_seconds`), or `false` for none.
   * @default - enabled with its defaults
   */
  readonly workloadCertificate?: WorkloadCertificateAlertOptions | false;

  /**
   * The istiod root and chain expiry alerts (`citadel_server_root_cert_expiry_timestamp`,
   * `citadel_server_cert_chain_expiry_timestamp`), or `false` for none.
   * @default - enabled with their defaults
   */
  readonly controlPlaneCertificates?: ControlPlaneCertificateAlertOptions | false;

  /**
   * Alerts on plaintext requests and TCP connections reaching namespaces or
   * workloads meant to be STRICT (`istio_requests_total` and
   * `istio_tcp_connections_opened_total` reported by the destination with
   * `connection_security_policy!="mutual_tls"`).
   * @default - no plaintext alerts
   */
  readonly plaintextTraffic?: PlaintextTrafficAlertOptions;

  /**
   * The name of the certificate rule group.
   * @default 'istio.certificates'
   */
  readonly certificateGroupName?: string;

  /**
   * The name of the plaintext rule group.
   * @default 'istio.mtls'
   */
  readonly plaintextGroupName?: string;

  /**
   * Labels of the PrometheusRule object (e.g. the one your Prometheus `ruleSelector` wants).
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /**
   * The namespace of the PrometheusRule.
   * @default - the chart's namespace (required if the chart has none)
   */
  readonly namespace?: string;

  /**
   * The PrometheusRule name.
   * @default 'istio-mtls-alerts'
   */
  readonly name?: string;
}

const OWNER = 'MtlsAlerts';

function seconds(prop: string, d: Duration | undefined, fallback: Duration): number {
  const value = d ?? fallback;
  // Duck-typed: the user's cdk8s copy may not be ours.
  if (typeof (value as Partial<Duration>)?.toSeconds !== 'function') fail(OWNER, `'${prop}' must be a cdk8s Duration, got ${show(value)}`);
  let s: number;
  try {
    s = value.toSeconds();
  } catch {
    fail(OWNER, `'${prop}' must be a whole number of seconds, got ${value.toHumanString()}`);
  }
  if (s <= 0) fail(OWNER, `'${prop}' must be positive, got ${value.toHumanString()}`);
  return s;
}

function severityOf(prop: string, severity: string | undefined, fallback: string): string {
  const value = severity ?? fallback;
  const errs = labelValueErrors(value);
  if (value.length === 0 || errs.length > 0) fail(OWNER, `'${prop}' must be a non-empty label value, got ${show(value)}${errs.length ? `: ${errs.join('; ')}` : ''}`);
  return value;
}

function expr(text: string): PrometheusRuleSpecGroupsRulesExpr {
  return PrometheusRuleSpecGroupsRulesExpr.fromString(text);
}

/**
 * A PrometheusRule with the mTLS alerts: workload certificates expiring,
 * istiod root and chain certificates expiring, and plaintext traffic
 * reaching namespaces or workloads meant to be STRICT.
 *
 * The construct is the PrometheusRule itself (an `ApiObject`).
 */
export class MtlsAlerts extends PrometheusRule {
  public constructor(scope: Construct, id: string, props: MtlsAlertsProps = {}) {
    const namespace = namespaceOf(OWNER, scope, props.namespace, 'a PrometheusRule is namespaced');
    const name = optionalName(OWNER, props.name) ?? 'istio-mtls-alerts';
    if (props.labels !== undefined) checkLabels(OWNER, 'labels', props.labels);
    const certGroup = props.certificateGroupName ?? 'istio.certificates';
    checkNonEmpty(OWNER, 'certificateGroupName', certGroup);
    const plainGroup = props.plaintextGroupName ?? 'istio.mtls';
    checkNonEmpty(OWNER, 'plaintextGroupName', plainGroup);

    const certRules: PrometheusRuleSpecGroupsRules[] = [];
    if (props.workloadCertificate !== false) {
      const o = props.workloadCertificate ?? {};
      const threshold = seconds('workloadCertificate.threshold', o.threshold, Duration.hours(4));
      const forS = seconds('workloadCertificate.for', o.for, Duration.minutes(5));
      certRules.push({
        alert: 'IstioCertificateExpiringSoon',
        expr: expr(`(istio_agent_cert_expiry_timestamp_seconds - time()) < ${threshold}`),
        for: toPrometheusDuration(forS),
        labels: { severity: severityOf('workloadCertificate.severity', o.severity, 'warning') },
        annotations: {
          summary: 'Istio workload certificate expiring soon',
          description: `Certificate for {{ $labels.pod }} expires in less than ${toHumanDuration(threshold)}`,
        },
      });
    }
    if (props.controlPlaneCertificates !== false) {
      const o = props.controlPlaneCertificates ?? {};
      const threshold = seconds('controlPlaneCertificates.threshold', o.threshold, Duration.days(30));
      const forS = toPrometheusDuration(seconds('controlPlaneCertificates.for', o.for, Duration.minutes(15)));
      const severity = severityOf('controlPlaneCertificates.severity', o.severity, 'critical');
      const human = toHumanDuration(threshold);
      certRules.push({
        alert: 'IstioRootCertificateExpiringSoon',
        expr: expr(`(citadel_server_root_cert_expiry_timestamp - time()) < ${threshold}`),
        for: forS,
        labels: { severity },
        annotations: {
          summary: 'Istio root certificate expiring soon',
          description: `The istiod root certificate ({{ $labels.pod }}) expires in less than ${human}; after that no workload certificate verifies`,
        },
      }, {
        alert: 'IstioCertificateChainExpiringSoon',
        expr: expr(`(citadel_server_cert_chain_expiry_timestamp - time()) < ${threshold}`),
        for: forS,
        labels: { severity },
        annotations: {
          summary: 'Istio CA certificate chain expiring soon',
          description: `The istiod CA certificate chain ({{ $labels.pod }}) expires in less than ${human}`,
        },
      });
    }

    const plainRules = props.plaintextTraffic ? plaintextRules(props.plaintextTraffic) : [];
    const groups: PrometheusRuleSpecGroups[] = [];
    if (certRules.length > 0) groups.push({ name: certGroup, rules: certRules });
    if (plainRules.length > 0) groups.push({ name: plainGroup, rules: plainRules });
    if (groups.length === 0) {
      fail(OWNER, "has no alerts: 'workloadCertificate' and 'controlPlaneCertificates' are false and 'plaintextTraffic' names no namespace or workload");
    }

    super(scope, id, {
      metadata: { name, namespace, labels: props.labels },
      spec: { groups },
    });
    MtlsValidation.enable(this);
    const named = alertedNamespaces(props.plaintextTraffic);
    // The app's namespaces are known only at synth.
    if (named.length > 0) MtlsValidation.addCheck(this, () => unknownAlertedNamespaces(this, named));
  }
}

/** Every namespace the plaintext alerts name, with the prop that names it. */
function alertedNamespaces(o: PlaintextTrafficAlertOptions | undefined): [string, string][] {
  return [
    ...(o?.namespaces ?? []).map((ns, i): [string, string] => [`plaintextTraffic.namespaces[${i}]`, ns]),
    ...(o?.workloads ?? []).map((w, i): [string, string] => [`plaintextTraffic.workloads[${i}].namespace`, w.namespace]),
  ];
}

/** One error per alerted namespace the rest of the app does not have. */
function unknownAlertedNamespaces(alerts: ApiObject, named: readonly [string, string][]): string[] {
  const manifests: Manifest[] = [];
  for (const c of alerts.node.root.node.findAll()) {
    // The rule's own namespace is where it is stored, not evidence of workloads there.
    if (ApiObject.isApiObject(c) && c !== alerts) manifests.push(c.toJson());
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  // Loaded at synth rather than with the constructs (cold start).
  const { buildMeshModel } = require('../model/mesh-model') as typeof import('../model/mesh-model');
  const { namespacesOfInput, unknownNamespaceMessage } = require('../migration/namespaces') as typeof import('../migration/namespaces');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const known = namespacesOfInput(buildMeshModel(manifests), manifests);
  return named.filter(([, ns]) => !known.has(ns)).map(([prop, ns]) => `[${OWNER}] ${unknownNamespaceMessage(`'${prop}'`, ns, [...known], 'the app')}`);
}

function plaintextRules(o: PlaintextTrafficAlertOptions): PrometheusRuleSpecGroupsRules[] {
  const namespaces = [...new Set(o.namespaces ?? [])].sort();
  namespaces.forEach((ns, i) => checkDns1123Label(OWNER, `plaintextTraffic.namespaces[${i}]`, ns));
  const workloads = (o.workloads ?? []).map((w, i) => {
    checkDns1123Label(OWNER, `plaintextTraffic.workloads[${i}].namespace`, w.namespace);
    checkObjectName(OWNER, `plaintextTraffic.workloads[${i}].name`, w.name);
    return `${w.namespace}/${w.name}`;
  });
  const uniqueWorkloads = [...new Set(workloads)].sort().map((w) => w.split('/') as [string, string]);
  if (namespaces.length === 0 && uniqueWorkloads.length === 0) {
    fail(OWNER, "'plaintextTraffic' must name at least one namespace or workload");
  }
  const window = toPrometheusDuration(seconds('plaintextTraffic.window', o.window, Duration.minutes(5)));
  const forS = toPrometheusDuration(seconds('plaintextTraffic.for', o.for, Duration.minutes(5)));
  const severity = severityOf('plaintextTraffic.severity', o.severity, 'critical');
  const by = 'sum by (destination_workload_namespace, destination_workload)';

  const rules: PrometheusRuleSpecGroupsRules[] = [];
  const add = (alert: string, metric: string, what: string, selectors: string[], target: string) => {
    const rates = selectors.map((s) => `rate(${metric}{${PLAINTEXT_TRAFFIC_MATCHERS},${s}}[${window}])`).join(' or ');
    rules.push({
      alert,
      expr: expr(`${by} (${rates}) > 0`),
      for: forS,
      labels: { severity },
      annotations: {
        summary: `Plaintext ${what} reaching ${target} meant to be STRICT`,
        description: `{{ $labels.destination_workload_namespace }}/{{ $labels.destination_workload }} receives ${what} without mutual TLS; its PeerAuthentication is not STRICT or the traffic bypasses the sidecar`,
      },
    });
  };
  if (namespaces.length > 0) {
    const sel = [`destination_workload_namespace=~"${namespaces.join('|')}"`];
    add('IstioPlaintextRequestsToStrictNamespace', ISTIO_REQUESTS_METRIC, 'requests', sel, 'namespaces');
    add('IstioPlaintextConnectionsToStrictNamespace', ISTIO_TCP_CONNECTIONS_METRIC, 'TCP connections', sel, 'namespaces');
  }
  if (uniqueWorkloads.length > 0) {
    const sel = uniqueWorkloads.map(([ns, wl]) => `destination_workload_namespace="${ns}",destination_workload="${wl}"`);
    add('IstioPlaintextRequestsToStrictWorkload', ISTIO_REQUESTS_METRIC, 'requests', sel, 'workloads');
    add('IstioPlaintextConnectionsToStrictWorkload', ISTIO_TCP_CONNECTIONS_METRIC, 'TCP connections', sel, 'workloads');
  }
  return rules;
}
