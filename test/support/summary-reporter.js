// Writes the run's counts to .data/test-summary.txt as "N passed, N failed[, N skipped]": the
// line .ci/run ends with, taken from the runner's own results.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    // A test file that failed to load counts as a failure even though none of its tests ran.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    const dir = join(this.rootDir, '.data');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'test-summary.txt'), `${line}\n`);
  }
}

module.exports = SummaryReporter;
