import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { metadataOf } from './scope';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { EXPIRED_EXCEPTION } from '../model/exception-rules';
import { checkDns1123Label, fail } from '../vocabulary/checks';
import { MtlsExceptionProps, checkWeakeningException, mtlsExceptionExpiryErrors } from '../vocabulary/mtls-exception';
import { MtlsMode, checkModeIn } from '../vocabulary/mtls-mode';
import { SidecarInjection } from '../vocabulary/sidecar-injection';

/** Properties of {@link NamespaceMtls}. */
export interface NamespaceMtlsProps {
  /** The namespace the policy applies to (and is written in). */
  readonly namespace: string;

  /**
   * The namespace-wide mode. UNSET inherits the mesh mode. PERMISSIVE and
   * DISABLE weaken mTLS for the whole namespace and need `exception`.
   * @default MtlsMode.STRICT
   */
  readonly mode?: MtlsMode;

  /**
   * The documentation of the weakening, required when `mode` is PERMISSIVE
   * or DISABLE (and refused otherwise): written as `mtls.exception/*`
   * annotations on the policy, and synthesis fails once its review date has
   * passed.
   * @default - none: the mode may only be STRICT or UNSET
   */
  readonly exception?: MtlsExceptionProps;

  /**
   * Label the namespace for sidecar injection. Needs `createNamespace` or
   * `existingNamespace`, the object that carries the label.
   * @default - the namespace's injection labels are not managed
   */
  readonly sidecarInjection?: SidecarInjection;

  /**
   * Emit the `v1` Namespace object (with the injection label, if any). It is
   * written after the policy: GitOps tools apply Namespaces first; with plain
   * `kubectl apply -f`, create the namespace first or apply twice.
   * @default false
   */
  readonly createNamespace?: boolean;

  /**
   * A Namespace defined elsewhere in the app (a cdk8s-plus `Namespace`, an
   * `ApiObject` of kind Namespace, …) to add the injection label to. Its name
   * must equal `namespace`.
   * @default - none
   */
  readonly existingNamespace?: IConstruct;
}

interface NamespaceApiObjectLike {
  readonly kind: string;
  readonly name: string;
  readonly metadata: { addLabel(key: string, value: string): void };
}

function findNamespaceObject(c: IConstruct): NamespaceApiObjectLike | undefined {
  const o = c as Partial<NamespaceApiObjectLike> & IConstruct;
  if (typeof o.kind === 'string' && typeof o.metadata?.addLabel === 'function' && typeof (o as { toJson?: unknown }).toJson === 'function') {
    return o as NamespaceApiObjectLike;
  }
  const child = c.node.defaultChild;
  return child ? findNamespaceObject(child) : undefined;
}

/**
 * The namespace-wide PeerAuthentication `default`, and optionally the
 * namespace's sidecar-injection label. STRICT by default; PERMISSIVE or
 * DISABLE only with an owned, expiring `exception`.
 *
 * The construct is the PeerAuthentication itself (an `ApiObject`).
 */
export class NamespaceMtls extends PeerAuthentication {
  /** The Namespace object, when `createNamespace` is set (a child of this construct, written after the policy). */
  public readonly namespaceObject?: ApiObject;
  /** The namespace. */
  public readonly namespace: string;
  /** The namespace-wide mode. */
  public readonly mode: MtlsMode;

  public constructor(scope: Construct, id: string, props: NamespaceMtlsProps) {
    checkDns1123Label('NamespaceMtls', 'namespace', props.namespace);
    const namespace = props.namespace;
    const mode = props.mode ?? MtlsMode.STRICT;
    checkModeIn('NamespaceMtls', 'mode', mode, MtlsMode.ALL);
    const exception = checkWeakeningException('NamespaceMtls', {
      weakening: mode.acceptsPlaintext ? `'mode' is ${mode.name}` : undefined,
      where: ` in namespace "${namespace}"`,
      unweakened: `'mode' is ${mode.name}`,
      alternative: ', or keep the namespace STRICT and weaken single workloads with WorkloadException',
      exception: props.exception,
    });

    if (props.createNamespace && props.existingNamespace) {
      fail('NamespaceMtls', "'createNamespace' and 'existingNamespace' are mutually exclusive: either emit the Namespace or label the one you have");
    }
    if (props.sidecarInjection && !props.createNamespace && !props.existingNamespace) {
      fail('NamespaceMtls', `'sidecarInjection' (${props.sidecarInjection}) needs 'createNamespace: true' or 'existingNamespace' to carry the label`);
    }
    const labels = props.sidecarInjection?._toKube();
    let existing: NamespaceApiObjectLike | undefined;
    if (props.existingNamespace) {
      existing = findNamespaceObject(props.existingNamespace);
      if (!existing || existing.kind !== 'Namespace') {
        fail('NamespaceMtls', `'existingNamespace' must be a Namespace (a cdk8s-plus Namespace or an ApiObject of kind Namespace), got ${existing ? `kind ${existing.kind}` : 'a construct with no ApiObject'} at "${props.existingNamespace.node.path}"`);
      }
      if (existing.name !== namespace) {
        fail('NamespaceMtls', `'existingNamespace' is named "${existing.name}", but 'namespace' is "${namespace}": label the namespace the policy applies to`);
      }
    }

    super(scope, id, {
      metadata: metadataOf('default', namespace, exception?.annotations),
      spec: { mtls: { mode: mode._toKube() as PeerAuthenticationSpecMtlsMode } },
    });
    MtlsValidation.enable(this);
    this.namespace = namespace;
    this.mode = mode;
    if (exception) {
      MtlsValidation.addCheck(this, (now) =>
        mtlsExceptionExpiryErrors('NamespaceMtls', exception, `${this.namespace}/default`, 'exception.reviewBy', now), EXPIRED_EXCEPTION);
    }
    if (props.createNamespace) {
      this.namespaceObject = new ApiObject(this, 'Namespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: this.namespace, labels },
      });
    }
    for (const [key, value] of Object.entries(labels ?? {})) existing?.metadata.addLabel(key, value);
  }
}
