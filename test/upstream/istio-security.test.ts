/*
 * The value checks of pkg/config/security, from upstream's tests
 * (istio/istio 1.30.3 pkg/config/security/security_test.go).
 *
 * The checks reached from a manifest run as one: each value is written into
 * the AuthorizationPolicy field istiod applies the check to, and the policy
 * runs through validateManifest (object checks, CRD schema and CEL, then the
 * webhook). A row is rejected when any finding is an error. Each value is
 * tried in both fields of its pair (values / notValues, trustDomains /
 * notTrustDomains, paths / notPaths), since istiod checks both the same way:
 * - CheckWildcardValues: only ValidateAttribute calls it, for `when` key
 *   source.trustDomain;
 * - CheckTrustDomainValues: source.trustDomains and notTrustDomains;
 * - ValidateAttribute (TestValidateCondition): a `when` condition with the key;
 * - CheckValidPathTemplate: to.operation.paths and notPaths.
 * IsValidLiteral and ContainsPathTemplate judge a path segment or a whole path
 * for CheckValidPathTemplate, not a field: their rows call our helpers.
 *
 * Upstream cases not ported:
 * | source | case | reason |
 * | security_test.go TestParseJwksURI | all 7 | ParseJwksURI reads RequestAuthentication jwtRules[].jwksUri; we validate PeerAuthentication, AuthorizationPolicy and DestinationRule, none of which has a JWKS URI |
 */
import { describe, expect, it } from 'vitest';
import { Manifest } from '../../src/model/manifest';
import { containsPathTemplate, isValidPathLiteral } from '../../src/validation/istio/security-values';
import { validateManifest } from '../../src/validation/validate';

const FILE = 'pkg/config/security/security_test.go';

type Spec = Record<string, unknown>;

function policy(spec: Spec): Manifest {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'name', namespace: 'namespace' }, spec };
}

/** Whether the cluster rejects the policy, with the findings to explain a mismatch. */
function rejects(spec: Spec): { rejected: boolean; detail: string } {
  const findings = validateManifest(policy(spec));
  return {
    rejected: findings.some((f) => f.severity === 'error'),
    detail: JSON.stringify(findings.map((f) => [f.code, f.path, f.message])),
  };
}

const condition = (field: 'values' | 'notValues', key: string, values: readonly string[]): Spec =>
  ({ rules: [{ when: [{ key, [field]: values }] }] });
const source = (field: string, values: readonly string[]): Spec => ({ rules: [{ from: [{ source: { [field]: values } }] }] });
const operation = (field: string, values: readonly string[]): Spec => ({ rules: [{ to: [{ operation: { [field]: values } }] }] });

interface ValuesRow {
  readonly name: string;
  readonly values: readonly string[];
  readonly wantError?: true;
}

interface TableCase {
  /** The form the value is written in, for the test name. */
  readonly form: string;
  readonly spec: Spec;
}

/** Runs each row in each form; the row's `wantError` is upstream's verdict. */
function table(test: string, rows: readonly ValuesRow[], forms: (row: ValuesRow) => readonly TableCase[]): void {
  describe(`${FILE} ${test}`, () => {
    for (const row of rows) {
      for (const { form, spec } of forms(row)) {
        it(`"${row.name}" ${JSON.stringify(row.values)} as ${form}: ${row.wantError ? 'rejected' : 'accepted'}`, () => {
          const got = rejects(spec);
          expect(got.rejected, got.detail).toBe(!!row.wantError);
        });
      }
    }
  });
}

// ---------------------------------------------------------------------------
// TestCheckWildcardValues

const WILDCARD_ROWS: readonly ValuesRow[] = [
  { name: 'exact', values: ['foo'] },
  { name: 'presence', values: ['*'] },
  { name: 'prefix', values: ['foo*'] },
  { name: 'suffix', values: ['*foo'] },
  { name: 'empty', values: [''], wantError: true },
  { name: 'middle wildcard', values: ['fo*-bar'], wantError: true },
  { name: 'multiple wildcards', values: ['fo*bar*'], wantError: true },
];

table('TestCheckWildcardValues', WILDCARD_ROWS, (row) => [
  { form: 'source.trustDomain values', spec: condition('values', 'source.trustDomain', row.values) },
  { form: 'source.trustDomain notValues', spec: condition('notValues', 'source.trustDomain', row.values) },
]);

// ---------------------------------------------------------------------------
// TestCheckTrustDomainValues

const TRUST_DOMAIN_ROWS: readonly ValuesRow[] = [
  { name: 'exact', values: ['cluster.local'] },
  { name: 'presence wildcard', values: ['*'] },
  { name: 'prefix wildcard', values: ['cluster-*'] },
  { name: 'suffix wildcard', values: ['*-cluster'] },
  { name: 'empty', values: [''], wantError: true },
  { name: 'slash', values: ['cluster.local/ns/foo'], wantError: true },
  { name: 'spiffe uri', values: ['spiffe://cluster.local'], wantError: true },
];

