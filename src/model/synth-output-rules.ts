import { RuleInfo } from './rule-info';

/**
 * Findings about what `app.synth()` writes, reported at synth time only (the
 * CLI and the cdk8s-cli plugin read the files afterwards, when what was lost
 * is already gone). Data only: the CLI loads it without cdk8s.
 */
export const OUTPUT_FILE_RULES: RuleInfo[] = [
  {
    code: 'IMS001',
    category: 'synth-output',
    severity: 'error',
    title: 'Two objects written to the same file',
    explanation: 'With `YamlOutputType.FILE_PER_RESOURCE` or `FOLDER_PER_CHART_FILE_PER_RESOURCE`, `app.synth()` names each file '
      + '`<kind>.<metadata.name>` plus the output extension (characters other than letters, digits, `-`, `_` and `.` dropped), '
      + 'in the output directory (file per resource) or in its chart\'s folder. It does not look at the namespace or the API group: '
      + 'objects of one kind and name in several namespaces, such as a PeerAuthentication `default` per namespace, get the same file, '
      + 'and each overwrites the one before without a word. The output then lacks policies the app defines. '
      + 'With a folder per chart, two charts whose folders get the same name (see IMS002) share one folder, and their objects '
      + 'of one kind and name overwrite each other there too.',
    source: 'cdk8s App.synth (cdk8s-team/cdk8s-core src/app.ts)',
  },
  {
    code: 'IMS002',
    category: 'synth-output',
    severity: 'error',
    title: 'Two charts written to the same file',
    explanation: 'With `YamlOutputType.FILE_PER_CHART` (the default), `app.synth()` writes each chart to a file named after its '
      + 'construct path made a DNS label (`Names.toDnsLabel`): a single-component path of lowercase letters, digits and `-` is kept, '
      + 'any other is lowercased, stripped and suffixed with a hash of the path. So a chart `Mesh` is written to '
      + '`mesh-c8ac96c5.k8s.yaml`, the very file of a chart whose id is `mesh-c8ac96c5`: the chart written second replaces the '
      + 'first one\'s file, and every object of the first is missing from the output without a word (a STRICT mesh policy, say). '
      + 'cdk8s numbers the files (`0000-…`) instead when a chart has a chart as child or a dependency crosses charts; then names '
      + 'never collide. With a folder per chart, such charts share a folder (IMS001 reports the files they overwrite there). '
      + 'Only synth-time validation can see it: the CLI and the cdk8s-cli plugin read the written file, which holds the last chart alone.',
    source: 'cdk8s App.synth and Names.toDnsLabel (cdk8s-team/cdk8s-core src/app.ts, src/names.ts)',
  },
];
