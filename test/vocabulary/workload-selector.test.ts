import { ApiObject, Chart, Testing } from 'cdk8s';
import * as plus27 from 'cdk8s-plus-27';
import * as plus33 from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { WorkloadSelector, podLabelsOfManifest } from '../../src/vocabulary/workload-selector';

function chart(namespace = 'production'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

describe('WorkloadSelector.of', () => {
  it('renders labels with sorted keys', () => {
    const s = WorkloadSelector.of({ security: 'high', app: 'payment-service' });
    expect(Object.keys(s._matchLabels()!)).toEqual(['app', 'security']);
    expect(s._validate('X', 'production')).toEqual([]);
    expect(String(s)).toBe('labels {"app":"payment-service","security":"high"}');
  });
  it('fails on an empty selector', () => {
    expect(() => WorkloadSelector.of({})).toThrow(
      '[WorkloadSelector] \'labels\' must name at least one label, got "{}": an empty selector applies the policy to the whole namespace (use NamespaceMtls for that)');
  });
  it('fails on bad label keys and values', () => {
    expect(() => WorkloadSelector.of({ 'app name': 'x' })).toThrow(
      '[WorkloadSelector] \'labels["app name"]\' must be a valid label key, got "app name": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character');
    expect(() => WorkloadSelector.of({ app: 'payment service' })).toThrow(
      '[WorkloadSelector] \'labels["app"]\' must be a valid label value, got "payment service"');
  });
});

describe('WorkloadSelector.fromWorkload', () => {
  it('reads the matchLabels of a cdk8s-plus-27 Deployment, including selectors added later', () => {
    const c = chart();
    const d = new plus27.Deployment(c, 'api', { select: false, containers: [{ image: 'api', portNumber: 8080 }], podMetadata: { labels: { app: 'api-gateway', tier: 'edge' } } });
    const s = WorkloadSelector.fromWorkload(d);
    d.select(plus27.LabelSelector.of({ labels: { app: 'api-gateway' } }));
    expect(s._matchLabels()).toEqual({ app: 'api-gateway' });
    expect(s._validate('X', 'production')).toEqual([]);
    expect(String(s)).toBe('Deployment "test/api/Resource"');
  });
  it('reads the default cdk8s-plus-27 selector label', () => {
    const c = chart();
    const d = new plus27.Deployment(c, 'api', { containers: [{ image: 'api' }] });
    expect(Object.keys(WorkloadSelector.fromWorkload(d)._matchLabels()!)).toEqual(['cdk8s.io/metadata.addr']);
  });
  it('reads the matchLabels of a cdk8s-plus-33 Deployment', () => {
    const c = chart();
    const d = new plus33.Deployment(c, 'api', { select: false, containers: [{ image: 'api' }], podMetadata: { labels: { app: 'checkout' } } });
    const s = WorkloadSelector.fromWorkload(d);
    d.select(plus33.LabelSelector.of({ labels: { app: 'checkout', version: 'v2' } }));
    expect(s._matchLabels()).toEqual({ app: 'checkout', version: 'v2' });
  });
  it('reads a plain ApiObject Deployment, selector first, then pod-template labels', () => {
    const c = chart();
    const withSelector = new ApiObject(c, 'a', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'a' },
      spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a', version: 'v1' } } } },
    });
    expect(WorkloadSelector.fromWorkload(withSelector)._matchLabels()).toEqual({ app: 'a' });
    const templateOnly = new ApiObject(c, 'b', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'b' },
      spec: { template: { metadata: { labels: { job: 'b' } } } },
    });
    expect(WorkloadSelector.fromWorkload(templateOnly)._matchLabels()).toEqual({ job: 'b' });
  });
  it('reports a workload without pod labels at validation', () => {
    const c = chart();
    const bare = new ApiObject(c, 'bare', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bare' }, spec: {} });
    expect(WorkloadSelector.fromWorkload(bare)._validate('WorkloadMtls', 'production')).toEqual([
      '[WorkloadMtls] \'selector\' derived from Deployment "test/bare" is empty: the workload has no spec.selector.matchLabels and no pod-template labels, and an empty selector would apply the policy to the whole namespace',
    ]);
  });
  it('reports a workload in another namespace at validation', () => {
    const c = chart('staging');
    const d = new plus27.Deployment(c, 'api', { containers: [{ image: 'api' }] });
    expect(WorkloadSelector.fromWorkload(d)._validate('WorkloadMtls', 'production')).toEqual([
      '[WorkloadMtls] \'selector\' derived from Deployment "test/api/Resource" in namespace "staging", but the policy is in namespace "production": a workload selector only applies in the policy\'s own namespace',
    ]);
  });
  it('fails on a construct with no ApiObject', () => {
    const c = chart();
    expect(() => WorkloadSelector.fromWorkload(new Construct(c, 'empty'))).toThrow(
      '[WorkloadSelector] fromWorkload() needs a cdk8s-plus workload or an ApiObject with a pod template, got construct "test/empty" with no ApiObject');
  });
});

describe('podLabelsOfManifest', () => {
  it('reads CronJob and Pod labels and ignores non-string values', () => {
    expect(podLabelsOfManifest({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { metadata: { labels: { cron: 'x' } } } } } } }))
      .toEqual({ labels: { cron: 'x' }, from: 'spec.jobTemplate.spec.template.metadata.labels' });
    expect(podLabelsOfManifest({ kind: 'Pod', metadata: { labels: { b: '2', a: '1', n: 3 } } }))
      .toEqual({ labels: { a: '1', b: '2' }, from: 'metadata.labels' });
    expect(podLabelsOfManifest('nonsense')).toEqual({});
  });
});
