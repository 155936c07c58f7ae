/**
 * The acknowledgment pass: after every layer has reported, each finding
 * whose resource carries a usable `mtls.acknowledge/<CODE>` annotation for
 * its code is marked `acknowledged`; each unusable or expired annotation is a
 * finding itself (IMA045, IMA046). One pass, run by `lint()` and by
 * synth-time validation, so every layer is acknowledged the same way.
 */
import { ACKNOWLEDGMENT_RULES, EXPIRED_ACKNOWLEDGMENT, INVALID_ACKNOWLEDGMENT } from './model/exception-rules';
import { Acknowledgment, Finding, findingOf, pointer } from './model/finding';
import { describeRef, Manifest, refOf, ResourceRef } from './model/manifest';
import { ALL_RULES } from './rules-catalog';
import { ACKNOWLEDGMENT_ANNOTATION_PREFIX, parseAcknowledgmentValue } from './vocabulary/acknowledgment';
import { formatReviewDate, isReviewBeyondHorizon, isReviewOverdue, latestReviewDate, quotePrintable } from './vocabulary/exception-annotations';
import { nearestName } from './vocabulary/nearest-name';

/** The acknowledgment annotations of one resource, as written. */
export interface AcknowledgmentAnnotations {
  readonly ref: ResourceRef;
  /** `[code, value]` of each `mtls.acknowledge/<code>` annotation with a string value, in key order. */
  readonly entries: readonly (readonly [string, string])[];
}

/** A finding and the input or object its resource came from, if known. */
export interface FoundOn<S> {
  readonly finding: Finding;
  readonly source?: S;
}

/** "Today" and how far ahead of it a review date may lie. */
export interface AcknowledgmentClock {
  readonly now: Date;
  readonly maxReviewDays: number;
}

