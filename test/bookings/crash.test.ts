import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startApi, type TestStack } from '../support/stack';
import { book, clock, eventually, member, room, row, waitForStatus, workflowState } from './support';

const ROOT = join(__dirname, '..', '..');

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * The real worker entry point in its own process, as in production. One node process (tsx as a
 * loader, not the tsx launcher): a SIGKILL must kill the worker itself, not a wrapper around it.
 */
function spawnWorker(taskQueue: string, metricsPort: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/workers/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
}

async function metricsOf(port: number): Promise<string> {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return '';
  }
}

describe("a worker crash in the middle of bookings' lives", () => {
  let stack: TestStack;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    stack = await startApi();
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await stack.close();
  });

  test('when the worker is killed and a new one starts, then the bookings go on and every later timer fires', async () => {
    const at = clock();
    const first = spawnWorker(stack.config.temporal.taskQueue, await freePort());
    workers.push(first);
    const noShowRoom = await room(stack, { checkInOpensBeforeSeconds: 1, checkInGraceSeconds: 3 });
    const holdRoom = await room(stack, { holdTtlSeconds: 4 });
    const u = await member(stack);
    // The creates wait for a worker: they answer once the first one has reserved the slots.
    const noShow = await book(stack, u, { roomId: noShowRoom.id, start: at(3), end: at(600) });
    const hold = await book(stack, u, { roomId: holdRoom.id, start: at(3600), end: at(5400), mode: 'hold' });
    expect([noShow.status, hold.status]).toEqual([201, 201]);

    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(first.signalCode).toBe('SIGKILL');
    expect(await row(stack, noShow.body.id)).toMatchObject({ status: 'confirmed' });

    const metricsPort = await freePort();
    workers.push(spawnWorker(stack.config.temporal.taskQueue, metricsPort));

    expect(await waitForStatus(stack, noShow.body.id, 'released', 30000)).toBe('released');
    expect(await waitForStatus(stack, hold.body.id, 'expired', 30000)).toBe('expired');
    expect((await workflowState(stack, noShow.body.workflowId)).status).toBe('released');

    // The release happened on the second worker, whose SDK metrics endpoint counts it.
    const metrics = await eventually(
      () => metricsOf(metricsPort),
      (text) => /roombook_no_show_releases_total\S* [1-9]/.test(text),
    );
    expect(metrics).toMatch(/roombook_no_show_releases_total\S* [1-9]/);
    expect(metrics).toMatch(/roombook_release_lateness_seconds_count\S* [1-9]/);
    expect(metrics).toMatch(/roombook_bookings_total\{[^}]*outcome="expired"[^}]*\} [1-9]/);
  });
});
