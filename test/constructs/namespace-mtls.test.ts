import { ApiObject, Chart, Testing } from 'cdk8s';
import * as plus27 from 'cdk8s-plus-27';
import * as plus33 from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { NamespaceMtls } from '../../src/constructs/namespace-mtls';
import { MtlsExceptionProps } from '../../src/vocabulary/mtls-exception';
import { MtlsMode } from '../../src/vocabulary/mtls-mode';
import { SidecarInjection } from '../../src/vocabulary/sidecar-injection';

const NOW = () => new Date('2026-11-24T10:00:00Z');
const exception: MtlsExceptionProps = {
  reason: 'migration: accept plaintext until all workloads have sidecars', owner: 'platform-team@company.com', reviewBy: '2027-06-01', clock: NOW,
};

describe('NamespaceMtls', () => {
  it('emits the namespace-wide STRICT policy by default', () => {
    const chart = Testing.chart();
    const ns = new NamespaceMtls(chart, 'Prod', { namespace: 'production' });
    expect(Testing.synth(chart)).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'production' },
      spec: { mtls: { mode: 'STRICT' } },
    }]);
    expect(ns.namespaceObject).toBeUndefined();
  });
  it('takes UNSET without an exception', () => {
    const chart = Testing.chart();
    new NamespaceMtls(chart, 'Prod', { namespace: 'production', mode: MtlsMode.UNSET });
    expect(Testing.synth(chart)[0]).toMatchObject({ metadata: { name: 'default', namespace: 'production' }, spec: { mtls: { mode: 'UNSET' } } });
    expect(Testing.synth(chart)[0].metadata.annotations).toBeUndefined();
  });
  it.each([MtlsMode.PERMISSIVE, MtlsMode.DISABLE])('takes %s with an exception, written as annotations', (mode) => {
    const chart = Testing.chart();
    new NamespaceMtls(chart, 'Prod', { namespace: 'production', mode, exception: { ...exception, ticket: 'MIG-7' } });
    const [pa] = Testing.synth(chart);
    expect(pa.spec).toEqual({ mtls: { mode: mode.name } });
    expect(pa.metadata).toEqual({
      name: 'default',
      namespace: 'production',
      annotations: {
        'mtls.exception/owner': 'platform-team@company.com',
        'mtls.exception/reason': 'migration: accept plaintext until all workloads have sidecars',
        'mtls.exception/review-by': '2027-06-01',
        'mtls.exception/ticket': 'MIG-7',
      },
    });
  });
  it.each([MtlsMode.PERMISSIVE, MtlsMode.DISABLE])('fails on %s without an exception', (mode) => {
    expect(() => new NamespaceMtls(Testing.chart(), 'Prod', { namespace: 'production', mode })).toThrow(
      `[NamespaceMtls] 'mode' is ${mode.name}, which weakens mTLS in namespace "production": pass 'exception' ({ reason, owner, reviewBy }) `
      + 'so the weakening is owned and expires, or keep the namespace STRICT and weaken single workloads with WorkloadException');
  });
  it.each([undefined, MtlsMode.STRICT, MtlsMode.UNSET])('fails on an exception for mode %s, which weakens nothing', (mode) => {
    expect(() => new NamespaceMtls(Testing.chart(), 'Prod', { namespace: 'production', mode, exception })).toThrow(
      `[NamespaceMtls] 'exception' is given, but nothing is weakened ('mode' is ${mode?.name ?? 'STRICT'}): remove 'exception'`);
  });
  it('fails on an exception without a review date', () => {
    expect(() => new NamespaceMtls(Testing.chart(), 'Prod', { namespace: 'production', mode: MtlsMode.PERMISSIVE, exception: { ...exception, reviewBy: undefined as any } })).toThrow(
      "[NamespaceMtls] 'exception.reviewBy' must be a calendar date written YYYY-MM-DD (or a Date), got undefined");
  });
  it('fails synthesis once the exception has expired', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'prod');
    new NamespaceMtls(chart, 'Prod', { namespace: 'production', mode: MtlsMode.PERMISSIVE, exception: { ...exception, reviewBy: '2026-11-23' } });
    expect(() => Testing.synth(chart)).toThrow(
      'Validation failed with the following errors:\n  [prod/Prod] [NamespaceMtls] mTLS exception "production/default" owned by platform-team@company.com expired on 2026-11-23 (today is 2026-11-24): review it and move \'exception.reviewBy\' forward, or remove the exception');
    const today = new Chart(Testing.app(), 'prod');
    new NamespaceMtls(today, 'Prod', { namespace: 'production', mode: MtlsMode.PERMISSIVE, exception: { ...exception, reviewBy: '2026-11-24' } });
    expect(() => Testing.synth(today)).not.toThrow();
  });
  it('emits the Namespace with the injection label', () => {
    const chart = Testing.chart();
    new NamespaceMtls(chart, 'Prod', { namespace: 'production', createNamespace: true, sidecarInjection: SidecarInjection.enabled() });
    const ns = Testing.synth(chart).find((m) => m.kind === 'Namespace');
    expect(ns).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production', labels: { 'istio-injection': 'enabled' } } });
  });
  it('writes the Namespace right after its policy, with no cdk8s dependency (each costs a whole-app pass per chart)', () => {
    const chart = Testing.chart();
    new NamespaceMtls(chart, 'Prod', { namespace: 'production', createNamespace: true });
    new NamespaceMtls(chart, 'Dev', { namespace: 'dev', createNamespace: true });
    expect(Testing.synth(chart).map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`)).toEqual([
      'PeerAuthentication/production/default', 'Namespace//production', 'PeerAuthentication/dev/default', 'Namespace//dev',
    ]);
    expect(chart.node.findAll().filter((c) => c.node.dependencies.length > 0)).toEqual([]);
  });
  it('emits a Namespace without labels when injection is not managed', () => {
    const chart = Testing.chart();
    new NamespaceMtls(chart, 'Prod', { namespace: 'production', createNamespace: true });
    expect(Testing.synth(chart).find((m) => m.kind === 'Namespace').metadata).toEqual({ name: 'production' });
  });
  it.each([
    ['cdk8s-plus-27', (c: any) => new plus27.Namespace(c, 'Ns', { metadata: { name: 'production' } })],
    ['cdk8s-plus-33', (c: any) => new plus33.Namespace(c, 'Ns', { metadata: { name: 'production' } })],
    ['a plain ApiObject', (c: any) => new ApiObject(c, 'Ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } })],
  ])('labels an existing Namespace from %s with a revision', (_, make) => {
    const chart = Testing.chart();
    const existing = make(chart);
    new NamespaceMtls(chart, 'Prod', { namespace: 'production', existingNamespace: existing, sidecarInjection: SidecarInjection.revision('1-24-0') });
    const ns = Testing.synth(chart).find((m) => m.kind === 'Namespace');
    expect(ns.metadata.labels).toEqual({ 'istio.io/rev': '1-24-0' });
  });
  it('fails on a bad namespace', () => {
    expect(() => new NamespaceMtls(Testing.chart(), 'Prod', { namespace: 'Production' })).toThrow(
      "[NamespaceMtls] 'namespace' must be a DNS-1123 label, got \"Production\": must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
  });
  it('fails on a mode that is not an MtlsMode', () => {
    expect(() => new NamespaceMtls(Testing.chart(), 'Prod', { namespace: 'production', mode: 'STRICT' as any })).toThrow(
      "[NamespaceMtls] 'mode' must be an MtlsMode (MtlsMode.STRICT, MtlsMode.PERMISSIVE, MtlsMode.DISABLE, MtlsMode.UNSET), got \"STRICT\"");
  });
  it('fails on injection without an object to carry the label', () => {
    expect(() => new NamespaceMtls(Testing.chart(), 'Prod', { namespace: 'production', sidecarInjection: SidecarInjection.enabled() })).toThrow(
      "[NamespaceMtls] 'sidecarInjection' (istio-injection=enabled) needs 'createNamespace: true' or 'existingNamespace' to carry the label");
  });
  it('fails on createNamespace with existingNamespace', () => {
    const chart = Testing.chart();
    const existing = new plus27.Namespace(chart, 'Ns', { metadata: { name: 'production' } });
    expect(() => new NamespaceMtls(chart, 'Prod', { namespace: 'production', createNamespace: true, existingNamespace: existing })).toThrow(
      "[NamespaceMtls] 'createNamespace' and 'existingNamespace' are mutually exclusive: either emit the Namespace or label the one you have");
  });
  it('fails on an existing namespace with another name or kind', () => {
    const chart = Testing.chart();
    const other = new plus27.Namespace(chart, 'Ns', { metadata: { name: 'staging' } });
    expect(() => new NamespaceMtls(chart, 'Prod', { namespace: 'production', existingNamespace: other })).toThrow(
      "[NamespaceMtls] 'existingNamespace' is named \"staging\", but 'namespace' is \"production\": label the namespace the policy applies to");
    const cm = new ApiObject(chart, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'production' } });
    expect(() => new NamespaceMtls(chart, 'Prod2', { namespace: 'production', existingNamespace: cm })).toThrow(
      "[NamespaceMtls] 'existingNamespace' must be a Namespace (a cdk8s-plus Namespace or an ApiObject of kind Namespace), got kind ConfigMap at \"test/Cm\"");
    const empty = new Construct(chart, 'Empty');
    expect(() => new NamespaceMtls(chart, 'Prod3', { namespace: 'production', existingNamespace: empty })).toThrow(
      "[NamespaceMtls] 'existingNamespace' must be a Namespace (a cdk8s-plus Namespace or an ApiObject of kind Namespace), got a construct with no ApiObject at \"test/Empty\"");
  });
});
