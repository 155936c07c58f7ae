import { visible } from './escape';
import { describeRef } from '../model/manifest';
import { ExplainedLeftOut, ExplainedRef, MeshExplanation as Explanation } from '../resolution/explain';

function by(ref: ExplainedRef | null): string {
  return ref ? `${ref.kind} ${ref.namespace}/${ref.name}` : 'no policy (Istio default PERMISSIVE)';
}

/** The data plane, where it is not a plain sidecar. */
function plane(w: Explanation['workloads'][number]): string {
  if (w.admitted === false) return ' [pod rejected: never created]';
  if (w.dataplane === 'ambient') return ` [ambient: ztunnel enforces${w.waypoint ? `; waypoint ${w.waypoint.namespace}/${w.waypoint.name}` : ''}]`;
  if (w.dataplane === 'none') return ' [no proxy: accepts plaintext only]';
  return '';
}

/** The route, subset and weight of a connection, where a VirtualService sent it. */
export function routing(c: NonNullable<Explanation['connections']>[number]): string {
  const parts: string[] = [];
  if (c.route) parts.push(`via VirtualService ${c.route.namespace}/${c.route.name}`);
  if (c.subset !== undefined) parts.push(`subset ${c.subset}`);
  if (c.weight !== undefined) parts.push(`weight ${c.weight}`);
  return parts.length > 0 ? ` [${parts.join(', ')}]` : '';
}

/**
 * One block per workload: its mode and why, then each port that differs or is
 * named by a policy. Control characters of names and messages are shown escaped.
 */
export function renderExplainText(e: Explanation): string {
  const out: string[] = [];
  let ns = '';
  for (const w of e.workloads) {
    if (w.namespace !== ns) {
      ns = w.namespace;
      out.push(`namespace ${ns}`);
    }
    out.push(`  ${w.kind} ${w.name}: ${w.mode}${plane(w)}${w.exception ? ' [exception]' : ''} — ${by(w.decidedBy)}`);
    for (const p of w.ports) {
      const fact = p.captured ? '' : ` [not captured: accepts ${p.accepts}]`;
      out.push(`    port ${p.port}: ${p.mode}${fact} — ${by(p.decidedBy)}${p.note && !p.captured ? `; ${p.note}` : ''}`);
    }
  }
  if (e.connections) {
    out.push('', 'connections');
    for (const c of e.connections) {
      const mark = c.outcome === 'fails' ? 'FAILS' : 'ok';
      out.push(`  ${c.from.namespace}/${c.from.name} -> ${c.to.service}.${c.to.namespace}:${c.to.port} (${c.to.name})${routing(c)}: ${c.tls}, ${mark} — ${c.reason}`);
    }
  }
  const leftOut = e.leftOut ?? [];
  if (leftOut.length > 0) {
    out.push('', 'left out: the cluster would reject these objects, so nothing above counts them');
    for (const o of leftOut) out.push(`  ${describeRef(o)}${o.file !== undefined ? ` (${where(o)})` : ''}: ${o.code} ${o.message}`);
  }
  const failing = e.connections?.filter((c) => c.outcome === 'fails').length ?? 0;
  out.push('', `${e.workloads.length} workload${e.workloads.length === 1 ? '' : 's'}`
    + (e.connections ? `, ${e.connections.length} connection${e.connections.length === 1 ? '' : 's'}, ${failing} failing` : '')
    + (leftOut.length > 0 ? `, ${leftOut.length} object${leftOut.length === 1 ? '' : 's'} left out` : ''));
  return out.map(visible).join('\n') + '\n';
}

/** `file:line:column`, or the file alone when the position is unknown. */
export function where(o: ExplainedLeftOut): string {
  return `${o.file ?? ''}${o.line !== undefined ? `:${o.line}:${o.column ?? 1}` : ''}`;
}
