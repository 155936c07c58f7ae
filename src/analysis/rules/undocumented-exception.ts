import { Finding, findingOf } from '../../model/finding';
import { PeerAuthenticationPolicy } from '../../model/policies';
import { RuleInfo } from '../../model/rule-info';
import { exceptionAnnotationKeys } from '../../vocabulary/exception-annotations';
import { ANY_OTHER_NAMESPACE } from '../context';
import { AnalysisRule } from '../rule';

export const UNDOCUMENTED_EXCEPTION: RuleInfo = {
  code: 'IMA016',
  category: 'undocumented-exception',
  severity: 'warning',
  title: 'mTLS weakened without a documented exception',
  explanation: 'A PeerAuthentication that sets PERMISSIVE or DISABLE below a STRICT level is an exception to the mesh\'s mTLS: '
    + 'a workload policy (for the workload or one port) where the mesh and namespace policies make it STRICT, or a '
    + 'namespace-wide policy where the mesh policy is STRICT. Without the reason, owner and review-by annotations (what '
    + 'WorkloadException and the `exception` prop of WorkloadMtls, NamespaceMtls and MeshStrictMtls write) nobody can tell '
    + 'why it exists or whom to ask, and it never comes up for review (expired-exception judges the date). A warning: plain '
    + 'YAML from other tools is judged, not rejected.',
};

/** `a`, `a and b`, `a, b and c`. */
function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const weakens = (mode: string) => mode === 'PERMISSIVE' || mode === 'DISABLE';

export const undocumentedException: AnalysisRule = {
  info: UNDOCUMENTED_EXCEPTION,
  check(ctx): Finding[] {
    const keys = exceptionAnnotationKeys(ctx.model.options.exceptionAnnotationPrefix);
    const missingOf = (p: PeerAuthenticationPolicy) => [keys.reason, keys.owner, keys.reviewBy].filter((k) => !p.annotations[k]?.trim());
    const fix = (missing: readonly string[]) => `annotate it with ${joinAnd(missing)} (WorkloadException and the 'exception' prop `
      + 'of WorkloadMtls, NamespaceMtls and MeshStrictMtls write them), or remove the exception';
    const out: Finding[] = [];
    const mesh = ctx.namespaceMode(ANY_OTHER_NAMESPACE);
    for (const p of ctx.model.peerAuthentications) {
      if (p.level === 'namespace') {
        if (mesh.mode !== 'STRICT' || !weakens(p.mode)) continue;
        const missing = missingOf(p);
        if (missing.length === 0) continue;
        const by = mesh.decidedBy ? ` by PeerAuthentication ${mesh.decidedBy.namespace}/${mesh.decidedBy.name}` : '';
        out.push(findingOf(UNDOCUMENTED_EXCEPTION, {
          resource: p.ref,
          path: '/spec/mtls/mode',
          message: `PeerAuthentication ${p.namespace}/${p.name} weakens namespace ${p.namespace} to ${p.mode}, below the mesh, `
            + `which is STRICT${by}, without ${joinAnd(missing)}`,
          fix: fix(missing),
          related: mesh.decidedBy ? [mesh.decidedBy.ref] : [],
        }));
        continue;
      }
      if (p.level !== 'workload') continue;
      const base = ctx.namespaceMode(p.namespace);
      if (base.mode !== 'STRICT') continue;
      const weakened = [
        ...(weakens(p.mode) ? [{ what: `the workload to ${p.mode}`, path: '/spec/mtls/mode' }] : []),
        ...p.portLevel.filter((x) => weakens(x.mode)).map((x) => ({ what: `port ${x.port} to ${x.mode}`, path: x.path })),
      ];
      if (weakened.length === 0) continue;
      const missing = missingOf(p);
      if (missing.length === 0) continue;
      const by = base.decidedBy ? ` by PeerAuthentication ${base.decidedBy.namespace}/${base.decidedBy.name}` : '';
      out.push(findingOf(UNDOCUMENTED_EXCEPTION, {
        resource: p.ref,
        path: weakened[0].path,
        message: `PeerAuthentication ${p.namespace}/${p.name} weakens ${weakened.map((w) => w.what).join(' and ')} in namespace `
          + `${p.namespace}, which is STRICT${by}, without ${joinAnd(missing)}`,
        fix: fix(missing),
        related: base.decidedBy ? [base.decidedBy.ref] : [],
      }));
    }
    return out;
  },
};
