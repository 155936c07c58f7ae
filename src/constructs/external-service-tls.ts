import { Construct } from 'constructs';
import { metadataOf, namespaceOf, optionalName } from './scope';
import { checkSelectorAtSynth, matchLabelsOf } from './workload-policy';
import { DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode } from '../../imports/networking.istio.io';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { checkNonEmpty, checkObjectName, fail, show } from '../vocabulary/checks';
import { dns1123SubdomainErrors } from '../vocabulary/kube-names';
import { WorkloadSelector } from '../vocabulary/workload-selector';

/** Properties of {@link ExternalServiceTls}. */
export interface ExternalServiceTlsProps {
  /** The external host, e.g. `api.external-provider.com` or `*.example.com`. */
  readonly host: string;

  /**
   * The SNI to present in the TLS handshake.
   * @default - the host, when it is not a wildcard; none otherwise
   */
  readonly sni?: string;

  /**
   * Path (inside the proxy) of the CA bundle used to verify the server certificate.
   * Not allowed with `credentialName`.
   * @default - the proxy's default trust store
   */
  readonly caCertificates?: string;

  /**
   * Name of the Secret holding the CA certificate (`ca.crt`), read by the proxy
   * through SDS. Not allowed with `caCertificates`; needs `selector`: Istio
   * 1.30 sidecars build no TLS from a credential in a rule without a
   * workloadSelector and send plaintext (cluster_tls.go).
   * @default - none
   */
  readonly credentialName?: string;

  /**
   * The client workloads the rule applies to (`workloadSelector`); required
   * with `credentialName`.
   * @default - every client the rule reaches
   */
  readonly selector?: WorkloadSelector;

  /**
   * Names to verify in the server certificate.
   * @default - the SNI, when there is one: with an explicit `sni` and no SANs
   * Istio 1.30 checks no server name at all (cluster_tls.go
   * setAutoSniAndAutoSanValidation); without `sni` the proxy checks the
   * requested host itself (auto SAN validation)
   */
  readonly subjectAltNames?: string[];

  /**
   * The namespace the rule is written in (it applies to clients in that namespace).
   * @default - the chart's namespace (required if the chart has none)
   */
  readonly namespace?: string;

  /**
   * The DestinationRule name.
   * @default - a name cdk8s generates from the construct path
   */
  readonly name?: string;
}

function hostErrors(host: string): string[] {
  const bare = host.startsWith('*.') ? host.slice(2) : host;
  return dns1123SubdomainErrors(bare);
}

/**
 * A DestinationRule that originates standard TLS (`tls.mode: SIMPLE`) to a
 * service outside the mesh, with SNI and optional CA verification. Istio mTLS
 * cannot be used with endpoints that have no sidecar.
 *
 * The construct is the DestinationRule itself (an `ApiObject`).
 */
export class ExternalServiceTls extends DestinationRule {
  public constructor(scope: Construct, id: string, props: ExternalServiceTlsProps) {
    const owner = 'ExternalServiceTls';
    const namespace = namespaceOf(owner, scope, props.namespace, 'a DestinationRule is looked up in the client, service or root namespace');
    const name = optionalName(owner, props.name);
    const hostErrs = typeof props.host === 'string' ? hostErrors(props.host) : ['must be a string'];
    if (hostErrs.length > 0) {
      fail(owner, `'host' must be a DNS name, optionally starting with "*.", got ${show(props.host)}: ${hostErrs.join('; ')}`);
    }
    const sni = props.sni ?? (props.host.startsWith('*') ? undefined : props.host);
    if (props.sni !== undefined) checkObjectName(owner, 'sni', props.sni);
    if (props.caCertificates !== undefined) checkNonEmpty(owner, 'caCertificates', props.caCertificates);
    if (props.credentialName !== undefined) checkObjectName(owner, 'credentialName', props.credentialName);
    if (props.caCertificates !== undefined && props.credentialName !== undefined) {
      fail(owner, "'caCertificates' and 'credentialName' are mutually exclusive: Istio reads the CA from the credential's Secret when 'credentialName' is set");
    }
    for (const san of props.subjectAltNames ?? []) checkNonEmpty(owner, 'subjectAltNames', san);
    if (props.selector !== undefined && !(props.selector instanceof WorkloadSelector)) {
      fail(owner, `'selector' must be a WorkloadSelector (WorkloadSelector.of({...}) or WorkloadSelector.fromWorkload(workload)), got ${show(props.selector)}`);
    }
    if (props.credentialName !== undefined && props.selector === undefined) {
      fail(owner, "'credentialName' needs 'selector': Istio sidecars ignore a credential in a DestinationRule without a workloadSelector "
        + "and send plaintext; select the client workloads, or give 'caCertificates' instead");
    }
    super(scope, id, {
      metadata: metadataOf(name, namespace),
      spec: {
        host: props.host,
        workloadSelector: props.selector ? { matchLabels: matchLabelsOf(props.selector) } : undefined,
        trafficPolicy: {
          tls: {
            mode: DestinationRuleSpecTrafficPolicyTlsMode.SIMPLE,
            sni,
            caCertificates: props.caCertificates,
            credentialName: props.credentialName,
            subjectAltNames: props.subjectAltNames ? [...props.subjectAltNames] : sni !== undefined ? [sni] : undefined,
          },
        },
      },
    });
    MtlsValidation.enable(this);
    if (props.selector) checkSelectorAtSynth(this, owner, props.selector, namespace);
  }
}
