import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What mail delivery remembers: messages the SMTP server accepted, and opt-outs of people without an account. */
export class Mail1700000700000 implements MigrationInterface {
  name = 'Mail1700000700000';

  async up(q: QueryRunner): Promise<void> {
    // One row per message the SMTP server accepted, written right after it did: a retried mail
    // activity skips every Message-ID found here, so it never sends a message twice.
    await q.query(`
      CREATE TABLE mail_deliveries (
        message_id text PRIMARY KEY,
        booking_id uuid NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        kind text NOT NULL,
        recipient citext NOT NULL,
        invite_method text,
        sent_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX mail_deliveries_booking ON mail_deliveries (booking_id)');
    // Unsubscribes of attendees without an account (account holders keep theirs in users.notification_prefs).
    await q.query(`
      CREATE TABLE mail_opt_outs (
        email citext NOT NULL,
        preference text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (email, preference)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE mail_opt_outs');
    await q.query('DROP TABLE mail_deliveries');
  }
}
