import {
  ALWAYS_REJECT_ANNOTATION, annotationsOf, checkAlwaysReject, DRY_RUN_ANNOTATION, FindingSink, q, safeString,
} from './common';
import { decodeProblems } from './decoding';
import { Finding } from '../../model/finding';
import { groupOf, Manifest, ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';

const VALIDATION = 'istio/istio pkg/config/validation/validation.go';

/** The annotations istiod sets on the config it generates from Gateway API objects; users may not set them. */
export const PARENT_NAMESPACE_ANNOTATION = 'internal.istio.io/parent-namespace';
export const PARENTS_ANNOTATION = 'internal.istio.io/parents';

/** The API groups whose every kind goes through istiod's validating webhook (its ValidatingWebhookConfiguration rules). */
export const ISTIO_WEBHOOK_GROUPS = ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io'];

/** The kinds with their own rule catalogue, which report the dry-run and always-reject annotations with their own codes. */
const KINDS_WITH_OWN_METADATA_CODES = ['security.istio.io/PeerAuthentication', 'security.istio.io/AuthorizationPolicy', 'networking.istio.io/DestinationRule'];

function rule(code: string, title: string, explanation: string, source: string): RuleInfo {
  return { code, category: 'webhook', severity: 'error', title, explanation, source };
}

/** What istiod's webhook checks on every Istio kind, before the kind's own rules. */
export const ANY_ISTIO_KIND_RULES: RuleInfo[] = [
  rule('IMV801', 'Reserved internal annotation',
    `istiod rejects any Istio object carrying ${PARENTS_ANNOTATION} or ${PARENT_NAMESPACE_ANNOTATION}, whatever the value: `
    + 'istiod sets them on the configuration it generates from Gateway API routes, and they would let a user act for another namespace.',
    `${VALIDATION} validateMetadata`),
  rule('IMV802', 'Integer out of range for istiod',
    'istiod decodes the spec into its protobuf type: an int32 field must lie between -2147483648 and 2147483647 and a uint32 '
    + 'field between 0 and 4294967295. The API server ignores `format: int32`, so only the webhook rejects a larger int32 value.',
    'istio/istio pkg/util/protomarshal/protomarshal.go ApplyJSON'),
  rule('IMV803', 'Value istiod cannot decode',
    'A value of the wrong JSON type (a string for a list, an object for a number, ...) makes istiod\'s decoding fail; '
    + 'the CRD schema rejects it first, so this only shows when the webhook rules are run on their own.',
    'istio/istio pkg/util/protomarshal/protomarshal.go ApplyJSON'),
  rule('IMV804', 'Dry-run annotation on a kind other than AuthorizationPolicy',
    `Only AuthorizationPolicy supports the ${DRY_RUN_ANNOTATION} annotation; istiod rejects it on VirtualService, ServiceEntry, `
    + 'WorkloadEntry, Sidecar and every other Istio kind (PeerAuthentication and DestinationRule report it with their own codes).',
    `${VALIDATION} checkDryRunAnnotation`),
  rule('IMV805', 'Always-reject annotation',
    `istiod rejects every object carrying the ${ALWAYS_REJECT_ANNOTATION} annotation (a test hook); PeerAuthentication, `
    + 'AuthorizationPolicy and DestinationRule report it with their own codes.',
    `${VALIDATION} validateMetadata`),
];

/** A value for a message: quoted, and cut short when long. */
function shown(value: unknown): string {
  const text = q(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The dotted field name of a path for messages: `spec.subsets[0].name`. */
function fieldName(path: readonly (string | number)[]): string {
  return path.map((t, i) => (typeof t === 'number' ? `[${t}]` : i === 0 ? t : `.${t}`)).join('');
}

/**
 * istiod's checks common to every Istio kind: the decoding of the spec
 * (integer ranges, JSON types) and the metadata checks of validateMetadata.
 * The dry-run and always-reject annotations are left to the kinds that have
 * their own codes for them. `afterBuiltinSchema`: see validateIstioWebhook.
 */
export function validateAnyIstioKind(manifest: Manifest, ref: ResourceRef, afterBuiltinSchema = false): Finding[] {
  const sink = new FindingSink(ref, ANY_ISTIO_KIND_RULES);
  for (const problem of decodeProblems(manifest, ref, afterBuiltinSchema)) {
    const field = fieldName(problem.path);
    if (problem.kind === 'out-of-range') {
      sink.add('IMV802', problem.path,
        `${field} is ${safeString(problem.value)}: istiod decodes it as ${problem.expected} and rejects the object ("error decoding configuration")`,
        `set ${field} within the range of ${problem.expected}`);
    } else {
      sink.add('IMV803', problem.path,
        `${field} is ${shown(problem.value)} (${typeName(problem.value)}): istiod expects ${problem.expected} and cannot decode the object`,
        `write ${field} as ${problem.expected}`);
    }
  }

  const annotations = annotationsOf(manifest);
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(annotations, key);
  if (!KINDS_WITH_OWN_METADATA_CODES.includes(`${groupOf(ref.apiVersion)}/${ref.kind}`)) {
    if (has(DRY_RUN_ANNOTATION)) {
      sink.add('IMV804', ['metadata', 'annotations', DRY_RUN_ANNOTATION],
        `annotation ${DRY_RUN_ANNOTATION} is not supported on a ${ref.kind}: only AuthorizationPolicy can be dry-run`,
        `remove the ${DRY_RUN_ANNOTATION} annotation`);
    }
    checkAlwaysReject(sink, manifest, 'IMV805');
  }
  for (const key of [PARENT_NAMESPACE_ANNOTATION, PARENTS_ANNOTATION]) {
    if (has(key)) {
      sink.add('IMV801', ['metadata', 'annotations', key],
        `annotation ${key} is reserved for configuration istiod generates itself: istiod rejects any object that sets it`,
        `remove the ${key} annotation`);
    }
  }
  return sink.findings;
}