/** The acknowledgment annotations of a manifest, or undefined when it has none (most have none). */
export function acknowledgmentAnnotationsOf(manifest: Manifest): AcknowledgmentAnnotations | undefined {
  const annotations = manifest?.metadata?.annotations;
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return undefined;
  const entries = Object.entries(annotations as Record<string, unknown>)
    .filter((e): e is [string, string] => e[0].startsWith(ACKNOWLEDGMENT_ANNOTATION_PREFIX) && typeof e[1] === 'string')
    .map(([key, value]) => [key.slice(ACKNOWLEDGMENT_ANNOTATION_PREFIX.length), value] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.length === 0 ? undefined : { ref: refOf(manifest), entries };
}

/** Codes whose findings are about istio-mtls or its acknowledgments, never about what a resource may be accepted to do. */
const NOT_ACKNOWLEDGEABLE: Readonly<Record<string, string>> = {
  IMV001: 'it reports a defect of istio-mtls, to be fixed there',
  ...Object.fromEntries(ACKNOWLEDGMENT_RULES.map((r) => [r.code, 'an acknowledgment cannot acknowledge its own errors'])),
};

let acknowledgeable: readonly string[] | undefined;

/** The codes of findings on a resource that may be acknowledged: every rule but the engine's, the acknowledgments' and check-ca's. */
function acknowledgeableCodes(): readonly string[] {
  acknowledgeable ??= ALL_RULES.filter((r) => r.category !== 'certificates' && !(r.code in NOT_ACKNOWLEDGEABLE)).map((r) => r.code);
  return acknowledgeable;
}

/** Why findings of a code cannot be acknowledged, and the code meant, when a near one can. */
interface CodeProblem {
  readonly problem: string;
  readonly near?: string;
}

function codeProblemOf(code: string): CodeProblem | undefined {
  const codes = acknowledgeableCodes();
  if (codes.includes(code)) return undefined;
  const quoted = quotePrintable(code);
  if (code in NOT_ACKNOWLEDGEABLE) return { problem: `${quoted} cannot be acknowledged: ${NOT_ACKNOWLEDGEABLE[code]}` };
  if (ALL_RULES.some((r) => r.code === code)) return { problem: `${quoted} cannot be acknowledged: check-ca findings are about files, not resources` };
  const near = nearestName(code, codes);
  return near ? { problem: `${quoted} is not a rule code; did you mean "${near}"?`, near } : { problem: `${quoted} is not a rule code (RULES.md lists them)` };
}

/**
 * Why findings of `code` cannot be acknowledged (`"IMA099" is not a rule
 * code; did you mean "IMA009"?`), or undefined when they can.
 * @internal
 */
export function acknowledgeableCodeProblem(code: string): string | undefined {
  return codeProblemOf(code)?.problem;
}

/**
 * Marks each finding a usable acknowledgment on its resource accepts, and
 * adds a finding for each annotation that is not usable (IMA045) or has
 * expired (IMA046). `annotated` lists every source with acknowledgment
 * annotations, whether or not it has findings. The findings of IMV001 and of
 * the acknowledgments themselves are never acknowledged.
 */
export function acknowledgeFindings<S>(
  found: readonly FoundOn<S>[], annotated: ReadonlyMap<S, AcknowledgmentAnnotations>, clock: AcknowledgmentClock,
): FoundOn<S>[] {
  if (annotated.size === 0) return [...found];
  const usable = new Map<S, Map<string, Acknowledgment>>();
  const own: FoundOn<S>[] = [];
  for (const [source, { ref, entries }] of annotated) {
    const byCode = new Map<string, Acknowledgment>();
    for (const [code, value] of entries) {
      const judged = judge(ref, code, value, clock);
      if ('finding' in judged) own.push({ finding: judged.finding, source });
      else byCode.set(code, judged.acknowledgment);
    }
    if (byCode.size > 0) usable.set(source, byCode);
  }
  const marked = found.map((f) => {
    const acknowledgment = f.source === undefined ? undefined : usable.get(f.source)?.get(f.finding.code);
    return acknowledgment === undefined ? f : { ...f, finding: { ...f.finding, acknowledged: acknowledgment } };
  });
  return [...marked, ...own];
}

function judge(ref: ResourceRef, code: string, value: string, clock: AcknowledgmentClock): { finding: Finding } | { acknowledgment: Acknowledgment } {
  const key = ACKNOWLEDGMENT_ANNOTATION_PREFIX + code;
  const subject = describeRef(ref);
  const path = pointer('metadata', 'annotations', key);
  const latest = latestReviewDate(clock.now, clock.maxReviewDays);
  const syntax = `owner=<who>; review-by=<YYYY-MM-DD>; reason=<text>, with review-by ${latest} at the latest (maxReviewDays: ${clock.maxReviewDays})`;
  const invalid = (message: string, fix: string) => ({ finding: findingOf(INVALID_ACKNOWLEDGMENT, { resource: ref, path, message, fix }) });

  const codeProblem = codeProblemOf(code);
  if (codeProblem) {
    return invalid(`${subject} has the annotation ${quotePrintable(key).slice(1, -1)}, but ${codeProblem.problem}`, codeProblem.near
      ? `write the key as ${ACKNOWLEDGMENT_ANNOTATION_PREFIX}${codeProblem.near}`
      : 'remove the annotation, or name the code of a finding on this resource');
  }
  const { parts, problems } = parseAcknowledgmentValue(value);
  if (!parts) {
    return invalid(`${subject} has ${key}: ${quotePrintable(value)}, which ${joinAnd(problems)}`, `write the value as ${syntax}`);
  }
  const today = formatReviewDate(clock.now);
  if (isReviewBeyondHorizon(parts.reviewBy, clock.now, clock.maxReviewDays)) {
    return invalid(`${subject} has ${key} with review-by ${parts.reviewBy}, further ahead than maxReviewDays allows `
      + `(${clock.maxReviewDays} days from ${today}: ${latest} at the latest)`, `review it sooner: set review-by to ${latest} or earlier`);
  }
  if (isReviewOverdue(parts.reviewBy, clock.now)) {
    return {
      finding: findingOf(EXPIRED_ACKNOWLEDGMENT, {
        resource: ref,
        path,
        message: `${subject}: acknowledgment of ${code} by ${parts.owner} expired on ${parts.reviewBy} (today is ${today}), so ${code} counts again`,
        fix: `review ${code} with ${parts.owner}: fix what it reports and remove ${key}, or renew its review-by (${latest} at the latest)`,
      }),
    };
  }
  return { acknowledgment: parts };
}

/** `a`, `a and b`, `a, b and c`. */
function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
