/**
 * The generated classes build every manifest and every object's props as
 * `{ ...Kind.GVK, ...rest }`. In optimized code V8 (Node 20) gives each object
 * made by a literal that starts with a spread a hidden class of its own, and
 * an app keeps one props object per ApiObject; the same literal starting with
 * the two GVK fields shares one. Same keys, same order, same values.
 */
export function withoutLeadingGvkSpread(text: string, file: string): string {
  const classes = (text.match(/^export class \w+ extends ApiObject \{$/gm) ?? []).length;
  let n = 0;
  const rewritten = text.replace(/\{(\s*)\.\.\.(\w+)\.GVK,(\s*)\.\.\./g, (_m, s1: string, kind: string, s2: string) => {
    n++;
    return `{${s1}apiVersion: ${kind}.GVK.apiVersion,${s1}kind: ${kind}.GVK.kind,${s2}...`;
  });
  // manifest(), the constructor and toJson() of each class
  if (n !== 3 * classes) throw new Error(`${file}: expected ${3 * classes} GVK spreads in ${classes} classes, found ${n}: has cdk8s import changed its output?`);
  return rewritten;
}
