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
const config = await createConfig({ extends: ['recommended'] });
const problems = await lintFromString({ source: readFileSync(file, 'utf8'), absoluteRef: file, config });
const lines = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
if (flag === '--json') console.log(JSON.stringify(lines));
else console.log(lines.length ? lines.join('\n') : `${file}: no problems (Redocly recommended ruleset)`);
process.exit(lines.length ? 1 : 0);
