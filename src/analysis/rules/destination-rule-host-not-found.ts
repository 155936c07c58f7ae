import { Finding, findingOf } from '../../model/finding';
import { hostMatches, isWildcardHost, namespaceOfHost } from '../../model/hosts';
import { MeshModel } from '../../model/mesh-model';
import { DestinationRulePolicy } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { ServiceEntryInfo } from '../../model/service-entries';
import { AnalysisRule } from '../rule';

export const DESTINATION_RULE_HOST_NOT_FOUND: RuleInfo = {
  code: 'IMA035',
  category: 'destination-rule-host-not-found',
  severity: 'warning',
  title: 'A DestinationRule\'s host matches no Service or ServiceEntry',
  explanation: 'istiod resolves a DestinationRule host once: `*` stays, a name without dots becomes '
    + '`<name>.<rule namespace>.svc.<domain>`, and any other name is taken literally. A rule is used only for hosts of the '
    + 'service registry (Kubernetes Services as `<name>.<namespace>.svc.<domain>`, ServiceEntry hosts), so a host that '
    + 'matches none of them applies to nothing: its tls, load balancing and subsets are silently unused. `reviews.bookinfo` '
    + 'and `reviews.bookinfo.svc` are such literal names, although Kiali (KIA0202) accepts them. A wildcard host is '
    + 'reported only when it covers no Service or ServiceEntry of the input (istioctl\'s IST0174 reports `*.local` and '
    + '`*.<ns>.svc.cluster.local` always, since it compares wildcards with wildcard ServiceEntries only; Kiali never). '
    + 'A ServiceEntry counts when it is visible to the rule\'s namespace (its exportTo), or when the rule sits in the '
    + 'entry\'s own or the root namespace (clients reach those rules from anywhere); a wildcard ServiceEntry covering the '
    + 'host counts too. Offline, "no such Service" can only mean "not in the input", so a host of a namespace is judged '
    + 'only when the input holds Services of that namespace, a mesh-wide wildcard only when it holds some Service, and an '
    + 'external name only when it holds ServiceEntries. The Service annotation `networking.istio.io/exportTo` is not '
    + 'read (a Service always counts as visible).',
  source: 'pilot/pkg/model/config.go (ResolveShortnameToFQDN), pilot/pkg/model/push_context.go (destinationRule), '
    + 'pkg/config/analysis/analyzers/destinationrule/subset.go (IST0174)',
  upstream: 'Istio 1.30.3; istioctl IST0174; Kiali v2.30.0 KIA0202',
};

/** A ServiceEntry host as istiod names it: a short name is qualified with the entry's namespace. */
function entryHost(m: MeshModel, se: ServiceEntryInfo, host: string): string {
  return host.includes('.') || host.startsWith('*') ? host : `${host}.${se.namespace}.svc.${m.options.clusterDomain}`;
}

/** True when the rule's host and the entry's host cover one another (exact, or either a wildcard over the other). */
function covers(ruleHost: string, host: string): boolean {
  return hostMatches(ruleHost, host) || (isWildcardHost(host) && hostMatches(host, ruleHost));
}

/** Whether clients that use rules of `d`'s namespace can see the entry's hosts. */
function visibleTo(m: MeshModel, se: ServiceEntryInfo, d: DestinationRulePolicy): boolean {
  if (d.namespace === m.options.rootNamespace || d.namespace === se.namespace) return true;
  return se.exportTo.length === 0 || se.exportTo.includes('*') || se.exportTo.includes(d.namespace);
}

/** What the input says of the host: a Service or entry covers it, or only entries the rule's namespace cannot see. */
function lookFor(m: MeshModel, d: DestinationRulePolicy): { found: boolean; hidden: ServiceEntryInfo[] } {
  if (m.servicesMatchingHost(d.fqdn).length > 0) return { found: true, hidden: [] };
  const hidden: ServiceEntryInfo[] = [];
  for (const se of m.serviceEntries) {
    if (!se.hosts.some((h) => covers(d.fqdn, entryHost(m, se, h)))) continue;
    if (visibleTo(m, se, d)) return { found: true, hidden: [] };
    hidden.push(se);
  }
  return { found: false, hidden };
}

