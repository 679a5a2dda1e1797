import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // no wall-clock limits: a test passes or fails on what it checks, however busy the machine is
    testTimeout: 0,
    hookTimeout: 0,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
