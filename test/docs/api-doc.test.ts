import * as fs from 'fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_DOC, apiModel, renderApiDoc } from '../../scripts/gen-api-doc';

type Model = Parameters<typeof renderApiDoc>[0];

/** TypeDoc's ReflectionKind values the tests look at. */
const MODULE = 2;
const REFERENCE = 4194304;

/** The Markdown between a `## ` heading and the next one. */
function part(doc: string, heading: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start, `no part "## ${heading}"`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The model with every list of children, the modules' too, in reverse. */
function reversed(r: Model): Model {
  return r.children ? { ...r, children: [...r.children].reverse().map(reversed) } : r;
}

describe('docs/API.md', () => {
  let model: Model;
  let generated: string;
  beforeAll(async () => {
    model = await apiModel();
    generated = renderApiDoc(model);
  }, 60_000);

  it('is what scripts/gen-api-doc.ts generates from the TSDoc comments (run it if this fails)', () => {
    expect(fs.existsSync(API_DOC), 'docs/API.md is missing: run `npx tsx scripts/gen-api-doc.ts`').toBe(true);
    const committed = fs.readFileSync(API_DOC, 'utf8');
    expect(committed === generated, 'docs/API.md is stale: run `npx tsx scripts/gen-api-doc.ts` and commit it').toBe(true);
  });

  it('documents the constructs with their props, types and defaults', () => {
    expect(generated).toContain('### MeshStrictMtls\n');
    expect(generated).toMatch(/```ts\nnew MeshStrictMtls\(scope: Construct, id: string, props\?: MeshStrictMtlsProps\)\n```/);
    expect(generated).toMatch(/\| `mode\?` \| `MtlsMode` \| `MtlsMode.STRICT` \| .+ \|/);
    // Prose defaults (`@default - …`) stay prose.
    expect(generated).toMatch(/\| `trustDomainAliases\?` \| `readonly string\[\]` \| none \|/);
  });

  it('documents both entry points, the root first', () => {
    expect(model.children?.map((m) => m.kind)).toEqual([MODULE, MODULE]);
    const parts = [...generated.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(parts).toEqual(['Contents', 'cdk8s-istio-mtls', 'cdk8s-istio-mtls/engine']);
    expect(part(generated, 'cdk8s-istio-mtls')).toContain('\n#### MeshStrictMtls\n');
  });

  it('documents the engine with its signatures', () => {
    const engine = part(generated, 'cdk8s-istio-mtls/engine');
    expect(engine).toMatch(/\n#### lint\n[^#]*```ts\nfunction lint\(inputs: Iterable<LintInput>, options\?: LintOptions\): LocatedFinding\[\]\n```/);
    expect(engine).toMatch(/\n#### parseManifests\n[^#]*```ts\nfunction parseManifests\(content: [^)]+\): ParseResult\n```/);
    expect(engine).toMatch(/\n#### explainMesh\n[^#]*```ts\nfunction explainMesh\(model: MeshModel, options\?: ExplainOptions\): MeshExplanation\n```/);
  });

  it('renders every declaration once, and links to it where another entry point re-exports it', () => {
    const declarations = (model.children ?? []).flatMap((m) => m.children ?? []).filter((r) => r.kind !== REFERENCE);
    const items = [...generated.matchAll(/^#### (.+)$/gm)].map((m) => m[1]);
    expect(items).toHaveLength(declarations.length);
    // Headings are unique as GitHub anchors (lower case, punctuation dropped), so every link lands on its own heading.
    const anchors = [...generated.matchAll(/^#{1,4} (.+)$/gm)].map((m) => m[1].toLowerCase().replace(/[^a-z0-9_ -]/g, '').replace(/ /g, '-'));
    expect(anchors.filter((a, i) => anchors.indexOf(a) !== i)).toEqual([]);
    const links = [...generated.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(links.filter((l) => !anchors.includes(l))).toEqual([]);
    // MeshOptions: in full under the root, a link from the engine's contents.
    expect(part(generated, 'cdk8s-istio-mtls')).toContain('\n#### MeshOptions\n');
    expect(part(generated, 'cdk8s-istio-mtls/engine')).not.toContain('\n#### MeshOptions');
    expect(part(generated, 'Contents')).toMatch(/\n  - Also exported here: .*\[MeshOptions\]\(#meshoptions\)/);
  });

  it('places every export in a section, and shows nothing private', () => {
    expect(generated).not.toMatch(/^#{2,3} (\w+: )?Other$/m);
    expect(generated).not.toMatch(/\| `_|#### _|### _/);
  });

  it('does not depend on the order TypeDoc lists declarations in', () => {
    expect(renderApiDoc(reversed(model))).toBe(generated);
  });

  it('documents a single entry point as one part', () => {
    const root = model.children?.find((m) => m.name === 'index');
    const single = renderApiDoc({ ...model, children: root?.children });
    expect([...single.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(['Contents', 'cdk8s-istio-mtls']);
    expect(single).toContain('\n#### MeshStrictMtls\n');
  });
});
