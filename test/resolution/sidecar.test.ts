import { describe, expect, it } from 'vitest';
import { deploy, DeployOpts, ns } from './helpers';
import { buildMeshModel, Manifest } from '../../src/model';
import { resolveSidecar } from '../../src/resolution';

function sidecar(nsLabels: Record<string, string> | undefined, opts: DeployOpts = {}, modelOpts = {}) {
  const manifests: Manifest[] = [deploy('app', 'api', opts)];
  if (nsLabels) manifests.push(ns('app', nsLabels));
  const model = buildMeshModel(manifests, modelOpts);
  return resolveSidecar(model, model.workloads[0]);
}

describe('resolveSidecar', () => {
  it('injects with istio-injection=enabled or istio.io/rev on the namespace', () => {
    expect(sidecar({ 'istio-injection': 'enabled' }).injected).toBe(true);
    expect(sidecar({ 'istio.io/rev': 'canary' }).injected).toBe(true);
  });

  it('does not inject in an unlabelled namespace', () => {
    expect(sidecar({})).toMatchObject({ injected: false, assumed: false });
  });

  it('lets the pod label opt in where the namespace has no injection label, and opt out anywhere', () => {
    expect(sidecar({}, { labels: { 'app': 'api', 'sidecar.istio.io/inject': 'true' } }).injected).toBe(true);
    expect(sidecar({ 'istio-injection': 'enabled' }, { labels: { 'app': 'api', 'sidecar.istio.io/inject': 'false' } }).injected).toBe(false);
  });

  it('lets the legacy annotation opt out but never in', () => {
    expect(sidecar({ 'istio-injection': 'enabled' }, { podAnnotations: { 'sidecar.istio.io/inject': 'false' } }).injected).toBe(false);
    expect(sidecar({}, { podAnnotations: { 'sidecar.istio.io/inject': 'true' } }).injected).toBe(false);
  });

  it('istio-injection=disabled wins over the revision label and the pod label', () => {
    expect(sidecar({ 'istio-injection': 'disabled', 'istio.io/rev': 'canary' }).injected).toBe(false);
    expect(sidecar({ 'istio-injection': 'disabled' }, { labels: { 'app': 'api', 'sidecar.istio.io/inject': 'true' } }).injected).toBe(false);
  });

  it('never injects hostNetwork pods', () => {
    expect(sidecar({ 'istio-injection': 'enabled' }, { hostNetwork: true }).injected).toBe(false);
  });

  it('ignores labels on the Deployment object itself', () => {
    const d = deploy('app', 'api') as { metadata: Record<string, unknown> };
    d.metadata.labels = { 'sidecar.istio.io/inject': 'false' };
    const model = buildMeshModel([d, ns('app')]);
    expect(resolveSidecar(model, model.workloads[0]).injected).toBe(true);
  });

  it('assumes injection when the Namespace is not in the input, unless told otherwise', () => {
    expect(sidecar(undefined)).toMatchObject({ injected: true, assumed: true });
    expect(sidecar(undefined, {}, { assumeInjectedWhenNamespaceUnknown: false })).toMatchObject({ injected: false, assumed: true });
  });
});

describe('resolveSidecar: the defects issue #24 names', () => {
  it('injects a pod labelled istio.io/rev=<rev> in a namespace with neither injection label (the revision\'s object webhook)', () => {
    expect(sidecar({}, { labels: { 'app': 'api', 'istio.io/rev': 'canary' } })).toMatchObject({ injected: true, assumed: false });
  });

  it('lets the pod label sidecar.istio.io/inject=true win over the annotation "false"', () => {
    const r = sidecar({}, { labels: { 'app': 'api', 'sidecar.istio.io/inject': 'true' }, podAnnotations: { 'sidecar.istio.io/inject': 'false' } });
    expect(r.injected).toBe(true);
  });

  it('decides only on the exact strings "true" and "false"; anything else falls back to the namespace', () => {
    expect(sidecar({ 'istio-injection': 'enabled' }, { labels: { 'app': 'api', 'sidecar.istio.io/inject': 'False' } }).injected).toBe(true);
    expect(sidecar({}, { labels: { 'app': 'api', 'sidecar.istio.io/inject': 'yes' } }).injected).toBe(false);
  });

  it.each(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'])('never injects in %s', (name) => {
    const model = buildMeshModel([deploy(name, 'api', { labels: { 'app': 'api', 'sidecar.istio.io/inject': 'true' } }), ns(name)]);
    expect(resolveSidecar(model, model.workloads[0]).injected).toBe(false);
  });

  it('counts an istio-proxy container only where the injector put it (sidecar.istio.io/status)', () => {
    const withProxy = (annotations: Record<string, string>) => {
      const d = deploy('app', 'api', { podAnnotations: annotations }) as any;
      d.spec.template.spec.containers.push({ name: 'istio-proxy', image: 'istio/proxyv2' });
      const model = buildMeshModel([d, ns('app', {})]);
      return resolveSidecar(model, model.workloads[0]);
    };
    expect(withProxy({}).injected).toBe(false);
    expect(withProxy({ 'sidecar.istio.io/status': '{"revision":"default"}' }).injected).toBe(true);
  });

  it('takes only installed revisions when they are given', () => {
    expect(sidecar({ 'istio.io/rev': 'canary' }, {}, { knownRevisions: ['default'] }).injected).toBe(false);
    expect(sidecar({ 'istio.io/rev': 'canary' }, {}, { knownRevisions: ['default', 'canary'] }).injected).toBe(true);
  });
});
