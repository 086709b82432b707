import type { Queryable } from './queryable';

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
  const email = walkUpEmail(room.id);
  await db.query(
    `INSERT INTO users (email, display_name, timezone, role, notification_prefs)
     VALUES ($1, $2, $3, 'display', '{"bookingUpdates": false, "reminders": false, "reviewPrompts": false}'::jsonb)
     ON CONFLICT (email) DO NOTHING`,
    [email, `Walk-up · ${room.name}`, room.timezone],
  );
  const [row] = await db.query('SELECT id, email, display_name FROM users WHERE email = $1', [email]);
  return { id: row.id, email: row.email, displayName: row.display_name };
}
