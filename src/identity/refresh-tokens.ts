import type { DataSource } from 'typeorm';
import { unauthorized } from '../domain/errors';
import type { Logger } from '../infra/logger';
import { hashOpaqueToken, newOpaqueToken, REFRESH_TOKEN_PREFIX } from './opaque-tokens';
import { returnedRows, type Queryable } from './queryable';
import type { UserRow } from './users';

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

const invalid = () => unauthorized('The refresh token is invalid, expired or revoked: sign in again.');

/** Starts a family (one per sign-in) and returns its first refresh token. */
export async function startRefreshFamily(db: Queryable, userId: string): Promise<string> {
  const [family] = await db.query('INSERT INTO refresh_token_families (user_id) VALUES ($1) RETURNING id', [userId]);
  return issueInFamily(db, family.id);
}

async function issueInFamily(db: Queryable, familyId: string): Promise<string> {
  const { token, hash } = newOpaqueToken(REFRESH_TOKEN_PREFIX);
  await db.query(
    `INSERT INTO refresh_tokens (token_hash, family_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
    [hash, familyId, REFRESH_TOKEN_TTL_SECONDS],
  );
  return token;
}

/**
 * Trades a refresh token for the next one of its family. Each token works once: marking it used
 * is a single conditional UPDATE, so of two concurrent presentations exactly one wins. A token
 * presented after it was used means it was copied: the whole family is revoked (the thief's and
 * the owner's newest tokens alike) and the caller gets 401.
 */
export async function rotateRefreshToken(
  dataSource: DataSource,
  token: string,
  logger: Logger,
): Promise<{ user: UserRow; refreshToken: string }> {
  if (!token.startsWith(REFRESH_TOKEN_PREFIX)) throw invalid();
  const hash = hashOpaqueToken(token);
  const rotated = await dataSource.transaction(async (tx) => {
    const claimed = returnedRows<{ family_id: string; user_id: string }>(
      await tx.query(
        `UPDATE refresh_tokens t SET used_at = now()
         FROM refresh_token_families f
         WHERE t.token_hash = $1 AND t.family_id = f.id
           AND t.used_at IS NULL AND t.expires_at > now() AND f.revoked_at IS NULL
         RETURNING t.family_id, f.user_id`,
        [hash],
      ),
    );
    if (claimed.length === 0) return undefined;
    const [user] = await tx.query('SELECT * FROM users WHERE id = $1', [claimed[0].user_id]);
    if (!user) return undefined;
    return { user: user as UserRow, refreshToken: await issueInFamily(tx, claimed[0].family_id) };
  });
  if (rotated) return rotated;

  const [seen] = await dataSource.query(
    `SELECT t.family_id, t.used_at, f.revoked_at, f.user_id FROM refresh_tokens t JOIN refresh_token_families f ON f.id = t.family_id
     WHERE t.token_hash = $1`,
    [hash],
  );
  if (seen?.used_at && !seen.revoked_at) {
    await revokeFamily(dataSource, seen.family_id, 'reuse');
    logger.warn({ userId: seen.user_id, familyId: seen.family_id }, 'refresh token reused: family revoked');
  }
  throw invalid();
}

/** Logout: ends the family of this refresh token. Unknown tokens are ignored (logout is idempotent). */
export async function revokeFamilyOf(db: Queryable, token: string): Promise<void> {
  await db.query(
    `UPDATE refresh_token_families SET revoked_at = now(), revoked_reason = 'logout'
     WHERE revoked_at IS NULL AND id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)`,
    [hashOpaqueToken(token)],
  );
}

export type RevokedReason = 'logout' | 'reuse' | 'password_change' | 'password_reset' | 'sso_link';

/** Ends every sign-in of a user at once (password change or reset): each of their refresh tokens stops working. */
export async function revokeAllFamilies(db: Queryable, userId: string, reason: RevokedReason): Promise<void> {
  await db.query(
    'UPDATE refresh_token_families SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL',
    [userId, reason],
  );
}

async function revokeFamily(db: Queryable, familyId: string, reason: RevokedReason): Promise<void> {
  await db.query(
    'UPDATE refresh_token_families SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL',
    [familyId, reason],
  );
}
