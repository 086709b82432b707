import { selectRows, updatedRows, type Queryable } from '../queryable';
import type { UserRow } from './users';

/**
 * Sign-ins: refresh-token families (one per sign-in) and their tokens, stored as hashes, and the
 * single sign-on identities linked to accounts.
 */

export type RevokedReason = 'logout' | 'reuse' | 'password_change' | 'password_reset' | 'sso_link';

export async function insertRefreshFamily(db: Queryable, userId: string): Promise<string> {
  const [family] = await selectRows<{ id: string }>(
    db,
    'INSERT INTO refresh_token_families (user_id) VALUES ($1) RETURNING id',
    [userId],
  );
  return family.id;
}

export async function insertRefreshToken(
  db: Queryable,
  token: { hash: string; familyId: string; ttlSeconds: number },
): Promise<void> {
  await db.query<unknown>(
    `INSERT INTO refresh_tokens (token_hash, family_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
    [token.hash, token.familyId, token.ttlSeconds],
  );
}

/**
 * Marks a live token used with one conditional UPDATE, so of two concurrent presentations
 * exactly one gets its family back.
 */
export async function claimRefreshToken(
  db: Queryable,
  hash: string,
): Promise<{ family_id: string; user_id: string } | undefined> {
  const [claimed] = await updatedRows<{ family_id: string; user_id: string }>(
    db,
    `UPDATE refresh_tokens t SET used_at = now()
     FROM refresh_token_families f
     WHERE t.token_hash = $1 AND t.family_id = f.id
       AND t.used_at IS NULL AND t.expires_at > now() AND f.revoked_at IS NULL
     RETURNING t.family_id, f.user_id`,
    [hash],
  );
  return claimed;
}

export interface RefreshTokenStateRow {
  family_id: string;
  used_at: Date | null;
  revoked_at: Date | null;
  user_id: string;
}

/** Whatever is known of a presented token, live or not (to tell a copied token from an unknown one). */
export async function findRefreshTokenState(db: Queryable, hash: string): Promise<RefreshTokenStateRow | undefined> {
  const [row] = await selectRows<RefreshTokenStateRow>(
    db,
    `SELECT t.family_id, t.used_at, f.revoked_at, f.user_id FROM refresh_tokens t JOIN refresh_token_families f ON f.id = t.family_id
     WHERE t.token_hash = $1`,
    [hash],
  );
  return row;
}

/** Logout: ends the family of this token hash. Unknown hashes change nothing. */
export async function revokeFamilyOfToken(db: Queryable, hash: string): Promise<void> {
  await db.query<unknown>(
    `UPDATE refresh_token_families SET revoked_at = now(), revoked_reason = 'logout'
     WHERE revoked_at IS NULL AND id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)`,
    [hash],
  );
}

export async function revokeAllFamilies(db: Queryable, userId: string, reason: RevokedReason): Promise<void> {
  await db.query<unknown>(
    'UPDATE refresh_token_families SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL',
    [userId, reason],
  );
}

export async function revokeFamily(db: Queryable, familyId: string, reason: RevokedReason): Promise<void> {
  await db.query<unknown>(
    'UPDATE refresh_token_families SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL',
    [familyId, reason],
  );
}

/** The account linked to this provider identity, marking the sign-in; undefined when none is linked yet. */
export async function touchLinkedIdentity(
  db: Queryable,
  issuer: string,
  subject: string,
): Promise<Pick<UserRow, 'id'> | undefined> {
  const [linked] = await updatedRows<{ user_id: string }>(
    db,
    'UPDATE user_identities SET last_login_at = now() WHERE issuer = $1 AND subject = $2 RETURNING user_id',
    [issuer, subject],
  );
  return linked ? { id: linked.user_id } : undefined;
}

/** ON CONFLICT: a concurrent first sign-in of the same identity linked it a moment ago. */
export async function linkIdentity(
  db: Queryable,
  identity: { issuer: string; subject: string; userId: string; email: string },
): Promise<void> {
  await db.query<unknown>(
    'INSERT INTO user_identities (issuer, subject, user_id, email) VALUES ($1, $2, $3, $4) ON CONFLICT (issuer, subject) DO NOTHING',
    [identity.issuer, identity.subject, identity.userId, identity.email],
  );
}
