import { getRoom } from '../../src/api/services/room-catalog';
import type { SeriesPlan } from '../../src/api/services/series-service';
import type { TestRoom, TestUser } from '../support/fixtures';
import type { RoomPolicy } from '../../src/shared/booking';
import { call, room, type BookingStack } from '../bookings/support';

/** A room of the lifecycle tests' policy in a building of its own: series tests add many rooms, which must not crowd other tests' searches. */
export const seriesRoom = (
  stack: BookingStack,
  policy: Partial<RoomPolicy> = {},
  opts: Parameters<typeof room>[2] = {},
) => room(stack, policy, { building: 'Series wing', ...opts });

export function createSeries(stack: BookingStack, user: TestUser, body: Record<string, unknown>) {
  return call(stack, user, 'POST', '/series', { title: 'Team weekly', onConflict: 'fail', ...body });
}

/**
 * Opens a series from an explicit list of occurrences, through the service path a split uses. The
 * REST API only accepts DAILY and coarser rules, so tests that must watch several occurrences live
 * (no-shows, the horizon moving) place them seconds apart this way; horizonSeconds stands in for
 * the room's horizonDays × 86400.
 */
export async function openPlannedSeries(
  stack: BookingStack,
  user: TestUser,
  r: TestRoom,
  slots: { start: string; end: string }[],
  options: Partial<SeriesPlan> = {},
) {
  const room = await getRoom(stack.deps, r.id);
  return stack.services.series.open({ kind: 'user', userId: user.id, role: 'member' }, room, {
    title: 'Planned series',
    attendees: [],
    timezone: 'UTC',
    rrule: 'FREQ=DAILY;COUNT=1',
    exdates: [],
    onConflict: 'fail',
    maxConsecutiveReleases: 3,
    occurrences: slots.map((s) => ({ occurrenceStart: s.start, ...s })),
    ...options,
  });
}

export async function seriesBookings(stack: BookingStack, seriesId: string): Promise<Record<string, any>[]> {
  return stack.deps.dataSource.query('SELECT * FROM bookings WHERE series_id = $1 ORDER BY occurrence_start', [
    seriesId,
  ]);
}

export async function roomBookingCount(stack: BookingStack, roomId: string): Promise<number> {
  const [{ n }] = await stack.deps.dataSource.query('SELECT count(*)::int AS n FROM bookings WHERE room_id = $1', [
    roomId,
  ]);
  return n;
}

/** The next whole hour plus `hours` hours: an instant on every grid, safely ahead of now. */
export function hoursAhead(hours: number): Date {
  const t = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  return new Date(t.getTime() + hours * 3_600_000);
}
