import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { meshOptions, UsageError } from '../src/cli/command';
import { lint, LintInput, LintOptions } from '../src/lint';
import { Manifest } from '../src/model/manifest';
import { meshOptionProblems } from '../src/model/mesh-options';
import { ALL_RULES } from '../src/rules-catalog';
import { formatAcknowledgmentValue, parseAcknowledgmentValue } from '../src/vocabulary/acknowledgment';

/** "Today" of every case: the default horizon (365 days) ends on 2027-06-15. */
const now = new Date('2026-06-15T12:00:00Z');
const KEY = 'mtls.acknowledge/IMA010';
const PATH = '/metadata/annotations/mtls.acknowledge~1IMA010';

/** An AuthorizationPolicy whose principal starts with spiffe:// (IMA010, an error), with the annotations given. */
function spiffePolicy(name: string, annotations: Record<string, string> = {}): Manifest {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: 'shop', annotations },
    spec: { selector: { matchLabels: { app: 'api' } }, rules: [{ from: [{ source: { principals: ['spiffe://cluster.local/ns/a/sa/b'] } }] }] },
  };
}

/** A PeerAuthentication the CRD's CEL rule rejects (IMV301: portLevelMtls without a selector), with the annotations given. */
function portsWithoutSelector(annotations: Record<string, string> = {}): Manifest {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'ports', namespace: 'shop', annotations },
    spec: { portLevelMtls: { 8080: { mode: 'DISABLE' } } },
  };
}

const run = (manifests: Manifest[], options: LintOptions = {}) =>
  lint(manifests.map((manifest): LintInput => ({ manifest, file: 'mesh.yaml' })), { ...options, mesh: { now, ...options.mesh } });

/** code, severity, acknowledged owner (or '-') and message of each finding. */
const summary = (manifests: Manifest[], options: LintOptions = {}) =>
  run(manifests, options).map((f) => [f.code, f.severity, f.acknowledged?.owner ?? '-', f.message]);

const SPIFFE_MESSAGE = 'AuthorizationPolicy shop/api principal "spiffe://cluster.local/ns/a/sa/b" starts with spiffe://, which Istio does not strip, so it never matches';

