import { DateTime, IANAZone } from 'luxon';
import { AppError, badRequest } from './errors';

/**
 * Insights (DESIGN.md, "Insights"): how rooms are really used. The database sums seconds per room
 * (src/db/repositories/insights.ts); these pure functions turn them into the reported figures.
 */

export const MAX_INSIGHTS_WINDOW_DAYS = 366;

/** A half-open window [from, to) in epoch milliseconds. */
export interface InsightsWindow {
  from: number;
  to: number;
}

/** Checks from/to: an unreadable or reversed window is a 400, one longer than 366 days a 422. */
export function insightsWindow(from: string, to: string): InsightsWindow {
  const window = { from: Date.parse(from), to: Date.parse(to) };
  const fail = (field: string, message: string) =>
    badRequest(`Invalid query parameters: ${field}: ${message}`, { fields: [{ in: 'query', field, message }] });
  if (Number.isNaN(window.from)) throw fail('from', 'is not a valid date-time');
  if (Number.isNaN(window.to)) throw fail('to', 'is not a valid date-time');
  if (window.to <= window.from) throw fail('to', 'must be after from');
  if (window.to - window.from > MAX_INSIGHTS_WINDOW_DAYS * 86_400_000) {
    throw new AppError(
      422,
      'WINDOW_TOO_LONG',
      `The window from..to must not exceed ${MAX_INSIGHTS_WINDOW_DAYS} days.`,
      { maxDays: MAX_INSIGHTS_WINDOW_DAYS },
    );
  }
  return window;
}

/** When rooms are open, in each room's own time zone: ISO weekdays (1 = Monday) and a daily span. */
export interface OpeningHours {
  weekdays: number[];
  /** Minutes after local midnight. */
  opensAt: number;
  closesAt: number;
}

