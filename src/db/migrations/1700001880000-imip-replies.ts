import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The replies room mailboxes sent: one row per Message-ID, which is derived from the room, the
 * invite's method, SEQUENCE and UID, and the recipient. A retried reply activity finds its row and
 * sends nothing (booking mail's mail_deliveries needs a booking, and a declined invite has none).
 */
export class ImipReplies1700001880000 implements MigrationInterface {
  name = 'ImipReplies1700001880000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imip_replies (
        message_id text PRIMARY KEY,
        room_id uuid NOT NULL,
        ical_uid text NOT NULL,
        sequence integer NOT NULL,
        recipient citext NOT NULL,
        partstat text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE imip_replies');
  }
}
