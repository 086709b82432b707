// `npm test`: installs what is missing, then runs the whole suite against a Temporal dev server,
// Postgres and Redis (the jest global setup starts the server and makes a fresh database).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, log, ROOT } from './lib/bootstrap.mjs';

const summaryFile = join(ROOT, '.data', 'test-summary.txt');

try {
  const { temporalCli } = await bootstrap();
  rmSync(summaryFile, { force: true });
  log('Running the test suite (real Temporal dev server, Postgres and Redis)...');
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'jest'), ['--ci', ...process.argv.slice(2)], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, TEMPORAL_CLI_PATH: temporalCli },
  });
  if (existsSync(summaryFile)) console.log(readFileSync(summaryFile, 'utf8').trim());
  process.exit(result.status ?? 1);
} catch (err) {
  console.error(`[roombook] ${err.message}`);
  process.exit(1);
}
