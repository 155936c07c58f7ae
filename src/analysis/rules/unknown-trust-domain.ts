import { Finding, findingOf } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisRule } from '../rule';

export const UNKNOWN_TRUST_DOMAIN: RuleInfo = {
  code: 'IMA011',
  category: 'unknown-trust-domain',
  severity: 'warning',
  title: 'Principal in a trust domain the mesh does not use',
  explanation: 'A principal\'s first segment is the trust domain. One that is neither the mesh trust domain nor one of its '
    + 'aliases matches no workload of this mesh: typical after a trust-domain migration, or when `cluster.local` was '
    + 'assumed on a mesh with a custom trust domain.',
  source: 'Istio trust domain migration (meshConfig.trustDomain, trustDomainAliases)',
};

const FORM = /^([^/*]+)\/ns\/[^/]+\/sa\/[^/]+$/;

export const unknownTrustDomain: AnalysisRule = {
  info: UNKNOWN_TRUST_DOMAIN,
  check(ctx): Finding[] {
    const { trustDomain, trustDomainAliases } = ctx.model.options;
    const known = new Set([trustDomain, ...trustDomainAliases]);
    const out: Finding[] = [];
    for (const ap of ctx.model.authorizationPolicies) {
      for (const p of ap.principals) {
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
