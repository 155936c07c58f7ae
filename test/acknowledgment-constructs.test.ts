import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synthError } from './cdk8s/helpers';
import { MtlsValidation } from '../src/cdk8s/mtls-validation';
import { acknowledge } from '../src/constructs/acknowledge';
import { NamespaceMtls } from '../src/constructs/namespace-mtls';
import { WorkloadException, WorkloadExceptionProps } from '../src/constructs/workload-exception';
import { FindingAcknowledgment, FindingAcknowledgmentProps } from '../src/vocabulary/acknowledgment';
import { MtlsMode } from '../src/vocabulary/mtls-mode';
import { WorkloadSelector } from '../src/vocabulary/workload-selector';

/** "Today" of every app here: the default horizon (365 days) ends on 2027-06-15. */
const now = new Date('2026-06-15T12:00:00Z');

const ack = (over: Partial<FindingAcknowledgmentProps> = {}) =>
  FindingAcknowledgment.of({ code: 'IMA010', owner: 'team-shop', reviewBy: '2027-01-31', reason: 'fixed in 2.4; see SHOP-12', ...over });

/** An app judged on `now` (unless `mesh` says otherwise), collecting its warnings, with an AuthorizationPolicy that IMA010 reports. */
function appWithSpiffePolicy(mesh: { now?: Date; maxReviewDays?: number } = {}) {
  const app = Testing.app();
  const warnings: string[] = [];
  MtlsValidation.enable(app, { mesh: { now, ...mesh }, onWarnings: (lines) => warnings.push(...lines) });
  const chart = new Chart(app, 'shop');
  const policy = new ApiObject(chart, 'Policy', {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'api' } }, rules: [{ from: [{ source: { principals: ['spiffe://cluster.local/ns/a/sa/b'] } }] }] },
  } as never);
  return { app, chart, policy, warnings };
}

const SPIFFE = 'AuthorizationPolicy shop/api principal "spiffe://cluster.local/ns/a/sa/b" starts with spiffe://, which Istio does not strip, so it never matches';
const SPIFFE_ERROR = `  [shop/Policy] ${SPIFFE} Fix: write "cluster.local/ns/a/sa/b" (IMA010)`;

describe('FindingAcknowledgment', () => {
  it('Compliance: renders the mtls.acknowledge/<CODE> annotation, a Date as its UTC day', () => {
    const a = ack({ reviewBy: new Date('2027-01-31T23:30:00Z') });
    expect([a.code, a.owner, a.reviewBy, a.reason]).toEqual(['IMA010', 'team-shop', '2027-01-31', 'fixed in 2.4; see SHOP-12']);
    expect([a.annotationKey, a.annotationValue]).toEqual(['mtls.acknowledge/IMA010', 'owner=team-shop; review-by=2027-01-31; reason=fixed in 2.4; see SHOP-12']);
  });

  it('fails on a code no finding has, naming the nearest', () => {
    expect(() => ack({ code: 'IMA099' })).toThrow('[FindingAcknowledgment] \'code\' "IMA099" is not a rule code; did you mean "IMA009"?');
    expect(() => ack({ code: 'IMV001' })).toThrow('[FindingAcknowledgment] \'code\' "IMV001" cannot be acknowledged: it reports a defect of istio-mtls, to be fixed there');
    expect(() => ack({ code: 9 as unknown as string })).toThrow('[FindingAcknowledgment] \'code\' must be a finding code such as "IMA009", got 9');
  });

  it('fails on an owner or reason that is empty or not printable, and on an owner with ";"', () => {
    expect(() => ack({ owner: ' ' })).toThrow('[FindingAcknowledgment] \'owner\' must be a non-empty string, got " "');
    expect(() => ack({ owner: 'team\u202eshop' })).toThrow('[FindingAcknowledgment] \'owner\' must be printable text, got "team\\u202eshop", which holds the control character U+202E');
    expect(() => ack({ reason: 'one\ntwo' })).toThrow('[FindingAcknowledgment] \'reason\' must be printable text, got "one\\ntwo", which holds the control character U+000A');
    expect(() => ack({ owner: 'a;b' })).toThrow('[FindingAcknowledgment] \'owner\' must not contain ";" (it separates the parts of the annotation), got "a;b"');
  });

  it('fails on a review date that is not a calendar date', () => {
    for (const bad of ['2027-02-30', '2027-1-1', 'never']) {
      expect(() => ack({ reviewBy: bad })).toThrow(`[FindingAcknowledgment] 'reviewBy' must be a calendar date written YYYY-MM-DD (or a Date), got "${bad}"`);
    }
    expect(() => ack({ reviewBy: new Date('nope') })).toThrow("[FindingAcknowledgment] 'reviewBy' must be a valid date, got an invalid Date");
  });
});

