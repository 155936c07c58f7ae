import { Construct } from 'constructs';
import { ClientTls } from './client-tls';
import { metadataOf } from './scope';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { EXPIRED_EXCEPTION } from '../model/exception-rules';
import { checkDns1123Label } from '../vocabulary/checks';
import { MtlsExceptionProps, checkWeakeningException, mtlsExceptionExpiryErrors } from '../vocabulary/mtls-exception';
import { MtlsMode, checkModeIn } from '../vocabulary/mtls-mode';

/** Properties of {@link MeshStrictMtls}. */
export interface MeshStrictMtlsProps {
  /**
   * The mesh root namespace (`meshConfig.rootNamespace`). A selector-less
   * PeerAuthentication there applies to the whole mesh.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * The mesh-wide mode: STRICT, or PERMISSIVE while migrating workloads to
   * the mesh (with `exception`). DISABLE and UNSET are refused: weaken single
   * workloads with `WorkloadException` instead.
   * @default MtlsMode.STRICT
   */
  readonly mode?: MtlsMode;

  /**
   * The documentation of a PERMISSIVE mesh, required with PERMISSIVE (and
   * refused with STRICT): written as `mtls.exception/*` annotations on the
   * mesh policy, and synthesis fails once its review date has passed, e.g.
   * the planned end of the migration.
   * @default - none: the mesh is STRICT
   */
  readonly exception?: MtlsExceptionProps;

  /**
   * Also emit the mesh DestinationRule `default` (host `*.local`,
   * `tls.mode: ISTIO_MUTUAL`) in the root namespace.
   *
   * Off by default: auto mTLS already sends Istio mTLS to every destination
   * with a sidecar and plaintext to the others. A forced ISTIO_MUTUAL rule
   * sends mTLS to destinations without a sidecar too, and those calls fail.
   * @default false
   */
  readonly meshDestinationRule?: boolean;
}

/**
 * The mesh-wide PeerAuthentication `default` in the root namespace: STRICT
 * (the secure default) or PERMISSIVE for migration, with an owned, expiring
 * `exception`, and optionally the mesh DestinationRule.
 *
 * The construct is the PeerAuthentication itself (an `ApiObject`).
 */
export class MeshStrictMtls extends PeerAuthentication {
  /** The mesh DestinationRule, when `meshDestinationRule` is set (a child of this construct). */
  public readonly clientTls?: ClientTls;
  /** The mesh-wide mode. */
  public readonly mode: MtlsMode;
  /** The root namespace. */
  public readonly rootNamespace: string;

  public constructor(scope: Construct, id: string, props: MeshStrictMtlsProps = {}) {
    const rootNamespace = props.rootNamespace ?? 'istio-system';
    checkDns1123Label('MeshStrictMtls', 'rootNamespace', rootNamespace);
    const mode = props.mode ?? MtlsMode.STRICT;
    checkModeIn('MeshStrictMtls', 'mode', mode, [MtlsMode.STRICT, MtlsMode.PERMISSIVE],
      'a mesh-wide policy may only be STRICT, or PERMISSIVE while migrating; weaken single workloads with WorkloadException');
    const exception = checkWeakeningException('MeshStrictMtls', {
      weakening: mode.acceptsPlaintext ? `'mode' is ${mode.name}` : undefined,
      where: ' for the whole mesh',
      unweakened: `'mode' is ${mode.name}`,
      alternative: ', e.g. by the planned end of the migration',
      exception: props.exception,
    });
    super(scope, id, {
      metadata: metadataOf('default', rootNamespace, exception?.annotations),
      spec: { mtls: { mode: mode._toKube() as PeerAuthenticationSpecMtlsMode } },
    });
    MtlsValidation.enable(this);
    this.rootNamespace = rootNamespace;
    this.mode = mode;
    if (exception) {
      MtlsValidation.addCheck(this, (now) =>
        mtlsExceptionExpiryErrors('MeshStrictMtls', exception, `${this.rootNamespace}/default`, 'exception.reviewBy', now), EXPIRED_EXCEPTION);
    }
    if (props.meshDestinationRule ?? false) {
      this.clientTls = new ClientTls(this, 'MeshDestinationRule', { rootNamespace: this.rootNamespace });
    }
  }
}
