import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Config } from '../../src/config';
import { book, call, clock, eventually, member, room } from '../bookings/support';
import { createUser, type TestUser } from '../support/fixtures';
import { startApi, startWorker, type TestStack, type TestWorker } from '../support/stack';
import { WebhookReceiver } from './support';

/** Second-scale retries: the first within a second, then doubling up to 4 s, for 3 minutes. */
const FAST_RETRIES = (allowPrivateTargets: boolean) => (base: Config) => ({
  webhooks: {
    ...base.webhooks,
    retrySeconds: 180,
    initialIntervalSeconds: 1,
    maxIntervalSeconds: 4,
    timeoutSeconds: 5,
    allowPrivateTargets,
  },
});

const stackWith = (override: (base: Config) => Partial<Config>): Promise<TestStack> => startApi(override(loadConfig()));

let stack: TestStack;
let worker: TestWorker;
let receiver: WebhookReceiver;
let admin: TestUser;
const endpoints: string[] = [];

beforeAll(async () => {
  stack = await stackWith(FAST_RETRIES(true));
  worker = await startWorker(stack.config, stack.deps);
  receiver = await WebhookReceiver.start();
  admin = await createUser(stack, { role: 'admin' });
});
// Other test files book at the same time: no endpoint outlives its test to hear of their bookings.
afterEach(async () => {
  for (const id of endpoints.splice(0)) await call(stack, admin, 'DELETE', `/webhooks/${id}`);
});
afterAll(async () => {
  await worker.stop();
  await stack.close();
  await receiver.down();
});

/** An endpoint of its own path on the receiver (several endpoints may hear of one booking). */
async function register(events: string[]) {
  const path = `/hook/${randomUUID()}`;
  const created = await call(stack, admin, 'POST', '/webhooks', {
    url: receiver.url(path),
    events,
    description: 'test receiver',
  });
  expect(created.status).toBe(201);
  endpoints.push(created.body.id);
  receiver.trust(created.body.secret);
  return { ...(created.body as { id: string; secret: string }), path };
}

const deliveriesOf = async (id: string) => (await call(stack, admin, 'GET', `/webhooks/${id}/deliveries`)).body.items;
/** Other test files book at the same time: read only the deliveries of this test's bookings. */
const deliveriesFor = async (id: string, bookingIds: string[]) =>
  (await deliveriesOf(id)).filter((d: any) => bookingIds.includes(d.payload.data.booking?.id));

