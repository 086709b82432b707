import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.build/',
      '.data/',
      'dist/',
      'coverage/',
      'test-artifacts/',
      'src/api/display/static/**',
      'src/api/insights/static/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Rows and payloads get real types (or `unknown` and narrowing) in the application code.
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    // The workflow sandbox: deterministic code only. Workflows may import @temporalio/workflow,
    // src/shared, other workflow files, and types (activities' types for proxyActivities).
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(?!@temporalio/workflow$|@temporalio/common(/|$)|\\.{1,2}/|\\.\\./shared/|\\.\\./\\.\\./shared/)',
              message: 'Workflow code may import only @temporalio/workflow, src/shared and types.',
            },
            {
              regex: '^\\.\\./(activities|api|db|entities|infra|config|workers|domain)(/|$)',
              allowTypeImports: true,
              message: 'Workflows may only import types from outside src/shared (use activities for I/O).',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process']",
          message: 'No process.* in workflows: pass values in as input.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message:
            'Use the workflow clock: new Date() inside a workflow is already deterministic; Date.now() is banned here to keep the rule simple.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Use uuid4() or a seeded value from @temporalio/workflow.',
        },
        {
          selector: "CallExpression[callee.name='setTimeout']",
          message: 'Use sleep() or condition() from @temporalio/workflow.',
        },
      ],
    },
  },
  {
    // The pure domain: rules and types only. I/O lives in src/db/repositories and the services.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['typeorm', 'typeorm/*', 'pg', 'pg/*', 'ioredis', '@temporalio/*', 'nodemailer', 'nodemailer/*'],
              message: 'src/domain holds rules and types only: do I/O in a repository or a service.',
            },
            {
              regex: '^(\\.\\./)+(db|infra|api|activities|realtime|workers|entities)(/|$)',
              message: 'src/domain may not reach into the I/O layers: they import the domain, not the other way round.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
