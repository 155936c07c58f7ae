import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { ResourceRef } from '../../model/manifest';
import { MeshModel } from '../../model/mesh-model';
import { PeerAuthenticationMode } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import {
  SelectablePod, ServiceEntryEndpoint, ServiceEntryInfo, serviceEntryEndpoints, serviceWorkloadEntryEndpoints, WorkloadEntryInfo,
} from '../../model/service-entries';
import { clusterPolicyFor, endpointLevelTlsFor, isPassthroughLoadBalancer } from '../../model/traffic-policy';
import { ClusterTlsInput, EndpointTlsFacts, SentTls, clusterTlsFor } from '../../resolution/cluster-tls';
import { resolveDataplane } from '../../resolution/dataplane';
import { resolveInbound } from '../../resolution/inbound';
import { TLS_MODE } from '../../resolution/injection';
import { ModeDecision } from '../../resolution/server-mode';
import { AnalysisContext, describeDecision } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const SERVICE_ENTRY_MESH_EXTERNAL: RuleInfo = {
  code: 'IMA028',
  category: 'service-entry-mesh-external',
  severity: 'error',
  title: 'MESH_EXTERNAL ServiceEntry over mesh workloads: clients send plaintext',
  explanation: 'A ServiceEntry\'s `location` defaults to MESH_EXTERNAL. For a MESH_EXTERNAL host pilot never applies auto mTLS '
    + '(the service mode hint is UNKNOWN and the cluster gets no TLS), so client sidecars send plaintext to every endpoint unless '
    + 'a DestinationRule sets tls ISTIO_MUTUAL. When the entry\'s endpoints are mesh workloads (pods with a sidecar selected by '
    + '`workloadSelector`, WorkloadEntries or inline endpoints whose tlsMode is istio, e.g. because they name a serviceAccount), '
    + 'STRICT endpoints refuse that plaintext (error) and PERMISSIVE ones take it unencrypted and without client identity '
    + '(warning). Reported only where MESH_INTERNAL would make auto mTLS send Istio mTLS: not when a DestinationRule sets tls, '
    + 'auto mTLS is off, the endpoint is DISABLE or its port is not captured. A WorkloadEntry\'s server-side mode assumes the '
    + 'VM\'s istio-proxy selects PeerAuthentications by the entry\'s labels (its bootstrap labels cannot be seen offline).',
  source: 'pilot/pkg/model/push_context.go (BestEffortInferServiceMTLSMode), pilot/pkg/networking/core/cluster_tls.go, '
    + 'pilot/pkg/serviceregistry/serviceentry/conversion.go',
};

/**
 * A registry service whose endpoints auto mTLS judges one by one: a
 * ServiceEntry, or a Kubernetes Service that selects WorkloadEntries.
 * @internal
 */
export interface EntryService {
  readonly ref: ResourceRef;
  /** `ServiceEntry ns/name` or `Service ns/name`. */
  readonly describe: string;
  readonly namespace: string;
  readonly hosts: readonly string[];
  readonly meshExternal: boolean;
  /** Resolution NONE (a ServiceEntry) or headless: pilot's Passthrough resolution. */
  readonly passthrough: boolean;
  readonly endpoints: readonly ServiceEntryEndpoint[];
  readonly serviceEntry?: ServiceEntryInfo;
  /** Selected pods, by `namespace/name` (the first workload of that name). */
  readonly pods: ReadonlyMap<string, Workload>;
}

/**
 * What client sidecars in one representative namespace send to one endpoint
 * of an {@link EntryService}, and what they would send if the service were
 * MESH_INTERNAL or the endpoint's tlsMode were `istio`.
 * @internal
 */
export interface EndpointSend {
  readonly service: EntryService;
  readonly endpoint: ServiceEntryEndpoint;
  readonly host: string;
  /** No DestinationRule `tls` reaches the cluster: auto mTLS decides. */
  readonly auto: boolean;
  readonly sent: SentTls;
  readonly sentIfInternal: SentTls;
  readonly sentIfIstio: SentTls;
}

/** @internal */
export interface EntryServices {
  readonly serviceEntries: readonly EntryService[];
  readonly kubernetesServices: readonly EntryService[];
}

const byModel = new WeakMap<MeshModel, EntryServices>();

