/** The slow lane (`npm run test:slow`): only the parts jest.lanes.js names, with the same setup as `npm test`. */
const base = require('./jest.config');
const lanes = require('./jest.lanes');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: undefined,
  testRegex: lanes.slow.map((p) => p.replace('<rootDir>/', '').concat(p.endsWith('/') ? '.*\\.test\\.ts$' : '')),
};
