import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { TIERS, testFilesUnder, tierProblems } from './test/tiers.ts';

// A test file in no tier would silently drop out of `npm test`: refuse to run instead.
const problems = tierProblems(testFilesUnder('test'));
if (problems.length) throw new Error(`test tiers (test/tiers.ts):\n  ${problems.join('\n  ')}`);

const files = (list: readonly string[]): string[] => list.map((file) => `test/${file}`);

export default defineConfig({
  test: {
    // Training tests fit real forests; give them room, but every loop in them is bounded.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/reporters/summary-line.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // One project per tier (test/tiers.ts); `npm test` runs them all, in groupOrder: the unit tier
    // first, in parallel, then integration and e2e one file at a time, e2e alone at the end.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: files(TIERS.unit),
          // vitest's default is one worker less than the cores: 1 on a 2-core machine. Unit files
          // wait on worker threads and an embedded S3 as much as on the CPU, so use every core.
          maxWorkers: Math.max(2, availableParallelism()),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: files(TIERS.integration),
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        // Sequential files: the build-and-package tests rewrite dist/ that serverless-offline serves.
        test: { name: 'e2e', include: files(TIERS.e2e), fileParallelism: false, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
