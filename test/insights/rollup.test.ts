import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { heatmapUsage, insightsSplit, roomUsage, type InsightsScope } from '../../src/db/repositories/insights';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const DAYS = 70;

/**
 * The rollup (migration 1700001860000) against the rows: bookings written as the workflows write
 * them, through the `bookings` triggers (made, checked in, checked out, released, booked again,
 * cancelled, moved; rooms moved to another building and zone), then every figure read by the
 * rollup's road must equal the one the same rows give when the whole window is computed from them.
 */
describe('insights rollup', () => {
  let db: DataSource;

  beforeAll(async () => {
    db = await createDataSource(process.env.DATABASE_URL!, { poolSize: 2 }).initialize();
  });
  afterAll(async () => {
    await db.destroy();
  });

  const sql = (text: string, parameters: unknown[] = []) => db.query(text, parameters);

  test('when bookings live their lives through the triggers, then the rollup answers exactly what the rows answer', async () => {
    const building = `Rollup ${randomUUID().slice(0, 8)}`;
    const elsewhere = `${building} annex`;
    const [{ id: organizer }] = await sql(
      `INSERT INTO users (email, display_name, timezone, role) VALUES ($1, 'rollup', 'UTC', 'member') RETURNING id`,
      [`rollup-${randomUUID()}@test.example`],
    );
    const rooms: { id: string }[] = await sql(
      `INSERT INTO rooms (name, building, floor, capacity, timezone, policy)
       SELECT 'R' || n, $1, '1', 4, (ARRAY['Europe/Berlin', 'America/New_York', 'UTC'])[n], '{}'::jsonb
       FROM generate_series(1, 3) n ORDER BY n RETURNING id`,
      [building],
    );
    const ids = rooms.map((r) => r.id);
    const today = Math.floor(Date.now() / DAY) * DAY;
    const first = new Date(today - DAYS * DAY);

    // 70 days × 3 bookings a room, booked a week ahead; then most are checked in and out (some early).
    await sql(
      `INSERT INTO bookings (id, room_id, organizer_id, title, start_at, end_at, occupied_until, status, workflow_id,
         check_in_deadline, created_at, updated_at)
       SELECT gen_random_uuid(), r, $2, 'k' || k || ' d' || d, s, s + interval '90 minutes', s + interval '90 minutes',
         'confirmed', 'rollup-test', s + interval '10 minutes', s - interval '7 days', s - interval '7 days'
       FROM unnest($1::uuid[]) r, generate_series(0, $4 - 1) d, generate_series(0, 2) k,
         LATERAL (SELECT $3::timestamptz + d * interval '1 day' + interval '6 hours' + k * interval '5 hours' AS s) x`,
      [ids, organizer, first, DAYS],
    );
    await sql(
      `UPDATE bookings SET status = 'checked_in', checked_in_at = start_at + interval '3 minutes', updated_at = start_at + interval '3 minutes'
       WHERE room_id = ANY($1) AND title NOT LIKE 'k2 %'`,
      [ids],
    );
    await sql(
      `UPDATE bookings SET status = 'completed',
         ended_at = CASE WHEN title LIKE 'k0 %' THEN start_at + interval '40 minutes' ELSE end_at END,
         updated_at = CASE WHEN title LIKE 'k0 %' THEN start_at + interval '40 minutes' ELSE end_at END
       WHERE room_id = ANY($1) AND status = 'checked_in'`,
      [ids],
    );
    // The third meeting of a day: a no-show released at its deadline on even days, cancelled
    // late (an hour before) or in time (three days before) on others, otherwise completed unchecked.
    await sql(
      `UPDATE bookings SET status = CASE WHEN n % 2 = 0 THEN 'released' ELSE 'cancelled' END,
         updated_at = CASE WHEN n % 2 = 0 THEN start_at + interval '10 minutes'
           WHEN n % 4 = 1 THEN start_at - interval '1 hour' ELSE start_at - interval '3 days' END
       FROM (SELECT id AS bid, row_number() OVER (ORDER BY start_at, room_id) AS n FROM bookings
             WHERE room_id = ANY($1) AND title LIKE 'k2 %') o
       WHERE id = o.bid AND (n % 2 = 0 OR n % 5 <> 0)`,
      [ids],
    );
    // Released time booked again: used from its start on, or never checked in.
    await sql(
      `INSERT INTO bookings (id, room_id, organizer_id, title, start_at, end_at, occupied_until, status, workflow_id,
         checked_in_at, ended_at, updated_at)
       SELECT gen_random_uuid(), room_id, organizer_id, 'again', start_at + interval '20 minutes', end_at - interval '5 minutes',
         end_at - interval '5 minutes', 'confirmed', 'rollup-test', NULL, NULL, start_at + interval '15 minutes'
       FROM bookings WHERE room_id = ANY($1) AND status = 'released'`,
      [ids],
    );
    await sql(
      `UPDATE bookings SET status = 'completed', checked_in_at = start_at + interval '1 minute', ended_at = end_at, updated_at = end_at
       WHERE room_id = ANY($1) AND title = 'again' AND extract(day FROM start_at)::int % 3 <> 0`,
      [ids],
    );
    // One meeting in progress now: today's figures still depend on the clock.
    await sql(
      `INSERT INTO bookings (id, room_id, organizer_id, title, start_at, end_at, occupied_until, status, workflow_id,
         checked_in_at, check_in_deadline, updated_at)
       VALUES (gen_random_uuid(), $1, $2, 'now', now() - interval '30 minutes', now() + interval '30 minutes',
         now() + interval '30 minutes', 'checked_in', 'rollup-test', now() - interval '29 minutes', now() - interval '20 minutes', now())`,
      [ids[2], organizer],
    );
    // A move to another day and room; a room moved to another building and zone, and back.
    await sql(
      `UPDATE bookings SET room_id = $2, start_at = start_at + interval '1 day 2 hours', end_at = end_at + interval '1 day 2 hours',
         occupied_until = occupied_until + interval '1 day 2 hours'
       WHERE id = (SELECT id FROM bookings WHERE room_id = $1 AND title = 'k1 d10')`,
      [ids[0], ids[1]],
    );
    await sql(`UPDATE rooms SET building = $2, timezone = 'Asia/Kolkata' WHERE id = $1`, [ids[1], elsewhere]);
    await sql(`UPDATE rooms SET building = $2 WHERE id = $1`, [ids[1], building]);

    const read = async (scope: InsightsScope, raw: boolean) => {
      const split = raw ? { rollupFrom: scope.to, rollupTo: scope.to } : await insightsSplit(db, scope);
      return { usage: await roomUsage(db, scope, split), heat: await heatmapUsage(db, scope, split) };
    };
    // The last whole calendar month in the data (M to M2) ended at least two days ago.
    const monthStart = (at: number, plus = 0) =>
      Date.UTC(new Date(at).getUTCFullYear(), new Date(at).getUTCMonth() + plus, 1);
    const m2 = today - monthStart(today) >= 2 * DAY ? monthStart(today) : monthStart(today, -1);
    const m = monthStart(m2, -1);
    const windows: [string, number, number][] = [
      ['40 whole days to the end of today', today - 40 * DAY, today + DAY],
      ['partial first and last days', today - 33 * DAY + 7 * HOUR, today - 2 * DAY - 5 * HOUR],
      ['within one day', today - 9 * DAY + 5 * HOUR, today - 9 * DAY + 20 * HOUR],
      ['a few hours', today - 9 * DAY + 10 * HOUR, today - 9 * DAY + 14 * HOUR],
      ['from and to 23:00 UTC', today - 38 * DAY - HOUR, today - 3 * DAY - HOUR],
      ['a whole month and some days, unaligned', m - 3 * DAY + 7 * HOUR, m2 + DAY - 3 * HOUR],
      ['into the future', today - 20 * DAY + 13 * HOUR, today + 5 * DAY + 11 * HOUR],
    ];
    for (const [what, from, to] of windows) {
      for (const filter of [{ building }, { roomId: ids[1] }, { roomId: ids[2] }]) {
        const scope = {
          from: new Date(from),
          to: new Date(to),
          now: new Date(),
          lateCancellationSeconds: 86400,
          ...filter,
        };
        const rolled = await read(scope, false);
        expect({ what, filter, ...rolled }).toEqual({ what, filter, ...(await read(scope, true)) });
      }
    }

    // The rollup's road was really taken, cut at today (the meeting in progress), and the
    // figures are not all zeros.
    const whole = {
      from: new Date(today - 40 * DAY),
      to: new Date(today + DAY),
      now: new Date(),
      lateCancellationSeconds: 86400,
      building,
    };
    expect(await insightsSplit(db, whole)).toEqual({
      rollupFrom: new Date(today - 40 * DAY),
      rollupTo: new Date(today),
    });
    // A day less its first five and last four hours reads the day and subtracts them; four hours
    // are four hours of rows.
    const within = { ...whole, from: new Date(today - 9 * DAY + 5 * HOUR), to: new Date(today - 9 * DAY + 20 * HOUR) };
    expect(await insightsSplit(db, within)).toEqual({
      rollupFrom: new Date(today - 9 * DAY),
      rollupTo: new Date(today - 8 * DAY),
    });
    const hours = { ...whole, from: new Date(today - 9 * DAY + 10 * HOUR), to: new Date(today - 9 * DAY + 14 * HOUR) };
    expect(await insightsSplit(db, hours)).toEqual({ rollupFrom: hours.to, rollupTo: hours.to });
    const { usage, heat } = await read(whole, false);
    expect(usage.map((r) => r.roomId).sort()).toEqual([...ids].sort());
    for (const room of usage) {
      expect(room.bookings).toBeGreaterThan(80);
      expect(room.noShows).toBeGreaterThan(10);
      expect(room.rebookedSeconds).toBeGreaterThan(0);
      expect(room.recoveredSeconds).toBeGreaterThan(0);
      expect(room.recoveredSeconds).toBeLessThan(room.rebookedSeconds);
      expect(room.lateCancellations).toBeGreaterThan(0);
    }
    expect(heat.reduce((sum, cell) => sum + cell.bookedSeconds, 0)).toBeCloseTo(
      usage.reduce((sum, room) => sum + room.bookedSeconds, 0),
      6,
    );
  });
});
