import { acknowledgeFindings, acknowledgmentAnnotationsOf, AcknowledgmentAnnotations } from './acknowledgments';
import { analyzeMesh } from './analysis/analyze';
import { DUPLICATE_OBJECT, duplicateObjectFindings } from './analysis/rules/duplicate-object';
import { compareFindings, Finding } from './model/finding';
import { Manifest, ResourceRef, refOf } from './model/manifest';
import { ModelEntries, modelOfEntries, Rereadable } from './model/mesh-model';
import { MeshOptions, ResolvedMeshOptions, resolveMeshOptions } from './model/mesh-options';
import { formatLocation, LocatedFinding } from './report/lint-report';
import { checkValidationOptions, internalError, rejectionOf, validateManifest, ValidationOptions } from './validation/validate';

/** Where an input came from: what the lint keeps of it once its manifest is read. */
export interface InputSource {
  /** The file as the user named it. */
  readonly file?: string;
  /** Maps a JSON pointer inside the manifest to a 1-based line and column in `file`. */
  readonly locate?: (pointer: string) => { line: number; col: number };
  /** The cdk8s construct path of the manifest. */
  readonly constructPath?: string;
  /**
   * The manifest read again from its source, equal to `manifest`. With it
   * the lint works out what it compares between two definitions of one
   * object only for an object defined more than once, instead of for every
   * input. If it throws, that object's definitions are not compared.
   */
  readonly reread?: () => Manifest;
}

/** One manifest to lint, with what is known of where it came from. */
export interface LintInput extends InputSource {
  readonly manifest: Manifest;
  /**
   * Where the input came from as one object, kept by the lint instead of
   * the input's own `file`, `locate`, `constructPath` and `reread` (which it
   * then does not read): `ParsedManifest.source`, one small object per input
   * where the lint would otherwise keep several. Give each input its own.
   * @default - the input's own fields
   */
  readonly source?: InputSource;
}

export interface LintOptions extends ValidationOptions {
  /** Mesh-wide facts for the analysis (root namespace, trust domain, auto mTLS). */
  readonly mesh?: MeshOptions;
  /**
   * Run the cross-resource analysis as well as per-resource validation.
   * @default true
   */
  readonly analyze?: boolean;
}

/**
 * Validates every manifest and analyses them together as one mesh. A manifest
 * that breaks a check never stops the others from being checked. A manifest
 * the cluster would reject (an error finding) is left out of the analysis, as
 * the cluster would not store it. Findings the `mtls.acknowledge/<CODE>`
 * annotations of their resource accept are marked `acknowledged`. Findings
 * come back located and in a deterministic order.
 *
 * The inputs are read once, in order, and no manifest is kept after it is
 * read: given a generator, each can be dropped as soon as it is yielded.
 */
export function lint(inputs: Iterable<LintInput>, options: LintOptions = {}): LocatedFinding[] {
  // One "today" for the analysis and the acknowledgments.
  const mesh = resolveMeshOptions(options.mesh);
  const found: SourcedFinding<InputSource>[] = [];
  const state = options.analyze !== false ? new AnalysisState<InputSource>({ ...options.mesh, now: mesh.now }) : undefined;
  const annotated = new Map<InputSource, AcknowledgmentAnnotations>();
  validateEach(inputs, options, (input, own) => {
    // Where the input is, without its manifest: what the findings and the analysis keep.
    const source = input.source ?? { file: input.file, locate: input.locate, constructPath: input.constructPath, reread: input.reread };
    for (const finding of own) found.push({ finding, source });
    if (state && rejectionOf(own) === undefined) state.add(input.manifest, source, source.reread ? source as Rereadable : undefined);
    const annotations = acknowledgmentAnnotationsOf(input.manifest);
    if (annotations) annotated.set(source, annotations);
  });
  if (state) found.push(...state.analyze());
  return sortLocated(acknowledgeFindings(found, annotated, mesh).map(({ finding, source }) => place(finding, source)));
}

/** An input the cluster would refuse to store, and the first reason it would give. */
export interface RejectedInput {
  readonly input: LintInput;
  /** The first error of its validation, located in its file when known. */
  readonly rejection: LocatedFinding;
}

/** What the validation of the inputs decides for the analysis. */
export interface AdmittedInputs {
  /** The inputs the cluster would store, in input order: what the analysis sees. */
  readonly admitted: LintInput[];
  /** The inputs it would reject, in input order. */
  readonly rejected: RejectedInput[];
}

/**
 * Validates each input once and sorts them into those the cluster would store
 * and those it would reject; one failing check never stops the others. Only
 * the rejections are located (locating a finding may read its file again).
 */
export function admitInputs(inputs: Iterable<LintInput>, options: ValidationOptions = {}): AdmittedInputs {
  const admitted: LintInput[] = [];
  const rejected = admitEach(inputs, options, (input) => admitted.push(input));
  return { admitted, rejected };
}

/**
 * `admitInputs` one input at a time: `admit` gets each input the cluster
 * would store as soon as it is validated, and the rejections come back, so
 * a caller that keeps what it needs of the admitted ones can drop them.
 */
export function admitEach(inputs: Iterable<LintInput>, options: ValidationOptions, admit: (input: LintInput) => void): RejectedInput[] {
  const rejected: RejectedInput[] = [];
  validateEach(inputs, options, (input, own) => {
    const rejection = rejectionOf(own);
    if (rejection === undefined) admit(input);
    else rejected.push({ input, rejection: place(rejection, input) });
  });
  return rejected;
}

