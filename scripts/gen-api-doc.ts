/**
 * Writes docs/API.md, the API reference, from the TSDoc comments of what the
 * package's entry points export: `cdk8s-istio-mtls` (src/index.ts) and
 * `cdk8s-istio-mtls/engine` (src/engine.ts). TypeDoc (typedoc.json) reads the
 * code into its JSON model; this script renders that model as one Markdown
 * file: diff-friendly, deterministic (sorted, no ids, no line numbers),
 * readable on GitHub.
 *
 *   npx tsx scripts/gen-api-doc.ts           write docs/API.md
 *   npx tsx scripts/gen-api-doc.ts --check   exit 1 if docs/API.md is stale
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
export const API_DOC = path.join(ROOT, 'docs', 'API.md');

// ---------------------------------------------------------------------------
// The part of TypeDoc's JSON model (JSONOutput) this renderer reads.

interface DisplayPart {
  readonly kind: 'text' | 'code' | 'inline-tag' | 'relative-link';
  readonly text: string;
  readonly tag?: string;
}
interface Comment {
  readonly summary: readonly DisplayPart[];
  readonly blockTags?: readonly { readonly tag: string; readonly content: readonly DisplayPart[] }[];
  readonly modifierTags?: readonly string[];
}
interface Flags {
  readonly isOptional?: boolean;
  readonly isReadonly?: boolean;
  readonly isStatic?: boolean;
  readonly isRest?: boolean;
  readonly isAbstract?: boolean;
  readonly isExternal?: boolean;
  readonly isInherited?: boolean;
}
interface SomeType {
  readonly type: string;
  readonly [key: string]: unknown;
}
interface Signature {
  readonly name: string;
  readonly kind: number;
  readonly comment?: Comment;
  readonly parameters?: readonly Reflection[];
  readonly typeParameters?: readonly Reflection[];
  readonly type?: SomeType;
  readonly sources?: readonly { readonly fileName: string }[];
}
interface Reflection {
  readonly id?: number;
  readonly name: string;
  readonly kind: number;
  readonly flags: Flags;
  readonly comment?: Comment;
  readonly children?: readonly Reflection[];
  readonly signatures?: readonly Signature[];
  readonly getSignature?: Signature;
  readonly setSignature?: Signature;
  readonly indexSignatures?: readonly Signature[];
  readonly typeParameters?: readonly Reflection[];
  readonly type?: SomeType;
  readonly defaultValue?: string;
  readonly sources?: readonly { readonly fileName: string }[];
  readonly inheritedFrom?: unknown;
  readonly extendedTypes?: readonly SomeType[];
  readonly implementedTypes?: readonly SomeType[];
  /** A Reference's target: the id of the declaration it re-exports. */
  readonly target?: number;
}

/** TypeDoc's ReflectionKind values used here. */
const KIND = {
  Module: 2,
  Enum: 8,
  EnumMember: 16,
  Variable: 32,
  Function: 64,
  Class: 128,
  Interface: 256,
  Constructor: 512,
  Property: 1024,
  Method: 2048,
  Accessor: 262144,
  TypeAlias: 2097152,
  /** A re-export of a declaration another entry point documents in full. */
  Reference: 4194304,
} as const;

// ---------------------------------------------------------------------------
// Running TypeDoc.

/** TypeDoc's JSON model of the public API, as configured by typedoc.json. */
export async function apiModel(): Promise<Reflection> {
  // TypeDoc is ESM-only and its types need `exports` resolution, which this
  // project's tsconfig (node10) does not do: load it dynamically, typed loosely.
  const td = (await import('typedoc' as string)) as TypeDocModule;
  const app = await td.Application.bootstrapWithPlugins(
    // @schema is the cdk8s import generator's tag in imports/: known, not ours to document.
    { options: path.join(ROOT, 'typedoc.json'), blockTags: [...td.OptionDefaults.blockTags, '@schema'] },
    [new td.TypeDocReader(), new td.TSConfigReader()],
  );
  const project = await app.convert();
  if (!project || app.logger.hasErrors()) throw new Error('TypeDoc failed to convert the entry points (see the errors above)');
  // Through JSON, so the renderer sees exactly the documented JSON model (no undefined-valued keys).
  return JSON.parse(JSON.stringify(app.serializer.projectToObject(project, ROOT))) as Reflection;
}

