import { AUGMENTED_LABELS } from './route-subset-missing';
import { Finding, findingOf } from '../../model/finding';
import { isWildcardHost } from '../../model/hosts';
import { Labels, formatLabels, isEmptyLabels, selectorMatches } from '../../model/labels';
import { DestinationRulePolicy } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { workloadEntryEndpointLabels } from '../../model/service-entries';
import { SubsetInfo } from '../../model/traffic-policy';
import { VirtualServiceInfo } from '../../model/virtual-services';
import { serviceEntryOf, serviceForHost, serversOf } from '../../resolution/connection';
import { AnalysisContext } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const SUBSET_MATCHES_NOTHING: RuleInfo = {
  code: 'IMA036',
  category: 'subset-matches-nothing',
  severity: 'warning',
  title: 'A DestinationRule subset selects no endpoint of its host',
  explanation: 'A subset is a cluster of the host\'s endpoints whose labels match the subset\'s labels: for a Kubernetes '
    + 'Service, its pods (the Service selector) and the WorkloadEntries the selector matches; for a ServiceEntry, the '
    + 'workloads its workloadSelector picks, else its inline endpoints. A subset whose labels match none of them gives a '
    + 'cluster without endpoints, and requests routed to it fail with 503. The rule reports such a subset as a warning '
    + 'when a VirtualService route or mirror names it (IMA027 `route-subset-missing` reports the same route from the '
    + 'clients\' side), and as info when nothing routes to it: an unused subset harms nothing today but breaks the first '
    + 'route that uses it (the Bookinfo sample defines subsets for versions it does not deploy; Kiali shows them with '
    + 'severity "unknown"). A subset without labels selects every endpoint, like the host\'s default cluster (info, Kiali\'s '
    + 'KIA0209). Labels pilot adds from the node, cluster and network (topology.*, kubernetes.io/hostname) are not known '
    + 'offline and are taken to match, except an empty value, which pilot never sets. istioctl\'s IST0173 matches the '
    + 'subset labels against every Pod of every namespace, ignoring the Service selector, WorkloadEntries and ServiceEntry '
    + 'endpoints; here the host\'s own endpoints count. Offline, a Service is judged only when the input holds workloads '
    + 'of its namespace (or WorkloadEntries it selects); wildcard hosts and hosts not in the input are not judged.',
  source: 'pilot/pkg/networking/core/cluster.go (subset clusters), pilot/pkg/model/service.go (AugmentLabels), '
    + 'pkg/config/analysis/analyzers/destinationrule/subset.go (IST0173)',
  upstream: 'Istio 1.30.3; istioctl IST0173; Kiali v2.30.0 KIA0203, KIA0209',
};

/** The label sets of the host's endpoints in the input; undefined when the input cannot tell. */
function endpointLabels(ctx: AnalysisContext, host: string): { labels: Labels[]; what: string } | undefined {
  const m = ctx.model;
  const service = serviceForHost(m, host);
  if (!service) return undefined;
  const entry = serviceEntryOf(service);
  const servers = serversOf(m, service).map((w) => w.labels);
  if (!entry) {
    if (!service.selector) return undefined;
    if (!ctx.hasWorkloads(service.namespace) && servers.length === 0) return undefined;
    return { labels: servers, what: `the endpoints of Service ${service.namespace}/${service.name} (selector ${formatLabels(service.selector)})` };
  }
  const se = entry.se;
  if (se.workloadSelector) {
    if (!ctx.hasWorkloads(se.namespace) && servers.length === 0) return undefined;
    return { labels: servers, what: `the workloads ServiceEntry ${se.namespace}/${se.name} selects (${formatLabels(se.workloadSelector)})` };
  }
  if (se.endpoints.length === 0) return undefined;
  return { labels: se.endpoints.map((e) => workloadEntryEndpointLabels(e)), what: `the endpoints of ServiceEntry ${se.namespace}/${se.name}` };
}

/** Whether the subset's labels match an endpoint: topology labels with a value are unknown offline and taken to match. */
function selectsSome(subset: Labels, endpoints: readonly Labels[]): boolean {
  const known: Record<string, string> = {};
  for (const [k, v] of Object.entries(subset)) {
    if (!AUGMENTED_LABELS.has(k)) known[k] = v;
    // Pilot never sets an empty topology label, so such a value matches nothing.
    else if (v === '') return false;
  }
  return endpoints.some((l) => selectorMatches(known, l));
}

/** The VirtualServices whose routes or mirrors name host+subset. */
function routesTo(vss: readonly VirtualServiceInfo[], host: string, subset: string): string[] {
  const out: string[] = [];
  for (const vs of vss) {
    const uses = [...vs.http, ...vs.tls, ...vs.tcp]
      .some((r) => [...r.destinations, ...r.mirrors].some((d) => d.fqdn === host && d.subset === subset));
    if (uses) out.push(`${vs.namespace}/${vs.name}`);
  }
  return out;
}

function subsetFinding(d: DestinationRulePolicy, s: SubsetInfo, endpoints: { what: string }, routes: string[]): Finding {
  const rule = `DestinationRule ${d.namespace}/${d.name}`;
  const used = routes.length > 0
    ? `VirtualService ${listSome(routes)} routes to it, and those requests fail with 503 (no healthy upstream)`
    : 'no VirtualService routes to it yet; the first route that does will fail with 503';
  return findingOf(SUBSET_MATCHES_NOTHING, {
    resource: d.ref,
    path: s.path,
    severity: routes.length > 0 ? 'warning' : 'info',
    message: `Subset ${s.name} of ${rule} (host ${d.fqdn}) has labels ${formatLabels(s.labels)}, which match none of ${endpoints.what} in `
      + `the input, so its cluster has no endpoints; ${used}`,
    fix: `correct the labels of subset ${s.name} to those of the pods meant, or remove the subset`,
  });
}

export const subsetMatchesNothing: AnalysisRule = {
  info: SUBSET_MATCHES_NOTHING,
  check(ctx): Finding[] {
    const m = ctx.model;
    const out: Finding[] = [];
    for (const d of m.destinationRules) {
      if (d.traffic.subsets.length === 0 || isWildcardHost(d.fqdn) || d.fqdn === '') continue;
      let endpoints: { labels: Labels[]; what: string } | undefined | null = null;
      for (const s of d.traffic.subsets) {
        if (isEmptyLabels(s.labels)) {
          out.push(findingOf(SUBSET_MATCHES_NOTHING, {
            resource: d.ref,
            path: s.path,
            severity: 'info',
            message: `Subset ${s.name} of DestinationRule ${d.namespace}/${d.name} has no labels, so it selects every endpoint of ${d.fqdn}, `
              + 'like the host\'s default cluster',
            fix: `give subset ${s.name} the labels of the version it stands for, or route to the host without a subset`,
          }));
          continue;
        }
        if (endpoints === null) endpoints = endpointLabels(ctx, d.fqdn);
        if (!endpoints || selectsSome(s.labels, endpoints.labels)) continue;
        out.push(subsetFinding(d, s, endpoints, routesTo(m.virtualServices, d.fqdn, s.name)));
      }
    }
    return out;
  },
};