/** Validates each input in turn and hands it over with its findings; one failing check never stops the others. */
function validateEach(inputs: Iterable<LintInput>, options: ValidationOptions, each: (input: LintInput, own: Finding[]) => void): void {
  // A bad option is the caller's mistake: thrown once, not reported on every resource.
  checkValidationOptions(options);
  for (const input of inputs) each(input, validateGuarded(input.manifest, options));
}

/**
 * `validateManifest`, with a last guard: a crash outside its guarded stages is reported as a finding (IMV001) instead of thrown.
 * @internal
 */
export function validateGuarded(manifest: Manifest, options: ValidationOptions = {}): Finding[] {
  try {
    return validateManifest(manifest, options);
  } catch (e) {
    // A crash in a check is our bug, not the user's: report it and go on.
    return [internalError(refOf(manifest), e)];
  }
}

/** The cross-resource analysis of the inputs as one cluster state, located on the inputs. */
export function analyzeInputs(inputs: readonly LintInput[], options: LintOptions = {}): LocatedFinding[] {
  const state = new AnalysisState<LintInput>(options.mesh);
  for (const input of inputs) state.add(input.manifest, input);
  return state.analyze().map(({ finding, source }) => place(finding, source));
}

/**
 * A finding of the analysis and the source of its resource, if one of the inputs.
 * @internal
 */
export interface SourcedFinding<S> {
  readonly finding: Finding;
  readonly source?: S;
}

/**
 * The inputs of one analysis, read one manifest at a time: keeps what the
 * model needs and where each resource came from (`S`: an input, a construct),
 * never the manifests, so a caller can produce and drop them one by one.
 * @internal
 */
export class AnalysisState<S> {
  private readonly opts: ResolvedMeshOptions;
  private readonly entries: ModelEntries;
  private readonly sources: S[] = [];

  constructor(mesh?: MeshOptions) {
    this.opts = resolveMeshOptions(mesh);
    this.entries = new ModelEntries(this.opts);
  }

  /** `again`: reads the manifest again, for when its content is compared (see `ModelEntries.add`). */
  add(manifest: Manifest, source: S, again?: Rereadable): void {
    this.entries.add(manifest, again);
    this.sources.push(source);
  }

  /** The analysis of the inputs of `base` (if any) followed by these, as one cluster state. */
  analyze(base?: AnalysisState<S>): SourcedFinding<S>[] {
    const model = modelOfEntries(base ? [base.entries, this.entries] : this.entries, this.opts);
    // duplicate-object is about each definition of one name, so its findings are placed by input index below.
    const findings = analyzeMesh(model).filter((f) => f.code !== DUPLICATE_OBJECT.code);
    // The source of a finding's resource: the last input of that name, as kubectl apply would keep.
    const sourceOf = new Map<string, S | undefined>();
    const names = new Set<string>();
    for (const f of findings) {
      sourceOf.set(refKey(f.resource), undefined);
      names.add(f.resource.name);
    }
    for (const state of base ? [base, this] : [this]) {
      for (let i = 0; i < state.entries.length; i++) {
        const ref = state.entries.ref(i) ?? NO_REF;
        // Most inputs have no finding: compare names before building keys.
        if (!names.has(ref.name)) continue;
        const key = refKey(ref);
        if (sourceOf.has(key)) sourceOf.set(key, state.sources[i]);
        // A finding names the namespace its object lands in: the default one for a manifest that names none.
        const placed = ref.namespace === '' ? refKey({ ...ref, namespace: this.opts.defaultNamespace }) : key;
        if (placed !== key && sourceOf.has(placed)) sourceOf.set(placed, state.sources[i]);
      }
    }
    const offset = base ? base.entries.length : 0;
    const sourceAt = (index: number): S => (index < offset ? base!.sources[index] : this.sources[index - offset]);
    const duplicates = duplicateObjectFindings(model, (index) => whereIs(sourceAt(index)));
    return [
      ...findings.map((finding) => {
        const source = sourceOf.get(refKey(finding.resource));
        return source === undefined ? { finding } : { finding, source };
      }),
      ...duplicates.map(({ finding, index }) => ({ finding, source: sourceAt(index) })),
    ];
  }
}

/**
 * Where a source is, for a message that names another input: the file and
 * line of an input's name, else its construct path, or the path of a cdk8s
 * ApiObject (read by shape: this layer does not load cdk8s).
 */
function whereIs(source: unknown): string | undefined {
  const s = source as InputSource & { node?: { path?: unknown } };
  if (typeof s.file === 'string') return formatLocation(s.file, s.locate?.('/metadata/name').line, undefined);
  if (s.constructPath) return `[${s.constructPath}]`;
  return typeof s.node?.path === 'string' ? `[${s.node.path}]` : undefined;
}

const NO_REF: ResourceRef = { apiVersion: '', kind: '', namespace: '', name: '' };

/** Deterministic order: file and position, then resource, path, severity, code and message. */
export function sortLocated(findings: LocatedFinding[]): LocatedFinding[] {
  return findings.sort((a, b) => compareFiles(a, b) || compareFindings(a, b));
}

function place(f: Finding, input: InputSource | undefined): LocatedFinding {
  if (!input) return f;
  const pos = input.locate?.(f.path);
  return {
    ...f,
    ...(input.file !== undefined ? { file: input.file } : {}),
    ...(pos ? { line: pos.line, column: pos.col } : {}),
    ...(input.constructPath ? { constructPath: input.constructPath } : {}),
  };
}

function compareFiles(a: LocatedFinding, b: LocatedFinding): number {
  const fa = a.file ?? '';
  const fb = b.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

function refKey(ref: ResourceRef): string {
  return `${ref.apiVersion.split('/')[0]}\u0000${ref.kind}\u0000${ref.namespace}\u0000${ref.name}`;
}
