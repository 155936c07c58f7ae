import { Finding, findingOf, pointer } from '../../model/finding';
import { ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';
import { ServiceEntryEndpoint } from '../../model/service-entries';
import { TLS_MODE } from '../../resolution/injection';
import { ModeDecision } from '../../resolution/server-mode';
import { AnalysisContext, describeDecision } from '../context';
import { AnalysisRule, listSome } from '../rule';
import { EndpointSend, endpointModeDecision, endpointSends, entryServices } from './service-entry-mesh-external';

export const WORKLOAD_ENTRY_TLS_MODE: RuleInfo = {
  code: 'IMA029',
  category: 'workload-entry-tls-mode',
  severity: 'warning',
  title: 'WorkloadEntry tlsMode contradicts what the manifests say about its proxy',
  explanation: 'Pilot gives a WorkloadEntry (or a ServiceEntry inline endpoint) the tlsMode of its `security.istio.io/tlsMode` '
    + 'label, else `istio` when it names a `serviceAccount`, else `disabled`; a WorkloadEntry\'s labels are `spec.labels` merged '
    + 'with `metadata.labels`, metadata winning. Auto mTLS sends Istio mTLS only to the exact value `istio`, and evaluates '
    + 'PeerAuthentication selectors against the entry\'s labels. Reported where auto mTLS decides (no DestinationRule tls): '
    + 'a serviceAccount without the label makes clients send Istio mTLS, which fails if the VM runs no istio-proxy (that cannot '
    + 'be seen offline: warning, unless a STRICT PeerAuthentication written for the entry\'s labels says it runs one); a tlsMode other than istio while a STRICT PeerAuthentication selects the entry\'s labels makes '
    + 'clients send plaintext, which the VM\'s proxy refuses if it selects policies by the same labels (error); a value that is '
    + 'neither istio nor disabled (e.g. `Istio`, `true`) yields plaintext (warning). Entries behind a MESH_EXTERNAL ServiceEntry '
    + 'are service-entry-mesh-external\'s.',
  source: 'pilot/pkg/serviceregistry/serviceentry/conversion.go (getTLSModeFromWorkloadEntry, ConvertWorkloadEntry), '
    + 'pilot/pkg/xds/endpoints/mtls_checker.go',
};

interface EntryGroup {
  readonly resource: ResourceRef;
  readonly subject: string;
  readonly labelPath: string;
  readonly serviceAccountPath: string;
  readonly workloadEntry: boolean;
  readonly sends: EndpointSend[];
}

function groupOf(ctx: AnalysisContext, s: EndpointSend): { key: string; make: () => EntryGroup } | undefined {
  const e = s.endpoint;
  if (e.kind === 'workload-entry' && e.workloadEntry) {
    const { namespace, name } = e.workloadEntry;
    return {
      key: `we\u0000${namespace}\u0000${name}`,
      make: () => {
        const we = ctx.model.workloadEntries.find((w) => w.namespace === namespace && w.name === name);
        return {
          resource: we?.ref ?? { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', namespace, name },
          subject: `WorkloadEntry ${namespace}/${name}`,
          labelPath: pointer('spec', 'labels', TLS_MODE),
          serviceAccountPath: pointer('spec', 'serviceAccount'),
          workloadEntry: true,
          sends: [],
        };
      },
    };
  }
  if (e.kind === 'inline' && e.endpointIndex !== undefined && s.service.serviceEntry) {
    const se = s.service.serviceEntry;
    const i = e.endpointIndex;
    return {
      key: `se\u0000${se.namespace}\u0000${se.name}\u0000${i}`,
      make: () => ({
        resource: se.ref,
        subject: `ServiceEntry ${se.namespace}/${se.name} endpoint ${i} (${e.address})`,
        labelPath: pointer('spec', 'endpoints', i, 'labels', TLS_MODE),
        serviceAccountPath: pointer('spec', 'endpoints', i, 'serviceAccount'),
        workloadEntry: false,
        sends: [],
      }),
    };
  }
  return undefined;
}

function where(sends: readonly EndpointSend[]): string {
  const out: string[] = [];
  for (const s of sends) {
    const w = `${s.service.describe} port ${s.endpoint.servicePort}`;
    if (!out.includes(w)) out.push(w);
  }
  return listSome(out);
}

function hasTlsModeLabel(e: ServiceEntryEndpoint): boolean {
  return Object.prototype.hasOwnProperty.call(e.labels, TLS_MODE);
}

/** A STRICT policy written for the entry's labels (workload or port level) says the VM runs istio-proxy. */
function strictForEntry(ctx: AnalysisContext, s: EndpointSend): boolean {
  const d = endpointModeDecision(ctx, s.service, s.endpoint);
  return d.mode === 'STRICT' && (d.level === 'workload' || d.level === 'port');
}

function impliedIstio(ctx: AnalysisContext, g: EntryGroup, e: ServiceEntryEndpoint): Finding | undefined {
  if (hasTlsModeLabel(e) || !e.serviceAccount) return undefined;
  const mtls = g.sends.filter((s) => s.auto && s.sent === 'istio-mtls' && !strictForEntry(ctx, s));
  if (mtls.length === 0) return undefined;
  return findingOf(WORKLOAD_ENTRY_TLS_MODE, {
    resource: g.resource,
    path: g.serviceAccountPath,
    message: `${g.subject} sets serviceAccount ${e.serviceAccount} and no ${TLS_MODE} label, so pilot gives it tlsMode istio and client sidecars `
      + `send it Istio mTLS (${where(mtls)}); whether the VM runs istio-proxy cannot be seen offline: without one every call fails`,
    fix: `if the VM runs no istio-proxy, label the entry ${TLS_MODE}: disabled; if it runs one, label it ${TLS_MODE}: istio to say so`,
  });
}

function tlsModeOrigin(g: EntryGroup, e: ServiceEntryEndpoint): string {
  if (!hasTlsModeLabel(e)) return `has no serviceAccount and no ${TLS_MODE} label, so pilot gives it tlsMode disabled`;
  const merged = g.workloadEntry ? ' (metadata.labels win over spec.labels)' : '';
  return `is labelled ${TLS_MODE}: ${e.tlsMode}${merged}`;
}

function notIstio(ctx: AnalysisContext, g: EntryGroup, e: ServiceEntryEndpoint): Finding | undefined {
  if (e.tlsMode === 'istio') return undefined;
  // Only where the label decides: auto mTLS, and tlsMode istio would have given Istio mTLS.
  const plaintext = g.sends.filter((s) => s.auto && s.sent === 'plaintext' && s.sentIfIstio === 'istio-mtls');
  if (plaintext.length === 0) return undefined;
  const strict: { send: EndpointSend; decision: ModeDecision }[] = [];
  for (const send of plaintext) {
    const decision = endpointModeDecision(ctx, send.service, send.endpoint);
    if (decision.mode === 'STRICT') strict.push({ send, decision });
  }
  const path = hasTlsModeLabel(e) ? g.labelPath : g.serviceAccountPath;
  if (strict.length > 0) {
    const decision = strict[0].decision;
    const fix = hasTlsModeLabel(e)
      ? `if the VM runs istio-proxy, set ${TLS_MODE}: istio${g.workloadEntry ? ' (in metadata.labels too if it is set there: metadata wins)' : ''}; `
      : 'if the VM runs istio-proxy, set serviceAccount to its service account; ';
    return findingOf(WORKLOAD_ENTRY_TLS_MODE, {
      resource: g.resource,
      path,
      severity: 'error',
      message: `${g.subject} ${tlsModeOrigin(g, e)}, but its labels are ${describeDecision(decision)}; client sidecars send it plaintext `
        + `(${where(strict.map((s) => s.send))}), which the VM's istio-proxy refuses if it selects policies by the entry's labels, as STRICT implies it runs one`,
      fix: `${fix}if it runs none, nothing enforces STRICT there: exclude the entry's labels from the STRICT policy`,
      related: decision.decidedBy ? [decision.decidedBy.ref] : [],
    });
  }
  if (!hasTlsModeLabel(e) || e.tlsMode === 'disabled') return undefined;
  return findingOf(WORKLOAD_ENTRY_TLS_MODE, {
    resource: g.resource,
    path,
    message: `${g.subject} ${tlsModeOrigin(g, e)}; auto mTLS sends Istio mTLS only to the exact value istio, so client sidecars send it `
      + `plaintext (${where(plaintext)})`,
    fix: `write ${TLS_MODE}: istio if the VM runs istio-proxy, or disabled if it runs none`,
  });
}

export const workloadEntryTlsMode: AnalysisRule = {
  info: WORKLOAD_ENTRY_TLS_MODE,
  check(ctx): Finding[] {
    const services = entryServices(ctx.model);
    const groups = new Map<string, EntryGroup>();
    for (const service of [...services.serviceEntries, ...services.kubernetesServices]) {
      // A MESH_EXTERNAL host never gets auto mTLS, whatever the tlsMode: service-entry-mesh-external reports it.
      if (service.meshExternal) continue;
      if (!service.endpoints.some((e) => e.kind === 'workload-entry' || e.kind === 'inline')) continue;
      for (const s of endpointSends(ctx, service)) {
        const g = groupOf(ctx, s);
        if (!g) continue;
        let group = groups.get(g.key);
        if (!group) { group = g.make(); groups.set(g.key, group); }
        group.sends.push(s);
      }
    }
    const out: Finding[] = [];
    for (const g of groups.values()) {
      const e = g.sends[0].endpoint;
      const implied = impliedIstio(ctx, g, e);
      if (implied) out.push(implied);
      const other = notIstio(ctx, g, e);
      if (other) out.push(other);
    }
    return out;
  },
};