interface TypeDocModule {
  Application: {
    bootstrapWithPlugins(options: Record<string, unknown>, readers: unknown[]): Promise<{
      logger: { hasErrors(): boolean };
      serializer: { projectToObject(project: unknown, root: string): unknown };
      convert(): Promise<unknown>;
    }>;
  };
  OptionDefaults: { blockTags: readonly string[] };
  TypeDocReader: new () => unknown;
  TSConfigReader: new () => unknown;
}

// ---------------------------------------------------------------------------
// Rendering.

/**
 * The package's entry points (typedoc.json `entryPoints`, package.json
 * `exports`), in the order the reference documents them. TypeDoc names the
 * module of each entry point after its file. `label` prefixes the part's
 * section headings, so that they differ from the root's.
 */
const PARTS: readonly { readonly module: string; readonly name: string; readonly label: string; readonly intro: string }[] = [
  {
    module: 'index',
    name: 'cdk8s-istio-mtls',
    label: '',
    intro: 'The package root: the constructs, their vocabulary, synth-time validation, the cdk8s-cli validation plugin, and the engine types they take or return.',
  },
  {
    module: 'engine',
    name: 'cdk8s-istio-mtls/engine',
    label: 'Engine',
    intro: "The engine: reading manifests, validation as the cluster does it, the mesh model, Istio's semantics, the cross-resource analysis, migration plans, certificate checks and reports. It knows nothing of cdk8s.",
  },
];

/** Sections of each part, by the folder of src/ a declaration lives in. */
const SECTIONS: readonly { readonly title: string; readonly intro: string; readonly match: (file: string) => boolean }[] = [
  { title: 'Constructs', intro: 'The intent constructs: each synthesizes Istio or Prometheus resources.', match: (f) => f.startsWith('constructs/') },
  { title: 'Vocabulary', intro: 'Values the constructs take: modes, identities, selectors, ports, durations, Kubernetes names.', match: (f) => f.startsWith('vocabulary/') },
  { title: 'cdk8s integration', intro: 'Validation at synth time and the cdk8s-cli validation plugin.', match: (f) => f.startsWith('cdk8s/') },
  { title: 'Linting', intro: 'Manifests in, findings out: lint (per-resource validation plus the mesh analysis) and the rule catalogue.', match: (f) => f === 'index.ts' || f === 'engine.ts' || f === 'lint.ts' || f === 'rules-catalog.ts' },
  { title: 'Model', intro: 'Manifests read into policies and an inventory of workloads, Services and namespaces.', match: (f) => f.startsWith('model/') },
  { title: 'Validation', intro: 'Per-resource checks: CRD schema, CEL rules, Istio and prometheus-operator webhooks.', match: (f) => f.startsWith('validation/') },
  { title: 'Resolution', intro: "Istio's semantics: effective modes, DestinationRule lookup, connection outcomes, explanations.", match: (f) => f.startsWith('resolution/') },
  { title: 'Analysis', intro: 'Cross-resource rules over the whole mesh.', match: (f) => f.startsWith('analysis/') },
  { title: 'Migration', intro: 'The phased plan from plaintext to STRICT, its gates and runbook.', match: (f) => f.startsWith('migration/') },
  { title: 'Certificates', intro: 'Preflight checks of a cacerts bundle.', match: (f) => f.startsWith('certificates/') },
  { title: 'Input and reports', intro: 'Reading YAML with positions; rendering findings and explanations.', match: (f) => f.startsWith('input/') || f.startsWith('report/') },
];

