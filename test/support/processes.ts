import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DataSource } from 'typeorm';
import { freePort } from '../../scripts/bench/stack';
import { FAST_POLICY, clock } from '../bookings/support';
import { createRoom, createUser, type TestUser } from './fixtures';

const ROOT = join(__dirname, '..', '..');

/** A process of ours (node with tsx as a loader, so a signal reaches it), its output kept line by line. */
export interface RunningProcess {
  name: string;
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves once a stdout line satisfies the predicate (or rejects when the process exits first). */
  waitForLine(predicate: (line: string) => boolean, what: string): Promise<string>;
  stop(): Promise<void>;
}

export function spawnProcess(name: string, script: string, env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { predicate: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout.push(line);
    for (const w of [...waiters]) {
      if (w.predicate(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    stdout,
    stderr,
    waitForLine(predicate, what) {
      const seen = stdout.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then(() =>
          reject(new Error(`${name} exited before ${what}:\n${[...stdout, ...stderr].slice(-30).join('\n')}`)),
        );
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ProcessStack {
  api: RunningProcess;
  worker: RunningProcess;
  baseUrl: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * The api and the worker as real processes (`src/api/server.ts`, `src/workers/main.ts`), against
 * the run's Temporal server, database, Redis and SMTP sink, on a task queue of their own.
 */
export async function startProcessStack(extraEnv: NodeJS.ProcessEnv = {}): Promise<ProcessStack> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    WORKER_METRICS_PORT: String(metricsPort),
    TEMPORAL_TASK_QUEUE: `proc-${randomUUID()}`,
    LOG_LEVEL: 'debug',
    // The schedules of this run are started by the test that needs them, not by every process stack.
    OPS_SCHEDULES: 'false',
    ...extraEnv,
  };
  const worker = spawnProcess('worker', 'src/workers/main.ts', env);
  const api = spawnProcess('api', 'src/api/server.ts', env);
  try {
    await Promise.all([
      worker.waitForLine((l) => l.includes('"worker started"'), 'worker started'),
      api.waitForLine((l) => l.includes('api listening'), 'api listening'),
    ]);
  } catch (err) {
    await Promise.all([api.stop(), worker.stop()]);
    throw err;
  }
  return {
    api,
    worker,
    baseUrl: `http://127.0.0.1:${port}`,
    env,
    async stop() {
      await api.stop();
      await worker.stop();
    },
  };
}

/** A member, a room with second-scale policies and a confirmed booking, made through the process stack's api. */
export async function bookThroughProcesses(
  procs: ProcessStack,
  dataSource: DataSource,
  title: string,
): Promise<{
  user: TestUser;
  roomId: string;
  response: Response;
  book(start: number, end: number): Promise<Response>;
}> {
  const fixtures = { config: { jwtSecret: process.env.JWT_SECRET! }, deps: { dataSource } };
  const user = await createUser(fixtures);
  const room = await createRoom(fixtures, { policy: FAST_POLICY });
  const at = clock();
  const book = (start: number, end: number) =>
    fetch(`${procs.baseUrl}/api/v1/bookings`, {
      method: 'POST',
      headers: user.auth,
      body: JSON.stringify({ roomId: room.id, start: at(start), end: at(end), title }),
    });
  return { user, roomId: room.id, response: await book(3600, 7200), book };
}
