import { javascript, release, typescript, TaskShell, TextFile } from 'projen';

const CDK8S_FLOOR = '2.68.12';
const CONSTRUCTS_FLOOR = '10.3.0';

const project = new typescript.TypeScriptProject({
  name: 'cdk8s-istio-mtls',
  description:
    'CDK-style constructs for Istio mutual TLS, with an offline validator, analyzer and the istio-mtls CLI.',
  license: 'Apache-2.0',
  copyrightOwner: 'The cdk8s-istio-mtls authors',
  authorName: 'The cdk8s-istio-mtls authors',
  repository: 'https://github.com/cdk8s-istio-mtls/cdk8s-istio-mtls',
  keywords: ['cdk8s', 'istio', 'mtls', 'peerauthentication', 'authorizationpolicy', 'destinationrule', 'service-mesh'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  // @marcbachmann/cel-js is ESM only: the library require()s it, which Node does from 20.19 on.
  minNodeVersion: '20.19.0',
  projenrcTs: true,
  projenrcTsOptions: { runner: typescript.TypeScriptRunner.tsx() },
  github: false,
  // Releases are cut by hand (docs/releasing.md): no GitHub workflow, nothing pushed or published by projen.
  release: true,
  releaseTrigger: release.ReleaseTrigger.manual({ changelogPath: 'CHANGELOG.md', gitPushCommand: '' }),
  releaseToNpm: false,
  // The first release is 0.1.0 (projen would start at 0.0.0); RELEASE_AS=major|minor|patch|x.y.z overrides the commits' bump.
  nextVersionCommand: 'if [ -n "${RELEASE_AS:-}" ]; then echo "$RELEASE_AS"; elif [ -z "${LATEST_TAG:-}" ]; then echo 0.1.0; fi',
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  jest: false,
  sampleCode: false,
  typescriptVersion: '~5.9.3',
  eslint: true,
  eslintOptions: { tsconfigPath: './tsconfig.dev.json', dirs: ['src'], devdirs: ['test', 'examples', 'scripts', 'bench'], ignorePatterns: ['/imports/', '/src/validation/schemas/', '/lib/', '/dist/'] },
  prettier: false,
  entrypoint: 'lib/src/index.js',
  entrypointTypes: 'lib/src/index.d.ts',
  bin: { 'istio-mtls': 'bin/istio-mtls' },
  peerDeps: [`cdk8s@^${CDK8S_FLOOR}`, `constructs@^${CONSTRUCTS_FLOOR}`],
  deps: [
    'yaml@^2.9.1',
    'ajv@^8.20.0',
    '@marcbachmann/cel-js@^8.0.0',
    'js-yaml@^4.3.2',
  ],
  devDeps: [
    `cdk8s@${CDK8S_FLOOR}`,
    `constructs@${CONSTRUCTS_FLOOR}`,
    'cdk8s-plus-27@^2.9.5',
    'cdk8s-plus-33@^2.5.57',
    'cdk8s-cli@^2.207.60',
    'vitest@^4.1.12',
    'fast-check@^4.10.2',
    'tsx@^4.20.0',
    '@types/node@^20',
    '@types/js-yaml@^4.0.9',
    // Issue-6 checks: the SARIF 2.1.0 schema (shipped in jest-sarif), mermaid's own parser under jsdom, TypeDoc.
    '@microsoft/jest-sarif@1.0.0-beta.0',
    'mermaid@^11',
    'jsdom@^26',
    'typedoc@^0.28.20',
  ],
  tsconfig: {
    include: ['src/**/*.ts', 'imports/**/*.ts'],
    compilerOptions: {
      rootDir: '.',
      target: 'ES2022',
      lib: ['es2022'],
      module: 'commonjs',
      esModuleInterop: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noImplicitReturns: true,
      strict: true,
      // Inline source maps with sources would multiply the package size (the precompiled validators are large).
      inlineSourceMap: false,
      inlineSources: false,
    },
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {},
    exclude: ['node_modules', 'lib', 'dist', '.bench'],
    include: ['src/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'imports/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', '.projenrc.ts', 'projenrc/**/*.ts'],
  },
  gitignore: ['dist/', '.bench/', '*.tgz', 'coverage/'],
  npmIgnoreOptions: { ignorePatterns: ['/examples/', '/scripts/', '/bench/', '/.ci/', '/imports/*.ts', '!/imports/*.d.ts', '/test/', '/docs/', '/src/**/*.ts', '!/src/**/*.d.ts'] },
});

// projen's eslint brings eslint-import-resolver-typescript unpinned; 4.x pulls
// unrs-resolver, whose platform binaries the registry reachable here only has
// for Linux: the lock file then misses them and `npm ci` refuses to run.
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@3.8.7');

// The generated L1 classes live in imports/ beside src/, so both compile under lib/.
// Lint type-aware against tsconfig.dev.json, which covers src, test, examples and scripts.
const eslintrc = project.tryFindObjectFile('.eslintrc.json')!;
eslintrc.addDeletionOverride('parserOptions.projectService');
eslintrc.addOverride('parserOptions.project', './tsconfig.dev.json');

// The layers of the folder layout, enforced in src/ only (tests may import anything):
// the engine never imports the cdk8s-facing code or the CLI; validation never imports
// resolution or analysis; analysis never imports report; no import cycles.
// Zone paths are relative to the working directory: run eslint from the repository root.
const ENGINE = [
  './src/input', './src/model', './src/validation', './src/resolution', './src/analysis',
  './src/migration', './src/certificates', './src/report',
  './src/lint.ts', './src/engine.ts', './src/rules-catalog.ts',
];
project.eslint!.addOverride({
  files: ['src/**/*.ts'],
  rules: {
    'import/no-cycle': 'error',
    'import/no-restricted-paths': ['error', {
      zones: [
        {
          target: ENGINE,
          from: ['./src/cdk8s', './src/constructs', './src/cli', './src/files'],
          message: 'The engine never imports cdk8s/, constructs/, cli/ or files/ (reading files is for the faces).',
        },
        { target: './src/constructs', from: './src/cli', message: 'Constructs never import cli/: share code through files/ or vocabulary/.' },
        { target: './src/validation', from: ['./src/resolution', './src/analysis'], message: 'Validation is per resource: it never imports resolution/ or analysis/.' },
        { target: './src/analysis', from: './src/report', message: 'Analysis produces findings; it never imports report/.' },
      ],
    }],
  },
});

// projen's own task shell has no `if`: the next-version rule runs under sh.
project.tasks.tryFind('bump:next-version')!.shell = TaskShell.sh();

// `eslint` (from projen) fixes in place; `lint` only reports, for CI and `npm test`.
const lint = project.addTask('lint', {
  description: 'Lint without fixing',
  env: { ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
  exec: 'eslint --ext .ts --no-error-on-unmatched-pattern --max-warnings 0 src test examples scripts bench .projenrc.ts',
});

// --- tasks -----------------------------------------------------------------
project.addTask('import', {
  description: 'Regenerate src/imports (cdk8s import) and the validation schemas from CRD files (default ../shared/crds)',
  exec: 'tsx scripts/import-crds.ts',
  receiveArgs: true,
});

project.addTask('synth', {
  description: 'Synthesize the example apps into dist/',
  exec: 'tsx scripts/synth-examples.ts',
});

// A plain script (not a projen task) so `npm run --silent cli -- lint …` prints only the command's output.
project.addScripts({ cli: 'tsx src/cli/main.ts' });

project.addTask('typecheck', {
  description: 'Type-check src, test, examples and scripts',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});

project.testTask.reset();
project.testTask.spawn(project.tasks.tryFind('typecheck')!);
project.testTask.exec('vitest run');
project.testTask.spawn(lint);

project.addTask('rules-doc', {
  description: 'Regenerate RULES.md from the rule catalogues',
  exec: 'tsx scripts/gen-rules-doc.ts',
});

project.addTask('api-doc', {
  description: 'Regenerate docs/API.md from the TSDoc comments (TypeDoc)',
  exec: 'tsx scripts/gen-api-doc.ts',
});

project.addTask('test:package', {
  description: 'Clone HEAD, npm ci and npm pack there, and test the tarball in fresh cdk8s apps (cdk8s-plus-27 and -33); needs the npm registry',
  exec: 'bash scripts/test-package.sh',
  receiveArgs: true,
});

// npm runs `prepack` before `npm pack` and `npm publish` (not on `npm ci`): the tarball is built from
// the sources of the checkout, from scratch, so no stale or missing lib/ can ship.
project.addTask('prepack', {
  description: 'Build lib/ from scratch (npm runs this before npm pack and npm publish)',
  steps: [{ exec: 'rm -rf lib' }, { spawn: 'compile' }],
});

// Ship an allowlist, not a denylist: only the compiled library, the bin and the docs.
project.package.addField('files', ['lib/**/*.js', 'lib/**/*.d.ts', 'bin/', 'RULES.md']);

// Two entry points: the constructs (`cdk8s-istio-mtls`) and the engine (`cdk8s-istio-mtls/engine`).
// typesVersions serves the subpath's types to TypeScript's node10 resolution, which ignores `exports`.
project.package.addField('exports', {
  '.': { types: './lib/src/index.d.ts', default: './lib/src/index.js' },
  './engine': { types: './lib/src/engine.d.ts', default: './lib/src/engine.js' },
  './package.json': './package.json',
});
project.package.addField('typesVersions', { '*': { engine: ['lib/src/engine.d.ts'] } });

project.addTask('test:watch', { exec: 'vitest' });

// The benchmark runs what users run: JavaScript compiled by tsc (bench/tsconfig.json),
// not sources transformed on the fly by tsx, whose keepNames wrapper gives every
// closure an own `name` property and whose exports are getters.
project.addTask('bench', {
  description: 'Run the benchmarks (compiled with tsc into .bench/js first)',
  exec: 'tsc -p bench/tsconfig.json && node .bench/js/bench/run.js',
  receiveArgs: true,
});
project.addTask('bench:retained', {
  description: 'Heap each construct keeps, against a plain ApiObject with the same manifest',
  exec: 'tsc -p bench/tsconfig.json && node .bench/js/bench/retained.js',
  receiveArgs: true,
});
project.addTask('bench:held', {
  description: 'Heap the synth-time analysis holds beside the app, phase by phase',
  exec: 'tsc -p bench/tsconfig.json && node --expose-gc .bench/js/bench/held.js',
  receiveArgs: true,
});
project.addTask('bench:hook', {
  description: 'Time of the synth-time hook and what it leaves in the app\'s old generation',
  exec: 'tsc -p bench/tsconfig.json && node --expose-gc .bench/js/bench/hook.js',
  receiveArgs: true,
});

new TextFile(project, 'bin/istio-mtls', {
  lines: ['#!/usr/bin/env node', "require('../lib/src/cli/main.js').main(process.argv.slice(2));"],
  executable: true,
  marker: false,
});

project.synth();
