import { Finding, pointer } from '../model/finding';
import { groupOf, isPlainObject, Manifest, ResourceRef } from '../model/manifest';
import { RuleInfo } from '../model/rule-info';
import {
  annotationsSizeErrors,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
  isQualifiedName,
  labelValueErrors,
  qualifiedNameErrors,
  TOTAL_ANNOTATION_SIZE_LIMIT,
} from '../vocabulary/kube-names';
import { editDistance } from '../vocabulary/nearest-name';

/**
 * The object layer: what the API server checks of any object before its
 * schema (apimachinery `ValidateObjectMeta`, the REST mapping of
 * apiVersion/kind, and kubectl's strict field validation of `metadata`).
 */

const CATEGORY = 'object';

/** Served versions of the kinds we validate, by `group/Kind` (from the CRDs we pin). */
export const SERVED_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  'security.istio.io/PeerAuthentication': ['v1', 'v1beta1'],
  'security.istio.io/AuthorizationPolicy': ['v1', 'v1beta1'],
  'networking.istio.io/DestinationRule': ['v1', 'v1beta1', 'v1alpha3'],
  'networking.istio.io/VirtualService': ['v1', 'v1beta1', 'v1alpha3'],
  'networking.istio.io/ServiceEntry': ['v1', 'v1beta1', 'v1alpha3'],
  'networking.istio.io/WorkloadEntry': ['v1', 'v1beta1', 'v1alpha3'],
  'networking.istio.io/Sidecar': ['v1', 'v1beta1', 'v1alpha3'],
  'monitoring.coreos.com/PrometheusRule': ['v1'],
};

/** The fields of `metav1.ObjectMeta` (JSON names), as the API server knows them. */
export const OBJECT_META_FIELDS: readonly string[] = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

export const OBJECT_RULES: RuleInfo[] = [
  {
    code: 'IMV101',
    category: CATEGORY,
    severity: 'error',
    title: 'apiVersion missing or malformed',
    explanation: 'Every object needs a string apiVersion, `version` or `group/version`; without it neither kubectl nor the API server can find the resource type.',
    source: 'k8s.io/apimachinery/pkg/runtime/schema ParseGroupVersion',
  },
  {
    code: 'IMV102',
    category: CATEGORY,
    severity: 'error',
    title: 'kind missing',
    explanation: 'Every object needs a non-empty string kind; the API server rejects the request with "Object \'Kind\' is missing".',
    source: 'k8s.io/apimachinery/pkg/runtime/serializer/json',
  },
  {
    code: 'IMV103',
    category: CATEGORY,
    severity: 'error',
    title: 'Version not served for this kind',
    explanation: 'A CRD serves only the versions it lists; any other version gives "no matches for kind" and the object is not created.',
    source: 'CRD spec.versions (Istio 1.30.3, prometheus-operator v0.93.0)',
  },
  {
    code: 'IMV104',
    category: CATEGORY,
    severity: 'error',
    title: 'metadata missing or not an object',
    explanation: 'metadata must be an object (ObjectMeta) holding at least the name.',
    source: 'k8s.io/apimachinery/pkg/apis/meta/v1 ObjectMeta',
  },
  {
    code: 'IMV105',
    category: CATEGORY,
    severity: 'error',
    title: 'Name missing',
    explanation: 'An object needs metadata.name (or metadata.generateName on create): "name or generateName is required".',
    source: 'k8s.io/apimachinery/pkg/api/validation ValidateObjectMeta',
  },
  {
    code: 'IMV106',
    category: CATEGORY,
    severity: 'error',
    title: 'Invalid name',
    explanation: 'Names of Istio and Prometheus custom resources are DNS-1123 subdomains (lower case alphanumerics, "-" and ".", at most 253 characters); every object name must be a valid path segment.',
    source: 'k8s.io/apimachinery/pkg/api/validation NameIsDNSSubdomain, ValidatePathSegmentName',
  },
  {
    code: 'IMV107',
    category: CATEGORY,
    severity: 'error',
    title: 'Invalid generateName',
    explanation: 'generateName is a name prefix and follows the same rules as the name (a trailing "-" is allowed).',
    source: 'k8s.io/apimachinery/pkg/api/validation ValidateObjectMeta',
  },
  {
    code: 'IMV108',
    category: CATEGORY,
    severity: 'error',
    title: 'Invalid namespace',
    explanation: 'A namespace is a DNS-1123 label: lower case alphanumerics and "-", at most 63 characters.',
    source: 'k8s.io/apimachinery/pkg/api/validation ValidateObjectMeta',
  },
  {
    code: 'IMV109',
    category: CATEGORY,
    severity: 'error',
    title: 'Invalid label',
    explanation: 'Labels must be a map of strings; keys are qualified names (optional DNS prefix, "/", name of at most 63 characters) and values at most 63 alphanumerics, "-", "_" or ".".',
    source: 'k8s.io/apimachinery/pkg/apis/meta/v1/validation ValidateLabels',
  },
  {
    code: 'IMV110',
    category: CATEGORY,
    severity: 'error',
    title: 'Invalid annotation',
    explanation: 'Annotations must be a map of strings whose keys are qualified names (checked in lower case); the total size of keys and values is at most 256 KiB.',
    source: 'k8s.io/apimachinery/pkg/api/validation ValidateAnnotations',
  },
  {
    code: 'IMV111',
    category: CATEGORY,
    severity: 'error',
    title: 'Unknown or mistyped metadata field',
    explanation: 'kubectl validates strictly by default (--validate=strict) and rejects fields ObjectMeta does not have, such as a misspelt "label" or "namepsace", and fields of the wrong type.',
    source: 'kubectl --validate=strict; k8s.io/apimachinery/pkg/apis/meta/v1 ObjectMeta',
  },
];