/** `reviews.bookinfo`, `reviews.bookinfo.svc`, `reviews.bookinfo.svc.cluster`: a Service name written partly, which istiod takes literally. */
function partialServiceName(m: MeshModel, fqdn: string): { service: string; namespace: string } | undefined {
  const labels = fqdn.split('.');
  if (labels.length < 2 || fqdn.startsWith('*')) return undefined;
  const [name, namespace, ...rest] = labels;
  const full = ['svc', ...m.options.clusterDomain.split('.')];
  if (rest.length >= full.length || !rest.every((l, i) => l === full[i])) return undefined;
  return m.servicesIn(namespace).length > 0 ? { service: name, namespace } : undefined;
}

/** Whether the input holds what the host would have to be found among; undefined when it does not. */
function judgedBecause(m: MeshModel, fqdn: string): string | undefined {
  const ns = namespaceOfHost(fqdn, m.options.clusterDomain);
  if (ns !== undefined) return m.servicesIn(ns).length > 0 ? `the input holds the Services of namespace ${ns}` : undefined;
  const domain = `.${m.options.clusterDomain}`;
  const clusterWide = isWildcardHost(fqdn) && (domain.endsWith(fqdn.slice(1)) || fqdn.endsWith(domain));
  if (clusterWide) return m.services.length > 0 ? 'the input holds Services' : undefined;
  return m.serviceEntries.length > 0 ? 'the input holds ServiceEntries' : undefined;
}

export const destinationRuleHostNotFound: AnalysisRule = {
  info: DESTINATION_RULE_HOST_NOT_FOUND,
  check(ctx): Finding[] {
    const m = ctx.model;
    const out: Finding[] = [];
    for (const d of m.destinationRules) {
      if (d.fqdn === '' || d.fqdn === '*') continue;
      const { found, hidden } = lookFor(m, d);
      if (found) continue;
      const rule = `DestinationRule ${d.namespace}/${d.name}`;
      const written = d.host.trim().toLowerCase() !== d.fqdn ? ` (written "${d.host}")` : '';
      const partial = partialServiceName(m, d.fqdn);
      if (partial) {
        out.push(findingOf(DESTINATION_RULE_HOST_NOT_FOUND, {
          resource: d.ref,
          path: '/spec/host',
          message: `${rule} has host ${d.fqdn}, which istiod takes literally (only a name without dots is completed): it is not `
            + `Service ${partial.namespace}/${partial.service}, matches no Service or ServiceEntry, and the rule applies to nothing`,
          fix: `write "${partial.service}.${partial.namespace}.svc.${m.options.clusterDomain}"`
            + `${partial.namespace === d.namespace ? ` or "${partial.service}"` : ''}`,
        }));
        continue;
      }
      const because = judgedBecause(m, d.fqdn);
      if (because === undefined) continue;
      const why = hidden.length > 0
        ? `only ServiceEntry ${hidden.map((se) => `${se.namespace}/${se.name}`).join(', ')} declares it, which is not exported to namespace ${d.namespace}`
        : `it matches no Service or ServiceEntry, and ${because}`;
      out.push(findingOf(DESTINATION_RULE_HOST_NOT_FOUND, {
        resource: d.ref,
        path: '/spec/host',
        message: `${rule} has host ${d.fqdn}${written}, but ${why}: the rule applies to nothing (its tls and subsets are never used)`,
        fix: hidden.length > 0
          ? `export the ServiceEntry to namespace ${d.namespace}, or move the DestinationRule to namespace ${hidden[0].namespace}`
          : 'correct the host (a name without dots is completed with the rule\'s namespace), or add the Service or ServiceEntry it is meant for',
        related: hidden.map((se) => se.ref),
      }));
    }
    return out;
  },
};
