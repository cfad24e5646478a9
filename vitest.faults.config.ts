import { defineConfig } from 'vitest/config';

// npm run test:faults: the fault-injection suite (private Redis and PostgreSQL it crashes on purpose).
export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    include: ['test/faults/**/*.faults.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
