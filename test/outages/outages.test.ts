import { randomUUID } from 'node:crypto';
import type { Config } from '../../src/config';
import { outageWorkflowId } from '../../src/shared/outage-messages';
import { waitlistStateQuery, waitlistWorkflowId } from '../../src/shared/waitlist-messages';
import { byRecipient, mailsWhen, parseInvite, type CapturedMail } from '../mail/support';
import { connectClient, type TestClient } from '../realtime/support';
import { book, call, clock, eventually, member, room, row } from '../bookings/support';
import { createUser, type TestUser } from '../support/fixtures';
import { startApi, startWorker, type TestStack, type TestWorker } from '../support/stack';

/** Long service levels: no escalation mail gets in the way of what these tests read. */
const TICKETS: Config['tickets'] = {
  sla: {
    low: { acknowledgeSeconds: 3600, resolveSeconds: 7200 },
    normal: { acknowledgeSeconds: 3600, resolveSeconds: 7200 },
    blocking: { acknowledgeSeconds: 3600, resolveSeconds: 7200 },
  },
  reopenSeconds: 600,
};

const guest = () => `guest-${randomUUID().slice(0, 8)}@example.test`;
const only = (mails: CapturedMail[], kind: string) => mails.filter((m) => m.kind === kind);

describe('room outages and relocation', () => {
  let stack: TestStack;
  let worker: TestWorker;
  let manager: TestUser;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    stack = await startApi({ tickets: TICKETS });
    worker = await startWorker(stack.config, stack.deps);
    manager = await createUser(stack, { role: 'facility_manager' });
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await worker?.stop();
    await stack?.close();
  });

  const subscribe = async (roomId: string): Promise<TestClient> => {
    const client = await connectClient(stack, manager.token);
    clients.push(client);
    expect((await client.request('room:subscribe', { roomId })).ok).toBe(true);
    return client;
  };

  /**
   * How many people no room in the database holds (at least `atLeast`, more than the rooms the test
   * is about to make): other suites' rooms share the database, so a booking that must fit nowhere
   * is sized from what is there.
   */
  const moreThanAnyRoomHolds = async (atLeast: number): Promise<number> => {
    const [{ largest }] = await stack.deps.dataSource.query(
      'SELECT coalesce(max(capacity), 0)::int AS largest FROM rooms WHERE deleted_at IS NULL',
    );
    // A booking names at most 100 attendees besides its organizer.
    expect(largest).toBeLessThan(101);
    return Math.max(largest + 1, atLeast);
  };

  /** Active bookings of these rooms that overlap one another within a room: the invariant, read from the rows. */
  const overlaps = async (roomIds: string[]): Promise<number> => {
    const [{ n }] = await stack.deps.dataSource.query(
      `SELECT count(*)::int AS n FROM bookings a JOIN bookings b ON a.room_id = b.room_id AND a.id < b.id
       WHERE a.room_id = ANY($1)
         AND a.status IN ('held', 'pending_approval', 'confirmed', 'checked_in')
         AND b.status IN ('held', 'pending_approval', 'confirmed', 'checked_in')
         AND tstzrange(a.start_at, a.end_at) && tstzrange(b.start_at, b.end_at)`,
      [roomIds],
    );
    return n;
  };

  test('when a blocking ticket takes a room with three future bookings out of service, then two move within the building, the one that fits nowhere is cancelled, everyone is told, and resolving the ticket gives the room back', async () => {
    const at = clock();
    const building = `Outage HQ ${randomUUID().slice(0, 6)}`;
    const crowd = await moreThanAnyRoomHolds(25);
    const broken = await room(
      stack,
      {},
      { building, capacity: crowd, amenities: ['screen'], name: `Fjord ${randomUUID().slice(0, 4)}` },
    );
    const withScreen = await room(stack, {}, { building, capacity: 6, amenities: ['screen'] });
    const plain = await room(stack, {}, { building, capacity: 4 });
    // Another building's room with the screen: same building wins over amenities.
    const elsewhere = await room(
      stack,
      {},
      { building: `Annex ${randomUUID().slice(0, 6)}`, capacity: 6, amenities: ['screen'] },
    );

    const organizers = [await member(stack), await member(stack), await member(stack)];
    const people = [[guest(), guest()], [guest(), guest(), guest()], Array.from({ length: crowd - 1 }, guest)];
    const slots = [
      { start: at(3600), end: at(5400) },
      { start: at(7200), end: at(9000) },
      { start: at(10800), end: at(12600) },
    ];
    const bookings: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const made = await book(stack, organizers[i], { roomId: broken.id, ...slots[i], attendees: people[i] });
      expect(made.status).toBe(201);
      bookings.push(made.body.id);
    }
    // The screen room is taken at the second booking's time: that one goes to the plain room.
    expect((await book(stack, await member(stack), { roomId: withScreen.id, ...slots[1] })).status).toBe(201);
    for (const id of bookings) await mailsWhen(id, (m) => only(m, 'confirmed').length >= 1);

    const [brokenDisplay, screenDisplay, plainDisplay] = [
      await subscribe(broken.id),
      await subscribe(withScreen.id),
      await subscribe(plain.id),
    ];

    const reporter = await member(stack);
    const ticket = await call(stack, reporter, 'POST', `/rooms/${broken.id}/tickets`, {
      category: 'facilities',
      severity: 'blocking',
      title: 'Water leak from the ceiling',
    });
    expect(ticket.status).toBe(201);
    const outageId: string = ticket.body.outageId;
    expect(outageId).toEqual(expect.any(String));
    expect((await call(stack, reporter, 'GET', `/tickets/${ticket.body.id}`)).body.outageId).toBe(outageId);

    const outage = await eventually(
      () => call(stack, manager, 'GET', `/outages/${outageId}`),
      (res) =>
        res.body.relocations?.length === 3 &&
        res.body.relocations.every((r: { outcome: string }) => r.outcome !== 'pending'),
      60_000,
      'every relocation done',
    );
    expect(outage.body).toMatchObject({
      id: outageId,
      roomId: broken.id,
      ticketId: ticket.body.id,
      status: 'active',
      reason: 'blocking ticket: Water leak from the ceiling',
    });
    expect(outage.body.until).toBeUndefined();
    const reason =
      `Room ${broken.name} is out of service (blocking ticket: Water leak from the ceiling); ` +
      `no free room in building ${building} or any other building fits ${crowd} people at that time.`;
    expect(outage.body.relocations).toEqual([
      { bookingId: bookings[0], outcome: 'moved', toRoomId: withScreen.id },
      { bookingId: bookings[1], outcome: 'moved', toRoomId: plain.id },
      { bookingId: bookings[2], outcome: 'cancelled', reason },
    ]);
    expect((await row(stack, bookings[0])).room_id).toBe(withScreen.id);
    expect((await row(stack, bookings[1])).room_id).toBe(plain.id);
    expect(await row(stack, bookings[2])).toMatchObject({
      status: 'cancelled',
      status_reason: reason,
      room_id: broken.id,
    });
    expect((await row(stack, bookings[0])).room_id).not.toBe(elsewhere.id);
    const moved = await call(stack, organizers[0], 'GET', `/bookings/${bookings[0]}`);
    expect(moved.body).toMatchObject({
      roomId: withScreen.id,
      start: slots[0].start,
      end: slots[0].end,
      status: 'confirmed',
    });

    // Every organizer and attendee: an updated invite (same UID, higher SEQUENCE, the new room) or a cancellation.
    for (const i of [0, 1]) {
      const expected = [organizers[i].email, ...people[i]].sort();
      const mails = await mailsWhen(bookings[i], (m) => byRecipient(m, 'rescheduled').size >= expected.length, 30_000);
      const changed = byRecipient(mails, 'rescheduled');
      expect([...changed.keys()].sort()).toEqual(expected);
      for (const [, [mail]] of changed) {
        const invite = parseInvite(mail.calendar!.raw);
        expect(invite).toMatchObject({ method: 'REQUEST', uid: `${bookings[i]}@roombook`, start: slots[i].start });
        expect(invite.sequence).toBeGreaterThan(0);
      }
    }
    const expectedCancelled = [organizers[2].email, ...people[2]].sort();
    const cancelMails = await mailsWhen(
      bookings[2],
      (m) => byRecipient(m, 'cancelled').size >= expectedCancelled.length,
      30_000,
    );
    const cancelled = byRecipient(cancelMails, 'cancelled');
    expect([...cancelled.keys()].sort()).toEqual(expectedCancelled);
    for (const [, [mail]] of cancelled) {
      expect(mail.calendar?.method).toBe('CANCEL');
      expect(mail.text).toContain('no free room in building');
    }

    // Both rooms' displays: the new rooms see their booking coming; the broken room reads out of service.
    await eventually(
      async () => screenDisplay.of('room.status'),
      (events) => events.some((e) => e.roomId === withScreen.id && e.next?.id === bookings[0]),
    );
    await eventually(
      async () => plainDisplay.of('room.status'),
      (events) => events.some((e) => e.roomId === plain.id && e.next?.id === bookings[1]),
    );
    await eventually(
      async () => brokenDisplay.of('room.status'),
      (events) => events.some((e) => e.roomId === broken.id && e.status === 'out_of_service'),
    );
    expect((await call(stack, reporter, 'GET', `/rooms/${broken.id}`)).body.status).toBe('out_of_service');
    expect((await call(stack, reporter, 'GET', `/rooms/${broken.id}/status`)).body.status).toBe('out_of_service');
    expect(await overlaps([broken.id, withScreen.id, plain.id])).toBe(0);

    // While it lasts the room cannot be booked, at any time.
    const refused = await book(stack, await member(stack), { roomId: broken.id, start: at(14400), end: at(16200) });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'ROOM_UNAVAILABLE', details: { outageId } });

    // Operators find the outage and each of its relocations by OutageId.
    const listed = await eventually(
      async () => {
        const found: Record<string, string> = {};
        for await (const w of stack.deps.temporal.workflow.list({ query: `OutageId = "${outageId}"` }))
          found[w.workflowId] = String(w.searchAttributes.OutageOutcome?.[0]);
        return found;
      },
      (found) => Object.keys(found).length === 4 && Object.values(found).filter((v) => v === 'moved').length === 2,
    );
    expect(listed[outageWorkflowId(outageId)]).toBe('active');
    expect(Object.values(listed).sort()).toEqual(['active', 'cancelled', 'moved', 'moved']);

    // Resolving the ticket ends the outage: the room can be booked again.
    expect((await call(stack, manager, 'POST', `/tickets/${ticket.body.id}/resolve`, {})).status).toBe(200);
    const ended = await eventually(
      () => call(stack, manager, 'GET', `/outages/${outageId}`),
      (res) => res.body.status === 'ended',
    );
    expect(ended.body.endedAt).toEqual(expect.any(String));
    expect((await call(stack, reporter, 'GET', `/rooms/${broken.id}`)).body.status).toBe('active');
    await eventually(
      async () => brokenDisplay.of('room.status'),
      (events) => events.at(-1)?.roomId === broken.id && events.at(-1)?.status !== 'out_of_service',
    );
    const again = await book(stack, await member(stack), { roomId: broken.id, ...slots[2] });
    expect(again.status).toBe(201);
  });

  test('when staff take a room out of service for a window, then only that window is refused, a booking is not moved into it, and ending it early gives it back', async () => {
    const at = clock();
    const building = `Window HQ ${randomUUID().slice(0, 6)}`;
    const r = await room(stack, {}, { building });
    const other = await room(stack, {}, { building });
    const organizer = await member(stack);
    const before = await book(stack, organizer, { roomId: other.id, start: at(3600), end: at(5400) });
    expect(before.status).toBe(201);

    const window = { from: at(3000), until: at(9000) };
    const created = await call(stack, manager, 'POST', `/rooms/${r.id}/outages`, { ...window, reason: 'Painting' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/outages/${created.body.id}`);
    expect(created.body).toMatchObject({
      roomId: r.id,
      from: window.from,
      until: window.until,
      reason: 'Painting',
      status: 'scheduled',
      relocations: [],
    });
    expect(created.body.ticketId).toBeUndefined();

    // Scheduled, not yet covering now: the room still reads active.
    expect((await call(stack, organizer, 'GET', `/rooms/${r.id}`)).body.status).toBe('active');
    const inside = await book(stack, organizer, { roomId: r.id, start: at(4000), end: at(5000) });
    expect(inside.status).toBe(422);
    expect(inside.body.error.code).toBe('ROOM_UNAVAILABLE');
    // Touching the window's edge is outside it.
    expect((await book(stack, organizer, { roomId: r.id, start: at(9000), end: at(9600) })).status).toBe(201);
    // A move into the window is refused the same way, and changes nothing.
    const move = await call(stack, organizer, 'PATCH', `/bookings/${before.body.id}`, { roomId: r.id });
    expect(move.status).toBe(422);
    expect(move.body.error.code).toBe('ROOM_UNAVAILABLE');
    expect((await row(stack, before.body.id)).room_id).toBe(other.id);
    // Availability shows no free time there.
    const availability = await call(
      stack,
      organizer,
      'GET',
      `/rooms/${r.id}/availability?from=${encodeURIComponent(at(3600))}&to=${encodeURIComponent(at(5400))}`,
    );
    expect(availability.body.free).toEqual([]);
    expect(availability.body.outages).toEqual([{ start: window.from, end: window.until }]);

    const list = await call(stack, organizer, 'GET', `/rooms/${r.id}/outages`);
    expect(list.status).toBe(200);
    expect(list.body.outages.map((o: { id: string }) => o.id)).toEqual([created.body.id]);

    expect((await call(stack, organizer, 'POST', `/outages/${created.body.id}/end`)).status).toBe(403);
    const ended = await call(stack, manager, 'POST', `/outages/${created.body.id}/end`);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ id: created.body.id, status: 'ended' });
    const again = await call(stack, manager, 'POST', `/outages/${created.body.id}/end`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('OUTAGE_ENDED');
    expect((await book(stack, organizer, { roomId: r.id, start: at(4000), end: at(5000) })).status).toBe(201);
  });

  test('when the window covers a booking that fits nowhere else, then it is cancelled with the reason, and the outage ends by itself at its until', async () => {
    const at = clock();
    const building = `Solo ${randomUUID().slice(0, 6)}`;
    const people = await moreThanAnyRoomHolds(34);
    const r = await room(stack, {}, { building, capacity: people, name: `Hall ${randomUUID().slice(0, 4)}` });
    const organizer = await member(stack);
    const crowd = Array.from({ length: people - 1 }, guest);
    const booked = await book(stack, organizer, { roomId: r.id, start: at(5), end: at(1800), attendees: crowd });
    expect(booked.status).toBe(201);
    const created = await call(stack, manager, 'POST', `/rooms/${r.id}/outages`, {
      from: at(-60),
      until: at(10),
      reason: 'Fire drill',
    });
    expect(created.status).toBe(201);
    // A from already past means now.
    expect(Date.parse(created.body.from)).toBeGreaterThan(Date.parse(at(-60)));
    const done = await eventually(
      () => call(stack, manager, 'GET', `/outages/${created.body.id}`),
      (res) => res.body.relocations?.[0]?.outcome === 'cancelled',
      30_000,
    );
    expect(done.body.relocations[0].reason).toBe(
      `Room ${r.name} is out of service (Fire drill); no free room in building ${building} or any other building fits ${people} people at that time.`,
    );
    const view = await call(stack, organizer, 'GET', `/bookings/${booked.body.id}`);
    expect(view.body).toMatchObject({ status: 'cancelled', statusReason: done.body.relocations[0].reason });
    const ended = await eventually(
      () => call(stack, manager, 'GET', `/outages/${created.body.id}`),
      (res) => res.body.status === 'ended' && res.body.endedAt !== undefined,
      30_000,
    );
    expect(ended.body.endedAt).toBe(at(10));
    expect((await book(stack, organizer, { roomId: r.id, start: at(60), end: at(600) })).status).toBe(201);
  });

  test('when someone waits for time inside an outage, then nothing is offered while it lasts, and ending it offers them the time', async () => {
    const at = clock();
    const r = await room(stack);
    const waiter = await member(stack);
    const created = await call(stack, manager, 'POST', `/rooms/${r.id}/outages`, {
      from: at(600),
      until: at(4000),
      reason: 'Wiring',
    });
    expect(created.status).toBe(201);
    const slot = { start: at(1200), end: at(1800) };
    const joined = await call(
      stack,
      waiter,
      'POST',
      '/waitlist',
      { roomId: r.id, ...slot },
      { 'idempotency-key': `wait-${randomUUID()}` },
    );
    expect(joined.status).toBe(201);
    // The join asks the room's waitlist at once; the outage refuses the hold and the waiter keeps waiting.
    await eventually(
      () => stack.deps.temporal.workflow.getHandle(waitlistWorkflowId(r.id)).query(waitlistStateQuery),
      (state) => state.pending.length === 0,
    );
    const entryOf = async () =>
      (await call(stack, waiter, 'GET', '/waitlist')).body.items.find((e: { id: string }) => e.id === joined.body.id);
    expect((await entryOf()).status).toBe('waiting');

    expect((await call(stack, manager, 'POST', `/outages/${created.body.id}/end`)).status).toBe(200);
    const offered = await eventually(
      entryOf,
      (e) => e?.status === 'offered' && e.offer?.bookingId !== undefined,
      30_000,
    );
    const hold = await call(stack, waiter, 'GET', `/bookings/${offered.offer.bookingId}`);
    expect(hold.body).toMatchObject({ roomId: r.id, status: 'held', ...slot });
  });

  test('when a daily series has an occurrence inside an outage, then that occurrence is a conflict naming the outage, and "skip" books the others', async () => {
    const r = await room(stack, { slotGranularitySeconds: 900 });
    const organizer = await member(stack);
    const first = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 12 * 3_600_000);
    const day = (n: number) => new Date(first.getTime() + n * 86_400_000).toISOString();
    const outage = await call(stack, manager, 'POST', `/rooms/${r.id}/outages`, {
      from: day(1),
      until: day(1.5),
      reason: 'Floor polish',
    });
    expect(outage.status).toBe(201);
    const body = {
      roomId: r.id,
      start: day(0),
      end: new Date(first.getTime() + 3_600_000).toISOString(),
      timezone: 'UTC',
      rrule: 'FREQ=DAILY;COUNT=3',
      title: 'Daily sync',
    };
    const refused = await call(stack, organizer, 'POST', '/series', { ...body, onConflict: 'fail' });
    expect(refused.status).toBe(409);
    const skipped = await call(stack, organizer, 'POST', '/series', { ...body, onConflict: 'skip' });
    expect(skipped.status).toBe(201);
    expect(skipped.body.occurrences.map((o: { outcome: string }) => o.outcome)).toEqual([
      'booked',
      'conflict',
      'booked',
    ]);
    expect(skipped.body.occurrences[1].conflict).toEqual({ outageId: outage.body.id, start: day(1), end: day(1.5) });
  });

  test('when the request is wrong or not staff, then the answer is a 4xx and nothing is created', async () => {
    const at = clock();
    const r = await room(stack);
    const someone = await member(stack);
    const count = async () =>
      (await stack.deps.dataSource.query('SELECT count(*)::int AS n FROM room_outages WHERE room_id = $1', [r.id]))[0]
        .n;
    const body = { from: at(600), until: at(1200), reason: 'Carpet' };

    expect((await call(stack, someone, 'POST', `/rooms/${r.id}/outages`, body)).status).toBe(403);
    expect((await call(stack, undefined, 'POST', `/rooms/${r.id}/outages`, body)).status).toBe(401);
    for (const bad of [
      { ...body, reason: '' },
      { ...body, from: 'tomorrow' },
      { ...body, until: '2026-12-01T10:00:00' },
      { from: at(600), reason: 'x', extra: true },
      { until: at(600), reason: 'x' },
    ]) {
      const res = await call(stack, manager, 'POST', `/rooms/${r.id}/outages`, bad);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const backwards = await call(stack, manager, 'POST', `/rooms/${r.id}/outages`, { ...body, until: at(300) });
    expect(backwards.status).toBe(422);
    expect(backwards.body.error.code).toBe('POLICY_VIOLATION');
    const past = await call(stack, manager, 'POST', `/rooms/${r.id}/outages`, {
      from: at(-600),
      until: at(-300),
      reason: 'x',
    });
    expect(past.status).toBe(422);
    expect((await call(stack, manager, 'POST', `/rooms/${randomUUID()}/outages`, body)).status).toBe(404);
    expect((await call(stack, manager, 'GET', `/outages/${randomUUID()}`)).status).toBe(404);
    expect((await call(stack, manager, 'GET', '/outages/not-a-uuid')).status).toBe(400);
    expect((await call(stack, manager, 'POST', `/outages/${randomUUID()}/end`)).status).toBe(404);
    expect(await count()).toBe(0);
  });
});
