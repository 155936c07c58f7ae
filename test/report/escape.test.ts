/**
 * Names, file names and messages come from user input: every human-facing
 * format shows them as text. The escaping functions are checked on their own,
 * then through real renderers and real parsers: marked (GitHub-flavoured
 * Markdown) with jsdom for the Markdown report, mermaid's own parser for the
 * diagram.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMeshModel } from '../../src/model';
import { Manifest } from '../../src/model/manifest';
import { markdownCode, markdownText, mermaidText, visible } from '../../src/report/escape';
import { renderExplainMarkdown } from '../../src/report/explain-markdown';
import { renderExplainMermaid } from '../../src/report/explain-mermaid';
import { renderExplainText } from '../../src/report/explain-text';
import { renderLintText } from '../../src/report/text';
import { explainMesh, withLeftOut } from '../../src/resolution';
import { deploy, pa, STRICT } from '../resolution/helpers';

/** Names a manifest may carry (the cluster would refuse most of them; the reports still print them). */
const HOSTILE = {
  escape: 'red\u001b[31malert',
  newline: 'two\nlines',
  pipe: 'a|b',
  html: '<img src=x onerror=alert(1)>',
  amp: 'fish&chips',
  emphasis: '*bold* _it_',
  backticks: 'one`two``three',
  link: '[x](javascript:alert(1))',
  entity: '#quot;raw#35;',
  quote: 'say "hi"',
  bidi: 'admin\u202e\u2066txt',
  backslash: 'C:\\dir\\f',
};

describe('escaping functions', () => {
  it.each([
    ['\u001b[31m', '\\u001b[31m'],
    ['a\nb\rc\td', 'a\\nb\\rc\\td'],
    ['nul\u0000del\u007fc1\u009b', 'nul\\u0000del\\u007fc1\\u009b'],
    ['ls\u2028ps\u2029', 'ls\\u2028ps\\u2029'],
    ['rlo\u202elri\u2066pdi\u2069alm\u061c', 'rlo\\u202elri\\u2066pdi\\u2069alm\\u061c'],
    ['plain ümlaut 名前 and a \\ backslash', 'plain ümlaut 名前 and a \\ backslash'],
  ])('visible(%j) = %j', (input, output) => {
    expect(visible(input)).toBe(output);
  });

  it.each([
    ['a|b', 'a\\|b'],
    ['<b>&amp;</b>', '&lt;b&gt;&amp;amp;&lt;/b&gt;'],
    ['*x* _y_ `z` [l](u)', '\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u)'],
    ['back\\slash|', 'back\\\\slash\\|'],
    ['new\nline', 'new\\\\nline'],
  ])('markdownText(%j) = %j', (input, output) => {
    expect(markdownText(input)).toBe(output);
  });

  it.each([
    ['shop/api', '`shop/api`'],
    ['a|b', '`a\\|b`'],
    ['one`two', '``one`two``'],
    ['a``b`', '``` a``b` ```'],
    ['<x>&', '`<x>&`'],
    ['esc\u001b', '`esc\\u001b`'],
  ])('markdownCode(%j) = %j', (input, output) => {
    expect(markdownCode(input)).toBe(output);
  });

  it.each([
    ['say "hi"', 'say #quot;hi#quot;'],
    ['<br/>', '#lt;br/#gt;'],
    ['#quot;', '#35;quot;'],
    ['a&b`c', 'a#amp;b#96;c'],
    ['x\ny', 'x\\ny'],
  ])('mermaidText(%j) = %j', (input, output) => {
    expect(mermaidText(input)).toBe(output);
  });
});

/** One namespace per hostile name, each with one workload of that name, and a left-out object named by it. */
function hostileExplanation() {
  const manifests: Manifest[] = [pa('istio-system', 'default', STRICT)];
  for (const name of Object.values(HOSTILE)) manifests.push(deploy('shop', name));
  const explanation = explainMesh(buildMeshModel(manifests));
  return withLeftOut(explanation, Object.values(HOSTILE).map((name) => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    namespace: 'shop',
    name,
    file: `dir/${name}.yaml`,
    line: 1,
    column: 1,
    code: 'IMV106',
    message: `metadata.name "${name}" is invalid`,
  })));
}

