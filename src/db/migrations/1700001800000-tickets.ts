import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Facility tickets (issue 18): a report about a room, driven by its workflow `ticket:<id>`, which
 * owns the status, the service-level flags and the version; comments; and the record of every
 * ticket mail the SMTP server accepted (a retried mail activity skips what is recorded).
 */
export class Tickets1700001800000 implements MigrationInterface {
  name = 'Tickets1700001800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        reporter_id uuid REFERENCES users(id) ON DELETE SET NULL,
        reporter_display_token_id uuid REFERENCES display_tokens(id) ON DELETE SET NULL,
        category text NOT NULL CHECK (category IN ('equipment', 'cleaning', 'facilities', 'it', 'other')),
        severity text NOT NULL CHECK (severity IN ('low', 'normal', 'blocking')),
        title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
        description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 4000),
        equipment text,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'in_progress', 'resolved', 'closed')),
        assignee_id uuid REFERENCES users(id) ON DELETE SET NULL,
        ack_due_at timestamptz NOT NULL,
        resolve_due_at timestamptz NOT NULL,
        sla_breached boolean NOT NULL DEFAULT false,
        settled_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX tickets_room_status ON tickets (room_id, status)');
    await q.query('CREATE INDEX tickets_reporter ON tickets (reporter_id)');
    await q.query(`
      CREATE TABLE ticket_comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        author_id uuid REFERENCES users(id) ON DELETE SET NULL,
        text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4000),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, created_at)');
    await q.query(`
      CREATE TABLE ticket_mail_deliveries (
        message_id text PRIMARY KEY,
        ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        kind text NOT NULL,
        recipient citext NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX ticket_mail_deliveries_ticket ON ticket_mail_deliveries (ticket_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ticket_mail_deliveries');
    await q.query('DROP TABLE ticket_comments');
    await q.query('DROP TABLE tickets');
  }
}
