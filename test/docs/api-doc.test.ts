import * as fs from 'fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_DOC, apiModel, renderApiDoc } from '../../scripts/gen-api-doc';

type Model = Parameters<typeof renderApiDoc>[0];

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

  it('places every export in a section, and shows nothing private', () => {
    expect(generated).not.toContain('\n## Other\n');
    expect(generated).not.toMatch(/\| `_|#### _|### _/);
  });

  it('does not depend on the order TypeDoc lists declarations in', () => {
    const reversed = { ...model, children: [...(model.children ?? [])].reverse() };
    expect(renderApiDoc(reversed)).toBe(generated);
  });
});
