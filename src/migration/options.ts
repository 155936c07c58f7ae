import { MeshOptions } from '../model/mesh-options';
import { dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from '../vocabulary/kube-names';

/** A Service port a caller reaches. */
export interface ServiceTarget {
  /** The Service's namespace. */
  readonly namespace: string;
  /** The Service name. */
  readonly service: string;
  /** The Service port (not the container port). */
  readonly port: number;
}

/** A workload of the inventory that calls a Service (a dependency the inventory cannot show). */
export interface DeclaredCaller {
  /** The calling workload: its namespace and name (Deployment, Job, CronJob … name). */
  readonly from: { readonly namespace: string; readonly name: string };
  readonly to: ServiceTarget;
}

/**
 * A client outside the inventory that sends plaintext (no sidecar), e.g. a
 * monitoring system scraping a port or a VM.
 */
export interface PlaintextCaller {
  /** Where the caller runs (a namespace, or any label naming its location). */
  readonly namespace: string;
  /** Its name, as the error and the runbook show it. */
  readonly name: string;
  readonly to: ServiceTarget;
}

/** The injection label a phase puts on the planned namespaces. */
export interface InjectionLabel {
  readonly key: string;
  readonly value: string;
}

/** What to plan. */
export interface MigrationPlanOptions {
  /**
   * The namespaces to tighten to STRICT, in order; an inner array is a batch
   * tightened in one phase.
   */
  readonly namespaces: readonly (string | readonly string[])[];
  /**
   * The label the first phase puts on the planned namespaces.
   * @default - `istio-injection: enabled`
   */
  readonly injection?: InjectionLabel;
  /**
   * Calls between workloads of the inventory that its Services,
   * DestinationRules and AuthorizationPolicies do not show.
   * @default - none
   */
  readonly callers?: readonly DeclaredCaller[];
  /**
   * Callers outside the inventory that send plaintext.
   * @default - none
   */
  readonly plaintextCallers?: readonly PlaintextCaller[];
  /**
   * The namespace of the gate PrometheusRules.
   * @default - each tightened namespace holds its own rule; the mesh rule goes to the root namespace
   */
  readonly alertsNamespace?: string;
  /**
   * Labels on the gate PrometheusRules (e.g. what your Prometheus `ruleSelector` wants).
   * @default - none
   */
  readonly alertLabels?: Readonly<Record<string, string>>;
  /**
   * Labels the planned Namespace objects keep besides the injection label.
   * @default - the labels of the Namespace objects in the input
   */
  readonly namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * The plan name: prefix of the gate PrometheusRule names and title of the runbook.
   * @default 'mtls-migration'
   */
  readonly name?: string;
  /** Mesh-wide facts (root namespace, trust domain, auto mTLS, "today"). */
  readonly mesh?: MeshOptions;
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

/** The planned namespaces, batch by batch, once the options are known to be valid. */
export function batchesOf(options: MigrationPlanOptions): string[][] {
  return options.namespaces.map((e) => (typeof e === 'string' ? [e] : [...e]));
}

/**
 * Every problem with the options, as `'prop' must …, got …` lines (empty when
 * valid). The construct prefixes them with `[MigrationPlan]`, the CLI with the
 * command name.
 */
export function migrationOptionErrors(options: MigrationPlanOptions): string[] {
  const errors: string[] = [];
  const root = options.mesh?.rootNamespace || 'istio-system';
  const label = (prop: string, v: unknown) => {
    if (typeof v !== 'string') { errors.push(`'${prop}' must be a namespace name, got ${show(v)}`); return; }
    const e = dns1123LabelErrors(v);
    if (e.length > 0) errors.push(`'${prop}' must be a DNS-1123 label, got ${show(v)}: ${e.join('; ')}`);
  };
  const objectName = (prop: string, v: unknown) => {
    const e = typeof v === 'string' ? dns1123SubdomainErrors(v) : ['must be a string'];
    if (e.length > 0) errors.push(`'${prop}' must be a DNS-1123 subdomain, got ${show(v)}: ${e.join('; ')}`);
  };
  const port = (prop: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
      errors.push(`'${prop}' must be an integer port number between 1 and 65535, got ${show(v)}`);
    }
  };
  const target = (prop: string, t: ServiceTarget | undefined) => {
    if (!t || typeof t !== 'object') { errors.push(`'${prop}' must be { namespace, service, port }, got ${show(t)}`); return; }
    label(`${prop}.namespace`, t.namespace);
    objectName(`${prop}.service`, t.service);
    port(`${prop}.port`, t.port);
  };

  if (!Array.isArray(options.namespaces) || options.namespaces.length === 0) {
    errors.push(`'namespaces' must list at least one namespace to tighten, got ${show(options.namespaces)}`);
  } else {
    const firstSeen = new Map<string, string>();
    options.namespaces.forEach((entry, i) => {
      const names: [string, unknown][] = [];
      if (typeof entry === 'string') {names.push([`namespaces[${i}]`, entry]);} else if (Array.isArray(entry) && entry.length > 0) {entry.forEach((n, j) => names.push([`namespaces[${i}][${j}]`, n]));} else { errors.push(`'namespaces[${i}]' must be a namespace name or a non-empty batch of names, got ${show(entry)}`); return; }
      for (const [prop, n] of names) {
        const before = errors.length;
        label(prop, n);
        if (errors.length > before) continue;
        const ns = n as string;
        if (ns === root) {
          errors.push(`'${prop}' is the root namespace "${root}": the mesh phases set its policy; list application namespaces only`);
          continue;
        }
        const seen = firstSeen.get(ns);
        if (seen) errors.push(`'namespaces' lists "${ns}" twice (${seen} and ${prop}): each namespace is tightened in exactly one phase`);
        else firstSeen.set(ns, prop);
      }
    });
  }
  if (options.injection) {
    const { key, value } = options.injection;
    const e = [...qualifiedNameErrors(key), ...(value ? labelValueErrors(value) : ['must be non-empty'])];
    if (e.length > 0) errors.push(`'injection' must be a valid label, got ${show(`${key}=${value}`)}: ${e.join('; ')}`);
  }
  (options.callers ?? []).forEach((c, i) => {
    if (!c || typeof c !== 'object' || !c.from) { errors.push(`'callers[${i}]' must be { from: { namespace, name }, to: { namespace, service, port } }, got ${show(c)}`); return; }
    label(`callers[${i}].from.namespace`, c.from.namespace);
    objectName(`callers[${i}].from.name`, c.from.name);
    target(`callers[${i}].to`, c.to);
  });
  (options.plaintextCallers ?? []).forEach((c, i) => {
    if (!c || typeof c !== 'object') { errors.push(`'plaintextCallers[${i}]' must be { namespace, name, to: { namespace, service, port } }, got ${show(c)}`); return; }
    label(`plaintextCallers[${i}].namespace`, c.namespace);
    objectName(`plaintextCallers[${i}].name`, c.name);
    target(`plaintextCallers[${i}].to`, c.to);
  });
  if (options.alertsNamespace !== undefined) label('alertsNamespace', options.alertsNamespace);
  if (options.name !== undefined) {
    const e = typeof options.name === 'string' ? dns1123LabelErrors(options.name) : ['must be a string'];
    if (e.length > 0) errors.push(`'name' must be a DNS-1123 label, got ${show(options.name)}: ${e.join('; ')}`);
  }
  for (const [k, v] of Object.entries(options.alertLabels ?? {})) {
    const e = [...qualifiedNameErrors(k), ...(typeof v === 'string' ? labelValueErrors(v) : ['must be a string'])];
    if (e.length > 0) errors.push(`'alertLabels[${show(k)}]' must be a valid label, got ${show(v)}: ${e.join('; ')}`);
  }
  return errors;
}
