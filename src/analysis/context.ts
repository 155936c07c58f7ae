import { pointer } from '../model/finding';
import { placeholderHost } from '../model/hosts';
import { Workload } from '../model/inventory';
import { Labels } from '../model/labels';
import { MeshModel } from '../model/mesh-model';
import { DestinationRulePolicy, PeerAuthenticationPolicy } from '../model/policies';
import { DataplaneResolution, resolveDataplane } from '../resolution/dataplane';
import { ClientContext, DestinationRuleLookup, destinationRuleVariants, lookupDestinationRule } from '../resolution/destination-rule-lookup';
import { ResolutionCache } from '../resolution/explain';
import { InboundResolution, resolveInbound } from '../resolution/inbound';
import { ModeDecision, ServerModeResolution, resolveNamespaceMode, resolveServerMode } from '../resolution/server-mode';

/** A namespace name no input can use: stands for "a namespace with no DestinationRules or policies of its own". */
export const ANY_OTHER_NAMESPACE = '~other~';

/** Shared, memoized facts for the rules of one analysis run. */
export class AnalysisContext {
  readonly cache: ResolutionCache;
  private readonly nsModes = new Map<string, ModeDecision>();
  private readonly standIns = new Map<string, Workload>();
  /** One object per namespace and labels, so the memoized resolutions keyed by workload are reused. */
  private readonly hypotheticals = new Map<string, Workload>();

  /** `namespaces`: how many namespaces' resolved facts are kept (see ResolutionCache). */
  constructor(readonly model: MeshModel, namespaces?: number) {
    this.cache = new ResolutionCache(model, namespaces);
  }

  sidecar(w: Workload): boolean {
    return this.cache.sidecar(w);
  }

  server(w: Workload): ServerModeResolution {
    return this.cache.server(w);
  }

  /** Which proxy handles the workload's traffic (sidecar, ambient or none), and how it captures it. */
  dataplane(w: Workload): DataplaneResolution {
    return resolveDataplane(this.model, w);
  }

  /** What each port of the workload takes in fact (its proxy's mode, or plaintext where no proxy captures it). */
  inbound(w: Workload): InboundResolution {
    return resolveInbound(this.model, w);
  }

  /** The mode from mesh and namespace policies alone (`~other~` gives the mesh level). */
  namespaceMode(namespace: string): ModeDecision {
    let d = this.nsModes.get(namespace);
    if (!d) { d = resolveNamespaceMode(this.model, namespace); this.nsModes.set(namespace, d); }
    return d;
  }

  /** The mode a hypothetical workload with `labels` in `namespace` would get (for policies whose workloads are not in the input). */
  hypotheticalMode(namespace: string, labels: Labels): ServerModeResolution {
    return resolveServerMode(this.model, this.hypothetical(namespace, labels));
  }

  /** The data plane a hypothetical workload with `labels` in `namespace` would get (from the Namespace's labels, if in the input). */
  hypotheticalDataplane(namespace: string, labels: Labels): DataplaneResolution {
    return resolveDataplane(this.model, this.hypothetical(namespace, labels));
  }

  /** What the ports of a hypothetical workload with `labels` in `namespace` would take. */
  hypotheticalInbound(namespace: string, labels: Labels): InboundResolution {
    return resolveInbound(this.model, this.hypothetical(namespace, labels));
  }

  private hypothetical(namespace: string, labels: Labels): Workload {
    const key = `${namespace}\u0000${JSON.stringify(Object.entries(labels).sort())}`;
    let w = this.hypotheticals.get(key);
    if (!w) {
      w = {
        ref: { apiVersion: '', kind: '', namespace, name: '' },
        kind: '',
        namespace,
        name: '',
        key: `${namespace}//`,
        labels,
        podAnnotations: {},
        ports: [],
        serviceAccount: 'default',
        hostNetwork: false,
        hasProxyContainer: false,
      };
      this.hypotheticals.set(key, w);
    }
    return w;
  }

  /** A sidecar client with no labels in `namespace`, standing for the in-mesh callers there (one per namespace and analysis). */
  sidecarClientIn(namespace: string): Workload {
    let c = this.standIns.get(namespace);
    if (!c) {
      c = {
        ref: { apiVersion: '', kind: '', namespace, name: '' },
        kind: 'client',
        namespace,
        name: '',
        key: `${namespace}/client/`,
        labels: {},
        // The injector's status: a sidecar, whatever the namespace's labels.
        podAnnotations: { 'sidecar.istio.io/status': '{}' },
        ports: [],
        serviceAccount: 'default',
        hostNetwork: false,
        hasProxyContainer: true,
      };
      this.standIns.set(namespace, c);
    }
    return c;
  }

  hasWorkloads(namespace: string): boolean {
    return this.model.workloadsIn(namespace).length > 0;
  }

  /**
   * The client contexts whose view of a host stands for the mesh: a client in
   * some other namespace, and a client in `ownNamespace` (a policy's own
   * namespace, unless it is the root namespace, home of the control plane and gateways).
   */
  clientContexts(ownNamespace: string, labels?: Labels): ClientContext[] {
    const out: ClientContext[] = [{ namespace: ANY_OTHER_NAMESPACE }];
    if (ownNamespace !== this.model.options.rootNamespace) out.push({ namespace: ownNamespace, labels });
    return out;
  }

  lookup(client: ClientContext, hostname: string, serviceNamespace: string): DestinationRuleLookup {
    return lookupDestinationRule(this.model, client, hostname, serviceNamespace);
  }

  /** True when some representative client would use `dr` for `hostname` (its policy, when competing rules leave it to their age). */
  isChosen(dr: DestinationRulePolicy, hostname: string, serviceNamespace: string): boolean {
    return this.clientContexts(dr.namespace, dr.workloadSelector).some((c) => {
      const lookup = this.lookup(c, hostname, serviceNamespace);
      return lookup.rule === dr || (lookup.competing.includes(dr) && destinationRuleVariants(lookup).some((v) => v.rule === dr));
    });
  }

  placeholder(namespace: string): string {
    return placeholderHost(namespace, this.model.options.clusterDomain);
  }
}

export function describeWorkload(w: Workload): string {
  return `${w.kind} ${w.namespace}/${w.name}`;
}

export function describePolicy(p: { ref: { kind: string }; namespace: string; name: string }): string {
  return `${p.ref.kind || 'policy'} ${p.namespace}/${p.name}`;
}

export function describeDecision(d: ModeDecision): string {
  if (d.mode === 'ambiguous') return `${d.possibleModes.join(' or ')} (competing PeerAuthentications)`;
  return d.decidedBy ? `${d.mode} (PeerAuthentication ${d.decidedBy.namespace}/${d.decidedBy.name})` : `${d.mode} (Istio default)`;
}

/** Mode and port-level modes, as a comparable key: duplicates that agree have the same. */
export function effectKey(p: PeerAuthenticationPolicy): string {
  return `${p.mode}|${p.portLevel.map((x) => `${x.port}=${x.mode}`).join(',')}`;
}

/** The JSON pointer of a pod-template label or annotation (`field`) of a workload, whatever its kind; the map itself without `key`. */
export function podTemplatePointer(w: Workload, field: 'labels' | 'annotations', key?: string): string {
  const base = w.kind === 'Pod' ? ['metadata'] : w.kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'metadata'] : ['spec', 'template', 'metadata'];
  return pointer(...base, field, ...(key === undefined ? [] : [key]));
}
