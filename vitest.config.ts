import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vite's TypeScript transform leaves .cts files (src/cli/launch.cts, the CommonJS launcher) out by default.
  esbuild: { include: /\.(m|c)?tsx?$/ },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build-dist.ts'],
    // The CLI tests spawn node; on a loaded CI machine that can take a while. No test asserts timing.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
