/**
 * The order in which jest hands test files to its workers: the longest first, so that the
 * run ends with short files filling whichever worker is free, not with a long one started last.
 * jest's own order (the last run's durations, else file size) puts a fresh clone's chaos test, a
 * small file, at the very end. docs/benchmarks.md "The test suite" has the measured times.
 */
const Sequencer = require('@jest/test-sequencer').default;

/**
 * The slowest files, longest first. The files that run the whole app under the pipeline lock
 * (order-pipeline, notification-outage, enforcement, dashboard, runner-pipeline) alternate with
 * files that run their own brokers, so that the workers seldom wait for each other.
 */
const SLOWEST = [
  'test/e2e/chaos.test.ts',
  'test/e2e/order-pipeline.test.ts',
  'test/e2e/broker-failover.test.ts',
  'test/e2e/notification-outage.test.ts',
  'test/e2e/leader-hang.test.ts',
  'test/e2e/min-insync.test.ts',
  'test/e2e/enforcement.test.ts',
  'test/e2e/runner-mappings.test.ts',
  'test/e2e/dashboard.test.ts',
  'test/e2e/redrive.test.ts',
  'test/e2e/runner-pipeline.test.ts',
];

/** Then by project, the slower projects first. */
const PROJECTS = ['e2e', 'infra', 'adapters', 'local', 'handlers', 'unit'];

class LongestFirstSequencer extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    const rank = (test) => {
      const path = test.path.slice(test.context.config.rootDir.length + 1);
      const slow = SLOWEST.indexOf(path);
      if (slow >= 0) return slow;
      const project = PROJECTS.indexOf(test.context.config.displayName?.name);
      return SLOWEST.length + (project >= 0 ? project : PROJECTS.length);
    };
    // Array.prototype.sort is stable: within a rank, jest's own order.
    return [...ordered].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirstSequencer;