describe('webhooks', () => {
  test('when staff register an endpoint, then the secret is shown once (whsec_), stored encrypted, and never listed', async () => {
    const created = await register(['booking.*']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const [row] = await stack.deps.dataSource.query('SELECT secret_encrypted FROM webhook_endpoints WHERE id = $1', [
      created.id,
    ]);
    expect(row.secret_encrypted).not.toContain(created.secret.slice(6));
    const got = await call(stack, admin, 'GET', `/webhooks/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: created.id, events: ['booking.*'], enabled: true });
    expect(got.body.secret).toBeUndefined();
    const listed = await call(stack, admin, 'GET', '/webhooks');
    expect(listed.body.items.find((w: { id: string }) => w.id === created.id).secret).toBeUndefined();
  });

  test('when a booking is made, changed and cancelled, then a receiver verifying with the reference library gets every event, in order', async () => {
    const hook = await register(['*']);
    const r = await room(stack);
    const organizer = await member(stack);
    const at = clock();
    const booked = await book(stack, organizer, { roomId: r.id, start: at(7200), end: at(9000) });
    expect(booked.status).toBe(201);
    const id = booked.body.id;
    expect((await call(stack, organizer, 'PATCH', `/bookings/${id}`, { title: 'Renamed' })).status).toBe(200);
    expect((await call(stack, organizer, 'POST', `/bookings/${id}/cancel`)).status).toBe(200);

    const events = await eventually(
      async () => receiver.ofBooking(hook.path, id),
      (got) => got.some((e) => e.data.kind === 'cancelled'),
    );
    expect(events.map((e) => [e.type, e.data.kind, e.data.booking.version])).toEqual([
      ['booking.created', 'confirmed', 1],
      ['booking.updated', 'rescheduled', 2],
      ['booking.updated', 'cancelled', 3],
    ]);
    expect(events[1].data.booking.title).toBe('Renamed');
    const statuses = await eventually(
      async () => receiver.at(hook.path).filter((e) => e.type === 'room.status' && e.data.roomId === r.id),
      (got) => got.length >= 3,
    );
    expect(statuses.at(-1)!.data.status).toBe('free');
    expect(receiver.rejected).toEqual([]);

    const log = await eventually(
      () => deliveriesFor(hook.id, [id]),
      (items: any[]) => items.length === 3 && items.every((d) => d.status === 'delivered'),
    );
    for (const d of log) {
      expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204 });
      expect(d.lastLatencyMs).toEqual(expect.any(Number));
    }
  });

  test('when the receiver is down for 30 s (and the worker restarts meanwhile), then every delivery arrives exactly once, in order per booking', async () => {
    const hook = await register(['booking.*']);
    const r = await room(stack);
    const organizer = await member(stack);
    const at = clock();
    await receiver.down();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const booked = await book(stack, organizer, {
        roomId: r.id,
        start: at(3600 * (i + 2)),
        end: at(3600 * (i + 2) + 1800),
      });
      expect(booked.status).toBe(201);
      ids.push(booked.body.id);
      expect(
        (await call(stack, organizer, 'PATCH', `/bookings/${booked.body.id}`, { title: `Take ${i}` })).status,
      ).toBe(200);
    }
    expect((await call(stack, organizer, 'POST', `/bookings/${ids[0]}/cancel`)).status).toBe(200);
    // Every message is in the outbox, and attempts are failing.
    await eventually(
      () => deliveriesFor(hook.id, ids),
      (items: any[]) =>
        items.length === 7 && items.every((d) => d.status === 'pending') && items.some((d) => d.attempts >= 2),
    );
    await worker.stop();
    worker = await startWorker(stack.config, stack.deps);
    await sleep(30_000);
    await receiver.up();

    const log = await eventually(
      () => deliveriesFor(hook.id, ids),
      (items: any[]) => items.length === 7 && items.every((d) => d.status === 'delivered'),
      60_000,
    );
    const arrived = receiver.at(hook.path).filter((e) => ids.includes(e.data?.booking?.id));
    const arrivedIds = arrived.map((e) => e.id);
    expect(new Set(arrivedIds).size).toBe(arrivedIds.length);
    expect(arrivedIds.sort()).toEqual(log.map((d: any) => d.messageId).sort());
    for (const id of ids) {
      const versions = receiver.ofBooking(hook.path, id).map((e) => e.data.booking.version);
      expect(versions).toEqual(id === ids[0] ? [1, 2, 3] : [1, 2]);
    }
    expect(Math.max(...log.map((d: any) => d.attempts))).toBeGreaterThan(1);
  }, 150_000);

  test('when a delivery is redelivered by hand, then the receiver gets it again with the same webhook-id', async () => {
    const hook = await register(['booking.created']);
    const r = await room(stack);
    const organizer = await member(stack);
    const at = clock();
    const booked = await book(stack, organizer, { roomId: r.id, start: at(7200), end: at(9000) });
    const [delivery] = await eventually(
      () => deliveriesFor(hook.id, [booked.body.id]),
      (items: any[]) => items.length === 1 && items[0].status === 'delivered',
    );
    expect(delivery.payload.data.booking.id).toBe(booked.body.id);
    const again = await call(stack, admin, 'POST', `/webhooks/${hook.id}/deliveries/${delivery.id}/redeliver`);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: delivery.id, status: 'pending', redeliveries: 1 });
    await eventually(
      async () => receiver.at(hook.path).filter((e) => e.id === delivery.messageId).length,
      (n) => n === 2,
    );
    const [after] = await deliveriesFor(hook.id, [booked.body.id]);
    expect(after).toMatchObject({ status: 'delivered', redeliveries: 1, attempts: 2 });

    const missing = await call(stack, admin, 'POST', `/webhooks/${hook.id}/deliveries/${randomUUID()}/redeliver`);
    expect(missing.status).toBe(404);
  });

  test('when a ticket is reported and acknowledged, then a ticket.* endpoint gets ticket.updated for each, signed and in order', async () => {
    const hook = await register(['ticket.*']);
    const r = await room(stack);
    const reporter = await member(stack);
    const reported = await call(stack, reporter, 'POST', `/rooms/${r.id}/tickets`, {
      category: 'it',
      severity: 'normal',
      title: 'Projector does not start',
    });
    expect(reported.status).toBe(201);
    const id = reported.body.id as string;
    const ofTicket = () => receiver.at(hook.path).filter((e) => e.data?.ticket?.id === id);
    // The report's own message first: acknowledged before it, both would carry the newer version.
    await eventually(
      async () => ofTicket(),
      (got) => got.length === 1,
    );
    expect((await call(stack, admin, 'POST', `/tickets/${id}/acknowledge`, { note: 'On it.' })).status).toBe(200);

    const events = await eventually(
      async () => ofTicket(),
      (got) => got.length === 2,
    );
    expect(events.map((e) => [e.type, e.data.kind, e.data.ticket.version, e.data.ticket.status])).toEqual([
      ['ticket.updated', 'reported', 1, 'open'],
      ['ticket.updated', 'acknowledge', 2, 'acknowledged'],
    ]);
    expect(events[1].data.ticket).toMatchObject({ id, roomId: r.id, reporterId: reporter.id });
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
    // Subscribed to ticket.* only: nothing else reached it.
    expect(receiver.at(hook.path).every((e) => e.type === 'ticket.updated')).toBe(true);
    expect(receiver.rejected).toEqual([]);
  });

  test('when a freed slot is offered to a waiter, then a waitlist.* endpoint gets one waitlist.offer with the entry and its hold', async () => {
    const hook = await register(['waitlist.*']);
    const at = clock();
    const r = await room(stack, { waitlistClaimSeconds: 300 });
    const owner = await member(stack);
    const waiter = await member(stack);
    const slot = { start: at(3600), end: at(5400) };
    const booked = await book(stack, owner, { roomId: r.id, ...slot });
    expect(booked.status).toBe(201);
    const joined = await call(
      stack,
      waiter,
      'POST',
      '/waitlist',
      { roomId: r.id, ...slot },
      {
        'idempotency-key': `wait-${randomUUID()}`,
      },
    );
    expect(joined.status).toBe(201);
    expect((await call(stack, owner, 'POST', `/bookings/${booked.body.id}/cancel`, {})).status).toBe(200);

    const [offer] = await eventually(
      async () => receiver.at(hook.path).filter((e) => e.data?.entry?.id === joined.body.id),
      (got) => got.length > 0,
      30_000,
    );
    expect(offer.type).toBe('waitlist.offer');
    expect(offer.data.entry).toMatchObject({
      id: joined.body.id,
      userId: waiter.id,
      roomId: r.id,
      status: 'offered',
      offer: { roomId: r.id, bookingId: expect.any(String), claimBy: expect.any(String) },
    });
    const hold = await call(stack, waiter, 'GET', `/bookings/${offer.data.entry.offer.bookingId}`);
    expect(hold.body).toMatchObject({ status: 'held', organizerId: waiter.id, ...slot });
    expect(hold.body.holdExpiresAt).toBe(offer.data.entry.offer.claimBy);
    const log = await eventually(
      async () => (await deliveriesOf(hook.id)).filter((d: any) => d.payload.data.entry?.id === joined.body.id),
      (items: any[]) => items.length === 1 && items[0].status === 'delivered',
    );
    expect(log[0]).toMatchObject({ eventType: 'waitlist.offer' });
    // Subscribed to waitlist.* only: the booking's and the room's own events did not reach it.
    expect(receiver.at(hook.path).every((e) => e.type === 'waitlist.offer')).toBe(true);
  });

  test('when staff send a test message, then it arrives signed as webhook.test', async () => {
    const hook = await register(['room.status']);
    const sent = await call(stack, admin, 'POST', `/webhooks/${hook.id}/test`);
    expect(sent.status).toBe(202);
    const got = await eventually(
      async () => receiver.at(hook.path).find((e) => e.id === sent.body.messageId),
      (e) => e !== undefined,
    );
    expect(got).toMatchObject({ type: 'webhook.test', data: { webhookId: hook.id } });
  });

  test('when a member (or nobody) tries to manage webhooks, then it is 403 (401) and nothing is registered', async () => {
    const someone = await member(stack);
    const before = (await call(stack, admin, 'GET', '/webhooks')).body.items.length;
    const refused = await call(stack, someone, 'POST', '/webhooks', { url: receiver.url(), events: ['*'] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect((await call(stack, someone, 'GET', '/webhooks')).status).toBe(403);
    expect((await call(stack, undefined, 'POST', '/webhooks', { url: receiver.url(), events: ['*'] })).status).toBe(
      401,
    );
    expect((await call(stack, admin, 'GET', '/webhooks')).body.items.length).toBe(before);
  });

  test('when the body is wrong, then it is 400 naming the field and nothing is registered', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const bad = await call(stack, manager, 'POST', '/webhooks', { url: receiver.url(), events: ['booking.deleted'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].field).toBe('events.0');
    const noUrl = await call(stack, manager, 'POST', '/webhooks', { url: 'ftp://example.com/x', events: ['*'] });
    expect([400, 422]).toContain(noUrl.status);
    expect((await call(stack, manager, 'GET', `/webhooks/${randomUUID()}`)).status).toBe(404);
  });
});

describe('webhook targets when private targets are not allowed', () => {
  let strict: TestStack;
  let strictWorker: TestWorker;
  beforeAll(async () => {
    strict = await stackWith(FAST_RETRIES(false));
    strictWorker = await startWorker(strict.config, strict.deps);
  });
  afterAll(async () => {
    await strictWorker.stop();
    await strict.close();
  });

  test('when the URL is loopback, private or link-local, then registration is refused with 422 and nothing is stored', async () => {
    const manager = await createUser(strict, { role: 'facility_manager' });
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
    ]) {
      const refused = await call(strict, manager, 'POST', '/webhooks', { url, events: ['*'] });
      expect({ url, status: refused.status, code: refused.body.error.code }).toEqual({
        url,
        status: 422,
        code: 'WEBHOOK_TARGET_REFUSED',
      });
    }
    const [{ count }] = await strict.deps.dataSource.query(
      'SELECT count(*)::int AS count FROM webhook_endpoints WHERE owner_id = $1',
      [manager.id],
    );
    expect(count).toBe(0);
  });

  test('when an endpoint already registered points at a private address, then delivery refuses it, the endpoint is disabled and its owner mailed', async () => {
    const hook = await register(['booking.*']);
    const sent = await call(strict, admin, 'POST', `/webhooks/${hook.id}/test`);
    expect(sent.status).toBe(202);
    const disabled = await eventually(
      async () => (await call(strict, admin, 'GET', `/webhooks/${hook.id}`)).body,
      (w) => w.enabled === false,
    );
    expect(disabled.disabledReason).toContain('non-public address');
    const [row] = await eventually(
      () => strict.deps.dataSource.query('SELECT disabled_mailed_at FROM webhook_endpoints WHERE id = $1', [hook.id]),
      (rows: any[]) => rows[0].disabled_mailed_at !== null,
    );
    expect(row.disabled_mailed_at).toBeInstanceOf(Date);
    expect(receiver.at(hook.path).filter((e) => e.id === sent.body.messageId)).toEqual([]);
    const delivery = (await deliveriesOf(hook.id)).find((d: any) => d.id === sent.body.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    // Disabled: a test message or a redelivery is refused until it is enabled again.
    expect((await call(strict, admin, 'POST', `/webhooks/${hook.id}/test`)).status).toBe(409);
    const enabled = await call(strict, admin, 'PATCH', `/webhooks/${hook.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true });
    expect(enabled.body.disabledReason).toBeUndefined();
  });
});
