import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { withoutLeadingGvkSpread } from '../../scripts/lib/gvk-spread';

const GENERATED = `export class Foo extends ApiObject {
  public static manifest(props: FooProps = {}): any {
    return {
      ...Foo.GVK,
      ...toJson_FooProps(props),
    };
  }
  public constructor(scope: Construct, id: string, props: FooProps = {}) {
    super(scope, id, {
      ...Foo.GVK,
      ...props,
    });
  }
  public override toJson(): any {
    const resolved = super.toJson();
    return {
      ...Foo.GVK,
      ...toJson_FooProps(resolved),
    };
  }
}
`;

describe('withoutLeadingGvkSpread (import script)', () => {
  it('writes the GVK fields first in the three literals of each class', () => {
    const out = withoutLeadingGvkSpread(GENERATED, 'foo.ts');
    expect(out).not.toContain('...Foo.GVK');
    expect(out).toContain(`super(scope, id, {
      apiVersion: Foo.GVK.apiVersion,
      kind: Foo.GVK.kind,
      ...props,
    });`);
    expect(out.match(/apiVersion: Foo\.GVK\.apiVersion,\n\s+kind: Foo\.GVK\.kind,\n\s+\.\.\./g)).toHaveLength(3);
  });

  it('the literals build the same objects as the spreads', () => {
    const GVK = { apiVersion: 'example.io/v1', kind: 'Foo' };
    const props = { metadata: { name: 'x' }, spec: { a: 1 } };
    expect(JSON.stringify({ apiVersion: GVK.apiVersion, kind: GVK.kind, ...props })).toBe(JSON.stringify({ ...GVK, ...props }));
  });

  it('refuses output whose shape it does not know', () => {
    expect(() => withoutLeadingGvkSpread(GENERATED.replace('...Foo.GVK,\n      ...props', '...props'), 'foo.ts'))
      .toThrow('foo.ts: expected 3 GVK spreads in 1 classes, found 2: has cdk8s import changed its output?');
  });

  it('the committed imports/ have been rewritten', () => {
    const dir = path.join(__dirname, '..', '..', 'imports');
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/\{\s*\.\.\.\w+\.GVK,/);
      expect(text, f).toMatch(/apiVersion: \w+\.GVK\.apiVersion,/);
    }
  });
});
