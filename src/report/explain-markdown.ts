import { where } from './explain-text';
import { describeRef } from '../model/manifest';
import { ExplainedRef, MeshExplanation as Explanation } from '../resolution/explain';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function by(ref: ExplainedRef | null): string {
  return ref ? `${ref.kind} \`${ref.namespace}/${ref.name}\`` : '— (default PERMISSIVE)';
}

/** A Markdown report: one table of workloads and ports, one of connections. */
export function renderExplainMarkdown(e: Explanation): string {
  const out: string[] = [
    '# mTLS enforcement', '', '| Namespace | Workload | Data plane | Port | Mode | Accepts | Decided by |', '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const w of e.workloads) {
    const name = `${w.kind} \`${cell(w.name)}\`${w.exception ? ' (exception)' : ''}`;
    const plane = w.admitted === false ? `${w.dataplane} (pod rejected)`
      : w.waypoint ? `${w.dataplane}, waypoint \`${w.waypoint.namespace}/${w.waypoint.name}\`` : w.dataplane;
    out.push(`| ${cell(w.namespace)} | ${name} | ${plane} | all | **${w.mode}** | | ${by(w.decidedBy)} |`);
    for (const p of w.ports) out.push(`| | | | ${p.port} | ${p.mode} | ${p.accepts}${p.captured ? '' : ' (not captured)'} | ${by(p.decidedBy)} |`);
  }
  if (e.connections) {
    out.push('', '## Connections', '', '| From | To | TLS sent | Outcome | Why |', '| --- | --- | --- | --- | --- |');
    for (const c of e.connections) {
      const outcome = c.outcome === 'fails' ? '**fails**' : 'ok';
      const route = [
        c.route ? `\`${c.route.namespace}/${c.route.name}\`` : '',
        c.subset !== undefined ? `subset \`${cell(c.subset)}\`` : '',
        c.weight !== undefined ? `weight ${c.weight}` : '',
      ].filter((x) => x !== '').join(', ');
      // Routed traffic names its VirtualService, subset and weight after the host.
      const to = `\`${c.to.service}.${c.to.namespace}:${c.to.port}\`${route ? ` via ${route}` : ''}`;
      out.push(`| \`${c.from.namespace}/${c.from.name}\` | ${to} | ${c.tls} | ${outcome} | ${cell(c.reason)} |`);
    }
  }
  if (e.leftOut && e.leftOut.length > 0) {
    out.push('', '## Left out', '', 'The cluster would reject these objects, so the tables above do not count them.', '',
      '| Object | Where | Code | Why |', '| --- | --- | --- | --- |');
    for (const o of e.leftOut) {
      out.push(`| \`${cell(describeRef(o))}\` | ${o.file !== undefined ? cell(where(o)) : ''} | ${o.code} | ${cell(o.message)} |`);
    }
  }
  return out.join('\n') + '\n';
}
