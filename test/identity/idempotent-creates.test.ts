import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { call, member, startBookingStack, type BookingStack } from '../bookings/support';
import { createUser, type TestUser } from '../support/fixtures';
import { json } from '../support/http';
import { apiForSuite, stackForSuite, startStackWithWorker, type TestStack } from '../support/stack';
import { issueDisplayToken } from '../realtime/support';
import { hoursAhead, openPlannedSeries, roomBookingCount, seriesBookings, seriesRoom } from '../series/support';
import { clock, eventually, room } from '../bookings/support';

const key = () => `key-${randomUUID()}`;

describe('retry-safe creates (Idempotency-Key) for series and walk-ups', () => {
  let stack: BookingStack;
  let staff: TestUser;
  beforeAll(async () => {
    stack = await startBookingStack();
    staff = await createUser(stack, { role: 'facility_manager' });
  });
  afterAll(async () => stack.stop());

  const seriesBody = (roomId: string, hours = 48) => {
    const first = hoursAhead(hours);
    return {
      roomId,
      start: first.toISOString(),
      end: new Date(first.getTime() + 3_600_000).toISOString(),
      timezone: 'UTC',
      rrule: 'FREQ=DAILY;COUNT=5',
      title: 'Standup',
      onConflict: 'fail',
    };
  };

  test('when the same series is sent twice at once with one Idempotency-Key, then there is one series with one set of bookings and both answers carry its id', async () => {
    const u = await member(stack);
    const r = await seriesRoom(stack);
    const body = seriesBody(r.id);
    const k = key();
    const [a, b] = await Promise.all([
      call(stack, u, 'POST', '/series', body, { 'idempotency-key': k }),
      call(stack, u, 'POST', '/series', body, { 'idempotency-key': k }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect([a.headers.get('idempotent-replayed'), b.headers.get('idempotent-replayed')].filter(Boolean)).toEqual([
      'true',
    ]);
    const [{ n }] = await stack.deps.dataSource.query(
      'SELECT count(*)::int AS n FROM booking_series WHERE room_id = $1',
      [r.id],
    );
    expect(n).toBe(1);
    expect(await seriesBookings(stack, a.body.id)).toHaveLength(5);
    expect(await roomBookingCount(stack, r.id)).toBe(5);

    // A later retry: the same answer again, nothing new.
    const later = await call(stack, u, 'POST', '/series', body, { 'idempotency-key': k });
    expect(later.status).toBe(201);
    expect(later.body.id).toBe(a.body.id);
    expect(later.headers.get('idempotent-replayed')).toBe('true');
    expect(await roomBookingCount(stack, r.id)).toBe(5);
  });

  test("when the key comes back with another body, then it is 422 IDEMPOTENCY_KEY_REUSED and nothing is booked; another person's same key is their own", async () => {
    const u = await member(stack);
    const r = await seriesRoom(stack);
    const k = key();
    expect((await call(stack, u, 'POST', '/series', seriesBody(r.id), { 'idempotency-key': k })).status).toBe(201);
    const reused = await call(
      stack,
      u,
      'POST',
      '/series',
      { ...seriesBody(r.id, 24 * 30), title: 'Another' },
      { 'idempotency-key': k },
    );
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await roomBookingCount(stack, r.id)).toBe(5);
    const someoneElse = await call(stack, await member(stack), 'POST', '/series', seriesBody(r.id, 24 * 30), {
      'idempotency-key': k,
    });
    expect(someoneElse.status).toBe(201);
    expect(someoneElse.headers.get('idempotent-replayed')).toBeNull();
  });

  test('when a series with a key is refused, then the key is free again: a retry after the conflict is gone is evaluated afresh', async () => {
    const u = await member(stack);
    const r = await seriesRoom(stack);
    const body = seriesBody(r.id);
    const blocker = await call(stack, await member(stack), 'POST', '/bookings', {
      roomId: r.id,
      start: body.start,
      end: body.end,
      title: 'In the way',
    });
    expect(blocker.status).toBe(201);
    const k = key();
    const refused = await call(stack, u, 'POST', '/series', body, { 'idempotency-key': k });
    expect(refused.status).toBe(409);
    expect((await call(stack, staff, 'POST', `/bookings/${blocker.body.id}/cancel`, {})).status).toBe(200);
    const retried = await call(stack, u, 'POST', '/series', body, { 'idempotency-key': k });
    expect(retried.status).toBe(201);
    expect(await seriesBookings(stack, retried.body.id)).toHaveLength(5);
  });

  test('when the same refused series is sent twice at once with one key, then both answers are the refusal (409) and nothing is booked', async () => {
    const u = await member(stack);
    const r = await seriesRoom(stack);
    const body = seriesBody(r.id);
    expect(
      (
        await call(stack, await member(stack), 'POST', '/bookings', {
          roomId: r.id,
          start: body.start,
          end: body.end,
          title: 'In the way',
        })
      ).status,
    ).toBe(201);
    const k = key();
    const answers = await Promise.all(
      [1, 2].map(() => call(stack, u, 'POST', '/series', body, { 'idempotency-key': k })),
    );
    expect(answers.map((a) => [a.status, a.body.error?.code])).toEqual([
      [409, 'SLOT_CONFLICT'],
      [409, 'SLOT_CONFLICT'],
    ]);
    expect(await roomBookingCount(stack, r.id)).toBe(1);
  });

  test('when a display sends the same walk-up twice at once with one key, then there is one booking and both answers are it', async () => {
    const r = await seriesRoom(stack, { slotGranularitySeconds: 60, checkInOpensBeforeSeconds: 120 });
    const display = await issueDisplayToken(stack, staff.token, r.id);
    const k = key();
    const post = () =>
      fetch(`${stack.baseUrl}/api/v1/rooms/${r.id}/walk-up`, {
        method: 'POST',
        headers: { authorization: `Bearer ${display}`, 'content-type': 'application/json', 'idempotency-key': k },
        body: JSON.stringify({ minutes: 15 }),
      });
    const [a, b] = await Promise.all([post(), post()]);
    const [ab, bb] = [await json(a), await json(b)];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(ab.id).toBe(bb.id);
    expect(await roomBookingCount(stack, r.id)).toBe(1);
    const again = await post();
    expect(again.status).toBe(201);
    expect((await json(again)).id).toBe(ab.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const other = await fetch(`${stack.baseUrl}/api/v1/rooms/${r.id}/walk-up`, {
      method: 'POST',
      headers: { authorization: `Bearer ${display}`, 'content-type': 'application/json', 'idempotency-key': k },
      body: JSON.stringify({ minutes: 30 }),
    });
    expect(other.status).toBe(422);
    expect((await json(other)).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  test('when the Idempotency-Key is too short, then it is a 400 naming the header', async () => {
    const res = await call(stack, await member(stack), 'POST', '/series', seriesBody((await seriesRoom(stack)).id), {
      'idempotency-key': 'short',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].field).toBe('Idempotency-Key');
  });
});

describe('series creates and the per-user create limit', () => {
  let stack: TestStack;
  apiForSuite((started) => (stack = started), {
    rateLimits: { ...loadConfig().rateLimits, bookingCreatePerUser: { limit: 2, windowSeconds: 3600 } },
  });

  test('when a person has used up their creates on bookings, then a series is refused with 429 too (one shared limit)', async () => {
    const u = await createUser(stack);
    const roomId = randomUUID();
    const slot = { roomId, start: hoursAhead(2).toISOString(), end: hoursAhead(3).toISOString(), title: 'x' };
    const series = { ...slot, timezone: 'UTC', rrule: 'FREQ=DAILY;COUNT=2', onConflict: 'fail' };
    const statuses: number[] = [];
    // Unknown rooms are 404s, but each attempt is counted first: the limit sits in front of every create.
    statuses.push((await call(stack as BookingStack, u, 'POST', '/bookings', slot)).status);
    statuses.push((await call(stack as BookingStack, u, 'POST', '/series', series)).status);
    const third = await call(stack as BookingStack, u, 'POST', '/series', series);
    expect(statuses).toEqual([404, 404]);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('series occurrences that come within the horizon later', () => {
  let stack: BookingStack;
  stackForSuite(
    () => startStackWithWorker({ bookingLimits: { ...loadConfig().bookingLimits, maxFutureBookingsPerUser: 3 } }),
    (started) => (stack = started),
  );

  test('when the organizer reached the cap on upcoming bookings meanwhile, then a later occurrence is refused (outcome refused, naming the rule), not booked', async () => {
    const at = clock();
    const u = await createUser(stack);
    const r = await room(stack, {}, { building: 'Series wing' });
    // The first occurrence is within the 30 s horizon at once; the other two come within it about 10 s later.
    const opened = await openPlannedSeries(
      stack,
      u,
      r,
      [
        { start: at(25), end: at(26) },
        { start: at(40), end: at(41) },
        { start: at(42), end: at(43) },
      ],
      { onConflict: 'skip', horizonSeconds: 30 },
    );
    expect(opened.occurrences.map((o: { outcome: string }) => o.outcome)).toEqual(['booked', 'scheduled', 'scheduled']);
    // Two ordinary bookings far ahead: with the first occurrence that is the cap of 3.
    for (const hours of [5, 6]) {
      expect(
        (
          await call(stack, u, 'POST', '/bookings', {
            roomId: r.id,
            start: hoursAhead(hours).toISOString(),
            end: hoursAhead(hours + 1).toISOString(),
            title: 'Other',
          })
        ).status,
      ).toBe(201);
    }
    const series = await eventually(
      async () => (await call(stack, u, 'GET', `/series/${opened.id}`)).body,
      (s) => s.occurrences.every((o: { outcome: string }) => o.outcome !== 'scheduled'),
      30000,
    );
    expect(series.occurrences.map((o: { outcome: string }) => o.outcome)).toEqual(['booked', 'refused', 'refused']);
    expect(series.occurrences[1].refusal).toMatchObject({ rule: 'maxFutureBookingsPerUser', limit: 3 });
    expect(await seriesBookings(stack, opened.id)).toHaveLength(1);
  });
});
