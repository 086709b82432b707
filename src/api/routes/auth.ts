import { createHash } from 'node:crypto';
import type Router from '@koa/router';
import { AppError, unauthorized } from '../../domain/errors';
import { hashPassword, passwordNeedsRehash, verifyPassword } from '../../identity/passwords';
import { revokeFamilyOf, rotateRefreshToken, startRefreshFamily } from '../../identity/refresh-tokens';
import { findUserByEmail, insertUser, toUserView, updatePasswordHash, type UserRow } from '../../identity/users';
import { createRateLimiter } from '../../infra/rate-limit';
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from '../auth/jwt';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import { loginBody, refreshBody, registerBody, sessionSchema } from '../schemas/identity';

const rateLimited = { description: 'Too many attempts; Retry-After says when to try again', schema: errorSchema };

/** Sign-up, sign-in, token refresh and sign-out: the only unauthenticated routes that write. */
export function authRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { config, dataSource, redis, logger } = api.deps;
  const limiter = (name: string, limit: { limit: number; windowSeconds: number }) => createRateLimiter(redis, { name, ...limit, logger });
  const registerPerIp = limiter('register-ip', config.rateLimits.registerPerIp);
  const loginPerIp = limiter('login-ip', config.rateLimits.loginPerIp);
  const loginPerAccount = limiter('login-account', config.rateLimits.loginPerAccount);
  const refreshPerIp = limiter('refresh-ip', config.rateLimits.refreshPerIp);

  const session = (user: UserRow, refreshToken: string) => {
    // Display devices hold display tokens, never sessions.
    if (user.role === 'display') throw unauthorized('Display devices cannot sign in.');
    return {
      user: toUserView(user),
      accessToken: signAccessToken(config.jwtSecret, { id: user.id, role: user.role }),
      refreshToken,
      tokenType: 'Bearer' as const,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    };
  };

  route({
    method: 'post', path: '/auth/register', summary: 'Create an account (role member) and sign in', tags: ['auth'],
    body: registerBody,
    responses: {
      201: { description: 'Account created; a session for it', schema: sessionSchema },
      409: { description: 'EMAIL_TAKEN: an account with this email (in any letter case) exists', schema: errorSchema },
      429: rateLimited,
    },
    handler: async (ctx, { body }) => {
      await registerPerIp.consume(ctx.ip);
      const passwordHash = await hashPassword(body.password);
      const created = await dataSource.transaction(async (tx) => {
        const user = await insertUser(tx, { email: body.email, displayName: body.displayName, timezone: body.timezone ?? 'UTC', passwordHash });
        return session(user, await startRefreshFamily(tx, user.id));
      });
      ctx.status = 201;
      ctx.body = created;
    },
  });

  route({
    method: 'post', path: '/auth/login', summary: 'Sign in with email and password', tags: ['auth'],
    body: loginBody,
    responses: {
      200: { description: 'Signed in', schema: sessionSchema },
      401: { description: 'INVALID_CREDENTIALS: the same answer whether or not the email has an account', schema: errorSchema },
      429: rateLimited,
    },
    handler: async (ctx, { body }) => {
      await loginPerIp.consume(ctx.ip);
      // Keyed by a digest: Redis keys then carry no email addresses.
      await loginPerAccount.consume(createHash('sha256').update(body.email).digest('hex'));
      const user = await findUserByEmail(dataSource, body.email);
      const ok = await verifyPassword(user?.password_hash, body.password);
      if (!user || !ok || user.role === 'display') throw invalidCredentials();
      if (passwordNeedsRehash(user.password_hash!)) await updatePasswordHash(dataSource, user.id, await hashPassword(body.password));
      ctx.body = session(user, await startRefreshFamily(dataSource, user.id));
    },
  });

  route({
    method: 'post', path: '/auth/refresh', summary: 'Trade a refresh token for a new pair (each refresh token works once)', tags: ['auth'],
    body: refreshBody,
    responses: {
      200: { description: 'A new access token and refresh token; the presented one is spent', schema: sessionSchema },
      401: { description: 'Invalid, expired or revoked; a reused token also revokes its whole family', schema: errorSchema },
      429: rateLimited,
    },
    handler: async (ctx, { body }) => {
      await refreshPerIp.consume(ctx.ip);
      const { user, refreshToken } = await rotateRefreshToken(dataSource, body.refreshToken, ctx.state.log ?? logger);
      ctx.body = session(user, refreshToken);
    },
  });

  route({
    method: 'post', path: '/auth/logout', summary: 'Sign out: revoke the refresh token and every token rotated from it', tags: ['auth'],
    body: refreshBody,
    responses: { 204: { description: 'Signed out (also when the token was already invalid)' } },
    handler: async (ctx, { body }) => {
      await revokeFamilyOf(dataSource, body.refreshToken);
      ctx.status = 204;
    },
  });

  return router;
}

const invalidCredentials = () => new AppError(401, 'INVALID_CREDENTIALS', 'The email or password is incorrect.');
