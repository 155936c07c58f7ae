import {
  ALWAYS_REJECT_ANNOTATION, annotationsOf, arrayAt, checkAlwaysReject, checkWorkloadSelector, DRY_RUN_ANNOTATION, FindingSink,
  ipOrCidrProblem, isGoBool, isNonEmptyList, isPortString, isSetMessage, objectAt, Obj, Path, q, stringAt, stringItems,
} from './common';
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
    'CUSTOM policies cannot match on namespaces, serviceAccounts, principals or requestPrincipals (nor their not* forms); '
    + 'istiod rejects them.', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV511', 'error', 'Identity condition in a CUSTOM policy',
    'CUSTOM policies cannot use the conditions source.namespace, source.serviceAccount, source.principal or request.auth.*; '
    + 'istiod rejects them.', `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV512', 'error', 'provider with a non-CUSTOM action',
    'Only a CUSTOM policy delegates to a provider; istiod rejects provider on ALLOW, DENY or AUDIT policies.',
    `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV513', 'error', 'DENY action without rules',
    'A DENY policy with no rules never matches, so it denies nothing. An empty rule `{}` denies every request.',
    `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV514', 'error', 'Null rule',
    'Each entry of rules must be a rule object.', `${SOURCE} ValidateAuthorizationPolicy`),
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
    + 'at most 320 characters, at most 16 per list.', `${SECURITY} CheckServiceAccount`),
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
    + 'source.serviceAccount, request.auth.*, request.headers[...], destination.ip, destination.port, connection.sni, '
    + 'experimental.envoy.filters.*[...]); map attributes need the form name[key].', `${SECURITY} ValidateAttribute`),
  rule('IMV528', 'error', 'Invalid condition value',
    'Condition values must suit their key: no empty strings, IPs or CIDRs for *.ip, ports for destination.port, '
    + '"<ns>/<sa>" for source.serviceAccount.', `${SECURITY} ValidateAttribute`),
  rule('IMV529', 'warning', 'DENY rule with only HTTP attributes',
    'A DENY rule that matches only on HTTP attributes (methods, paths, hosts, request principals) cannot be evaluated on '
    + 'TCP traffic, so istiod denies all TCP traffic in its scope; istiod warns and recommends naming the ports.',
    `${SOURCE} ValidateAuthorizationPolicy`),
  rule('IMV530', 'error', 'Invalid dry-run annotation',
    `The ${DRY_RUN_ANNOTATION} annotation must be a boolean and is only supported on ALLOW and DENY policies.`,
    `${SOURCE} checkDryRunAnnotation`),
  rule('IMV531', 'error', 'Always-reject annotation',
    `istiod rejects every object carrying the ${ALWAYS_REJECT_ANNOTATION} annotation (a test hook).`,
    `${SOURCE} validateMetadata`),
];

const ALLOWED_TARGETS: readonly { group: string; kind: string }[] = [
  { group: 'core', kind: 'Service' },
  { group: 'networking.istio.io', kind: 'ServiceEntry' },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' },
];

const SOURCE_STRING_LISTS = [
  'principals', 'requestPrincipals', 'namespaces', 'ipBlocks', 'remoteIpBlocks',
  'notPrincipals', 'notRequestPrincipals', 'notNamespaces', 'notIpBlocks', 'notRemoteIpBlocks',
] as const;
const IP_LISTS = ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;
const SERVICE_ACCOUNT_LISTS = ['serviceAccounts', 'notServiceAccounts'] as const;
/** Fields that make a source non-empty; trustDomains come with the 1.30 API. */
const SOURCE_FIELDS = [...SOURCE_STRING_LISTS, ...SERVICE_ACCOUNT_LISTS, 'trustDomains', 'notTrustDomains'] as const;
/** Source fields that also apply to TCP traffic (identity and addresses). */
const TCP_SOURCE_FIELDS = [
  'principals', 'notPrincipals', 'ipBlocks', 'notIpBlocks', 'namespaces', 'notNamespaces', 'remoteIpBlocks', 'notRemoteIpBlocks',
  'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains',
] as const;
const CUSTOM_UNSUPPORTED_SOURCE = [
  'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals',
] as const;
const OPERATION_LISTS = ['ports', 'methods', 'paths', 'hosts', 'notPorts', 'notMethods', 'notPaths', 'notHosts'] as const;

/** Istio's webhook rules for one AuthorizationPolicy. */
export function validateAuthorizationPolicy(manifest: Manifest, ref: ResourceRef): Finding[] {
  const sink = new FindingSink(ref, AUTHORIZATION_POLICY_RULES);
  const spec = objectAt(manifest.spec) ?? {};
  const action = stringAt(spec.action) ?? 'ALLOW';

  checkDryRun(sink, manifest, action);
  checkAlwaysReject(sink, manifest, 'IMV531');
  checkAttachment(sink, spec);

  const rules = arrayAt(spec.rules);
  const hasRules = isNonEmptyList(spec.rules);
  const provider = spec.provider;
  if (action === 'CUSTOM') {
    if (!hasRules) {
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
  if (action === 'DENY' && !hasRules) {
    sink.add('IMV513', ['spec', 'rules'],
      'action DENY without rules denies nothing: the policy has no rules to match',
      'add rules selecting the requests to deny, or an empty rule `rules: [{}]` to deny every request');
  }

  rules?.forEach((r, i) => checkRule(sink, r, i, action));
  return sink.findings;
}

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
    const target = objectAt(t);
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
    if (key === 'source.namespace' || key === 'source.serviceAccount' || key === 'source.principal' || key.startsWith('request.auth.')) {
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
    sink.add('IMV514', base, `rules[${i}] is ${q(raw ?? null)}, not a rule`,
      'remove the entry, or write `{}` for a rule that matches every request');
    return;
  }
  let fromExists = false;
  let tcpInFrom = false;
  let toExists = false;
  let tcpInTo = false;

  arrayAt(r.from)?.forEach((f, j) => {
    const src = objectAt(objectAt(f)?.source);
    const path: Path = [...base, 'from', j];
    if (!src) {
      sink.add('IMV515', objectAt(f) ? [...path, 'source'] : path,
        `rules[${i}].from[${j}] has no source: each from entry must hold a source`,
        'write the entry as `- source: {principals: [...]}`, or remove it');
      return;
    }
    fromExists = true;
    checkSource(sink, src, [...path, 'source'], i);
    if (TCP_SOURCE_FIELDS.some((field) => isNonEmptyList(src[field]))) tcpInFrom = true;
  });

  arrayAt(r.to)?.forEach((t, j) => {
    const op = objectAt(objectAt(t)?.operation);
    const path: Path = [...base, 'to', j];
    if (!op) {
      sink.add('IMV521', objectAt(t) ? [...path, 'operation'] : path,
        `rules[${i}].to[${j}] has no operation: each to entry must hold an operation`,
        'write the entry as `- operation: {ports: [...]}`, or remove it');
      return;
    }
    toExists = true;
    checkOperation(sink, op, [...path, 'operation'], i);
    if (isNonEmptyList(op.ports) || isNonEmptyList(op.notPorts)) tcpInTo = true;
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
  if (!SOURCE_FIELDS.some((f) => isNonEmptyList(src[f]))) {
    sink.add('IMV517', path,
      `rules[${i}] has an empty source: set at least one of principals, namespaces, serviceAccounts, ipBlocks, requestPrincipals (or a not* form)`,
      'fill the source in, or remove the from entry to match requests from any source');
  }
  for (const field of SOURCE_STRING_LISTS) {
    for (const { value, index } of stringItems(src[field])) {
      if (value === '') {
        sink.add('IMV519', [...path, field, index], `source.${field}[${index}] is an empty string: empty values are not allowed`,
          `remove the empty entry from ${field}, or use "*" to match any present value`);
      }
    }
  }
  for (const field of IP_LISTS) {
    for (const { value, index } of stringItems(src[field])) {
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
    if (list && list.length > 16) {
      sink.add('IMV520', [...path, field], `source.${field} has ${list.length} entries: at most 16 are allowed`,
        'split the rule into several from entries of at most 16 service accounts each');
    }
    for (const { value, index } of stringItems(src[field])) {
      const problem = serviceAccountProblem(value);
      if (value === '') {
        sink.add('IMV519', [...path, field, index], `source.${field}[${index}] is an empty string: empty values are not allowed`,
          `remove the empty entry from ${field}`);
      } else if (problem) {
        sink.add('IMV520', [...path, field, index], `source.${field}[${index}] ${q(value)} ${problem}`,
          'write "<name>" for a service account of the policy\'s namespace or "<namespace>/<name>" for another one');
      }
    }
  }
}

/** Why a service-account match is malformed (security.CheckServiceAccount), or undefined. Empty is reported apart. */
function serviceAccountProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.includes('*')) return 'contains "*": service accounts are matched exactly, wildcards are not allowed';
  const slashes = value.split('/').length - 1;
  if (slashes > 1) return 'has more than one "/": expected "<name>" or "<namespace>/<name>" (not a SPIFFE principal)';
  if (value.length > 320) return `is longer than 320 characters (${value.length})`;
  if (slashes === 1) {
    const [ns, sa] = value.split('/');
    if (ns === '') return 'has an empty namespace: expected "<namespace>/<name>"';
    if (sa === '') return 'has an empty name: expected "<namespace>/<name>"';
  }
  return undefined;
}

function checkOperation(sink: FindingSink, op: Obj, path: Path, i: number): void {
  if (!OPERATION_LISTS.some((f) => isNonEmptyList(op[f]))) {
    sink.add('IMV522', path,
      `rules[${i}] has an empty operation: set at least one of ports, methods, paths, hosts (or a not* form)`,
      'fill the operation in, or remove the to entry to match any operation');
  }
  for (const field of OPERATION_LISTS) {
    for (const { value, index } of stringItems(op[field])) {
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

const PATH_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

/** Why a path is rejected by security.CheckValidPathTemplate, or undefined. */
export function pathTemplateProblem(path: string): string | undefined {
  const templated = path.includes('{*}') || path.includes('{**}');
  let sawMatchAny = false;
  const segments = path.replace(/^\/+|\/+$/g, '').split('/');
  for (const segment of segments) {
    if (segment === '{*}' || segment === '{**}') {
      if (sawMatchAny) return '"{**}" must be the last template operator';
      if (segment === '{**}') sawMatchAny = true;
      continue;
    }
    if (/[{}]/.test(segment)) return `segment ${q(segment)} has "{" or "}" outside a "{*}" or "{**}" template`;
    if (templated && !PATH_LITERAL.test(segment)) {
      return `segment ${q(segment)} of a templated path is not made of RFC 3986 path characters`;
    }
  }
  return undefined;
}

const MAP_KEY_PREFIXES = ['request.headers', 'request.experimental.inline.headers', 'request.auth.claims', 'experimental.envoy.filters.'];
const PLAIN_KEYS = ['source.namespace', 'source.principal', 'source.trustDomain', 'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'connection.sni'];
const IP_KEYS = ['source.ip', 'remote.ip', 'destination.ip'];

type ValueKind = 'any' | 'ip' | 'port' | 'serviceAccount';

/** The problem with a condition key, or which values it takes (security.ValidateAttribute). */
function conditionKeyKind(key: string): { problem: string } | { kind: ValueKind } {
  const prefix = MAP_KEY_PREFIXES.find((p) => key.startsWith(p));
  if (prefix) {
    const open = key.indexOf('[');
    if (key.endsWith(']') && open > 0 && open < key.length - 2) return { kind: 'any' };
    return { problem: `it must have the form ${prefix.replace(/\.$/, '.<name>')}[<key>]` };
  }
  if (IP_KEYS.includes(key)) return { kind: 'ip' };
  if (key === 'destination.port') return { kind: 'port' };
  if (key === 'source.serviceAccount') return { kind: 'serviceAccount' };
  if (PLAIN_KEYS.includes(key)) return { kind: 'any' };
  if (key === 'destination.namespace') return { problem: 'it was replaced by the policy\'s own namespace (metadata.namespace)' };
  if (key.startsWith('destination.labels')) return { problem: 'it was replaced by spec.selector' };
  if (key === 'destination.name' || key === 'destination.user') return { problem: 'it is a v1alpha1 attribute that is no longer supported' };
  return { problem: 'it is not a known attribute' };
}

function checkCondition(sink: FindingSink, raw: unknown, path: Path, i: number, j: number): void {
  const cond = objectAt(raw);
  const key = stringAt(cond?.key) ?? '';
  if (key === '') {
    sink.add('IMV525', cond ? [...path, 'key'] : path, `rules[${i}].when[${j}] has no key: a condition must name the attribute it tests`,
      'set key, e.g. "request.headers[x-token]" or "source.ip"');
    return;
  }
  if (!isNonEmptyList(cond!.values) && !isNonEmptyList(cond!.notValues)) {
    sink.add('IMV526', path, `condition ${q(key)} has neither values nor notValues: at least one must be set`,
      'list the values to match under values (or notValues to exclude them)');
    return;
  }
  const keyKind = conditionKeyKind(key);
  if ('problem' in keyKind) {
    sink.add('IMV527', [...path, 'key'], `condition key ${q(key)} is not supported: ${keyKind.problem}`,
      'use a supported attribute such as request.headers[<name>], source.ip, remote.ip, request.auth.claims[<claim>], destination.port or connection.sni');
  }
  for (const field of ['values', 'notValues'] as const) {
    const count = arrayAt(cond![field])?.length ?? 0;
    if ('kind' in keyKind && keyKind.kind === 'serviceAccount' && count > 16) {
      sink.add('IMV528', [...path, field], `condition ${q(key)} lists ${count} ${field}: at most 16 service accounts are allowed`,
        'split the condition over several rules');
    }
    for (const { value, index } of stringItems(cond![field])) {
      const at: Path = [...path, field, index];
      if (value === '') {
        sink.add('IMV528', at, `condition ${q(key)} ${field}[${index}] is an empty string: empty values are not allowed`,
          `remove the empty entry from ${field}`);
        continue;
      }
      if (!('kind' in keyKind)) continue;
      if (keyKind.kind === 'ip') {
        const problem = ipOrCidrProblem(value);
        if (problem) {
          sink.add('IMV528', at, `condition ${q(key)} ${field}[${index}] ${q(value)} is not an IP address or CIDR range: ${problem}`,
            'write an address such as "10.1.2.3" or a range such as "10.1.0.0/16"');
        }
      } else if (keyKind.kind === 'port' && !isPortString(value)) {
        sink.add('IMV528', at, `condition ${q(key)} ${field}[${index}] ${q(value)} is not a port: write a decimal number from 0 to 65535`,
          'write the port number as a string, e.g. "8080"');
      } else if (keyKind.kind === 'serviceAccount') {
        const problem = serviceAccountProblem(value);
        if (problem) {
          sink.add('IMV528', at, `condition ${q(key)} ${field}[${index}] ${q(value)} ${problem}`,
            'write "<name>" or "<namespace>/<name>"');
        }
      }
    }
  }
}
