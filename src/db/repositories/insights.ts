import type { HeatmapUsage, RoomUsage } from '../../domain/insights';
import { selectRows, type Queryable } from '../queryable';

/**
 * The insights sums (DESIGN.md, "Insights"): bookings by their start in [from, to), in the rooms
 * of the scope. Seconds, not hours: the domain (src/domain/insights.ts) makes the figures.
 *
 * The definitions live in two SQL functions (migration 1700001860000-insights-rollup):
 * `insights_booking_facts` and `insights_heat_cells`. The rollup (`insights_room_days`, with
 * `insights_room_months` over it, `insights_room_day_hours`, `insights_building_day_hours`) holds
 * their sums per room and UTC day, kept current by a trigger on `bookings`, computed as if the clock
 * were past every booking. Every sum is in integer microseconds, so sums can be added and
 * subtracted in any order and the same rows give the same figure by any road.
 *
 * A request reads the window as signed ranges. Its ends are rounded to the nearest UTC midnight
 * (A, B), and the days [A, B) come from the rollup, up to the first day whose bookings still depend
 * on the clock (a meeting in progress is used until now; a check-in deadline still ahead). The
 * differences between the window and those days are computed from the functions with the
 * request's own clock: added where the window reaches past them (a from before A, the unsettled
 * tail), subtracted where the days reach past the window (a from after A, a to before B). So a
 * window from 23:00 UTC to 23:00 UTC (midnight in Berlin) computes two hours of bookings from the
 * rows, not a day and an hour. The days are read likewise as whole months plus or minus the days
 * between a month boundary and A or B, where that reads fewer rows.
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
 * A table function's rows over the signed ranges $3 (starts), $4 (ends), $5 (signs), with the
 * clock $6, each row with the sign of its range.
 */
const UNROLLED = (fn: string) => `
  SELECT r.sign, f.* FROM scope_ids, unnest($3::timestamptz[], $4::timestamptz[], $5::int[]) r(from_at, to_at, sign),
    LATERAL ${fn}(scope_ids.ids, r.from_at, r.to_at, $6) f`;

/** Rollup rows of alias `x` whose `day` lies in the signed day ranges $7 (starts), $8 (ends), $9 (signs). */
const SIGNED_DAYS = (x: string) => `
  JOIN unnest($7::date[], $8::date[], $9::int[]) dr(from_day, to_day, sign) ON ${x}.day >= dr.from_day AND ${x}.day < dr.to_day`;

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
 * Per room. The rollup's days are the whole months [$10, $11) of `insights_room_months` and the
 * signed day ranges of `insights_room_days`; late cancellations read the days [$12, $13) of
 * `insights_cancellations`; $14 is the late-cancellation lead in microseconds.
 */
