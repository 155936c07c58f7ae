import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisRule } from '../rule';

export const UNKNOWN_TRUST_DOMAIN: RuleInfo = {
  code: 'IMA011',
  category: 'unknown-trust-domain',
  severity: 'warning',
  title: 'Principal in a trust domain the mesh does not use',
  explanation: 'A principal\'s first segment is the trust domain. One that is neither the mesh trust domain nor one of its '
    + 'aliases matches no workload of this mesh: typical after a trust-domain migration. `cluster.local` is never '
    + 'reported: istiod reads it as the local trust domain, whatever the mesh trust domain is.',
  source: 'Istio trust domain migration (meshConfig.trustDomain, trustDomainAliases); pilot/pkg/security/trustdomain/bundle.go ReplaceTrustDomainAliases',
};

const FORM = /^([^/*]+)\/ns\/[^/]+\/sa\/[^/]+$/;

export const unknownTrustDomain: AnalysisRule = {
  info: UNKNOWN_TRUST_DOMAIN,
  check(ctx): Finding[] {
    const { trustDomain, trustDomainAliases } = ctx.model.options;
    // istiod reads `cluster.local` as a pointer to the local trust domain (bundle.go ReplaceTrustDomainAliases).
    const known = new Set([trustDomain, ...trustDomainAliases, 'cluster.local']);
    const out: Finding[] = [];
    for (const ap of ctx.model.authorizationPolicies) {
      for (const p of ap.principals) {
        // The trust domain is what precedes the first slash: a known one needs no closer look.
        const slash = p.value.indexOf('/');
        if (slash > 0 && known.has(p.value.slice(0, slash))) continue;
        const m = FORM.exec(p.value);
        if (!m || known.has(m[1])) continue;
        out.push(findingOf(UNKNOWN_TRUST_DOMAIN, {
          resource: ap.ref,
          path: p.path,
          message: `AuthorizationPolicy ${ap.namespace}/${ap.name} principal "${p.value}" is in trust domain "${m[1]}", `
            + `but the mesh trust domain is "${trustDomain}"${trustDomainAliases.length ? ` (aliases: ${trustDomainAliases.join(', ')})` : ''}`,
          fix: `write "${trustDomain}${p.value.slice(m[1].length)}", or declare "${m[1]}" as a trust domain alias`,
        }));
      }
    }
    return out;
  },
};
