import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What the booking workflows need beyond the core bookings table. */
export class BookingLifecycle1700000400000 implements MigrationInterface {
  name = 'BookingLifecycle1700000400000';

  async up(q: QueryRunner): Promise<void> {
    // A closed workflow id may be reused by a later booking of the same slot: the run id pins this booking's execution.
    await q.query('ALTER TABLE bookings ADD COLUMN run_id text');
    // Workflows this booking lived in before a reschedule moved it (oldest first), for its timeline.
    await q.query("ALTER TABLE bookings ADD COLUMN previous_workflow_ids text[] NOT NULL DEFAULT '{}'");
    await q.query('ALTER TABLE bookings ADD COLUMN reminder_sent_at timestamptz');
    await q.query('CREATE INDEX bookings_status_start ON bookings (status, start_at)');
    await q.query(`
      CREATE TABLE booking_idempotency_keys (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        key text NOT NULL,
        request_hash text NOT NULL,
        booking_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    // Every message the workflow decided to send, once per (booking, kind, version): the
    // delivery log that mail and realtime delivery work from, and the operators' audit trail.
    await q.query(`
      CREATE TABLE booking_notifications (
        id bigserial PRIMARY KEY,
        booking_id uuid NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        kind text NOT NULL,
        version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (booking_id, kind, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE booking_notifications');
    await q.query('DROP TABLE booking_idempotency_keys');
    await q.query('DROP INDEX bookings_status_start');
    await q.query(
      'ALTER TABLE bookings DROP COLUMN reminder_sent_at, DROP COLUMN previous_workflow_ids, DROP COLUMN run_id',
    );
  }
}
