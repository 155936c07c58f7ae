import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { sameFileFindings } from './output-files';
import { acknowledgeFindings, acknowledgmentAnnotationsOf, AcknowledgmentAnnotations } from '../acknowledgments';
import { AnalysisState, LintOptions, SourcedFinding, validateGuarded } from '../lint';
import { compareFindings } from '../model/finding';
import { resolveMeshOptions } from '../model/mesh-options';
import { checkValidationOptions, rejectionOf } from '../validation/validate';

export interface AppFindingsOptions extends LintOptions {
  /**
   * Charts that are alternative states of the cluster (for example the
   * phases of a MigrationPlan). Each is analysed as a whole cluster: the
   * objects of the other charts plus its own, never the union of the states.
   * @default - the app is one state
   */
  readonly alternativeStates?: readonly Chart[];
}

/**
 * Everything synth-time validation finds in the app under `root`: each
 * ApiObject rendered with its own `toJson()` and validated as the cluster
 * would, the analysis of the whole (or of each alternative state) without
 * the objects the cluster would reject, and the
 * objects (IMS001) and charts (IMS002) `app.synth()` would write to one file. Each finding is on
 * the object it names, when that object is in the app, and marked
 * `acknowledged` when that object's `mtls.acknowledge/<CODE>` annotation
 * accepts it; deterministic order.
 * Only findings and what the analysis keeps of each object outlive the loop:
 * the rendered manifests are dropped one by one.
 * @internal
 */
export function appFindings(root: IConstruct, options: AppFindingsOptions = {}): SourcedFinding<ApiObject>[] {
  checkValidationOptions(options);
  const objects = root.node.findAll().filter(ApiObject.isApiObject);
  const alternatives = new Set(options.alternativeStates ?? []);
  const stateOf = (obj: ApiObject): Chart | undefined => {
    if (alternatives.size === 0) return undefined;
    const chart = Chart.of(obj);
    return alternatives.has(chart) ? chart : undefined;
  };
  const analyse = options.analyze !== false;
  // One "today" for every state's analysis and the acknowledgments.
  const mesh = resolveMeshOptions(options.mesh);
  const base = new AnalysisState<ApiObject>({ ...options.mesh, now: mesh.now });
  const states = new Map([...alternatives].map((chart) => [chart, new AnalysisState<ApiObject>({ ...options.mesh, now: mesh.now })]));
  const found: SourcedFinding<ApiObject>[] = [];
  const annotated = new Map<ApiObject, AcknowledgmentAnnotations>();
  for (const obj of objects) {
    const manifest = obj.toJson();
    const annotations = acknowledgmentAnnotationsOf(manifest);
    if (annotations) annotated.set(obj, annotations);
    const findings = validateGuarded(manifest, options);
    for (const finding of findings) found.push({ finding, source: obj });
    // The cluster would not store an object it rejects: the analysis never sees it.
    if (!analyse || rejectionOf(findings) !== undefined) continue;
    const state = stateOf(obj);
    (state ? states.get(state)! : base).add(manifest, obj);
  }
  found.push(...sameFileFindings(root, objects));
  if (analyse) found.push(...(states.size === 0 ? base.analyze() : mergeStates(states, base, stateOf)));
  return acknowledgeFindings(found, annotated, mesh).sort((a, b) => compareFindings(a.finding, b.finding));
}

/** The analysis of each alternative state with the shared objects; a finding seen in several states once, naming them. */
function mergeStates(
  states: ReadonlyMap<Chart, AnalysisState<ApiObject>>, base: AnalysisState<ApiObject>, stateOf: (obj: ApiObject) => Chart | undefined,
): SourcedFinding<ApiObject>[] {
  const seen = new Map<string, { found: SourcedFinding<ApiObject>; states: string[] }>();
  for (const [chart, analysis] of states) {
    const state = chart.node.path;
    for (const found of analysis.analyze(base)) {
      const f = found.finding;
      const key = `${found.source?.node.path}\u0000${f.code}\u0000${f.path}\u0000${f.message}`;
      const entry = seen.get(key);
      if (entry) entry.states.push(state);
      else seen.set(key, { found, states: [state] });
    }
  }
  return [...seen.values()].map(({ found, states: where }) => {
    // A finding on a state's own object, or in every state, needs no qualifier.
    if ((found.source !== undefined && stateOf(found.source) !== undefined) || where.length === states.size) return found;
    return { ...found, finding: { ...found.finding, message: `in state ${where.map((w) => `"${w}"`).join(', ')}: ${found.finding.message}` } };
  });
}
