import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Names, YamlOutputType } from 'cdk8s';
import type { ValidationContext as Cdk8sValidationContext } from 'cdk8s-cli/lib/plugins';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { synthError } from './helpers';
import { MtlsValidation } from '../../src/cdk8s/mtls-validation';
import { IstioMtlsValidation } from '../../src/cdk8s/validation-plugin';
import { MeshStrictMtls } from '../../src/constructs';

/*
 * IMS002: cdk8s names a chart's file (FILE_PER_CHART) or folder
 * (FOLDER_PER_CHART_FILE_PER_RESOURCE) after the chart's path made a DNS
 * label, so chart ids `Mesh` and `mesh-c8ac96c5` get one file, and the chart
 * written second replaces the first's objects. The issue's own example.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function newApp(yamlOutputType?: YamlOutputType): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ims002-'));
  dirs.push(outdir);
  return new App({ outdir, ...(yamlOutputType !== undefined ? { yamlOutputType } : {}) });
}

/** Every file the synth wrote, relative to the output directory. */
function written(app: App): string[] {
  return fs.readdirSync(app.outdir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(app.outdir, path.join(e.parentPath, e.name)))
    .sort();
}

function namespace(chart: Chart, name: string): ApiObject {
  return new ApiObject(chart, `Ns-${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

function meshPolicy(chart: Chart, id: string, mode: string): ApiObject {
  return new ApiObject(chart, id, { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode } } });
}

describe('charts written to the same file (IMS002)', () => {
  it('is what cdk8s does: chart Mesh is written to mesh-c8ac96c5.k8s.yaml, and the STRICT mesh policy disappears', () => {
    // The fact the check rests on, with plain objects and no validation; should cdk8s name files otherwise one day, this fails.
    const app = newApp();
    const mesh = new Chart(app, 'Mesh');
    meshPolicy(mesh, 'Strict', 'STRICT');
    namespace(new Chart(app, 'mesh-c8ac96c5'), 'shop');
    expect(Names.toDnsLabel(mesh)).toBe('mesh-c8ac96c5');
    app.synth();
    expect(written(app)).toEqual(['mesh-c8ac96c5.k8s.yaml']);
    const content = fs.readFileSync(path.join(app.outdir, 'mesh-c8ac96c5.k8s.yaml'), 'utf8');
    expect(content).toContain('kind: Namespace');
    expect(content).not.toContain('STRICT');
  });

  it('Compliance: charts whose files get distinct names', () => {
    const app = newApp();
    new MeshStrictMtls(new Chart(app, 'Mesh'), 'Strict');
    namespace(new Chart(app, 'mesh'), 'shop');
    expect(synthError(() => app.synth())).toBeUndefined();
    expect(written(app)).toEqual(['mesh-c8ac96c5.k8s.yaml', 'mesh.k8s.yaml']);
  });

  it('Noncompliance 1: the issue\'s example fails synth on the lost chart\'s object, naming both charts and the file', () => {
    const app = newApp();
    new MeshStrictMtls(new Chart(app, 'Mesh'), 'Strict');
    namespace(new Chart(app, 'mesh-c8ac96c5'), 'shop');
    expect(synthError(() => app.synth())).toBe('Validation failed with the following errors:\n'
      + '  [Mesh/Strict] PeerAuthentication istio-system/default: app.synth() writes chart Mesh to mesh-c8ac96c5.k8s.yaml, '
      + 'and chart mesh-c8ac96c5 to the same file after it (cdk8s names a chart\'s file after its path made a DNS label, '
      + 'and Mesh becomes mesh-c8ac96c5), so its object never reaches the output: PeerAuthentication istio-system/default [Mesh/Strict] '
      + 'Fix: give charts Mesh and mesh-c8ac96c5 ids that stay distinct as DNS labels (lowercase letters, digits and -), '
      + 'or synthesize with YamlOutputType.FILE_PER_APP (IMS002)');
  });

  it('Noncompliance 2: the chart written first loses, whichever it is; its objects are counted', () => {
    const app = newApp();
    const first = new Chart(app, 'mesh-c8ac96c5');
    namespace(first, 'shop');
    namespace(first, 'web');
    meshPolicy(new Chart(app, 'Mesh'), 'Strict', 'STRICT');
    MtlsValidation.enable(app);
    const error = synthError(() => app.synth())!;
    expect(error.match(/\(IMS002\)/g)).toHaveLength(1);
    expect(error).toContain('[mesh-c8ac96c5/Ns-shop] Namespace shop: app.synth() writes chart mesh-c8ac96c5 to mesh-c8ac96c5.k8s.yaml, '
      + 'and chart Mesh to the same file after it');
    expect(error).toContain('so none of its 2 objects reaches the output: Namespace shop [mesh-c8ac96c5/Ns-shop] and Namespace web [mesh-c8ac96c5/Ns-web]');
  });

  it('Noncompliance 3: an empty chart written last still replaces the file', () => {
    const app = newApp();
    meshPolicy(new Chart(app, 'Mesh'), 'Strict', 'STRICT');
    new Chart(app, 'mesh-c8ac96c5');
    MtlsValidation.enable(app);
    expect(synthError(() => app.synth())).toContain('[Mesh/Strict] PeerAuthentication istio-system/default: app.synth() writes chart Mesh');
  });

  it('trap: an empty chart written first loses nothing', () => {
    const app = newApp();
    new Chart(app, 'mesh-c8ac96c5');
    meshPolicy(new Chart(app, 'Mesh'), 'Strict', 'STRICT');
    MtlsValidation.enable(app);
    expect(synthError(() => app.synth())).toBeUndefined();
    expect(fs.readFileSync(path.join(app.outdir, 'mesh-c8ac96c5.k8s.yaml'), 'utf8')).toContain('STRICT');
  });

  it('trap: when a dependency crosses charts, cdk8s numbers the files, and both are written', () => {
    const app = newApp();
    const mesh = new Chart(app, 'Mesh');
    meshPolicy(mesh, 'Strict', 'STRICT');
    const other = new Chart(app, 'mesh-c8ac96c5');
    namespace(other, 'shop');
    other.addDependency(mesh);
    MtlsValidation.enable(app);
    expect(synthError(() => app.synth())).toBeUndefined();
    expect(written(app)).toEqual(['0000-mesh-c8ac96c5.k8s.yaml', '0001-mesh-c8ac96c5.k8s.yaml']);
  });

  it('trap: one file for the whole app loses nothing', () => {
    const app = newApp(YamlOutputType.FILE_PER_APP);
    meshPolicy(new Chart(app, 'Mesh'), 'Strict', 'STRICT');
    namespace(new Chart(app, 'mesh-c8ac96c5'), 'shop');
    MtlsValidation.enable(app);
    expect(synthError(() => app.synth())).toBeUndefined();
  });
});

describe('charts sharing a folder (IMS001 in a folder per chart)', () => {
  it('is what cdk8s does: both charts write into folder mesh-c8ac96c5', () => {
    const app = newApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    meshPolicy(new Chart(app, 'Mesh'), 'Strict', 'STRICT');
    namespace(new Chart(app, 'mesh-c8ac96c5'), 'shop');
    app.synth();
    expect(written(app)).toEqual([path.join('mesh-c8ac96c5', 'Namespace.shop.k8s.yaml'), path.join('mesh-c8ac96c5', 'PeerAuthentication.default.k8s.yaml')]);
  });

  it('Compliance: objects of distinct names in a shared folder all reach the output', () => {
    const app = newApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    meshPolicy(new Chart(app, 'Mesh'), 'Strict', 'STRICT');
    namespace(new Chart(app, 'mesh-c8ac96c5'), 'shop');
    MtlsValidation.enable(app);
    expect(synthError(() => app.synth())).toBeUndefined();
  });

  it('Noncompliance 1: one kind and name in both charts of a shared folder is written over', () => {
    const app = newApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    meshPolicy(new Chart(app, 'Mesh'), 'Strict', 'STRICT');
    const other = new Chart(app, 'mesh-c8ac96c5');
    new ApiObject(other, 'Shop', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' } });
    MtlsValidation.enable(app);
    expect(synthError(() => app.synth())).toContain('[Mesh/Strict] PeerAuthentication istio-system/default: app.synth() writes 2 objects to '
      + 'PeerAuthentication.default.k8s.yaml in folder mesh-c8ac96c5, which charts Mesh and mesh-c8ac96c5 share, each over the one before, '
      + 'so only one of them reaches the output: PeerAuthentication istio-system/default [Mesh/Strict] and PeerAuthentication shop/default [mesh-c8ac96c5/Shop] '
      + 'Fix: give charts Mesh and mesh-c8ac96c5 ids that stay distinct as DNS labels (lowercase letters, digits and -), '
      + 'or synthesize with YamlOutputType.FILE_PER_CHART (IMS001)');
  });
});

describe('the cdk8s-cli plugin, which reads the files synth wrote', () => {
  let ValidationContext: typeof Cdk8sValidationContext;
  beforeAll(async () => {
    ({ ValidationContext } = (await import('cdk8s-cli/plugins' as string)) as { ValidationContext: typeof Cdk8sValidationContext });
  });

  async function runPlugin(app: App) {
    const files = written(app).map((f) => path.join(app.outdir, f));
    const context = new ValidationContext(files, 'cdk8s-istio-mtls', '0.0.0', {}, false);
    await new IstioMtlsValidation().validate(context);
    return context.report.toJson();
  }

  it('reports one object defined differently in two chart files (IMA050)', async () => {
    const app = newApp();
    meshPolicy(new Chart(app, 'platform'), 'Mesh', 'STRICT');
    meshPolicy(new Chart(app, 'team'), 'Relaxed', 'PERMISSIVE');
    app.synth();
    const report = await runPlugin(app);
    const duplicates = report.violations.filter((v) => v.ruleName.startsWith('IMA050'));
    const tail = 'with different content; the cluster holds whichever is applied last, so what it holds depends on apply order '
      + '(see also PeerAuthentication istio-system/default)';
    expect(duplicates.map((v) => v.recommendation.replace(app.outdir, '<out>'))).toEqual([
      `PeerAuthentication istio-system/default is also defined at <out>/team.k8s.yaml:4 ${tail}`,
      `PeerAuthentication istio-system/default is also defined at <out>/platform.k8s.yaml:4 ${tail}`,
    ]);
    expect(duplicates.map((v) => path.basename(v.violatingConstructs[0].manifestPath))).toEqual(['platform.k8s.yaml', 'team.k8s.yaml']);
  });

  it('cannot see a chart written over: the file holds the last chart only (IMS002 is reported at synth)', async () => {
    const app = newApp();
    meshPolicy(new Chart(app, 'Mesh'), 'Strict', 'STRICT');
    namespace(new Chart(app, 'mesh-c8ac96c5'), 'shop');
    app.synth();
    const report = await runPlugin(app);
    expect(report.summary.metadata).toMatchObject({ Resources: '1', Errors: '0' });
  });
});
