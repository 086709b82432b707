import type { DataSource } from 'typeorm';
import { unauthorized } from '../domain/errors';
import type { Queryable } from '../db/queryable';
import {
  claimRefreshToken,
  findRefreshTokenState,
  insertRefreshFamily,
  insertRefreshToken,
  revokeFamily,
  revokeFamilyOfToken,
} from '../db/repositories/sessions';
import { findUserById, type UserRow } from '../db/repositories/users';
import type { Logger } from '../infra/logger';
import { hashOpaqueToken, newOpaqueToken, REFRESH_TOKEN_PREFIX } from './opaque-tokens';

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

const invalid = () => unauthorized('The refresh token is invalid, expired or revoked: sign in again.');

/** Starts a family (one per sign-in) and returns its first refresh token. */
export async function startRefreshFamily(db: Queryable, userId: string): Promise<string> {
  return issueInFamily(db, await insertRefreshFamily(db, userId));
}

async function issueInFamily(db: Queryable, familyId: string): Promise<string> {
  const { token, hash } = newOpaqueToken(REFRESH_TOKEN_PREFIX);
  await insertRefreshToken(db, { hash, familyId, ttlSeconds: REFRESH_TOKEN_TTL_SECONDS });
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
    const claimed = await claimRefreshToken(tx, hash);
    if (!claimed) return undefined;
    const user = await findUserById(tx, claimed.user_id);
    if (!user) return undefined;
    return { user, refreshToken: await issueInFamily(tx, claimed.family_id) };
  });
  if (rotated) return rotated;

  const seen = await findRefreshTokenState(dataSource, hash);
  if (seen?.used_at && !seen.revoked_at) {
    await revokeFamily(dataSource, seen.family_id, 'reuse');
    logger.warn({ userId: seen.user_id, familyId: seen.family_id }, 'refresh token reused: family revoked');
  }
  throw invalid();
}

/** Logout: ends the family of this refresh token. Unknown tokens are ignored (logout is idempotent). */
export async function revokeFamilyOf(db: Queryable, token: string): Promise<void> {
  await revokeFamilyOfToken(db, hashOpaqueToken(token));
}
