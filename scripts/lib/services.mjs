// Reachability of Postgres and Redis for the project's scripts, and starting them when they are
// local and down. Node builtins only.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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

/** Makes sure Postgres and Redis answer; starts local ones that are down; throws with what to do. */
export async function ensureDataServices(env, log = console.log) {
  const pg = new URL(env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/roombook');
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
    }
    problems.push(`${c.name} cannot be reached at ${c.host}:${c.port}: ${c.how}`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}