/** Validates what the API server checks of every object before its schema. Never throws. */
export function validateObject(manifest: Manifest, ref: ResourceRef): Finding[] {
  const out = new ObjectFindings(ref);
  const findings = out.findings;
  if (!isPlainObject(manifest)) {
    out.add('IMV104', '', `the document is ${describeValue(manifest)}, not an object`, 'write each Kubernetes object as a mapping with apiVersion, kind, metadata and spec');
    return findings;
  }

  const apiVersion = manifest.apiVersion;
  const kind = manifest.kind;
  const apiVersionOk = checkApiVersion(apiVersion, out);
  const kindOk = typeof kind === 'string' && kind !== '';
  if (!kindOk) {
    out.add('IMV102', pointer('kind'), kind === undefined || kind === ''
      ? 'kind is missing; every object needs its kind'
      : `kind must be a string, got ${describeValue(kind)}`, 'set kind, e.g. "kind: PeerAuthentication"');
  }

  const validatedKind = apiVersionOk && kindOk ? validatedKindOf(apiVersion as string, kind as string) : undefined;
  if (validatedKind && !validatedKind.served.includes(validatedKind.version)) {
    out.add('IMV103', pointer('apiVersion'),
      `no matches for kind "${kind}" in version "${apiVersion}": ${validatedKind.group} serves ${kind} in ${validatedKind.served.map((v) => `"${v}"`).join(', ')}`,
      `use apiVersion: ${validatedKind.group}/${validatedKind.served[0]}`);
  }

  const metadata = manifest.metadata;
  if (metadata === undefined || metadata === null) {
    out.add('IMV104', pointer('metadata'), 'metadata is missing; every object needs metadata with at least a name', 'add "metadata: { name: ... }"');
    return findings;
  }
  if (!isPlainObject(metadata)) {
    out.add('IMV104', pointer('metadata'), `metadata must be an object, got ${describeValue(metadata)}`, 'write metadata as a mapping with name, namespace, labels and annotations');
    return findings;
  }

  checkUnknownMetaFields(metadata, out);
  checkNames(metadata, validatedKind !== undefined, out);
  checkLabels(metadata.labels, out);
  checkAnnotations(metadata.annotations, out);
  return findings;
}

/** The findings of one object (a class rather than a closure per object: this runs for every object of an app). */
class ObjectFindings {
  readonly findings: Finding[] = [];

  constructor(private readonly ref: ResourceRef) {}

  add(code: string, path: string, message: string, fix: string): void {
    this.findings.push({ code, severity: 'error', category: CATEGORY, message, fix, resource: this.ref, path });
  }
}

const API_VERSION = pointer('apiVersion');
const NAME = pointer('metadata', 'name');
const NAMESPACE = pointer('metadata', 'namespace');

