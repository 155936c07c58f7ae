import { ApiObject, App, Chart, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { SourcedFinding } from '../lint';
import { findingOf } from '../model/finding';
import { describeRef, ResourceRef } from '../model/manifest';
import { OUTPUT_FILE_RULES } from '../model/synth-output-rules';

const [SAME_FILE, SAME_CHART_FILE] = OUTPUT_FILE_RULES;

/** The file `app.synth()` writes an object to in the file-per-resource layouts, as cdk8s names it. */
function resourceFileName(obj: ApiObject, extension: string): string {
  return `${obj.kind}.${obj.metadata.name}`.replace(/[^0-9a-zA-Z-_.]/g, '') + extension;
}

/** The reference of an object, read from the ApiObject without rendering it. */
function refOfObject(obj: ApiObject): ResourceRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' };
}

function describe(obj: ApiObject): string {
  return `${describeRef(refOfObject(obj))} [${obj.node.path}]`;
}

/**
 * What `app.synth()` would lose to files written over one another: objects
 * written to the same file (IMS001), in the file-per-resource layouts, within
 * each chart's folder (or a folder charts share) or within the output
 * directory, one finding per file on its first object in construct order;
 * and charts written to the same file (IMS002), with a file per chart, one
 * finding per chart whose objects are lost, on its first object.
 * @internal
 */
export function sameFileFindings(root: unknown, objects: readonly ApiObject[]): SourcedFinding<ApiObject>[] {
  if (!(root instanceof App)) return [];
  if (root.yamlOutputType === YamlOutputType.FILE_PER_CHART) return sameChartFileFindings(root, objects);
  const perChart = root.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE;
  if (!perChart && root.yamlOutputType !== YamlOutputType.FILE_PER_RESOURCE) return [];
  // Each folder is its own namespace of file names; one map at a time. Charts whose folders get one name share it.
  const shared = perChart ? sharedOutputNames(root, objects) : new Map<string, Chart[]>();
  const groups = new Map<Chart | string | undefined, ApiObject[]>();
  for (const obj of objects) {
    const chart = perChart ? Chart.of(obj) : undefined;
    const name = chart && shared.size > 0 ? Names.toDnsLabel(chart) : undefined;
    const key = name !== undefined && shared.has(name) ? name : chart;
    const list = groups.get(key);
    if (list) list.push(obj);
    else groups.set(key, [obj]);
  }
  const found: SourcedFinding<ApiObject>[] = [];
  for (const [chart, members] of groups) {
    const byFile = new Map<string, ApiObject | ApiObject[]>();
    for (const obj of members) {
      const file = resourceFileName(obj, root.outputFileExtension);
      const seen = byFile.get(file);
      if (seen === undefined) byFile.set(file, obj);
      else if (Array.isArray(seen)) seen.push(obj);
      else byFile.set(file, [seen, obj]);
    }
    for (const [file, seen] of byFile) {
      if (!Array.isArray(seen)) continue;
      const [first, ...others] = seen;
      const sharedBy = typeof chart === 'string' ? listCharts(shared.get(chart)!) : undefined;
      const where = sharedBy ? `folder ${chart as string}, which charts ${sharedBy} share`
        : chart ? `the folder of chart ${(chart as Chart).node.path}` : 'the output directory';
      const finding = findingOf(SAME_FILE, {
        resource: refOfObject(first),
        path: '/metadata/name',
        message: `app.synth() writes ${seen.length} objects to ${file} in ${where}, each over the one before, so only one of them reaches the output: ${listObjects(seen)}`,
        fix: sharedBy ? `give charts ${sharedBy} ids that stay distinct as DNS labels (lowercase letters, digits and -), or synthesize with YamlOutputType.FILE_PER_CHART`
          : 'give the objects names unique per kind in their folder, put them in separate charts, or synthesize with YamlOutputType.FILE_PER_CHART',
        related: others.map(refOfObject),
      });
      found.push({ finding, source: first });
    }
  }
  return found;
}

/**
 * Charts `app.synth()` writes to one file with a file per chart: cdk8s
 * writes the charts in order, each file over any before it, so every chart
 * but the last of a file is lost. One finding per lost chart with objects.
 */
