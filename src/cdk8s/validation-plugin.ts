import * as fs from 'fs';
import * as path from 'path';
import type * as Engine from '../engine';
import type { LintInput, LintOptions } from '../lint';
import { Severity } from '../model/finding';
import { describeRef, groupOf, refOf, ResourceRef } from '../model/manifest';
import { CaptureDefaultsOptions, MeshOptions, meshOptionProblems } from '../model/mesh-options';
import type { LocatedFinding } from '../report/lint-report';
import type { CrdSchemaSet } from '../validation/schema';

/** The engine loads when the plugin first validates, so exporting the class costs nothing at import. */
function engine(): typeof Engine {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../engine');
}

/**
 * The `properties` of the plugin's entry in the `validations:` section of
 * `cdk8s.yaml`. All are optional.
 */
export interface IstioMtlsValidationProperties {
  /**
   * Istio's root namespace (meshConfig.rootNamespace).
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The mesh trust domain.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Other trust domains the mesh accepts (meshConfig.trustDomainAliases).
   * @default - none
   */
  readonly trustDomainAliases?: readonly string[];
  /**
   * Whether the mesh runs with auto mTLS (meshConfig.enableAutoMtls).
   * @default true
   */
  readonly autoMtls?: boolean;
  /**
   * Whether ambient mode is installed (istiod and istio-cni).
   * @default false
   */
  readonly ambient?: boolean;
  /**
   * Whether sidecar capture is set up by istio-cni.
   * @default false
   */
  readonly istioCni?: boolean;
  /**
   * Whether sidecars carry `networking.istio.io/tunnel: http` (ambient clients reach them over HBONE).
   * @default - the value of `ambient`
   */
  readonly sidecarHbone?: boolean;
  /**
   * The cluster's Service CIDRs, for outbound IP-range capture.
   * @default - unknown
   */
  readonly serviceCidrs?: readonly string[];
  /**
   * The cluster's pod CIDRs, for outbound IP-range capture.
   * @default - unknown
   */
  readonly podCidrs?: readonly string[];
  /**
   * meshConfig.outboundTrafficPolicy.mode.
   * @default 'ALLOW_ANY'
   */
  readonly outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /**
   * The installed revisions and revision tags (`istio.io/rev` values with a webhook).
   * @default - any revision is assumed installed
   */
  readonly knownRevisions?: readonly string[];
  /**
   * istiod's `ENABLE_TLS_ON_SIDECAR_INGRESS`.
   * @default false
   */
  readonly enableTlsOnSidecarIngress?: boolean;
  /**
   * How many days ahead a review-by date (of an mTLS exception or an
   * acknowledged finding) may lie; a later date is an error.
   * @default 365
   */
  readonly maxReviewDays?: number;
  /**
   * The injector's capture defaults (Helm `global.proxy`), by annotation name
   * (`includeInboundPorts`, `excludeInboundPorts`, …, `statusPort`, `interceptionMode`).
   * @default - Istio's
   */
  readonly captureDefaults?: CaptureDefaultsOptions;
  /**
   * A file of your cluster's CRDs (`kubectl get crd -o yaml`), relative to
   * the directory `cdk8s synth` runs in; resources are validated against
   * them instead of the built-in Istio 1.30.3 and prometheus-operator v0.93.0 CRDs.
   * @default - the built-in CRDs
   */
  readonly crds?: string;
  /**
   * How PrometheusRule record, label and annotation names are validated, as
   * prometheus-operator's admission webhook does with its
   * `--name-validation-scheme` flag: `legacy` (`[a-zA-Z_:][a-zA-Z0-9_:]*`)
   * or `utf8` (any UTF-8 name).
   * @default 'legacy'
   */
  readonly nameValidationScheme?: 'legacy' | 'utf8';
  /**
   * Run the cross-resource mesh analysis as well as per-resource validation.
   * @default true
   */
  readonly analyze?: boolean;
  /**
   * The least severe finding that fails the validation (and `cdk8s synth`).
   * Findings below it are still reported.
   * @default 'error'
   */
  readonly failOn?: 'error' | 'warning';
}

