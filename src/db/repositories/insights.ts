import type { HeatmapUsage, RoomUsage } from '../../domain/insights';
import { selectRows, type Queryable } from '../queryable';

/**
 * The insights sums (DESIGN.md, "Insights"): bookings by their start in [from, to), in the rooms
 * of the scope, read from `bookings` and the trigger-written `booking_events`. Seconds, not hours:
 * the domain (src/domain/insights.ts) makes the figures.
 */

export interface InsightsScope {
  from: Date;
  to: Date;
  building?: string;
  roomId?: string;
  /** One clock for the whole answer: a meeting in progress is used until now. */
  now: Date;
  lateCancellationSeconds: number;
}

// Bookings that held their room at their start (rather than holds, refusals and cancellations).
const COUNTED = "('confirmed', 'checked_in', 'completed', 'released')";

/**
 * Per booking: the booked and used intervals, the released interval (from the release to the
 * end), and for a cancellation its moment and whether it had been booked. $1 from, $2 to,
 * $3 building, $4 room, $5 now.
 */
const FACTS = `
  scope AS (
    SELECT r.id, r.name, r.building, r.timezone FROM rooms r
    WHERE r.deleted_at IS NULL AND ($3::text IS NULL OR r.building = $3) AND ($4::uuid IS NULL OR r.id = $4)
  ),
  facts AS (
    SELECT b.id, b.room_id, s.timezone, b.start_at, b.end_at, b.status,
      b.status IN ${COUNTED} AS counted,
      b.check_in_deadline IS NOT NULL AND b.check_in_deadline <= $5 AS check_in_due,
      CASE WHEN b.checked_in_at IS NOT NULL THEN
        tstzrange(b.checked_in_at, greatest(b.checked_in_at, least(coalesce(b.ended_at, b.end_at), $5::timestamptz)))
      END AS used,
      CASE WHEN b.status = 'released' THEN (
        SELECT tstzrange(least(max(e.at), b.end_at), b.end_at) FROM booking_events e
        WHERE e.booking_id = b.id AND e.kind = 'released' HAVING max(e.at) IS NOT NULL
      ) END AS released,
      CASE WHEN b.status = 'cancelled' THEN (
        SELECT max(e.at) FROM booking_events e WHERE e.booking_id = b.id AND e.kind = 'cancelled'
      ) END AS cancelled_at,
      b.status = 'cancelled' AND EXISTS (
        SELECT 1 FROM booking_events e WHERE e.booking_id = b.id AND e.kind IN ('booked', 'checked_in')
      ) AS was_booked
    FROM bookings b JOIN scope s ON s.id = b.room_id
    WHERE b.start_at >= $1 AND b.start_at < $2
  )`;

const seconds = (range: string) => `extract(epoch FROM upper(${range}) - lower(${range}))`;
const multirangeSeconds = (mr: string) => `coalesce((SELECT sum(${seconds('x')}) FROM unnest(${mr}) x), 0)`;

/**
 * Rebooked: the released interval covered by the other bookings of the room (their booked
 * intervals, merged, so two rebookings that overlap count once); recovered: covered by their
 * used intervals.
 */
const USAGE = `
  WITH ${FACTS},
  cover AS (
    SELECT f.id,
      ${multirangeSeconds('range_agg(tstzrange(o.start_at, o.end_at)) * tstzmultirange(f.released)')} AS rebooked,
      ${multirangeSeconds(`range_agg(CASE WHEN o.checked_in_at IS NOT NULL THEN tstzrange(o.checked_in_at,
          greatest(o.checked_in_at, least(coalesce(o.ended_at, o.end_at), $5::timestamptz))) END)
        * tstzmultirange(f.released)`)} AS recovered
    FROM facts f
    JOIN bookings o ON o.room_id = f.room_id AND o.id <> f.id AND o.status IN ${COUNTED}
      AND o.start_at < upper(f.released) AND o.end_at > lower(f.released)
    WHERE f.released IS NOT NULL
    GROUP BY f.id, f.released
  )
  SELECT s.id AS "roomId", s.name, s.building, s.timezone AS "timeZone",
    count(f.id) FILTER (WHERE f.counted)::int AS bookings,
    coalesce(sum(extract(epoch FROM f.end_at - f.start_at)) FILTER (WHERE f.counted), 0)::float8 AS "bookedSeconds",
    coalesce(sum(${seconds('f.used')}) FILTER (WHERE f.counted), 0)::float8 AS "usedSeconds",
    count(f.id) FILTER (WHERE f.status = 'released')::int AS "noShows",
    count(f.id) FILTER (WHERE f.counted AND f.check_in_due)::int AS "checkInsDue",
    coalesce(sum(${seconds('f.released')}), 0)::float8 AS "releasedSeconds",
    coalesce(sum(c.rebooked), 0)::float8 AS "rebookedSeconds",
    coalesce(sum(c.recovered), 0)::float8 AS "recoveredSeconds",
    count(f.id) FILTER (
      WHERE f.was_booked AND f.cancelled_at > f.start_at - make_interval(secs => $6)
    )::int AS "lateCancellations"
  FROM scope s
  LEFT JOIN facts f ON f.room_id = s.id
  LEFT JOIN cover c ON c.id = f.id
  GROUP BY s.id, s.name, s.building, s.timezone
  ORDER BY s.building, s.name, s.id`;

/**
 * Booked and used seconds per hour of the week, in each room's own zone: every counted
 * booking's interval is cut at the local hour boundaries.
 */
const HEATMAP = `
  WITH ${FACTS},
  local AS (
    SELECT f.start_at AT TIME ZONE f.timezone AS start_local, f.end_at AT TIME ZONE f.timezone AS end_local,
      lower(f.used) AT TIME ZONE f.timezone AS used_from, upper(f.used) AT TIME ZONE f.timezone AS used_to
    FROM facts f WHERE f.counted
  ),
  cells AS (
    SELECT h,
      extract(epoch FROM least(l.end_local, h + interval '1 hour') - greatest(l.start_local, h)) AS booked,
      CASE WHEN l.used_from IS NULL THEN 0 ELSE
        greatest(0, extract(epoch FROM least(l.used_to, h + interval '1 hour') - greatest(l.used_from, h)))
      END AS used
    FROM local l
    CROSS JOIN LATERAL generate_series(date_trunc('hour', l.start_local), l.end_local - interval '1 microsecond',
      interval '1 hour') h
  )
  SELECT extract(isodow FROM h)::int AS weekday, extract(hour FROM h)::int AS hour,
    sum(booked)::float8 AS "bookedSeconds", sum(used)::float8 AS "usedSeconds"
  FROM cells GROUP BY 1, 2 ORDER BY 1, 2`;

function parameters(scope: InsightsScope): unknown[] {
  return [scope.from, scope.to, scope.building ?? null, scope.roomId ?? null, scope.now];
}

export function roomUsage(db: Queryable, scope: InsightsScope): Promise<RoomUsage[]> {
  return selectRows<RoomUsage>(db, USAGE, [...parameters(scope), scope.lateCancellationSeconds]);
}

export function heatmapUsage(db: Queryable, scope: InsightsScope): Promise<HeatmapUsage[]> {
  return selectRows<HeatmapUsage>(db, HEATMAP, parameters(scope));
}
