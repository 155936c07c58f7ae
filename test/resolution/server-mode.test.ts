import { describe, expect, it } from 'vitest';
import { deploy, DISABLE, ns, pa, PERMISSIVE, STRICT, UNSET } from './helpers';
import { buildMeshModel, Manifest } from '../../src/model';
import { resolveServerMode } from '../../src/resolution';

function modeOf(manifests: Manifest[], workload = 'api', namespace = 'prod') {
  const model = buildMeshModel([ns(namespace), deploy(namespace, workload, { ports: [8080, 9090] }), ...manifests]);
  const w = model.workloads.find((x) => x.name === workload && x.namespace === namespace)!;
  return resolveServerMode(model, w);
}

const sel = (labels: Record<string, string>) => ({ selector: { matchLabels: labels } });

describe('resolveServerMode: precedence (ComposePeerAuthentication)', () => {
  it('defaults to PERMISSIVE with no policy, decided by nobody', () => {
    const r = modeOf([]);
    expect(r.mode).toBe('PERMISSIVE');
    expect(r.decidedBy).toBeNull();
    expect(r.level).toBe('default');
  });

  it('applies the mesh policy (selector-less, root namespace)', () => {
    const r = modeOf([pa('istio-system', 'default', STRICT)]);
    expect(r.mode).toBe('STRICT');
    expect(r.decidedBy?.name).toBe('default');
    expect(r.level).toBe('mesh');
  });

  it('UNSET at mesh level leaves the PERMISSIVE default', () => {
    const r = modeOf([pa('istio-system', 'default', UNSET)]);
    expect(r.mode).toBe('PERMISSIVE');
    expect(r.decidedBy).toBeNull();
  });

  it('a policy with no mtls block counts as UNSET', () => {
    expect(modeOf([pa('istio-system', 'default', STRICT), pa('prod', 'ns', {})]).mode).toBe('STRICT');
  });

  it('the namespace policy overrides the mesh; UNSET at namespace level inherits the mesh', () => {
    expect(modeOf([pa('istio-system', 'm', STRICT), pa('prod', 'n', PERMISSIVE)]).mode).toBe('PERMISSIVE');
    const r = modeOf([pa('istio-system', 'm', STRICT), pa('prod', 'n', UNSET)]);
    expect(r.mode).toBe('STRICT');
    expect(r.decidedBy?.name).toBe('m');
  });

  it('the workload policy overrides the namespace; UNSET at workload level inherits it', () => {
    expect(modeOf([pa('prod', 'n', STRICT), pa('prod', 'w', { ...sel({ app: 'api' }), ...DISABLE })]).mode).toBe('DISABLE');
    const r = modeOf([pa('prod', 'n', STRICT), pa('prod', 'w', { ...sel({ app: 'api' }), ...UNSET })]);
    expect(r.mode).toBe('STRICT');
    expect(r.decidedBy?.name).toBe('n');
  });

  it('treats selector: {} (and empty matchLabels) as selector-less', () => {
    const r = modeOf([pa('istio-system', 'm', STRICT), pa('prod', 'empty', { selector: {}, ...DISABLE })]);
    expect(r.mode).toBe('DISABLE');
    expect(r.level).toBe('namespace');
    expect(modeOf([pa('istio-system', 'empty', { selector: { matchLabels: {} }, ...DISABLE })]).level).toBe('mesh');
  });

  it('ignores a selector policy in the root namespace', () => {
    const r = modeOf([pa('istio-system', 'm', STRICT), pa('istio-system', 'sel', { ...sel({ app: 'api' }), ...DISABLE })]);
    expect(r.mode).toBe('STRICT');
    expect(r.decidedBy?.name).toBe('m');
  });

  it('ignores a selector policy in the root namespace for root-namespace workloads too', () => {
    const r = modeOf([pa('istio-system', 'm', STRICT), pa('istio-system', 'sel', { ...sel({ app: 'gw' }), ...DISABLE })], 'gw', 'istio-system');
    expect(r.mode).toBe('STRICT');
  });

  it('ignores policies of other namespaces, and selectors that do not match', () => {
    expect(modeOf([pa('other', 'n', DISABLE), pa('other', 'w', { ...sel({ app: 'api' }), ...DISABLE })]).mode).toBe('PERMISSIVE');
    expect(modeOf([pa('prod', 'w', { ...sel({ app: 'web' }), ...DISABLE })]).mode).toBe('PERMISSIVE');
  });

  it('takes port-level modes from the workload policy only; a port-level UNSET inherits the workload mode', () => {
    const r = modeOf([
      pa('istio-system', 'm', STRICT),
      pa('prod', 'w', { ...sel({ app: 'api' }), ...UNSET, portLevelMtls: { 8080: { mode: 'PERMISSIVE' }, 9090: { mode: 'UNSET' } } }),
    ]);
    expect(r.mode).toBe('STRICT');
    expect(r.portMode(8080)).toMatchObject({ mode: 'PERMISSIVE', level: 'port' });
    expect(r.portMode(8080).decidedBy?.name).toBe('w');
    expect(r.portMode(9090)).toMatchObject({ mode: 'STRICT' });
    expect(r.portMode(9090).decidedBy?.name).toBe('m');
  });

  it('port-level UNSET under a workload DISABLE inherits DISABLE', () => {
    const r = modeOf([pa('prod', 'w', { ...sel({ app: 'api' }), ...DISABLE, portLevelMtls: { 9090: { mode: 'UNSET' }, 8080: { mode: 'STRICT' } } })]);
    expect(r.portMode(9090).mode).toBe('DISABLE');
    expect(r.portMode(8080).mode).toBe('STRICT');
  });

  it('lists every container port plus every port the workload policy names, sorted', () => {
    const r = modeOf([pa('prod', 'w', { ...sel({ app: 'api' }), portLevelMtls: { 7000: { mode: 'DISABLE' }, 8080: { mode: 'STRICT' } } })]);
    expect(r.ports.map((p) => [p.port, p.mode])).toEqual([[7000, 'DISABLE'], [8080, 'STRICT'], [9090, 'PERMISSIVE']]);
  });

  it('is ambiguous when two namespace policies disagree (Istio takes the oldest; manifests carry no age)', () => {
    const r = modeOf([pa('prod', 'a', STRICT), pa('prod', 'b', DISABLE)]);
    expect(r.mode).toBe('ambiguous');
    expect(r.possibleModes).toEqual(['DISABLE', 'STRICT']);
    expect(r.decidedBy).toBeNull();
    expect(r.competing.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('is ambiguous when one duplicate is UNSET and the other is not', () => {
    expect(modeOf([pa('istio-system', 'm1', STRICT), pa('istio-system', 'm2', UNSET)]).possibleModes).toEqual(['PERMISSIVE', 'STRICT']);
  });

  it('is not ambiguous when duplicates agree, or when a lower level overrides them', () => {
    expect(modeOf([pa('prod', 'a', STRICT), pa('prod', 'b', STRICT)]).mode).toBe('STRICT');
    expect(modeOf([pa('istio-system', 'm1', STRICT), pa('istio-system', 'm2', DISABLE), pa('prod', 'n', PERMISSIVE)]).mode).toBe('PERMISSIVE');
  });

  it('is ambiguous when two workload policies select the workload with different modes', () => {
    const r = modeOf([pa('prod', 'w1', { ...sel({ app: 'api' }), ...STRICT }), pa('prod', 'w2', { ...sel({ app: 'api' }), ...PERMISSIVE })]);
    expect(r.mode).toBe('ambiguous');
  });
});
