import { ruleMatchesPlaintext } from './authz-requires-mtls';
import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { selectorMatches } from '../../model/labels';
import { MeshModel } from '../../model/mesh-model';
import { AuthorizationPolicyInfo, PeerAuthenticationPolicy, portLevelOf } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { exceptionAnnotationKeys } from '../../vocabulary/exception-annotations';
import { ANY_OTHER_NAMESPACE, AnalysisContext, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const EXCEPTION_DENIED_BY_AUTHZ: RuleInfo = {
  code: 'IMA044',
  category: 'exception-denied-by-authz',
  severity: 'warning',
  title: 'PERMISSIVE exception whose plaintext callers an ALLOW policy denies',
  explanation: 'A PERMISSIVE exception (a PeerAuthentication that makes a port PERMISSIVE below a STRICT level, or one carrying '
    + 'the exception reason annotation) exists for callers without a sidecar, which send plaintext and carry no identity. '
    + 'Once any ALLOW policy selects the workload, only requests some ALLOW rule matches get in; a rule that requires an '
    + 'identity (principals, namespaces, serviceAccounts, trustDomains, or a source.principal / source.namespace / '
    + 'source.serviceAccount / connection.sni condition) never matches plaintext. When every ALLOW rule that applies to the '
    + 'exception\'s port requires one, plaintext callers are denied (HTTP 403, or a reset connection for TCP) and the exception '
    + 'admits nobody: the mTLS weakened for them buys nothing, and they fail anyway. Judged on workloads of the input with a '
    + 'sidecar; a DISABLE exception under such an ALLOW is authz-requires-mtls\'s (it refuses mesh callers too). Neither Kiali '
    + 'nor istioctl relates exceptions to ALLOW policies.',
  source: 'AuthorizationPolicy reference (ALLOW semantics, "requires mutual TLS"), pilot/pkg/security/authz',
};

/** Go's strconv.ParseBool true values: istiod reads `istio.io/dry-run` with it. */
const TRUE = /^(1|t|T|TRUE|true|True)$/;

/** The ALLOW policies that apply to a workload's pods (a dry-run policy is not enforced). */
/** The enforced ALLOW policies that can select a workload of `namespace` by its labels: its own, then the root namespace's. */
function allowPoliciesIn(m: MeshModel, namespace: string): AuthorizationPolicyInfo[] {
  const root = m.options.rootNamespace;
  const candidates = namespace === root
    ? m.authorizationPoliciesIn(root)
    : [...m.authorizationPoliciesIn(namespace), ...m.authorizationPoliciesIn(root)];
  return candidates.filter((ap) => ap.action === 'ALLOW' && !ap.hasTargetRefs && !TRUE.test(ap.annotations['istio.io/dry-run'] ?? ''));
}

function allowPoliciesFor(inNamespace: readonly AuthorizationPolicyInfo[], w: Workload): AuthorizationPolicyInfo[] {
  return inNamespace.filter((ap) => !ap.selector || selectorMatches(ap.selector, w.labels));
}

interface Denied {
  readonly exception: PeerAuthenticationPolicy;
  readonly path: string;
  readonly where: string[];
  readonly policies: AuthorizationPolicyInfo[];
  readonly fields: Set<string>;
}

/** The PeerAuthentication that makes the port PERMISSIVE as an exception, with the path of its mode; undefined otherwise. */
function exceptionOf(ctx: AnalysisContext, w: Workload, port: number): { pa: PeerAuthenticationPolicy; path: string } | undefined {
  const facts = ctx.inbound(w).port(port);
  const pa = facts.decidedBy;
  if (!facts.captured || facts.mode !== 'PERMISSIVE' || !pa) return undefined;
  const keys = exceptionAnnotationKeys(ctx.model.options.exceptionAnnotationPrefix);
  const documented = !!pa.annotations[keys.reason]?.trim();
  const server = ctx.server(w);
  // What the port would get without this policy's setting: the level above it.
  const above = facts.level === 'namespace' ? ctx.namespaceMode(ANY_OTHER_NAMESPACE)
    : facts.level === 'port' && server.mode === 'STRICT' ? server
      : ctx.namespaceMode(w.namespace);
  if (!documented && above.mode !== 'STRICT') return undefined;
  const entry = facts.level === 'port' ? portLevelOf(pa, port) : undefined;
  return { pa, path: entry ? entry.path : '/spec/mtls/mode' };
}

export const exceptionDeniedByAuthz: AnalysisRule = {
  info: EXCEPTION_DENIED_BY_AUTHZ,
  check(ctx): Finding[] {
    const m = ctx.model;
    const byException = new Map<PeerAuthenticationPolicy, Denied>();
    // Workloads come namespace by namespace: the namespace's candidates are found once.
    let namespace: string | undefined;
    let inNamespace: readonly AuthorizationPolicyInfo[] = [];
    for (const w of m.workloads) {
      const d = ctx.dataplane(w);
      if (d.dataplane !== 'sidecar' || !d.admitted) continue;
      if (w.namespace !== namespace) { namespace = w.namespace; inNamespace = allowPoliciesIn(m, namespace); }
      if (inNamespace.length === 0) continue;
      const allows = allowPoliciesFor(inNamespace, w);
      if (allows.length === 0) continue;
      for (const { port } of ctx.inbound(w).ports) {
        const exception = exceptionOf(ctx, w, port);
        if (!exception) continue;
        const applicable = allows.flatMap((ap) => ap.rules.filter((r) => !r.ports || r.ports.includes(port)).map((r) => ({ ap, r })));
        // No rule for the port denies everyone, mesh callers too: not this rule's concern.
        if (applicable.length === 0 || applicable.some(({ ap, r }) => ruleMatchesPlaintext(ap, r.index))) continue;
        let entry = byException.get(exception.pa);
        if (!entry) {
          entry = { exception: exception.pa, path: exception.path, where: [], policies: [], fields: new Set() };
          byException.set(exception.pa, entry);
        }
        entry.where.push(`${describeWorkload(w)}:${port}`);
        for (const { ap, r } of applicable) {
          if (!entry.policies.includes(ap)) entry.policies.push(ap);
          for (const u of r.identityUses) if (!u.negative) entry.fields.add(u.field.replace(/^when:/, ''));
        }
      }
    }
    return [...byException.values()].map((e) => {
      const policies = e.policies.map((ap) => `${ap.namespace}/${ap.name}`);
      return findingOf(EXCEPTION_DENIED_BY_AUTHZ, {
        resource: e.exception.ref,
        path: e.path,
        message: `PeerAuthentication ${e.exception.namespace}/${e.exception.name} makes ${listSome(e.where)} PERMISSIVE for plaintext `
          + `callers, but AuthorizationPolicy ${listSome(policies)} (ALLOW) admits there only callers with an mTLS identity `
          + `(${[...e.fields].sort().join(', ')}); plaintext callers are denied, so the exception admits nobody`,
        fix: 'admit the plaintext callers with an ALLOW rule they can match on that port (ipBlocks, paths or methods, no identity '
          + 'fields), or give them a sidecar and remove the exception',
        related: e.policies.map((ap) => ap.ref),
      });
    });
  },
};