/** What the plugin uses of cdk8s-cli's `ValidationContext` (cdk8s-cli is not a dependency). */
export interface PluginValidationContext {
  /** Paths of the synthesized manifest files. */
  readonly manifests: readonly string[];
  /** Construct paths keyed by resource name (`metadata.name` only). */
  readonly metadata?: { readonly [resourceName: string]: { readonly path: string } };
  readonly report: {
    addViolation(violation: PluginViolation): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
}

/** cdk8s-cli's `ValidationViolation`. */
export interface PluginViolation {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: readonly {
    readonly resourceName: string;
    readonly locations: readonly string[];
    readonly manifestPath: string;
  }[];
}

/** The properties that are mesh options, passed to the engine as they are. */
const MESH_PROPERTIES = [
  'rootNamespace', 'trustDomain', 'trustDomainAliases', 'autoMtls', 'ambient', 'istioCni', 'sidecarHbone', 'serviceCidrs', 'podCidrs',
  'outboundTrafficPolicy', 'knownRevisions', 'enableTlsOnSidecarIngress', 'captureDefaults', 'maxReviewDays',
] as const satisfies readonly (keyof IstioMtlsValidationProperties & keyof MeshOptions)[];
const PROPERTY_NAMES: readonly (keyof IstioMtlsValidationProperties)[] = [...MESH_PROPERTIES, 'crds', 'nameValidationScheme', 'analyze', 'failOn'];
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * A cdk8s-cli validation plugin: `cdk8s synth` hands it the synthesized
 * manifests, and it validates them as the cluster would and analyses them as
 * one mesh, reporting every error and warning in cdk8s-cli's report with the
 * resource (`Kind namespace/name`), the rule code, the file position and,
 * when it can be known, the construct path. A finding acknowledged by an
 * `mtls.acknowledge/<CODE>` annotation is reported, marked, and never fails.
 *
 * ```yaml
 * # cdk8s.yaml
 * validations:
 *   - package: ./node_modules/cdk8s-istio-mtls   # the package root: cdk8s-cli require()s it
 *     class: IstioMtlsValidation
 *     version: 0.1.0        # required by cdk8s-cli, a label for local paths
 *     properties:
 *       failOn: error
 * ```
 *
 * It never loads cdk8s-plus, and loads the engine on its first validation.
 */
export class IstioMtlsValidation {
  private readonly properties: IstioMtlsValidationProperties;

  /** Checks the properties early, so a typo in `cdk8s.yaml` fails before synth does any work. */
  public constructor(properties: IstioMtlsValidationProperties = {}) {
    this.properties = checkProperties(properties ?? {});
  }

