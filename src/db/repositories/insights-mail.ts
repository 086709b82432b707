import type { EntityManager } from 'typeorm';

/** The delivery records of the weekly insights mail (one per Message-ID: week and recipient). */

export async function isInsightsMailDelivered(tx: EntityManager, messageId: string): Promise<boolean> {
  return (
    ((await tx.query('SELECT 1 FROM insights_mail_deliveries WHERE message_id = $1', [messageId])) as unknown[])
      .length > 0
  );
}

export async function recordInsightsMailDelivery(
  tx: EntityManager,
  delivery: { messageId: string; recipient: string; weekEnding: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO insights_mail_deliveries (message_id, recipient, week_ending) VALUES ($1, $2, $3)
     ON CONFLICT (message_id) DO NOTHING`,
    [delivery.messageId, delivery.recipient, delivery.weekEnding],
  );
}
