import type { EntityManager } from 'typeorm';

/** The record of every booking mail the server accepted: what makes a retried send skip it. */

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
