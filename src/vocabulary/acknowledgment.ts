/**
 * An acknowledged finding: a finding accepted on purpose, owned, reasoned and
 * expiring like an mTLS exception, written as the annotation
 * `mtls.acknowledge/<CODE>: owner=<who>; review-by=<YYYY-MM-DD>; reason=<text>`
 * on the resource the finding names. Read here for the engine, written here
 * for the constructs. Pure: no cdk8s.
 */
import { checkPrintableText, checkReviewDate, fail, show } from './checks';
import { nonPrintableCharacter, parseReviewDate, quotePrintable } from './exception-annotations';
import { nearestName } from './nearest-name';

/** The key prefix; the finding's code follows it: `mtls.acknowledge/IMA009`. */
export const ACKNOWLEDGMENT_ANNOTATION_PREFIX = 'mtls.acknowledge/';

/** The three parts of an acknowledgment, as the annotation carries them. */
export interface AcknowledgmentParts {
  readonly owner: string;
  /** `YYYY-MM-DD`. */
  readonly reviewBy: string;
  readonly reason: string;
}

/**
 * What an annotation value says: its parts when all three are usable, and
 * otherwise each problem as a phrase (`lacks owner=<who>`), in value order.
 */
export interface ParsedAcknowledgment {
  readonly parts?: AcknowledgmentParts;
  readonly problems: readonly string[];
}

const PART_KEYS = ['owner', 'review-by', 'reason'] as const;

/**
 * Reads `owner=<who>; review-by=<YYYY-MM-DD>; reason=<text>`. Parts are
 * separated by `;`, with spaces around them ignored; `owner` and `review-by`
 * may come in either order; `reason` comes last and runs to the end of the
 * value, `;` included.
 */
export function parseAcknowledgmentValue(value: string): ParsedAcknowledgment {
  const problems: string[] = [];
  const found: Partial<Record<(typeof PART_KEYS)[number], string>> = {};
  let rest = value;
  while (rest.trim() !== '') {
    const semicolon = rest.indexOf(';');
    const part = semicolon < 0 ? rest : rest.slice(0, semicolon);
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (eq >= 0 && key === 'reason') {
      found.reason = rest.slice(rest.indexOf('=') + 1).trim();
      break;
    }
    if (eq < 0) {
      if (key !== '') problems.push(`has ${quotePrintable(key)}, not key=value`);
    } else if (key === 'owner' || key === 'review-by') {
      if (found[key] !== undefined) problems.push(`gives ${key} twice`);
      else found[key] = part.slice(eq + 1).trim();
    } else {
      const near = nearestName(key, PART_KEYS);
      problems.push(`has the unknown part ${quotePrintable(key)}${near ? ` (did you mean ${near}?)` : ''}`);
    }
    rest = semicolon < 0 ? '' : rest.slice(semicolon + 1);
  }
  for (const key of ['owner', 'reason'] as const) {
    const text = found[key];
    if (text === undefined) {problems.push(`lacks ${key}=<${key === 'owner' ? 'who' : 'text'}>`);} else if (text === '') {problems.push(`has an empty ${key}`);} else {
      const bad = nonPrintableCharacter(text);
      if (bad) problems.push(`has ${key === 'owner' ? 'an' : 'a'} ${key} with the control character ${bad}`);
    }
  }
  const reviewBy = found['review-by'];
  if (reviewBy === undefined) problems.push('lacks review-by=<YYYY-MM-DD>');
  else if (!parseReviewDate(reviewBy)) problems.push(`has review-by ${quotePrintable(reviewBy)}, not a calendar date written YYYY-MM-DD`);
  if (problems.length > 0) return { problems };
  return { parts: { owner: found.owner!, reviewBy: reviewBy!, reason: found.reason! }, problems };
}

/** The annotation value of an acknowledgment's parts. */
export function formatAcknowledgmentValue(parts: AcknowledgmentParts): string {
  return `owner=${parts.owner}; review-by=${parts.reviewBy}; reason=${parts.reason}`;
}

/** The properties of {@link FindingAcknowledgment.of}. */
export interface FindingAcknowledgmentProps {
  /** The code of the finding to acknowledge, e.g. `IMA009` (RULES.md lists them). */
  readonly code: string;
  /** Who answers for accepting the finding (a team or an address). */
  readonly owner: string;
  /**
   * The date by which the acknowledgment must be reviewed: `YYYY-MM-DD`, or a
   * `Date` (its UTC day). After it the finding counts again, and synth fails.
   * It may lie at most the app's `mesh.maxReviewDays` (365 unless set) ahead.
   */
  readonly reviewBy: string | Date;
  /** Why the finding is accepted, e.g. "DENY policies land before STRICT in phase 03". */
  readonly reason: string;
}

/**
 * A finding accepted on purpose: its code, an owner, a review date and a
 * reason. Applied to an object with `acknowledge(scope, ack)`, which writes
 * the `mtls.acknowledge/<CODE>` annotation. The finding is still reported,
 * marked as acknowledged, but does not fail synth until the review date has
 * passed.
 *
 * ```ts
 * acknowledge(policy, FindingAcknowledgment.of({
 *   code: 'IMA009', owner: 'team-payments', reviewBy: '2027-01-31', reason: 'STRICT lands in phase 03',
 * }));
 * ```
 */
export class FindingAcknowledgment {
  /** Checks the fields; throws naming the field, the value given and what is allowed. */
  public static of(props: FindingAcknowledgmentProps): FindingAcknowledgment {
    const owner = 'FindingAcknowledgment';
    if (typeof props !== 'object' || props === null || Array.isArray(props)) {
      fail(owner, `expects { code, owner, reviewBy, reason }, got ${show(props)}`);
    }
    if (typeof props.code !== 'string') fail(owner, `'code' must be a finding code such as "IMA009", got ${show(props.code)}`);
    const codeProblem = acknowledgeableCodeProblem(props.code);
    if (codeProblem) fail(owner, `'code' ${codeProblem}`);
    checkPrintableText(owner, 'owner', props.owner);
    if (props.owner.includes(';')) fail(owner, `'owner' must not contain ";" (it separates the parts of the annotation), got ${show(props.owner)}`);
    checkPrintableText(owner, 'reason', props.reason);
    return new FindingAcknowledgment(props.code, props.owner.trim(), checkReviewDate(owner, 'reviewBy', props.reviewBy), props.reason.trim());
  }

  private constructor(
    /** The code of the finding acknowledged. */
    public readonly code: string,
    /** Who answers for it. */
    public readonly owner: string,
    /** The review date, `YYYY-MM-DD`. */
    public readonly reviewBy: string,
    /** Why the finding is accepted. */
    public readonly reason: string,
  ) {}

  /** The annotation key: `mtls.acknowledge/<code>`. */
  public get annotationKey(): string {
    return ACKNOWLEDGMENT_ANNOTATION_PREFIX + this.code;
  }

  /** The annotation value: `owner=<owner>; review-by=<reviewBy>; reason=<reason>`. */
  public get annotationValue(): string {
    return formatAcknowledgmentValue(this);
  }
}

/**
 * Why `code` cannot be acknowledged (`"IMA099" is not a rule code; did you
 * mean "IMA009"?`), or undefined when it can. Loads the rules catalogue, as
 * synth does; importing this file does not.
 */
function acknowledgeableCodeProblem(code: string): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const catalogue: typeof import('../acknowledgments') = require('../acknowledgments');
  return catalogue.acknowledgeableCodeProblem(code);
}
