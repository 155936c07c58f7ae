import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import type { SourcedFinding } from '../lint';
import { findingOf } from '../model/finding';
import { describeRef, ResourceRef } from '../model/manifest';
import { OUTPUT_FILE_RULES } from '../model/synth-output-rules';

const [SAME_FILE] = OUTPUT_FILE_RULES;

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
 * Objects that `app.synth()` would write to the same file, so that all but
 * one are lost from the output (IMS001): in the file-per-resource layouts
 * only, within each chart's folder or within the output directory. One
 * finding per file, on the first object of it in construct order.
 * @internal
 */
export function sameFileFindings(root: unknown, objects: readonly ApiObject[]): SourcedFinding<ApiObject>[] {
  if (!(root instanceof App)) return [];
  const perChart = root.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE;
  if (!perChart && root.yamlOutputType !== YamlOutputType.FILE_PER_RESOURCE) return [];
  // Each chart's folder is its own namespace of file names; one map at a time.
  const groups = new Map<Chart | undefined, ApiObject[]>();
  for (const obj of objects) {
    const key = perChart ? Chart.of(obj) : undefined;
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
      const named = seen.slice(0, 4).map(describe);
      const all = seen.length > 4 ? `${named.join(', ')} and ${seen.length - 4} more` : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
      const where = chart ? `the folder of chart ${chart.node.path}` : 'the output directory';
      const finding = findingOf(SAME_FILE, {
        resource: refOfObject(first),
        path: '/metadata/name',
        message: `app.synth() writes ${seen.length} objects to ${file} in ${where}, each over the one before, so only one of them reaches the output: ${all}`,
        fix: 'give the objects names unique per kind in their folder, put them in separate charts, or synthesize with YamlOutputType.FILE_PER_CHART',
        related: others.map(refOfObject),
      });
      found.push({ finding, source: first });
    }
  }
  return found;
}
