import { DateTime } from 'luxon';
import { isActive, type BookingStatus, type RoomPolicy, type RoomStatus } from '../shared/booking';

/** What a door display shows at a glance. */
export const ROOM_DISPLAY_STATUSES = ['free', 'reserved', 'awaiting_check_in', 'in_use', 'out_of_service'] as const;
export type RoomDisplayStatus = (typeof ROOM_DISPLAY_STATUSES)[number];

/** A booking as anyone who may look at the room sees it: its title and organizer's name, never attendees. */
export interface RoomBooking {
  id: string;
  title: string;
  organizer: { id: string; name: string };
  start: string;
  end: string;
  status: BookingStatus;
  checkInOpensAt?: string;
  checkInDeadline?: string;
  checkedInAt?: string;
  version: number;
}

export interface StatusRoom {
  id: string;
  name: string;
  timezone: string;
  status: RoomStatus;
  policy: Pick<RoomPolicy, 'requiresCheckIn' | 'slotGranularitySeconds' | 'bufferSeconds' | 'maxDurationSeconds'>;
}

export interface RoomStatusView {
  roomId: string;
  room: { name: string; timezone: string; requiresCheckIn: boolean; slotGranularitySeconds: number };
  status: RoomDisplayStatus;
  /** The booking that occupies the room now, or whose check-in window is open. */
  current?: RoomBooking;
  /** The first booking after the current one (or after now). */
  next?: RoomBooking;
  /** The rest of today's bookings (the room's local day) after the current one, in order. */
  today: RoomBooking[];
  /**
   * When the room is free: the latest end a booking made now may have (the next booking's start
   * less the buffer), or null when nothing follows. Absent when the room is not free.
   */
  freeUntil?: string | null;
  /** The instant this status describes (UTC). */
  at: string;
}

const ms = (iso: string) => Date.parse(iso);

/** A confirmed booking whose check-in window has opened and that nobody has checked in to yet. */
const awaitingCheckIn = (b: RoomBooking, at: number) =>
  b.status === 'confirmed' && b.checkInOpensAt !== undefined && ms(b.checkInOpensAt) <= at && at < ms(b.end);

/**
 * The room's state at one instant, from the read model: the room row and its active bookings
 * (any order). Pure: the worker calls it at every booking change and timer boundary, the API
 * when a client asks after a reconnect, so both always agree.
 *
 * - in_use: someone checked in, or a confirmed booking without check-in has started;
 * - awaiting_check_in: a confirmed booking's check-in window is open (it stays so until the
 *   workflow releases the no-show at the deadline);
 * - reserved: the slot is taken but not yet confirmed (a hold, a booking waiting for approval);
 * - free: nothing occupies the room now;
 * - out_of_service wins over everything.
 */
export function roomStatusAt(room: StatusRoom, bookings: readonly RoomBooking[], at: number): RoomStatusView {
  const live = bookings
    .filter((b) => isActive(b.status) && ms(b.end) > at)
    .sort((a, b) => ms(a.start) - ms(b.start) || a.id.localeCompare(b.id));
  const current = live.find((b) => ms(b.start) <= at) ?? live.find((b) => awaitingCheckIn(b, at));
  const after = live.filter((b) => b !== current && ms(b.start) >= at);
  const endOfDay = DateTime.fromMillis(at, { zone: room.timezone }).endOf('day').toMillis();

  let status: RoomDisplayStatus = 'free';
  if (current) {
    if (current.status === 'checked_in') status = 'in_use';
    else if (current.status === 'confirmed')
      status = current.checkInOpensAt !== undefined ? 'awaiting_check_in' : 'in_use';
    else status = 'reserved';
  }
  if (room.status === 'out_of_service') status = 'out_of_service';

  const next = after[0];
  return {
    roomId: room.id,
    room: {
      name: room.name,
      timezone: room.timezone,
      requiresCheckIn: room.policy.requiresCheckIn,
      slotGranularitySeconds: room.policy.slotGranularitySeconds,
    },
    status,
    ...(current ? { current } : {}),
    ...(next ? { next } : {}),
    today: after.filter((b) => ms(b.start) <= endOfDay),
    ...(status === 'free'
      ? { freeUntil: next ? new Date(ms(next.start) - room.policy.bufferSeconds * 1000).toISOString() : null }
      : {}),
    at: new Date(at).toISOString(),
  };
}
