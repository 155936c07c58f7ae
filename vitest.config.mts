import { defineConfig } from 'vitest/config';

// Timeouts are hang guards only, never speed checks: `npm test` must pass on a
// small machine busy with other work (speed is measured by the benchmarks
// under bench/). Long tests are split instead (see test/cli/fuzz.test.ts).
const HANG_GUARD_MS = 10 * 60_000;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-lazy-require.ts'],
    testTimeout: HANG_GUARD_MS,
    hookTimeout: HANG_GUARD_MS,
    pool: 'forks',
  },
});
