import { Finding, findingOf } from '../../model/finding';
import { namespaceOfHost } from '../../model/hosts';
import { Labels, formatLabels } from '../../model/labels';
import { ResourceRef } from '../../model/manifest';
import { MeshModel } from '../../model/mesh-model';
import { DestinationRulePolicy } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { TlsInfo, TrafficPolicyInfo } from '../../model/traffic-policy';
import { ClientContext, DestinationRuleVariant, destinationRuleOutcomes } from '../../resolution/destination-rule-lookup';
import { hostImported, sidecarFor } from '../../resolution/sidecar-scope';
import { ANY_OTHER_NAMESPACE } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const COMPETING_DESTINATION_RULES: RuleInfo = {
  code: 'IMA034',
  category: 'competing-destination-rules',
  severity: 'warning',
  title: 'DestinationRules for one host whose outcome depends on which is oldest',
  explanation: 'istiod sorts the DestinationRules of a namespace (those with a workloadSelector first, then the oldest first), '
    + 'resolves each host (a name without dots becomes `<name>.<namespace>.svc.<domain>`, any other is taken literally) and '
    + 'merges the rules with the identical host, equal `exportTo` sets and equal (or no) workloadSelector: the subsets are '
    + 'concatenated, a later subset whose name is already there is dropped, and only the first top-level `trafficPolicy` '
    + 'is kept. Rules of one host that do not merge (different `exportTo`) stay separate entries, and a client\'s sidecar '
    + 'uses the first entry whose workloadSelector matches it, else the LAST one without a selector, so the newest one '
    + 'wins alone. Manifests carry no creation time, so when the result depends on the order the cluster is not decided '
    + 'by the input: more than one merged rule with a top-level traffic policy, a subset name defined twice, or '
    + 'separate entries the same clients see. Each order is run as istiod runs it, for the clients of the rules\' '
    + 'namespace (with each workloadSelector) and of the namespaces the rules are exported to; clients whose Sidecar '
    + 'does not import the host are not counted. Error when the TLS the outcomes apply differs (mode, sni, certificates), '
    + 'warning otherwise; rules that merge cleanly (distinct subsets, one top-level policy) are fine, and a selector-less '
    + 'rule merged into a workloadSelector one never wins its policy. Rules of different namespaces, and a wildcard and a '
    + 'specific host, never merge (the lookup picks one; Kiali\'s KIA0201 compares them too). `istio-mtls explain` '
    + 'lists the competing rules of such a connection instead of naming one, and shows its tls as `ambiguous` when what '
    + 'the client sends differs.',
  source: 'pilot/pkg/model/push_context.go (setDestinationRules, destinationRule), pilot/pkg/model/destination_rule.go '
    + '(mergeDestinationRule), pilot/pkg/model/sidecar.go (SidecarScope.DestinationRule)',
  upstream: 'Istio 1.30.3; Kiali v2.30.0 KIA0201',
};

/** Clients that read one namespace's rules for a host alike. */
interface Viewpoint {
  readonly client: ClientContext;
  readonly describe: string;
}

/** What competes in one group of rules (one namespace, one host). */
interface Contest {
  readonly rules: DestinationRulePolicy[];
  readonly fqdn: string;
  readonly namespace: string;
  /** Rules whose top-level policy may or may not be the one kept. */
  readonly policies: Set<DestinationRulePolicy>;
  /** Subset names whose definition depends on the order. */
  readonly subsets: Set<string>;
  /** True when separate entries compete and the newest is used alone. */
  shadowed: boolean;
  tlsDiffers: boolean;
  readonly tls: Set<string>;
  readonly viewpoints: string[];
  /** Rules whose part differs between outcomes: they are reported. */
  readonly involved: Set<DestinationRulePolicy>;
  /** Every rule of the outcomes that differ: named in the messages. */
  readonly seen: Set<DestinationRulePolicy>;
}

/** A comparable key of what a `tls` makes the client send. */
function tlsKey(t: TlsInfo | undefined): string {
  if (!t) return '-';
  return JSON.stringify([t.mode, t.sni ?? '', t.credentialName ?? '', t.caCertificates ?? '', t.subjectAltNames ?? [], t.insecureSkipVerify ?? false,
    t.hasClientCertificate, t.hasPrivateKey]);
}

function tlsText(t: TlsInfo | undefined): string {
  return t ? `${t.mode}${t.sni ? ` (sni ${t.sni})` : ''}` : 'no tls';
}

