import type { EntityManager } from 'typeorm';
import { selectRows, type Queryable } from '../queryable';

/**
 * The record of every booking mail the server accepted (what makes a retried send skip it), and
 * the guests' opt-outs.
 */

/**
 * Takes the message's lock for the rest of the transaction, or answers false at once when another
 * sender holds it (a closing slot workflow and its follow-up may both try to send it).
 */
export async function tryLockMessage(tx: EntityManager, messageId: string): Promise<boolean> {
  const [{ locked }] = (await tx.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [messageId])) as {
    locked: boolean;
  }[];
  return locked;
}

export async function isMessageDelivered(tx: EntityManager, messageId: string): Promise<boolean> {
  return ((await tx.query('SELECT 1 FROM mail_deliveries WHERE message_id = $1', [messageId])) as unknown[]).length > 0;
}

export async function recordMailDelivery(
  tx: EntityManager,
  delivery: { messageId: string; bookingId: string; kind: string; recipient: string; inviteMethod: string | null },
): Promise<void> {
  await tx.query(
    `INSERT INTO mail_deliveries (message_id, booking_id, kind, recipient, invite_method) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (message_id) DO NOTHING`,
    [delivery.messageId, delivery.bookingId, delivery.kind, delivery.recipient, delivery.inviteMethod],
  );
}

/**
 * Whoever got an invite for this booking and is no longer an attendee (nor the organizer), unless
 * a cancellation went to them since. The anti-joins keep it one statement.
 */
export async function findFormerInvitees(
  db: Queryable,
  booking: { id: string; attendees: readonly string[]; organizerId: string },
): Promise<string[]> {
  const rows = await selectRows<{ email: string }>(
    db,
    `SELECT DISTINCT d.recipient::text AS email FROM mail_deliveries d
     WHERE d.booking_id = $1 AND d.invite_method = 'REQUEST'
       AND NOT (d.recipient = ANY($2::citext[]))
       AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = $3 AND u.email = d.recipient)
       AND NOT EXISTS (SELECT 1 FROM mail_deliveries c WHERE c.booking_id = d.booking_id AND c.recipient = d.recipient
                       AND c.invite_method = 'CANCEL' AND c.sent_at > d.sent_at)`,
    [booking.id, booking.attendees, booking.organizerId],
  );
  return rows.map((r) => r.email);
}

/** Guests (no account) who turned this preference off through an unsubscribe link, lower-cased. */
export async function findOptedOutEmails(
  db: Queryable,
  preference: string,
  emails: readonly string[],
): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await selectRows<{ email: string }>(
    db,
    'SELECT email::text AS email FROM mail_opt_outs WHERE preference = $1 AND email = ANY($2::citext[])',
    [preference, emails],
  );
  return new Set(rows.map((r) => r.email.toLowerCase()));
}

/** A guest (no verified account) turns optional mail off by its unsubscribe link; twice is once. */
export async function recordOptOut(db: Queryable, email: string, preference: string): Promise<void> {
  await db.query<unknown>('INSERT INTO mail_opt_outs (email, preference) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    email,
    preference,
  ]);
}
