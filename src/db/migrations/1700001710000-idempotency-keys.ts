import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retry-safe creates for every resource (series, walk-up bookings, and the creates that follow):
 * one table keyed by (scope, owner, key). `owner_id` is whoever sent the key (a user id, or a
 * display token id for walk-ups), so two callers' keys never meet.
 */
export class IdempotencyKeys1700001710000 implements MigrationInterface {
  name = 'IdempotencyKeys1700001710000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        owner_id uuid NOT NULL,
        key text NOT NULL,
        -- SHA-256 of the request as the service saw it: the same key with another body is refused.
        request_hash text NOT NULL,
        -- The id the first request chose for what it creates; a retry works on the same one.
        resource_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, owner_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE idempotency_keys');
  }
}
