import { randomUUID } from 'node:crypto';
import { waitlistWorkflowId } from '../../src/shared/waitlist-messages';
import {
  book,
  call,
  clock,
  eventually,
  member,
  room,
  startBookingStack,
  waitForStatus,
  type BookingStack,
} from '../bookings/support';
import { connectClient, type TestClient } from '../realtime/support';
import type { TestUser } from '../support/fixtures';

let stack: BookingStack;
const clients: TestClient[] = [];

beforeAll(async () => {
  stack = await startBookingStack();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await stack.stop();
});

const join = (user: TestUser, body: Record<string, unknown>, key = `wait-${randomUUID()}`) =>
  call(stack, user, 'POST', '/waitlist', body, { 'idempotency-key': key });

async function entryOf(user: TestUser, id: string): Promise<Record<string, any>> {
  const res = await call(stack, user, 'GET', '/waitlist');
  expect(res.status).toBe(200);
  return res.body.items.find((e: { id: string }) => e.id === id);
}

function entryWith(user: TestUser, id: string, status: string) {
  return eventually(
    () => entryOf(user, id),
    (e) => e?.status === status && (status !== 'offered' || e.offer?.claimBy !== undefined),
    30_000,
    `waitlist entry ${id} is ${status}`,
  );
}

/** Active bookings of the room that overlap the interval: never more than one, whatever raced. */
async function activeHolders(
  roomId: string,
  start: string,
  end: string,
): Promise<{ id: string; organizer_id: string }[]> {
  return stack.deps.dataSource.query(
    `SELECT id, organizer_id FROM bookings
     WHERE room_id = $1 AND status IN ('held', 'pending_approval', 'confirmed', 'checked_in')
       AND tstzrange(start_at, end_at) && tstzrange($2, $3)`,
    [roomId, start, end],
  );
}

async function offeredEntries(ids: string[]): Promise<{ id: string; offer_booking_id: string }[]> {
  return stack.deps.dataSource.query(
    "SELECT id, offer_booking_id FROM waitlist_entries WHERE id = ANY($1) AND status = 'offered'",
    [ids],
  );
}

/** The room's waitlist workflow has handled every slot it was told of (or closed). */
async function settled(roomId: string): Promise<void> {
  await eventually(
    async () => {
      try {
        const state = await stack.deps.temporal.workflow.getHandle(waitlistWorkflowId(roomId)).query<any>('state');
        return state.pending.length;
      } catch {
        return 0;
      }
    },
    (pending) => pending === 0,
    30_000,
    `the waitlist of room ${roomId} has nothing pending`,
  );
}

