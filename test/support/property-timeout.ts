// jest setupFilesAfterEnv of the unit and handlers projects. Property tests run hundreds of cases:
// a guard against a hung test, generous for a busy 2-core machine. (A project's own `testTimeout`
// is not applied in a multi-project run: jest 30 kept the 5 s default and failed a property test
// under load, so it is set here, per test file.)
jest.setTimeout(60_000);
