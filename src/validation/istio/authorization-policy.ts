import {
  ALWAYS_REJECT_ANNOTATION, annotationsOf, arrayAt, checkAlwaysReject, checkWorkloadSelector, DRY_RUN_ANNOTATION, FindingSink,
  ipOrCidrProblem, isGoBool, isNonEmptyList, isPortString, isSetMessage, objectAt, Obj, Path, q, stringAt,
} from './common';
import {
  AttributeValues, conditionAttribute, MAX_SERVICE_ACCOUNTS, pathTemplateProblem, serviceAccountProblem, trustDomainProblem, wildcardValueProblem,
} from './security-values';
import { Finding } from '../../model/finding';
import { Manifest, ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';

const SOURCE = 'istio/istio pkg/config/validation/validation.go';
const SECURITY = 'istio/istio pkg/config/security/security.go';

function rule(code: string, severity: 'error' | 'warning', title: string, explanation: string, source: string): RuleInfo {
  return { code, category: 'webhook', severity, title, explanation, source };
}

/** What istiod's validating webhook checks on an AuthorizationPolicy (security.istio.io v1, v1beta1). */
export const AUTHORIZATION_POLICY_RULES: RuleInfo[] = [
  rule('IMV501', 'error', 'More than one of selector, targetRef and targetRefs',
    'A policy attaches either to workloads (selector) or to resources (targetRef / targetRefs), never both ways at once.',
    `${SOURCE} validateOneOfSelectorType`),
  rule('IMV502', 'error', 'Empty label key in selector',
    'A selector label needs a key; istiod rejects an empty one.', `${SOURCE} validateWorkloadSelector`),
  rule('IMV503', 'error', 'Wildcard in selector',
    'Workload selectors match labels exactly; istiod rejects "*" in a label key or value.', `${SOURCE} validateWorkloadSelector`),
  rule('IMV504', 'warning', 'Selector without labels',
    'A selector with no matchLabels makes the policy apply to every workload in the namespace (or the whole mesh in '
    + 'the root namespace). istiod accepts it with a warning.', `${SOURCE} validateWorkloadSelector`),
  rule('IMV505', 'error', 'targetRef without a name',
    'A policy target reference must name the resource it attaches to.', `${SOURCE} validatePolicyTargetReference`),
  rule('IMV506', 'error', 'Cross-namespace targetRef',
    'Policies can only target resources in their own namespace; istiod rejects a targetRef namespace.',
    `${SOURCE} validatePolicyTargetReference`),
  rule('IMV507', 'error', 'targetRef to an unsupported kind',
    'An AuthorizationPolicy can target a core Service, a networking.istio.io ServiceEntry, or a gateway.networking.k8s.io '
    + 'Gateway or GatewayClass; istiod rejects any other group/kind.', `${SOURCE} validatePolicyTargetReference`),
  rule('IMV508', 'error', 'CUSTOM action without rules',
    'A CUSTOM policy with no rules never matches, so the external authorizer is never called. An empty rule `{}` '
    + 'matches every request.', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV509', 'error', 'CUSTOM action without a provider name',
    'A CUSTOM policy delegates to an extension provider declared in meshConfig; it must name one. '
    + '(Whether that provider exists is only known to istiod: it is not checked offline.)', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV510', 'error', 'Identity source field in a CUSTOM policy',
    'CUSTOM policies cannot match on namespaces, serviceAccounts, trustDomains, principals or requestPrincipals (nor their '
    + 'not* forms); istiod rejects them.', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV511', 'error', 'Identity condition in a CUSTOM policy',
    'CUSTOM policies cannot use the conditions source.namespace, source.serviceAccount, source.trustDomain, source.principal '
    + 'or request.auth.*; istiod rejects them.', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV512', 'error', 'provider with a non-CUSTOM action',
    'Only a CUSTOM policy delegates to a provider; istiod rejects provider on ALLOW, DENY or AUDIT policies.',
    `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV513', 'error', 'DENY action without rules',
    'A DENY policy with no rules never matches, so it denies nothing. An empty rule `{}` denies every request.',
    `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV514', 'error', 'Null rule',
    'Each entry of rules must be a rule object. The CRD schema rejects a null entry first; istiod\'s decoder alone would '
    + 'read it as the empty rule `{}`, which matches every request, so it is reported rather than read that way.',
    `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV515', 'error', 'from entry without source',
    'Each entry of a rule\'s from list must hold a source.', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV516', 'error', 'serviceAccounts together with principals or namespaces',
    'serviceAccounts / notServiceAccounts cannot be combined with principals, notPrincipals, namespaces or notNamespaces '
    + 'in one source.', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV517', 'error', 'Empty source',
    'A source must set at least one field; an empty one is rejected (omit from to match any source).',
    `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV518', 'error', 'Invalid IP address or CIDR range',
    'ipBlocks, notIpBlocks, remoteIpBlocks and notRemoteIpBlocks take IP addresses or CIDR ranges as Go\'s net/netip '
    + 'parses them (no leading zeros, prefix length within the address size).', `${SECURITY} ValidateIPs`),
  rule('IMV519', 'error', 'Empty string in a match list',
    'An empty string in a source or operation list (principals, namespaces, ipBlocks, ports, methods, paths, hosts, ...) '
    + 'is rejected: it would match nothing useful.', `${SECURITY} CheckEmptyValues`),
  rule('IMV520', 'error', 'Malformed service account',
    'serviceAccounts entries are "<name>" (the policy\'s namespace) or "<namespace>/<name>", without wildcards, '
    + 'at most 320 bytes in UTF-8, at most 16 per list.', `${SECURITY} CheckServiceAccount`),
  rule('IMV521', 'error', 'to entry without operation',
    'Each entry of a rule\'s to list must hold an operation.', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV522', 'error', 'Empty operation',
    'An operation must set at least one of ports, methods, paths, hosts or their not* forms.',
    `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV523', 'error', 'Invalid port',
    'ports and notPorts are decimal port numbers written as strings, at most 65535.', `${SECURITY} ValidatePorts`),
  rule('IMV524', 'error', 'Invalid path template',
    'paths may use the templates {*} (one segment) and {**} (the rest, last); other braces and characters outside '
    + 'RFC 3986 path characters in a templated path are rejected.', `${SECURITY} CheckValidPathTemplate`),
  rule('IMV525', 'error', 'Condition without a key',
    'Each when condition must name the attribute it tests.', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV526', 'error', 'Condition without values',
    'A when condition must list values or notValues.', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV527', 'error', 'Unknown or unsupported condition key',
    'A when key must be one of the supported attributes (source.ip, remote.ip, source.namespace, source.principal, '
    + 'source.serviceAccount, source.trustDomain, request.auth.*, request.headers[...], destination.ip, destination.port, connection.sni, '
    + 'experimental.envoy.filters.*[...]); map attributes need the form name[key].', `${SECURITY} ValidateAttribute`),
  rule('IMV528', 'error', 'Invalid condition value',
    'Condition values must suit their key: no empty strings, IPs or CIDRs for *.ip, ports for destination.port, '
    + '"<ns>/<sa>" for source.serviceAccount, at most one "*" at the start or end for source.trustDomain.', `${SECURITY} ValidateAttribute`),
  rule('IMV529', 'warning', 'DENY rule with only HTTP attributes',
    'A DENY rule that matches only on HTTP attributes (methods, paths, hosts, request principals) cannot be evaluated on '
    + 'TCP traffic, so istiod denies all TCP traffic in its scope; istiod warns and recommends naming the ports. '
    + 'istiod counts a source that matches only trustDomains as HTTP-only too.',
    `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV530', 'error', 'Invalid dry-run annotation',
    `The ${DRY_RUN_ANNOTATION} annotation must be a boolean and is only supported on ALLOW and DENY policies.`,
    `${SOURCE} checkDryRunAnnotation`),
  rule('IMV531', 'error', 'Always-reject annotation',
    `istiod rejects every object carrying the ${ALWAYS_REJECT_ANNOTATION} annotation (a test hook).`,
    `${SOURCE} validateMetadata`),
  rule('IMV532', 'error', 'Invalid trust domain',
    'trustDomains and notTrustDomains take trust domain names such as "cluster.local", with at most one "*" at the start '
    + 'or end ("*", "prod-*", "*.example.com"); a "/" (a SPIFFE ID or a principal) is rejected.', `${SECURITY} CheckTrustDomainValues`),
];

const ALLOWED_TARGETS: readonly { group: string; kind: string }[] = [
  { group: 'core', kind: 'Service' },
  { group: 'networking.istio.io', kind: 'ServiceEntry' },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' },
];

/** The Action enum of security/v1beta1, by number: istiod decodes `action: 1` as DENY. */
const ACTIONS = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'];

/** Source lists checked only for empty strings (security.CheckEmptyValues); the IP lists are parsed too. */
const SOURCE_STRING_LISTS = [
  'principals', 'requestPrincipals', 'namespaces', 'ipBlocks', 'remoteIpBlocks',
  'notPrincipals', 'notRequestPrincipals', 'notNamespaces', 'notIpBlocks', 'notRemoteIpBlocks',
] as const;
const IP_LISTS = ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;
const SERVICE_ACCOUNT_LISTS = ['serviceAccounts', 'notServiceAccounts'] as const;
const TRUST_DOMAIN_LISTS = ['trustDomains', 'notTrustDomains'] as const;
/** Fields that make a source non-empty. */
const SOURCE_FIELDS = [...SOURCE_STRING_LISTS, ...SERVICE_ACCOUNT_LISTS, ...TRUST_DOMAIN_LISTS] as const;
/** Source fields istiod counts as applying to TCP traffic; trustDomains are not among them in Istio 1.30. */
const TCP_SOURCE_FIELDS = [
  'principals', 'notPrincipals', 'ipBlocks', 'notIpBlocks', 'namespaces', 'notNamespaces', 'remoteIpBlocks', 'notRemoteIpBlocks',
  'serviceAccounts', 'notServiceAccounts',
] as const;
const CUSTOM_UNSUPPORTED_SOURCE = [
  'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains',
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals',
] as const;
const CUSTOM_UNSUPPORTED_KEYS = ['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal'];
const OPERATION_LISTS = ['ports', 'methods', 'paths', 'hosts', 'notPorts', 'notMethods', 'notPaths', 'notHosts'] as const;

/** Istio's webhook rules for one AuthorizationPolicy. */
export function validateAuthorizationPolicy(manifest: Manifest, ref: ResourceRef): Finding[] {
  // Values istiod cannot decode (wrong JSON types) are reported for every Istio kind (any-kind.ts); here they are skipped.
  const sink = new FindingSink(ref, AUTHORIZATION_POLICY_RULES);
  const spec = objectAt(manifest.spec) ?? {};
  const action = actionOf(spec.action);

  checkDryRun(sink, manifest, action);
  checkAlwaysReject(sink, manifest, 'IMV531');
  checkAttachment(sink, spec);

  const rules = arrayAt(spec.rules);
  const noRules = isUnset(spec.rules);
  const provider = spec.provider;
  if (action === 'CUSTOM') {
    if (noRules) {
      sink.add('IMV508', ['spec', 'rules'],
        'action CUSTOM without rules never calls the provider: the policy has no rules to match',
        'add rules selecting the requests to send to the provider, or an empty rule `rules: [{}]` to send every request');
    } else if (!isSetMessage(provider) || !stringAt(objectAt(provider)?.name)) {
      sink.add('IMV509', ['spec', 'provider'],
        `action CUSTOM requires provider.name (got ${isSetMessage(provider) ? q(objectAt(provider)?.name ?? '') : 'no provider'}): it names the meshConfig extension provider to call`,
        'set spec.provider.name to an extensionProviders entry of your meshConfig, e.g. "ext-authz-grpc"');
    }
    rules?.forEach((r, i) => checkCustomRule(sink, r, i));
  }
  if (isSetMessage(provider) && action !== 'CUSTOM') {
    sink.add('IMV512', ['spec', 'provider'],
      `provider is only allowed with action CUSTOM, but action is ${action}`,
      'remove spec.provider, or set spec.action: CUSTOM to delegate the decision to that provider');
  }
  if (action === 'DENY' && noRules) {
    sink.add('IMV513', ['spec', 'rules'],
      'action DENY without rules denies nothing: the policy has no rules to match',
      'add rules selecting the requests to deny, or an empty rule `rules: [{}]` to deny every request');
  }

  rules?.forEach((r, i) => checkRule(sink, r, i, action));
  return sink.findings;
}

/** The action istiod decodes: a name, an enum number, or ALLOW when unset (or undecodable, reported elsewhere). */
function actionOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return ACTIONS[value] ?? String(value);
  return 'ALLOW';
}

