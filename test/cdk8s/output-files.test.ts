import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { afterEach, describe, expect, it } from 'vitest';
import { synthError } from './helpers';
import { MtlsValidation } from '../../src/cdk8s/mtls-validation';
import { MigrationPlan, NamespaceMtls } from '../../src/constructs';
import { MtlsMode } from '../../src/vocabulary';

/*
 * IMS001: in the file-per-resource layouts cdk8s names each file
 * <kind>.<name>, so objects of one kind and name in several namespaces are
 * written over one another and all but one are lost from the output.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function newApp(yamlOutputType: YamlOutputType, outputFileExtension?: string): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ims001-'));
  dirs.push(outdir);
  return new App({ outdir, yamlOutputType, outputFileExtension });
}

/** Every file the synth wrote, relative to the output directory. */
function written(app: App): string[] {
  return fs.readdirSync(app.outdir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(app.outdir, path.join(e.parentPath, e.name)))
    .sort();
}

/** A PeerAuthentication `default` per namespace, in one chart, as plain objects. */
function defaultPolicies(chart: Chart, namespaces: readonly string[]): void {
  for (const ns of namespaces) {
    new ApiObject(chart, `pa-${ns}`, {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: ns },
      spec: { mtls: { mode: 'STRICT' } },
    });
  }
}

describe('objects written to the same file (IMS001)', () => {
  it('is what cdk8s does: without the check, a folder per chart keeps one of two namespace policies', () => {
    // The fact the check rests on; should cdk8s name files by namespace one day, this fails.
    const app = newApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    defaultPolicies(new Chart(app, 'mesh'), ['a', 'b']);
    app.synth();
    const files = written(app);
    expect(files).toEqual([path.join('mesh', 'PeerAuthentication.default.k8s.yaml')]);
    expect(fs.readFileSync(path.join(app.outdir, files[0]), 'utf8')).toMatch(/namespace: b\n/);
  });

  it('fails synth in a folder per chart, naming the file, the chart and every object', () => {
    const app = newApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    const chart = new Chart(app, 'mesh');
    new NamespaceMtls(chart, 'A', { namespace: 'a', mode: MtlsMode.STRICT });
    new NamespaceMtls(chart, 'B', { namespace: 'b', mode: MtlsMode.STRICT });
    expect(synthError(() => app.synth())).toContain(
      '[mesh/A] PeerAuthentication a/default: app.synth() writes 2 objects to PeerAuthentication.default.k8s.yaml in the folder of chart mesh, '
      + 'each over the one before, so only one of them reaches the output: PeerAuthentication a/default [mesh/A] and PeerAuthentication b/default [mesh/B] '
      + 'Fix: give the objects names unique per kind in their folder, put them in separate charts, or synthesize with YamlOutputType.FILE_PER_CHART (IMS001)');
  });

  it('counts the objects beyond three and reports one finding per file', () => {
    const app = newApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    defaultPolicies(new Chart(app, 'mesh'), ['a', 'b', 'c', 'd', 'e']);
    MtlsValidation.enable(app);
    const error = synthError(() => app.synth())!;
    expect(error.match(/\(IMS001\)/g)).toHaveLength(1);
    expect(error).toContain('writes 5 objects to PeerAuthentication.default.k8s.yaml');
    expect(error).toContain('PeerAuthentication a/default [mesh/pa-a], PeerAuthentication b/default [mesh/pa-b], '
      + 'PeerAuthentication c/default [mesh/pa-c], PeerAuthentication d/default [mesh/pa-d] and 1 more');
  });

  it('allows the same names in separate charts of a folder per chart, and writes them all', () => {
    const app = newApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    new NamespaceMtls(new Chart(app, 'a'), 'Ns', { namespace: 'a', mode: MtlsMode.STRICT });
    new NamespaceMtls(new Chart(app, 'b'), 'Ns', { namespace: 'b', mode: MtlsMode.STRICT });
    expect(synthError(() => app.synth())).toBeUndefined();
    expect(written(app)).toHaveLength(2);
  });

  it('fails the same names in separate charts when every file goes to one directory', () => {
    const app = newApp(YamlOutputType.FILE_PER_RESOURCE);
    new NamespaceMtls(new Chart(app, 'a'), 'Ns', { namespace: 'a', mode: MtlsMode.STRICT });
    new NamespaceMtls(new Chart(app, 'b'), 'Ns', { namespace: 'b', mode: MtlsMode.STRICT });
    expect(synthError(() => app.synth())).toMatch(/^ {2}\[a\/Ns\] PeerAuthentication a\/default: app\.synth\(\) writes 2 objects to PeerAuthentication\.default\.k8s\.yaml in the output directory, .*\(IMS001\)$/m);
  });

  it('knows the characters cdk8s drops from file names and the output extension', () => {
    const app = newApp(YamlOutputType.FILE_PER_RESOURCE, '.yml');
    const chart = new Chart(app, 'rbac');
    new ApiObject(chart, 'one', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'istio:reader' } });
    new ApiObject(chart, 'two', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'istioreader' } });
    MtlsValidation.enable(app);
    expect(synthError(() => app.synth())).toContain('ClusterRole istio:reader: app.synth() writes 2 objects to ClusterRole.istioreader.yml in the output directory');
  });

  it('fails a migration plan, whose phases hold the default policy of several namespaces each', () => {
    const app = newApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    new MigrationPlan(app, 'mtls', { namespaces: ['web', 'shop'] });
    const error = synthError(() => app.synth())!;
    expect(error.match(/\(IMS001\)/g)).toHaveLength(5);
    expect(error).toContain('[01-inject/PeerAuthentication-istio-system-default] PeerAuthentication istio-system/default: app.synth() writes 3 objects '
      + 'to PeerAuthentication.default.k8s.yaml in the folder of chart 01-inject, each over the one before, so only one of them reaches the output: '
      + 'PeerAuthentication istio-system/default [01-inject/PeerAuthentication-istio-system-default], '
      + 'PeerAuthentication shop/default [01-inject/PeerAuthentication-shop-default] and PeerAuthentication web/default [01-inject/PeerAuthentication-web-default]');
  });

  it('says nothing in the layouts with a file per chart or per app', () => {
    for (const type of [YamlOutputType.FILE_PER_CHART, YamlOutputType.FILE_PER_APP]) {
      const app = newApp(type);
      defaultPolicies(new Chart(app, 'mesh'), ['a', 'b']);
      MtlsValidation.enable(app);
      expect(synthError(() => app.synth())).toBeUndefined();
    }
  });
});
