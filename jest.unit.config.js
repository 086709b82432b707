/**
 * The fast lane (`npm run test:unit`): pure modules only, no Temporal, Postgres or Redis, so it runs
 * in seconds. `npm test` runs these files too, as part of the whole suite.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/unit'],
  testMatch: ['**/*.test.ts'],
  transform: base.transform,
};