/**
 * The strings of a list field as istiod decodes them: a null item is the
 * empty string; items of another type are skipped (they fail decoding, reported elsewhere).
 */
function decodedStrings(v: unknown): { value: string; index: number }[] {
  const out: { value: string; index: number }[] = [];
  arrayAt(v)?.forEach((item, index) => {
    if (typeof item === 'string') out.push({ value: item, index });
    else if (item === null) out.push({ value: '', index });
  });
  return out;
}

/** Unset as istiod decodes it: absent, null, or an empty list (decoded as a nil list). A wrong type counts as set. */
function isUnset(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

/** Whether a list entry is null, which istiod decodes as an empty message. */
function isNullEntry(v: unknown): boolean {
  return v === null || v === undefined;
}

// ---------------------------------------------------------------------------
// Metadata and attachment

function checkDryRun(sink: FindingSink, manifest: Manifest, action: string): void {
  const annotations = annotationsOf(manifest);
  if (!Object.prototype.hasOwnProperty.call(annotations, DRY_RUN_ANNOTATION)) return;
  const path = ['metadata', 'annotations', DRY_RUN_ANNOTATION];
  const value = annotations[DRY_RUN_ANNOTATION];
  if (action !== 'ALLOW' && action !== 'DENY') {
    sink.add('IMV530', path,
      `annotation ${DRY_RUN_ANNOTATION} only supports actions ALLOW and DENY, but action is ${action}`,
      `remove the ${DRY_RUN_ANNOTATION} annotation from this ${action} policy`);
  } else if (typeof value !== 'string' || !isGoBool(value)) {
    sink.add('IMV530', path,
      `annotation ${DRY_RUN_ANNOTATION} is ${q(value)}, not a boolean: allowed are true/false (also 1/0, t/f, TRUE/FALSE, True/False)`,
      `set ${DRY_RUN_ANNOTATION}: "true" to dry-run the policy, or remove the annotation`);
  }
}

function checkAttachment(sink: FindingSink, spec: Obj): void {
  const hasSelector = isSetMessage(spec.selector);
  const hasTargetRef = isSetMessage(spec.targetRef);
  const hasTargetRefs = isNonEmptyList(spec.targetRefs);
  const set = [hasSelector && 'selector', hasTargetRef && 'targetRef', hasTargetRefs && 'targetRefs'].filter((x): x is string => !!x);
  if (set.length > 1) {
    sink.add('IMV501', ['spec'],
      `only one of selector, targetRef and targetRefs can be set, but this policy sets ${set.join(' and ')}`,
      'keep selector to attach to workloads by label, or targetRef(s) to attach to a Service, ServiceEntry or Gateway');
  }
  checkWorkloadSelector(sink, spec.selector, ['spec', 'selector'], 'selector', { emptyKey: 'IMV502', wildcard: 'IMV503', noLabels: 'IMV504' });
  if (hasTargetRef) checkTargetRef(sink, objectAt(spec.targetRef)!, ['spec', 'targetRef'], 'targetRef');
  arrayAt(spec.targetRefs)?.forEach((t, i) => {
    // A null entry decodes as an empty reference.
    const target = isNullEntry(t) ? {} : objectAt(t);
    if (target) checkTargetRef(sink, target, ['spec', 'targetRefs', i], `targetRefs[${i}]`);
  });
}

function checkTargetRef(sink: FindingSink, target: Obj, path: Path, field: string): void {
  const name = stringAt(target.name) ?? '';
  const namespace = stringAt(target.namespace) ?? '';
  const group = stringAt(target.group) ?? '';
  const kind = stringAt(target.kind) ?? '';
  if (name === '') {
    sink.add('IMV505', [...path, 'name'], `${field}.name is empty: a target reference must name its resource`,
      `set ${field}.name to the name of the ${kind || 'Service'} the policy attaches to`);
  }
  if (namespace !== '') {
    sink.add('IMV506', [...path, 'namespace'],
      `${field}.namespace is ${q(namespace)}: cross-namespace references are not supported, the target must be in the policy's namespace`,
      `remove ${field}.namespace and create the policy in namespace ${q(namespace)} instead`);
  }
  const canonical = group === '' ? 'core' : group;
  if (!ALLOWED_TARGETS.some((t) => t.group === canonical && t.kind === kind)) {
    sink.add('IMV507', [...path, 'kind'],
      `${field} points to kind ${q(kind)} of group ${q(group)}: allowed are Service (group ""), ServiceEntry (networking.istio.io), Gateway or GatewayClass (gateway.networking.k8s.io)`,
      'use one of the supported group/kind pairs, or a selector to attach to workloads by label');
  }
}

// ---------------------------------------------------------------------------
// Rules

function checkCustomRule(sink: FindingSink, raw: unknown, i: number): void {
  const r = objectAt(raw);
  if (!r) return;
  arrayAt(r.from)?.forEach((f, j) => {
    const src = objectAt(objectAt(f)?.source);
    if (!src) return;
    for (const field of CUSTOM_UNSUPPORTED_SOURCE) {
      if (isNonEmptyList(src[field])) {
        sink.add('IMV510', ['spec', 'rules', i, 'from', j, 'source', field],
          `source.${field} is not supported with action CUSTOM: a CUSTOM policy can match sources only by ipBlocks, remoteIpBlocks (and their not* forms)`,
          `move the ${field} match into an ALLOW or DENY policy, or let the external authorizer check the identity`);
      }
    }
  });
  arrayAt(r.when)?.forEach((w, j) => {
    const key = stringAt(objectAt(w)?.key);
    if (key === undefined) return;
    if (CUSTOM_UNSUPPORTED_KEYS.includes(key) || key.startsWith('request.auth.')) {
      sink.add('IMV511', ['spec', 'rules', i, 'when', j, 'key'],
        `condition key ${q(key)} is not supported with action CUSTOM: identity and request.auth.* attributes cannot be matched there`,
        'match the identity in an ALLOW or DENY policy, or let the external authorizer check it');
    }
  });
}

function checkRule(sink: FindingSink, raw: unknown, i: number, action: string): void {
  const base: Path = ['spec', 'rules', i];
  const r = objectAt(raw);
  if (!r) {
    if (isNullEntry(raw)) {
      sink.add('IMV514', base, `rules[${i}] is null, not a rule`,
        'remove the entry, or write `{}` for a rule that matches every request');
    }
    return;
  }
  let fromExists = false;
  let tcpInFrom = false;
  let toExists = false;
  let tcpInTo = false;

  arrayAt(r.from)?.forEach((f, j) => {
    const path: Path = [...base, 'from', j];
    const entry = isNullEntry(f) ? {} : objectAt(f);
    if (!entry) return;
    if (isNullEntry(entry.source)) {
      sink.add('IMV515', isNullEntry(f) ? path : [...path, 'source'],
        `rules[${i}].from[${j}] has no source: each from entry must hold a source`,
        'write the entry as `- source: {principals: [...]}`, or remove it');
      return;
    }
    const src = objectAt(entry.source);
    if (!src) return;
    fromExists = true;
    checkSource(sink, src, [...path, 'source'], i);
    if (TCP_SOURCE_FIELDS.some((field) => !isUnset(src[field]))) tcpInFrom = true;
  });

  arrayAt(r.to)?.forEach((t, j) => {
    const path: Path = [...base, 'to', j];
    const entry = isNullEntry(t) ? {} : objectAt(t);
    if (!entry) return;
    if (isNullEntry(entry.operation)) {
      sink.add('IMV521', isNullEntry(t) ? path : [...path, 'operation'],
        `rules[${i}].to[${j}] has no operation: each to entry must hold an operation`,
        'write the entry as `- operation: {ports: [...]}`, or remove it');
      return;
    }
    const op = objectAt(entry.operation);
    if (!op) return;
    toExists = true;
    checkOperation(sink, op, [...path, 'operation'], i);
    if (!isUnset(op.ports) || !isUnset(op.notPorts)) tcpInTo = true;
  });

  arrayAt(r.when)?.forEach((w, j) => checkCondition(sink, w, [...base, 'when', j], i, j));

  if (action === 'DENY' && ((fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo))) {
    sink.add('IMV529', base,
      `DENY rules[${i}] matches only HTTP attributes, so it denies all TCP traffic to the workloads in scope, whatever the port`,
      'add to.operation.ports naming the HTTP ports this rule is about, so TCP ports are left alone');
  }
}

function checkSource(sink: FindingSink, src: Obj, path: Path, i: number): void {
  const identity = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].filter((f) => isNonEmptyList(src[f]));
  const accounts = SERVICE_ACCOUNT_LISTS.filter((f) => isNonEmptyList(src[f]));
  if (identity.length > 0 && accounts.length > 0) {
    sink.add('IMV516', path,
      `source sets ${accounts.join(' and ')} together with ${identity.join(' and ')}: serviceAccounts cannot be combined with principals or namespaces`,
      `split rules[${i}] into two from entries, one with ${accounts[0]} and one with ${identity[0]}, or express everything as principals`);
  }
  if (SOURCE_FIELDS.every((f) => isUnset(src[f]))) {
    sink.add('IMV517', path,
      `rules[${i}] has an empty source: set at least one of principals, namespaces, serviceAccounts, trustDomains, ipBlocks, requestPrincipals (or a not* form)`,
      'fill the source in, or remove the from entry to match requests from any source');
  }
  for (const field of [...SOURCE_STRING_LISTS, ...TRUST_DOMAIN_LISTS]) {
    for (const { value, index } of decodedStrings(src[field])) {
      if (value === '') {
        sink.add('IMV519', [...path, field, index], `source.${field}[${index}] is an empty string: empty values are not allowed`,
          `remove the empty entry from ${field}, or use "*" to match any present value`);
      }
    }
  }
  for (const field of IP_LISTS) {
    for (const { value, index } of decodedStrings(src[field])) {
      if (value === '') continue;
      const problem = ipOrCidrProblem(value);
      if (problem) {
        sink.add('IMV518', [...path, field, index],
          `source.${field}[${index}] ${q(value)} is not an IP address or CIDR range: ${problem}`,
          'write an address such as "10.1.2.3" or a range such as "10.1.0.0/16" (no leading zeros)');
      }
    }
  }
  for (const field of SERVICE_ACCOUNT_LISTS) {
    const list = arrayAt(src[field]);
    if (list && list.length > MAX_SERVICE_ACCOUNTS) {
      sink.add('IMV520', [...path, field], `source.${field} has ${list.length} entries: at most ${MAX_SERVICE_ACCOUNTS} are allowed`,
        `split the rule into several from entries of at most ${MAX_SERVICE_ACCOUNTS} service accounts each`);
    }
    for (const { value, index } of decodedStrings(src[field])) {
      if (value === '') {
        sink.add('IMV519', [...path, field, index], `source.${field}[${index}] is an empty string: empty values are not allowed`,
          `remove the empty entry from ${field}`);
        continue;
      }
      const problem = serviceAccountProblem(value);
      if (problem) {
        sink.add('IMV520', [...path, field, index], `source.${field}[${index}] ${q(value)} ${problem}`,
          'write "<name>" for a service account of the policy\'s namespace or "<namespace>/<name>" for another one');
      }
    }
  }
  for (const field of TRUST_DOMAIN_LISTS) {
    for (const { value, index } of decodedStrings(src[field])) {
      const problem = value === '' ? undefined : trustDomainProblem(value);
      if (problem) {
        sink.add('IMV532', [...path, field, index], `source.${field}[${index}] ${q(value)} is not a trust domain: ${problem}`,
          'write the trust domain alone, e.g. "cluster.local", or with one "*" at its start or end, e.g. "*.example.com"');
      }
    }
  }
}

