import { App, YamlOutputType } from 'cdk8s';
import { buildSeedGuide } from './guide';

// The output directory comes from CDK8S_OUTDIR (set by `cdk8s synth` and by
// scripts/synth-examples.ts), else `dist/`.
const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
buildSeedGuide(app);
app.synth();
