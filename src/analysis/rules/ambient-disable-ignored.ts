import { Finding, findingOf } from '../../model/finding';
import { Workload } from '../../model/inventory';
import { PeerAuthenticationPolicy, portLevelOf } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { IgnoredDisable } from '../../resolution/ambient-peer-authentication';
import { resolveDataplane } from '../../resolution/dataplane';
import { resolveInbound } from '../../resolution/inbound';
import { peerAuthenticationCandidates } from '../../resolution/server-mode';
import { AnalysisContext, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const AMBIENT_DISABLE_IGNORED: RuleInfo = {
  code: 'IMA019',
  category: 'ambient-disable-ignored',
  severity: 'error',
  title: 'PeerAuthentication that ztunnel does not enforce as written on ambient workloads',
  explanation: 'On an ambient pod the destination ztunnel enforces PeerAuthentication as an L4 policy that refuses connections '
    + 'without a peer identity; HBONE always carries one, so there is no DISABLE in ambient. A DISABLE at the mesh, namespace '
    + 'or workload level, or on a port under a workload mode STRICT, is read as PERMISSIVE: the port takes HBONE and plaintext '
    + '(info). A port-level DISABLE under a workload mode UNSET that inherits STRICT is ignored, because istiod only exempts '
    + 'PERMISSIVE ports from the inherited STRICT: the port stays STRICT and plaintext callers such as the kube-apiserver '
    + 'calling a webhook are refused (error), where a sidecar would have taken plaintext. Two more ambient-only readings are '
    + 'warnings: a root-namespace policy written with `selector: {}` is never fetched for ambient workloads (sidecars take '
    + 'it as the mesh policy), and some combinations of UNSET modes and port-level modes convert, by istiod\'s source, to '
    + 'no ztunnel rule at all, so nothing refuses plaintext [U: read from source only, to confirm on a cluster]. Only '
    + 'ambient workloads in the input are judged.',
  source: 'pilot/pkg/serviceregistry/ambient/authorization.go (convertPeerAuthentication, convertedSelectorPeerAuthentications), '
    + 'pilot/pkg/serviceregistry/ambient/workloads.go (fetchPeerAuthentications), ztunnel src/rbac.rs',
};

interface Group<T> {
  readonly item: T;
  readonly workloads: Workload[];
}

function add<T>(map: Map<string, Group<T>>, key: string, item: T, w: Workload): void {
  const g = map.get(key);
  if (!g) map.set(key, { item, workloads: [w] });
  else if (!g.workloads.includes(w)) g.workloads.push(w);
}

function policyName(p: { namespace: string; name: string }): string {
  return `PeerAuthentication ${p.namespace}/${p.name}`;
}

function workloadsText(ws: readonly Workload[]): string {
  return listSome(ws.map(describeWorkload));
}

/** The ambient workloads of the input whose pods exist. */
function ambientWorkloads(ctx: AnalysisContext): Workload[] {
  if (!ctx.model.options.ambient) return [];
  return ctx.model.workloads.filter((w) => {
    const d = resolveDataplane(ctx.model, w);
    return d.dataplane === 'ambient' && d.admitted;
  });
}

function disableFinding(ctx: AnalysisContext, d: IgnoredDisable, ws: readonly Workload[]): Finding | undefined {
  const p = d.policy;
  const entry = d.port === undefined ? undefined : portLevelOf(p, d.port);
  const what = d.port === undefined ? `sets mode DISABLE (${p.level} level)` : `sets port ${d.port} DISABLE`;
  if (d.effect === 'ignored') {
    // Only pods listening on the port are affected; a key that is no container port is port-level-not-container-port's.
    const listening = ws.filter((w) => w.ports.some((x) => x.port === d.port));
    if (listening.length === 0) return undefined;
    const strictBy = resolveInbound(ctx.model, listening[0]).port(d.port!).decidedBy;
    const from = strictBy ? policyName(strictBy) : 'the mesh and namespace policies';
    return findingOf(AMBIENT_DISABLE_IGNORED, {
      resource: p.ref,
      path: entry?.path ?? '/spec/portLevelMtls',
      message: `${policyName(p)} ${what} under a workload mode that inherits STRICT (${from}); ztunnel ignores it on ambient `
        + `${workloadsText(listening)}, so port ${d.port} stays STRICT and plaintext callers (kube-apiserver webhooks, pods outside `
        + 'the mesh) are refused, where a sidecar would take plaintext',
      fix: `set port ${d.port} to PERMISSIVE (ambient has no DISABLE; PERMISSIVE takes plaintext and HBONE), `
        + 'or give the policy an explicit `mtls.mode: STRICT`, under which ztunnel reads the DISABLE as PERMISSIVE',
      related: strictBy ? [strictBy.ref] : [],
    });
  }
  const caveat = d.port !== undefined && p.mode === 'UNSET'
    ? ` (only because the policy also has a PERMISSIVE port; without it the DISABLE would be ignored and port ${d.port} STRICT)`
    : '';
  const where = d.port === undefined ? 'its ports take' : `port ${d.port} takes`;
  return findingOf(AMBIENT_DISABLE_IGNORED, {
    resource: p.ref,
    path: entry?.path ?? '/spec/mtls/mode',
    severity: 'info',
    message: `${policyName(p)} ${what}, which ztunnel reads as PERMISSIVE on ambient ${workloadsText(ws)}${caveat}: `
      + `${where} HBONE (mTLS) and plaintext, where a sidecar would take only plaintext`,
    fix: `write PERMISSIVE instead of DISABLE for ${d.port === undefined ? 'the mode' : `port ${d.port}`}: it is what ztunnel enforces`,
  });
}

/** The workload policies a divergence text names (`[U] ns/name: ...`), with the text about each. */
function divergencesOf(ctx: AnalysisContext, w: Workload, text: string): { policy: PeerAuthenticationPolicy; text: string }[] {
  const parts = text.split(/; (?=\[U\] )/);
  const out: { policy: PeerAuthenticationPolicy; text: string }[] = [];
  for (const p of peerAuthenticationCandidates(ctx.model, w.namespace, w.labels).workload) {
    const prefix = `[U] ${p.namespace}/${p.name}: `;
    const part = parts.find((x) => x.startsWith(prefix));
    if (part) out.push({ policy: p, text: part.slice(prefix.length) });
  }
  return out;
}

export const ambientDisableIgnored: AnalysisRule = {
  info: AMBIENT_DISABLE_IGNORED,
  check(ctx): Finding[] {
    const disables = new Map<string, Group<IgnoredDisable>>();
    const divergences = new Map<string, Group<{ policy: PeerAuthenticationPolicy; text: string }>>();
    const unseen = new Map<string, Group<PeerAuthenticationPolicy>>();
    for (const w of ambientWorkloads(ctx)) {
      const a = resolveInbound(ctx.model, w).ambient;
      if (!a) continue;
      for (const d of a.ignoredDisables) add(disables, `${d.policy.namespace}/${d.policy.name}\u0000${d.port ?? ''}\u0000${d.effect}`, d, w);
      if (a.divergence) {
        for (const d of divergencesOf(ctx, w, a.divergence)) add(divergences, `${d.policy.namespace}/${d.policy.name}\u0000${d.text}`, d, w);
      }
      // An unseen STRICT matters where nothing else decides the mode: those workloads fall back to the PERMISSIVE default.
      if (a.decidedBy === null) {
        for (const u of a.unseen) if (u.policy.mode === 'STRICT') add(unseen, `${u.policy.namespace}/${u.policy.name}`, u.policy, w);
      }
    }
    const out: Finding[] = [];
    for (const { item, workloads } of disables.values()) {
      const f = disableFinding(ctx, item, workloads);
      if (f) out.push(f);
    }
    for (const { item, workloads } of divergences.values()) {
      out.push(findingOf(AMBIENT_DISABLE_IGNORED, {
        resource: item.policy.ref,
        path: '/spec/portLevelMtls',
        severity: 'warning',
        message: `${policyName(item.policy)} on ambient ${workloadsText(workloads)}, read from istiod's source only [U]: ${item.text}`,
        fix: 'write every inherited mode out: an explicit `mtls.mode` on this policy and on the namespace policy (without a '
          + '`selector` field), so that istiod converts the port-level modes; then confirm on a cluster that plaintext is refused',
      }));
    }
    for (const { item, workloads } of unseen.values()) {
      out.push(findingOf(AMBIENT_DISABLE_IGNORED, {
        resource: item.ref,
        path: '/spec/selector',
        severity: 'warning',
        message: `${policyName(item)} in the root namespace has a \`selector\` field: sidecars take its STRICT as the mesh policy, `
          + `but istiod never applies it to ambient workloads, so ${workloadsText(workloads)} fall back to PERMISSIVE and accept plaintext`,
        fix: 'delete the empty `selector` field, so that ambient workloads see the mesh policy too',
      }));
    }
    return out;
  },
};