/** Reads "08:00-18:00" and "1,2,3,4,5"; a string answer says what is wrong. */
export function parseOpeningHours(hours: string, weekdays: string): OpeningHours | string {
  const span = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(hours.trim());
  if (!span) return 'a daily span such as 08:00-18:00';
  const [opensAt, closesAt] = [Number(span[1]) * 60 + Number(span[2]), Number(span[3]) * 60 + Number(span[4])];
  if (Number(span[2]) > 59 || Number(span[4]) > 59 || opensAt >= closesAt || closesAt > 24 * 60)
    return 'opening before closing, within one day (00:00-24:00)';
  const days = weekdays.split(',').map((d) => Number(d.trim()));
  if (days.length === 0 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
    return 'ISO weekdays 1 (Monday) to 7 (Sunday), comma-separated';
  return { weekdays: [...new Set(days)].sort(), opensAt, closesAt };
}

/**
 * Seconds a room is open within the window: each local day's opening span (in the room's zone,
 * so a daylight-saving day is open for the wall-clock hours it really has) clipped to the window.
 * The span is added to the local midnight as elapsed time, as luxon's `plus({ minutes })` does.
 */
export function openSeconds(window: InsightsWindow, timeZone: string, hours: OpeningHours): number {
  const zone = IANAZone.create(timeZone);
  const first = DateTime.fromMillis(window.from, { zone }).startOf('day');
  // Day by day without a DateTime each (a year in five zones took ~100 ms that way), the way luxon's
  // plus({ days: 1 }) steps: the same wall-clock time on the next date, placed with the previous
  // offset as the guess (fixOffset). After a midnight that does not exist the wall clock stays an
  // hour later, as luxon's did.
  let [instant, offset] = [first.toMillis(), first.offset];
  let total = 0;
  while (instant < window.to) {
    const wall = instant + offset * 60_000;
    if (hours.weekdays.includes(new Date(wall).getUTCDay() || 7)) {
      const opens = instant + hours.opensAt * 60_000;
      const closes = instant + hours.closesAt * 60_000;
      total += Math.max(0, Math.min(closes, window.to) - Math.max(opens, window.from));
    }
    [instant, offset] = localToUtc(wall + 86_400_000, offset, zone);
  }
  return total / 1000;
}

/** Luxon's fixOffset: the instant of a local wall-clock time, from a guess of its offset (minutes). */
function localToUtc(local: number, guess: number, zone: IANAZone): [number, number] {
  let utc = local - guess * 60_000;
  const second = zone.offset(utc);
  if (second === guess) return [utc, guess];
  utc -= (second - guess) * 60_000;
  const third = zone.offset(utc);
  if (second === third) return [utc, second];
  return [local - Math.min(second, third) * 60_000, Math.max(second, third)];
}

/** What the database sums for one room (seconds and counts). */
export interface RoomUsage {
  roomId: string;
  name: string;
  building: string;
  timeZone: string;
  bookings: number;
  bookedSeconds: number;
  usedSeconds: number;
  noShows: number;
  /** Bookings that required check-in and whose deadline has passed: the ghost rate's denominator. */
  checkInsDue: number;
  releasedSeconds: number;
  rebookedSeconds: number;
  recoveredSeconds: number;
  lateCancellations: number;
}

export interface InsightFigures {
  bookings: number;
  bookedHours: number;
  usedHours: number;
  noShows: number;
  /** noShows / checkInsDue; null when no booking's check-in deadline has passed. */
  ghostRate: number | null;
  releasedHours: number;
  rebookedHours: number;
  recoveredHours: number;
  lateCancellations: number;
  /** usedHours / open hours; null when the room was not open in the window. */
  utilization: number | null;
}

export interface RoomInsights extends InsightFigures {
  roomId: string;
  name: string;
  building: string;
}

export interface HeatmapCell {
  /** ISO weekday in the room's zone, 1 = Monday. */
  weekday: number;
  /** Local hour, 0-23. */
  hour: number;
  bookedHours: number;
  usedHours: number;
}

/** What the database sums for one hour of the week. */
export interface HeatmapUsage {
  weekday: number;
  hour: number;
  bookedSeconds: number;
  usedSeconds: number;
}

export interface InsightsReport {
  from: string;
  to: string;
  rooms: RoomInsights[];
  totals: InsightFigures;
  heatmap: HeatmapCell[];
}

const hours = (seconds: number): number => seconds / 3600;
const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

type UsageSums = Omit<RoomUsage, 'roomId' | 'name' | 'building' | 'timeZone'>;
type Sums = UsageSums & { openSeconds: number };

/** A room's sums before anything is counted: where totals start, and a room no booking touched. */
export const NO_USAGE: Readonly<UsageSums> = {
  bookings: 0,
  bookedSeconds: 0,
  usedSeconds: 0,
  noShows: 0,
  checkInsDue: 0,
  releasedSeconds: 0,
  rebookedSeconds: 0,
  recoveredSeconds: 0,
  lateCancellations: 0,
};

function figures(s: Sums): InsightFigures {
  return {
    bookings: s.bookings,
    bookedHours: hours(s.bookedSeconds),
    usedHours: hours(s.usedSeconds),
    noShows: s.noShows,
    ghostRate: ratio(s.noShows, s.checkInsDue),
    releasedHours: hours(s.releasedSeconds),
    rebookedHours: hours(s.rebookedSeconds),
    recoveredHours: hours(s.recoveredSeconds),
    lateCancellations: s.lateCancellations,
    utilization: ratio(s.usedSeconds, s.openSeconds),
  };
}

/** The report: every room's figures, totals over them (ratios of the sums, not means of ratios) and a full 7 × 24 heatmap. */
export function insightsReport(
  window: InsightsWindow,
  usage: RoomUsage[],
  heat: HeatmapUsage[],
  opening: OpeningHours,
): InsightsReport {
  const openByZone = new Map<string, number>();
  const openIn = (zone: string): number => {
    if (!openByZone.has(zone)) openByZone.set(zone, openSeconds(window, zone, opening));
    return openByZone.get(zone) ?? 0;
  };
  const total: Sums = { ...NO_USAGE, openSeconds: 0 };
  const rooms = usage.map(({ roomId, name, building, timeZone, ...sums }) => {
    const room: Sums = { ...sums, openSeconds: openIn(timeZone) };
    for (const key of Object.keys(total) as (keyof Sums)[]) total[key] += room[key];
    return { roomId, name, building, ...figures(room) };
  });
  const cells = new Map(heat.map((c) => [`${c.weekday}:${c.hour}`, c]));
  const heatmap: HeatmapCell[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const cell = cells.get(`${weekday}:${hour}`);
      heatmap.push({
        weekday,
        hour,
        bookedHours: hours(cell?.bookedSeconds ?? 0),
        usedHours: hours(cell?.usedSeconds ?? 0),
      });
    }
  }
  return {
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    rooms,
    totals: figures(total),
    heatmap,
  };
}

/** The CSV's columns, in order: one row per room. */
export const INSIGHTS_CSV_COLUMNS = [
  'roomId',
  'name',
  'building',
  'bookings',
  'bookedHours',
  'usedHours',
  'noShows',
  'ghostRate',
  'releasedHours',
  'rebookedHours',
  'recoveredHours',
  'lateCancellations',
  'utilization',
] as const satisfies readonly (keyof RoomInsights)[];
