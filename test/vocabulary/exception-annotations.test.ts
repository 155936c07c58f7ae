import { describe, expect, it } from 'vitest';
import {
  EXCEPTION_OWNER_ANNOTATION, EXCEPTION_REASON_ANNOTATION, EXCEPTION_REVIEW_BY_ANNOTATION, EXCEPTION_TICKET_ANNOTATION,
  exceptionAnnotationKeys, formatReviewDate, isReviewOverdue, parseReviewDate, readExceptionAnnotations,
} from '../../src/vocabulary/exception-annotations';

describe('exception annotations', () => {
  it('has the default keys', () => {
    expect([EXCEPTION_REASON_ANNOTATION, EXCEPTION_OWNER_ANNOTATION, EXCEPTION_REVIEW_BY_ANNOTATION, EXCEPTION_TICKET_ANNOTATION])
      .toEqual(['mtls.exception/reason', 'mtls.exception/owner', 'mtls.exception/review-by', 'mtls.exception/ticket']);
  });
  it('builds keys for another prefix', () => {
    expect(exceptionAnnotationKeys('exception.security.company.com/').reviewBy).toBe('exception.security.company.com/review-by');
  });
  it('reads annotations back from any manifest shape', () => {
    expect(readExceptionAnnotations({ 'mtls.exception/owner': 'team', 'mtls.exception/review-by': '2027-01-01', 'other': 'x' }))
      .toEqual({ owner: 'team', reviewBy: '2027-01-01', reason: undefined, ticket: undefined });
    expect(readExceptionAnnotations(undefined)).toEqual({ reason: undefined, owner: undefined, reviewBy: undefined, ticket: undefined });
    expect(readExceptionAnnotations({ 'mtls.exception/owner': 42 }).owner).toBeUndefined();
  });
  it('parses only real calendar dates', () => {
    expect(parseReviewDate('2026-06-01')?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(parseReviewDate('2026-02-30')).toBeUndefined();
    expect(parseReviewDate('2026-6-1')).toBeUndefined();
    expect(formatReviewDate(new Date('2026-11-24T23:59:59Z'))).toBe('2026-11-24');
  });
  it('is overdue only after the review day', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    expect(isReviewOverdue('2026-11-23', now)).toBe(true);
    expect(isReviewOverdue('2026-11-24', now)).toBe(false);
    expect(isReviewOverdue('2027-01-01', now)).toBe(false);
  });
});
