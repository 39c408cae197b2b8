/**
 * One jest run, six projects that can each run alone (npm run test:unit, ...):
 * unit (domain, no mocks), handlers (each function's consumer with in-memory ports and the events/
 * files, one smoke test per deployed handler), adapters (the DynamoDB and S3 adapters against
 * DynamoDB Local and the S3 stand-in), infra (CDK templates, cdk-nag, cfn-lint), local (the local
 * runtime: runner, services and demo, without a broker) and e2e (real Kafka broker, DynamoDB Local
 * and S3 stand-in on 127.0.0.1).
 */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
// @middy/core and @platformatic/kafka (with its @platformatic helpers) are ESM-only: let swc transform them too.
const transformIgnorePatterns = ['/node_modules/(?!(@middy|@platformatic)/)'];

const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  transform,
  transformIgnorePatterns,
  ...extra,
});

const unitLike = {
  setupFiles: ['<rootDir>/test/support/quiet-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/property-timeout.ts'],
};

module.exports = {
  // Three workers on two cores (jest's default, cores - 1, runs every file in one process one after
  // the other): the e2e files mostly wait on brokers, pollers, outages and each other's pipeline
  // lock. npm test (bin/test.sh) runs the e2e project and the others as two jest runs side by side.
  maxWorkers: 3,
  // The longest files first (see the file).
  testSequencer: '<rootDir>/test/support/test-sequencer.js',
  projects: [
    // Property tests run hundreds of cases: a longer timeout per test (test/support/property-timeout.ts).
    project('unit', unitLike),
    project('handlers', unitLike),
    // The DynamoDB and S3 adapters against DynamoDB Local and the S3 stand-in, started once per run.
    project('adapters', {
      globalSetup: '<rootDir>/test/support/adapters-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/adapters-global-teardown.ts',
    }),
    // Each stage variant of the CDK app is synthesized once per run, into a directory of the run.
    project('infra', {
      globalSetup: '<rootDir>/test/support/infra-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/infra-global-teardown.ts',
    }),
    project('local'),
    // The real components start once per run (globalSetup) and stop at the end (globalTeardown).
    project('e2e', {
      globalSetup: '<rootDir>/test/support/e2e-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/e2e-global-teardown.ts',
    }),
  ],
};
