// The library loads its engine lazily with require() (cold start). Vitest
// transforms imports but not runtime require() of TypeScript sources, so let
// tsx serve those requires in tests, as it does for the CLI and examples.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('tsx/cjs/api').register();
