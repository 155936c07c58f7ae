import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { findings } from './helpers';
import { MtlsValidation } from '../../src/cdk8s/mtls-validation';
import { parseManifests } from '../../src/input/parse-manifests';
import { lint, LintInput } from '../../src/lint';
import { contentFingerprint } from '../../src/model/content-fingerprint';
import { Manifest } from '../../src/model/manifest';
import { buildMeshModel, ModelEntries, modelOfEntries } from '../../src/model/mesh-model';
import { resolveMeshOptions } from '../../src/model/mesh-options';
import { synthError } from '../cdk8s/helpers';
import { ns, pa, PERMISSIVE, STRICT } from '../resolution/helpers';

/*
 * IMA050 duplicate-object: one API group, kind, namespace and name defined
 * twice with different content, in the input files or across the charts of
 * an app. What the cluster holds then depends on apply order.
 */

/** The inputs of YAML files, read and located as the CLI reads them (`reread`: each can be read again). */
function filesOf(files: Record<string, string>, reread = true): LintInput[] {
  return Object.entries(files).flatMap(([file, text]) => parseManifests(text).manifests
    .map((m) => ({ manifest: m.manifest, file, locate: m.locate, ...(reread ? { reread: m.reread } : {}) })));
}

/** `[file:line, message]` of each IMA050 finding of lint over the files. */
function duplicates(files: Record<string, string>, mesh = {}): [string, string][] {
  return lint(filesOf(files), { mesh }).filter((f) => f.code === 'IMA050').map((f) => [`${f.file}:${f.line}`, f.message]);
}

const STRICT_YAML = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
`;
const PERMISSIVE_YAML = STRICT_YAML.replace('STRICT', 'PERMISSIVE');
const SUFFIX = 'with different content; the cluster holds whichever is applied last, so what it holds depends on apply order';

describe('IMA050 duplicate-object, in lint over files', () => {
  it('Compliance: distinct objects, and the same object twice with the same content however it is written', () => {
    const sameContent = `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {namespace: istio-system, name: default, labels: null}
