import type { Queryable } from '../db/queryable';
import { ensureDeviceAccount } from '../db/repositories/users';

/**
 * The organizer of a room's walk-up bookings (booked from the display by the door): one system
 * account per room, role `display`, no password (it can never sign in), notifications off. Its
 * address is under the reserved `.invalid` domain, so no mail to it can reach anyone.
 */
export interface WalkUpAccount {
  id: string;
  email: string;
  displayName: string;
}

export const walkUpEmail = (roomId: string): string => `walk-up.${roomId}@displays.roombook.invalid`;

/** Creates the room's walk-up account the first time; concurrent first calls agree on one row. */
export async function ensureWalkUpAccount(
  db: Queryable,
  room: { id: string; name: string; timezone: string },
): Promise<WalkUpAccount> {
  return ensureDeviceAccount(db, {
    email: walkUpEmail(room.id),
    displayName: `Walk-up · ${room.name}`,
    timezone: room.timezone,
  });
}
