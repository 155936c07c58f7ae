import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkDns1123Label, checkObjectName, checkPort, fail, show } from '../vocabulary/checks';

const OWNER = 'EnforcementProbe';

/** Properties of {@link EnforcementProbe}. */
export interface EnforcementProbeProps {
  /** DNS name of the Service that must enforce STRICT mTLS, e.g. `my-service.production.svc.cluster.local`. */
  readonly host: string;

  /**
   * The Service port, plain HTTP.
   * @default 80
   */
  readonly port?: number;

  /**
   * The path requested. Point it at something that answers without
   * authentication and not with 503 (see `meshNamespace`).
   * @default '/'
   */
  readonly path?: string;

  /**
   * Namespace of the plaintext probe. Its pod opts out of injection with the
   * pod-template label `sidecar.istio.io/inject: "false"`; use a namespace
   * outside the mesh (no `istio-injection=enabled`) so that nothing else
   * adds a proxy.
   */
  readonly plaintextNamespace: string;

  /**
   * Namespace, injected (`istio-injection=enabled` or `istio.io/rev`), of the
   * mTLS probe, which must get an HTTP answer. Its sidecar sends Istio mTLS;
   * a 503 counts as failure because that is what the client's own proxy
   * answers when the mTLS handshake fails.
   * @default - no mTLS probe
   */
  readonly meshNamespace?: string;

  /**
   * Base name of the Jobs: `<name>-plaintext` and `<name>-mtls`.
   * @default 'mtls-enforcement-probe'
   */
  readonly name?: string;

  /**
   * The image: any image with `/bin/sh` and `curl`.
   * @default 'curlimages/curl:8.10.1'
   */
  readonly image?: string;

  /**
   * Requests tried before giving up on an inconclusive answer (DNS failure,
   * connection refused, timeout: the Service may not be ready yet). An
   * accepted plaintext request fails the probe at once.
   * @default 5
   */
  readonly attempts?: number;

  /**
   * Seconds between attempts.
   * @default 5
   */
  readonly retryDelaySeconds?: number;

  /**
   * curl `--connect-timeout` in seconds.
   * @default 5
   */
  readonly connectTimeoutSeconds?: number;

  /**
   * curl `--max-time` for one request, in seconds.
   * @default 10
   */
  readonly maxTimeSeconds?: number;

  /**
   * How long finished Jobs (and their logs) stay before Kubernetes deletes them.
   * @default 600
   */
  readonly ttlSecondsAfterFinished?: number;
}

/** What the plaintext probe's exit status means; printed in its log as `RESULT: …`. */
export const PLAINTEXT_PROBE_EXIT = { enforced: 0, notEnforced: 1, inconclusive: 2 } as const;
/** What the mTLS probe's exit status means. */
export const MTLS_PROBE_EXIT = { ok: 0, failed: 1 } as const;

/** curl exit codes, for the log. */
const CURL_REASONS = `reason() {
  case "$1" in
    0) echo "HTTP response" ;;
    6) echo "could not resolve host" ;;
    7) echo "connection refused" ;;
    28) echo "timed out" ;;
    52) echo "empty reply from server" ;;
    55) echo "failed sending data: connection reset" ;;
    56) echo "receive failure: connection reset by peer" ;;
    *) echo "curl exit $1" ;;
  esac
}`;

const REQUEST = `request() {
  code=$(curl -s -o /dev/null -w '%{http_code}' --connect-timeout "$CONNECT_TIMEOUT" --max-time "$MAX_TIME" "$TARGET_URL")
  rc=$?
}`;

/**
 * The plaintext probe. A STRICT sidecar has no plaintext filter chain, so it
 * closes the connection: curl reports 56 (reset by peer), 52 (empty reply)
 * or 55 (reset while sending). Any HTTP answer means plaintext got through.
 */
