// `npm run test:repeat -- [--times N] [--load K] [--db-load D] <jest paths or patterns...>`: runs the
// chosen test files N times in a row (each a whole jest run with its own Temporal server and
// database) while K busy processes keep the cores loaded and D connections keep Postgres busy
// with heavy queries, the way the full suite loads both. For races that show only
// under load: every run's output is kept in .data/repeat/<stamp>/run-<i>.log with the api's error
// log (LOG_LEVEL=error), so a failure comes with the server-side error that caused it.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, log, ROOT } from './lib/bootstrap.mjs';

function parseArgs(argv) {
  const opts = { times: 10, load: 2, dbLoad: 0, paths: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--times') opts.times = Number(argv[++i]);
    else if (arg === '--load') opts.load = Number(argv[++i]);
    else if (arg === '--db-load') opts.dbLoad = Number(argv[++i]);
    else opts.paths.push(arg);
  }
  if (!Number.isInteger(opts.times) || opts.times < 1)
    throw new Error('--times takes a whole number of runs, e.g. --times 30.');
  if (!Number.isInteger(opts.load) || opts.load < 0)
    throw new Error('--load takes the number of busy processes, e.g. --load 2 (0 for none).');
  if (!Number.isInteger(opts.dbLoad) || opts.dbLoad < 0)
    throw new Error('--db-load takes the number of busy Postgres connections, e.g. --db-load 2 (0 for none).');
  if (!opts.paths.length)
    throw new Error(
      'Name the test files to repeat, e.g. npm run test:repeat -- --times 30 test/bookings/concurrency.test.ts',
    );
  return opts;
}

/** A process that keeps one core busy until killed. */
function startBusyLoop() {
  return spawn(process.execPath, ['-e', 'for (;;) { Math.sqrt(Math.random()); }'], { stdio: 'ignore' });
}

/** A Postgres connection that keeps one backend busy with a heavy query until killed. */
function startDatabaseLoop() {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const code = `const { Client } = require('pg'); const c = new Client({ connectionString: ${JSON.stringify(url)} });
    c.connect().then(async () => { for (;;) await c.query('SELECT count(*) FROM generate_series(1, 2000000)'); });`;
  return spawn(process.execPath, ['-e', code], { cwd: ROOT, stdio: 'ignore' });
}

function runJest(paths, logFile, env) {
  return new Promise((resolve) => {
    const out = createWriteStream(logFile);
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'jest'), ['--ci', ...paths], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('close', (code) => {
      out.end();
      resolve(code ?? 1);
    });
  });
}

try {
  const opts = parseArgs(process.argv.slice(2));
  const { temporalCli } = await bootstrap();
  const dir = join(ROOT, '.data', 'repeat', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  const busy = [
    ...Array.from({ length: opts.load }, startBusyLoop),
    ...Array.from({ length: opts.dbLoad }, startDatabaseLoop),
  ];
  const stopLoad = () => busy.forEach((p) => p.kill('SIGKILL'));
  process.on('SIGINT', () => {
    stopLoad();
    process.exit(130);
  });
  log(
    `Repeating ${opts.paths.join(' ')} ${opts.times} times with ${opts.load} busy processes and ${opts.dbLoad} busy Postgres connections; logs in ${dir}`,
  );
  const failures = [];
  const started = Date.now();
  for (let i = 1; i <= opts.times; i += 1) {
    const logFile = join(dir, `run-${i}.log`);
    const code = await runJest(opts.paths, logFile, {
      ...process.env,
      TEMPORAL_CLI_PATH: temporalCli,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      TEST_SUMMARY_FILE: join(dir, `summary-${i}.txt`),
    });
    if (code !== 0) failures.push(logFile);
    log(
      `run ${i}/${opts.times}: ${code === 0 ? 'passed' : `FAILED (see ${logFile})`} · ${failures.length} failed so far · ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }
  stopLoad();
  const summary = `${opts.times - failures.length} passed, ${failures.length} failed (runs of ${opts.paths.join(' ')}, load ${opts.load}, db load ${opts.dbLoad})`;
  writeFileSync(join(dir, 'summary.txt'), `${summary}\n${failures.join('\n')}\n`);
  console.log(summary);
  process.exit(failures.length ? 1 : 0);
} catch (err) {
  console.error(`[roombook] ${err.message}`);
  process.exit(1);
}
