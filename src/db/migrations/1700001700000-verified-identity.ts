import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity for real organisations: single sign-on links and the new reasons a session family
 * ends. `users.email_verified` already exists (core schema); verification and password-reset links
 * are signed tokens whose single use is enforced by conditional updates of `users`, so they need
 * no table of their own.
 */
export class VerifiedIdentity1700001700000 implements MigrationInterface {
  name = 'VerifiedIdentity1700001700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE refresh_token_families DROP CONSTRAINT refresh_token_families_revoked_reason_check');
    await q.query(`
      ALTER TABLE refresh_token_families ADD CONSTRAINT refresh_token_families_revoked_reason_check
        CHECK (revoked_reason IN ('logout', 'reuse', 'password_change', 'password_reset', 'sso_link'))`);
    // One row per account at an OpenID provider: (iss, sub) is the stable identity, never the email.
    await q.query(`
      CREATE TABLE user_identities (
        issuer text NOT NULL,
        subject text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        email citext NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (issuer, subject)
      )`);
    await q.query('CREATE INDEX user_identities_user ON user_identities (user_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE user_identities');
    await q.query(
      "UPDATE refresh_token_families SET revoked_reason = 'logout' WHERE revoked_reason NOT IN ('logout', 'reuse')",
    );
    await q.query('ALTER TABLE refresh_token_families DROP CONSTRAINT refresh_token_families_revoked_reason_check');
    await q.query(
      "ALTER TABLE refresh_token_families ADD CONSTRAINT refresh_token_families_revoked_reason_check CHECK (revoked_reason IN ('logout', 'reuse'))",
    );
  }
}