const PLAINTEXT_SCRIPT = `set -u
${CURL_REASONS}
${REQUEST}
attempt=1
while [ "$attempt" -le "$ATTEMPTS" ]; do
  request
  echo "attempt $attempt/$ATTEMPTS: plaintext GET $TARGET_URL: $(reason "$rc") (curl exit $rc, HTTP $code)"
  case "$rc" in
    0)
      echo "RESULT: NOT ENFORCED - plaintext request answered with HTTP $code; the server accepts plaintext"
      exit ${PLAINTEXT_PROBE_EXIT.notEnforced} ;;
    52|55|56)
      echo "RESULT: ENFORCED - plaintext connection reset by the server (curl exit $rc)"
      exit ${PLAINTEXT_PROBE_EXIT.enforced} ;;
  esac
  attempt=$((attempt + 1))
  [ "$attempt" -le "$ATTEMPTS" ] && sleep "$RETRY_DELAY"
done
echo "RESULT: INCONCLUSIVE - no attempt reached the server's proxy (last: $(reason "$rc")); check the host, port and endpoints"
exit ${PLAINTEXT_PROBE_EXIT.inconclusive}
`;

/**
 * The mTLS probe, from an injected pod: its sidecar originates Istio mTLS.
 * Success is an HTTP answer other than 503 (what the client's proxy answers
 * when the handshake fails). The sidecar is stopped at the end through the
 * agent's /quitquitquit, or the Job would never complete.
 */
const MTLS_SCRIPT = `set -u
${CURL_REASONS}
${REQUEST}
finish() {
  curl -s -o /dev/null -X POST http://127.0.0.1:15020/quitquitquit || true
  exit "$1"
}
attempt=1
while [ "$attempt" -le "$ATTEMPTS" ]; do
  request
  echo "attempt $attempt/$ATTEMPTS: GET $TARGET_URL through the sidecar: $(reason "$rc") (curl exit $rc, HTTP $code)"
  if [ "$rc" -eq 0 ] && [ "$code" != "000" ] && [ "$code" != "503" ]; then
    echo "RESULT: MTLS OK - HTTP $code over Istio mTLS"
    finish ${MTLS_PROBE_EXIT.ok}
  fi
  attempt=$((attempt + 1))
  [ "$attempt" -le "$ATTEMPTS" ] && sleep "$RETRY_DELAY"
done
echo "RESULT: MTLS FAILED - no HTTP answer other than 503 (last: $(reason "$rc"), HTTP $code); check that this pod has a sidecar and the server's certificates"
finish ${MTLS_PROBE_EXIT.failed}
`;

function checkInteger(prop: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(OWNER, `'${prop}' must be an integer between ${min} and ${max}, got ${show(value)}`);
  }
  return value;
}

/**
 * Verifies, in the cluster, that a Service enforces STRICT mTLS — the guide's
 * "Testing with curl from Within Pods" as Jobs a pipeline applies after a
 * deploy and waits for:
 *
 * - `<name>-plaintext` (primary child `Resource`), in a namespace without
 *   injection and with `sidecar.istio.io/inject: "false"`: completes only if
 *   the server resets its plaintext request;
 * - `<name>-mtls` (child `Mtls`, when `meshNamespace` is set), in an injected
 *   namespace: completes only if the request through its sidecar is answered.
 *
 * The Jobs are plain `ApiObject`s of kind Job (batch/v1), not cdk8s-plus
 * constructs, so the library works with any cdk8s-plus line (or none).
 * Output is deterministic: no generated names, no timestamps.
 */
export class EnforcementProbe extends Construct {
  /** The plaintext probe Job. */
  public readonly plaintextJob: ApiObject;
  /** The mTLS probe Job, when `meshNamespace` is set. */
  public readonly mtlsJob?: ApiObject;
  /** The URL probed. */
  public readonly url: string;

