/**
 * The slow parts of the suite, named once: the quick bench runs, the room display in Chromium
 * (and, when it lands, the Temporal server built with Go against Postgres). `npm run test:slow`
 * runs only these, `npm run test:integration` everything else but the unit lane; `npm test`
 * (jest.config.js) runs all of it.
 */
module.exports = {
  slow: [
    '<rootDir>/test/bench/',
    '<rootDir>/test/realtime/display\\.test\\.ts$',
    '<rootDir>/test/insights/page\\.test\\.ts$',
  ],
  unit: ['<rootDir>/test/unit/'],
};
