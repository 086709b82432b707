// Writes the run's counts as "N passed, N failed[, N skipped]" to TEST_SUMMARY_FILE (set by
// scripts/test.mjs, which prints it last): the line .ci/run ends with, from the runner's results.
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    // A test file that failed to load counts as a failure even though none of its tests ran.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    const file = process.env.TEST_SUMMARY_FILE || join(this.rootDir, '.data', 'test-summary.txt');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${line}\n`);
  }
}

module.exports = SummaryReporter;
