import { beforeAll, describe, expect, it } from 'vitest';
import { buildMeshModel } from '../../src/model';
import { renderExplainMermaid } from '../../src/report/explain-mermaid';
import { explainMesh } from '../../src/resolution';
import { deploy, dr, ns, pa, svc } from '../resolution/helpers';

/** A mesh with every shape the diagram draws differently. */
const manifests = [
  ns('shop'), ns('perm'), ns('dis'), ns('amb'), ns('legacy', {}),
  pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
  pa('perm', 'default', { mtls: { mode: 'PERMISSIVE' } }),
  pa('dis', 'default', { mtls: { mode: 'DISABLE' } }),
  // Two namespace-wide policies: the mode is ambiguous.
  pa('amb', 'one', { mtls: { mode: 'STRICT' } }),
  pa('amb', 'two', { mtls: { mode: 'DISABLE' } }),
  // An exception: a port-level weakening with the exception annotations.
  pa('shop', 'api-exception', { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } },
    { 'mtls.exception/reason': 'metrics "scraper"', 'mtls.exception/owner': 'sre' }),
  deploy('shop', 'api', { ports: [8080, 9090] }),
  deploy('shop', 'web.v2'),
  deploy('perm', 'reports'),
  deploy('dis', 'legacy-db', { ports: [5432] }),
  deploy('amb', 'cache', { ports: [6379] }),
  // No sidecar: an uninjected namespace, and a hostNetwork pod in an injected one.
  deploy('legacy', 'batch'),
  deploy('shop', 'node-agent', { hostNetwork: true }),
  svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }, { port: 90, targetPort: 9090 }]),
  svc('dis', 'legacy-db', { app: 'legacy-db' }, [{ port: 5432 }]),
  svc('amb', 'cache', { app: 'cache' }, [{ port: 6379 }]),
  // Failing connections: plaintext from legacy to STRICT api; mTLS forced towards the DISABLE database.
  dr('legacy', 'to-api', { host: 'api.shop.svc.cluster.local' }),
  dr('shop', 'to-db', { host: 'legacy-db.dis.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
];

type Mermaid = typeof import('mermaid').default;
let mermaid: Mermaid;

/** The part of jsdom used here (jsdom ships no types and @types/jsdom is not installed). */
interface JsdomModule {
  JSDOM: new (html: string, options?: { pretendToBeVisual?: boolean }) => { window: Record<string, any> & { document: unknown; navigator: unknown } };
}

beforeAll(async () => {
  // mermaid sanitizes labels with DOMPurify, which needs a DOM: give it jsdom's.
  const { JSDOM } = (await import('jsdom' as string)) as JsdomModule;
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
  const g = globalThis as Record<string, unknown>;
  g.window = dom.window;
  g.document = dom.window.document;
  g.Element = dom.window.Element;
  g.HTMLElement = dom.window.HTMLElement;
  g.SVGElement = dom.window.SVGElement;
  g.DOMParser = dom.window.DOMParser;
  g.Node = dom.window.Node;
  if (!('navigator' in globalThis)) g.navigator = dom.window.navigator;
  mermaid = (await import('mermaid')).default;
  mermaid.initialize({ startOnLoad: false });
});

async function parse(text: string): Promise<{ ok: true; type: string } | { ok: false; error: string }> {
  try {
    const result = await mermaid.parse(text);
    if (!result) return { ok: false, error: 'parse returned false' };
    return { ok: true, type: result.diagramType };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

describe('Mermaid output parses with mermaid\'s own parser', () => {
  const explanation = explainMesh(buildMeshModel(manifests), { connections: true, connectionScope: 'all' });
  const diagram = renderExplainMermaid(explanation);

  it('the mesh exercises every style the renderer draws', () => {
    const modes = new Set(explanation.workloads.map((w) => w.mode));
    expect([...modes].sort()).toEqual(['DISABLE', 'PERMISSIVE', 'STRICT', 'ambiguous']);
    expect(explanation.workloads.some((w) => w.exception)).toBe(true);
    expect(explanation.workloads.filter((w) => !w.sidecar).map((w) => w.name).sort()).toEqual(['batch', 'node-agent']);
    expect(explanation.connections!.some((c) => c.outcome === 'fails')).toBe(true);
    expect(explanation.connections!.some((c) => c.outcome === 'ok')).toBe(true);
    expect(diagram).toContain(':::ambiguous');
    expect(diagram).toContain(':::nosidecar');
    expect(diagram).toContain('linkStyle ');
    expect(diagram).toContain('exception');
  });

  it('the full diagram (workloads and connections) parses as a flowchart', async () => {
    expect(await parse(diagram)).toEqual({ ok: true, type: 'flowchart-v2' });
  });

  it('the diagram without connections parses', async () => {
    expect(await parse(renderExplainMermaid(explainMesh(buildMeshModel(manifests))))).toEqual({ ok: true, type: 'flowchart-v2' });
  });

  it('an empty mesh parses', async () => {
    expect(await parse(renderExplainMermaid({ workloads: [] }))).toEqual({ ok: true, type: 'flowchart-v2' });
  });

  it('fails on a broken diagram (the parser really checks)', async () => {
    // An unterminated subgraph label and an edge to nowhere.
    const broken = diagram.replace('subgraph mesh["mesh"]', 'subgraph mesh["mesh').replace(/\n {2}classDef strict/, '\n  w0 -- "x" -->\n  classDef strict');
    expect(await parse(broken)).toMatchObject({ ok: false, error: expect.stringContaining('Parse error') });
    expect(await parse('flowchart LR\n  a["open label\n')).toMatchObject({ ok: false, error: expect.stringContaining('Parse error') });
    // A linkStyle index past the last edge is rejected too, so wrong edge numbering would be caught.
    expect(await parse('flowchart LR\n  a --> b\n  linkStyle 1 stroke:#cf222e\n')).toMatchObject({ ok: false });
  });
});
