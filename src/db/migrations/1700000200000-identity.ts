import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity: refresh-token families (rotation with reuse detection) and display-device tokens.
 * Only SHA-256 hashes of the opaque tokens are stored: a database leak yields no usable token.
 */
export class Identity1700000200000 implements MigrationInterface {
  name = 'Identity1700000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE refresh_token_families (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- Set by logout or by the reuse of an already rotated token; every token of the family dies with it.
        revoked_at timestamptz,
        revoked_reason text CHECK (revoked_reason IN ('logout', 'reuse'))
      )`);
    await q.query('CREATE INDEX refresh_token_families_user ON refresh_token_families (user_id)');
    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash text PRIMARY KEY,
        family_id uuid NOT NULL REFERENCES refresh_token_families(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        -- Set when the token is rotated: a second presentation is a reuse.
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)');
    await q.query(`
      CREATE TABLE display_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query('CREATE INDEX display_tokens_room ON display_tokens (room_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE display_tokens');
    await q.query('DROP TABLE refresh_tokens');
    await q.query('DROP TABLE refresh_token_families');
  }
}
