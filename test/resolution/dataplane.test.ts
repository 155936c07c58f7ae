import { describe, expect, it } from 'vitest';
import { deploy, DeployOpts, ns } from './helpers';
import { buildMeshModel, Manifest, MeshOptions } from '../../src/model';
import { resolveDataplane } from '../../src/resolution/dataplane';

function dataplane(nsLabels: Record<string, string> | undefined, opts: DeployOpts = {}, options: MeshOptions = {}) {
  const manifests: Manifest[] = [deploy('app', 'api', opts)];
  if (nsLabels) manifests.push(ns('app', nsLabels));
  const model = buildMeshModel(manifests, options);
  return resolveDataplane(model, model.workloads[0]);
}

const AMBIENT = { 'istio.io/dataplane-mode': 'ambient' };

describe('resolveDataplane', () => {
  it('Compliance: a sidecar, ambient or no proxy, with the reason', () => {
    expect(dataplane({ 'istio-injection': 'enabled' })).toMatchObject({ dataplane: 'sidecar', admitted: true, tlsMode: 'istio', hbone: false });
    expect(dataplane(AMBIENT, {}, { ambient: true })).toMatchObject({ dataplane: 'ambient', hbone: true, tlsMode: 'disabled' });
    expect(dataplane({})).toMatchObject({ dataplane: 'none', tlsMode: 'disabled', hbone: false });
  });

  it('names each workload\'s own namespace and webhook as the reason, workload after workload', () => {
    const model = buildMeshModel([
      ns('a'), ns('b'), ns('c', { 'istio.io/rev': 'canary' }),
      deploy('a', 'x'), deploy('a', 'y'), deploy('b', 'x'), deploy('c', 'x'), deploy('a', 'z'),
    ], { knownRevisions: ['default', 'canary'] });
    expect(model.workloads.map((w) => `${w.namespace}/${w.name}: ${resolveDataplane(model, w).reason}`)).toEqual([
      'a/x: namespace a has istio-injection=enabled',
      'a/y: namespace a has istio-injection=enabled',
      'a/z: namespace a has istio-injection=enabled',
      'b/x: namespace b has istio-injection=enabled',
      'c/x: namespace c has istio.io/rev=canary',
    ]);
    // Out of order: a's reason after b's.
    const again = buildMeshModel([ns('a'), ns('b'), deploy('b', 'x'), deploy('a', 'x')]);
    expect([...again.workloads].reverse().map((w) => resolveDataplane(again, w).reason))
      .toEqual(['namespace b has istio-injection=enabled', 'namespace a has istio-injection=enabled']);
  });

  it('enrols nothing in ambient when ambient is not installed', () => {
    expect(dataplane(AMBIENT)).toMatchObject({ dataplane: 'none' });
  });

  it('lets the sidecar win when a namespace carries both injection and ambient labels', () => {
    expect(dataplane({ 'istio-injection': 'enabled', ...AMBIENT }, {}, { ambient: true })).toMatchObject({ dataplane: 'sidecar' });
  });

  it('honours the pod opt-out istio.io/dataplane-mode=none and the CNI exclusions', () => {
    expect(dataplane(AMBIENT, { labels: { 'app': 'api', 'istio.io/dataplane-mode': 'none' } }, { ambient: true }).dataplane).toBe('none');
    expect(dataplane(AMBIENT, {}, { ambient: true, ambientExcludeNamespaces: ['app'] }).dataplane).toBe('none');
  });

  it('gives sidecars the tunnel label (HBONE) only with ambient and sidecarHbone', () => {
    expect(dataplane({ 'istio-injection': 'enabled' }, {}, { ambient: true }).hbone).toBe(true);
    expect(dataplane({ 'istio-injection': 'enabled' }, {}, { ambient: true, sidecarHbone: false }).hbone).toBe(false);
  });

  it('keeps a hand-set tlsMode label, as the injector does', () => {
    expect(dataplane({ 'istio-injection': 'enabled' }, { labels: { 'app': 'api', 'security.istio.io/tlsMode': 'disabled' } }).tlsMode).toBe('disabled');
    expect(dataplane({}, { labels: { 'app': 'api', 'security.istio.io/tlsMode': 'istio' } })).toMatchObject({ dataplane: 'none', tlsMode: 'istio' });
  });

  it('rejects a pod whose capture annotation the injector refuses, naming the annotation', () => {
    const r = dataplane({ 'istio-injection': 'enabled' }, { podAnnotations: { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8, 172.16.0.0/12' } });
    expect(r).toMatchObject({ dataplane: 'sidecar', admitted: false });
    expect(r.reason).toContain('excludeOutboundIPRanges');
  });

  it('reads the capture of a sidecar pod: excluded inbound ports bypass the proxy', () => {
    const r = dataplane({ 'istio-injection': 'enabled' }, { podAnnotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' } });
    expect(r.capture?.inboundCaptured(8080)).toBe(true);
    expect(r.capture?.inboundCaptured(9090)).toBe(false);
  });
});