  public constructor(scope: Construct, id: string, props: EnforcementProbeProps) {
    super(scope, id);
    if (typeof props.host !== 'string') fail(OWNER, `'host' must be the DNS name of a Service, got ${show(props.host)}`);
    checkObjectName(OWNER, 'host', props.host);
    const port = checkPort(OWNER, 'port', props.port ?? 80);
    const path = props.path ?? '/';
    if (typeof path !== 'string' || !/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/.test(path) || path.length > 1024) {
      fail(OWNER, `'path' must start with "/" and use only URL characters (no spaces, quotes or #), got ${show(path)}`);
    }
    checkDns1123Label(OWNER, 'plaintextNamespace', props.plaintextNamespace);
    if (props.meshNamespace !== undefined) checkDns1123Label(OWNER, 'meshNamespace', props.meshNamespace);
    const name = props.name ?? 'mtls-enforcement-probe';
    checkDns1123Label(OWNER, 'name', name);
    if (name.length > 53) fail(OWNER, `'name' must be at most 53 characters, so that "${name}-plaintext" is a valid Job name, got ${show(name)} (${name.length})`);
    const image = props.image ?? 'curlimages/curl:8.10.1';
    if (typeof image !== 'string' || !/^[^\s]+$/.test(image)) fail(OWNER, `'image' must be an image reference without spaces, got ${show(image)}`);
    const attempts = checkInteger('attempts', props.attempts ?? 5, 1, 20);
    const retryDelay = checkInteger('retryDelaySeconds', props.retryDelaySeconds ?? 5, 0, 60);
    const connectTimeout = checkInteger('connectTimeoutSeconds', props.connectTimeoutSeconds ?? 5, 1, 60);
    const maxTime = checkInteger('maxTimeSeconds', props.maxTimeSeconds ?? 10, 1, 300);
    if (maxTime < connectTimeout) fail(OWNER, `'maxTimeSeconds' (${maxTime}) must be at least 'connectTimeoutSeconds' (${connectTimeout})`);
    const ttl = checkInteger('ttlSecondsAfterFinished', props.ttlSecondsAfterFinished ?? 600, 0, 7 * 24 * 3600);

    this.url = `http://${props.host}:${port}${path}`;
    const common = {
      image,
      attempts,
      retryDelay,
      connectTimeout,
      maxTime,
      ttl,
      url: this.url,
      // every attempt, plus two minutes for scheduling, image pull and the sidecar to start
      deadline: attempts * (maxTime + retryDelay) + 120,
    };

    this.plaintextJob = probeJob(this, 'Resource', {
      ...common,
      name: `${name}-plaintext`,
      namespace: props.plaintextNamespace,
      component: 'plaintext',
      script: PLAINTEXT_SCRIPT,
      podLabels: { 'sidecar.istio.io/inject': 'false' },
      podAnnotations: {},
    });
    if (props.meshNamespace !== undefined) {
      this.mtlsJob = probeJob(this, 'Mtls', {
        ...common,
        name: `${name}-mtls`,
        namespace: props.meshNamespace,
        component: 'mtls',
        script: MTLS_SCRIPT,
        podLabels: { 'sidecar.istio.io/inject': 'true' },
        // curl must not run before the sidecar is ready: its request would find no proxy and fail
        podAnnotations: { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}' },
      });
    }
  }
}

interface JobSpec {
  readonly name: string;
  readonly namespace: string;
  readonly component: string;
  readonly script: string;
  readonly podLabels: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  readonly image: string;
  readonly url: string;
  readonly attempts: number;
  readonly retryDelay: number;
  readonly connectTimeout: number;
  readonly maxTime: number;
  readonly ttl: number;
  readonly deadline: number;
}

function probeJob(scope: Construct, id: string, j: JobSpec): ApiObject {
  const labels = { 'app.kubernetes.io/name': 'mtls-enforcement-probe', 'app.kubernetes.io/component': j.component };
  return new ApiObject(scope, id, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: j.name, namespace: j.namespace, labels },
    spec: {
      // one pod: the script retries by itself, and a failed pod is the verdict
      backoffLimit: 0,
      activeDeadlineSeconds: j.deadline,
      ttlSecondsAfterFinished: j.ttl,
      template: {
        metadata: {
          labels: { ...labels, ...j.podLabels },
          ...(Object.keys(j.podAnnotations).length > 0 ? { annotations: j.podAnnotations } : {}),
        },
        spec: {
          restartPolicy: 'Never',
          ...(j.component === 'plaintext' ? { automountServiceAccountToken: false } : {}),
          containers: [{
            name: 'probe',
            image: j.image,
            command: ['/bin/sh', '-c', j.script],
            env: [
              { name: 'TARGET_URL', value: j.url },
              { name: 'ATTEMPTS', value: String(j.attempts) },
              { name: 'RETRY_DELAY', value: String(j.retryDelay) },
              { name: 'CONNECT_TIMEOUT', value: String(j.connectTimeout) },
              { name: 'MAX_TIME', value: String(j.maxTime) },
            ],
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
            // On the container, not the pod: an injected pod's istio-init runs as root.
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 100, // curl_user in curlimages/curl
              runAsGroup: 101,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
          }],
        },
      },
    },
  });
}
