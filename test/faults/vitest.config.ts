import { defineConfig } from 'vitest/config';

// `npm run test:faults`: attacks on the bot (malformed input, fuzzing, faults, crashes, replicas).
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    env: { CCM_STRICT_POOL: '1', TEST_DB: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite' },
  },
});
