/**
 * Three projects, so that a run of only the fast ones never starts an engine:
 * - infra: synthesizes the stacks; cdk-nag, cfn-lint and snapshots.
 * - unit: pure code under lambdas/ and local/, no engine; and the analytics job's Python (ruff,
 *   mypy, pytest, run in the .venv that .ci/run installs analytics/requirements.txt into).
 * - integration: real engines (DynamoDB Local and moto_server), started once per run by the
 *   global setup and stopped by the global teardown, whatever the tests did.
 * - browser: pages in headless Chromium (Debian's chromium, driven by playwright-core).
 */
// jose (the local runner's JWT authorizer) ships ES modules only; swc compiles them like our code.
const transform = { '^.+\\.ts$': ['@swc/jest'], '/node_modules/jose/.+\\.js$': ['@swc/jest'] };
const common = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
};

module.exports = {
  // Set here, not per project (jest ignores it there): the first import of a handler (SDK,
  // Powertools, zod) through the transform can take seconds on a cold cache.
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/{lambdas,local,tools,analytics}/**/*.test.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
  ],
};