/** The TLS a policy applies: top level and each port entry. */
function policyTls(p: TrafficPolicyInfo | undefined): { key: string; text: string } {
  if (!p) return { key: '-', text: 'no trafficPolicy' };
  const keys = [tlsKey(p.tls), ...p.portLevelSettings.map((e) => `${e.port}=${tlsKey(e.tls)}`)];
  const ports = p.portLevelSettings.map((e) => `port ${e.port}: ${tlsText(e.tls)}`);
  return { key: keys.join(';'), text: [tlsText(p.tls), ...ports].join(', ') };
}

function refKey(r: ResourceRef): string {
  return `${r.namespace}/${r.name}`;
}

/** The namespace of the host, when the input or the name says it. */
function hostNamespace(m: MeshModel, fqdn: string): string | undefined {
  return m.serviceByHostname(fqdn)?.namespace
    ?? m.serviceEntries.find((se) => se.hosts.includes(fqdn))?.namespace
    ?? namespaceOfHost(fqdn, m.options.clusterDomain);
}

/**
 * The clients whose view of the rules counts: the rules' namespace (without
 * labels, and with each workloadSelector), and other namespaces (each named in
 * an exportTo, and any other) when they read this namespace's rules for the
 * host: the host lives here, or this is the root namespace.
 */
