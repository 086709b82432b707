// The waitlist's rules: which waiting entries a freed slot may go to, and in which order. No I/O.

export const WAITLIST_STATUSES = ['waiting', 'offered', 'claimed', 'expired', 'cancelled'] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];

/** What a person waits for: one room, or any room of a building with enough seats and the amenities. */
export interface WaitlistTarget {
  roomId?: string;
  building?: string;
  capacity?: number;
  amenities: string[];
}

export interface WaitlistOffer {
  bookingId: string;
  roomId: string;
  /** Unset while the offer's hold is being made (a claimed entry whose reservation is in flight). */
  claimBy?: string;
}

export interface WaitlistEntry extends WaitlistTarget {
  id: string;
  userId: string;
  start: string;
  end: string;
  status: WaitlistStatus;
  offer?: WaitlistOffer;
  createdAt: string;
}

/** The room a slot freed in, as far as matching needs it. */
export interface FreedRoom {
  id: string;
  building: string;
  capacity: number;
  amenities: string[];
}

/** Interval [start, end) freed in a room: a booking that stopped occupying it, or an outage that ended. */
export interface FreedSlot {
  start: string;
  end: string;
}

/** Whether a room is one the entry waits for (its own room, or a fitting room of its building). */
export function roomFits(entry: WaitlistTarget, room: FreedRoom): boolean {
  if (entry.roomId) return entry.roomId === room.id;
  if (entry.building !== room.building) return false;
  if (entry.capacity !== undefined && room.capacity < entry.capacity) return false;
  const has = new Set(room.amenities.map((a) => a.toLowerCase()));
  return entry.amenities.every((a) => has.has(a.toLowerCase()));
}

/**
 * The entries a freed slot may be offered to, first come first served: still waiting (or claimed
 * by this very offer, a retried attempt), for a room that fits, overlapping the freed interval,
 * and starting after `now` (nobody is offered a start already past). Ties on the join time go by
 * id, so every attempt ranks them the same.
 */
export function rankCandidates(
  entries: readonly WaitlistEntry[],
  room: FreedRoom,
  slot: FreedSlot,
  now: number,
  retryingOffer?: (entry: WaitlistEntry) => boolean,
): WaitlistEntry[] {
  const freedStart = Date.parse(slot.start);
  const freedEnd = Date.parse(slot.end);
  return entries
    .filter((e) => e.status === 'waiting' || (e.status === 'offered' && !e.offer?.claimBy && retryingOffer?.(e)))
    .filter((e) => roomFits(e, room))
    .filter((e) => Date.parse(e.start) > now)
    .filter((e) => Date.parse(e.start) < freedEnd && Date.parse(e.end) > freedStart)
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * How long an offer's hold lasts: the room's claim window, but never past the meeting's start (an
 * offer nobody confirmed before the start is of no use to the next waiter either).
 */
export function claimSeconds(waitlistClaimSeconds: number, start: string, now: number): number {
  const untilStart = Math.floor((Date.parse(start) - now) / 1000);
  return Math.max(1, Math.min(waitlistClaimSeconds, untilStart));
}

/** The entry's end when its offer's hold stops occupying the slot unconfirmed. */
export const offerOutcomeOf = (bookingStatus: string): Extract<WaitlistStatus, 'expired' | 'cancelled'> =>
  bookingStatus === 'expired' ? 'expired' : 'cancelled';

/**
 * The entry as its waiter sees it: an offer whose hold is still being made (claimed row, no
 * claim deadline yet) is not an offer yet, so the entry reads as waiting until the hold exists.
 */
export function publicEntry(entry: WaitlistEntry): WaitlistEntry {
  if (entry.status !== 'offered' || entry.offer?.claimBy) return entry;
  const { offer: _inFlight, ...rest } = entry;
  return { ...rest, status: 'waiting' };
}

/** A booking's place: its room and interval (UTC ISO-8601). */
export interface SlotPlace {
  roomId: string;
  start: string;
  end: string;
}

/**
 * What a change of an active booking's place gives up: all of the old interval when it moved to
 * another room, else the parts of the old interval the new one no longer covers (a move to another
 * time, a shortened end). Nothing for an extension or no change.
 */
export function intervalsLeft(previous: SlotPlace, next: SlotPlace): SlotPlace[] {
  if (previous.roomId !== next.roomId) return [previous];
  const [ps, pe, ns, ne] = [previous.start, previous.end, next.start, next.end].map((t) => Date.parse(t));
  const left: SlotPlace[] = [];
  const piece = (from: number, to: number) => {
    if (from < to)
      left.push({ roomId: previous.roomId, start: new Date(from).toISOString(), end: new Date(to).toISOString() });
  };
  piece(ps, Math.min(pe, ns));
  piece(Math.max(ps, ne), pe);
  return left;
}
