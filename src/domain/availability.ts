import { IANAZone } from 'luxon';
import { badRequest } from './errors';

/** A half-open interval [start, end) in epoch milliseconds. */
export interface Span {
  start: number;
  end: number;
}

export const MAX_WINDOW_DAYS = 31;

/** Checks a from/to window; the 400 names the parameter at fault. */
export function parseWindow(from: string, to: string, maxDays = MAX_WINDOW_DAYS): Span {
  const span = { start: Date.parse(from), end: Date.parse(to) };
  const fail = (field: string, message: string) =>
    badRequest(`Invalid query parameters: ${field}: ${message}`, { fields: [{ in: 'query', field, message }] });
  if (Number.isNaN(span.start)) throw fail('from', 'is not a valid date-time');
  if (Number.isNaN(span.end)) throw fail('to', 'is not a valid date-time');
  if (span.end <= span.start) throw fail('to', 'must be after from');
  if (span.end - span.start > maxDays * 86_400_000)
    throw fail('to', `the window from..to must not exceed ${maxDays} days`);
  return span;
}

const offsetMs = (zone: IANAZone, t: number): number => zone.offset(t) * 60_000;

/**
 * The nearest instant at or after (direction 1) or at or before (direction -1) t on the room's
 * slot grid: local wall-clock times that are a multiple of the granularity from local midnight.
 * Across a daylight-saving change the grid follows the wall clock (09:00, 09:15, ... stay on the
 * grid), which is what a person booking a room expects; a repeated hour yields both of its
 * instants and a skipped hour none. Candidates are computed under the offset at t and the offset
 * one slot away (a change in between), and kept only where the zone really has that offset.
 */
function snapToGrid(t: number, zoneName: string, granularitySeconds: number, direction: 1 | -1): number {
  const zone = IANAZone.create(zoneName);
  const step = granularitySeconds * 1000;
  let best: number | undefined;
  for (const offset of new Set([offsetMs(zone, t), offsetMs(zone, t + direction * step)])) {
    const local = t + offset;
    const first = direction === 1 ? Math.ceil(local / step) * step : Math.floor(local / step) * step;
    for (let k = 0; k < 3; k++) {
      const instant = first + direction * k * step - offset;
      if (offsetMs(zone, instant) !== offset) continue;
      if (best === undefined || direction * (instant - best) < 0) best = instant;
      break;
    }
  }
  return best ?? t;
}

export const ceilToGrid = (t: number, zone: string, granularitySeconds: number): number =>
  snapToGrid(t, zone, granularitySeconds, 1);
export const floorToGrid = (t: number, zone: string, granularitySeconds: number): number =>
  snapToGrid(t, zone, granularitySeconds, -1);

export interface OccupiedBooking {
  start: number;
  /** The booking's end plus the buffer it was made with (bookings.occupied_until). */
  occupiedUntil: number;
}

/**
 * The free intervals of a room in a window, on its slot grid. A new booking [s, e) occupies
 * [s, e + buffer), so it fits only where it ends a buffer before the next booking starts and
 * starts after the previous booking's occupied_until: each booking blocks [start - buffer, occupiedUntil).
 */
export function freeSpans(
  window: Span,
  bookings: OccupiedBooking[],
  opts: { zone: string; granularitySeconds: number; bufferSeconds: number },
): Span[] {
  const blocked = bookings
    .map((b) => ({ start: b.start - opts.bufferSeconds * 1000, end: b.occupiedUntil }))
    .sort((a, b) => a.start - b.start);
  const gaps: Span[] = [];
  let cursor = window.start;
  for (const b of blocked) {
    if (b.end <= cursor) continue;
    if (b.start >= window.end) break;
    if (b.start > cursor) gaps.push({ start: cursor, end: b.start });
    cursor = Math.max(cursor, b.end);
  }
  if (cursor < window.end) gaps.push({ start: cursor, end: window.end });
  return gaps
    .map((g) => ({
      start: ceilToGrid(g.start, opts.zone, opts.granularitySeconds),
      end: floorToGrid(g.end, opts.zone, opts.granularitySeconds),
    }))
    .filter((g) => g.start < g.end);
}
