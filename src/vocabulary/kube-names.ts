/**
 * Kubernetes name and label syntax, as apimachinery's `validation` package
 * checks it. Each check returns the reasons a value is invalid (empty when
 * valid), so callers decide whether to throw (constructs) or report (engine).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** True when `dns1123LabelErrors` finds nothing, without building messages. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** True when `dns1123SubdomainErrors` finds nothing, without building messages. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** True when `qualifiedNameErrors` finds nothing, without splitting the key or building messages. */
export function isQualifiedName(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return isQualifiedNamePart(key);
  if (key.includes('/', slash + 1)) return false;
  return slash > 0 && isDns1123Subdomain(key.slice(0, slash)) && isQualifiedNamePart(key.slice(slash + 1));
}

function isQualifiedNamePart(name: string): boolean {
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** True when `labelValueErrors` finds nothing, without building messages. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** RFC 1123 label: namespaces, service names, port names. At most 63 characters. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(`must be no more than 63 characters (got ${value.length})`);
  if (!DNS1123_LABEL.test(value)) {
    errs.push("must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
  }
  return errs;
}

/** RFC 1123 subdomain: most object names. At most 253 characters. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(`must be no more than 253 characters (got ${value.length})`);
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errs.push("must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  }
  return errs;
}

/** A label or annotation key: an optional DNS-subdomain prefix, `/`, and a name of at most 63 characters. */
export function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const e of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${e}`);
  } else {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part must be no more than 63 characters (got ${name.length})`);
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) {
    errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  return errs;
}

/** A label value: empty, or at most 63 alphanumeric, `-`, `_`, `.` characters starting and ending alphanumeric. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(`must be no more than 63 characters (got ${value.length})`);
  if (!LABEL_VALUE.test(value)) {
    errs.push("must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  return errs;
}

/** Total size of annotations, as the API server limits it (256 KiB of keys plus values). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function annotationsSizeErrors(annotations: Record<string, string>): string[] {
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  return size > TOTAL_ANNOTATION_SIZE_LIMIT
    ? [`annotations may not exceed ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes in total (got ${size})`]
    : [];
}