  /** Called by cdk8s-cli after synthesis. */
  public async validate(context: PluginValidationContext): Promise<void> {
    const cwd = process.cwd();
    const display = (file: string) => {
      const rel = path.relative(cwd, file);
      return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
    };

    const inputs: LintInput[] = [];
    const problems: PluginViolation[] = [];
    const manifestPathOf = new Map<LintInput, string>();
    for (const file of [...context.manifests].sort()) {
      let content: Buffer;
      try {
        content = fs.readFileSync(file);
      } catch (e) {
        problems.push(problemViolation(file, `cannot read ${display(file)}: ${(e as Error).message.split('\n')[0]}`));
        continue;
      }
      const parsed = engine().parseManifests(content, { file: display(file) });
      for (const p of parsed.problems) {
        problems.push(problemViolation(file, `${display(file)}:${p.position.line}:${p.position.col}: ${p.message}`));
      }
      for (const m of parsed.manifests) {
        const input: LintInput = { manifest: m.manifest, file: display(file), locate: m.locate, reread: m.reread, source: m.source };
        inputs.push(input);
        manifestPathOf.set(input, file);
      }
    }

    // cdk8s keys construct metadata by metadata.name alone: a name shared by two
    // resources (two `default` policies) cannot be traced to its construct.
    const nameCount = new Map<string, number>();
    for (const input of inputs) {
      const name = nameOf(input);
      if (name !== undefined) nameCount.set(name, (nameCount.get(name) ?? 0) + 1);
    }
    const constructPathOf = (input: LintInput | undefined): string | undefined => {
      const name = input ? nameOf(input) : undefined;
      if (name === undefined || nameCount.get(name) !== 1) return undefined;
      return context.metadata?.[name]?.path;
    };

    const findings = engine().lint(inputs, this.lintOptions(cwd));
    const inputOf = indexInputs(inputs);
    const failRank = SEVERITY_RANK[this.properties.failOn ?? 'error'];
    const rules = new Map(engine().ALL_RULES.map((r) => [r.code, r]));
    const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
    let acknowledged = 0;
    let failed = problems.length > 0;

    for (const v of problems) context.report.addViolation(v);
    for (const f of findings) {
      // Acknowledged findings are counted apart, and never fail.
      if (f.acknowledged) acknowledged++;
      else counts[f.severity]++;
      if (!f.acknowledged && SEVERITY_RANK[f.severity] <= failRank) failed = true;
      // Infos are notes, not violations: counted in the summary only.
      if (f.severity === 'info') continue;
      const input = inputOf(f.resource, f.file);
      const resourceName = describeRef(f.resource);
      const constructPath = constructPathOf(input);
      if (constructPath) registerConstructPath(context, resourceName, constructPath);
      const rule = rules.get(f.code);
      context.report.addViolation({
        ruleName: `${f.code} ${f.acknowledged ? 'acknowledged ' : ''}${f.severity}: ${rule?.title ?? f.category}`,
        recommendation: `${engine().messageWithSubject(f)}${relatedText(f)}${acknowledgedText(f)}`,
        fix: f.fix ?? `see ${f.code} in the rules reference (RULES.md of cdk8s-istio-mtls)`,
        violatingResources: [{
          resourceName,
          locations: [locationOf(f)],
          manifestPath: input ? manifestPathOf.get(input)! : (f.file ?? ''),
        }],
      });
    }

    context.report.submit(failed ? 'failure' : 'success', {
      'Resources': String(inputs.length),
      'Errors': String(counts.error),
      'Warnings': String(counts.warning),
      'Notes': String(counts.info),
      ...(acknowledged > 0 ? { Acknowledged: String(acknowledged) } : {}),
      'Fails on': this.properties.failOn ?? 'error',
      ...(problems.length > 0 ? { 'Unreadable manifests': String(problems.length) } : {}),
    });
  }

