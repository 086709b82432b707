import type Router from '@koa/router';
import { listUsers, changeRole, findUserById, toUserView, updateProfile } from '../../identity/users';
import { notFound } from '../../domain/errors';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import { idParams, profilePatchBody, roleChangeBody, userListQuery, userPageSchema, userSchema } from '../schemas/identity';

/** The caller's own profile, and user administration (admins only). */
export function usersRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { dataSource } = api.deps;
  const userIdOf = (principal: ReturnType<typeof principalOf>): string => {
    if (principal.kind !== 'user') throw notFound('User');
    return principal.userId;
  };

  route({
    method: 'get', path: '/users/me', summary: 'My profile', tags: ['users'], secured: true,
    before: [api.access.user()],
    responses: { 200: { description: 'My profile', schema: userSchema } },
    handler: async (ctx) => {
      const user = await findUserById(dataSource, userIdOf(principalOf(ctx)));
      if (!user) throw notFound('User');
      ctx.body = toUserView(user);
    },
  });

  route({
    method: 'patch', path: '/users/me', summary: 'Change my display name, time zone or notification preferences', tags: ['users'], secured: true,
    before: [api.access.user()],
    body: profilePatchBody,
    responses: { 200: { description: 'The updated profile; any other field (role, email, emailVerified) is a 400', schema: userSchema } },
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
    method: 'get', path: '/users', summary: 'List users (admin): newest first, searchable by email or name', tags: ['users'], secured: true,
    before: [api.access.roles('admin')],
    query: userListQuery,
    responses: { 200: { description: 'One page of users', schema: userPageSchema } },
    handler: async (ctx, { query }) => {
      const { items, total } = await listUsers(dataSource, query);
      ctx.body = { items: items.map(toUserView), page: query.page, pageSize: query.pageSize, total };
    },
  });

  route({
    method: 'patch', path: '/users/:id', summary: "Change a user's role (admin)", tags: ['users'], secured: true,
    before: [api.access.roles('admin')],
    params: idParams,
    body: roleChangeBody,
    responses: {
      200: { description: 'The user with the new role; it applies from their next token refresh (at most 15 minutes)', schema: userSchema },
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
