import { Construct } from 'constructs';
import { DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode } from '../../imports/networking.istio.io';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { checkDns1123Label, checkObjectName, fail } from '../vocabulary/checks';

/** Properties of {@link ClientTls}. */
export interface ClientTlsProps {
  /**
   * The namespace whose services clients reach with Istio mTLS. The rule is
   * written in this namespace with host `*.<namespace>.svc.<clusterDomain>`.
   * @default - the whole mesh: host `*.local` in the root namespace
   */
  readonly namespace?: string;

  /**
   * The mesh root namespace (`meshConfig.rootNamespace`), where a mesh-wide rule lives.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * The cluster DNS domain, for the namespace-wide host.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * The DestinationRule name.
   * @default 'default'
   */
  readonly name?: string;
}

/**
 * A DestinationRule that makes clients use Istio mutual TLS
 * (`tls.mode: ISTIO_MUTUAL`) for every service of a namespace, or of the
 * whole mesh (`*.local` in the root namespace).
 *
 * Usually unnecessary: auto mTLS already sends Istio mTLS to every
 * destination that has a sidecar. Forcing ISTIO_MUTUAL also sends it to
 * destinations without a sidecar, which then fail. Use it when auto mTLS is
 * turned off or to pin the behaviour explicitly.
 *
 * The construct is the DestinationRule itself (an `ApiObject`).
 */
export class ClientTls extends DestinationRule {
  /** The namespace the rule is written in. */
  public readonly namespace: string;
  /** The host the rule matches. */
  public readonly host: string;

  public constructor(scope: Construct, id: string, props: ClientTlsProps = {}) {
    const rootNamespace = props.rootNamespace ?? 'istio-system';
    checkDns1123Label('ClientTls', 'rootNamespace', rootNamespace);
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    checkObjectName('ClientTls', 'clusterDomain', clusterDomain);
    const name = props.name ?? 'default';
    checkObjectName('ClientTls', 'name', name);
    if (props.namespace !== undefined) {
      checkDns1123Label('ClientTls', 'namespace', props.namespace);
      if (props.namespace === rootNamespace) {
        fail('ClientTls', `'namespace' is the root namespace "${rootNamespace}": omit 'namespace' for a mesh-wide rule (host *.local)`);
      }
    }
    const namespace = props.namespace ?? rootNamespace;
    const host = props.namespace !== undefined ? `*.${props.namespace}.svc.${clusterDomain}` : '*.local';
    super(scope, id, {
      metadata: { name, namespace },
      spec: {
        host,
        trafficPolicy: { tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } },
      },
    });
    MtlsValidation.enable(this);
    this.namespace = namespace;
    this.host = host;
  }
}
