'use strict';
/**
 * Prints the one closing line CI reads — "N passed, N failed[, N skipped]" — after Jest's
 * own summary, counted from Jest's aggregated results (suites that failed to run count as
 * failures, so a broken import cannot pass silently).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
    process.stdout.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
