import type { EntityManager } from 'typeorm';
import { selectRows, type Queryable } from '../queryable';

/** What an invite's UID booked in a room: the booking (or a series' first booking) and the SEQUENCE applied. */
export interface InviteBookingRow {
  id: string;
  series_id: string | null;
  status: string;
  ical_sequence: number | null;
}

export async function findRoomBySlug(db: Queryable, slug: string): Promise<{ id: string; name: string } | undefined> {
  const [row] = await selectRows<{ id: string; name: string }>(
    db,
    'SELECT id, name FROM rooms WHERE slug = $1 AND deleted_at IS NULL',
    [slug],
  );
  return row;
}

export async function findInviteBooking(
  db: Queryable,
  roomId: string,
  icalUid: string,
): Promise<InviteBookingRow | undefined> {
  const [row] = await selectRows<InviteBookingRow>(
    db,
    `SELECT id, series_id, status, ical_sequence FROM bookings
      WHERE room_id = $1 AND ical_uid = $2 ORDER BY start_at LIMIT 1`,
    [roomId, icalUid],
  );
  return row;
}

/** Marks a booking (or every booking of a series) as made by an invite with this UID and SEQUENCE. */
export async function markInviteBookings(
  db: Queryable,
  target: { bookingId: string } | { seriesId: string },
  icalUid: string,
  sequence: number,
): Promise<void> {
  const [column, id] = 'bookingId' in target ? ['id', target.bookingId] : ['series_id', target.seriesId];
  await db.query(
    `UPDATE bookings SET source = 'imip', ical_uid = $2, ical_sequence = GREATEST(COALESCE(ical_sequence, $3), $3)
      WHERE ${column} = $1`,
    [id, icalUid, sequence],
  );
}

export async function findRoomMailbox(
  db: Queryable,
  roomId: string,
): Promise<{ name: string; slug: string } | undefined> {
  const [row] = await selectRows<{ name: string; slug: string }>(db, 'SELECT name, slug FROM rooms WHERE id = $1', [
    roomId,
  ]);
  return row;
}

/** Whether the room already sent this reply (its Message-ID: room, method, SEQUENCE, UID and recipient). */
export async function isRoomReplySent(tx: EntityManager, messageId: string): Promise<boolean> {
  return ((await tx.query('SELECT 1 FROM imip_replies WHERE message_id = $1', [messageId])) as unknown[]).length > 0;
}

export async function recordRoomReply(
  tx: EntityManager,
  reply: { messageId: string; roomId: string; icalUid: string; sequence: number; recipient: string; partstat: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO imip_replies (message_id, room_id, ical_uid, sequence, recipient, partstat)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING`,
    [reply.messageId, reply.roomId, reply.icalUid, reply.sequence, reply.recipient, reply.partstat],
  );
}
