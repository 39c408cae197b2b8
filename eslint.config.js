// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const jest = require('eslint-plugin-jest');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.cache/', '.local/', 'coverage/', '**/*.js', '!eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Lambda handlers must not swallow errors: an empty catch is a lost event.
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // Metric names come from lambdas/shared/contracts/metrics.ts only, where the CDK app reads them too.
    files: ['lambdas/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='addMetric'] > Literal[value=/[A-Za-z]/]",
          message: 'Name the metric with METRICS (lambdas/shared/contracts/metrics.ts), not a string.',
        },
        {
          selector: "CallExpression[callee.property.name='addMetric'] > ConditionalExpression > Literal",
          message: 'Name the metric with METRICS (lambdas/shared/contracts/metrics.ts), not a string.',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*'] }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['eslint.config.js', 'jest.config.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