function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function selectablePods(model: MeshModel, namespace: string): { pods: SelectablePod[]; byName: Map<string, Workload> } {
  const pods: SelectablePod[] = [];
  const byName = new Map<string, Workload>();
  for (const w of model.workloadsIn(namespace)) {
    const key = podKey(w.namespace, w.name);
    if (byName.has(key)) continue;
    byName.set(key, w);
    const dp = resolveDataplane(model, w);
    const sidecar = dp.dataplane === 'sidecar' && dp.admitted;
    pods.push({
      namespace: w.namespace,
      name: w.name,
      // The injector writes the tlsMode label onto the pod it mutates, so selectors and pilot see it.
      labels: sidecar ? { ...w.labels, [TLS_MODE]: dp.tlsMode } : w.labels,
      serviceAccount: w.serviceAccount,
      ports: w.ports,
      sidecarInjected: sidecar,
    });
  }
  return { pods, byName };
}

/**
 * The ServiceEntries with their endpoints (pods, WorkloadEntries, inline
 * endpoints) and the Kubernetes Services that select WorkloadEntries,
 * as pilot converts them. Memoized per model.
 * @internal
 */
export function entryServices(model: MeshModel): EntryServices {
  let r = byModel.get(model);
  if (r) return r;
  const td = model.options.trustDomain;
  const podsByNamespace = new Map<string, ReturnType<typeof selectablePods>>();
  // Entries and Services select WorkloadEntries of their own namespace only.
  const entriesIn = new Map<string, WorkloadEntryInfo[]>();
  for (const we of model.workloadEntries) {
    const list = entriesIn.get(we.namespace);
    if (list) list.push(we); else entriesIn.set(we.namespace, [we]);
  }
  const serviceEntries = model.serviceEntries.map((se): EntryService => {
    let pods = podsByNamespace.get(se.namespace);
    if (!pods) { pods = selectablePods(model, se.namespace); podsByNamespace.set(se.namespace, pods); }
    return {
      ref: se.ref,
      describe: `ServiceEntry ${se.namespace}/${se.name}`,
      namespace: se.namespace,
      hosts: se.hosts,
      meshExternal: se.location === 'MESH_EXTERNAL',
      passthrough: se.resolution === 'NONE',
      endpoints: serviceEntryEndpoints(se, entriesIn.get(se.namespace) ?? [], se.workloadSelector ? pods.pods : [], td),
      serviceEntry: se,
      pods: pods.byName,
    };
  });
  const kubernetesServices: EntryService[] = [];
  if (model.workloadEntries.length > 0) {
    for (const s of model.services) {
      const entries = entriesIn.get(s.namespace);
      if (!entries) continue;
      const service = { namespace: s.namespace, selector: s.selector, headless: s.headless, ports: s.ports };
      const endpoints = serviceWorkloadEntryEndpoints(service, entries, td);
      if (endpoints.length === 0) continue;
      kubernetesServices.push({
        ref: s.ref,
        describe: `Service ${s.namespace}/${s.name}`,
        namespace: s.namespace,
        hosts: [s.hostname],
        meshExternal: false,
        passthrough: s.headless,
        endpoints,
        pods: new Map(),
      });
    }
  }
  r = { serviceEntries, kubernetesServices };
  byModel.set(model, r);
  return r;
}

/**
 * The namespace an endpoint's PeerAuthentications are looked up in.
 * @internal
 */
export function endpointNamespace(service: EntryService, e: ServiceEntryEndpoint): string {
  return e.workloadEntry?.namespace ?? e.pod?.namespace ?? service.namespace;
}

/**
 * The PeerAuthentication mode of an endpoint's labels on its port, as
 * pilot's mtls_checker evaluates it (for a WorkloadEntry: its merged labels
 * in its namespace; SEMANTICS §4 rule 5).
 * @internal
 */
export function endpointModeDecision(ctx: AnalysisContext, service: EntryService, e: ServiceEntryEndpoint): ModeDecision {
  const server = ctx.hypotheticalMode(endpointNamespace(service, e), e.labels);
  return e.port !== undefined ? server.portMode(e.port) : server;
}

/** What auto mTLS reads: only DISABLE turns it off, so an ambiguous mode that could be DISABLE counts as DISABLE. */
function clientMode(d: ModeDecision): PeerAuthenticationMode {
  if (d.mode !== 'ambiguous') return d.mode;
  return d.possibleModes.includes('DISABLE') ? 'DISABLE' : d.possibleModes[0] ?? 'PERMISSIVE';
}