/** The part of the DOM used here (jsdom ships no types and @types/jsdom is not installed). */
interface DomNode {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly children: ArrayLike<DomNode>;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
}

interface JsdomModule {
  JSDOM: new (html: string) => { window: { document: DomNode } };
}

describe('explain reports with hostile names', () => {
  const explained = hostileExplanation();

  it('has every hostile name as a workload and as a left-out object (the test sees what it means to)', () => {
    expect(explained.workloads.map((w) => w.name).sort()).toEqual(Object.values(HOSTILE).sort());
    expect(explained.leftOut).toHaveLength(Object.values(HOSTILE).length);
  });

  it('text: one line per workload and per left-out object, every name visible', () => {
    const text = renderExplainText(explained);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    const lines = text.split('\n');
    // namespace line, two per workload (it and its port), a blank line, the left-out header, one per object, blank, summary, final newline
    const n = Object.values(HOSTILE).length;
    expect(lines).toHaveLength(1 + 2 * n + 1 + 1 + n + 1 + 1 + 1);
    expect(lines).toContain(`  Deployment ${visible(HOSTILE.newline)}: STRICT — PeerAuthentication istio-system/default`);
    expect(lines).toContain('  Deployment red\\u001b[31malert: STRICT — PeerAuthentication istio-system/default');
    expect(lines).toContain('  PeerAuthentication shop/two\\nlines (dir/two\\nlines.yaml:1:1): IMV106 metadata.name "two\\nlines" is invalid');
  });

  it('Markdown: GitHub-flavoured Markdown keeps every row\'s cells and shows each name as written, with no element injected', async () => {
    // marked comes with mermaid (a devDependency); it follows the GFM table and code-span rules.
    const { marked } = (await import('marked' as string)) as { marked: { parse: (s: string) => string } };
    const { JSDOM } = (await import('jsdom' as string)) as JsdomModule;
    const html = marked.parse(renderExplainMarkdown(explained));
    const doc = new JSDOM(html).window.document;
    const tables = Array.from(doc.querySelectorAll('table'));
    expect(tables).toHaveLength(2);
    const cells = (table: DomNode) => Array.from(table.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.children).map((td) => td.textContent));
    const workloads = cells(tables[0]);
    expect(workloads.every((r) => r.length === 7)).toBe(true);
    const names = workloads.filter((r) => r[1] !== '').map((r) => r[1]);
    expect(names.sort()).toEqual(Object.values(HOSTILE).map((n) => `Deployment ${visible(n)}`).sort());
    const leftOut = cells(tables[1]);
    expect(leftOut.every((r) => r.length === 4)).toBe(true);
    expect(leftOut.map((r) => r[0]).sort()).toEqual(Object.values(HOSTILE).map((n) => `PeerAuthentication shop/${visible(n)}`).sort());
    expect(leftOut.map((r) => r[1]).sort()).toEqual(Object.values(HOSTILE).map((n) => `dir/${visible(n)}.yaml:1:1`).sort());
    expect(leftOut.map((r) => r[3]).sort()).toEqual(Object.values(HOSTILE).map((n) => `metadata.name "${visible(n)}" is invalid`).sort());
    // Only the elements the report writes: no img, em, a, … from a name.
    const tags = new Set(Array.from(doc.querySelectorAll('body *')).map((e) => e.tagName.toLowerCase()));
    expect([...tags].sort()).toEqual(['code', 'h1', 'h2', 'p', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr']);
  });

  it('Markdown: fails the check on a cell that is not escaped (the parser really splits it)', async () => {
    const { marked } = (await import('marked' as string)) as { marked: { parse: (s: string) => string } };
    const html = marked.parse('| a | b |\n| --- | --- |\n| x|y | z |\n| <em>w</em> | *v* |\n');
    expect(html).toContain('<td>x</td>\n<td>y</td>');
    expect(html).toContain('<em>w</em>');
    expect(html).toContain('<em>v</em>');
  });
});

type Mermaid = typeof import('mermaid').default;
let mermaid: Mermaid;

beforeAll(async () => {
  // mermaid sanitizes labels with DOMPurify, which needs a DOM: give it jsdom's.
  const { JSDOM } = (await import('jsdom' as string)) as { JSDOM: new (html: string, o?: object) => { window: Record<string, any> } };
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
  const g = globalThis as Record<string, unknown>;
  for (const key of ['window', 'document']) g[key] = key === 'window' ? dom.window : dom.window.document;
  for (const key of ['Element', 'HTMLElement', 'SVGElement', 'DOMParser', 'Node']) g[key] = dom.window[key];
  if (!('navigator' in globalThis)) g.navigator = dom.window.navigator;
  mermaid = (await import('mermaid')).default;
  mermaid.initialize({ startOnLoad: false });
});

describe('Mermaid diagram with hostile names', () => {
  const explained = hostileExplanation();
  const diagram = renderExplainMermaid(explained);

  it('writes each name with entity codes, never a raw quote, tag or control character', () => {
    expect(diagram).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(diagram).toContain('Deployment #lt;img src=x onerror=alert(1)#gt;<br/>STRICT');
    expect(diagram).toContain('Deployment say #quot;hi#quot;<br/>');
    expect(diagram).toContain('Deployment #35;quot;raw#35;35;<br/>');
    expect(diagram).toContain('Deployment two\\nlines<br/>');
  });

  it('parses as a flowchart with exactly the nodes it draws (no name opens or closes a label)', async () => {
    expect(await mermaid.parse(diagram)).toMatchObject({ diagramType: 'flowchart-v2' });
    const parsed = await mermaid.mermaidAPI.getDiagramFromText(diagram);
    const db = parsed.db as unknown as { getVertices: () => Map<string, { text?: string }> };
    const n = Object.values(HOSTILE).length;
    const vertices = [...db.getVertices().values()];
    // One per workload and one per left-out object.
    expect(vertices).toHaveLength(2 * n);
    // Mermaid turns #name; into the HTML entity &name; at render time: what a reader sees.
    const shown = (t: string) => t.replace(/ﬂ°°(\d+)¶ß/g, (_, d) => String.fromCharCode(Number(d)))
      .replace(/ﬂ°(\w+)¶ß/g, (_, e: string) => ({ quot: '"', lt: '<', gt: '>', amp: '&' } as Record<string, string>)[e] ?? `&${e};`);
    const labels = vertices.map((v) => shown(v.text ?? ''));
    // (mermaid normalizes our <br/> to <br>)
    for (const name of Object.values(HOSTILE)) {
      expect(labels).toContain(`Deployment ${visible(name)}<br>STRICT`);
      expect(labels).toContain(`PeerAuthentication shop/${visible(name)}<br>IMV106`);
    }
  });
});

describe('lint text with hostile names', () => {
  it('one line per finding and per fix, the file name and message visible', () => {
    const text = renderLintText({
      resources: 1,
      problems: [],
      findings: [{
        code: 'IMV106',
        category: 'object',
        severity: 'error',
        message: 'metadata.name "x\n1:1: error IMV000 forged" is invalid',
        fix: 'rename\u001b[2J it',
        resource: { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'x\n1:1: error IMV000 forged' },
        path: '/metadata/name',
        file: 'dir/evil\r\nname.yaml',
        line: 3,
        column: 9,
      }],
    });
    expect(text).toBe([
      'dir/evil\\r\\nname.yaml:3:9: error IMV106 Namespace x\\n1:1: error IMV000 forged: metadata.name "x\\n1:1: error IMV000 forged" is invalid',
      '  fix: rename\\u001b[2J it',
      '1 resource, 1 error, 0 warnings',
      '',
    ].join('\n'));
  });
});