const KIND_ORDER = [KIND.Class, KIND.Interface, KIND.Enum, KIND.TypeAlias, KIND.Function, KIND.Variable];
const KIND_LABEL: Record<number, string> = {
  [KIND.Class]: 'class',
  [KIND.Interface]: 'interface',
  [KIND.Enum]: 'enum',
  [KIND.TypeAlias]: 'type',
  [KIND.Function]: 'function',
  [KIND.Variable]: 'const',
};

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fileOf(r: Reflection): string {
  // Functions carry their source on the signature.
  // Paths are relative to the common root of the sources: src/ alone, or the
  // repository root once a declaration extends a class from imports/.
  return ((r.sources ?? r.signatures?.[0]?.sources)?.[0]?.fileName ?? '').replace(/^src\//, '');
}

/** A declaration to render, under its heading. */
interface Item {
  readonly reflection: Reflection;
  readonly heading: string;
}
interface Section {
  readonly heading: string;
  readonly intro: string;
  readonly items: readonly Item[];
}
interface Part {
  readonly name: string;
  readonly intro: string;
  readonly sections: readonly Section[];
  /** Re-exports of declarations another part documents: link text and anchor (none if undocumented). */
  readonly alsoExported: readonly { readonly text: string; readonly anchor?: string }[];
}

/**
 * What each entry point exports, in PARTS order: one module per entry point,
 * or, with a single entry point, the project's own children.
 */
function entryPoints(project: Reflection): { readonly spec: typeof PARTS[number]; readonly exports: readonly Reflection[] }[] {
  const children = project.children ?? [];
  if (!children.some((c) => c.kind === KIND.Module)) return [{ spec: PARTS[0], exports: children }];
  return children.map((m) => {
    const spec = PARTS.find((p) => p.module === m.name);
    if (m.kind !== KIND.Module || !spec) throw new Error(`entry point "${m.name}" is not in PARTS (scripts/gen-api-doc.ts)`);
    return { spec, exports: m.children ?? [] };
  }).sort((a, b) => PARTS.indexOf(a.spec) - PARTS.indexOf(b.spec));
}

/**
 * Lays the reference out: parts, their sections, the declarations in them
 * and every heading, unique as a GitHub anchor. Each declaration is rendered
 * once, in the part that exports it fully (TypeDoc makes it a Reference in
 * the others). Anchors ignore case: of two declarations whose names differ
 * only in case, or two parts' declarations of one name, the later gets its
 * kind (and part) in its heading.
 */
function layout(project: Reflection): Part[] {
  const taken = new Set(['api-reference', 'contents']);
  const claim = (...headings: string[]): string => {
    const heading = headings.find((h) => !taken.has(anchor(h)));
    if (heading === undefined) throw new Error(`two headings "${headings[0]}": rename a section or part`);
    taken.add(anchor(heading));
    return heading;
  };
  const anchorOf = new Map<number, string>();
  const planned = entryPoints(project).map(({ spec, exports }) => {
    claim(spec.name);
    const declarations = exports.filter((r) => r.kind !== KIND.Reference).sort((a, b) =>
      KIND_ORDER.indexOf(a.kind as typeof KIND_ORDER[number]) - KIND_ORDER.indexOf(b.kind as typeof KIND_ORDER[number]) || cmp(a.name, b.name));
    const used = new Set<Reflection>();
    const grouped = SECTIONS.map((s) => {
      const members = declarations.filter((r) => !used.has(r) && s.match(fileOf(r)));
      members.forEach((r) => used.add(r));
      return { title: s.title, intro: s.intro, members };
    });
    grouped.push({ title: 'Other', intro: '', members: declarations.filter((r) => !used.has(r)) });
    const sections = grouped.filter((s) => s.members.length > 0).map((s) => ({
      heading: claim(spec.label ? `${spec.label}: ${s.title}` : s.title),
      intro: s.intro,
      members: s.members,
    }));
    const references = exports.filter((r) => r.kind === KIND.Reference).sort((a, b) => cmp(a.name, b.name));
    return { spec, sections, references };
  });
  // Items after all part and section headings, so those keep their plain anchors.
  const parts = planned.map(({ spec, sections, references }) => ({
    spec,
    references,
    sections: sections.map((s) => ({
      heading: s.heading,
      intro: s.intro,
      items: s.members.map((r) => {
        const kind = KIND_LABEL[r.kind] ?? 'export';
        const heading = claim(r.name, `${r.name} (${kind})`, `${r.name} (${kind}, ${spec.name})`);
        if (r.id !== undefined) anchorOf.set(r.id, anchor(heading));
        return { reflection: r, heading };
      }),
    })),
  }));
  return parts.map(({ spec, sections, references }) => ({
    name: spec.name,
    intro: spec.intro,
    sections,
    alsoExported: references.map((r) => ({ text: r.name, anchor: r.target === undefined ? undefined : anchorOf.get(r.target) })),
  }));
}

/** Renders the whole reference from TypeDoc's JSON model. */
export function renderApiDoc(project: Reflection): string {
  const parts = layout(project);
  const out: string[] = [
    '# API reference',
    '',
    '<!-- Generated by `npx tsx scripts/gen-api-doc.ts` from the TSDoc comments (TypeDoc, typedoc.json). Do not edit. -->',
    '',
    `Everything ${parts.map((p) => `\`${p.name}\``).join(' and ')} export${parts.length === 1 ? 's' : ''}, from the TSDoc comments in the code. The rule codes are in [RULES.md](../RULES.md).`,
    '',
    '## Contents',
    '',
  ];
  const link = (text: string, to: string | undefined) => (to === undefined ? `\`${text}\`` : `[${text}](#${to})`);
  for (const p of parts) {
    out.push(`- ${link(p.name, anchor(p.name))}`);
    for (const s of p.sections) out.push(`  - ${link(s.heading, anchor(s.heading))}: ${s.items.map((i) => link(i.reflection.name, anchor(i.heading))).join(', ')}`);
    if (p.alsoExported.length > 0) out.push(`  - Also exported here: ${p.alsoExported.map((r) => link(r.text, r.anchor)).join(', ')}`);
  }
  out.push('');
  for (const p of parts) {
    out.push(`## ${p.name}`, '', p.intro, '');
    for (const s of p.sections) {
      out.push(`### ${s.heading}`, '');
      if (s.intro) out.push(s.intro, '');
      for (const i of s.items) out.push(...renderItem(i));
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').replace(/\n*$/, '\n');
}

/** The anchor GitHub gives a heading (its text, without duplicates' suffixes). */
function anchor(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9_ -]/g, '').replace(/ /g, '-');
}

