import { Finding, findingOf } from '../../model/finding';
import { PeerAuthenticationPolicy } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { ModeDecision } from '../../resolution/server-mode';
import { exceptionAnnotationKeys, nonPrintableCharacter } from '../../vocabulary/exception-annotations';
import { ANY_OTHER_NAMESPACE } from '../context';
import { AnalysisRule } from '../rule';

export const UNDOCUMENTED_EXCEPTION: RuleInfo = {
  code: 'IMA016',
  category: 'undocumented-exception',
  severity: 'warning',
  title: 'mTLS weakened without a documented exception',
  explanation: 'A PeerAuthentication whose mode is weaker than what its workloads would get without it is an exception to the '
    + 'mesh\'s mTLS (STRICT > PERMISSIVE > DISABLE; above the mesh policy stands Istio\'s default, PERMISSIVE): a mesh-wide '
    + 'DISABLE, a namespace-wide policy weaker than the mesh\'s mode, a workload policy (for the workload or one port) weaker '
    + 'than its namespace\'s mode. Without the reason, owner and review-by annotations, as printable text (what WorkloadException and the '
    + '`exception` prop of WorkloadMtls, NamespaceMtls and MeshStrictMtls write) nobody can tell why it exists or whom to ask, '
    + 'and it never comes up for review (expired-exception judges the date). A warning: plain YAML from other tools is judged, '
    + 'not rejected.',
};

/** `a`, `a and b`, `a, b and c`. */
function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const STRENGTH: Readonly<Record<string, number>> = { DISABLE: 0, PERMISSIVE: 1, STRICT: 2 };

/** True when `mode` accepts less mTLS than `base` (both set; an ambiguous base is never weakened). */
const weaker = (mode: string, base: string) => mode in STRENGTH && base in STRENGTH && STRENGTH[mode] < STRENGTH[base];

/** `which is STRICT by PeerAuthentication ns/name`, or `which is PERMISSIVE (Istio's default)`. */
function whichIs(d: ModeDecision): string {
  return d.decidedBy === null ? `which is ${d.mode} (Istio's default)` : `which is ${d.mode} by PeerAuthentication ${d.decidedBy.namespace}/${d.decidedBy.name}`;
}

export const undocumentedException: AnalysisRule = {
  info: UNDOCUMENTED_EXCEPTION,
  check(ctx): Finding[] {
    const keys = exceptionAnnotationKeys(ctx.model.options.exceptionAnnotationPrefix);
    // A blank value documents nothing, nor does one with control characters (it would hide or rewrite text where it is shown).
    const missingOf = (p: PeerAuthenticationPolicy) => [keys.reason, keys.owner, keys.reviewBy].flatMap((k) => {
      const value = p.annotations[k];
      if (!value?.trim()) return [k];
      const bad = nonPrintableCharacter(value);
      return bad ? [`${k} (${bad} is not printable)`] : [];
    });
    const fix = (missing: readonly string[]) => `annotate it with ${joinAnd(missing)} (WorkloadException and the 'exception' prop `
      + 'of WorkloadMtls, NamespaceMtls and MeshStrictMtls write them), or remove the exception';
    const out: Finding[] = [];
    /** `what`: the weakening and what it is below, e.g. `namespace p to DISABLE, below the mesh, which is STRICT by …` (worded only for a finding). */
    const report = (p: PeerAuthenticationPolicy, path: string, what: () => string, base: ModeDecision) => {
      const missing = missingOf(p);
      if (missing.length === 0) return;
      out.push(findingOf(UNDOCUMENTED_EXCEPTION, {
        resource: p.ref,
        path,
        message: `PeerAuthentication ${p.namespace}/${p.name} weakens ${what()}, without ${joinAnd(missing)}`,
        fix: fix(missing),
        related: base.decidedBy ? [base.decidedBy.ref] : [],
      }));
    };
    const mesh = ctx.namespaceMode(ANY_OTHER_NAMESPACE);
    for (const p of ctx.model.peerAuthentications) {
      if (p.level === 'mesh') {
        if (p.mode === 'DISABLE') report(p, '/spec/mtls/mode', () => 'the whole mesh to DISABLE, below Istio\'s default, PERMISSIVE', DEFAULT_MODE);
      } else if (p.level === 'namespace') {
        if (weaker(p.mode, mesh.mode)) report(p, '/spec/mtls/mode', () => `namespace ${p.namespace} to ${p.mode}, below the mesh, ${whichIs(mesh)}`, mesh);
      } else if (p.level === 'workload') {
        const base = ctx.namespaceMode(p.namespace);
        const weakened: { what: string; path: string }[] = [];
        if (weaker(p.mode, base.mode)) weakened.push({ what: `the workload to ${p.mode}`, path: '/spec/mtls/mode' });
        for (const x of p.portLevel) if (weaker(x.mode, base.mode)) weakened.push({ what: `port ${x.port} to ${x.mode}`, path: x.path });
        if (weakened.length > 0) {
          report(p, weakened[0].path, () => `${weakened.map((w) => w.what).join(' and ')} in namespace ${p.namespace}, ${whichIs(base)}`, base);
        }
      }
    }
    return out;
  },
};

/** Istio's mode where no PeerAuthentication sets one. */
const DEFAULT_MODE: ModeDecision = { mode: 'PERMISSIVE', possibleModes: ['PERMISSIVE'], decidedBy: null, level: 'default' };
