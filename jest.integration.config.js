/**
 * The integration lane (`npm run test:integration`): the suite against the real Temporal server,
 * Postgres and Redis, without the slow parts (jest.lanes.js) and the unit lane.
 */
const base = require('./jest.config');
const lanes = require('./jest.lanes');

/** @type {import('jest').Config} */
module.exports = { ...base, testPathIgnorePatterns: ['/node_modules/', ...lanes.slow, ...lanes.unit] };
