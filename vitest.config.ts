import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Training tests fit real forests; give them room, but every loop in them is bounded.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Sequential files: the build-and-package tests rewrite dist/ that serverless-offline serves.
    fileParallelism: false,
    reporters: ['default', './test/reporters/summary-line.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