function checkApiVersion(apiVersion: unknown, out: ObjectFindings): boolean {
  const path = API_VERSION;
  if (apiVersion === undefined || apiVersion === '') {
    out.add('IMV101', path, 'apiVersion is missing; every object needs its API group and version', 'set apiVersion, e.g. "apiVersion: security.istio.io/v1"');
    return false;
  }
  if (typeof apiVersion !== 'string') {
    out.add('IMV101', path, `apiVersion must be a string, got ${describeValue(apiVersion)}`, 'write apiVersion as "group/version", e.g. "security.istio.io/v1"');
    return false;
  }
  // Malformed: more than one "/", or an empty group or version.
  const slash = apiVersion.indexOf('/');
  if (slash >= 0 && (slash === 0 || slash === apiVersion.length - 1 || apiVersion.includes('/', slash + 1))) {
    out.add('IMV101', path, `apiVersion ${JSON.stringify(apiVersion)} is malformed: expected "version" or "group/version"`, 'write apiVersion as "group/version", e.g. "security.istio.io/v1"');
    return false;
  }
  return true;
}

interface ValidatedKind { readonly group: string; readonly version: string; readonly served: readonly string[] }

/** The kind names of SERVED_VERSIONS: most objects (Services, Deployments...) are ruled out by their kind alone. */
const VALIDATED_KIND_NAMES: ReadonlySet<string> = new Set(Object.keys(SERVED_VERSIONS).map((key) => key.slice(key.lastIndexOf('/') + 1)));

function validatedKindOf(apiVersion: string, kind: string): ValidatedKind | undefined {
  if (!VALIDATED_KIND_NAMES.has(kind)) return undefined;
  const group = groupOf(apiVersion);
  const key = `${group}/${kind}`;
  const served = Object.prototype.hasOwnProperty.call(SERVED_VERSIONS, key) ? SERVED_VERSIONS[key] : undefined;
  if (!served) return undefined;
  return { group, version: apiVersion.slice(group.length + 1), served };
}

const KNOWN_META_FIELDS: ReadonlySet<string> = new Set(OBJECT_META_FIELDS);

/** The metadata fields whose checks are not here (checkNames, checkLabels, checkAnnotations). */
const CHECKED_ELSEWHERE: ReadonlySet<string> = new Set(['name', 'namespace', 'labels', 'annotations']);

function checkUnknownMetaFields(metadata: Record<string, unknown>, out: ObjectFindings): void {
  const keys = Object.keys(metadata);
  // Most metadata holds only these: then no field here is set, and nothing is read again.
  if (keys.every((key) => CHECKED_ELSEWHERE.has(key))) return;
  const unknown = keys.filter((key) => !KNOWN_META_FIELDS.has(key));
  for (const key of unknown.sort()) {
    const close = OBJECT_META_FIELDS.find((f) => f.toLowerCase() === key.toLowerCase() || editDistance(f, key) <= 2);
    out.add('IMV111', pointer('metadata', key), `unknown field "metadata.${key}"`,
      close ? `did you mean "metadata.${close}"?` : `remove it; ObjectMeta has ${OBJECT_META_FIELDS.join(', ')}`);
  }
  // null decodes as the field's zero value; any other value must have the field's Go type.
  for (const key of META_STRING_FIELDS) {
    const v = metadata[key];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      out.add('IMV111', pointer('metadata', key), `metadata.${key} must be a string, got ${describeValue(v)}`, `quote the value of metadata.${key}`);
    }
  }
  for (const key of META_INTEGER_FIELDS) {
    const v = metadata[key];
    if (v !== undefined && v !== null && !Number.isSafeInteger(v)) {
      out.add('IMV111', pointer('metadata', key), `metadata.${key} must be an integer, got ${describeValue(v)}`, `write metadata.${key} as a whole number, or remove it`);
    }
  }
  const finalizers = metadata.finalizers;
  if (finalizers !== undefined && finalizers !== null && (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== 'string'))) {
    out.add('IMV111', pointer('metadata', 'finalizers'), `metadata.finalizers must be a list of strings, got ${describeValue(finalizers)}`, 'write finalizers as a list of qualified names');
  }
  checkObjectList(metadata, 'ownerReferences', OWNER_REFERENCE_FIELDS, out);
  checkObjectList(metadata, 'managedFields', MANAGED_FIELDS_ENTRY_FIELDS, out);
}