const DISABLED_FACT: EndpointTlsFacts = Object.freeze({ tlsModeLabel: 'disabled', peerAuthenticationMode: 'PERMISSIVE' });

function isDisabledLabel(label: string | undefined): boolean {
  return label === undefined || label === 'disabled';
}

/**
 * What client sidecars send to each endpoint of `service` (SEMANTICS §0),
 * for every host and both representative client namespaces (another
 * namespace and the service's own), on the default cluster of each port.
 * @internal
 */
export function endpointSends(ctx: AnalysisContext, service: EntryService): EndpointSend[] {
  const out: EndpointSend[] = [];
  if (service.endpoints.length === 0) return out;
  const modes = new Map<ServiceEntryEndpoint, PeerAuthenticationMode>();
  const modeOf = (e: ServiceEntryEndpoint): PeerAuthenticationMode => {
    let m = modes.get(e);
    if (m === undefined) { m = clientMode(endpointModeDecision(ctx, service, e)); modes.set(e, m); }
    return m;
  };
  const byPort = new Map<number, ServiceEntryEndpoint[]>();
  for (const e of service.endpoints) {
    const l = byPort.get(e.servicePort);
    if (l) l.push(e); else byPort.set(e.servicePort, [e]);
  }
  const model = ctx.model;
  const namespaceDisable = ctx.namespaceMode(service.namespace).mode === 'DISABLE';
  for (const host of service.hosts) {
    for (const client of ctx.clientContexts(service.namespace)) {
      const rule = ctx.lookup(client, host, service.namespace).rule;
      for (const [servicePort, endpoints] of byPort) {
        const policy = rule ? clusterPolicyFor(rule.traffic, undefined, servicePort) : undefined;
        const facts = endpoints.map((e): EndpointTlsFacts => ({ tlsModeLabel: e.tlsMode, peerAuthenticationMode: modeOf(e) }));
        const disabled = facts.filter((f) => isDisabledLabel(f.tlsModeLabel)).length;
        const input: ClusterTlsInput = {
          clusterTls: policy?.tls,
          endpointLevelTls: rule ? endpointLevelTlsFor(rule.traffic, undefined, servicePort) : undefined,
          autoMtls: model.options.autoMtls,
          meshExternal: service.meshExternal,
          serviceNamespaceModeDisable: namespaceDisable,
          passthrough: service.passthrough || isPassthroughLoadBalancer(rule?.traffic.trafficPolicy),
          originalDstCluster: service.passthrough || isPassthroughLoadBalancer(policy),
          endpoints: facts,
          ruleHasWorkloadSelector: rule?.traffic.hasWorkloadSelector ?? false,
        };
        const sent = clusterTlsFor(input).perEndpoint;
        const internal = service.meshExternal ? clusterTlsFor({ ...input, meshExternal: false }).perEndpoint : sent;
        endpoints.forEach((endpoint, i) => {
          let sentIfIstio = sent[i];
          if (facts[i].tlsModeLabel !== 'istio') {
            // The passthrough hint only asks whether any endpoint is disabled: stand the others in by one fact.
            const others = disabled - (isDisabledLabel(facts[i].tlsModeLabel) ? 1 : 0);
            const swapped: EndpointTlsFacts = { tlsModeLabel: 'istio', peerAuthenticationMode: facts[i].peerAuthenticationMode };
            sentIfIstio = clusterTlsFor({
              ...input, endpoints: [swapped], serviceEndpoints: others > 0 ? [swapped, DISABLED_FACT] : [swapped],
            }).perEndpoint[0];
          }
          out.push({ service, endpoint, host, auto: policy?.tls === undefined, sent: sent[i], sentIfInternal: internal[i], sentIfIstio });
        });
      }
    }
  }
  return out;
}

/** `Deployment ns/name`, `WorkloadEntry ns/name (address)` or `endpoint i (address)`, with the port. */
export function describeEndpoint(service: EntryService, e: ServiceEntryEndpoint): string {
  const port = e.port !== undefined ? `:${e.port}` : '';
  if (e.pod) {
    const w = service.pods.get(podKey(e.pod.namespace, e.pod.name));
    return `${w?.kind ?? 'pod'} ${e.pod.namespace}/${e.pod.name}${port}`;
  }
  if (e.workloadEntry) return `WorkloadEntry ${e.workloadEntry.namespace}/${e.workloadEntry.name} (${e.address}${port})`;
  return `endpoint ${e.endpointIndex ?? 0} (${e.address}${port})`;
}

