import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Realtime: one counter per room that orders its room.status events. The worker bumps it (and
 * so takes the row lock) in the transaction that reads the room's bookings and publishes, so
 * concurrent publishers for one room are serialized and a higher version always describes a
 * later state.
 */
export class Realtime1700000600000 implements MigrationInterface {
  name = 'Realtime1700000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE room_status_versions (
        room_id uuid PRIMARY KEY REFERENCES rooms(id) ON DELETE CASCADE,
        version bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE room_status_versions');
  }
}