function checkOperation(sink: FindingSink, op: Obj, path: Path, i: number): void {
  if (OPERATION_LISTS.every((f) => isUnset(op[f]))) {
    sink.add('IMV522', path,
      `rules[${i}] has an empty operation: set at least one of ports, methods, paths, hosts (or a not* form)`,
      'fill the operation in, or remove the to entry to match any operation');
  }
  for (const field of OPERATION_LISTS) {
    for (const { value, index } of decodedStrings(op[field])) {
      const at: Path = [...path, field, index];
      if (value === '') {
        sink.add('IMV519', at, `operation.${field}[${index}] is an empty string: empty values are not allowed`,
          `remove the empty entry from ${field}`);
        continue;
      }
      if ((field === 'ports' || field === 'notPorts') && !isPortString(value)) {
        sink.add('IMV523', at, `operation.${field}[${index}] ${q(value)} is not a port: write a decimal number from 0 to 65535`,
          'write the port number as a string, e.g. "8080" (ranges and names are not supported)');
      }
      if (field === 'paths' || field === 'notPaths') {
        const problem = pathTemplateProblem(value);
        if (problem) {
          sink.add('IMV524', at, `operation.${field}[${index}] ${q(value)} is not a supported path: ${problem}`,
            'use "{*}" for one segment and "{**}" only as the last template, or a plain path with a leading or trailing "*"');
        }
      }
    }
  }
}

