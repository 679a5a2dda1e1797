import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // no wall-clock limits: a test passes or fails on what it checks, however busy the machine is
    testTimeout: 0,
    hookTimeout: 0,
    pool: 'forks',
    // a worker runs file after file in one process (still two at a time): no new Node, vitest runtime and
    // module graph per file, ~0.4 s of CPU each. Tests leave no global state behind (the one module mock,
    // in lookback.test.ts, is undone with the module cache)
    isolate: false,
    // two files at a time on a 2-core machine (vitest's default is cores - 1): most tests wait on a CLI child or on DuckDB
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