describe('waitlist', () => {
  test('when a slot frees, then the first waiter gets a hold and a waitlist.offer; unclaimed it passes to the second, who confirms; a third request gets 409', async () => {
    const at = clock();
    const r = await room(stack, { waitlistClaimSeconds: 5 });
    const [owner, first, second, third] = await Promise.all([
      member(stack),
      member(stack),
      member(stack),
      member(stack),
    ]);
    const slot = { start: at(120), end: at(180) };
    const booked = await book(stack, owner, { roomId: r.id, ...slot });
    expect(booked.status).toBe(201);

    const a = await join(first, { roomId: r.id, ...slot });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ status: 'waiting', roomId: r.id, userId: first.id, amenities: [] });
    const b = await join(second, { roomId: r.id, ...slot });
    expect(b.status).toBe(201);
    const socket = await connectClient(stack, first.token);
    clients.push(socket);

    expect((await call(stack, owner, 'POST', `/bookings/${booked.body.id}/cancel`, {})).status).toBe(200);

    const offered = await entryWith(first, a.body.id, 'offered');
    // The next offer gets a long claim window, so the second waiter has time to confirm on a slow machine.
    await stack.deps.dataSource.query(
      `UPDATE rooms SET policy = policy || '{"waitlistClaimSeconds": 300}'::jsonb WHERE id = $1`,
      [r.id],
    );
    expect(offered.offer).toMatchObject({ roomId: r.id });
    const hold = await call(stack, first, 'GET', `/bookings/${offered.offer.bookingId}`);
    expect(hold.body).toMatchObject({
      status: 'held',
      organizerId: first.id,
      holdExpiresAt: offered.offer.claimBy,
      start: slot.start,
      end: slot.end,
    });
    expect(hold.body.title).toMatch(/^Waitlist offer/);
    const events = await eventually(
      async () => socket.of('waitlist.offer'),
      (e) => e.length > 0,
      10_000,
      'waitlist.offer reached the first waiter',
    );
    expect(events[0].entry).toMatchObject({ id: a.body.id, status: 'offered', offer: offered.offer });
    // The offer is mailed: the hold's message to its organizer (exactly-once delivery record).
    await eventually(
      () =>
        stack.deps.dataSource.query(
          "SELECT recipient FROM mail_deliveries WHERE booking_id = $1 AND kind = 'hold_created'",
          [offered.offer.bookingId],
        ),
      (rows: { recipient: string }[]) => rows.some((m) => m.recipient === first.email),
      20_000,
      'the offer was mailed',
    );

    // Unclaimed: the hold expires and the second waiter gets the slot.
    await waitForStatus(stack, offered.offer.bookingId, 'expired');
    expect((await entryWith(first, a.body.id, 'expired')).status).toBe('expired');
    const secondOffer = await entryWith(second, b.body.id, 'offered');
    const confirmed = await call(stack, second, 'POST', `/bookings/${secondOffer.offer.bookingId}/confirm`, {});
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('confirmed');
    expect((await entryWith(second, b.body.id, 'claimed')).offer.bookingId).toBe(secondOffer.offer.bookingId);

    const refused = await book(stack, third, { roomId: r.id, ...slot });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('SLOT_CONFLICT');
  });

  test('when frees and joins race, then one slot is never offered to two people', async () => {
    const at = clock();
    const r = await room(stack, { waitlistClaimSeconds: 60 });
    const owners = await Promise.all([member(stack), member(stack)]);
    const waiters = await Promise.all([member(stack), member(stack), member(stack), member(stack), member(stack)]);
    const slot = { start: at(120), end: at(180) };
    // Two bookings cover the waited interval; both are cancelled while people join.
    const halves = [
      await book(stack, owners[0], { roomId: r.id, start: slot.start, end: at(150) }),
      await book(stack, owners[1], { roomId: r.id, start: at(150), end: slot.end }),
    ];
    expect(halves.map((h) => h.status)).toEqual([201, 201]);
    const early = await join(waiters[0], { roomId: r.id, ...slot });
    expect(early.status).toBe(201);

    const [cancelA, cancelB, ...joins] = await Promise.all([
      call(stack, owners[0], 'POST', `/bookings/${halves[0].body.id}/cancel`, {}),
      call(stack, owners[1], 'POST', `/bookings/${halves[1].body.id}/cancel`, {}),
      ...waiters.slice(1).map((w) => join(w, { roomId: r.id, ...slot })),
    ]);
    expect([cancelA.status, cancelB.status]).toEqual([200, 200]);
    expect(joins.map((j) => j.status)).toEqual([201, 201, 201, 201]);
    const ids = [early.body.id, ...joins.map((j) => j.body.id)];

    const offers = await eventually(
      () => offeredEntries(ids),
      (rows) => rows.length > 0,
      30_000,
      'someone got the freed slot',
    );
    await settled(r.id);
    expect(await offeredEntries(ids)).toHaveLength(1);
    // First come, first served: the one who waited before the frees.
    expect(offers[0].id).toBe(early.body.id);
    const holders = await activeHolders(r.id, slot.start, slot.end);
    expect(holders).toEqual([{ id: offers[0].offer_booking_id, organizer_id: waiters[0].id }]);
  });

  test('when a waiter asks for a building, then a freed slot in a room that fits is offered, and not one that lacks seats or amenities', async () => {
    const at = clock();
    const building = `B-${randomUUID().slice(0, 8)}`;
    const small = await room(stack, {}, { building, capacity: 2, amenities: ['screen'] });
    const fitting = await room(stack, {}, { building, capacity: 8, amenities: ['screen'] });
    const [owner, waiter] = await Promise.all([member(stack), member(stack)]);
    const slot = { start: at(120), end: at(180) };
    const inSmall = await book(stack, owner, { roomId: small.id, ...slot });
    const inFitting = await book(stack, owner, { roomId: fitting.id, ...slot });
    expect([inSmall.status, inFitting.status]).toEqual([201, 201]);
    const e = await join(waiter, { building, capacity: 6, amenities: ['Screen'], ...slot });
    expect(e.status).toBe(201);
    expect(e.body).toMatchObject({ status: 'waiting', building, capacity: 6, amenities: ['Screen'] });

    expect((await call(stack, owner, 'POST', `/bookings/${inSmall.body.id}/cancel`, {})).status).toBe(200);
    await settled(small.id);
    expect((await entryOf(waiter, e.body.id)).status).toBe('waiting');

    expect((await call(stack, owner, 'POST', `/bookings/${inFitting.body.id}/cancel`, {})).status).toBe(200);
    const offered = await entryWith(waiter, e.body.id, 'offered');
    expect(offered.offer.roomId).toBe(fitting.id);
  });

  test('when a booking moves away from its slot (to another time, or to another room), then its old interval is offered to the waiter as a cancel would be', async () => {
    const at = clock();
    const r = await room(stack, { waitlistClaimSeconds: 300 });
    const elsewhere = await room(stack);
    const [owner, first, second] = await Promise.all([member(stack), member(stack), member(stack)]);
    const early = { start: at(3600), end: at(5400) };
    const late = { start: at(7200), end: at(9000) };
    const movedInTime = await book(stack, owner, { roomId: r.id, ...early });
    const movedAway = await book(stack, owner, { roomId: r.id, ...late });
    expect([movedInTime.status, movedAway.status]).toEqual([201, 201]);
    const waitsEarly = await join(first, { roomId: r.id, ...early });
    const waitsLate = await join(second, { roomId: r.id, ...late });
    expect([waitsEarly.status, waitsLate.status]).toEqual([201, 201]);

    const later = { start: at(10800), end: at(12600) };
    const retimed = await call(stack, owner, 'PATCH', `/bookings/${movedInTime.body.id}`, later);
    expect(retimed.status).toBe(200);
    const rehoused = await call(stack, owner, 'PATCH', `/bookings/${movedAway.body.id}`, { roomId: elsewhere.id });
    expect(rehoused.status).toBe(200);

    for (const [waiter, entry, slot] of [
      [first, waitsEarly.body, early],
      [second, waitsLate.body, late],
    ] as const) {
      const offered = await entryWith(waiter, entry.id, 'offered');
      expect(offered.offer).toMatchObject({ roomId: r.id });
      const hold = await call(stack, waiter, 'GET', `/bookings/${offered.offer.bookingId}`);
      expect(hold.body).toMatchObject({ status: 'held', organizerId: waiter.id, roomId: r.id, ...slot });
    }
    // The moved bookings are where they were moved, still confirmed.
    const [a, b] = await Promise.all([
      call(stack, owner, 'GET', `/bookings/${movedInTime.body.id}`),
      call(stack, owner, 'GET', `/bookings/${movedAway.body.id}`),
    ]);
    expect(a.body).toMatchObject({ status: 'confirmed', roomId: r.id, ...later });
    expect(b.body).toMatchObject({ status: 'confirmed', roomId: elsewhere.id, ...late });
  });

  test('when the start of an entry passes while it is still waiting, then it ends expired (listed, and by the retention sweep) and is never offered', async () => {
    // Nobody checks in: the booking in the way is released a second after the start, freeing the slot.
    const r = await room(stack, { waitlistClaimSeconds: 300, checkInGraceSeconds: 1 });
    const [owner, listed, swept] = await Promise.all([member(stack), member(stack), member(stack)]);
    const at = clock();
    const slot = { start: at(10), end: at(3610) };
    // The room is taken then, so the entries wait.
    const taken = await book(stack, owner, { roomId: r.id, ...slot });
    expect(taken.status).toBe(201);
    const byListing = await join(listed, { roomId: r.id, ...slot });
    const bySweep = await join(swept, { roomId: r.id, ...slot });
    expect([byListing.status, bySweep.status]).toEqual([201, 201]);
    expect((await entryOf(listed, byListing.body.id)).status).toBe('waiting');

    // GET /waitlist ends its owner's passed entries.
    const expired = await entryWith(listed, byListing.body.id, 'expired');
    expect(expired.offer).toBeUndefined();

    // The retention schedule's run ends everyone else's (its ages keep every other row).
    const [row] = await stack.deps.dataSource.query('SELECT status FROM waitlist_entries WHERE id = $1', [
      bySweep.body.id,
    ]);
    expect(row.status).toBe('waiting');
    const century = 100 * 365 * 86_400;
    const result = await stack.deps.temporal.workflow.execute('retentionWorkflow', {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: `retention-test-${randomUUID()}`,
      args: [
        {
          refreshTokenSeconds: century,
          idempotencyKeySeconds: century,
          notificationSeconds: century,
          mailDeliverySeconds: century,
        },
      ],
    });
    expect(result.waitlistEntriesExpired).toBeGreaterThanOrEqual(1);
    const [after] = await stack.deps.dataSource.query(
      'SELECT status, offer_booking_id FROM waitlist_entries WHERE id = $1',
      [bySweep.body.id],
    );
    expect(after).toEqual({ status: 'expired', offer_booking_id: null });

    // The slot frees after the start: neither expired entry is offered it.
    await waitForStatus(stack, taken.body.id, 'released');
    await settled(r.id);
    expect(await offeredEntries([byListing.body.id, bySweep.body.id])).toEqual([]);
    expect((await entryOf(swept, bySweep.body.id)).status).toBe('expired');
  });

  test('when the entry is bad, then 4xx and nothing is written', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const before = await call(stack, u, 'GET', '/waitlist');
    const both = await join(u, { roomId: r.id, building: 'HQ', start: at(60), end: at(120) });
    expect(both.status).toBe(400);
    const backwards = await join(u, { roomId: r.id, start: at(120), end: at(60) });
    expect(backwards.status).toBe(400);
    const past = await join(u, { roomId: r.id, start: at(-60), end: at(60) });
    expect(past.status).toBe(422);
    const nowhere = await join(u, { building: `B-${randomUUID()}`, start: at(60), end: at(120) });
    expect(nowhere.status).toBe(422);
    expect(nowhere.body.error.code).toBe('NO_FITTING_ROOM');
    const missing = await join(u, { roomId: randomUUID(), start: at(60), end: at(120) });
    expect(missing.status).toBe(404);
    expect((await call(stack, u, 'GET', '/waitlist')).body).toEqual(before.body);
  });

  test('when a waiter leaves, then the entry is cancelled, a second leave is 409 and another user sees 404', async () => {
    const at = clock();
    const r = await room(stack);
    const [owner, u, other] = await Promise.all([member(stack), member(stack), member(stack)]);
    const slot = { start: at(120), end: at(180) };
    expect((await book(stack, owner, { roomId: r.id, ...slot })).status).toBe(201);
    const key = `wait-${randomUUID()}`;
    const e = await join(u, { roomId: r.id, ...slot }, key);
    const again = await join(u, { roomId: r.id, ...slot }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(e.body.id);
    expect((await call(stack, other, 'DELETE', `/waitlist/${e.body.id}`)).status).toBe(404);
    expect((await call(stack, u, 'DELETE', `/waitlist/${e.body.id}`)).status).toBe(204);
    expect((await entryOf(u, e.body.id)).status).toBe('cancelled');
    const twice = await call(stack, u, 'DELETE', `/waitlist/${e.body.id}`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('WAITLIST_ENTRY_CLOSED');
  });
});
