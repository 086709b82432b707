import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Recurring bookings: the series, the outcome of each occurrence, and each booking's place in its series. */
export class Series1700000900000 implements MigrationInterface {
  name = 'Series1700000900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE booking_series (
        id uuid PRIMARY KEY,
        room_id uuid NOT NULL REFERENCES rooms(id),
        organizer_id uuid NOT NULL REFERENCES users(id),
        title text NOT NULL,
        attendees text[] NOT NULL DEFAULT '{}',
        timezone text NOT NULL,
        rrule text NOT NULL,
        exdates timestamptz[] NOT NULL DEFAULT '{}',
        on_conflict text NOT NULL CHECK (on_conflict IN ('fail', 'skip')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended', 'cancelled')),
        status_reason text,
        max_consecutive_releases integer NOT NULL DEFAULT 3,
        consecutive_releases integer NOT NULL DEFAULT 0,
        split_from uuid REFERENCES booking_series(id),
        workflow_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX booking_series_organizer ON booking_series (organizer_id)');
    // One row per occurrence of the rule: booked (booking_id), waiting for the horizon, skipped as a conflict, missed or cancelled before booking.
    await q.query(`
      CREATE TABLE series_occurrences (
        series_id uuid NOT NULL REFERENCES booking_series(id) ON DELETE CASCADE,
        occurrence_start timestamptz NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('booked', 'scheduled', 'conflict', 'missed', 'cancelled')),
        booking_id uuid,
        conflict jsonb,
        PRIMARY KEY (series_id, occurrence_start)
      )`);
    // The occurrence's original start: iCalendar RECURRENCE-ID, unchanged when the occurrence is edited.
    await q.query('ALTER TABLE bookings ADD COLUMN occurrence_start timestamptz');
    await q.query('CREATE INDEX bookings_series ON bookings (series_id, occurrence_start) WHERE series_id IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX bookings_series');
    await q.query('ALTER TABLE bookings DROP COLUMN occurrence_start');
    await q.query('DROP TABLE series_occurrences');
    await q.query('DROP TABLE booking_series');
  }
}
