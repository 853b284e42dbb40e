import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build-dist.ts'],
    // The CLI tests spawn node; on a loaded CI machine that can take a while. No test asserts timing.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
