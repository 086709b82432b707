import type { HeatmapUsage, RoomUsage } from '../../domain/insights';
import { selectRows, type Queryable } from '../queryable';

/**
 * The insights sums (DESIGN.md, "Insights"): bookings by their start in [from, to), in the rooms
 * of the scope. Seconds, not hours: the domain (src/domain/insights.ts) makes the figures.
 *
 * The definitions live in two SQL functions (migration 1700001860000-insights-rollup):
 * `insights_booking_facts` and `insights_heat_cells`. The rollup (`insights_room_days`,
 * `insights_room_day_hours`) holds their sums per room and UTC day, kept current by a trigger on
 * `bookings`, computed as if the clock were past every booking. A request reads from it the whole
 * days of the window up to the first day whose bookings still depend on the clock (a meeting in
 * progress is used until now; a check-in deadline still ahead), and computes the rest from the
 * functions with its own clock: the partial first and last days and the unsettled tail. Every sum
 * is in microseconds, so the same rows give the same figure by either road.
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

const DAY_MS = 86_400_000;

/** The rooms of the scope. $1 building, $2 room. */
const SCOPE = `
  scope AS (
    SELECT r.id, r.name, r.building, r.timezone FROM rooms r
    WHERE r.deleted_at IS NULL AND ($1::text IS NULL OR r.building = $1) AND ($2::uuid IS NULL OR r.id = $2)
  ),
  scope_ids AS (SELECT array_agg(id) AS ids FROM scope)`;

/** The first day in [$3, $4) (UTC dates) whose rollup still depends on the clock $5. */
const FIRST_UNSETTLED = `
  WITH ${SCOPE}
  SELECT to_char(min(d.day), 'YYYY-MM-DD') AS day FROM insights_room_days d JOIN scope s ON s.id = d.room_id
  WHERE d.settles_at > $5 AND d.day >= $3::date AND d.day < $4::date`;

/**
 * The bookings the rollup does not answer: [$3 from, $4 rollup start) and [$5 rollup end, $6 to),
 * with the clock $7.
 */
const UNROLLED = (fn: string) => `
  SELECT f.* FROM scope_ids, ${fn}(scope_ids.ids, $3, $4, $7) f
  UNION ALL
  SELECT f.* FROM scope_ids, ${fn}(scope_ids.ids, $5, $6, $7) f`;

const usSeconds = (expression: string) => `(${expression})::float8 / 1000000`;

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

/**
 * Per room. The rollup's days [$8, $9) are read as whole months [$10, $11) from
 * `insights_room_months` and the days around them from `insights_room_days`; $12 is the
 * late-cancellation lead in microseconds.
 */
const USAGE = `
  WITH ${SCOPE},
  rolled AS (
    SELECT x.room_id, ${SUM_COLUMNS.map((c) => `sum(x.${c}) AS ${c}`).join(', ')}
    FROM (
      SELECT m.room_id, ${SUM_COLUMNS.map((c) => `m.${c}`).join(', ')} FROM insights_room_months m
      WHERE m.room_id IN (SELECT id FROM scope) AND m.month >= $10::date AND m.month < $11::date
      UNION ALL
      SELECT d.room_id, ${SUM_COLUMNS.map((c) => `d.${c}`).join(', ')} FROM insights_room_days d
      WHERE d.room_id IN (SELECT id FROM scope)
        AND ((d.day >= $8::date AND d.day < $10::date) OR (d.day >= $11::date AND d.day < $9::date))
    ) x
    GROUP BY x.room_id
  ),
  late AS (
    SELECT c.room_id, count(*) AS late FROM insights_cancellations c
    WHERE c.room_id IN (SELECT id FROM scope) AND c.day >= $8::date AND c.day < $9::date AND c.lead_us < $12
    GROUP BY c.room_id
  ),
  raw AS (
    SELECT f.room_id, count(*) FILTER (WHERE f.counted) AS bookings,
      sum(f.booked_seconds * 1000000) FILTER (WHERE f.counted) AS booked_us,
      sum(extract(epoch FROM upper(f.used) - lower(f.used)) * 1000000) FILTER (WHERE f.counted) AS used_us,
      count(*) FILTER (WHERE f.no_show) AS no_shows, count(*) FILTER (WHERE f.counted AND f.check_in_due) AS check_ins_due,
      sum(f.released_seconds * 1000000) AS released_us, sum(f.rebooked_seconds * 1000000) AS rebooked_us,
      sum(f.recovered_seconds * 1000000) AS recovered_us, count(*) FILTER (WHERE f.cancellation_lead_us < $12) AS late
    FROM (${UNROLLED('insights_booking_facts')}) f
    GROUP BY f.room_id
  )
  SELECT s.id AS "roomId", s.name, s.building, s.timezone AS "timeZone",
    (coalesce(ro.bookings, 0) + coalesce(rw.bookings, 0))::int AS bookings,
    ${usSeconds('coalesce(ro.booked_us, 0) + coalesce(rw.booked_us, 0)')} AS "bookedSeconds",
    ${usSeconds('coalesce(ro.used_us, 0) + coalesce(rw.used_us, 0)')} AS "usedSeconds",
    (coalesce(ro.no_shows, 0) + coalesce(rw.no_shows, 0))::int AS "noShows",
    (coalesce(ro.check_ins_due, 0) + coalesce(rw.check_ins_due, 0))::int AS "checkInsDue",
    ${usSeconds('coalesce(ro.released_us, 0) + coalesce(rw.released_us, 0)')} AS "releasedSeconds",
    ${usSeconds('coalesce(ro.rebooked_us, 0) + coalesce(rw.rebooked_us, 0)')} AS "rebookedSeconds",
    ${usSeconds('coalesce(ro.recovered_us, 0) + coalesce(rw.recovered_us, 0)')} AS "recoveredSeconds",
    (coalesce(la.late, 0) + coalesce(rw.late, 0))::int AS "lateCancellations"
  FROM scope s
  LEFT JOIN rolled ro ON ro.room_id = s.id
  LEFT JOIN late la ON la.room_id = s.id
  LEFT JOIN raw rw ON rw.room_id = s.id
  ORDER BY s.building, s.name, s.id`;

