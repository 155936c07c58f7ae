import {
  ALWAYS_REJECT_ANNOTATION, checkCommonAnnotations, checkWorkloadSelector, FindingSink, objectAt, q,
} from './common';
import { Finding } from '../../model/finding';
import { Manifest, ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';

const SOURCE = 'istio/istio pkg/config/validation/validation.go';

/** What istiod's validating webhook checks on a PeerAuthentication (security.istio.io v1, v1beta1). */
export const PEER_AUTHENTICATION_RULES: RuleInfo[] = [
  {
    code: 'IMV401',
    category: 'webhook',
    severity: 'error',
    title: 'Port-level mTLS without a selector',
    explanation: 'Port-level modes only make sense for the workloads a selector picks: a mesh-wide or namespace-wide '
      + 'PeerAuthentication (no selector, or a selector without labels) cannot carry portLevelMtls, and istiod rejects it.',
    source: `${SOURCE} ValidatePeerAuthentication`,
  },
  {
    code: 'IMV402',
    category: 'webhook',
    severity: 'error',
    title: 'Port-level mTLS port out of range',
    explanation: 'The keys of portLevelMtls are workload (container) port numbers; istiod rejects keys that are not '
      + 'numbers from 1 to 65535, and cannot decode keys with leading zeros.',
    source: `${SOURCE} ValidatePeerAuthentication`,
  },
  {
    code: 'IMV403',
    category: 'webhook',
    severity: 'error',
    title: 'Empty label key in selector',
    explanation: 'A selector label needs a key; istiod rejects an empty one.',
    source: `${SOURCE} validateWorkloadSelector`,
  },
  {
    code: 'IMV404',
    category: 'webhook',
    severity: 'error',
    title: 'Wildcard in selector',
    explanation: 'Workload selectors match labels exactly; istiod rejects "*" in a label key or value.',
    source: `${SOURCE} validateWorkloadSelector`,
  },
  {
    code: 'IMV405',
    category: 'webhook',
    severity: 'warning',
    title: 'Selector without labels',
    explanation: 'A selector with no matchLabels selects nothing in particular: the policy then behaves as a '
      + 'namespace-wide (or, in the root namespace, mesh-wide) policy. istiod accepts it with a warning.',
    source: `${SOURCE} validateWorkloadSelector`,
  },
  {
    code: 'IMV406',
    category: 'webhook',
    severity: 'error',
    title: 'Dry-run annotation on a PeerAuthentication',
    explanation: 'Only AuthorizationPolicy supports the istio.io/dry-run annotation; istiod rejects it on any other kind.',
    source: `${SOURCE} checkDryRunAnnotation`,
  },
  {
    code: 'IMV407',
    category: 'webhook',
    severity: 'error',
    title: 'Always-reject annotation',
    explanation: `istiod rejects every object carrying the ${ALWAYS_REJECT_ANNOTATION} annotation (a test hook).`,
    source: `${SOURCE} validateMetadata`,
  },
  {
    code: 'IMV408',
    category: 'webhook',
    severity: 'error',
    title: 'Empty portLevelMtls',
    explanation: 'portLevelMtls, when present, must hold at least one port (istiod decodes an empty map as present; the CRD '
      + 'schema rejects it too).',
    source: `${SOURCE} ValidatePeerAuthentication`,
  },
];

/** Istio's webhook rules for one PeerAuthentication. */
export function validatePeerAuthentication(manifest: Manifest, ref: ResourceRef): Finding[] {
  const sink = new FindingSink(ref, PEER_AUTHENTICATION_RULES);
  checkCommonAnnotations(sink, manifest, 'IMV406', 'IMV407', 'PeerAuthentication');

  const spec = objectAt(manifest.spec) ?? {};
  const selector = objectAt(spec.selector);
  const selectorLabels = objectAt(selector?.matchLabels);
  const hasLabels = !!selectorLabels && Object.keys(selectorLabels).length > 0;
  const portLevel = objectAt(spec.portLevelMtls);
  const ports = portLevel ? Object.keys(portLevel) : [];

  if (ports.length > 0 && !hasLabels) {
    sink.add('IMV401', ['spec', 'portLevelMtls'],
      selector
        ? 'portLevelMtls requires a selector with labels: port-level settings apply only to workloads a selector picks, and this selector has no matchLabels'
        : 'portLevelMtls requires a selector: port-level settings apply only to workloads a selector picks',
      'add spec.selector.matchLabels naming the workload, or set the mode for all ports with spec.mtls.mode instead');
  }

  if (portLevel && ports.length === 0) {
    sink.add('IMV408', ['spec', 'portLevelMtls'], 'portLevelMtls is empty: when present it must set the mode of at least one port',
      'remove portLevelMtls, or add a port such as `8080: {mode: PERMISSIVE}`');
  }

  for (const key of ports) {
    // istiod decodes each key as a JSON number into a uint32: "080" or "+80" fail to decode, "0" fails the range check
    if (!/^[1-9][0-9]*$/.test(key) || BigInt(key) > 65535n) {
      sink.add('IMV402', ['spec', 'portLevelMtls', key],
        `portLevelMtls key ${q(key)} is not a port: keys must be workload port numbers from 1 to 65535, without leading zeros`,
        'use the container (target) port number the workload listens on, e.g. "8080"');
    }
  }

  checkWorkloadSelector(sink, spec.selector, ['spec', 'selector'], 'selector', {
    emptyKey: 'IMV403',
    wildcard: 'IMV404',
    noLabels: 'IMV405',
  });
  return sink.findings;
}
