// `node scripts/lint-openapi.mjs <openapi.json> [--json]`: Redocly's recommended ruleset over an
// OpenAPI document; exits 1 on any problem (errors and warnings alike). `npm run lint:openapi`
// builds the document first. @redocly/openapi-core is ESM only, hence a script of its own.
import { readFileSync } from 'node:fs';
import { createConfig, lintFromString } from '@redocly/openapi-core';

const [file, flag] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/lint-openapi.mjs <openapi.json> [--json]');
  process.exit(2);
}
const source = readFileSync(file, 'utf8');
const config = await createConfig({ extends: ['recommended'] });
const document = JSON.parse(source);

/**
 * The one exception to the ruleset: operation-2xx-response on an operation whose answer is a
 * redirect (the single sign-on start and callback answer 302 by design, as OpenID Connect
 * requires). Every other problem counts.
 */
function redirectOnly(problem) {
  if (problem.ruleId !== 'operation-2xx-response') return false;
  const pointer = problem.location[0]?.pointer ?? '';
  const parts = pointer
    .replace(/^#\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const responses = parts.reduce((node, key) => node?.[key], document);
  return Boolean(responses) && Object.keys(responses).some((status) => /^3\d\d$/.test(status));
}

const problems = (await lintFromString({ source, absoluteRef: file, config })).filter((p) => !redirectOnly(p));
const lines = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
if (flag === '--json') console.log(JSON.stringify(lines));
else console.log(lines.length ? lines.join('\n') : `${file}: no problems (Redocly recommended ruleset)`);
process.exit(lines.length ? 1 : 0);
