import type { MigrationInterface, QueryRunner } from 'typeorm';

// Bookings that held their room at their start (rather than holds, refusals and cancellations).
const COUNTED = "('confirmed', 'checked_in', 'completed', 'released')";

/** A room's sums over some days: counts, and durations in microseconds. */
const SUM_COLUMNS = [
  'bookings',
  'booked_us',
  'used_us',
  'no_shows',
  'check_ins_due',
  'released_us',
  'rebooked_us',
  'recovered_us',
];
const SUMS = `bookings integer NOT NULL, booked_us bigint NOT NULL, used_us bigint NOT NULL, no_shows integer NOT NULL,
        check_ins_due integer NOT NULL, released_us bigint NOT NULL, rebooked_us bigint NOT NULL, recovered_us bigint NOT NULL`;
/** Booked and used microseconds in one local hour of the week (ISO weekday, 1 = Monday). */
const HOUR_CELL =
  'weekday smallint NOT NULL, hour smallint NOT NULL, booked_us bigint NOT NULL, used_us bigint NOT NULL';

/**
 * Insights at scale (issue 21). The definitions of DESIGN.md's figures move into two SQL functions
 * that both the request and the rollup call, so a figure read from the rollup is the one the rows
 * give: `insights_booking_facts` (per booking, for the bookings of some rooms starting in
 * [from, to), with `now` as the clock) and `insights_heat_cells` (per counted booking and local
 * hour). The rollup holds their sums per room and UTC day of the bookings' start
 * (`insights_room_days`, with `insights_room_months` over it; `insights_cancellations`; the
 * heatmap's `insights_room_day_hours`, with `insights_building_day_hours` over it), in integer
 * microseconds so that sums in any order are exact, computed as if the clock were past every
 * booking. A request reads whole settled days from it and the rest (the window's partial first and
 * last days, and from the first day whose bookings still depend on the clock) from the functions.
 * The `bookings_refresh_insights` trigger recomputes a day in the transaction that changed one of
 * its bookings; rooms that move building, are deleted or change zone carry or rebuild their part.
 * docs/architecture.md, "Insights".
 */
export class InsightsRollup1700001860000 implements MigrationInterface {
  name = 'InsightsRollup1700001860000';

