import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisRule, listSome } from '../rule';

export const AUTHZ_UNKNOWN_NAMESPACE: RuleInfo = {
  code: 'IMA039',
  category: 'authz-unknown-namespace',
  severity: 'warning',
  title: 'AuthorizationPolicy names a namespace the input does not have',
  explanation: 'istiod turns each `namespaces` / `notNamespaces` entry (and each `source.namespace` condition value) into a '
    + 'pattern on the caller\'s SPIFFE identity: every `*` matches any text, anywhere in the entry, and the comparison is '
    + 'case-sensitive. An entry that matches no namespace matches no caller (in `notNamespaces` or `notValues`, it excludes '
    + 'nobody): usually a typo. Offline, "exists" means "is in the input": the check runs only when the input holds Namespace '
    + 'objects, and a namespace counts as known when a Namespace object or any other object of the input lives there (or it is '
    + 'the root namespace). istioctl reports IST0101 for the same entries, but handles only a leading or trailing `*` and '
    + 'ignores case; Kiali reports KIA0101 for `namespaces` only and, in v2.30.0, compares exactly, so `*` and `prod-*` are '
    + 'flagged too.',
  source: 'pilot/pkg/security/authz/model/generator.go (srcNamespaceGenerator); '
    + 'pkg/config/analysis/analyzers/authz/authorizationpolicies.go (IST0101)',
  upstream: 'Istio 1.30.3; istioctl 1.30.3 IST0101; Kiali v2.30.0 KIA0101',
};

/** The fields whose values are namespace patterns. */
const NAMESPACE_FIELDS: ReadonlySet<string> = new Set(['namespaces', 'notNamespaces', 'when:source.namespace']);

/** The namespace pattern as istiod builds it: `*` is any text (`.*`), everything else literal, anchored. */
export function namespacePattern(entry: string): RegExp {
  return new RegExp(`^${entry.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export const authzUnknownNamespace: AnalysisRule = {
  info: AUTHZ_UNKNOWN_NAMESPACE,
  check(ctx): Finding[] {
    const m = ctx.model;
    // Without Namespace objects the input does not describe the cluster's namespaces: stay silent rather than guess.
    if (m.namespaces.length === 0) return [];
    const known = m.namespaceNames;
    const out: Finding[] = [];
    for (const ap of m.authorizationPolicies) {
      for (const rule of ap.rules) {
        for (const use of rule.identityUses) {
          if (!NAMESPACE_FIELDS.has(use.field)) continue;
          use.values.forEach((entry, i) => {
            const pattern = namespacePattern(entry);
            if (known.some((n) => pattern.test(n))) return;
            const field = use.field.replace(/^when:/, 'condition ');
            out.push(findingOf(AUTHZ_UNKNOWN_NAMESPACE, {
              resource: ap.ref,
              path: `${use.path}/${i}`,
              message: `AuthorizationPolicy ${ap.namespace}/${ap.name} ${field} entry "${entry}" matches no namespace of the input `
                + `(${listSome(known, 5)}); ${use.negative ? 'it excludes nobody' : 'it matches no caller'}`,
              fix: 'correct the namespace name (istiod compares case-sensitively; `*` matches any text), or add its Namespace to the input',
            }));
          });
        }
      }
    }
    return out;
  },
};
