/**
 * Istio host names as DestinationRules write them: short names are expanded
 * relative to the rule's namespace, wildcards match by suffix, and the most
 * specific host wins (pilot's `MostSpecificHostMatch`).
 */

/** Expands a DestinationRule host to a fully-qualified name (`reviews` → `reviews.bookinfo.svc.cluster.local`). */
export function qualifyHost(host: string, namespace: string, clusterDomain: string): string {
  const h = host.trim().toLowerCase();
  if (h === '' || h === '*' || h.includes('.')) return h;
  return `${h}.${namespace}.svc.${clusterDomain}`;
}

/** The FQDN of a Kubernetes Service. */
export function serviceHostname(name: string, namespace: string, clusterDomain: string): string {
  return `${name}.${namespace}.svc.${clusterDomain}`.toLowerCase();
}

export function isWildcardHost(host: string): boolean {
  return host.startsWith('*');
}

/** True when the (possibly wildcard) rule host covers the concrete host. */
export function hostMatches(ruleHost: string, host: string): boolean {
  if (ruleHost === host) return true;
  if (ruleHost === '*') return true;
  if (ruleHost.startsWith('*.')) return host.endsWith(ruleHost.slice(1));
  if (ruleHost.startsWith('*')) return host.endsWith(ruleHost.slice(1));
  return false;
}

/**
 * How specific a matching rule host is: exact beats any wildcard, a longer
 * wildcard beats a shorter one. Higher is more specific.
 */
export function hostSpecificity(ruleHost: string): number {
  return isWildcardHost(ruleHost) ? ruleHost.length : Number.MAX_SAFE_INTEGER;
}

/**
 * The namespace a rule host is confined to, when it is (`x.ns.svc.<domain>` or
 * `*.ns.svc.<domain>`), or undefined for hosts that may span namespaces.
 */
export function namespaceOfHost(ruleHost: string, clusterDomain: string): string | undefined {
  const suffix = `.svc.${clusterDomain}`;
  if (!ruleHost.endsWith(suffix)) return undefined;
  const parts = ruleHost.slice(0, -suffix.length).split('.');
  if (parts.length !== 2) return undefined;
  const ns = parts[1];
  return ns.includes('*') ? undefined : ns;
}

/** A host name that stands for "any Service of namespace `ns` without a rule of its own": only wildcards match it. */
export function placeholderHost(namespace: string, clusterDomain: string): string {
  return `~any~.${namespace}.svc.${clusterDomain}`;
}
