import { Finding } from '../../model/finding';
import { RuleInfo } from '../../model/rule-info';
import { exceptionAnnotationKeys } from '../../vocabulary/exception-annotations';
import { AnalysisRule, findingOf } from '../rule';

export const UNDOCUMENTED_EXCEPTION: RuleInfo = {
  code: 'IMA016',
  category: 'undocumented-exception',
  severity: 'warning',
  title: 'mTLS weakened without a documented exception',
  explanation: 'A workload PeerAuthentication that sets PERMISSIVE or DISABLE (for the workload or one port) where the mesh '
    + 'and namespace policies make it STRICT is an exception to the mesh\'s mTLS. Without the reason and owner annotations '
    + '(what WorkloadException writes) nobody can tell why it exists or whom to ask before removing it.',
};

export const undocumentedException: AnalysisRule = {
  info: UNDOCUMENTED_EXCEPTION,
  check(ctx): Finding[] {
    const keys = exceptionAnnotationKeys(ctx.model.options.exceptionAnnotationPrefix);
    const out: Finding[] = [];
    for (const p of ctx.model.peerAuthentications) {
      if (p.level !== 'workload') continue;
      const base = ctx.namespaceMode(p.namespace);
      if (base.mode !== 'STRICT') continue;
      const weakened = [
        ...(p.mode === 'PERMISSIVE' || p.mode === 'DISABLE' ? [{ what: `the workload to ${p.mode}`, path: '/spec/mtls/mode' }] : []),
        ...p.portLevel.filter((x) => x.mode === 'PERMISSIVE' || x.mode === 'DISABLE').map((x) => ({ what: `port ${x.port} to ${x.mode}`, path: x.path })),
      ];
      if (weakened.length === 0) continue;
      const missing = [keys.reason, keys.owner].filter((k) => !p.annotations[k]?.trim());
      if (missing.length === 0) continue;
      const by = base.decidedBy ? ` by PeerAuthentication ${base.decidedBy.namespace}/${base.decidedBy.name}` : '';
      out.push(findingOf(UNDOCUMENTED_EXCEPTION, {
        resource: p.ref,
        path: weakened[0].path,
        message: `PeerAuthentication ${p.namespace}/${p.name} weakens ${weakened.map((w) => w.what).join(' and ')} in namespace `
          + `${p.namespace}, which is STRICT${by}, without ${missing.join(' and ')}`,
        fix: `annotate it with ${missing.join(' and ')} (WorkloadException does), or remove the exception`,
        related: base.decidedBy ? [base.decidedBy.ref] : [],
      }));
    }
    return out;
  },
};
