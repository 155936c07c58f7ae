import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-lazy-require.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
