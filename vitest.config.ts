import { defineConfig } from 'vitest/config';

// Integration tests start real servers on loopback ports; running files in parallel on a
// 2-core machine makes timing-sensitive assertions (TTL ageing, reload latency) flaky.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
