/**
 * One jest run, five projects that can each run alone (npm run test:unit, ...):
 * unit (domain, no mocks), handlers (events/ files, mocked AWS clients), infra (CDK templates,
 * cdk-nag, cfn-lint), local (the local runtime: runner, services and demo, without a broker) and
 * e2e (real Kafka broker, DynamoDB Local and S3 stand-in on 127.0.0.1).
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

module.exports = {
  projects: [
    project('unit'),
    project('handlers'),
    project('infra'),
    project('local'),
    // The real components start once per run (globalSetup) and stop at the end (globalTeardown).
    project('e2e', {
      globalSetup: '<rootDir>/test/support/e2e-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/e2e-global-teardown.ts',
    }),
  ],
};