function sameChartFileFindings(root: App, objects: readonly ApiObject[]): SourcedFinding<ApiObject>[] {
  const shared = sharedOutputNames(root, objects);
  if (shared.size === 0) return [];
  // The order cdk8s writes the charts in: only asked for when names collide, as it walks the whole app.
  const order = new Map(root.charts.map((chart, i) => [chart, i]));
  const objectsOf = new Map<Chart, ApiObject[]>();
  for (const obj of objects) {
    const chart = Chart.of(obj);
    const list = objectsOf.get(chart);
    if (list) list.push(obj);
    else objectsOf.set(chart, [obj]);
  }
  const found: SourcedFinding<ApiObject>[] = [];
  for (const [name, charts] of shared) {
    const written = [...charts].sort((a, b) => order.get(a)! - order.get(b)!);
    const last = written[written.length - 1];
    const file = name + root.outputFileExtension;
    for (const chart of written.slice(0, -1)) {
      const lost = objectsOf.get(chart);
      if (!lost) continue;
      const [first, ...others] = lost;
      const count = lost.length === 1 ? 'its object never reaches' : `none of its ${lost.length} objects reaches`;
      const finding = findingOf(SAME_CHART_FILE, {
        resource: refOfObject(first),
        path: '',
        message: `app.synth() writes chart ${chart.node.path} to ${file}, and chart ${last.node.path} to the same file after it `
          + `(cdk8s names a chart's file after its path made a DNS label${renamed(written, name)}), so ${count} the output: ${listObjects(lost)}`,
        fix: `give charts ${listCharts(written)} ids that stay distinct as DNS labels (lowercase letters, digits and -), `
          + 'or synthesize with YamlOutputType.FILE_PER_APP',
        related: others.map(refOfObject),
      });
      found.push({ finding, source: first });
    }
  }
  return found;
}

/**
 * The file or folder names cdk8s gives two charts or more (`Names.toDnsLabel`
 * of the chart), with those charts by path; empty when it numbers the charts'
 * files and folders instead, as it does when a chart has a chart as child or
 * a dependency crosses charts (then every name is distinct).
 */
function sharedOutputNames(root: App, objects: readonly ApiObject[]): Map<string, Chart[]> {
  const byName = new Map<string, Chart[]>();
  for (const chart of chartsOf(root, objects)) {
    const name = Names.toDnsLabel(chart);
    const list = byName.get(name);
    if (list) list.push(chart);
    else byName.set(name, [chart]);
  }
  const shared = new Map([...byName].filter(([, charts]) => charts.length > 1));
  for (const charts of shared.values()) charts.sort((a, b) => (a.node.path < b.node.path ? -1 : a.node.path > b.node.path ? 1 : 0));
  // Only when names collide: whether cdk8s numbers the files needs a walk of the whole app.
  return shared.size === 0 || numbersCharts(root.node.findAll()) ? new Map() : shared;
}

/**
 * The charts of the app: its own children and the charts of its objects.
 * Without a walk of the whole app (it costs more than the rest of this
 * check), an empty chart below another construct is not seen; its name is
 * hashed from its path, so only a chart named after that very hash could meet it.
 */
function chartsOf(root: App, objects: readonly ApiObject[]): Set<Chart> {
  const charts = new Set<Chart>();
  for (const c of root.node.children) if (Chart.isChart(c)) charts.add(c);
  let scope: IConstruct | undefined;
  for (const obj of objects) {
    // Objects of one construct come one after the other: one lookup for them all.
    if (obj.node.scope === scope) continue;
    scope = obj.node.scope;
    if (!(scope && Chart.isChart(scope) && charts.has(scope))) charts.add(Chart.of(obj));
  }
  return charts;
}

/** Whether `app.synth()` numbers the charts' files: cdk8s's test (`resolveDependencies` in src/app.ts). */
function numbersCharts(all: readonly IConstruct[]): boolean {
  for (const c of all) {
    if (Chart.isChart(c) && c.node.children.some((child) => Chart.isChart(child))) return true;
    for (const dep of c.node.dependencies) {
      if (chartOf(c) !== chartOf(dep)) return true;
    }
  }
  return false;
}

/** The chart of a construct, undefined outside any (where cdk8s itself fails synth). */
function chartOf(c: IConstruct): Chart | undefined {
  try {
    return Chart.of(c);
  } catch {
    return undefined;
  }
}

/** `A [path], B [path] and C [path]`, or the first four and how many more. */
function listObjects(objects: readonly ApiObject[]): string {
  const named = objects.slice(0, 4).map(describe);
  if (objects.length > 4) return `${named.join(', ')} and ${objects.length - 4} more`;
  return named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}

/** `, and Mesh becomes mesh-c8ac96c5`: the charts whose path is not their file's name. */
function renamed(charts: readonly Chart[], name: string): string {
  const changed = charts.filter((c) => c.node.path !== name).map((c) => `${c.node.path} becomes ${name}`);
  return changed.length > 0 ? `, and ${changed.join(' and ')}` : '';
}

function listCharts(charts: readonly Chart[]): string {
  const paths = charts.map((c) => c.node.path);
  return `${paths.slice(0, -1).join(', ')} and ${paths[paths.length - 1]}`;
}
