/**
 * The objects explain left out (the cluster would reject them), in every
 * format: named, located, with the first error, escaped for the format, and
 * the Mermaid diagram still parses with mermaid's own parser.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMeshModel } from '../../src/model';
import { renderExplainMarkdown } from '../../src/report/explain-markdown';
import { renderExplainMermaid } from '../../src/report/explain-mermaid';
import { renderExplainText } from '../../src/report/explain-text';
import { explainMesh, withLeftOut } from '../../src/resolution';
import { ExplainedLeftOut } from '../../src/resolution/explain';
import { deploy, ns, pa, STRICT } from '../resolution/helpers';

const EXPLANATION = explainMesh(buildMeshModel([ns('shop'), deploy('shop', 'api'), pa('istio-system', 'default', STRICT)]));

/** Given out of order: a namespaced policy, a cluster-scoped Namespace, a document with no kind or name. */
const LEFT_OUT: ExplainedLeftOut[] = [
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    namespace: 'shop',
    name: 'legacy',
    file: 'mesh.yaml',
    line: 12,
    column: 11,
    code: 'IMV204',
    message: 'spec.mtls.mode: unsupported value "STRIC"; allowed: UNSET | DISABLE',
  },
  { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'Shop', file: 'mesh.yaml', line: 3, column: 9, code: 'IMV106', message: 'metadata.name "Shop" is invalid' },
  { apiVersion: '', kind: '', namespace: '', name: '', code: 'IMV104', message: 'the document is null, not an object' },
];

describe('explain: objects left out', () => {
  const explained = withLeftOut(EXPLANATION, LEFT_OUT);

  describe('Compliance', () => {
    it('an explanation with nothing left out is unchanged, in every format', () => {
      expect(withLeftOut(EXPLANATION, [])).toBe(EXPLANATION);
      expect(renderExplainText(EXPLANATION)).not.toContain('left out');
      expect(renderExplainMarkdown(EXPLANATION)).not.toContain('Left out');
      expect(renderExplainMermaid(EXPLANATION)).not.toContain('leftout');
    });
  });

  describe('Noncompliance', () => {
    it('1: sorts them by namespace, name and kind, whatever the input order', () => {
      expect(explained.leftOut!.map((o) => o.name)).toEqual(['', 'Shop', 'legacy']);
      expect(withLeftOut(EXPLANATION, [...LEFT_OUT].reverse())).toEqual(explained);
    });

    it('2: text names each one, where it is and its first error, and counts them', () => {
      const text = renderExplainText(explained);
      expect(text.slice(text.indexOf('\nleft out'))).toBe([
        '',
        'left out: the cluster would reject these objects, so nothing above counts them',
        '  <no kind> <unnamed>: IMV104 the document is null, not an object',
        '  Namespace Shop (mesh.yaml:3:9): IMV106 metadata.name "Shop" is invalid',
        '  PeerAuthentication shop/legacy (mesh.yaml:12:11): IMV204 spec.mtls.mode: unsupported value "STRIC"; allowed: UNSET | DISABLE',
        '',
        '1 workload, 3 objects left out',
        '',
      ].join('\n'));
    });

    it('3: Markdown lists them in a table, with the pipes of messages escaped', () => {
      const md = renderExplainMarkdown(explained);
      expect(md.slice(md.indexOf('## Left out'))).toBe([
        '## Left out', '', 'The cluster would reject these objects, so the tables above do not count them.', '',
        '| Object | Where | Code | Why |', '| --- | --- | --- | --- |',
        '| `<no kind> <unnamed>` |  | IMV104 | the document is null, not an object |',
        '| `Namespace Shop` | mesh.yaml:3:9 | IMV106 | metadata.name "Shop" is invalid |',
        '| `PeerAuthentication shop/legacy` | mesh.yaml:12:11 | IMV204 | spec.mtls.mode: unsupported value "STRIC"; allowed: UNSET \\| DISABLE |',
        '',
      ].join('\n'));
    });

    it('4: Mermaid draws them in their own subgraph, escaped, and the diagram parses', async () => {
      const diagram = renderExplainMermaid(explained);
      expect(diagram).toContain([
        '  subgraph leftout["left out: the cluster would reject them"]',
        '    x0["#lt;no kind#gt; #lt;unnamed#gt;<br/>IMV104"]:::rejected',
        '    x1["Namespace Shop<br/>IMV106"]:::rejected',
        '    x2["PeerAuthentication shop/legacy<br/>IMV204"]:::rejected',
        '  end',
      ].join('\n'));
      expect(diagram).toContain('  classDef rejected fill:#ffffff,stroke:#cf222e,stroke-dasharray: 6 3\n');
      expect(await parse(diagram)).toEqual({ ok: true, type: 'flowchart-v2' });
    });
  });
});

type Mermaid = typeof import('mermaid').default;
let mermaid: Mermaid;

/** The part of jsdom used here (jsdom ships no types). */
interface JsdomModule {
  JSDOM: new (html: string, options?: { pretendToBeVisual?: boolean }) => { window: Record<string, any> & { document: unknown; navigator: unknown } };
}

beforeAll(async () => {
  // mermaid sanitizes labels with DOMPurify, which needs a DOM.
  const { JSDOM } = (await import('jsdom' as string)) as JsdomModule;
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
  const g = globalThis as Record<string, unknown>;
  for (const key of ['document', 'Element', 'HTMLElement', 'SVGElement', 'DOMParser', 'Node']) g[key] = dom.window[key];
  g.window = dom.window;
  if (!('navigator' in globalThis)) g.navigator = dom.window.navigator;
  mermaid = (await import('mermaid')).default;
  mermaid.initialize({ startOnLoad: false });
});

async function parse(text: string): Promise<{ ok: true; type: string } | { ok: false; error: string }> {
  try {
    const result = await mermaid.parse(text);
    return result ? { ok: true, type: result.diagramType } : { ok: false, error: 'parse returned false' };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
