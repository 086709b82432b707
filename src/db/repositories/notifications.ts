import { selectRows, type Queryable } from '../queryable';

/** booking_notifications: each booking event recorded once per booking, kind and version (the delivery log operators read). */

export async function recordBookingNotification(
  db: Queryable,
  notification: { bookingId: string; kind: string; version: number },
): Promise<void> {
  await db.query<unknown>(
    'INSERT INTO booking_notifications (booking_id, kind, version) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [notification.bookingId, notification.kind, notification.version],
  );
}

/** Whether the booking was ever confirmed or approved (its attendees have it in their calendars). */
export async function wasEverConfirmed(db: Queryable, bookingId: string): Promise<boolean> {
  const rows = await selectRows<unknown>(
    db,
    "SELECT 1 FROM booking_notifications WHERE booking_id = $1 AND kind IN ('confirmed', 'approved') LIMIT 1",
    [bookingId],
  );
  return rows.length > 0;
}
