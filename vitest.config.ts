import { defineConfig } from 'vitest/config';

// One config, three tiers: unit (*.test.ts, no services), int (*.int.test.ts, real Redis and
// PostgreSQL plus PGlite), e2e (*.e2e.test.ts, hub processes and simulators). `npm test` runs all.
// Ceilings are generous: tests wait on readiness signals, and a loaded 2-core machine is slow.
export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', 'node_modules/**'],
        },
      },
      {
        extends: true,
        test: { name: 'int', include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/**/*.e2e.test.ts'], testTimeout: 300_000, hookTimeout: 240_000 },
      },
    ],
  },
});