  private lintOptions(cwd: string): LintOptions {
    const p = this.properties;
    const mesh: MeshOptions = Object.fromEntries(MESH_PROPERTIES.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
    return {
      mesh,
      analyze: p.analyze !== false,
      ...(p.nameValidationScheme !== undefined ? { nameValidationScheme: p.nameValidationScheme } : {}),
      ...(p.crds !== undefined ? { crds: loadCrds(path.resolve(cwd, p.crds), p.crds) } : {}),
    };
  }
}

function checkProperties(props: IstioMtlsValidationProperties): IstioMtlsValidationProperties {
  const bad = (name: string, expected: string, got: unknown) =>
    new Error(`IstioMtlsValidation: property '${name}' must be ${expected}, got ${JSON.stringify(got)}`);
  if (typeof props !== 'object' || Array.isArray(props)) throw bad('properties', 'a map', props);
  for (const key of Object.keys(props)) {
    if (!(PROPERTY_NAMES as readonly string[]).includes(key)) {
      throw new Error(`IstioMtlsValidation: unknown property '${key}'; expected one of ${PROPERTY_NAMES.join(', ')}`);
    }
  }
  if (props.crds !== undefined && (typeof props.crds !== 'string' || props.crds === '')) throw bad('crds', 'a non-empty string', props.crds);
  if (props.analyze !== undefined && typeof props.analyze !== 'boolean') throw bad('analyze', 'true or false', props.analyze);
  if (props.nameValidationScheme !== undefined && props.nameValidationScheme !== 'legacy' && props.nameValidationScheme !== 'utf8') {
    throw bad('nameValidationScheme', "'legacy' or 'utf8' (prometheus-operator's --name-validation-scheme)", props.nameValidationScheme);
  }
  const [problem] = meshOptionProblems(props as MeshOptions);
  if (problem) throw new Error(`IstioMtlsValidation: property '${problem.option}' ${problem.message}`);
  if (props.failOn !== undefined && props.failOn !== 'error' && props.failOn !== 'warning') throw bad('failOn', "'error' or 'warning'", props.failOn);
  return props;
}

function loadCrds(file: string, asGiven: string): CrdSchemaSet {
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`IstioMtlsValidation: crds ${asGiven}: cannot read: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = engine().parseManifests(content);
  if (parsed.problems.length > 0) {
    const p = parsed.problems[0];
    throw new Error(`IstioMtlsValidation: crds ${asGiven}:${p.position.line}:${p.position.col}: ${p.message}`);
  }
  try {
    return engine().schemaSetFromCrds(parsed.manifests.map((m) => m.manifest));
  } catch (e) {
    throw new Error(`IstioMtlsValidation: crds ${asGiven}: ${(e as Error).message}`);
  }
}

function nameOf(input: LintInput): string | undefined {
  const name = input.manifest.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

/** Finds the input a finding is about: same resource (and file, when the finding has one); the last wins, as in the analysis. */
function indexInputs(inputs: readonly LintInput[]): (ref: ResourceRef, file: string | undefined) => LintInput | undefined {
  const byKey = new Map<string, LintInput>();
  // By API group, not version, as the analysis matches resources.
  const key = (r: ResourceRef, file: string | undefined) => [groupOf(r.apiVersion), r.kind, r.namespace, r.name, file ?? ''].join('\u0000');
  for (const input of inputs) {
    byKey.set(key(refOf(input.manifest), input.file), input);
  }
  return (ref, file) => byKey.get(key(ref, file));
}

/**
 * cdk8s-cli fills a violation's construct path from its metadata by resource
 * name; ours is `Kind namespace/name`, so give the metadata that key too. Only
 * done where the construct is known for certain (the name is unique).
 */
function registerConstructPath(context: PluginValidationContext, resourceName: string, constructPath: string): void {
  const metadata = context.metadata as Record<string, { path: string }> | undefined;
  if (!metadata || Object.isFrozen(metadata) || metadata[resourceName]) return;
  metadata[resourceName] = { path: constructPath };
}

function locationOf(f: LocatedFinding): string {
  const where = f.file ? (f.line !== undefined ? `${f.file}:${f.line}:${f.column ?? 1}` : f.file) : '';
  const field = f.path ? f.path : '(whole resource)';
  return where ? `${where} ${field}` : field;
}

function relatedText(f: LocatedFinding): string {
  if (!f.related || f.related.length === 0) return '';
  return ` (see also ${f.related.map(describeRef).join(', ')})`;
}

function acknowledgedText(f: LocatedFinding): string {
  const a = f.acknowledged;
  return a ? ` (acknowledged by ${a.owner} until ${a.reviewBy}: ${a.reason})` : '';
}

function problemViolation(file: string, message: string): PluginViolation {
  return {
    ruleName: 'error: unreadable manifest',
    recommendation: message,
    fix: 'make the synthesized file valid YAML; this usually means a bug in the app or in cdk8s',
    violatingResources: [{ resourceName: path.basename(file), locations: [message], manifestPath: file }],
  };
}
