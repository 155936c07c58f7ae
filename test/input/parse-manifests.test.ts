import * as fs from 'fs';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../src/input/parse-manifests';
import { REALWORLD, yamlFiles } from '../realworld';

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
      items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } }],
    }, null, 2));
    expect(r.problems).toEqual([]);
    expect(r.manifests.map((m) => (m.manifest.metadata as any).name)).toEqual(['a', 'b']);
    expect(r.manifests[1].basePointer).toBe('/items/1');
    expect(r.manifests[1].locate('/metadata/name')).toEqual({ line: 16, col: 17 });
  });

  // Was: the junk item reported and the others kept. kubectl's decodeToList fails the whole list
  // (apimachinery unstructured helpers.go), so none of its items is applied.
  it('refuses a whole list with an item that is not an object, as kubectl does', () => {
    const r = parseManifests(JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, 'junk'],
    }, null, 2));
    expect(r.manifests).toEqual([]);
    expect(r.problems).toEqual([{ message: 'List (document 1) item 1 is a string ("junk"), not a Kubernetes object: kubectl applies nothing of this list', position: { line: 12, col: 5 } }]);
  });

  // Was: the broken document reported and the next one read. kubectl's StreamVisitor stops at a decoding error.
  it('stops at a YAML syntax error, as kubectl does, and says so', () => {
    const r = parseManifests('a: [1, 2\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n');
    expect(r.manifests).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toMatch(/^YAML syntax error: .*; kubectl stops reading the file here, so nothing after it is applied$/);
    expect(r.problems[0].position.line).toBe(2);
  });

  it('reads on after a document kubectl refuses alone', () => {
    const r = parseManifests('42\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n');
    expect(r.manifests.map((m) => m.documentIndex)).toEqual([1]);
    expect(r.problems.map((p) => p.message)).toEqual(['document 1 is a number, not a Kubernetes object (a mapping with apiVersion and kind)']);
  });

  // Was: refused ("Map keys must be unique"). go-yaml v2's non-strict Unmarshal keeps the last value (decode.go
  // setMapIndex), and kubectl's duplicate-key check (kubectl pkg/validation NoDoubleKeySchema) covers only labels and
  // annotations, and only for a server without field validation.
  it('keeps the last of duplicate keys, as kubectl does', () => {
    const r = parseManifests('apiVersion: v1\nkind: Namespace\nkind: Pod\n');
    expect(r.problems).toEqual([]);
    expect(r.manifests.map((m) => m.manifest)).toEqual([{ apiVersion: 'v1', kind: 'Pod' }]);
    expect(r.manifests[0].locate('/kind')).toEqual({ line: 3, col: 7 });
  });

  // Was: "document 3". Documents are numbered as kubectl's YAMLReader cuts them: consecutive `---` lines make none.
  it('skips empty documents and reports scalars', () => {
    const r = parseManifests('---\n---\n# only a comment\n---\n42\n');
    expect(r.manifests).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual(['document 2 is a number, not a Kubernetes object (a mapping with apiVersion and kind)']);
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

  it('stops merge-key bombs like alias bombs', () => {
    const levels = ['a: &a {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8}'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} {<<: [${Array(9).fill('*' + prev).join(', ')}], ${cur}: 1}`);
    }
    const r = parseManifests(levels.join('\n'));
    expect(r.manifests).toEqual([]);
    expect(r.problems[0].message).toMatch(/^document 1 cannot be read: aliases are expanded more than 1000 times/);
  });

  it('refuses binary content with a clear message', () => {
    expect(parseManifests(Buffer.from([0x61, 0x00, 0x62])).problems[0].message)
      .toBe('document 1: the character U+0000 is not allowed in YAML: go-yaml refuses control characters (is this a binary file?)');
  });

  // Was: "not valid UTF-8" for the whole file. kubectl's FileVisitor decodes with x/text's UTF-8 decoder, which
  // replaces invalid bytes with U+FFFD; after a UTF-8 BOM the bytes pass unchecked, and go-yaml refuses them.
  it('reads invalid UTF-8 as kubectl does', () => {
    expect(parseManifests(Buffer.from([0x61, 0x3a, 0x20, 0xff, 0xfe])).manifests[0].manifest).toEqual({ a: '\uFFFD\uFFFD' });
    expect(parseManifests(Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x3a, 0x20, 0xff])).problems[0].message)
      .toBe('not valid UTF-8: after a UTF-8 byte order mark kubectl passes the bytes on unchecked, and go-yaml refuses them');
  });

  it('refuses absurdly deep documents without overflowing the stack', () => {
    const deep = '['.repeat(2000) + ']'.repeat(2000);
    const r = parseManifests(`a: ${deep}`);
    expect(r.manifests).toEqual([]);
    expect(r.problems).toHaveLength(1);
  });

  it('points at the values kubectl applies: merges, aliases, integer keys, inferred list kinds, CRLF, JSON values', () => {
    const merged = parseManifests([
      'apiVersion: security.istio.io/v1',
      'kind: PeerAuthentication',
      'metadata: {name: p}',
      'base: &b',
      '  mtls: {mode: DISABLE}',
      'spec:',
      '  mtls: {mode: STRICT}',
      '  <<: *b',
      '  portLevelMtls:',
      '    0x1F: {mode: PERMISSIVE}',
    ].join('\n'));
    expect(merged.problems).toEqual([]);
    const pa = merged.manifests[0];
    expect(pa.manifest.spec).toEqual({ mtls: { mode: 'DISABLE' }, portLevelMtls: { 31: { mode: 'PERMISSIVE' } } });
    // The merged value, where it is written; an integer key by its JSON key.
    expect(pa.locate('/spec/mtls/mode')).toEqual({ line: 5, col: 16 });
    expect(pa.locate('/spec/portLevelMtls/31/mode')).toEqual({ line: 10, col: 18 });
    const list = parseManifests('apiVersion: security.istio.io/v1\r\nkind: PeerAuthenticationList\r\nitems:\r\n- metadata: {name: a}\r\n  spec: {}\r\n');
    expect(list.manifests[0].manifest.kind).toBe('PeerAuthentication');
    // A kind the list gave: the item itself.
    expect(list.manifests[0].locate('/kind')).toEqual({ line: 4, col: 3 });
    expect(list.manifests[0].locate('/metadata/name')).toEqual({ line: 4, col: 20 });
    const json = parseManifests('{"apiVersion": "v1", "kind": "A"}\n{"apiVersion": "v1",\n "kind": "B"}\n');
    expect(json.manifests.map((m) => m.locate('/kind'))).toEqual([{ line: 1, col: 30 }, { line: 3, col: 10 }]);
  });

  it('points at where kubectl stops', () => {
    const r = parseManifests('apiVersion: v1\r\nkind: A\r\n---\r\napiVersion: v1\r\nkind: B\r\nx: "a\\/b"\r\n---\r\nkind: C\r\n');
    expect(r.manifests.map((m) => m.manifest.kind)).toEqual(['A']);
    expect(r.problems).toEqual([{
      message: 'document 2: while parsing a quoted scalar: found unknown escape character "\\\\/"; kubectl stops reading the file here, so nothing after it is applied',
      position: { line: 6, col: 6 },
    }]);
    expect(parseManifests('apiVersion: v1\nkind: A\n--- x\n').problems[0].position).toEqual({ line: 3, col: 1 });
  });

  it('resolves YAML 1.1 scalars as Kubernetes tooling does', () => {
    const r = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  enabled: yes\n');
    expect((r.manifests[0].manifest as any).data.enabled).toBe(true);
  });

  it('reads an object again as it first read it: a new copy, from any reader, in lists, before a stop, in UTF-16', () => {
    const files: (string | Buffer)[] = [
      // The block reader, js-yaml (a flow mapping), the careful path (an anchor and a merge), a List, a JSON value.
      'apiVersion: v1\nkind: A\nmetadata:\n  name: a\n---\nkind: B\nmetadata: {name: b, labels: {x: "1"}}\n---\n'
        + 'base: &b {mode: STRICT}\nkind: C\nspec:\n  <<: *b\n---\napiVersion: v1\nkind: List\nitems:\n- {kind: D, metadata: {name: d1}}\n'
        + '- {kind: D, metadata: {name: d2}}\n---\n{"kind": "E", "n": 1e3}\n',
      // A document kubectl stops at, after one it applies; invalid UTF-8 after a byte order mark stops the file.
      'kind: F\n---\na: [1, 2\n',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('kind: G\n---\nkind: H\nx: '), Buffer.from([0xff])]),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('kind: I\nmetadata: {name: "\u00e9"}\n', 'utf16le')]),
    ];
    const read = files.map((f) => parseManifests(f).manifests);
    expect(read.map((ms) => ms.map((m) => m.manifest.kind))).toEqual([['A', 'B', 'C', 'D', 'D', 'E'], ['F'], ['G'], ['I']]);
    for (const m of read.flat()) {
      const again = m.reread();
      expect(again).toEqual(m.manifest);
      expect(again).not.toBe(m.manifest);
    }
  });

  it('gives each object one source that locates it, reads it again and names its file', () => {
    const text = 'kind: A\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: List\nitems:\n- kind: B\n  metadata: {name: b}\n'
      + '- kind: C\n  metadata:\n    name: c\n---\n{"kind": "D", "metadata": {"name": "d"}}\n';
    const named = parseManifests(text, { file: 'mesh/a.yaml' }).manifests;
    expect(named.map((m) => m.manifest.kind)).toEqual(['A', 'B', 'C', 'D']);
    for (const m of named) {
      expect(m.source.file).toBe('mesh/a.yaml');
      for (const pointer of ['', '/kind', '/metadata/name', '/spec/absent']) expect(m.source.locate(pointer), pointer).toEqual(m.locate(pointer));
      expect(m.source.reread()).toEqual(m.manifest);
    }
    // A List's items point inside the List: C's name is on line 12.
    expect(named[2].source.locate('/metadata/name')).toEqual({ line: 12, col: 11 });
    // A document that is one object is its own source; each List item has one of its own.
    expect(new Set(named.map((m) => m.source)).size).toBe(4);
    expect(parseManifests(text).manifests.map((m) => m.source.file)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it.skipIf(!fs.existsSync(REALWORLD))('reads every object of the real-world files again as it first read it', () => {
    let objects = 0;
    for (const f of yamlFiles(REALWORLD)) {
      for (const m of parseManifests(fs.readFileSync(f)).manifests) {
        expect(m.reread(), `${f} ${m.documentIndex}${m.basePointer}`).toEqual(m.manifest);
        objects++;
      }
    }
    expect(objects).toBeGreaterThan(300);
  });
});
