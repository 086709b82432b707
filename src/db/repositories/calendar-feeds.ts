import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { UserRole } from '../../domain/principal';

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Per-user secrets for subscribing to one's calendar without a bearer header (calendar apps
 * cannot send one). One active secret per user; only its SHA-256 is stored, so it is shown once.
 */
export class CalendarFeedRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Revokes the current secret, if any, and issues a new one. Concurrent rotations of one user
   * take turns on the user's row (NO KEY UPDATE: it does not block the key-share locks that
   * inserts referencing the user take), so each revokes what the previous one issued and the
   * partial unique index never sees two active secrets: the last one wins, none fails.
   */
  async rotate(userId: string): Promise<{ token: string; createdAt: string }> {
    const token = `rbcal_${randomBytes(32).toString('base64url')}`;
    const createdAt = await this.db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [userId]);
      await tx.query('UPDATE calendar_feeds SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [
        userId,
      ]);
      const [row]: { created_at: Date }[] = await tx.query(
        'INSERT INTO calendar_feeds (user_id, token_hash) VALUES ($1, $2) RETURNING created_at',
        [userId, hash(token)],
      );
      return row.created_at.toISOString();
    });
    return { token, createdAt };
  }

  /** True when there was an active secret to revoke. */
  async revoke(userId: string): Promise<boolean> {
    const [, count]: [unknown, number] = await this.db.query(
      'UPDATE calendar_feeds SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL',
      [userId],
    );
    return count > 0;
  }

  async active(userId: string): Promise<{ createdAt: string } | undefined> {
    const [row]: { created_at: Date }[] = await this.db.query(
      'SELECT created_at FROM calendar_feeds WHERE user_id = $1 AND revoked_at IS NULL',
      [userId],
    );
    return row && { createdAt: row.created_at.toISOString() };
  }

  /** The owner of an active secret. */
  async ownerOf(token: string): Promise<{ userId: string; role: UserRole } | undefined> {
    const [row]: { id: string; role: UserRole }[] = await this.db.query(
      `SELECT u.id, u.role FROM calendar_feeds f JOIN users u ON u.id = f.user_id
       WHERE f.token_hash = $1 AND f.revoked_at IS NULL`,
      [hash(token)],
    );
    return row && { userId: row.id, role: row.role };
  }
}