function renderItem({ reflection: r, heading }: Item): string[] {
  const out = [`#### ${heading}`, '', `_${KIND_LABEL[r.kind] ?? 'export'}, \`src/${fileOf(r)}\`_`, ''];
  const deprecated = blockTag(r.comment, '@deprecated');
  if (deprecated !== undefined) out.push(`> **Deprecated.** ${deprecated}`, '');
  switch (r.kind) {
    case KIND.Class: out.push(...renderClass(r)); break;
    case KIND.Interface: out.push(...renderInterface(r)); break;
    case KIND.Enum: out.push(...renderEnum(r)); break;
    case KIND.TypeAlias:
      out.push(...summary(r.comment), '```ts', `type ${r.name}${typeParams(r.typeParameters)} = ${typeText(r.type)};`, '```', '');
      break;
    case KIND.Function: out.push(...renderFunction(r)); break;
    case KIND.Variable:
      out.push(...summary(r.comment), '```ts', `const ${r.name}: ${typeText(r.type)};`, '```', '');
      break;
    default: out.push(...summary(r.comment));
  }
  return out;
}

function renderClass(r: Reflection): string[] {
  const out = [...summary(r.comment)];
  const heritage = [
    ...(r.extendedTypes ?? []).map((t) => `extends \`${typeText(t)}\``),
    ...(r.implementedTypes ?? []).map((t) => `implements \`${typeText(t)}\``),
  ];
  if (heritage.length > 0) out.push(heritage.join(', '), '');
  const own = (r.children ?? []).filter((c) => !c.inheritedFrom && !c.flags.isExternal);
  const ctor = own.find((c) => c.kind === KIND.Constructor);
  if (ctor?.signatures?.length) {
    out.push('```ts', ...ctor.signatures.map((s) => `new ${r.name}(${paramsText(s.parameters)})`), '```', '');
    out.push(...paramList(ctor.signatures[0]));
  }
  const props = own.filter((c) => c.kind === KIND.Property || c.kind === KIND.Accessor).sort(byStaticThenName);
  if (props.length > 0) {
    out.push('| Property | Type | Description |', '| --- | --- | --- |');
    for (const p of props) {
      const mods = [p.flags.isStatic ? 'static' : '', p.flags.isReadonly || (p.kind === KIND.Accessor && !p.setSignature) ? 'readonly' : ''].filter(Boolean).join(' ');
      const type = p.kind === KIND.Accessor ? p.getSignature?.type : p.type;
      const comment = p.comment ?? p.getSignature?.comment;
      out.push(`| \`${p.name}${p.flags.isOptional ? '?' : ''}\`${mods ? ` (${mods})` : ''} | ${cellCode(typeText(type))} | ${cell(describe(comment))} |`);
    }
    out.push('');
  }
  const methods = own.filter((c) => c.kind === KIND.Method).sort(byStaticThenName);
  for (const m of methods) {
    for (const s of m.signatures ?? []) {
      out.push(`##### ${m.flags.isStatic ? `${r.name}.` : ''}${m.name}()`, '', '```ts',
        `${m.flags.isStatic ? 'static ' : ''}${m.name}${typeParams(s.typeParameters)}(${paramsText(s.parameters)}): ${typeText(s.type)}`, '```', '');
      out.push(...summary(s.comment), ...paramList(s), ...returns(s));
    }
  }
  return out;
}