table('TestCheckTrustDomainValues', TRUST_DOMAIN_ROWS, (row) => [
  { form: 'source.trustDomains', spec: source('trustDomains', row.values) },
  { form: 'source.notTrustDomains', spec: source('notTrustDomains', row.values) },
]);

// ---------------------------------------------------------------------------
// TestValidateCondition (security.ValidateAttribute); upstream's cases have no names, the key names them.

interface ConditionRow {
  readonly key: string;
  readonly values: readonly string[];
  readonly wantError?: true;
}

const CONDITION_ROWS: readonly ConditionRow[] = [
  { key: 'request.headers[:authority]', values: ['productpage', ''], wantError: true },
  { key: 'request.headers[:authority]', values: ['productpage'] },
  { key: 'request.headers[]', values: ['productpage'], wantError: true },
  { key: 'source.ip', values: ['1.2.3.4', '5.6.7.0/24'] },
  { key: 'source.ip', values: ['a.b.c.d'], wantError: true },
  { key: 'remote.ip', values: ['1.2.3.4', '5.6.7.0/24'] },
  { key: 'remote.ip', values: ['a.b.c.d'], wantError: true },
  { key: 'source.namespace', values: ['value'] },
  { key: 'source.user', values: ['value'], wantError: true },
  { key: 'source.principal', values: ['value'] },
  { key: 'source.serviceAccount', values: ['too/many/slashes'], wantError: true },
  { key: 'source.serviceAccount', values: ['/emptyns'], wantError: true },
  { key: 'source.serviceAccount', values: ['emptysa/'], wantError: true },
  { key: 'source.serviceAccount', values: ['ns/sa'] },
  { key: 'source.serviceAccount', values: ['sa'] },
  { key: 'source.trustDomain', values: ['cluster.local'] },
  { key: 'source.trustDomain', values: ['*'] },
  { key: 'source.trustDomain', values: ['foo*'] },
  { key: 'source.trustDomain', values: ['*bar'] },
  { key: 'source.trustDomain', values: ['fo*-bar'], wantError: true },
  { key: 'source.trustDomain', values: ['fo*bar*'], wantError: true },
  { key: 'source.trustDomain', values: [''], wantError: true },
  { key: 'request.auth.principal', values: ['value'] },
  { key: 'request.auth.audiences', values: ['value'] },
  { key: 'request.auth.presenter', values: ['value'] },
  { key: 'request.auth.claims[id]', values: ['123'] },
  { key: 'request.auth.claims[]', values: ['value'], wantError: true },
  { key: 'destination.ip', values: ['1.2.3.4', '5.6.7.0/24'] },
  { key: 'destination.ip', values: ['a.b.c.d'], wantError: true },
  { key: 'destination.port', values: ['80', '90'] },
  { key: 'destination.port', values: ['80', 'x'], wantError: true },
  { key: 'destination.labels[app]', values: ['value'], wantError: true },
  { key: 'destination.name', values: ['value'], wantError: true },
  { key: 'destination.namespace', values: ['value'], wantError: true },
  { key: 'destination.user', values: ['value'], wantError: true },
  { key: 'connection.sni', values: ['value'] },
  { key: 'experimental.envoy.filters.a.b[c]', values: ['value'] },
  { key: 'experimental.envoy.filters.a.b.x', values: ['value'], wantError: true },
];

describe(`${FILE} TestValidateCondition`, () => {
  CONDITION_ROWS.forEach((row, n) => {
    for (const field of ['values', 'notValues'] as const) {
      it(`case ${n + 1}, key ${row.key} ${JSON.stringify(row.values)} as ${field}: ${row.wantError ? 'rejected' : 'accepted'}`, () => {
        const got = rejects(condition(field, row.key, row.values));
        expect(got.rejected, got.detail).toBe(!!row.wantError);
      });
    }
  });
});

// ---------------------------------------------------------------------------
// TestCheckValidPathTemplate

