import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../src/input/parse-manifests';

describe('parseManifests', () => {
  it('reads multi-document YAML and points back into the text', () => {
    const r = parseManifests([
      'apiVersion: security.istio.io/v1',
      'kind: PeerAuthentication',
      'metadata: {name: a, namespace: prod}',
      'spec:',
      '  portLevelMtls:',
      '    8080:',
      '      mode: DISABLE',
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: {name: prod}',
    ].join('\n'));
    expect(r.problems).toEqual([]);
    expect(r.manifests).toHaveLength(2);
    // Integer YAML keys become strings, as YAML→JSON does in kubectl.
    expect(r.manifests[0].manifest.spec).toEqual({ portLevelMtls: { 8080: { mode: 'DISABLE' } } });
    expect(Object.keys((r.manifests[0].manifest.spec as any).portLevelMtls)).toEqual(['8080']);
    expect(r.manifests[0].locate('/spec/portLevelMtls/8080/mode')).toEqual({ line: 7, col: 13 });
    // A path that does not exist points at its deepest existing ancestor.
    expect(r.manifests[0].locate('/spec/selector/matchLabels')).toEqual({ line: 5, col: 3 });
    expect(r.manifests[1].locate('/metadata/name')).toEqual({ line: 11, col: 18 });
    expect(r.manifests[1].documentIndex).toBe(1);
  });

  it('reads JSON and expands kind: List', () => {
    const r = parseManifests(JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, 'junk', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } }],
    }, null, 2));
    expect(r.manifests.map((m) => (m.manifest.metadata as any).name)).toEqual(['a', 'b']);
    expect(r.manifests[1].basePointer).toBe('/items/2');
    expect(r.problems).toEqual([{ message: 'List item 1 is a string ("junk"), not a Kubernetes object', position: { line: 12, col: 5 } }]);
  });

  it('reports a broken document and keeps reading the others', () => {
    const r = parseManifests('a: [1, 2\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n');
    expect(r.manifests).toHaveLength(1);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toMatch(/^YAML syntax error: /);
    expect(r.problems[0].position.line).toBe(2);
  });

  it('rejects duplicate keys, as kubectl does', () => {
    const r = parseManifests('apiVersion: v1\nkind: Namespace\nkind: Pod\n');
    expect(r.manifests).toHaveLength(0);
    expect(r.problems[0].message).toMatch(/Map keys must be unique/);
    expect(r.problems[0].position).toEqual({ line: 3, col: 1 });
  });

  it('skips empty documents and reports scalars', () => {
    const r = parseManifests('---\n---\n# only a comment\n---\n42\n');
    expect(r.manifests).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual(['document 3 is a number, not a Kubernetes object (a mapping with apiVersion and kind)']);
    expect(parseManifests('').problems).toEqual([]);
  });

  it('stops alias bombs (billion laughs) instead of expanding them', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill('*' + prev).join(',')}]`);
    }
    // Expanded, this document would be 9^10 strings: reading it at all shows it was not expanded.
    const r = parseManifests(levels.join('\n'));
    expect(r.manifests).toEqual([]);
    expect(r.problems[0].message).toMatch(/^document 1 cannot be read: .*alias/i);
  });

  it('refuses binary and non-UTF-8 content with a clear message', () => {
    expect(parseManifests(Buffer.from([0x61, 0x00, 0x62])).problems[0].message).toBe('binary content (NUL bytes): not a YAML or JSON file');
    expect(parseManifests(Buffer.from([0x61, 0x3a, 0x20, 0xff, 0xfe])).problems[0].message).toBe('not valid UTF-8 text: Kubernetes manifests must be UTF-8');
  });

  it('refuses absurdly deep documents without overflowing the stack', () => {
    const deep = '['.repeat(2000) + ']'.repeat(2000);
    const r = parseManifests(`a: ${deep}`);
    expect(r.manifests).toEqual([]);
    expect(r.problems).toHaveLength(1);
  });

  it('resolves YAML 1.1 scalars as Kubernetes tooling does', () => {
    const r = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  enabled: yes\n');
    expect((r.manifests[0].manifest as any).data.enabled).toBe(true);
  });
});