function viewpointsOf(m: MeshModel, namespace: string, fqdn: string, rules: readonly DestinationRulePolicy[]): Viewpoint[] {
  const out: Viewpoint[] = [{ client: { namespace }, describe: `clients in namespace ${namespace}` }];
  const selectors = new Map<string, Labels>();
  for (const d of rules) if (d.traffic.hasWorkloadSelector) selectors.set(formatLabels(d.traffic.workloadSelector), d.traffic.workloadSelector);
  for (const [text, labels] of [...selectors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push({ client: { namespace, labels }, describe: `clients with ${text || 'any labels'} in namespace ${namespace}` });
  }
  const home = hostNamespace(m, fqdn);
  if (namespace !== m.options.rootNamespace && home !== undefined && home !== namespace) return out;
  const others = new Set<string>();
  for (const d of rules) for (const e of d.traffic.exportTo) if (e !== '.' && e !== '*' && e !== '~' && e !== namespace) others.add(e);
  for (const ns of [...others].sort()) out.push({ client: { namespace: ns }, describe: `clients in namespace ${ns}` });
  out.push({ client: { namespace: ANY_OTHER_NAMESPACE }, describe: 'clients in other namespaces' });
  return out;
}

/** False when the Sidecar of the viewpoint's clients imports the host on no port: they never use the rules. */
function imports(m: MeshModel, v: Viewpoint, fqdn: string): boolean {
  const client = v.client;
  const sidecar = sidecarFor({ namespace: client.namespace, labels: client.labels ?? {} }, m.sidecars, m.options.rootNamespace).sidecar;
  if (!sidecar) return true;
  const service = m.serviceByHostname(fqdn);
  const target = {
    hostname: fqdn,
    namespace: hostNamespace(m, fqdn) ?? client.namespace,
    ...(service ? { ports: service.ports.map((p) => p.port) } : {}),
  };
  return hostImported(sidecar, target, undefined, { configNamespace: client.namespace });
}

/** Folds the outcomes one viewpoint can get into the group's contest. */
function judge(contest: Contest, outcomes: readonly DestinationRuleVariant[], describe: string): void {
  const policyOf = (v: DestinationRuleVariant) => (v.traffic.trafficPolicy ? v.rule : undefined);
  const holders = new Set(outcomes.map(policyOf));
  const names = new Set(outcomes.flatMap((v) => v.traffic.subsets.map((s) => s.name)));
  const contestedSubsets: string[] = [];
  for (const name of names) {
    // Defined by more than one rule; a subset present in some outcomes only is part of the shadowing below.
    const sources = new Set(outcomes.flatMap((v) => v.traffic.subsets.filter((x) => x.name === name).map((x) => refKey(x.rule))));
    if (sources.size > 1) contestedSubsets.push(name);
  }
  const mergedSets = new Set(outcomes.map((v) => v.merged.map((d) => refKey(d.ref)).sort().join(',')));
  if (holders.size <= 1 && contestedSubsets.length === 0 && mergedSets.size <= 1) return;
  contest.viewpoints.push(describe);
  for (const v of outcomes) for (const d of v.merged) contest.seen.add(d);
  if (holders.size > 1) {
    for (const h of holders) if (h) { contest.policies.add(h); contest.involved.add(h); }
  }
  for (const n of contestedSubsets) {
    contest.subsets.add(n);
    for (const d of contest.rules) if (d.traffic.subsets.some((x) => x.name === n)) contest.involved.add(d);
  }
  if (mergedSets.size > 1) {
    contest.shadowed = true;
    // A rule merged into every outcome changes nothing between them.
    for (const v of outcomes) for (const d of v.merged) if (!outcomes.every((o) => o.merged.includes(d))) contest.involved.add(d);
  }
  // What each outcome's clusters would send: the top-level policy and the contested subsets' own.
  const keys = new Set<string>();
  for (const v of outcomes) {
    const top = policyTls(v.traffic.trafficPolicy);
    const own = contestedSubsets.map((n) => `${n}=${policyTls(v.traffic.subsets.find((s) => s.name === n)?.trafficPolicy).key}`);
    keys.add([top.key, ...own].join('|'));
    contest.tls.add(`${top.text}${v.traffic.trafficPolicy ? ` from ${v.rule.namespace}/${v.rule.name}` : ''}`);
  }
  if (keys.size > 1) contest.tlsDiffers = true;
}

function describeRules(rules: readonly DestinationRulePolicy[]): string {
  return rules.map((d) => `${d.namespace}/${d.name}`).join(', ');
}

function findingsOf(contest: Contest): Finding[] {
  const rules = contest.rules.filter((d) => contest.seen.has(d));
  const what: string[] = [];
  if (contest.policies.size > 1) {
    const holders = rules.filter((d) => contest.policies.has(d));
    const who = holders.length < rules.length ? `${describeRules(holders)} set` : rules.length === 2 ? 'both set' : 'each sets';
    what.push(`${who} a top-level trafficPolicy and Istio keeps only the oldest one's`);
  }
  if (contest.subsets.size > 0) {
    const names = [...contest.subsets].sort();
    what.push(`subset${names.length > 1 ? 's' : ''} ${listSome(names)} ${names.length > 1 ? 'are' : 'is'} defined by more than one of them `
      + 'and Istio keeps the oldest definition');
  }
  if (contest.shadowed) what.push('they do not all merge (exportTo or workloadSelector differ), and a sidecar uses only the newest of the entries it sees');
  const tls = contest.tlsDiffers ? `; the TLS they would apply differs (${listSome([...contest.tls].sort(), 4)})` : '';
  return rules.filter((d) => contest.involved.has(d)).map((d) => {
    const others = rules.filter((x) => x !== d);
    const path = contest.policies.has(d) && d.traffic.trafficPolicy ? d.traffic.trafficPolicy.path
      : d.traffic.subsets.find((s) => contest.subsets.has(s.name))?.path
        ?? (contest.shadowed && d.traffic.exportTo.length > 0 ? '/spec/exportTo' : '/spec/host');
    return findingOf(COMPETING_DESTINATION_RULES, {
      resource: d.ref,
      path,
      severity: contest.tlsDiffers ? 'error' : 'warning',
      message: `DestinationRules ${describeRules(rules)} apply to host ${contest.fqdn} in namespace ${contest.namespace} for `
        + `${listSome(contest.viewpoints, 2)}: ${what.join('; ')}. Which applies depends on their age, which manifests do not carry${tls}`,
      fix: 'keep one DestinationRule per host and namespace, or give the rules distinct subsets and only one of them a top-level trafficPolicy',
      related: others.map((x) => x.ref),
    });
  });
}

export const competingDestinationRules: AnalysisRule = {
  info: COMPETING_DESTINATION_RULES,
  check(ctx): Finding[] {
    const m = ctx.model;
    const groups = new Map<string, DestinationRulePolicy[]>();
    for (const d of m.destinationRules) {
      if (!d.fqdn) continue;
      const key = `${d.namespace}\u0000${d.fqdn}`;
      const list = groups.get(key);
      if (list) list.push(d); else groups.set(key, [d]);
    }
    const out: Finding[] = [];
    for (const rules of groups.values()) {
      if (rules.length < 2) continue;
      const { namespace, fqdn } = rules[0];
      const contest: Contest = {
        rules,
        fqdn,
        namespace,
        policies: new Set(),
        subsets: new Set(),
        shadowed: false,
        tlsDiffers: false,
        tls: new Set(),
        viewpoints: [],
        involved: new Set(),
        seen: new Set(),
      };
      for (const v of viewpointsOf(m, namespace, fqdn, rules)) {
        if (!imports(m, v, fqdn)) continue;
        const outcomes = destinationRuleOutcomes({ namespace, rules, client: v.client, rootNamespace: m.options.rootNamespace });
        if (outcomes.length > 1) judge(contest, outcomes, v.describe);
      }
      if (contest.viewpoints.length > 0) out.push(...findingsOf(contest));
    }
    return out;
  },
};