const USAGE = `
  WITH ${SCOPE},
  rolled AS (
    SELECT x.room_id, ${SUM_COLUMNS.map((c) => `sum(x.${c}) AS ${c}`).join(', ')}
    FROM (
      SELECT m.room_id, ${SUM_COLUMNS.map((c) => `m.${c}`).join(', ')} FROM insights_room_months m
      WHERE m.room_id IN (SELECT id FROM scope) AND m.month >= $10::date AND m.month < $11::date
      UNION ALL
      SELECT d.room_id, ${SUM_COLUMNS.map((c) => `dr.sign * d.${c}`).join(', ')} FROM insights_room_days d ${SIGNED_DAYS('d')}
      WHERE d.room_id IN (SELECT id FROM scope)
    ) x
    GROUP BY x.room_id
  ),
  late AS (
    SELECT c.room_id, count(*) AS late FROM insights_cancellations c
    WHERE c.room_id IN (SELECT id FROM scope) AND c.day >= $12::date AND c.day < $13::date AND c.lead_us < $14
    GROUP BY c.room_id
  ),
  raw AS (
    SELECT f.room_id, sum(f.sign) FILTER (WHERE f.counted) AS bookings,
      sum(f.sign * f.booked_seconds * 1000000) FILTER (WHERE f.counted) AS booked_us,
      sum(f.sign * extract(epoch FROM upper(f.used) - lower(f.used)) * 1000000) FILTER (WHERE f.counted) AS used_us,
      sum(f.sign) FILTER (WHERE f.no_show) AS no_shows, sum(f.sign) FILTER (WHERE f.counted AND f.check_in_due) AS check_ins_due,
      sum(f.sign * f.released_seconds * 1000000) AS released_us, sum(f.sign * f.rebooked_seconds * 1000000) AS rebooked_us,
      sum(f.sign * f.recovered_seconds * 1000000) AS recovered_us, sum(f.sign) FILTER (WHERE f.cancellation_lead_us < $14) AS late
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
 * Booked and used seconds per local hour of the week over the rollup's days [$7, $8): one room's
 * own hours, or else the buildings' (which hold the rooms that are not deleted).
 */
const HEATMAP = `
  WITH ${SCOPE},
  cells AS (
    SELECT h.weekday::int AS weekday, h.hour::int AS hour, h.booked_us, h.used_us
    FROM insights_room_day_hours h
    WHERE $2::uuid IS NOT NULL AND h.room_id IN (SELECT id FROM scope) AND h.day >= $7::date AND h.day < $8::date
    UNION ALL
    SELECT h.weekday::int, h.hour::int, h.booked_us, h.used_us
    FROM insights_building_day_hours h
    WHERE $2::uuid IS NULL AND ($1::text IS NULL OR h.building = $1) AND h.day >= $7::date AND h.day < $8::date
    UNION ALL
    SELECT c.weekday, c.hour, c.sign * c.booked_us, c.sign * c.used_us FROM (${UNROLLED('insights_heat_cells')}) c
  )
  SELECT weekday, hour, ${usSeconds('sum(booked_us)')} AS "bookedSeconds", ${usSeconds('sum(used_us)')} AS "usedSeconds"
  FROM cells GROUP BY 1, 2
  -- A building's hour whose rooms moved away or were deleted stays as a row of zeros.
  HAVING sum(booked_us) <> 0 ORDER BY 1, 2`;

/** The settled whole UTC days [rollupFrom, rollupTo) the rollup answers; the rows answer the rest. */
export interface InsightsSplit {
  rollupFrom: Date;
  rollupTo: Date;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const nearestMidnight = (at: Date) => new Date(Math.round(at.getTime() / DAY_MS) * DAY_MS);
const daysBetween = (a: Date, b: Date) => Math.abs(b.getTime() - a.getTime()) / DAY_MS;

/**
 * The UTC days nearest to the window, cut at the first one that still depends on the clock. When
 * the rows the rollup would leave to compute are no fewer than the window's own (a window of a
 * few hours), the whole window is computed from the rows.
 */
export async function insightsSplit(db: Queryable, scope: InsightsScope): Promise<InsightsSplit> {
  const fromRows: InsightsSplit = { rollupFrom: scope.to, rollupTo: scope.to };
  const days = { from: nearestMidnight(scope.from), to: nearestMidnight(scope.to) };
  const worthIt = (to: Date) =>
    to > days.from &&
    daysBetween(scope.from, days.from) + daysBetween(to, scope.to) < daysBetween(scope.from, scope.to);
  if (!worthIt(days.to)) return fromRows;
  const [unsettled] = await selectRows<{ day: string | null }>(db, FIRST_UNSETTLED, [
    scope.building ?? null,
    scope.roomId ?? null,
    isoDay(days.from),
    isoDay(days.to),
    scope.now,
  ]);
  const cut = unsettled?.day ? new Date(`${unsettled.day}T00:00:00Z`) : days.to;
  return worthIt(cut) ? { rollupFrom: days.from, rollupTo: cut } : fromRows;
}

/** One signed range: [from, to) added (1) or subtracted (-1). */
interface SignedRange {
  from: Date;
  to: Date;
  sign: 1 | -1;
}

/**
 * The signed range from x to y, so that [a, x) + (x to y) = [a, y) whichever of x and y is later:
 * [x, y) added, or [y, x) subtracted.
 */
function signed(x: Date, y: Date): SignedRange[] {
  if (x.getTime() === y.getTime()) return [];
  return x < y ? [{ from: x, to: y, sign: 1 }] : [{ from: y, to: x, sign: -1 }];
}

/** Ranges as three parallel arrays, as `unnest` takes them. */
function columns(ranges: SignedRange[], format: (d: Date) => Date | string = (d) => d): unknown[] {
  return [ranges.map((r) => format(r.from)), ranges.map((r) => format(r.to)), ranges.map((r) => r.sign)];
}

const monthStart = (at: Date, plus = 0) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + plus, 1));

/** The UTC month boundary nearest to a midnight. */
function nearestMonth(at: Date): Date {
  const [before, after] = [monthStart(at), monthStart(at, 1)];
  return at.getTime() - before.getTime() <= after.getTime() - at.getTime() ? before : after;
}

/**
 * The rollup's days [from, to) as whole months and signed day ranges around them, whichever reads
 * fewer rows a room: a year from 2 December is 12 months minus one day plus one, not 11 months and
 * 30 days; ten days in mid-month are ten days.
 */
export function rollupReads(from: Date, to: Date): { months: [Date, Date]; days: SignedRange[] } {
  const plain = { months: [to, to] as [Date, Date], days: signed(from, to) };
  const [monthFrom, monthTo] = [nearestMonth(from), nearestMonth(to)];
  if (monthTo <= monthFrom) return plain;
  const months =
    (monthTo.getUTCFullYear() - monthFrom.getUTCFullYear()) * 12 + monthTo.getUTCMonth() - monthFrom.getUTCMonth();
  const viaMonths = months + daysBetween(from, monthFrom) + daysBetween(to, monthTo);
  if (viaMonths >= daysBetween(from, to)) return plain;
  return { months: [monthFrom, monthTo], days: [...signed(from, monthFrom), ...signed(monthTo, to)] };
}

/** Where the rollup's days are and which rows make up the difference to the window. */
function reading(scope: InsightsScope, split: InsightsSplit) {
  const rolled = split.rollupTo > split.rollupFrom;
  const [rollupFrom, rollupTo] = rolled ? [split.rollupFrom, split.rollupTo] : [scope.to, scope.to];
  return {
    rollupFrom,
    rollupTo,
    // [from, to) = (from to the rollup's first day) + the rollup's days + (its end to to).
    rows: [...signed(scope.from, rollupFrom), ...signed(rollupTo, scope.to)],
    reads: rolled ? rollupReads(rollupFrom, rollupTo) : { months: [scope.to, scope.to], days: [] },
  };
}

/** $1 building, $2 room, $3–$5 the signed row ranges, $6 the clock: what both statements start with. */
function rowParameters(scope: InsightsScope, rows: SignedRange[]): unknown[] {
  return [scope.building ?? null, scope.roomId ?? null, ...columns(rows), scope.now];
}

export function roomUsage(db: Queryable, scope: InsightsScope, split: InsightsSplit): Promise<RoomUsage[]> {
  const { rollupFrom, rollupTo, rows, reads } = reading(scope, split);
  // make_interval(secs => s) in microseconds, as the definition compares: cancelled after start - s.
  const lateUs = Math.round(scope.lateCancellationSeconds * 1_000_000);
  return selectRows<RoomUsage>(db, USAGE, [
    ...rowParameters(scope, rows),
    ...columns(reads.days, isoDay),
    isoDay(reads.months[0]),
    isoDay(reads.months[1]),
    isoDay(rollupFrom),
    isoDay(rollupTo),
    lateUs,
  ]);
}

export function heatmapUsage(db: Queryable, scope: InsightsScope, split: InsightsSplit): Promise<HeatmapUsage[]> {
  const { rollupFrom, rollupTo, rows } = reading(scope, split);
  // The heatmap reads no months: its rollup (the buildings' hours) is a dozen rows a day already.
  return selectRows<HeatmapUsage>(db, HEATMAP, [...rowParameters(scope, rows), isoDay(rollupFrom), isoDay(rollupTo)]);
}
