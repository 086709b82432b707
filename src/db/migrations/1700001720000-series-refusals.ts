import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An occurrence that comes within the horizon after the organizer reached the cap on upcoming
 * bookings is not booked: outcome `refused`, with the rule in `refusal`.
 */
export class SeriesRefusals1700001720000 implements MigrationInterface {
  name = 'SeriesRefusals1700001720000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE series_occurrences DROP CONSTRAINT series_occurrences_outcome_check');
    await q.query(
      "ALTER TABLE series_occurrences ADD CONSTRAINT series_occurrences_outcome_check CHECK (outcome IN ('booked', 'scheduled', 'conflict', 'missed', 'cancelled', 'refused'))",
    );
    await q.query('ALTER TABLE series_occurrences ADD COLUMN refusal jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("UPDATE series_occurrences SET outcome = 'missed' WHERE outcome = 'refused'");
    await q.query('ALTER TABLE series_occurrences DROP COLUMN refusal');
    await q.query('ALTER TABLE series_occurrences DROP CONSTRAINT series_occurrences_outcome_check');
    await q.query(
      "ALTER TABLE series_occurrences ADD CONSTRAINT series_occurrences_outcome_check CHECK (outcome IN ('booked', 'scheduled', 'conflict', 'missed', 'cancelled'))",
    );
  }
}