/** ObjectMeta fields of Go type string (name and namespace have their own codes); metav1.Time is a string in JSON. */
const META_STRING_FIELDS = ['generateName', 'selfLink', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp'];
/** ObjectMeta fields of Go type int64. */
const META_INTEGER_FIELDS = ['generation', 'deletionGracePeriodSeconds'];
/** The scalar fields of metav1.OwnerReference and their JSON types. */
const OWNER_REFERENCE_FIELDS: Readonly<Record<string, 'string' | 'boolean'>> = {
  apiVersion: 'string', kind: 'string', name: 'string', uid: 'string', controller: 'boolean', blockOwnerDeletion: 'boolean',
};
/** The scalar fields of metav1.ManagedFieldsEntry and their JSON types. */
const MANAGED_FIELDS_ENTRY_FIELDS: Readonly<Record<string, 'string' | 'boolean'>> = {
  manager: 'string', operation: 'string', apiVersion: 'string', time: 'string', fieldsType: 'string', subresource: 'string',
};

/** A metadata list of objects (ownerReferences, managedFields): a list, of objects, whose scalar fields have their types. */
function checkObjectList(metadata: Record<string, unknown>, key: string, fields: Readonly<Record<string, 'string' | 'boolean'>>, out: ObjectFindings): void {
  const list = metadata[key];
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    out.add('IMV111', pointer('metadata', key), `metadata.${key} must be a list of objects, got ${describeValue(list)}`, `write metadata.${key} as a list, or remove it`);
    return;
  }
  list.forEach((item, i) => {
    if (!isPlainObject(item)) {
      out.add('IMV111', pointer('metadata', key, i), `metadata.${key}[${i}] must be an object, got ${describeValue(item)}`, `write each entry of metadata.${key} as a mapping`);
      return;
    }
    for (const field of Object.keys(fields)) {
      const v = item[field];
      if (v !== undefined && v !== null && typeof v !== fields[field]) {
        out.add('IMV111', pointer('metadata', key, i, field), `metadata.${key}[${i}].${field} must be a ${fields[field]}, got ${describeValue(v)}`,
          fields[field] === 'string' ? 'quote the value' : 'write true or false');
      }
    }
  });
}

function checkNames(metadata: Record<string, unknown>, validatedKind: boolean, out: ObjectFindings): void {
  const name = metadata.name;
  const generateName = metadata.generateName;
  const namePath = NAME;
  if (name !== undefined && name !== null && typeof name !== 'string') {
    out.add('IMV105', namePath, `metadata.name must be a string, got ${describeValue(name)}`, 'quote the name');
  } else if ((name === undefined || name === null || name === '') && (typeof generateName !== 'string' || generateName === '')) {
    out.add('IMV105', namePath, 'metadata.name is missing: name or generateName is required', 'set metadata.name');
  } else if (typeof name === 'string' && name !== '') {
    const errs = validatedKind ? (isDns1123Subdomain(name) ? [] : dns1123SubdomainErrors(name)) : pathSegmentErrors(name);
    if (errs.length > 0) {
      out.add('IMV106', namePath, `metadata.name ${JSON.stringify(name)} is invalid: ${errs.join('; ')}`,
        validatedKind ? `use a DNS-1123 subdomain such as ${JSON.stringify(suggestDnsName(name, 253))}` : 'remove "/" and "%" from the name');
    }
  }
  if (typeof generateName === 'string' && generateName !== '') {
    // A trailing '-' is allowed in a prefix (apimachinery maskTrailingDash).
    const masked = generateName.endsWith('-') ? `${generateName.slice(0, -1)}a` : generateName;
    const errs = validatedKind ? dns1123SubdomainErrors(masked) : pathSegmentErrors(generateName);
    if (errs.length > 0) {
      out.add('IMV107', pointer('metadata', 'generateName'), `metadata.generateName ${JSON.stringify(generateName)} is invalid: ${errs.join('; ')}`,
        `use a lower-case prefix such as ${JSON.stringify(`${suggestDnsName(generateName, 200)}-`)}`);
    }
  }

  const ns = metadata.namespace;
  const nsPath = NAMESPACE;
  if (ns !== undefined && ns !== null && typeof ns !== 'string') {
    out.add('IMV108', nsPath, `metadata.namespace must be a string, got ${describeValue(ns)}`, 'quote the namespace');
  } else if (typeof ns === 'string' && ns !== '') {
    const errs = isDns1123Label(ns) ? [] : dns1123LabelErrors(ns);
    if (errs.length > 0) {
      out.add('IMV108', nsPath, `metadata.namespace ${JSON.stringify(ns)} is invalid: ${errs.join('; ')}`,
        `use a DNS-1123 label such as ${JSON.stringify(suggestDnsName(ns, 63).replace(/\./g, '-'))}`);
    }
  }
}