interface Judged {
  readonly text: string;
  readonly strict: boolean;
  readonly decidedBy?: ResourceRef;
  readonly entry?: ResourceRef;
}

/** Whether the endpoint refuses plaintext, as its sidecar (pods) or the VM's proxy (entries, [U]) enforces; undefined to leave it out. */
function judgeServer(ctx: AnalysisContext, service: EntryService, e: ServiceEntryEndpoint): Judged | undefined {
  if (e.port === undefined) return undefined;
  const where = describeEndpoint(service, e);
  if (e.pod) {
    const w = service.pods.get(podKey(e.pod.namespace, e.pod.name));
    if (!w) return undefined;
    const p = resolveInbound(ctx.model, w).port(e.port);
    // Uncaptured ports take plaintext and would choke on mTLS: MESH_INTERNAL is no fix there.
    if (!p.captured || p.accepts === 'plaintext') return undefined;
    return { text: `${where} is ${describeDecision(p)}`, strict: p.accepts === 'mtls', decidedBy: p.decidedBy?.ref };
  }
  const d = endpointModeDecision(ctx, service, e);
  if (d.mode === 'DISABLE') return undefined;
  const entry = e.workloadEntry
    ? { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', namespace: e.workloadEntry.namespace, name: e.workloadEntry.name }
    : undefined;
  return { text: `${where} is ${describeDecision(d)} for its labels`, strict: d.mode === 'STRICT', decidedBy: d.decidedBy?.ref, entry };
}

function pushRef(list: ResourceRef[], ref: ResourceRef | undefined): void {
  if (ref && !list.some((r) => r.kind === ref.kind && r.namespace === ref.namespace && r.name === ref.name)) list.push(ref);
}

export const serviceEntryMeshExternal: AnalysisRule = {
  info: SERVICE_ENTRY_MESH_EXTERNAL,
  check(ctx): Finding[] {
    const out: Finding[] = [];
    for (const service of entryServices(ctx.model).serviceEntries) {
      const se = service.serviceEntry!;
      if (!service.meshExternal) continue;
      const fixable = endpointSends(ctx, service).filter((s) => s.sent === 'plaintext' && s.sentIfInternal === 'istio-mtls');
      if (fixable.length === 0) continue;
      const seen = new Set<ServiceEntryEndpoint>();
      const judged: Judged[] = [];
      const hosts: string[] = [];
      for (const s of fixable) {
        if (!hosts.includes(s.host)) hosts.push(s.host);
        if (seen.has(s.endpoint)) continue;
        seen.add(s.endpoint);
        const j = judgeServer(ctx, service, s.endpoint);
        if (j && !judged.some((x) => x.text === j.text)) judged.push(j);
      }
      if (judged.length === 0) continue;
      const strict = judged.filter((j) => j.strict);
      const shown = [...strict, ...judged.filter((j) => !j.strict)];
      const related: ResourceRef[] = [];
      for (const j of shown) { pushRef(related, j.decidedBy); pushRef(related, j.entry); }
      const location = se.locationDefaulted ? 'MESH_EXTERNAL (location not written: the default)' : 'MESH_EXTERNAL (written)';
      const outcome = strict.length > 0
        ? 'so client sidecars send plaintext and the STRICT endpoints refuse it'
        : 'so client sidecars send plaintext, which they accept unencrypted and without client identity';
      out.push(findingOf(SERVICE_ENTRY_MESH_EXTERNAL, {
        resource: se.ref,
        path: '/spec/location',
        severity: strict.length > 0 ? 'error' : 'warning',
        message: `ServiceEntry ${se.namespace}/${se.name} (${listSome(hosts)}) is ${location} but its endpoints are mesh workloads: `
          + `${listSome(shown.map((j) => j.text))}; auto mTLS never applies to a MESH_EXTERNAL host and no DestinationRule tls applies to the port, ${outcome}`,
        fix: 'set location: MESH_INTERNAL so auto mTLS sends Istio mTLS to them (or set tls.mode ISTIO_MUTUAL in a DestinationRule for the host)',
        related,
      }));
    }
    return out;
  },
};
