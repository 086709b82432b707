/**
 * Where a booking displaced by a room outage goes: the rule, with no I/O. The outage's relocation
 * activity reads the free rooms and tries them in this order; the first one the booking can move
 * into (the no-overlap constraint decides) is where it goes.
 */

/** A room that is free for the booking's whole interval (the caller's query says so). */
export interface RelocationCandidate {
  id: string;
  name: string;
  building: string;
  capacity: number;
  amenities: readonly string[];
}

/** What the booking needs, from the room it is leaving. */
export interface RelocationNeed {
  building: string;
  /** The original room's amenities: preferred, not required. */
  amenities: readonly string[];
  /** Organizer and attendees. */
  people: number;
}

/** The people a booking brings: its organizer and each distinct attendee other than the organizer. */
export function peopleOf(organizerEmail: string | undefined, attendees: readonly string[]): number {
  const others = new Set(attendees.map((a) => a.trim().toLowerCase()));
  if (organizerEmail) others.delete(organizerEmail.trim().toLowerCase());
  return 1 + others.size;
}

// Not localeCompare: the order must not depend on the machine's locale.
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const covered = (need: RelocationNeed, room: RelocationCandidate) =>
  need.amenities.filter((a) => room.amenities.includes(a)).length;

/**
 * The candidates that fit, best first: enough capacity for everyone (required); then the same
 * building; then more of the original room's amenities; then the smallest sufficient capacity (the
 * big rooms stay free for big meetings); then name and id, so equal rooms always come in one order.
 */
export function rankRelocationTargets<T extends RelocationCandidate>(
  need: RelocationNeed,
  candidates: readonly T[],
): T[] {
  return candidates
    .filter((room) => room.capacity >= need.people)
    .sort(
      (a, b) =>
        Number(b.building === need.building) - Number(a.building === need.building) ||
        covered(need, b) - covered(need, a) ||
        a.capacity - b.capacity ||
        byCodePoint(a.name, b.name) ||
        byCodePoint(a.id, b.id),
    );
}

/** The statusReason of a booking that nothing could take. */
export function noFittingRoomReason(
  room: { name: string; building: string },
  outageReason: string,
  people: number,
): string {
  return (
    `Room ${room.name} is out of service (${outageReason}); no free room in building ${room.building} ` +
    `or any other building fits ${people} ${people === 1 ? 'person' : 'people'} at that time.`
  );
}
