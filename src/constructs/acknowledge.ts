import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { describeRef } from '../model/manifest';
import { FindingAcknowledgment } from '../vocabulary/acknowledgment';
import { fail, show } from '../vocabulary/checks';
import { isReviewBeyondHorizon, latestReviewDate } from '../vocabulary/exception-annotations';

/**
 * Acknowledges findings on the object of `scope` (an `ApiObject`, such as our
 * constructs and the generated classes, or a construct whose default child
 * is one): writes the `mtls.acknowledge/<CODE>` annotation of each
 * acknowledgment on it, and enables synth-time validation on the app. The
 * findings of those codes on that object are then still reported, marked as
 * acknowledged, and do not fail synth until their review date has passed.
 *
 * Throws when the review date lies further ahead than the app's
 * `mesh.maxReviewDays` (365 unless set) allows, judged by the `mesh.now` of
 * `MtlsValidation.enable` if called before, else the system clock (synth
 * judges it again), and when the object already acknowledges the same code
 * differently.
 *
 * ```ts
 * acknowledge(denyPolicy, FindingAcknowledgment.of({
 *   code: 'IMA009', owner: 'team-payments', reviewBy: '2027-01-31', reason: 'STRICT lands in phase 03',
 * }));
 * ```
 */
export function acknowledge(scope: IConstruct, ...acknowledgments: FindingAcknowledgment[]): void {
  const owner = 'acknowledge';
  const obj = apiObjectOf(owner, scope);
  if (acknowledgments.length === 0) fail(owner, 'expects at least one FindingAcknowledgment after the scope');
  const subject = describeRef({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace ?? '', name: obj.name });
  const horizon = MtlsValidation.reviewHorizonOf(obj);
  const latest = latestReviewDate(horizon.now, horizon.maxReviewDays);
  for (const ack of acknowledgments) {
    if (!(ack instanceof FindingAcknowledgment)) {
      fail(owner, `expects acknowledgments made by FindingAcknowledgment.of({ code, owner, reviewBy, reason }), got ${show(ack)}`);
    }
    if (isReviewBeyondHorizon(ack.reviewBy, horizon.now, horizon.maxReviewDays)) {
      fail(owner, `'reviewBy' of the acknowledgment of ${ack.code} on ${subject} must be at most ${horizon.maxReviewDays} days ahead `
        + `(mesh.maxReviewDays), ${latest} at the latest, got ${show(ack.reviewBy)}`);
    }
    const existing = (obj.metadata.toJson().annotations as Record<string, string> | undefined)?.[ack.annotationKey];
    if (existing !== undefined && existing !== ack.annotationValue) {
      fail(owner, `${subject} already acknowledges ${ack.code} (${show(existing)}): give one acknowledgment per code and object`);
    }
    obj.metadata.addAnnotation(ack.annotationKey, ack.annotationValue);
  }
  MtlsValidation.enable(obj);
}

/** The object a finding would name: `scope` itself, or its default child (as `ApiObject.of` finds it). */
function apiObjectOf(owner: string, scope: IConstruct): ApiObject {
  for (let c: IConstruct | undefined = scope; c !== undefined; c = c.node.defaultChild) {
    if (ApiObject.isApiObject(c)) return c;
  }
  const path = scope?.node?.path;
  return fail(owner, '\'scope\' must be an ApiObject, or a construct whose default child is one (the object a finding names), '
    + `got ${path === undefined ? show(scope) : `the construct "${path}"`}`);
}
