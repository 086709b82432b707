import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { createDataSource, dropDatabase, ensureDatabase, migrate } from '../../src/db/data-source';

export const ROOT = join(__dirname, '..', '..');
/** Logs and the SQLite file; BENCH_WORK_DIR gives concurrent runs (the test's) a directory of their own. */
export const BENCH_DIR = process.env.BENCH_WORK_DIR ?? join(ROOT, '.data', 'bench');

export const progress = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Managed {
  name: string;
  child: ChildProcess;
  pid: number;
}

const children: Managed[] = [];
let stopping: Promise<void> | undefined;

/** Spawns a process of ours; its output goes to .data/bench/logs/<name>.log. Every one is stopped by stopAll(). */
export function spawnManaged(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Managed {
  mkdirSync(join(BENCH_DIR, 'logs'), { recursive: true });
  const log = createWriteStream(join(BENCH_DIR, 'logs', `${name}.log`));
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  // The end of its output, said with an unexpected exit: the logs folder may be gone when someone reads it (a test's run).
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString('utf8')).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const managed = { name, child, pid: child.pid ?? -1 };
  children.push(managed);
  child.on('exit', (code, signal) => {
    if (stopping || managed.child.killed) return;
    const last = tail.trimEnd().split('\n').slice(-15).map((l) => `    ${l}`).join('\n');
    progress(`${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${join(BENCH_DIR, 'logs', `${name}.log`)}; its last lines:\n${last}`);
  });
  return managed;
}

/**
 * Node with tsx as a loader, not the tsx launcher: a signal then reaches the process itself, leaving no orphan.
 * `BENCH_PROFILE=worker,api1` records V8 CPU profiles of those processes into .data/bench/profiles/<name>
 * (open a .cpuprofile in Chrome DevTools or speedscope).
 */
export function spawnNode(name: string, script: string, env: NodeJS.ProcessEnv): Managed {
  const profiled = (process.env.BENCH_PROFILE ?? '').split(',').includes(name);
  // One directory per process; V8 writes one profile per thread (the worker's workflows run in a thread of their own).
  const profile = profiled ? ['--cpu-prof', `--cpu-prof-dir=${join(BENCH_DIR, 'profiles', name)}`] : [];
  return spawnManaged(name, process.execPath, [...profile, '--import', 'tsx', script], env);
}

export async function stopProcess(m: Managed): Promise<void> {
  if (m.child.exitCode !== null || m.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => m.child.once('exit', () => resolve()));
  m.child.kill('SIGTERM');
  const timer = setTimeout(() => m.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
  const index = children.indexOf(m);
  if (index >= 0) children.splice(index, 1);
}

/** Stops what the bench started, newest first (the api and workers before the Temporal server). */
export function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const m of [...children].reverse()) await stopProcess(m).catch(() => undefined);
  })();
  return stopping;
}

export async function waitFor(what: string, check: () => Promise<boolean>, seconds: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up within ${seconds}s (logs in ${join(BENCH_DIR, 'logs')})`);
}

export async function tcpOpen(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Resident memory of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

/** CPU time (user+system) of a process in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** What the bench uses of scripts/lib/temporal-cli.mjs (plain JS: it runs before npm packages exist). */
export interface TemporalCliModule {
  temporalCacheDir(): string;
  findGo(): string | null;
  goInstall(go: string, dir: string, packages: string[], log: (msg: string) => void, otherwise: string): Promise<void>;
  DEV_SERVER_DYNAMIC_CONFIG: string[];
}

export async function temporalCliModule(): Promise<TemporalCliModule> {
  return (await import(join(ROOT, 'scripts/lib/temporal-cli.mjs'))) as TemporalCliModule;
}

export async function startTemporal(cli: string, options: { sqlite: boolean; dynamicConfig?: string[] }): Promise<{ address: string; managed: Managed }> {
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const searchAttributes = JSON.parse(readFileSync(join(ROOT, 'src/shared/search-attributes.json'), 'utf8')) as Record<string, string>;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort), '--metrics-port', String(metricsPort), '--headless', '--log-level', 'error'];
  if (options.sqlite) {
    const file = join(BENCH_DIR, 'temporal.sqlite');
    mkdirSync(BENCH_DIR, { recursive: true });
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    // The same pragmas as `npm start`.
    args.push('--db-filename', file, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  for (const [name, type] of Object.entries(searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  // As `npm start` runs it; BENCH_TEMPORAL_DYNAMIC_CONFIG (options.dynamicConfig) comes after and wins.
  const { DEV_SERVER_DYNAMIC_CONFIG } = await temporalCliModule();
  for (const value of [...DEV_SERVER_DYNAMIC_CONFIG, ...(options.dynamicConfig ?? [])]) args.push('--dynamic-config-value', value);
  const managed = spawnManaged('temporal', cli, args, process.env);
  await waitFor('the Temporal dev server', () => tcpOpen(port), 60);
  return { address: `127.0.0.1:${port}`, managed };
}

/**
 * Refuses a database something is connected to: dropping it would close another bench run's
 * connections and end that run. Called before anything starts.
 */
export async function refuseDatabaseInUse(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
    if (rows[0].n > 0)
      throw new Error(
        `database ${name} has ${rows[0].n} connections: another bench run is using it. Wait for that run to finish, or set BENCH_DATABASE_URL to another database with "bench" in its name.`,
      );
  } finally {
    await client.end();
  }
}

/** A fresh database every run: dropped and migrated. */
export async function freshDatabase(url: string): Promise<void> {
  await dropDatabase(url);
  await ensureDatabase(url);
  const dataSource = await createDataSource(url, { poolSize: 2 }).initialize();
  await migrate(dataSource);
  await dataSource.destroy();
}

/** An SMTP server that accepts and discards: the workflows mail on every change. */
export async function startSmtpSink(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => { count += 1; callback(); });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    count: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
