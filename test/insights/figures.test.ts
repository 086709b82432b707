import { parse } from 'csv-parse/sync';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../src/config';
import { clock, book, call, eventually, member, room, row, waitForStatus } from '../bookings/support';
import { createUser, type TestUser } from '../support/fixtures';
import { startApi, startWorker, type TestStack, type TestWorker } from '../support/stack';

const HOUR = 3600;
const secondsBetween = (from: Date | string, to: Date | string) =>
  (new Date(to).getTime() - new Date(from).getTime()) / 1000;

describe('insights: how rooms are really used', () => {
  let stack: TestStack;
  let worker: TestWorker;
  let manager: TestUser;
  // Open around the clock, so the room's opening hours in a window are the window itself.
  const insights: Config['insights'] = {
    lateCancellationSeconds: 86400,
    openingHours: { weekdays: [1, 2, 3, 4, 5, 6, 7], opensAt: 0, closesAt: 24 * 60 },
    mail: { cron: '0 7 * * 1', worstRooms: 5 },
  };

  beforeAll(async () => {
    stack = await startApi({ insights });
    worker = await startWorker(stack.config, stack.deps);
    manager = await createUser(stack, { role: 'facility_manager' });
  });
  afterAll(async () => {
    await worker.stop();
    await stack.close();
  });

  const releasedAt = async (bookingId: string): Promise<Date> => {
    const [event] = await stack.deps.dataSource.query(
      "SELECT at FROM booking_events WHERE booking_id = $1 AND kind = 'released'",
      [bookingId],
    );
    return event.at;
  };

  test('when rooms see no-shows, a rebooking of released time, an early check-out and a late cancellation, then every figure is the hand-computed one', async () => {
    const building = `Insights ${randomUUID().slice(0, 8)}`;
    const policy = { checkInOpensBeforeSeconds: 30, checkInGraceSeconds: 1 };
    const a = await room(stack, policy, { building, name: 'A' });
    const b = await room(stack, policy, { building, name: 'B' });
    const [ghostsA, ghostsB, cancels] = [await member(stack), await member(stack), await member(stack)];
    const at = clock();

    // Room A: a no-show from at(4) to at(14), released one second after its start.
    const ghostA = await book(stack, ghostsA, { roomId: a.id, start: at(4), end: at(14) });
    // Room B: a no-show from at(4) to at(10); a meeting an hour away cancelled now (late); one
    // two days away cancelled now (in time).
    const ghostB = await book(stack, ghostsB, { roomId: b.id, start: at(4), end: at(10) });
    const late = await book(stack, cancels, { roomId: b.id, start: at(HOUR), end: at(2 * HOUR) });
    const inTime = await book(stack, cancels, {
      roomId: b.id,
      start: at(2 * 86400),
      end: at(2 * 86400 + HOUR),
    });
    for (const created of [ghostA, ghostB, late, inTime]) expect(created.status).toBe(201);
    for (const cancelled of [late, inTime]) {
      expect((await call(stack, manager, 'POST', `/bookings/${cancelled.body.id}/cancel`, {})).status).toBe(200);
    }
    await waitForStatus(stack, ghostA.body.id, 'released');
    await waitForStatus(stack, ghostB.body.id, 'released');

    // Room A: the released time is booked again, checked in, and checked out early.
    const next = clock();
    const organizer = await member(stack);
    const rebooking = await book(stack, organizer, { roomId: a.id, start: next(1), end: at(14) });
    expect(rebooking.status).toBe(201);
    expect((await call(stack, organizer, 'POST', `/bookings/${rebooking.body.id}/check-in`, {})).status).toBe(200);
    await eventually(
      async () => Date.now(),
      (t) => t > Date.parse(rebooking.body.start) + 1500,
      5000,
      'the rebooking has started and its check-in deadline has passed',
    );
    expect((await call(stack, organizer, 'POST', `/bookings/${rebooking.body.id}/check-out`, {})).status).toBe(200);

    const [relA, relB] = [await releasedAt(ghostA.body.id), await releasedAt(ghostB.body.id)];
    const reb = await row(stack, rebooking.body.id);
    expect(reb.ended_at.getTime()).toBeLessThan(Date.parse(at(14)));

    const from = at(-HOUR);
    const to = at(3 * 86400);
    const res = await call(
      stack,
      manager,
      'GET',
      `/insights/rooms?from=${from}&to=${to}&building=${encodeURIComponent(building)}`,
    );
    expect(res.status).toBe(200);

    // By hand: A held the no-show (10 s) and the rebooking (from its start to at(14)); the
    // rebooking was used from its check-in to its check-out; A's released time runs from the
    // release to at(14), all of it rebooked by a booking inside it, and recovered while used.
    const used = secondsBetween(reb.checked_in_at, reb.ended_at);
    const windowSeconds = secondsBetween(from, to);
    const roomA = {
      roomId: a.id,
      name: 'A',
      building,
      bookings: 2,
      bookedHours: (10 + secondsBetween(rebooking.body.start, at(14))) / HOUR,
      usedHours: used / HOUR,
      noShows: 1,
      ghostRate: 1 / 2,
      releasedHours: secondsBetween(relA, at(14)) / HOUR,
      rebookedHours: secondsBetween(rebooking.body.start, at(14)) / HOUR,
      recoveredHours: used / HOUR,
      lateCancellations: 0,
      utilization: used / windowSeconds,
    };
    const roomB = {
      roomId: b.id,
      name: 'B',
      building,
      bookings: 1,
      bookedHours: 6 / HOUR,
      usedHours: 0,
      noShows: 1,
      ghostRate: 1,
      releasedHours: secondsBetween(relB, at(10)) / HOUR,
      rebookedHours: 0,
      recoveredHours: 0,
      lateCancellations: 1,
      utilization: 0,
    };
    expect(res.body.from).toBe(from);
    expect(res.body.to).toBe(to);
    expect(res.body.rooms).toEqual([roomA, roomB]);
    expect(res.body.totals).toEqual({
      bookings: 3,
      bookedHours: (10 + secondsBetween(rebooking.body.start, at(14)) + 6) / HOUR,
      usedHours: used / HOUR,
      noShows: 2,
      ghostRate: 2 / 3,
      releasedHours: expect.closeTo((secondsBetween(relA, at(14)) + secondsBetween(relB, at(10))) / HOUR, 12),
      rebookedHours: roomA.rebookedHours,
      recoveredHours: used / HOUR,
      lateCancellations: 1,
      utilization: used / (2 * windowSeconds),
    });
    expect(res.body.heatmap).toHaveLength(7 * 24);
    const sum = (key: 'bookedHours' | 'usedHours') =>
      res.body.heatmap.reduce((total: number, cell: Record<string, number>) => total + cell[key], 0);
    expect(sum('bookedHours')).toBeCloseTo(res.body.totals.bookedHours, 12);
    expect(sum('usedHours')).toBeCloseTo(res.body.totals.usedHours, 12);

    // One room on its own answers the same figures for it.
    const onlyA = await call(stack, manager, 'GET', `/insights/rooms?from=${from}&to=${to}&roomId=${a.id}`);
    expect(onlyA.body.rooms).toEqual([roomA]);

    // The CSV: one row per room, read back by a CSV parser.
    const asks: { query: string; headers: Record<string, string> }[] = [
      { query: '&format=csv', headers: {} },
      { query: '', headers: { accept: 'text/csv' } },
    ];
    for (const ask of asks) {
      const csv = await fetch(
        `${stack.baseUrl}/api/v1/insights/rooms?from=${from}&to=${to}&building=${encodeURIComponent(building)}${ask.query}`,
        { headers: { ...manager.auth, ...ask.headers } },
      );
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const records = parse(await csv.text(), { columns: true });
      expect(records).toEqual(
        [roomA, roomB].map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]))),
      );
    }
  });

  test('when the window is longer than 366 days, then 422 WINDOW_TOO_LONG; unreadable or reversed, 400; a member, 403', async () => {
    const rooms = (query: string, as: TestUser = manager) => call(stack, as, 'GET', `/insights/rooms?${query}`);
    const tooLong = await rooms('from=2025-01-01T00:00:00Z&to=2026-01-03T00:00:00Z');
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.code).toBe('WINDOW_TOO_LONG');
    const longest = await rooms(
      'from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&roomId=00000000-0000-4000-8000-000000000000',
    );
    expect(longest.status).toBe(200);
    expect(longest.body.rooms).toEqual([]);
    const reversed = await rooms('from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.details.fields[0].field).toBe('to');
    const unreadable = await rooms('from=yesterday&to=2026-01-01T00:00:00Z');
    expect(unreadable.status).toBe(400);
    const missing = await call(stack, manager, 'GET', '/insights/rooms');
    expect(missing.status).toBe(400);
    const asMember = await rooms('from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z', await member(stack));
    expect(asMember.status).toBe(403);
  });
});