spec: {mtls: {mode: STRICT}, selector: null}
`;
    expect(lint(filesOf({ 'a.yaml': STRICT_YAML, 'b.yaml': sameContent, 'c.yaml': STRICT_YAML.replace('name: default', 'name: other') }))
      .filter((f) => f.code === 'IMA050')).toEqual([]);
  });

  it('Noncompliance 1: twice in one file, each finding at its own definition naming the other\'s line', () => {
    expect(duplicates({ 'mesh.yaml': `${STRICT_YAML}---\n${PERMISSIVE_YAML}` })).toEqual([
      ['mesh.yaml:4', `PeerAuthentication istio-system/default is also defined at mesh.yaml:13 ${SUFFIX}`],
      ['mesh.yaml:13', `PeerAuthentication istio-system/default is also defined at mesh.yaml:4 ${SUFFIX}`],
    ]);
  });

  it('Noncompliance 2: in two files, with the other in related and the fix', () => {
    const found = lint(filesOf({ 'a.yaml': STRICT_YAML, 'b.yaml': PERMISSIVE_YAML })).filter((f) => f.code === 'IMA050');
    expect(found.map((f) => [f.file, f.severity, f.path, f.message])).toEqual([
      ['a.yaml', 'error', '/metadata/name', `PeerAuthentication istio-system/default is also defined at b.yaml:4 ${SUFFIX}`],
      ['b.yaml', 'error', '/metadata/name', `PeerAuthentication istio-system/default is also defined at a.yaml:4 ${SUFFIX}`],
    ]);
    expect(found[0].related).toEqual([{ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' }]);
    expect(found[0].fix).toBe('keep one definition of PeerAuthentication istio-system/default, or give every definition the same content');
  });

  it('Noncompliance 3: across API versions it is one object, and the message names the other version', () => {
    expect(duplicates({ 'a.yaml': STRICT_YAML, 'b.yaml': PERMISSIVE_YAML.replace('security.istio.io/v1', 'security.istio.io/v1beta1') })).toEqual([
      ['a.yaml:4', `PeerAuthentication istio-system/default is also defined at b.yaml:4 (as security.istio.io/v1beta1) ${SUFFIX}`],
      ['b.yaml:4', `PeerAuthentication istio-system/default is also defined at a.yaml:4 (as security.istio.io/v1) ${SUFFIX}`],
    ]);
  });

  it('Noncompliance 4: a manifest without a namespace lands in the default namespace (mesh option defaultNamespace)', () => {
    const named = STRICT_YAML.replace('istio-system', 'shop');
    const unnamed = PERMISSIVE_YAML.replace('  namespace: istio-system\n', '');
    expect(duplicates({ 'a.yaml': named, 'b.yaml': unnamed })).toEqual([]);
    expect(duplicates({ 'a.yaml': named, 'b.yaml': unnamed }, { defaultNamespace: 'shop' })).toEqual([
      ['a.yaml:4', `PeerAuthentication shop/default is also defined at b.yaml:4 ${SUFFIX}`],
      ['b.yaml:4', `PeerAuthentication shop/default is also defined at a.yaml:4 ${SUFFIX}`],
    ]);
  });

  it('Noncompliance 5: a cluster-scoped kind has no namespace, whatever the manifests write', () => {
    const found = duplicates({
      'a.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {istio-injection: enabled}\n',
      'b.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  namespace: default\n',
      'c.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader, namespace: a}\nrules: []\n',
      'd.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader, namespace: b}\nrules: [{apiGroups: [""], resources: [pods], verbs: [get]}]\n',
    });
    expect(found).toEqual([
      ['a.yaml:4', `Namespace shop is also defined at b.yaml:4 ${SUFFIX}`],
      ['b.yaml:4', `Namespace shop is also defined at a.yaml:4 ${SUFFIX}`],
      ['c.yaml:3', `ClusterRole reader is also defined at d.yaml:3 ${SUFFIX}`],
      ['d.yaml:3', `ClusterRole reader is also defined at c.yaml:3 ${SUFFIX}`],
    ]);
  });

  it('Noncompliance 6: three definitions, two alike: each names only those of other content', () => {
    expect(duplicates({ 'a.yaml': STRICT_YAML, 'b.yaml': PERMISSIVE_YAML, 'c.yaml': STRICT_YAML })).toEqual([
      ['a.yaml:4', `PeerAuthentication istio-system/default is also defined at b.yaml:4 ${SUFFIX}`],
      ['b.yaml:4', `PeerAuthentication istio-system/default is also defined at a.yaml:4, c.yaml:4 ${SUFFIX}`],
      ['c.yaml:4', `PeerAuthentication istio-system/default is also defined at b.yaml:4 ${SUFFIX}`],
    ]);
  });

  it('trap: the same name in another namespace, kind or API group is another object', () => {
    expect(duplicates({
      'a.yaml': STRICT_YAML,
      'b.yaml': PERMISSIVE_YAML.replace('istio-system', 'shop'),
      'c.yaml': 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: default, namespace: istio-system}\nspec: {}\n',
      'd.yaml': 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\nspec: {servers: []}\n',
      'e.yaml': 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\nspec: {gatewayClassName: istio, listeners: []}\n',
    })).toEqual([]);
  });

  it('trap: a namespaced kind of a CRD the engine does not know keeps its namespaces apart', () => {
    const cert = (namespace: string, secret: string) => `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: tls, namespace: ${namespace}}\nspec: {secretName: ${secret}}\n`;
    expect(duplicates({ 'a.yaml': cert('a', 'x'), 'b.yaml': cert('b', 'y') })).toEqual([]);
    expect(duplicates({ 'a.yaml': cert('a', 'x'), 'b.yaml': cert('a', 'y') })).toHaveLength(2);
  });

  it('Noncompliance 7: a kind a CustomResourceDefinition of the input makes cluster-scoped has no namespace, wherever the CRD is', () => {
    const issuer = (namespace: string, server: string) =>
      `apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: ca, namespace: ${namespace}}\nspec: {acme: {server: ${server}}}\n`;
    const crd = (scope: string) => 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: clusterissuers.cert-manager.io}\n'
      + `spec:\n  group: cert-manager.io\n  names: {kind: ClusterIssuer, plural: clusterissuers}\n  scope: ${scope}\n`
      + '  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n';
    const files = { 'a.yaml': issuer('a', 'x'), 'b.yaml': issuer('b', 'y') };
    // Unknown to the engine: taken as namespaced, two objects.
    expect(duplicates(files)).toEqual([]);
    // Declared cluster-scoped, before or after its objects: one object, defined twice.
    for (const withCrd of [{ 'crd.yaml': crd('Cluster'), ...files }, { ...files, 'z.yaml': crd('Cluster') }]) {
      const found = duplicates(withCrd);
      expect(found.map(([at]) => at)).toEqual(['a.yaml:3', 'b.yaml:3']);
      expect(found[0][1]).toMatch(/^ClusterIssuer ca /);
    }
    // Declared namespaced: two objects again; and the first definition of the CRD decides (its scope cannot change).
    expect(duplicates({ 'crd.yaml': crd('Namespaced'), ...files })).toEqual([]);
    const twice = duplicates({ 'crd.yaml': `${crd('Namespaced')}---\n${crd('Cluster')}`, ...files });
    expect(twice.map(([at, message]) => `${at} ${message.split(' ')[0]}`)).toEqual(['crd.yaml:3 CustomResourceDefinition', 'crd.yaml:12 CustomResourceDefinition']);
  });

  it('trap: manifests without a name are not one object (generateName makes a new one each time)', () => {
    const job = (image: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: run-, namespace: a}\ndata: {image: ${image}}\n`;
    expect(duplicates({ 'a.yaml': job('x'), 'b.yaml': job('y') })).toEqual([]);
  });

  it('trap: a definition the cluster rejects never reaches it, so it is no duplicate; its rejection is reported', () => {
    const found = lint(filesOf({ 'a.yaml': STRICT_YAML, 'b.yaml': STRICT_YAML.replace('STRICT', 'STRIC') }));
    expect(found.filter((f) => f.code === 'IMA050')).toEqual([]);
    expect(found.map((f) => [f.file, f.code])).toContainEqual(['b.yaml', 'IMV204']);
    expect(found.filter((f) => f.file === 'a.yaml')).toEqual([]);
  });
});