describe('acknowledge()', () => {
  it('Compliance: writes the annotation; the finding is printed as acknowledged and does not fail synth', () => {
    const { app, policy, warnings } = appWithSpiffePolicy();
    acknowledge(policy, ack());
    // The same acknowledgment twice changes nothing.
    acknowledge(policy, ack());
    expect(policy.toJson().metadata.annotations).toEqual({ 'mtls.acknowledge/IMA010': 'owner=team-shop; review-by=2027-01-31; reason=fixed in 2.4; see SHOP-12' });
    expect(synthError(() => app.synthYaml())).toBeUndefined();
    expect(warnings).toEqual([`[shop/Policy] acknowledged error: ${SPIFFE} (IMA010; acknowledged by team-shop until 2027-01-31: fixed in 2.4; see SHOP-12)`]);
  });

  it('Compliance: finds the object under a construct whose default child it is', () => {
    const { app, chart } = appWithSpiffePolicy();
    const wrapper = new Construct(chart, 'Wrapper');
    const inner = new ApiObject(wrapper, 'Default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } });
    acknowledge(wrapper, ack({ code: 'IMV101' }));
    expect(inner.toJson().metadata.annotations).toEqual({ 'mtls.acknowledge/IMV101': 'owner=team-shop; review-by=2027-01-31; reason=fixed in 2.4; see SHOP-12' });
    expect(synthError(() => app.synthYaml())).toBe(`Validation failed with the following errors:\n${SPIFFE_ERROR}`);
  });

  it('Noncompliance 1: an expired acknowledgment fails synth, naming the owner, and the finding fails again', () => {
    const { app, policy } = appWithSpiffePolicy();
    acknowledge(policy, ack({ reviewBy: '2026-06-15' }));
    expect(synthError(() => app.synthYaml())).toBeUndefined();
    MtlsValidation.enable(app, { mesh: { now: new Date('2026-06-16T00:00:00Z') } });
    expect(synthError(() => app.synthYaml())).toBe([
      'Validation failed with the following errors:',
      '  [shop/Policy] AuthorizationPolicy shop/api: acknowledgment of IMA010 by team-shop expired on 2026-06-15 (today is 2026-06-16), so IMA010 counts again '
        + 'Fix: review IMA010 with team-shop: fix what it reports and remove mtls.acknowledge/IMA010, or renew its review-by (2027-06-16 at the latest) (IMA046)',
      SPIFFE_ERROR,
    ].join('\n'));
  });

  it('Noncompliance 2: fails at once on a review date beyond the app\'s horizon, as enabled so far', () => {
    const { policy } = appWithSpiffePolicy();
    expect(() => acknowledge(policy, ack({ reviewBy: '2027-06-16' }))).toThrow(
      "[acknowledge] 'reviewBy' of the acknowledgment of IMA010 on AuthorizationPolicy shop/api must be at most 365 days ahead (mesh.maxReviewDays), "
      + '2027-06-15 at the latest, got "2027-06-16"');
    const strict = appWithSpiffePolicy({ maxReviewDays: 30 });
    expect(() => acknowledge(strict.policy, ack({ reviewBy: '2026-07-16' }))).toThrow('must be at most 30 days ahead (mesh.maxReviewDays), 2026-07-15 at the latest, got "2026-07-16"');
  });

  it('Noncompliance 3: a horizon set after acknowledging is still judged at synth', () => {
    const { app, policy } = appWithSpiffePolicy();
    acknowledge(policy, ack({ reviewBy: '2026-12-31' }));
    // Later options replace the mesh options as a whole.
    MtlsValidation.enable(app, { mesh: { now, maxReviewDays: 30 } });
    expect(synthError(() => app.synthYaml())).toContain('[shop/Policy] AuthorizationPolicy shop/api has mtls.acknowledge/IMA010 with review-by 2026-12-31, '
      + 'further ahead than maxReviewDays allows (30 days from 2026-06-15: 2026-07-15 at the latest) Fix: review it sooner: set review-by to 2026-07-15 or earlier (IMA045)');
  });

  it('Noncompliance 4: a hand-written acknowledgment with an unknown code fails synth with the nearest code', () => {
    const { app, policy } = appWithSpiffePolicy();
    policy.metadata.addAnnotation('mtls.acknowledge/IMA01', 'owner=o; review-by=2027-01-31; reason=r');
    expect(synthError(() => app.synthYaml())).toContain('[shop/Policy] AuthorizationPolicy shop/api has the annotation mtls.acknowledge/IMA01, '
      + 'but "IMA01" is not a rule code; did you mean "IMA001"? Fix: write the key as mtls.acknowledge/IMA001 (IMA045)');
  });

  it('fails on a different acknowledgment of the same code, on a scope without an object, and without acknowledgments', () => {
    const { chart, policy } = appWithSpiffePolicy();
    acknowledge(policy, ack());
    expect(() => acknowledge(policy, ack({ owner: 'someone-else' }))).toThrow('[acknowledge] AuthorizationPolicy shop/api already acknowledges IMA010 '
      + '("owner=team-shop; review-by=2027-01-31; reason=fixed in 2.4; see SHOP-12"): give one acknowledgment per code and object');
    expect(() => acknowledge(new Construct(chart, 'Empty'), ack())).toThrow(
      '[acknowledge] \'scope\' must be an ApiObject, or a construct whose default child is one (the object a finding names), got the construct "shop/Empty"');
    expect(() => acknowledge(policy)).toThrow('[acknowledge] expects at least one FindingAcknowledgment after the scope');
    expect(() => acknowledge(policy, { code: 'IMA010' } as FindingAcknowledgment)).toThrow('[acknowledge] expects acknowledgments made by FindingAcknowledgment.of');
  });
});

describe('the review horizon of mTLS exceptions', () => {
  const exception = (over: Partial<WorkloadExceptionProps> = {}): WorkloadExceptionProps => ({
    namespace: 'shop',
    name: 'legacy',
    selector: WorkloadSelector.of({ app: 'legacy' }),
    mode: MtlsMode.PERMISSIVE,
    reason: 'legacy client',
    owner: 'team-shop',
    reviewBy: '2027-06-15',
    clock: () => now,
    ...over,
  });

  it('Compliance: WorkloadException accepts a review date on the horizon', () => {
    const c = new Chart(Testing.app(), 'c');
    new WorkloadException(c, 'Ex', exception());
    expect(() => Testing.synth(c)).not.toThrow();
  });

  it('Noncompliance 1: WorkloadException throws for a review date beyond it, with the value and the latest allowed', () => {
    expect(() => new WorkloadException(new Chart(Testing.app(), 'c'), 'Ex', exception({ reviewBy: '2999-01-01' }))).toThrow(
      "[WorkloadException] 'reviewBy' must be at most 365 days ahead (mesh.maxReviewDays), 2027-06-15 at the latest, got \"2999-01-01\"");
    const app = Testing.app();
    MtlsValidation.enable(app, { mesh: { maxReviewDays: 90 } });
    expect(() => new WorkloadException(new Chart(app, 'c'), 'Ex', exception({ reviewBy: '2026-09-14' }))).toThrow(
      "'reviewBy' must be at most 90 days ahead (mesh.maxReviewDays), 2026-09-13 at the latest, got \"2026-09-14\"");
  });

  it('Noncompliance 2: a horizon set after the exception, or an exception prop of another construct, is judged at synth', () => {
    const app = Testing.app();
    new WorkloadException(new Chart(app, 'c'), 'Ex', exception({ reviewBy: '2026-12-31' }));
    MtlsValidation.enable(app, { mesh: { maxReviewDays: 90 } });
    expect(synthError(() => app.synthYaml())).toBe('Validation failed with the following errors:\n  [c/Ex] [WorkloadException] mTLS exception "shop/legacy" owned by team-shop '
      + 'is to be reviewed by 2026-12-31, further ahead than mesh.maxReviewDays allows (90 days: 2026-09-13 at the latest): move \'reviewBy\' closer');

    const other = new App();
    MtlsValidation.enable(other, { mesh: { now } });
    new NamespaceMtls(new Chart(other, 'ns'), 'Shop', {
      namespace: 'shop', mode: MtlsMode.PERMISSIVE, exception: { reason: 'r', owner: 'team-shop', reviewBy: '2030-01-01' },
    });
    expect(synthError(() => other.synthYaml())).toContain('[NamespaceMtls] mTLS exception "shop/default" owned by team-shop is to be reviewed by 2030-01-01, '
      + 'further ahead than mesh.maxReviewDays allows (365 days: 2027-06-15 at the latest): move \'exception.reviewBy\' closer');
  });

  it('Noncompliance 3: an owner or reason that is not printable text throws', () => {
    expect(() => new WorkloadException(new Chart(Testing.app(), 'c'), 'Ex', exception({ owner: 'team\u0000' }))).toThrow(
      "[WorkloadException] 'owner' must be printable text, got \"team\\u0000\", which holds the control character U+0000");
  });
});