describe('the mtls.acknowledge/<CODE> value', () => {
  // value | owner, review-by, reason | problems
  const table: [string, [string, string, string] | undefined, string[]][] = [
    ['owner=team-x; review-by=2027-01-31; reason=DENY lands in phase 03', ['team-x', '2027-01-31', 'DENY lands in phase 03'], []],
    ['review-by=2027-01-31;owner=team-x;reason=a; b=c; d', ['team-x', '2027-01-31', 'a; b=c; d'], []],
    ['  owner = team x ;  review-by= 2027-01-31 ; reason =  why  ', ['team x', '2027-01-31', 'why'], []],
    ['owner=a=b; review-by=2027-01-31; reason=r', ['a=b', '2027-01-31', 'r'], []],
    ['owner=o;; review-by=2027-01-31; reason=r', ['o', '2027-01-31', 'r'], []],
    ['', undefined, ['lacks owner=<who>', 'lacks reason=<text>', 'lacks review-by=<YYYY-MM-DD>']],
    ['owner=team-x', undefined, ['lacks reason=<text>', 'lacks review-by=<YYYY-MM-DD>']],
    ['owner=; review-by=2027-01-31; reason=', undefined, ['has an empty owner', 'has an empty reason']],
    ['reason=r; owner=o; review-by=2027-01-31', undefined, ['lacks owner=<who>', 'lacks review-by=<YYYY-MM-DD>']],
    ['owner=o; owner=p; review-by=2027-01-31; reason=r', undefined, ['gives owner twice']],
    ['Owner=o; reviewby=2027-01-31; reason=r', undefined, [
      'has the unknown part "Owner" (did you mean owner?)', 'has the unknown part "reviewby" (did you mean review-by?)',
      'lacks owner=<who>', 'lacks review-by=<YYYY-MM-DD>',
    ]],
    ['team-x; review-by=2027-01-31; reason=r', undefined, ['has "team-x", not key=value', 'lacks owner=<who>']],
    ['owner=o; review-by=2027-02-30; reason=r', undefined, ['has review-by "2027-02-30", not a calendar date written YYYY-MM-DD']],
    ['owner=o; review-by=2027-1-1; reason=r', undefined, ['has review-by "2027-1-1", not a calendar date written YYYY-MM-DD']],
    ['owner=o; review-by=never; reason=r', undefined, ['has review-by "never", not a calendar date written YYYY-MM-DD']],
    ['owner=team\u0007; review-by=2027-01-31; reason=line\nbreak', undefined, [
      'has an owner with the control character U+0007', 'has a reason with the control character U+000A',
    ]],
    ['owner=\u202eteam; review-by=2027-01-31; reason=r', undefined, ['has an owner with the control character U+202E']],
  ];
  it.each(table)('%j', (value, parts, problems) => {
    const parsed = parseAcknowledgmentValue(value);
    expect(parsed.problems).toEqual(problems);
    expect(parsed.parts).toEqual(parts && { owner: parts[0], reviewBy: parts[1], reason: parts[2] });
  });
  it('the README\'s example is a valid acknowledgment of an existing code', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const [, code, value] = /^ {4}mtls\.acknowledge\/(\w+): "(.*)"$/m.exec(readme)!;
    expect(ALL_RULES.some((r) => r.code === code)).toBe(true);
    expect(parseAcknowledgmentValue(value)).toEqual({ parts: expect.objectContaining({ owner: 'team-legacy' }), problems: [] });
  });
  it('reads back what it writes', () => {
    const parts = { owner: 'team-x', reviewBy: '2027-01-31', reason: 'a; b=c' };
    expect(parseAcknowledgmentValue(formatAcknowledgmentValue(parts)).parts).toEqual(parts);
  });
});

