import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Insights (issue 21): a lifecycle event log of every booking, written by a trigger on `bookings`
 * in the same transaction as the row's change. Every writer of the row (the slot workflow's
 * snapshot, a move, a series child's release) goes through it, so no change can be missed and no
 * workflow code changes. `at` is the row's `updated_at`: the workflow's own clock at the change
 * (the moment of the release, the check-out, the cancellation). Also the delivery records of the
 * weekly insights mail.
 */
export class BookingEvents1700001840000 implements MigrationInterface {
  name = 'BookingEvents1700001840000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE booking_events (
        id bigserial PRIMARY KEY,
        booking_id uuid NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        room_id uuid NOT NULL,
        kind text NOT NULL CONSTRAINT booking_events_kind_check CHECK (kind IN ('held', 'pending_approval', 'booked',
          'checked_in', 'released', 'checked_out', 'completed', 'cancelled', 'expired', 'rejected', 'moved')),
        at timestamptz NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX booking_events_booking_kind ON booking_events (booking_id, kind)');
    await q.query(`
      CREATE FUNCTION record_booking_event() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        event_kind text;
      BEGIN
        IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
          event_kind := CASE
            WHEN NEW.status = 'confirmed' THEN 'booked'
            WHEN NEW.status = 'completed' AND NEW.ended_at < NEW.end_at THEN 'checked_out'
            ELSE NEW.status
          END;
        ELSIF NEW.room_id <> OLD.room_id OR NEW.start_at <> OLD.start_at OR NEW.end_at <> OLD.end_at THEN
          event_kind := 'moved';
        ELSE
          RETURN NULL;
        END IF;
        INSERT INTO booking_events (booking_id, room_id, kind, at, start_at, end_at)
          VALUES (NEW.id, NEW.room_id, event_kind, NEW.updated_at, NEW.start_at, NEW.end_at);
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER bookings_record_event AFTER INSERT OR UPDATE ON bookings
        FOR EACH ROW EXECUTE FUNCTION record_booking_event()`);
    // The weekly insights mail: one record per (week, recipient) Message-ID, as mail_deliveries is for booking mail.
    await q.query(`
      CREATE TABLE insights_mail_deliveries (
        message_id text PRIMARY KEY,
        recipient citext NOT NULL,
        week_ending timestamptz NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Rows written before the log: their present state, as of their last change.
    await q.query(`
      INSERT INTO booking_events (booking_id, room_id, kind, at, start_at, end_at)
      SELECT id, room_id,
        CASE WHEN status = 'confirmed' THEN 'booked'
             WHEN status = 'completed' AND ended_at < end_at THEN 'checked_out'
             ELSE status END,
        updated_at, start_at, end_at
      FROM bookings`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE insights_mail_deliveries');
    await q.query('DROP TRIGGER bookings_record_event ON bookings');
    await q.query('DROP FUNCTION record_booking_event()');
    await q.query('DROP TABLE booking_events');
  }
}