  async up(q: QueryRunner): Promise<void> {
    // The index and the backfill read every booking: a year of 1,000 rooms takes minutes, past the
    // pool's 15 s statement timeout. LOCAL: for this migration's transaction only.
    await q.query('SET LOCAL statement_timeout = 0');
    // Range joins need both bounds: the other bookings of a room that overlap a released interval.
    await q.query(`
      CREATE INDEX bookings_room_counted_span ON bookings USING gist (room_id, tstzrange(start_at, end_at))
        WHERE status IN ${COUNTED}`);
    await q.query(`
      CREATE FUNCTION insights_booking_facts(p_rooms uuid[], p_from timestamptz, p_to timestamptz, p_now timestamptz)
      RETURNS TABLE (booking_id uuid, room_id uuid, start_at timestamptz, end_at timestamptz, counted boolean, check_in_due boolean,
        no_show boolean, booked_seconds numeric, used tstzrange, released_seconds numeric, rebooked_seconds numeric,
        recovered_seconds numeric, cancellation_lead_us bigint, settles_at timestamptz)
      LANGUAGE sql STABLE AS $$
        WITH facts AS MATERIALIZED (
          SELECT b.id, b.room_id, b.start_at, b.end_at, b.status,
            b.status IN ${COUNTED} AS counted,
            b.check_in_deadline IS NOT NULL AND b.check_in_deadline <= p_now AS check_in_due,
            CASE WHEN b.checked_in_at IS NOT NULL THEN
              tstzrange(b.checked_in_at, greatest(b.checked_in_at, least(coalesce(b.ended_at, b.end_at), p_now)))
            END AS used,
            CASE WHEN b.status = 'released' AND ev.released_at IS NOT NULL THEN
              tstzrange(least(ev.released_at, b.end_at), b.end_at)
            END AS released,
            CASE WHEN b.status = 'cancelled' AND ev.was_booked THEN
              (extract(epoch FROM b.start_at - ev.cancelled_at) * 1000000)::bigint
            END AS cancellation_lead_us,
            greatest(b.end_at, b.ended_at, b.check_in_deadline, b.checked_in_at) AS settles_at
          FROM bookings b
          -- The events matter to released and cancelled bookings only: one look-up each.
          LEFT JOIN LATERAL (
            SELECT max(e.at) FILTER (WHERE e.kind = 'released') AS released_at,
              max(e.at) FILTER (WHERE e.kind = 'cancelled') AS cancelled_at,
              bool_or(e.kind IN ('booked', 'checked_in')) AS was_booked
            FROM booking_events e WHERE b.status IN ('released', 'cancelled') AND e.booking_id = b.id
          ) ev ON true
          WHERE b.room_id = ANY(p_rooms) AND b.start_at >= p_from AND b.start_at < p_to
        )
        SELECT f.id, f.room_id, f.start_at, f.end_at, f.counted, f.check_in_due, f.status = 'released',
          extract(epoch FROM f.end_at - f.start_at), f.used,
          extract(epoch FROM upper(f.released) - lower(f.released)),
          coalesce(c.rebooked, 0), coalesce(c.recovered, 0), f.cancellation_lead_us, f.settles_at
        FROM facts f
        LEFT JOIN LATERAL (
          -- Rebooked: the released interval covered by the other bookings of the room (merged, so
          -- two that overlap count once); recovered: covered by their used intervals.
          SELECT
            (SELECT sum(extract(epoch FROM upper(x) - lower(x))) FROM unnest(
              range_agg(tstzrange(o.start_at, o.end_at)) * tstzmultirange(f.released)) x) AS rebooked,
            (SELECT sum(extract(epoch FROM upper(x) - lower(x))) FROM unnest(
              range_agg(CASE WHEN o.checked_in_at IS NOT NULL THEN tstzrange(o.checked_in_at,
                greatest(o.checked_in_at, least(coalesce(o.ended_at, o.end_at), p_now))) END)
              * tstzmultirange(f.released)) x) AS recovered
          FROM bookings o
          WHERE f.released IS NOT NULL AND o.room_id = f.room_id AND o.id <> f.id AND o.status IN ${COUNTED}
            AND tstzrange(o.start_at, o.end_at) && f.released
        ) c ON true
      $$`);
    // Booked and used microseconds per counted booking and local hour (the room's zone), each
    // interval cut at the local hour boundaries.
    await q.query(`
      CREATE FUNCTION insights_heat_cells(p_rooms uuid[], p_from timestamptz, p_to timestamptz, p_now timestamptz)
      RETURNS TABLE (room_id uuid, start_at timestamptz, weekday int, hour int, booked_us bigint, used_us bigint)
      LANGUAGE sql STABLE AS $$
        SELECT l.room_id, l.start_at, extract(isodow FROM h)::int, extract(hour FROM h)::int,
          (extract(epoch FROM least(l.end_local, h + interval '1 hour') - greatest(l.start_local, h)) * 1000000)::bigint,
          CASE WHEN l.used_from IS NULL THEN 0 ELSE (greatest(0,
            extract(epoch FROM least(l.used_to, h + interval '1 hour') - greatest(l.used_from, h))) * 1000000)::bigint
          END
        FROM (
          SELECT f.room_id, f.start_at, f.start_at AT TIME ZONE r.timezone AS start_local,
            f.end_at AT TIME ZONE r.timezone AS end_local,
            lower(f.used) AT TIME ZONE r.timezone AS used_from, upper(f.used) AT TIME ZONE r.timezone AS used_to
          FROM insights_booking_facts(p_rooms, p_from, p_to, p_now) f JOIN rooms r ON r.id = f.room_id
          WHERE f.counted
        ) l
        CROSS JOIN LATERAL generate_series(date_trunc('hour', l.start_local), l.end_local - interval '1 microsecond',
          interval '1 hour') h
      $$`);
    await q.query(`
      CREATE TABLE insights_room_days (
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        day date NOT NULL,
        ${SUMS},
        settles_at timestamptz NOT NULL,
        PRIMARY KEY (room_id, day)
      )`);
    await q.query('CREATE INDEX insights_room_days_settles_at ON insights_room_days (settles_at)');
    // Every room's days of a window (the PK serves one room's).
    await q.query('CREATE INDEX insights_room_days_day ON insights_room_days (day)');
    // The days' sums again per month, so a year is 12 rows a room rather than 365.
    await q.query(`
      CREATE TABLE insights_room_months (
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        month date NOT NULL,
        ${SUMS},
        PRIMARY KEY (room_id, month)
      )`);
    // Cancellations that had been booked, with their lead: what is "late" is configuration.
    await q.query(`
      CREATE TABLE insights_cancellations (
        booking_id uuid PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        day date NOT NULL,
        lead_us bigint NOT NULL
      )`);
    await q.query('CREATE INDEX insights_cancellations_room_day ON insights_cancellations (room_id, day)');
    await q.query(`
      CREATE TABLE insights_room_day_hours (
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        day date NOT NULL,
        ${HOUR_CELL},
        PRIMARY KEY (room_id, day, weekday, hour)
      )`);
    // The rooms' hours summed per building, over the rooms that are not deleted: the heatmap of a
    // building or of all rooms reads a dozen rows a day instead of a dozen per room and day.
    await q.query(`
      CREATE TABLE insights_building_day_hours (
        building text NOT NULL,
        day date NOT NULL,
        ${HOUR_CELL},
        PRIMARY KEY (building, day, weekday, hour)
      )`);
    // Adds sign × the rows of some rooms' days to the months and to their buildings' hours. The
    // sums are integers (microseconds), so subtracting what was added leaves them exact.
    await q.query(`
      CREATE FUNCTION insights_carry(p_rooms uuid[], p_from date, p_to date, p_sign int) RETURNS void
      LANGUAGE sql AS $$
        INSERT INTO insights_room_months AS m
        SELECT d.room_id, date_trunc('month', d.day)::date, ${SUM_COLUMNS.map((c) => `p_sign * sum(d.${c})`).join(', ')}
        FROM insights_room_days d WHERE d.room_id = ANY(p_rooms) AND d.day >= p_from AND d.day < p_to
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (room_id, month) DO UPDATE SET ${SUM_COLUMNS.map((c) => `${c} = m.${c} + EXCLUDED.${c}`).join(', ')};
        INSERT INTO insights_building_day_hours AS b
        SELECT r.building, h.day, h.weekday, h.hour, p_sign * sum(h.booked_us), p_sign * sum(h.used_us)
        FROM insights_room_day_hours h JOIN rooms r ON r.id = h.room_id AND r.deleted_at IS NULL
        WHERE h.room_id = ANY(p_rooms) AND h.day >= p_from AND h.day < p_to
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (building, day, weekday, hour) DO UPDATE
          SET booked_us = b.booked_us + EXCLUDED.booked_us, used_us = b.used_us + EXCLUDED.used_us;
      $$`);
    // The rollup of the bookings of some rooms starting in [from, to): whole UTC days. The rooms
    // are share-locked first, so a room's move to another building waits for it (and it for the move).
    await q.query(`
      CREATE FUNCTION insights_rollup(p_rooms uuid[], p_from timestamptz, p_to timestamptz) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        first_day date := (p_from AT TIME ZONE 'UTC')::date;
        last_day date := (p_to AT TIME ZONE 'UTC')::date;
      BEGIN
        PERFORM 1 FROM rooms WHERE id = ANY(p_rooms) ORDER BY id FOR SHARE;
        PERFORM insights_carry(p_rooms, first_day, last_day, -1);
        DELETE FROM insights_room_days d WHERE d.room_id = ANY(p_rooms) AND d.day >= first_day AND d.day < last_day;
        DELETE FROM insights_room_day_hours d WHERE d.room_id = ANY(p_rooms) AND d.day >= first_day AND d.day < last_day;
        DELETE FROM insights_cancellations d WHERE d.room_id = ANY(p_rooms) AND d.day >= first_day AND d.day < last_day;
        INSERT INTO insights_room_days
        SELECT f.room_id, (f.start_at AT TIME ZONE 'UTC')::date,
          count(*) FILTER (WHERE f.counted),
          coalesce(sum(f.booked_seconds * 1000000) FILTER (WHERE f.counted), 0),
          coalesce(sum(extract(epoch FROM upper(f.used) - lower(f.used)) * 1000000) FILTER (WHERE f.counted), 0),
          count(*) FILTER (WHERE f.no_show),
          count(*) FILTER (WHERE f.counted AND f.check_in_due),
          coalesce(sum(f.released_seconds * 1000000), 0),
          coalesce(sum(f.rebooked_seconds * 1000000), 0),
          coalesce(sum(f.recovered_seconds * 1000000), 0),
          max(f.settles_at)
        FROM insights_booking_facts(p_rooms, p_from, p_to, 'infinity') f
        GROUP BY 1, 2;
        INSERT INTO insights_cancellations
        SELECT f.booking_id, f.room_id, (f.start_at AT TIME ZONE 'UTC')::date, f.cancellation_lead_us
        FROM insights_booking_facts(p_rooms, p_from, p_to, 'infinity') f WHERE f.cancellation_lead_us IS NOT NULL;
        INSERT INTO insights_room_day_hours
        SELECT c.room_id, (c.start_at AT TIME ZONE 'UTC')::date, c.weekday, c.hour, sum(c.booked_us), sum(c.used_us)
        FROM insights_heat_cells(p_rooms, p_from, p_to, 'infinity') c
        GROUP BY 1, 2, 3, 4;
        PERFORM insights_carry(p_rooms, first_day, last_day, 1);
      END
      $$`);
    // One room's day again, after one of its bookings changed. Transactions that change the same
    // room and day take turns on the advisory lock; under READ COMMITTED each statement after it
    // sees what the one before committed, so the last to commit leaves the sums of all of them.
    await q.query(`
      CREATE FUNCTION insights_refresh_room_day(p_room uuid, p_day date) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('insights_room_days'), hashtext(p_room::text || p_day::text));
        PERFORM insights_rollup(ARRAY[p_room], p_day::timestamp AT TIME ZONE 'UTC', (p_day + 1)::timestamp AT TIME ZONE 'UTC');
      END
      $$`);
    // The days a change of a booking touches: its own day (before and after) and the days of the
    // released bookings of the room whose time it overlaps (their rebooked and recovered figures),
    // day by day so that two transactions take the locks in the same order. Named to fire after
    // bookings_record_event (same timing, alphabetical order), whose events it reads.
    await q.query(`
      CREATE FUNCTION refresh_insights_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        touched record;
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status AND NEW.room_id = OLD.room_id
          AND NEW.start_at = OLD.start_at AND NEW.end_at = OLD.end_at
          AND NEW.checked_in_at IS NOT DISTINCT FROM OLD.checked_in_at AND NEW.ended_at IS NOT DISTINCT FROM OLD.ended_at
          AND NEW.check_in_deadline IS NOT DISTINCT FROM OLD.check_in_deadline THEN
          RETURN NULL;
        END IF;
        FOR touched IN
          WITH changed AS (
            SELECT NEW.room_id AS room_id, NEW.start_at AS start_at, NEW.end_at AS end_at WHERE TG_OP <> 'DELETE'
            UNION ALL
            SELECT OLD.room_id, OLD.start_at, OLD.end_at WHERE TG_OP <> 'INSERT'
          )
          SELECT DISTINCT x.room_id, x.day FROM (
            SELECT c.room_id, (c.start_at AT TIME ZONE 'UTC')::date AS day FROM changed c
            UNION ALL
            SELECT f.room_id, (f.start_at AT TIME ZONE 'UTC')::date FROM changed c JOIN bookings f
              ON f.room_id = c.room_id AND f.status IN ${COUNTED} AND f.status = 'released'
              AND tstzrange(f.start_at, f.end_at) && tstzrange(c.start_at, c.end_at)
          ) x
          ORDER BY x.day, x.room_id
        LOOP
          PERFORM insights_refresh_room_day(touched.room_id, touched.day);
        END LOOP;
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER bookings_refresh_insights AFTER INSERT OR UPDATE OR DELETE ON bookings
        FOR EACH ROW EXECUTE FUNCTION refresh_insights_rollup()`);
    // A room that moves to another building, or is deleted or restored, takes its hours along.
    await q.query(`
      CREATE FUNCTION move_room_insights() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.deleted_at IS NULL THEN
          INSERT INTO insights_building_day_hours AS b
          SELECT OLD.building, h.day, h.weekday, h.hour, -h.booked_us, -h.used_us FROM insights_room_day_hours h
          WHERE h.room_id = OLD.id ORDER BY 2, 3, 4
          ON CONFLICT (building, day, weekday, hour) DO UPDATE
            SET booked_us = b.booked_us + EXCLUDED.booked_us, used_us = b.used_us + EXCLUDED.used_us;
        END IF;
        IF NEW.deleted_at IS NULL THEN
          INSERT INTO insights_building_day_hours AS b
          SELECT NEW.building, h.day, h.weekday, h.hour, h.booked_us, h.used_us FROM insights_room_day_hours h
          WHERE h.room_id = NEW.id ORDER BY 2, 3, 4
          ON CONFLICT (building, day, weekday, hour) DO UPDATE
            SET booked_us = b.booked_us + EXCLUDED.booked_us, used_us = b.used_us + EXCLUDED.used_us;
        END IF;
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER rooms_move_insights AFTER UPDATE OF building, deleted_at ON rooms FOR EACH ROW
        WHEN (NEW.building IS DISTINCT FROM OLD.building OR (NEW.deleted_at IS NULL) <> (OLD.deleted_at IS NULL))
        EXECUTE FUNCTION move_room_insights()`);
    // The heatmap's local hours follow the room's zone: a new zone recomputes the room (after
    // rooms_move_insights, alphabetically, when both change at once).
    await q.query(`
      CREATE FUNCTION rebuild_room_insights() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM insights_rollup(ARRAY[NEW.id], '-infinity', 'infinity');
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER rooms_rebuild_insights AFTER UPDATE OF timezone ON rooms
        FOR EACH ROW WHEN (NEW.timezone IS DISTINCT FROM OLD.timezone) EXECUTE FUNCTION rebuild_room_insights()`);
    // Backfill: every room's bookings so far; then statistics, or the first reads plan for empty tables.
    await q.query(`SELECT insights_rollup(array_agg(id ORDER BY id), '-infinity', 'infinity') FROM rooms`);
    for (const table of [
      'insights_room_days',
      'insights_room_months',
      'insights_cancellations',
      'insights_room_day_hours',
      'insights_building_day_hours',
    ]) {
      await q.query(`ANALYZE ${table}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER rooms_rebuild_insights ON rooms');
    await q.query('DROP FUNCTION rebuild_room_insights()');
    await q.query('DROP TRIGGER rooms_move_insights ON rooms');
    await q.query('DROP FUNCTION move_room_insights()');
    await q.query('DROP TRIGGER bookings_refresh_insights ON bookings');
    await q.query('DROP FUNCTION refresh_insights_rollup()');
    await q.query('DROP FUNCTION insights_refresh_room_day(uuid, date)');
    await q.query('DROP FUNCTION insights_rollup(uuid[], timestamptz, timestamptz)');
    await q.query('DROP FUNCTION insights_carry(uuid[], date, date, int)');
    for (const table of [
      'insights_building_day_hours',
      'insights_room_day_hours',
      'insights_cancellations',
      'insights_room_months',
      'insights_room_days',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query('DROP FUNCTION insights_heat_cells(uuid[], timestamptz, timestamptz, timestamptz)');
    await q.query('DROP FUNCTION insights_booking_facts(uuid[], timestamptz, timestamptz, timestamptz)');
    await q.query('DROP INDEX bookings_room_counted_span');
  }
}
