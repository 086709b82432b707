import type Router from '@koa/router';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import { roomIdParams } from '../schemas/rooms';
import { createOutageSchema, outageIdParams, outageListSchema, outageSchema } from '../schemas/outages';

const notFound = { description: 'No such room or outage', schema: errorSchema };
const forbidden = { description: 'Only facility managers and admins open and end outages', schema: errorSchema };

/** Room outages: a room out of service for a window, and what became of the bookings it displaced. */
export function outagesRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { outages: service } = api.services;
  const tags = ['outages'];

  route({
    method: 'post',
    path: '/rooms/:id/outages',
    summary:
      'Take a room out of service for a window (staff): the window cannot be booked, and every active booking in it is moved to the best free room or cancelled',
    tags,
    secured: true,
    before: [api.access.staff()],
    params: roomIdParams,
    body: createOutageSchema,
    responses: {
      201: {
        description:
          'The outage; its workflow outage:<id> relocates the displaced bookings (relocations start pending)',
        schema: outageSchema,
      },
      403: forbidden,
      404: notFound,
      422: { description: 'until is not after from, or already past (POLICY_VIOLATION)', schema: errorSchema },
    },
    handler: async (ctx, { params, body }) => {
      const outage = await service.open(principalOf(ctx), params.id, body);
      ctx.status = 201;
      ctx.set('Location', `/api/v1/outages/${outage.id}`);
      ctx.body = outage;
    },
  });

  route({
    method: 'get',
    path: '/rooms/:id/outages',
    summary: "A room's outages, latest window first, each with its relocations",
    tags,
    secured: true,
    before: [api.access.room()],
    params: roomIdParams,
    responses: { 200: { description: 'The outages', schema: outageListSchema }, 404: notFound },
    handler: async (ctx, { params }) => {
      ctx.body = await service.listForRoom(params.id);
    },
  });

  route({
    method: 'get',
    path: '/outages/:id',
    summary: 'Read an outage and what happened to each booking it displaced',
    tags,
    secured: true,
    before: [api.access.anyone()],
    params: outageIdParams,
    responses: { 200: { description: 'The outage', schema: outageSchema }, 404: notFound },
    handler: async (ctx, { params }) => {
      ctx.body = await service.get(params.id);
    },
  });

  route({
    method: 'post',
    path: '/outages/:id/end',
    summary: 'End an outage now (staff): the room can be booked again and its waitlist is offered the time',
    tags,
    secured: true,
    before: [api.access.staff()],
    params: outageIdParams,
    responses: {
      200: { description: 'The ended outage', schema: outageSchema },
      403: forbidden,
      404: notFound,
      409: { description: 'OUTAGE_ENDED: it has already ended', schema: errorSchema },
    },
    handler: async (ctx, { params }) => {
      ctx.body = await service.end(principalOf(ctx), params.id);
    },
  });

  return router;
}