function byStaticThenName(a: Reflection, b: Reflection): number {
  return Number(Boolean(b.flags.isStatic)) - Number(Boolean(a.flags.isStatic)) || cmp(a.name, b.name);
}

function renderInterface(r: Reflection): string[] {
  const out = [...summary(r.comment)];
  if (r.extendedTypes?.length) out.push(`Extends ${r.extendedTypes.map((t) => `\`${typeText(t)}\``).join(', ')}.`, '');
  const members = [...(r.children ?? [])].sort((a, b) => cmp(a.name, b.name));
  const props = members.filter((c) => c.kind === KIND.Property);
  if (props.length > 0) {
    out.push('| Property | Type | Default | Description |', '| --- | --- | --- | --- |');
    for (const p of props) {
      const def = defaultText(p.comment);
      const from = p.inheritedFrom ? ' _(inherited)_' : '';
      out.push(`| \`${p.name}${p.flags.isOptional ? '?' : ''}\` | ${cellCode(typeText(p.type))} | ${def === undefined ? (p.flags.isOptional ? '' : '_required_') : cell(def)} | ${cell(describe(p.comment))}${from} |`);
    }
    out.push('');
  }
  for (const s of r.indexSignatures ?? []) out.push('```ts', `[${paramsText(s.parameters)}]: ${typeText(s.type)}`, '```', '');
  for (const m of members.filter((c) => c.kind === KIND.Method)) {
    for (const s of m.signatures ?? []) {
      out.push(`##### ${m.name}()`, '', '```ts', `${m.name}${m.flags.isOptional ? '?' : ''}(${paramsText(s.parameters)}): ${typeText(s.type)}`, '```', '');
      out.push(...summary(s.comment), ...paramList(s), ...returns(s));
    }
  }
  return out;
}