describe('IMA050 duplicate-object, with inputs read again only when compared', () => {
  const files = {
    'a.yaml': `${STRICT_YAML}---\n${STRICT_YAML.replace('name: default', 'name: other')}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n`,
    'b.yaml': `${PERMISSIVE_YAML}---\napiVersion: v1\nkind: List\nitems:\n- ${STRICT_YAML.replace(/\n(?=.)/g, '\n  ').replace('name: default', 'name: other')}`,
    'c.yaml': `${STRICT_YAML}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n`,
  };

  it('gives the findings of inputs that cannot be read again, reading again only the definitions of repeated objects', () => {
    const inputs = filesOf(files);
    const reads: string[] = [];
    const counted = inputs.map((i) => ({ ...i, reread: () => { reads.push(`${i.file} ${String(i.manifest.metadata?.name)}`); return i.reread!(); } }));
    const lazy = lint(counted);
    expect(lazy).toEqual(lint(filesOf(files, false)));
    expect(lazy.filter((f) => f.code === 'IMA050').map((f) => `${f.file}:${f.line}`)).toEqual(['a.yaml:4', 'b.yaml:4', 'c.yaml:4']);
    expect(reads.sort()).toEqual(['a.yaml default', 'a.yaml other', 'b.yaml default', 'b.yaml other', 'c.yaml default']);
  });

  it('an input that cannot be read again leaves its object uncompared, and the lint goes on', () => {
    const inputs = filesOf(files).map((i) => (i.file === 'b.yaml' ? { ...i, reread: () => { throw new Error('gone'); } } : i));
    const found = lint(inputs);
    // The objects b.yaml defines are not compared (one definition's content is unknown): no IMA050, and nothing else is lost.
    expect(found.filter((f) => f.code === 'IMA050')).toEqual([]);
    expect(found.filter((f) => f.code !== 'IMA050')).toEqual(lint(filesOf(files)).filter((f) => f.code !== 'IMA050'));
  });
});

