import { Construct } from 'constructs';
import { metadataOf, namespaceOf, optionalName } from './scope';
import { checkSelectorAtSynth, matchLabelsOf } from './workload-policy';
import {
  AuthorizationPolicy, AuthorizationPolicySpecAction, AuthorizationPolicySpecRules, AuthorizationPolicySpecRulesFrom,
} from '../../imports/security.istio.io';
import { MtlsValidation } from '../cdk8s/mtls-validation';
import { AccessAction } from '../vocabulary/access-action';
import { checkDns1123Label, checkPort, fail, show } from '../vocabulary/checks';
import { Identity } from '../vocabulary/identity';
import { WorkloadSelector } from '../vocabulary/workload-selector';

/**
 * One rule of a {@link ServiceAccess}: who (identities or namespaces) may do
 * what (methods, paths, ports). Sources are alternatives (any identity or any
 * namespace matches); operation fields must all match.
 */
export interface AccessRule {
  /**
   * Workload identities (mTLS principals) the rule matches.
   * @default - any identity
   */
  readonly identities?: Identity[];

  /**
   * Source namespaces (from the peer certificate) the rule matches.
   * @default - any namespace
   */
  readonly namespaces?: string[];

  /**
   * HTTP methods, upper case.
   * @default - any method
   */
  readonly methods?: string[];

  /**
   * Request paths; `*` as a prefix or suffix matches a range (`/api/v1/payments/*`).
   * @default - any path
   */
  readonly paths?: string[];

  /**
   * Destination **container ports**.
   * @default - any port
   */
  readonly ports?: number[];
}

/** Properties of {@link ServiceAccess}. */
export interface ServiceAccessProps {
  /**
   * The workloads the policy protects.
   * @default - every workload in the namespace
   */
  readonly selector?: WorkloadSelector;

  /**
   * ALLOW (requests that match no rule are denied) or DENY.
   * @default AccessAction.ALLOW
   */
  readonly action?: AccessAction;

  /**
   * The rules, in order. More can be added with `addRule()`; at least one is needed.
   * @default - none
   */
  readonly rules?: AccessRule[];

  /**
   * The namespace of the workloads.
   * @default - the chart's namespace (required if the chart has none)
   */
  readonly namespace?: string;

  /**
   * The AuthorizationPolicy name.
   * @default - a name cdk8s generates from the construct path
   */
  readonly name?: string;
}

const HTTP_METHOD = /^[A-Z]+$/;

/**
 * An AuthorizationPolicy (ALLOW or DENY) built from typed identities,
 * namespaces and operations: mTLS authenticates the peer, this policy
 * decides what it may call. Identity and namespace sources only match mTLS
 * traffic, so the protected ports should be STRICT.
 *
 * The construct is the AuthorizationPolicy itself (an `ApiObject`).
 */
export class ServiceAccess extends AuthorizationPolicy {
  /** The namespace the policy is written in. */
  public readonly namespace: string;
  private readonly rules: AuthorizationPolicySpecRules[];

  public constructor(scope: Construct, id: string, props: ServiceAccessProps = {}) {
    const namespace = namespaceOf('ServiceAccess', scope, props.namespace, 'an AuthorizationPolicy applies only in its own namespace');
    const name = optionalName('ServiceAccess', props.name);
    const action = props.action ?? AccessAction.ALLOW;
    if (!(action instanceof AccessAction)) {
      fail('ServiceAccess', `'action' must be AccessAction.ALLOW or AccessAction.DENY, got ${show(action)}`);
    }
    const selector = props.selector;
    if (selector !== undefined && !(selector instanceof WorkloadSelector)) {
      fail('ServiceAccess', `'selector' must be a WorkloadSelector, got ${show(selector)}`);
    }
    // Rules are checked and rendered before the object exists, so a bad one leaves no half-built construct.
    const rules = (props.rules ?? []).map((rule, i) => renderRule(`rules[${i}]`, rule));

    super(scope, id, {
      metadata: metadataOf(name, namespace),
      spec: {
        selector: selector ? { matchLabels: matchLabelsOf(selector) } : undefined,
        action: action._toKube() as AuthorizationPolicySpecAction,
        // The list itself: addRule() appends to it, and cdk8s reads it at synthesis.
        rules,
      },
    });
    MtlsValidation.enable(this);
    this.namespace = namespace;
    this.rules = rules;
    if (selector) checkSelectorAtSynth(this, 'ServiceAccess', selector, namespace);
    MtlsValidation.addCheck(this, () => [
      ...(this.rules.length === 0
        ? [`[ServiceAccess] policy "${this.namespace}/${this.name}" has no rules: ${action === AccessAction.ALLOW ? 'an ALLOW policy without rules denies every request' : 'a DENY policy without rules denies nothing'}; add one with 'rules' or addRule()`]
        : []),
    ]);
  }

  /** Adds a rule (checked now; rendered in order). */
  public addRule(rule: AccessRule): void {
    this.rules.push(renderRule(`rules[${this.rules.length}]`, rule));
  }
}

/** Checks a rule and renders it (`at` names it in messages). */
function renderRule(at: string, rule: AccessRule): AuthorizationPolicySpecRules {
  const owner = 'ServiceAccess';
  const identities = rule.identities ?? [];
  const namespaces = rule.namespaces ?? [];
  const methods = rule.methods ?? [];
  const paths = rule.paths ?? [];
  const ports = rule.ports ?? [];
  if (identities.length + namespaces.length + methods.length + paths.length + ports.length === 0) {
    fail(owner, `'${at}' must name at least one identity, namespace, method, path or port: an empty rule matches every request`);
  }
  identities.forEach((id, i) => {
    if (!(id instanceof Identity)) {
      fail(owner, `'${at}.identities[${i}]' must be an Identity (Identity.serviceAccount(ns, sa) or Identity.principal(...)), got ${show(id)}`);
    }
  });
  namespaces.forEach((ns, i) => checkDns1123Label(owner, `${at}.namespaces[${i}]`, ns));
  methods.forEach((m, i) => {
    if (typeof m !== 'string' || !HTTP_METHOD.test(m)) fail(owner, `'${at}.methods[${i}]' must be an upper-case HTTP method such as GET or POST, got ${show(m)}`);
  });
  paths.forEach((p, i) => {
    if (typeof p !== 'string' || !(p.startsWith('/') || p.startsWith('*'))) {
      fail(owner, `'${at}.paths[${i}]' must start with "/" (or "*" for a suffix match), got ${show(p)}`);
    }
  });
  const portStrings = ports.map((p, i) => String(checkPort(owner, `${at}.ports[${i}]`, p)));

  const from: AuthorizationPolicySpecRulesFrom[] = [
    ...(identities.length > 0 ? [{ source: { principals: identities.map((id) => id._toKube()) } }] : []),
    ...(namespaces.length > 0 ? [{ source: { namespaces: [...namespaces] } }] : []),
  ];
  const operation = {
    methods: methods.length > 0 ? [...methods] : undefined,
    paths: paths.length > 0 ? [...paths] : undefined,
    ports: portStrings.length > 0 ? portStrings : undefined,
  };
  const hasOperation = methods.length + paths.length + ports.length > 0;
  return {
    from: from.length > 0 ? from : undefined,
    to: hasOperation ? [{ operation }] : undefined,
  };
}
