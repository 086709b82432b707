import type { DataSource } from 'typeorm';
import { ACTIVE_STATUSES } from '../../shared/booking';
import type { RetentionInput, RetentionResult } from '../../shared/ops-messages';

/** Ages in seconds: how long each kind of row is kept once it is no longer needed (the schedule's input). */
export type RetentionAges = RetentionInput;

/** Rows deleted, by kind: the retention run's result but for the waitlist entries it ends. */
export type PurgeCounts = Omit<RetentionResult, 'waitlistEntriesExpired'>;

const count = (result: unknown): number => (Array.isArray(result) ? Number(result[1] ?? 0) : 0);

/**
 * Deletes what nothing needs any more, in batches small enough not to hold long locks:
 * - refresh tokens expired longer ago than the age (a used token is only needed for reuse detection
 *   until it expires), then families with no token left and older than the age;
 * - idempotency keys older than the age (a retried create after that is a new booking);
 * - delivery-log rows (booking_notifications, mail_deliveries) of bookings that closed (no longer
 *   active) longer ago than the age: the workflow may still dedupe against them while it runs;
 * - room mailboxes' reply records (imip_replies) sent longer ago than the mail delivery age.
 */
export async function purgeExpired(dataSource: DataSource, ages: RetentionAges, batch = 5000): Promise<PurgeCounts> {
  const active = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');
  const repeat = async (sql: string, params: unknown[]): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = count(await dataSource.query(sql, [...params, batch]));
      total += n;
      if (n < batch) return total;
    }
  };
  const refreshTokens = await repeat(
    `DELETE FROM refresh_tokens WHERE token_hash IN (
       SELECT token_hash FROM refresh_tokens WHERE expires_at < now() - make_interval(secs => $1) LIMIT $2)`,
    [ages.refreshTokenSeconds],
  );
  const refreshTokenFamilies = await repeat(
    `DELETE FROM refresh_token_families WHERE id IN (
       SELECT f.id FROM refresh_token_families f
       WHERE f.created_at < now() - make_interval(secs => $1)
         AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id)
       LIMIT $2)`,
    [ages.refreshTokenSeconds],
  );
  const idempotencyKeys = await repeat(
    `DELETE FROM booking_idempotency_keys WHERE (user_id, key) IN (
       SELECT user_id, key FROM booking_idempotency_keys WHERE created_at < now() - make_interval(secs => $1) LIMIT $2)`,
    [ages.idempotencyKeySeconds],
  );
  // A booking's delivery log: rows of bookings no longer active, both the row and the booking older than the age.
  const deliveryLog = (table: string, key: string, time: string, seconds: number) =>
    repeat(
      `DELETE FROM ${table} WHERE ${key} IN (
         SELECT d.${key} FROM ${table} d JOIN bookings b ON b.id = d.booking_id
         WHERE b.status NOT IN (${active}) AND b.updated_at < now() - make_interval(secs => $1)
           AND d.${time} < now() - make_interval(secs => $1)
         LIMIT $2)`,
      [seconds],
    );
  const notifications = await deliveryLog('booking_notifications', 'id', 'created_at', ages.notificationSeconds);
  const mailDeliveries = await deliveryLog('mail_deliveries', 'message_id', 'sent_at', ages.mailDeliverySeconds);
  // A room mailbox's reply record is only needed while its invite's workflow may retry the send.
  const imipReplies = await repeat(
    `DELETE FROM imip_replies WHERE message_id IN (
       SELECT message_id FROM imip_replies WHERE sent_at < now() - make_interval(secs => $1) LIMIT $2)`,
    [ages.mailDeliverySeconds],
  );
  return { refreshTokens, refreshTokenFamilies, idempotencyKeys, notifications, mailDeliveries, imipReplies };
}
