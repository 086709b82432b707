import type Router from '@koa/router';
import { listUsers, changeRole, findUserById, updateProfile } from '../../db/repositories/users';
import { toUserView } from '../../identity/users';
import { notFound } from '../../domain/errors';
import { principalOf } from '../auth/access';
import { startSession } from '../auth/session';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import {
  changeEmailBody,
  changePasswordBody,
  idParams,
  profilePatchBody,
  roleChangeBody,
  sessionSchema,
  userListQuery,
  userPageSchema,
  userSchema,
} from '../schemas/identity';

/** The caller's own profile, and user administration (admins only). */
export function usersRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { dataSource, config } = api.deps;
  const { accounts } = api.services;
  const wrongPassword = {
    description:
      'WRONG_PASSWORD: the current password is not correct (accounts made by single sign-on have none: reset one by mail)',
    schema: errorSchema,
  };
  const rateLimited = { description: 'Too many attempts; Retry-After says when to try again', schema: errorSchema };
  const userIdOf = (principal: ReturnType<typeof principalOf>): string => {
    if (principal.kind !== 'user') throw notFound('User');
    return principal.userId;
  };

  route({
    method: 'get',
    path: '/users/me',
    summary: 'My profile',
    tags: ['users'],
    secured: true,
    before: [api.access.user()],
    responses: { 200: { description: 'My profile', schema: userSchema } },
    handler: async (ctx) => {
      const user = await findUserById(dataSource, userIdOf(principalOf(ctx)));
      if (!user) throw notFound('User');
      ctx.body = toUserView(user);
    },
  });

  route({
    method: 'patch',
    path: '/users/me',
    summary: 'Change my display name, time zone or notification preferences',
    tags: ['users'],
    secured: true,
    before: [api.access.user()],
    body: profilePatchBody,
    responses: {
      200: {
        description: 'The updated profile; any other field (role, email, emailVerified) is a 400',
        schema: userSchema,
      },
    },
    handler: async (ctx, { body }) => {
      const user = await updateProfile(dataSource, userIdOf(principalOf(ctx)), {
        displayName: body.displayName,
        timezone: body.timezone,
        notificationPrefs: body.notificationPrefs,
      });
      ctx.body = toUserView(user);
    },
  });

  route({
    method: 'post',
    path: '/users/me/password',
    summary: 'Change my password (the current one is required); every other session ends',
    tags: ['users'],
    secured: true,
    before: [api.access.user()],
    body: changePasswordBody,
    responses: {
      200: {
        description:
          'Changed. Every refresh token of the account is revoked; this answer carries a new session for the caller',
        schema: sessionSchema,
      },
      403: wrongPassword,
      429: rateLimited,
    },
    handler: async (ctx, { body }) => {
      const user = await accounts.changePassword(userIdOf(principalOf(ctx)), body.currentPassword, body.newPassword);
      ctx.body = await startSession(dataSource, config.jwtSecret, user);
    },
  });

  route({
    method: 'post',
    path: '/users/me/email',
    summary: 'Change my email address (the current password is required); the new address must be verified again',
    tags: ['users'],
    secured: true,
    before: [api.access.user()],
    body: changeEmailBody,
    responses: {
      200: {
        description: 'The profile with the new address and emailVerified false; a verification link is mailed to it',
        schema: userSchema,
      },
      403: wrongPassword,
      409: { description: 'EMAIL_TAKEN', schema: errorSchema },
      422: { description: 'EMAIL_DOMAIN_NOT_ALLOWED (REGISTRATION_DOMAINS)', schema: errorSchema },
      429: rateLimited,
    },
    handler: async (ctx, { body }) => {
      ctx.body = toUserView(
        await accounts.changeEmail(userIdOf(principalOf(ctx)), body.email, body.currentPassword, ctx.ip),
      );
    },
  });

  route({
    method: 'get',
    path: '/users',
    summary: 'List users (admin): newest first, searchable by email or name',
    tags: ['users'],
    secured: true,
    before: [api.access.roles('admin')],
    query: userListQuery,
    responses: { 200: { description: 'One page of users', schema: userPageSchema } },
    handler: async (ctx, { query }) => {
      const { items, total } = await listUsers(dataSource, query);
      ctx.body = { items: items.map(toUserView), page: query.page, pageSize: query.pageSize, total };
    },
  });

  route({
    method: 'patch',
    path: '/users/:id',
    summary: "Change a user's role (admin)",
    tags: ['users'],
    secured: true,
    before: [api.access.roles('admin')],
    params: idParams,
    body: roleChangeBody,
    responses: {
      200: {
        description: 'The user with the new role; it applies from their next token refresh (at most 15 minutes)',
        schema: userSchema,
      },
      404: { description: 'No such user', schema: errorSchema },
      409: { description: 'LAST_ADMIN: the only admin cannot be demoted', schema: errorSchema },
    },
    handler: async (ctx, { params, body }) => {
      const user = await dataSource.transaction((tx) => changeRole(tx, params.id, body.role));
      ctx.body = toUserView(user);
    },
  });

  return router;
}
