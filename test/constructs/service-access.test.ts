import { Chart, Testing } from 'cdk8s';
import * as plus27 from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { MeshStrictMtls } from '../../src/constructs/mesh-strict-mtls';
import { ServiceAccess } from '../../src/constructs/service-access';
import { AccessAction } from '../../src/vocabulary/access-action';
import { Identity } from '../../src/vocabulary/identity';
import { WorkloadSelector } from '../../src/vocabulary/workload-selector';

describe('ServiceAccess', () => {
  it('emits the guide\'s ALLOW policy from typed identities, keeping rule order', () => {
    const c = Testing.chart();
    const access = new ServiceAccess(c, 'Pay', {
      namespace: 'production',
      name: 'payment-service-policy',
      selector: WorkloadSelector.of({ app: 'payment-service' }),
      rules: [{
        identities: [Identity.serviceAccount('production', 'checkout-service'), Identity.serviceAccount('production', 'order-service')],
        methods: ['GET', 'POST'],
        paths: ['/api/v1/payments/*'],
      }],
    });
    access.addRule({ namespaces: ['monitoring'], ports: [9090] });
    const [ap] = Testing.synth(c);
    expect(ap).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'payment-service-policy', namespace: 'production' },
      spec: {
        action: 'ALLOW',
        selector: { matchLabels: { app: 'payment-service' } },
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/production/sa/checkout-service', 'cluster.local/ns/production/sa/order-service'] } }],
            to: [{ operation: { methods: ['GET', 'POST'], paths: ['/api/v1/payments/*'] } }],
          },
          { from: [{ source: { namespaces: ['monitoring'] } }], to: [{ operation: { ports: ['9090'] } }] },
        ],
      },
    });
  });
  it('emits DENY without selector, identities and namespaces as alternative sources', () => {
    // A DENY on identities needs STRICT underneath, or plaintext callers bypass it (IMA009).
    const app = Testing.app();
    new MeshStrictMtls(new Chart(app, 'mesh'), 'Mesh');
    const c = new Chart(app, 'c', { namespace: 'payments' });
    new ServiceAccess(c, 'Deny', { action: AccessAction.DENY, rules: [{ identities: [Identity.principal('cluster.local/ns/legacy/*')], namespaces: ['legacy'] }] });
    const [ap] = Testing.synth(c);
    expect(ap.metadata.namespace).toBe('payments');
    expect(ap.spec).toEqual({
      action: 'DENY',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/legacy/*'] } }, { source: { namespaces: ['legacy'] } }] }],
    });
  });
  it('derives the selector from a cdk8s-plus-27 workload', () => {
    const c = new Chart(Testing.app(), 'c', { namespace: 'production' });
    const d = new plus27.Deployment(c, 'Pay', { select: false, containers: [{ image: 'pay' }], podMetadata: { labels: { app: 'payment-service' } } });
    d.select(plus27.LabelSelector.of({ labels: { app: 'payment-service' } }));
    new ServiceAccess(c, 'Access', { selector: WorkloadSelector.fromWorkload(d), rules: [{ methods: ['GET'] }] });
    expect(Testing.synth(c).find((m) => m.kind === 'AuthorizationPolicy').spec.selector).toEqual({ matchLabels: { app: 'payment-service' } });
  });
  it('fails synthesis without rules', () => {
    const c = new Chart(Testing.app(), 'c', { namespace: 'production' });
    new ServiceAccess(c, 'Access', { name: 'empty' });
    expect(() => Testing.synth(c)).toThrow(
      '[c/Access] [ServiceAccess] policy "production/empty" has no rules: an ALLOW policy without rules denies every request; add one with \'rules\' or addRule()');
  });
  it('fails synthesis of a DENY policy without rules, saying it denies nothing', () => {
    const c = new Chart(Testing.app(), 'c', { namespace: 'production' });
    new ServiceAccess(c, 'Access', { name: 'deny-nothing', action: AccessAction.DENY });
    expect(() => Testing.synth(c)).toThrow('[c/Access] [ServiceAccess] policy "production/deny-nothing" has no rules: a DENY policy without rules denies nothing; add one with \'rules\' or addRule()');
  });
  it('fails on an empty rule', () => {
    expect(() => new ServiceAccess(Testing.chart(), 'A', { namespace: 'p', rules: [{}] })).toThrow(
      "[ServiceAccess] 'rules[0]' must name at least one identity, namespace, method, path or port: an empty rule matches every request");
  });
  it('fails on bad rule fields, naming the rule', () => {
    const access = new ServiceAccess(Testing.chart(), 'A', { namespace: 'p', rules: [{ methods: ['GET'] }] });
    expect(() => access.addRule({ methods: ['get'] })).toThrow("[ServiceAccess] 'rules[1].methods[0]' must be an upper-case HTTP method such as GET or POST, got \"get\"");
    expect(() => access.addRule({ paths: ['api/v1'] })).toThrow("[ServiceAccess] 'rules[1].paths[0]' must start with \"/\" (or \"*\" for a suffix match), got \"api/v1\"");
    expect(() => access.addRule({ ports: [0] })).toThrow("[ServiceAccess] 'rules[1].ports[0]' must be an integer port number between 1 and 65535, got 0");
    expect(() => access.addRule({ namespaces: ['Prod'] })).toThrow("[ServiceAccess] 'rules[1].namespaces[0]' must be a DNS-1123 label, got \"Prod\"");
    expect(() => access.addRule({ identities: ['cluster.local/ns/a/sa/b' as any] })).toThrow(
      "[ServiceAccess] 'rules[1].identities[0]' must be an Identity (Identity.serviceAccount(ns, sa) or Identity.principal(...)), got \"cluster.local/ns/a/sa/b\"");
  });
  it('fails on a bad action or selector', () => {
    expect(() => new ServiceAccess(Testing.chart(), 'A', { namespace: 'p', action: 'ALLOW' as any })).toThrow(
      "[ServiceAccess] 'action' must be AccessAction.ALLOW or AccessAction.DENY, got \"ALLOW\"");
    expect(() => new ServiceAccess(Testing.chart(), 'A', { namespace: 'p', selector: { app: 'x' } as any })).toThrow(
      "[ServiceAccess] 'selector' must be a WorkloadSelector, got {\"app\":\"x\"}");
  });
  it('fails without namespace when the chart has none', () => {
    expect(() => new ServiceAccess(Testing.chart(), 'A')).toThrow(
      "[ServiceAccess] 'namespace' is required when the chart has no namespace: an AuthorizationPolicy applies only in its own namespace");
  });
});
