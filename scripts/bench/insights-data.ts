import { Pool } from 'pg';
import { createDataSource, ensureDatabase, migrate } from '../../src/db/data-source';
import { DEFAULT_ROOM_POLICY } from '../../src/shared/booking';

/**
 * The insights data set (issue 21), generated straight in SQL rather than through workflows: rooms
 * in a few buildings and time zones, and for every working day of the year before `anchor` 4–6
 * bookings per room between 08:00 and 18:00 local time, each with the lifecycle events the
 * `booking_events` trigger would have written. About 8% are no-shows released at their check-in
 * deadline (half of the released time is booked again, most of it used), 5% are cancelled (half of
 * them late), 7% need no check-in, and a fifth of the checked-in meetings check out early.
 */
export interface InsightsDataSize {
  rooms: number;
  days: number;
}

export interface InsightsDataSet extends InsightsDataSize {
  bookings: number;
  events: number;
  /** The end of the generated year: every booking starts before it. */
  anchor: Date;
  buildings: string[];
  /** Seconds to generate; 0 when an existing data set of the same size was reused. */
  loadSeconds: number;
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Tokyo', 'Europe/London'];
const BUILDINGS = 10;
const META = 'insights_bench_data_set';

/**
 * One working day's bookings for a batch of rooms. Day d is split into n slots of 600/n minutes
 * (n = 4, 5 or 6); a booking starts up to 15 minutes into its slot and lasts 30 minutes or more,
 * ending before the next slot. `(g * 0)` ties every random() to its row: a LATERAL that references
 * nothing of the row would be computed once.
 */
const PLAN = `
  CREATE TEMP TABLE plan ON COMMIT DROP AS
  SELECT gen_random_uuid() AS id, gen_random_uuid() AS rebooking_id, x.*
  FROM (
    SELECT r.id AS room_id, s.start_at, s.start_at + s.len AS end_at, s.u, s.v, s.w
    FROM rooms r
    CROSS JOIN generate_series($2::date, $3::date - 1, interval '1 day') AS d
    CROSS JOIN LATERAL (SELECT 4 + floor(random() * 3 + extract(day FROM d) * 0)::int AS n) c
    CROSS JOIN LATERAL generate_series(0, c.n - 1) AS g
    CROSS JOIN LATERAL (
      SELECT ((d::date + time '08:00' + (g * (600 / c.n) + 5 * floor(random() * 4 + g * 0)) * interval '1 minute')
               AT TIME ZONE r.timezone) AS start_at,
             (30 + 15 * floor(random() * ((600 / c.n - 45) / 15.0) + g * 0)) * interval '1 minute' AS len,
             random() + g * 0 AS u, random() + g * 0 AS v, random() + g * 0 AS w
    ) s
    WHERE r.id = ANY($1::uuid[]) AND extract(isodow FROM d) < 6
  ) x`;

/**
 * The rows and their events from the plan: u picks the fate (released, cancelled late or in time,
 * no check-in, checked in), v whether released time is booked again, w an early check-out.
 */
const LOAD = `
  WITH fate AS (
    SELECT p.*,
      CASE WHEN u < 0.08 THEN 'released' WHEN u < 0.13 THEN 'cancelled' ELSE 'completed' END AS status,
      u < 0.08 OR u >= 0.20 AS needs_check_in,
      CASE WHEN u < 0.105 THEN p.start_at - interval '2 hours' WHEN u < 0.13 THEN p.start_at - interval '3 days' END AS cancelled_at,
      CASE WHEN u >= 0.20 THEN p.start_at + (floor(w * 6)) * interval '1 minute' END AS checked_in_at,
      CASE WHEN u >= 0.20 AND w < 0.2 THEN p.start_at + (p.end_at - p.start_at) / 2 END AS early_end
    FROM plan p
  ),
  originals AS (
    INSERT INTO bookings (id, room_id, organizer_id, title, start_at, end_at, occupied_until, status, workflow_id,
      version, check_in_opens_at, check_in_deadline, checked_in_at, ended_at, created_at, updated_at)
    SELECT id, room_id, $1, 'insights bench', start_at, end_at, end_at, status, 'bench-insights:' || id, 3,
      CASE WHEN needs_check_in THEN start_at - interval '10 minutes' END,
      CASE WHEN needs_check_in THEN start_at + interval '10 minutes' END,
      checked_in_at,
      CASE WHEN status = 'completed' THEN coalesce(early_end, end_at) END,
      start_at - interval '7 days',
      CASE status WHEN 'released' THEN start_at + interval '10 minutes' WHEN 'cancelled' THEN cancelled_at
        ELSE coalesce(early_end, end_at) END
    FROM fate
    RETURNING id
  ),
  rebookings AS (
    INSERT INTO bookings (id, room_id, organizer_id, title, start_at, end_at, occupied_until, status, workflow_id,
      version, check_in_opens_at, check_in_deadline, checked_in_at, ended_at, created_at, updated_at)
    SELECT rebooking_id, room_id, $1, 'insights bench rebooking', start_at + interval '20 minutes', end_at, end_at,
      'completed', 'bench-insights:' || rebooking_id, 3, start_at + interval '15 minutes', start_at + interval '30 minutes',
      CASE WHEN w < 0.8 THEN start_at + interval '21 minutes' END, end_at, start_at + interval '15 minutes', end_at
    FROM fate WHERE status = 'released' AND v < 0.5
    RETURNING id
  ),
  events AS (
    SELECT id, room_id, 'booked' AS kind, start_at - interval '7 days' AS at, start_at, end_at FROM fate
    UNION ALL SELECT id, room_id, 'checked_in', checked_in_at, start_at, end_at FROM fate WHERE checked_in_at IS NOT NULL
    UNION ALL SELECT id, room_id, 'released', start_at + interval '10 minutes', start_at, end_at FROM fate WHERE status = 'released'
    UNION ALL SELECT id, room_id, 'cancelled', cancelled_at, start_at, end_at FROM fate WHERE status = 'cancelled'
    UNION ALL SELECT id, room_id, CASE WHEN early_end IS NOT NULL THEN 'checked_out' ELSE 'completed' END,
      coalesce(early_end, end_at), start_at, end_at FROM fate WHERE status = 'completed'
    UNION ALL SELECT rebooking_id, room_id, 'booked', start_at + interval '15 minutes', start_at + interval '20 minutes', end_at
      FROM fate WHERE status = 'released' AND v < 0.5
    UNION ALL SELECT rebooking_id, room_id, 'checked_in', start_at + interval '21 minutes', start_at + interval '20 minutes', end_at
      FROM fate WHERE status = 'released' AND v < 0.5 AND w < 0.8
    UNION ALL SELECT rebooking_id, room_id, 'completed', end_at, start_at + interval '20 minutes', end_at
      FROM fate WHERE status = 'released' AND v < 0.5
  ),
  logged AS (
    INSERT INTO booking_events (booking_id, room_id, kind, at, start_at, end_at)
    SELECT id, room_id, kind, at, start_at, end_at FROM events
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM originals) + (SELECT count(*) FROM rebookings) AS bookings,
    (SELECT count(*) FROM logged) AS events`;

/** Working days before the anchor: the anchor is midnight UTC of the day the data set was made. */
function anchorOf(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/**
 * Generates the data set into `databaseUrl` (created and migrated when needed), or reuses the one
 * already there when it has the same size. Pending migrations run either way, so a rollup added
 * since the data set was made is backfilled by its own migration.
 */
export async function ensureInsightsDataSet(
  databaseUrl: string,
  size: InsightsDataSize,
  log: (msg: string) => void,
): Promise<InsightsDataSet> {
  await ensureDatabase(databaseUrl);
  const dataSource = await createDataSource(databaseUrl, { poolSize: 2 }).initialize();
  try {
    const ran = await migrate(dataSource);
    if (ran.length) log(`insights data set: migrations run: ${ran.join(', ')}`);
  } finally {
    await dataSource.destroy();
  }
  const db = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    await db.query(`CREATE TABLE IF NOT EXISTS ${META} (rooms int NOT NULL, days int NOT NULL, bookings int NOT NULL,
      events int NOT NULL, anchor timestamptz NOT NULL, buildings text[] NOT NULL, made_at timestamptz NOT NULL DEFAULT now())`);
    const { rows: existing } = await db.query(`SELECT * FROM ${META}`);
    const found = existing[0] as
      | { rooms: number; days: number; bookings: number; events: number; anchor: Date; buildings: string[] }
      | undefined;
    if (found && found.rooms === size.rooms && found.days === size.days) {
      log(`insights data set: reusing ${found.rooms} rooms, ${found.bookings.toLocaleString('en')} bookings`);
      return { ...size, bookings: found.bookings, events: found.events, anchor: found.anchor, buildings: found.buildings, loadSeconds: 0 };
    }
    return await generate(db, size, log);
  } finally {
    await db.end();
  }
}

async function generate(db: Pool, size: InsightsDataSize, log: (msg: string) => void): Promise<InsightsDataSet> {
  const started = performance.now();
  log(`insights data set: generating ${size.rooms} rooms × ${size.days} days`);
  await db.query(`TRUNCATE ${META}, booking_events, bookings, rooms CASCADE`);
  const anchor = anchorOf(new Date());
  const first = new Date(anchor.getTime() - size.days * 86_400_000);
  const buildings = Array.from({ length: BUILDINGS }, (_, i) => `Insights ${String.fromCharCode(65 + i)}`);
  const { rows: users } = await db.query<{ id: string }>(
    `INSERT INTO users (email, display_name, timezone, role) VALUES ('insights-bench@bench.test', 'insights bench', 'UTC', 'member')
     ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name RETURNING id`,
  );
  const { rows: rooms } = await db.query<{ id: string }>(
    `INSERT INTO rooms (name, building, floor, capacity, timezone, policy)
     SELECT 'Room ' || lpad(n::text, 4, '0'), ($1::text[])[1 + n % $3], (n % 10)::text, 4 + n % 12,
       ($2::text[])[1 + (n % $3) % array_length($2::text[], 1)], $4::jsonb
     FROM generate_series(0, $5::int - 1) n ORDER BY n RETURNING id`,
    [buildings, ZONES, BUILDINGS, JSON.stringify(DEFAULT_ROOM_POLICY), size.rooms],
  );
  let bookings = 0;
  let events = 0;
  const batch = 50;
  for (let i = 0; i < rooms.length; i += batch) {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      // The events are written here as the trigger would have written them over each booking's
      // life (booked, checked in, released...), so the trigger is off for this transaction only.
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(PLAN, [rooms.slice(i, i + batch).map((r) => r.id), first, anchor]);
      const { rows } = await client.query<{ bookings: string; events: string }>(LOAD, [users[0].id]);
      await client.query('COMMIT');
      bookings += Number(rows[0].bookings);
      events += Number(rows[0].events);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    if ((i / batch) % 4 === 3 || i + batch >= rooms.length) {
      log(`  ${Math.min(rooms.length, i + batch)} rooms, ${bookings.toLocaleString('en')} bookings, ${events.toLocaleString('en')} events`);
    }
  }
  // The trigger that keeps the rollup current was off with the others: the rollup is computed
  // here as migration 1700001850000 backfills it.
  log('insights data set: computing the rollup');
  for (let i = 0; i < rooms.length; i += 100) {
    await db.query(`SELECT insights_rollup($1::uuid[], '-infinity', 'infinity')`, [rooms.slice(i, i + 100).map((r) => r.id)]);
    if (i % 500 === 400) log(`  rollup: ${i + 100} rooms`);
  }
  for (const table of ['rooms', 'bookings', 'booking_events', 'insights_room_days', 'insights_room_months', 'insights_cancellations', 'insights_room_day_hours', 'insights_building_day_hours']) {
    await db.query(`ANALYZE ${table}`);
  }
  await db.query(`INSERT INTO ${META} (rooms, days, bookings, events, anchor, buildings) VALUES ($1, $2, $3, $4, $5, $6)`, [
    size.rooms,
    size.days,
    bookings,
    events,
    anchor,
    buildings,
  ]);
  const loadSeconds = Math.round((performance.now() - started) / 100) / 10;
  log(`insights data set: ${bookings.toLocaleString('en')} bookings and ${events.toLocaleString('en')} events in ${loadSeconds} s`);
  return { ...size, bookings, events, anchor, buildings, loadSeconds };
}
