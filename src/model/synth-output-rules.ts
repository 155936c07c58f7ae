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
      + 'and each overwrites the one before without a word. The output then lacks policies the app defines.',
    source: 'cdk8s App.synth (cdk8s-team/cdk8s-core src/app.ts)',
  },
];