describe('lint inputs that carry their source as one object', () => {
  const files = {
    'a.yaml': `${STRICT_YAML}---\napiVersion: v1\nkind: List\nitems:\n- ${PERMISSIVE_YAML.replace(/\n(?=.)/g, '\n  ')}`,
    'b.yaml': `${PERMISSIVE_YAML}---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: bad, namespace: prod}\nspec: {mtls: {mode: NOPE}}\n`,
  };

  it('gives the findings of the inputs\' own fields, without reading those fields', () => {
    const bySource = Object.entries(files).flatMap(([file, text]) => parseManifests(text, { file }).manifests.map((m): LintInput => ({
      manifest: m.manifest,
      source: m.source,
      // Not read when a source is given.
      file: 'elsewhere.yaml',
      locate: () => { throw new Error('locate of the input read'); },
      reread: () => { throw new Error('reread of the input read'); },
    })));
    const found = lint(bySource);
    expect(found).toEqual(lint(filesOf(files)));
    // Duplicates (the analysis reads the sources again), one inside a List, and a rejection (validation).
    expect(found.map((f) => `${f.code} ${f.file}:${f.line}`))
      .toEqual(['IMA050 a.yaml:4', 'IMA050 a.yaml:16', 'IMA050 b.yaml:4', 'IMV303 b.yaml:10', 'IMV204 b.yaml:13']);
  });
});

describe('IMA050 duplicate-object, over manifests without files', () => {
  it('Noncompliance 1: counts the definitions instead of naming positions, whatever the input order', () => {
    const manifests = [pa('prod', 'default', STRICT), ns('prod'), pa('prod', 'default', PERMISSIVE)];
    const forward = findings('IMA050', manifests);
    expect(forward.map((f) => f.message)).toEqual([
      `PeerAuthentication prod/default is defined 2 times in the input ${SUFFIX}`,
      `PeerAuthentication prod/default is defined 2 times in the input ${SUFFIX}`,
    ]);
    expect(findings('IMA050', [...manifests].reverse())).toEqual(forward);
  });

  it('the model keeps the last definition and lists every one, with which share content', () => {
    const model = buildMeshModel([pa('prod', 'default', STRICT), pa('prod', 'default', PERMISSIVE), pa('prod', 'default', STRICT)]);
    expect(model.peerAuthentications.map((p) => p.mode)).toEqual(['STRICT']);
    expect(model.conflictingObjects).toEqual([{
      group: 'security.istio.io',
      kind: 'PeerAuthentication',
      namespace: 'prod',
      name: 'default',
      definitions: [0, 1, 2].map((index) => ({
        index, ref: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'prod', name: 'default' }, variant: index % 2,
      })),
    }]);
  });

  it('entries added without a fingerprint give the same model, with no definitions compared', () => {
    const manifests = [pa('prod', 'default', STRICT), pa('prod', 'default', PERMISSIVE), ns('prod')];
    const opts = resolveMeshOptions();
    const entries = new ModelEntries(opts);
    for (const m of manifests) entries.addUncompared(m);
    const uncompared = modelOfEntries(entries, opts);
    const compared = buildMeshModel(manifests);
    expect(compared.conflictingObjects).toHaveLength(1);
    expect(uncompared.conflictingObjects).toEqual([]);
    expect(uncompared.peerAuthentications).toEqual(compared.peerAuthentications);
    expect(uncompared.namespaces).toEqual(compared.namespaces);
  });
});

