import { markdownCode, markdownText } from './escape';
import { where } from './explain-text';
import { describeRef } from '../model/manifest';
import { ExplainedRef, MeshExplanation as Explanation } from '../resolution/explain';

function by(ref: ExplainedRef | null): string {
  return ref ? `${markdownText(ref.kind)} ${markdownCode(`${ref.namespace}/${ref.name}`)}` : '— (default PERMISSIVE)';
}

/**
 * A Markdown report: one table of workloads and ports, one of connections.
 * Names are code spans and messages text, both escaped so that no name or
 * message can end a cell, open a tag or start emphasis.
 */
export function renderExplainMarkdown(e: Explanation): string {
  const out: string[] = [
    '# mTLS enforcement', '', '| Namespace | Workload | Data plane | Port | Mode | Accepts | Decided by |', '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const w of e.workloads) {
    const name = `${markdownText(w.kind)} ${markdownCode(w.name)}${w.exception ? ' (exception)' : ''}`;
    const plane = w.admitted === false ? `${w.dataplane} (pod rejected)`
      : w.waypoint ? `${w.dataplane}, waypoint ${markdownCode(`${w.waypoint.namespace}/${w.waypoint.name}`)}` : w.dataplane;
    out.push(`| ${markdownText(w.namespace)} | ${name} | ${plane} | all | **${w.mode}** | | ${by(w.decidedBy)} |`);
    for (const p of w.ports) out.push(`| | | | ${p.port} | ${p.mode} | ${p.accepts}${p.captured ? '' : ' (not captured)'} | ${by(p.decidedBy)} |`);
  }
  if (e.connections) {
    out.push('', '## Connections', '', '| From | To | TLS sent | Outcome | Why |', '| --- | --- | --- | --- | --- |');
    for (const c of e.connections) {
      const outcome = c.outcome === 'fails' ? '**fails**' : 'ok';
      const route = [
        c.route ? markdownCode(`${c.route.namespace}/${c.route.name}`) : '',
        c.subset !== undefined ? `subset ${markdownCode(c.subset)}` : '',
        c.weight !== undefined ? `weight ${c.weight}` : '',
      ].filter((x) => x !== '').join(', ');
      // Routed traffic names its VirtualService, subset and weight after the host.
      const to = `${markdownCode(`${c.to.service}.${c.to.namespace}:${c.to.port}`)}${route ? ` via ${route}` : ''}`;
      out.push(`| ${markdownCode(`${c.from.namespace}/${c.from.name}`)} | ${to} | ${c.tls} | ${outcome} | ${markdownText(c.reason)} |`);
    }
  }
  if (e.leftOut && e.leftOut.length > 0) {
    out.push('', '## Left out', '', 'The cluster would reject these objects, so the tables above do not count them.', '',
      '| Object | Where | Code | Why |', '| --- | --- | --- | --- |');
    for (const o of e.leftOut) {
      out.push(`| ${markdownCode(describeRef(o))} | ${o.file !== undefined ? markdownText(where(o)) : ''} | ${o.code} | ${markdownText(o.message)} |`);
    }
  }
  return out.join('\n') + '\n';
}
