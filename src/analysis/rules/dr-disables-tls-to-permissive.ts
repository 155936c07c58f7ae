import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { RuleInfo } from '../../model/rule-info';
import { ModeDecision } from '../../resolution/server-mode';
import { exceptionAnnotationKeys } from '../../vocabulary/exception-annotations';
import { AnalysisContext, describeDecision, describeWorkload } from '../context';
import { destinationRuleImpact, settingsWithMode } from '../destination-rule-impact';
import { AnalysisRule, listSome } from '../rule';

export const DR_DISABLES_TLS_TO_PERMISSIVE: RuleInfo = {
  code: 'IMA017',
  category: 'dr-disables-tls-to-permissive',
  severity: 'warning',
  title: 'DestinationRule silently sends plaintext to a PERMISSIVE server',
  explanation: 'A DestinationRule with `tls.mode: DISABLE` (for the host or one port) makes client sidecars send plaintext, '
    + 'overriding auto mTLS, which would have sent Istio mTLS to a server with a sidecar. Where the server port is PERMISSIVE '
    + 'the plaintext is accepted: nothing fails, the traffic is unencrypted and carries no identity, and identity-based '
    + 'authorization no longer matches it. The STRICT case fails loudly and is dr-disables-tls-to-strict. Only server ports '
    + 'a sidecar captures and that are PERMISSIVE, and only rules that a sidecar-ed client workload in the input actually '
    + 'chooses for the Service (lookup path, exportTo, workloadSelector, most specific host; the setting in force on that '
    + 'port, or the rule-level DISABLE that pilot still puts on the endpoints of a portLevelSettings entry without tls) are '
    + 'judged. With ambient installed, client sidecars send HBONE to ambient pods whatever the rule says: a DISABLE left over '
    + 'from a migration changes nothing there, and ambient servers are not judged (except behind a headless Service, where an '
    + 'explicit tls gets no HBONE). A port its sidecar does not capture takes plaintext anyway. A rule annotated as an '
    + 'exception (reason, owner and review-by, the prefix of WorkloadException) is deliberate and not reported; '
    + 'expired-exception judges its date. A warning: the traffic works.',
  source: 'pilot/pkg/networking/core/cluster_tls.go (buildAutoMtlsSettings), Istio "Auto mutual TLS"',
};

/**
 * The sidecar clients whose DestinationRule lookups can differ, in model
 * order: every one in a namespace with workloadSelector rules, else the
 * first of each namespace (the others look up alike).
 */
function representativeClients(ctx: AnalysisContext): Workload[] {
  const out: Workload[] = [];
  const seen = new Set<string>();
  for (const w of ctx.model.workloads) {
    const d = ctx.dataplane(w);
    if (d.dataplane !== 'sidecar' || !d.admitted) continue;
    const bySelector = ctx.model.destinationRulesIn(w.namespace).some((r) => r.workloadSelector !== undefined);
    if (!bySelector && seen.has(w.namespace)) continue;
    seen.add(w.namespace);
    out.push(w);
  }
  return out;
}

export const drDisablesTlsToPermissive: AnalysisRule = {
  info: DR_DISABLES_TLS_TO_PERMISSIVE,
  check(ctx): Finding[] {
    const keys = exceptionAnnotationKeys(ctx.model.options.exceptionAnnotationPrefix);
    const out: Finding[] = [];
    let sidecarClients: readonly Workload[] | undefined;
    for (const dr of ctx.model.destinationRules) {
      const settings = settingsWithMode(dr, 'DISABLE');
      if (settings.length === 0) continue;
      if ([keys.reason, keys.owner, keys.reviewBy].every((k) => dr.annotations[k]?.trim())) continue;
      sidecarClients ??= representativeClients(ctx);
      // Which client picks the rule depends on the Service, not on the endpoint or the setting.
      const chooser = new Map<string, Workload | undefined>();
      for (const setting of settings) {
        const impact = destinationRuleImpact(ctx, dr, setting, { endpoint: (e) => e.inbound.captured && e.inbound.accepts === 'mtls+plaintext' });
        const where: string[] = [];
        let example: Workload | undefined;
        let decision: ModeDecision | undefined;
        let ambient = false;
        for (const e of impact.endpoints) {
          if (e.wire !== 'plaintext' || !e.inbound.captured || e.inbound.accepts !== 'mtls+plaintext') continue;
          // A real client, with a sidecar (the only kind a DestinationRule changes), that picks this rule for the Service.
          if (!chooser.has(e.service.key)) {
            chooser.set(e.service.key, sidecarClients.find((w) =>
              ctx.lookup({ namespace: w.namespace, labels: w.labels }, e.service.hostname, e.service.namespace).rule === dr));
          }
          const client = chooser.get(e.service.key);
          if (!client) continue;
          where.push(`${describeWorkload(e.server)}:${e.targetPort} (Service ${e.service.name}:${e.servicePort}${e.dataplane === 'ambient' ? ', headless: no HBONE' : ''})`);
          example ??= client;
          decision ??= e.inbound;
          ambient ||= e.dataplane === 'ambient';
        }
        if (!decision || !example) continue;
        const at = setting.port !== undefined ? ` port ${setting.port}` : '';
        const proxy = ambient ? 'is in ambient' : 'has a sidecar';
        out.push(findingOf(DR_DISABLES_TLS_TO_PERMISSIVE, {
          resource: dr.ref,
          path: setting.path,
          message: `DestinationRule ${dr.namespace}/${dr.name} sets tls DISABLE for ${dr.host}${at}, and ${listSome(where)} `
            + `${proxy} and is ${describeDecision(decision)}; clients using this rule (e.g. ${describeWorkload(example)}) `
            + 'send plaintext that is accepted: unencrypted and without identity, silently',
          fix: 'remove the tls DISABLE (auto mTLS then sends Istio mTLS), or, if plaintext is intended, annotate the rule with '
            + `${keys.reason}, ${keys.owner} and ${keys.reviewBy}`,
          related: decision.decidedBy ? [decision.decidedBy.ref] : [],
        }));
      }
    }
    return out;
  },
};
