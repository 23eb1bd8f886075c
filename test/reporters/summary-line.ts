/**
 * Ends the test output with one plain line, "N passed, N failed[, N skipped]", which CI reads
 * to count the tests that ran (vitest's own summary ends with its duration line), preceded by
 * what was skipped and why (a program missing on this machine: test/programs.ts).
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const notes = new Set<string>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failed++;
        else {
          skipped++;
          if (result.state === 'skipped' && result.note) notes.add(result.note);
        }
      }
      // A file that fails to load has no tests but must count as a failure.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
    }
    if (notes.size)
      process.stdout.write(
        `\nSkipped on this machine (install the programs to run them; CI runs everything):\n${[...notes].map((n) => `  - ${n}`).join('\n')}\n`,
      );
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