/**
 * Booked and used seconds per local hour of the week over the rollup's days [$8, $9): one room's
 * own hours, or else the buildings' (which hold the rooms that are not deleted).
 */
const HEATMAP = `
  WITH ${SCOPE},
  cells AS (
    SELECT h.weekday::int AS weekday, h.hour::int AS hour, h.booked_us, h.used_us
    FROM insights_room_day_hours h
    WHERE $2::uuid IS NOT NULL AND h.room_id IN (SELECT id FROM scope) AND h.day >= $8::date AND h.day < $9::date
    UNION ALL
    SELECT h.weekday::int, h.hour::int, h.booked_us, h.used_us
    FROM insights_building_day_hours h
    WHERE $2::uuid IS NULL AND ($1::text IS NULL OR h.building = $1) AND h.day >= $8::date AND h.day < $9::date
    UNION ALL
    SELECT c.weekday, c.hour, c.booked_us, c.used_us FROM (${UNROLLED('insights_heat_cells')}) c
  )
  SELECT weekday, hour, ${usSeconds('sum(booked_us)')} AS "bookedSeconds", ${usSeconds('sum(used_us)')} AS "usedSeconds"
  FROM cells GROUP BY 1, 2
  -- A building's hour whose rooms moved away or were deleted stays as a row of zeros.
  HAVING sum(booked_us) <> 0 ORDER BY 1, 2`;

/** Where the rollup's part of the window starts and ends: UTC midnights, from ≤ rollupFrom ≤ rollupTo ≤ to. */
export interface InsightsSplit {
  rollupFrom: Date;
  rollupTo: Date;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The whole UTC days inside the window, cut at the first one that still depends on the clock.
 * A window without a whole day is computed from the rows.
 */
export async function insightsSplit(db: Queryable, scope: InsightsScope): Promise<InsightsSplit> {
  const innerFrom = new Date(Math.ceil(scope.from.getTime() / DAY_MS) * DAY_MS);
  const innerTo = new Date(Math.floor(scope.to.getTime() / DAY_MS) * DAY_MS);
  if (innerTo <= innerFrom) return { rollupFrom: scope.to, rollupTo: scope.to };
  const [unsettled] = await selectRows<{ day: string | null }>(db, FIRST_UNSETTLED, [
    scope.building ?? null,
    scope.roomId ?? null,
    isoDay(innerFrom),
    isoDay(innerTo),
    scope.now,
  ]);
  const cut = unsettled?.day ? new Date(`${unsettled.day}T00:00:00Z`) : innerTo;
  return { rollupFrom: innerFrom, rollupTo: cut };
}

/** The first UTC month start at or after `at`. */
function monthOnOrAfter(at: Date): Date {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  return start < at ? new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)) : start;
}

function parameters(scope: InsightsScope, split: InsightsSplit): unknown[] {
  // The whole months of the rollup's days; none (an empty range at its end) when there is none.
  let [monthFrom, monthTo] = [
    monthOnOrAfter(split.rollupFrom),
    new Date(Date.UTC(split.rollupTo.getUTCFullYear(), split.rollupTo.getUTCMonth(), 1)),
  ];
  if (monthTo <= monthFrom) [monthFrom, monthTo] = [split.rollupTo, split.rollupTo];
  return [
    scope.building ?? null,
    scope.roomId ?? null,
    scope.from,
    split.rollupFrom,
    split.rollupTo,
    scope.to,
    scope.now,
    isoDay(split.rollupFrom),
    isoDay(split.rollupTo),
    isoDay(monthFrom),
    isoDay(monthTo),
  ];
}

export function roomUsage(db: Queryable, scope: InsightsScope, split: InsightsSplit): Promise<RoomUsage[]> {
  // make_interval(secs => s) in microseconds, as the definition compares: cancelled after start - s.
  const lateUs = Math.round(scope.lateCancellationSeconds * 1_000_000);
  return selectRows<RoomUsage>(db, USAGE, [...parameters(scope, split), lateUs]);
}

export function heatmapUsage(db: Queryable, scope: InsightsScope, split: InsightsSplit): Promise<HeatmapUsage[]> {
  // The heatmap reads no months: its rollup (the buildings' hours) is a dozen rows a day already.
  return selectRows<HeatmapUsage>(db, HEATMAP, parameters(scope, split).slice(0, 9));
}
