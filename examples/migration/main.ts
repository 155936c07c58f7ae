import { App, YamlOutputType } from 'cdk8s';
import { buildShop } from './shop';

// The output directory comes from CDK8S_OUTDIR (set by `cdk8s synth` and by
// scripts/synth-examples.ts), else `dist/`.
const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
const { plan } = buildShop(app);
app.synth();
// cdk8s writes charts only: the runbook goes next to the phase files explicitly.
plan.writeRunbook();
