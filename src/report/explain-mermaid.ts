import { mermaidText as label } from './escape';
import { describeRef } from '../model/manifest';
import { MeshExplanation as Explanation } from '../resolution/explain';

const CLASS = { STRICT: 'strict', PERMISSIVE: 'permissive', DISABLE: 'disable', ambiguous: 'ambiguous' } as const;

/** Mermaid identifiers must be plain: map every workload to w0, w1, … in report order. */
function idOf(map: Map<string, string>, key: string, prefix: string): string {
  let id = map.get(key);
  if (!id) {
    id = `${prefix}${map.size}`;
    map.set(key, id);
  }
  return id;
}

/**
 * A Mermaid flowchart: mesh → namespaces → workloads, coloured by effective
 * mode; exceptions marked; failing connections drawn as red dashed edges.
 * Every name is written with Mermaid's entity codes (`#quot;`, `#lt;`, …)
 * and its control characters escaped, so no name can end a label or inject HTML.
 */
export function renderExplainMermaid(e: Explanation): string {
  const out: string[] = ['flowchart LR'];
  const ids = new Map<string, string>();
  const nsIds = new Map<string, string>();
  const byNs = new Map<string, typeof e.workloads[number][]>();
  for (const w of e.workloads) {
    const list = byNs.get(w.namespace) ?? [];
    list.push(w);
    byNs.set(w.namespace, list);
  }
  out.push('  subgraph mesh["mesh"]');
  for (const [ns, workloads] of byNs) {
    out.push(`    subgraph ${idOf(nsIds, ns, 'ns')}["namespace ${label(ns)}"]`);
    for (const w of workloads) {
      const id = idOf(ids, `${w.namespace}/${w.name}`, 'w');
      const ports = w.ports.filter((p) => p.mode !== w.mode || !p.captured).map((p) => `${p.port}: ${p.captured ? p.mode : `not captured, ${p.accepts}`}`);
      const plane = w.dataplane === 'sidecar' ? '' : w.dataplane === 'ambient' ? `, ambient${w.waypoint ? ` via ${w.waypoint.name}` : ''}` : ', no proxy';
      const parts = [`${w.kind} ${w.name}`, w.mode + plane, ...ports];
      if (w.exception) parts.push('exception');
      // The line breaks are ours: escape each part, then join them.
      out.push(`      ${id}["${parts.map(label).join('<br/>')}"]:::${w.dataplane === 'none' ? 'nosidecar' : CLASS[w.mode]}`);
    }
    out.push('    end');
  }
  out.push('  end');
  const leftOut = e.leftOut ?? [];
  if (leftOut.length > 0) {
    out.push('  subgraph leftout["left out: the cluster would reject them"]');
    // `<unnamed>` would read as an HTML tag: label() writes it as #lt;unnamed#gt;.
    leftOut.forEach((o, i) => out.push(`    x${i}["${label(describeRef(o))}<br/>${label(o.code)}"]:::rejected`));
    out.push('  end');
  }
  const failing: number[] = [];
  let edge = 0;
  for (const c of e.connections ?? []) {
    const from = ids.get(`${c.from.namespace}/${c.from.name}`);
    const to = ids.get(`${c.to.namespace}/${c.to.name}`);
    if (!from || !to) continue;
    const via = [c.subset !== undefined ? `subset ${c.subset}` : '', c.weight !== undefined ? `weight ${c.weight}` : ''].filter((x) => x !== '').join(' ');
    const text = `${c.to.service}:${c.to.port}${via ? ` ${via}` : ''} ${c.tls}${c.outcome === 'fails' ? ' FAILS' : ''}`;
    out.push(c.outcome === 'fails' ? `  ${from} -. "${label(text)}" .-> ${to}` : `  ${from} -- "${label(text)}" --> ${to}`);
    if (c.outcome === 'fails') failing.push(edge);
    edge++;
  }
  out.push(
    '  classDef strict fill:#d4f4dd,stroke:#1a7f37',
    '  classDef permissive fill:#fff4c2,stroke:#9a6700',
    '  classDef disable fill:#ffd8d3,stroke:#cf222e',
    '  classDef ambiguous fill:#e8e0ff,stroke:#8250df,stroke-dasharray: 4 2',
    '  classDef nosidecar fill:#eeeeee,stroke:#57606a,stroke-dasharray: 2 2',
  );
  if (leftOut.length > 0) out.push('  classDef rejected fill:#ffffff,stroke:#cf222e,stroke-dasharray: 6 3');
  if (failing.length > 0) out.push(`  linkStyle ${failing.join(',')} stroke:#cf222e,stroke-width:2px`);
  return out.join('\n') + '\n';
}