function renderEnum(r: Reflection): string[] {
  const out = [...summary(r.comment), '| Member | Value | Description |', '| --- | --- | --- |'];
  for (const m of [...(r.children ?? [])].sort((a, b) => cmp(a.name, b.name))) {
    out.push(`| \`${m.name}\` | ${cellCode(typeText(m.type))} | ${cell(describe(m.comment))} |`);
  }
  out.push('');
  return out;
}

function renderFunction(r: Reflection): string[] {
  const out: string[] = [];
  for (const s of r.signatures ?? []) {
    out.push('```ts', `function ${r.name}${typeParams(s.typeParameters)}(${paramsText(s.parameters)}): ${typeText(s.type)}`, '```', '');
    out.push(...summary(s.comment), ...paramList(s), ...returns(s));
  }
  return out;
}

function paramList(s: Signature): string[] {
  const documented = (s.parameters ?? []).filter((p) => p.comment?.summary.length);
  if (documented.length === 0) return [];
  return [...documented.map((p) => `- \`${p.name}\`: ${oneLine(describe(p.comment))}`), ''];
}

function returns(s: Signature): string[] {
  const text = blockTag(s.comment, '@returns');
  return text ? [`Returns: ${oneLine(text)}`, ''] : [];
}

function paramsText(params: readonly Reflection[] | undefined): string {
  return (params ?? []).map((p) =>
    `${p.flags.isRest ? '...' : ''}${p.name}${p.flags.isOptional || p.defaultValue !== undefined ? '?' : ''}: ${typeText(p.type)}`).join(', ');
}

function typeParams(tps: readonly Reflection[] | undefined): string {
  if (!tps || tps.length === 0) return '';
  return `<${tps.map((t) => `${t.name}${t.type ? ` extends ${typeText(t.type)}` : ''}`).join(', ')}>`;
}

// --- comments ---------------------------------------------------------------

function partsText(parts: readonly DisplayPart[]): string {
  return parts.map((p) => {
    if (p.kind === 'inline-tag') return `\`${p.text}\``;
    return p.text;
  }).join('');
}

function summary(comment: Comment | undefined): string[] {
  const text = comment ? partsText(comment.summary).trim() : '';
  const examples = (comment?.blockTags ?? []).filter((t) => t.tag === '@example').map((t) => partsText(t.content).trim());
  const out: string[] = [];
  if (text) out.push(text, '');
  for (const e of examples) out.push(e.startsWith('```') ? e : '```ts\n' + e + '\n```', '');
  return out;
}

function describe(comment: Comment | undefined): string {
  return comment ? partsText(comment.summary).trim() : '';
}

function blockTag(comment: Comment | undefined, tag: string): string | undefined {
  const found = comment?.blockTags?.find((t) => t.tag === tag);
  return found ? partsText(found.content).trim() : undefined;
}

