import { defineConfig } from 'vitest/config';

// Every test runs on the embedded PGlite; with TEST_DATABASE_URL set, the database tests (end-to-end
// flows and *.db.test.ts) run again on real PostgreSQL.
const databaseTests = ['test/**/*.e2e.test.ts', 'test/contract/**/*.test.ts', 'test/**/*.db.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    // A query on the pool inside a transaction fails at once (src/db/client.ts): it deadlocks PGlite and
    // can hold PostgreSQL's whole pool.
    env: { CCM_STRICT_POOL: '1' },
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'pglite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/bench/**', 'test/faults/**'],
          env: { TEST_DB: 'pglite' },
        },
      },
      ...(process.env.TEST_DATABASE_URL
        ? [
            {
              extends: true as const,
              test: { name: 'postgres', include: databaseTests, env: { TEST_DB: 'postgres' } },
            },
          ]
        : []),
    ],
  },
});