describe('contentFingerprint', () => {
  const base: Manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a', labels: { x: '1', y: '2' } }, data: { k: 'v' } };
  const same: [string, unknown][] = [
    ['keys in another order', { data: { k: 'v' }, metadata: { labels: { y: '2', x: '1' }, namespace: 'a', name: 'c' }, kind: 'ConfigMap', apiVersion: 'v1' }],
    ['a field set to null', { ...base, binaryData: null }],
    ['another apiVersion', { ...base, apiVersion: 'v2' }],
    ['no namespace', { ...base, metadata: { name: 'c', labels: { x: '1', y: '2' } } }],
  ];
  const different: [string, unknown][] = [
    ['another value', { ...base, data: { k: 'w' } }],
    ['a number for a string', { ...base, data: { k: 1 } }],
    ['"80" and 80', { ...base, data: 80 }],
    ['an empty map for an absent field', { ...base, binaryData: {} }],
    ['array order', { ...base, data: ['a', 'b'] }],
    ['strings cut elsewhere', { ...base, data: { ab: 'c' } }],
    ['a namespace inside the spec', { ...base, spec: { namespace: 'a' } }],
    ['apiVersion inside the spec', { ...base, spec: { apiVersion: 'a' } }],
  ];
  it.each(same)('is the same for %s', (_, m) => {
    expect(contentFingerprint(m)).toBe(contentFingerprint(base));
  });
  it.each(different)('differs for %s', (_, m) => {
    expect(contentFingerprint(m)).not.toBe(contentFingerprint(base));
  });
  it('tells apart array order, string boundaries, and timestamps', () => {
    expect(contentFingerprint(['a', 'b'])).not.toBe(contentFingerprint(['b', 'a']));
    expect(contentFingerprint({ k: ['ab', 'c'] })).not.toBe(contentFingerprint({ k: ['a', 'bc'] }));
    expect(contentFingerprint({ t: new Date(0) })).not.toBe(contentFingerprint({ t: new Date(1) }));
    expect(Number.isSafeInteger(contentFingerprint(base))).toBe(true);
  });
});

describe('IMA050 duplicate-object, across the charts of an app', () => {
  function meshPolicy(chart: Chart, id: string, mode: string, apiVersion = 'security.istio.io/v1'): ApiObject {
    return new ApiObject(chart, id, { apiVersion, kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode } } });
  }

  it('Compliance: the same object in two charts with the same content synthesizes', () => {
    const app = Testing.app();
    meshPolicy(new Chart(app, 'a'), 'Mesh', 'STRICT');
    meshPolicy(new Chart(app, 'b'), 'Mesh', 'STRICT', 'security.istio.io/v1beta1');
    MtlsValidation.enable(app);
    expect(synthError(() => app.synthYaml())).toBeUndefined();
  });

  it('Noncompliance 1: different content fails synth on both constructs, each naming the other', () => {
    const app = Testing.app();
    meshPolicy(new Chart(app, 'platform'), 'Mesh', 'STRICT');
    meshPolicy(new Chart(app, 'team'), 'Relaxed', 'PERMISSIVE');
    MtlsValidation.enable(app);
    const error = synthError(() => app.synthYaml())!;
    expect(error).toContain(`[platform/Mesh] PeerAuthentication istio-system/default is also defined at [team/Relaxed] ${SUFFIX} `
      + 'Fix: keep one definition of PeerAuthentication istio-system/default, or give every definition the same content (IMA050)');
    expect(error).toContain(`[team/Relaxed] PeerAuthentication istio-system/default is also defined at [platform/Mesh] ${SUFFIX}`);
  });

  it('trap: alternative states are never applied together, so each may define the object its own way', () => {
    const app = Testing.app();
    const phase1 = new Chart(app, 'phase-1');
    const phase2 = new Chart(app, 'phase-2');
    meshPolicy(phase1, 'Mesh', 'PERMISSIVE');
    meshPolicy(phase2, 'Mesh', 'STRICT');
    MtlsValidation.enable(app).addAlternativeStates([phase1, phase2]);
    expect(synthError(() => app.synthYaml())).toBeUndefined();
  });

  it('Noncompliance 2: an object shared by every state conflicts with a state\'s own definition, named in that state', () => {
    const app = new App({ outdir: Testing.app().outdir });
    meshPolicy(new Chart(app, 'base'), 'Mesh', 'STRICT');
    const phase1 = new Chart(app, 'phase-1');
    const phase2 = new Chart(app, 'phase-2');
    meshPolicy(phase2, 'Mesh', 'PERMISSIVE');
    new ApiObject(phase1, 'Ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
    MtlsValidation.enable(app).addAlternativeStates([phase1, phase2]);
    const error = synthError(() => app.synthYaml())!;
    expect(error).toContain('[base/Mesh] PeerAuthentication istio-system/default: in state "phase-2": PeerAuthentication istio-system/default '
      + `is also defined at [phase-2/Mesh] ${SUFFIX}`);
    expect(error).toContain(`[phase-2/Mesh] PeerAuthentication istio-system/default is also defined at [base/Mesh] ${SUFFIX}`);
  });
});
