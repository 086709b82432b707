// `npm test`: installs what is missing, then runs the whole suite against a Temporal dev server,
// Postgres and Redis (the jest global setup starts the server and makes a fresh database).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, log, ROOT } from './lib/bootstrap.mjs';

// One file per run: several runs may share a working tree.
const summaryFile = join(ROOT, '.data', `test-summary-${process.pid}.txt`);

try {
  const { temporalCli } = await bootstrap({ browser: true });
  rmSync(summaryFile, { force: true });
  log('Running the test suite (real Temporal dev server, Postgres and Redis)...');
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'jest'), ['--ci', ...process.argv.slice(2)], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, TEMPORAL_CLI_PATH: temporalCli, TEST_SUMMARY_FILE: summaryFile },
  });
  if (existsSync(summaryFile)) {
    console.log(readFileSync(summaryFile, 'utf8').trim());
    rmSync(summaryFile, { force: true });
  }
  process.exit(result.status ?? 1);
} catch (err) {
  console.error(`[roombook] ${err.message}`);
  process.exit(1);
}