const PATH_ROWS: readonly ValuesRow[] = [
  { name: 'valid path template - matchOneTemplate', values: ['/{*}/foo'] },
  { name: 'valid path template - matchOneTemplate with trailing slash', values: ['/{*}/foo/'] },
  { name: 'valid path template - matchAnyTemplate', values: ['/foo/{**}/bar'] },
  { name: 'valid path template - matchAnyTemplate at end', values: ['/foo/bar/{**}'] },
  { name: 'unsupported path template - matchAnyTemplate with additional chars', values: ['/foo/{**}buzz/bar'], wantError: true },
  { name: 'unsupported path template - empty curly braces', values: ['/{*}/foo/{}/bar'], wantError: true },
  { name: 'unsupported path template - matchOneTemplate with `*`', values: ['/foo/{*}/bar/*'], wantError: true },
  { name: 'unsupported path template - matchOneTemplate with `**`', values: ['/foo/{*}/bar/**/buzz'], wantError: true },
  { name: 'unsupported path/path template - named var: {buzz}', values: ['/foo/{buzz}/bar'], wantError: true },
  { name: 'unsupported path/path template - only named var: {buzz}', values: ['/{buzz}'], wantError: true },
  { name: 'unsupported path template - matchAnyTemplate with named var: {buzz}', values: ['/foo/{buzz}/bar/{**}'], wantError: true },
  { name: 'unsupported path template - matchAnyTemplate with named var: {buzz=*}', values: ['/foo/{buzz=*}/bar/{**}'], wantError: true },
  { name: 'unsupported path template - matchAnyTemplate with named var: {buzz=**}', values: ['/{*}/foo/{buzz=**}/bar'], wantError: true },
  { name: 'unsupported path template - matchAnyTemplate with additional chars at end', values: ['/{*}/foo/{**}bar'], wantError: true },
  { name: 'unsupported path template - matchOneTemplate with file extension', values: ['/{*}/foo/{*}.txt'], wantError: true },
  { name: 'unsupported path template - matchOneTemplate with unmatched open curly brace', values: ['/{*}/foo/{temp'], wantError: true },
  { name: 'unsupported path template - matchOneTemplate with unmatched closed curly brace', values: ['/{*}/foo/temp}/bar'], wantError: true },
  {
    name: 'unsupported path template - matchOneTemplate with unmatched closed curly brace and `*`',
    values: ['/{*}/foo/temp}/*'],
    wantError: true,
  },
  {
    name: 'unsupported path template - matchAnyTemplate is not the last operator in the template',
    values: ['/{**}/foo/temp/{*}/bar'],
    wantError: true,
  },
  { name: 'unsupported path template - simple multiple matchAnyTemplates', values: ['/{**}/{**}'], wantError: true },
  { name: 'unsupported path template - multiple matchAnyTemplates', values: ['/{**}/foo/temp/{**}/bar'], wantError: true },
  { name: 'unsupported path template - invalid literal in path template', values: ['/{*}/foo/?abc'], wantError: true },
];

table('TestCheckValidPathTemplate', PATH_ROWS, (row) => [
  { form: 'to.operation.paths', spec: operation('paths', row.values) },
  { form: 'to.operation.notPaths', spec: operation('notPaths', row.values) },
]);

// ---------------------------------------------------------------------------
// TestIsValidLiteral and TestContainsPathTemplate: helper rows (a path segment, a whole path)

const LITERAL_ROWS: readonly { name: string; glob: string; expected: boolean }[] = [
  { name: 'valid - alphabet chars and nums', glob: '123abcABC', expected: true },
  { name: 'valid - unreserved chars', glob: '._~-', expected: true },
  { name: 'valid - equals', glob: 'a=c', expected: true },
  { name: 'valid - mixed chars', glob: '-._~%20!$&\'()+,;:@', expected: true },
  { name: 'invalid - mixed chars', glob: '`~!@#$%^&()-_+;:,<.>\'"\\| ', expected: false },
  { name: 'invalid - slash', glob: 'abc/', expected: false },
  { name: 'invalid - star with other chars', glob: 'ab*c', expected: false },
  { name: 'invalid - star', glob: '*', expected: false },
  { name: 'invalid - double star with other chars', glob: 'ab**c', expected: false },
  { name: 'invalid - double star', glob: '**', expected: false },
  { name: 'invalid - question mark', glob: '?abc', expected: false },
  { name: 'invalid - question mark with equals', glob: '?a=c', expected: false },
  { name: 'invalid - left curly brace', glob: '{abc', expected: false },
  { name: 'invalid - right curly brace', glob: 'abc}', expected: false },
  { name: 'invalid - curly brace set', glob: '{abc}', expected: false },
];

describe(`${FILE} TestIsValidLiteral (helper isValidPathLiteral)`, () => {
  for (const row of LITERAL_ROWS) {
    it(`"${row.name}" ${JSON.stringify(row.glob)}: ${row.expected}`, () => expect(isValidPathLiteral(row.glob)).toBe(row.expected));
  }
});

const TEMPLATE_ROWS: readonly { name: string; path: string; isPathTemplate: boolean }[] = [
  { name: 'matchOneOnly', path: 'foo/bar/{*}', isPathTemplate: true },
  { name: 'matchAnyOnly', path: 'foo/{**}/bar', isPathTemplate: true },
  { name: 'matchAnyAndOne', path: '{*}/bar/{**}', isPathTemplate: true },
  { name: 'stringMatch', path: 'foo/bar/*', isPathTemplate: false },
  { name: 'namedVariable', path: 'foo/bar/{buzz}', isPathTemplate: false },
];

describe(`${FILE} TestContainsPathTemplate (helper containsPathTemplate)`, () => {
  for (const row of TEMPLATE_ROWS) {
    it(`"${row.name}" ${JSON.stringify(row.path)}: ${row.isPathTemplate}`, () => expect(containsPathTemplate(row.path)).toBe(row.isPathTemplate));
  }
});

describe(`${FILE}: every case is ported`, () => {
  it('has upstream\'s case counts', () => {
    expect([WILDCARD_ROWS, TRUST_DOMAIN_ROWS, CONDITION_ROWS, PATH_ROWS, LITERAL_ROWS, TEMPLATE_ROWS].map((t) => t.length))
      .toEqual([7, 7, 38, 22, 15, 5]);
  });
});
