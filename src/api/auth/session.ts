import type { DataSource } from 'typeorm';
import { unauthorized } from '../../domain/errors';
import { startRefreshFamily } from '../../identity/refresh-tokens';
import type { Queryable } from '../../db/queryable';
import type { UserRow } from '../../db/repositories/users';
import { toUserView } from '../../identity/users';
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from './jwt';

/** The API's own token pair for a person, however they signed in (password, reset, single sign-on). */
export function sessionFor(jwtSecret: string, user: UserRow, refreshToken: string) {
  // Display devices hold display tokens, never sessions.
  if (user.role === 'display') throw unauthorized('Display devices cannot sign in.');
  return {
    user: toUserView(user),
    accessToken: signAccessToken(jwtSecret, { id: user.id, role: user.role }),
    refreshToken,
    tokenType: 'Bearer' as const,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  };
}

export type Session = ReturnType<typeof sessionFor>;

/** Starts a refresh-token family (one sign-in) and answers with the pair. */
export async function startSession(db: Queryable | DataSource, jwtSecret: string, user: UserRow): Promise<Session> {
  if (user.role === 'display') throw unauthorized('Display devices cannot sign in.');
  return sessionFor(jwtSecret, user, await startRefreshFamily(db, user.id));
}
