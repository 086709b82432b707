import { createRedis, type Redis } from '../../src/infra/redis';
import { createUser, type TestUser } from '../support/fixtures';
import { startApi, startWorker, type TestStack, type TestWorker } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';
import { book, clock, eventually, member, room } from '../bookings/support';
import { connectClient, type TestClient } from './support';

/**
 * The announcement runs in the workflow task that answers the caller (a local activity). When the
 * worker cannot reach Redis it must not hold the answer up: the durable activity takes over and
 * delivers once Redis is back, exactly once.
 */
describe('realtime when the worker loses Redis', () => {
  let stack: TestStack;
  let worker: TestWorker;
  let proxy: TcpProxy;
  let workerRedis: Redis;
  let staff: TestUser;
  let watcher: TestClient;

  beforeAll(async () => {
    stack = await startApi();
    const target = new URL(stack.config.redisUrl);
    proxy = await new TcpProxy({ host: target.hostname, port: Number(target.port || 6379) }).start();
    workerRedis = createRedis(`redis://127.0.0.1:${proxy.port}`);
    workerRedis.on('error', () => undefined);
    worker = await startWorker(stack.config, { ...stack.deps, redis: workerRedis });
    staff = await createUser(stack, { role: 'facility_manager' });
  });
  afterAll(async () => {
    watcher?.close();
    await worker?.stop();
    workerRedis?.disconnect();
    await proxy?.stop();
    await stack?.close();
  });

  test('when a booking is made while the worker has no Redis, then it answers 201 and its event arrives once Redis is back, once', async () => {
    const at = clock();
    const r = await room(stack);
    watcher = await connectClient(stack, staff.token);
    expect((await watcher.request('room:subscribe', { roomId: r.id })).ok).toBe(true);
    const organizer = await member(stack);

    await proxy.stop();
    const booked = await book(stack, organizer, { roomId: r.id, start: at(3600), end: at(5400) });
    expect(booked.status).toBe(201);
    expect(booked.body.status).toBe('confirmed');
    const updates = () => watcher.of('booking.updated').filter((e) => e.booking.id === booked.body.id);
    expect(updates()).toEqual([]);

    // The quick path gave up; the workflow scheduled the durable announcement instead.
    const history = await stack.deps.temporal.workflow.getHandle(booked.body.workflowId).fetchHistory();
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(scheduled).toContain('announce');

    await proxy.restart();
    await eventually(
      async () => updates(),
      (u) => u.length > 0,
      30000,
    );
    // Give a duplicate time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(updates().map((e) => [e.kind, e.version])).toEqual([['confirmed', 1]]);
  });
});
