import type { IConstruct } from 'constructs';
import { checkLabels, fail, show, sortedRecord } from './checks';

/**
 * What an object needs to look like for {@link WorkloadSelector.fromWorkload}:
 * a cdk8s `ApiObject` (any version of cdk8s), found directly or as the
 * default child of a construct (cdk8s-plus workloads keep theirs under `Resource`).
 */
interface ApiObjectLike {
  readonly kind: string;
  readonly node: { readonly path: string };
  toJson(): unknown;
}

function isApiObjectLike(x: unknown): x is ApiObjectLike {
  const o = x as Partial<ApiObjectLike> | undefined;
  return !!o && typeof o.toJson === 'function' && typeof o.kind === 'string' && !!o.node;
}

function findApiObject(c: IConstruct): ApiObjectLike | undefined {
  if (isApiObjectLike(c)) return c;
  const child = c.node?.defaultChild;
  return child ? findApiObject(child) : undefined;
}

function record(x: unknown): Record<string, unknown> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? x as Record<string, unknown> : undefined;
}

function stringMap(x: unknown): Record<string, string> | undefined {
  const r = record(x);
  if (!r) return undefined;
  const entries = Object.entries(r).filter(([, v]) => typeof v === 'string') as [string, string][];
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The labels that identify a workload's pods, read from its synthesized manifest. */
export function podLabelsOfManifest(manifest: unknown): { labels?: Record<string, string>; from?: string } {
  const m = record(manifest) ?? {};
  const spec = record(m.spec);
  const candidates: [string, unknown][] = [
    ['spec.selector.matchLabels', record(spec?.selector)?.matchLabels],
    ['spec.template.metadata.labels', record(record(spec?.template)?.metadata)?.labels],
    ['spec.jobTemplate.spec.template.metadata.labels', record(record(record(record(spec?.jobTemplate)?.spec)?.template)?.metadata)?.labels],
  ];
  if (m.kind === 'Pod') candidates.push(['metadata.labels', record(m.metadata)?.labels]);
  for (const [from, value] of candidates) {
    const labels = stringMap(value);
    if (labels) return { labels: sortedRecord(labels), from };
  }
  return {};
}

/**
 * Selects the pods a workload policy applies to, by their labels (Istio
 * `selector.matchLabels`). Istio selectors have labels only; a policy with an
 * empty selector applies to the whole namespace, so a WorkloadSelector is
 * never empty.
 */
export class WorkloadSelector {
  /** Selects pods carrying all of `labels`. */
  public static of(labels: Record<string, string>): WorkloadSelector {
    if (!record(labels) || Object.keys(labels).length === 0) {
      fail('WorkloadSelector', `'labels' must name at least one label, got ${show(JSON.stringify(labels ?? null))}: an empty selector applies the policy to the whole namespace (use NamespaceMtls for that)`);
    }
    checkLabels('WorkloadSelector', 'labels', labels);
    return new WorkloadSelector(sortedRecord(labels), undefined);
  }

  /**
   * Selects the pods of a workload: a cdk8s-plus workload (any line:
   * cdk8s-plus-27, -33, …) or any `ApiObject` with a pod template
   * (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) or a Pod.
   *
   * The labels are read from the workload's synthesized manifest when the
   * chart is synthesized, so labels and selectors added after this call are
   * included: `spec.selector.matchLabels` if present (it selects exactly the
   * workload's pods), otherwise the pod-template labels. cdk8s-plus is never
   * imported: any object exposing a cdk8s `ApiObject` works.
   */
  public static fromWorkload(workload: IConstruct): WorkloadSelector {
    const apiObject = workload ? findApiObject(workload) : undefined;
    if (!apiObject) {
      const path = (workload as IConstruct | undefined)?.node?.path;
      fail('WorkloadSelector', `fromWorkload() needs a cdk8s-plus workload or an ApiObject with a pod template, got ${path !== undefined ? `construct "${path}" with no ApiObject` : show(workload)}`);
    }
    return new WorkloadSelector(undefined, apiObject);
  }

  /**
   * Exactly one is set: the labels given to `of()` (checked, in key order),
   * or the workload whose manifest gives them at synthesis. Kept as data
   * rather than closures: an app holds one selector per policy.
   */
  private constructor(
    private readonly labels: Record<string, string> | undefined,
    private readonly workload: ApiObjectLike | undefined,
  ) {}

  /** What this selector selects, for messages: `labels {"app":"x"}` or `Deployment "chart/api"`. */
  public toString(): string {
    return this.workload ? `${this.workload.kind} "${this.workload.node.path}"` : `labels ${JSON.stringify(this.labels)}`;
  }

  /**
   * The labels, if they are known now (`of()`); undefined for a selector
   * derived from a workload, whose labels are read at synthesis.
   * @internal
   */
  public _fixedLabels(): Record<string, string> | undefined {
    return this.labels;
  }

  /**
   * The labels to render. Evaluate only at synthesis (inside a `Lazy`): a
   * selector derived from a workload reads the workload's final manifest.
   * @internal
   */
  public _matchLabels(): Record<string, string> | undefined {
    return this.labels ?? this.fromWorkload().labels;
  }

  /**
   * Problems that make the selector unusable for a policy in `policyNamespace`.
   * Run from a construct validation so cdk8s reports them with the path. The
   * labels given to `of()` were checked then: only a derived selector can
   * have problems, so constructs register this check only for those.
   * @internal
   */
  public _validate(owner: string, policyNamespace: string | undefined): string[] {
    if (this.labels) return [];
    const { labels, namespace } = this.fromWorkload();
    const errors: string[] = [];
    if (!labels) {
      errors.push(`[${owner}] 'selector' derived from ${this} is empty: the workload has no spec.selector.matchLabels and no pod-template labels, and an empty selector would apply the policy to the whole namespace`);
    } else {
      try {
        checkLabels(owner, 'selector', labels);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    if (namespace !== undefined && policyNamespace !== undefined && namespace !== policyNamespace) {
      errors.push(`[${owner}] 'selector' derived from ${this} in namespace "${namespace}", but the policy is in namespace "${policyNamespace}": a workload selector only applies in the policy's own namespace`);
    }
    return errors;
  }

  /** The pod labels and namespace of the workload's manifest as synthesized now. */
  private fromWorkload(): { labels?: Record<string, string>; namespace?: string } {
    const json = this.workload!.toJson();
    const namespace = record(record(json)?.metadata)?.namespace;
    return { labels: podLabelsOfManifest(json).labels, namespace: typeof namespace === 'string' ? namespace : undefined };
  }
}
