import { ApiObject, Chart, Testing } from 'cdk8s';
import { describe, expect, it, vi } from 'vitest';
import { MtlsValidation } from '../../src/cdk8s/mtls-validation';
import { WorkloadException, WorkloadExceptionProps } from '../../src/constructs/workload-exception';
import { readExceptionAnnotations } from '../../src/vocabulary/exception-annotations';
import { MtlsMode } from '../../src/vocabulary/mtls-mode';
import { WorkloadSelector } from '../../src/vocabulary/workload-selector';
import { synthError } from '../cdk8s/helpers';

const NOW = () => new Date('2026-11-24T10:00:00Z');

function props(over: Partial<WorkloadExceptionProps> = {}): WorkloadExceptionProps {
  return {
    namespace: 'production',
    name: 'payment-processor-exception',
    selector: WorkloadSelector.of({ app: 'payment-processor-client' }),
    mode: MtlsMode.DISABLE,
    ports: [8443],
    reason: 'Third-party service does not support mTLS',
    owner: 'payments-team@company.com',
    reviewBy: '2027-06-01',
    ticket: 'SECURITY-1234',
    clock: NOW,
    ...over,
  };
}

describe('WorkloadException', () => {
  it('weakens listed ports and documents itself in annotations', () => {
    const c = Testing.chart();
    new WorkloadException(c, 'Ex', props());
    const [pa] = Testing.synth(c);
    expect(pa.metadata).toEqual({
      name: 'payment-processor-exception',
      namespace: 'production',
      annotations: {
        'mtls.exception/owner': 'payments-team@company.com',
        'mtls.exception/reason': 'Third-party service does not support mTLS',
        'mtls.exception/review-by': '2027-06-01',
        'mtls.exception/ticket': 'SECURITY-1234',
      },
    });
    expect(pa.spec).toEqual({ selector: { matchLabels: { app: 'payment-processor-client' } }, portLevelMtls: { 8443: { mode: 'DISABLE' } } });
    expect(readExceptionAnnotations(pa.metadata.annotations)).toEqual({
      reason: 'Third-party service does not support mTLS', owner: 'payments-team@company.com', reviewBy: '2027-06-01', ticket: 'SECURITY-1234',
    });
  });
  it('weakens the whole workload without ports, sorts and dedupes ports, omits the ticket', () => {
    // Separate apps: two policies selecting the same pods would be ambiguous (IMA003).
    const ca = Testing.chart();
    new WorkloadException(ca, 'A', props({ name: 'a', ports: undefined, ticket: undefined, mode: MtlsMode.PERMISSIVE }));
    const cb = Testing.chart();
    new WorkloadException(cb, 'B', props({ name: 'b', ports: [9443, 8443, 9443] }));
    const [a] = Testing.synth(ca);
    const [b] = Testing.synth(cb);
    expect(a.spec).toEqual({ selector: { matchLabels: { app: 'payment-processor-client' } }, mtls: { mode: 'PERMISSIVE' } });
    expect(a.metadata.annotations['mtls.exception/ticket']).toBeUndefined();
    expect(Object.keys(b.spec.portLevelMtls)).toEqual(['8443', '9443']);
  });
  it('uses another annotation prefix and accepts a Date', () => {
    const c = Testing.chart();
    const ex = new WorkloadException(c, 'Ex', props({ annotationPrefix: 'exception.security.company.com/', reviewBy: new Date('2027-01-15T22:00:00Z') }));
    const [pa] = Testing.synth(c);
    expect(Object.keys(pa.metadata.annotations)).toEqual([
      'exception.security.company.com/owner', 'exception.security.company.com/reason',
      'exception.security.company.com/review-by', 'exception.security.company.com/ticket',
    ]);
    expect(ex.reviewBy).toBe('2027-01-15');
  });
  it('still synthesizes on the review day itself', () => {
    const c = Testing.chart();
    new WorkloadException(c, 'Ex', props({ reviewBy: '2026-11-24' }));
    expect(() => Testing.synth(c)).not.toThrow();
  });
  it('fails synthesis once the review date has passed, naming the exception, its owner and the date', () => {
    const c = new Chart(Testing.app(), 'guide');
    new WorkloadException(c, 'Ex', props({ reviewBy: '2026-06-01' }));
    expect(() => Testing.synth(c)).toThrow(
      'Validation failed with the following errors:\n  [guide/Ex] [WorkloadException] mTLS exception "production/payment-processor-exception" owned by payments-team@company.com expired on 2026-06-01 (today is 2026-11-24): review it and move \'reviewBy\' forward, or remove the exception');
  });
  it('reports an expired exception once, by its own clock, not also as IMA015 by the system clock', () => {
    const c = new Chart(Testing.app(), 'guide');
    new WorkloadException(c, 'Ex', props({ reviewBy: '2026-06-01' }));
    const message = synthError(() => Testing.synth(c));
    expect(message).toBeDefined();
    expect(message!.split('\n').slice(1)).toEqual([
      '  [guide/Ex] [WorkloadException] mTLS exception "production/payment-processor-exception" owned by payments-team@company.com expired on 2026-06-01 (today is 2026-11-24): review it and move \'reviewBy\' forward, or remove the exception',
    ]);
  });
  it('without a clock of its own, is judged by the app\'s mesh.now', () => {
    const { clock: _, ...unclocked } = props({ reviewBy: '2026-06-01' });
    const early = new Chart(Testing.app(), 'guide');
    new WorkloadException(early, 'Ex', unclocked);
    MtlsValidation.enable(early, { mesh: { now: new Date('2026-05-31T23:00:00Z') } });
    expect(() => Testing.synth(early)).not.toThrow();
    const late = new Chart(Testing.app(), 'guide');
    new WorkloadException(late, 'Ex', unclocked);
    MtlsValidation.enable(late, { mesh: { now: new Date('2026-06-02T00:00:00Z') } });
    expect(synthError(() => Testing.synth(late))).toContain('expired on 2026-06-01 (today is 2026-06-02)');
  });
  it('judges every exception of a synth by one reading of the system clock, even when the day turns during it', () => {
    const { clock: _, ...unclocked } = props({ reviewBy: '2026-06-01' });
    const c = new Chart(Testing.app(), 'guide');
    new WorkloadException(c, 'First', { ...unclocked, name: 'first' });
    // A check between the two that the synth runs after midnight has passed.
    MtlsValidation.addCheck(c, () => {
      vi.setSystemTime(new Date('2026-06-02T00:00:01Z'));
      return [];
    });
    new WorkloadException(c, 'Second', { ...unclocked, name: 'second' });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-06-01T23:59:59Z'));
      expect(synthError(() => Testing.synth(c))).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
  it('leaves IMA015 to the analysis for a policy with the same annotations that no construct checks', () => {
    const c = new Chart(Testing.app(), 'guide');
    const source = Testing.chart();
    new WorkloadException(source, 'Ex', props({ reviewBy: '2027-06-01' }));
    const [manifest] = Testing.synth(source);
    manifest.metadata.annotations['mtls.exception/review-by'] = '2026-06-01';
    new ApiObject(c, 'Plain', manifest);
    MtlsValidation.enable(c, { mesh: { now: new Date('2026-11-24T10:00:00Z') } });
    expect(synthError(() => Testing.synth(c))).toContain('[guide/Plain] PeerAuthentication production/payment-processor-exception is an mTLS exception to be reviewed by 2026-06-01 (today is 2026-11-24)');
  });
  it('fails on a mode that does not weaken mTLS', () => {
    const hint = 'an exception weakens mTLS; tighten with WorkloadMtls';
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ mode: MtlsMode.STRICT }))).toThrow(
      `[WorkloadException] 'mode' must be PERMISSIVE or DISABLE, got STRICT: ${hint}`);
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ mode: MtlsMode.UNSET }))).toThrow(
      `[WorkloadException] 'mode' must be PERMISSIVE or DISABLE, got UNSET: ${hint}`);
  });
  it('fails on missing documentation', () => {
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ reason: ' ' }))).toThrow("[WorkloadException] 'reason' must be a non-empty string, got \" \"");
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ owner: undefined as any }))).toThrow("[WorkloadException] 'owner' must be a non-empty string, got undefined");
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ ticket: '' }))).toThrow("[WorkloadException] 'ticket' must be a non-empty string, got \"\"");
  });
  it('fails on review dates that are not calendar dates', () => {
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ reviewBy: '2026-02-30' }))).toThrow(
      "[WorkloadException] 'reviewBy' must be a calendar date written YYYY-MM-DD (or a Date), got \"2026-02-30\"");
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ reviewBy: '01/06/2027' }))).toThrow('got "01/06/2027"');
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ reviewBy: new Date('nope') }))).toThrow(
      "[WorkloadException] 'reviewBy' must be a valid date, got an invalid Date");
  });
  it('fails on bad ports', () => {
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ ports: [] }))).toThrow(
      "[WorkloadException] 'ports' must list at least one container port, got \"[]\"; omit it to weaken the whole workload");
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ ports: [0] }))).toThrow(
      "[WorkloadException] 'ports' must be an integer port number between 1 and 65535, got 0");
  });
  it('fails on a bad annotation prefix', () => {
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ annotationPrefix: 'mtls.exception' }))).toThrow(
      "[WorkloadException] 'annotationPrefix' must be a DNS subdomain followed by \"/\" (e.g. \"mtls.exception/\"), got \"mtls.exception\": must end with \"/\"");
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ annotationPrefix: 'Mtls_Exception/' }))).toThrow(
      "[WorkloadException] 'annotationPrefix' must be a DNS subdomain followed by \"/\" (e.g. \"mtls.exception/\"), got \"Mtls_Exception/\": prefix part must consist of lower case");
  });
  it('fails without namespace when the chart has none', () => {
    expect(() => new WorkloadException(Testing.chart(), 'Ex', props({ namespace: undefined }))).toThrow(
      "[WorkloadException] 'namespace' is required when the chart has no namespace: a workload policy applies only in its own namespace");
  });
});
