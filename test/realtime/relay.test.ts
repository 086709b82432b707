import { createUser, type TestUser } from '../support/fixtures';
import { startApi, type TestStack } from '../support/stack';
import { book, call, clock, eventually, member, room, startBookingStack, type BookingStack } from '../bookings/support';
import type { RoomBooking } from '../../src/domain/room-status';
import type { BookingView } from '../../src/shared/booking-messages';
import { connectClient, type TestClient } from './support';

describe('realtime relay: workflow events reach clients of every api process through Redis', () => {
  let a: BookingStack;
  let b: TestStack;
  let staff: TestUser;
  const clients: TestClient[] = [];
  const client = async (stack: TestStack, token: string) => {
    const c = await connectClient(stack, token);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    a = await startBookingStack();
    // A second api process: its own HTTP server, Socket.IO server, Redis clients and database pool.
    b = await startApi({ temporal: a.config.temporal });
    staff = await createUser(a, { role: 'facility_manager' });
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await b?.close();
    await a?.stop();
  });

  test('when a booking is made and cancelled, then a client on each api process hears each change once, in order', async () => {
    const at = clock();
    const r = await room(a);
    const onA = await client(a, staff.token);
    const onB = await client(b, staff.token);
    expect((await onA.request('room:subscribe', { roomId: r.id })).ok).toBe(true);
    expect((await onB.request('room:subscribe', { roomId: r.id })).ok).toBe(true);

    const organizer = await member(a);
    const booked = await book(a, organizer, { roomId: r.id, start: at(3600), end: at(5400) });
    expect(booked.status).toBe(201);
    expect((await call(a, organizer, 'POST', `/bookings/${booked.body.id}/cancel`, {})).status).toBe(200);

    for (const c of [onA, onB]) {
      // room.status follows the booking event it was computed for: once it says free again, the cancellation arrived before it.
      await eventually(
        async () => c.of('room.status'),
        (s) => s.some((e) => e.status === 'free' && !e.next && e.version > 1),
      );
      const updates = c.of('booking.updated').filter((e) => e.booking.id === booked.body.id);
      expect(updates.map((e) => [e.kind, e.booking.status, e.version])).toEqual([
        ['confirmed', 'confirmed', 1],
        ['cancelled', 'cancelled', 2],
      ]);
      expect(new Set(updates.map((e) => e.eventId)).size).toBe(2);
      for (const e of updates) expect(typeof Date.parse(e.timestamp)).toBe('number');
      // Room subscribers see the room's view: title and organizer name, never attendees.
      expect(updates[0].booking).not.toHaveProperty('attendees');
      expect((updates[0].booking as RoomBooking).organizer.id).toBe(organizer.id);

      const statuses = c.of('room.status').filter((e) => e.roomId === r.id);
      const versions = statuses.map((e) => e.version);
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
      expect(new Set(versions).size).toBe(versions.length);
      expect(statuses[0]).toMatchObject({ status: 'free', next: { id: booked.body.id, title: booked.body.title } });
    }
    // Both processes relayed the same events.
    expect(onA.of('booking.updated').map((e) => e.eventId)).toEqual(onB.of('booking.updated').map((e) => e.eventId));
  });

  test('when the organizer follows the room too, then they hear their booking once, with its attendees', async () => {
    const at = clock();
    const r = await room(a);
    const organizer = await member(a);
    const mine = await client(b, organizer.token);
    const staffClient = await client(a, staff.token);
    expect((await mine.request('room:subscribe', { roomId: r.id })).ok).toBe(true);
    expect((await staffClient.request('room:subscribe', { roomId: r.id })).ok).toBe(true);

    const booked = await book(a, organizer, {
      roomId: r.id,
      start: at(3600),
      end: at(5400),
      attendees: ['guest@example.test'],
    });
    expect(booked.status).toBe(201);

    await eventually(
      async () => staffClient.of('room.status'),
      (s) => s.some((e) => e.next?.id === booked.body.id),
    );
    await eventually(
      async () => mine.of('room.status'),
      (s) => s.some((e) => e.next?.id === booked.body.id),
    );
    const personal = mine.of('booking.updated').filter((e) => e.booking.id === booked.body.id);
    expect(personal).toHaveLength(1);
    expect((personal[0].booking as BookingView).attendees).toEqual(['guest@example.test']);
    const seenByStaff = staffClient.of('booking.updated').filter((e) => e.booking.id === booked.body.id);
    expect(seenByStaff).toHaveLength(1);
    expect(seenByStaff[0].booking).not.toHaveProperty('attendees');
  });

  test('when the check-in window opens and the meeting runs, then room.status follows the workflow timers and REST agrees', async () => {
    const at = clock();
    const r = await room(a, { checkInOpensBeforeSeconds: 3, checkInGraceSeconds: 30 });
    const organizer = await member(a);
    const display = await client(b, staff.token);
    expect((await display.request('room:subscribe', { roomId: r.id })).ok).toBe(true);

    const booked = await book(a, organizer, { roomId: r.id, start: at(5), end: at(9) });
    expect(booked.status).toBe(201);
    const awaiting = await eventually(
      async () => display.of('room.status'),
      (s) => s.some((e) => e.status === 'awaiting_check_in'),
    );
    const opened = awaiting.find((e) => e.status === 'awaiting_check_in');
    expect(opened!.current).toMatchObject({
      id: booked.body.id,
      status: 'confirmed',
      checkInDeadline: booked.body.checkInDeadline,
    });

    expect((await call(a, organizer, 'POST', `/bookings/${booked.body.id}/check-in`, {})).status).toBe(200);
    await eventually(
      async () => display.of('meeting.ended'),
      (e) => e.length > 0,
    );
    await eventually(
      async () => display.of('room.status'),
      (s) => s.at(-1)?.status === 'free',
    );

    const statuses = display.of('room.status').map((e) => e.status);
    expect(statuses[0]).toBe('free');
    expect(statuses).toEqual(expect.arrayContaining(['awaiting_check_in', 'in_use']));
    expect(statuses.indexOf('awaiting_check_in')).toBeLessThan(statuses.indexOf('in_use'));
    expect(statuses.at(-1)).toBe('free');
    expect(display.of('meeting.started').map((e) => e.booking.id)).toEqual([booked.body.id]);
    expect(display.of('meeting.ended').map((e) => e.booking.id)).toEqual([booked.body.id]);

    const rest = await call(b, staff, 'GET', `/rooms/${r.id}/status`);
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({
      roomId: r.id,
      status: 'free',
      version: display.of('room.status').at(-1)!.version,
      today: [],
    });
  });

  test('when events were relayed, then the api counts sockets, events and relay latency in /metrics', async () => {
    const at = clock();
    const r = await room(a);
    const c = await client(b, staff.token);
    expect((await c.request('room:subscribe', { roomId: r.id })).ok).toBe(true);
    await book(a, await member(a), { roomId: r.id, start: at(3600), end: at(5400) });
    await eventually(
      async () => c.of('room.status'),
      (s) => s.length > 0,
    );

    const text = await (await fetch(`${b.baseUrl}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    expect(value(/^roombook_realtime_connected_sockets\{kind="user"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^roombook_realtime_events_relayed_total\{event="room.status"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(
      value(/^roombook_realtime_relay_latency_seconds_count\{event="booking.updated"\} (\d+)/m),
    ).toBeGreaterThanOrEqual(1);
  });
});
