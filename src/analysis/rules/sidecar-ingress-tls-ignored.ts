import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { RuleInfo } from '../../model/rule-info';
import { SidecarInfo, SidecarIngressListener } from '../../model/sidecars';
import { resolveDataplane } from '../../resolution/dataplane';
import { ModeDecision } from '../../resolution/server-mode';
import { ingressTlsEffective, sidecarFor } from '../../resolution/sidecar-scope';
import { AnalysisContext, describeDecision, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const SIDECAR_INGRESS_TLS_IGNORED: RuleInfo = {
  code: 'IMA032',
  category: 'sidecar-ingress-tls-ignored',
  severity: 'warning',
  title: 'A Sidecar ingress listener\'s tls is ignored',
  explanation: 'A Sidecar `ingress[].tls` asks the server sidecar to terminate TLS with its own certificate on that port. '
    + 'istiod reads it only when it runs with ENABLE_TLS_ON_SIDECAR_INGRESS=true (default false; the mesh option '
    + '`enableTlsOnSidecarIngress` says how it runs), and applies it only where the port\'s effective PeerAuthentication '
    + 'mode is DISABLE (the setting would otherwise clash with Istio mTLS). In every other case it is dropped without a '
    + 'word: the port keeps its mode (STRICT or PERMISSIVE Istio mTLS) and never presents the configured certificate, so '
    + 'clients that originate TLS expecting it fail the handshake or get a certificate they do not trust. Judged for the '
    + 'sidecar workloads the Sidecar applies to (its selector, else its namespace, else the root namespace); without such '
    + 'workloads in the input, for a workload of the selector\'s labels in the Sidecar\'s namespace when that namespace has no workload in the input (else only the flag is judged). When it does take '
    + 'effect, the port accepts only TLS with that certificate, not Istio mTLS (the client side of that is unverified).',
  source: 'pilot/pkg/networking/core/listener_inbound.go (buildInboundChainConfigs, virtual inbound filter chains), '
    + 'pilot/pkg/features/experimental.go (ENABLE_TLS_ON_SIDECAR_INGRESS)',
};

/** Whether istiod applies the listener's tls on a port of this mode (an ambiguous mode may not be DISABLE). */
function applied(listener: SidecarIngressListener, d: ModeDecision, enabled: boolean): boolean {
  return d.mode !== 'ambiguous' && ingressTlsEffective(listener, d.mode, enabled);
}

function judge(ctx: AnalysisContext, sidecar: SidecarInfo, listener: SidecarIngressListener, workloads: readonly Workload[]): Finding | undefined {
  const enabled = ctx.model.options.enableTlsOnSidecarIngress;
  const at = `Sidecar ${sidecar.namespace}/${sidecar.name} sets tls on ingress port ${listener.port}`;
  const keep = 'the port keeps Istio mTLS and never presents the configured certificate';
  if (!enabled) {
    return findingOf(SIDECAR_INGRESS_TLS_IGNORED, {
      resource: sidecar.ref,
      path: `${listener.path}/tls`,
      message: `${at}, but istiod ignores it: ENABLE_TLS_ON_SIDECAR_INGRESS is off (mesh option enableTlsOnSidecarIngress), so ${keep}`,
      fix: `run istiod with ENABLE_TLS_ON_SIDECAR_INGRESS=true (and set enableTlsOnSidecarIngress), with a PeerAuthentication DISABLE for port ${listener.port}; `
        + 'or remove ingress[].tls',
    });
  }
  let where: string[];
  let decision: ModeDecision | undefined;
  if (workloads.length > 0) {
    where = [];
    for (const w of workloads) {
      const d = ctx.server(w).portMode(listener.port);
      if (applied(listener, d, enabled)) continue;
      where.push(`${describeWorkload(w)}:${listener.port} is ${describeDecision(d)}`);
      decision ??= d;
    }
  } else {
    // Its namespace's workloads are in the input and it applies to none of them: nothing to judge beyond the flag.
    if (ctx.hasWorkloads(sidecar.namespace)) return undefined;
    const d = ctx.hypotheticalMode(sidecar.namespace, sidecar.workloadSelector ?? {}).portMode(listener.port);
    where = applied(listener, d, enabled) ? [] : [`port ${listener.port} of its workloads (not in the input) is ${describeDecision(d)}`];
    decision = d;
  }
  if (where.length === 0 || !decision) return undefined;
  return findingOf(SIDECAR_INGRESS_TLS_IGNORED, {
    resource: sidecar.ref,
    path: `${listener.path}/tls`,
    message: `${at}, but istiod applies it only where the port's PeerAuthentication mode is DISABLE, and ${listSome(where)}; so ${keep}`,
    fix: `add a PeerAuthentication with portLevelMtls ${listener.port}: DISABLE for these workloads if the port should terminate TLS `
      + 'with this certificate; otherwise remove ingress[].tls',
    related: decision.decidedBy ? [decision.decidedBy.ref] : [],
  });
}

export const sidecarIngressTlsIgnored: AnalysisRule = {
  info: SIDECAR_INGRESS_TLS_IGNORED,
  check(ctx): Finding[] {
    const m = ctx.model;
    const withTls = m.sidecars.filter((s) => s.ingress.some((l) => l.hasTls));
    if (withTls.length === 0) return [];
    const out: Finding[] = [];
    for (const sidecar of withTls) {
      const selected = m.workloads.filter((w) => sidecarFor(w, m.sidecars, m.options.rootNamespace).sidecar === sidecar);
      const withProxy = selected.filter((w) => { const d = resolveDataplane(m, w); return d.dataplane === 'sidecar' && d.admitted; });
      // Workloads in the input without a sidecar: nothing reads the Sidecar there.
      if (selected.length > 0 && withProxy.length === 0) continue;
      for (const listener of sidecar.ingress) {
        if (!listener.hasTls) continue;
        const f = judge(ctx, sidecar, listener, withProxy);
        if (f) out.push(f);
      }
    }
    return out;
  },
};
