import type Router from '@koa/router';
import { assertCanActInRoom } from '../../domain/booking-access';
import { forbidden, notFound } from '../../domain/errors';
import {
  createDisplayToken,
  findDisplayToken,
  listDisplayTokens,
  revokeDisplayToken,
} from '../../identity/display-tokens';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema, z } from '../http/openapi';
import { createdDisplayTokenSchema, displayTokenBody, displayTokenSchema, idParams } from '../schemas/identity';

const roomNotFound = { description: 'No such room', schema: errorSchema };

/** Display devices' tokens, each bound to one room: issued, listed and revoked by staff. */
export function displayTokensRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { dataSource } = api.deps;

  route({
    method: 'post',
    path: '/rooms/:id/display-tokens',
    summary: 'Issue a display token bound to this room (shown once)',
    tags: ['display tokens'],
    secured: true,
    before: [api.access.staff()],
    params: idParams,
    body: displayTokenBody,
    responses: {
      201: { description: 'The token, to put in the display URL', schema: createdDisplayTokenSchema },
      404: roomNotFound,
    },
    handler: async (ctx, { params, body }) => {
      const principal = principalOf(ctx);
      if (principal.kind !== 'user') throw forbidden();
      ctx.status = 201;
      ctx.body = await createDisplayToken(dataSource, {
        roomId: params.id,
        name: body.name,
        createdBy: principal.userId,
      });
    },
  });

  route({
    method: 'get',
    path: '/rooms/:id/display-tokens',
    summary: "The room's display tokens that still work (never the secrets)",
    tags: ['display tokens'],
    secured: true,
    before: [api.access.staff()],
    params: idParams,
    responses: {
      200: { description: 'Active tokens', schema: z.object({ items: z.array(displayTokenSchema) }) },
      404: roomNotFound,
    },
    handler: async (ctx, { params }) => {
      ctx.body = { items: await listDisplayTokens(dataSource, params.id) };
    },
  });

  route({
    method: 'delete',
    path: '/rooms/:id/display-tokens/:tokenId',
    summary: 'Revoke a display token: the device is refused at once',
    tags: ['display tokens'],
    secured: true,
    before: [api.access.staff()],
    params: z.object({ id: z.string().uuid('a UUID'), tokenId: z.string().uuid('a UUID') }),
    responses: {
      204: { description: 'Revoked' },
      404: { description: 'No such room, or no live token of that room with this id', schema: errorSchema },
    },
    handler: async (ctx, { params }) => {
      await revokeDisplayToken(dataSource, params.id, params.tokenId);
      ctx.status = 204;
    },
  });

  route({
    method: 'get',
    path: '/rooms/:id/display-session',
    summary: 'For a display device: check that its token is bound to this room',
    tags: ['display tokens'],
    secured: true,
    before: [api.access.anyone()],
    params: idParams,
    responses: {
      200: { description: 'The token is live and bound to this room', schema: displayTokenSchema },
      403: { description: 'Not a display token, or a display token of another room', schema: errorSchema },
    },
    handler: async (ctx, { params }) => {
      const principal = principalOf(ctx);
      if (principal.kind !== 'display') throw forbidden('Only display devices have a display session.');
      assertCanActInRoom(principal, params.id);
      const token = await findDisplayToken(dataSource, params.id, principal.displayTokenId);
      if (!token) throw notFound('Display token');
      ctx.body = token;
    },
  });

  return router;
}
