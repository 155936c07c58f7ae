import { Finding, findingOf } from '../../model/finding';
import { MeshModel } from '../../model/mesh-model';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisRule, listSome } from '../rule';

export const AUTHZ_UNKNOWN_SERVICE_ACCOUNT: RuleInfo = {
  code: 'IMA040',
  category: 'authz-unknown-service-account',
  severity: 'warning',
  title: 'AuthorizationPolicy names a service account no workload uses',
  explanation: 'A principal `<trust-domain>/ns/<namespace>/sa/<service-account>` (in `principals`, `notPrincipals` or a '
    + '`source.principal` condition) and a `serviceAccounts` entry match only callers whose certificate carries that '
    + 'identity, that is pods running as that service account (`serviceAccountName`, else `default`) or WorkloadEntries '
    + 'naming it. One that no workload uses matches no caller: usually a typo, and the callers it was meant for are denied '
    + '(ALLOW) or not excluded (not*). Judged only for namespaces whose workloads are in the input, with Istio\'s matching: '
    + 'exact, or a single `*` at the start (suffix) or end (prefix) of the principal; the trust domain may be the mesh\'s, '
    + 'an alias (mesh option `trustDomainAliases`) or `cluster.local`, which istiod reads as the local trust domain. '
    + 'Principals in another trust domain are unknown-trust-domain\'s, malformed ones principal-format\'s. Kiali reports '
    + 'KIA0106 for `principals` only, from the service accounts of the workloads it can read (a warning here: the input may '
    + 'not hold every workload of the namespace).',
  source: 'pilot/pkg/security/authz/model/generator.go (srcPrincipalGenerator, serviceAccountRegex), '
    + 'pilot/pkg/security/trustdomain/bundle.go',
  upstream: 'Istio 1.30.3; Kiali v2.30.0 KIA0106',
};

/** What a written identity needs of a service account, when its namespace is determined. */
interface Wanted {
  readonly namespace: string;
  /** `service account "x"` or `service accounts starting with "x"`. */
  readonly what: string;
  /** The one service account matched, when the identity names it exactly. */
  readonly exactly?: string;
  matches(serviceAccount: string): boolean;
}