function checkCondition(sink: FindingSink, raw: unknown, path: Path, i: number, j: number): void {
  // A null condition decodes as an empty one: no key.
  const cond = isNullEntry(raw) ? {} : objectAt(raw);
  if (!cond) return;
  if (cond.key !== undefined && cond.key !== null && typeof cond.key !== 'string') return;
  const key = stringAt(cond.key) ?? '';
  if (key === '') {
    sink.add('IMV525', isNullEntry(raw) ? path : [...path, 'key'], `rules[${i}].when[${j}] has no key: a condition must name the attribute it tests`,
      'set key, e.g. "request.headers[x-token]" or "source.ip"');
    return;
  }
  if (isUnset(cond.values) && isUnset(cond.notValues)) {
    sink.add('IMV526', path, `condition ${q(key)} has neither values nor notValues: at least one must be set`,
      'list the values to match under values (or notValues to exclude them)');
    return;
  }
  const attribute = conditionAttribute(key);
  if ('problem' in attribute) {
    sink.add('IMV527', [...path, 'key'], `condition key ${q(key)} is not supported: ${attribute.problem}`,
      'use a supported attribute such as request.headers[<name>], source.ip, remote.ip, request.auth.claims[<claim>], destination.port or connection.sni');
    return;
  }
  for (const field of ['values', 'notValues'] as const) {
    const count = arrayAt(cond[field])?.length ?? 0;
    if (attribute.values === 'serviceAccount' && count > MAX_SERVICE_ACCOUNTS) {
      sink.add('IMV528', [...path, field], `condition ${q(key)} lists ${count} ${field}: at most ${MAX_SERVICE_ACCOUNTS} service accounts are allowed`,
        'split the condition over several rules');
    }
    for (const { value, index } of decodedStrings(cond[field])) {
      const problem = conditionValueProblem(attribute.values, value);
      if (problem) sink.add('IMV528', [...path, field, index], `condition ${q(key)} ${field}[${index}] ${q(value)} ${problem.message}`, problem.fix);
    }
  }
}

/** Why a condition value does not suit its attribute (security.ValidateAttribute), with the fix. */
function conditionValueProblem(kind: AttributeValues, value: string): { message: string; fix: string } | undefined {
  if (value === '') return { message: 'is an empty string: empty values are not allowed', fix: 'remove the empty entry' };
  if (kind === 'ip') {
    const problem = ipOrCidrProblem(value);
    return problem ? { message: `is not an IP address or CIDR range: ${problem}`, fix: 'write an address such as "10.1.2.3" or a range such as "10.1.0.0/16"' } : undefined;
  }
  if (kind === 'port') {
    return isPortString(value) ? undefined : { message: 'is not a port: write a decimal number from 0 to 65535', fix: 'write the port number as a string, e.g. "8080"' };
  }
  if (kind === 'serviceAccount') {
    const problem = serviceAccountProblem(value);
    return problem ? { message: problem, fix: 'write "<name>" or "<namespace>/<name>"' } : undefined;
  }
  if (kind === 'wildcard') {
    const problem = wildcardValueProblem(value);
    return problem ? { message: `is not a supported match: ${problem}`, fix: 'write the trust domain exactly, or with one "*" at its start or end, e.g. "*.example.com"' } : undefined;
  }
  return undefined;
}