/** `@default` as written: a code value (fenced by TypeDoc) in backticks, `- prose` as prose. */
function defaultText(comment: Comment | undefined): string | undefined {
  const text = blockTag(comment, '@default');
  if (text === undefined) return undefined;
  const fenced = /^```[a-z]*\n([\s\S]*?)\n```$/.exec(text);
  const value = fenced ? fenced[1].trim() : text;
  // cdk convention: `@default - prose` describes the default in words.
  if (/^-(\s|$)/.test(value)) return value.replace(/^-\s*/, '');
  return `\`${value}\``;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

/** A Markdown table cell: one line, pipes escaped. */
function cell(s: string): string {
  return oneLine(s).replace(/\|/g, '\\|');
}

function cellCode(s: string): string {
  return `\`${cell(s)}\``;
}

// --- types ------------------------------------------------------------------

function typeText(t: SomeType | undefined): string {
  if (!t) return 'void';
  const sub = (x: unknown) => typeText(x as SomeType);
  const list = (xs: unknown, sep: string) => ((xs as SomeType[] | undefined) ?? []).map((x) => typeText(x)).join(sep);
  switch (t.type) {
    case 'intrinsic':
    case 'unknown':
      return String(t.name);
    case 'reference': {
      const args = t.typeArguments as SomeType[] | undefined;
      return `${String(t.name)}${args?.length ? `<${list(args, ', ')}>` : ''}`;
    }
    case 'array': {
      const inner = typeText(t.elementType as SomeType);
      return /[|&]|=>/.test(inner) ? `(${inner})[]` : `${inner}[]`;
    }
    case 'union': return list(t.types, ' | ');
    case 'intersection': return list(t.types, ' & ');
    case 'literal': {
      const v = t.value as unknown;
      if (v === null) return 'null';
      if (typeof v === 'object') {
        const big = v as { negative: boolean; value: string };
        return `${big.negative ? '-' : ''}${big.value}n`;
      }
      return typeof v === 'string' ? `'${v.replace(/'/g, "\\'")}'` : String(v);
    }
    case 'typeOperator': return `${String(t.operator)} ${sub(t.target)}`;
    case 'tuple': return `[${list(t.elements, ', ')}]`;
    case 'namedTupleMember': return `${String(t.name)}${t.isOptional ? '?' : ''}: ${sub(t.element)}`;
    case 'optional': return `${sub(t.elementType)}?`;
    case 'rest': return `...${sub(t.elementType)}`;
    case 'query': return `typeof ${sub(t.queryType)}`;
    case 'indexedAccess': return `${sub(t.objectType)}[${sub(t.indexType)}]`;
    case 'predicate': return `${t.asserts ? 'asserts ' : ''}${String(t.name)}${t.targetType ? ` is ${sub(t.targetType)}` : ''}`;
    case 'conditional': return `${sub(t.checkType)} extends ${sub(t.extendsType)} ? ${sub(t.trueType)} : ${sub(t.falseType)}`;
    case 'templateLiteral': {
      const tail = (t.tail as [SomeType, string][]).map(([x, s]) => `\${${typeText(x)}}${s}`).join('');
      return `\`${String(t.head)}${tail}\``;
    }
    case 'mapped': return `{ [${String(t.parameter)} in ${sub(t.parameterType)}]: ${sub(t.templateType)} }`;
    case 'inferred': return `infer ${String(t.name)}`;
    case 'reflection': return reflectionText(t.declaration as Reflection);
    default: return t.type;
  }
}

function reflectionText(d: Reflection): string {
  if (d.signatures?.length) {
    const s = d.signatures[0];
    return `(${paramsText(s.parameters)}) => ${typeText(s.type)}`;
  }
  const members = [
    ...(d.indexSignatures ?? []).map((s) => `[${paramsText(s.parameters)}]: ${typeText(s.type)}`),
    ...[...(d.children ?? [])].map((c) => {
      if (c.kind === KIND.Method) return (c.signatures ?? []).map((s) => `${c.name}(${paramsText(s.parameters)}): ${typeText(s.type)}`).join('; ');
      return `${c.flags.isReadonly ? 'readonly ' : ''}${c.name}${c.flags.isOptional ? '?' : ''}: ${typeText(c.type)}`;
    }),
  ];
  return members.length === 0 ? '{}' : `{ ${members.join('; ')} }`;
}

// ---------------------------------------------------------------------------

async function main(argv: readonly string[]): Promise<number> {
  const text = renderApiDoc(await apiModel());
  if (argv.includes('--check')) {
    const current = fs.existsSync(API_DOC) ? fs.readFileSync(API_DOC, 'utf8') : '';
    if (current !== text) {
      process.stderr.write('docs/API.md is stale: run `npx tsx scripts/gen-api-doc.ts` and commit it\n');
      return 1;
    }
    process.stdout.write('docs/API.md is up to date\n');
    return 0;
  }
  fs.mkdirSync(path.dirname(API_DOC), { recursive: true });
  fs.writeFileSync(API_DOC, text);
  process.stdout.write('wrote docs/API.md\n');
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e: unknown) => {
    process.stderr.write(`gen-api-doc: ${(e as Error).message}\n`);
    process.exitCode = 2;
  });
}
