import { defineConfig } from 'vitest/config';

const ignored = ['**/node_modules/**', '**/.next/**', '**/dist/**', 'e2e/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{apps,packages,bench}/**/*.test.ts', 'scripts/*.test.ts'],
          exclude: [...ignored, '**/*.kernel.test.ts'],
          environment: 'node',
          // CTSCOPE_TEST_STORE=postgres starts a PostgreSQL server per test dashboard (initdb takes seconds).
          ...(process.env.CTSCOPE_TEST_STORE === 'postgres' && { hookTimeout: 120_000 }),
        },
      },
      {
        test: {
          name: 'kernel',
          include: ['{apps,packages,bench}/**/*.kernel.test.ts'],
          exclude: ignored,
          environment: 'node',
          // Kernel tests share one machine's netfilter state: run them one file at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