describe('acknowledged findings (lint)', () => {
  it('Compliance: the finding is still reported, marked with owner, review date and reason; nothing else is marked', () => {
    const acknowledged = spiffePolicy('api', { [KEY]: 'owner=team-shop; review-by=2027-01-31; reason=fixed in 2.4; see SHOP-12' });
    const findings = run([acknowledged, spiffePolicy('web')]);
    expect(findings.map((f) => [f.resource.name, f.code, f.severity, f.acknowledged])).toEqual([
      ['api', 'IMA010', 'error', { owner: 'team-shop', reviewBy: '2027-01-31', reason: 'fixed in 2.4; see SHOP-12' }],
      ['web', 'IMA010', 'error', undefined],
    ]);
    expect(findings[0].message).toBe(SPIFFE_MESSAGE);
  });

  it('Compliance: acknowledges validation findings too, with or without the analysis; a rejected object stays out of the analysis', () => {
    const ports = portsWithoutSelector({ 'mtls.acknowledge/IMV301': 'owner=platform; review-by=2026-06-15; reason=CRD upgrade pending' });
    for (const analyze of [true, false]) {
      expect(run([ports], { analyze }).map((f) => [f.code, f.acknowledged?.owner])).toEqual([['IMV301', 'platform']]);
    }
  });

  it('Compliance: acknowledges only the code named, on the resource that carries it', () => {
    const other = spiffePolicy('api', { 'mtls.acknowledge/IMA009': 'owner=o; review-by=2027-01-31; reason=r' });
    expect(summary([other]).map((f) => f.slice(0, 3))).toEqual([['IMA010', 'error', '-']]);
  });

  it('Noncompliance 1: a missing or empty part makes the acknowledgment an error, and acknowledges nothing', () => {
    expect(summary([spiffePolicy('api', { [KEY]: 'owner=team-shop; reason=later' })])).toEqual([
      ['IMA045', 'error', '-', `AuthorizationPolicy shop/api has ${KEY}: "owner=team-shop; reason=later", which lacks review-by=<YYYY-MM-DD>`],
      ['IMA010', 'error', '-', SPIFFE_MESSAGE],
    ]);
    const [f] = run([spiffePolicy('api', { [KEY]: 'owner=; review-by=2027-01-31' })]);
    expect([f.code, f.path, f.message, f.fix]).toEqual(['IMA045', PATH,
      `AuthorizationPolicy shop/api has ${KEY}: "owner=; review-by=2027-01-31", which has an empty owner and lacks reason=<text>`,
      'write the value as owner=<who>; review-by=<YYYY-MM-DD>; reason=<text>, with review-by 2027-06-15 at the latest (maxReviewDays: 365)']);
  });

  it('Noncompliance 2: a review-by that is not a calendar date is an error, not "never expires"', () => {
    for (const date of ['2026-02-30', '2026-1-1', 'never']) {
      expect(summary([spiffePolicy('api', { [KEY]: `owner=o; review-by=${date}; reason=r` })])[0]).toEqual(['IMA045', 'error', '-',
        `AuthorizationPolicy shop/api has ${KEY}: "owner=o; review-by=${date}; reason=r", which has review-by "${date}", not a calendar date written YYYY-MM-DD`]);
    }
  });

  it('Noncompliance 3: a review-by beyond the horizon (maxReviewDays, 365 by default) is an error', () => {
    const at = (date: string) => spiffePolicy('api', { [KEY]: `owner=o; review-by=${date}; reason=r` });
    expect(summary([at('2027-06-15')]).map((f) => f.slice(0, 3))).toEqual([['IMA010', 'error', 'o']]);
    const [f] = run([at('2027-06-16')]);
    expect([f.code, f.path, f.message, f.fix]).toEqual(['IMA045', PATH,
      `AuthorizationPolicy shop/api has ${KEY} with review-by 2027-06-16, further ahead than maxReviewDays allows (365 days from 2026-06-15: 2027-06-15 at the latest)`,
      'review it sooner: set review-by to 2027-06-15 or earlier']);
    expect(summary([at('2026-07-15')], { mesh: { maxReviewDays: 30 } }).map((x) => x.slice(0, 3))).toEqual([['IMA010', 'error', 'o']]);
    expect(summary([at('2026-07-16')], { mesh: { maxReviewDays: 30 } }).map((x) => x.slice(0, 3))).toEqual([['IMA045', 'error', '-'], ['IMA010', 'error', '-']]);
  });

  it('Noncompliance 4: after its review-by day, the acknowledgment is an error naming the owner, and the finding counts again', () => {
    const at = (date: string) => spiffePolicy('api', { [KEY]: `owner=team-shop; review-by=${date}; reason=r` });
    expect(summary([at('2026-06-15')]).map((f) => f.slice(0, 3))).toEqual([['IMA010', 'error', 'team-shop']]);
    const findings = run([at('2026-06-14')]);
    expect(findings.map((f) => [f.code, f.severity, f.acknowledged, f.path])).toEqual([['IMA046', 'error', undefined, PATH], ['IMA010', 'error', undefined, '/spec/rules/0/from/0/source/principals/0']]);
    expect(findings[0].message).toBe('AuthorizationPolicy shop/api: acknowledgment of IMA010 by team-shop expired on 2026-06-14 (today is 2026-06-15), so IMA010 counts again');
    expect(findings[0].fix).toBe('review IMA010 with team-shop: fix what it reports and remove mtls.acknowledge/IMA010, or renew its review-by (2027-06-15 at the latest)');
  });

  it('Noncompliance 5: an unknown code is an error naming the nearest code', () => {
    const value = 'owner=o; review-by=2027-01-31; reason=r';
    const on = (code: string) => run([spiffePolicy('api', { [`mtls.acknowledge/${code}`]: value })]).filter((f) => f.code === 'IMA045').map((f) => [f.message, f.fix]);
    expect(on('IMA099')).toEqual([['AuthorizationPolicy shop/api has the annotation mtls.acknowledge/IMA099, but "IMA099" is not a rule code; did you mean "IMA009"?',
      'write the key as mtls.acknowledge/IMA009']]);
    expect(on('ima010')).toEqual([['AuthorizationPolicy shop/api has the annotation mtls.acknowledge/ima010, but "ima010" is not a rule code; did you mean "IMA010"?',
      'write the key as mtls.acknowledge/IMA010']]);
    expect(on('no-such-rule')).toEqual([['AuthorizationPolicy shop/api has the annotation mtls.acknowledge/no-such-rule, but "no-such-rule" is not a rule code (RULES.md lists them)',
      'remove the annotation, or name the code of a finding on this resource']]);
  });

  it('Noncompliance 6: an owner or reason that is not printable text is an error', () => {
    const [f] = run([spiffePolicy('api', { [KEY]: 'owner=team\u001b[31m; review-by=2027-01-31; reason=ok' })]);
    expect([f.code, f.message]).toEqual(['IMA045',
      `AuthorizationPolicy shop/api has ${KEY}: "owner=team\\u001b[31m; review-by=2027-01-31; reason=ok", which has an owner with the control character U+001B`]);
  });

  it('Noncompliance 7: IMV001 and the acknowledgment rules cannot be acknowledged, nor check-ca findings', () => {
    const value = 'owner=o; review-by=2027-01-31; reason=r';
    const messages = run([spiffePolicy('api', { 'mtls.acknowledge/IMV001': value, 'mtls.acknowledge/IMA045': value, 'mtls.acknowledge/IMC001': value })])
      .filter((f) => f.code === 'IMA045').map((f) => f.message.replace('AuthorizationPolicy shop/api has the annotation ', ''));
    expect(messages).toEqual([
      'mtls.acknowledge/IMA045, but "IMA045" cannot be acknowledged: an acknowledgment cannot acknowledge its own errors',
      'mtls.acknowledge/IMC001, but "IMC001" cannot be acknowledged: check-ca findings are about files, not resources',
      'mtls.acknowledge/IMV001, but "IMV001" cannot be acknowledged: it reports a defect of istio-mtls, to be fixed there',
    ]);
  });

  it('an acknowledgment error is located on its annotation, like any finding', () => {
    const findings = lint([{ manifest: spiffePolicy('api', { [KEY]: 'owner=o' }), file: 'a.yaml', locate: (p) => ({ line: p === PATH ? 7 : 1, col: 5 }) }], { mesh: { now } });
    expect(findings.filter((f) => f.code === 'IMA045').map((f) => [f.file, f.line, f.column])).toEqual([['a.yaml', 7, 5]]);
  });

  it('IMA045 and IMA046 are in the rules catalogue, as errors', () => {
    expect(ALL_RULES.filter((r) => ['IMA045', 'IMA046'].includes(r.code)).map((r) => [r.code, r.category, r.severity])).toEqual([
      ['IMA045', 'invalid-acknowledgment', 'error'], ['IMA046', 'expired-acknowledgment', 'error'],
    ]);
  });
});

describe('maxReviewDays', () => {
  it('is a whole number of days from 1 to 3650', () => {
    expect(meshOptionProblems({ maxReviewDays: 90 })).toEqual([]);
    for (const bad of [0, -1, 1.5, 3651, '30']) {
      expect(meshOptionProblems({ maxReviewDays: bad as number })).toEqual([{ option: 'maxReviewDays', message: `must be a whole number of days from 1 to 3650, got ${JSON.stringify(bad)}` }]);
    }
  });
  it('is the CLI flag --max-review-days N', () => {
    expect(meshOptions({ 'max-review-days': '90' })).toEqual({ maxReviewDays: 90 });
    expect(() => meshOptions({ 'max-review-days': 'a year' })).toThrow(UsageError);
    expect(() => meshOptions({ 'max-review-days': 'a year' })).toThrow('--max-review-days must be a whole number of days from 1 to 3650, got "a year"');
    expect(() => meshOptions({ 'max-review-days': '0' })).toThrow('--max-review-days must be a whole number of days from 1 to 3650, got 0');
  });
});