function checkLabels(labels: unknown, out: ObjectFindings): void {
  if (labels === undefined || labels === null) return;
  if (!isPlainObject(labels)) {
    out.add('IMV109', pointer('metadata', 'labels'), `metadata.labels must be a map of strings, got ${describeValue(labels)}`, 'write labels as "key: value" pairs');
    return;
  }
  // Most labels are valid: checked first without sorting them or building messages.
  if (Object.keys(labels).every((key) => typeof labels[key] === 'string' && isQualifiedName(key) && isLabelValue(labels[key] as string))) return;
  for (const [key, value] of Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const keyErrs = qualifiedNameErrors(key);
    if (keyErrs.length > 0) {
      out.add('IMV109', pointer('metadata', 'labels', key), `label key ${JSON.stringify(key)} is invalid: ${keyErrs.join('; ')}`, 'use a key like "app.kubernetes.io/name" or "team"');
    }
    if (typeof value !== 'string') {
      out.add('IMV109', pointer('metadata', 'labels', key), `label ${JSON.stringify(key)} must have a string value, got ${describeValue(value)}`,
        isScalar(value) ? `quote the value: ${key}: "${value}"` : 'write the value as a short string');
      continue;
    }
    const valueErrs = labelValueErrors(value);
    if (valueErrs.length > 0) {
      out.add('IMV109', pointer('metadata', 'labels', key), `label ${JSON.stringify(key)} has invalid value ${JSON.stringify(value)}: ${valueErrs.join('; ')}`,
        'put free text in an annotation; label values are short identifiers');
    }
  }
}

function checkAnnotations(annotations: unknown, out: ObjectFindings): void {
  if (annotations === undefined || annotations === null) return;
  if (!isPlainObject(annotations)) {
    out.add('IMV110', pointer('metadata', 'annotations'), `metadata.annotations must be a map of strings, got ${describeValue(annotations)}`, 'write annotations as "key: value" pairs');
    return;
  }
  if (annotationsValid(annotations)) return;
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // The API server checks annotation keys in lower case.
    const keyErrs = qualifiedNameErrors(key.toLowerCase());
    if (keyErrs.length > 0) {
      out.add('IMV110', pointer('metadata', 'annotations', key), `annotation key ${JSON.stringify(key)} is invalid: ${keyErrs.join('; ')}`, 'use a key like "example.com/owner"');
    }
    if (typeof value !== 'string') {
      out.add('IMV110', pointer('metadata', 'annotations', key), `annotation ${JSON.stringify(key)} must have a string value, got ${describeValue(value)}`, 'quote the value');
      continue;
    }
    strings[key] = value;
  }
  for (const e of annotationsSizeErrors(strings)) {
    out.add('IMV110', pointer('metadata', 'annotations'), `metadata.annotations: ${e}`, `keep annotations under ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes; store large data in a ConfigMap`);
  }
}

/**
 * True when checkAnnotations would find nothing: string values under keys
 * valid in lower case, and a total size that cannot reach the limit (a UTF-16
 * unit is at most 3 bytes of UTF-8). Checked without sorting the keys.
 */
function annotationsValid(annotations: Record<string, unknown>): boolean {
  let units = 0;
  for (const key of Object.keys(annotations)) {
    const value = annotations[key];
    if (typeof value !== 'string' || !isQualifiedName(key.toLowerCase())) return false;
    units += key.length + value.length;
  }
  return units * 3 <= TOTAL_ANNOTATION_SIZE_LIMIT;
}

/** apimachinery ValidatePathSegmentName: what every object name must satisfy. */
function pathSegmentErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/** A DNS-1123 name close to the given text, for fix hints. */
function suggestDnsName(text: string, max: number): string {
  const s = text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/[^a-z0-9]+$/, '').slice(0, max).replace(/[^a-z0-9]+$/, '');
  return s === '' ? 'my-name' : s;
}

/** A number or boolean: what YAML reads from an unquoted value meant as a string. */
function isScalar(v: unknown): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}
