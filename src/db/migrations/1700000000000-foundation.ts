import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1700000000000 implements MigrationInterface {
  name = 'Foundation1700000000000';

  async up(q: QueryRunner): Promise<void> {
    // btree_gist: the bookings exclusion constraint mixes = on room_id with && on time ranges.
    await q.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
    await q.query('CREATE EXTENSION IF NOT EXISTS citext');
  }

  async down(): Promise<void> {
    // Extensions stay: other schemas in the same database may use them.
  }
}
