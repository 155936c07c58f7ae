import { ApiObject, Chart, Testing } from 'cdk8s';
import * as plus27 from 'cdk8s-plus-27';
import * as plus33 from 'cdk8s-plus-33';
import { describe, expect, it } from 'vitest';
import { PeerAuthentication } from '../../imports/security.istio.io';
import { WorkloadMtls } from '../../src/constructs/workload-mtls';
import { MtlsExceptionProps } from '../../src/vocabulary/mtls-exception';
import { MtlsMode } from '../../src/vocabulary/mtls-mode';
import { WorkloadSelector } from '../../src/vocabulary/workload-selector';

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

const NOW = () => new Date('2026-11-24T10:00:00Z');
const exception: MtlsExceptionProps = {
  reason: 'health checks from external load balancers', owner: 'platform-team@company.com', reviewBy: '2027-06-01', clock: NOW,
};
const HINT = "pass 'exception' ({ reason, owner, reviewBy }) so the weakening is owned and expires, or use WorkloadException";

describe('WorkloadMtls', () => {
  it('emits a workload policy with selector, mode and ports in numeric order', () => {
    const c = chart();
    const wl = new WorkloadMtls(c, 'Gw', {
      namespace: 'production',
      name: 'api-gateway-mtls',
      selector: WorkloadSelector.of({ app: 'api-gateway' }),
      mode: MtlsMode.STRICT,
      portLevelMtls: { 50051: MtlsMode.STRICT, 8080: MtlsMode.DISABLE, 9090: MtlsMode.PERMISSIVE },
      exception: { ...exception, ticket: 'SEC-1' },
    });
    const [pa] = Testing.synth(c);
    expect(pa).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: {
        name: 'api-gateway-mtls',
        namespace: 'production',
        annotations: {
          'mtls.exception/owner': 'platform-team@company.com',
          'mtls.exception/reason': 'health checks from external load balancers',
          'mtls.exception/review-by': '2027-06-01',
          'mtls.exception/ticket': 'SEC-1',
        },
      },
      spec: {
        selector: { matchLabels: { app: 'api-gateway' } },
        mtls: { mode: 'STRICT' },
        portLevelMtls: { 8080: { mode: 'DISABLE' }, 9090: { mode: 'PERMISSIVE' }, 50051: { mode: 'STRICT' } },
      },
    });
    expect(Object.keys(pa.spec.portLevelMtls)).toEqual(['8080', '9090', '50051']);
    // The construct is the PeerAuthentication: one node in the tree, not a wrapper around one.
    expect(wl).toBeInstanceOf(PeerAuthentication);
    expect(wl.node.children).toEqual([]);
    expect(wl.name).toBe(pa.metadata.name);
  });
  it('takes the chart namespace and omits mtls when only ports are given', () => {
    const c = chart('payments');
    new WorkloadMtls(c, 'W', { selector: WorkloadSelector.of({ app: 'x' }), portLevelMtls: { 8443: MtlsMode.UNSET } });
    const [pa] = Testing.synth(c);
    expect(pa.metadata.namespace).toBe('payments');
    expect(pa.spec).toEqual({ selector: { matchLabels: { app: 'x' } }, portLevelMtls: { 8443: { mode: 'UNSET' } } });
  });
  it.each([
    ['cdk8s-plus-27', (c: Chart) => {
      const d = new plus27.Deployment(c, 'Api', { select: false, containers: [{ image: 'api', portNumber: 8080 }], podMetadata: { labels: { app: 'api' } } });
      return { d, finish: () => d.select(plus27.LabelSelector.of({ labels: { app: 'api' } })) };
    }],
    ['cdk8s-plus-33', (c: Chart) => {
      const d = new plus33.Deployment(c, 'Api', { select: false, containers: [{ image: 'api', portNumber: 8080 }], podMetadata: { labels: { app: 'api' } } });
      return { d, finish: () => d.select(plus33.LabelSelector.of({ labels: { app: 'api' } })) };
    }],
    ['a plain ApiObject', (c: Chart) => {
      const spec: any = { template: { metadata: { labels: {} } } };
      const d = new ApiObject(c, 'Api', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec });
      return { d, finish: () => { spec.template.metadata.labels.app = 'api'; } };
    }],
  ])('derives the selector from a %s Deployment configured after the policy', (_, make) => {
    const c = chart('production');
    const { d, finish } = make(c);
    new WorkloadMtls(c, 'W', { selector: WorkloadSelector.fromWorkload(d), mode: MtlsMode.STRICT });
    finish();
    const pa = Testing.synth(c).find((m) => m.kind === 'PeerAuthentication');
    expect(pa.spec.selector).toEqual({ matchLabels: { app: 'api' } });
  });
  it('fails synthesis when the derived selector is empty', () => {
    const c = chart('production');
    const bare = new ApiObject(c, 'Bare', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bare' } });
    new WorkloadMtls(c, 'W', { selector: WorkloadSelector.fromWorkload(bare), mode: MtlsMode.STRICT });
    expect(() => Testing.synth(c)).toThrow(
      '[test/W] [WorkloadMtls] \'selector\' derived from Deployment "test/Bare" is empty: the workload has no spec.selector.matchLabels and no pod-template labels, and an empty selector would apply the policy to the whole namespace');
  });
  it('fails synthesis when the workload lives in another namespace', () => {
    const app = Testing.app();
    const other = new Chart(app, 'other', { namespace: 'staging' });
    const d = new plus27.Deployment(other, 'Api', { containers: [{ image: 'api' }] });
    const c = new Chart(app, 'test');
    new WorkloadMtls(c, 'W', { namespace: 'production', selector: WorkloadSelector.fromWorkload(d), mode: MtlsMode.STRICT });
    expect(() => Testing.synth(c)).toThrow(
      '[test/W] [WorkloadMtls] \'selector\' derived from Deployment "other/Api/Resource" in namespace "staging", but the policy is in namespace "production": a workload selector only applies in the policy\'s own namespace');
  });
  it('fails without namespace when the chart has none', () => {
    expect(() => new WorkloadMtls(chart(), 'W', { selector: WorkloadSelector.of({ app: 'x' }), mode: MtlsMode.STRICT })).toThrow(
      "[WorkloadMtls] 'namespace' is required when the chart has no namespace: a workload policy applies only in its own namespace");
  });
  it('fails on bad namespace and name', () => {
    const sel = WorkloadSelector.of({ app: 'x' });
    expect(() => new WorkloadMtls(chart(), 'W', { namespace: 'Prod', selector: sel, mode: MtlsMode.STRICT })).toThrow(
      "[WorkloadMtls] 'namespace' must be a DNS-1123 label, got \"Prod\"");
    expect(() => new WorkloadMtls(chart('p'), 'W', { name: 'Payment_Strict', selector: sel, mode: MtlsMode.STRICT })).toThrow(
      "[WorkloadMtls] 'name' must be a DNS-1123 subdomain, got \"Payment_Strict\": must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  });
  it('fails on modes that are not MtlsModes', () => {
    const sel = WorkloadSelector.of({ app: 'x' });
    const all = 'MtlsMode.STRICT, MtlsMode.PERMISSIVE, MtlsMode.DISABLE, MtlsMode.UNSET';
    expect(() => new WorkloadMtls(chart('p'), 'W', { selector: sel, mode: 'STRICT' as any })).toThrow(
      `[WorkloadMtls] 'mode' must be an MtlsMode (${all}), got "STRICT"`);
    expect(() => new WorkloadMtls(chart('p'), 'W', { selector: sel, portLevelMtls: { 8080: 'DISABLE' as any } })).toThrow(
      `[WorkloadMtls] 'portLevelMtls[8080]' must be an MtlsMode (${all}), got "DISABLE"`);
  });
  it('fails with neither mode nor ports', () => {
    expect(() => new WorkloadMtls(chart('p'), 'W', { selector: WorkloadSelector.of({ app: 'x' }) })).toThrow(
      "[WorkloadMtls] needs 'mode', 'portLevelMtls' or both: a policy with neither changes nothing");
  });
  it('fails on bad ports and a missing selector', () => {
    const sel = WorkloadSelector.of({ app: 'x' });
    expect(() => new WorkloadMtls(chart('p'), 'W', { selector: sel, portLevelMtls: { 70000: MtlsMode.STRICT } })).toThrow(
      "[WorkloadMtls] 'portLevelMtls' keys must be container ports (integers 1-65535), got \"70000\"");
    expect(() => new WorkloadMtls(chart('p'), 'W', { selector: undefined as any, mode: MtlsMode.STRICT })).toThrow(
      "[WorkloadMtls] 'selector' must be a WorkloadSelector (WorkloadSelector.of({...}) or WorkloadSelector.fromWorkload(workload)), got undefined");
  });
  it('needs no exception and writes no annotations for STRICT and UNSET', () => {
    const c = chart('p');
    new WorkloadMtls(c, 'W', { name: 'w', selector: WorkloadSelector.of({ app: 'x' }), mode: MtlsMode.UNSET, portLevelMtls: { 80: MtlsMode.STRICT, 81: MtlsMode.UNSET } });
    expect(Testing.synth(c)[0].metadata).toEqual({ name: 'w', namespace: 'p' });
  });
  it('fails on a weakening mode without an exception, naming the prop and the mode', () => {
    const sel = WorkloadSelector.of({ app: 'x' });
    expect(() => new WorkloadMtls(chart('p'), 'W', { selector: sel, mode: MtlsMode.PERMISSIVE })).toThrow(
      `[WorkloadMtls] 'mode' is PERMISSIVE, which weakens mTLS: ${HINT}`);
    expect(() => new WorkloadMtls(chart('p'), 'W', { selector: sel, mode: MtlsMode.DISABLE, portLevelMtls: { 80: MtlsMode.STRICT } })).toThrow(
      `[WorkloadMtls] 'mode' is DISABLE, which weakens mTLS: ${HINT}`);
  });
  it('fails on a weakening port without an exception, naming the lowest such port', () => {
    const sel = WorkloadSelector.of({ app: 'x' });
    expect(() => new WorkloadMtls(chart('p'), 'W', {
      selector: sel, mode: MtlsMode.STRICT, portLevelMtls: { 9090: MtlsMode.PERMISSIVE, 8080: MtlsMode.DISABLE, 50051: MtlsMode.STRICT },
    })).toThrow(`[WorkloadMtls] 'portLevelMtls' port 8080 is DISABLE, which weakens mTLS: ${HINT}`);
    expect(() => new WorkloadMtls(chart('p'), 'W', { selector: sel, portLevelMtls: { 9090: MtlsMode.PERMISSIVE } })).toThrow(
      `[WorkloadMtls] 'portLevelMtls' port 9090 is PERMISSIVE, which weakens mTLS: ${HINT}`);
  });
  it('fails on an exception for a policy that weakens nothing', () => {
    expect(() => new WorkloadMtls(chart('p'), 'W', {
      selector: WorkloadSelector.of({ app: 'x' }), mode: MtlsMode.STRICT, portLevelMtls: { 80: MtlsMode.UNSET }, exception,
    })).toThrow("[WorkloadMtls] 'exception' is given, but nothing is weakened (no 'mode' or 'portLevelMtls' port is PERMISSIVE or DISABLE): remove 'exception'");
  });
  it('fails on an exception without its documentation, naming the nested prop', () => {
    const sel = WorkloadSelector.of({ app: 'x' });
    const weak = { selector: sel, mode: MtlsMode.PERMISSIVE };
    expect(() => new WorkloadMtls(chart('p'), 'W', { ...weak, exception: { ...exception, owner: ' ' } })).toThrow(
      "[WorkloadMtls] 'exception.owner' must be a non-empty string, got \" \"");
    expect(() => new WorkloadMtls(chart('p'), 'W', { ...weak, exception: { ...exception, reason: undefined as any } })).toThrow(
      "[WorkloadMtls] 'exception.reason' must be a non-empty string, got undefined");
    expect(() => new WorkloadMtls(chart('p'), 'W', { ...weak, exception: { ...exception, reviewBy: '2027-13-01' } })).toThrow(
      "[WorkloadMtls] 'exception.reviewBy' must be a calendar date written YYYY-MM-DD (or a Date), got \"2027-13-01\"");
    expect(() => new WorkloadMtls(chart('p'), 'W', { ...weak, exception: { ...exception, annotationPrefix: 'acme' } })).toThrow(
      "[WorkloadMtls] 'exception.annotationPrefix' must be a DNS subdomain followed by \"/\" (e.g. \"mtls.exception/\"), got \"acme\": must end with \"/\"");
    expect(() => new WorkloadMtls(chart('p'), 'W', { ...weak, exception: 'because' as any })).toThrow(
      "[WorkloadMtls] 'exception' must be an object { reason, owner, reviewBy, ticket? }, got \"because\"");
  });
  it('uses the exception\'s annotation prefix', () => {
    const c = chart('p');
    new WorkloadMtls(c, 'W', { selector: WorkloadSelector.of({ app: 'x' }), mode: MtlsMode.DISABLE, exception: { ...exception, annotationPrefix: 'acme.io/' } });
    expect(Object.keys(Testing.synth(c)[0].metadata.annotations)).toEqual(['acme.io/owner', 'acme.io/reason', 'acme.io/review-by']);
  });
  it('still synthesizes on the review day, and fails synthesis once the exception has expired', () => {
    const ok = chart('p');
    new WorkloadMtls(ok, 'W', { selector: WorkloadSelector.of({ app: 'x' }), mode: MtlsMode.PERMISSIVE, exception: { ...exception, reviewBy: '2026-11-24' } });
    expect(() => Testing.synth(ok)).not.toThrow();
    const c = chart('p');
    new WorkloadMtls(c, 'W', { name: 'api-gateway-mtls', selector: WorkloadSelector.of({ app: 'x' }), portLevelMtls: { 8080: MtlsMode.DISABLE }, exception: { ...exception, reviewBy: new Date('2026-11-23T23:00:00Z') } });
    expect(() => Testing.synth(c)).toThrow(
      'Validation failed with the following errors:\n  [test/W] [WorkloadMtls] mTLS exception "p/api-gateway-mtls" owned by platform-team@company.com expired on 2026-11-23 (today is 2026-11-24): review it and move \'exception.reviewBy\' forward, or remove the exception');
  });
});
