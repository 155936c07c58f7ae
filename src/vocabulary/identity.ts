import { checkDns1123Label, checkObjectName, fail, show } from './checks';
import { dns1123SubdomainErrors } from './kube-names';

/** The trust domain Istio uses unless the mesh config sets another one. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

const SPIFFE_SCHEME = 'spiffe://';
const PRINCIPAL = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** Options for {@link Identity.serviceAccount}. */
export interface ServiceAccountIdentityOptions {
  /**
   * The mesh trust domain (`meshConfig.trustDomain`).
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
}

/**
 * A workload identity as AuthorizationPolicy matches it: the principal
 * `<trust-domain>/ns/<namespace>/sa/<service-account>`. Istio derives it from
 * the pod's Kubernetes service account and checks it through the mTLS peer
 * certificate. Principals are written without the `spiffe://` scheme.
 */
export class Identity {
  /**
   * The identity of pods running as `serviceAccount` in `namespace`:
   * `cluster.local/ns/<namespace>/sa/<serviceAccount>`.
   */
  public static serviceAccount(namespace: string, serviceAccount: string, options: ServiceAccountIdentityOptions = {}): Identity {
    checkDns1123Label('Identity', 'namespace', namespace);
    checkObjectName('Identity', 'serviceAccount', serviceAccount);
    const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    checkTrustDomain(trustDomain);
    return new Identity(`${trustDomain}/ns/${namespace}/sa/${serviceAccount}`, trustDomain, namespace, serviceAccount);
  }

  /**
   * An identity written as a principal. Either the full form
   * `<trust-domain>/ns/<namespace>/sa/<service-account>`, or an Istio
   * prefix or suffix match: `*`, `cluster.local/ns/payments/*`, or `*` followed by `/sa/checkout`.
   */
  public static principal(principal: string): Identity {
    if (typeof principal !== 'string' || principal.length === 0) {
      fail('Identity', `'principal' must be a non-empty string, got ${show(principal)}`);
    }
    if (principal.startsWith(SPIFFE_SCHEME)) {
      fail('Identity', `'principal' must not start with "spiffe://", got ${show(principal)}: AuthorizationPolicy principals are written without the scheme. Did you mean ${show(principal.slice(SPIFFE_SCHEME.length))}?`);
    }
    if (principal.includes('*')) {
      const stars = principal.split('*').length - 1;
      if (stars > 1 || !(principal.startsWith('*') || principal.endsWith('*'))) {
        fail('Identity', `'principal' may use '*' only once, as a prefix or suffix match, got ${show(principal)}`);
      }
      return new Identity(principal);
    }
    const m = PRINCIPAL.exec(principal);
    if (!m) {
      fail('Identity', `'principal' must have the form <trust-domain>/ns/<namespace>/sa/<service-account>, got ${show(principal)}`);
    }
    const [, trustDomain, namespace, serviceAccount] = m;
    checkTrustDomain(trustDomain);
    checkDns1123Label('Identity', 'principal namespace', namespace);
    checkObjectName('Identity', 'principal service account', serviceAccount);
    return new Identity(principal, trustDomain, namespace, serviceAccount);
  }

  private constructor(
    /** The principal string, e.g. `cluster.local/ns/production/sa/checkout-service`. */
    public readonly principal: string,
    /** The trust domain, when the principal is not a wildcard match. */
    public readonly trustDomain?: string,
    /** The namespace, when the principal is not a wildcard match. */
    public readonly namespace?: string,
    /** The service account, when the principal is not a wildcard match. */
    public readonly serviceAccount?: string,
  ) {}

  /** The SPIFFE URI of the certificate (`spiffe://…`), for display; never use it in a policy. */
  public get spiffeId(): string {
    return `${SPIFFE_SCHEME}${this.principal}`;
  }

  public toString(): string {
    return this.principal;
  }

  /** @internal */
  public _toKube(): string {
    return this.principal;
  }
}

function checkTrustDomain(trustDomain: string): void {
  const errs = dns1123SubdomainErrors(trustDomain);
  if (errs.length > 0) {
    fail('Identity', `'trustDomain' must be a DNS-1123 subdomain such as "cluster.local", got ${show(trustDomain)}: ${errs.join('; ')}`);
  }
}