const EXACT = /^([^/*]+)\/ns\/([^/*]+)\/sa\/([^/*]+)$/;
const PREFIX = /^([^/*]+)\/ns\/([^/*]+)\/([^*]*)$/;
const SUFFIX = /^([^/*]*)\/ns\/([^/*]+)\/sa\/([^/*]+)$/;

/**
 * The service account a principal asks for, or undefined when it cannot be
 * judged here: `*`, a `*` in the middle or twice (principal-format), a trust
 * domain the mesh does not accept (unknown-trust-domain), or a pattern that
 * leaves the namespace open.
 */
export function wantedByPrincipal(value: string, trustDomains: readonly string[]): Wanted | undefined {
  const stars = value.split('*').length - 1;
  if (stars === 0) {
    const m = EXACT.exec(value);
    if (!m || !trustDomains.includes(m[1])) return undefined;
    return { namespace: m[2], what: `service account "${m[3]}"`, exactly: m[3], matches: (sa) => sa === m[3] };
  }
  if (stars > 1) return undefined;
  if (value.endsWith('*')) {
    // A prefix match on `<td>/ns/<ns>/<rest>`: the namespace is fixed once the slash after it is written.
    const m = PREFIX.exec(value.slice(0, -1));
    if (!m || !trustDomains.includes(m[1])) return undefined;
    const rest = m[3];
    const what = rest.startsWith('sa/') ? `service accounts starting with "${rest.slice(3)}"` : `identities starting with "${value.slice(0, -1)}"`;
    return { namespace: m[2], what, matches: (sa) => `sa/${sa}`.startsWith(rest) };
  }
  if (value.startsWith('*')) {
    // A suffix match: the identity's trust domain must end with what precedes `/ns/`.
    const m = SUFFIX.exec(value.slice(1));
    if (!m || !trustDomains.some((td) => td.endsWith(m[1]))) return undefined;
    return { namespace: m[2], what: `service account "${m[3]}"`, exactly: m[3], matches: (sa) => sa === m[3] };
  }
  return undefined;
}

/** A `serviceAccounts` entry (`<namespace>/<name>`, or `<name>` in the policy's namespace), exact. */
function wantedByServiceAccount(value: string, policyNamespace: string): Wanted | undefined {
  if (value.includes('*') || value === '') return undefined;
  const slash = value.indexOf('/');
  const namespace = slash < 0 ? policyNamespace : value.slice(0, slash);
  const sa = slash < 0 ? value : value.slice(slash + 1);
  if (!namespace || !sa) return undefined;
  return { namespace, what: `service account "${sa}"`, exactly: sa, matches: (x) => x === sa };
}

/** The service accounts in use per namespace whose workloads (pod templates, Pods, WorkloadEntries) are in the input. */
function serviceAccountsInUse(m: MeshModel): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (ns: string, sa: string | undefined) => {
    let set = out.get(ns);
    if (!set) { set = new Set(); out.set(ns, set); }
    if (sa) set.add(sa);
  };
  for (const w of m.workloads) add(w.namespace, w.serviceAccount);
  for (const we of m.workloadEntries) add(we.namespace, we.serviceAccount);
  return out;
}

export const authzUnknownServiceAccount: AnalysisRule = {
  info: AUTHZ_UNKNOWN_SERVICE_ACCOUNT,
  check(ctx): Finding[] {
    const m = ctx.model;
    const { trustDomain, trustDomainAliases } = m.options;
    // istiod expands the mesh trust domain, its aliases and cluster.local to one another (trustdomain.Bundle).
    const trustDomains = [...new Set([trustDomain, ...trustDomainAliases, 'cluster.local'])];
    const inUse = serviceAccountsInUse(m);
    const out: Finding[] = [];
    for (const ap of m.authorizationPolicies) {
      const judged: { value: string; path: string; negative: boolean; wanted: Wanted; kind: string }[] = [];
      for (const p of ap.principals) {
        const wanted = wantedByPrincipal(p.value, trustDomains);
        if (wanted) judged.push({ value: p.value, path: p.path, negative: p.negative, wanted, kind: 'principal' });
      }
      for (const rule of ap.rules) {
        for (const use of rule.identityUses) {
          if (!/^(not)?[sS]erviceAccounts$|^when:source\.serviceAccount$/.test(use.field)) continue;
          use.values.forEach((value, i) => {
            const wanted = wantedByServiceAccount(value, ap.namespace);
            if (wanted) judged.push({ value, path: `${use.path}/${i}`, negative: use.negative, wanted, kind: 'service account' });
          });
        }
      }
      for (const j of judged) {
        const accounts = inUse.get(j.wanted.namespace);
        // Namespaces whose workloads are not in the input cannot be judged.
        const { exactly } = j.wanted;
        if (!accounts || (exactly !== undefined ? accounts.has(exactly) : [...accounts].some((sa) => j.wanted.matches(sa)))) continue;
        out.push(findingOf(AUTHZ_UNKNOWN_SERVICE_ACCOUNT, {
          resource: ap.ref,
          path: j.path,
          message: `AuthorizationPolicy ${ap.namespace}/${ap.name} ${j.kind} "${j.value}" names ${j.wanted.what} in namespace `
            + `${j.wanted.namespace}, but no workload of ${j.wanted.namespace} in the input runs as it (in use: `
            + `${listSome([...accounts].sort(), 5) || 'none'}); ${j.negative ? 'it excludes nobody' : 'it matches no caller'}`,
          fix: 'correct the service account name, or run the intended workload as it (serviceAccountName)',
        }));
      }
    }
    return out;
  },
};
