import { q } from './common';

/**
 * The value checks of Istio's pkg/config/security (1.30.3) that the
 * AuthorizationPolicy webhook applies: wildcard and trust-domain values,
 * service accounts, path templates and `when` attributes. Each check answers
 * why a value is rejected, or undefined when Istio accepts it.
 */

/** Why a value fails security.CheckWildcardValues: at most one "*", and only at the start or the end. */
export function wildcardValueProblem(value: string): string | undefined {
  if (value === '') return 'it is empty';
  const stars = value.split('*').length - 1;
  if (stars > 1) return `it has ${stars} "*": at most one wildcard is allowed`;
  if (stars === 1 && !value.startsWith('*') && !value.endsWith('*')) {
    return '"*" is only allowed at the start or the end (exact "foo", prefix "foo*", suffix "*foo", or "*" alone)';
  }
  return undefined;
}

/** Why a value fails security.CheckTrustDomainValues: a wildcard value without "/". */
export function trustDomainProblem(value: string): string | undefined {
  const wildcard = wildcardValueProblem(value);
  if (wildcard) return wildcard;
  // A "/" means a SPIFFE ID or a principal was written where a bare trust domain belongs.
  if (value.includes('/')) return 'it contains "/": a trust domain is a bare name such as "cluster.local", not a SPIFFE ID or a principal';
  return undefined;
}

/** The most service accounts one list may hold (security.CheckServiceAccount). */
export const MAX_SERVICE_ACCOUNTS = 16;

const utf8 = new TextEncoder();

/** Why one value fails security.CheckServiceAccount: "<name>" or "<namespace>/<name>", no "*", at most 320 bytes. */
export function serviceAccountProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.includes('*')) return 'contains "*": service accounts are matched exactly, wildcards are not allowed';
  const slashes = value.split('/').length - 1;
  if (slashes > 1) return 'has more than one "/": expected "<name>" or "<namespace>/<name>" (not a SPIFFE principal)';
  // Go's len() counts UTF-8 bytes; the CRD's maxLength 320 counts characters, so only istiod catches long non-ASCII names.
  const bytes = utf8.encode(value).length;
  if (bytes > 320) return `is longer than 320 bytes (${bytes} in UTF-8)`;
  if (slashes === 1) {
    const [ns, sa] = value.split('/');
    if (ns === '') return 'has an empty namespace: expected "<namespace>/<name>"';
    if (sa === '') return 'has an empty name: expected "<namespace>/<name>"';
  }
  return undefined;
}

const MATCH_ONE = '{*}';
const MATCH_ANY = '{**}';
/** RFC 3986 pchar: unreserved, pct-encoded, sub-delims without "*", ":" and "@" (security.IsValidLiteral). */
const PATH_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

/** security.IsValidLiteral: whether a path segment is made only of the characters Envoy accepts around templates. */
export function isValidPathLiteral(segment: string): boolean {
  return PATH_LITERAL.test(segment);
}

/** security.ContainsPathTemplate: whether a path uses "{*}" or "{**}". */
export function containsPathTemplate(path: string): boolean {
  return path.includes(MATCH_ONE) || path.includes(MATCH_ANY);
}

/** Why a path is rejected by security.CheckValidPathTemplate, or undefined. */
export function pathTemplateProblem(path: string): string | undefined {
  const templated = containsPathTemplate(path);
  let sawMatchAny = false;
  const segments = path.replace(/^\/+|\/+$/g, '').split('/');
  for (const segment of segments) {
    if (segment === MATCH_ONE || segment === MATCH_ANY) {
      if (sawMatchAny) return '"{**}" must be the last template operator';
      if (segment === MATCH_ANY) sawMatchAny = true;
      continue;
    }
    if (/[{}]/.test(segment)) return `segment ${q(segment)} has "{" or "}" outside a "{*}" or "{**}" template`;
    if (templated && !isValidPathLiteral(segment)) {
      return `segment ${q(segment)} of a templated path is not made of RFC 3986 path characters`;
    }
  }
  return undefined;
}

/** What the values of a `when` attribute must be, once the key is known (security.ValidateAttribute). */
export type AttributeValues = 'any' | 'ip' | 'port' | 'serviceAccount' | 'wildcard';

/** Attributes written `name[key]`; a key starting with the prefix is this attribute. */
const MAP_ATTRIBUTES = ['request.headers', 'request.auth.claims', 'experimental.envoy.filters.'];
const IP_ATTRIBUTES = ['source.ip', 'remote.ip', 'destination.ip'];
const PLAIN_ATTRIBUTES = ['source.namespace', 'source.principal', 'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'connection.sni'];

/** The problem with a `when` key, or which values it takes (security.ValidateAttribute). */
export function conditionAttribute(key: string): { problem: string } | { values: AttributeValues } {
  const prefix = MAP_ATTRIBUTES.find((p) => key.startsWith(p));
  if (prefix) {
    const open = key.indexOf('[');
    if (key.endsWith(']') && open > 0 && open < key.length - 2) return { values: 'any' };
    return { problem: `it must have the form ${prefix.replace(/\.$/, '.<name>')}[<key>]` };
  }
  if (IP_ATTRIBUTES.includes(key)) return { values: 'ip' };
  if (key === 'destination.port') return { values: 'port' };
  if (key === 'source.serviceAccount') return { values: 'serviceAccount' };
  if (key === 'source.trustDomain') return { values: 'wildcard' };
  if (PLAIN_ATTRIBUTES.includes(key)) return { values: 'any' };
  if (key === 'destination.namespace') return { problem: 'it was replaced by the policy\'s own namespace (metadata.namespace)' };
  if (key.startsWith('destination.labels')) return { problem: 'it was replaced by spec.selector' };
  if (key === 'destination.name' || key === 'destination.user') return { problem: 'it is a v1alpha1 attribute that is no longer supported' };
  return { problem: 'it is not a known attribute' };
}
